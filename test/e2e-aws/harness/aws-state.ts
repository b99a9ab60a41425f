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
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListCreateAccountStatusCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand as ListOrganizationPoliciesCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
  type PolicyType,
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

/**
 * The customer-managed keys, buckets and trails one account holds, read with that account's own
 * credentials: where a thing is, not only that it exists somewhere. Each key gets a name from its
 * aliases (`<key alias/...>`), numbered when two keys of the account would get the same one, so a second
 * key, even one without an alias, shows as a key of its own.
 */
async function storageOf(c: Clients, accountId: string, names: Map<string, string>) {
  const keys: Record<string, unknown> = {};
  const aliases = (await c.kms.send(new ListAliasesCommand({}))).Aliases ?? [];
  const labels = new Set<string>();
  for (const k of (await c.kms.send(new ListKeysCommand({}))).Keys ?? []) {
    const meta = (await c.kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata;
    if (meta?.KeyManager === 'AWS') continue;
    const named = aliases
      .filter((a) => a.TargetKeyId === k.KeyId)
      .map((a) => a.AliasName as string)
      .sort();
    const base = `<key ${named.join(',') || 'without alias'}`;
    let label = `${base}>`;
    for (let n = 2; labels.has(label); n++) label = `${base} #${n}>`;
    labels.add(label);
    names.set(k.KeyId as string, label);
    const tags = (await c.kms.send(new ListResourceTagsCommand({ KeyId: k.KeyId }))).Tags ?? [];
    keys[k.KeyId as string] = {
      description: meta?.Description,
      state: meta?.KeyState,
      aliases: named,
      tags: Object.fromEntries(tags.map((t) => [t.TagKey, t.TagValue])),
      rotation: (await c.kms.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId }))).KeyRotationEnabled,
      policy: await orCode(
        async () =>
          JSON.parse((await c.kms.send(new GetKeyPolicyCommand({ KeyId: k.KeyId, PolicyName: 'default' }))).Policy ?? 'null') as unknown,
      ),
    };
  }
  // ListBuckets answers the caller's own buckets only, so each bucket is listed under the account that
  // owns it, and read with that account's credentials, as AWS requires. (The emulator would also answer
  // the management account about log-archive's buckets: moto lets any account read another's bucket.)
  const buckets: Record<string, unknown> = {};
  for (const b of (await c.s3.send(new ListBucketsCommand({}))).Buckets ?? [])
    buckets[b.Name as string] = await bucketOf(c, b.Name as string);
  // The account's own trails: AWS also lists the organization trail in every member (with the management
  // account's ARN), which is not a trail of theirs. (The emulator lists it in the management account only.)
  const trails: Record<string, unknown> = {};
  for (const t of (await c.cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: false }))).trailList ?? []) {
    if (!t.TrailARN?.includes(`:${accountId}:trail/`)) continue;
    const status = await c.cloudtrail.send(new GetTrailStatusCommand({ Name: t.TrailARN }));
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
  return { keys, buckets, trails };
}

