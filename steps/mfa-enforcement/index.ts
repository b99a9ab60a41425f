import {
  AttachGroupPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListGroupsForUserCommand,
  ListPolicyVersionsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { isDeepStrictEqual } from 'node:util';
import { list, object, string } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import {
  allPages,
  attachedGroupPolicies,
  decodePolicyDocument,
  hasConsolePassword,
  mfaDevices,
  orAbsent,
} from '../../src/aws/iam-reads.js';
import { isAwsError } from '../../src/engine/errors.js';
import { defineStep, type Change, type Finding, type Json, type StepContext } from '../../src/engine/types.js';
import { MFA_POLICY_NAME, MFA_POLICY_PATH, mfaPolicyArn, mfaPolicyDocument } from './policy-document.js';

const answers = object(
  {
    groups: list(
      string({ description: 'an IAM group name', pattern: /^[\w+=,.@-]{1,128}$/, patternHint: 'an IAM group name' }),
      { description: 'Groups whose members must use MFA: without it they can only set their password and MFA device', default: ['Admins'] },
    ),
  },
  { description: 'The MFA-required policy on the admin group' },
);

type Ctx = StepContext<{ groups: string[] }>;
const STEP = 'mfa-enforcement';

/** The change's address says which kind it is; `after` carries the request. */
type Desired =
  | { kind: 'policy'; PolicyArn: string; PolicyDocument: Json }
  | { kind: 'attachment'; GroupName: string; PolicyArn: string };

const desired = (change: Change): Desired =>
  ({ kind: change.address.startsWith('iam:group/') ? 'attachment' : 'policy', ...(change.after as object) }) as Desired;

/** admin-group's membership changes are addressed `iam:group/<group>/member/<user>`. */
const MEMBERSHIP = /^iam:group\/([^/]+)\/member\/([^/]+)$/;

/** Refuses a run that would leave the caller unable to make its own next call. */
export class LockOutError extends Error {
  override name = 'LockOutError';
}

async function currentDocument(aws: AwsClients, arn: string): Promise<Record<string, unknown> | null> {
  const policy = await orAbsent(() => aws.iam.send(new GetPolicyCommand({ PolicyArn: arn })));
  if (!policy) return null;
  const version = await aws.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy?.DefaultVersionId }));
  return decodePolicyDocument(version.PolicyVersion?.Document);
}

async function groupsOfUser(aws: AwsClients, userName: string): Promise<string[]> {
  return (
    (await orAbsent(() =>
      allPages(async (Marker) => {
        const r = await aws.iam.send(new ListGroupsForUserCommand({ UserName: userName, Marker }));
        return { items: r.Groups?.map((g) => g.GroupName as string), IsTruncated: r.IsTruncated, Marker: r.Marker };
      }),
    )) ?? []
  );
}

