/**
 * Tests of the fake AWS itself, through real SDK clients: the steps trust it to behave as AWS does.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand,
  GetBucketLocationCommand,
  HeadBucketCommand,
  PutBucketLoggingCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CloudTrailClient, CreateTrailCommand, GetTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  CreateOrganizationalUnitCommand,
  DescribeCreateAccountStatusCommand,
  EnableAWSServiceAccessCommand,
  ListAccountsCommand,
  ListCreateAccountStatusCommand,
  ListParentsCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  type Account,
} from '@aws-sdk/client-organizations';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  KMSClient,
  ListKeysCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import {
  DeleteLoginProfileCommand,
  EnableOrganizationsRootCredentialsManagementCommand,
  EnableOrganizationsRootSessionsCommand,
  GetAccountSummaryCommand,
  GetLoginProfileCommand,
  IAMClient,
  ListOrganizationsFeaturesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, AssumeRootCommand, GetCallerIdentityCommand, STSClient, type Credentials } from '@aws-sdk/client-sts';
import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { AccountClient, GetAlternateContactCommand, PutAlternateContactCommand } from '@aws-sdk/client-account';
import { AUDIT_ROOT_TASK, DELETE_ROOT_TASK, FakeAws, MANAGEMENT_ID, ROOT_ID } from './fake-aws.js';

const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
const s3 = (region: string) => new S3Client({ region, credentials });

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

describe('fake S3 CreateBucket', () => {
  it('in us-east-1 refuses a LocationConstraint, creates without one, and answers a repeat silently', async () => {
    const client = s3('us-east-1');
    await expect(
      client.send(
        new CreateBucketCommand({ Bucket: 'trail-logs', CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as never } }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidLocationConstraint', $metadata: { httpStatusCode: 400 } });
    expect(fake.buckets.has('trail-logs')).toBe(false);

    await client.send(new CreateBucketCommand({ Bucket: 'trail-logs' }));
    await client.send(new CreateBucketCommand({ Bucket: 'trail-logs' }));
    expect(fake.buckets.get('trail-logs')).toMatchObject({ region: 'us-east-1', ownership: 'BucketOwnerEnforced' });
    expect((await client.send(new HeadBucketCommand({ Bucket: 'trail-logs' }))).BucketRegion).toBe('us-east-1');
    expect((await client.send(new GetBucketLocationCommand({ Bucket: 'trail-logs' }))).LocationConstraint).toBeUndefined();
    expect(fake.createBucketCalls.map((c) => [c.region, c.input.CreateBucketConfiguration])).toEqual([
      ['us-east-1', { LocationConstraint: 'us-east-1' }],
      ['us-east-1', undefined],
      ['us-east-1', undefined],
    ]);
  });

  it('in eu-west-1 needs LocationConstraint eu-west-1 and refuses a repeat as BucketAlreadyOwnedByYou', async () => {
    const client = s3('eu-west-1');
    await expect(client.send(new CreateBucketCommand({ Bucket: 'trail-logs' }))).rejects.toMatchObject({
      name: 'IllegalLocationConstraintException',
    });
    await expect(
      client.send(new CreateBucketCommand({ Bucket: 'trail-logs', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } })),
    ).rejects.toMatchObject({ name: 'IllegalLocationConstraintException' });
    expect(fake.buckets.size).toBe(0);

    await client.send(new CreateBucketCommand({ Bucket: 'trail-logs', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    expect(fake.buckets.get('trail-logs')?.region).toBe('eu-west-1');
    await expect(
      client.send(new CreateBucketCommand({ Bucket: 'trail-logs', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })),
    ).rejects.toMatchObject({ name: 'BucketAlreadyOwnedByYou' });
    expect(fake.createBucketCalls.every((c) => c.region === 'eu-west-1')).toBe(true);
  });

  it("refuses a name a stranger owns, and bucket calls from another region than the bucket's", async () => {
    fake.foreignBuckets.add('taken');
    await expect(s3('us-east-1').send(new CreateBucketCommand({ Bucket: 'taken' }))).rejects.toMatchObject({ name: 'BucketAlreadyExists' });
    await expect(s3('us-east-1').send(new HeadBucketCommand({ Bucket: 'taken' }))).rejects.toMatchObject({
      name: 'Forbidden',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(s3('us-east-1').send(new HeadBucketCommand({ Bucket: 'absent' }))).rejects.toMatchObject({ name: 'NotFound' });

    await s3('eu-west-1').send(new CreateBucketCommand({ Bucket: 'logs', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await expect(s3('us-east-1').send(new PutBucketPolicyCommand({ Bucket: 'logs', Policy: '{}' }))).rejects.toMatchObject({
      name: 'PermanentRedirect',
    });
    await expect(
      s3('eu-west-1').send(
        new PutBucketLoggingCommand({
          Bucket: 'logs',
          BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: 'x/' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidTargetBucketForLogging' });
    await expect(s3('eu-west-1').send(new PutBucketPolicyCommand({ Bucket: 'absent', Policy: '{}' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });
});

describe('fake CloudTrail', () => {
  const region = 'eu-west-1';
  const trailArn = `arn:aws:cloudtrail:${region}:${MANAGEMENT_ID}:trail/org-trail`;
  const bucketPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: 'arn:aws:s3:::trail-bucket',
        Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
      },
    ],
  });

  it('refuses an organization trail until trusted access for cloudtrail is enabled, and changes nothing meanwhile', async () => {
    const bucketClient = s3(region);
    await bucketClient.send(new CreateBucketCommand({ Bucket: 'trail-bucket', CreateBucketConfiguration: { LocationConstraint: region } }));
    await bucketClient.send(new PutBucketPolicyCommand({ Bucket: 'trail-bucket', Policy: bucketPolicy }));
    const orgs = new OrganizationsClient({ region: 'us-east-1', credentials });
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));

    const trails = new CloudTrailClient({ region, credentials });
    const create = new CreateTrailCommand({
      Name: 'org-trail',
      S3BucketName: 'trail-bucket',
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
    });
    const before = fake.snapshot();
    await expect(trails.send(create)).rejects.toMatchObject({ name: 'CloudTrailAccessNotEnabledException' });
    expect(fake.snapshot()).toEqual(before);

    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'cloudtrail.amazonaws.com' }));
    await trails.send(create);
    const { Trail } = await trails.send(new GetTrailCommand({ Name: trailArn }));
    expect(Trail).toMatchObject({
      Name: 'org-trail',
      HomeRegion: region,
      IsOrganizationTrail: true,
      LogFileValidationEnabled: false,
      HasCustomEventSelectors: false,
    });
    expect(fake.trails.get('org-trail')?.logging).toBe(false);
  });

  it('starts logging only from the home region', async () => {
    fake.trails.set('org-trail', {
      Name: 'org-trail',
      HomeRegion: region,
      TrailARN: trailArn,
      S3BucketName: 'trail-bucket',
      IsMultiRegionTrail: true,
      IsOrganizationTrail: false,
      LogFileValidationEnabled: true,
      KmsKeyId: null,
      IncludeGlobalServiceEvents: true,
      logging: false,
      latestDeliveryError: '',
    });
    const elsewhere = new CloudTrailClient({ region: 'us-east-1', credentials });
    await expect(elsewhere.send(new StartLoggingCommand({ Name: 'org-trail' }))).rejects.toMatchObject({
      name: 'InvalidHomeRegionException',
    });
    await new CloudTrailClient({ region, credentials }).send(new StartLoggingCommand({ Name: trailArn }));
    expect(fake.trails.get('org-trail')?.logging).toBe(true);
  });
});

describe('fake KMS', () => {
  it('DescribeKey finds a key by alias name and alias ARN, only in the region the key lives in', async () => {
    const kms = new KMSClient({ region: 'eu-west-1', credentials });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'trail key' }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/groundwork-trail', TargetKeyId: KeyMetadata?.KeyId }));

    const byName = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/groundwork-trail' }));
    expect(byName.KeyMetadata).toMatchObject({
      KeyId: KeyMetadata?.KeyId,
      Arn: KeyMetadata?.Arn,
      KeyState: 'Enabled',
      KeyManager: 'CUSTOMER',
    });
    expect(KeyMetadata?.Arn).toMatch(new RegExp(`^arn:aws:kms:eu-west-1:${MANAGEMENT_ID}:key/`));
    const byArn = await kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:eu-west-1:${MANAGEMENT_ID}:alias/groundwork-trail` }));
    expect(byArn.KeyMetadata?.KeyId).toBe(KeyMetadata?.KeyId);

    const elsewhere = new KMSClient({ region: 'us-east-1', credentials });
    await expect(elsewhere.send(new DescribeKeyCommand({ KeyId: 'alias/groundwork-trail' }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    await expect(elsewhere.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.KeyId }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    await expect(
      kms.send(new CreateAliasCommand({ AliasName: 'alias/groundwork-trail', TargetKeyId: KeyMetadata?.KeyId })),
    ).rejects.toMatchObject({
      name: 'AlreadyExistsException',
    });
  });
});

describe('fake IAM and KMS pages', () => {
  it('IAM lists answer truncated pages: the Marker leads to the next page, MaxItems asks for fewer, a bad Marker is refused', async () => {
    const iam = new IAMClient({ region: 'us-east-1', credentials });
    for (const name of ['ann', 'ben', 'cat', 'dan']) {
      fake.management.users.set(name, {
        arn: `arn:aws:iam::${MANAGEMENT_ID}:user/${name}`,
        loginProfile: null,
        accessKeys: [],
        mfaDevices: [],
        attached: new Set(),
      });
    }
    const first = await iam.send(new ListUsersCommand({}));
    expect(first.Users?.map((u) => u.UserName)).toEqual(['founder', 'ann']);
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toEqual(expect.any(String));
    const second = await iam.send(new ListUsersCommand({ Marker: first.Marker }));
    expect(second.Users?.map((u) => u.UserName)).toEqual(['ben', 'cat']);
    expect(second.IsTruncated).toBe(true);
    const last = await iam.send(new ListUsersCommand({ Marker: second.Marker }));
    expect(last.Users?.map((u) => u.UserName)).toEqual(['dan']);
    expect(last.IsTruncated).toBe(false);
    expect(last.Marker).toBeUndefined();

    const one = await iam.send(new ListUsersCommand({ MaxItems: 1, Marker: first.Marker }));
    expect(one).toMatchObject({ Users: [expect.objectContaining({ UserName: 'ben' })], IsTruncated: true });
    await expect(iam.send(new ListUsersCommand({ Marker: 'not-a-marker' }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Invalid Marker.',
      $metadata: { httpStatusCode: 400 },
    });

    fake.pageSize = 100;
    const whole = await iam.send(new ListUsersCommand({}));
    expect(whole.IsTruncated).toBe(false);
    expect(whole.Users).toHaveLength(5);
  });

  it('KMS lists answer truncated pages: NextMarker leads to the next page, Limit asks for fewer, a bad Marker is refused', async () => {
    const kms = new KMSClient({ region: 'us-east-1', credentials });
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push((await kms.send(new CreateKeyCommand({ Description: `key ${n}` }))).KeyMetadata?.KeyId as string);
    const first = await kms.send(new ListKeysCommand({}));
    expect(first.Keys?.map((k) => k.KeyId)).toEqual(ids.slice(0, 2));
    expect(first.Truncated).toBe(true);
    expect(first.NextMarker).toEqual(expect.any(String));
    const last = await kms.send(new ListKeysCommand({ Marker: first.NextMarker }));
    expect(last.Keys?.map((k) => k.KeyId)).toEqual(ids.slice(2));
    expect(last.Truncated).toBe(false);
    expect(last.NextMarker).toBeUndefined();
    expect((await kms.send(new ListKeysCommand({ Limit: 1 }))).Keys?.map((k) => k.KeyId)).toEqual(ids.slice(0, 1));
    await expect(kms.send(new ListKeysCommand({ Marker: 'not-a-marker' }))).rejects.toMatchObject({ name: 'InvalidMarkerException' });

    const tags = [1, 2, 3].map((n) => ({ TagKey: `k${n}`, TagValue: `v${n}` }));
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Tags: tags }));
    const tagPage = await kms.send(new ListResourceTagsCommand({ KeyId: KeyMetadata?.KeyId }));
    expect(tagPage).toMatchObject({ Tags: tags.slice(0, 2), Truncated: true });
    expect((await kms.send(new ListResourceTagsCommand({ KeyId: KeyMetadata?.KeyId, Marker: tagPage.NextMarker }))).Tags).toEqual(
      tags.slice(2),
    );
  });
});

describe('fake IAM centralized root access', () => {
  it('needs an organization and trusted access for iam before root credentials management can be enabled', async () => {
    const iam = new IAMClient({ region: 'us-east-1', credentials });
    const orgs = new OrganizationsClient({ region: 'us-east-1', credentials });
    await expect(iam.send(new ListOrganizationsFeaturesCommand({}))).rejects.toMatchObject({ name: 'OrganizationNotFoundException' });
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    await expect(iam.send(new EnableOrganizationsRootCredentialsManagementCommand({}))).rejects.toMatchObject({
      name: 'ServiceAccessNotEnabledException',
    });
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'iam.amazonaws.com' }));
    await iam.send(new EnableOrganizationsRootCredentialsManagementCommand({}));
    expect(await iam.send(new ListOrganizationsFeaturesCommand({}))).toMatchObject({
      OrganizationId: 'o-abc123def4',
      EnabledFeatures: ['RootCredentialsManagement'],
    });
  });
});

describe('fake member accounts', () => {
  const MEMBER_ROLE_ARN = (id: string) => `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`;
  const orgs = () => new OrganizationsClient({ region: 'us-east-1', credentials });
  const sts = () => new STSClient({ region: 'eu-west-1', credentials });
  const asSession = (c: Credentials | undefined) => ({
    accessKeyId: c?.AccessKeyId ?? '',
    secretAccessKey: c?.SecretAccessKey ?? '',
    sessionToken: c?.SessionToken ?? '',
  });
  const newOrganization = async (...trusted: string[]) => {
    await orgs().send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    for (const ServicePrincipal of trusted) await orgs().send(new EnableAWSServiceAccessCommand({ ServicePrincipal }));
  };
  const allAccounts = async () => {
    const pages: Account[][] = [];
    let NextToken: string | undefined;
    do {
      const r = await orgs().send(new ListAccountsCommand({ ...(NextToken ? { NextToken } : {}) }));
      pages.push(r.Accounts ?? []);
      NextToken = r.NextToken;
    } while (NextToken);
    return pages;
  };

  it('creates an account IN_PROGRESS, then SUCCEEDED with a new member after creationPolls polls (a list of requests in progress polls each), listed two per page', async () => {
    await newOrganization();
    fake.creationPolls = 2;
    const { CreateAccountStatus } = await orgs().send(
      new CreateAccountCommand({ Email: 'audit@example.com', AccountName: 'Audit', Tags: [{ Key: 'team', Value: 'security' }] }),
    );
    expect(CreateAccountStatus).toMatchObject({ State: 'IN_PROGRESS', AccountName: 'Audit' });
    expect(CreateAccountStatus?.Id).toMatch(/^car-[a-z0-9]{8,32}$/);
    const poll = () => orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: CreateAccountStatus?.Id }));
    expect((await poll()).CreateAccountStatus?.State).toBe('IN_PROGRESS');
    const pending = await orgs().send(new ListCreateAccountStatusCommand({ States: ['IN_PROGRESS'] }));
    expect(pending.CreateAccountStatuses?.map((r) => r.Id)).toEqual([CreateAccountStatus?.Id]);
    expect(fake.orgAccounts.size).toBe(1);

    const done = (await poll()).CreateAccountStatus;
    expect(done).toMatchObject({ State: 'SUCCEEDED', AccountId: '222222222201' });
    expect(fake.orgAccounts.get('222222222201')).toMatchObject({
      Email: 'audit@example.com',
      parentId: ROOT_ID,
      tags: [{ Key: 'team', Value: 'security' }],
    });
    expect(fake.accounts.get('222222222201')?.roles.has('OrganizationAccountAccessRole')).toBe(true);
    expect(fake.accounts.get('222222222201')?.root).toMatchObject({ password: true, mfa: false, accessKeys: [] });

    fake.addMemberAccount('Log archive', 'logs@example.com');
    const pages = await allAccounts();
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
    expect(pages.flat().map((a) => a.Id)).toEqual([MANAGEMENT_ID, '222222222201', '222222222202']);
    const { Parents } = await orgs().send(new ListParentsCommand({ ChildId: '222222222201' }));
    expect(Parents).toEqual([{ Id: ROOT_ID, Type: 'ROOT' }]);
  });

  it('ends a request FAILED with the configured FailureReason and makes no account', async () => {
    await newOrganization();
    fake.creationPolls = 0;
    fake.creationFailures.set('taken@example.com', 'EMAIL_ALREADY_EXISTS');
    const { CreateAccountStatus } = await orgs().send(new CreateAccountCommand({ Email: 'taken@example.com', AccountName: 'Audit' }));
    const r = await orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: CreateAccountStatus?.Id }));
    expect(r.CreateAccountStatus).toMatchObject({ State: 'FAILED', FailureReason: 'EMAIL_ALREADY_EXISTS' });
    expect(r.CreateAccountStatus?.AccountId).toBeUndefined();
    expect([...fake.orgAccounts.keys()]).toEqual([MANAGEMENT_ID]);
    await expect(orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: 'car-00000099' }))).rejects.toMatchObject({
      name: 'CreateAccountStatusNotFoundException',
    });
  });

  it('refuses CreateAccount beyond the quota, counting requests still in progress', async () => {
    await newOrganization();
    fake.accountQuota = 3;
    fake.addMemberAccount('Audit', 'audit@example.com');
    await orgs().send(new CreateAccountCommand({ Email: 'logs@example.com', AccountName: 'Logs' }));
    await expect(orgs().send(new CreateAccountCommand({ Email: 'dev@example.com', AccountName: 'Dev' }))).rejects.toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'ACCOUNT_NUMBER_LIMIT_EXCEEDED',
    });
    expect(fake.createRequests.size).toBe(1);
  });

  it('moves an account into a new OU, refusing a duplicate OU name and a move to where the account already is', async () => {
    await newOrganization();
    const id = fake.addMemberAccount('Audit', 'audit@example.com');
    const { Roots } = await orgs().send(new ListRootsCommand({}));
    expect(Roots?.map((r) => r.Id)).toEqual([ROOT_ID]);
    const { OrganizationalUnit } = await orgs().send(new CreateOrganizationalUnitCommand({ ParentId: ROOT_ID, Name: 'Security' }));
    await expect(orgs().send(new CreateOrganizationalUnitCommand({ ParentId: ROOT_ID, Name: 'Security' }))).rejects.toMatchObject({
      name: 'DuplicateOrganizationalUnitException',
    });
    const ouId = OrganizationalUnit?.Id as string;
    await orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: ROOT_ID, DestinationParentId: ouId }));
    expect((await orgs().send(new ListParentsCommand({ ChildId: id }))).Parents).toEqual([{ Id: ouId, Type: 'ORGANIZATIONAL_UNIT' }]);
    await expect(
      orgs().send(new MoveAccountCommand({ AccountId: id, SourceParentId: ROOT_ID, DestinationParentId: ouId })),
    ).rejects.toMatchObject({
      name: 'DuplicateAccountException',
    });
  });

  it('AssumeRole is refused for roleDelayCalls attempts after creation, then gives credentials whose calls act on the member', async () => {
    await newOrganization();
    fake.creationPolls = 0;
    fake.roleDelayCalls = 1;
    const { CreateAccountStatus } = await orgs().send(new CreateAccountCommand({ Email: 'audit@example.com', AccountName: 'Audit' }));
    const id = (await orgs().send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: CreateAccountStatus?.Id })))
      .CreateAccountStatus?.AccountId as string;
    const assume = new AssumeRoleCommand({ RoleArn: MEMBER_ROLE_ARN(id), RoleSessionName: 'aws-groundwork' });
    await expect(sts().send(assume)).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const { Credentials } = await sts().send(assume);
    expect(Credentials?.AccessKeyId).toBe(`ASIAROLE${id}`);
    expect(Credentials?.Expiration?.getTime()).toBeGreaterThan(Date.now() + 3_500_000);

    const member = asSession(Credentials);
    expect(await new STSClient({ region: 'eu-west-1', credentials: member }).send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: id,
      Arn: `arn:aws:sts::${id}:assumed-role/OrganizationAccountAccessRole/aws-groundwork`,
    });
    const s3control = new S3ControlClient({ region: 'eu-west-1', credentials: member });
    await expect(s3control.send(new GetPublicAccessBlockCommand({ AccountId: id }))).rejects.toMatchObject({
      name: 'NoSuchPublicAccessBlockConfiguration',
    });
    const all = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    await s3control.send(new PutPublicAccessBlockCommand({ AccountId: id, PublicAccessBlockConfiguration: all }));
    expect(fake.accounts.get(id)?.accountPublicAccessBlock).toEqual(all);
    expect(fake.management.accountPublicAccessBlock).toBeNull();
    expect(fake.calls.at(-1)).toMatchObject({ service: 's3control', operation: 'PutPublicAccessBlock', account: id });
    await expect(
      s3control.send(new PutPublicAccessBlockCommand({ AccountId: MANAGEMENT_ID, PublicAccessBlockConfiguration: all })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    await expect(
      sts().send(new AssumeRoleCommand({ RoleArn: MEMBER_ROLE_ARN('999999999999'), RoleSessionName: 'aws-groundwork' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  it('AssumeRoot with the audit policy reads the member root but refuses DeleteLoginProfile, which the delete policy allows', async () => {
    await newOrganization('iam.amazonaws.com');
    const id = fake.addMemberAccount('Audit', 'audit@example.com');
    const assumeRoot = (arn: string) =>
      sts().send(new AssumeRootCommand({ TargetPrincipal: id, TaskPolicyArn: { arn }, DurationSeconds: 900 }));
    await expect(assumeRoot(AUDIT_ROOT_TASK)).rejects.toMatchObject({ name: 'AccessDenied' });
    await new IAMClient({ region: 'us-east-1', credentials }).send(new EnableOrganizationsRootSessionsCommand({}));

    const audit = new IAMClient({ region: 'us-east-1', credentials: asSession((await assumeRoot(AUDIT_ROOT_TASK)).Credentials) });
    expect((await audit.send(new GetAccountSummaryCommand({}))).SummaryMap).toMatchObject({
      AccountPasswordPresent: 1,
      AccountMFAEnabled: 0,
    });
    expect((await audit.send(new GetLoginProfileCommand({}))).LoginProfile).toBeDefined();
    await expect(audit.send(new DeleteLoginProfileCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    expect(fake.accounts.get(id)?.root.password).toBe(true);
    expect(fake.management.root.password).toBe(true);

    const { Credentials } = await assumeRoot(DELETE_ROOT_TASK);
    expect(Credentials?.AccessKeyId).toBe(`ASIAROOT${id}`);
    const deleting = new IAMClient({ region: 'us-east-1', credentials: asSession(Credentials) });
    await deleting.send(new DeleteLoginProfileCommand({}));
    expect(fake.accounts.get(id)?.root.password).toBe(false);
    expect((await deleting.send(new GetAccountSummaryCommand({}))).SummaryMap?.AccountPasswordPresent).toBe(0);
    await expect(deleting.send(new GetLoginProfileCommand({}))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    expect(
      await new STSClient({ region: 'eu-west-1', credentials: asSession(Credentials) }).send(new GetCallerIdentityCommand({})),
    ).toMatchObject({
      Account: id,
      Arn: `arn:aws:iam::${id}:root`,
    });

    fake.callAsRoot();
    await expect(assumeRoot(DELETE_ROOT_TASK)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('creates members without root credentials once root credentials management is on', async () => {
    await newOrganization('iam.amazonaws.com');
    await new IAMClient({ region: 'us-east-1', credentials }).send(new EnableOrganizationsRootCredentialsManagementCommand({}));
    const id = fake.addMemberAccount('Audit', 'audit@example.com');
    expect(fake.accounts.get(id)?.root).toEqual({ accessKeys: [], mfa: false, password: false, signingCertificates: [] });
  });

  it('an alternate contact with AccountId reaches the member, once trusted access for account is on, and never the management account itself', async () => {
    await newOrganization();
    const id = fake.addMemberAccount('Audit', 'audit@example.com');
    const account = new AccountClient({ region: 'us-east-1', credentials });
    const contact = {
      AlternateContactType: 'SECURITY' as const,
      Name: 'Sec Team',
      Title: 'Security',
      EmailAddress: 'sec@example.com',
      PhoneNumber: '+1 555 0100',
    };
    await expect(account.send(new PutAlternateContactCommand({ ...contact, AccountId: id }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await orgs().send(new EnableAWSServiceAccessCommand({ ServicePrincipal: 'account.amazonaws.com' }));

    await account.send(new PutAlternateContactCommand({ ...contact, AccountId: id }));
    expect(fake.accounts.get(id)?.contacts.SECURITY).toEqual({
      Name: 'Sec Team',
      Title: 'Security',
      EmailAddress: 'sec@example.com',
      PhoneNumber: '+1 555 0100',
    });
    expect(
      (await account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY', AccountId: id }))).AlternateContact,
    ).toMatchObject({
      EmailAddress: 'sec@example.com',
    });
    await expect(account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(account.send(new PutAlternateContactCommand({ ...contact, AccountId: MANAGEMENT_ID }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await account.send(new PutAlternateContactCommand(contact));
    expect(fake.management.contacts.SECURITY?.Name).toBe('Sec Team');
  });

  it('counts the calls in flight at once when every call is delayed', async () => {
    fake.delayMs = 20;
    await Promise.all([1, 2, 3].map(() => sts().send(new GetCallerIdentityCommand({}))));
    expect(fake.maxInFlight).toBe(3);
    expect(fake.inFlight).toBe(0);
  });
});
