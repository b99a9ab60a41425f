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
import { list, object, string, unique, type Rule } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import {
  allPages,
  attachedGroupPolicies,
  awsManagedPolicyArn,
  decodePolicyDocument,
  hasConsolePassword,
  mfaDevices,
  orAbsent,
} from '../../src/aws/iam-reads.js';
import { PreconditionError } from '../../src/errors.js';
import { change, check, checks } from '../../src/kit/builders.js';
import { defineStep, type PlannedChange, type PlannedFinding } from '../../src/kit/step.js';
import { doneOn, isAwsError, type Change, type Json } from '../../src/model.js';
import type { MembershipInput } from '../admin-group/index.js';
import { adminGroupOf, groupsWithPolicies } from '../admin-group/reads.js';
import { MFA_POLICY_NAME, MFA_POLICY_PATH, mfaPolicyArn, mfaPolicyDocument } from './policy-document.js';

/**
 * The admin group is what this step is for: when admin-group is in the file too, its group must be
 * among these (a renamed admin group left out would attach to a group nothing makes, late in apply).
 */
const coversAdminGroup: Rule<string[]> = (groups, { path, steps }) => {
  const admins = steps['admin-group']?.name;
  if (typeof admins !== 'string' || groups.some((g) => g.toLowerCase() === admins.toLowerCase())) return [];
  const message = `leaves out the admin group "${admins}" (steps.admin-group.name), whose members would then not need MFA: add "${admins}" to ${path}`;
  return [{ at: [], message }];
};

const answers = object(
  {
    groups: list(string({ description: 'an IAM group name', pattern: /^[\w+=,.@-]{1,128}$/, patternHint: 'an IAM group name' }), {
      description: 'Groups whose members must use MFA: without it they can only set their password and MFA device',
      default: ['Admins'],
      rules: [
        unique({ key: (g) => g.toLowerCase(), what: 'the group', why: 'IAM group names ignore case, so it is the same group' }),
        coversAdminGroup,
      ],
    }),
  },
  { description: 'The MFA-required policy on the admin group' },
);

/** The policy kinds' input is the change's `after`: the policy and the document it must hold. */
type PolicyInput = { PolicyArn: string; PolicyDocument: Json };
type Operations = {
  'create-policy': PolicyInput;
  /** The policy exists with another document: a new default version restores the template. */
  'restore-policy': PolicyInput;
  attachment: { GroupName: string; PolicyArn: string };
};

const CHECKS = checks({
  policyAttached: {
    id: 'mfa-enforcement.policy-attached',
    title: 'The MFA-required policy is attached to each configured group',
    remediation: 'Run `aws-groundwork apply` to restore and attach the MFA-required policy.',
  },
  consoleUsersHaveMfa: {
    id: 'mfa-enforcement.console-users-have-mfa',
    title: 'MFA is enabled for every IAM user with a console password',
    remediation: `Each of them signs in and registers an MFA device: IAM console > Users > (user) > Security credentials > Assign MFA device.`,
  },
});

const POLICY_ADDRESS = `iam:policy${MFA_POLICY_PATH}${MFA_POLICY_NAME}`;

/** Refuses a run that would leave the caller unable to make its own next call. */
export class LockOutError extends Error {
  override name = 'LockOutError';
}

