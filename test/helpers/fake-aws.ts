/**
 * A stateful fake of the AWS APIs the steps use, installed with aws-sdk-client-mock on every client
 * class. All mocking lives here. Errors are the SDK's own exception classes, so error checks behave as
 * they do against AWS; a command with no handler rejects with its name.
 *
 * Behaviour notes, per API:
 * - accounts: credentials pick the account: `ASIAROLE<id>` = member role, `ASIAROOT<id>` = member root session, else `caller`.
 * - member state is made lazily in `accounts`; `calls` records `account`; S3/KMS/CloudTrail are the caller's only (Error).
 * - sts:GetCallerIdentity: `fake.caller`; role: `arn:aws:sts::<id>:assumed-role/<role>/<session>`; root session: `arn:aws:iam::<id>:root`.
 * - sts:AssumeRole: management (not root) into an ACTIVE member's existing role; first `roleDelayCalls` tries AccessDenied.
 * - sts:AssumeRoot: management (not root), iam trusted access, `RootSessions`, a root-task policy, <= 900 s.
 * - root sessions: audit policy = IAM reads only; delete policy adds the four root-credential deletes; else AccessDenied.
 * - CreateAccount: IN_PROGRESS for `creationPolls` polls, then FAILED (`creationFailures`, email in use) or SUCCEEDED.
 * - new members 222222222201, ...02; at most `accountQuota` accounts incl. pending (ACCOUNT_NUMBER_LIMIT_EXCEEDED).
 * - new member: OrganizationAccountAccessRole, no users; root bare with RootCredentialsManagement, else password only.
 * - `orgAccounts` (management too), `roots` (r-ab12), `ous`, `createRequests`; ListAccounts pages 2 at a time.
 * - account/OU APIs need an organization and the management account; `addMemberAccount` seeds ACTIVE members.
 * - s3control account Block Public Access per account; AccountId must be the credentials' account (AccessDenied).
 * - alternate contacts: AccountId only from management, for members, with account trusted access; own id AccessDenied.
 * - concurrency: every call waits `delayMs`; `inFlight` / `maxInFlight` count overlapping calls.
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
 * - root: `root` holds its access keys, signing certificates, MFA (one device when `mfa`) and password.
 *   IAM calls without UserName (Get/DeleteLoginProfile, List/DeleteAccessKey(s), List/Delete
 *   SigningCertificate(s), ListMFADevices/DeactivateMFADevice) act on the caller: the root user when the
 *   caller is root or a root session, else the calling user. GetAccountSummary reports
 *   AccountAccessKeysPresent / AccountMFAEnabled / AccountPasswordPresent / AccountSigningCertificatesPresent.
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
 * - `pageSize` (default 2): IAM and KMS lists answer in truncated pages of at most this many items (fewer
 *   when the request's MaxItems / Limit is smaller), as AWS may at any size. IAM: `IsTruncated` + `Marker`
 *   to send next, a malformed Marker is ValidationError "Invalid Marker."; KMS: `Truncated` + `NextMarker`,
 *   a malformed Marker is InvalidMarkerException. MaxItems / Limit below 1 is refused. Markers are offsets
 *   into the list as it is when the next page is asked for.
 * - `loseAnswerNext(operation)` carries the next matching call out, then loses its answer (a reset
 *   connection); `failWrite` with `afterHandler: true` does that to the k-th write.
 * - `iamReadLag` = n: the n IAM reads after an IAM write in an account see it as before the write.
 * - `failWrite = { number: k, error }` makes the k-th write this fake receives (a call that is not
 *   `isReadOperation`, failed ones included, counted from its construction) fail with `error`, once,
 *   without changing anything (fault injection by position, for "fail each write in turn" tests).
 */
import { deserialize, serialize } from 'node:v8';
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
  IAMServiceException,
  type PasswordPolicy,
} from '@aws-sdk/client-iam';
import { STSClient, STSServiceException } from '@aws-sdk/client-sts';
import {
  OrganizationsClient,
  AccessDeniedException as OrganizationsAccessDeniedException,
  AccountNotFoundException,
  AlreadyInOrganizationException,
  AWSOrganizationsNotInUseException,
  ChildNotFoundException,
  ConstraintViolationException,
  CreateAccountStatusNotFoundException,
  DestinationParentNotFoundException,
  DuplicateAccountException,
  DuplicateOrganizationalUnitException,
  InvalidInputException as OrganizationsInvalidInputException,
  ParentNotFoundException,
  SourceParentNotFoundException,
  TargetNotFoundException,
} from '@aws-sdk/client-organizations';
import {
  CloudTrailClient,
  CloudTrailServiceException,
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
import { S3ControlClient, NoSuchPublicAccessBlockConfiguration, S3ControlServiceException } from '@aws-sdk/client-s3-control';
import {
  KMSClient,
  AlreadyExistsException,
  InvalidAliasNameException,
  InvalidMarkerException,
  MalformedPolicyDocumentException,
  NotFoundException,
  KMSServiceException,
} from '@aws-sdk/client-kms';
import {
  AccountClient,
  AccessDeniedException as AccountAccessDeniedException,
  ResourceNotFoundException,
  ValidationException as AccountValidationException,
} from '@aws-sdk/client-account';
import { isReadOperation, operationName, type ServiceId } from '../../src/aws/actions.js';

export const MANAGEMENT_ID = '111111111111';
/** The management account's email in `orgAccounts`. */
export const MANAGEMENT_EMAIL = 'founder@example.com';
/** The organization's one root. */
export const ROOT_ID = 'r-ab12';
/** The role AWS Organizations creates in each account it creates (CreateAccount's default RoleName). */
export const MEMBER_ROLE = 'OrganizationAccountAccessRole';
export const AUDIT_ROOT_TASK = 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials';
export const DELETE_ROOT_TASK = 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials';
/** What the delete task policy allows beyond reads. */
const ROOT_DELETE_OPERATIONS = new Set(['DeleteLoginProfile', 'DeleteAccessKey', 'DeleteSigningCertificate', 'DeactivateMFADevice']);
/** Member account ids are FIRST_MEMBER_ID + 1, + 2, ...: 222222222201, 222222222202, ... */
const FIRST_MEMBER_ID = 222222222200;

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
  /** The root user's credentials; `mfa`: one MFA device, serial `arn:aws:iam::<id>:mfa/root-account-mfa-device`. */
  root: {
    accessKeys: { AccessKeyId: string; Status: 'Active' | 'Inactive' }[];
    mfa: boolean;
    password: boolean;
    /** Certificate ids of the root user's X.509 signing certificates. */
    signingCertificates: string[];
  };
  /** Account-level S3 Block Public Access (s3control); null: none set. */
  accountPublicAccessBlock: FakePublicAccessBlock | null;
  /** Alternate contacts by type; undefined: not set. */
  contacts: Record<ContactType, FakeContact | undefined>;
}

export type ContactType = 'SECURITY' | 'BILLING' | 'OPERATIONS';

export interface FakeContact {
  Name: string;
  Title: string;
  EmailAddress: string;
  PhoneNumber: string;
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
    root: { accessKeys: [], mfa: true, password: true, signingCertificates: [] },
    accountPublicAccessBlock: null,
    contacts: { SECURITY: undefined, BILLING: undefined, OPERATIONS: undefined },
  };
}

/** The MFA serial of an account's root device (the console's name for a root virtual MFA device). */
export function rootMfaSerial(accountId: string): string {
  return `arn:aws:iam::${accountId}:mfa/root-account-mfa-device`;
}

export interface FakeOrganization {
  Id: string;
  Arn: string;
  FeatureSet: 'ALL' | 'CONSOLIDATED_BILLING';
  MasterAccountId: string;
}

