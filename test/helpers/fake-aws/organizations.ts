/**
 * AWS Organizations (global state): the organization, trusted access, accounts, OUs, tags, and
 * account creation.
 * - organizations: `organization` (null: none, AWSOrganizationsNotInUseException), CreateOrganization
 *   makes the caller's account the management account (AlreadyInOrganizationException on repeat);
 *   trusted access (`serviceAccess`) is listed/enabled from the management account only, idempotently.
 * - CreateAccount: IN_PROGRESS for `creationPolls` polls, then FAILED (`creationFailures`, email in use) or SUCCEEDED.
 *   A poll is a DescribeCreateAccountStatus of the request, or a ListCreateAccountStatus that lists it, one
 *   poll behind (`pollsLeft`): polling many requests with one list sees them end. `maxCreationsInProgress`
 *   counts the most requests IN_PROGRESS at once.
 * - new members 222222222201, ...02; at most `accountQuota` accounts incl. pending (ACCOUNT_NUMBER_LIMIT_EXCEEDED).
 * - new member: OrganizationAccountAccessRole, no users; root bare with RootCredentialsManagement, else password only.
 * - `orgAccounts` (management too), `roots` (r-ab12), `ous`, `createRequests`; ListAccounts pages `pageSize` (default 2) at a time.
 * - account/OU APIs need an organization and the management account; `addMemberAccount` seeds ACTIVE members.
 * - policies (SCPs, RCPs): the types are enabled on the root (`policyTypes`); enabling one attaches its
 *   AWS-managed full-access policy (p-FullAWSAccess, p-RCPFullAWSAccess) to the root, every OU and every
 *   account, and a root, OU or account made later gets it too; disabling one detaches every policy of
 *   the type. Customer policies (`orgPolicies`, ids p-00000001, ...) hold at most 5,120 characters and
 *   unique names per type; at most 5 policies of a type per target; the last one cannot be detached.
 *   ListPolicies, ListPoliciesForTarget and ListTargetsForPolicy page 2 at a time.
 */
import {
  AccessDeniedException,
  AccountAlreadyRegisteredException,
  AccountNotFoundException,
  AlreadyInOrganizationException,
  AWSOrganizationsNotInUseException,
  ChildNotFoundException,
  ConstraintViolationException,
  CreateAccountStatusNotFoundException,
  DestinationParentNotFoundException,
  DuplicateAccountException,
  DuplicateOrganizationalUnitException,
  DuplicatePolicyAttachmentException,
  DuplicatePolicyException,
  InvalidInputException,
  MalformedPolicyDocumentException,
  ParentNotFoundException,
  PolicyNotAttachedException,
  PolicyNotFoundException,
  PolicyTypeAlreadyEnabledException,
  PolicyTypeNotAvailableForOrganizationException,
  PolicyTypeNotEnabledException,
  RootNotFoundException,
  SourceParentNotFoundException,
  TargetNotFoundException,
} from '@aws-sdk/client-organizations';
import type { CallContext } from './auth.js';
import { meta, type Call, type HandlerTable, type Input } from './shared.js';
import {
  MEMBER_ROLE,
  ROOT_ID,
  type FakeCreateRequest,
  type FakeOrgAccount,
  type FakeOrganization,
  type FakeOrganizationalUnit,
  type FakeOrgPolicy,
  type FakeOrgPolicyType,
  type FakeState,
} from './state.js';

/** Member account ids are FIRST_MEMBER_ID + 1, + 2, ...: 222222222201, 222222222202, ... */
const FIRST_MEMBER_ID = 222222222200;

type Tag = { Key: string; Value: string };

