import { boolean, integer, list, object, string, unique, type Infer, type Rule, type RuleIssue } from '../../src/answers/schema.js';
import { REGION } from '../guardrails/policies.js';
import { askIdentityCenterUsers, type GroupFields } from './questions.js';

/** Identity Center's permission set names: `[\w+=,.@-]`, 1 to 32 characters. */
const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;
/** Group display names kept to what reads well in the access portal and in a profile name. */
const GROUP_NAME = /^[A-Za-z0-9][\w .+=,@-]{0,63}$/;
const ENV = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const groupName = (what: string, value: string) =>
  string({
    description: `Name of the group ${what}`,
    pattern: GROUP_NAME,
    patternHint: 'a group name such as Admins',
    default: value,
    advanced: true,
  });
const setName = (what: string, value: string) =>
  string({
    description: `Name of the permission set ${what}`,
    pattern: PERMISSION_SET_NAME,
    patternHint: 'at most 32 letters, digits and + = , . @ - _',
    default: value,
    advanced: true,
  });

const userSchema = object(
  {
    userName: string({
      description: 'Sign-in name in the access portal, e.g. ada',
      pattern: /^[\w.@+=,-]{1,128}$/,
      patternHint: 'at most 128 letters, digits and . @ + = , - _',
      placeholder: { text: '<user-name>', put: 'a sign-in name', eg: 'ada' },
    }),
    givenName: string({
      description: 'Given name',
      minLength: 1,
      maxLength: 128,
      placeholder: { text: '<given-name>', put: 'a given name' },
    }),
    familyName: string({
      description: 'Family name',
      minLength: 1,
      maxLength: 128,
      placeholder: { text: '<family-name>', put: 'a family name' },
    }),
    email: string({
      description: 'Email address (where "Forgot password" on the access portal sends the link)',
      pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
      patternHint: 'an email address',
      placeholder: { text: '<name>@<your-domain>', put: "the person's email address", eg: 'ada@acme.example' },
    }),
    groups: list(string({ description: 'a group name', pattern: GROUP_NAME, patternHint: 'one of the groups above' }), {
      description: 'Groups the user is in (adminsGroup, developersGroup, readOnlyGroup by their names)',
      default: [],
      rules: [unique({ key: (g) => g.toLowerCase(), what: 'the group', why: 'a user is in a group once' })],
    }),
  },
  { description: 'A person who signs in through IAM Identity Center' },
);

export const answers = object(
  {
    region: string({
      description: 'Region where IAM Identity Center is enabled (default: the home region)',
      pattern: REGION,
      patternHint: 'an AWS region name such as eu-west-1',
      optional: true,
    }),
    adminsGroup: groupName('with AdministratorAccess in every account', 'Admins'),
    developersGroup: groupName(
      'with PowerUserAccess in the developersIn environments and ReadOnlyAccess in the other workload accounts',
      'Developers',
    ),
    readOnlyGroup: groupName('with ReadOnlyAccess in every account', 'ReadOnly'),
    adminPermissionSet: setName('granting the AWS-managed AdministratorAccess', 'AdministratorAccess'),
    powerUserPermissionSet: setName('granting the AWS-managed PowerUserAccess', 'PowerUserAccess'),
    readOnlyPermissionSet: setName('granting the AWS-managed ReadOnlyAccess', 'ReadOnlyAccess'),
    developersIn: list(string({ description: 'an environment', pattern: ENV, patternHint: 'an environment such as dev' }), {
      description: 'Environments whose accounts give the developers group PowerUserAccess (elsewhere among workloads: ReadOnlyAccess)',
      default: ['dev'],
      rules: [unique({ key: (env) => env, what: 'the environment', why: 'each environment is listed once' })],
    }),
    adminSessionHours: integer({
      description: 'Hours an administrator session lasts (at most 4)',
      min: 1,
      max: 4,
      default: 4,
      advanced: true,
    }),
    sessionHours: integer({ description: 'Hours a power-user or read-only session lasts', min: 1, max: 12, default: 8, advanced: true }),
    users: list(userSchema, {
      description:
        'People to create in the Identity Center directory, with their groups; a user removed from here is reported, never deleted',
      default: [],
      templateItems: [
        {
          userName: '<user-name>',
          givenName: '<given-name>',
          familyName: '<family-name>',
          email: '<name>@<your-domain>',
          groups: ['Admins'],
        },
      ],
      rules: [
        unique({
          key: (u) => u.userName.toLowerCase(),
          field: 'userName',
          what: 'the user name',
          why: 'user names are unique in the directory (ignoring case)',
        }),
        unique({
          key: (u) => u.email.toLowerCase(),
          field: 'email',
          what: 'the email',
          why: 'each person has their own address to reset a password with',
        }),
      ],
      // The group names' schemas, read when the wizard asks (this schema exists by then): their defaults
      // name the groups when the users are asked without them.
      ask: askIdentityCenterUsers(userSchema.fields, (): GroupFields => answers.fields),
    }),
    breakGlassLimit: integer({
      description: 'IAM users with a console password an account may keep for emergencies while people sign in through Identity Center',
      min: 0,
      max: 10,
      default: 2,
      advanced: true,
    }),
    removeUnlistedMembers: boolean({
      description:
        "Allow removing from this step's groups the users the answers do not list (without it they are only reported; users are never deleted)",
      default: false,
      optIn: true,
    }),
  },
  {
    description: 'IAM Identity Center: groups, permission sets, assignments in every account, and users',
    rules: [groupsAreKnown(), namesAreDistinct()],
  },
);

export type IdentityCenterAnswers = Infer<typeof answers>;
export type UserAnswer = IdentityCenterAnswers['users'][number];

/** What the section's rules look at: its names and each user's groups. */
interface Names {
  adminsGroup: string;
  developersGroup: string;
  readOnlyGroup: string;
  adminPermissionSet: string;
  powerUserPermissionSet: string;
  readOnlyPermissionSet: string;
  users: { groups: string[] }[];
}

function groupNames(a: Names): string[] {
  return [a.adminsGroup, a.developersGroup, a.readOnlyGroup];
}

/** Each user's groups are this step's groups: the step manages no other group, so another would never be made. */
function groupsAreKnown(): Rule<Names> {
  return (a) => {
    const known = groupNames(a);
    const out: RuleIssue[] = [];
    a.users.forEach((u, i) =>
      u.groups.forEach((g, j) => {
        if (!known.includes(g))
          out.push({ at: ['users', i, 'groups', j], message: `is not one of this step's groups (${known.join(', ')})` });
      }),
    );
    return out;
  };
}

/** Three groups and three permission sets, each with its own name: one name for two would merge their access. */
function namesAreDistinct(): Rule<Names> {
  return (a) => {
    const out: RuleIssue[] = [];
    const distinct = (fields: (keyof Omit<Names, 'users'>)[], what: string) => {
      const seen = new Map<string, string>();
      for (const f of fields) {
        const name = a[f].toLowerCase();
        const earlier = seen.get(name);
        if (earlier) out.push({ at: [f], message: `is the same name as ${earlier}: each ${what} needs its own name` });
        else seen.set(name, f);
      }
    };
    distinct(['adminsGroup', 'developersGroup', 'readOnlyGroup'], 'group');
    distinct(['adminPermissionSet', 'powerUserPermissionSet', 'readOnlyPermissionSet'], 'permission set');
    return out;
  };
}
