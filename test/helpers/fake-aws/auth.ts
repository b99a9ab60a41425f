/**
 * Who makes a call and what they may do: the account and principal the client's credentials stand
 * for, the sessions STS issues, who may assume a member's role or root, and what a root session may do.
 * - accounts: credentials pick the account: `ASIAROLE<id>` = member role, `ASIAROOT<id>` = member root session, else `caller`.
 * - root sessions: audit policy = IAM reads only; delete policy adds the four root-credential deletes; else AccessDenied.
 */
import { AccessDeniedException as SSOAdminAccessDeniedException } from '@aws-sdk/client-sso-admin';
import { AccessDeniedException as IdentitystoreAccessDeniedException } from '@aws-sdk/client-identitystore';
import { AccessDeniedException as BudgetsAccessDeniedException } from '@aws-sdk/client-budgets';
import { CostExplorerServiceException } from '@aws-sdk/client-cost-explorer';
import { AccessDeniedException as GuardDutyAccessDeniedException } from '@aws-sdk/client-guardduty';
import { AccessDeniedException as AccessAnalyzerAccessDeniedException } from '@aws-sdk/client-accessanalyzer';
import { AccessDeniedException as ServiceQuotasAccessDeniedException } from '@aws-sdk/client-service-quotas';
import { IAMServiceException } from '@aws-sdk/client-iam';
import { STSServiceException } from '@aws-sdk/client-sts';
import { AccessDeniedException as OrganizationsAccessDeniedException } from '@aws-sdk/client-organizations';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { S3ControlServiceException } from '@aws-sdk/client-s3-control';
import { KMSServiceException } from '@aws-sdk/client-kms';
import { CloudTrailServiceException } from '@aws-sdk/client-cloudtrail';
import { AccessDeniedException as AccountAccessDeniedException } from '@aws-sdk/client-account';
import { isReadOperation, type ServiceId } from '../../../src/aws/actions.js';
import { meta403 } from './shared.js';
import { MEMBER_ROLE, type FakeOrganization, type FakeOrgAccount, type FakeSession, type FakeState } from './state.js';

export const AUDIT_ROOT_TASK = 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials';
export const DELETE_ROOT_TASK = 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials';
/** What the delete task policy allows beyond reads. */
const ROOT_DELETE_OPERATIONS = new Set(['DeleteLoginProfile', 'DeleteAccessKey', 'DeleteSigningCertificate', 'DeactivateMFADevice']);

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

/** The credentials an SDK client signs with, as far as the fake reads them. */
export interface Credentials {
  accessKeyId?: string;
  sessionToken?: string;
}

/** Which account and principal a call is for, from the credentials its client signs with. */
export function contextFor(s: FakeState, credentials: Credentials | undefined): CallContext {
  const m = /^ASIA(ROLE|ROOT)(\d{12})/.exec(credentials?.accessKeyId ?? '');
  if (!m) return { account: s.caller.Account, principal: 'caller', isRoot: s.caller.Arn.endsWith(':root') };
  const account = m[2] as string;
  const kind = m[1] === 'ROLE' ? 'role' : 'root';
  const known = credentials?.sessionToken === undefined ? undefined : s.sessions.get(credentials.sessionToken);
  const session = known && known.kind === kind && known.account === account ? known : undefined;
  return {
    account,
    principal: kind === 'role' ? 'role' : 'root-session',
    isRoot: kind === 'root',
    ...(session ? { session } : {}),
  };
}

/** The ARN of whoever makes a call, for error messages. */
export function principalArn(s: FakeState, ctx: CallContext): string {
  if (ctx.principal === 'role') {
    return `arn:aws:sts::${ctx.account}:assumed-role/${ctx.session?.roleName ?? MEMBER_ROLE}/${ctx.session?.sessionName ?? 'aws-groundwork'}`;
  }
  if (ctx.principal === 'root-session') return `arn:aws:iam::${ctx.account}:root`;
  return s.caller.Arn;
}

export function stsError(name: string, httpStatusCode: number, message: string): STSServiceException {
  return new STSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message });
}

/** The AccessDenied each service answers a caller that may not do something. */
export function accessDenied(service: ServiceId, message: string): Error {
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
    // Identity Center answers every error, AccessDenied included, with HTTP 400.
    case 'ssoAdmin':
      return new SSOAdminAccessDeniedException({ message, $metadata: { httpStatusCode: 400 } });
    case 'identitystore':
      return new IdentitystoreAccessDeniedException({ message, $metadata: { httpStatusCode: 400 } });
    case 'budgets':
      return new BudgetsAccessDeniedException({ message, $metadata: { httpStatusCode: 400 } });
    // Cost Explorer's model has no AccessDeniedException; AWS answers one with HTTP 400.
    case 'costExplorer':
      return new CostExplorerServiceException({ name: 'AccessDeniedException', ...opts, $metadata: { httpStatusCode: 400 } });
    case 'guardduty':
      return new GuardDutyAccessDeniedException({ message, ...meta403 });
    case 'accessAnalyzer':
      return new AccessAnalyzerAccessDeniedException({ message, ...meta403 });
    case 'serviceQuotas':
      return new ServiceQuotasAccessDeniedException({ message, ...meta403 });
  }
}

/** A root session may do only what its root-task policy allows. */
export function checkRootTask(service: ServiceId, operation: string, ctx: CallContext): void {
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

/** Records a session and answers its credentials, whose access key id names its kind and account. */
export function issueSession(s: FakeState, session: FakeSession) {
  const token = `fake-${session.kind}-session-${s.nextSessionNumber++}`;
  s.sessions.set(token, session);
  return {
    AccessKeyId: `ASIA${session.kind === 'role' ? 'ROLE' : 'ROOT'}${session.account}`,
    SecretAccessKey: `fake-secret-${session.kind}`,
    SessionToken: token,
    Expiration: session.expiration,
  };
}

/** How a refused AssumeRole / AssumeRoot says why. */
export type Denied = (why: string) => Error;

/** The management account's own non-root principal, which both AssumeRole and AssumeRoot need. */
export function managementPrincipal(
  s: FakeState,
  ctx: CallContext,
  action: string,
  resource: string,
): { o: FakeOrganization; denied: Denied } {
  const denied = (why: string) =>
    stsError(
      'AccessDenied',
      403,
      `User: ${principalArn(s, ctx)} is not authorized to perform: sts:${action} on resource: ${resource} (${why})`,
    );
  if (ctx.principal === 'caller' && ctx.isRoot) {
    throw stsError(
      'AccessDenied',
      403,
      action === 'AssumeRole' ? 'Roles may not be assumed by root accounts.' : `The root user cannot call sts:${action}.`,
    );
  }
  const o = s.organization;
  if (!o) throw denied('the account is not in an organization');
  if (ctx.principal !== 'caller' || o.MasterAccountId !== ctx.account) throw denied('only the management account of the organization may');
  return { o, denied };
}

/** An ACTIVE member (not the management account itself). */
export function activeMember(s: FakeState, id: string, o: FakeOrganization, denied: Denied): FakeOrgAccount {
  const a = s.orgAccounts.get(id);
  if (!a || id === o.MasterAccountId || a.Status !== 'ACTIVE') throw denied(`${id} is not an active member account of the organization`);
  return a;
}
