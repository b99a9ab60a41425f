import { parseScalar, type ListQuestions, type StringSchema } from '../../src/answers/schema.js';
import type { IoHost } from '../../src/io/host.js';

/** A person as the wizard builds them: every field given, in one of this step's groups. */
export interface AskedUser {
  userName: string;
  givenName: string;
  familyName: string;
  email: string;
  groups: string[];
}

/** A user's own field rules, so each prompt refuses what the answers file would. */
export interface UserFields {
  userName: StringSchema;
  givenName: StringSchema;
  familyName: StringSchema;
  email: StringSchema;
}

/** The step's group names: their schemas, whose defaults stand in for names not answered yet. */
export interface GroupFields {
  adminsGroup: StringSchema;
  developersGroup: StringSchema;
  readOnlyGroup: StringSchema;
}

const PATH = 'steps.identity-center.users';
const HOW = `Give ${PATH} in an answers file (--answers FILE); \`aws-groundwork answers\` writes a template.`;

/** What each group gives, in the words of the group question. */
const GIVES: Record<keyof GroupFields, string> = {
  adminsGroup: 'AdministratorAccess in every account',
  developersGroup: 'PowerUserAccess in the developer environments, ReadOnlyAccess in the other workload accounts',
  readOnlyGroup: 'ReadOnlyAccess in every account',
};

/**
 * The group names as this step's answers name them. The wizard asks the names before the users, and
 * `steps` holds this step as far as it is answered, so a renamed admins group is the founder's group;
 * a name not answered (the users asked on their own) is the schema's default.
 */
function groupNames(groups: GroupFields, q: ListQuestions): Record<keyof GroupFields, string> {
  const section = q.steps['identity-center'];
  const name = (key: keyof GroupFields) => {
    const given = section?.[key];
    return typeof given === 'string' ? given : String(groups[key].default);
  };
  return { adminsGroup: name('adminsGroup'), developersGroup: name('developersGroup'), readOnlyGroup: name('readOnlyGroup') };
}

/**
 * The wizard's questions for Identity Center's users: the founder first, in the admins group, then
 * "add another person?" until no, each with the group they go in. A person's fields are checked as the
 * answers file checks them, the user name and email against the people before too.
 */
export function askIdentityCenterUsers(fields: UserFields, groups: () => GroupFields) {
  return async (host: IoHost, q: ListQuestions): Promise<AskedUser[]> => {
    const names = groupNames(groups(), q);
    host.notify({
      code: 'GW_IDENTITY_CENTER_PEOPLE',
      level: 'info',
      text:
        `The first person in the Identity Center directory is you, in ${names.adminsGroup}. ` +
        'AWS sends no invitation: each person sets a password with "Forgot password" on the access portal.',
    });
    const users = [await askUser(host, fields, [], names.adminsGroup)];
    while (await askMore(host)) {
      const group = await askGroup(host, names, users.length);
      users.push(await askUser(host, fields, users, group));
    }
    return users;
  };
}

async function askMore(host: IoHost): Promise<boolean> {
  return host.request({
    kind: 'confirm',
    code: 'GW_ASK_identity-center.users.more',
    message: 'IAM Identity Center: add another person?',
    default: false,
    howToAnswer: HOW,
  });
}

async function askGroup(host: IoHost, names: Record<keyof GroupFields, string>, i: number): Promise<string> {
  const keys = Object.keys(GIVES) as (keyof GroupFields)[];
  return host.request({
    kind: 'select',
    code: `GW_ASK_identity-center.users[${i}].group`,
    message: 'IAM Identity Center: which group is the next person in?',
    choices: keys.map((k) => ({ value: names[k], name: `${names[k]}: ${GIVES[k]}` })),
    howToAnswer: HOW,
  });
}

/** An answer no two people share: what the rule calls it, and why. */
interface Unique {
  of: (u: AskedUser) => string;
  what: string;
  why: string;
}

const UNIQUE: Partial<Record<keyof UserFields, Unique>> = {
  userName: { of: (u) => u.userName, what: 'user name', why: 'user names are unique in the directory (ignoring case)' },
  email: { of: (u) => u.email, what: 'email', why: 'each person has their own address to reset a password with' },
};

/** What is wrong with one typed field, as the answers file would say it, or undefined. */
function problemWith(field: StringSchema, key: keyof UserFields, text: string, earlier: AskedUser[]): string | undefined {
  const at = `${PATH}[${earlier.length}].${key}`;
  const r = parseScalar(field, text);
  if ('problem' in r) return `${at} ${r.problem}`;
  const unique = UNIQUE[key];
  const j = unique ? earlier.findIndex((u) => unique.of(u).toLowerCase() === text.toLowerCase()) : -1;
  return unique && j >= 0 ? `${at} repeats the ${unique.what} of ${PATH}[${j}]: ${unique.why}` : undefined;
}

/** One person's four fields, each prompt checked by its field's schema; `earlier` are the people before. */
async function askUser(host: IoHost, fields: UserFields, people: AskedUser[], group: string): Promise<AskedUser> {
  // A copy: the list grows after this person, and a prompt checks against the people before them only.
  const earlier = [...people];
  const i = earlier.length;
  const whose = i === 0 ? 'your' : "the next person's";
  const ask = async (key: keyof UserFields, what: string) => {
    const text = await host.request({
      kind: 'input',
      code: `GW_ASK_identity-center.users[${i}].${key}`,
      message: `IAM Identity Center: ${whose} ${what}`,
      howToAnswer: HOW,
      validate: (t) => problemWith(fields[key], key, t.trim(), earlier),
    });
    return text.trim();
  };
  const userName = await ask('userName', 'user name, to sign in at the access portal (e.g. ada)');
  const givenName = await ask('givenName', 'given name');
  const familyName = await ask('familyName', 'family name');
  const email = await ask('email', 'email address (where "Forgot password" sends the link)');
  return { userName, givenName, familyName, email, groups: [group] };
}
