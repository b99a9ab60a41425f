/**
 * IAM identities, per account: groups, users, customer-managed policies, and the credentials of users
 * and of the root user.
 * - iam identities: groups, users, customer-managed policies with versions (documents come back
 *   URL-encoded, as IAM sends them), attachments, login profiles, access keys and MFA devices. Create*
 *   of an existing name gives EntityAlreadyExistsException; Get* of a missing one NoSuchEntityException;
 *   AttachGroupPolicy and AddUserToGroup are idempotent. A policy keeps at most 5 versions (LimitExceededException).
 * - root: `root` holds its access keys, signing certificates, MFA (one device when `mfa`) and password.
 *   IAM calls without UserName (Get/DeleteLoginProfile, List/DeleteAccessKey(s), List/Delete
 *   SigningCertificate(s), ListMFADevices/DeactivateMFADevice) act on the caller: the root user when the
 *   caller is root or a root session, else the calling user. GetAccountSummary (iam.ts) reports
 *   AccountAccessKeysPresent / AccountMFAEnabled / AccountPasswordPresent / AccountSigningCertificatesPresent.
 */
import { EntityAlreadyExistsException, IAMServiceException, LimitExceededException, NoSuchEntityException } from '@aws-sdk/client-iam';
import type { CallContext } from './auth.js';
import { iamPage } from './iam.js';
import { meta, type Call, type HandlerTable, type Input } from './shared.js';
import type { FakeAccountState, FakeState } from './state.js';

export const AWS_MANAGED_POLICIES = new Set(['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess']);

/** The MFA serial of an account's root device (the console's name for a root virtual MFA device). */
export function rootMfaSerial(accountId: string): string {
  return `arn:aws:iam::${accountId}:mfa/root-account-mfa-device`;
}

/** The user name IAM gives the root user in its answers. */
const ROOT_USER = '<root_account>';

const noSuch = (what: string) => new NoSuchEntityException({ message: `${what} cannot be found.`, ...meta });
const exists = (what: string) => new EntityAlreadyExistsException({ message: `${what} already exists.`, ...meta });

function group(acct: FakeAccountState, name: unknown) {
  const g = acct.groups.get(name as string);
  if (!g) throw noSuch(`The group with name ${String(name)}`);
  return g;
}

function user(acct: FakeAccountState, name: unknown) {
  const u = acct.users.get(name as string);
  if (!u) throw noSuch(`The user with name ${String(name)}`);
  return u;
}

function policy(acct: FakeAccountState, arn: unknown) {
  const p = acct.policies.get(arn as string);
  if (!p) throw noSuch(`Policy ${String(arn)}`);
  return p;
}

function checkPolicyExists(acct: FakeAccountState, arn: string): void {
  if (!AWS_MANAGED_POLICIES.has(arn)) policy(acct, arn);
}

/** The IAM user a call without UserName is about: the calling user (roots are handled by the callers). */
function callingUser(s: FakeState, ctx: CallContext) {
  if (ctx.principal !== 'caller') {
    throw new IAMServiceException({
      name: 'ValidationError',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'Must specify userName when calling with non-User credentials',
    });
  }
  return s.caller.Arn.split('/').pop();
}

/** UserName absent and the caller is root (itself or a root session): the call is about the root user. */
function aboutRoot(i: Input, ctx: CallContext): boolean {
  return i.UserName === undefined && ctx.isRoot;
}

function callerKeys(s: FakeState, acct: FakeAccountState, userName: unknown, ctx: CallContext) {
  if (userName !== undefined) return user(acct, userName).accessKeys;
  if (ctx.isRoot) return acct.root.accessKeys;
  return user(acct, callingUser(s, ctx)).accessKeys;
}

/** How many groups, users and roles have the policy attached. */
function attachments(acct: FakeAccountState, arn: string): number {
  return [...acct.groups.values(), ...acct.users.values(), ...acct.roles.values()].filter((e) => e.attached.has(arn)).length;
}

// Groups.

