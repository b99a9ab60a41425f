import {
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  DeleteInlinePolicyFromPermissionSetCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribePermissionSetProvisioningStatusCommand,
  DetachManagedPolicyFromPermissionSetCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ProvisionPermissionSetCommand,
  UpdatePermissionSetCommand,
} from '@aws-sdk/client-sso-admin';
import {
  CreateGroupCommand,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  DeleteGroupMembershipCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-identitystore';
import type { AwsClients } from '../../src/aws/clients.js';
import { doneOn } from '../../src/model.js';
import { clientsOf, consolePath, regionOf, type Ctx } from './live.js';
import type { Operations, UserFields } from './plan.js';
import { groupId, readInstance, setArnNamed, userId, type Instance } from './reads.js';

/** How long apply waits between status reads of Identity Center's asynchronous requests (about two minutes in all). */
const STATUS_WAITS_MS = [1_000, 2_000, 3_000, 5_000, 8_000, 13_000, 20_000, 30_000, 40_000];

interface Where {
  ic: AwsClients;
  instance: Instance;
}

async function where(ctx: Ctx): Promise<Where> {
  const ic = await clientsOf(ctx);
  const instance = await readInstance(ic, ctx.account.id);
  if (!instance) throw new Error(`IAM Identity Center is not enabled in ${regionOf(ctx)}: enable it in ${consolePath(regionOf(ctx))}`);
  return { ic, instance };
}

/** Waits for an asynchronous request to end; a failure says AWS's reason. */
async function settle(ctx: Ctx, what: string, read: () => Promise<{ Status?: string; FailureReason?: string } | undefined>): Promise<void> {
  for (const wait of [0, ...STATUS_WAITS_MS]) {
    if (wait) await ctx.sleep(wait);
    const s = await read();
    if (s?.Status === 'SUCCEEDED') return;
    if (s?.Status === 'FAILED') throw new Error(`${what} failed: ${s.FailureReason ?? 'AWS gave no reason'}`);
    ctx.progress(`${what}: ${s?.Status ?? 'waiting'}`);
  }
  throw new Error(`${what} was still in progress after about two minutes; run apply again to go on from there`);
}

async function need<T>(value: Promise<T | null | undefined>, what: string): Promise<T> {
  const v = await value;
  if (v === null || v === undefined)
    throw new Error(`${what} does not exist (made by an earlier change of this apply, which did not complete?)`);
  return v;
}

export async function createPermissionSet(ctx: Ctx, i: Operations['create-permission-set']): Promise<void> {
  const { ic, instance } = await where(ctx);
  const InstanceArn = instance.arn;
  // CreatePermissionSet is not idempotent: a set made by an interrupted run is found by name and completed.
  const made = await doneOn('ConflictException')(() =>
    ic.ssoAdmin.send(new CreatePermissionSetCommand({ InstanceArn, Name: i.name, Description: i.description, SessionDuration: i.session })),
  );
  const PermissionSetArn = await need(setArnNamed(ic, instance, i.name), `the permission set ${i.name}`);
  if (!made) {
    await ic.ssoAdmin.send(
      new UpdatePermissionSetCommand({ InstanceArn, PermissionSetArn, Description: i.description, SessionDuration: i.session }),
    );
  }
  await doneOn('ConflictException')(() =>
    ic.ssoAdmin.send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn, PermissionSetArn, ManagedPolicyArn: i.policyArn })),
  );
}

export async function updatePermissionSet(ctx: Ctx, i: Operations['update-permission-set']): Promise<void> {
  const { ic, instance } = await where(ctx);
  const InstanceArn = instance.arn;
  const PermissionSetArn = await need(setArnNamed(ic, instance, i.name), `the permission set ${i.name}`);
  if (i.session !== undefined || i.description !== undefined) {
    await ic.ssoAdmin.send(
      new UpdatePermissionSetCommand({ InstanceArn, PermissionSetArn, SessionDuration: i.session, Description: i.description }),
    );
  }
  for (const ManagedPolicyArn of i.attach) {
    await doneOn('ConflictException')(() =>
      ic.ssoAdmin.send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn, PermissionSetArn, ManagedPolicyArn })),
    );
  }
  for (const ManagedPolicyArn of i.detach) {
    await doneOn('ResourceNotFoundException')(() =>
      ic.ssoAdmin.send(new DetachManagedPolicyFromPermissionSetCommand({ InstanceArn, PermissionSetArn, ManagedPolicyArn })),
    );
  }
  if (i.deleteInline) await ic.ssoAdmin.send(new DeleteInlinePolicyFromPermissionSetCommand({ InstanceArn, PermissionSetArn }));
  // The roles in the accounts keep the old policies until the set is provisioned again.
  const inUse = await ic.ssoAdmin.send(
    new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn, PermissionSetArn, MaxResults: 1 }),
  );
  if (!inUse.AccountIds?.length) return;
  const r = await ic.ssoAdmin.send(
    new ProvisionPermissionSetCommand({ InstanceArn, PermissionSetArn, TargetType: 'ALL_PROVISIONED_ACCOUNTS' }),
  );
  const RequestId = r.PermissionSetProvisioningStatus?.RequestId;
  await settle(ctx, `provisioning ${i.name}`, async () =>
    RequestId
      ? (
          await ic.ssoAdmin.send(
            new DescribePermissionSetProvisioningStatusCommand({ InstanceArn, ProvisionPermissionSetRequestId: RequestId }),
          )
        ).PermissionSetProvisioningStatus
      : r.PermissionSetProvisioningStatus,
  );
}

