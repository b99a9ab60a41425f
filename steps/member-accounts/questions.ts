import { parseList } from '../../src/answers/answers.js';
import { list, parseScalar, string, type ListQuestions, type StringSchema } from '../../src/answers/schema.js';
import type { IoHost } from '../../src/io/host.js';

/** A member account as the wizard builds it: every field given, the environment explicit. */
export interface AskedAccount {
  name: string;
  email: string;
  ou: string;
  env: string;
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
 * account's root address is made from, prod's own OU, and a last look at names, emails and OUs.
 */
export function askMemberAccounts(fields: AccountFields) {
  return async (host: IoHost, q: ListQuestions): Promise<AskedAccount[]> => {
    const adopted = await adopt(host, fields, adoptable(q.suggested));
    const create = await host.request({
      kind: 'confirm',
      code: 'GW_ASK_member-accounts.create',
      message: adopted.length
        ? 'Member accounts: create more accounts, one per environment?'
        : 'Member accounts: create a separate AWS account for each environment (dev, staging, prod), apart from this management account?',
      default: adopted.length === 0,
      howToAnswer: HOW,
    });
    if (!create) return adopted;
    const envs = await askEnvironments(host, fields, adopted);
    const base = await askEmail(host, fields, envs);
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
    const alias = q.steps['account-alias']?.alias;
    const fresh = envs.map((env) => ({
      name: typeof alias === 'string' ? `${alias}-${env}` : env,
      email: plusAddress(base, env),
      ou: prodApart && env === 'prod' ? PROD_OU : String(fields.ou.default ?? 'Workloads'),
      env,
    }));
    return [...adopted, ...(await review(host, fields, fresh, adopted.length))];
  };
}

/** Lists the members the organization has and asks which this tool should keep in their OU and tagged. */
async function adopt(host: IoHost, fields: AccountFields, found: Partial<AskedAccount>[]): Promise<AskedAccount[]> {
  if (found.length === 0) return [];
  const line = (a: Partial<AskedAccount>) => `${a.name} <${a.email}>${a.ou ? ` in ${a.ou}` : ''}${a.env ? `, environment ${a.env}` : ''}`;
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

/** An adopted account's OU and environment, asked only when the organization does not show them. */
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
  const guess = a.name?.split('-').pop()?.toLowerCase();
  const env = a.env ?? (await ask('env', `Member accounts: environment of ${a.name} (dev, staging, prod, ...)`, guess));
  const ou = a.ou ?? (await ask('ou', `Member accounts: organizational unit for ${a.name}`, String(fields.ou.default ?? 'Workloads')));
  return { name: a.name as string, email: a.email as string, ou, env };
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

async function askEmail(host: IoHost, fields: AccountFields, envs: string[]): Promise<string> {
  host.notify({
    code: 'GW_MEMBER_EMAILS',
    level: 'info',
    text:
      "Each account's root user needs its own email address, used by no other AWS account, that receives mail " +
      '(AWS sends the sign-in and recovery mail there). From one address the wizard makes one per account, with ' +
      `+<env> before the @ (${plusAddress('aws@acme.example', envs[0] ?? 'dev')}): + addressing works with most mail providers.`,
  });
  return host
    .request({
      kind: 'input',
      code: 'GW_ASK_member-accounts.email',
      message: 'Member accounts: an email address of yours that receives mail',
      howToAnswer: HOW,
      validate: (t) => {
        for (const [i, env] of envs.entries()) {
          const problem = check(fields.email, plusAddress(t.trim(), env), `${PATH}[${i}].email (${plusAddress(t.trim(), env)})`);
          if (problem) return problem;
        }
        return check(fields.email, t.trim(), 'the address');
      },
    })
    .then((t) => t.trim());
}

/** The accounts to create, shown whole; changed one field at a time when the person wants to. */
async function review(host: IoHost, fields: AccountFields, fresh: AskedAccount[], offset: number): Promise<AskedAccount[]> {
  const w = Math.max(...fresh.map((a) => a.name.length)) + 2;
  const e = Math.max(...fresh.map((a) => a.email.length)) + 2;
  host.notify({
    code: 'GW_MEMBER_ACCOUNTS_PLANNED',
    level: 'info',
    text: `New member accounts:\n${fresh.map((a) => `  ${a.name.padEnd(w)}${a.email.padEnd(e)}OU ${a.ou}`).join('\n')}`,
  });
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
        message: `Member accounts: ${what} of the ${a.env} account`,
        default: a[key],
        howToAnswer: HOW,
        validate: (t) => check(fields[key], t, `${PATH}[${i}].${key}`),
      });
    out.push({ name: await edit('name', 'name'), email: await edit('email', 'root email'), ou: await edit('ou', 'OU'), env: a.env });
  }
  return out;
}
