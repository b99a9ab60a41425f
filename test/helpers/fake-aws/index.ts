/**
 * A stateful fake of the AWS APIs the steps use, installed with aws-sdk-client-mock on every client
 * class. All mocking lives in this folder. Errors are the SDK's own exception classes, so error checks
 * behave as they do against AWS; a command with no handler rejects with its name.
 *
 * Each service's behaviour is described in its file: auth.ts (credentials, sessions, root sessions),
 * sts.ts, iam.ts, iam-identities.ts, organizations.ts, kms.ts, s3.ts, s3-control.ts, cloudtrail.ts,
 * account.ts, sso-admin.ts, identitystore.ts, budgets.ts, cost-explorer.ts, guardduty.ts, access-analyzer.ts, service-quotas.ts;
 * state.ts holds the state. Notes on the whole fake:
 * - member state is made lazily in `accounts`; `calls` records `account`; S3 buckets and KMS keys belong to
 *   the account that made them (s3.ts, kms.ts); CloudTrail is the caller's only (Error).
 * - concurrency: every call waits `delayMs`; `inFlight` / `maxInFlight` count overlapping calls.
 * - regions: every command is handled in the region of the client that sent it (`this.config.region()`
 *   of the SDK client), and `calls` records it. IAM and Organizations state is global; S3 bucket names
 *   are global but each bucket lives in one region; KMS keys, aliases and trails belong to a region.
 * - sso-admin.ts: IAM Identity Center's one organization instance (`identityCenter`, in its `region`, seen
 *   by the management account only), permission sets, provisioning and account assignments, whose requests
 *   end after `identityCenterPolls` describes; `removeIdentityCenterInstance()` makes it never enabled.
 * - identitystore.ts: the instance's users, groups and memberships; the organization's members may read them.
 * - `failNext(operation, error)` makes the next matching call fail (fault injection).
 * - `throttle = { service, above }` refuses calls of one service beyond `above` at once, as AWS's rate limits do.
 * - `pageSize` (default 2): IAM, KMS and Identity Center lists answer in truncated pages of at most this
 *   many items (fewer when the request's MaxItems / Limit / MaxResults is smaller), as AWS may at any size
 *   (iam.ts, kms.ts and sso-admin.ts say how each pages). MaxItems / Limit / MaxResults below 1 is
 *   refused. Markers are offsets into the list as it is when the next page is asked for.
 * - `loseAnswerNext(operation)` carries the next matching call out, then loses its answer (a reset
 *   connection); `failWrite` with `afterHandler: true` does that to the k-th write.
 * - `iamReadLag` = n: the n IAM reads after an IAM write in an account see it as before the write.
 * - `failWrite = { number: k, error }` makes the k-th write this fake receives (a call that is not
 *   `isReadOperation`, failed ones included, counted from its construction) fail with `error`, once,
 *   without changing anything (fault injection by position, for "fail each write in turn" tests).
 */
import { mockClient } from 'aws-sdk-client-mock';
import { isReadOperation, operationName, type ServiceId } from '../../../src/aws/actions.js';
import { ACCOUNT_HANDLERS } from './account.js';
import { ACCESS_ANALYZER_HANDLERS } from './access-analyzer.js';
import { GUARDDUTY_HANDLERS } from './guardduty.js';
import { BUDGETS_HANDLERS } from './budgets.js';
import { COST_EXPLORER_HANDLERS } from './cost-explorer.js';
import { checkRootTask, contextFor, type Credentials } from './auth.js';
import { CLIENTS, credentialsOf, lostConnection, regionOf, throttlingError, withAwsStatus } from './clients.js';
import { CLOUDTRAIL_HANDLERS } from './cloudtrail.js';
import { IDENTITYSTORE_HANDLERS } from './identitystore.js';
import { IAM_HANDLERS } from './iam.js';
import { IAM_IDENTITY_HANDLERS } from './iam-identities.js';
import { KMS_HANDLERS } from './kms.js';
import { FULL_ACCESS, ORGANIZATIONS_HANDLERS, createMember } from './organizations.js';
import { S3_HANDLERS } from './s3.js';
import { S3_CONTROL_HANDLERS } from './s3-control.js';
import { SERVICE_QUOTAS_HANDLERS } from './service-quotas.js';
import { meta, type HandlerTable, type Input } from './shared.js';
import { SSO_ADMIN_HANDLERS } from './sso-admin.js';
import {
  FakeState,
  MANAGEMENT_ID,
  MEMBER_ROLE,
  ROOT_ID,
  newIdentityCenter,
  type FakeAccountState,
  type FakeBucket,
  type FakeCaller,
  type FakeAnalyzer,
  type FakeCreateRequest,
  type FakeDetector,
  type FakeIdentityCenter,
  type FakeKey,
  type FakeOrgAccount,
  type FakeOrganization,
  type FakeOrganizationalUnit,
  type FakeOrgPolicy,
  type FakeOrgPolicyType,
  type FakeRoot,
  type FakeSession,
  type FakeTrail,
  type RecordedCall,
} from './state.js';
import { STS_HANDLERS } from './sts.js';