function missingGroup(group: string): PreconditionError {
  return new PreconditionError(
    `the group ${group} does not exist, so the MFA-required policy cannot be attached to it.\n` +
      '  The admin-group step creates the admin group (steps.admin-group.name, Admins by default): include it in this run ' +
      '(add it to --only or take it out of --skip, and put `admin-group: {}` in the answers file), or fix steps.mfa-enforcement.groups.',
  );
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

/** The groups admin-group adds this user to in the same run (its step id and operation kind, as it plans them). */
const joinedInThisRun = (changes: Change[], userName: string): string[] =>
  changes
    .filter((c) => c.step === 'admin-group' && c.operation.kind === 'membership')
    .map((c) => c.operation.input as MembershipInput)
    .filter((m) => m.UserName === userName)
    .map((m) => m.GroupName);

/** Makes the template the policy's default version. */
async function restoreDefault(aws: AwsClients, { PolicyArn, PolicyDocument }: PolicyInput): Promise<void> {
  // A managed policy keeps at most five versions: make room by deleting the oldest non-default one.
  const versions = await allPages(async (Marker) => {
    const r = await aws.iam.send(new ListPolicyVersionsCommand({ PolicyArn, Marker }));
    return { items: r.Versions, IsTruncated: r.IsTruncated, Marker: r.Marker };
  });
  if (versions.length >= 5) {
    const oldest = versions
      .filter((v) => !v.IsDefaultVersion)
      .sort((a, b) => Number(a.VersionId?.slice(1)) - Number(b.VersionId?.slice(1)))[0];
    if (oldest) await aws.iam.send(new DeletePolicyVersionCommand({ PolicyArn, VersionId: oldest.VersionId }));
  }
  await aws.iam.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: JSON.stringify(PolicyDocument), SetAsDefault: true }));
}

/** Why the group does not require MFA, or null when it does. */
function attachmentProblem(
  group: string,
  current: Record<string, unknown> | null,
  intact: boolean,
  attached: string[] | null,
  arn: string,
): string | null {
  if (intact && attached?.includes(arn)) return null;
  if (current === null) return `the MFA-required policy ${MFA_POLICY_NAME} does not exist`;
  if (!intact) return `the MFA-required policy ${MFA_POLICY_NAME} was changed from its template`;
  return attached === null ? `the group ${group} does not exist` : `${MFA_POLICY_NAME} is not attached to ${group}`;
}