/** A new member account: its organization entry and its own account state. */
export function createMember(
  s: FakeState,
  name: string,
  email: string,
  opts: { parentId: string; tags: Tag[]; roleName: string; roleDelay: number },
): string {
  const o = s.organization;
  if (!o) throw new Error('fake AWS: a member account needs an organization (set fake.organization or send CreateOrganization first)');
  if (!s.roots.has(opts.parentId) && !s.ous.has(opts.parentId)) throw new Error(`fake AWS: no root or OU ${opts.parentId}`);
  let id: string;
  do id = String(FIRST_MEMBER_ID + s.nextMemberNumber++);
  while (s.orgAccounts.has(id) || s.accounts.has(id));
  s.orgAccounts.set(id, {
    Id: id,
    Arn: `arn:aws:organizations::${o.MasterAccountId}:account/${o.Id}/${id}`,
    Email: email,
    Name: name,
    Status: 'ACTIVE',
    parentId: opts.parentId,
    tags: opts.tags.map((t) => ({ ...t })),
  });
  s.accounts.set(id, s.memberState(id, opts.roleName));
  if (opts.roleDelay > 0) s.roleDelays.set(id, opts.roleDelay);
  attachFullAccess(s, id);
  return id;
}

/** The organization, or the error Organizations gives when the caller's account is in none. */
function requireOrganization(s: FakeState): FakeOrganization {
  if (!s.organization) {
    throw new AWSOrganizationsNotInUseException({ message: 'Your account is not a member of an organization.', ...meta });
  }
  return s.organization;
}

/** The organization, when the call comes from its management account. */
function fromManagement(s: FakeState, ctx: CallContext): FakeOrganization {
  const o = requireOrganization(s);
  if (o.MasterAccountId !== ctx.account) {
    throw new AccessDeniedException({
      message: "You don't have permissions to access this resource: only the management account can do this.",
      ...meta,
    });
  }
  return o;
}

function describeOrganization(o: FakeOrganization) {
  return {
    Id: o.Id,
    Arn: o.Arn,
    FeatureSet: o.FeatureSet,
    MasterAccountId: o.MasterAccountId,
    MasterAccountArn: `arn:aws:organizations::${o.MasterAccountId}:account/${o.Id}/${o.MasterAccountId}`,
    AvailablePolicyTypes: [],
  };
}

/** Answers a page of `items` from the offset a NextToken carries; `size` items at most. */
function page<T>(items: T[], input: Input, size = Number.POSITIVE_INFINITY) {
  let start = 0;
  if (input.NextToken !== undefined) {
    const m = /^fake-next-(\d+)$/.exec(String(input.NextToken));
    if (!m) throw new InvalidInputException({ message: 'The NextToken is not valid.', Reason: 'INVALID_NEXT_TOKEN', ...meta });
    start = Number(m[1]);
  }
  const max = Math.min(size, (input.MaxResults as number | undefined) ?? Number.POSITIVE_INFINITY);
  const end = start + max;
  return { items: items.slice(start, end), ...(end < items.length ? { NextToken: `fake-next-${end}` } : {}) };
}

function account(s: FakeState, id: unknown): FakeOrgAccount {
  const a = s.orgAccounts.get(String(id));
  if (!a) throw new AccountNotFoundException({ message: `You specified an account that doesn't exist: ${String(id)}.`, ...meta });
  return a;
}

function describeAccount(a: FakeOrgAccount) {
  return { Id: a.Id, Arn: a.Arn, Email: a.Email, Name: a.Name, Status: a.Status, State: a.Status };
}

function isParent(s: FakeState, id: string): boolean {
  return s.roots.has(id) || s.ous.has(id);
}

function parentType(s: FakeState, id: string) {
  return s.roots.has(id) ? 'ROOT' : 'ORGANIZATIONAL_UNIT';
}

function parentNotFound(parentId: string) {
  return new ParentNotFoundException({ message: `We can't find a root or OU with the ParentId that you specified: ${parentId}.`, ...meta });
}

function targetAccount(s: FakeState, resourceId: unknown): FakeOrgAccount {
  const a = s.orgAccounts.get(String(resourceId));
  if (!a)
    throw new TargetNotFoundException({
      message: `We can't find a resource that matches the ResourceId that you specified: ${String(resourceId)}.`,
      ...meta,
    });
  return a;
}