export default defineStep({
  id: STEP,
  title: 'MFA enforcement',
  description:
    'Attaches an MFA-required policy to the admin group: without MFA its members can only change their password and set up MFA.',
  checks: [
    { id: 'mfa-enforcement.policy-attached', title: 'The MFA-required policy is attached to each configured group' },
    { id: 'mfa-enforcement.console-users-have-mfa', title: 'MFA is enabled for every IAM user with a console password' },
  ],
  scope: 'management',
  answers,
  permissions: {
    read: [
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
      'iam:ListPolicyVersions',
      'iam:ListAttachedGroupPolicies',
      'iam:ListGroupsForUser',
      'iam:ListMFADevices',
      'iam:ListUsers',
      'iam:GetLoginProfile',
    ],
    apply: ['iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:AttachGroupPolicy'],
  },

  async plan(ctx: Ctx): Promise<Change[]> {
    const arn = mfaPolicyArn(ctx.caller.partition, ctx.account.id);
    const wanted = mfaPolicyDocument(ctx.caller.partition) as Json;
    const changes: Change[] = [];
    const base = { step: STEP, account: ctx.account, risk: 'security' as const };
    const current = await currentDocument(ctx.aws, arn);
    if (current === null) {
      changes.push({ ...base, address: `iam:policy${MFA_POLICY_PATH}${MFA_POLICY_NAME}`, action: 'create', before: null, after: { PolicyArn: arn, PolicyDocument: wanted }, summary: `create the MFA-required policy ${MFA_POLICY_NAME}` });
    } else if (!isDeepStrictEqual(current, wanted)) {
      changes.push({ ...base, address: `iam:policy${MFA_POLICY_PATH}${MFA_POLICY_NAME}`, action: 'update', before: { PolicyArn: arn, PolicyDocument: current as Json }, after: { PolicyArn: arn, PolicyDocument: wanted }, summary: `restore the MFA-required policy ${MFA_POLICY_NAME} to its template` });
    }
    for (const group of ctx.answers.groups) {
      const attached = current === null ? [] : ((await attachedGroupPolicies(ctx.aws.iam, group)) ?? []);
      if (!attached.includes(arn)) {
        changes.push({ ...base, address: `iam:group/${group}/policy/${MFA_POLICY_NAME}`, action: 'create', before: null, after: { GroupName: group, PolicyArn: arn }, summary: `require MFA for the members of ${group}` });
      }
    }
    return changes;
  },

  /**
   * The lock-out guard. The policy denies everything but self-service to a session without MFA, so an
   * IAM user in an affected group, running without MFA, would be denied its own next call once it is
   * attached (undoing it included). Checked with every change of the run: admin-group may be adding
   * the caller to the group in the same apply.
   */
  async preflight(ctx: Ctx, changes: Change[]): Promise<void> {
    const userName = ctx.caller.userName;
    if (!userName) return; // root and roles are not members of groups
    const joining = changes
      .map((c) => MEMBERSHIP.exec(c.address))
      .filter((m): m is RegExpExecArray => m !== null && m[2] === userName)
      .map((m) => m[1] as string);
    const mine = new Set([...(await groupsOfUser(ctx.aws, userName)), ...joining]);
    const affected = ctx.answers.groups.filter((g) => mine.has(g));
    if (affected.length === 0) return;
    const devices = await mfaDevices(ctx.aws.iam, userName);
    // Only temporary credentials can carry MFA; with a device registered, a session token is taken
    // as an MFA session (from get-session-token with a code, a profile with mfa_serial, or CloudShell).
    if (ctx.caller.temporaryCredentials && devices.length > 0) return;
    const why = !ctx.caller.temporaryCredentials
      ? 'your session uses long-term access keys, which never carry MFA'
      : 'you have no MFA device, so your session has no MFA';
    throw new LockOutError(
      `refusing to apply: you (IAM user ${userName}) are in ${affected.join(', ')}, and ${why}. Once the MFA-required policy applies to ${affected.length === 1 ? 'that group' : 'those groups'}, your own next calls would be denied, undoing this included. Nothing was changed.\n` +
        '  Way out: run again with an MFA session (register an MFA device, then a profile with mfa_serial, or `aws sts get-session-token --serial-number <device-arn> --token-code <code>`), ' +
        'as a role (for example an SSO role), or from AWS CloudShell signed in with MFA.',
    );
  },

  async apply(ctx: Ctx, change: Change): Promise<void> {
    const want = desired(change);
    const { iam } = ctx.aws;
    if (want.kind === 'attachment') {
      try {
        await iam.send(new AttachGroupPolicyCommand({ GroupName: want.GroupName, PolicyArn: want.PolicyArn }));
      } catch (err) {
        if (isAwsError(err, 'NoSuchEntity')) {
          (err as Error).message = `the group ${want.GroupName} does not exist; add it to the admin-group step or fix steps.mfa-enforcement.groups (${(err as Error).message})`;
        }
        throw err;
      }
      return;
    }
    const document = JSON.stringify(want.PolicyDocument);
    if (change.action === 'create') {
      try {
        await iam.send(
          new CreatePolicyCommand({
            PolicyName: MFA_POLICY_NAME,
            Path: MFA_POLICY_PATH,
            PolicyDocument: document,
            Description: 'aws-groundwork: without MFA, only self-service (password, own MFA device) is allowed',
          }),
        );
        return;
      } catch (err) {
        // Created by an interrupted run: fall through and make its default version the template.
        if (!isAwsError(err, 'EntityAlreadyExists')) throw err;
      }
    }
    // A managed policy keeps at most five versions: make room by deleting the oldest non-default one.
    const versions = await allPages(async (Marker) => {
      const r = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: want.PolicyArn, Marker }));
      return { items: r.Versions, IsTruncated: r.IsTruncated, Marker: r.Marker };
    });
    if (versions.length >= 5) {
      const oldest = versions.filter((v) => !v.IsDefaultVersion).sort((a, b) => Number(a.VersionId?.slice(1)) - Number(b.VersionId?.slice(1)))[0];
      if (oldest) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: want.PolicyArn, VersionId: oldest.VersionId }));
    }
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: want.PolicyArn, PolicyDocument: document, SetAsDefault: true }));
  },

  async verify(ctx: Ctx): Promise<Finding[]> {
    const arn = mfaPolicyArn(ctx.caller.partition, ctx.account.id);
    const current = await currentDocument(ctx.aws, arn);
    const intact = current !== null && isDeepStrictEqual(current, mfaPolicyDocument(ctx.caller.partition));
    const findings: Finding[] = [];
    for (const group of ctx.answers.groups) {
      const attached = current === null ? null : await attachedGroupPolicies(ctx.aws.iam, group);
      const on = attached?.includes(arn) ?? false;
      const pass = intact && on;
      findings.push({
        step: STEP,
        check: 'mfa-enforcement.policy-attached',
        account: ctx.account,
        resource: `iam:group/${group}`,
        status: pass ? 'pass' : 'fail',
        reason: pass
          ? `${group} requires MFA (${MFA_POLICY_NAME} attached and unchanged)`
          : current === null
            ? `the MFA-required policy ${MFA_POLICY_NAME} does not exist`
            : !intact
              ? `the MFA-required policy ${MFA_POLICY_NAME} was changed from its template`
              : attached === null
                ? `the group ${group} does not exist`
                : `${MFA_POLICY_NAME} is not attached to ${group}`,
        remediation: pass ? '' : 'Run `aws-groundwork apply` to restore and attach the MFA-required policy.',
      });
    }
    // Read live, not from the credential report, which can be four hours old.
    const users = await allPages(async (Marker) => {
      const r = await ctx.aws.iam.send(new ListUsersCommand({ Marker }));
      return { items: r.Users?.map((u) => u.UserName as string), IsTruncated: r.IsTruncated, Marker: r.Marker };
    });
    const withoutMfa: string[] = [];
    for (const user of users) {
      if ((await hasConsolePassword(ctx.aws.iam, user)) && (await mfaDevices(ctx.aws.iam, user)).length === 0) withoutMfa.push(user);
    }
    findings.push({
      step: STEP,
      check: 'mfa-enforcement.console-users-have-mfa',
      account: ctx.account,
      resource: 'iam:users',
      status: withoutMfa.length === 0 ? 'pass' : 'fail',
      reason:
        withoutMfa.length === 0
          ? 'every IAM user with a console password has MFA'
          : `IAM users with a console password and no MFA: ${withoutMfa.join(', ')}`,
      remediation:
        withoutMfa.length === 0
          ? ''
          : `Each of them signs in and registers an MFA device: IAM console > Users > (user) > Security credentials > Assign MFA device.`,
    });
    return findings;
  },
});
