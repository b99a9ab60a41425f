import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../helpers/fake-aws.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const steps = (body: string) => `version: 1\nsteps:\n${body}`;

/** Each: a file, the path the error must name, and words of the message. */
const CASES: { name: string; text: string; file?: string; path: string; says: string }[] = [
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

describe('an invalid answers file', () => {
  it.each(CASES)('with $name exits 2, names $path, and sends nothing to AWS', async ({ text, file, path, says }) => {
    const run = await cli(['plan', '--answers', answersFile(text, file)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(path);
    expect(run.stderr).toContain(says);
    expect(run.stdout).toBe('');
    expect(fake.calls).toEqual([]);
  });

  it('reports every problem of the file at once', async () => {
    const run = await cli([
      'apply',
      '--yes',
      '--answers',
      answersFile(steps('  account-alias: { alias: A }\n  password-policy: { minimumLength: 3, reusePrevention: 1 }\n')),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('steps.account-alias.alias');
    expect(run.stderr).toContain('steps.password-policy.minimumLength');
    expect(run.stderr).toContain('steps.password-policy.reusePrevention');
    expect(fake.calls).toEqual([]);
  });

  it('that does not exist exits 2 and names the file', async () => {
    const run = await cli(['verify', '--answers', '/nonexistent/answers.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('/nonexistent/answers.yaml');
    expect(fake.calls).toEqual([]);
  });
});

describe('bad flags', () => {
  it.each([
    [['plan', '--bogus'], 'unknown option --bogus'],
    [['deploy'], 'unknown command "deploy"'],
    [['plan', '--output', 'yaml'], '--output must be one of'],
    [['plan', '--only', 'account-alis'], '"account-alis" is not a step'],
    [['plan', '--set', 'steps.account-alias.alias=Bad_Alias'], 'steps.account-alias.alias'],
    [['plan', '--only', 'account-alias', '--endpoint-url', 'not a url', '--set', 'steps.account-alias.alias=acme'], 'is not a URL'],
    [['plan', '--only', 'account-alias', '--region', 'moon-1', '--set', 'steps.account-alias.alias=acme'], 'is not an AWS region name'],
  ])('%j exits 2 with a clear message and sends nothing', async (argv, says) => {
    const run = await cli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(says);
    expect(fake.calls).toEqual([]);
  });
});

const CONTACT_FLAGS = [
  ['name', 'Jane Founder'],
  ['title', 'CTO'],
  ['email', 'security@acme.example'],
  ['phone', '+1 555 0100'],
].flatMap(([k, v]) => ['--set', `steps.security-contacts.security.${k}=${v}`]);

describe('without a terminal and without answers', () => {
  it('exits 2 naming the missing answer and how to give it', async () => {
    const run = await cli(['plan']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing: steps.account-alias.alias, steps.security-contacts.security.name');
    expect(run.stderr).toContain('--answers FILE');
    expect(run.stderr).toContain('--set steps.account-alias.alias=VALUE');
    expect(fake.calls).toEqual([]);
  });

  it('runs from --set flags alone when they give every required answer', async () => {
    const run = await cli(['plan', ...CONTACT_FLAGS, '--set', 'steps.account-alias.alias=acme']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('set the account alias to "acme"');
    expect(run.stdout).toMatch(/Plan: \d+ to create, 0 to update, 0 to delete\./);
  });
});