export {
  MANAGEMENT_EMAIL,
  MANAGEMENT_ID,
  MEMBER_ROLE,
  ROOT_ID,
  newAccountState,
  type ContactType,
  type FakeAccountState,
  type FakeBucket,
  type FakeContact,
  type FakeCreateRequest,
  type FakeAccountAssignment,
  type FakeGroupMembership,
  type FakeIdentityCenter,
  type FakeIdentityCenterInstance,
  type FakeIdentityCenterRequest,
  type FakeIdentityGroup,
  type FakeIdentityUser,
  type FakeKey,
  type FakeOrgAccount,
  type FakeOrganization,
  type FakeOrganizationalUnit,
  type FakeOrgPolicy,
  type FakeOrgPolicyType,
  type FakePermissionSet,
  type FakePolicy,
  type FakePublicAccessBlock,
  type FakeRoot,
  type FakeSession,
  type FakeTrail,
  type FakeUser,
  type RecordedCall,
} from './state.js';
export { AUDIT_ROOT_TASK, DELETE_ROOT_TASK, type CallContext } from './auth.js';
export { AWS_MANAGED_POLICIES, rootMfaSerial } from './iam-identities.js';
export { newBucket } from './s3.js';
export { MANAGED_POLICIES } from './sso-admin.js';
export { lostConnection } from './clients.js';
export { FULL_ACCESS, MAX_POLICIES_PER_TARGET, MAX_POLICY_CHARS } from './organizations.js';

/** Every operation the fake answers, by `service:Operation`. */
const HANDLERS: HandlerTable = {
  ...STS_HANDLERS,
  ...IAM_HANDLERS,
  ...IAM_IDENTITY_HANDLERS,
  ...ORGANIZATIONS_HANDLERS,
  ...KMS_HANDLERS,
  ...S3_HANDLERS,
  ...S3_CONTROL_HANDLERS,
  ...ACCOUNT_HANDLERS,
  ...CLOUDTRAIL_HANDLERS,
  ...SSO_ADMIN_HANDLERS,
  ...IDENTITYSTORE_HANDLERS,
  ...BUDGETS_HANDLERS,
  ...COST_EXPLORER_HANDLERS,
  ...GUARDDUTY_HANDLERS,
  ...ACCESS_ANALYZER_HANDLERS,
  ...SERVICE_QUOTAS_HANDLERS,
};

export class FakeAws {
  /** Everything the fake holds, which the handlers read and change; the fields below show it. */
  private readonly state = new FakeState();

  readonly accounts: Map<string, FakeAccountState> = this.state.accounts;
  get caller(): FakeCaller {
    return this.state.caller;
  }
  set caller(caller: FakeCaller) {
    this.state.caller = caller;
  }

  /** Makes the caller the account's root user, as in AWS CloudShell opened as root. */
  callAsRoot(): void {
    this.caller = { Account: MANAGEMENT_ID, Arn: `arn:aws:iam::${MANAGEMENT_ID}:root`, UserId: MANAGEMENT_ID };
  }
  /** Aliases that belong to other AWS accounts. */
  readonly takenAliases: Set<string> = this.state.takenAliases;
  readonly calls: RecordedCall[] = [];

  /** Service principals with trusted access to the organization. */
  readonly serviceAccess: Set<string> = this.state.serviceAccess;
  /** Centralized root access features: 'RootCredentialsManagement', 'RootSessions'. */
  readonly rootFeatures: Set<string> = this.state.rootFeatures;

