import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveAnswers } from '../../src/answers/answers.js';
import { TestHost } from '../../src/io/test-host.js';
import { REGISTRY } from '../../src/registry.js';
import { SECURITY_OU } from '../../steps/member-accounts/index.js';
import { FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';
import { EXAMPLE_ANSWERS, answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const requestOf = (host: TestHost, code: string) =>
  host.requests.find((r) => r.code === code) as { default?: string; message: string; validate?: (t: string) => string | undefined };

describe('the wizard through the message channel', () => {
  it('asks each answer, shows the plan, asks for approval, applies and verifies', async () => {
    const host = new TestHost({
      GW_ASK_people: ['iam-users'],
      'GW_ASK_account-alias.alias': ['acme'],
      'GW_ASK_password-policy.minimumLength': ['16'],
      'GW_ASK_password-policy.reusePrevention': ['24'],
      'GW_ASK_password-policy.maxAgeDays': ['90'],
      'GW_ASK_admin-group.name': ['Admins'],
      'GW_ASK_admin-group.users': ['none'],
      'GW_ASK_org-trail.name': ['acme-org-trail'],
      'GW_ASK_org-trail.retentionDays': ['400'],
      'GW_ASK_member-accounts.create': [false],
      'GW_ASK_member-accounts.securityAccounts': [false],
      'GW_ASK_security-contacts.security.name': ['Jane Founder'],
      'GW_ASK_security-contacts.security.title': ['CTO'],
      'GW_ASK_security-contacts.security.email': ['security@acme.example'],
      'GW_ASK_security-contacts.security.phone': ['+1 555 0100'],
      'GW_ASK_cost-alerts.limitUsd': ['100'],
      'GW_ASK_cost-alerts.emails': ['billing@acme.example, cto@acme.example'],
      GW_APPROVE_PLAN: ['all'],
      GW_SAVE_ANSWERS: [false],
    });
    const run = await cli([], { host });
    expect(run.code).toBe(0);
    expect(host.requests.map((r) => r.code)).toEqual([
      'GW_ASK_people',
      'GW_ASK_account-alias.alias',
      'GW_ASK_password-policy.minimumLength',
      'GW_ASK_password-policy.reusePrevention',
      'GW_ASK_password-policy.maxAgeDays',
      'GW_ASK_admin-group.name',
      'GW_ASK_admin-group.users',
      'GW_ASK_member-accounts.create',
      'GW_ASK_member-accounts.securityAccounts',
      'GW_ASK_org-trail.name',
      'GW_ASK_org-trail.retentionDays',
      'GW_ASK_security-contacts.security.name',
      'GW_ASK_security-contacts.security.title',
      'GW_ASK_security-contacts.security.email',
      'GW_ASK_security-contacts.security.phone',
      'GW_ASK_cost-alerts.limitUsd',
      'GW_ASK_cost-alerts.emails',
      'GW_APPROVE_PLAN',
      'GW_SAVE_ANSWERS',
    ]);
    // IAM users chosen: Identity Center is left out of the run, said so, and shown as not configured.
    expect(host.messages.map((m) => m.text)).toContain('Skipping identity-center: people sign in as IAM users (chosen in the wizard).');
    // Before the plan, where each step stands; after verify, the command to check again.
    expect(host.messages.find((m) => m.code === 'GW_OVERVIEW')?.text).toMatch(/to do +account-alias/);
    expect(host.messages.find((m) => m.code === 'GW_OVERVIEW')?.text).toMatch(
      /not configured +identity-center +IAM Identity Center: not in/,
    );
    expect(host.messages.find((m) => m.code === 'GW_REVERIFY')).toBeUndefined();
    // Questions carry the schema's default and validate with the answers-file rules.
    const length = requestOf(host, 'GW_ASK_password-policy.minimumLength');
    expect(length.default).toBe('14');
    expect(length.validate?.('8')).toBe('steps.password-policy.minimumLength must be at least 14 (CIS 1.7)');
    expect(host.results[0]).toMatch(/Plan: \d+ to create, 0 to update, 0 to delete\./);
    // Before it asks to apply, the wizard says what the setup costs each month.
    expect(host.results[1]).toMatch(/^\s*Monthly cost once applied/);
    // Without a log-archive account (declined) the trail's logs stay in the management account, and without
    // security-tooling (declined too) threat detection is not set up: verify says so as manual checks, and nothing fails.
    const verified = host.results[2] ?? '';
    expect(verified).toMatch(/Controls: \d+ pass, 0 fail, 3 manual, 0 error\./);
    expect(verified).toMatch(/MANUAL GW\.LOG-ARCHIVE\s+org-trail/);
    expect(verified).toMatch(/MANUAL SSB ACCT\.14\s+threat-detection/);
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

/**
 * The wizard's answers for everything but member accounts and admin users, as a person would give
 * them, people signing in as IAM users: a new script each time, as a TestHost uses its answers up.
 */
const baselineScript = (): Record<string, unknown[]> => ({
  GW_ASK_people: ['iam-users'],
  'GW_ASK_account-alias.alias': ['acme'],
  'GW_ASK_password-policy.minimumLength': ['14'],
  'GW_ASK_password-policy.reusePrevention': ['24'],
  'GW_ASK_password-policy.maxAgeDays': ['90'],
  'GW_ASK_admin-group.name': ['Admins'],
  'GW_ASK_org-trail.name': ['org-trail'],
  'GW_ASK_org-trail.retentionDays': ['365'],
  'GW_ASK_security-contacts.security.name': ['Jane Founder'],
  'GW_ASK_security-contacts.security.title': ['CTO'],
  'GW_ASK_security-contacts.security.email': ['security@acme.example'],
  'GW_ASK_security-contacts.security.phone': ['+1 555 0100'],
  'GW_ASK_cost-alerts.limitUsd': ['100'],
  'GW_ASK_cost-alerts.emails': ['billing@acme.example'],
  GW_APPROVE_PLAN: ['all'],
  GW_SAVE_ANSWERS: [false],
});

describe('member accounts in the wizard', () => {
  it('from the default environments and one email, creates <alias>-<env> accounts with +<env> addresses, prod in its own OU, and without the declined log-archive and security-tooling accounts, verified in four accounts', async () => {
    const host = new TestHost({
      ...baselineScript(),
      'GW_ASK_admin-group.users': ['none'],
      'GW_ASK_member-accounts.create': [true],
      'GW_ASK_member-accounts.environments': ['dev, staging, prod'],
      'GW_ASK_member-accounts.email': ['aws@acme.example'],
      'GW_ASK_member-accounts.prodOu': [true],
      'GW_ASK_member-accounts.securityAccounts': [false],
      'GW_ASK_member-accounts.review': [true],
    });
    const run = await cli([], { host });
    expect(run.code, run.stderr).toBe(0);
    expect(requestOf(host, 'GW_ASK_member-accounts.environments').default).toBe('dev, staging, prod');
    const note = host.messages.find((m) => m.code === 'GW_MEMBER_EMAILS')?.text ?? '';
    expect(note).toContain('receives mail');
    expect(note).toContain('used by no other AWS account');
    expect(note).toContain('+ addressing works with most mail providers');
    expect(host.messages.find((m) => m.code === 'GW_MEMBER_ACCOUNTS_PLANNED')?.text).toMatch(
      /acme-dev\s+aws\+dev@acme\.example\s+OU Workloads[\s\S]*acme-prod\s+aws\+prod@acme\.example\s+OU Prod/,
    );
    const ouName = (id: string) => [...fake.ous.values()].find((ou) => ou.Id === id)?.Name;
    const members = [...fake.orgAccounts.values()].filter((a) => a.Email !== fake.orgAccounts.values().next().value?.Email);
    expect(members.map((a) => [a.Name, a.Email, ouName(a.parentId)])).toEqual([
      ['acme-dev', 'aws+dev@acme.example', 'Workloads'],
      ['acme-staging', 'aws+staging@acme.example', 'Workloads'],
      ['acme-prod', 'aws+prod@acme.example', 'Prod'],
    ]);
    expect([...fake.ous.values()].map((ou) => ou.Name)).not.toContain('Security');
    const verified = host.results.at(-1) ?? '';
    expect(verified.match(/^Account \d{12} \((management|acme-dev|acme-staging|acme-prod)\)$/gm)).toHaveLength(4);
    // The one manual check is the trail's storage, still in the management account without a log archive.
    expect(verified).toMatch(/Controls: \d+ pass, 0 fail, 3 manual, 0 error\./);
    expect(verified).toMatch(/MANUAL GW\.LOG-ARCHIVE/);
  });

  it('proposes the log-archive and security-tooling accounts in one question that says why, and accepted creates them in a Security OU from one address, verified with the logs outside the management account, the saved answers replaying to an empty plan', async () => {
    const saved = join(mkdtempSync(join(tmpdir(), 'gw-wizard-')), 'saved.yaml');
    const host = new TestHost({
      ...baselineScript(),
      'GW_ASK_admin-group.users': ['none'],
      'GW_ASK_member-accounts.create': [false],
      'GW_ASK_member-accounts.securityAccounts': [true],
      'GW_ASK_member-accounts.email': ['aws@acme.example'],
      'GW_ASK_member-accounts.review': [true],
      GW_SAVE_ANSWERS: [true],
      GW_SAVE_ANSWERS_PATH: [saved],
    });
    const run = await cli([], { host });
    expect(run.code, run.stderr).toBe(0);
    const proposal = host.requests.find((r) => r.code === 'GW_ASK_member-accounts.securityAccounts') as {
      kind: string;
      default: boolean;
      message: string;
    };
    expect(proposal).toMatchObject({ kind: 'confirm', default: true });
    expect(proposal.message).toBe(
      "Member accounts: add a log-archive account (keeps the organization trail's logs where no administrator of this management account can delete them) " +
        "and a security-tooling account (to run the organization's security services, such as GuardDuty and Access Analyzer, from an account apart from the workloads), " +
        `in a ${SECURITY_OU} OU?`,
    );
    // No environment account asked for the address: it is asked once, for these two.
    expect(host.requests.filter((r) => r.code === 'GW_ASK_member-accounts.email')).toHaveLength(1);
    expect(host.messages.find((m) => m.code === 'GW_MEMBER_EMAILS')?.text).toContain(
      '+<purpose> before the @ (aws+log-archive@acme.example)',
    );
    expect(host.messages.find((m) => m.code === 'GW_MEMBER_ACCOUNTS_PLANNED')?.text).toBe(
      'New member accounts:\n' +
        '  acme-log-archive       aws+log-archive@acme.example       OU Security  log-archive\n' +
        '  acme-security-tooling  aws+security-tooling@acme.example  OU Security  security-tooling',
    );
    const ouName = (id: string) => [...fake.ous.values()].find((ou) => ou.Id === id)?.Name;
    const members = [...fake.orgAccounts.values()].filter((a) => a.Name.startsWith('acme-'));
    expect(members.map((a) => [a.Name, a.Email, ouName(a.parentId), a.tags.find((t) => t.Key === 'environment')?.Value])).toEqual([
      ['acme-log-archive', 'aws+log-archive@acme.example', 'Security', 'log-archive'],
      ['acme-security-tooling', 'aws+security-tooling@acme.example', 'Security', 'security-tooling'],
    ]);
    const verified = host.results.at(-1) ?? '';
    expect(verified.match(/^Account \d{12} \((management|acme-log-archive|acme-security-tooling)\)$/gm)).toHaveLength(3);
    expect(verified).toMatch(/PASS\s+GW\.LOG-ARCHIVE/);
    expect(verified).toMatch(/Controls: \d+ pass, 0 fail, 0 manual, 0 error\./);
    const text = readFileSync(saved, 'utf8');
    expect(text).toMatch(/name: acme-log-archive\n\s+email: aws\+log-archive@acme\.example\n\s+ou: Security\n\s+purpose: log-archive\n/);
    const replay = await cli(['plan', '--detailed-exitcode', '--answers', saved]);
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    expect(replay.stdout).toContain('No changes.');
  });

  it('with environment accounts, makes the log-archive and security-tooling addresses from the same one, checked at that prompt, and lists them last in the review with their purpose', async () => {
    const host = new TestHost({
      'GW_ASK_account-alias.alias': ['acme'],
      'GW_ASK_member-accounts.create': [true],
      'GW_ASK_member-accounts.environments': ['dev, staging, prod'],
      'GW_ASK_member-accounts.email': ['aws@acme.example'],
      'GW_ASK_member-accounts.prodOu': [true],
      'GW_ASK_member-accounts.securityAccounts': [true],
      'GW_ASK_member-accounts.review': [true],
      GW_APPROVE_PLAN: ['stop'],
    });
    await cli(['--only', 'account-alias,organization,member-accounts'], { host });
    expect(host.requests.map((r) => r.code).filter((c) => c.startsWith('GW_ASK_member-accounts'))).toEqual([
      'GW_ASK_member-accounts.create',
      'GW_ASK_member-accounts.environments',
      'GW_ASK_member-accounts.email',
      'GW_ASK_member-accounts.prodOu',
      'GW_ASK_member-accounts.securityAccounts',
      'GW_ASK_member-accounts.review',
    ]);
    // 50 characters: +prod and +log-archive fit in the 64 an account's email may have, +security-tooling does not.
    const email = requestOf(host, 'GW_ASK_member-accounts.email');
    const long = `${'a'.repeat(37)}@acme.example`;
    expect(email.validate?.(long)).toBe(
      `steps.member-accounts.accounts[4].email (${'a'.repeat(37)}+security-tooling@acme.example) must be at most 64 characters long`,
    );
    expect(host.messages.find((m) => m.code === 'GW_MEMBER_ACCOUNTS_PLANNED')?.text).toBe(
      'New member accounts:\n' +
        '  acme-dev               aws+dev@acme.example               OU Workloads\n' +
        '  acme-staging           aws+staging@acme.example           OU Workloads\n' +
        '  acme-prod              aws+prod@acme.example              OU Prod\n' +
        '  acme-log-archive       aws+log-archive@acme.example       OU Security   log-archive\n' +
        '  acme-security-tooling  aws+security-tooling@acme.example  OU Security   security-tooling',
    );
    expect(host.results[0]).toContain('create the account acme-log-archive (aws+log-archive@acme.example) in Security');
    expect(host.results[0]).toContain('create the account acme-security-tooling (aws+security-tooling@acme.example) in Security');
    expect(host.results[0]).toContain('create the account acme-prod (aws+prod@acme.example) in Prod');
  });

  it('lets the person change the name, email or OU of a proposed log-archive account, which keeps its purpose', async () => {
    const host = new TestHost({
      'GW_ASK_member-accounts.create': [false],
      'GW_ASK_member-accounts.securityAccounts': [true],
      'GW_ASK_member-accounts.email': ['aws@acme.example'],
      'GW_ASK_member-accounts.review': [false],
      'GW_ASK_member-accounts.accounts[0].name': ['acme-logs'],
      'GW_ASK_member-accounts.accounts[0].email': ['logs@acme.example'],
      'GW_ASK_member-accounts.accounts[0].ou': ['Audit'],
      'GW_ASK_member-accounts.accounts[1].name': ['acme-security-tooling'],
      'GW_ASK_member-accounts.accounts[1].email': ['aws+security-tooling@acme.example'],
      'GW_ASK_member-accounts.accounts[1].ou': ['Security'],
    });
    const { answers } = await resolveAnswers({ sets: [], steps: REGISTRY, ask: REGISTRY.filter((s) => s.id === 'member-accounts'), host });
    const name = requestOf(host, 'GW_ASK_member-accounts.accounts[0].name');
    expect(name.message).toBe('Member accounts: name of the log-archive account');
    // Without the account-alias step in the run, the names are the purposes alone.
    expect(name.default).toBe('log-archive');
    expect(name.validate?.('logs/archive')).toMatch(/^steps\.member-accounts\.accounts\[0\]\.name must be at most 50 letters/);
    expect(answers.steps['member-accounts']).toEqual({
      accounts: [
        { name: 'acme-logs', email: 'logs@acme.example', ou: 'Audit', purpose: 'log-archive' },
        { name: 'acme-security-tooling', email: 'aws+security-tooling@acme.example', ou: 'Security', purpose: 'security-tooling' },
      ],
    });
  });

  it('refuses at the prompt what the answers file refuses: a bad environment, a repeated one, an address that is not one', async () => {
    const host = new TestHost({
      'GW_ASK_account-alias.alias': ['acme'],
      'GW_ASK_member-accounts.create': [true],
      'GW_ASK_member-accounts.environments': ['dev'],
      'GW_ASK_member-accounts.email': ['aws@acme.example'],
      'GW_ASK_member-accounts.securityAccounts': [false],
      'GW_ASK_member-accounts.review': [true],
      GW_APPROVE_PLAN: ['stop'],
    });
    await cli(['--only', 'account-alias,organization,member-accounts'], { host });
    const envs = requestOf(host, 'GW_ASK_member-accounts.environments');
    expect(envs.validate?.('dev, Prod')).toBe('environments have "Prod", which must be lowercase letters and digits');
    expect(envs.validate?.('dev, dev')).toBe('"dev" is there twice: each environment gets one account');
    expect(envs.validate?.('')).toMatch(/^give at least one environment/);
    expect(envs.validate?.('dev, qa')).toBeUndefined();
    const email = requestOf(host, 'GW_ASK_member-accounts.email');
    expect(email.validate?.('jane-at-acme')).toBe('steps.member-accounts.accounts[0].email (jane-at-acme) must be an email address');
    expect(email.validate?.('aws@acme.example')).toBeUndefined();
    // Only reads before the plan was declined.
    expect(fake.writes).toEqual([]);
  });

  it('lets the person change a proposed name, email or OU, each checked like the answers file', async () => {
    const host = new TestHost({
      'GW_ASK_account-alias.alias': ['acme'],
      'GW_ASK_member-accounts.create': [true],
      'GW_ASK_member-accounts.environments': ['dev'],
      'GW_ASK_member-accounts.email': ['aws@acme.example'],
      'GW_ASK_member-accounts.securityAccounts': [false],
      'GW_ASK_member-accounts.review': [false],
      'GW_ASK_member-accounts.accounts[0].name': ['acme-sandbox'],
      'GW_ASK_member-accounts.accounts[0].email': ['sandbox@acme.example'],
      'GW_ASK_member-accounts.accounts[0].ou': ['Sandbox'],
      GW_APPROVE_PLAN: ['stop'],
    });
    await cli(['--only', 'account-alias,organization,member-accounts'], { host });
    const name = requestOf(host, 'GW_ASK_member-accounts.accounts[0].name');
    expect(name.default).toBe('acme-dev');
    expect(name.validate?.('acme/dev')).toMatch(/^steps\.member-accounts\.accounts\[0\]\.name must be at most 50 letters/);
    expect(host.results[0]).toContain('create the account acme-sandbox (sandbox@acme.example) in Sandbox');
  });

  it('adopts a Control Tower style "Log Archive" account as the log archive, keeping its OU, and proposes only the security-tooling account', async () => {
    fake.organization = {
      Id: 'o-abc123def4',
      Arn: `arn:aws:organizations::${MANAGEMENT_ID}:organization/o-abc123def4`,
      FeatureSet: 'ALL',
      MasterAccountId: MANAGEMENT_ID,
    };
    const security = fake.addOu('Core');
    fake.addMemberAccount('Log Archive', 'aws+ct-logs@acme.example', { parentId: security });
    const host = new TestHost({
      'GW_ASK_account-alias.alias': ['acme'],
      'GW_ASK_member-accounts.adopt': ['all'],
      'GW_ASK_member-accounts.create': [false],
      'GW_ASK_member-accounts.securityAccounts': [true],
      'GW_ASK_member-accounts.email': ['aws@acme.example'],
      'GW_ASK_member-accounts.review': [true],
      GW_APPROVE_PLAN: ['stop'],
    });
    await cli(['--only', 'account-alias,organization,member-accounts'], { host });
    expect(host.messages.find((m) => m.code === 'GW_MEMBER_ACCOUNTS_FOUND')?.text).toContain(
      'Log Archive <aws+ct-logs@acme.example> in Core, log-archive',
    );
    // Neither its environment nor its OU is asked: it has a purpose, and an OU it stays in.
    expect(host.requests.map((r) => r.code).filter((c) => c.includes('accounts[0]'))).toEqual([]);
    expect(requestOf(host, 'GW_ASK_member-accounts.securityAccounts').message).toBe(
      "Member accounts: add a security-tooling account (to run the organization's security services, such as GuardDuty and Access Analyzer, from an account apart from the workloads), in a Security OU?",
    );
    const plan = host.results[0] ?? '';
    expect(plan).toContain('tag Log Archive environment=log-archive');
    expect(plan).not.toContain('organizations:account/Log Archive/ou');
    expect(plan).toContain('create the account acme-security-tooling (aws+security-tooling@acme.example) in Security');
    expect(plan.match(/create the account/g)).toHaveLength(1);
    expect(fake.writes).toEqual([]);
  });

  it('proposes neither account when the organization has both, adopted with their purpose', async () => {
    const host = new TestHost({ 'GW_ASK_member-accounts.adopt': ['all'], 'GW_ASK_member-accounts.create': [false] });
    const suggested = {
      'member-accounts': {
        accounts: [
          { name: 'Log Archive', email: 'aws+logs@acme.example', ou: 'Security', purpose: 'log-archive' },
          { name: 'Audit', email: 'aws+audit@acme.example', ou: 'Security', purpose: 'security-tooling' },
        ],
      },
    };
    const { answers } = await resolveAnswers({
      sets: [],
      steps: REGISTRY,
      ask: REGISTRY.filter((s) => s.id === 'member-accounts'),
      host,
      suggested,
    });
    expect(host.requests.map((r) => r.code)).toEqual(['GW_ASK_member-accounts.adopt', 'GW_ASK_member-accounts.create']);
    expect(answers.steps['member-accounts']).toEqual(suggested['member-accounts']);
  });

  it('lists the member accounts the organization already has and adopts the ones chosen, with their environment', async () => {
    const host = new TestHost({
      'GW_ASK_member-accounts.adopt': ['all'],
      'GW_ASK_member-accounts.create': [false],
      'GW_ASK_member-accounts.securityAccounts': [false],
      GW_APPROVE_PLAN: ['stop'],
    });
    const suggested = {
      'member-accounts': { accounts: [{ name: 'acme-dev', email: 'aws+dev@acme.example', ou: 'Workloads', env: 'dev' }] },
    };
    const ask = REGISTRY.filter((s) => s.id === 'member-accounts');
    const { answers } = await resolveAnswers({ sets: [], steps: REGISTRY, ask, host, suggested });
    expect(host.messages.find((m) => m.code === 'GW_MEMBER_ACCOUNTS_FOUND')?.text).toContain(
      'acme-dev <aws+dev@acme.example> in Workloads, environment dev',
    );
    expect(answers.steps['member-accounts']).toEqual({
      accounts: [{ name: 'acme-dev', email: 'aws+dev@acme.example', ou: 'Workloads', env: 'dev' }],
    });
    expect(requestOf(host, 'GW_ASK_member-accounts.create').default).toBe(false);
  });
});

/** The founder's answers, as the first person of Identity Center's users. */
const founder = (): Record<string, unknown[]> => ({
  'GW_ASK_identity-center.users[0].userName': ['ada'],
  'GW_ASK_identity-center.users[0].givenName': ['Ada'],
  'GW_ASK_identity-center.users[0].familyName': ['Lovelace'],
  'GW_ASK_identity-center.users[0].email': ['ada@acme.example'],
});

describe('how people sign in, asked once in the wizard', () => {
  const savedFile = () => join(mkdtempSync(join(tmpdir(), 'gw-people-')), 'saved.yaml');

  it('offers IAM Identity Center first and IAM users second, each with what it costs, before the step questions', async () => {
    const host = new TestHost({
      GW_ASK_people: ['iam-users'],
      'GW_ASK_admin-group.name': ['Admins'],
      'GW_ASK_admin-group.users': ['none'],
      GW_APPROVE_PLAN: ['stop'],
    });
    await cli(['--only', 'admin-group,identity-center'], { host });
    expect(host.requests[0]?.code).toBe('GW_ASK_people');
    const people = host.requests[0] as { kind: string; message: string; choices: { value: string; name: string }[]; howToAnswer: string };
    expect(people).toMatchObject({ kind: 'select', message: 'How will people sign in to AWS?' });
    expect(people.choices.map((c) => c.value)).toEqual(['identity-center', 'iam-users']);
    expect(people.choices[0]?.name).toMatch(/^IAM Identity Center \(recommended\): .*access portal.*short-lived credentials.*break-glass/);
    expect(people.choices[1]?.name).toMatch(/^IAM users in the admin group: .*shown once.*MFA.*no access portal/);
    expect(people.howToAnswer).toMatch(/steps\.identity-center.*steps\.admin-group\.users/);
    // After the start screen: the caller is said before the question.
    expect(host.messages[0]?.code).toBe('GW_CALLER');
  });

  it('with Identity Center, asks for the founder and plans them in Admins, the admin group with no users, and saves those answers', async () => {
    const saved = savedFile();
    const host = new TestHost({
      GW_ASK_people: ['identity-center'],
      'GW_ASK_admin-group.name': ['Admins'],
      ...founder(),
      'GW_ASK_identity-center.users.more': [false],
      GW_APPROVE_PLAN: ['stop'],
    });
    const run = await cli(['--only', 'admin-group,identity-center', '--save-answers', saved], { host });
    expect(run.code, run.stderr).toBe(1); // stopped at the plan
    const codes = host.requests.map((r) => r.code);
    expect(codes).not.toContain('GW_ASK_admin-group.users');
    // Names, session lengths and the break-glass limit keep their defaults: only the people are asked.
    expect(codes.filter((c) => c.startsWith('GW_ASK_identity-center'))).toEqual([
      'GW_ASK_identity-center.users[0].userName',
      'GW_ASK_identity-center.users[0].givenName',
      'GW_ASK_identity-center.users[0].familyName',
      'GW_ASK_identity-center.users[0].email',
      'GW_ASK_identity-center.users.more',
    ]);
    expect(requestOf(host, 'GW_ASK_identity-center.users.more')).toMatchObject({ kind: 'confirm', default: false });
    const plan = host.results[0] ?? '';
    expect(plan).toContain('create the user ada (ada@acme.example)');
    expect(plan).toContain('add ada to Admins');
    expect(plan).toContain('create the IAM group Admins');
    expect(plan).not.toContain('create the IAM user');
    const text = readFileSync(saved, 'utf8');
    expect(text).toMatch(/admin-group:\n\s+name: Admins\n\s+users: \[\]\n/);
    expect(text).toMatch(
      /userName: ada\n\s+givenName: Ada\n\s+familyName: Lovelace\n\s+email: ada@acme\.example\n\s+groups:\n\s+- Admins\n/,
    );
    expect(fake.writes).toEqual([]);
  });

  it('puts the founder in the admins group as renamed, and another person in the group chosen, each field checked like the answers file', async () => {
    const host = new TestHost({
      GW_ASK_people: ['identity-center'],
      'GW_ASK_admin-group.name': ['Admins'],
      ...founder(),
      'GW_ASK_identity-center.users.more': [true, false],
      'GW_ASK_identity-center.users[1].group': ['Developers'],
      'GW_ASK_identity-center.users[1].userName': ['grace'],
      'GW_ASK_identity-center.users[1].givenName': ['Grace'],
      'GW_ASK_identity-center.users[1].familyName': ['Hopper'],
      'GW_ASK_identity-center.users[1].email': ['grace@acme.example'],
      GW_APPROVE_PLAN: ['stop'],
    });
    // Group names are not asked (they keep their defaults); a renamed one comes from --set or the file.
    await cli(['--only', 'admin-group,identity-center', '--set', 'steps.identity-center.adminsGroup=Administrators'], { host });
    const group = host.requests.find((r) => r.code === 'GW_ASK_identity-center.users[1].group') as {
      choices: { value: string; name: string }[];
    };
    expect(group.choices.map((c) => c.value)).toEqual(['Administrators', 'Developers', 'ReadOnly']);
    expect(group.choices[0]?.name).toBe('Administrators: AdministratorAccess in every account');
    const plan = host.results[0] ?? '';
    expect(plan).toContain('add ada to Administrators');
    expect(plan).toContain('add grace to Developers');
    const userName = requestOf(host, 'GW_ASK_identity-center.users[0].userName');
    expect(userName.validate?.('ada lovelace')).toMatch(/^steps\.identity-center\.users\[0\]\.userName must be at most 128 letters/);
    expect(userName.validate?.('ada')).toBeUndefined();
    expect(requestOf(host, 'GW_ASK_identity-center.users[0].givenName').validate?.('')).toBe(
      'steps.identity-center.users[0].givenName must be at least 1 characters long',
    );
    expect(requestOf(host, 'GW_ASK_identity-center.users[0].email').validate?.('ada-at-acme')).toBe(
      'steps.identity-center.users[0].email must be an email address',
    );
    // The next person's name and address are checked against the founder's, ignoring case.
    expect(requestOf(host, 'GW_ASK_identity-center.users[1].userName').validate?.('ADA')).toBe(
      'steps.identity-center.users[1].userName repeats the user name of steps.identity-center.users[0]: user names are unique in the directory (ignoring case)',
    );
    expect(requestOf(host, 'GW_ASK_identity-center.users[1].email').validate?.('Ada@acme.example')).toMatch(
      /^steps\.identity-center\.users\[1\]\.email repeats the email of steps\.identity-center\.users\[0\]/,
    );
  });

  it('with IAM users, leaves Identity Center out of the run and the saved answers, saying so, and asks for the admin users as before', async () => {
    const saved = savedFile();
    const host = new TestHost({
      GW_ASK_people: ['iam-users'],
      'GW_ASK_admin-group.name': ['Admins'],
      'GW_ASK_admin-group.users': ['users'],
      'GW_ASK_admin-group.users.names': ['jane'],
      GW_APPROVE_PLAN: ['stop'],
    });
    const run = await cli(['--only', 'admin-group,identity-center', '--save-answers', saved], { host });
    expect(run.code, run.stderr).toBe(1);
    expect(host.requests.map((r) => r.code).filter((c) => c.includes('identity-center'))).toEqual([]);
    expect(host.messages).toContainEqual({
      code: 'GW_STEP_SKIPPED',
      level: 'info',
      text: 'Skipping identity-center: people sign in as IAM users (chosen in the wizard).',
    });
    const plan = host.results[0] ?? '';
    expect(plan).toContain('create the IAM user jane');
    expect(plan).not.toMatch(/identity-?center|identitystore|sso:/i);
    const text = readFileSync(saved, 'utf8');
    expect(text).toMatch(/users:\n\s+- jane\n/);
    expect(text).not.toContain('identity-center');
  });

  it('is not asked with an answers file, nor when --only or --skip leaves either step out, nor without a terminal', async () => {
    const file = answersFile('version: 1\nsteps:\n  admin-group: {}\n  identity-center: {}\n');
    const withFile = new TestHost({ GW_APPROVE_PLAN: ['stop'] });
    await cli(['--answers', file, '--only', 'admin-group,identity-center'], { host: withFile });
    expect(withFile.requests.map((r) => r.code)).toEqual(['GW_APPROVE_PLAN']);
    const only = new TestHost({ 'GW_ASK_admin-group.name': ['Admins'], 'GW_ASK_admin-group.users': ['none'], GW_APPROVE_PLAN: ['stop'] });
    await cli(['--only', 'admin-group,mfa-enforcement'], { host: only });
    expect(only.requests.map((r) => r.code)).toEqual(['GW_ASK_admin-group.name', 'GW_ASK_admin-group.users', 'GW_APPROVE_PLAN']);
    // The script stops at the first step question, which comes first once Identity Center is skipped.
    const skipping = new TestHost({ GW_APPROVE_PLAN: ['stop'] });
    await cli(['--skip', 'identity-center'], { host: skipping });
    expect(skipping.requests.map((r) => r.code)).toEqual(['GW_ASK_account-alias.alias']);
    // Without a terminal the defaults hold as before: Identity Center's users are none, and it is planned.
    const plain = await cli(['plan', '--only', 'admin-group,identity-center']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain('create the group Admins');
    expect(plain.stderr).not.toContain('How will people sign in');
  });
});

describe('admin users in the wizard', () => {
  it('offers none or named console users, saying what each means, and checks each name like the answers file', async () => {
    const host = new TestHost({
      'GW_ASK_admin-group.name': ['Admins'],
      'GW_ASK_admin-group.users': ['users'],
      'GW_ASK_admin-group.users.names': ['jane, sam'],
      GW_APPROVE_PLAN: ['stop'],
    });
    await cli(['--only', 'admin-group'], { host });
    const choice = host.requests.find((r) => r.code === 'GW_ASK_admin-group.users') as { choices: { value: string; name: string }[] };
    expect(choice.choices.map((c) => c.value)).toEqual(['none', 'users']);
    expect(choice.choices[0]?.name).toContain('keep signing in as you do now');
    expect(choice.choices[1]?.name).toMatch(/one-time console password, shown once.*MFA at first sign-in.*no access keys/);
    const names = requestOf(host, 'GW_ASK_admin-group.users.names');
    expect(names.validate?.('jane, sam!')).toBe(
      'steps.admin-group.users has "sam!", which must be letters, digits and + = , . @ _ - (at most 64)',
    );
    expect(names.validate?.('jane, Jane')).toMatch(/^steps\.admin-group\.users\[1\] repeats the user of steps\.admin-group\.users\[0\]/);
    expect(names.validate?.(' ')).toBe('give at least one name');
    expect(host.results[0]).toContain('create the IAM user jane');
    expect(host.results[0]).toContain('create the IAM user sam');
  });

  it('asks for the MFA groups only when the default no longer covers a renamed admin group', async () => {
    const host = new TestHost({
      'GW_ASK_admin-group.name': ['Administrators'],
      'GW_ASK_admin-group.users': ['none'],
      'GW_ASK_mfa-enforcement.groups': ['Administrators'],
      GW_APPROVE_PLAN: ['stop'],
    });
    await cli(['--only', 'admin-group,mfa-enforcement'], { host });
    const groups = requestOf(host, 'GW_ASK_mfa-enforcement.groups');
    expect(groups.default).toBe('Admins');
    expect(groups.validate?.('Admins')).toMatch(/leaves out the admin group "Administrators"/);
    expect(groups.validate?.('Administrators, Ops')).toBeUndefined();
    const plain = new TestHost({ 'GW_ASK_admin-group.name': ['Admins'], 'GW_ASK_admin-group.users': ['none'], GW_APPROVE_PLAN: ['stop'] });
    await cli(['--only', 'admin-group,mfa-enforcement'], { host: plain });
    expect(plain.requests.map((r) => r.code)).not.toContain('GW_ASK_mfa-enforcement.groups');
  });
});

describe('the overview', () => {
  it('says not configured for a step the answers leave out or give nothing to do, with what it would do', async () => {
    const host = new TestHost({ GW_APPROVE_PLAN: ['stop'] });
    const file = answersFile(
      'version: 1\nsteps:\n  account-alias: { alias: acme }\n  member-accounts: { accounts: [] }\n  password-policy: false\n',
    );
    await cli(['--answers', file, '--only', 'account-alias,password-policy,member-accounts'], { host });
    const overview = host.messages.find((m) => m.code === 'GW_OVERVIEW')?.text ?? '';
    expect(overview).toMatch(/^ {2}to do {11}account-alias +Account alias: 1 to create$/m);
    expect(overview).toMatch(
      /^ {2}not configured {2}password-policy +IAM password policy: not in these answers; it requires long passwords/m,
    );
    expect(overview).toMatch(/^ {2}not configured {2}member-accounts +Member accounts: not in these answers; it creates the OUs/m);
  });

  it('says drifted, with what would change, for a step whose settings differ from the answers, and done for one in place', async () => {
    fake.management.alias = 'acme';
    fake.management.passwordPolicy = { MinimumPasswordLength: 8 } as never;
    const host = new TestHost({ GW_APPROVE_PLAN: ['stop'] });
    const file = answersFile('version: 1\nsteps:\n  account-alias: { alias: acme }\n  password-policy: {}\n');
    await cli(['--answers', file, '--only', 'account-alias,password-policy'], { host });
    const overview = host.messages.find((m) => m.code === 'GW_OVERVIEW')?.text ?? '';
    expect(overview).toMatch(/^ {2}done {12}account-alias +Account alias: in place$/m);
    expect(overview).toMatch(/^ {2}drifted {9}password-policy +IAM password policy: 1 to update$/m);
  });
});

describe('--set for lists', () => {
  it('takes comma-separated names, each checked like the answers file', async () => {
    const ok = await cli(['plan', '--only', 'admin-group', '--set', 'steps.admin-group.users=jane, sam']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('create the IAM user sam');
    const bad = await cli(['plan', '--only', 'admin-group', '--set', 'steps.admin-group.users=jane,sam!']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--set steps.admin-group.users: has "sam!", which must be letters');
    const sent = fake.calls.length;
    const accounts = await cli(['plan', '--set', 'steps.member-accounts.accounts=acme-dev']);
    expect(accounts.code).toBe(2);
    expect(accounts.stderr).toContain('give it in an answers file');
    expect(fake.calls.length).toBe(sent);
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
