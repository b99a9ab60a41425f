import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateAnswers, parseAnswersText } from '../../src/answers/answers.js';
import { REGISTRY } from '../../src/registry.js';
import { FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const newPath = () => join(mkdtempSync(join(tmpdir(), 'gw-from-account-')), 'a.yaml');

async function converge(): Promise<void> {
  const run = await cli(['apply', '--yes', '--answers', answersFile(FULL_EXAMPLE)]);
  expect(run.code).toBe(0);
}

/** `answers --from-account FILE`, checked to have sent no write; returns the file's text. */
async function fromAccount(): Promise<{ file: string; text: string; stderr: string }> {
  const file = newPath();
  const writesBefore = fake.writes.length;
  const run = await cli(['answers', '--from-account', file]);
  expect(run.code).toBe(0);
  expect(fake.writes.length).toBe(writesBefore);
  return { file, text: readFileSync(file, 'utf8'), stderr: run.stderr };
}

async function plannedChanges(file: string): Promise<string[]> {
  const plan = await cli(['plan', '--output', 'json', '--answers', file]);
  expect(plan.code).toBe(0);
  const doc = JSON.parse(plan.stdout) as { changes: { step: string; account: { name: string }; address: string }[] };
  return doc.changes.map((c) => `${c.account.name} ${c.step} ${c.address}`);
}

describe('answers --from-account', () => {
  it('on a converged organization writes answers whose plan makes no change, and sends no write', async () => {
    await converge();
    const { file, text } = await fromAccount();
    expect(text).toContain('alias: acme');
    expect(text).toContain('- { name: acme-dev, email: aws+dev@acme.example, ou: Workloads, env: dev }');
    // Opt-ins for destructive changes are choices the account does not show: commented out.
    expect(text).toMatch(/^ {4}# deleteMemberRootCredentials: false/m);
    const plan = await cli(['plan', '--detailed-exitcode', '--answers', file]);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
  });

  it("writes the control's value where the account falls short, says what it has, and the plan makes exactly those fixes", async () => {
    await converge();
    const policy = fake.management.passwordPolicy as { MinimumPasswordLength: number };
    policy.MinimumPasswordLength = 8;
    fake.management.accountPublicAccessBlock = null;
    const dev = [...fake.orgAccounts.values()].find((a) => a.Name === 'acme-dev');
    if (!dev) throw new Error('no acme-dev');
    dev.tags = [];
    const { file, text } = await fromAccount();
    expect(text).toMatch(/# The account requires 8 characters; 14 is the least allowed: the plan raises it.\n {4}minimumLength: 14\n/);
    expect(text).toContain('Account-level Block Public Access is off');
    expect(text).toContain('acme-dev is not tagged environment: the plan tags it dev.');
    expect((await plannedChanges(file)).sort()).toEqual(
      [
        'management password-policy iam:account-password-policy',
        `management s3-block-public-access s3control:account/${MANAGEMENT_ID}/public-access-block`,
        'management member-accounts organizations:account/acme-dev/tags',
      ].sort(),
    );
  });

  it('takes the group with AdministratorAccess as the admin group, its console users as admins, and keeps it under MFA', async () => {
    await converge();
    // Made by hand instead of Admins: an admin group that requires MFA, with a console user and one without a password.
    fake.management.groups.delete('Admins');
    const mfaArn = [...fake.management.policies.keys()].find((arn) => arn.endsWith('/AwsGroundworkRequireMFA'));
    if (!mfaArn) throw new Error('no MFA policy');
    const user = (name: string, password: boolean) =>
      fake.management.users.set(name, {
        arn: `arn:aws:iam::${MANAGEMENT_ID}:user/${name}`,
        loginProfile: password ? { password: 'x', passwordResetRequired: false } : null,
        accessKeys: [],
        mfaDevices: [`arn:aws:iam::${MANAGEMENT_ID}:mfa/${name}`],
        attached: new Set(),
      });
    user('jane', true);
    user('deploy', false);
    fake.management.groups.set('Platform', {
      arn: `arn:aws:iam::${MANAGEMENT_ID}:group/Platform`,
      attached: new Set(['arn:aws:iam::aws:policy/AdministratorAccess', mfaArn]),
      users: new Set(['jane', 'deploy']),
    });
    const { file, text } = await fromAccount();
    expect(text).toMatch(/ {4}name: Platform\n/);
    expect(text).toContain('users: [ jane ]');
    expect(text).toContain('Also in Platform, without a console password: deploy');
    expect(text).toContain('groups: [ Platform ]');
    expect(await plannedChanges(file)).toEqual([]);
  });

  it('gives a Control Tower layout\'s "Log Archive" and "Audit" their purposes, keeping their OU, says so, and the plan only tags them', async () => {
    // Control Tower's layout, without this tool: the two accounts in its Security OU, untagged.
    fake.organization = {
      Id: 'o-abc123def4',
      Arn: `arn:aws:organizations::${MANAGEMENT_ID}:organization/o-abc123def4`,
      FeatureSet: 'ALL',
      MasterAccountId: MANAGEMENT_ID,
    };
    const security = fake.addOu('Security');
    fake.addMemberAccount('Log Archive', 'aws+ct-log-archive@acme.example', { parentId: security });
    fake.addMemberAccount('Audit', 'aws+ct-audit@acme.example', { parentId: security });
    const file = newPath();
    const run = await cli(['answers', '--from-account', file, '--only', 'member-accounts']);
    expect(run.code, run.stderr).toBe(0);
    expect(fake.writes).toEqual([]);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('- { name: Log Archive, email: aws+ct-log-archive@acme.example, ou: Security, purpose: log-archive }');
    expect(text).toContain('- { name: Audit, email: aws+ct-audit@acme.example, ou: Security, purpose: security-tooling }');
    expect(text).toContain(
      "# Log Archive is named like a log-archive account: purpose log-archive (the organization trail's key and buckets go there); it is not tagged environment: the plan tags it environment=log-archive.",
    );
    expect(text).toContain(
      "# Audit is named like a security-tooling account: purpose security-tooling (the organization's security services are run from it); it is not tagged environment: the plan tags it environment=security-tooling.",
    );
    // Neither is created again or moved: the plan only tags them.
    expect((await plannedChanges(file)).sort()).toEqual([
      'management member-accounts organizations:account/Audit/tags',
      'management member-accounts organizations:account/Log Archive/tags',
    ]);
  });

  it('leaves an answer the account does not show as a placeholder to fill in, and says so', async () => {
    const out = await cli(['answers', '--from-account', '--only', 'account-alias,security-contacts']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('alias: <your-company>');
    expect(out.stdout).toContain('name: <full name>');
    expect(out.stderr).toContain('steps.account-alias.alias');
    expect(out.stderr).toContain('steps.security-contacts.security.email');
    // Such a file is refused until the placeholders are replaced, naming each one.
    const plan = await cli(['plan', '--answers', answersFile(out.stdout)]);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain("steps.account-alias.alias: is still the template's placeholder");
    expect(fake.writes).toEqual([]);
  });

  it('writes to stdout without FILE, and the text is a valid answers file', async () => {
    await converge();
    const out = await cli(['answers', '--from-account']);
    expect(out.code).toBe(0);
    expect(() => validateAnswers(parseAnswersText(out.stdout, 'stdout'), REGISTRY, 'stdout')).not.toThrow();
  });

  it('refuses to replace an existing file, before any AWS call', async () => {
    const file = newPath();
    writeFileSync(file, 'mine\n');
    const run = await cli(['answers', '--from-account', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('already exists; it was left as it is');
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
    expect(fake.calls).toEqual([]);
  });

  it('is refused with other commands', async () => {
    const run = await cli(['plan', '--from-account']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--from-account is for answers');
    expect(existsSync('a.yaml')).toBe(false);
  });
});