  /** The organization's accounts by id, the management account first (filled in when an organization is set). */
  readonly orgAccounts: Map<string, FakeOrgAccount> = this.state.orgAccounts;
  /** The organization's root (`r-ab12`) once there is an organization. */
  readonly roots: Map<string, FakeRoot> = this.state.roots;
  /** Organizational units by id. */
  readonly ous: Map<string, FakeOrganizationalUnit> = this.state.ous;
  /** CreateAccount requests by `car-…` id. */
  readonly createRequests: Map<string, FakeCreateRequest> = this.state.createRequests;
  /** How many DescribeCreateAccountStatus calls a new request answers IN_PROGRESS before it ends. */
  get creationPolls(): number {
    return this.state.creationPolls;
  }
  set creationPolls(polls: number) {
    this.state.creationPolls = polls;
  }
  /**
   * CreateAccount requests for these emails end FAILED with this FailureReason: every one of them for a
   * reason alone, the next `times` for `{ reason, times }`.
   */
  readonly creationFailures: Map<string, string | { reason: string; times: number }> = this.state.creationFailures;
  /** The most CreateAccount requests IN_PROGRESS at once so far. */
  get maxCreationsInProgress(): number {
    return this.state.maxCreationsInProgress;
  }
  /** Service Quotas answers every call AccessDeniedException (service-quotas.ts). */
  get quotaReadDenied(): boolean {
    return this.state.quotaReadDenied;
  }
  set quotaReadDenied(denied: boolean) {
    this.state.quotaReadDenied = denied;
  }
  /**
   * Accounts the organization may hold, the management account included: what CreateAccount enforces
   * and Service Quotas answers (service-quotas.ts).
   */
  get accountQuota(): number {
    return this.state.accountQuota;
  }
  set accountQuota(quota: number) {
    this.state.accountQuota = quota;
  }
  /** AssumeRole attempts refused (AccessDenied) in an account just created, before its role works. */
  get roleDelayCalls(): number {
    return this.state.roleDelayCalls;
  }
  set roleDelayCalls(calls: number) {
    this.state.roleDelayCalls = calls;
  }
  /** Temporary credentials issued by AssumeRole / AssumeRoot, by SessionToken. */
  readonly sessions: Map<string, FakeSession> = this.state.sessions;

  /** The policy types enabled on the root. */
  readonly policyTypes: Set<FakeOrgPolicyType> = this.state.policyTypes;
  /** Customer-managed SCPs and RCPs by id; `FULL_ACCESS` holds the AWS-managed ones. */
  readonly orgPolicies: Map<string, FakeOrgPolicy> = this.state.orgPolicies;
  /** Policy id -> the roots, OUs and accounts it is attached to, AWS-managed policies included. */
  readonly policyAttachments: Map<string, Set<string>> = this.state.policyAttachments;
  /** GuardDuty detectors by `<account>|<region>`, and its delegated administrator by region (guardduty.ts). */
  readonly detectors: Map<string, FakeDetector> = this.state.detectors;
  readonly guarddutyAdmins: Map<string, string> = this.state.guarddutyAdmins;
  /** Organizations' delegated administrators: service principal -> account ids. */
  readonly delegatedAdmins: Map<string, Set<string>> = this.state.delegatedAdmins;
  /** IAM Access Analyzer analyzers by `<account>|<region>`, then by name (access-analyzer.ts). */
  readonly analyzers: Map<string, Map<string, FakeAnalyzer>> = this.state.analyzers;

  /** Milliseconds every call waits before it is handled (concurrency tests). */
  delayMs = 0;
  /** The most items one page of an IAM, KMS or Identity Center list holds (MaxItems / Limit / MaxResults can ask for fewer). */
  get pageSize(): number {
    return this.state.pageSize;
  }
  set pageSize(size: number) {
    this.state.pageSize = size;
  }
  /** Calls being handled right now, and the most there have been at once. */
  inFlight = 0;
  maxInFlight = 0;
  /**
   * AWS's rate limit, as a concurrency: a call of `service` that arrives while `above` of its calls are
   * being handled is refused with the service's throttling error after one round trip (`delayMs`), and
   * nothing is done. `throttled` records the refused calls.
   */
  throttle: { service: ServiceId; above: number } | null = null;
  readonly throttled: RecordedCall[] = [];
  private readonly handling = new Map<ServiceId, number>();

  /**
   * The organization (global, not per account); null: the caller's account is in none. Setting one
   * makes its root and lists its management account in `orgAccounts`; null clears the accounts,
   * OUs and CreateAccount requests.
   */
  get organization(): FakeOrganization | null {
    return this.state.organization;
  }
  set organization(o: FakeOrganization | null) {
    this.state.organization = o;
  }

