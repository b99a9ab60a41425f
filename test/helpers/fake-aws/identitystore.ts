/**
 * The identity store of IAM Identity Center: users, groups and group memberships (`identityCenter.users`,
 * `groups`, `memberships`).
 * - IdentityStoreId: the instance's. Its owner account reads and writes it in the instance's region; the
 *   organization's other accounts there may only read it (the API reference lets member accounts call the
 *   read operations), their writes are AccessDeniedException. Anyone else, any other region, or no
 *   instance: ResourceNotFoundException (ResourceType IDENTITY_STORE), as AWS answers a store it does not
 *   hold there. A malformed id is ValidationException. Every error answers HTTP 400, as AWS sends them.
 * - groups: DisplayName required and unique (ConflictException, Reason UNIQUENESS_CONSTRAINT_VIOLATION);
 *   GetGroupId by `displayName`.
 * - users: UserName, DisplayName, Name.GivenName and Name.FamilyName required (ValidationException, as the
 *   emulator); UserName unique whatever its case; `Administrator` and `AWSAdministrators` are reserved names.
 *   GetUserId by `userName` (any case) or `emails.value`. UpdateUser takes the paths `displayName`,
 *   `name.givenName`, `name.familyName`, `name.formatted` and `emails` (a list of `{ value, type, primary }`);
 *   null removes an attribute, '' is refused, and a required one cannot be removed. Other paths are not modelled.
 * - deleting a group or a user deletes its memberships; account assignments naming it stay, as in AWS.
 * - lists answer `pageSize` items a page with a NextToken (sso-admin.ts `icPage`); ExternalIds are never set.
 */
import {
  AccessDeniedException,
  ConflictException,
  ResourceNotFoundException,
  ValidationException,
  type ResourceType,
} from '@aws-sdk/client-identitystore';
import { isReadOperation } from '../../../src/aws/actions.js';
import { principalArn } from './auth.js';
import { meta, type Call, type Handler, type HandlerTable, type Input } from './shared.js';
import { icPage, nextUuid } from './sso-admin.js';
import type { FakeGroupMembership, FakeIdentityCenter, FakeIdentityGroup, FakeIdentityUser } from './state.js';

const invalid = (message: string) => new ValidationException({ message, Message: message, ...meta });
const duplicate = (message: string) =>
  new ConflictException({ message, Message: message, Reason: 'UNIQUENESS_CONSTRAINT_VIOLATION', ...meta });
const notFound = (type: ResourceType, id: string, message = `${type} not found.`) =>
  new ResourceNotFoundException({ message, Message: message, ResourceType: type, ResourceId: id, ...meta });

const STORE_ID = /^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const RESERVED_NAMES = ['administrator', 'awsadministrators'];

type StoreHandler = (call: Call, ic: FakeIdentityCenter, storeId: string) => unknown;

/** Runs an operation on the store its IdentityStoreId names, once the caller is seen to reach that store. */
function inStore(operation: string, run: StoreHandler): Handler {
  return (call) => {
    const { s, i, region, ctx } = call;
    const id = String(i.IdentityStoreId ?? '');
    if (!STORE_ID.test(id)) throw invalid(`1 validation error detected: Value '${id}' at 'identityStoreId' failed to satisfy constraint`);
    const ic = s.identityCenter;
    const instance = ic.instance?.IdentityStoreId === id && region === ic.region ? ic.instance : null;
    const owner = instance !== null && ctx.account === instance.OwnerAccountId;
    if (!owner && !(instance && s.orgAccounts.has(ctx.account))) {
      throw notFound('IDENTITY_STORE', id, `IdentityStore not present for IdentityStoreId: ${id}`);
    }
    if (!owner && !isReadOperation('identitystore', operation)) {
      const message = `User: ${principalArn(s, ctx)} is not authorized to perform: identitystore:${operation} on resource: arn:aws:identitystore::${instance?.OwnerAccountId ?? ''}:identitystore/${id}`;
      throw new AccessDeniedException({ message, Message: message, ...meta });
    }
    return run(call, ic, id);
  };
}

