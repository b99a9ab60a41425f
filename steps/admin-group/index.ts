import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  GetLoginProfileCommand,
  CreateUserCommand,
  GetAccountPasswordPolicyCommand,
  GetUserCommand,
} from '@aws-sdk/client-iam';
import { listProblems, parseList } from '../../src/answers/answers.js';
import { list, object, string, unique, type Infer, type ListQuestions } from '../../src/answers/schema.js';
import type { IoHost } from '../../src/io/host.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { LostAnswerError } from '../../src/aws/retry.js';
import { attachedGroupPolicies, awsManagedPolicyArn, groupMembers, hasConsolePassword, orAbsent } from '../../src/aws/iam-reads.js';
import { change, check, checks } from '../../src/kit/builders.js';
import { defineStep, type PlannedChange, type StepContext } from '../../src/kit/step.js';
import { doneOn, type ChangeRisk } from '../../src/model.js';
import { generatePassword } from './password.js';
import { MFA_POLICY_NAME, MFA_POLICY_PATH } from '../mfa-enforcement/policy-document.js';
import { accessKeyIds, adminGroupOf, fullAdminCustomerPolicies, groupsWithPolicies } from './reads.js';

/** IAM's name rules for groups and users. */
const IAM_NAME = /^[\w+=,.@-]+$/;

const USERS_PATH = 'steps.admin-group.users';

/**
 * The wizard's question: an explicit choice, with what each way costs. Names are checked as the
 * answers file checks them (each name, and no name twice); users the account already has in the
 * group are the default.
 */
async function askAdminUsers(host: IoHost, { suggested }: ListQuestions): Promise<string[]> {
  const existing = Array.isArray(suggested) ? suggested.filter((u): u is string => typeof u === 'string') : [];
  const howToAnswer = `Give ${USERS_PATH} in an answers file (--answers FILE), or --set ${USERS_PATH}=alice,bob (empty for none).`;
  const choice = await host.request({
    kind: 'select',
    code: 'GW_ASK_admin-group.users',
    message: 'Admin group: who signs in as an admin?',
    choices: [
      {
        value: 'none',
        name: 'Nobody new: you keep signing in as you do now, and people get access later (IAM Identity Center suits a team)',
      },
      {
        value: 'users',
        name: 'Named IAM users: each gets a one-time console password, shown once at the end, must change it and set up MFA at first sign-in, and has no access keys',
      },
    ],
    howToAnswer,
  });
  if (choice === 'none') return [];
  const field = answers.fields.users;
  const text = await host.request({
    kind: 'input',
    code: 'GW_ASK_admin-group.users.names',
    message: 'Admin group: user names, comma-separated (e.g. jane, sam)',
    ...(existing.length ? { default: existing.join(', ') } : {}),
    howToAnswer,
    validate: (t) => {
      const r = parseList(field, t);
      if ('problem' in r) return `${USERS_PATH} ${r.problem}`;
      return r.value.length === 0 ? 'give at least one name' : listProblems(field, r.value, USERS_PATH, {})[0];
    },
  });
  const parsed = parseList(field, text);
  return 'problem' in parsed ? [] : (parsed.value as string[]);
}

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
        description: 'Admin users to create: console access only, a one-time password shown once at the terminal, no access keys',
        default: [],
        rules: [unique({ key: (u) => u.toLowerCase(), what: 'the user', why: 'IAM user names ignore case, so it is the same user' })],
        ask: askAdminUsers,
      },
    ),
  },
  { description: 'The admin group and its users' },
);

type Ctx = StepContext<Infer<typeof answers>>;

/**
 * Adding a user to the group. mfa-enforcement's lock-out guard finds these among the run's changes by
 * this step's id and the kind `membership`, so renaming either changes that guard too.
 */
export type MembershipInput = { GroupName: string; UserName: string };

/** Each kind's input is its IAM request, and is the change's `after` too. */
type Operations = {
  group: { GroupName: string };
  policy: { GroupName: string; PolicyArn: string };
  user: { UserName: string };
  'console-password': { UserName: string; PasswordResetRequired: true };
  membership: MembershipInput;
};

const CHECKS = checks({
  administratorAccess: {
    id: 'admin-group.administrator-access',
    title: 'Admins get their permissions from a group with the AWS-managed AdministratorAccess policy',
    remediation: 'Run `aws-groundwork apply` to create the group and attach the policy.',
  },
  noFullAdminCustomPolicy: {
    id: 'admin-group.no-full-admin-custom-policy',
    title: 'No customer-managed policy allowing "*:*" is attached to a user, group or role',
  },
  adminsConsoleOnly: {
    id: 'admin-group.admins-console-only',
    title: 'Each admin user has console access only: a password, no access keys',
    remediation: 'Run `aws-groundwork apply` to create the user, its console password and its membership.',
  },
});