export async function createGroup(ctx: Ctx, i: Operations['create-group']): Promise<void> {
  const { ic, instance } = await where(ctx);
  await doneOn('ConflictException')(() =>
    ic.identitystore.send(new CreateGroupCommand({ IdentityStoreId: instance.storeId, DisplayName: i.name, Description: i.description })),
  );
}

const emails = (u: UserFields) => [{ Value: u.email, Type: 'work', Primary: true }];

export async function createUser(ctx: Ctx, u: Operations['create-user']): Promise<void> {
  const { ic, instance } = await where(ctx);
  await doneOn('ConflictException')(() =>
    ic.identitystore.send(
      new CreateUserCommand({
        IdentityStoreId: instance.storeId,
        UserName: u.userName,
        DisplayName: `${u.givenName} ${u.familyName}`,
        Name: { GivenName: u.givenName, FamilyName: u.familyName, Formatted: `${u.givenName} ${u.familyName}` },
        Emails: emails(u),
      }),
    ),
  );
}

export async function updateUser(ctx: Ctx, u: Operations['update-user']): Promise<void> {
  const { ic, instance } = await where(ctx);
  const UserId = await need(userId(ic, instance, u.userName), `the user ${u.userName}`);
  await ic.identitystore.send(
    new UpdateUserCommand({
      IdentityStoreId: instance.storeId,
      UserId,
      Operations: [
        { AttributePath: 'name.givenName', AttributeValue: u.givenName },
        { AttributePath: 'name.familyName', AttributeValue: u.familyName },
        { AttributePath: 'name.formatted', AttributeValue: `${u.givenName} ${u.familyName}` },
        { AttributePath: 'displayName', AttributeValue: `${u.givenName} ${u.familyName}` },
        // UpdateUser takes attributes in their SCIM spelling (lower case), not CreateUser's members.
        { AttributePath: 'emails', AttributeValue: [{ value: u.email, type: 'work', primary: true }] },
      ],
    }),
  );
}

export async function addToGroup(ctx: Ctx, i: Operations['add-to-group']): Promise<void> {
  const { ic, instance } = await where(ctx);
  const GroupId = await need(groupId(ic, instance, i.group), `the group ${i.group}`);
  const UserId = await need(userId(ic, instance, i.userName), `the user ${i.userName}`);
  await doneOn('ConflictException')(() =>
    ic.identitystore.send(new CreateGroupMembershipCommand({ IdentityStoreId: instance.storeId, GroupId, MemberId: { UserId } })),
  );
}

export async function removeFromGroup(ctx: Ctx, i: Operations['remove-from-group']): Promise<void> {
  const { ic, instance } = await where(ctx);
  await doneOn('ResourceNotFoundException')(() =>
    ic.identitystore.send(new DeleteGroupMembershipCommand({ IdentityStoreId: instance.storeId, MembershipId: i.membershipId })),
  );
}

/** Each assignment is requested, then waited for: an assignment that exists already is made again harmlessly. */
export async function assign(ctx: Ctx, i: Operations['assign']): Promise<void> {
  const { ic, instance } = await where(ctx);
  const InstanceArn = instance.arn;
  for (const a of i.assignments) {
    const PrincipalId = await need(groupId(ic, instance, a.group), `the group ${a.group}`);
    const PermissionSetArn = await need(setArnNamed(ic, instance, a.set), `the permission set ${a.set}`);
    const r = await ic.ssoAdmin.send(
      new CreateAccountAssignmentCommand({
        InstanceArn,
        TargetId: i.accountId,
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn,
        PrincipalType: 'GROUP',
        PrincipalId,
      }),
    );
    const RequestId = r.AccountAssignmentCreationStatus?.RequestId;
    await settle(ctx, `${a.group} as ${a.set} in ${i.accountName}`, async () =>
      RequestId
        ? (
            await ic.ssoAdmin.send(
              new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn, AccountAssignmentCreationRequestId: RequestId }),
            )
          ).AccountAssignmentCreationStatus
        : r.AccountAssignmentCreationStatus,
    );
  }
}
