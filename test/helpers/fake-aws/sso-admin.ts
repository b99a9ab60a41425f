/**
 * IAM Identity Center administration (SSO Admin, IAM prefix `sso:`): the organization instance, permission
 * sets and their policies, provisioning, and account assignments. The identity store is in identitystore.ts.
 * - instance: one organization instance (`identityCenter.instance`) owned by the management account, in
 *   `identityCenter.region` only. Any other account or region sees none (ListInstances `[]`) and naming the
 *   InstanceArn there is AccessDeniedException; a malformed ARN is ValidationException. Every error answers
 *   HTTP 400, as the SSO Admin API reference lists them.
 * - permission sets: Name `[\w+=,.@-]{1,32}`, unique in the instance (ConflictException); SessionDuration an
 *   ISO 8601 duration from PT1H to PT12H, default PT1H. Only AWS-managed policies attach (MANAGED_POLICIES,
 *   at most 20; attached twice ConflictException, unknown ResourceNotFoundException, not AWS-managed
 *   ValidationException). A permission set that still has assignments cannot be deleted (ConflictException).
 * - versions: every successful write to a permission set (update, attach, detach, inline put / delete)
 *   bumps its `version`; an account is LATEST_PERMISSION_SET_PROVISIONED while `provisioned` holds it.
 * - requests (ProvisionPermissionSet, Create/DeleteAccountAssignment) answer IN_PROGRESS for
 *   `identityCenterPolls` describes, then end, and the state changes only when they end. One for an
 *   account outside the organization, or (assignments) a principal the store does not hold, ends FAILED.
 *   A new assignment provisions its permission set to the account; an existing one succeeds without a
 *   second; deleting the last assignment of a permission set in an account deprovisions it there.
 * - lists answer `pageSize` items a page (MaxResults 1..100 asks for fewer) with a NextToken.
 */
import {
  AccessDeniedException,
  ConflictException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ValidationException,
} from '@aws-sdk/client-sso-admin';
import { principalArn } from './auth.js';
import { AWS_MANAGED_POLICIES } from './iam-identities.js';
import { meta, type Call, type Handler, type HandlerTable, type Input } from './shared.js';
import type {
  FakeAccountAssignment,
  FakeIdentityCenter,
  FakeIdentityCenterInstance,
  FakeIdentityCenterRequest,
  FakePermissionSet,
  FakeState,
} from './state.js';

const invalid = (message: string) => new ValidationException({ message, Message: message, ...meta });
const conflict = (message: string) => new ConflictException({ message, Message: message, ...meta });
const notFound = (message: string) => new ResourceNotFoundException({ message, Message: message, ...meta });

/** The AWS-managed policies a permission set may attach here (AWS has hundreds; these are the usual ones). */
export const MANAGED_POLICIES: ReadonlySet<string> = new Set([
  ...AWS_MANAGED_POLICIES,
  ...[
    'AdministratorAccess',
    'PowerUserAccess',
    'ReadOnlyAccess',
    'SecurityAudit',
    'job-function/ViewOnlyAccess',
    'job-function/Billing',
  ].map((name) => `arn:aws:iam::aws:policy/${name}`),
]);
/** IAM Identity Center's quota of managed policies per permission set. */
const MAX_MANAGED_POLICIES = 20;

const INSTANCE_ARN = /^arn:aws(-[a-z]{1,5}){0,3}:sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/;
const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;
const ACCOUNT_ID = /^\d{12}$/;
const PRINCIPAL_ID = /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;
const PROVISIONING_STATUSES = ['LATEST_PERMISSION_SET_PROVISIONED', 'LATEST_PERMISSION_SET_NOT_PROVISIONED'];

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** A fresh UUID-shaped id; `kind` (one hex digit) keeps users, groups, memberships and requests apart. */
export function nextUuid(ic: FakeIdentityCenter, kind: 'a' | 'b' | 'c'): string {
  const n = ic.nextNumber++;
  return `${kind}${hex(n, 7)}-0000-4000-8000-${hex(n, 12)}`;
}

