import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planAll } from '../../src/engine/runner.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { engineRun } from '../helpers/converge.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
  fake.withOrganization();
});
afterEach(() => fake.restore());

const accounts = [{ name: 'acme-dev', email: 'aws+dev@acme.example', ou: 'Workloads' }];
const FILE = (extra = '') => `version: 1
steps:
  account-alias: { alias: acme }
  member-accounts:
    accounts:
      - { name: acme-dev, email: aws+dev@acme.example, ou: Workloads }
  root-credentials: {${extra}}
`;

describe('member-accounts', () => {
  it('adopts an existing account found by email, moving it into its OU and tagging it, without creating one', async () => {
    fake.addMemberAccount('old-name-dev', 'AWS+DEV@acme.example');
    const { changes } = await planAll(await engineRun(['member-accounts'], { version: 1, steps: { 'member-accounts': { accounts } } }));
    expect(changes.map((c) => c.address)).toEqual([
      'organizations:ou/Workloads',
      'organizations:account/acme-dev/ou',
      'organizations:account/acme-dev/tags',
    ]);
    const run = await cli(['apply', '--yes', '--answers', answersFile(FILE())]);
    expect(run.code, run.stderr).toBe(0);
    expect(fake.calls.filter((c) => c.operation === 'CreateAccount')).toEqual([]);
  });

  it("keeps trying a new account's role for a while: AssumeRole is denied right after creation", async () => {
    fake.roleDelayCalls = 3;
    const run = await cli(['apply', '--yes', '--answers', answersFile(FILE())]);
    expect(run.code, run.stderr).toBe(0);
    const id = [...fake.orgAccounts.values()].find((a) => a.Name === 'acme-dev')!.Id;
    expect(fake.accounts.get(id)?.alias).toBe('acme-dev');
    expect(fake.calls.filter((c) => c.operation === 'AssumeRole').length).toBeGreaterThan(3);
  });

  it("deletes a member's root credentials through AssumeRoot only with the explicit opt-in", async () => {
    const id = fake.addMemberAccount('acme-dev', 'aws+dev@acme.example');
    Object.assign(fake.accounts.get(id)!.root, { password: true, accessKeys: [{ AccessKeyId: 'AKIAMEMBER', Status: 'Active' }] });

    const refused = await cli(['apply', '--yes', '--answers', answersFile(FILE())]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('set steps.root-credentials.deleteMemberRootCredentials: true');
    expect(fake.accounts.get(id)!.root.password).toBe(true);

    const run = await cli(['apply', '--yes', '--answers', answersFile(FILE(' deleteMemberRootCredentials: true '))]);
    expect(run.code, run.stderr).toBe(0);
    expect(fake.accounts.get(id)!.root).toMatchObject({ password: false, accessKeys: [] });
    const assumeRoot = fake.calls.filter((c) => c.operation === 'AssumeRoot');
    expect(assumeRoot.length).toBeGreaterThan(0);
    expect(assumeRoot[0]?.input).toMatchObject({
      TargetPrincipal: id,
      TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials' },
    });
    // Regional STS: the call went to the home region.
    expect(assumeRoot[0]?.region).toBe('us-east-1');
  });

  it('suggests each purpose for one account only, and keeps an account tagged with an environment in it whatever its name', async () => {
    fake.addMemberAccount('LogArchive', 'aws+ct-logs@acme.example');
    fake.addMemberAccount('acme-log-archive', 'aws+logs@acme.example');
    const audit = fake.addMemberAccount('Audit', 'aws+audit@acme.example');
    fake.orgAccounts.get(audit)!.tags = [{ Key: 'environment', Value: 'qa' }];
    fake.addMemberAccount('SecurityTooling', 'aws+tooling@acme.example');
    const run = await cli(['answers', '--from-account', '--only', 'member-accounts']);
    expect(run.code, run.stderr).toBe(0);
    const accounts = run.stdout.split('\n').filter((l) => l.trim().startsWith('- {'));
    expect(accounts.map((l) => l.trim())).toEqual([
      // Directly under the root: the plan moves the one with a purpose into Security, the others into Workloads.
      '- { name: LogArchive, email: aws+ct-logs@acme.example, ou: Security, purpose: log-archive }',
      '- { name: acme-log-archive, email: aws+logs@acme.example, ou: Workloads, env: archive }',
      '- { name: Audit, email: aws+audit@acme.example, ou: Workloads, env: qa }',
      '- { name: SecurityTooling, email: aws+tooling@acme.example, ou: Security, purpose: security-tooling }',
    ]);
    expect(run.stdout).toContain(
      '# acme-log-archive looks like a log-archive account (by its name), but an account before it has that purpose: kept as an environment account.',
    );
    expect(run.stdout).toContain(
      '# Audit is named like a security-tooling account, but it is tagged environment=qa: kept as an environment account.',
    );
    // What it suggests is a valid answers file: the plan reads it and makes only those moves and tags.
    const plan = await cli(['plan', '--answers', answersFile(run.stdout)]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout.match(/create the account/g)).toBeNull();
  });

  it('as root, says the root user cannot reach members instead of a bare AccessDenied', async () => {
    fake.addMemberAccount('acme-dev', 'aws+dev@acme.example');
    fake.callAsRoot();
    const run = await cli(['verify', '--answers', answersFile(FILE())]);
    expect(run.stdout).toContain('the root user cannot assume roles');
  });
});
