import { parseList } from '../../src/answers/answers.js';
import { list, parseScalar, string, type ListQuestions, type StringSchema } from '../../src/answers/schema.js';
import type { IoHost } from '../../src/io/host.js';
import type { AccountPurpose } from '../../src/model.js';

/**
 * A member account as the wizard builds it: every field given, and either an explicit environment or
 * a purpose (an account with a purpose has no environment of its own: its purpose names its alias).
 */
export interface AskedAccount {
  name: string;
  email: string;
  ou: string;
  env?: string;
  purpose?: AccountPurpose;
}

/** The account's own field rules, so each prompt refuses what the answers file would. */
export interface AccountFields {
  name: StringSchema;
  email: StringSchema;
  ou: StringSchema;
  env: StringSchema;
}

const PATH = 'steps.member-accounts.accounts';
const HOW = `Give ${PATH} in an answers file (--answers FILE); \`aws-groundwork answers\` writes a template.`;
export const DEFAULT_ENVIRONMENTS = ['dev', 'staging', 'prod'];
/** The OU the wizard offers for prod alone, when prod is to be kept apart. */
export const PROD_OU = 'Prod';
/** Where the accounts with a purpose go, here and in the plan of such an account without an `ou` answer. */
export const SECURITY_OU = 'Security';

/**
 * The accounts with a purpose the wizard proposes, in this order, with why each is worth having: the
 * one sentence a founder needs to decide.
 */
const PURPOSE_WHY: Record<AccountPurpose, string> = {
  'log-archive':
    "a log-archive account (keeps the organization trail's logs where no administrator of this management account can delete them)",
  'security-tooling':
    "a security-tooling account (to run the organization's security services, such as GuardDuty and Access Analyzer, from an account apart from the workloads)",
};
const PURPOSES = Object.keys(PURPOSE_WHY) as AccountPurpose[];
/** What names an account in the review and in its questions: its purpose, else its environment. */
const labelOf = (a: AskedAccount) => a.purpose ?? a.env ?? a.name;

/** One address per account from the founder's one: `+<env>` before the `@` (aws@acme.example: aws+dev@acme.example). */
export function plusAddress(email: string, env: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? email : `${email.slice(0, at)}+${env}${email.slice(at)}`;
}

/** The live accounts the step's `suggest` found, as far as they have the fields an answer needs. */
function adoptable(suggested: unknown): Partial<AskedAccount>[] {
  if (!Array.isArray(suggested)) return [];
  return suggested.filter(
    (a): a is Partial<AskedAccount> =>
      a !== null && typeof a === 'object' && typeof (a as AskedAccount).name === 'string' && typeof (a as AskedAccount).email === 'string',
  );
}

const check = (field: StringSchema, text: string, path: string) => {
  const r = parseScalar(field, text);
  return 'problem' in r ? `${path} ${r.problem}` : undefined;
};

/**
 * The wizard's questions for member accounts: the accounts the organization already has first, each
 * offered for adoption; then which environments get a new account, one email address that every
 * account's root address is made from, prod's own OU; then the log-archive and security-tooling
 * accounts the organization does not have yet, in one question; and a last look at names, emails and OUs.
 */
export function askMemberAccounts(fields: AccountFields) {
  return async (host: IoHost, q: ListQuestions): Promise<AskedAccount[]> => {
    const adopted = await adopt(host, fields, adoptable(q.suggested));
    const alias = q.steps['account-alias']?.alias;
    const named = (label: string) => (typeof alias === 'string' ? `${alias}-${label}` : label);
    // Only the purposes no adopted account has: the answers allow one account for each.
    const missing = PURPOSES.filter((p) => !adopted.some((a) => a.purpose === p));
    const envs = await askEnvironmentAccounts(host, fields, adopted, { purposes: missing, named });
    const purposes = missing.length && (await askPurposeAccounts(host, missing)) ? missing : [];
    if (envs.accounts.length === 0 && purposes.length === 0) return adopted;
    // One base address for every new account: asked here only if no environment account asked for it.
    const base = envs.base ?? (await askEmail(host, fields, purposes, adopted.length));
    const special = purposes.map((purpose) => ({ name: named(purpose), email: plusAddress(base, purpose), ou: SECURITY_OU, purpose }));
    const fresh = [...envs.accounts, ...special];
    return [...adopted, ...(await review(host, fields, fresh, adopted.length))];
  };
}

/**
 * The environment accounts, if the person wants them: the environments, the email address (its
 * +<purpose> addresses checked too, as the accounts with a purpose proposed next are made from it)
 * and whether prod gets its own OU.
 */