/**
 * The CreatedDate of what was numbered last: a clock of the fake's counter, not the wall's, so two runs
 * that make the same things leave equal snapshots (the fault-injection suites compare them).
 */
function createdDate(ic: FakeIdentityCenter): Date {
  return new Date(Date.UTC(2025, 0, 1) + ic.nextNumber * 1000);
}

/**
 * A page of an Identity Center list: from the offset a NextToken carries, `pageSize` items at most (fewer
 * when MaxResults asks), with the NextToken to send next while more remain.
 */
export function icPage<T>(s: FakeState, items: T[], i: Input, refuse: (message: string) => Error): { items: T[]; NextToken?: string } {
  let start = 0;
  if (i.NextToken !== undefined) {
    const m = /^fake-ic-next-(\d+)$/.exec(String(i.NextToken));
    if (!m) throw refuse('The NextToken is not valid.');
    start = Number(m[1]);
  }
  const asked = i.MaxResults as number | undefined;
  if (asked !== undefined && !(asked >= 1 && asked <= 100)) {
    throw refuse(
      `1 validation error detected: Value '${String(asked)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`,
    );
  }
  const end = start + Math.min(s.pageSize, asked ?? Number.POSITIVE_INFINITY);
  if (end >= items.length) return { items: items.slice(start) };
  return { items: items.slice(start, end), NextToken: `fake-ic-next-${end}` };
}

/** The instance a caller sees: the organization's, for its owner account in its region; null for everyone else. */
export function visibleInstance(s: FakeState, region: string, account: string): FakeIdentityCenterInstance | null {
  const { instance, region: home } = s.identityCenter;
  return instance && region === home && account === instance.OwnerAccountId ? instance : null;
}

type InstanceHandler = (call: Call, ic: FakeIdentityCenter, instance: FakeIdentityCenterInstance) => unknown;

/** Runs an operation on the instance its InstanceArn names, once the caller is seen to hold that instance. */
function onInstance(operation: string, run: InstanceHandler): Handler {
  return (call) => {
    const arn = String(call.i.InstanceArn ?? '');
    if (!INSTANCE_ARN.test(arn)) {
      throw invalid(
        `1 validation error detected: Value '${arn}' at 'instanceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${INSTANCE_ARN.source}`,
      );
    }
    const instance = visibleInstance(call.s, call.region, call.ctx.account);
    if (!instance || instance.InstanceArn !== arn) {
      const message = `User: ${principalArn(call.s, call.ctx)} is not authorized to perform: sso:${operation} on resource: ${arn}`;
      throw new AccessDeniedException({ message, Message: message, ...meta });
    }
    return run(call, call.s.identityCenter, instance);
  };
}

function permissionSet(ic: FakeIdentityCenter, arn: unknown): FakePermissionSet {
  const ps = ic.permissionSets.get(String(arn));
  if (!ps) throw notFound(`Could not find PermissionSet with id ${String(arn).split('/').pop() ?? ''}`);
  return ps;
}

function accountId(value: unknown, field: string): string {
  const id = String(value ?? '');
  if (!ACCOUNT_ID.test(id))
    throw invalid(`1 validation error detected: Value '${id}' at '${field}' failed to satisfy constraint: Member must be 12 digits`);
  return id;
}