export default defineStep({
  id: 'mfa-enforcement',
  title: 'MFA enforcement',
  description: 'Attaches an MFA-required policy to the admin group: without MFA its members can only change their password and set up MFA.',
  checks: CHECKS.list,
  scope: 'management',
  answers,
  permissions: {
    read: [
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
      'iam:ListPolicyVersions',
      'iam:ListAttachedGroupPolicies',
      'iam:ListGroups',
      'iam:ListGroupsForUser',
      'iam:ListMFADevices',
      'iam:ListUsers',
      'iam:GetLoginProfile',
    ],
    apply: ['iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:AttachGroupPolicy'],
  },

  async suggest(ctx) {
    const arn = mfaPolicyArn(ctx.caller.partition, ctx.account.id);
    const groups = await groupsWithPolicies(ctx.aws);
    const admins =
      adminGroupOf(groups, awsManagedPolicyArn(ctx.caller.partition, 'AdministratorAccess'), (a) => a.includes(arn)) ?? 'Admins';
    const covered = groups.filter((g) => g.attached.includes(arn)).map((g) => g.name);
    const notes: Record<string, string[]> = {};
    // The answers rule: the admin group (admin-group's suggestion, the same pick) is always among them.
    if (!covered.includes(admins)) notes.groups = [`${admins}, the admin group, does not require MFA yet: the plan attaches the policy.`];
    const current = await currentDocument(ctx.aws, arn);
    if (current && !isDeepStrictEqual(current, mfaPolicyDocument(ctx.caller.partition)))
      notes[''] = [`The policy ${MFA_POLICY_NAME} was changed from its template: the plan restores it.`];
    return { defaults: { groups: covered.includes(admins) ? covered : [admins, ...covered] }, notes };
  },

  async plan(ctx) {
    const PolicyArn = mfaPolicyArn(ctx.caller.partition, ctx.account.id);
    const wanted = { PolicyArn, PolicyDocument: mfaPolicyDocument(ctx.caller.partition) as Json };
    const changes: PlannedChange<Operations>[] = [];
    // `risk` leads: the plan document prints the fields in this order.
    const policy = { risk: 'security' as const, address: POLICY_ADDRESS };
    const current = await currentDocument(ctx.aws, PolicyArn);
    if (current === null) {
      const summary = `create the MFA-required policy ${MFA_POLICY_NAME}`;
      changes.push(change('create-policy', wanted, { ...policy, action: 'create', before: null, after: wanted, summary }));
    } else if (!isDeepStrictEqual(current, wanted.PolicyDocument)) {
      const before = { PolicyArn, PolicyDocument: current as Json };
      const summary = `restore the MFA-required policy ${MFA_POLICY_NAME} to its template`;
      changes.push(change('restore-policy', wanted, { ...policy, action: 'update', before, after: wanted, summary }));
    }
    // Without admin-group in the run, nothing makes a missing group before apply attaches to it.
    const groupMaker = ctx.inRun('admin-group');
    for (const GroupName of ctx.answers.groups) {
      const attached = current === null && groupMaker ? [] : await attachedGroupPolicies(ctx.aws.iam, GroupName);
      if (attached === null && !groupMaker) throw missingGroup(GroupName);
      if (attached?.includes(PolicyArn)) continue;
      const input = { GroupName, PolicyArn };
      const address = `iam:group/${GroupName}/policy/${MFA_POLICY_NAME}`;
      const summary = `require MFA for the members of ${GroupName}`;
      changes.push(change('attachment', input, { risk: 'security', address, action: 'create', before: null, after: input, summary }));
    }
    return changes;
  },

  /**
   * The lock-out guard. The policy denies everything but self-service to a session without MFA, so an
   * IAM user in an affected group, running without MFA, would be denied its own next call once it is
   * attached (undoing it included). Checked with every change of the run: admin-group may be adding
   * the caller to the group in the same apply.
   */
  async preflight(ctx, changes) {
    const userName = ctx.caller.userName;
    if (!userName) return; // root and roles are not members of groups
    const mine = new Set([...(await groupsOfUser(ctx.aws, userName)), ...joinedInThisRun(changes, userName)]);
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

  apply: {
    async 'create-policy'(ctx, input: Operations['create-policy']) {
      const created = await doneOn('EntityAlreadyExists')(() =>
        ctx.aws.iam.send(
          new CreatePolicyCommand({
            PolicyName: MFA_POLICY_NAME,
            Path: MFA_POLICY_PATH,
            PolicyDocument: JSON.stringify(input.PolicyDocument),
            Description: 'aws-groundwork: without MFA, only self-service (password, own MFA device) is allowed',
          }),
        ),
      );
      // Created by an interrupted run: make its default version the template.
      if (!created) await restoreDefault(ctx.aws, input);
    },
    async 'restore-policy'(ctx, input: Operations['restore-policy']) {
      await restoreDefault(ctx.aws, input);
    },
    async attachment(ctx, { GroupName, PolicyArn }: Operations['attachment']) {
      try {
        await ctx.aws.iam.send(new AttachGroupPolicyCommand({ GroupName, PolicyArn }));
      } catch (err) {
        if (isAwsError(err, 'NoSuchEntity')) {
          (err as Error).message =
            `the group ${GroupName} does not exist; add it to the admin-group step or fix steps.mfa-enforcement.groups (${(err as Error).message})`;
        }
        throw err;
      }
    },
  },

  async verify(ctx) {
    const arn = mfaPolicyArn(ctx.caller.partition, ctx.account.id);
    const current = await currentDocument(ctx.aws, arn);
    const intact = current !== null && isDeepStrictEqual(current, mfaPolicyDocument(ctx.caller.partition));
    const findings: PlannedFinding[] = [];
    for (const group of ctx.answers.groups) {
      const attached = current === null ? null : await attachedGroupPolicies(ctx.aws.iam, group);
      const problem = attachmentProblem(group, current, intact, attached, arn);
      findings.push(
        check(CHECKS.policyAttached, `iam:group/${group}`, problem, `${group} requires MFA (${MFA_POLICY_NAME} attached and unchanged)`),
      );
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
    const problem = withoutMfa.length > 0 && `IAM users with a console password and no MFA: ${withoutMfa.join(', ')}`;
    findings.push(check(CHECKS.consoleUsersHaveMfa, 'iam:users', problem, 'every IAM user with a console password has MFA'));
    return findings;
  },
});