const adminPolicyArn = (ctx: Ctx) => awsManagedPolicyArn(ctx.caller.partition, 'AdministratorAccess');

async function userExists(aws: AwsClients, userName: string): Promise<boolean> {
  return (await orAbsent(() => aws.iam.send(new GetUserCommand({ UserName: userName })))) !== null;
}

/** Each write is idempotent: "already exists" from a retried or interrupted run counts as done. */
const unlessExisting = doneOn('EntityAlreadyExists');

/** Something to create, sent as `input`, which the plan shows as what it will be. */
function creating<K extends keyof Operations & string>(
  kind: K,
  input: Operations[K],
  address: string,
  summary: string,
  extra: { risk?: ChangeRisk; revealsSecret?: true } = {},
): PlannedChange<Pick<Operations, K>> {
  return change(kind, input, { address, action: 'create', before: null, after: input, risk: 'security', summary, ...extra });
}

/** The user, its one-time console password and its membership, as far as each is missing. */
async function planUser(ctx: Ctx, user: string, members: string[] | null): Promise<PlannedChange<Operations>[]> {
  const { name } = ctx.answers;
  const changes: PlannedChange<Operations>[] = [];
  const exists = await userExists(ctx.aws, user);
  if (!exists)
    changes.push(
      creating('user', { UserName: user }, `iam:user/${user}`, `create the IAM user ${user} (console access only, no access keys)`),
    );
  if (!exists || !(await hasConsolePassword(ctx.aws.iam, user))) {
    changes.push(
      creating(
        'console-password',
        { UserName: user, PasswordResetRequired: true },
        `iam:user/${user}/login-profile`,
        `give ${user} a one-time console password, shown once at the end of apply; it must be changed at first sign-in`,
        { revealsSecret: true },
      ),
    );
  }
  if (!members?.includes(user)) {
    changes.push(creating('membership', { GroupName: name, UserName: user }, `iam:group/${name}/member/${user}`, `add ${user} to ${name}`));
  }
  return changes;
}

/** The console-only checks for one admin user: exists, is a member, has a password, has no access keys. */
async function verifyUser(ctx: Ctx, user: string, members: string[] | null) {
  const { name } = ctx.answers;
  const problems: string[] = [];
  let keys: string[] = [];
  if (!(await userExists(ctx.aws, user))) problems.push('does not exist');
  else {
    if (!members?.includes(user)) problems.push(`is not in ${name}`);
    if (!(await hasConsolePassword(ctx.aws.iam, user))) problems.push('has no console password');
    keys = await accessKeyIds(ctx.aws, user);
    if (keys.length) problems.push(`has access keys (${keys.join(', ')})`);
  }
  const deleteKeys = `Delete ${user}'s access keys (IAM console > Users > ${user} > Security credentials > Access keys); admins use the console, or short-lived credentials from CloudShell or SSO.`;
  return check(
    CHECKS.adminsConsoleOnly,
    `iam:user/${user}`,
    problems.length > 0 && `${user} ${problems.join(', ')}`,
    `${user} is in ${name} with console access only`,
    keys.length ? deleteKeys : undefined,
  );
}

