import { CreateOrganizationalUnitCommand, TagResourceCommand, type Account, type CreateAccountStatus } from '@aws-sdk/client-organizations';
import { list, object, string, unique, type Infer, type Rule, type RuleIssue } from '../../src/answers/schema.js';
import { ALIAS_PATTERN } from '../account-alias/index.js';
import { change, check, checks } from '../../src/kit/builders.js';
import { defineStep, type PlannedChange, type StepContext } from '../../src/kit/step.js';
import { doneOn, type AccountPurpose, type AccountRef } from '../../src/model.js';
import { describeOrganization } from '../organization/index.js';
import { requireOrganization, type OrganizationNeeds } from '../organization/preconditions.js';
import { createAccount, moveInto, type Wanted } from './create-account.js';
import { SECURITY_OU, askMemberAccounts } from './questions.js';
import { checkAccountQuota } from './quota.js';
import { ENV_TAG, allAccounts, byEmail, envTag, inProgress, organizationExists, ousUnder, parentOf, rootId } from './reads.js';

/**
 * A member's environment: its `env` answer, else its purpose (log-archive), else the last hyphenated
 * part of its name (acme-dev: dev). It names the member's sign-in alias, `<alias>-<env>`.
 */
const envOf = (a: { name: string; env?: string; purpose?: string }) =>
  a.env ?? a.purpose ?? a.name.split('-').pop()?.toLowerCase() ?? a.name;
const ENV = /^[a-z0-9]+$/;
export const PURPOSES = ['log-archive', 'security-tooling'] as const satisfies readonly AccountPurpose[];
export { SECURITY_OU };
const WORKLOADS_OU = 'Workloads';
const ouOf = (a: { ou?: string; purpose?: string }) => a.ou ?? (a.purpose ? SECURITY_OU : WORKLOADS_OU);
/** Whether the account's environment is one the alias rule can use: an `env` answer of its own, or its purpose. */
const envIsValid = (a: { name: string; env?: string; purpose?: string }) =>
  (a.purpose !== undefined && a.env === undefined) || ENV.test(envOf(a));

