/**
 * Tests of the fake's IAM Identity Center (SSO Admin and Identity Store) through the real SDK clients:
 * the identity-center step trusts it to behave as AWS does.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribePermissionSetCommand,
  DescribePermissionSetProvisioningStatusCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListInstancesCommand,
  ListPermissionSetsCommand,
  ListPermissionSetsProvisionedToAccountCommand,
  ProvisionPermissionSetCommand,
  SSOAdminClient,
  UpdatePermissionSetCommand,
  type CreateAccountAssignmentCommandInput,
  type ProvisioningStatus,
} from '@aws-sdk/client-sso-admin';
import {
  CreateGroupCommand,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  DescribeUserCommand,
  GetGroupIdCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  ListGroupMembershipsCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-identitystore';
import { FakeAws, MANAGEMENT_ID } from './fake-aws.js';

const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
/** Credentials the fake reads as a member's OrganizationAccountAccessRole session. */
const memberCredentials = (id: string) => ({ accessKeyId: `ASIAROLE${id}`, secretAccessKey: 'b', sessionToken: 'unknown' });
const ssoAdmin = (region = 'us-east-1', creds = credentials) => new SSOAdminClient({ region, credentials: creds });
const store = (region = 'us-east-1', creds = credentials) => new IdentitystoreClient({ region, credentials: creds });
const unique = (AttributePath: string, AttributeValue: string) => ({ UniqueAttribute: { AttributePath, AttributeValue } });

let fake: FakeAws;
let sso: SSOAdminClient;
let ids: IdentitystoreClient;
let InstanceArn: string;
let IdentityStoreId: string;
let member: string;
beforeEach(() => {
  fake = new FakeAws().install();
  const Arn = `arn:aws:organizations::${MANAGEMENT_ID}:organization/o-abc123def4`;
  fake.organization = { Id: 'o-abc123def4', Arn, FeatureSet: 'ALL', MasterAccountId: MANAGEMENT_ID };
  member = fake.addMemberAccount('Prod', 'prod@example.com');
  [sso, ids] = [ssoAdmin(), store()];
  ({ InstanceArn, IdentityStoreId } = fake.identityCenter.instance as { InstanceArn: string; IdentityStoreId: string });
});
afterEach(() => fake.restore());

async function newPermissionSet(Name: string, SessionDuration?: string): Promise<string> {
  return (await sso.send(new CreatePermissionSetCommand({ InstanceArn, Name, SessionDuration }))).PermissionSet?.PermissionSetArn as string;
}

async function newUser(UserName: string): Promise<string> {
  const input = { IdentityStoreId, UserName, DisplayName: UserName, Name: { GivenName: 'Ada', FamilyName: 'Lovelace' } };
  return (await ids.send(new CreateUserCommand(input))).UserId as string;
}

/** An assignment of `PrincipalId` (a user) to the member account, as CreateAccountAssignment takes it. */
function assignment(PermissionSetArn: string, PrincipalId: string, TargetId = member): CreateAccountAssignmentCommandInput {
  return { InstanceArn, PermissionSetArn, TargetId, TargetType: 'AWS_ACCOUNT', PrincipalType: 'USER', PrincipalId };
}

async function creationStatus(AccountAssignmentCreationRequestId: string | undefined) {
  const input = { InstanceArn, AccountAssignmentCreationRequestId };
  return (await sso.send(new DescribeAccountAssignmentCreationStatusCommand(input))).AccountAssignmentCreationStatus;
}

/** Creates the assignment and polls it until it ends; answers its last status. */
async function assign(input: CreateAccountAssignmentCommandInput) {
  const { RequestId } = (await sso.send(new CreateAccountAssignmentCommand(input))).AccountAssignmentCreationStatus ?? {};
  for (;;) {
    const status = await creationStatus(RequestId);
    if (status?.Status !== 'IN_PROGRESS') return status;
  }
}