/** Minutes in an ISO 8601 duration of hours and minutes (`PT4H`, `PT90M`, `PT1H30M`); NaN for anything else. */
function durationMinutes(d: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(d);
  if (!m || (m[1] === undefined && m[2] === undefined)) return Number.NaN;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

function sessionDuration(value: unknown): string {
  const d = String(value);
  const minutes = durationMinutes(d);
  if (!(minutes >= 60 && minutes <= 720)) throw invalid(`The session duration ${d} must be an ISO-8601 duration from PT1H to PT12H.`);
  return d;
}

/** An optional text field of at most `max` characters, as the spread of its property (nothing when absent). */
function optionalText<K extends string>(i: Input, key: K, max: number): Partial<Record<K, string>> {
  if (i[key] === undefined) return {};
  const text = String(i[key]);
  if (text.length < 1 || text.length > max) throw invalid(`${key} must be 1 to ${max} characters.`);
  return { [key]: text } as Partial<Record<K, string>>;
}

function describePermissionSetOf(ps: FakePermissionSet) {
  return {
    Name: ps.Name,
    PermissionSetArn: ps.PermissionSetArn,
    CreatedDate: ps.CreatedDate,
    SessionDuration: ps.SessionDuration,
    ...(ps.Description === undefined ? {} : { Description: ps.Description }),
    ...(ps.RelayState === undefined ? {} : { RelayState: ps.RelayState }),
  };
}

/** A write to the permission set: the accounts it is provisioned to no longer hold its latest version. */
function changed(ps: FakePermissionSet): Record<string, never> {
  ps.version++;
  return {};
}

/** Accounts an assignment or provisioning may target: the instance's owner and the organization's accounts. */
function inOrganization(s: FakeState, account: string): boolean {
  return account === s.identityCenter.instance?.OwnerAccountId || s.orgAccounts.has(account);
}

// The instance and permission sets.

function listInstances({ s, i, region, ctx }: Call) {
  const instance = visibleInstance(s, region, ctx.account);
  const { items, ...rest } = icPage(s, instance ? [instance] : [], i, invalid);
  return { Instances: items.map((x) => ({ ...x })), ...rest };
}

const createPermissionSet: InstanceHandler = ({ i }, ic, instance) => {
  const Name = String(i.Name ?? '');
  if (!PERMISSION_SET_NAME.test(Name)) throw invalid(`The permission set name ${Name} must match [\\w+=,.@-]+ and be 1 to 32 characters.`);
  if ([...ic.permissionSets.values()].some((p) => p.Name === Name)) throw conflict(`PermissionSet with name ${Name} already exists.`);
  const ps: FakePermissionSet = {
    PermissionSetArn: `${instance.InstanceArn.replace(':instance/', ':permissionSet/')}/ps-${hex(ic.nextNumber++, 16)}`,
    Name,
    ...optionalText(i, 'Description', 700),
    SessionDuration: i.SessionDuration === undefined ? 'PT1H' : sessionDuration(i.SessionDuration),
    ...optionalText(i, 'RelayState', 240),
    CreatedDate: createdDate(ic),
    managedPolicies: [],
    inlinePolicy: '',
    version: 1,
    provisioned: new Map(),
  };
  ic.permissionSets.set(ps.PermissionSetArn, ps);
  return { PermissionSet: describePermissionSetOf(ps) };
};

const describePermissionSet: InstanceHandler = ({ i }, ic) => ({
  PermissionSet: describePermissionSetOf(permissionSet(ic, i.PermissionSetArn)),
});

const listPermissionSets: InstanceHandler = ({ s, i }, ic) => {
  const { items, ...rest } = icPage(s, [...ic.permissionSets.keys()], i, invalid);
  return { PermissionSets: items, ...rest };
};

const updatePermissionSet: InstanceHandler = ({ i }, ic) => {
  const ps = permissionSet(ic, i.PermissionSetArn);
  const update = {
    ...optionalText(i, 'Description', 700),
    ...(i.SessionDuration === undefined ? {} : { SessionDuration: sessionDuration(i.SessionDuration) }),
    ...optionalText(i, 'RelayState', 240),
  };
  Object.assign(ps, update);
  return changed(ps);
};

const deletePermissionSet: InstanceHandler = ({ i }, ic) => {
  const ps = permissionSet(ic, i.PermissionSetArn);
  if (ic.assignments.some((a) => a.PermissionSetArn === ps.PermissionSetArn)) {
    throw conflict(`Could not delete because PermissionSet ${ps.Name} has account assignments.`);
  }
  ic.permissionSets.delete(ps.PermissionSetArn);
  return {};
};

// Policies of a permission set.

function managedPolicyArn(value: unknown): string {
  const arn = String(value ?? '');
  if (!/^arn:aws:iam::aws:policy\/[\w+=,.@/-]+$/.test(arn)) throw invalid(`${arn} is not the ARN of an AWS managed policy.`);
  if (!MANAGED_POLICIES.has(arn)) throw notFound(`Policy does not exist with ARN: ${arn}`);
  return arn;
}

const attachManagedPolicy: InstanceHandler = ({ i }, ic) => {
  const ps = permissionSet(ic, i.PermissionSetArn);
  const arn = managedPolicyArn(i.ManagedPolicyArn);
  if (ps.managedPolicies.includes(arn)) throw conflict(`Permission set ${ps.Name} already has the managed policy ${arn} attached.`);
  if (ps.managedPolicies.length >= MAX_MANAGED_POLICIES) {
    const message = `A permission set can have at most ${MAX_MANAGED_POLICIES} managed policies.`;
    throw new ServiceQuotaExceededException({ message, Message: message, ...meta });
  }
  ps.managedPolicies.push(arn);
  return changed(ps);
};

const detachManagedPolicy: InstanceHandler = ({ i }, ic) => {
  const ps = permissionSet(ic, i.PermissionSetArn);
  const arn = String(i.ManagedPolicyArn ?? '');
  if (!ps.managedPolicies.includes(arn)) throw notFound(`Could not find ManagedPolicy with arn ${arn}`);
  ps.managedPolicies = ps.managedPolicies.filter((p) => p !== arn);
  return changed(ps);
};

const listManagedPolicies: InstanceHandler = ({ s, i }, ic) => {
  const { items, ...rest } = icPage(s, permissionSet(ic, i.PermissionSetArn).managedPolicies, i, invalid);
  return { AttachedManagedPolicies: items.map((Arn) => ({ Name: Arn.split('/').pop(), Arn })), ...rest };
};

const putInlinePolicy: InstanceHandler = ({ i }, ic) => {
  const ps = permissionSet(ic, i.PermissionSetArn);
  const text = String(i.InlinePolicy ?? '');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (text.length > 32768 || typeof doc !== 'object' || doc === null) throw invalid('The inline policy is not a valid policy document.');
  ps.inlinePolicy = text;
  return changed(ps);
};

const getInlinePolicy: InstanceHandler = ({ i }, ic) => ({ InlinePolicy: permissionSet(ic, i.PermissionSetArn).inlinePolicy });

const deleteInlinePolicy: InstanceHandler = ({ i }, ic) => {
  const ps = permissionSet(ic, i.PermissionSetArn);
  ps.inlinePolicy = '';
  return changed(ps);
};

// Requests that end later: provisioning, and the creation and deletion of assignments.

function newRequest(
  s: FakeState,
  ic: FakeIdentityCenter,
  fields: Omit<FakeIdentityCenterRequest, 'RequestId' | 'Status' | 'CreatedDate' | 'pollsLeft'>,
): FakeIdentityCenterRequest {
  // Requests are numbered apart from what they make: a request sent again after a lost answer must not
  // shift the ids of the users, groups and permission sets made after it.
  const n = ic.nextRequest++;
  const r: FakeIdentityCenterRequest = {
    RequestId: `e${hex(n, 7)}-0000-4000-8000-${hex(n, 12)}`,
    Status: 'IN_PROGRESS',
    CreatedDate: new Date(Date.UTC(2025, 0, 1) + n * 1000),
    pollsLeft: s.identityCenterPolls,
    ...fields,
  };
  ic.requests.set(r.RequestId, r);
  return r;
}

function fail(r: FakeIdentityCenterRequest, reason: string): void {
  r.Status = 'FAILED';
  r.FailureReason = reason;
}

function provisionTo(ps: FakePermissionSet, account: string, version: number): void {
  ps.provisioned.set(account, Math.max(version, ps.provisioned.get(account) ?? 0));
}

/** A request whose IN_PROGRESS time is over ends now, and only now changes the state. */
function complete(s: FakeState, ic: FakeIdentityCenter, r: FakeIdentityCenterRequest): void {
  const ps = ic.permissionSets.get(r.PermissionSetArn);
  const account = r.AccountId;
  if (!ps) return fail(r, `Received a 404 status error: PermissionSet ${r.PermissionSetArn} was deleted.`);
  if (account !== undefined && !inOrganization(s, account)) {
    return fail(r, `Received a 404 status error: Account ${account} is not a member of the organization.`);
  }
  r.Status = 'SUCCEEDED';
  if (r.kind === 'provision') {
    for (const target of account === undefined ? [...ps.provisioned.keys()] : [account]) provisionTo(ps, target, r.version ?? ps.version);
    return;
  }
  const a = {
    AccountId: account ?? '',
    PermissionSetArn: ps.PermissionSetArn,
    PrincipalType: r.PrincipalType ?? 'USER',
    PrincipalId: r.PrincipalId ?? '',
  };
  const same = (b: FakeAccountAssignment) =>
    b.AccountId === a.AccountId &&
    b.PermissionSetArn === a.PermissionSetArn &&
    b.PrincipalType === a.PrincipalType &&
    b.PrincipalId === a.PrincipalId;
  if (r.kind === 'delete-assignment') {
    ic.assignments = ic.assignments.filter((b) => !same(b));
    if (!ic.assignments.some((b) => b.PermissionSetArn === a.PermissionSetArn && b.AccountId === a.AccountId))
      ps.provisioned.delete(a.AccountId);
    return;
  }
  const principals: Map<string, unknown> = a.PrincipalType === 'USER' ? ic.users : ic.groups;
  if (!principals.has(a.PrincipalId))
    return fail(r, `Received a 404 status error: ${a.PrincipalType} ${a.PrincipalId} does not exist in the identity store.`);
  if (ic.assignments.some(same)) return;
  ic.assignments.push(a);
  provisionTo(ps, a.AccountId, ps.version);
}

/** The request a Describe…Status call names, moved on by one poll. */
function poll(s: FakeState, ic: FakeIdentityCenter, id: unknown, kind: FakeIdentityCenterRequest['kind']): FakeIdentityCenterRequest {
  const r = ic.requests.get(String(id));
  if (!r || r.kind !== kind) throw notFound(`Could not find a request with id ${String(id)}`);
  if (r.Status === 'IN_PROGRESS') {
    if (r.pollsLeft > 0) r.pollsLeft--;
    else complete(s, ic, r);
  }
  return r;
}

function provisioningStatus(r: FakeIdentityCenterRequest) {
  return {
    Status: r.Status,
    RequestId: r.RequestId,
    PermissionSetArn: r.PermissionSetArn,
    CreatedDate: r.CreatedDate,
    ...(r.AccountId === undefined ? {} : { AccountId: r.AccountId }),
    ...(r.FailureReason === undefined ? {} : { FailureReason: r.FailureReason }),
  };
}

function assignmentStatus(r: FakeIdentityCenterRequest) {
  return {
    Status: r.Status,
    RequestId: r.RequestId,
    TargetId: r.AccountId,
    TargetType: 'AWS_ACCOUNT',
    PermissionSetArn: r.PermissionSetArn,
    PrincipalType: r.PrincipalType,
    PrincipalId: r.PrincipalId,
    CreatedDate: r.CreatedDate,
    ...(r.FailureReason === undefined ? {} : { FailureReason: r.FailureReason }),
  };
}

const provisionPermissionSet: InstanceHandler = ({ s, i }, ic) => {
  const ps = permissionSet(ic, i.PermissionSetArn);
  if (i.TargetType !== 'AWS_ACCOUNT' && i.TargetType !== 'ALL_PROVISIONED_ACCOUNTS') {
    throw invalid(`TargetType must be AWS_ACCOUNT or ALL_PROVISIONED_ACCOUNTS, not ${String(i.TargetType)}.`);
  }
  const target = i.TargetType === 'AWS_ACCOUNT' ? { AccountId: accountId(i.TargetId, 'targetId') } : {};
  const r = newRequest(s, ic, { kind: 'provision', PermissionSetArn: ps.PermissionSetArn, version: ps.version, ...target });
  return { PermissionSetProvisioningStatus: provisioningStatus(r) };
};

const describeProvisioningStatus: InstanceHandler = ({ s, i }, ic) => ({
  PermissionSetProvisioningStatus: provisioningStatus(poll(s, ic, i.ProvisionPermissionSetRequestId, 'provision')),
});

/** The assignment a Create/DeleteAccountAssignment call names, checked as the call itself is. */
function assignmentOf(ic: FakeIdentityCenter, i: Input): FakeAccountAssignment {
  const ps = permissionSet(ic, i.PermissionSetArn);
  if (i.TargetType !== 'AWS_ACCOUNT') throw invalid(`TargetType must be AWS_ACCOUNT, not ${String(i.TargetType)}.`);
  const AccountId = accountId(i.TargetId, 'targetId');
  const PrincipalType = i.PrincipalType;
  if (PrincipalType !== 'USER' && PrincipalType !== 'GROUP')
    throw invalid(`PrincipalType must be USER or GROUP, not ${String(PrincipalType)}.`);
  const PrincipalId = String(i.PrincipalId ?? '');
  if (!PRINCIPAL_ID.test(PrincipalId)) throw invalid(`The principal id ${PrincipalId} is not valid.`);
  return { AccountId, PermissionSetArn: ps.PermissionSetArn, PrincipalType, PrincipalId };
}

const createAccountAssignment: InstanceHandler = ({ s, i }, ic) => {
  const r = newRequest(s, ic, { kind: 'create-assignment', ...assignmentOf(ic, i) });
  return { AccountAssignmentCreationStatus: assignmentStatus(r) };
};

const deleteAccountAssignment: InstanceHandler = ({ s, i }, ic) => {
  const a = assignmentOf(ic, i);
  const exists = ic.assignments.some(
    (b) =>
      b.AccountId === a.AccountId &&
      b.PermissionSetArn === a.PermissionSetArn &&
      b.PrincipalType === a.PrincipalType &&
      b.PrincipalId === a.PrincipalId,
  );
  if (!exists) throw notFound(`Could not find the account assignment of ${a.PrincipalType} ${a.PrincipalId} in ${a.AccountId}.`);
  const r = newRequest(s, ic, { kind: 'delete-assignment', ...a });
  return { AccountAssignmentDeletionStatus: assignmentStatus(r) };
};

const describeCreationStatus: InstanceHandler = ({ s, i }, ic) => ({
  AccountAssignmentCreationStatus: assignmentStatus(poll(s, ic, i.AccountAssignmentCreationRequestId, 'create-assignment')),
});

const describeDeletionStatus: InstanceHandler = ({ s, i }, ic) => ({
  AccountAssignmentDeletionStatus: assignmentStatus(poll(s, ic, i.AccountAssignmentDeletionRequestId, 'delete-assignment')),
});

// Lists of assignments and provisioning.

function listed(a: FakeAccountAssignment) {
  return { AccountId: a.AccountId, PermissionSetArn: a.PermissionSetArn, PrincipalType: a.PrincipalType, PrincipalId: a.PrincipalId };
}

const listAccountAssignments: InstanceHandler = ({ s, i }, ic) => {
  const account = accountId(i.AccountId, 'accountId');
  const ps = permissionSet(ic, i.PermissionSetArn);
  const all = ic.assignments.filter((a) => a.AccountId === account && a.PermissionSetArn === ps.PermissionSetArn);
  const { items, ...rest } = icPage(s, all, i, invalid);
  return { AccountAssignments: items.map(listed), ...rest };
};

const listAccountAssignmentsForPrincipal: InstanceHandler = ({ s, i }, ic) => {
  if (i.PrincipalType !== 'USER' && i.PrincipalType !== 'GROUP')
    throw invalid(`PrincipalType must be USER or GROUP, not ${String(i.PrincipalType)}.`);
  if (!PRINCIPAL_ID.test(String(i.PrincipalId ?? ''))) throw invalid(`The principal id ${String(i.PrincipalId)} is not valid.`);
  const filter = (i.Filter as { AccountId?: string } | undefined)?.AccountId;
  const all = ic.assignments.filter(
    (a) => a.PrincipalId === i.PrincipalId && a.PrincipalType === i.PrincipalType && (filter === undefined || a.AccountId === filter),
  );
  const { items, ...rest } = icPage(s, all, i, invalid);
  return { AccountAssignments: items.map(listed), ...rest };
};

/** Whether an account holds the permission set in the ProvisioningStatus a list asks for (any, when absent). */
function provisionedAs(ps: FakePermissionSet, account: string, status: unknown): boolean {
  const version = ps.provisioned.get(account);
  if (version === undefined) return false;
  if (status === 'LATEST_PERMISSION_SET_PROVISIONED') return version === ps.version;
  if (status === 'LATEST_PERMISSION_SET_NOT_PROVISIONED') return version !== ps.version;
  return true;
}

function provisioningFilter(i: Input): unknown {
  if (i.ProvisioningStatus !== undefined && !PROVISIONING_STATUSES.includes(String(i.ProvisioningStatus))) {
    throw invalid(`ProvisioningStatus must be one of ${PROVISIONING_STATUSES.join(', ')}.`);
  }
  return i.ProvisioningStatus;
}

const listAccountsForProvisionedPermissionSet: InstanceHandler = ({ s, i }, ic) => {
  const ps = permissionSet(ic, i.PermissionSetArn);
  const status = provisioningFilter(i);
  const { items, ...rest } = icPage(
    s,
    [...ps.provisioned.keys()].filter((account) => provisionedAs(ps, account, status)),
    i,
    invalid,
  );
  return { AccountIds: items, ...rest };
};

const listPermissionSetsProvisionedToAccount: InstanceHandler = ({ s, i }, ic) => {
  const account = accountId(i.AccountId, 'accountId');
  const status = provisioningFilter(i);
  const arns = [...ic.permissionSets.values()].filter((ps) => provisionedAs(ps, account, status)).map((ps) => ps.PermissionSetArn);
  const { items, ...rest } = icPage(s, arns, i, invalid);
  return { PermissionSets: items, ...rest };
};

/** The operations that name an InstanceArn, by operation name. */
const INSTANCE_OPERATIONS: Record<string, InstanceHandler> = {
  CreatePermissionSet: createPermissionSet,
  DescribePermissionSet: describePermissionSet,
  ListPermissionSets: listPermissionSets,
  UpdatePermissionSet: updatePermissionSet,
  DeletePermissionSet: deletePermissionSet,
  AttachManagedPolicyToPermissionSet: attachManagedPolicy,
  DetachManagedPolicyFromPermissionSet: detachManagedPolicy,
  ListManagedPoliciesInPermissionSet: listManagedPolicies,
  PutInlinePolicyToPermissionSet: putInlinePolicy,
  GetInlinePolicyForPermissionSet: getInlinePolicy,
  DeleteInlinePolicyFromPermissionSet: deleteInlinePolicy,
  ProvisionPermissionSet: provisionPermissionSet,
  DescribePermissionSetProvisioningStatus: describeProvisioningStatus,
  ListAccountsForProvisionedPermissionSet: listAccountsForProvisionedPermissionSet,
  ListPermissionSetsProvisionedToAccount: listPermissionSetsProvisionedToAccount,
  CreateAccountAssignment: createAccountAssignment,
  DescribeAccountAssignmentCreationStatus: describeCreationStatus,
  DeleteAccountAssignment: deleteAccountAssignment,
  DescribeAccountAssignmentDeletionStatus: describeDeletionStatus,
  ListAccountAssignments: listAccountAssignments,
  ListAccountAssignmentsForPrincipal: listAccountAssignmentsForPrincipal,
};

export const SSO_ADMIN_HANDLERS: HandlerTable = {
  'ssoAdmin:ListInstances': listInstances,
  ...Object.fromEntries(
    Object.entries(INSTANCE_OPERATIONS).map(([operation, run]) => [`ssoAdmin:${operation}`, onInstance(operation, run)]),
  ),
};
