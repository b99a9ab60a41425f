import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../helpers/fake-aws.js';
import { answersFile, cli } from '../helpers/run-cli.js';
import { CASES, steps } from './invalid-cases.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

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
    const costFlags = ['--set', 'steps.cost-alerts.limitUsd=100', '--set', 'steps.cost-alerts.emails=billing@acme.example'];
    const run = await cli(['plan', ...CONTACT_FLAGS, ...costFlags, '--set', 'steps.account-alias.alias=acme']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('set the account alias to "acme"');
    expect(run.stdout).toMatch(/Plan: \d+ to create, 0 to update, 0 to delete\./);
  });
});