describe('fake IAM Identity Center instance', () => {
  it('is seen by the management account in its region only, and by no one once removed', async () => {
    const { Instances } = await sso.send(new ListInstancesCommand({}));
    expect(Instances).toEqual([expect.objectContaining({ InstanceArn, IdentityStoreId, OwnerAccountId: MANAGEMENT_ID, Status: 'ACTIVE' })]);
    expect(InstanceArn).toMatch(/^arn:aws:sso:::instance\/ssoins-[0-9a-f]{16}$/);
    expect(IdentityStoreId).toMatch(/^d-[0-9a-f]{10}$/);

    expect((await ssoAdmin('eu-west-1').send(new ListInstancesCommand({}))).Instances).toEqual([]);
    expect((await ssoAdmin('us-east-1', memberCredentials(member)).send(new ListInstancesCommand({}))).Instances).toEqual([]);
    await expect(ssoAdmin('eu-west-1').send(new ListPermissionSetsCommand({ InstanceArn }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    const lookup = new GetGroupIdCommand({ IdentityStoreId, AlternateIdentifier: unique('displayName', 'Admins') });
    await expect(store('eu-west-1').send(lookup)).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      ResourceType: 'IDENTITY_STORE',
    });

    fake.identityCenter.region = 'eu-west-1';
    expect((await ssoAdmin('eu-west-1').send(new ListInstancesCommand({}))).Instances).toHaveLength(1);
    fake.removeIdentityCenterInstance();
    expect((await ssoAdmin('eu-west-1').send(new ListInstancesCommand({}))).Instances).toEqual([]);
  });
});

describe('fake SSO Admin permission sets', () => {
  it('are created, described and listed a page at a time, and a second of the same name is a ConflictException', async () => {
    const admin = await newPermissionSet('Admin', 'PT4H');
    expect(admin).toMatch(/^arn:aws:sso:::permissionSet\/ssoins-[0-9a-f]{16}\/ps-[0-9a-f]{16}$/);
    const described = await sso.send(new DescribePermissionSetCommand({ InstanceArn, PermissionSetArn: admin }));
    expect(described.PermissionSet).toMatchObject({ Name: 'Admin', SessionDuration: 'PT4H' });
    const readOnly = await newPermissionSet('ReadOnly');
    expect(fake.identityCenter.permissionSets.get(readOnly)?.SessionDuration).toBe('PT1H');
    const billing = await newPermissionSet('Billing');

    const first = await sso.send(new ListPermissionSetsCommand({ InstanceArn }));
    expect(first.PermissionSets).toEqual([admin, readOnly]);
    const last = await sso.send(new ListPermissionSetsCommand({ InstanceArn, NextToken: first.NextToken }));
    expect(last.PermissionSets).toEqual([billing]);
    expect(last.NextToken).toBeUndefined();
    expect((await sso.send(new ListPermissionSetsCommand({ InstanceArn, MaxResults: 1 }))).PermissionSets).toEqual([admin]);

    await expect(newPermissionSet('Admin')).rejects.toMatchObject({ name: 'ConflictException', $metadata: { httpStatusCode: 400 } });
    for (const [name, duration] of [['has space'], ['x'.repeat(33)], ['Short', 'PT30M'], ['Long', 'PT13H']]) {
      await expect(newPermissionSet(name as string, duration)).rejects.toMatchObject({ name: 'ValidationException' });
    }
  });

  it('attach only AWS managed policies, once each', async () => {
    const PermissionSetArn = await newPermissionSet('Admin');
    const attach = (ManagedPolicyArn: string) =>
      sso.send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn, PermissionSetArn, ManagedPolicyArn }));
    for (const name of ['AdministratorAccess', 'PowerUserAccess', 'ReadOnlyAccess']) await attach(`arn:aws:iam::aws:policy/${name}`);
    await expect(attach('arn:aws:iam::aws:policy/ReadOnlyAccess')).rejects.toMatchObject({ name: 'ConflictException' });
    await expect(attach(`arn:aws:iam::${MANAGEMENT_ID}:policy/Mine`)).rejects.toMatchObject({ name: 'ValidationException' });
    expect(fake.identityCenter.permissionSets.get(PermissionSetArn)?.managedPolicies).toHaveLength(3);
  });
});