  /** KMS keys of every region, by key id. */
  readonly kms: Map<string, FakeKey> = this.state.kms;
  /** KMS aliases: region -> alias name (`alias/x`) -> key id. */
  readonly kmsAliases: Map<string, Map<string, string>> = this.state.kmsAliases;

  /** Our buckets by name (names are global; each bucket has its region). */
  readonly buckets: Map<string, FakeBucket> = this.state.buckets;
  /** Bucket names owned by other AWS accounts. */
  readonly foreignBuckets: Set<string> = this.state.foreignBuckets;

  /** CloudTrail trails by name. */
  readonly trails: Map<string, FakeTrail> = this.state.trails;

  /**
   * IAM Identity Center: its `region` (default us-east-1), the organization `instance` (null: never
   * enabled; its OwnerAccountId is the management account) and what it holds, by id. `importState`
   * replaces the whole object, so read it through this getter rather than keeping it.
   */
  get identityCenter(): FakeIdentityCenter {
    return this.state.identityCenter;
  }
  /** How many Describe…Status calls an Identity Center request answers IN_PROGRESS before it ends (default 1). */
  get identityCenterPolls(): number {
    return this.state.identityCenterPolls;
  }
  set identityCenterPolls(polls: number) {
    this.state.identityCenterPolls = polls;
  }

  /** IAM Identity Center as never enabled in the console: no instance, nothing in it, same region. */
  removeIdentityCenterInstance(): void {
    const never = newIdentityCenter(MANAGEMENT_ID, this.state.identityCenter.region);
    never.instance = null;
    this.state.identityCenter = never;
  }

  private readonly stubs: { restore(): void }[] = [];
  private readonly faults: { operation: string; error: Error }[] = [];
  /** The k-th write (1-based, counted over this fake's life) fails with `error`; null: none. */
  failWrite: { number: number; error: Error; afterHandler?: boolean } | null = null;
  /** Operations whose next answer is lost after the handler ran: the write happened, the caller hears a reset. */
  private readonly lostAnswers: string[] = [];
  /** Writes received so far, for `failWrite`. */
  private writesReceived = 0;

  /**
   * Eventual consistency on purpose: with `iamReadLag` = n, the n IAM reads that follow an IAM write in
   * an account still see the account as it was before that write. Writes always act on the truth.
   */
  iamReadLag = 0;
  private readonly staleViews = new Map<string, { state: FakeAccountState; readsLeft: number }>();

  get management(): FakeAccountState {
    return this.state.management;
  }

  /** Calls that would change something in AWS. */
  get writes(): RecordedCall[] {
    return this.calls.filter((c) => !isReadOperation(c.service, c.operation));
  }

  /** Every s3:CreateBucket sent, failed ones included, with its input and the client's region. */
  get createBucketCalls(): RecordedCall[] {
    return this.calls.filter((c) => c.service === 's3' && c.operation === 'CreateBucket');
  }

  /**
   * The caller's account manages an organization with all features, trusted access for iam and account and
   * centralized root access on: what the organization step leaves, for tests of the steps after it.
   */
  withOrganization(): this {
    this.organization = {
      Id: 'o-abc123def4',
      Arn: `arn:aws:organizations::${MANAGEMENT_ID}:organization/o-abc123def4`,
      FeatureSet: 'ALL',
      MasterAccountId: MANAGEMENT_ID,
    };
    this.serviceAccess.add('iam.amazonaws.com').add('account.amazonaws.com');
    this.rootFeatures.add('RootCredentialsManagement').add('RootSessions');
    return this;
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
    return createMember(this.state, name, email, { parentId: opts.parentId ?? ROOT_ID, tags: [], roleName: MEMBER_ROLE, roleDelay });
  }

  /** Makes an organizational unit under the root, as someone else would (Control Tower's OUs), and returns its id. Needs an organization. */
  addOu(name: string, id = `ou-ab12-${String(90 + this.state.ous.size).padStart(8, '0')}`): string {
    const org = this.state.organization;
    if (!org) throw new Error('fake AWS: addOu needs an organization');
    this.state.ous.set(id, {
      Id: id,
      Arn: `arn:aws:organizations::${org.MasterAccountId}:ou/${org.Id}/${id}`,
      Name: name,
      parentId: ROOT_ID,
    });
    return id;
  }