function requiredText(value: unknown, attribute: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(`${attribute}: The attribute ${attribute} is required`);
  return value;
}

function notReserved(name: string): string {
  if (RESERVED_NAMES.includes(name.toLowerCase())) throw invalid(`${name} is a reserved name and cannot be used.`);
  return name;
}

/** The value of a GetUserId / GetGroupId UniqueAttribute, when its path is one of `paths` (in any case). */
function uniqueAttribute(i: Input, paths: string[]): { path: string; value: string } | null {
  const alt = i.AlternateIdentifier as
    { UniqueAttribute?: { AttributePath?: unknown; AttributeValue?: unknown }; ExternalId?: unknown } | undefined;
  if (!alt?.UniqueAttribute) {
    if (alt?.ExternalId) return null;
    throw invalid('AlternateIdentifier needs a UniqueAttribute or an ExternalId.');
  }
  const path = String(alt.UniqueAttribute.AttributePath ?? '').toLowerCase();
  const value = alt.UniqueAttribute.AttributeValue;
  if (typeof value !== 'string' || value === '') throw invalid('attribute value cannot be empty or null for attribute path');
  if (!paths.includes(path)) throw invalid(`The attribute ${String(alt.UniqueAttribute.AttributePath)} is not a unique attribute`);
  return { path, value };
}

function group(ic: FakeIdentityCenter, id: unknown): FakeIdentityGroup {
  const g = ic.groups.get(String(id));
  if (!g) throw notFound('GROUP', String(id));
  return g;
}

function user(ic: FakeIdentityCenter, id: unknown): FakeIdentityUser {
  const u = ic.users.get(String(id));
  if (!u) throw notFound('USER', String(id));
  return u;
}

// Groups.

const createGroup: StoreHandler = ({ i }, ic, storeId) => {
  const DisplayName = notReserved(requiredText(i.DisplayName, 'displayName'));
  if ([...ic.groups.values()].some((g) => g.DisplayName === DisplayName)) throw duplicate('Duplicate GroupDisplayName');
  const g: FakeIdentityGroup = {
    GroupId: nextUuid(ic, 'b'),
    DisplayName,
    ...(i.Description === undefined ? {} : { Description: String(i.Description) }),
  };
  ic.groups.set(g.GroupId, g);
  return { GroupId: g.GroupId, IdentityStoreId: storeId };
};

const getGroupId: StoreHandler = ({ i }, ic, storeId) => {
  const wanted = uniqueAttribute(i, ['displayname']);
  const g = wanted && [...ic.groups.values()].find((x) => x.DisplayName === wanted.value);
  if (!g) throw notFound('GROUP', wanted?.value ?? '');
  return { GroupId: g.GroupId, IdentityStoreId: storeId };
};

const describeGroup: StoreHandler = ({ i }, ic, storeId) => ({ ...group(ic, i.GroupId), IdentityStoreId: storeId });

const listGroups: StoreHandler = ({ s, i }, ic, storeId) => {
  const { items, ...rest } = icPage(s, [...ic.groups.values()], i, invalid);
  return { Groups: items.map((g) => ({ ...g, IdentityStoreId: storeId })), ...rest };
};

const deleteGroup: StoreHandler = ({ i }, ic) => {
  const g = group(ic, i.GroupId);
  ic.groups.delete(g.GroupId);
  for (const m of [...ic.memberships.values()]) if (m.GroupId === g.GroupId) ic.memberships.delete(m.MembershipId);
  return {};
};

// Users.

function emailsOf(value: unknown): FakeIdentityUser['Emails'] {
  return ((value as { Value?: unknown; Type?: unknown; Primary?: unknown }[] | undefined) ?? []).map((e) => ({
    Value: requiredText(e.Value, 'emails.value'),
    ...(e.Type === undefined ? {} : { Type: String(e.Type) }),
    ...(e.Primary === undefined ? {} : { Primary: Boolean(e.Primary) }),
  }));
}