/** An account of the organization, as Organizations lists it, with where it sits and its tags. */
export interface FakeOrgAccount {
  Id: string;
  Arn: string;
  Email: string;
  Name: string;
  Status: 'ACTIVE';
  /** The root (`r-…`) or OU (`ou-…`) it is in. */
  parentId: string;
  tags: { Key: string; Value: string }[];
}

export interface FakeRoot {
  Id: string;
  Arn: string;
  Name: string;
}

export interface FakeOrganizationalUnit {
  Id: string;
  Arn: string;
  Name: string;
  parentId: string;
}

/** A CreateAccount request. */
export interface FakeCreateRequest {
  Id: string;
  AccountName: string;
  Email: string;
  State: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  AccountId?: string;
  FailureReason?: string;
  /** DescribeCreateAccountStatus calls left that still answer IN_PROGRESS. */
  pollsLeft: number;
  tags: { Key: string; Value: string }[];
  /** The role CreateAccount makes in the new account. */
  RoleName: string;
}

/** Temporary credentials the fake's STS issued, by SessionToken. */
export interface FakeSession {
  kind: 'role' | 'root';
  account: string;
  expiration: Date;
  /** Role sessions: the role and session name. */
  roleName?: string;
  sessionName?: string;
  /** Root sessions: the root-task policy ARN. */
  taskPolicyArn?: string;
}

/** Who a call comes from, as the fake reads it from the client's credentials. */
export interface CallContext {
  /** The account the call acts on. */
  account: string;
  /** `caller`: `fake.caller`; `role`: a member's role session; `root-session`: a member's root session. */
  principal: 'caller' | 'role' | 'root-session';
  /** The call is the account's root user's (the caller opened as root, or a root session). */
  isRoot: boolean;
  /** The issued session the credentials belong to, when the fake knows it. */
  session?: FakeSession;
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
  /** The account the call acted on (from the client's credentials). */
  account: string;
}

type Handler = (input: Record<string, unknown>, account: FakeAccountState, region: string, ctx: CallContext) => unknown;

/** The region an SDK client was configured with: `config.region` is a provider function once resolved. */
async function regionOf(client: { config?: { region?: unknown } } | undefined): Promise<string> {
  const value = client?.config?.region;
  const region = typeof value === 'function' ? await (value as () => Promise<unknown>)() : value;
  return typeof region === 'string' && region ? region : 'us-east-1';
}

/**
 * The credentials an SDK client signs with: `config.credentials` is a provider function once resolved.
 * Undefined when the client has none configured; a failing provider fails the call, as it would in AWS.
 */
async function credentialsOf(client: { config?: { credentials?: unknown } } | undefined): Promise<{ accessKeyId?: string; sessionToken?: string } | undefined> {
  const value = client?.config?.credentials;
  if (value === undefined || value === null) return undefined;
  const identity = typeof value === 'function' ? await (value as () => Promise<unknown>)() : value;
  return identity && typeof identity === 'object' ? (identity as { accessKeyId?: string; sessionToken?: string }) : undefined;
}

const meta = { $metadata: {} };

/**
 * The HTTP status AWS answers an error with, from each service's API reference: errors the handlers
 * build without one get it here, so the tool sees what the SDK parses from AWS (the end-to-end test
 * test/e2e-aws/fake-follows-emulator.test.ts holds the fake to the emulator on this).
 */
const ERROR_STATUS: Record<string, number> = {
  'iam:NoSuchEntityException': 404,
  'iam:EntityAlreadyExistsException': 409,
  'iam:LimitExceededException': 409,
  'iam:DeleteConflictException': 409,
  'account:ResourceNotFoundException': 404,
};

function withAwsStatus(service: ServiceId, err: unknown): unknown {
  const e = err as { name?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  if (!(err instanceof Error) || !e.$metadata || e.$metadata.httpStatusCode !== undefined) return err;
  // A fresh object: handlers share one empty $metadata between errors.
  e.$metadata = { ...e.$metadata, httpStatusCode: ERROR_STATUS[`${service}:${e.name}`] ?? (e.$fault === 'server' ? 500 : 400) };
  return err;
}
const meta403 = { $metadata: { httpStatusCode: 403 } };

function stsError(name: string, httpStatusCode: number, message: string): STSServiceException {
  return new STSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message });
}

/** The AccessDenied each service answers a caller that may not do something. */
function accessDenied(service: ServiceId, message: string): Error {
  const opts = { $fault: 'client' as const, $metadata: { httpStatusCode: 403 }, message };
  switch (service) {
    case 'iam':
      return new IAMServiceException({ name: 'AccessDenied', ...opts });
    case 'sts':
      return new STSServiceException({ name: 'AccessDenied', ...opts });
    case 'organizations':
      return new OrganizationsAccessDeniedException({ message, ...meta403 });
    case 's3':
      return new S3ServiceException({ name: 'AccessDenied', ...opts });
    case 's3control':
      return new S3ControlServiceException({ name: 'AccessDenied', ...opts });
    case 'kms':
      return new KMSServiceException({ name: 'AccessDeniedException', ...opts, $metadata: { httpStatusCode: 400 } });
    case 'cloudtrail':
      return new CloudTrailServiceException({ name: 'AccessDeniedException', ...opts });
    case 'account':
      return new AccountAccessDeniedException({ message, ...meta403 });
  }
}

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

