import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';
import { answersFile, cli, type CliRun } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const ORG_ID = 'o-abc123def4';

/** An organization this account manages; trusted access and centralized root access are left to each test. */
function organization(FeatureSet: 'ALL' | 'CONSOLIDATED_BILLING' = 'ALL', MasterAccountId = MANAGEMENT_ID): void {
  fake.organization = { Id: ORG_ID, Arn: `arn:aws:organizations::${MasterAccountId}:organization/${ORG_ID}`, FeatureSet, MasterAccountId };
}

/** The first line of the error a run printed, and the line after it (the fix). */
const failure = (run: CliRun) => {
  const lines = run.stderr.split('\n');
  const at = lines.findIndex((l) => l.startsWith('error: '));
  return { reason: lines[at] ?? '', fix: lines[at + 1] ?? '' };
};

/** Runs `apply --yes` and asserts it exited 1 without changing anything in AWS. */
async function applyChangesNothing(argv: string[]): Promise<CliRun> {
  const before = fake.snapshot();
  const run = await cli(['apply', '--yes', ...argv]);
  expect(run.code, run.stderr).toBe(1);
  expect(fake.writes).toEqual([]);
  expect(fake.snapshot()).toEqual(before);
  return run;
}

const MEMBER_FILE = (steps: string) => `version: 1
steps:
  member-accounts:
    accounts:
      - { name: acme-dev, email: aws+dev@acme.example, ou: Workloads }
${steps}`;
const CONTACTS =
  '  security-contacts:\n    security: { name: Jane Founder, title: CTO, email: security@acme.example, phone: "+1 555 0100" }\n';