const createUser: StoreHandler = ({ i }, ic, storeId) => {
  const UserName = String(i.UserName ?? '');
  if (!UserName) throw invalid('userName is a required attribute');
  if (UserName.length > 128 || /[<>;:%]/.test(UserName)) throw invalid(`The user name ${UserName} is not valid.`);
  notReserved(UserName);
  const name = (i.Name ?? {}) as Record<string, unknown>;
  const required = { displayName: i.DisplayName, 'name.givenName': name.GivenName, 'name.familyName': name.FamilyName };
  const missing = Object.entries(required).filter(([, v]) => typeof v !== 'string' || v === '');
  if (missing.length > 0) throw invalid(missing.map(([k]) => `${k}: The attribute ${k} is required`).join(', '));
  if ([...ic.users.values()].some((u) => u.UserName.toLowerCase() === UserName.toLowerCase())) throw duplicate('Duplicate UserName');
  const u: FakeIdentityUser = {
    UserId: nextUuid(ic, 'a'),
    UserName,
    DisplayName: String(i.DisplayName),
    Name: {
      GivenName: String(name.GivenName),
      FamilyName: String(name.FamilyName),
      ...(name.Formatted === undefined ? {} : { Formatted: String(name.Formatted) }),
    },
    Emails: emailsOf(i.Emails),
  };
  ic.users.set(u.UserId, u);
  return { UserId: u.UserId, IdentityStoreId: storeId };
};

const getUserId: StoreHandler = ({ i }, ic, storeId) => {
  const wanted = uniqueAttribute(i, ['username', 'emails.value']);
  const found = [...ic.users.values()].find((u) =>
    wanted?.path === 'username' ? u.UserName.toLowerCase() === wanted.value.toLowerCase() : u.Emails.some((e) => e.Value === wanted?.value),
  );
  if (!wanted || !found) throw notFound('USER', wanted?.value ?? '');
  return { UserId: found.UserId, IdentityStoreId: storeId };
};

const describeUser: StoreHandler = ({ i }, ic, storeId) => ({ ...structuredClone(user(ic, i.UserId)), IdentityStoreId: storeId });

const listUsers: StoreHandler = ({ s, i }, ic, storeId) => {
  if (i.Filters !== undefined) throw new Error('fake AWS: identitystore ListUsers Filters (deprecated) are not modelled; use GetUserId');
  const { items, ...rest } = icPage(s, [...ic.users.values()], i, invalid);
  return { Users: items.map((u) => ({ ...structuredClone(u), IdentityStoreId: storeId })), ...rest };
};

/** An UpdateUser `emails` value: the SCIM shape `[{ value, type, primary }]`, as the Identity Store API takes it. */
function scimEmails(value: unknown): FakeIdentityUser['Emails'] {
  if (!Array.isArray(value)) throw invalid('The value of emails must be a list of { value, type, primary }.');
  return emailsOf(
    value.map((e: Record<string, unknown>) => {
      if (typeof e !== 'object' || e === null || 'Value' in e)
        throw invalid('The value of emails must be a list of { value, type, primary }.');
      return { Value: e.value, Type: e.type, Primary: e.primary };
    }),
  );
}

/** How UpdateUser sets each attribute path the fake models; `null` removes an attribute. */
const USER_PATHS: Record<string, (u: FakeIdentityUser, value: unknown) => void> = {
  displayname: (u, v) => (u.DisplayName = requiredText(v, 'displayName')),
  'name.givenname': (u, v) => (u.Name.GivenName = requiredText(v, 'name.givenName')),
  'name.familyname': (u, v) => (u.Name.FamilyName = requiredText(v, 'name.familyName')),
  'name.formatted': (u, v) => {
    if (v === null) delete u.Name.Formatted;
    else u.Name.Formatted = requiredText(v, 'name.formatted');
  },
  emails: (u, v) => (u.Emails = v === null ? [] : scimEmails(v)),
};

