import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  GetLoginProfileCommand,
  CreateUserCommand,
  GetAccountPasswordPolicyCommand,
  GetPolicyVersionCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListPoliciesCommand,
} from '@aws-sdk/client-iam';
import { list, object, string } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { LostAnswerError } from '../../src/aws/retry.js';
import {
  allPages,
  attachedGroupPolicies,
  awsManagedPolicyArn,
  decodePolicyDocument,
  groupMembers,
  hasConsolePassword,
  orAbsent,
} from '../../src/aws/iam-reads.js';
import { isAwsError } from '../../src/engine/errors.js';
import { defineStep, type Change, type Finding, type StepContext } from '../../src/engine/types.js';
import { generatePassword } from './password.js';

/** IAM's name rules for groups and users. */
const IAM_NAME = /^[\w+=,.@-]+$/;

const answers = object(
  {
    name: string({
      description: 'The admin group: members get the AWS-managed AdministratorAccess policy',
      pattern: IAM_NAME,
      patternHint: 'letters, digits and + = , . @ _ -',
      maxLength: 128,
      default: 'Admins',
    }),
    users: list(
      string({
        description: 'an IAM user name',
        pattern: IAM_NAME,
        patternHint: 'letters, digits and + = , . @ _ - (at most 64)',
        maxLength: 64,
      }),
      {
        description:
          'Admin users to create: console access only, a one-time password shown once at the terminal, no access keys',
        default: [],
      },
    ),
  },
  { description: 'The admin group and its users' },
);

type Answers = { name: string; users: string[] };
type Ctx = StepContext<Answers>;

const STEP = 'admin-group';

/**
 * What each planned change does: its address says which kind it is, its `after` carries the request,
 * so apply needs nothing else. Membership addresses (`iam:group/G/member/U`) are read by
 * mfa-enforcement's lock-out guard.
 */
type Desired =
  | { kind: 'group'; GroupName: string }
  | { kind: 'policy'; GroupName: string; PolicyArn: string }
  | { kind: 'user'; UserName: string }
  | { kind: 'console-password'; UserName: string; PasswordResetRequired: true }
  | { kind: 'membership'; GroupName: string; UserName: string };

const ADDRESS_KINDS: [RegExp, Desired['kind']][] = [
  [/^iam:group\/[^/]+$/, 'group'],
  [/^iam:group\/[^/]+\/policy\/[^/]+$/, 'policy'],
  [/^iam:user\/[^/]+$/, 'user'],
  [/^iam:user\/[^/]+\/login-profile$/, 'console-password'],
  [/^iam:group\/[^/]+\/member\/[^/]+$/, 'membership'],
];

function desired(change: Change): Desired {
  const kind = ADDRESS_KINDS.find(([re]) => re.test(change.address))?.[1];
  if (!kind) throw new Error(`admin-group cannot apply ${change.address}`);
  return { kind, ...(change.after as object) } as Desired;
}

const adminPolicyArn = (ctx: Ctx) => awsManagedPolicyArn(ctx.caller.partition, 'AdministratorAccess');

async function userExists(aws: AwsClients, userName: string): Promise<boolean> {
  return (await orAbsent(() => aws.iam.send(new GetUserCommand({ UserName: userName })))) !== null;
}

async function accessKeyIds(aws: AwsClients, userName: string): Promise<string[]> {
  return allPages(async (Marker) => {
    const r = await aws.iam.send(new ListAccessKeysCommand({ UserName: userName, Marker }));
    return { items: r.AccessKeyMetadata?.map((k) => k.AccessKeyId as string), IsTruncated: r.IsTruncated, Marker: r.Marker };
  });
}

/** True for a statement that allows every action on every resource: CIS 1.15's "*:*" (v5.0.0). */
function grantsFullAdmin(document: Record<string, unknown>): boolean {
  const statements = ([] as unknown[]).concat(document.Statement ?? []) as Record<string, unknown>[];
  const has = (v: unknown) => ([] as unknown[]).concat(v ?? []).includes('*');
  return statements.some((s) => s.Effect === 'Allow' && has(s.Action) && has(s.Resource) && !s.Condition);
}

