/**
 * IAM, per account (IAM state is global, not per region): the account alias and password policy, the
 * account summary, centralized root access, and paging. Identities (groups, users, policies, credentials)
 * are in iam-identities.ts.
 * - iam account alias: at most one per account. CreateAccountAlias replaces an existing alias (as AWS
 *   does); an alias held by another account (`fake.takenAliases`) or already this account's gives
 *   EntityAlreadyExistsException.
 * - iam password policy: GetAccountPasswordPolicy throws NoSuchEntityException when none is set;
 *   UpdateAccountPasswordPolicy replaces the whole policy, and every field it omits falls back to IAM's
 *   weak default (length 6, nothing required), exactly the trap the step must avoid.
 * - iam centralized root access: List/EnableOrganizations* need an ALL-features organization managed by
 *   the caller with trusted access for iam.amazonaws.com (IAM's own exceptions); `rootFeatures`.
 * - paging (`pageSize`): IAM lists answer `IsTruncated` + `Marker` to send next; a malformed Marker is
 *   ValidationError "Invalid Marker.".
 */
import {
  AccountNotManagementOrDelegatedAdministratorException,
  CallerIsNotManagementAccountException,
  EntityAlreadyExistsException,
  IAMServiceException,
  NoSuchEntityException,
  OrganizationNotFoundException,
  OrganizationNotInAllFeaturesModeException,
  ServiceAccessNotEnabledException,
  type PasswordPolicy,
} from '@aws-sdk/client-iam';
import type { CallContext } from './auth.js';
import { meta, type Call, type HandlerTable, type Input } from './shared.js';
import type { FakeOrganization, FakeState } from './state.js';

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

const ROOT_FEATURES = ['RootCredentialsManagement', 'RootSessions'];

/**
 * Answers a page of `items` as IAM does: from the offset a Marker carries, `pageSize` items at most
 * (fewer when MaxItems asks), with `IsTruncated` and the `Marker` to send next.
 */
export function iamPage<T>(s: FakeState, items: T[], input: Input): { items: T[]; IsTruncated: boolean; Marker?: string } {
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
    throw invalid(
      `1 validation error detected: Value '${String(asked)}' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    );
  }
  const end = start + Math.min(s.pageSize, asked ?? Number.POSITIVE_INFINITY);
  if (end >= items.length) return { items: items.slice(start), IsTruncated: false };
  return { items: items.slice(start, end), IsTruncated: true, Marker: `fake-marker-${end}` };
}

function listAccountAliases({ s, i, acct }: Call) {
  const { items, ...rest } = iamPage(s, acct.alias ? [acct.alias] : [], i);
  return { AccountAliases: items, ...rest };
}

function createAccountAlias({ s, i, acct }: Call) {
  const alias = i.AccountAlias as string;
  if (s.takenAliases.has(alias) || acct.alias === alias) {
    throw new EntityAlreadyExistsException({ message: `The account alias ${alias} already exists.`, ...meta });
  }
  acct.alias = alias;
  return {};
}

function getAccountPasswordPolicy({ acct, ctx }: Call) {
  if (!acct.passwordPolicy) {
    throw new NoSuchEntityException({
      message: `The Password Policy with domain name ${ctx.account} cannot be found.`,
      ...meta,
    });
  }
  return { PasswordPolicy: { ...acct.passwordPolicy } };
}

function updateAccountPasswordPolicy({ i, acct }: Call) {
  const policy: PasswordPolicy = { ...IAM_OMITTED_DEFAULTS, ...(i as PasswordPolicy) };
  policy.ExpirePasswords = (policy.MaxPasswordAge ?? 0) > 0;
  acct.passwordPolicy = policy;
  return {};
}

function getAccountSummary({ acct }: Call) {
  return {
    SummaryMap: {
      AccountAccessKeysPresent: acct.root.accessKeys.length > 0 ? 1 : 0,
      AccountMFAEnabled: acct.root.mfa ? 1 : 0,
      AccountPasswordPresent: acct.root.password ? 1 : 0,
      AccountSigningCertificatesPresent: acct.root.signingCertificates.length > 0 ? 1 : 0,
      Users: acct.users.size,
      Groups: acct.groups.size,
    },
  };
}

/** IAM's preconditions for centralized root access. */
function rootAccess(s: FakeState, enabling: boolean, ctx: CallContext): FakeOrganization {
  const o = s.organization;
  if (!o)
    throw new OrganizationNotFoundException({
      message: 'The request was rejected because no organization is associated with your account.',
      ...meta,
    });
  if (o.MasterAccountId !== ctx.account) {
    const message = 'The request was rejected because the account making the request is not the management account for the organization.';
    throw enabling
      ? new CallerIsNotManagementAccountException({ message, ...meta })
      : new AccountNotManagementOrDelegatedAdministratorException({ message, ...meta });
  }
  if (o.FeatureSet !== 'ALL') {
    throw new OrganizationNotInAllFeaturesModeException({
      message: 'The request was rejected because your organization does not have All features enabled.',
      ...meta,
    });
  }
  if (!s.serviceAccess.has('iam.amazonaws.com')) {
    throw new ServiceAccessNotEnabledException({
      message: 'The request was rejected because trusted access is not enabled for IAM in AWS Organizations.',
      ...meta,
    });
  }
  return o;
}

function features(s: FakeState, o: FakeOrganization) {
  return { OrganizationId: o.Id, EnabledFeatures: ROOT_FEATURES.filter((f) => s.rootFeatures.has(f)) };
}

function listOrganizationsFeatures({ s, ctx }: Call) {
  return features(s, rootAccess(s, false, ctx));
}

function enableOrganizationsRootCredentialsManagement({ s, ctx }: Call) {
  const o = rootAccess(s, true, ctx);
  s.rootFeatures.add('RootCredentialsManagement');
  return features(s, o);
}

function enableOrganizationsRootSessions({ s, ctx }: Call) {
  const o = rootAccess(s, true, ctx);
  s.rootFeatures.add('RootSessions');
  return features(s, o);
}

export const IAM_HANDLERS: HandlerTable = {
  'iam:ListAccountAliases': listAccountAliases,
  'iam:CreateAccountAlias': createAccountAlias,
  'iam:GetAccountPasswordPolicy': getAccountPasswordPolicy,
  'iam:UpdateAccountPasswordPolicy': updateAccountPasswordPolicy,
  'iam:GetAccountSummary': getAccountSummary,
  'iam:ListOrganizationsFeatures': listOrganizationsFeatures,
  'iam:EnableOrganizationsRootCredentialsManagement': enableOrganizationsRootCredentialsManagement,
  'iam:EnableOrganizationsRootSessions': enableOrganizationsRootSessions,
};