const updateUser: StoreHandler = ({ i }, ic) => {
  const current = user(ic, i.UserId);
  const operations = (i.Operations ?? []) as { AttributePath?: unknown; AttributeValue?: unknown }[];
  if (operations.length < 1 || operations.length > 100) throw invalid('Operations must hold 1 to 100 attribute operations.');
  // All operations apply or none does.
  const updated = structuredClone(current);
  for (const op of operations) {
    const path = String(op.AttributePath ?? '');
    const set = USER_PATHS[path.toLowerCase()];
    if (!set)
      throw new Error(`fake AWS: UpdateUser does not model the attribute path ${path} (only ${Object.keys(USER_PATHS).join(', ')})`);
    set(updated, op.AttributeValue === undefined ? null : op.AttributeValue);
  }
  ic.users.set(updated.UserId, updated);
  return {};
};

const deleteUser: StoreHandler = ({ i }, ic) => {
  const u = user(ic, i.UserId);
  ic.users.delete(u.UserId);
  for (const m of [...ic.memberships.values()]) if (m.UserId === u.UserId) ic.memberships.delete(m.MembershipId);
  return {};
};

// Group memberships.

function memberOf(i: Input): string {
  return String((i.MemberId as { UserId?: unknown } | undefined)?.UserId ?? '');
}

function membershipOf(m: FakeGroupMembership, storeId: string) {
  return { IdentityStoreId: storeId, MembershipId: m.MembershipId, GroupId: m.GroupId, MemberId: { UserId: m.UserId } };
}

const createGroupMembership: StoreHandler = ({ i }, ic, storeId) => {
  const g = group(ic, i.GroupId);
  const u = user(ic, memberOf(i));
  if ([...ic.memberships.values()].some((m) => m.GroupId === g.GroupId && m.UserId === u.UserId)) {
    throw duplicate(`User ${u.UserId} is already a member of group ${g.GroupId}.`);
  }
  const m: FakeGroupMembership = { MembershipId: nextUuid(ic, 'c'), GroupId: g.GroupId, UserId: u.UserId };
  ic.memberships.set(m.MembershipId, m);
  return { MembershipId: m.MembershipId, IdentityStoreId: storeId };
};

const listGroupMemberships: StoreHandler = ({ s, i }, ic, storeId) => {
  const g = group(ic, i.GroupId);
  const all = [...ic.memberships.values()].filter((m) => m.GroupId === g.GroupId);
  const { items, ...rest } = icPage(s, all, i, invalid);
  return { GroupMemberships: items.map((m) => membershipOf(m, storeId)), ...rest };
};

const getGroupMembershipId: StoreHandler = ({ i }, ic, storeId) => {
  const userId = memberOf(i);
  const m = [...ic.memberships.values()].find((x) => x.GroupId === String(i.GroupId) && x.UserId === userId);
  if (!m) throw notFound('GROUP_MEMBERSHIP', `${String(i.GroupId)}/${userId}`);
  return { MembershipId: m.MembershipId, IdentityStoreId: storeId };
};

const deleteGroupMembership: StoreHandler = ({ i }, ic) => {
  const id = String(i.MembershipId ?? '');
  if (!ic.memberships.delete(id)) throw notFound('GROUP_MEMBERSHIP', id);
  return {};
};

/** Every operation names an IdentityStoreId, by operation name. */
const STORE_OPERATIONS: Record<string, StoreHandler> = {
  CreateGroup: createGroup,
  GetGroupId: getGroupId,
  DescribeGroup: describeGroup,
  ListGroups: listGroups,
  DeleteGroup: deleteGroup,
  CreateUser: createUser,
  GetUserId: getUserId,
  DescribeUser: describeUser,
  ListUsers: listUsers,
  UpdateUser: updateUser,
  DeleteUser: deleteUser,
  CreateGroupMembership: createGroupMembership,
  ListGroupMemberships: listGroupMemberships,
  GetGroupMembershipId: getGroupMembershipId,
  DeleteGroupMembership: deleteGroupMembership,
};

export const IDENTITYSTORE_HANDLERS: HandlerTable = Object.fromEntries(
  Object.entries(STORE_OPERATIONS).map(([operation, run]) => [`identitystore:${operation}`, inStore(operation, run)]),
);
