/**
 * What the emulator holds, read with the AWS SDK directly, never through the tool: the proof that
 * the tool did what its verify says, and the inventory that shows nothing was made twice. Ids AWS
 * draws at random (account, organization, key) are replaced by names, so two runs compare equal
 * exactly when they left the same things.
 */
import { GetAlternateContactCommand } from '@aws-sdk/client-account';
import { DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import {
  GetAccountPasswordPolicyCommand,
  ListAccountAliasesCommand,
  ListAttachedGroupPoliciesCommand,
  ListGroupsCommand,
  ListOrganizationsFeaturesCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListCreateAccountStatusCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-organizations';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand as GetBucketPublicAccessBlockCommand,
  ListBucketsCommand,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { MANAGEMENT } from './cli.js';
import { destroyAll, sdkClients, type SdkClients } from './sdk-clients.js';

type Clients = SdkClients;

/** The value of a read, or the error code it answered with (absent things answer with codes). */
async function orCode<T>(read: () => Promise<T>): Promise<T | string> {
  try {
    return await read();
  } catch (err) {
    return `error ${(err as Error).name}`;
  }
}

async function iamOf(c: Clients) {
  const groups = (await c.iam.send(new ListGroupsCommand({}))).Groups ?? [];
  const policies = (await c.iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies ?? [];
  return {
    aliases: (await c.iam.send(new ListAccountAliasesCommand({}))).AccountAliases ?? [],
    passwordPolicy: await orCode(async () => (await c.iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy),
    groups: Object.fromEntries(
      await Promise.all(
        groups.map(async (g) => [
          g.GroupName,
          ((await c.iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: g.GroupName }))).AttachedPolicies ?? [])
            .map((p) => p.PolicyArn)
            .sort(),
        ]),
      ),
    ),
    users: ((await c.iam.send(new ListUsersCommand({}))).Users ?? []).map((u) => u.UserName).sort(),
    customerPolicies: Object.fromEntries(
      await Promise.all(
        policies.map(async (p) => [
          p.Arn,
          ((await c.iam.send(new ListPolicyVersionsCommand({ PolicyArn: p.Arn }))).Versions ?? [])
            .map((v) => `${v.VersionId}${v.IsDefaultVersion ? ' (default)' : ''}`)
            .sort(),
        ]),
      ),
    ),
  };
}

async function everyAccountOf(c: Clients, accountId: string) {
  return {
    iam: await iamOf(c),
    accountPublicAccessBlock: await orCode(
      async () => (await c.s3control.send(new GetPublicAccessBlockCommand({ AccountId: accountId }))).PublicAccessBlockConfiguration,
    ),
  };
}

async function contactsOf(management: Clients, accountId: string) {
  const out: Record<string, unknown> = {};
  for (const type of ['SECURITY', 'BILLING', 'OPERATIONS'] as const) {
    out[type] = await orCode(async () => {
      const r = await management.account.send(
        new GetAlternateContactCommand({ AlternateContactType: type, ...(accountId === MANAGEMENT ? {} : { AccountId: accountId }) }),
      );
      const a = r.AlternateContact;
      return { Name: a?.Name, Title: a?.Title, EmailAddress: a?.EmailAddress, PhoneNumber: a?.PhoneNumber };
    });
  }
  return out;
}

async function bucketOf(c: Clients, name: string) {
  return {
    publicAccessBlock: await orCode(
      async () => (await c.s3.send(new GetBucketPublicAccessBlockCommand({ Bucket: name }))).PublicAccessBlockConfiguration,
    ),
    ownership: await orCode(async () =>
      (await c.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: name }))).OwnershipControls?.Rules?.map((r) => r.ObjectOwnership),
    ),
    versioning: (await c.s3.send(new GetBucketVersioningCommand({ Bucket: name }))).Status ?? 'never enabled',
    encryption: await orCode(async () =>
      (await c.s3.send(new GetBucketEncryptionCommand({ Bucket: name }))).ServerSideEncryptionConfiguration?.Rules?.map((r) => ({
        ...r.ApplyServerSideEncryptionByDefault,
        BucketKeyEnabled: r.BucketKeyEnabled ?? false,
      })),
    ),
    policy: await orCode(
      async () => JSON.parse((await c.s3.send(new GetBucketPolicyCommand({ Bucket: name }))).Policy ?? 'null') as unknown,
    ),
    logging: (await c.s3.send(new GetBucketLoggingCommand({ Bucket: name }))).LoggingEnabled ?? null,
    lifecycle: await orCode(async () =>
      (await c.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: name }))).Rules?.map((r) => r.ID),
    ),
  };
}

export type EmulatorState = Awaited<ReturnType<typeof readState>>;

