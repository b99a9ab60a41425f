/**
 * STS: who the caller is, and the sessions into member accounts (the rules are in auth.ts).
 * - sts:GetCallerIdentity: `fake.caller`; role: `arn:aws:sts::<id>:assumed-role/<role>/<session>`; root session: `arn:aws:iam::<id>:root`.
 * - sts:AssumeRole: management (not root) into an ACTIVE member's existing role; first `roleDelayCalls` tries AccessDenied.
 * - sts:AssumeRoot: management (not root), iam trusted access, `RootSessions`, a root-task policy, <= 900 s.
 */
import { AUDIT_ROOT_TASK, DELETE_ROOT_TASK, activeMember, issueSession, managementPrincipal, principalArn, stsError } from './auth.js';
import type { Call, HandlerTable } from './shared.js';

function getCallerIdentity({ s, ctx }: Call) {
  if (ctx.principal === 'role') {
    return {
      Account: ctx.account,
      Arn: principalArn(s, ctx),
      UserId: `AROAFAKE${ctx.account}:${ctx.session?.sessionName ?? 'aws-groundwork'}`,
    };
  }
  if (ctx.principal === 'root-session') return { Account: ctx.account, Arn: principalArn(s, ctx), UserId: ctx.account };
  return { ...s.caller };
}

function assumeRole({ s, i, ctx }: Call) {
  const roleArn = String(i.RoleArn ?? '');
  const sessionName = String(i.RoleSessionName ?? '');
  const m = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/.exec(roleArn);
  if (!m || !/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
    throw stsError(
      'ValidationError',
      400,
      `1 validation error detected: RoleArn ${roleArn} or RoleSessionName ${sessionName} is not valid`,
    );
  }
  const [, id = '', roleName = ''] = m;
  const { o, denied } = managementPrincipal(s, ctx, 'AssumeRole', roleArn);
  activeMember(s, id, o, denied);
  if (!s.stateOf(id).roles.has(roleName)) throw denied(`no role ${roleName} in ${id}`);
  const wait = s.roleDelays.get(id) ?? 0;
  if (wait > 0) {
    s.roleDelays.set(id, wait - 1);
    throw denied('the role of the new account is not assumable yet');
  }
  const Credentials = issueSession(s, { kind: 'role', account: id, roleName, sessionName, expiration: new Date(Date.now() + 3_600_000) });
  return {
    Credentials,
    AssumedRoleUser: { AssumedRoleId: `AROAFAKE${id}:${sessionName}`, Arn: `arn:aws:sts::${id}:assumed-role/${roleName}/${sessionName}` },
  };
}

function assumeRoot({ s, i, ctx }: Call) {
  const target = String(i.TargetPrincipal ?? '');
  const taskPolicyArn = (i.TaskPolicyArn as { arn?: string } | undefined)?.arn ?? '';
  const duration = (i.DurationSeconds as number | undefined) ?? 900;
  if (taskPolicyArn !== AUDIT_ROOT_TASK && taskPolicyArn !== DELETE_ROOT_TASK) {
    throw stsError('ValidationError', 400, `TaskPolicyArn ${taskPolicyArn || '(none)'} is not a root-task policy this fake knows`);
  }
  if (!Number.isInteger(duration) || duration < 0 || duration > 900) {
    throw stsError('ValidationError', 400, `1 validation error detected: DurationSeconds ${duration} must be at most 900`);
  }
  const { o, denied } = managementPrincipal(s, ctx, 'AssumeRoot', `arn:aws:iam::${target}:root`);
  if (!s.serviceAccess.has('iam.amazonaws.com')) throw denied('trusted access for iam.amazonaws.com is not enabled');
  if (!s.rootFeatures.has('RootSessions')) throw denied('centralized root access: root sessions are not enabled');
  activeMember(s, target, o, denied);
  s.stateOf(target);
  const Credentials = issueSession(s, { kind: 'root', account: target, taskPolicyArn, expiration: new Date(Date.now() + duration * 1000) });
  return { Credentials };
}

export const STS_HANDLERS: HandlerTable = {
  'sts:GetCallerIdentity': getCallerIdentity,
  'sts:AssumeRole': assumeRole,
  'sts:AssumeRoot': assumeRoot,
};
