import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../helpers/fake-aws.js';
import { Terminal } from '../helpers/tmux.js';

/**
 * The wizard in a real pseudo-terminal (tmux): the CLI's real entry point, with the fake AWS in its
 * process (test/pty/fake-cli.ts) and its state kept in a file between processes.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = join(root, 'test/pty/fake-cli.ts');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

const baseEnv = (dir: string, extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  HOME: dir,
  TERM: 'xterm-256color',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'not-a-secret',
  AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: join(dir, 'no-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  FAKE_AWS_STATE: join(dir, 'aws-state.bin'),
  ...extra,
});

function loadState(dir: string): FakeAws {
  return new FakeAws().importState(readFileSync(join(dir, 'aws-state.bin')));
}

/** The same entry point without a terminal: pipes only. */
function plainRun(dir: string, args: string[], extra: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', tsx, entry, ...args], {
    cwd: dir,
    env: baseEnv(dir, extra),
    encoding: 'utf8',
    timeout: 60_000,
  });
}

const ESC = '\u001b';
const ANSWERS = `version: 1
steps:
  account-alias: { alias: acme }
  password-policy: {}
  admin-group: {}
  mfa-enforcement: {}
  s3-block-public-access: {}
  security-contacts:
    security: { name: Jane Founder, title: CTO, email: security@acme.example, phone: "+1 555 0100" }
`;

let term: Terminal | undefined;
afterEach(() => term?.close());

function startWizard(dir: string, args: string[] = [], extra: Record<string, string> = {}): Terminal {
  term = new Terminal(dir);
  term.start([process.execPath, '--import', tsx, entry, ...args], baseEnv(dir, extra), dir);
  return term;
}

describe('the wizard in a real terminal', () => {
  it('goes from the first question to a verified account, validating answers at the prompt, and saves answers that replay to an empty plan', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-pty-'));
    const t = startWizard(dir);

    // How people sign in, before the step questions: IAM users here (the second choice), Identity
    // Center's questions are the next scenario's.
    const people = await t.waitFor('How will people sign in to AWS?');
    expect(people).toContain('Account 111111111111 as arn:aws:iam::111111111111:user/founder');
    expect(people).toContain('IAM Identity Center (recommended)');
    expect(people).toContain('IAM users in the admin group');
    t.send('Down');
    t.send('Enter');
    const start = await t.waitFor('Account alias: Alias for the sign-in URL');
    expect(start).toContain('Sign-in alias: none yet');
    expect(start).toContain('Organization: none yet (this run can create one)');
    t.type('Acme Corp');
    t.send('Enter');
    await t.waitFor('steps.account-alias.alias must be 3-63 lowercase letters');
    for (let i = 0; i < 9; i++) t.send('BSpace');
    t.type('acme');
    t.send('Enter');

    await t.waitFor('IAM password policy: Minimum password length');
    t.send('Enter');
    await t.waitFor('How many previous passwords');
    t.send('Enter');
    await t.waitFor('Days before a password expires');
    t.send('Enter');
    await t.waitFor('Admin group: The admin group');
    t.send('Enter');
    // Admin users: the first choice, nobody new.
    const admins = await t.waitFor('Admin group: who signs in as an admin?');
    expect(admins).toContain('Nobody new: you keep signing in as you do now');
    t.send('Enter');
    // Member accounts: declined, the environments and the log-archive and security-tooling accounts.
    await t.waitFor('Member accounts: create a separate AWS account for each environment');
    t.type('n');
    t.send('Enter');
    await t.waitFor('Member accounts: add a log-archive account');
    t.type('n');
    t.send('Enter');
    await t.waitFor('Organization trail: Name of the organization trail');
    t.send('Enter');
    await t.waitFor('Days to keep trail logs');
    t.send('Enter');
    await t.waitFor("Security contacts: Security contact's name");
    t.type('Jane Founder');
    t.send('Enter');
    await t.waitFor("Security contact's title");
    t.type('CTO');
    t.send('Enter');
    await t.waitFor("Security contact's email");
    t.type('jane-at-acme');
    t.send('Enter');
    await t.waitFor('steps.security-contacts.security.email must be an email address');
    for (let i = 0; i < 12; i++) t.send('BSpace');
    t.type('security@acme.example');
    t.send('Enter');
    await t.waitFor("Security contact's phone");
    t.type('+1 555 0100');
    t.send('Enter');
    await t.waitFor('Cost alerts: monthly budget in US dollars');
    t.type('100');
    t.send('Enter');
    await t.waitFor('Cost alerts: email addresses that get the budget and cost anomaly alerts');
    t.type('billing@acme.example');
    t.send('Enter');

    // Who and where, where each step stands, the plan, then the question.
    const planScreen = await t.waitFor('Apply these');
    expect(planScreen).toMatch(/Where each step stands:\n\s+to do\s+account-alias/);
    expect(planScreen).toContain('not configured  member-accounts');
    expect(planScreen).toContain('not configured  identity-center');
    expect(planScreen).toContain('+ iam:account-alias');
    expect(planScreen).toMatch(/Plan: \d+ to create, 0 to update, 0 to delete\./);
    expect(planScreen).toMatch(/Apply all \d+/);
    expect(planScreen).toContain('Choose steps');
    t.send('Enter');

    const verified = await t.waitFor('Save these answers to a file', 60_000);
    // Without a log-archive account the trail's logs stay in the management account: the one manual check.
    expect(verified).toMatch(/Controls: \d+ pass, 0 fail, 3 manual, 0 error\./);
    expect(verified).toMatch(/MANUAL GW\.LOG-ARCHIVE/);
    expect(verified).toMatch(/PASS\s+CIS 3\.1/);
    t.send('Enter');
    await t.waitFor('File name:');
    t.send('Enter');
    const end = await t.waitFor('Check the account again any time: npx aws-groundwork verify --answers aws-groundwork.yaml');
    expect(end).toContain('Saved the answers to aws-groundwork.yaml.');
    expect(await t.exitCode()).toBe(0);

    // The saved answers, replayed without a terminal, find nothing left to do.
    const replay = plainRun(dir, ['apply', '--answers', 'aws-groundwork.yaml', '--yes']);
    expect(replay.status, replay.stderr).toBe(0);
    expect(replay.stdout).toContain('No changes.');
    expect(replay.stdout + replay.stderr).not.toContain(ESC);
    const state = loadState(dir);
    expect(state.management.alias).toBe('acme');
    expect(state.trails.get('org-trail')?.logging).toBe(true);
  }, 120_000);
});