function getGroup({ s, i, acct }: Call) {
  const g = group(acct, i.GroupName);
  const { items, ...rest } = iamPage(
    s,
    [...g.users].map((n) => ({ UserName: n, Arn: acct.users.get(n)?.arn })),
    i,
  );
  return { Group: { GroupName: i.GroupName, Arn: g.arn }, Users: items, ...rest };
}

function listGroups({ s, i, acct }: Call) {
  const { items, ...rest } = iamPage(s, [...acct.groups.entries()], i);
  return { Groups: items.map(([name, g]) => ({ GroupName: name, Arn: g.arn, Path: '/' })), ...rest };
}

function createGroup({ i, acct, ctx }: Call) {
  const name = i.GroupName as string;
  if (acct.groups.has(name)) throw exists(`Group with name ${name}`);
  const g = { arn: `arn:aws:iam::${ctx.account}:group/${name}`, attached: new Set<string>(), users: new Set<string>() };
  acct.groups.set(name, g);
  return { Group: { GroupName: name, Arn: g.arn } };
}

function listAttachedGroupPolicies({ s, i, acct }: Call) {
  const { items, ...rest } = iamPage(s, [...group(acct, i.GroupName).attached], i);
  return { AttachedPolicies: items.map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() })), ...rest };
}

function attachGroupPolicy({ i, acct }: Call) {
  const g = group(acct, i.GroupName);
  checkPolicyExists(acct, i.PolicyArn as string);
  g.attached.add(i.PolicyArn as string);
  return {};
}

function listGroupsForUser({ s, i, acct }: Call) {
  user(acct, i.UserName);
  const groups = [...acct.groups.entries()].filter(([, g]) => g.users.has(i.UserName as string));
  const { items, ...rest } = iamPage(s, groups, i);
  return { Groups: items.map(([name, g]) => ({ GroupName: name, Arn: g.arn })), ...rest };
}

function addUserToGroup({ i, acct }: Call) {
  user(acct, i.UserName);
  group(acct, i.GroupName).users.add(i.UserName as string);
  return {};
}

// Users and their login profiles.

function getUser({ s, i, acct }: Call) {
  const name = (i.UserName as string | undefined) ?? s.caller.Arn.split('/').pop();
  return { User: { UserName: name, Arn: user(acct, name).arn } };
}

function createUser({ i, acct, ctx }: Call) {
  const name = i.UserName as string;
  if (acct.users.has(name)) throw exists(`User with name ${name}`);
  const arn = `arn:aws:iam::${ctx.account}:user/${name}`;
  acct.users.set(name, { arn, loginProfile: null, accessKeys: [], mfaDevices: [], attached: new Set() });
  return { User: { UserName: name, Arn: arn } };
}

function listUsers({ s, i, acct }: Call) {
  const { items, ...rest } = iamPage(s, [...acct.users.entries()], i);
  return { Users: items.map(([name, u]) => ({ UserName: name, Arn: u.arn })), ...rest };
}

function getLoginProfile({ s, i, acct, ctx }: Call) {
  if (aboutRoot(i, ctx)) {
    if (!acct.root.password) throw noSuch(`Login Profile for User ${ROOT_USER}`);
    return { LoginProfile: { UserName: ROOT_USER, PasswordResetRequired: false } };
  }
  const name = i.UserName ?? callingUser(s, ctx);
  const u = user(acct, name);
  if (!u.loginProfile) throw noSuch(`Login Profile for User ${String(name)}`);
  return { LoginProfile: { UserName: name, PasswordResetRequired: u.loginProfile.passwordResetRequired } };
}

function deleteLoginProfile({ s, i, acct, ctx }: Call) {
  if (aboutRoot(i, ctx)) {
    if (!acct.root.password) throw noSuch(`Login Profile for User ${ROOT_USER}`);
    acct.root.password = false;
    return {};
  }
  const name = i.UserName ?? callingUser(s, ctx);
  const u = user(acct, name);
  if (!u.loginProfile) throw noSuch(`Login Profile for User ${String(name)}`);
  u.loginProfile = null;
  return {};
}