  /**
   * Makes a customer-managed policy as someone else would (the user's own SCP), attached to `targets`
   * without the limits AttachPolicy holds to, and returns its id. Needs an organization.
   */
  addOrgPolicy(name: string, opts: { type?: FakeOrgPolicyType; content?: string; targets?: string[] } = {}): string {
    const o = this.organization;
    if (!o) throw new Error('fake AWS: a policy needs an organization');
    const type = opts.type ?? 'SERVICE_CONTROL_POLICY';
    const Id = `p-${String(this.state.nextPolicyNumber++).padStart(8, '0')}`;
    const Content = opts.content ?? FULL_ACCESS[type].Content;
    const Arn = `arn:aws:organizations::${o.MasterAccountId}:policy/${o.Id}/${type.toLowerCase()}/${Id}`;
    this.orgPolicies.set(Id, { Id, Arn, Name: name, Description: '', Type: type, Content });
    this.policyAttachments.set(Id, new Set(opts.targets ?? []));
    return Id;
  }

  /** The names of the policies of `type` attached directly to a root, OU or account. */
  policiesOn(targetId: string, type: FakeOrgPolicyType = 'SERVICE_CONTROL_POLICY'): string[] {
    return [FULL_ACCESS[type], ...this.orgPolicies.values()]
      .filter((p) => p.Type === type && this.policyAttachments.get(p.Id)?.has(targetId))
      .map((p) => p.Name);
  }

  /**
   * A deep copy of everything the fake holds, for before/after comparisons: each account's state under
   * its id, and the global services under their field names.
   */
  snapshot(): Record<string, unknown> {
    return this.state.snapshot();
  }

  /** The whole AWS state as bytes (v8 serialization keeps Maps and Sets). */
  exportState(): Buffer {
    return this.state.exportState();
  }

  /** Replaces the AWS state with one saved by `exportState`. */
  importState(bytes: Buffer): this {
    this.state.importState(bytes);
    return this;
  }

  install(): this {
    const dispatch = this.dispatch.bind(this);
    for (const [service, Client] of CLIENTS) {
      const stub = mockClient(Client as never);
      // sinon calls the fake with `this` bound to the client instance that sent the command.
      stub.send.callsFake(async function (
        this: { config: { region: () => Promise<string>; credentials?: unknown } },
        command: { input: object },
      ) {
        const region = await regionOf(this);
        const credentials = await credentialsOf(this);
        return dispatch(service, operationName(command), (command.input ?? {}) as Input, region, credentials);
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
    input: Input,
    region: string,
    credentials?: Credentials,
  ): Promise<{ $metadata: object }> {
    const ctx = contextFor(this.state, credentials);
    const call: RecordedCall = { service, operation, input: structuredClone(input), region, account: ctx.account };
    this.calls.push(call);
    // Counted as it arrives, so the k-th write is `writes[k - 1]`.
    const writeFault =
      !isReadOperation(service, operation) && ++this.writesReceived === this.failWrite?.number ? this.failWrite : undefined;
    const injected = writeFault && !writeFault.afterHandler ? writeFault.error : undefined;
    const lost = writeFault?.afterHandler ? writeFault.error : this.takeLostAnswer(operation);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const refused = this.throttle?.service === service && (this.handling.get(service) ?? 0) >= this.throttle.above;
    if (!refused) this.handling.set(service, (this.handling.get(service) ?? 0) + 1);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (refused) {
        // This call, not the last one recorded: others arrive while it waits its round trip.
        this.throttled.push(call);
        throw throttlingError(service);
      }
      if (injected) throw injected;
      const fault = this.faults.findIndex((f) => f.operation === operation);
      if (fault >= 0) throw this.faults.splice(fault, 1)[0]?.error;
      const handler = HANDLERS[`${service}:${operation}`];
      if (!handler) throw new Error(`fake AWS has no handler for ${service}:${operation}Command`);
      checkRootTask(service, operation, ctx);
      if (service === 'cloudtrail' && ctx.account !== this.caller.Account) {
        throw new Error(`fake AWS keeps ${service} state for the caller's account ${this.caller.Account} only, not for ${ctx.account}`);
      }
      const acct = this.iamView(service, operation, ctx.account);
      const answer = { ...(handler({ s: this.state, i: input, acct, region, ctx }) as object), ...meta };
      if (lost) throw lost;
      return answer;
    } catch (err) {
      throw withAwsStatus(service, err);
    } finally {
      this.inFlight--;
      if (!refused) this.handling.set(service, (this.handling.get(service) ?? 1) - 1);
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

  /** The account as an IAM call sees it: the truth, or for a lagging read the account before the last write. */
  private iamView(service: ServiceId, operation: string, account: string): FakeAccountState {
    const truth = this.state.stateOf(account);
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
}