export default defineStep({
  id: 'admin-group',
  title: 'Admin group',
  description:
    'Creates an admin group with the AWS-managed AdministratorAccess policy, and console-only admin users, so nobody needs root day to day.',
  checks: CHECKS.list,
  scope: 'management',
  answers,
  permissions: {
    read: [
      'iam:GetGroup',
      'iam:ListGroups',
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

  async suggest(ctx) {
    const requiresMfa = (attached: string[]) => attached.some((arn) => arn.endsWith(`:policy${MFA_POLICY_PATH}${MFA_POLICY_NAME}`));
    const adminArn = awsManagedPolicyArn(ctx.caller.partition, 'AdministratorAccess');
    const name = adminGroupOf(await groupsWithPolicies(ctx.aws), adminArn, requiresMfa);
    if (!name)
      return { notes: { name: ['No group of the account has the AWS-managed AdministratorAccess policy: the plan makes this one.'] } };
    const users: string[] = [];
    const without: string[] = [];
    for (const user of (await groupMembers(ctx.aws.iam, name)) ?? [])
      ((await hasConsolePassword(ctx.aws.iam, user)) ? users : without).push(user);
    const notes: Record<string, string[]> = {};
    if (without.length)
      notes.users = [`Also in ${name}, without a console password: ${without.join(', ')} (listed here, each would get one).`];
    return { defaults: { name, users }, notes };
  },

  async plan(ctx) {
    const { name, users } = ctx.answers;
    const changes: PlannedChange<Operations>[] = [];
    const members = await groupMembers(ctx.aws.iam, name);
    if (members === null)
      changes.push(creating('group', { GroupName: name }, `iam:group/${name}`, `create the IAM group ${name}`, { risk: 'none' }));
    const attached = members === null ? [] : ((await attachedGroupPolicies(ctx.aws.iam, name)) ?? []);
    const PolicyArn = adminPolicyArn(ctx);
    if (!attached.includes(PolicyArn)) {
      changes.push(
        creating(
          'policy',
          { GroupName: name, PolicyArn },
          `iam:group/${name}/policy/AdministratorAccess`,
          `attach the AWS-managed AdministratorAccess policy to ${name}`,
        ),
      );
    }
    for (const user of users) changes.push(...(await planUser(ctx, user, members)));
    return changes;
  },

  apply: {
    async group(ctx, { GroupName }: Operations['group']) {
      await unlessExisting(() => ctx.aws.iam.send(new CreateGroupCommand({ GroupName })));
    },
    async policy(ctx, { GroupName, PolicyArn }: Operations['policy']) {
      await ctx.aws.iam.send(new AttachGroupPolicyCommand({ GroupName, PolicyArn }));
    },
    async user(ctx, { UserName }: Operations['user']) {
      await unlessExisting(() => ctx.aws.iam.send(new CreateUserCommand({ UserName })));
    },
    async membership(ctx, { GroupName, UserName }: Operations['membership']) {
      await ctx.aws.iam.send(new AddUserToGroupCommand({ GroupName, UserName }));
    },
    async 'console-password'(ctx, { UserName, PasswordResetRequired }: Operations['console-password']) {
      const { iam } = ctx.aws;
      // Long enough for the account's password policy, whatever its minimum.
      const policy = await orAbsent(() => iam.send(new GetAccountPasswordPolicyCommand({})));
      const password = generatePassword(Math.max(32, policy?.PasswordPolicy?.MinimumPasswordLength ?? 0));
      const created = await unlessExisting(async () => {
        try {
          await iam.send(new CreateLoginProfileCommand({ UserName, Password: password, PasswordResetRequired }));
        } catch (err) {
          // The answer was lost: if the profile is there now, it holds this password (the plan
          // just saw none), so it must be shown, or nobody could sign in as this user. If it is not
          // there, the engine reads back and plans it again with a new password.
          if (!(err instanceof LostAnswerError)) throw err;
          if (!(await orAbsent(() => iam.send(new GetLoginProfileCommand({ UserName }))))) throw err;
        }
      });
      if (created) {
        ctx.reveal(
          `One-time console password for ${UserName} (sign in at https://${ctx.account.id}.signin.aws.amazon.com/console)`,
          password,
        );
      }
    },
  },

  async verify(ctx) {
    const { name, users } = ctx.answers;
    const members = await groupMembers(ctx.aws.iam, name);
    const attached = members === null ? [] : ((await attachedGroupPolicies(ctx.aws.iam, name)) ?? []);
    const lacking =
      members === null ? `the group ${name} does not exist` : `the group ${name} lacks the AWS-managed AdministratorAccess policy`;
    const findings = [
      check(
        CHECKS.administratorAccess,
        `iam:group/${name}`,
        !attached.includes(adminPolicyArn(ctx)) && lacking,
        `the group ${name} has the AWS-managed AdministratorAccess policy`,
      ),
    ];
    const offenders = await fullAdminCustomerPolicies(ctx.aws);
    findings.push(
      check(
        CHECKS.noFullAdminCustomPolicy,
        'iam:customer-managed-policies',
        offenders.length > 0 && `customer-managed policies allowing "*:*" are attached: ${offenders.join(', ')}`,
        'no attached customer-managed policy allows "*:*"',
        `Detach ${offenders.join(', ')} and use the AWS-managed AdministratorAccess policy through the ${name} group: IAM console > Policies > (policy) > Entities attached > Detach.`,
      ),
    );
    for (const user of users) findings.push(await verifyUser(ctx, user, members));
    return findings;
  },
});
