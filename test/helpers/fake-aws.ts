/**
 * A stateful fake of the AWS APIs the steps use, installed with aws-sdk-client-mock on every client
 * class. All mocking lives here. Errors are the SDK's own exception classes, so error checks behave as
 * they do against AWS; a command with no handler rejects with its name.
 *
 * Behaviour notes, per API:
 * - sts:GetCallerIdentity answers with `fake.caller` (the management account by default).
 * - iam account alias: at most one per account. CreateAccountAlias replaces an existing alias (as AWS
 *   does); an alias held by another account (`fake.takenAliases`) or already this account's gives
 *   EntityAlreadyExistsException.
 * - iam password policy: GetAccountPasswordPolicy throws NoSuchEntityException when none is set;
 *   UpdateAccountPasswordPolicy replaces the whole policy, and every field it omits falls back to IAM's
 *   weak default (length 6, nothing required), exactly the trap the step must avoid.
 * - iam identities: groups, users, customer-managed policies with versions (documents come back
 *   URL-encoded, as IAM sends them), attachments, login profiles, access keys and MFA devices. Create*
 *   of an existing name gives EntityAlreadyExistsException; Get* of a missing one NoSuchEntityException;
 *   AttachGroupPolicy and AddUserToGroup are idempotent. A policy keeps at most 5 versions (LimitExceededException).
 * - root: `root` holds its access keys, MFA and password. ListAccessKeys/DeleteAccessKey without
 *   UserName act on the caller: root's keys when the caller is root, else the calling user's.
 *   GetAccountSummary reports AccountAccessKeysPresent / AccountMFAEnabled / AccountPasswordPresent.
 * - regions: every command is handled in the region of the client that sent it (`this.config.region()`
 *   of the SDK client), and `calls` records it. IAM and Organizations state is global; S3 bucket names
 *   are global but each bucket lives in one region; KMS keys, aliases and trails belong to a region.
 * - organizations: `organization` (null: none, AWSOrganizationsNotInUseException), CreateOrganization
 *   makes the caller's account the management account (AlreadyInOrganizationException on repeat);
 *   trusted access (`serviceAccess`) is listed/enabled from the management account only, idempotently.
 * - iam centralized root access: List/EnableOrganizations* need an ALL-features organization managed by
 *   the caller with trusted access for iam.amazonaws.com (IAM's own exceptions); `rootFeatures`.
 * - kms: keys `kms` (ids in counter order) and aliases `kmsAliases` per region; DescribeKey takes an id,
 *   key ARN, alias or alias ARN, the other key APIs only an id or key ARN; a key of another region is
 *   NotFoundException. CreateKey without Policy gets KMS's default account-root `kms:*` policy.
 * - s3: `buckets` (ours) and `foreignBuckets` (strangers'). CreateBucket: in us-east-1 no
 *   LocationConstraint (InvalidLocationConstraint) and re-creating our bucket succeeds silently;
 *   elsewhere LocationConstraint must be the client's region (IllegalLocationConstraintException) and a
 *   repeat is BucketAlreadyOwnedByYou. New buckets get AWS's 2023 defaults: BucketOwnerEnforced, all
 *   four public-access blocks on, SSE-S3. Bucket calls: NoSuchBucket, AccessDenied on a stranger's,
 *   PermanentRedirect from another region (HeadBucket and GetBucketLocation answer from any region).
 *   Policies are stored compacted as S3 returns them; lifecycle Put replaces the whole configuration;
 *   logging needs an existing target of ours in the same region, not the bucket itself.
 * - cloudtrail: `trails` by name. CreateTrail checks the bucket exists and its policy names the trail ARN
 *   and cloudtrail.amazonaws.com, a KmsKeyId is a key of the client's region whose policy lets CloudTrail
 *   GenerateDataKey, and an organization trail has an ALL-features organization managed by the caller
 *   with trusted access for cloudtrail.amazonaws.com. Defaults: single-region, no validation, not logging.
 *   Get/Describe/GetTrailStatus see home-region and multi-region trails; Update/Start/StopLogging only
 *   in the home region (InvalidHomeRegionException).
 * - `failNext(operation, error)` makes the next matching call fail (fault injection).
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  IAMClient,
  AccountNotManagementOrDelegatedAdministratorException,
  CallerIsNotManagementAccountException,
  EntityAlreadyExistsException,
  LimitExceededException,
  NoSuchEntityException,
  OrganizationNotFoundException,
  OrganizationNotInAllFeaturesModeException as IamOrganizationNotInAllFeaturesModeException,
  ServiceAccessNotEnabledException,
  type PasswordPolicy,
} from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import {
  OrganizationsClient,
  AccessDeniedException as OrganizationsAccessDeniedException,
  AlreadyInOrganizationException,
  AWSOrganizationsNotInUseException,
} from '@aws-sdk/client-organizations';
import {
  CloudTrailClient,
  CloudTrailAccessNotEnabledException,
  InsufficientEncryptionPolicyException,
  InsufficientS3BucketPolicyException,
  InvalidHomeRegionException,
  InvalidParameterCombinationException,
  KmsKeyNotFoundException,
  NotOrganizationMasterAccountException,
  OrganizationNotInAllFeaturesModeException as TrailOrganizationNotInAllFeaturesModeException,
  OrganizationsNotInUseException,
  S3BucketDoesNotExistException,
  TrailAlreadyExistsException,
  TrailNotFoundException,
} from '@aws-sdk/client-cloudtrail';
import {
  S3Client,
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  NoSuchBucket,
  NotFound,
  S3ServiceException,
  type LifecycleRule,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import {
  KMSClient,
  AlreadyExistsException,
  InvalidAliasNameException,
  MalformedPolicyDocumentException,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { AccountClient } from '@aws-sdk/client-account';
import { isReadOperation, operationName, type ServiceId } from '../../src/aws/actions.js';

export const MANAGEMENT_ID = '111111111111';

export interface FakeUser {
  arn: string;
  /** The console password; null: no console access. */
  loginProfile: { password: string; passwordResetRequired: boolean } | null;
  accessKeys: { AccessKeyId: string; Status: 'Active' | 'Inactive' }[];
  mfaDevices: string[];
  attached: Set<string>;
}

export interface FakePolicy {
  arn: string;
  name: string;
  path: string;
  versions: { VersionId: string; Document: string; IsDefaultVersion: boolean; seq: number }[];
  nextVersion: number;
}

export interface FakeAccountState {
  alias: string | null;
  passwordPolicy: PasswordPolicy | null;
  groups: Map<string, { arn: string; attached: Set<string>; users: Set<string> }>;
  users: Map<string, FakeUser>;
  roles: Map<string, { attached: Set<string> }>;
  /** Customer-managed policies by ARN. */
  policies: Map<string, FakePolicy>;
  root: { accessKeys: { AccessKeyId: string; Status: 'Active' | 'Inactive' }[]; mfa: boolean; password: boolean };
}