describe('fake SSO Admin assignments and provisioning', () => {
  it('answer IN_PROGRESS for identityCenterPolls describes, then SUCCEEDED, and the assignment is listed for its principal', async () => {
    fake.identityCenterPolls = 2;
    const PermissionSetArn = await newPermissionSet('Admin');
    const PrincipalId = await newUser('ada');
    const { AccountAssignmentCreationStatus: created } = await sso.send(
      new CreateAccountAssignmentCommand(assignment(PermissionSetArn, PrincipalId)),
    );
    expect(created).toMatchObject({ Status: 'IN_PROGRESS', TargetId: member, PrincipalId });
    expect((await creationStatus(created?.RequestId))?.Status).toBe('IN_PROGRESS');
    expect((await creationStatus(created?.RequestId))?.Status).toBe('IN_PROGRESS');
    expect(fake.identityCenter.assignments).toEqual([]);
    expect((await creationStatus(created?.RequestId))?.Status).toBe('SUCCEEDED');

    const listed = await sso.send(new ListAccountAssignmentsForPrincipalCommand({ InstanceArn, PrincipalId, PrincipalType: 'USER' }));
    expect(listed.AccountAssignments).toEqual([{ AccountId: member, PermissionSetArn, PrincipalType: 'USER', PrincipalId }]);
    const provisioned = await sso.send(new ListPermissionSetsProvisionedToAccountCommand({ InstanceArn, AccountId: member }));
    expect(provisioned.PermissionSets).toEqual([PermissionSetArn]);

    // The same assignment again succeeds without making a second one.
    expect((await assign(assignment(PermissionSetArn, PrincipalId)))?.Status).toBe('SUCCEEDED');
    expect(fake.identityCenter.assignments).toHaveLength(1);
  });

  it('to an account outside the organization or a principal the store does not hold ends FAILED and assigns nothing', async () => {
    const PermissionSetArn = await newPermissionSet('Admin');
    const ada = await newUser('ada');
    const failed = { Status: 'FAILED', FailureReason: expect.any(String) };
    expect(await assign(assignment(PermissionSetArn, ada, '999999999999'))).toMatchObject(failed);
    expect(await assign(assignment(PermissionSetArn, 'a9999999-0000-4000-8000-000000009999'))).toMatchObject(failed);
    expect(fake.identityCenter.assignments).toEqual([]);
  });

  it('a change to a permission set leaves its accounts not provisioned at the latest version until ProvisionPermissionSet succeeds', async () => {
    const PermissionSetArn = await newPermissionSet('Admin');
    await assign(assignment(PermissionSetArn, await newUser('ada')));
    const accounts = async (ProvisioningStatus: ProvisioningStatus) =>
      (await sso.send(new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn, PermissionSetArn, ProvisioningStatus })))
        .AccountIds;
    expect(await accounts('LATEST_PERMISSION_SET_PROVISIONED')).toEqual([member]);

    await sso.send(new UpdatePermissionSetCommand({ InstanceArn, PermissionSetArn, SessionDuration: 'PT8H' }));
    expect(await accounts('LATEST_PERMISSION_SET_PROVISIONED')).toEqual([]);
    expect(await accounts('LATEST_PERMISSION_SET_NOT_PROVISIONED')).toEqual([member]);

    const provision = new ProvisionPermissionSetCommand({ InstanceArn, PermissionSetArn, TargetType: 'ALL_PROVISIONED_ACCOUNTS' });
    const { RequestId, Status } = (await sso.send(provision)).PermissionSetProvisioningStatus ?? {};
    expect(Status).toBe('IN_PROGRESS');
    const describeProvisioning = new DescribePermissionSetProvisioningStatusCommand({
      InstanceArn,
      ProvisionPermissionSetRequestId: RequestId,
    });
    expect((await sso.send(describeProvisioning)).PermissionSetProvisioningStatus?.Status).toBe('IN_PROGRESS');
    expect(await accounts('LATEST_PERMISSION_SET_NOT_PROVISIONED')).toEqual([member]);
    expect((await sso.send(describeProvisioning)).PermissionSetProvisioningStatus?.Status).toBe('SUCCEEDED');
    expect(await accounts('LATEST_PERMISSION_SET_NOT_PROVISIONED')).toEqual([]);
    expect(await accounts('LATEST_PERMISSION_SET_PROVISIONED')).toEqual([member]);
  });
});

