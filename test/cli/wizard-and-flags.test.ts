import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestHost } from '../../src/io/test-host.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { EXAMPLE_ANSWERS, answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

describe('the wizard through the message channel', () => {
  it('asks each answer, shows the plan, asks for approval, applies and verifies', async () => {
    const host = new TestHost({
      'GW_ASK_account-alias.alias': ['acme'],
      'GW_ASK_password-policy.minimumLength': ['16'],
      'GW_ASK_password-policy.reusePrevention': ['24'],
      'GW_ASK_password-policy.maxAgeDays': ['90'],
      'GW_ASK_admin-group.name': ['Admins'],
      'GW_ASK_org-trail.name': ['acme-org-trail'],
      'GW_ASK_org-trail.retentionDays': ['400'],
      'GW_ASK_security-contacts.security.name': ['Jane Founder'],
      'GW_ASK_security-contacts.security.title': ['CTO'],
      'GW_ASK_security-contacts.security.email': ['security@acme.example'],
      'GW_ASK_security-contacts.security.phone': ['+1 555 0100'],
      GW_APPROVE_PLAN: ['all'],
      GW_SAVE_ANSWERS: [false],
    });
    const run = await cli([], { host });
    expect(run.code).toBe(0);
    expect(host.requests.map((r) => r.code)).toEqual([
      'GW_ASK_account-alias.alias',
      'GW_ASK_password-policy.minimumLength',
      'GW_ASK_password-policy.reusePrevention',
      'GW_ASK_password-policy.maxAgeDays',
      'GW_ASK_admin-group.name',
      'GW_ASK_org-trail.name',
      'GW_ASK_org-trail.retentionDays',
      'GW_ASK_security-contacts.security.name',
      'GW_ASK_security-contacts.security.title',
      'GW_ASK_security-contacts.security.email',
      'GW_ASK_security-contacts.security.phone',
      'GW_APPROVE_PLAN',
      'GW_SAVE_ANSWERS',
    ]);
    // Before the plan, where each step stands; after verify, the command to check again.
    expect(host.messages.find((m) => m.code === 'GW_OVERVIEW')?.text).toMatch(/to do +account-alias/);
    expect(host.messages.find((m) => m.code === 'GW_REVERIFY')).toBeUndefined();
    // Questions carry the schema's default and validate with the answers-file rules.
    const length = host.requests[1] as { default?: string; validate?: (t: string) => string | undefined };
    expect(length.default).toBe('14');
    expect(length.validate?.('8')).toBe('steps.password-policy.minimumLength must be at least 14 (CIS 1.7)');
    expect(host.results[0]).toMatch(/Plan: \d+ to create, 0 to update, 0 to delete\./);
    expect(host.results[1]).toMatch(/Controls: \d+ pass, 0 fail, 0 manual, 0 error\./);
    expect(fake.trails.get('acme-org-trail')?.logging).toBe(true);
    expect(fake.management).toMatchObject({ alias: 'acme', passwordPolicy: { MinimumPasswordLength: 16 } });
  });

  it('starts with what the account already has, and offers the live values as defaults', async () => {
    fake.management.alias = 'acme';
    fake.management.contacts.SECURITY = {
      Name: 'Jane Founder',
      Title: 'CTO',
      EmailAddress: 'sec@acme.example',
      PhoneNumber: '+1 555 0100',
    };
    const host = new TestHost({
      'GW_ASK_account-alias.alias': ['acme'],
      'GW_ASK_security-contacts.security.name': ['Jane Founder'],
      'GW_ASK_security-contacts.security.title': ['CTO'],
      'GW_ASK_security-contacts.security.email': ['sec@acme.example'],
      'GW_ASK_security-contacts.security.phone': ['+1 555 0100'],
      GW_APPROVE_PLAN: ['stop'],
    });
    const run = await cli(['--only', 'account-alias,organization,security-contacts'], { host });
    expect(run.code).toBe(1); // stopped at the plan
    const facts = host.messages.find((m) => m.code === 'GW_START_FACTS')?.text ?? '';
    expect(facts).toContain('Sign-in alias: acme (https://acme.signin.aws.amazon.com/console)');
    expect(facts).toContain('Security contact: Jane Founder <sec@acme.example>');
    expect(facts).toContain('Organization: none yet');
    const asked = Object.fromEntries(host.requests.map((r) => [r.code, (r as { default?: string }).default]));
    expect(asked['GW_ASK_account-alias.alias']).toBe('acme');
    expect(asked['GW_ASK_security-contacts.security.email']).toBe('sec@acme.example');
    // Only reads happened before the questions were answered.
    expect(fake.writes).toEqual([]);
  });

  it('changes nothing when the plan is declined, and exits 1', async () => {
    const host = new TestHost({ 'GW_ASK_account-alias.alias': ['acme'], GW_APPROVE_PLAN: ['stop'] });
    const run = await cli(['apply', '--only', 'account-alias'], { host });
    expect(run.code).toBe(1);
    expect(host.messages.at(-1)?.text).toContain('nothing was changed');
    expect(fake.writes).toEqual([]);
  });

  it('applies only the steps the person chooses, leaving the rest for the next run', async () => {
    const host = new TestHost({
      'GW_ASK_account-alias.alias': ['acme'],
      'GW_ASK_password-policy.minimumLength': ['14'],
      'GW_ASK_password-policy.reusePrevention': ['24'],
      'GW_ASK_password-policy.maxAgeDays': ['90'],
      GW_APPROVE_PLAN: ['choose'],
      GW_CHOOSE_STEPS: [['password-policy']],
    });
    const run = await cli(['apply', '--only', 'account-alias,password-policy'], { host });
    expect(run.code).toBe(3); // the alias is still missing: verify says so
    expect(fake.writes.map((w) => w.operation)).toEqual(['UpdateAccountPasswordPolicy']);
    expect(host.results.at(-1)).toMatch(/FAIL\s+GW\.ALIAS/);
  });

  it('asks for a typed confirmation before a destructive replace, even with --yes', async () => {
    fake.management.alias = 'old-name';
    const declined = new TestHost({ GW_APPROVE_DESTRUCTIVE: [false] });
    const no = await cli(['apply', '--yes', '--only', 'account-alias', '--set', 'steps.account-alias.alias=acme'], { host: declined });
    expect(no.code).toBe(1);
    expect(declined.requests).toEqual([expect.objectContaining({ kind: 'typed-confirm', expected: 'replace' })]);
    expect(fake.management.alias).toBe('old-name');

    const confirmed = new TestHost({ GW_APPROVE_DESTRUCTIVE: [true] });
    const yes = await cli(['apply', '--yes', '--only', 'account-alias', '--set', 'steps.account-alias.alias=acme'], { host: confirmed });
    expect(yes.code).toBe(0);
    expect(fake.management.alias).toBe('acme');
  });
});

