import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planAll, verifyAll } from '../../src/engine/runner.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { engineRun, expectConvergence, applyOrThrow, applyOne } from '../helpers/converge.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const answers = (alias: string, allowReplace = false) => ({ version: 1, steps: { 'account-alias': { alias, allowReplace } } });

describe('account-alias', () => {
  it('converges on a fresh account: plan creates, apply sets it, the next plan is empty, verify passes', async () => {
    const opts = await engineRun(['account-alias'], answers('acme'));
    const first = await expectConvergence(opts);
    expect(first.changes).toEqual([
      expect.objectContaining({ action: 'create', before: null, after: 'acme', risk: 'none', address: 'iam:account-alias' }),
    ]);
    expect(fake.management.alias).toBe('acme');
  });

  it('plans a different existing alias as a destructive replace that names the old sign-in URL', async () => {
    fake.management.alias = 'old-name';
    const { changes } = await planAll(await engineRun(['account-alias'], answers('acme')));
    expect(changes).toEqual([expect.objectContaining({ action: 'replace', risk: 'destructive', before: 'old-name', after: 'acme' })]);
    expect(changes[0]?.summary).toContain('the sign-in URL for "old-name" stops working');
  });

  it('replaces the alias in one call, so a failure never leaves the account without one', async () => {
    fake.management.alias = 'old-name';
    const opts = await engineRun(['account-alias'], answers('acme', true));
    await applyOrThrow(opts, (await planAll(opts)).changes);
    expect(fake.writes.map((w) => w.operation)).toEqual(['CreateAccountAlias']);
    expect(fake.management.alias).toBe('acme');
  });

  it('explains an alias taken by another account, naming the answer to change', async () => {
    fake.takenAliases.add('acme');
    const opts = await engineRun(['account-alias'], answers('acme'));
    await expect(applyOrThrow(opts, (await planAll(opts)).changes)).rejects.toThrow(
      /account-alias \(apply\) in account 111111111111 \(management\): iam:CreateAccountAlias failed: EntityAlreadyExistsException: the alias "acme" is already taken.*steps\.account-alias\.alias/,
    );
    expect(fake.management.alias).toBeNull();
  });

  it('treats EntityAlreadyExists for its own alias as done (a retried create whose first response was lost)', async () => {
    const opts = await engineRun(['account-alias'], answers('acme'));
    const [change] = (await planAll(opts)).changes;
    fake.management.alias = 'acme';
    await applyOne(opts, change!);
    expect(fake.writes.map((w) => w.operation)).toEqual(['CreateAccountAlias']);
    expect(fake.management.alias).toBe('acme');
  });

  it('detects drift: verify fails GW.ALIAS when the alias changed', async () => {
    const opts = await engineRun(['account-alias'], answers('acme'));
    await expectConvergence(opts);
    fake.management.alias = 'drifted';
    const findings = await verifyAll(opts);
    expect(findings).toEqual([
      expect.objectContaining({ check: 'account-alias.alias', status: 'fail', reason: 'the account alias is "drifted"; expected "acme"' }),
    ]);
  });
});
