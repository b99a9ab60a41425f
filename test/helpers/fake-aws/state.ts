/**
 * The fake's world: the types of the AWS state it keeps, and `FakeState`, the one container of it that
 * the service handlers read and change (with its snapshot and its export / import between processes).
 * - member state is made lazily in `accounts`, on the first call for the account (`stateOf`).
 */
import { deserialize, serialize } from 'node:v8';
import type { PasswordPolicy } from '@aws-sdk/client-iam';
import type { LifecycleRule, ServerSideEncryptionRule } from '@aws-sdk/client-s3';
import type { ServiceId } from '../../../src/aws/actions.js';

export const MANAGEMENT_ID = '111111111111';
/** The management account's email in `orgAccounts`. */
export const MANAGEMENT_EMAIL = 'founder@example.com';
/** The organization's one root. */
export const ROOT_ID = 'r-ab12';
/** The role AWS Organizations creates in each account it creates (CreateAccount's default RoleName). */
export const MEMBER_ROLE = 'OrganizationAccountAccessRole';

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
  /** AWS Budgets budgets by name (budgets.ts). */
  budgets: Map<string, FakeBudget>;
  /** Cost Anomaly Detection monitors and subscriptions by ARN (cost-explorer.ts). */
  anomalyMonitors: Map<string, FakeAnomalyMonitor>;
  anomalySubscriptions: Map<string, FakeAnomalySubscription>;
}

export interface FakeBudget {
  BudgetName: string;
  BudgetType: string;
  TimeUnit: string;
  BudgetLimit?: { Amount: string; Unit: string };
  notifications: {
    Notification: { NotificationType: string; ComparisonOperator: string; Threshold: number; ThresholdType?: string };
    subscribers: { SubscriptionType: string; Address: string }[];
  }[];
}

export interface FakeAnomalyMonitor {
  MonitorArn: string;
  MonitorName: string;
  MonitorType: string;
  MonitorDimension?: string;
}

export interface FakeAnomalySubscription {
  SubscriptionArn: string;
  SubscriptionName: string;
  AccountId: string;
  Frequency: string;
  MonitorArnList: string[];
  Subscribers: { Type: string; Address: string }[];
  ThresholdExpression?: unknown;
  Threshold?: number;
}

/** A GuardDuty detector; `members` and `autoEnable` matter only in the delegated administrator's. */
export interface FakeDetector {
  DetectorId: string;
  Status: 'ENABLED' | 'DISABLED';
  FindingPublishingFrequency: string;
  autoEnable: 'ALL' | 'NEW' | 'NONE';
  members: Map<string, { AccountId: string; Email: string; RelationshipStatus: string }>;
}

export interface FakeAnalyzer {
  arn: string;
  name: string;
  type: string;
  status: 'ACTIVE' | 'CREATING' | 'DISABLED' | 'FAILED';
}

export type ContactType = 'SECURITY' | 'BILLING' | 'OPERATIONS';

export interface FakeContact {
  Name: string;
  Title: string;
  EmailAddress: string;
  PhoneNumber: string;
}