function status(r: FakeCreateRequest) {
  return {
    Id: r.Id,
    AccountName: r.AccountName,
    State: r.State,
    ...(r.AccountId ? { AccountId: r.AccountId } : {}),
    ...(r.FailureReason ? { FailureReason: r.FailureReason } : {}),
  };
}

function tags(value: unknown): Tag[] {
  return ((value as Tag[] | undefined) ?? []).map((t) => ({ Key: t.Key, Value: t.Value }));
}

/** A request whose IN_PROGRESS time is over ends now. */
function complete(s: FakeState, r: FakeCreateRequest): void {
  const emailInUse = [...s.orgAccounts.values()].some((a) => a.Email.toLowerCase() === r.Email.toLowerCase());
  const failure = takeFailure(s, r.Email) ?? (emailInUse ? 'EMAIL_ALREADY_EXISTS' : undefined);
  if (failure) {
    r.State = 'FAILED';
    r.FailureReason = failure;
    return;
  }
  r.AccountId = createMember(s, r.AccountName, r.Email, {
    parentId: ROOT_ID,
    tags: r.tags,
    roleName: r.RoleName,
    roleDelay: s.roleDelayCalls,
  });
  r.State = 'SUCCEEDED';
}

/** The reason a request for `email` is to fail with, counting down a failure meant for a number of requests. */
function takeFailure(s: FakeState, email: string): string | undefined {
  const failure = s.creationFailures.get(email);
  if (failure === undefined || typeof failure === 'string') return failure;
  if (--failure.times <= 0) s.creationFailures.delete(email);
  return failure.reason;
}

// The organization and trusted access.

function describeOrganizationHandler({ s }: Call) {
  return { Organization: describeOrganization(requireOrganization(s)) };
}

function createOrganization({ s, i, ctx }: Call) {
  if (s.organization) {
    throw new AlreadyInOrganizationException({ message: 'The provided account is already a member of an organization.', ...meta });
  }
  const Id = 'o-abc123def4';
  const master = ctx.account;
  s.organization = {
    Id,
    Arn: `arn:aws:organizations::${master}:organization/${Id}`,
    FeatureSet: (i.FeatureSet as FakeOrganization['FeatureSet'] | undefined) ?? 'ALL',
    MasterAccountId: master,
  };
  return { Organization: describeOrganization(s.organization) };
}

function listAwsServiceAccessForOrganization({ s, ctx }: Call) {
  fromManagement(s, ctx);
  return { EnabledServicePrincipals: [...s.serviceAccess].map((ServicePrincipal) => ({ ServicePrincipal })) };
}

