/**
 * The invalid answers files of `invalid-answers.test.ts`, in a module of their own so other tests
 * (the JSON Schema's, `json-schema.test.ts`) can use them without also running that file's tests.
 */
export const steps = (body: string) => `version: 1\nsteps:\n${body}`;

/** Each: a file, the path the error must name, and words of the message. */
export const CASES: { name: string; text: string; file?: string; path: string; says: string }[] = [
  {
    name: 'YAML that does not parse',
    text: 'version: 1\nsteps:\n  account-alias: { alias: acme\n',
    path: 'line',
    says: 'is not valid YAML',
  },
  {
    name: 'JSON that does not parse',
    text: '{"version": 1, "steps": {',
    file: 'answers.json',
    path: 'line',
    says: 'is not valid YAML or JSON',
  },
  { name: 'a list instead of a mapping', text: '- version: 1\n', path: '(top level)', says: 'must be a mapping' },
  { name: 'no version', text: 'steps:\n  account-alias: { alias: acme }\n', path: 'version', says: 'is required' },
  {
    name: 'an unsupported version',
    text: steps('  account-alias: { alias: acme }\n').replace('version: 1', 'version: 2'),
    path: 'version',
    says: 'must be 1',
  },
  {
    name: 'an unknown top-level key',
    text: steps('  account-alias: { alias: acme }\n') + 'profile: prod\n',
    path: 'profile',
    says: 'is not a known answer',
  },
  { name: 'an unknown step', text: steps('  acount-alias: { alias: acme }\n'), path: 'steps.acount-alias', says: 'is not a step' },
  {
    name: 'an unknown key in a step',
    text: steps('  account-alias: { alias: acme, name: acme }\n'),
    path: 'steps.account-alias.name',
    says: 'is not a known answer',
  },
  {
    name: 'an alias with capitals',
    text: steps('  account-alias: { alias: Acme }\n'),
    path: 'steps.account-alias.alias',
    says: 'lowercase letters',
  },
  {
    name: 'an alias ending with a hyphen',
    text: steps('  account-alias: { alias: acme- }\n'),
    path: 'steps.account-alias.alias',
    says: 'not starting or ending with a hyphen',
  },
  {
    name: 'an alias that is too short',
    text: steps('  account-alias: { alias: ac }\n'),
    path: 'steps.account-alias.alias',
    says: 'must be',
  },
  { name: 'a missing alias', text: steps('  account-alias: {}\n'), path: 'steps.account-alias.alias', says: 'is required' },
  {
    name: 'a number given as a string',
    text: steps('  password-policy: { minimumLength: "14" }\n'),
    path: 'steps.password-policy.minimumLength',
    says: 'must be a whole number, not a string',
  },
  {
    name: 'a password shorter than CIS allows',
    text: steps('  password-policy: { minimumLength: 8 }\n'),
    path: 'steps.password-policy.minimumLength',
    says: 'at least 14 (CIS 1.7)',
  },
  {
    name: 'a decimal number',
    text: steps('  password-policy: { maxAgeDays: 90.5 }\n'),
    path: 'steps.password-policy.maxAgeDays',
    says: 'must be a whole number',
  },
  {
    name: 'a boolean given as a string',
    text: steps('  account-alias: { alias: acme, allowReplace: "yes" }\n'),
    path: 'steps.account-alias.allowReplace',
    says: 'must be true or false',
  },
  { name: 'a step given as a list', text: steps('  password-policy: [14]\n'), path: 'steps.password-policy', says: 'must be a mapping' },
  {
    name: 'a bad region',
    text: 'version: 1\nregion: Frankfurt\nsteps:\n  account-alias: { alias: acme }\n',
    path: 'region',
    says: 'an AWS region name',
  },
  { name: 'a duplicated key', text: 'version: 1\nversion: 1\nsteps: {}\n', path: 'line', says: 'is not valid YAML' },
];