describe('a step that needs what the organization step makes, run without it', () => {
  it('plan --only org-trail on an account without an organization exits 1 naming the organization step, and apply writes nothing', async () => {
    const file = answersFile(FULL_EXAMPLE);
    const plan = await cli(['plan', '--only', 'org-trail', '--answers', file]);
    expect(plan.code).toBe(1);
    expect(plan.stdout).not.toContain('to create');
    expect(failure(plan)).toEqual({
      reason:
        `error: org-trail (plan) in account ${MANAGEMENT_ID} (management) failed: the organization trail needs an organization ` +
        'with all features, managed by this account, and this account is in none yet.',
      fix:
        '  The organization step creates it: include it in this run (add it to --only or take it out of --skip, and put ' +
        '`organization: {}` in the answers file), or run it first.',
    });
    expect(plan.stderr).not.toContain('PreconditionError');

    const apply = await applyChangesNothing(['--only', 'org-trail', '--answers', file]);
    expect(failure(apply)).toEqual(failure(plan));
  });

  it('plan --only member-accounts on an account without an organization exits 1 naming the organization step, and apply creates no OU and no account', async () => {
    const file = answersFile(FULL_EXAMPLE);
    const plan = await cli(['plan', '--only', 'member-accounts', '--answers', file]);
    expect(plan.code).toBe(1);
    expect(failure(plan).reason).toBe(
      `error: member-accounts (plan) in account ${MANAGEMENT_ID} (management) failed: managing member accounts and OUs needs ` +
        'an organization with all features, managed by this account, and this account is in none yet.',
    );
    expect(failure(plan).fix).toContain('The organization step creates it: include it in this run');

    await applyChangesNothing(['--only', 'member-accounts', '--answers', file]);
  });

  it('plan --only org-trail in an organization without trusted access for CloudTrail exits 1 naming it and the organization step, and apply writes nothing', async () => {
    organization();
    fake.serviceAccess.add('iam.amazonaws.com').add('account.amazonaws.com');
    const file = answersFile(FULL_EXAMPLE);
    const plan = await cli(['plan', '--only', 'org-trail', '--answers', file]);
    expect(plan.code).toBe(1);
    expect(failure(plan)).toEqual({
      reason:
        `error: org-trail (plan) in account ${MANAGEMENT_ID} (management) failed: the organization trail needs trusted access ` +
        `for cloudtrail.amazonaws.com in organization ${ORG_ID}, and it is off.`,
      fix: expect.stringContaining('The organization step enables it: include it in this run') as unknown as string,
    });
    await applyChangesNothing(['--only', 'org-trail', '--answers', file]);
  });

  it('org-trail and member-accounts refuse an organization with only consolidated billing, saying how to enable all features', async () => {
    organization('CONSOLIDATED_BILLING');
    const file = answersFile(FULL_EXAMPLE);
    for (const step of ['org-trail', 'member-accounts']) {
      const plan = await cli(['plan', '--only', step, '--answers', file]);
      expect(plan.code, step).toBe(1);
      expect(failure(plan).reason).toContain(`organization ${ORG_ID} has only consolidated billing (FeatureSet CONSOLIDATED_BILLING)`);
      expect(failure(plan).reason).toContain('"Begin process to enable all features"');
      await applyChangesNothing(['--only', step, '--answers', file]);
    }
  });

  it('from an account of another organization, org-trail and member-accounts say to use its management account, and the other steps still plan', async () => {
    organization('ALL', '999999999999');
    const file = answersFile(FULL_EXAMPLE);
    for (const step of ['org-trail', 'member-accounts']) {
      const plan = await cli(['plan', '--only', step, '--answers', file]);
      expect(plan.code, step).toBe(1);
      expect(failure(plan).reason).toContain(
        `this account (${MANAGEMENT_ID}) is a member of organization ${ORG_ID}, managed by account 999999999999. ` +
          'Run aws-groundwork with credentials of the management account 999999999999.',
      );
    }
    // Its members are not this account's to find: nothing asks the organization for them (only its management account may).
    const alias = await cli(['plan', '--only', 'account-alias', '--answers', file]);
    expect(alias.code, alias.stderr).toBe(0);
    expect(alias.stdout).toContain('Plan: 1 to create, 0 to update, 0 to delete.');
  });

  for (const [setting, off] of [
    ['without trusted access for IAM', `trusted access for iam.amazonaws.com in organization ${ORG_ID}, and it is off.`],
    [
      'with centralized root access off',
      `centralized root access in organization ${ORG_ID}, and RootCredentialsManagement and RootSessions are off.`,
    ],
  ] as const) {
    it(`root-credentials in a member whose root has credentials, ${setting}, exits 1 naming the organization step, and apply deletes nothing`, async () => {
      organization();
      fake.serviceAccess.add('account.amazonaws.com');
      if (setting === 'with centralized root access off') fake.serviceAccess.add('iam.amazonaws.com');
      const id = fake.addMemberAccount('acme-dev', 'aws+dev@acme.example');
      Object.assign(fake.accounts.get(id)!.root, { password: true, accessKeys: [{ AccessKeyId: 'AKIAMEMBERROOT', Status: 'Active' }] });
      const file = answersFile(MEMBER_FILE('  root-credentials: { deleteMemberRootCredentials: true }\n'));

      const plan = await cli(['plan', '--only', 'root-credentials', '--answers', file]);
      expect(plan.code).toBe(1);
      expect(failure(plan).reason).toBe(
        `error: root-credentials (plan) in account ${id} (acme-dev) failed: deleting the root credentials of acme-dev needs ${off}`,
      );
      expect(failure(plan).fix).toContain('The organization step');

      await applyChangesNothing(['--only', 'root-credentials', '--answers', file]);
      expect(fake.calls.filter((c) => c.operation === 'AssumeRoot')).toEqual([]);
      expect(fake.accounts.get(id)?.root.password).toBe(true);
    });
  }

  it('root-credentials needs nothing of the organization in a member whose root has no credentials: it plans nothing and exits 0', async () => {
    organization();
    const id = fake.addMemberAccount('acme-dev', 'aws+dev@acme.example');
    Object.assign(fake.accounts.get(id)!.root, { password: false, accessKeys: [], signingCertificates: [], mfa: false });
    const plan = await cli(['plan', '--only', 'root-credentials', '--answers', answersFile(MEMBER_FILE('  root-credentials: {}\n'))]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No changes.');
  });

  it("security-contacts in a member without trusted access for AWS Account Management exits 1 naming it instead of blaming a permission, and apply sets no contact, not even the management account's", async () => {
    organization();
    fake.serviceAccess.add('iam.amazonaws.com');
    const id = fake.addMemberAccount('acme-dev', 'aws+dev@acme.example');
    const file = answersFile(MEMBER_FILE(CONTACTS));

    const plan = await cli(['plan', '--only', 'security-contacts', '--answers', file]);
    expect(plan.code).toBe(1);
    expect(failure(plan)).toEqual({
      reason:
        `error: security-contacts (plan) in account ${id} (acme-dev) failed: setting the alternate contacts of acme-dev from the ` +
        `management account needs trusted access for account.amazonaws.com in organization ${ORG_ID}, and it is off.`,
      fix: expect.stringContaining('The organization step enables it') as unknown as string,
    });
    expect(plan.stderr).not.toContain('was denied');
    expect(fake.calls.filter((c) => c.operation === 'GetAlternateContact' && c.input.AccountId === id)).toEqual([]);

    await applyChangesNothing(['--only', 'security-contacts', '--answers', file]);
  });

  it('member-accounts with security-contacts in the run, without trusted access for AWS Account Management, exits 1 before it creates any account', async () => {
    organization();
    fake.serviceAccess.add('iam.amazonaws.com');
    const file = answersFile(MEMBER_FILE(CONTACTS));
    const plan = await cli(['plan', '--only', 'member-accounts,security-contacts', '--answers', file]);
    expect(plan.code).toBe(1);
    expect(failure(plan).reason).toBe(
      `error: member-accounts (plan) in account ${MANAGEMENT_ID} (management) failed: setting the new accounts' alternate contacts ` +
        `(security-contacts) needs trusted access for account.amazonaws.com in organization ${ORG_ID}, and it is off.`,
    );
    await applyChangesNothing(['--only', 'member-accounts,security-contacts', '--answers', file]);
    expect(fake.calls.filter((c) => c.operation === 'CreateAccount')).toEqual([]);
  });

  it('member-accounts with root-credentials in the run, with root credentials management off, exits 1 before it creates an account that would keep its root password', async () => {
    organization();
    fake.serviceAccess.add('iam.amazonaws.com');
    const file = answersFile(MEMBER_FILE('  root-credentials: { deleteMemberRootCredentials: true }\n'));
    const plan = await cli(['plan', '--only', 'member-accounts,root-credentials', '--answers', file]);
    expect(plan.code).toBe(1);
    expect(failure(plan).reason).toBe(
      `error: member-accounts (plan) in account ${MANAGEMENT_ID} (management) failed: creating the new accounts without root ` +
        `credentials (root-credentials) needs centralized root access in organization ${ORG_ID}, and RootCredentialsManagement is off.`,
    );
    await applyChangesNothing(['--only', 'member-accounts,root-credentials', '--answers', file]);
  });

  it('member-accounts with root-credentials in the run creates its accounts once root credentials management is on: they have no root credentials to delete', async () => {
    organization();
    fake.serviceAccess.add('iam.amazonaws.com');
    fake.rootFeatures.add('RootCredentialsManagement');
    const file = answersFile(MEMBER_FILE('  root-credentials: {}\n'));
    const run = await cli(['apply', '--yes', '--only', 'member-accounts,root-credentials', '--answers', file]);
    expect(run.code, run.stderr).toBe(0);
    const dev = [...fake.orgAccounts.values()].find((a) => a.Name === 'acme-dev');
    expect(fake.accounts.get(dev!.Id)?.root.password).toBe(false);
  });

  it('member-accounts alone creates its accounts in an organization without trusted access: nothing else of the run needs it', async () => {
    organization();
    const run = await cli(['apply', '--yes', '--only', 'member-accounts', '--answers', answersFile(MEMBER_FILE(CONTACTS))]);
    expect(run.code, run.stderr).toBe(0);
    expect([...fake.orgAccounts.values()].map((a) => a.Name)).toContain('acme-dev');
  });

  it('mfa-enforcement without admin-group in the run, and without its group, exits 1 naming admin-group, and apply creates no policy', async () => {
    const file = answersFile(FULL_EXAMPLE);
    const plan = await cli(['plan', '--only', 'mfa-enforcement', '--answers', file]);
    expect(plan.code).toBe(1);
    expect(failure(plan)).toEqual({
      reason:
        `error: mfa-enforcement (plan) in account ${MANAGEMENT_ID} (management) failed: the group Admins does not exist, ` +
        'so the MFA-required policy cannot be attached to it.',
      fix: expect.stringContaining('The admin-group step creates the admin group') as unknown as string,
    });
    await applyChangesNothing(['--only', 'mfa-enforcement', '--answers', file]);
  });
});

describe('the same steps when what they need is there, or made in the same run', () => {
  it('with the organization set up by an earlier run, every other step plans, applies and verifies without the organization step', async () => {
    const file = answersFile(FULL_EXAMPLE);
    const first = await cli(['apply', '--yes', '--only', 'organization', '--answers', file]);
    expect(first.code, first.stderr).toBe(0);
    const rest = await cli(['apply', '--yes', '--skip', 'organization', '--answers', file]);
    expect(rest.code, rest.stderr).toBe(0);
    expect(fake.trails.get('acme-org-trail')).toMatchObject({ IsOrganizationTrail: true, logging: true });
    expect([...fake.orgAccounts.values()].map((a) => a.Name)).toEqual(expect.arrayContaining(['acme-dev', 'acme-staging', 'acme-prod']));
    const verify = await cli(['verify', '--answers', file]);
    expect(verify.code, verify.stdout).toBe(0);
  });

  it('with the organization step in the run, a fresh account plans the accounts, the trail storage in the new log-archive, and the baselines', async () => {
    const plan = await cli([
      'plan',
      '--only',
      'organization,org-trail,member-accounts,security-contacts',
      '--answers',
      answersFile(FULL_EXAMPLE),
    ]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      "make the trail's KMS key and buckets in the new account acme-log-archive and the trail delivering there; planned in detail once it exists",
    );
    expect(plan.stdout).toContain('create the account acme-dev (aws+dev@acme.example) in Workloads');
    expect(plan.stdout).toContain('create the account acme-log-archive (aws+log-archive@acme.example) in Security');
    expect(plan.stdout).toContain('Security contacts in the new account acme-dev, planned in detail once it exists');
  });
});
