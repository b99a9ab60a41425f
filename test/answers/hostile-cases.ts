/**
 * The hostile answers files of `hostile-answers.test.ts`, in a module of their own so other tests
 * (the JSON Schema's, `json-schema.test.ts`) can use them without also running that file's tests.
 */
export const steps = (body: string) => `version: 1\nsteps:\n${body}`;
const contact = (fields: string) =>
  steps(
    `  security-contacts:\n    security: { name: Jane Founder, title: CTO, email: security@acme.example, phone: "+1 555 0100", ${fields} }\n`,
  );
export const contactWith = (override: Record<string, string>) => {
  const c = { name: '"Jane Founder"', title: 'CTO', email: 'security@acme.example', phone: '"+1 555 0100"', ...override };
  return steps(
    `  security-contacts:\n    security: { ${Object.entries(c)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')} }\n`,
  );
};

/** Billion laughs: each level is nine aliases of the one before, so level 9 would be 9^9 (387 million) leaves. */
export function aliasBomb(levels: number): string {
  let text = 'version: 1\nsteps: {}\nlol0: &lol0 [lol]\n';
  for (let i = 1; i <= levels; i++)
    text += `lol${i}: &lol${i} [${Array(9)
      .fill(`*lol${i - 1}`)
      .join(', ')}]\n`;
  return text;
}

const FIVE_MB = 5 * 1024 * 1024;