export function newAccountState(accountId: string): FakeAccountState {
  return {
    alias: null,
    passwordPolicy: null,
    groups: new Map(),
    users: new Map([
      [
        'founder',
        {
          arn: `arn:aws:iam::${accountId}:user/founder`,
          loginProfile: null,
          accessKeys: [{ AccessKeyId: 'AKIAFOUNDER', Status: 'Active' }],
          mfaDevices: [],
          attached: new Set(),
        },
      ],
    ]),
    roles: new Map(),
    policies: new Map(),
    root: { accessKeys: [], mfa: true, password: true, signingCertificates: [] },
    accountPublicAccessBlock: null,
    contacts: { SECURITY: undefined, BILLING: undefined, OPERATIONS: undefined },
    budgets: new Map(),
    anomalyMonitors: new Map(),
    anomalySubscriptions: new Map(),
  };
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

export type FakeOrgPolicyType = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

/** A customer-managed Organizations policy (an SCP or an RCP), made by the management account. */
export interface FakeOrgPolicy {
  Id: string;
  Arn: string;
  Name: string;
  Description: string;
  Type: FakeOrgPolicyType;
  /** The policy text as given (Organizations keeps it as sent). */
  Content: string;
}

/** A CreateAccount request. */
export interface FakeCreateRequest {
  Id: string;
  AccountName: string;
  Email: string;
  State: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  AccountId?: string;
  FailureReason?: string;
  /**
   * Polls left that still answer IN_PROGRESS; a DescribeCreateAccountStatus with none left ends the
   * request. A ListCreateAccountStatus that lists it counts as a poll too, one behind: it takes 0 to -1
   * (over, still listed IN_PROGRESS) and ends the request at -1.
   */
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
  /** The account that owns it: a call from any other account is refused (the fake evaluates no bucket policy). */
  account: string;
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
  /** Object Lock's default retention, once configured. */
  objectLockRetention: { Mode: string; Days?: number; Years?: number } | null;
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

/** The organization instance of IAM Identity Center, as ListInstances answers it. */
export interface FakeIdentityCenterInstance {
  InstanceArn: string;
  IdentityStoreId: string;
  OwnerAccountId: string;
  Status: 'ACTIVE';
  /** Absent until someone names the instance (the console enables it without a name). */
  Name?: string;
  CreatedDate: Date;
}

/** An SSO Admin permission set, with what is attached to it and where it is provisioned. */
export interface FakePermissionSet {
  PermissionSetArn: string;
  Name: string;
  Description?: string;
  SessionDuration: string;
  RelayState?: string;
  CreatedDate: Date;
  /** AWS-managed policy ARNs, in the order they were attached. */
  managedPolicies: string[];
  /** The inline policy document as given; '' when there is none. */
  inlinePolicy: string;
  /** Bumped by every change; an account is provisioned "at the latest version" when it holds this number. */
  version: number;
  /** Account id -> the version of the permission set provisioned to it. */
  provisioned: Map<string, number>;
}

export interface FakeIdentityGroup {
  GroupId: string;
  DisplayName: string;
  Description?: string;
}

export interface FakeIdentityUser {
  UserId: string;
  UserName: string;
  DisplayName: string;
  Name: { GivenName: string; FamilyName: string; Formatted?: string };
  Emails: { Value: string; Type?: string; Primary?: boolean }[];
}

export interface FakeGroupMembership {
  MembershipId: string;
  GroupId: string;
  UserId: string;
}

export interface FakeAccountAssignment {
  AccountId: string;
  PermissionSetArn: string;
  PrincipalType: 'USER' | 'GROUP';
  PrincipalId: string;
}

/** An asynchronous SSO Admin request: a provisioning, or an assignment's creation or deletion. */
export interface FakeIdentityCenterRequest {
  RequestId: string;
  kind: 'provision' | 'create-assignment' | 'delete-assignment';
  Status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  FailureReason?: string;
  PermissionSetArn: string;
  /** The account; absent for a provisioning to ALL_PROVISIONED_ACCOUNTS. */
  AccountId?: string;
  /** Provisioning: the version of the permission set when the request was made, which it provisions. */
  version?: number;
  PrincipalType?: 'USER' | 'GROUP';
  PrincipalId?: string;
  CreatedDate: Date;
  /** Describe calls left that still answer IN_PROGRESS. */
  pollsLeft: number;
}

/**
 * IAM Identity Center: one organization instance in one region, with its identity store. `instance`
 * null: never enabled. Everything below belongs to the instance.
 */
export interface FakeIdentityCenter {
  region: string;
  instance: FakeIdentityCenterInstance | null;
  /** By PermissionSetArn. */
  permissionSets: Map<string, FakePermissionSet>;
  /** By GroupId. */
  groups: Map<string, FakeIdentityGroup>;
  /** By UserId. */
  users: Map<string, FakeIdentityUser>;
  /** By MembershipId. */
  memberships: Map<string, FakeGroupMembership>;
  assignments: FakeAccountAssignment[];
  /** By RequestId. */
  requests: Map<string, FakeIdentityCenterRequest>;
  /** Numbers the ids of everything the instance makes. */
  nextNumber: number;
  /** Numbers the asynchronous requests, apart from the things they make. */
  nextRequest: number;
}

export function newIdentityCenter(ownerAccountId = MANAGEMENT_ID, region = 'us-east-1'): FakeIdentityCenter {
  return {
    region,
    instance: {
      InstanceArn: 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6',
      IdentityStoreId: 'd-9067a1b2c3',
      OwnerAccountId: ownerAccountId,
      Status: 'ACTIVE',
      CreatedDate: new Date('2024-01-02T03:04:05Z'),
    },
    permissionSets: new Map(),
    groups: new Map(),
    users: new Map(),
    memberships: new Map(),
    assignments: [],
    requests: new Map(),
    nextNumber: 1,
    nextRequest: 1,
  };
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

/** Who `sts:GetCallerIdentity` says the caller is, for credentials the fake did not issue. */
export interface FakeCaller {
  Account: string;
  Arn: string;
  UserId: string;
}

/**
 * Every field that holds AWS state, for saving a fake's world between processes (PTY tests). The
 * names are the fields of `FakeState`.
 */
const STATE_FIELDS = [
  'accounts',
  'caller',
  'takenAliases',
  'org',
  'serviceAccess',
  'rootFeatures',
  'orgAccounts',
  'roots',
  'ous',
  'createRequests',
  'policyTypes',
  'orgPolicies',
  'policyAttachments',
  'nextPolicyNumber',
  'sessions',
  'roleDelays',
  'nextMemberNumber',
  'nextRequestNumber',
  'nextOuNumber',
  'nextSessionNumber',
  'kms',
  'kmsAliases',
  'nextKeyNumber',
  'buckets',
  'foreignBuckets',
  'trails',
  'identityCenter',
  'detectors',
  'guarddutyAdmins',
  'delegatedAdmins',
  'analyzers',
] as const;

/**
 * The state the fake keeps, in one place. `FakeAws` shows its public part to the tests (the same Maps
 * and Sets, and accessors for the rest); the service handlers get the whole of it.
 */
export class FakeState {
  readonly accounts = new Map<string, FakeAccountState>();
  caller: FakeCaller = { Account: MANAGEMENT_ID, Arn: `arn:aws:iam::${MANAGEMENT_ID}:user/founder`, UserId: 'AIDAFOUNDER' };
  /** Aliases that belong to other AWS accounts. */
  readonly takenAliases = new Set<string>();

  /** The organization; set it through `organization`, which keeps the rest in step. */
  org: FakeOrganization | null = null;
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
  /** The policy types enabled on the root (`ListRoots` PolicyTypes, all ENABLED). */
  readonly policyTypes = new Set<FakeOrgPolicyType>();
  /** Customer-managed SCPs and RCPs by id (`p-…`); the AWS-managed full-access ones are not here (organizations.ts). */
  readonly orgPolicies = new Map<string, FakeOrgPolicy>();
  /** Policy id -> the roots, OUs and accounts it is attached to, AWS-managed policies included. */
  readonly policyAttachments = new Map<string, Set<string>>();
  nextPolicyNumber = 1;
  /** How many DescribeCreateAccountStatus calls a new request answers IN_PROGRESS before it ends. */
  creationPolls = 1;
  /**
   * CreateAccount requests for these emails end FAILED with this FailureReason: every one of them for a
   * reason alone, the next `times` for `{ reason, times }` (then the entry is gone and the next succeeds).
   */
  readonly creationFailures = new Map<string, string | { reason: string; times: number }>();
  /** The most CreateAccount requests IN_PROGRESS at once so far (not AWS state: what a test counts). */
  maxCreationsInProgress = 0;
  /** Service Quotas answers every call AccessDeniedException: the caller may not read quotas. */
  quotaReadDenied = false;
  /** Accounts the organization may hold, the management account included. */
  accountQuota = 10;
  /** AssumeRole attempts refused (AccessDenied) in an account just created, before its role works. */
  roleDelayCalls = 0;
  /** Temporary credentials issued by AssumeRole / AssumeRoot, by SessionToken. */
  readonly sessions = new Map<string, FakeSession>();
  /** Refusals of AssumeRole left per member account. */
  readonly roleDelays = new Map<string, number>();
  nextMemberNumber = 1;
  nextRequestNumber = 1;
  nextOuNumber = 1;
  nextSessionNumber = 1;

  /** The most items one page of an IAM, KMS or Identity Center list holds (MaxItems / Limit / MaxResults can ask for fewer). */
  pageSize = 2;

  /** GuardDuty detectors by `<account>|<region>` (guardduty.ts). */
  readonly detectors = new Map<string, FakeDetector>();
  /** GuardDuty's delegated administrator account by region (guardduty.ts). */
  readonly guarddutyAdmins = new Map<string, string>();
  /** Organizations' delegated administrators: service principal -> account ids. */
  readonly delegatedAdmins = new Map<string, Set<string>>();
  /** IAM Access Analyzer analyzers by `<account>|<region>`, then by name (access-analyzer.ts). */
  readonly analyzers = new Map<string, Map<string, FakeAnalyzer>>();
  nextDetectorNumber = 1;

  /** KMS keys of every region, by key id. */
  readonly kms = new Map<string, FakeKey>();
  /** KMS aliases: region -> alias name (`alias/x`) -> key id. */
  readonly kmsAliases = new Map<string, Map<string, string>>();
  nextKeyNumber = 1;

  /** Our buckets by name (names are global; each bucket has its region). */
  readonly buckets = new Map<string, FakeBucket>();
  /** Bucket names owned by other AWS accounts. */
  readonly foreignBuckets = new Set<string>();

  /** CloudTrail trails by name. */
  readonly trails = new Map<string, FakeTrail>();

  /** IAM Identity Center (sso-admin.ts, identitystore.ts); replaced whole by `importState`. */
  identityCenter: FakeIdentityCenter = newIdentityCenter();
  /** How many Describe…Status calls an Identity Center request answers IN_PROGRESS before it ends. */
  identityCenterPolls = 1;

  constructor() {
    this.accounts.set(MANAGEMENT_ID, newAccountState(MANAGEMENT_ID));
  }

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
      this.policyTypes.clear();
      this.orgPolicies.clear();
      this.policyAttachments.clear();
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

  get management(): FakeAccountState {
    return this.accounts.get(MANAGEMENT_ID) as FakeAccountState;
  }

  /** The state of an account: the caller's, or an organization member's (made on first use). */
  stateOf(id: string): FakeAccountState {
    let state = this.accounts.get(id);
    if (state) return state;
    if (id === this.caller.Account) state = newAccountState(id);
    else if (this.orgAccounts.has(id)) state = this.memberState(id, MEMBER_ROLE);
    else throw new Error(`fake AWS: credentials for account ${id}, which is neither the caller's nor in the organization`);
    this.accounts.set(id, state);
    return state;
  }

  /** A member account as Organizations creates it: the access role, no IAM users, root per centralized root access. */
  memberState(id: string, roleName: string): FakeAccountState {
    const state = newAccountState(id);
    state.users.clear();
    state.roles.set(roleName, { attached: new Set(['arn:aws:iam::aws:policy/AdministratorAccess']) });
    const managed = this.rootFeatures.has('RootCredentialsManagement');
    state.root = { accessKeys: [], mfa: false, password: !managed, signingCertificates: [] };
    return state;
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
      policyTypes: this.policyTypes,
      orgPolicies: this.orgPolicies,
      policyAttachments: this.policyAttachments,
      kms: this.kms,
      kmsAliases: this.kmsAliases,
      buckets: this.buckets,
      foreignBuckets: this.foreignBuckets,
      trails: this.trails,
      detectors: this.detectors,
      guarddutyAdmins: this.guarddutyAdmins,
      delegatedAdmins: this.delegatedAdmins,
      analyzers: this.analyzers,
      // Without the requests: they are the history of how the assignments and provisionings came to be
      // (an assignment requested again after a lost answer is one more request), not a thing anyone made.
      identityCenter: { ...this.identityCenter, requests: undefined, nextRequest: undefined },
    });
  }

  /** The whole AWS state as bytes (v8 serialization keeps Maps and Sets). */
  exportState(): Buffer {
    const self = this as unknown as Record<string, unknown>;
    return serialize(Object.fromEntries(STATE_FIELDS.map((k) => [k, self[k]])));
  }

  /** Replaces the AWS state with one saved by `exportState`; Maps and Sets keep their identity. */
  importState(bytes: Buffer): void {
    const saved = deserialize(bytes) as Record<string, unknown>;
    const self = this as unknown as Record<string, unknown>;
    for (const key of STATE_FIELDS) {
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
  }
}