async function askEnvironmentAccounts(
  host: IoHost,
  fields: AccountFields,
  adopted: AskedAccount[],
  next: { purposes: AccountPurpose[]; named: (label: string) => string },
): Promise<{ accounts: AskedAccount[]; base?: string }> {
  const create = await host.request({
    kind: 'confirm',
    code: 'GW_ASK_member-accounts.create',
    message: adopted.length
      ? 'Member accounts: create more accounts, one per environment?'
      : 'Member accounts: create a separate AWS account for each environment (dev, staging, prod), apart from this management account?',
    default: adopted.length === 0,
    howToAnswer: HOW,
  });
  if (!create) return { accounts: [] };
  const envs = await askEnvironments(host, fields, adopted);
  const base = await askEmail(host, fields, [...envs, ...next.purposes], adopted.length);
  const prodApart =
    envs.includes('prod') &&
    envs.length > 1 &&
    (await host.request({
      kind: 'confirm',
      code: 'GW_ASK_member-accounts.prodOu',
      message: `Member accounts: put prod in its own OU (${PROD_OU}), so production can get stricter policies later?`,
      default: false,
      howToAnswer: HOW,
    }));
  const accounts = envs.map((env) => ({
    name: next.named(env),
    email: plusAddress(base, env),
    ou: prodApart && env === 'prod' ? PROD_OU : String(fields.ou.default ?? 'Workloads'),
    env,
  }));
  return { accounts, base };
}

/** The log-archive and security-tooling accounts still missing, proposed in one question with why. */
async function askPurposeAccounts(host: IoHost, missing: AccountPurpose[]): Promise<boolean> {
  return host.request({
    kind: 'confirm',
    code: 'GW_ASK_member-accounts.securityAccounts',
    message: `Member accounts: add ${missing.map((p) => PURPOSE_WHY[p]).join(' and ')}, in a ${SECURITY_OU} OU?`,
    default: true,
    howToAnswer: HOW,
  });
}

/** Lists the members the organization has and asks which this tool should keep in their OU and tagged. */
async function adopt(host: IoHost, fields: AccountFields, found: Partial<AskedAccount>[]): Promise<AskedAccount[]> {
  if (found.length === 0) return [];
  const line = (a: Partial<AskedAccount>) =>
    `${a.name} <${a.email}>${a.ou ? ` in ${a.ou}` : ''}${a.purpose ? `, ${a.purpose}` : a.env ? `, environment ${a.env}` : ''}`;
  host.notify({
    code: 'GW_MEMBER_ACCOUNTS_FOUND',
    level: 'info',
    text: `Member accounts the organization already has:\n${found.map((a) => `  ${line(a)}`).join('\n')}`,
  });
  const how = await host.request({
    kind: 'select',
    code: 'GW_ASK_member-accounts.adopt',
    message: 'Member accounts: manage these existing accounts too (kept as they are; put in their OU and tagged with their environment)?',
    choices: [
      { value: 'all', name: `All ${found.length}` },
      { value: 'choose', name: 'Choose which' },
      { value: 'none', name: 'None of them' },
    ],
    howToAnswer: HOW,
  });
  if (how === 'none') return [];
  let chosen = found;
  if (how === 'choose') {
    const picked = await host.request({
      kind: 'checkbox',
      code: 'GW_ASK_member-accounts.adopt.choose',
      message: 'Member accounts: which of them?',
      choices: found.map((a, i) => ({ value: String(i), name: line(a), checked: true })),
      howToAnswer: HOW,
    });
    chosen = found.filter((_, i) => picked.includes(String(i)));
  }
  const out: AskedAccount[] = [];
  for (const a of chosen) out.push(await completeAdopted(host, fields, a, out.length));
  return out;
}

/**
 * An adopted account's OU and environment, asked only when the organization does not show them; an
 * account with a purpose has no environment to ask for, and goes to the Security OU unless it is in one.
 */
async function completeAdopted(host: IoHost, fields: AccountFields, a: Partial<AskedAccount>, i: number): Promise<AskedAccount> {
  const at = `${PATH}[${i}]`;
  const ask = async (key: 'ou' | 'env', message: string, fallback?: string) =>
    host.request({
      kind: 'input',
      code: `GW_ASK_member-accounts.accounts[${i}].${key}`,
      message,
      ...(fallback ? { default: fallback } : {}),
      howToAnswer: HOW,
      validate: (t) => check(fields[key], t, `${at}.${key}`),
    });
  const account = { name: a.name as string, email: a.email as string };
  const ouDefault = a.purpose ? SECURITY_OU : String(fields.ou.default ?? 'Workloads');
  if (a.purpose) {
    const ou = a.ou ?? (await ask('ou', `Member accounts: organizational unit for ${a.name} (${a.purpose})`, ouDefault));
    return { ...account, ou, purpose: a.purpose };
  }
  const guess = a.name?.split('-').pop()?.toLowerCase();
  const env = a.env ?? (await ask('env', `Member accounts: environment of ${a.name} (dev, staging, prod, ...)`, guess));
  const ou = a.ou ?? (await ask('ou', `Member accounts: organizational unit for ${a.name}`, ouDefault));
  return { ...account, ou, env };
}