describe('Identity Center chosen in a real terminal', () => {
  it('asks for the founder right after the admin group, refuses a bad address at the prompt, and plans them in Admins with no IAM admin user', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-pty-'));
    const t = startWizard(dir, ['--only', 'admin-group,identity-center']);
    await t.waitFor('How will people sign in to AWS?');
    t.send('Enter');
    await t.waitFor('Admin group: The admin group');
    t.send('Enter');
    // The group and permission set names, session hours and break-glass limit keep their defaults, unasked.
    const first = await t.waitFor('IAM Identity Center: your user name');
    expect(first).toContain('The first person in the Identity Center directory is you, in Admins.');
    for (const [question, text] of [
      ['your user name', 'ada'],
      ['your given name', 'Ada'],
      ['your family name', 'Lovelace'],
      ['your email address', 'ada-at-acme'],
    ] as const) {
      await t.waitFor(question);
      t.type(text);
      t.send('Enter');
    }
    await t.waitFor('steps.identity-center.users[0].email must be an email address');
    for (let i = 0; i < 11; i++) t.send('BSpace');
    t.type('ada@acme.example');
    t.send('Enter');
    await t.waitFor('IAM Identity Center: add another person?');
    t.send('Enter');
    const plan = await t.waitFor('Apply these');
    expect(plan).toContain('create the user ada (ada@acme.example)');
    expect(plan).toContain('add ada to Admins');
    expect(plan).not.toContain('create the IAM user');
    t.send('Down');
    t.send('Down');
    t.send('Enter');
    expect(await t.exitCode()).toBe(1);
  }, 120_000);
});

describe('admin users named at the prompt in a real terminal', () => {
  it('are created in the admin group under the MFA policy, their one-time passwords shown once after the task list, and the saved answers replay to no changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-pty-'));
    const t = startWizard(dir, ['--only', 'admin-group,mfa-enforcement']);
    await t.waitFor('Admin group: The admin group');
    t.send('Enter');
    await t.waitFor('Admin group: who signs in as an admin?');
    t.send('Down');
    t.send('Enter');
    await t.waitFor('Admin group: user names, comma-separated');
    t.type('jane, sam!');
    t.send('Enter');
    await t.waitFor('steps.admin-group.users has "sam!", which must be letters');
    t.send('BSpace');
    t.send('Enter');
    await t.waitFor('Apply these');
    t.send('Enter');
    const end = await t.waitFor('Save these answers to a file', 60_000);
    t.send('Enter');
    await t.waitFor('File name:');
    t.send('Enter');
    expect(await t.exitCode()).toBe(3);
    // Each password once, below the last line of the task list, with what to do with it.
    const state = loadState(dir);
    const janes = state.management.users.get('jane')?.loginProfile;
    const sams = state.management.users.get('sam')?.loginProfile;
    expect(janes?.passwordResetRequired).toBe(true);
    expect(sams?.passwordResetRequired).toBe(true);
    const lastTask = end.lastIndexOf('admin-group: add sam to Admins');
    expect(lastTask).toBeGreaterThan(0);
    for (const password of [janes?.password as string, sams?.password as string]) {
      expect(end.split(password).length - 1).toBe(1);
      expect(end.indexOf(password)).toBeGreaterThan(lastTask);
      expect(end.indexOf(password)).toBeLessThan(end.indexOf('Applied '));
    }
    expect(end).toContain('Shown once and stored nowhere');
    // MFA is required: the policy is on their group, and verify says they have none yet.
    const admins = state.management.groups.get('Admins');
    expect([...(admins?.users ?? [])].sort()).toEqual(['jane', 'sam']);
    expect([...(admins?.attached ?? [])].some((arn) => arn.includes('MFA'))).toBe(true);
    expect(end).toMatch(/FAIL\s+CIS 1\.9\s+mfa-enforcement\s+.*IAM users with a console password and no MFA: jane, sam/);
    expect(readFileSync(join(dir, 'aws-groundwork.yaml'), 'utf8')).toMatch(/users:\n\s+- jane\n\s+- sam/);
    const replay = plainRun(dir, ['apply', '--answers', 'aws-groundwork.yaml', '--yes']);
    expect(replay.stdout).toContain('No changes.');
    expect(replay.stdout + replay.stderr).not.toContain(janes?.password as string);
  }, 120_000);
});