function createLoginProfile({ i, acct }: Call) {
  const u = user(acct, i.UserName);
  if (u.loginProfile) throw exists(`Login Profile for user ${String(i.UserName)}`);
  u.loginProfile = { password: i.Password as string, passwordResetRequired: Boolean(i.PasswordResetRequired) };
  return { LoginProfile: { UserName: i.UserName, PasswordResetRequired: u.loginProfile.passwordResetRequired } };
}

// Access keys, MFA devices and signing certificates (a user's, or the root user's).

function listAccessKeys({ s, i, acct, ctx }: Call) {
  const { items, ...rest } = iamPage(s, callerKeys(s, acct, i.UserName, ctx), i);
  return { AccessKeyMetadata: items.map((k) => ({ ...k })), ...rest };
}

function deleteAccessKey({ s, i, acct, ctx }: Call) {
  const keys = callerKeys(s, acct, i.UserName, ctx);
  const at = keys.findIndex((k) => k.AccessKeyId === i.AccessKeyId);
  if (at < 0) throw noSuch(`The Access Key with id ${String(i.AccessKeyId)}`);
  keys.splice(at, 1);
  return {};
}

function listMfaDevices({ s, i, acct, ctx }: Call) {
  const devices = aboutRoot(i, ctx)
    ? acct.root.mfa
      ? [rootMfaSerial(ctx.account)]
      : []
    : user(acct, i.UserName ?? callingUser(s, ctx)).mfaDevices;
  const { items, ...rest } = iamPage(s, devices, i);
  return { MFADevices: items.map((d) => ({ SerialNumber: d, UserName: i.UserName })), ...rest };
}

function deactivateMfaDevice({ s, i, acct, ctx }: Call) {
  const serial = String(i.SerialNumber);
  if (aboutRoot(i, ctx)) {
    if (!acct.root.mfa || serial !== rootMfaSerial(ctx.account)) throw noSuch(`MFA device ${serial} of the root user`);
    acct.root.mfa = false;
    return {};
  }
  const name = i.UserName ?? callingUser(s, ctx);
  const u = user(acct, name);
  const at = u.mfaDevices.indexOf(serial);
  if (at < 0) throw noSuch(`MFA device ${serial} of user ${String(name)}`);
  u.mfaDevices.splice(at, 1);
  return {};
}

function listSigningCertificates({ s, i, acct, ctx }: Call) {
  let ids: string[] = [];
  if (aboutRoot(i, ctx)) ids = acct.root.signingCertificates;
  // IAM users have no signing certificates in the fake: an existing user has none.
  else user(acct, i.UserName ?? callingUser(s, ctx));
  const { items, ...rest } = iamPage(s, ids, i);
  return {
    Certificates: items.map((CertificateId) => ({
      UserName: (i.UserName as string | undefined) ?? ROOT_USER,
      CertificateId,
      CertificateBody: '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----',
      Status: 'Active',
    })),
    ...rest,
  };
}

function deleteSigningCertificate({ s, i, acct, ctx }: Call) {
  const id = String(i.CertificateId);
  if (aboutRoot(i, ctx)) {
    const at = acct.root.signingCertificates.indexOf(id);
    if (at < 0) throw noSuch(`The Certificate with id ${id}`);
    acct.root.signingCertificates.splice(at, 1);
    return {};
  }
  user(acct, i.UserName ?? callingUser(s, ctx));
  throw noSuch(`The Certificate with id ${id}`);
}

// Customer-managed policies and their versions.

function getPolicy({ i, acct }: Call) {
  const p = policy(acct, i.PolicyArn);
  const def = p.versions.find((v) => v.IsDefaultVersion);
  return {
    Policy: { PolicyName: p.name, Arn: p.arn, Path: p.path, DefaultVersionId: def?.VersionId, AttachmentCount: attachments(acct, p.arn) },
  };
}

function createPolicy({ i, acct, ctx }: Call) {
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
}