/** Each: a hostile file, the path (or `line N`) the error must name, and words of the message. */
export const CASES: { name: string; text: string; path: string; says: string }[] = [
  // Syntax
  { name: 'an unclosed flow mapping', text: steps('  account-alias: { alias: acme\n'), path: 'line ', says: 'is not valid YAML' },
  {
    name: 'a key indented out of line',
    text: steps('  account-alias:\n    alias: acme\n   password-policy: {}\n'),
    path: 'line 5',
    says: 'All mapping items must start at the same column',
  },
  { name: 'a tab used as indentation', text: steps('\taccount-alias: { alias: acme }\n'), path: 'line 3', says: 'Tabs are not allowed' },
  {
    name: 'YAML cut in the middle of a quoted string',
    text: steps('  account-alias: { alias: "ac'),
    path: 'line 3',
    says: 'Missing closing "quote',
  },
  {
    name: 'YAML cut in the middle of a flow list',
    text: steps('  admin-group: { users: [alice, bo'),
    path: 'line 3',
    says: 'is not valid YAML',
  },
  {
    name: 'YAML cut right after an anchor mark',
    text: steps('  account-alias: &'),
    path: 'line 3',
    says: 'Anchor cannot be an empty string',
  },
  {
    name: 'JSON cut in the middle of a string',
    text: '{"version": 1, "steps": {"account-alias": {"alias": "acm',
    path: 'line 1',
    says: 'Missing closing "quote',
  },
  { name: 'JSON cut in the middle of a key', text: '{"version": 1, "ste', path: 'line 1', says: 'is not valid YAML or JSON' },
  {
    name: 'JSON cut in the middle of a \\u escape',
    text: '{"version": 1, "steps": {"account-alias": {"alias": "acme\\u00',
    path: 'line 1',
    says: 'Invalid escape sequence',
  },
  {
    name: 'JSON cut in the middle of true',
    text: '{"version": 1, "steps": {"account-alias": {"alias": "acme", "allowReplace": tr',
    path: 'line 1',
    says: 'is not valid YAML or JSON',
  },
  {
    name: 'a duplicated top-level key',
    text: 'version: 1\nsteps: {}\nsteps: { account-alias: { alias: evil } }\n',
    path: 'line 3',
    says: 'Map keys must be unique',
  },
  {
    name: 'a duplicated key inside a step',
    text: steps('  account-alias: { alias: acme, alias: evil }\n'),
    path: 'line 3',
    says: 'Map keys must be unique',
  },
  {
    name: 'two YAML documents in one file',
    text: 'version: 1\nsteps: {}\n---\nversion: 1\nsteps: { account-alias: { alias: evil } }\n',
    path: 'line 3',
    says: 'multiple documents',
  },
  {
    name: 'more after an end-of-document marker',
    text: 'version: 1\nsteps: {}\n...\nsteps: { account-alias: { alias: evil } }\n',
    path: 'line 4',
    says: 'multiple documents',
  },
  {
    name: 'flow lists nested 5000 deep',
    text: `version: 1\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
    path: 'line 2',
    says: 'is not valid YAML',
  },
  {
    name: 'mappings nested 3000 deep',
    text: Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'),
    path: 'line ',
    says: 'is not valid YAML',
  },
  {
    name: 'a byte-order mark before a syntax error',
    text: `\uFEFF${steps('  account-alias: { alias: acme\n')}`,
    path: 'line ',
    says: 'is not valid YAML',
  },

  // Aliases
  { name: 'a billion-laughs alias bomb (9 levels of 9 aliases)', text: aliasBomb(9), path: '(top level)', says: 'Excessive alias count' },
  { name: 'a small alias bomb (3 levels of 9 aliases)', text: aliasBomb(3), path: '(top level)', says: 'Excessive alias count' },
  {
    name: 'one anchored scalar aliased 20000 times',
    text: `version: 1\nx: &a acme\nl: [${Array(20_000).fill('*a').join(', ')}]\n`,
    path: '(top level)',
    says: 'Excessive alias count',
  },
  {
    name: 'an alias to an anchor that does not exist',
    text: steps('  account-alias: *nowhere\n'),
    path: '(top level)',
    says: 'Unresolved alias',
  },
  {
    name: 'a version that contains itself through an alias',
    text: 'version: &v [*v]\nsteps: {}\n',
    path: 'version',
    says: 'must be 1, not a list',
  },
  {
    name: 'admin users that contain themselves through an alias',
    text: steps('  admin-group: { users: &u [*u] }\n'),
    path: 'steps.admin-group.users[0]',
    says: 'must be a string, not a list',
  },

  // Size
  {
    name: '5 MB of comment padding before a bad alias',
    text: `# ${'x'.repeat(FIVE_MB)}\n${steps('  account-alias: { alias: Acme }\n')}`,
    path: 'steps.account-alias.alias',
    says: 'lowercase letters',
  },
  {
    name: 'a 5 MB string under an unknown key',
    text: `${steps('  account-alias: { alias: acme }\n')}padding: "${'x'.repeat(FIVE_MB)}"\n`,
    path: 'padding',
    says: 'is not a known answer',
  },
  {
    name: '50000 admin users, the last one invalid',
    text: steps(`  admin-group:\n    users:\n${'      - alice\n'.repeat(49_999)}      - "alice bob"\n`),
    path: 'steps.admin-group.users[49999]',
    says: 'letters, digits',
  },
  {
    name: 'an alias of 10000 characters',
    text: steps(`  account-alias: { alias: ${'a'.repeat(10_000)} }\n`),
    path: 'steps.account-alias.alias',
    says: 'must be 3-63',
  },

  // Shapes and types at several depths
  { name: 'an empty file', text: '', path: '(top level)', says: 'must be a mapping with version and steps, not null' },
  { name: 'only whitespace and line breaks', text: '   \n\n  \n', path: '(top level)', says: 'not null' },
  { name: 'a document that is only a comment', text: '# version: 1\n# steps: {}\n', path: '(top level)', says: 'not null' },
  { name: 'a bare word as the whole document', text: 'acme\n', path: '(top level)', says: 'not a string' },
  {
    name: 'version as the string "1"',
    text: 'version: "1"\nsteps:\n  account-alias: { alias: acme }\n',
    path: 'version',
    says: 'must be 1, not "1"',
  },
  { name: 'version 1.5', text: 'version: 1.5\nsteps: {}\n', path: 'version', says: 'must be 1, not 1.5' },
  { name: 'version with a NUL byte after it', text: 'version: 1\u0000\nsteps: {}\n', path: 'version', says: 'must be 1' },
  { name: 'steps as a string', text: 'version: 1\nsteps: all\n', path: 'steps', says: 'must be a mapping of step ids, not a string' },
  {
    name: 'the security email as a list',
    text: contactWith({ email: '[security@acme.example]' }),
    path: 'steps.security-contacts.security.email',
    says: 'must be a string, not a list',
  },
  {
    name: 'the security contact as a string',
    text: steps('  security-contacts: { security: jane@acme.example }\n'),
    path: 'steps.security-contacts.security',
    says: 'must be a mapping, not a string',
  },
  {
    name: 'member accounts as a mapping',
    text: steps('  member-accounts: { accounts: { acme-dev: aws+dev@acme.example } }\n'),
    path: 'steps.member-accounts.accounts',
    says: 'must be a list, not a mapping',
  },
  {
    name: 'a member account as a string',
    text: steps('  member-accounts: { accounts: [acme-dev] }\n'),
    path: 'steps.member-accounts.accounts[0]',
    says: 'must be a mapping, not a string',
  },
  { name: 'an unknown step', text: steps('  account-aliases: { alias: acme }\n'), path: 'steps.account-aliases', says: 'is not a step' },
  {
    name: 'an unknown key three levels down',
    text: contact('pager: "+1 555 0199"'),
    path: 'steps.security-contacts.security.pager',
    says: 'is not a known answer',
  },
  {
    name: 'a __proto__ key in a step',
    text: steps('  account-alias: { alias: acme, __proto__: { allowReplace: true } }\n'),
    path: 'steps.account-alias.__proto__',
    says: 'is not a known answer',
  },
  { name: 'a __proto__ step', text: steps('  __proto__: { alias: acme }\n'), path: 'steps.__proto__', says: 'is not a step' },
  {
    name: 'a YAML 1.1 merge key in a step',
    text: steps('  account-alias: { <<: { alias: acme } }\n'),
    path: 'steps.account-alias.<<',
    says: 'is not a known answer',
  },

  // Tags
  {
    name: 'a !!js/function tag on the alias',
    text: steps('  account-alias: { alias: !!js/function "function () { return process.exit(0) }" }\n'),
    path: 'steps.account-alias.alias',
    says: 'must be 3-63',
  },
  {
    name: 'a !!binary tag on the alias',
    text: steps('  account-alias: { alias: !!binary YWNtZQ== }\n'),
    path: 'steps.account-alias.alias',
    says: 'must be a string',
  },
  { name: 'a !!set tag on the version', text: 'version: !!set { 1 }\nsteps: {}\n', path: 'version', says: 'must be 1, not a mapping' },
  { name: 'a custom tag on the version', text: 'version: !python/object 1\nsteps: {}\n', path: 'version', says: 'must be 1, not "1"' },

  // Strings that look right and are not
  {
    name: 'a BEL character typed into the alias',
    text: steps('  account-alias: { alias: "acme\u0007" }\n'),
    path: 'steps.account-alias.alias',
    says: 'must not contain control characters',
  },
  {
    name: 'a terminal escape in the alias',
    text: steps('  account-alias: { alias: "acme\\e[31m" }\n'),
    path: 'steps.account-alias.alias',
    says: 'must not contain control characters',
  },
  {
    name: 'a NUL byte in the alias',
    text: steps('  account-alias: { alias: "acme\\0" }\n'),
    path: 'steps.account-alias.alias',
    says: 'must not contain control characters',
  },
  {
    name: 'a line break at the end of the alias',
    text: steps('  account-alias: { alias: "acme\\n" }\n'),
    path: 'steps.account-alias.alias',
    says: 'must not contain control characters',
  },
  {
    name: 'a Cyrillic а in the alias',
    text: steps('  account-alias: { alias: аcme }\n'),
    path: 'steps.account-alias.alias',
    says: 'lowercase letters',
  },
  {
    name: 'a fullwidth alias',
    text: steps('  account-alias: { alias: ａｃｍｅ }\n'),
    path: 'steps.account-alias.alias',
    says: 'lowercase letters',
  },
  {
    name: 'a zero-width no-break space inside the alias',
    text: steps('  account-alias: { alias: "ac\uFEFFme" }\n'),
    path: 'steps.account-alias.alias',
    says: 'lowercase letters',
  },
  {
    name: 'a byte-order mark before a bad alias',
    text: `\uFEFF${steps('  account-alias: { alias: Acme }\n')}`,
    path: 'steps.account-alias.alias',
    says: 'lowercase letters',
  },
  {
    name: 'a path as the alias',
    text: steps('  account-alias: { alias: /etc/passwd }\n'),
    path: 'steps.account-alias.alias',
    says: 'must be 3-63',
  },
  {
    name: 'a path as the trail bucket',
    text: steps('  org-trail: { bucketName: ../../etc/passwd }\n'),
    path: 'steps.org-trail.bucketName',
    says: 'an S3 bucket name',
  },
  {
    name: 'a path in the region',
    text: 'version: 1\nregion: us-east-1/../../etc\nsteps: {}\n',
    path: 'region',
    says: 'an AWS region name',
  },
  {
    name: 'a member email without an @',
    text: steps(
      '  member-accounts:\n    accounts:\n      - { name: acme-dev, email: aws+dev@acme.example }\n      - { name: acme-prod, email: aws+prod.acme.example }\n',
    ),
    path: 'steps.member-accounts.accounts[1].email',
    says: 'an email address',
  },
  {
    name: 'a member email with a space',
    text: steps('  member-accounts:\n    accounts:\n      - { name: acme-dev, email: "aws dev@acme.example" }\n'),
    path: 'steps.member-accounts.accounts[0].email',
    says: 'an email address',
  },
  {
    name: 'a member email longer than AWS allows',
    text: steps(`  member-accounts:\n    accounts:\n      - { name: acme-dev, email: ${'a'.repeat(60)}@acme.example }\n`),
    path: 'steps.member-accounts.accounts[0].email',
    says: 'at most 64',
  },
  {
    name: 'a contact email without a domain',
    text: contactWith({ email: 'security@localhost' }),
    path: 'steps.security-contacts.security.email',
    says: 'an email address',
  },
  {
    name: 'a contact email with two @',
    text: contactWith({ email: 'security@evil@acme.example' }),
    path: 'steps.security-contacts.security.email',
    says: 'an email address',
  },
  {
    name: 'a contact email that carries a terminal escape',
    text: contactWith({ email: '"sec\\e[2J@acme.example"' }),
    path: 'steps.security-contacts.security.email',
    says: 'must not contain control characters',
  },
  {
    name: 'a contact name that retitles the terminal',
    text: contactWith({ name: '"Jane\\e]0;pwned\\a"' }),
    path: 'steps.security-contacts.security.name',
    says: 'must not contain control characters',
  },
  {
    name: 'a contact phone with a line break',
    text: contactWith({ phone: '"+1 555\\n0100"' }),
    path: 'steps.security-contacts.security.phone',
    says: 'must not contain control characters',
  },

  // Placeholders the template leaves for a person to replace
  {
    name: "the template's alias placeholder",
    text: steps('  account-alias: { alias: <your-company> }\n'),
    path: 'steps.account-alias.alias',
    says: "is still the template's placeholder: put the sign-in alias you want there",
  },
  {
    name: "the template's placeholder in a contact title, which has no pattern to fail",
    text: contactWith({ title: '<job title>' }),
    path: 'steps.security-contacts.security.title',
    says: "is still the template's placeholder: put that person's job title there",
  },
  {
    name: 'a contact email edited in front of the placeholder domain only',
    text: contactWith({ email: 'jane@<your-domain>' }),
    path: 'steps.security-contacts.security.email',
    says: "is still the template's placeholder: put an email address that reaches a person there",
  },
  {
    name: "the template's phone placeholder, quoted",
    text: contactWith({ phone: '"<phone number>"' }),
    path: 'steps.security-contacts.security.phone',
    says: "is still the template's placeholder: put a phone number",
  },
  {
    name: 'a billing contact uncommented from the template and left as it was',
    text: `${contactWith({})}    billing: { name: <full name>, title: CTO, email: billing@acme.example, phone: "+1 555 0100" }\n`,
    path: 'steps.security-contacts.billing.name',
    says: "is still the template's placeholder: put the name of the person AWS should write to about billing there",
  },
  {
    name: "a member account name still holding the template's <your-company>",
    text: steps('  member-accounts:\n    accounts:\n      - { name: <your-company>-dev, email: aws+dev@acme.example }\n'),
    path: 'steps.member-accounts.accounts[0].name',
    says: "is still the template's placeholder: put the account's name there",
  },
  {
    name: "a member account email still holding the template's <your-domain>",
    text: steps('  member-accounts:\n    accounts:\n      - { name: acme-dev, email: aws+dev@<your-domain> }\n'),
    path: 'steps.member-accounts.accounts[0].email',
    says: "is still the template's placeholder: put a new email address of yours there",
  },

  // Rules across answers, which AWS would only enforce once the run has started
  {
    name: 'two member accounts with one email',
    text: steps(
      '  member-accounts:\n    accounts:\n      - { name: acme-dev, email: aws@acme.example }\n      - { name: acme-prod, email: aws@acme.example }\n',
    ),
    path: 'steps.member-accounts.accounts[1].email',
    says: 'repeats the email of steps.member-accounts.accounts[0].email: an email address belongs to one AWS account only',
  },
  {
    name: 'two member accounts whose emails differ only in case',
    text: steps(
      '  member-accounts:\n    accounts:\n      - { name: acme-dev, email: aws+dev@acme.example }\n      - { name: acme-prod, email: AWS+Dev@Acme.Example }\n',
    ),
    path: 'steps.member-accounts.accounts[1].email',
    says: 'compared ignoring case',
  },
  {
    name: 'two member accounts with one name',
    text: steps(
      '  member-accounts:\n    accounts:\n      - { name: acme-dev, email: aws+dev@acme.example }\n      - { name: acme-dev, email: aws+dev2@acme.example }\n',
    ),
    path: 'steps.member-accounts.accounts[1].name',
    says: 'repeats the name of steps.member-accounts.accounts[0].name',
  },
  {
    name: 'two member accounts whose names differ only in case',
    text: steps(
      '  member-accounts:\n    accounts:\n      - { name: acme-dev, email: aws+dev@acme.example }\n      - { name: Acme-Dev, email: aws+dev2@acme.example, env: sandbox }\n',
    ),
    path: 'steps.member-accounts.accounts[1].name',
    says: 'repeats the name of steps.member-accounts.accounts[0].name',
  },
  {
    name: 'two members in one environment, with the account-alias step',
    text: steps(
      '  account-alias: { alias: acme }\n  member-accounts:\n    accounts:\n      - { name: acme-app-dev, email: aws+app@acme.example }\n      - { name: acme-data-dev, email: aws+data@acme.example }\n',
    ),
    path: 'steps.member-accounts.accounts[1].env',
    says: 'is "dev", as for steps.member-accounts.accounts[0]: each member\'s sign-in alias is acme-<env>',
  },
  {
    name: "an env answer equal to another member's environment from its name",
    text: steps(
      '  account-alias: { alias: acme }\n  member-accounts:\n    accounts:\n      - { name: acme-dev, email: aws+dev@acme.example }\n      - { name: acme-sandbox, email: aws+sb@acme.example, env: dev }\n',
    ),
    path: 'steps.member-accounts.accounts[1].env',
    says: 'an alias belongs to one account only',
  },
  {
    name: 'an alias that is valid alone but too long once a member adds -staging',
    text: steps(
      `  account-alias: { alias: ${'a'.repeat(60)} }\n  member-accounts:\n    accounts:\n      - { name: acme-staging, email: aws+staging@acme.example }\n`,
    ),
    path: 'steps.member-accounts.accounts[0].env',
    says: `makes this account's sign-in alias "${'a'.repeat(60)}-staging" 68 characters, over IAM's 63`,
  },
  {
    name: 'a member name that does not end in an environment, without env',
    text: steps('  member-accounts:\n    accounts:\n      - { name: Acme Dev, email: aws+dev@acme.example }\n'),
    path: 'steps.member-accounts.accounts[0].env',
    says: 'is needed: the name "Acme Dev" does not end in an environment',
  },
  {
    name: 'one admin user twice, in different case',
    text: steps('  admin-group: { users: [alice, bob, Alice] }\n'),
    path: 'steps.admin-group.users[2]',
    says: 'repeats the user of steps.admin-group.users[0]: IAM user names ignore case',
  },
  {
    name: 'one MFA group twice, in different case',
    text: steps('  mfa-enforcement: { groups: [Admins, admins] }\n'),
    path: 'steps.mfa-enforcement.groups[1]',
    says: 'repeats the group of steps.mfa-enforcement.groups[0]: IAM group names ignore case',
  },
  {
    name: 'a renamed admin group that MFA enforcement, left at its default, leaves out',
    text: steps('  admin-group: { name: Administrators }\n  mfa-enforcement: {}\n'),
    path: 'steps.mfa-enforcement.groups',
    says: 'leaves out the admin group "Administrators" (steps.admin-group.name), whose members would then not need MFA',
  },
  {
    name: 'the access-log bucket named the same as the trail bucket',
    text: steps('  org-trail: { bucketName: acme-trail, logBucketName: acme-trail }\n'),
    path: 'steps.org-trail.logBucketName',
    says: 'is the same as bucketName: the access logs need a bucket of their own',
  },

  // Numbers
  {
    name: 'a negative minimum length',
    text: steps('  password-policy: { minimumLength: -1 }\n'),
    path: 'steps.password-policy.minimumLength',
    says: 'at least 14 (CIS 1.7)',
  },
  {
    name: 'a minimum length of 1e400 (infinity)',
    text: steps('  password-policy: { minimumLength: 1e400 }\n'),
    path: 'steps.password-policy.minimumLength',
    says: 'must be a whole number',
  },
  {
    name: 'a minimum length of .inf',
    text: steps('  password-policy: { minimumLength: .inf }\n'),
    path: 'steps.password-policy.minimumLength',
    says: 'must be a whole number',
  },
  {
    name: 'a minimum length of .nan',
    text: steps('  password-policy: { minimumLength: .nan }\n'),
    path: 'steps.password-policy.minimumLength',
    says: 'must be a whole number',
  },
  {
    name: 'a minimum length of 2**53+1',
    text: steps(`  password-policy: { minimumLength: ${2n ** 53n + 1n} }\n`),
    path: 'steps.password-policy.minimumLength',
    says: 'must be at most 128',
  },
  {
    name: 'a retention of 10**20 days',
    text: steps('  org-trail: { retentionDays: 100000000000000000000 }\n'),
    path: 'steps.org-trail.retentionDays',
    says: 'must be at most 3650',
  },
  {
    name: 'a negative expiry',
    text: steps('  password-policy: { maxAgeDays: -90 }\n'),
    path: 'steps.password-policy.maxAgeDays',
    says: 'must be at least 0',
  },
];