/** Customer-managed policies attached to any user, group or role that allow "*:*". */
async function fullAdminCustomerPolicies(aws: AwsClients): Promise<string[]> {
  const policies = await allPages(async (Marker) => {
    const r = await aws.iam.send(new ListPoliciesCommand({ Scope: 'Local', OnlyAttached: true, Marker }));
    return { items: r.Policies, IsTruncated: r.IsTruncated, Marker: r.Marker };
  });
  const offenders: string[] = [];
  for (const p of policies) {
    const v = await aws.iam.send(new GetPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: p.DefaultVersionId }));
    if (grantsFullAdmin(decodePolicyDocument(v.PolicyVersion?.Document))) offenders.push(p.PolicyName ?? String(p.Arn));
  }
  return offenders;
}

export default defineStep({
  id: STEP,
  title: 'Admin group',
  description:
    'Creates an admin group with the AWS-managed AdministratorAccess policy, and console-only admin users, so nobody needs root day to day.',
  checks: [
    { id: 'admin-group.administrator-access', title: 'Admins get their permissions from a group with the AWS-managed AdministratorAccess policy' },
    { id: 'admin-group.no-full-admin-custom-policy', title: 'No customer-managed policy allowing "*:*" is attached to a user, group or role' },
    { id: 'admin-group.admins-console-only', title: 'Each admin user has console access only: a password, no access keys' },
  ],
  scope: 'management',
  answers,
  permissions: {
    read: [
      'iam:GetGroup',
      'iam:ListAttachedGroupPolicies',
      'iam:GetUser',
      'iam:GetLoginProfile',
      'iam:ListAccessKeys',
      'iam:ListPolicies',
      'iam:GetPolicyVersion',
      'iam:GetAccountPasswordPolicy',
    ],
    apply: ['iam:CreateGroup', 'iam:AttachGroupPolicy', 'iam:CreateUser', 'iam:CreateLoginProfile', 'iam:AddUserToGroup'],
  },

  async plan(ctx: Ctx): Promise<Change[]> {
    const { name, users } = ctx.answers;
    const changes: Change[] = [];
    const add = (address: string, { kind: _kind, ...after }: Desired, summary: string, extra: Partial<Change> = {}) =>
      changes.push({ step: STEP, account: ctx.account, address, action: 'create', before: null, after, risk: 'security', summary, ...extra });

    const members = await groupMembers(ctx.aws.iam, name);
    if (members === null) add(`iam:group/${name}`, { kind: 'group', GroupName: name }, `create the IAM group ${name}`, { risk: 'none' });
    const attached = members === null ? [] : ((await attachedGroupPolicies(ctx.aws.iam, name)) ?? []);
    const policyArn = adminPolicyArn(ctx);
    if (!attached.includes(policyArn)) {
      add(`iam:group/${name}/policy/AdministratorAccess`, { kind: 'policy', GroupName: name, PolicyArn: policyArn }, `attach the AWS-managed AdministratorAccess policy to ${name}`);
    }
    for (const user of users) {
      const exists = await userExists(ctx.aws, user);
      if (!exists) add(`iam:user/${user}`, { kind: 'user', UserName: user }, `create the IAM user ${user} (console access only, no access keys)`);
      if (!exists || !(await hasConsolePassword(ctx.aws.iam, user))) {
        add(
          `iam:user/${user}/login-profile`,
          { kind: 'console-password', UserName: user, PasswordResetRequired: true },
          `give ${user} a one-time console password, shown once at the end of apply; it must be changed at first sign-in`,
          { revealsSecret: true },
        );
      }
      if (!members?.includes(user)) {
        add(`iam:group/${name}/member/${user}`, { kind: 'membership', GroupName: name, UserName: user }, `add ${user} to ${name}`);
      }
    }
    return changes;
  },

  async apply(ctx: Ctx, change: Change): Promise<void> {
    const want = desired(change);
    const { iam } = ctx.aws;
    // Each write is idempotent: "already exists" from a retried or interrupted run counts as done.
    const tolerateExisting = async (write: () => Promise<unknown>) => {
      try {
        await write();
        return true;
      } catch (err) {
        if (isAwsError(err, 'EntityAlreadyExists')) return false;
        throw err;
      }
    };
    switch (want.kind) {
      case 'group':
        await tolerateExisting(() => iam.send(new CreateGroupCommand({ GroupName: want.GroupName })));
        return;
      case 'policy':
        await iam.send(new AttachGroupPolicyCommand({ GroupName: want.GroupName, PolicyArn: want.PolicyArn }));
        return;
      case 'user':
        await tolerateExisting(() => iam.send(new CreateUserCommand({ UserName: want.UserName })));
        return;
      case 'membership':
        await iam.send(new AddUserToGroupCommand({ GroupName: want.GroupName, UserName: want.UserName }));
        return;
      case 'console-password': {
        // Long enough for the account's password policy, whatever its minimum.
        const policy = await orAbsent(() => iam.send(new GetAccountPasswordPolicyCommand({})));
        const password = generatePassword(Math.max(32, policy?.PasswordPolicy?.MinimumPasswordLength ?? 0));
        const created = await tolerateExisting(async () => {
          try {
            await iam.send(new CreateLoginProfileCommand({ UserName: want.UserName, Password: password, PasswordResetRequired: true }));
          } catch (err) {
            // The answer was lost: if the profile is there now, it holds this password (the plan
            // just saw none), so it must be shown, or nobody could sign in as this user. If it is not
            // there, the engine reads back and plans it again with a new password.
            if (!(err instanceof LostAnswerError)) throw err;
            if (!(await orAbsent(() => iam.send(new GetLoginProfileCommand({ UserName: want.UserName }))))) throw err;
          }
        });
        if (created) {
          ctx.reveal(
            `One-time console password for ${want.UserName} (sign in at https://${ctx.account.id}.signin.aws.amazon.com/console)`,
            password,
          );
        }
        return;
      }
    }
  },

  async verify(ctx: Ctx): Promise<Finding[]> {
    const { name, users } = ctx.answers;
    const finding = (check: string, resource: string, pass: boolean, reason: string, remediation: string): Finding => ({
      step: STEP,
      check,
      account: ctx.account,
      resource,
      status: pass ? 'pass' : 'fail',
      reason,
      remediation: pass ? '' : remediation,
    });
    const findings: Finding[] = [];
    const members = await groupMembers(ctx.aws.iam, name);
    const attached = members === null ? [] : ((await attachedGroupPolicies(ctx.aws.iam, name)) ?? []);
    const hasAdmin = attached.includes(adminPolicyArn(ctx));
    findings.push(
      finding(
        'admin-group.administrator-access',
        `iam:group/${name}`,
        hasAdmin,
        members === null
          ? `the group ${name} does not exist`
          : hasAdmin
            ? `the group ${name} has the AWS-managed AdministratorAccess policy`
            : `the group ${name} lacks the AWS-managed AdministratorAccess policy`,
        'Run `aws-groundwork apply` to create the group and attach the policy.',
      ),
    );
    const offenders = await fullAdminCustomerPolicies(ctx.aws);
    findings.push(
      finding(
        'admin-group.no-full-admin-custom-policy',
        'iam:customer-managed-policies',
        offenders.length === 0,
        offenders.length === 0
          ? 'no attached customer-managed policy allows "*:*"'
          : `customer-managed policies allowing "*:*" are attached: ${offenders.join(', ')}`,
        `Detach ${offenders.join(', ')} and use the AWS-managed AdministratorAccess policy through the ${name} group: IAM console > Policies > (policy) > Entities attached > Detach.`,
      ),
    );
    for (const user of users) {
      const problems: string[] = [];
      if (!(await userExists(ctx.aws, user))) problems.push('does not exist');
      else {
        if (!members?.includes(user)) problems.push(`is not in ${name}`);
        if (!(await hasConsolePassword(ctx.aws.iam, user))) problems.push('has no console password');
        const keys = await accessKeyIds(ctx.aws, user);
        if (keys.length) problems.push(`has access keys (${keys.join(', ')})`);
      }
      findings.push(
        finding(
          'admin-group.admins-console-only',
          `iam:user/${user}`,
          problems.length === 0,
          problems.length === 0 ? `${user} is in ${name} with console access only` : `${user} ${problems.join(', ')}`,
          problems.some((p) => p.startsWith('has access keys'))
            ? `Delete ${user}'s access keys (IAM console > Users > ${user} > Security credentials > Access keys); admins use the console, or short-lived credentials from CloudShell or SSO.`
            : 'Run `aws-groundwork apply` to create the user, its console password and its membership.',
        ),
      );
    }
    return findings;
  },
});