describe('step selection', () => {
  it('--only runs just the named steps and says which it skipped', async () => {
    const run = await cli(['plan', '--only', 'password-policy', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('account-alias');
    expect(run.stderr).toContain('Skipping account-alias: not in --only.');
    expect(fake.calls.map((c) => c.operation)).not.toContain('ListAccountAliases');
  });

  it('--skip leaves a step out, and a step set to false in the file is skipped too', async () => {
    const skip = await cli(['plan', '--skip', 'password-policy', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(skip.stdout).toContain('Plan: 1 to create');
    const off = await cli(['plan', '--answers', answersFile('version: 1\nsteps:\n  account-alias: false\n  password-policy: {}\n')]);
    expect(off.stderr).toContain('Skipping account-alias: set to false in the answers file.');
    expect(off.stdout).not.toContain('iam:account-alias');
  });

  it('a step absent from the answers file is skipped and said so', async () => {
    const run = await cli(['plan', '--answers', answersFile('version: 1\nsteps:\n  password-policy: {}\n')]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Skipping account-alias: not in the answers file.');
  });
});

describe('--save-answers', () => {
  it('writes the answers used, which replay to an empty plan after apply and hold no credentials', async () => {
    const saved = `${answersFile('').replace(/answers\.yaml$/, '')}saved.yaml`;
    const first = await cli([
      'apply',
      '--yes',
      '--only',
      'account-alias,password-policy',
      '--set',
      'steps.account-alias.alias=acme',
      '--save-answers',
      saved,
    ]);
    expect(first.code, first.stderr).toBe(0);
    const text = readFileSync(saved, 'utf8');
    expect(text).toContain('alias: acme');
    // The run's credentials (see TEST credentials in run-cli.ts) must not leak into the file.
    expect(text).not.toMatch(/AKIDEXAMPLE|not-a-secret|aws_access_key_id|SessionToken/i);
    const replay = await cli(['plan', '--detailed-exitcode', '--answers', saved]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('No changes.');
  });
});

describe('the answers command', () => {
  it('refuses to overwrite an existing file and exits 2', async () => {
    const existing = answersFile('keep me');
    const run = await cli(['answers', existing]);
    expect(run.code).toBe(2);
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
  });
});