describe('fake Identity Store', () => {
  it('finds users and groups again by their unique attributes and refuses a second user of the same name in any case', async () => {
    const ada = await newUser('ada');
    await expect(newUser('ADA')).rejects.toMatchObject({ name: 'ConflictException', Reason: 'UNIQUENESS_CONSTRAINT_VIOLATION' });
    await expect(ids.send(new CreateUserCommand({ IdentityStoreId, UserName: 'bob' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    expect((await ids.send(new GetUserIdCommand({ IdentityStoreId, AlternateIdentifier: unique('userName', 'Ada') }))).UserId).toBe(ada);

    const update = (Operations: { AttributePath: string; AttributeValue: unknown }[]) =>
      ids.send(new UpdateUserCommand({ IdentityStoreId, UserId: ada, Operations: Operations as never }));
    const emails = [{ value: 'ada@example.com', type: 'work', primary: true }];
    await update([
      { AttributePath: 'name.givenName', AttributeValue: 'Augusta' },
      { AttributePath: 'emails', AttributeValue: emails },
    ]);
    expect(await ids.send(new DescribeUserCommand({ IdentityStoreId, UserId: ada }))).toMatchObject({
      Name: { GivenName: 'Augusta', FamilyName: 'Lovelace' },
      Emails: [{ Value: 'ada@example.com', Type: 'work', Primary: true }],
    });
    const byEmail = new GetUserIdCommand({ IdentityStoreId, AlternateIdentifier: unique('emails.value', 'ada@example.com') });
    expect((await ids.send(byEmail)).UserId).toBe(ada);
    await expect(update([{ AttributePath: 'displayName', AttributeValue: null }])).rejects.toMatchObject({ name: 'ValidationException' });

    const { GroupId } = await ids.send(new CreateGroupCommand({ IdentityStoreId, DisplayName: 'Admins' }));
    const byName = (name: string) => ids.send(new GetGroupIdCommand({ IdentityStoreId, AlternateIdentifier: unique('displayName', name) }));
    expect((await byName('Admins')).GroupId).toBe(GroupId);
    await expect(ids.send(new CreateGroupCommand({ IdentityStoreId, DisplayName: 'Admins' }))).rejects.toMatchObject({
      name: 'ConflictException',
    });
    await expect(byName('Nobody')).rejects.toMatchObject({ name: 'ResourceNotFoundException', ResourceType: 'GROUP' });
  });

  it('refuses a second membership of a user in a group; members of the organization may read the store but not write it', async () => {
    const UserId = await newUser('ada');
    const { GroupId } = await ids.send(new CreateGroupCommand({ IdentityStoreId, DisplayName: 'Admins' }));
    const join = () => ids.send(new CreateGroupMembershipCommand({ IdentityStoreId, GroupId, MemberId: { UserId } }));
    const { MembershipId } = await join();
    await expect(join()).rejects.toMatchObject({ name: 'ConflictException', $metadata: { httpStatusCode: 400 } });

    const fromMember = store('us-east-1', memberCredentials(member));
    expect((await fromMember.send(new ListGroupMembershipsCommand({ IdentityStoreId, GroupId }))).GroupMemberships).toEqual([
      { IdentityStoreId, MembershipId, GroupId, MemberId: { UserId } },
    ]);
    const write = new CreateGroupCommand({ IdentityStoreId, DisplayName: 'Others' });
    await expect(fromMember.send(write)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('fake IAM Identity Center and the fake-wide machinery', () => {
  it('records the calls, injects faults, loses answers after the write and survives export and import', async () => {
    fake.failNext('CreateGroup', new Error('injected'));
    await expect(ids.send(new CreateGroupCommand({ IdentityStoreId, DisplayName: 'Admins' }))).rejects.toThrow('injected');
    fake.loseAnswerNext('CreatePermissionSet');
    await expect(newPermissionSet('Admin')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect([...fake.identityCenter.permissionSets.values()].map((p) => p.Name)).toEqual(['Admin']);
    expect(fake.writes.map((c) => `${c.service}:${c.operation}@${c.region}`)).toEqual([
      'identitystore:CreateGroup@us-east-1',
      'ssoAdmin:CreatePermissionSet@us-east-1',
    ]);
    expect(new FakeAws().importState(fake.exportState()).identityCenter.permissionSets.size).toBe(1);
  });
});