export const AWS_MANAGED_POLICIES = new Set(['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess']);

export function newAccountState(accountId: string): FakeAccountState {
  return {
    alias: null,
    passwordPolicy: null,
    groups: new Map(),
    users: new Map([[
      'founder',
      { arn: `arn:aws:iam::${accountId}:user/founder`, loginProfile: null, accessKeys: [{ AccessKeyId: 'AKIAFOUNDER', Status: 'Active' }], mfaDevices: [], attached: new Set() },
    ]]),
    roles: new Map(),
    policies: new Map(),
    root: { accessKeys: [], mfa: true, password: true },
  };
}

export interface FakeOrganization {
  Id: string;
  Arn: string;
  FeatureSet: 'ALL' | 'CONSOLIDATED_BILLING';
  MasterAccountId: string;
}

export interface FakeKey {
  KeyId: string;
  Arn: string;
  region: string;
  Description: string;
  KeyState: 'Enabled';
  /** The key policy document as given (or KMS's default). */
  policy: string;
  rotation: boolean;
  tags: { TagKey: string; TagValue: string }[];
}

export interface FakePublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export interface FakeBucket {
  region: string;
  ownership: string | null;
  publicAccessBlock: FakePublicAccessBlock | null;
  encryption: ServerSideEncryptionRule[];
  versioning: 'Enabled' | 'Suspended' | null;
  /** Compacted JSON, as S3 returns it. */
  policy: string | null;
  lifecycle: LifecycleRule[] | null;
  logging: { TargetBucket: string; TargetPrefix: string } | null;
  objectLock: boolean;
}

/** A bucket as AWS creates it since April 2023, for seeding: `fake.buckets.set(name, newBucket(region))`. */
export function newBucket(region: string, overrides: Partial<FakeBucket> = {}): FakeBucket {
  return {
    region,
    ownership: 'BucketOwnerEnforced',
    publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    encryption: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    versioning: null,
    policy: null,
    lifecycle: null,
    logging: null,
    objectLock: false,
    ...overrides,
  };
}

export interface FakeTrail {
  Name: string;
  HomeRegion: string;
  TrailARN: string;
  S3BucketName: string;
  IsMultiRegionTrail: boolean;
  IsOrganizationTrail: boolean;
  LogFileValidationEnabled: boolean;
  /** The key ARN; null: SSE-S3 only. */
  KmsKeyId: string | null;
  IncludeGlobalServiceEvents: boolean;
  logging: boolean;
  /** '' when the last delivery worked. */
  latestDeliveryError: string;
}

export interface RecordedCall {
  service: ServiceId;
  operation: string;
  input: Record<string, unknown>;
  /** The region of the client that sent the command. */
  region: string;
}

type Handler = (input: Record<string, unknown>, account: FakeAccountState, region: string) => unknown;

/** The region an SDK client was configured with: `config.region` is a provider function once resolved. */
async function regionOf(client: { config?: { region?: unknown } } | undefined): Promise<string> {
  const value = client?.config?.region;
  const region = typeof value === 'function' ? await (value as () => Promise<unknown>)() : value;
  return typeof region === 'string' && region ? region : 'us-east-1';
}

const meta = { $metadata: {} };

const CLIENTS: [ServiceId, new (...args: never[]) => unknown][] = [
  ['iam', IAMClient],
  ['sts', STSClient],
  ['organizations', OrganizationsClient],
  ['cloudtrail', CloudTrailClient],
  ['s3', S3Client],
  ['s3control', S3ControlClient],
  ['kms', KMSClient],
  ['account', AccountClient],
];

/** IAM's values for every field an UpdateAccountPasswordPolicy request leaves out. */
const IAM_OMITTED_DEFAULTS: PasswordPolicy = {
  MinimumPasswordLength: 6,
  RequireSymbols: false,
  RequireNumbers: false,
  RequireUppercaseCharacters: false,
  RequireLowercaseCharacters: false,
  AllowUsersToChangePassword: false,
  HardExpiry: false,
};

export class FakeAws {
  readonly accounts = new Map<string, FakeAccountState>();
  caller = { Account: MANAGEMENT_ID, Arn: `arn:aws:iam::${MANAGEMENT_ID}:user/founder`, UserId: 'AIDAFOUNDER' };

  /** Makes the caller the account's root user, as in AWS CloudShell opened as root. */
  callAsRoot(): void {
    this.caller = { Account: MANAGEMENT_ID, Arn: `arn:aws:iam::${MANAGEMENT_ID}:root`, UserId: MANAGEMENT_ID };
  }
  /** Aliases that belong to other AWS accounts. */
  readonly takenAliases = new Set<string>();
  readonly calls: RecordedCall[] = [];

  /** The organization (global, not per account); null: the caller's account is in none. */
  organization: FakeOrganization | null = null;
  /** Service principals with trusted access to the organization. */
  readonly serviceAccess = new Set<string>();
  /** Centralized root access features: 'RootCredentialsManagement', 'RootSessions'. */
  readonly rootFeatures = new Set<string>();

  /** KMS keys of every region, by key id. */
  readonly kms = new Map<string, FakeKey>();
  /** KMS aliases: region -> alias name (`alias/x`) -> key id. */
  readonly kmsAliases = new Map<string, Map<string, string>>();
  private nextKeyNumber = 1;

  /** Our buckets by name (names are global; each bucket has its region). */
  readonly buckets = new Map<string, FakeBucket>();
  /** Bucket names owned by other AWS accounts. */
  readonly foreignBuckets = new Set<string>();

  /** CloudTrail trails by name. */
  readonly trails = new Map<string, FakeTrail>();

  private readonly stubs: { restore(): void }[] = [];
  private readonly faults: { operation: string; error: Error }[] = [];

  constructor() {
    this.accounts.set(MANAGEMENT_ID, newAccountState(MANAGEMENT_ID));
  }

  get management(): FakeAccountState {
    return this.accounts.get(MANAGEMENT_ID) as FakeAccountState;
  }

  /** Calls that would change something in AWS. */
  get writes(): RecordedCall[] {
    return this.calls.filter((c) => !isReadOperation(c.service, c.operation));
  }

  /** Every s3:CreateBucket sent, failed ones included, with its input and the client's region. */
  get createBucketCalls(): RecordedCall[] {
    return this.calls.filter((c) => c.service === 's3' && c.operation === 'CreateBucket');
  }

  failNext(operation: string, error: Error): void {
    this.faults.push({ operation, error });
  }