function enableAwsServiceAccess({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  s.serviceAccess.add(i.ServicePrincipal as string);
  return {};
}

// Delegated administrators (threat-detection): the management account registers a member for a service principal.

function registerDelegatedAdministrator({ s, i, ctx }: Call) {
  const o = fromManagement(s, ctx);
  const id = String(i.AccountId);
  if (!s.orgAccounts.has(id))
    throw new AccountNotFoundException({ message: `You specified an account that doesn't exist: ${id}.`, ...meta });
  if (id === o.MasterAccountId) {
    throw new ConstraintViolationException({
      message: 'You cannot register the management account as a delegated administrator.',
      Reason: 'CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR',
      ...meta,
    });
  }
  const admins = s.delegatedAdmins.get(String(i.ServicePrincipal)) ?? new Set<string>();
  if (admins.has(id))
    throw new AccountAlreadyRegisteredException({
      message: 'The provided account is already a delegated administrator for your organization.',
      ...meta,
    });
  s.delegatedAdmins.set(String(i.ServicePrincipal), admins.add(id));
  return {};
}

function listDelegatedAdministrators({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const ids = i.ServicePrincipal
    ? [...(s.delegatedAdmins.get(String(i.ServicePrincipal)) ?? [])]
    : [...new Set([...s.delegatedAdmins.values()].flatMap((x) => [...x]))];
  return {
    DelegatedAdministrators: ids.flatMap((id) => {
      const a = s.orgAccounts.get(id);
      return a ? [{ Id: a.Id, Arn: a.Arn, Email: a.Email, Name: a.Name, Status: 'ACTIVE' }] : [];
    }),
  };
}

// Account creation.

function createAccount({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const Email = String(i.Email ?? '');
  const AccountName = String(i.AccountName ?? '');
  if (!Email || !AccountName) {
    throw new InvalidInputException({ message: 'Email and AccountName are required.', Reason: 'INPUT_REQUIRED', ...meta });
  }
  const pending = [...s.createRequests.values()].filter((r) => r.State === 'IN_PROGRESS').length;
  if (s.orgAccounts.size + pending >= s.accountQuota) {
    throw new ConstraintViolationException({
      message: 'You have reached the limit on the number of accounts in your organization.',
      Reason: 'ACCOUNT_NUMBER_LIMIT_EXCEEDED',
      ...meta,
    });
  }
  const Id = `car-${String(s.nextRequestNumber++).padStart(8, '0')}`;
  const r: FakeCreateRequest = {
    Id,
    AccountName,
    Email,
    State: 'IN_PROGRESS',
    pollsLeft: s.creationPolls,
    tags: tags(i.Tags),
    RoleName: (i.RoleName as string | undefined) ?? MEMBER_ROLE,
  };
  s.createRequests.set(Id, r);
  s.maxCreationsInProgress = Math.max(s.maxCreationsInProgress, pending + 1);
  return { CreateAccountStatus: status(r) };
}

function describeCreateAccountStatus({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const r = s.createRequests.get(String(i.CreateAccountRequestId));
  if (!r) {
    throw new CreateAccountStatusNotFoundException({
      message: `We can't find a create account request with the ID that you specified: ${String(i.CreateAccountRequestId)}.`,
      ...meta,
    });
  }
  if (r.State === 'IN_PROGRESS') {
    if (r.pollsLeft > 0) r.pollsLeft--;
    else complete(s, r);
  }
  return { CreateAccountStatus: status(r) };
}

function listCreateAccountStatus({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const states = i.States as string[] | undefined;
  // A poll of every request in progress it is asked about, as DescribeCreateAccountStatus is of one.
  if (!states || states.length === 0 || states.includes('IN_PROGRESS')) {
    for (const r of s.createRequests.values()) {
      if (r.State !== 'IN_PROGRESS') continue;
      if (r.pollsLeft > 0) r.pollsLeft--;
      else complete(s, r);
    }
  }
  const all = [...s.createRequests.values()].filter((r) => !states || states.length === 0 || states.includes(r.State));
  const { items, ...rest } = page(all, i);
  return { CreateAccountStatuses: items.map(status), ...rest };
}

// Accounts, roots and OUs.

function listAccounts({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const { items, ...rest } = page([...s.orgAccounts.values()], i, s.pageSize);
  return { Accounts: items.map(describeAccount), ...rest };
}

function describeAccountHandler({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  return { Account: describeAccount(account(s, i.AccountId)) };
}

function listRoots({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const { items, ...rest } = page([...s.roots.values()], i);
  return { Roots: items.map((r) => rootOf(s, r.Id)), ...rest };
}

function listOrganizationalUnitsForParent({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const parentId = String(i.ParentId);
  if (!isParent(s, parentId)) throw parentNotFound(parentId);
  const { items, ...rest } = page(
    [...s.ous.values()].filter((u) => u.parentId === parentId),
    i,
  );
  return { OrganizationalUnits: items.map(({ Id, Arn, Name }) => ({ Id, Arn, Name })), ...rest };
}

function createOrganizationalUnit({ s, i, ctx }: Call) {
  const o = fromManagement(s, ctx);
  const parentId = String(i.ParentId);
  const Name = String(i.Name ?? '');
  if (!isParent(s, parentId)) throw parentNotFound(parentId);
  if ([...s.ous.values()].some((u) => u.parentId === parentId && u.Name === Name)) {
    throw new DuplicateOrganizationalUnitException({ message: `An OU with the same name already exists: ${Name}.`, ...meta });
  }
  const Id = `ou-${ROOT_ID.slice(2)}-${String(s.nextOuNumber++).padStart(8, '0')}`;
  const ou: FakeOrganizationalUnit = { Id, Arn: `arn:aws:organizations::${o.MasterAccountId}:ou/${o.Id}/${Id}`, Name, parentId };
  s.ous.set(Id, ou);
  attachFullAccess(s, Id);
  return { OrganizationalUnit: { Id, Arn: ou.Arn, Name } };
}

function listParents({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const child = String(i.ChildId);
  const parentId = s.orgAccounts.get(child)?.parentId ?? s.ous.get(child)?.parentId;
  if (parentId === undefined)
    throw new ChildNotFoundException({
      message: `We can't find an organizational unit (OU) or AWS account with the ChildId that you specified: ${child}.`,
      ...meta,
    });
  return { Parents: [{ Id: parentId, Type: parentType(s, parentId) }] };
}

function moveAccount({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const a = account(s, i.AccountId);
  const source = String(i.SourceParentId);
  const destination = String(i.DestinationParentId);
  if (!isParent(s, source))
    throw new SourceParentNotFoundException({
      message: `We can't find a source root or OU with the ParentId that you specified: ${source}.`,
      ...meta,
    });
  if (!isParent(s, destination)) {
    throw new DestinationParentNotFoundException({
      message: `We can't find the destination container (a root or OU) with the ParentId that you specified: ${destination}.`,
      ...meta,
    });
  }
  if (a.parentId === destination)
    throw new DuplicateAccountException({
      message: `That account is already present in the specified destination: ${destination}.`,
      ...meta,
    });
  if (a.parentId !== source)
    throw new SourceParentNotFoundException({ message: `The account ${a.Id} is not in the source parent ${source}.`, ...meta });
  a.parentId = destination;
  return {};
}

// Tags of accounts.

function tagResource({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const a = targetAccount(s, i.ResourceId);
  for (const t of tags(i.Tags)) {
    const existing = a.tags.find((x) => x.Key === t.Key);
    if (existing) existing.Value = t.Value;
    else a.tags.push(t);
  }
  return {};
}

function listTagsForResource({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const a = targetAccount(s, i.ResourceId);
  const { items, ...rest } = page(a.tags, i);
  return { Tags: items.map((t) => ({ ...t })), ...rest };
}

// Policies: SCPs and RCPs.

const POLICY_TYPES: readonly FakeOrgPolicyType[] = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'];
/** Organizations' quotas: characters per SCP or RCP, and policies of one type attached to one target. */
export const MAX_POLICY_CHARS = 5120;
export const MAX_POLICIES_PER_TARGET = 5;

/** The AWS-managed policy that allows everything, attached wherever its type applies, as AWS does. */
export const FULL_ACCESS: Record<FakeOrgPolicyType, FakeOrgPolicy> = {
  SERVICE_CONTROL_POLICY: {
    Id: 'p-FullAWSAccess',
    Arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
    Name: 'FullAWSAccess',
    Description: 'Allows access to every operation',
    Type: 'SERVICE_CONTROL_POLICY',
    Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
  },
  RESOURCE_CONTROL_POLICY: {
    Id: 'p-RCPFullAWSAccess',
    Arn: 'arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess',
    Name: 'RCPFullAWSAccess',
    Description: 'Allows access to every operation',
    Type: 'RESOURCE_CONTROL_POLICY',
    Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}',
  },
};

function rootOf(s: FakeState, id: string) {
  const r = s.roots.get(id);
  if (!r) throw new RootNotFoundException({ message: `We can't find a root with the RootId that you specified: ${id}.`, ...meta });
  return { ...r, PolicyTypes: [...s.policyTypes].map((Type) => ({ Type, Status: 'ENABLED' })) };
}

function policyType(value: unknown): FakeOrgPolicyType {
  if (POLICY_TYPES.includes(value as FakeOrgPolicyType)) return value as FakeOrgPolicyType;
  throw new InvalidInputException({
    message: `The policy type is not valid: ${String(value)}.`,
    Reason: 'INVALID_ENUM_POLICY_TYPE',
    ...meta,
  });
}

function policy(s: FakeState, id: unknown): FakeOrgPolicy {
  const managed = Object.values(FULL_ACCESS).find((p) => p.Id === id);
  const found = managed ?? s.orgPolicies.get(String(id));
  if (!found)
    throw new PolicyNotFoundException({ message: `We can't find a policy with the PolicyId that you specified: ${String(id)}.`, ...meta });
  return found;
}

const isManaged = (p: FakeOrgPolicy) => p.Id === FULL_ACCESS[p.Type].Id;
const summary = (p: FakeOrgPolicy) => ({
  Id: p.Id,
  Arn: p.Arn,
  Name: p.Name,
  Description: p.Description,
  Type: p.Type,
  AwsManaged: isManaged(p),
});
const attachedTo = (s: FakeState, policyId: string) => s.policyAttachments.get(policyId) ?? new Set<string>();
/** Every policy of `type` attached directly to the target. */
function policiesOn(s: FakeState, targetId: string, type: FakeOrgPolicyType): FakeOrgPolicy[] {
  return [FULL_ACCESS[type], ...s.orgPolicies.values()].filter((p) => p.Type === type && attachedTo(s, p.Id).has(targetId));
}

function attach(s: FakeState, policyId: string, targetId: string): void {
  const targets = s.policyAttachments.get(policyId) ?? new Set<string>();
  targets.add(targetId);
  s.policyAttachments.set(policyId, targets);
}

/** A new OU or account gets the full-access policy of every enabled type, as AWS attaches it. */
function attachFullAccess(s: FakeState, targetId: string): void {
  for (const type of s.policyTypes) attach(s, FULL_ACCESS[type].Id, targetId);
}

/** The root, OU or account a policy can be attached to, with its kind. */
function target(s: FakeState, id: unknown): { Id: string; Arn: string; Name: string; Type: 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT' } {
  const key = String(id);
  const root = s.roots.get(key);
  if (root) return { Id: key, Arn: root.Arn, Name: root.Name, Type: 'ROOT' };
  const ou = s.ous.get(key);
  if (ou) return { Id: key, Arn: ou.Arn, Name: ou.Name, Type: 'ORGANIZATIONAL_UNIT' };
  const a = s.orgAccounts.get(key);
  if (a) return { Id: key, Arn: a.Arn, Name: a.Name, Type: 'ACCOUNT' };
  throw new TargetNotFoundException({
    message: `We can't find a root, OU, account, or policy with the TargetId that you specified: ${key}.`,
    ...meta,
  });
}

/** Refuses content Organizations would: too long, not JSON, or not a policy of the type (an RCP's Principal must be "*", an SCP has none). */
function checkContent(content: unknown, type: FakeOrgPolicyType): string {
  const text = String(content ?? '');
  if (text.length > MAX_POLICY_CHARS) {
    throw new ConstraintViolationException({
      message: `The policy is ${text.length} characters, more than the ${MAX_POLICY_CHARS} allowed.`,
      Reason: 'POLICY_CONTENT_LIMIT_EXCEEDED',
      ...meta,
    });
  }
  const malformed = (why: string) =>
    new MalformedPolicyDocumentException({
      message: `The provided policy document does not meet the requirements of the specified policy type: ${why}.`,
      ...meta,
    });
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(text) as { Statement?: unknown };
  } catch {
    throw malformed('it is not JSON');
  }
  const statements = [doc?.Statement ?? []].flat() as Record<string, unknown>[];
  if (statements.length === 0) throw malformed('it has no Statement');
  for (const st of statements) {
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') throw malformed('each statement needs Effect Allow or Deny');
    if (type === 'RESOURCE_CONTROL_POLICY' && st.Principal !== '*') throw malformed('an RCP statement must have Principal "*"');
    if (type === 'SERVICE_CONTROL_POLICY' && (st.Principal !== undefined || st.NotPrincipal !== undefined))
      throw malformed('an SCP statement has no Principal');
  }
  return text;
}

function enablePolicyType({ s, i, ctx }: Call) {
  const o = fromManagement(s, ctx);
  const root = rootOf(s, String(i.RootId));
  const type = policyType(i.PolicyType);
  if (o.FeatureSet !== 'ALL') {
    throw new PolicyTypeNotAvailableForOrganizationException({
      message: 'This policy type needs all features enabled in the organization.',
      ...meta,
    });
  }
  if (s.policyTypes.has(type))
    throw new PolicyTypeAlreadyEnabledException({ message: 'The specified policy type is already enabled.', ...meta });
  s.policyTypes.add(type);
  for (const id of [root.Id, ...s.ous.keys(), ...s.orgAccounts.keys()]) attach(s, FULL_ACCESS[type].Id, id);
  return { Root: rootOf(s, root.Id) };
}

function disablePolicyType({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const root = rootOf(s, String(i.RootId));
  const type = policyType(i.PolicyType);
  if (!s.policyTypes.has(type))
    throw new PolicyTypeNotEnabledException({ message: 'This policy type is not enabled on the root.', ...meta });
  s.policyTypes.delete(type);
  // Every policy of the type is detached; the policies themselves stay.
  for (const p of [FULL_ACCESS[type], ...s.orgPolicies.values()]) if (p.Type === type) s.policyAttachments.delete(p.Id);
  return { Root: rootOf(s, root.Id) };
}

function createPolicy({ s, i, ctx }: Call) {
  const o = fromManagement(s, ctx);
  const type = policyType(i.Type);
  const Name = String(i.Name ?? '');
  if (!/^[\s\S]{1,128}$/.test(Name))
    throw new InvalidInputException({ message: 'The policy name is not valid.', Reason: 'MAX_LENGTH_EXCEEDED', ...meta });
  if ([...s.orgPolicies.values()].some((p) => p.Name === Name && p.Type === type)) {
    throw new DuplicatePolicyException({ message: 'A policy with the same name already exists.', ...meta });
  }
  const Content = checkContent(i.Content, type);
  const Id = `p-${String(s.nextPolicyNumber++).padStart(8, '0')}`;
  const p: FakeOrgPolicy = {
    Id,
    Arn: `arn:aws:organizations::${o.MasterAccountId}:policy/${o.Id}/${type.toLowerCase()}/${Id}`,
    Name,
    Description: String(i.Description ?? ''),
    Type: type,
    Content,
  };
  s.orgPolicies.set(Id, p);
  return { Policy: { PolicySummary: summary(p), Content } };
}

function updatePolicy({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const p = policy(s, i.PolicyId);
  if (isManaged(p)) throw new AccessDeniedException({ message: 'You cannot change an AWS managed policy.', ...meta });
  if (i.Content !== undefined) p.Content = checkContent(i.Content, p.Type);
  if (i.Name !== undefined) p.Name = String(i.Name);
  if (i.Description !== undefined) p.Description = String(i.Description);
  return { Policy: { PolicySummary: summary(p), Content: p.Content } };
}

function describePolicy({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const p = policy(s, i.PolicyId);
  return { Policy: { PolicySummary: summary(p), Content: p.Content } };
}

function listPolicies({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const type = policyType(i.Filter);
  const all = [FULL_ACCESS[type], ...[...s.orgPolicies.values()].filter((p) => p.Type === type)];
  const { items, ...rest } = page(all, i, 2);
  return { Policies: items.map(summary), ...rest };
}

function attachPolicy({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const p = policy(s, i.PolicyId);
  const t = target(s, i.TargetId);
  if (!s.policyTypes.has(p.Type))
    throw new PolicyTypeNotEnabledException({ message: `The policy type ${p.Type} is not enabled on the root.`, ...meta });
  if (attachedTo(s, p.Id).has(t.Id)) {
    throw new DuplicatePolicyAttachmentException({ message: 'The selected policy is already attached to the specified target.', ...meta });
  }
  if (policiesOn(s, t.Id, p.Type).length >= MAX_POLICIES_PER_TARGET) {
    throw new ConstraintViolationException({
      message: `You have attached the maximum number of policies of this type (${MAX_POLICIES_PER_TARGET}) to ${t.Id}.`,
      Reason: 'POLICY_NUMBER_LIMIT_EXCEEDED',
      ...meta,
    });
  }
  attach(s, p.Id, t.Id);
  return {};
}

function detachPolicy({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const p = policy(s, i.PolicyId);
  const t = target(s, i.TargetId);
  if (!attachedTo(s, p.Id).has(t.Id))
    throw new PolicyNotAttachedException({ message: 'The policy is not attached to the specified target.', ...meta });
  if (policiesOn(s, t.Id, p.Type).length <= 1) {
    throw new ConstraintViolationException({
      message: `${t.Id} must keep at least one policy of type ${p.Type}.`,
      Reason: 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
      ...meta,
    });
  }
  attachedTo(s, p.Id).delete(t.Id);
  return {};
}

function listPoliciesForTarget({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const t = target(s, i.TargetId);
  const { items, ...rest } = page(policiesOn(s, t.Id, policyType(i.Filter)), i, 2);
  return { Policies: items.map(summary), ...rest };
}

function listTargetsForPolicy({ s, i, ctx }: Call) {
  fromManagement(s, ctx);
  const p = policy(s, i.PolicyId);
  const { items, ...rest } = page(
    [...attachedTo(s, p.Id)].map((id) => target(s, id)),
    i,
    2,
  );
  return { Targets: items.map(({ Id, Arn, Name, Type }) => ({ TargetId: Id, Arn, Name, Type })), ...rest };
}

export const ORGANIZATIONS_HANDLERS: HandlerTable = {
  'organizations:DescribeOrganization': describeOrganizationHandler,
  'organizations:CreateOrganization': createOrganization,
  'organizations:ListAWSServiceAccessForOrganization': listAwsServiceAccessForOrganization,
  'organizations:EnableAWSServiceAccess': enableAwsServiceAccess,
  'organizations:RegisterDelegatedAdministrator': registerDelegatedAdministrator,
  'organizations:ListDelegatedAdministrators': listDelegatedAdministrators,

  'organizations:CreateAccount': createAccount,
  'organizations:DescribeCreateAccountStatus': describeCreateAccountStatus,
  'organizations:ListCreateAccountStatus': listCreateAccountStatus,

  'organizations:ListAccounts': listAccounts,
  'organizations:DescribeAccount': describeAccountHandler,
  'organizations:ListRoots': listRoots,
  'organizations:ListOrganizationalUnitsForParent': listOrganizationalUnitsForParent,
  'organizations:CreateOrganizationalUnit': createOrganizationalUnit,
  'organizations:ListParents': listParents,
  'organizations:MoveAccount': moveAccount,

  'organizations:TagResource': tagResource,
  'organizations:ListTagsForResource': listTagsForResource,

  'organizations:EnablePolicyType': enablePolicyType,
  'organizations:DisablePolicyType': disablePolicyType,
  'organizations:CreatePolicy': createPolicy,
  'organizations:UpdatePolicy': updatePolicy,
  'organizations:DescribePolicy': describePolicy,
  'organizations:ListPolicies': listPolicies,
  'organizations:AttachPolicy': attachPolicy,
  'organizations:DetachPolicy': detachPolicy,
  'organizations:ListPoliciesForTarget': listPoliciesForTarget,
  'organizations:ListTargetsForPolicy': listTargetsForPolicy,
};