const accountSchema = object(
  {
    name: string({
      description: 'Account name, e.g. acme-dev',
      pattern: /^[\w .,@&'-]{1,50}$/,
      patternHint: "at most 50 letters, digits, spaces and . , @ & ' - _",
      placeholder: { text: '<your-company>-dev', put: "the account's name", eg: 'acme-dev: its last part is the environment' },
    }),
    email: string({
      description: "The account's root email address: unique across AWS, e.g. aws+dev@acme.example",
      pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
      patternHint: 'an email address',
      maxLength: 64,
      placeholder: {
        text: 'aws+dev@<your-domain>',
        put: 'a new email address of yours',
        eg: 'aws+dev@acme.example: no AWS account may use it yet',
      },
    }),
    ou: string({
      description: 'Organizational unit to put it in (default: Security for an account with a purpose, else Workloads)',
      pattern: /^[\w .,@&'-]{1,128}$/,
      patternHint: 'an OU name',
      optional: true,
    }),
    env: string({
      description: 'Environment (dev, staging, prod); default: the last hyphenated part of the name',
      pattern: ENV,
      patternHint: 'lowercase letters and digits',
      optional: true,
    }),
    purpose: string({
      description:
        "The account's job instead of an environment: log-archive keeps the organization trail's logs out of the management account's reach, security-tooling administers the security services",
      pattern: /^(log-archive|security-tooling)$/,
      patternHint: 'log-archive or security-tooling',
      optional: true,
    }),
  },
  {
    description: 'a member account',
    rules: [
      (a) =>
        a.env !== undefined || envIsValid(a)
          ? []
          : [
              {
                at: ['env'],
                message: `is needed: the name "${a.name}" does not end in an environment of lowercase letters and digits (as acme-dev ends in dev); give one, e.g. env: dev`,
              },
            ],
    ],
  },
);

type Member = Infer<typeof accountSchema>;

/**
 * With the account-alias step, each member's sign-in alias is `<alias>-<env>` (acme-dev): it must
 * still be a valid alias, and no two members may share it, as an alias belongs to one account only.
 */
const memberAliases: Rule<Member[]> = (accounts, { path, steps }) => {
  const alias = steps['account-alias']?.alias;
  if (typeof alias !== 'string') return [];
  const out: RuleIssue[] = [];
  const first = new Map<string, number>();
  accounts.forEach((a, i) => {
    const env = envOf(a);
    if (!envIsValid(a)) return; // the account's own rule says so
    const mine = `${alias}-${env}`;
    if (!ALIAS_PATTERN.test(mine)) {
      const message = `makes this account's sign-in alias "${mine}" ${mine.length} characters, over IAM's 63: shorten steps.account-alias.alias or give this account a shorter env`;
      out.push({ at: [i, 'env'], message });
    }
    const earlier = first.get(env);
    if (earlier === undefined) first.set(env, i);
    else {
      const message = `is "${env}", as for ${path}[${earlier}]: each member's sign-in alias is ${alias}-<env>, and an alias belongs to one account only; give each account its own env`;
      out.push({ at: [i, 'env'], message });
    }
  });
  return out;
};

const answers = object(
  {
    accounts: list(accountSchema, {
      description:
        'Member accounts, e.g. [{ name: acme-dev, email: aws+dev@acme.example, ou: Workloads }, ...staging, ...prod], and the log-archive and security-tooling accounts (purpose); each is created once and found again by email',
      default: [],
      templateItems: [
        ...['dev', 'staging', 'prod'].map((env) => ({
          name: `<your-company>-${env}`,
          email: `aws+${env}@<your-domain>`,
          ou: WORKLOADS_OU,
        })),
        ...PURPOSES.map((purpose) => ({
          name: `<your-company>-${purpose}`,
          email: `aws+${purpose}@<your-domain>`,
          ou: SECURITY_OU,
          purpose,
        })),
      ],
      rules: [
        unique({
          key: (a) => a.email.toLowerCase(),
          field: 'email',
          what: 'the email',
          why: 'an email address belongs to one AWS account only (compared ignoring case, as the step finds accounts by email)',
        }),
        unique({
          key: (a) => a.name.toLowerCase(),
          field: 'name',
          what: 'the name',
          why: 'the plan, and a creation still in progress, tell the accounts apart by name (compared ignoring case)',
        }),
        memberAliases,
        unique({
          key: (a) => a.purpose,
          field: 'purpose',
          what: 'the purpose',
          why: 'the organization has one account for each purpose (one log archive for the trail, one security-tooling account)',
        }),
      ],
      ask: askMemberAccounts(accountSchema.fields),
    }),
  },
  { description: 'OUs and the member accounts' },
);

type Ctx = StepContext<Infer<typeof answers>>;

const CHECKS = checks({
  accounts: {
    id: 'member-accounts.accounts',
    title: 'Each configured member account exists, is in its OU and carries its environment tag',
    remediation: 'Run `aws-groundwork apply`.',
  },
});

type Operations = {
  'create-ou': { name: string };
  /** Creates the account at most once, then puts it in its OU and tags it. */
  'create-account': Wanted;
  'move-account': { accountId: string; ou: string };
  'tag-account': { accountId: string; env: string };
};

function wanted(ctx: Ctx): Wanted[] {
  return ctx.answers.accounts.map(({ purpose, ...a }) => ({
    ...a,
    ou: ouOf({ ...a, purpose }),
    env: envOf({ ...a, purpose }),
    ...(purpose ? { purpose: purpose as AccountPurpose } : {}),
  }));
}

/** The run's account with this purpose, if the answers configure one (pending: member-accounts makes it in this apply). */
export async function accountFor(ctx: StepContext<unknown>, purpose: AccountPurpose): Promise<AccountRef | undefined> {
  return (await ctx.accounts()).find((a) => a.purpose === purpose);
}

/** The changes for one configured account: create it, or move it into its OU and tag it. */
async function planAccount(ctx: Ctx, w: Wanted, accounts: Account[], running: CreateAccountStatus[], ous: Map<string, string>) {
  const found = byEmail(accounts, w.email);
  const address = `organizations:account/${w.name}`;
  if (!found?.Id) {
    const summary = running.some((r) => r.AccountName === w.name)
      ? `finish creating the account ${w.name} (a request from an earlier run is still in progress)`
      : `create the account ${w.name} (${w.email}) in ${w.ou}; accounts are long-lived and the email stays theirs`;
    const after = {
      Name: w.name,
      Email: w.email,
      OrganizationalUnit: w.ou,
      Environment: w.env,
      ...(w.purpose ? { Purpose: w.purpose } : {}),
    };
    return [change('create-account', w, { address, action: 'create', before: null, after, risk: 'security', summary })];
  }
  const accountId = found.Id;
  const changes: PlannedChange<Operations>[] = [];
  const [parent, tag] = await Promise.all([parentOf(ctx.aws, accountId), envTag(ctx.aws, accountId)]);
  if (parent !== ous.get(w.ou)) {
    const after = { OrganizationalUnit: w.ou, AccountId: accountId, SourceParentId: parent ?? '' };
    const summary = `move ${w.name} into ${w.ou}`;
    changes.push(
      change(
        'move-account',
        { accountId, ou: w.ou },
        { address: `${address}/ou`, action: 'update', before: parent ?? null, after, risk: 'security', summary },
      ),
    );
  }
  if (tag !== w.env) {
    const after = { AccountId: accountId, [ENV_TAG]: w.env };
    const summary = `tag ${w.name} ${ENV_TAG}=${w.env}`;
    changes.push(
      change(
        'tag-account',
        { accountId, env: w.env },
        { address: `${address}/tags`, action: tag ? 'update' : 'create', before: tag ?? null, after, risk: 'security', summary },
      ),
    );
  }
  return changes;
}

/**
 * A new account's baseline is planned and applied in the same apply, once the account exists, so what
 * those steps need of the organization must be there before the first account is made:
 * security-contacts reaches members' contacts through trusted access for account; root-credentials
 * has nothing to delete in an account created while root credentials management is on, and without
 * it could delete nothing (the account would keep its root password).
 */
const NEW_ACCOUNT_NEEDS: [string, OrganizationNeeds][] = [
  [
    'security-contacts',
    { what: "setting the new accounts' alternate contacts (security-contacts)", trustedAccess: ['account.amazonaws.com'] },
  ],
  [
    'root-credentials',
    { what: 'creating the new accounts without root credentials (root-credentials)', rootFeatures: ['RootCredentialsManagement'] },
  ],
];

/**
 * One existing member as an answer: its name and email as they are, the OU it is in directly under
 * the root (else Workloads, or Security for an account with a purpose, where the plan moves it), and
 * its environment tag (else one from its name, which the plan tags). A member tagged with a purpose
 * (as this tool tags the accounts it makes), or untagged and named like one (Control Tower's "Log
 * Archive" and "Audit", acme-log-archive, SecurityTooling), gets that purpose instead, unless an
 * account before it has it: the answers allow one account per purpose, and an environment tag is a
 * choice a name does not overrule. `taken` keeps environments (each names the member's alias) and
 * purposes unique.
 */
async function memberAnswer(
  ctx: StepContext<unknown>,
  a: Account,
  ouNames: Map<string, string>,
  taken: { envs: Set<string>; purposes: Set<AccountPurpose> },
) {
  const id = a.Id as string;
  const name = a.Name ?? id;
  const notes: string[] = [];
  const tag = await envTag(ctx.aws, id);
  // The name's words, lowercase and hyphenated: "Log Archive", "LogArchive" and "acme-log-archive" end in log-archive.
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join('-');
  const namedLike: Record<AccountPurpose, RegExp> = {
    'log-archive': /(^|-)logs?-archive$/,
    'security-tooling': /(^|-)(audit|security-tooling)$/,
  };
  const byName = PURPOSES.find((p) => namedLike[p].test(words));
  const envTagged = tag !== undefined && ENV.test(tag);
  const guess = PURPOSES.find((p) => p === tag) ?? (envTagged ? undefined : byName);
  const purpose = guess && !taken.purposes.has(guess) ? guess : undefined;
  const parent = await parentOf(ctx.aws, id);
  const ou = (parent && ouNames.get(parent)) || (purpose ? SECURITY_OU : WORKLOADS_OU);
  if (!parent || !ouNames.has(parent)) notes.push(`${name} is not in an OU under the root: the plan moves it into ${ou}.`);
  const tagged = tag ? `tagged ${ENV_TAG}=${tag}` : `not tagged ${ENV_TAG}`;
  if (purpose) {
    taken.purposes.add(purpose);
    const why =
      purpose === 'log-archive'
        ? "the organization trail's key and buckets go there"
        : "the organization's security services are run from it";
    if (tag !== purpose)
      notes.push(
        `${name} is named like a ${purpose} account: purpose ${purpose} (${why}); it is ${tagged}: the plan tags it ${ENV_TAG}=${purpose}.`,
      );
    return { answer: { name, email: a.Email ?? '', ou, purpose }, notes };
  }
  if (guess) {
    const why = tag === guess ? tagged : 'by its name';
    notes.push(
      `${name} looks like a ${guess} account (${why}), but an account before it has that purpose: kept as an environment account.`,
    );
  } else if (byName) notes.push(`${name} is named like a ${byName} account, but it is ${tagged}: kept as an environment account.`);
  let env = envTagged ? tag : envOf({ name: a.Name ?? '' }).replace(/[^a-z0-9]/g, '') || 'env';
  for (let n = 2; taken.envs.has(env); n++) env = `${env.replace(/\d+$/, '')}${n}`;
  taken.envs.add(env);
  if (tag !== env) notes.push(`${name} is ${tagged}: the plan tags it ${env}.`);
  return { answer: { name, email: a.Email ?? '', ou, env }, notes };
}

async function requireForNewAccounts(ctx: Ctx): Promise<void> {
  for (const [step, needs] of NEW_ACCOUNT_NEEDS) if (ctx.inRun(step)) await requireOrganization(ctx, needs);
}

export default defineStep({
  id: 'member-accounts',
  title: 'Member accounts',
  description:
    'Creates the OUs and one AWS account per environment (dev, staging, prod), and the log-archive and security-tooling accounts in a Security OU, once, found again by email.',
  checks: CHECKS.list,
  scope: 'management',
  answers,
  permissions: {
    read: [
      'organizations:DescribeOrganization',
      'organizations:ListAWSServiceAccessForOrganization',
      'iam:ListOrganizationsFeatures',
      'organizations:ListAccounts',
      'organizations:ListRoots',
      'organizations:ListOrganizationalUnitsForParent',
      'organizations:ListParents',
      'organizations:ListTagsForResource',
      'organizations:ListCreateAccountStatus',
      'organizations:DescribeCreateAccountStatus',
      // The account quota, checked before the first account is made.
      'servicequotas:GetServiceQuota',
      'servicequotas:GetAWSDefaultServiceQuota',
    ],
    apply: [
      'organizations:CreateAccount',
      'organizations:CreateOrganizationalUnit',
      'organizations:MoveAccount',
      'organizations:TagResource',
    ],
    // The engine reaches members through OrganizationAccountAccessRole; CreateAccount makes a
    // service-linked role as the caller.
    implied: ['sts:AssumeRole', 'iam:CreateServiceLinkedRole'],
  },

  async suggest(ctx) {
    // Only the management account of an organization lists its members.
    const org = await describeOrganization(ctx.aws);
    if (org?.MasterAccountId !== ctx.account.id) return {};
    const ouNames = new Map([...(await ousUnder(ctx.aws, await rootId(ctx.aws)))].map(([name, id]) => [id, name]));
    const accounts: Member[] = [];
    const notes: string[] = [];
    const taken = { envs: new Set<string>(), purposes: new Set<AccountPurpose>() };
    for (const a of await allAccounts(ctx.aws)) {
      if (!a.Id || a.Id === ctx.account.id) continue;
      if (a.Status !== 'ACTIVE') {
        notes.push(`${a.Name} (${a.Id}) is ${a.Status}: left out.`);
        continue;
      }
      const member = await memberAnswer(ctx, a, ouNames, taken);
      accounts.push(member.answer);
      notes.push(...member.notes);
    }
    return { defaults: { accounts }, ...(notes.length ? { notes: { accounts: notes } } : {}) };
  },

  async discoverAccounts(ctx) {
    const want = wanted(ctx);
    if (want.length === 0) return { existing: [], pending: [] };
    // Only the organization this account manages holds its members (and lists them: from a member
    // of another organization, ListAccounts is denied). Elsewhere every configured account is still to be made.
    const org = await describeOrganization(ctx.aws);
    const accounts = org?.MasterAccountId === ctx.account.id ? await allAccounts(ctx.aws) : [];
    const existing: AccountRef[] = [];
    const pending: AccountRef[] = [];
    for (const w of want) {
      const found = byEmail(accounts, w.email);
      const purpose = w.purpose ? { purpose: w.purpose } : {};
      if (found?.Id && found.Status === 'ACTIVE') existing.push({ id: found.Id, name: w.name, role: 'member', env: w.env, ...purpose });
      else pending.push({ id: `(new: ${w.name})`, name: w.name, role: 'member', env: w.env, pending: true, ...purpose });
    }
    return { existing, pending };
  },

  async plan(ctx) {
    const want = wanted(ctx);
    if (want.length === 0) return [];
    await requireOrganization(ctx, { what: 'managing member accounts and OUs' });
    const orgExists = await organizationExists(ctx.aws);
    const root = orgExists ? await rootId(ctx.aws) : null;
    const ous = root ? await ousUnder(ctx.aws, root) : new Map<string, string>();
    const changes: PlannedChange<Operations>[] = [];
    for (const ou of new Set(want.map((w) => w.ou))) {
      if (ous.has(ou)) continue;
      const summary = `create the organizational unit ${ou}`;
      changes.push(
        change(
          'create-ou',
          { name: ou },
          { address: `organizations:ou/${ou}`, action: 'create', before: null, after: { Name: ou }, risk: 'security', summary },
        ),
      );
    }
    // Requests first, then accounts: a request that finishes between the two reads shows up as an
    // account, never as neither (which would plan a second CreateAccount).
    const running = orgExists ? await inProgress(ctx.aws) : [];
    const accounts = orgExists ? await allAccounts(ctx.aws) : [];
    // Accounts side by side: the run's limit on Organizations requests bounds what is in flight.
    changes.push(...(await Promise.all(want.map((w) => planAccount(ctx, w, accounts, running, ous)))).flat());
    const creating = changes.flatMap((c) => (c.operation.kind === 'create-account' ? [c.operation.input.name] : []));
    if (creating.length > 0) {
      await requireForNewAccounts(ctx);
      // Without an organization yet, the one the organization step makes holds this account alone.
      await checkAccountQuota(ctx, orgExists ? accounts.length : 1, creating);
    }
    return changes;
  },

  /**
   * New accounts are made side by side, at most 5 creation requests in progress at once: AWS Control
   * Tower's Account Factory runs up to five account operations concurrently (Control Tower user guide,
   * "Provision and manage accounts"), and Organizations itself documents no figure of its own; a
   * request AWS still refuses for a concurrent change is sent again (create-account.ts).
   */
  concurrent: { 'create-account': 5 },

  apply: {
    async 'create-ou'(ctx, { name }: Operations['create-ou']) {
      // DuplicateOrganizationalUnit: an earlier run (or a person) made it already.
      const create = async () =>
        ctx.aws.organizations.send(new CreateOrganizationalUnitCommand({ ParentId: await rootId(ctx.aws), Name: name }));
      await doneOn('DuplicateOrganizationalUnit')(create);
    },
    async 'create-account'(ctx, w: Operations['create-account']) {
      await createAccount(ctx, w, `steps.member-accounts.accounts[${ctx.answers.accounts.findIndex((a) => a.email === w.email)}]`);
    },
    async 'move-account'(ctx, { accountId, ou }: Operations['move-account']) {
      await moveInto(ctx.aws, accountId, ou);
    },
    async 'tag-account'(ctx, { accountId, env }: Operations['tag-account']) {
      await ctx.aws.organizations.send(new TagResourceCommand({ ResourceId: accountId, Tags: [{ Key: ENV_TAG, Value: env }] }));
    },
  },

  async verify(ctx) {
    const want = wanted(ctx);
    if (want.length === 0) return [];
    const orgExists = await organizationExists(ctx.aws);
    const accounts = orgExists ? await allAccounts(ctx.aws) : [];
    const ous = orgExists ? await ousUnder(ctx.aws, await rootId(ctx.aws)) : new Map<string, string>();
    const verifyOne = async (w: Wanted) => {
      const found = byEmail(accounts, w.email);
      const problems: string[] = [];
      if (!found?.Id) problems.push(`${w.name} (${w.email}) does not exist`);
      else {
        if (found.Status !== 'ACTIVE') problems.push(`${w.name} is ${found.Status}`);
        const [parent, tag] = await Promise.all([parentOf(ctx.aws, found.Id), envTag(ctx.aws, found.Id)]);
        if (parent !== ous.get(w.ou)) problems.push(`${w.name} is not in ${w.ou}`);
        if (tag !== w.env) problems.push(`${w.name} is not tagged ${ENV_TAG}=${w.env}`);
      }
      const resource = found?.Id ? `organizations:account/${found.Id}` : `organizations:account/${w.name}`;
      return check(CHECKS.accounts, resource, problems, `${w.name} (${found?.Id}) is in ${w.ou}, tagged ${ENV_TAG}=${w.env}`);
    };
    // In the order of the answers, read side by side.
    return Promise.all(want.map(verifyOne));
  },
});