  /**
   * A deep copy of everything the fake holds, for before/after comparisons: each account's state under
   * its id, and the global services under their field names.
   */
  snapshot(): Record<string, unknown> {
    return structuredClone({
      ...Object.fromEntries(this.accounts),
      organization: this.organization,
      serviceAccess: this.serviceAccess,
      rootFeatures: this.rootFeatures,
      kms: this.kms,
      kmsAliases: this.kmsAliases,
      buckets: this.buckets,
      foreignBuckets: this.foreignBuckets,
      trails: this.trails,
    });
  }

  install(): this {
    const fake = this;
    for (const [service, Client] of CLIENTS) {
      const stub = mockClient(Client as never);
      // sinon calls the fake with `this` bound to the client instance that sent the command.
      stub.send.callsFake(async function (
        this: { config: { region: () => Promise<string> } },
        command: { input: object; constructor: { name: string } },
      ) {
        const region = await regionOf(this);
        return fake.dispatch(service, operationName(command), (command.input ?? {}) as Record<string, unknown>, region);
      });
      this.stubs.push(stub);
    }
    return this;
  }

  restore(): void {
    for (const s of this.stubs) s.restore();
    this.stubs.length = 0;
  }

  private async dispatch(
    service: ServiceId,
    operation: string,
    input: Record<string, unknown>,
    region: string,
  ): Promise<{ $metadata: object }> {
    this.calls.push({ service, operation, input: structuredClone(input), region });
    const fault = this.faults.findIndex((f) => f.operation === operation);
    if (fault >= 0) throw this.faults.splice(fault, 1)[0]?.error;
    const handler = this.handlers[`${service}:${operation}`];
    if (!handler) throw new Error(`fake AWS has no handler for ${service}:${operation}Command`);
    return { ...(handler(input, this.management, region) as object), ...meta };
  }

  private readonly handlers: Record<string, Handler> = {
    'sts:GetCallerIdentity': () => ({ ...this.caller }),

    'iam:ListAccountAliases': (_i, acct) => ({ AccountAliases: acct.alias ? [acct.alias] : [], IsTruncated: false }),
    'iam:CreateAccountAlias': (input, acct) => {
      const alias = input.AccountAlias as string;
      if (this.takenAliases.has(alias) || acct.alias === alias) {
        throw new EntityAlreadyExistsException({ message: `The account alias ${alias} already exists.`, ...meta });
      }
      acct.alias = alias;
      return {};
    },

    ...this.identityHandlers(),
    ...this.organizationHandlers(),
    ...this.kmsHandlers(),
    ...this.s3Handlers(),
    ...this.cloudTrailHandlers(),

    'iam:GetAccountPasswordPolicy': (_i, acct) => {
      if (!acct.passwordPolicy) {
        throw new NoSuchEntityException({
          message: `The Password Policy with domain name ${MANAGEMENT_ID} cannot be found.`,
          ...meta,
        });
      }
      return { PasswordPolicy: { ...acct.passwordPolicy } };
    },
    'iam:UpdateAccountPasswordPolicy': (input, acct) => {
      const policy: PasswordPolicy = { ...IAM_OMITTED_DEFAULTS, ...(input as PasswordPolicy) };
      policy.ExpirePasswords = (policy.MaxPasswordAge ?? 0) > 0;
      acct.passwordPolicy = policy;
      return {};
    },
  };