/** The whole state the tool manages, in every account, with random ids replaced by names. */
export async function readState(url: string, region: string) {
  const management = sdkClients(url, region);
  const org = await orCode(async () => (await management.organizations.send(new DescribeOrganizationCommand({}))).Organization);
  // The management account's id is the emulator's fixed default, not drawn: it stays as it is.
  const names = new Map<string, string>();
  const state: Record<string, unknown> = {
    organization: typeof org === 'string' ? org : { FeatureSet: org?.FeatureSet, managedHere: org?.MasterAccountId === MANAGEMENT },
  };
  const accounts: Record<string, unknown> = {};
  if (typeof org !== 'string') {
    if (org?.Id) names.set(org.Id, '<organization>');
    const rootId = (await management.organizations.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
    names.set(rootId, '<root>');
    const ous =
      (await management.organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId }))).OrganizationalUnits ?? [];
    for (const ou of ous) names.set(ou.Id as string, `ou:${ou.Name}`);
    state.ous = ous.map((o) => o.Name).sort();
    state.trustedAccess = (
      (await management.organizations.send(new ListAWSServiceAccessForOrganizationCommand({}))).EnabledServicePrincipals ?? []
    )
      .map((s) => s.ServicePrincipal)
      .sort();
    state.iamOrganizationsFeatures = await orCode(async () =>
      ((await management.iam.send(new ListOrganizationsFeaturesCommand({}))).EnabledFeatures ?? []).sort(),
    );
    state.createAccountRequests = (
      (await management.organizations.send(new ListCreateAccountStatusCommand({}))).CreateAccountStatuses ?? []
    )
      .map((r) => `${r.AccountName} ${r.State}${r.FailureReason ? ` ${r.FailureReason}` : ''}`)
      .sort();
    for (const a of (await management.organizations.send(new ListAccountsCommand({}))).Accounts ?? []) {
      if (a.Id !== MANAGEMENT) names.set(a.Id as string, a.Name as string);
      const parent = (await management.organizations.send(new ListParentsCommand({ ChildId: a.Id }))).Parents?.[0]?.Id;
      const tags = (await management.organizations.send(new ListTagsForResourceCommand({ ResourceId: a.Id }))).Tags ?? [];
      accounts[a.Id as string] = {
        name: a.Name,
        email: a.Email,
        status: a.Status,
        parent,
        tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
      };
    }
  }
  const perAccount: Record<string, unknown> = { management: await everyAccountOf(management, MANAGEMENT) };
  const contacts: Record<string, unknown> = { management: await contactsOf(management, MANAGEMENT) };
  for (const id of Object.keys(accounts)) {
    if (id === MANAGEMENT) continue;
    const r = await management.sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`, RoleSessionName: 'e2e-state' }),
    );
    const c = r.Credentials;
    const member = sdkClients(url, region, {
      accessKeyId: c?.AccessKeyId as string,
      secretAccessKey: c?.SecretAccessKey as string,
      sessionToken: c?.SessionToken as string,
    });
    perAccount[id] = await everyAccountOf(member, id);
    contacts[id] = await contactsOf(management, id);
    destroyAll(member);
  }
  state.accounts = accounts;
  state.baseline = perAccount;
  state.contacts = contacts;

  const keys: Record<string, unknown> = {};
  const aliases = (await management.kms.send(new ListAliasesCommand({}))).Aliases ?? [];
  for (const k of (await management.kms.send(new ListKeysCommand({}))).Keys ?? []) {
    const meta = (await management.kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata;
    if (meta?.KeyManager === 'AWS') continue;
    const named = aliases
      .filter((a) => a.TargetKeyId === k.KeyId)
      .map((a) => a.AliasName as string)
      .sort();
    const label = `<key ${named.join(',') || 'without alias'}>`;
    names.set(k.KeyId as string, label);
    keys[k.KeyId as string] = {
      description: meta?.Description,
      state: meta?.KeyState,
      aliases: named,
      rotation: (await management.kms.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).KeyRotationEnabled,
    };
  }
  state.kmsKeys = keys;
  const buckets: Record<string, unknown> = {};
  for (const b of (await management.s3.send(new ListBucketsCommand({}))).Buckets ?? [])
    buckets[b.Name as string] = await bucketOf(management, b.Name as string);
  state.buckets = buckets;
  const trails: Record<string, unknown> = {};
  for (const t of (await management.cloudtrail.send(new DescribeTrailsCommand({}))).trailList ?? []) {
    const status = await management.cloudtrail.send(new GetTrailStatusCommand({ Name: t.TrailARN }));
    trails[t.Name as string] = {
      home: t.HomeRegion,
      bucket: t.S3BucketName,
      organization: t.IsOrganizationTrail,
      multiRegion: t.IsMultiRegionTrail,
      validation: t.LogFileValidationEnabled,
      globalEvents: t.IncludeGlobalServiceEvents,
      kmsKey: t.KmsKeyId,
      logging: status.IsLogging,
    };
  }
  state.trails = trails;
  destroyAll(management);
  // Random ids become names, wherever they appear (ARNs, policies, keys of maps).
  let text = JSON.stringify(state);
  for (const [id, name] of [...names].sort((a, b) => b[0].length - a[0].length)) text = text.split(id).join(name);
  return JSON.parse(text) as {
    organization: unknown;
    ous?: string[];
    trustedAccess?: string[];
    iamOrganizationsFeatures?: unknown;
    createAccountRequests?: string[];
    accounts: Record<string, { name: string; email: string; status: string; parent: string; tags: Record<string, string> }>;
    baseline: Record<string, { iam: Awaited<ReturnType<typeof iamOf>>; accountPublicAccessBlock: unknown }>;
    contacts: Record<string, Record<string, unknown>>;
    kmsKeys: Record<string, { description: string; state: string; aliases: string[]; rotation: boolean }>;
    buckets: Record<string, Awaited<ReturnType<typeof bucketOf>>>;
    trails: Record<string, Record<string, unknown>>;
  };
}