function getPolicyVersion({ i, acct }: Call) {
  const v = policy(acct, i.PolicyArn).versions.find((x) => x.VersionId === i.VersionId);
  if (!v) throw noSuch(`Policy version ${String(i.VersionId)}`);
  return { PolicyVersion: { VersionId: v.VersionId, Document: v.Document, IsDefaultVersion: v.IsDefaultVersion } };
}

function listPolicyVersions({ s, i, acct }: Call) {
  const { items, ...rest } = iamPage(s, policy(acct, i.PolicyArn).versions, i);
  return { Versions: items.map(({ VersionId, IsDefaultVersion }) => ({ VersionId, IsDefaultVersion })), ...rest };
}

function createPolicyVersion({ i, acct }: Call) {
  const p = policy(acct, i.PolicyArn);
  if (p.versions.length >= 5) {
    throw new LimitExceededException({ message: 'A managed policy can have up to 5 versions.', ...meta });
  }
  const v = {
    VersionId: `v${p.nextVersion}`,
    Document: encodeURIComponent(i.PolicyDocument as string),
    IsDefaultVersion: false,
    seq: p.nextVersion++,
  };
  p.versions.push(v);
  if (i.SetAsDefault) for (const x of p.versions) x.IsDefaultVersion = x === v;
  return { PolicyVersion: { VersionId: v.VersionId, IsDefaultVersion: v.IsDefaultVersion } };
}

function deletePolicyVersion({ i, acct }: Call) {
  const p = policy(acct, i.PolicyArn);
  const at = p.versions.findIndex((x) => x.VersionId === i.VersionId);
  if (at < 0) throw noSuch(`Policy version ${String(i.VersionId)}`);
  if (p.versions[at]?.IsDefaultVersion) throw new Error('DeleteConflict: cannot delete the default version');
  p.versions.splice(at, 1);
  return {};
}

function listPolicies({ s, i, acct }: Call) {
  const local = [...acct.policies.values()].filter((p) => !i.OnlyAttached || attachments(acct, p.arn) > 0);
  const { items, ...rest } = iamPage(s, local, i);
  return {
    Policies: items.map((p) => ({
      PolicyName: p.name,
      Arn: p.arn,
      DefaultVersionId: p.versions.find((v) => v.IsDefaultVersion)?.VersionId,
      AttachmentCount: attachments(acct, p.arn),
    })),
    ...rest,
  };
}

export const IAM_IDENTITY_HANDLERS: HandlerTable = {
  'iam:GetGroup': getGroup,
  'iam:ListGroups': listGroups,
  'iam:CreateGroup': createGroup,
  'iam:ListAttachedGroupPolicies': listAttachedGroupPolicies,
  'iam:AttachGroupPolicy': attachGroupPolicy,
  'iam:ListGroupsForUser': listGroupsForUser,
  'iam:AddUserToGroup': addUserToGroup,

  'iam:GetUser': getUser,
  'iam:CreateUser': createUser,
  'iam:ListUsers': listUsers,
  'iam:GetLoginProfile': getLoginProfile,
  'iam:DeleteLoginProfile': deleteLoginProfile,
  'iam:CreateLoginProfile': createLoginProfile,

  'iam:ListAccessKeys': listAccessKeys,
  'iam:DeleteAccessKey': deleteAccessKey,
  'iam:ListMFADevices': listMfaDevices,
  'iam:DeactivateMFADevice': deactivateMfaDevice,
  'iam:ListSigningCertificates': listSigningCertificates,
  'iam:DeleteSigningCertificate': deleteSigningCertificate,

  'iam:GetPolicy': getPolicy,
  'iam:CreatePolicy': createPolicy,
  'iam:GetPolicyVersion': getPolicyVersion,
  'iam:ListPolicyVersions': listPolicyVersions,
  'iam:CreatePolicyVersion': createPolicyVersion,
  'iam:DeletePolicyVersion': deletePolicyVersion,
  'iam:ListPolicies': listPolicies,
};