describe('Ctrl-C in a real terminal', () => {
  it('during the questions exits 130 and changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-pty-'));
    const t = startWizard(dir);
    await t.waitFor('How will people sign in to AWS?');
    t.send('Enter');
    await t.waitFor('Account alias: Alias for the sign-in URL');
    t.send('C-c');
    expect(await t.exitCode()).toBe(130);
    expect(loadState(dir).management.alias).toBeNull();
  }, 60_000);

  it('during the plan exits 130 and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-pty-'));
    writeFileSync(join(dir, 'answers.yaml'), ANSWERS);
    const t = startWizard(dir, ['--answers', 'answers.yaml'], { FAKE_AWS_DELAY_MS: '150' });
    await t.waitFor(/Plan management/);
    t.send('C-c');
    expect(await t.exitCode()).toBe(130);
    const state = loadState(dir);
    expect(state.management.alias).toBeNull();
    expect(state.management.passwordPolicy).toBeNull();
  }, 60_000);

  it('during apply finishes the change in flight, exits 130, and the re-run converges', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-pty-'));
    writeFileSync(join(dir, 'answers.yaml'), ANSWERS);
    const t = startWizard(dir, ['--answers', 'answers.yaml'], { FAKE_AWS_DELAY_MS: '150' });
    await t.waitFor('Choose steps', 60_000);
    t.send('Enter');
    await t.waitFor('account-alias: set the account alias', 60_000);
    t.send('C-c');
    const screen = await t.waitFor(/EXIT=\d+/, 60_000);
    expect(screen).toContain('Nothing is half-written');
    expect(await t.exitCode()).toBe(130);
    // Not everything was applied, and what was is whole.
    const partial = loadState(dir);
    expect(partial.management.accountPublicAccessBlock).toBeNull();

    const rerun = plainRun(dir, ['apply', '--answers', 'answers.yaml', '--yes']);
    expect(rerun.status, rerun.stderr).toBe(0);
    const again = plainRun(dir, ['plan', '--answers', 'answers.yaml', '--detailed-exitcode']);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('No changes.');
  }, 120_000);
});

describe('output without a terminal', () => {
  it('has no ANSI escape codes and no spinner frames, on stdout or stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-plain-'));
    writeFileSync(join(dir, 'answers.yaml'), ANSWERS);
    const run = plainRun(dir, ['apply', '--answers', 'answers.yaml', '--yes']);
    expect(run.status, run.stderr).toBe(0);
    const all = run.stdout + run.stderr;
    expect(all).not.toContain(ESC);
    expect(all).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(run.stdout).toMatch(/Controls: \d+ pass/);
  }, 60_000);
});

describe('SIGTERM without a terminal', () => {
  it('during apply finishes the change in flight, exits 143, and the re-run converges', async () => {
    const { spawn } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'gw-term-'));
    writeFileSync(join(dir, 'answers.yaml'), ANSWERS);
    const child = spawn(process.execPath, ['--import', tsx, entry, 'apply', '--answers', 'answers.yaml', '--yes'], {
      cwd: dir,
      env: baseEnv(dir, { FAKE_AWS_DELAY_MS: '150' }),
    });
    let stderr = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('account-alias: set the account alias') && !child.killed) child.kill('SIGTERM');
      });
      child.on('close', (c) => resolve(c));
    });
    expect(code).toBe(143);
    expect(stderr).toContain('Stopped by SIGTERM. Nothing is half-written');
    expect(loadState(dir).management.accountPublicAccessBlock).toBeNull();
    const rerun = plainRun(dir, ['apply', '--answers', 'answers.yaml', '--yes']);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(plainRun(dir, ['plan', '--answers', 'answers.yaml', '--detailed-exitcode']).status).toBe(0);
  }, 120_000);
});
