import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';
import { EXAMPLE_ANSWERS, answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

describe('plan on a fresh account', () => {
  it('prints the alias and password-policy changes and the summary line, and exits 0', async () => {
    const run = await cli(['plan', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('+ iam:account-alias');
    expect(run.stdout).toContain('set the account alias to "acme"');
    expect(run.stdout).toContain('+ iam:account-password-policy');
    expect(run.stdout).toContain('MinimumPasswordLength: 14');
    expect(run.stdout).toContain('Plan: 2 to create, 0 to update, 0 to delete.');
    expect(fake.writes).toEqual([]);
  });

  it('exits 3 with --detailed-exitcode because changes are pending', async () => {
    const run = await cli(['plan', '--detailed-exitcode', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(run.code).toBe(3);
  });

  it('prints valid JSON and nothing else on stdout with --output json', async () => {
    const run = await cli(['plan', '--output', 'json', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { changes: { step: string; action: string }[]; summary: { create: number } };
    expect(doc.changes.map((c) => [c.step, c.action])).toEqual([
      ['account-alias', 'create'],
      ['password-policy', 'create'],
    ]);
    expect(doc.summary.create).toBe(2);
    expect(run.stderr).toContain(`Account ${MANAGEMENT_ID}`);
  });

  it('renders a markdown table with --output markdown', async () => {
    const run = await cli(['plan', '--output', 'markdown', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(run.stdout).toContain('| Account | Step | Action | Resource | Risk | Change |');
    expect(run.stdout).toContain('**Plan: 2 to create, 0 to update, 0 to delete.**');
  });
});

describe('apply --yes', () => {
  it('makes exactly the planned changes, verifies, and leaves an empty plan', async () => {
    const file = answersFile(EXAMPLE_ANSWERS);
    const planned = JSON.parse((await cli(['plan', '--output', 'json', '--answers', file])).stdout) as {
      changes: { after: unknown }[];
    };

    const apply = await cli(['apply', '--yes', '--answers', file]);
    expect(apply.code).toBe(0);
    expect(fake.writes.map((w) => `${w.service}:${w.operation}`)).toEqual(['iam:CreateAccountAlias', 'iam:UpdateAccountPasswordPolicy']);
    expect(fake.writes[0]?.input).toEqual({ AccountAlias: 'acme' });
    // The whole policy, every field, in one write: what the plan showed as `after`.
    const { MaxPasswordAge, ...rest } = planned.changes[1]?.after as Record<string, unknown>;
    expect(fake.writes[1]?.input).toEqual({ ...rest, MaxPasswordAge });
    expect(apply.stdout).toContain('Controls: 4 pass, 0 fail, 0 manual, 0 error.');

    const again = await cli(['plan', '--detailed-exitcode', '--output', 'json', '--answers', file]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).changes).toEqual([]);

    const writesBefore = fake.writes.length;
    const reapply = await cli(['apply', '--yes', '--answers', file]);
    expect(reapply.code).toBe(0);
    expect(reapply.stdout).toContain('No changes.');
    expect(fake.writes.length).toBe(writesBefore);
  });

  it('without --yes and without a terminal, changes nothing and says to pass --yes (exit 2)', async () => {
    const run = await cli(['apply', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('pass --yes');
    expect(fake.writes).toEqual([]);
  });
});

describe('drift', () => {
  async function converged(): Promise<string> {
    const file = answersFile(EXAMPLE_ANSWERS);
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    return file;
  }

  it('a weakened password policy fails verify with exit 3 naming the control and account, and apply restores it', async () => {
    const file = await converged();
    fake.management.passwordPolicy = { ...fake.management.passwordPolicy, MinimumPasswordLength: 8, PasswordReusePrevention: 3 };

    const verify = await cli(['verify', '--answers', file]);
    expect(verify.code).toBe(3);
    expect(verify.stdout).toMatch(/FAIL\s+CIS 1\.7\s+password-policy\s+minimum password length is 8/);
    expect(verify.stdout).toMatch(/FAIL\s+CIS 1\.8\s+password-policy/);
    expect(verify.stdout).toContain(`Account ${MANAGEMENT_ID} (management)`);

    const plan = await cli(['plan', '--answers', file]);
    expect(plan.stdout).toContain('~ iam:account-password-policy');
    expect(plan.stdout).toContain('MinimumPasswordLength: 8 -> 14');

    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    expect((await cli(['verify', '--answers', file])).code).toBe(0);
  });

  it('a changed alias fails verify, is planned as a destructive replace, and needs the opt-in to be restored', async () => {
    const file = await converged();
    fake.management.alias = 'someone-else';

    const verify = await cli(['verify', '--output', 'json', '--answers', file]);
    expect(verify.code).toBe(3);
    const failing = JSON.parse(verify.stdout).findings.filter((f: { status: string }) => f.status === 'fail');
    expect(failing).toEqual([
      expect.objectContaining({
        check: 'account-alias.alias',
        step: 'account-alias',
        account: { id: MANAGEMENT_ID, name: 'management', role: 'management' },
      }),
    ]);

    const plan = await cli(['plan', '--answers', file]);
    expect(plan.stdout).toContain('-/+ iam:account-alias');
    expect(plan.stdout).toContain('"someone-else" -> "acme"');
    expect(plan.stdout).toContain('Plan: 1 to create, 0 to update, 1 to delete.');

    // --yes alone never approves a destructive change.
    const refused = await cli(['apply', '--yes', '--answers', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('steps.account-alias.allowReplace: true');
    expect(fake.management.alias).toBe('someone-else');

    const optedIn = answersFile(EXAMPLE_ANSWERS.replace('{ alias: acme }', '{ alias: acme, allowReplace: true }'));
    expect((await cli(['apply', '--yes', '--answers', optedIn])).code).toBe(0);
    expect(fake.management.alias).toBe('acme');
    expect((await cli(['verify', '--answers', file])).code).toBe(0);
  });
});
