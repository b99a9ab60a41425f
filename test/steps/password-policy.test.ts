import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planAll, verifyAll } from '../../src/engine/runner.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { engineRun, expectConvergence, applyOrThrow } from '../helpers/converge.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const answers = (p: Record<string, number> = {}) => ({ version: 1, steps: { 'password-policy': p } });

const FULL_REQUEST_FIELDS = [
  'AllowUsersToChangePassword',
  'HardExpiry',
  'MaxPasswordAge',
  'MinimumPasswordLength',
  'PasswordReusePrevention',
  'RequireLowercaseCharacters',
  'RequireNumbers',
  'RequireSymbols',
  'RequireUppercaseCharacters',
];

describe('password-policy', () => {
  it('converges on a fresh account with the CIS defaults', async () => {
    const first = await expectConvergence(await engineRun(['password-policy'], answers()));
    expect(first.changes).toEqual([expect.objectContaining({ action: 'create', before: null, risk: 'security' })]);
    expect(fake.management.passwordPolicy).toMatchObject({ MinimumPasswordLength: 14, PasswordReusePrevention: 24, MaxPasswordAge: 90 });
  });

  it('always writes the whole policy, even when one field differs', async () => {
    const opts = await engineRun(['password-policy'], answers());
    await expectConvergence(opts);
    fake.management.passwordPolicy = { ...fake.management.passwordPolicy, RequireSymbols: false };
    const { changes } = await planAll(opts);
    expect(changes).toEqual([expect.objectContaining({ action: 'update', summary: 'update the IAM password policy (RequireSymbols)' })]);
    await applyOrThrow(opts, changes);
    const update = fake.writes.filter((w) => w.operation === 'UpdateAccountPasswordPolicy').at(-1);
    expect(Object.keys(update?.input ?? {}).sort()).toEqual(FULL_REQUEST_FIELDS);
    expect(fake.management.passwordPolicy).toMatchObject({
      RequireSymbols: true,
      MinimumPasswordLength: 14,
      AllowUsersToChangePassword: true,
    });
  });

  it('omits MaxPasswordAge when passwords never expire, and still sends every other field', async () => {
    const opts = await engineRun(['password-policy'], answers({ maxAgeDays: 0 }));
    await expectConvergence(opts);
    const update = fake.writes.find((w) => w.operation === 'UpdateAccountPasswordPolicy');
    expect(Object.keys(update?.input ?? {}).sort()).toEqual(FULL_REQUEST_FIELDS.filter((f) => f !== 'MaxPasswordAge'));
    expect(fake.management.passwordPolicy?.ExpirePasswords).toBe(false);
  });

  it('detects a weakened policy, failing its minimum length (CIS 1.7), reuse (CIS 1.8) and whole-policy (SSB ACCT.06) checks, and apply restores it', async () => {
    const opts = await engineRun(['password-policy'], answers());
    await expectConvergence(opts);
    fake.management.passwordPolicy = { MinimumPasswordLength: 8, PasswordReusePrevention: 5 };
    const failing = (await verifyAll(opts)).filter((f) => f.status === 'fail').map((f) => f.check);
    expect(failing).toEqual(['password-policy.minimum-length', 'password-policy.reuse-prevention', 'password-policy.matches-answers']);
    await applyOrThrow(opts, (await planAll(opts)).changes);
    expect((await verifyAll(opts)).every((f) => f.status === 'pass')).toBe(true);
  });

  it('fails every control when no policy is set, saying the AWS default applies', async () => {
    const findings = await verifyAll(await engineRun(['password-policy'], answers()));
    expect(findings.map((f) => [f.check, f.status])).toEqual([
      ['password-policy.minimum-length', 'fail'],
      ['password-policy.reuse-prevention', 'fail'],
      ['password-policy.matches-answers', 'fail'],
    ]);
    expect(findings[0]?.reason).toContain('the AWS default');
  });

  it('refuses a stale plan: a policy changed after approval stops apply before any write', async () => {
    const opts = await engineRun(['password-policy'], answers());
    const { changes } = await planAll(opts);
    fake.management.passwordPolicy = { MinimumPasswordLength: 20 };
    await expect(applyOrThrow(opts, changes)).rejects.toThrow(/changed after the plan was shown/);
    expect(fake.writes).toEqual([]);
  });
});