  private identityHandlers(): Record<string, Handler> {
    const noSuch = (what: string) => new NoSuchEntityException({ message: `${what} cannot be found.`, ...meta });
    const exists = (what: string) => new EntityAlreadyExistsException({ message: `${what} already exists.`, ...meta });
    const group = (acct: FakeAccountState, name: unknown) => {
      const g = acct.groups.get(name as string);
      if (!g) throw noSuch(`The group with name ${String(name)}`);
      return g;
    };
    const user = (acct: FakeAccountState, name: unknown) => {
      const u = acct.users.get(name as string);
      if (!u) throw noSuch(`The user with name ${String(name)}`);
      return u;
    };
    const policy = (acct: FakeAccountState, arn: unknown) => {
      const p = acct.policies.get(arn as string);
      if (!p) throw noSuch(`Policy ${String(arn)}`);
      return p;
    };
    const checkPolicyExists = (acct: FakeAccountState, arn: string) => {
      if (!AWS_MANAGED_POLICIES.has(arn)) policy(acct, arn);
    };
    const callerIsRoot = () => this.caller.Arn.endsWith(':root');
    const callerKeys = (acct: FakeAccountState, userName: unknown) => {
      if (userName !== undefined) return user(acct, userName).accessKeys;
      if (callerIsRoot()) return acct.root.accessKeys;
      return user(acct, this.caller.Arn.split('/').pop()).accessKeys;
    };
    const attachments = (acct: FakeAccountState, arn: string) =>
      [...acct.groups.values(), ...acct.users.values(), ...acct.roles.values()].filter((e) => e.attached.has(arn)).length;
    const page = <T>(items: T[]) => ({ items, IsTruncated: false });

    return {
      'iam:GetGroup': (i, acct) => {
        const g = group(acct, i.GroupName);
        const users = [...g.users].map((n) => ({ UserName: n, Arn: acct.users.get(n)?.arn }));
        return { Group: { GroupName: i.GroupName, Arn: g.arn }, Users: page(users).items, IsTruncated: false };
      },
      'iam:CreateGroup': (i, acct) => {
        const name = i.GroupName as string;
        if (acct.groups.has(name)) throw exists(`Group with name ${name}`);
        const g = { arn: `arn:aws:iam::${MANAGEMENT_ID}:group/${name}`, attached: new Set<string>(), users: new Set<string>() };
        acct.groups.set(name, g);
        return { Group: { GroupName: name, Arn: g.arn } };
      },
      'iam:ListAttachedGroupPolicies': (i, acct) => ({
        AttachedPolicies: [...group(acct, i.GroupName).attached].map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() })),
        IsTruncated: false,
      }),
      'iam:AttachGroupPolicy': (i, acct) => {
        const g = group(acct, i.GroupName);
        checkPolicyExists(acct, i.PolicyArn as string);
        g.attached.add(i.PolicyArn as string);
        return {};
      },
      'iam:ListGroupsForUser': (i, acct) => {
        user(acct, i.UserName);
        const groups = [...acct.groups.entries()].filter(([, g]) => g.users.has(i.UserName as string));
        return { Groups: groups.map(([name, g]) => ({ GroupName: name, Arn: g.arn })), IsTruncated: false };
      },
      'iam:AddUserToGroup': (i, acct) => {
        user(acct, i.UserName);
        group(acct, i.GroupName).users.add(i.UserName as string);
        return {};
      },

      'iam:GetUser': (i, acct) => {
        const name = (i.UserName as string | undefined) ?? this.caller.Arn.split('/').pop();
        return { User: { UserName: name, Arn: user(acct, name).arn } };
      },
      'iam:CreateUser': (i, acct) => {
        const name = i.UserName as string;
        if (acct.users.has(name)) throw exists(`User with name ${name}`);
        const arn = `arn:aws:iam::${MANAGEMENT_ID}:user/${name}`;
        acct.users.set(name, { arn, loginProfile: null, accessKeys: [], mfaDevices: [], attached: new Set() });
        return { User: { UserName: name, Arn: arn } };
      },
      'iam:ListUsers': (_i, acct) => ({
        Users: [...acct.users.entries()].map(([name, u]) => ({ UserName: name, Arn: u.arn })),
        IsTruncated: false,
      }),
      'iam:GetLoginProfile': (i, acct) => {
        const u = user(acct, i.UserName);
        if (!u.loginProfile) throw noSuch(`Login Profile for User ${String(i.UserName)}`);
        return { LoginProfile: { UserName: i.UserName, PasswordResetRequired: u.loginProfile.passwordResetRequired } };
      },
      'iam:CreateLoginProfile': (i, acct) => {
        const u = user(acct, i.UserName);
        if (u.loginProfile) throw exists(`Login Profile for user ${String(i.UserName)}`);
        u.loginProfile = { password: i.Password as string, passwordResetRequired: Boolean(i.PasswordResetRequired) };
        return { LoginProfile: { UserName: i.UserName, PasswordResetRequired: u.loginProfile.passwordResetRequired } };
      },
      'iam:ListAccessKeys': (i, acct) => ({
        AccessKeyMetadata: callerKeys(acct, i.UserName).map((k) => ({ ...k })),
        IsTruncated: false,
      }),
      'iam:DeleteAccessKey': (i, acct) => {
        const keys = callerKeys(acct, i.UserName);
        const at = keys.findIndex((k) => k.AccessKeyId === i.AccessKeyId);
        if (at < 0) throw noSuch(`The Access Key with id ${String(i.AccessKeyId)}`);
        keys.splice(at, 1);
        return {};
      },
      'iam:ListMFADevices': (i, acct) => {
        const devices = i.UserName === undefined && callerIsRoot() ? (acct.root.mfa ? ['root-mfa'] : []) : user(acct, i.UserName ?? this.caller.Arn.split('/').pop()).mfaDevices;
        return { MFADevices: devices.map((d) => ({ SerialNumber: d, UserName: i.UserName })), IsTruncated: false };
      },
      'iam:GetAccountSummary': (_i, acct) => ({
        SummaryMap: {
          AccountAccessKeysPresent: acct.root.accessKeys.length > 0 ? 1 : 0,
          AccountMFAEnabled: acct.root.mfa ? 1 : 0,
          AccountPasswordPresent: acct.root.password ? 1 : 0,
          AccountSigningCertificatesPresent: 0,
          Users: acct.users.size,
          Groups: acct.groups.size,
        },
      }),

      'iam:GetPolicy': (i, acct) => {
        const p = policy(acct, i.PolicyArn);
        const def = p.versions.find((v) => v.IsDefaultVersion);
        return {
          Policy: { PolicyName: p.name, Arn: p.arn, Path: p.path, DefaultVersionId: def?.VersionId, AttachmentCount: attachments(acct, p.arn) },
        };
      },
      'iam:CreatePolicy': (i, acct) => {
        const path = (i.Path as string | undefined) ?? '/';
        const arn = `arn:aws:iam::${MANAGEMENT_ID}:policy${path}${String(i.PolicyName)}`;
        if (acct.policies.has(arn)) throw exists(`A policy called ${String(i.PolicyName)}`);
        acct.policies.set(arn, {
          arn,
          name: i.PolicyName as string,
          path,
          versions: [{ VersionId: 'v1', Document: encodeURIComponent(i.PolicyDocument as string), IsDefaultVersion: true, seq: 1 }],
          nextVersion: 2,
        });
        return { Policy: { PolicyName: i.PolicyName, Arn: arn, DefaultVersionId: 'v1' } };
      },
      'iam:GetPolicyVersion': (i, acct) => {
        const v = policy(acct, i.PolicyArn).versions.find((x) => x.VersionId === i.VersionId);
        if (!v) throw noSuch(`Policy version ${String(i.VersionId)}`);
        return { PolicyVersion: { VersionId: v.VersionId, Document: v.Document, IsDefaultVersion: v.IsDefaultVersion } };
      },
      'iam:ListPolicyVersions': (i, acct) => ({
        Versions: policy(acct, i.PolicyArn).versions.map(({ VersionId, IsDefaultVersion }) => ({ VersionId, IsDefaultVersion })),
        IsTruncated: false,
      }),
      'iam:CreatePolicyVersion': (i, acct) => {
        const p = policy(acct, i.PolicyArn);
        if (p.versions.length >= 5) {
          throw new LimitExceededException({ message: 'A managed policy can have up to 5 versions.', ...meta });
        }
        const v = { VersionId: `v${p.nextVersion}`, Document: encodeURIComponent(i.PolicyDocument as string), IsDefaultVersion: false, seq: p.nextVersion++ };
        p.versions.push(v);
        if (i.SetAsDefault) for (const x of p.versions) x.IsDefaultVersion = x === v;
        return { PolicyVersion: { VersionId: v.VersionId, IsDefaultVersion: v.IsDefaultVersion } };
      },
      'iam:DeletePolicyVersion': (i, acct) => {
        const p = policy(acct, i.PolicyArn);
        const at = p.versions.findIndex((x) => x.VersionId === i.VersionId);
        if (at < 0) throw noSuch(`Policy version ${String(i.VersionId)}`);
        if (p.versions[at]?.IsDefaultVersion) throw new Error('DeleteConflict: cannot delete the default version');
        p.versions.splice(at, 1);
        return {};
      },
      'iam:ListPolicies': (i, acct) => {
        const local = [...acct.policies.values()].filter((p) => !i.OnlyAttached || attachments(acct, p.arn) > 0);
        return {
          Policies: local.map((p) => ({
            PolicyName: p.name,
            Arn: p.arn,
            DefaultVersionId: p.versions.find((v) => v.IsDefaultVersion)?.VersionId,
            AttachmentCount: attachments(acct, p.arn),
          })),
          IsTruncated: false,
        };
      },
    };
  }

  /** The organization, or the error Organizations gives when the caller's account is in none. */
  private requireOrganization(): FakeOrganization {
    if (!this.organization) {
      throw new AWSOrganizationsNotInUseException({ message: 'Your account is not a member of an organization.', ...meta });
    }
    return this.organization;
  }

  private organizationHandlers(): Record<string, Handler> {
    const describe = (o: FakeOrganization) => ({
      Id: o.Id,
      Arn: o.Arn,
      FeatureSet: o.FeatureSet,
      MasterAccountId: o.MasterAccountId,
      MasterAccountArn: `arn:aws:organizations::${o.MasterAccountId}:account/${o.Id}/${o.MasterAccountId}`,
      AvailablePolicyTypes: [],
    });
    const fromManagement = () => {
      const o = this.requireOrganization();
      if (o.MasterAccountId !== this.caller.Account) {
        throw new OrganizationsAccessDeniedException({
          message: "You don't have permissions to access this resource: only the management account can do this.",
          ...meta,
        });
      }
      return o;
    };
    const ROOT_FEATURES = ['RootCredentialsManagement', 'RootSessions'];
    /** IAM's preconditions for centralized root access. */
    const rootAccess = (enabling: boolean) => {
      const o = this.organization;
      if (!o) throw new OrganizationNotFoundException({ message: 'The request was rejected because no organization is associated with your account.', ...meta });
      if (o.MasterAccountId !== this.caller.Account) {
        const message = 'The request was rejected because the account making the request is not the management account for the organization.';
        throw enabling
          ? new CallerIsNotManagementAccountException({ message, ...meta })
          : new AccountNotManagementOrDelegatedAdministratorException({ message, ...meta });
      }
      if (o.FeatureSet !== 'ALL') {
        throw new IamOrganizationNotInAllFeaturesModeException({ message: 'The request was rejected because your organization does not have All features enabled.', ...meta });
      }
      if (!this.serviceAccess.has('iam.amazonaws.com')) {
        throw new ServiceAccessNotEnabledException({ message: 'The request was rejected because trusted access is not enabled for IAM in AWS Organizations.', ...meta });
      }
      return o;
    };
    const features = (o: FakeOrganization) => ({ OrganizationId: o.Id, EnabledFeatures: ROOT_FEATURES.filter((f) => this.rootFeatures.has(f)) });

    return {
      'organizations:DescribeOrganization': () => ({ Organization: describe(this.requireOrganization()) }),
      'organizations:CreateOrganization': (i) => {
        if (this.organization) {
          throw new AlreadyInOrganizationException({ message: 'The provided account is already a member of an organization.', ...meta });
        }
        const Id = 'o-abc123def4';
        const master = this.caller.Account;
        this.organization = {
          Id,
          Arn: `arn:aws:organizations::${master}:organization/${Id}`,
          FeatureSet: (i.FeatureSet as FakeOrganization['FeatureSet'] | undefined) ?? 'ALL',
          MasterAccountId: master,
        };
        return { Organization: describe(this.organization) };
      },
      'organizations:ListAWSServiceAccessForOrganization': () => {
        fromManagement();
        return { EnabledServicePrincipals: [...this.serviceAccess].map((ServicePrincipal) => ({ ServicePrincipal })) };
      },
      'organizations:EnableAWSServiceAccess': (i) => {
        fromManagement();
        this.serviceAccess.add(i.ServicePrincipal as string);
        return {};
      },

      'iam:ListOrganizationsFeatures': () => features(rootAccess(false)),
      'iam:EnableOrganizationsRootCredentialsManagement': () => {
        const o = rootAccess(true);
        this.rootFeatures.add('RootCredentialsManagement');
        return features(o);
      },
      'iam:EnableOrganizationsRootSessions': () => {
        const o = rootAccess(true);
        this.rootFeatures.add('RootSessions');
        return features(o);
      },
    };
  }

  private aliasesIn(region: string): Map<string, string> {
    let aliases = this.kmsAliases.get(region);
    if (!aliases) {
      aliases = new Map();
      this.kmsAliases.set(region, aliases);
    }
    return aliases;
  }

  /**
   * The key a KeyId names in this region: a key id or key ARN, and with `aliases` an alias name
   * (`alias/x`) or alias ARN too. Undefined when there is none in this region.
   */
  private findKey(ref: unknown, region: string, aliases: boolean): FakeKey | undefined {
    const id = String(ref ?? '');
    const arn = /^arn:aws[\w-]*:kms:([^:]*):(\d{12}):(key|alias)\/(.+)$/.exec(id);
    let keyId: string | undefined;
    if (arn) {
      const [, arnRegion, account, kind, rest] = arn;
      if (arnRegion !== region || account !== this.caller.Account) return undefined;
      keyId = kind === 'key' ? rest : aliases ? this.aliasesIn(region).get(`alias/${rest}`) : undefined;
    } else if (id.startsWith('alias/')) {
      keyId = aliases ? this.aliasesIn(region).get(id) : undefined;
    } else {
      keyId = id;
    }
    const key = keyId === undefined ? undefined : this.kms.get(keyId);
    return key && key.region === region ? key : undefined;
  }

  private kmsHandlers(): Record<string, Handler> {
    const key = (ref: unknown, region: string, aliases = false) => {
      const k = this.findKey(ref, region, aliases);
      if (!k) {
        const alias = String(ref).includes('alias/');
        const message = !alias
          ? `Key '${String(ref)}' does not exist`
          : aliases
            ? `Alias ${String(ref)} is not found.`
            : `Invalid keyId ${String(ref)}: this API takes a key id or key ARN, not an alias`;
        throw new NotFoundException({ message, ...meta });
      }
      return k;
    };
    const checkPolicy = (policy: unknown) => {
      try {
        JSON.parse(String(policy));
      } catch (err) {
        throw new MalformedPolicyDocumentException({ message: `The key policy is not valid JSON: ${(err as Error).message}`, ...meta });
      }
      return String(policy);
    };
    const defaultPolicy = (account: string) =>
      JSON.stringify(
        {
          Version: '2012-10-17',
          Id: 'key-default-1',
          Statement: [
            { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
          ],
        },
        null,
        2,
      );
    const metadata = (k: FakeKey) => ({
      AWSAccountId: this.caller.Account,
      KeyId: k.KeyId,
      Arn: k.Arn,
      Description: k.Description,
      Enabled: true,
      KeyState: k.KeyState,
      KeyManager: 'CUSTOMER',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      Origin: 'AWS_KMS',
    });

    return {
      'kms:CreateKey': (i, _acct, region) => {
        const policy = i.Policy === undefined ? defaultPolicy(this.caller.Account) : checkPolicy(i.Policy);
        const n = this.nextKeyNumber++;
        const KeyId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
        const k: FakeKey = {
          KeyId,
          Arn: `arn:aws:kms:${region}:${this.caller.Account}:key/${KeyId}`,
          region,
          Description: (i.Description as string | undefined) ?? '',
          KeyState: 'Enabled',
          policy,
          rotation: false,
          tags: ((i.Tags as FakeKey['tags'] | undefined) ?? []).map((t) => ({ ...t })),
        };
        this.kms.set(KeyId, k);
        return { KeyMetadata: metadata(k) };
      },
      'kms:DescribeKey': (i, _acct, region) => ({ KeyMetadata: metadata(key(i.KeyId, region, true)) }),
      'kms:CreateAlias': (i, _acct, region) => {
        const name = String(i.AliasName);
        if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name) || name.startsWith('alias/aws/')) {
          throw new InvalidAliasNameException({ message: `Alias ${name} is not a valid customer alias name.`, ...meta });
        }
        const k = key(i.TargetKeyId, region);
        const aliases = this.aliasesIn(region);
        if (aliases.has(name)) {
          throw new AlreadyExistsException({ message: `An alias with the name arn:aws:kms:${region}:${this.caller.Account}:${name} already exists`, ...meta });
        }
        aliases.set(name, k.KeyId);
        return {};
      },
      'kms:ListAliases': (i, _acct, region) => {
        const only = i.KeyId === undefined ? undefined : key(i.KeyId, region).KeyId;
        const Aliases = [...this.aliasesIn(region)]
          .filter(([, keyId]) => only === undefined || keyId === only)
          .map(([AliasName, TargetKeyId]) => ({ AliasName, AliasArn: `arn:aws:kms:${region}:${this.caller.Account}:${AliasName}`, TargetKeyId }));
        return { Aliases, Truncated: false };
      },
      'kms:ListKeys': (_i, _acct, region) => ({
        Keys: [...this.kms.values()].filter((k) => k.region === region).map((k) => ({ KeyId: k.KeyId, KeyArn: k.Arn })),
        Truncated: false,
      }),
      'kms:ListResourceTags': (i, _acct, region) => ({ Tags: key(i.KeyId, region).tags.map((t) => ({ ...t })), Truncated: false }),
      'kms:GetKeyPolicy': (i, _acct, region) => {
        const k = key(i.KeyId, region);
        const name = (i.PolicyName as string | undefined) ?? 'default';
        if (name !== 'default') throw new NotFoundException({ message: `No such policy: ${name}`, ...meta });
        return { Policy: k.policy, PolicyName: 'default' };
      },
      'kms:PutKeyPolicy': (i, _acct, region) => {
        const k = key(i.KeyId, region);
        const name = (i.PolicyName as string | undefined) ?? 'default';
        if (name !== 'default') throw new NotFoundException({ message: `No such policy: ${name}`, ...meta });
        k.policy = checkPolicy(i.Policy);
        return {};
      },
      'kms:GetKeyRotationStatus': (i, _acct, region) => {
        const k = key(i.KeyId, region);
        return { KeyId: k.Arn, KeyRotationEnabled: k.rotation };
      },
      'kms:EnableKeyRotation': (i, _acct, region) => {
        key(i.KeyId, region).rotation = true;
        return {};
      },
      'kms:DisableKeyRotation': (i, _acct, region) => {
        key(i.KeyId, region).rotation = false;
        return {};
      },
    };
  }

  private s3Handlers(): Record<string, Handler> {
    const s3Error = (name: string, httpStatusCode: number, message: string) =>
      new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message });
    /** The bucket a bucket-level call names, which must be ours and in the client's region. */
    const bucket = (input: Record<string, unknown>, region: string) => {
      const name = String(input.Bucket);
      if (this.foreignBuckets.has(name)) throw s3Error('AccessDenied', 403, 'Access Denied');
      const b = this.buckets.get(name);
      if (!b) throw new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } });
      if (b.region !== region) {
        throw s3Error(
          'PermanentRedirect',
          301,
          `The bucket you are attempting to access must be addressed using the specified endpoint (${name} is in ${b.region}, the client in ${region}).`,
        );
      }
      return b;
    };
    const compact = (policy: unknown) => {
      try {
        return JSON.stringify(JSON.parse(String(policy)));
      } catch (err) {
        throw s3Error('MalformedPolicy', 400, `Policies must be valid JSON: ${(err as Error).message}`);
      }
    };

    return {
      's3:HeadBucket': (i) => {
        const name = String(i.Bucket);
        if (this.foreignBuckets.has(name)) throw s3Error('Forbidden', 403, 'Forbidden');
        const b = this.buckets.get(name);
        if (!b) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
        return { BucketRegion: b.region, AccessPointAlias: false };
      },
      's3:CreateBucket': (i, _acct, region) => {
        const name = String(i.Bucket);
        const constraint = (i.CreateBucketConfiguration as { LocationConstraint?: string } | undefined)?.LocationConstraint || undefined;
        if (region === 'us-east-1') {
          if (constraint !== undefined) throw s3Error('InvalidLocationConstraint', 400, 'The specified location-constraint is not valid');
        } else if (constraint !== region) {
          throw s3Error(
            'IllegalLocationConstraintException',
            400,
            `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
          );
        }
        if (this.foreignBuckets.has(name)) {
          throw new BucketAlreadyExists({
            message: 'The requested bucket name is not available. The bucket namespace is shared by all users of the system.',
            $metadata: { httpStatusCode: 409 },
          });
        }
        const existing = this.buckets.get(name);
        if (existing) {
          // AWS's legacy behaviour: in us-east-1, creating a bucket you already own there answers 200.
          if (region === 'us-east-1' && existing.region === 'us-east-1') return { Location: `/${name}` };
          throw new BucketAlreadyOwnedByYou({
            message: 'Your previous request to create the named bucket succeeded and you already own it.',
            $metadata: { httpStatusCode: 409 },
          });
        }
        const objectLock = Boolean(i.ObjectLockEnabledForBucket);
        this.buckets.set(
          name,
          newBucket(region, {
            ownership: (i.ObjectOwnership as string | undefined) ?? 'BucketOwnerEnforced',
            objectLock,
            versioning: objectLock ? 'Enabled' : null,
          }),
        );
        return { Location: region === 'us-east-1' ? `/${name}` : `http://${name}.s3.amazonaws.com/` };
      },
      's3:GetBucketLocation': (i) => {
        const name = String(i.Bucket);
        if (this.foreignBuckets.has(name)) throw s3Error('AccessDenied', 403, 'Access Denied');
        const b = this.buckets.get(name);
        if (!b) throw new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } });
        // S3 answers an empty LocationConstraint for us-east-1.
        return b.region === 'us-east-1' ? {} : { LocationConstraint: b.region };
      },

      's3:GetPublicAccessBlock': (i, _acct, region) => {
        const b = bucket(i, region);
        if (!b.publicAccessBlock) {
          throw s3Error('NoSuchPublicAccessBlockConfiguration', 404, 'The public access block configuration was not found');
        }
        return { PublicAccessBlockConfiguration: { ...b.publicAccessBlock } };
      },
      's3:PutPublicAccessBlock': (i, _acct, region) => {
        const b = bucket(i, region);
        const c = (i.PublicAccessBlockConfiguration ?? {}) as Partial<FakePublicAccessBlock>;
        b.publicAccessBlock = {
          BlockPublicAcls: Boolean(c.BlockPublicAcls),
          IgnorePublicAcls: Boolean(c.IgnorePublicAcls),
          BlockPublicPolicy: Boolean(c.BlockPublicPolicy),
          RestrictPublicBuckets: Boolean(c.RestrictPublicBuckets),
        };
        return {};
      },

      's3:GetBucketOwnershipControls': (i, _acct, region) => {
        const b = bucket(i, region);
        if (!b.ownership) throw s3Error('OwnershipControlsNotFoundError', 404, 'The bucket ownership controls were not found');
        return { OwnershipControls: { Rules: [{ ObjectOwnership: b.ownership }] } };
      },
      's3:PutBucketOwnershipControls': (i, _acct, region) => {
        const b = bucket(i, region);
        const rules = (i.OwnershipControls as { Rules?: { ObjectOwnership?: string }[] } | undefined)?.Rules ?? [];
        b.ownership = rules[0]?.ObjectOwnership ?? null;
        return {};
      },

      's3:GetBucketEncryption': (i, _acct, region) => {
        const b = bucket(i, region);
        if (b.encryption.length === 0) {
          throw s3Error('ServerSideEncryptionConfigurationNotFoundError', 404, 'The server side encryption configuration was not found');
        }
        return { ServerSideEncryptionConfiguration: { Rules: structuredClone(b.encryption) } };
      },
      's3:PutBucketEncryption': (i, _acct, region) => {
        const b = bucket(i, region);
        const rules = (i.ServerSideEncryptionConfiguration as { Rules?: ServerSideEncryptionRule[] } | undefined)?.Rules;
        if (!rules || rules.length === 0) throw s3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema');
        b.encryption = structuredClone(rules);
        return {};
      },

      's3:GetBucketVersioning': (i, _acct, region) => {
        const b = bucket(i, region);
        return b.versioning ? { Status: b.versioning } : {};
      },
      's3:PutBucketVersioning': (i, _acct, region) => {
        const b = bucket(i, region);
        const status = (i.VersioningConfiguration as { Status?: 'Enabled' | 'Suspended' } | undefined)?.Status;
        if (status !== 'Enabled' && status !== 'Suspended') throw s3Error('MalformedXML', 400, 'The XML you provided was not well-formed');
        if (b.objectLock && status === 'Suspended') {
          throw s3Error('InvalidBucketState', 409, 'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.');
        }
        b.versioning = status;
        return {};
      },

      's3:GetBucketPolicy': (i, _acct, region) => {
        const b = bucket(i, region);
        if (b.policy === null) throw s3Error('NoSuchBucketPolicy', 404, 'The bucket policy does not exist');
        return { Policy: b.policy };
      },
      's3:PutBucketPolicy': (i, _acct, region) => {
        const b = bucket(i, region);
        b.policy = compact(i.Policy);
        return {};
      },
      's3:DeleteBucketPolicy': (i, _acct, region) => {
        bucket(i, region).policy = null;
        return {};
      },

      's3:GetBucketLifecycleConfiguration': (i, _acct, region) => {
        const b = bucket(i, region);
        if (!b.lifecycle) throw s3Error('NoSuchLifecycleConfiguration', 404, 'The lifecycle configuration does not exist');
        return { Rules: structuredClone(b.lifecycle) };
      },
      's3:PutBucketLifecycleConfiguration': (i, _acct, region) => {
        const b = bucket(i, region);
        const rules = (i.LifecycleConfiguration as { Rules?: LifecycleRule[] } | undefined)?.Rules;
        if (!rules || rules.length === 0) throw s3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema');
        b.lifecycle = structuredClone(rules);
        return {};
      },

      's3:GetBucketLogging': (i, _acct, region) => {
        const b = bucket(i, region);
        return b.logging ? { LoggingEnabled: { ...b.logging } } : {};
      },
      's3:PutBucketLogging': (i, _acct, region) => {
        const name = String(i.Bucket);
        const b = bucket(i, region);
        const enabled = (i.BucketLoggingStatus as { LoggingEnabled?: { TargetBucket?: string; TargetPrefix?: string } } | undefined)?.LoggingEnabled;
        if (!enabled) {
          b.logging = null;
          return {};
        }
        const targetName = String(enabled.TargetBucket);
        const target = this.buckets.get(targetName);
        const invalid = (why: string) => s3Error('InvalidTargetBucketForLogging', 400, why);
        if (!target) throw invalid(`The target bucket for logging does not exist: ${targetName}`);
        if (target.region !== b.region) throw invalid(`The target bucket ${targetName} (${target.region}) must be in the source bucket's region ${b.region}`);
        if (targetName === name) throw invalid('A bucket must not log to itself');
        b.logging = { TargetBucket: targetName, TargetPrefix: enabled.TargetPrefix ?? '' };
        return {};
      },
    };
  }

  private cloudTrailHandlers(): Record<string, Handler> {
    const notFound = (ref: unknown) =>
      new TrailNotFoundException({ message: `Unknown trail: ${String(ref)} for the user: ${this.caller.Account}`, ...meta });
    /** A trail by name or ARN, regardless of region. */
    const named = (ref: unknown) => {
      const s = String(ref ?? '');
      const arn = /^arn:aws[\w-]*:cloudtrail:[^:]*:\d{12}:trail\/(.+)$/.exec(s);
      const t = this.trails.get(arn ? (arn[1] as string) : s);
      if (!t || (arn && t.TrailARN !== s)) throw notFound(ref);
      return t;
    };
    /** A trail this region sees: its own and multi-region ones. */
    const visible = (ref: unknown, region: string) => {
      const t = named(ref);
      if (t.HomeRegion !== region && !t.IsMultiRegionTrail) throw notFound(ref);
      return t;
    };
    /** A trail that may only be changed from its home region. */
    const home = (ref: unknown, region: string) => {
      const t = named(ref);
      if (t.HomeRegion !== region) {
        throw new InvalidHomeRegionException({
          message: `This operation must be called from the trail's home region ${t.HomeRegion}, not ${region}.`,
          ...meta,
        });
      }
      return t;
    };
    const checkBucket = (bucketName: string, trailArn: string) => {
      const b = this.buckets.get(bucketName);
      if (!b && !this.foreignBuckets.has(bucketName)) {
        throw new S3BucketDoesNotExistException({ message: `S3 bucket ${bucketName} does not exist.`, ...meta });
      }
      const policy = b?.policy ?? '';
      if (!policy.includes(trailArn) || !policy.includes('cloudtrail.amazonaws.com')) {
        throw new InsufficientS3BucketPolicyException({ message: `Incorrect S3 bucket policy is detected for bucket: ${bucketName}`, ...meta });
      }
    };
    const checkKey = (ref: string, region: string) => {
      const k = this.findKey(ref, region, true);
      if (!k) throw new KmsKeyNotFoundException({ message: `KMS key ${ref} does not exist in ${region}.`, ...meta });
      if (!k.policy.includes('cloudtrail.amazonaws.com') || !k.policy.includes('kms:GenerateDataKey')) {
        throw new InsufficientEncryptionPolicyException({ message: `Insufficient permissions to access S3 bucket or KMS key ${k.Arn}.`, ...meta });
      }
      return k.Arn;
    };
    const checkOrganization = () => {
      const o = this.organization;
      if (!o) {
        throw new OrganizationsNotInUseException({ message: 'This account is not a member of an organization.', ...meta });
      }
      if (o.MasterAccountId !== this.caller.Account) {
        throw new NotOrganizationMasterAccountException({ message: 'This account is not the management account of the organization.', ...meta });
      }
      if (o.FeatureSet !== 'ALL') {
        throw new TrailOrganizationNotInAllFeaturesModeException({ message: 'The organization does not have all features enabled.', ...meta });
      }
      if (!this.serviceAccess.has('cloudtrail.amazonaws.com')) {
        throw new CloudTrailAccessNotEnabledException({
          message: 'You must enable trusted access for CloudTrail in AWS Organizations before creating an organization trail.',
          ...meta,
        });
      }
    };
    const checkCombination = (t: Pick<FakeTrail, 'IsMultiRegionTrail' | 'IncludeGlobalServiceEvents'>) => {
      if (t.IsMultiRegionTrail && !t.IncludeGlobalServiceEvents) {
        throw new InvalidParameterCombinationException({ message: 'Multi-Region trail must include global service events.', ...meta });
      }
    };
    const summary = (t: FakeTrail) => ({
      Name: t.Name,
      S3BucketName: t.S3BucketName,
      IncludeGlobalServiceEvents: t.IncludeGlobalServiceEvents,
      IsMultiRegionTrail: t.IsMultiRegionTrail,
      TrailARN: t.TrailARN,
      LogFileValidationEnabled: t.LogFileValidationEnabled,
      IsOrganizationTrail: t.IsOrganizationTrail,
      ...(t.KmsKeyId ? { KmsKeyId: t.KmsKeyId } : {}),
    });
    const describe = (t: FakeTrail) => ({ ...summary(t), HomeRegion: t.HomeRegion, HasCustomEventSelectors: false, HasInsightSelectors: false });

    return {
      'cloudtrail:CreateTrail': (i, _acct, region) => {
        const name = String(i.Name);
        if (this.trails.has(name)) {
          throw new TrailAlreadyExistsException({ message: `Trail ${name} already exists for customer: ${this.caller.Account}`, ...meta });
        }
        const TrailARN = `arn:aws:cloudtrail:${region}:${this.caller.Account}:trail/${name}`;
        checkBucket(String(i.S3BucketName), TrailARN);
        const KmsKeyId = i.KmsKeyId ? checkKey(String(i.KmsKeyId), region) : null;
        if (i.IsOrganizationTrail) checkOrganization();
        const t: FakeTrail = {
          Name: name,
          HomeRegion: region,
          TrailARN,
          S3BucketName: String(i.S3BucketName),
          IsMultiRegionTrail: Boolean(i.IsMultiRegionTrail),
          IsOrganizationTrail: Boolean(i.IsOrganizationTrail),
          LogFileValidationEnabled: Boolean(i.EnableLogFileValidation),
          KmsKeyId,
          IncludeGlobalServiceEvents: (i.IncludeGlobalServiceEvents as boolean | undefined) ?? true,
          logging: false,
          latestDeliveryError: '',
        };
        checkCombination(t);
        this.trails.set(name, t);
        return summary(t);
      },
      'cloudtrail:GetTrail': (i, _acct, region) => ({ Trail: describe(visible(i.Name, region)) }),
      'cloudtrail:DescribeTrails': (i, _acct, region) => {
        const names = i.trailNameList as string[] | undefined;
        const shadows = (i.includeShadowTrails as boolean | undefined) ?? true;
        const seen = (t: FakeTrail) => t.HomeRegion === region || (shadows && t.IsMultiRegionTrail);
        const all = [...this.trails.values()].filter(seen);
        const picked = names && names.length > 0 ? all.filter((t) => names.includes(t.Name) || names.includes(t.TrailARN)) : all;
        return { trailList: picked.map(describe) };
      },
      'cloudtrail:UpdateTrail': (i, _acct, region) => {
        const t = home(i.Name, region);
        const next: FakeTrail = { ...t };
        if (i.S3BucketName !== undefined) {
          checkBucket(String(i.S3BucketName), t.TrailARN);
          next.S3BucketName = String(i.S3BucketName);
        }
        // An empty KmsKeyId turns SSE-KMS off.
        if (i.KmsKeyId !== undefined) next.KmsKeyId = i.KmsKeyId ? checkKey(String(i.KmsKeyId), region) : null;
        if (i.IsOrganizationTrail !== undefined) {
          if (i.IsOrganizationTrail) checkOrganization();
          next.IsOrganizationTrail = Boolean(i.IsOrganizationTrail);
        }
        if (i.IsMultiRegionTrail !== undefined) next.IsMultiRegionTrail = Boolean(i.IsMultiRegionTrail);
        if (i.EnableLogFileValidation !== undefined) next.LogFileValidationEnabled = Boolean(i.EnableLogFileValidation);
        if (i.IncludeGlobalServiceEvents !== undefined) next.IncludeGlobalServiceEvents = Boolean(i.IncludeGlobalServiceEvents);
        checkCombination(next);
        Object.assign(t, next);
        return summary(t);
      },
      'cloudtrail:GetTrailStatus': (i, _acct, region) => {
        const t = visible(i.Name, region);
        return { IsLogging: t.logging, ...(t.latestDeliveryError ? { LatestDeliveryError: t.latestDeliveryError } : {}) };
      },
      'cloudtrail:StartLogging': (i, _acct, region) => {
        home(i.Name, region).logging = true;
        return {};
      },
      'cloudtrail:StopLogging': (i, _acct, region) => {
        home(i.Name, region).logging = false;
        return {};
      },
    };
  }
}