/** A member's clients, through the admin role the organization gives it, as the tool reaches it. */
export async function memberClients(management: Clients, url: string, region: string, accountId: string): Promise<Clients> {
  const r = await management.sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`, RoleSessionName: 'e2e-state' }),
  );
  const c = r.Credentials;
  return sdkClients(url, region, {
    accessKeyId: c?.AccessKeyId as string,
    secretAccessKey: c?.SecretAccessKey as string,
    sessionToken: c?.SessionToken as string,
  });
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
  const held = { management: await storageOf(management, MANAGEMENT, names) } as Record<string, Awaited<ReturnType<typeof storageOf>>>;
  for (const id of Object.keys(accounts)) {
    if (id === MANAGEMENT) continue;
    const member = await memberClients(management, url, region, id);
    perAccount[id] = await everyAccountOf(member, id);
    contacts[id] = await contactsOf(management, id);
    held[id] = await storageOf(member, id, names);
    destroyAll(member);
  }
  state.accounts = accounts;
  state.baseline = perAccount;
  state.contacts = contacts;
  // Per account (management, or a member by name): what each one holds, so a key or bucket made in the
  // wrong account, or twice in two accounts, shows.
  state.kmsKeys = Object.fromEntries(Object.entries(held).map(([id, h]) => [id, h.keys]));
  state.buckets = Object.fromEntries(Object.entries(held).map(([id, h]) => [id, h.buckets]));
  state.trails = Object.fromEntries(Object.entries(held).map(([id, h]) => [id, h.trails]));
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
    /** By account (`management`, or the member's name), then by key name (`<key alias/...>`). */
    kmsKeys: Record<
      string,
      Record<
        string,
        { description: string; state: string; aliases: string[]; tags: Record<string, string>; rotation: boolean; policy: unknown }
      >
    >;
    /** By account, then by bucket name. */
    buckets: Record<string, Record<string, Awaited<ReturnType<typeof bucketOf>>>>;
    /** By account, then by trail name: the trails whose ARN is the account's own. */
    trails: Record<string, Record<string, Record<string, unknown>>>;
  };
}

/**
 * What must exist exactly once, and where: each customer-managed key by account, alias and our tag,
 * each bucket and trail by account, each member by name and email. A second key (with or without
 * its alias), a second bucket, a trail or bucket in the wrong account, or a second account for an
 * email shows here as one more line.
 */
export function inventory(s: EmulatorState) {
  const lines = <T>(byAccount: Record<string, Record<string, T>>, say: (name: string, v: T) => string) =>
    Object.entries(byAccount)
      .flatMap(([account, things]) => Object.entries(things).map(([name, v]) => `${account} ${say(name, v)}`))
      .sort();
  return {
    keys: lines(
      s.kmsKeys,
      (_, k) =>
        `${k.aliases.join(',') || 'without alias'} ${Object.entries(k.tags)
          .map(([key, value]) => `${key}=${value}`)
          .join(',')}`,
    ),
    buckets: lines(s.buckets, (name) => name),
    trails: lines(s.trails, (name, t) => `${name} -> ${String(t.bucket)}`),
    members: Object.entries(s.accounts)
      .filter(([id]) => id !== MANAGEMENT)
      .map(([, a]) => `${a.name} ${a.email} ${a.parent}`)
      .sort(),
  };
}

/** Each member's name by its id (drawn at random by each emulator), for saying where a request went. */
export async function accountNames(url: string, region: string): Promise<Map<string, string>> {
  const management = sdkClients(url, region);
  try {
    const accounts = (await management.organizations.send(new ListAccountsCommand({}))).Accounts ?? [];
    return new Map(accounts.map((a) => [a.Id as string, a.Id === MANAGEMENT ? 'management' : (a.Name as string)]));
  } finally {
    destroyAll(management);
  }
}

/** One SCP or RCP as the organization holds it: its content parsed, and where it is attached by name. */
export interface OrgPolicy {
  /** Drawn by the emulator: for a test that changes the policy behind the tool's back, or checks it is the same one. */
  id: string;
  name: string;
  type: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';
  awsManaged: boolean;
  /** Parsed from DescribePolicy's Content, as sent (ids in it are not replaced). */
  content: unknown;
  /** From ListTargetsForPolicy: `root`, `management`, a member's name, or `ou:<name>`. */
  targets: string[];
}

/**
 * The root's policy types (`<type> <status>`, from ListRoots) and every SCP and RCP of the organization,
 * AWS-managed ones included, one entry per policy (a second policy of a name is a second entry), read
 * with the SDK from the management account, the policy lists followed to their last page.
 */
export async function organizationPoliciesOf(url: string, region: string): Promise<{ policyTypes: string[]; policies: OrgPolicy[] }> {
  const m = sdkClients(url, region);
  try {
    const root = (await m.organizations.send(new ListRootsCommand({}))).Roots?.[0];
    const names = new Map<string, string>([[root?.Id as string, 'root']]);
    for (const a of (await m.organizations.send(new ListAccountsCommand({}))).Accounts ?? [])
      names.set(a.Id as string, a.Id === MANAGEMENT ? 'management' : (a.Name as string));
    const ous = (await m.organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: root?.Id }))).OrganizationalUnits;
    for (const ou of ous ?? []) names.set(ou.Id as string, `ou:${ou.Name}`);
    const policies: OrgPolicy[] = [];
    for (const type of ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] as const) {
      let NextToken: string | undefined;
      do {
        const page = await m.organizations.send(new ListOrganizationPoliciesCommand({ Filter: type as PolicyType, NextToken }));
        for (const p of page.Policies ?? []) {
          const described = await m.organizations.send(new DescribePolicyCommand({ PolicyId: p.Id }));
          const targets = (await m.organizations.send(new ListTargetsForPolicyCommand({ PolicyId: p.Id }))).Targets ?? [];
          policies.push({
            id: p.Id as string,
            name: p.Name as string,
            type,
            awsManaged: p.AwsManaged ?? false,
            content: JSON.parse(described.Policy?.Content ?? 'null') as unknown,
            targets: targets.map((t) => names.get(t.TargetId as string) ?? (t.TargetId as string)).sort(),
          });
        }
        NextToken = page.NextToken;
      } while (NextToken);
    }
    const policyTypes = (root?.PolicyTypes ?? []).map((t) => `${t.Type} ${t.Status}`).sort();
    return { policyTypes, policies };
  } finally {
    destroyAll(m);
  }
}