async function askEnvironments(host: IoHost, fields: AccountFields, adopted: AskedAccount[]): Promise<string[]> {
  const taken = new Set(adopted.map((a) => a.env));
  const envList = list(string({ ...fields.env, optional: false }), { description: 'Environments', default: [] });
  const offered = DEFAULT_ENVIRONMENTS.filter((e) => !taken.has(e));
  const text = await host.request({
    kind: 'input',
    code: 'GW_ASK_member-accounts.environments',
    message: 'Member accounts: environments, one new account each (comma-separated)',
    ...(offered.length ? { default: offered.join(', ') } : {}),
    howToAnswer: HOW,
    validate: (t) => {
      const r = parseList(envList, t);
      if ('problem' in r) return `environments ${r.problem.replace(/^has/, 'have')}`;
      const envs = r.value as string[];
      if (envs.length === 0) return 'give at least one environment (or stop with Ctrl-C and answer No to the question before)';
      const twice = envs.find((e, i) => envs.indexOf(e) !== i || taken.has(e));
      return twice ? `"${twice}" is there twice: each environment gets one account` : undefined;
    },
  });
  const r = parseList(envList, text);
  return 'problem' in r ? [] : (r.value as string[]);
}

/**
 * One address of the person's, from which each new account's is made (`labels`: the environments and
 * purposes, in the order of the accounts after the `offset` adopted ones), each checked like the file.
 */
async function askEmail(host: IoHost, fields: AccountFields, labels: string[], offset: number): Promise<string> {
  const plus = labels.every((l) => l in PURPOSE_WHY) ? '+<purpose>' : '+<env>';
  host.notify({
    code: 'GW_MEMBER_EMAILS',
    level: 'info',
    text:
      "Each account's root user needs its own email address, used by no other AWS account, that receives mail " +
      '(AWS sends the sign-in and recovery mail there). From one address the wizard makes one per account, with ' +
      `${plus} before the @ (${plusAddress('aws@acme.example', labels[0] ?? 'dev')}): + addressing works with most mail providers.`,
  });
  return host
    .request({
      kind: 'input',
      code: 'GW_ASK_member-accounts.email',
      message: 'Member accounts: an email address of yours that receives mail',
      howToAnswer: HOW,
      validate: (t) => {
        for (const [j, label] of labels.entries()) {
          const address = plusAddress(t.trim(), label);
          const problem = check(fields.email, address, `${PATH}[${offset + j}].email (${address})`);
          if (problem) return problem;
        }
        return check(fields.email, t.trim(), 'the address');
      },
    })
    .then((t) => t.trim());
}

/**
 * The accounts to create, shown whole (an account with a purpose says which); changed one field at a
 * time when the person wants to, its environment or purpose kept.
 */
async function review(host: IoHost, fields: AccountFields, fresh: AskedAccount[], offset: number): Promise<AskedAccount[]> {
  const w = Math.max(...fresh.map((a) => a.name.length)) + 2;
  const e = Math.max(...fresh.map((a) => a.email.length)) + 2;
  const o = Math.max(...fresh.map((a) => a.ou.length)) + 5;
  const row = (a: AskedAccount) =>
    `  ${a.name.padEnd(w)}${a.email.padEnd(e)}${a.purpose ? `OU ${a.ou}`.padEnd(o) + a.purpose : `OU ${a.ou}`}`;
  host.notify({ code: 'GW_MEMBER_ACCOUNTS_PLANNED', level: 'info', text: `New member accounts:\n${fresh.map(row).join('\n')}` });
  const keep = await host.request({
    kind: 'confirm',
    code: 'GW_ASK_member-accounts.review',
    message: 'Member accounts: use these names, emails and OUs?',
    default: true,
    howToAnswer: HOW,
  });
  if (keep) return fresh;
  const out: AskedAccount[] = [];
  for (const [j, a] of fresh.entries()) {
    const i = offset + j;
    const edit = async (key: 'name' | 'email' | 'ou', what: string) =>
      host.request({
        kind: 'input',
        code: `GW_ASK_member-accounts.accounts[${i}].${key}`,
        message: `Member accounts: ${what} of the ${labelOf(a)} account`,
        default: a[key],
        howToAnswer: HOW,
        validate: (t) => check(fields[key], t, `${PATH}[${i}].${key}`),
      });
    const kind = a.purpose ? { purpose: a.purpose } : { env: a.env };
    out.push({ name: await edit('name', 'name'), email: await edit('email', 'root email'), ou: await edit('ou', 'OU'), ...kind });
  }
  return out;
}