/** What the SDK's Node handler throws when the connection drops before the answer arrives. */
export function lostConnection(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

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

  private org: FakeOrganization | null = null;
  /** Service principals with trusted access to the organization. */
  readonly serviceAccess = new Set<string>();
  /** Centralized root access features: 'RootCredentialsManagement', 'RootSessions'. */
  readonly rootFeatures = new Set<string>();

  /** The organization's accounts by id, the management account first (filled in when an organization is set). */
  readonly orgAccounts = new Map<string, FakeOrgAccount>();
  /** The organization's root (`r-ab12`) once there is an organization. */
  readonly roots = new Map<string, FakeRoot>();
  /** Organizational units by id. */
  readonly ous = new Map<string, FakeOrganizationalUnit>();
  /** CreateAccount requests by `car-…` id. */
  readonly createRequests = new Map<string, FakeCreateRequest>();
  /** How many DescribeCreateAccountStatus calls a new request answers IN_PROGRESS before it ends. */
  creationPolls = 1;
  /** CreateAccount requests for these emails end FAILED with this FailureReason. */
  readonly creationFailures = new Map<string, string>();
  /** Accounts the organization may hold, the management account included. */
  accountQuota = 10;
  /** AssumeRole attempts refused (AccessDenied) in an account just created, before its role works. */
  roleDelayCalls = 0;
  /** Temporary credentials issued by AssumeRole / AssumeRoot, by SessionToken. */
  readonly sessions = new Map<string, FakeSession>();
  /** Refusals of AssumeRole left per member account. */
  private readonly roleDelays = new Map<string, number>();
  private nextMemberNumber = 1;
  private nextRequestNumber = 1;
  private nextOuNumber = 1;
  private nextSessionNumber = 1;

  /** Milliseconds every call waits before it is handled (concurrency tests). */
  delayMs = 0;
  /** The most items one page of an IAM or KMS list holds (MaxItems / Limit can ask for fewer). */
  pageSize = 2;
  /** Calls being handled right now, and the most there have been at once. */
  inFlight = 0;
  maxInFlight = 0;

  /**
   * The organization (global, not per account); null: the caller's account is in none. Setting one
   * makes its root and lists its management account in `orgAccounts`; null clears the accounts,
   * OUs and CreateAccount requests.
   */
  get organization(): FakeOrganization | null {
    return this.org;
  }
  set organization(o: FakeOrganization | null) {
    const before = this.org;
    this.org = o;
    if (!o || before?.Id !== o.Id || before.MasterAccountId !== o.MasterAccountId) {
      this.orgAccounts.clear();
      this.roots.clear();
      this.ous.clear();
      this.createRequests.clear();
    }
    if (!o) return;
    if (!this.roots.has(ROOT_ID)) {
      this.roots.set(ROOT_ID, { Id: ROOT_ID, Arn: `arn:aws:organizations::${o.MasterAccountId}:root/${o.Id}/${ROOT_ID}`, Name: 'Root' });
    }
    if (!this.orgAccounts.has(o.MasterAccountId)) {
      this.orgAccounts.set(o.MasterAccountId, {
        Id: o.MasterAccountId,
        Arn: `arn:aws:organizations::${o.MasterAccountId}:account/${o.Id}/${o.MasterAccountId}`,
        Email: MANAGEMENT_EMAIL,
        Name: 'Management',
        Status: 'ACTIVE',
        parentId: ROOT_ID,
        tags: [],
      });
    }
  }

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
  /** The k-th write (1-based, counted over this fake's life) fails with `error`; null: none. */
  failWrite: { number: number; error: Error; afterHandler?: boolean } | null = null;
  /** Operations whose next answer is lost after the handler ran: the write happened, the caller hears a reset. */
  private readonly lostAnswers: string[] = [];
  /** Writes received so far, for `failWrite`. */
  private writesReceived = 0;

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
   * Makes an ACTIVE member account, as if CreateAccount had succeeded, and returns its id. Needs an
   * organization. `roleReady: false`: AssumeRole is refused as right after creation, for
   * `roleDelayCalls` attempts (at least one).
   */
  addMemberAccount(name: string, email: string, opts: { parentId?: string; roleReady?: boolean } = {}): string {
    const roleDelay = opts.roleReady === false ? Math.max(this.roleDelayCalls, 1) : 0;
    return this.createMember(name, email, { parentId: opts.parentId ?? ROOT_ID, tags: [], roleName: MEMBER_ROLE, roleDelay });
  }

  /** A new member account: its organization entry and its own account state. */
  private createMember(
    name: string,
    email: string,
    opts: { parentId: string; tags: { Key: string; Value: string }[]; roleName: string; roleDelay: number },
  ): string {
    const o = this.organization;
    if (!o) throw new Error('fake AWS: a member account needs an organization (set fake.organization or send CreateOrganization first)');
    if (!this.roots.has(opts.parentId) && !this.ous.has(opts.parentId)) throw new Error(`fake AWS: no root or OU ${opts.parentId}`);
    let id: string;
    do id = String(FIRST_MEMBER_ID + this.nextMemberNumber++);
    while (this.orgAccounts.has(id) || this.accounts.has(id));
    this.orgAccounts.set(id, {
      Id: id,
      Arn: `arn:aws:organizations::${o.MasterAccountId}:account/${o.Id}/${id}`,
      Email: email,
      Name: name,
      Status: 'ACTIVE',
      parentId: opts.parentId,
      tags: opts.tags.map((t) => ({ ...t })),
    });
    this.accounts.set(id, this.memberState(id, opts.roleName));
    if (opts.roleDelay > 0) this.roleDelays.set(id, opts.roleDelay);
    return id;
  }

  /** A member account as Organizations creates it: the access role, no IAM users, root per centralized root access. */
  private memberState(id: string, roleName: string): FakeAccountState {
    const state = newAccountState(id);
    state.users.clear();
    state.roles.set(roleName, { attached: new Set(['arn:aws:iam::aws:policy/AdministratorAccess']) });
    const managed = this.rootFeatures.has('RootCredentialsManagement');
    state.root = { accessKeys: [], mfa: false, password: !managed, signingCertificates: [] };
    return state;
  }

  /** The state of an account: the caller's, or an organization member's (made on first use). */
  private stateOf(id: string): FakeAccountState {
    let state = this.accounts.get(id);
    if (state) return state;
    if (id === this.caller.Account) state = newAccountState(id);
    else if (this.orgAccounts.has(id)) state = this.memberState(id, MEMBER_ROLE);
    else throw new Error(`fake AWS: credentials for account ${id}, which is neither the caller's nor in the organization`);
    this.accounts.set(id, state);
    return state;
  }

  /** Which account and principal a call is for, from the credentials its client signs with. */
  private contextFor(credentials: { accessKeyId?: string; sessionToken?: string } | undefined): CallContext {
    const m = /^ASIA(ROLE|ROOT)(\d{12})/.exec(credentials?.accessKeyId ?? '');
    if (!m) return { account: this.caller.Account, principal: 'caller', isRoot: this.caller.Arn.endsWith(':root') };
    const account = m[2] as string;
    const kind = m[1] === 'ROLE' ? 'role' : 'root';
    const known = credentials?.sessionToken === undefined ? undefined : this.sessions.get(credentials.sessionToken);
    const session = known && known.kind === kind && known.account === account ? known : undefined;
    return {
      account,
      principal: kind === 'role' ? 'role' : 'root-session',
      isRoot: kind === 'root',
      ...(session ? { session } : {}),
    };
  }

  /** The ARN of whoever makes a call, for error messages. */
  private principalArn(ctx: CallContext): string {
    if (ctx.principal === 'role') {
      return `arn:aws:sts::${ctx.account}:assumed-role/${ctx.session?.roleName ?? MEMBER_ROLE}/${ctx.session?.sessionName ?? 'aws-groundwork'}`;
    }
    if (ctx.principal === 'root-session') return `arn:aws:iam::${ctx.account}:root`;
    return this.caller.Arn;
  }

  /** A root session may do only what its root-task policy allows. */
  private checkRootTask(service: ServiceId, operation: string, ctx: CallContext): void {
    if (ctx.principal !== 'root-session') return;
    if (service === 'sts' && operation === 'GetCallerIdentity') return;
    const policy = ctx.session?.taskPolicyArn;
    const allowed =
      service === 'iam' &&
      (policy === AUDIT_ROOT_TASK || policy === DELETE_ROOT_TASK) &&
      (isReadOperation(service, operation) || (policy === DELETE_ROOT_TASK && ROOT_DELETE_OPERATIONS.has(operation)));
    if (!allowed) {
      throw accessDenied(
        service,
        `User: arn:aws:iam::${ctx.account}:root is not authorized to perform: ${service}:${operation} because no session policy allows it (task policy: ${policy ?? 'unknown session'})`,
      );
    }
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
      orgAccounts: this.orgAccounts,
      roots: this.roots,
      ous: this.ous,
      // Without the poll countdown: polling is the fake's clock, not a change anyone made.
      createRequests: new Map(
        [...this.createRequests].map(([id, r]) => {
          const copy: Partial<FakeCreateRequest> = { ...r };
          delete copy.pollsLeft;
          return [id, copy];
        }),
      ),
      kms: this.kms,
      kmsAliases: this.kmsAliases,
      buckets: this.buckets,
      foreignBuckets: this.foreignBuckets,
      trails: this.trails,
    });
  }

  /** Every field that holds AWS state, for saving a fake's world between processes (PTY tests). */
  private static readonly STATE_FIELDS = [
    'accounts', 'caller', 'takenAliases', 'org', 'serviceAccess', 'rootFeatures', 'orgAccounts', 'roots', 'ous',
    'createRequests', 'sessions', 'roleDelays', 'nextMemberNumber', 'nextRequestNumber', 'nextOuNumber',
    'nextSessionNumber', 'kms', 'kmsAliases', 'nextKeyNumber', 'buckets', 'foreignBuckets', 'trails',
  ] as const;

  /** The whole AWS state as bytes (v8 serialization keeps Maps and Sets). */
  exportState(): Buffer {
    const self = this as unknown as Record<string, unknown>;
    return serialize(Object.fromEntries(FakeAws.STATE_FIELDS.map((k) => [k, self[k]])));
  }

  /** Replaces the AWS state with one saved by `exportState`. */
  importState(bytes: Buffer): this {
    const saved = deserialize(bytes) as Record<string, unknown>;
    const self = this as unknown as Record<string, unknown>;
    for (const key of FakeAws.STATE_FIELDS) {
      const current = self[key];
      const value = saved[key];
      if (current instanceof Map && value instanceof Map) {
        current.clear();
        for (const [k, v] of value) current.set(k, v);
      } else if (current instanceof Set && value instanceof Set) {
        current.clear();
        for (const v of value) current.add(v);
      } else if (value !== undefined) {
        self[key] = value;
      }
    }
    return this;
  }

  install(): this {
    const fake = this;
    for (const [service, Client] of CLIENTS) {
      const stub = mockClient(Client as never);
      // sinon calls the fake with `this` bound to the client instance that sent the command.
      stub.send.callsFake(async function (
        this: { config: { region: () => Promise<string>; credentials?: unknown } },
        command: { input: object; constructor: { name: string } },
      ) {
        const region = await regionOf(this);
        const credentials = await credentialsOf(this);
        return fake.dispatch(service, operationName(command), (command.input ?? {}) as Record<string, unknown>, region, credentials);
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
    credentials?: { accessKeyId?: string; sessionToken?: string },
  ): Promise<{ $metadata: object }> {
    const ctx = this.contextFor(credentials);
    this.calls.push({ service, operation, input: structuredClone(input), region, account: ctx.account });
    // Counted as it arrives, so the k-th write is `writes[k - 1]`.
    const writeFault = !isReadOperation(service, operation) && ++this.writesReceived === this.failWrite?.number ? this.failWrite : undefined;
    const injected = writeFault && !writeFault.afterHandler ? writeFault.error : undefined;
    const lost = writeFault?.afterHandler ? writeFault.error : this.takeLostAnswer(operation);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (injected) throw injected;
      const fault = this.faults.findIndex((f) => f.operation === operation);
      if (fault >= 0) throw this.faults.splice(fault, 1)[0]?.error;
      const handler = this.handlers[`${service}:${operation}`];
      if (!handler) throw new Error(`fake AWS has no handler for ${service}:${operation}Command`);
      this.checkRootTask(service, operation, ctx);
      if ((service === 's3' || service === 'kms' || service === 'cloudtrail') && ctx.account !== this.caller.Account) {
        throw new Error(`fake AWS keeps ${service} state for the caller's account ${this.caller.Account} only, not for ${ctx.account}`);
      }
      const answer = { ...(handler(input, this.iamView(service, operation, ctx.account), region, ctx) as object), ...meta };
      if (lost) throw lost;
      return answer;
    } catch (err) {
      throw withAwsStatus(service, err);
    } finally {
      this.inFlight--;
    }
  }

  /** The next call of `operation` is carried out, and its answer lost on the way back (a reset connection). */
  loseAnswerNext(operation: string): void {
    this.lostAnswers.push(operation);
  }

  private takeLostAnswer(operation: string): Error | undefined {
    const i = this.lostAnswers.indexOf(operation);
    if (i < 0) return undefined;
    this.lostAnswers.splice(i, 1);
    return lostConnection();
  }

  /**
   * Eventual consistency on purpose: with `iamReadLag` = n, the n IAM reads that follow an IAM write in
   * an account still see the account as it was before that write. Writes always act on the truth.
   */
  iamReadLag = 0;
  private readonly staleViews = new Map<string, { state: FakeAccountState; readsLeft: number }>();

  private iamView(service: ServiceId, operation: string, account: string): FakeAccountState {
    const truth = this.stateOf(account);
    if (service !== 'iam' || this.iamReadLag === 0) return truth;
    if (!isReadOperation(service, operation)) {
      this.staleViews.set(account, { state: structuredClone(truth), readsLeft: this.iamReadLag });
      return truth;
    }
    const stale = this.staleViews.get(account);
    if (!stale || stale.readsLeft <= 0) return truth;
    stale.readsLeft--;
    return stale.state;
  }

  private readonly handlers: Record<string, Handler> = {
    ...this.stsHandlers(),

    'iam:ListAccountAliases': (i, acct) => {
      const { items, ...rest } = this.iamPage(acct.alias ? [acct.alias] : [], i);
      return { AccountAliases: items, ...rest };
    },
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
    ...this.s3ControlHandlers(),
    ...this.accountHandlers(),
    ...this.cloudTrailHandlers(),

    'iam:GetAccountPasswordPolicy': (_i, acct, _region, ctx) => {
      if (!acct.passwordPolicy) {
        throw new NoSuchEntityException({
          message: `The Password Policy with domain name ${ctx.account} cannot be found.`,
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

  /**
   * Answers a page of `items` as IAM does: from the offset a Marker carries, `pageSize` items at most
   * (fewer when MaxItems asks), with `IsTruncated` and the `Marker` to send next.
   */
  private iamPage<T>(items: T[], input: Record<string, unknown>): { items: T[]; IsTruncated: boolean; Marker?: string } {
    const invalid = (message: string) =>
      new IAMServiceException({ name: 'ValidationError', $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
    let start = 0;
    if (input.Marker !== undefined) {
      const m = /^fake-marker-(\d+)$/.exec(String(input.Marker));
      if (!m) throw invalid('Invalid Marker.');
      start = Number(m[1]);
    }
    const asked = input.MaxItems as number | undefined;
    if (asked !== undefined && !(asked >= 1)) {
      throw invalid(`1 validation error detected: Value '${String(asked)}' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1`);
    }
    const end = start + Math.min(this.pageSize, asked ?? Number.POSITIVE_INFINITY);
    if (end >= items.length) return { items: items.slice(start), IsTruncated: false };
    return { items: items.slice(start, end), IsTruncated: true, Marker: `fake-marker-${end}` };
  }

  /**
   * Answers a page of `items` as KMS does: from the offset a Marker carries, `pageSize` items at most
   * (fewer when Limit asks), with `Truncated` and the `NextMarker` to send next.
   */
  private kmsPage<T>(items: T[], input: Record<string, unknown>): { items: T[]; Truncated: boolean; NextMarker?: string } {
    let start = 0;
    if (input.Marker !== undefined) {
      const m = /^fake-kms-marker-(\d+)$/.exec(String(input.Marker));
      if (!m) {
        throw new InvalidMarkerException({
          message: 'The request was rejected because the marker that specifies where pagination should next begin is not valid.',
          ...meta,
        });
      }
      start = Number(m[1]);
    }
    const asked = input.Limit as number | undefined;
    if (asked !== undefined && !(asked >= 1)) {
      throw new KMSServiceException({
        name: 'ValidationException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: `1 validation error detected: Value '${String(asked)}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`,
      });
    }
    const end = start + Math.min(this.pageSize, asked ?? Number.POSITIVE_INFINITY);
    if (end >= items.length) return { items: items.slice(start), Truncated: false };
    return { items: items.slice(start, end), Truncated: true, NextMarker: `fake-kms-marker-${end}` };
  }

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
    /** The IAM user a call without UserName is about: the calling user (roots are handled by the callers). */
    const callingUser = (ctx: CallContext) => {
      if (ctx.principal !== 'caller') {
        throw new IAMServiceException({
          name: 'ValidationError',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: 'Must specify userName when calling with non-User credentials',
        });
      }
      return this.caller.Arn.split('/').pop();
    };
    /** UserName absent and the caller is root (itself or a root session): the call is about the root user. */
    const aboutRoot = (i: Record<string, unknown>, ctx: CallContext) => i.UserName === undefined && ctx.isRoot;
    const callerKeys = (acct: FakeAccountState, userName: unknown, ctx: CallContext) => {
      if (userName !== undefined) return user(acct, userName).accessKeys;
      if (ctx.isRoot) return acct.root.accessKeys;
      return user(acct, callingUser(ctx)).accessKeys;
    };
    const ROOT_USER = '<root_account>';
    const attachments = (acct: FakeAccountState, arn: string) =>
      [...acct.groups.values(), ...acct.users.values(), ...acct.roles.values()].filter((e) => e.attached.has(arn)).length;
    const page = <T>(items: T[], input: Record<string, unknown>) => this.iamPage(items, input);

    return {
      'iam:GetGroup': (i, acct) => {
        const g = group(acct, i.GroupName);
        const { items, ...rest } = page([...g.users].map((n) => ({ UserName: n, Arn: acct.users.get(n)?.arn })), i);
        return { Group: { GroupName: i.GroupName, Arn: g.arn }, Users: items, ...rest };
      },
      'iam:CreateGroup': (i, acct, _region, ctx) => {
        const name = i.GroupName as string;
        if (acct.groups.has(name)) throw exists(`Group with name ${name}`);
        const g = { arn: `arn:aws:iam::${ctx.account}:group/${name}`, attached: new Set<string>(), users: new Set<string>() };
        acct.groups.set(name, g);
        return { Group: { GroupName: name, Arn: g.arn } };
      },
      'iam:ListAttachedGroupPolicies': (i, acct) => {
        const { items, ...rest } = page([...group(acct, i.GroupName).attached], i);
        return { AttachedPolicies: items.map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() })), ...rest };
      },
      'iam:AttachGroupPolicy': (i, acct) => {
        const g = group(acct, i.GroupName);
        checkPolicyExists(acct, i.PolicyArn as string);
        g.attached.add(i.PolicyArn as string);
        return {};
      },
      'iam:ListGroupsForUser': (i, acct) => {
        user(acct, i.UserName);
        const groups = [...acct.groups.entries()].filter(([, g]) => g.users.has(i.UserName as string));
        const { items, ...rest } = page(groups, i);
        return { Groups: items.map(([name, g]) => ({ GroupName: name, Arn: g.arn })), ...rest };
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
      'iam:CreateUser': (i, acct, _region, ctx) => {
        const name = i.UserName as string;
        if (acct.users.has(name)) throw exists(`User with name ${name}`);
        const arn = `arn:aws:iam::${ctx.account}:user/${name}`;
        acct.users.set(name, { arn, loginProfile: null, accessKeys: [], mfaDevices: [], attached: new Set() });
        return { User: { UserName: name, Arn: arn } };
      },
      'iam:ListUsers': (i, acct) => {
        const { items, ...rest } = page([...acct.users.entries()], i);
        return { Users: items.map(([name, u]) => ({ UserName: name, Arn: u.arn })), ...rest };
      },
      'iam:GetLoginProfile': (i, acct, _region, ctx) => {
        if (aboutRoot(i, ctx)) {
          if (!acct.root.password) throw noSuch(`Login Profile for User ${ROOT_USER}`);
          return { LoginProfile: { UserName: ROOT_USER, PasswordResetRequired: false } };
        }
        const name = i.UserName ?? callingUser(ctx);
        const u = user(acct, name);
        if (!u.loginProfile) throw noSuch(`Login Profile for User ${String(name)}`);
        return { LoginProfile: { UserName: name, PasswordResetRequired: u.loginProfile.passwordResetRequired } };
      },
      'iam:DeleteLoginProfile': (i, acct, _region, ctx) => {
        if (aboutRoot(i, ctx)) {
          if (!acct.root.password) throw noSuch(`Login Profile for User ${ROOT_USER}`);
          acct.root.password = false;
          return {};
        }
        const name = i.UserName ?? callingUser(ctx);
        const u = user(acct, name);
        if (!u.loginProfile) throw noSuch(`Login Profile for User ${String(name)}`);
        u.loginProfile = null;
        return {};
      },
      'iam:CreateLoginProfile': (i, acct) => {
        const u = user(acct, i.UserName);
        if (u.loginProfile) throw exists(`Login Profile for user ${String(i.UserName)}`);
        u.loginProfile = { password: i.Password as string, passwordResetRequired: Boolean(i.PasswordResetRequired) };
        return { LoginProfile: { UserName: i.UserName, PasswordResetRequired: u.loginProfile.passwordResetRequired } };
      },
      'iam:ListAccessKeys': (i, acct, _region, ctx) => {
        const { items, ...rest } = page(callerKeys(acct, i.UserName, ctx), i);
        return { AccessKeyMetadata: items.map((k) => ({ ...k })), ...rest };
      },
      'iam:DeleteAccessKey': (i, acct, _region, ctx) => {
        const keys = callerKeys(acct, i.UserName, ctx);
        const at = keys.findIndex((k) => k.AccessKeyId === i.AccessKeyId);
        if (at < 0) throw noSuch(`The Access Key with id ${String(i.AccessKeyId)}`);
        keys.splice(at, 1);
        return {};
      },
      'iam:ListMFADevices': (i, acct, _region, ctx) => {
        const devices = aboutRoot(i, ctx) ? (acct.root.mfa ? [rootMfaSerial(ctx.account)] : []) : user(acct, i.UserName ?? callingUser(ctx)).mfaDevices;
        const { items, ...rest } = page(devices, i);
        return { MFADevices: items.map((d) => ({ SerialNumber: d, UserName: i.UserName })), ...rest };
      },
      'iam:DeactivateMFADevice': (i, acct, _region, ctx) => {
        const serial = String(i.SerialNumber);
        if (aboutRoot(i, ctx)) {
          if (!acct.root.mfa || serial !== rootMfaSerial(ctx.account)) throw noSuch(`MFA device ${serial} of the root user`);
          acct.root.mfa = false;
          return {};
        }
        const name = i.UserName ?? callingUser(ctx);
        const u = user(acct, name);
        const at = u.mfaDevices.indexOf(serial);
        if (at < 0) throw noSuch(`MFA device ${serial} of user ${String(name)}`);
        u.mfaDevices.splice(at, 1);
        return {};
      },
      'iam:ListSigningCertificates': (i, acct, _region, ctx) => {
        let ids: string[] = [];
        if (aboutRoot(i, ctx)) ids = acct.root.signingCertificates;
        // IAM users have no signing certificates in the fake: an existing user has none.
        else user(acct, i.UserName ?? callingUser(ctx));
        const { items, ...rest } = page(ids, i);
        return {
          Certificates: items.map((CertificateId) => ({
            UserName: (i.UserName as string | undefined) ?? ROOT_USER,
            CertificateId,
            CertificateBody: '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----',
            Status: 'Active',
          })),
          ...rest,
        };
      },
      'iam:DeleteSigningCertificate': (i, acct, _region, ctx) => {
        const id = String(i.CertificateId);
        if (aboutRoot(i, ctx)) {
          const at = acct.root.signingCertificates.indexOf(id);
          if (at < 0) throw noSuch(`The Certificate with id ${id}`);
          acct.root.signingCertificates.splice(at, 1);
          return {};
        }
        user(acct, i.UserName ?? callingUser(ctx));
        throw noSuch(`The Certificate with id ${id}`);
      },
      'iam:GetAccountSummary': (_i, acct) => ({
        SummaryMap: {
          AccountAccessKeysPresent: acct.root.accessKeys.length > 0 ? 1 : 0,
          AccountMFAEnabled: acct.root.mfa ? 1 : 0,
          AccountPasswordPresent: acct.root.password ? 1 : 0,
          AccountSigningCertificatesPresent: acct.root.signingCertificates.length > 0 ? 1 : 0,
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
      'iam:CreatePolicy': (i, acct, _region, ctx) => {
        const path = (i.Path as string | undefined) ?? '/';
        const arn = `arn:aws:iam::${ctx.account}:policy${path}${String(i.PolicyName)}`;
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
      'iam:ListPolicyVersions': (i, acct) => {
        const { items, ...rest } = page(policy(acct, i.PolicyArn).versions, i);
        return { Versions: items.map(({ VersionId, IsDefaultVersion }) => ({ VersionId, IsDefaultVersion })), ...rest };
      },
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
        const { items, ...rest } = page(local, i);
        return {
          Policies: items.map((p) => ({
            PolicyName: p.name,
            Arn: p.arn,
            DefaultVersionId: p.versions.find((v) => v.IsDefaultVersion)?.VersionId,
            AttachmentCount: attachments(acct, p.arn),
          })),
          ...rest,
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
    const fromManagement = (ctx: CallContext) => {
      const o = this.requireOrganization();
      if (o.MasterAccountId !== ctx.account) {
        throw new OrganizationsAccessDeniedException({
          message: "You don't have permissions to access this resource: only the management account can do this.",
          ...meta,
        });
      }
      return o;
    };
    const ROOT_FEATURES = ['RootCredentialsManagement', 'RootSessions'];
    /** IAM's preconditions for centralized root access. */
    const rootAccess = (enabling: boolean, ctx: CallContext) => {
      const o = this.organization;
      if (!o) throw new OrganizationNotFoundException({ message: 'The request was rejected because no organization is associated with your account.', ...meta });
      if (o.MasterAccountId !== ctx.account) {
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
      'organizations:CreateOrganization': (i, _acct, _region, ctx) => {
        if (this.organization) {
          throw new AlreadyInOrganizationException({ message: 'The provided account is already a member of an organization.', ...meta });
        }
        const Id = 'o-abc123def4';
        const master = ctx.account;
        this.organization = {
          Id,
          Arn: `arn:aws:organizations::${master}:organization/${Id}`,
          FeatureSet: (i.FeatureSet as FakeOrganization['FeatureSet'] | undefined) ?? 'ALL',
          MasterAccountId: master,
        };
        return { Organization: describe(this.organization) };
      },
      'organizations:ListAWSServiceAccessForOrganization': (_i, _acct, _region, ctx) => {
        fromManagement(ctx);
        return { EnabledServicePrincipals: [...this.serviceAccess].map((ServicePrincipal) => ({ ServicePrincipal })) };
      },
      'organizations:EnableAWSServiceAccess': (i, _acct, _region, ctx) => {
        fromManagement(ctx);
        this.serviceAccess.add(i.ServicePrincipal as string);
        return {};
      },

      'iam:ListOrganizationsFeatures': (_i, _acct, _region, ctx) => features(rootAccess(false, ctx)),
      'iam:EnableOrganizationsRootCredentialsManagement': (_i, _acct, _region, ctx) => {
        const o = rootAccess(true, ctx);
        this.rootFeatures.add('RootCredentialsManagement');
        return features(o);
      },
      'iam:EnableOrganizationsRootSessions': (_i, _acct, _region, ctx) => {
        const o = rootAccess(true, ctx);
        this.rootFeatures.add('RootSessions');
        return features(o);
      },

      ...this.organizationAccountHandlers(fromManagement),
    };
  }

  private organizationAccountHandlers(fromManagement: (ctx: CallContext) => FakeOrganization): Record<string, Handler> {
    /** Answers a page of `items` from the offset a NextToken carries; `size` items at most. */
    const page = <T>(items: T[], input: Record<string, unknown>, size = Number.POSITIVE_INFINITY) => {
      let start = 0;
      if (input.NextToken !== undefined) {
        const m = /^fake-next-(\d+)$/.exec(String(input.NextToken));
        if (!m) throw new OrganizationsInvalidInputException({ message: 'The NextToken is not valid.', Reason: 'INVALID_NEXT_TOKEN', ...meta });
        start = Number(m[1]);
      }
      const max = Math.min(size, (input.MaxResults as number | undefined) ?? Number.POSITIVE_INFINITY);
      const end = start + max;
      return { items: items.slice(start, end), ...(end < items.length ? { NextToken: `fake-next-${end}` } : {}) };
    };
    const account = (id: unknown) => {
      const a = this.orgAccounts.get(String(id));
      if (!a) throw new AccountNotFoundException({ message: `You specified an account that doesn't exist: ${String(id)}.`, ...meta });
      return a;
    };
    const describeAccount = (a: FakeOrgAccount) => ({ Id: a.Id, Arn: a.Arn, Email: a.Email, Name: a.Name, Status: a.Status, State: a.Status });
    const isParent = (id: string) => this.roots.has(id) || this.ous.has(id);
    const parentType = (id: string) => (this.roots.has(id) ? 'ROOT' : 'ORGANIZATIONAL_UNIT');
    const status = (r: FakeCreateRequest) => ({
      Id: r.Id,
      AccountName: r.AccountName,
      State: r.State,
      ...(r.AccountId ? { AccountId: r.AccountId } : {}),
      ...(r.FailureReason ? { FailureReason: r.FailureReason } : {}),
    });
    const tags = (value: unknown) => ((value as { Key: string; Value: string }[] | undefined) ?? []).map((t) => ({ Key: t.Key, Value: t.Value }));
    /** A request whose IN_PROGRESS time is over ends now. */
    const complete = (r: FakeCreateRequest) => {
      const emailInUse = [...this.orgAccounts.values()].some((a) => a.Email.toLowerCase() === r.Email.toLowerCase());
      const failure = this.creationFailures.get(r.Email) ?? (emailInUse ? 'EMAIL_ALREADY_EXISTS' : undefined);
      if (failure) {
        r.State = 'FAILED';
        r.FailureReason = failure;
        return;
      }
      r.AccountId = this.createMember(r.AccountName, r.Email, { parentId: ROOT_ID, tags: r.tags, roleName: r.RoleName, roleDelay: this.roleDelayCalls });
      r.State = 'SUCCEEDED';
    };

    return {
      'organizations:CreateAccount': (i, _acct, _region, ctx) => {
        fromManagement(ctx);
        const Email = String(i.Email ?? '');
        const AccountName = String(i.AccountName ?? '');
        if (!Email || !AccountName) {
          throw new OrganizationsInvalidInputException({ message: 'Email and AccountName are required.', Reason: 'INPUT_REQUIRED', ...meta });
        }
        const pending = [...this.createRequests.values()].filter((r) => r.State === 'IN_PROGRESS').length;
        if (this.orgAccounts.size + pending >= this.accountQuota) {
          throw new ConstraintViolationException({
            message: 'You have reached the limit on the number of accounts in your organization.',
            Reason: 'ACCOUNT_NUMBER_LIMIT_EXCEEDED',
            ...meta,
          });
        }
        const Id = `car-${String(this.nextRequestNumber++).padStart(8, '0')}`;
        const r: FakeCreateRequest = {
          Id,
          AccountName,
          Email,
          State: 'IN_PROGRESS',
          pollsLeft: this.creationPolls,
          tags: tags(i.Tags),
          RoleName: (i.RoleName as string | undefined) ?? MEMBER_ROLE,
        };
        this.createRequests.set(Id, r);
        return { CreateAccountStatus: status(r) };
      },
      'organizations:DescribeCreateAccountStatus': (i, _acct, _region, ctx) => {
        fromManagement(ctx);
        const r = this.createRequests.get(String(i.CreateAccountRequestId));
        if (!r) {
          throw new CreateAccountStatusNotFoundException({
            message: `We can't find a create account request with the ID that you specified: ${String(i.CreateAccountRequestId)}.`,
            ...meta,
          });
        }
        if (r.State === 'IN_PROGRESS') {
          if (r.pollsLeft > 0) r.pollsLeft--;
          else complete(r);
        }
        return { CreateAccountStatus: status(r) };
      },
      'organizations:ListCreateAccountStatus': (i, _acct, _region, ctx) => {
        fromManagement(ctx);
        const states = i.States as string[] | undefined;
        const all = [...this.createRequests.values()].filter((r) => !states || states.length === 0 || states.includes(r.State));
        const { items, ...rest } = page(all, i);
        return { CreateAccountStatuses: items.map(status), ...rest };
      },
      'organizations:ListAccounts': (i, _acct, _region, ctx) => {
        fromManagement(ctx);
        const { items, ...rest } = page([...this.orgAccounts.values()], i, 2);
        return { Accounts: items.map(describeAccount), ...rest };
      },
      'organizations:DescribeAccount': (i, _acct, _region, ctx) => {
        fromManagement(ctx);
        return { Account: describeAccount(account(i.AccountId)) };
      },
      'organizations:ListRoots': (i, _acct, _region, ctx) => {
        fromManagement(ctx);
        const { items, ...rest } = page([...this.roots.values()], i);
        return { Roots: items.map((r) => ({ ...r, PolicyTypes: [] })), ...rest };
      },
      'organizations:ListOrganizationalUnitsForParent': (i, _acct, _region, ctx) => {
        fromManagement(ctx);
        const parentId = String(i.ParentId);
        if (!isParent(parentId)) throw new ParentNotFoundException({ message: `We can't find a root or OU with the ParentId that you specified: ${parentId}.`, ...meta });
        const { items, ...rest } = page([...this.ous.values()].filter((u) => u.parentId === parentId), i);
        return { OrganizationalUnits: items.map(({ Id, Arn, Name }) => ({ Id, Arn, Name })), ...rest };
      },
      'organizations:CreateOrganizationalUnit': (i, _acct, _region, ctx) => {
        const o = fromManagement(ctx);
        const parentId = String(i.ParentId);
        const Name = String(i.Name ?? '');
        if (!isParent(parentId)) throw new ParentNotFoundException({ message: `We can't find a root or OU with the ParentId that you specified: ${parentId}.`, ...meta });
        if ([...this.ous.values()].some((u) => u.parentId === parentId && u.Name === Name)) {
          throw new DuplicateOrganizationalUnitException({ message: `An OU with the same name already exists: ${Name}.`, ...meta });
        }
        const Id = `ou-${ROOT_ID.slice(2)}-${String(this.nextOuNumber++).padStart(8, '0')}`;
        const ou: FakeOrganizationalUnit = { Id, Arn: `arn:aws:organizations::${o.MasterAccountId}:ou/${o.Id}/${Id}`, Name, parentId };
        this.ous.set(Id, ou);
        return { OrganizationalUnit: { Id, Arn: ou.Arn, Name } };
      },
      'organizations:ListParents': (i, _acct, _region, ctx) => {
        fromManagement(ctx);
        const child = String(i.ChildId);
        const parentId = this.orgAccounts.get(child)?.parentId ?? this.ous.get(child)?.parentId;
        if (parentId === undefined) throw new ChildNotFoundException({ message: `We can't find an organizational unit (OU) or AWS account with the ChildId that you specified: ${child}.`, ...meta });
        return { Parents: [{ Id: parentId, Type: parentType(parentId) }] };
      },
      'organizations:MoveAccount': (i, _acct, _region, ctx) => {
        fromManagement(ctx);
        const a = account(i.AccountId);
        const source = String(i.SourceParentId);
        const destination = String(i.DestinationParentId);
        if (!isParent(source)) throw new SourceParentNotFoundException({ message: `We can't find a source root or OU with the ParentId that you specified: ${source}.`, ...meta });
        if (!isParent(destination)) {
          throw new DestinationParentNotFoundException({ message: `We can't find the destination container (a root or OU) with the ParentId that you specified: ${destination}.`, ...meta });
        }
        if (a.parentId === destination) throw new DuplicateAccountException({ message: `That account is already present in the specified destination: ${destination}.`, ...meta });
        if (a.parentId !== source) throw new SourceParentNotFoundException({ message: `The account ${a.Id} is not in the source parent ${source}.`, ...meta });
        a.parentId = destination;
        return {};
      },
      'organizations:TagResource': (i, _acct, _region, ctx) => {
        fromManagement(ctx);
        const a = this.orgAccounts.get(String(i.ResourceId));
        if (!a) throw new TargetNotFoundException({ message: `We can't find a resource that matches the ResourceId that you specified: ${String(i.ResourceId)}.`, ...meta });
        for (const t of tags(i.Tags)) {
          const existing = a.tags.find((x) => x.Key === t.Key);
          if (existing) existing.Value = t.Value;
          else a.tags.push(t);
        }
        return {};
      },
      'organizations:ListTagsForResource': (i, _acct, _region, ctx) => {
        fromManagement(ctx);
        const a = this.orgAccounts.get(String(i.ResourceId));
        if (!a) throw new TargetNotFoundException({ message: `We can't find a resource that matches the ResourceId that you specified: ${String(i.ResourceId)}.`, ...meta });
        const { items, ...rest } = page(a.tags, i);
        return { Tags: items.map((t) => ({ ...t })), ...rest };
      },
    };
  }

  private stsHandlers(): Record<string, Handler> {
    const issue = (session: FakeSession) => {
      const token = `fake-${session.kind}-session-${this.nextSessionNumber++}`;
      this.sessions.set(token, session);
      return {
        AccessKeyId: `ASIA${session.kind === 'role' ? 'ROLE' : 'ROOT'}${session.account}`,
        SecretAccessKey: `fake-secret-${session.kind}`,
        SessionToken: token,
        Expiration: session.expiration,
      };
    };
    /** The management account's own non-root principal, which both AssumeRole and AssumeRoot need. */
    const managementPrincipal = (ctx: CallContext, action: string, resource: string) => {
      const denied = (why: string) =>
        stsError('AccessDenied', 403, `User: ${this.principalArn(ctx)} is not authorized to perform: sts:${action} on resource: ${resource} (${why})`);
      if (ctx.principal === 'caller' && ctx.isRoot) {
        throw stsError('AccessDenied', 403, action === 'AssumeRole' ? 'Roles may not be assumed by root accounts.' : `The root user cannot call sts:${action}.`);
      }
      const o = this.organization;
      if (!o) throw denied('the account is not in an organization');
      if (ctx.principal !== 'caller' || o.MasterAccountId !== ctx.account) throw denied('only the management account of the organization may');
      return { o, denied };
    };
    /** An ACTIVE member (not the management account itself). */
    const member = (id: string, o: FakeOrganization, denied: (why: string) => Error) => {
      const a = this.orgAccounts.get(id);
      if (!a || id === o.MasterAccountId || a.Status !== 'ACTIVE') throw denied(`${id} is not an active member account of the organization`);
      return a;
    };

    return {
      'sts:GetCallerIdentity': (_i, _acct, _region, ctx) => {
        if (ctx.principal === 'role') {
          return { Account: ctx.account, Arn: this.principalArn(ctx), UserId: `AROAFAKE${ctx.account}:${ctx.session?.sessionName ?? 'aws-groundwork'}` };
        }
        if (ctx.principal === 'root-session') return { Account: ctx.account, Arn: this.principalArn(ctx), UserId: ctx.account };
        return { ...this.caller };
      },
      'sts:AssumeRole': (i, _acct, _region, ctx) => {
        const roleArn = String(i.RoleArn ?? '');
        const sessionName = String(i.RoleSessionName ?? '');
        const m = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/.exec(roleArn);
        if (!m || !/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
          throw stsError('ValidationError', 400, `1 validation error detected: RoleArn ${roleArn} or RoleSessionName ${sessionName} is not valid`);
        }
        const [, id = '', roleName = ''] = m;
        const { o, denied } = managementPrincipal(ctx, 'AssumeRole', roleArn);
        member(id, o, denied);
        if (!this.stateOf(id).roles.has(roleName)) throw denied(`no role ${roleName} in ${id}`);
        const wait = this.roleDelays.get(id) ?? 0;
        if (wait > 0) {
          this.roleDelays.set(id, wait - 1);
          throw denied('the role of the new account is not assumable yet');
        }
        const Credentials = issue({ kind: 'role', account: id, roleName, sessionName, expiration: new Date(Date.now() + 3_600_000) });
        return {
          Credentials,
          AssumedRoleUser: { AssumedRoleId: `AROAFAKE${id}:${sessionName}`, Arn: `arn:aws:sts::${id}:assumed-role/${roleName}/${sessionName}` },
        };
      },
      'sts:AssumeRoot': (i, _acct, _region, ctx) => {
        const target = String(i.TargetPrincipal ?? '');
        const taskPolicyArn = (i.TaskPolicyArn as { arn?: string } | undefined)?.arn ?? '';
        const duration = (i.DurationSeconds as number | undefined) ?? 900;
        if (taskPolicyArn !== AUDIT_ROOT_TASK && taskPolicyArn !== DELETE_ROOT_TASK) {
          throw stsError('ValidationError', 400, `TaskPolicyArn ${taskPolicyArn || '(none)'} is not a root-task policy this fake knows`);
        }
        if (!Number.isInteger(duration) || duration < 0 || duration > 900) {
          throw stsError('ValidationError', 400, `1 validation error detected: DurationSeconds ${duration} must be at most 900`);
        }
        const { o, denied } = managementPrincipal(ctx, 'AssumeRoot', `arn:aws:iam::${target}:root`);
        if (!this.serviceAccess.has('iam.amazonaws.com')) throw denied('trusted access for iam.amazonaws.com is not enabled');
        if (!this.rootFeatures.has('RootSessions')) throw denied('centralized root access: root sessions are not enabled');
        member(target, o, denied);
        this.stateOf(target);
        const Credentials = issue({ kind: 'root', account: target, taskPolicyArn, expiration: new Date(Date.now() + duration * 1000) });
        return { Credentials };
      },
    };
  }

  private s3ControlHandlers(): Record<string, Handler> {
    /** Account-level calls name an account, which must be the one the credentials act in. */
    const own = (i: Record<string, unknown>, ctx: CallContext) => {
      if (String(i.AccountId ?? '') !== ctx.account) {
        throw new S3ControlServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' });
      }
    };
    return {
      's3control:GetPublicAccessBlock': (i, acct, _region, ctx) => {
        own(i, ctx);
        if (!acct.accountPublicAccessBlock) {
          throw new NoSuchPublicAccessBlockConfiguration({
            message: 'The public access block configuration was not found',
            Message: 'The public access block configuration was not found',
            $metadata: { httpStatusCode: 404 },
          });
        }
        return { PublicAccessBlockConfiguration: { ...acct.accountPublicAccessBlock } };
      },
      's3control:PutPublicAccessBlock': (i, acct, _region, ctx) => {
        own(i, ctx);
        const c = (i.PublicAccessBlockConfiguration ?? {}) as Partial<FakePublicAccessBlock>;
        acct.accountPublicAccessBlock = {
          BlockPublicAcls: Boolean(c.BlockPublicAcls),
          IgnorePublicAcls: Boolean(c.IgnorePublicAcls),
          BlockPublicPolicy: Boolean(c.BlockPublicPolicy),
          RestrictPublicBuckets: Boolean(c.RestrictPublicBuckets),
        };
        return {};
      },
      's3control:DeletePublicAccessBlock': (i, acct, _region, ctx) => {
        own(i, ctx);
        acct.accountPublicAccessBlock = null;
        return {};
      },
    };
  }

  private accountHandlers(): Record<string, Handler> {
    const TYPES: ContactType[] = ['SECURITY', 'BILLING', 'OPERATIONS'];
    const invalid = (message: string) => new AccountValidationException({ message, reason: 'fieldValidationFailed', ...meta });
    /** The contact a call is about: its type, and the account (the caller's, or a member's with AccountId). */
    const target = (i: Record<string, unknown>, ctx: CallContext, operation: string) => {
      const type = i.AlternateContactType as ContactType;
      if (!TYPES.includes(type)) throw invalid(`AlternateContactType must be one of ${TYPES.join(', ')}`);
      if (i.AccountId === undefined) return { type, state: this.stateOf(ctx.account) };
      const id = String(i.AccountId);
      const denied = (why: string) =>
        new AccountAccessDeniedException({ message: `User: ${this.principalArn(ctx)} is not authorized to perform: account:${operation} on account ${id} (${why})`, ...meta403 });
      const o = this.organization;
      if (!o || o.MasterAccountId !== ctx.account) throw denied('only the management account may name an AccountId');
      if (id === o.MasterAccountId) throw denied('the management account must omit AccountId for itself');
      if (!this.orgAccounts.has(id)) throw denied('the account is not a member of the organization');
      if (!this.serviceAccess.has('account.amazonaws.com')) throw denied('trusted access for account.amazonaws.com is not enabled');
      return { type, state: this.stateOf(id) };
    };
    const notFound = (type: string) => new ResourceNotFoundException({ message: `No contact of the inputted alternate contact type (${type}) found.`, ...meta });

    return {
      'account:GetAlternateContact': (i, _acct, _region, ctx) => {
        const { type, state } = target(i, ctx, 'GetAlternateContact');
        const c = state.contacts[type];
        if (!c) throw notFound(type);
        return { AlternateContact: { AlternateContactType: type, ...c } };
      },
      'account:PutAlternateContact': (i, _acct, _region, ctx) => {
        const { type, state } = target(i, ctx, 'PutAlternateContact');
        const fields = ['Name', 'Title', 'EmailAddress', 'PhoneNumber'] as const;
        const missing = fields.filter((f) => typeof i[f] !== 'string' || !i[f]);
        if (missing.length > 0) throw invalid(`Missing required fields: ${missing.join(', ')}`);
        state.contacts[type] = { Name: String(i.Name), Title: String(i.Title), EmailAddress: String(i.EmailAddress), PhoneNumber: String(i.PhoneNumber) };
        return {};
      },
      'account:DeleteAlternateContact': (i, _acct, _region, ctx) => {
        const { type, state } = target(i, ctx, 'DeleteAlternateContact');
        if (!state.contacts[type]) throw notFound(type);
        state.contacts[type] = undefined;
        return {};
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
        const { items, ...rest } = this.kmsPage([...this.aliasesIn(region)].filter(([, keyId]) => only === undefined || keyId === only), i);
        const Aliases = items.map(([AliasName, TargetKeyId]) => ({ AliasName, AliasArn: `arn:aws:kms:${region}:${this.caller.Account}:${AliasName}`, TargetKeyId }));
        return { Aliases, ...rest };
      },
      'kms:ListKeys': (i, _acct, region) => {
        const { items, ...rest } = this.kmsPage([...this.kms.values()].filter((k) => k.region === region), i);
        return { Keys: items.map((k) => ({ KeyId: k.KeyId, KeyArn: k.Arn })), ...rest };
      },
      'kms:ListResourceTags': (i, _acct, region) => {
        const { items, ...rest } = this.kmsPage(key(i.KeyId, region).tags, i);
        return { Tags: items.map((t) => ({ ...t })), ...rest };
      },
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
