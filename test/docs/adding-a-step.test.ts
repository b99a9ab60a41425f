import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import auditorsGroup from '../../docs/example-step/index.js';
import { planAll, requiredActions, verifyAll } from '../../src/engine/runner.js';
import { engineRun, expectConvergence, applyOrThrow } from '../helpers/converge.js';
import { AWS_MANAGED_POLICIES, FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';

/** The step a new contributor copies: it must work, and the page must show it as it is. */
let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const ANSWERS = { version: 1, steps: { 'auditors-group': { name: 'Auditors' } } };
const run = () => engineRun(['auditors-group'], ANSWERS, {}, [auditorsGroup]);
const SECURITY_AUDIT = 'arn:aws:iam::aws:policy/SecurityAudit';
// The fake knows the AWS-managed policies the shipped steps attach; this one is the example's.
AWS_MANAGED_POLICIES.add(SECURITY_AUDIT);

describe('the example step of docs/adding-a-step.md', () => {
  it('plans, applies, plans nothing more and verifies on a fresh account', async () => {
    const first = await expectConvergence(await run());
    expect(first.changes.map((c) => [c.address, c.operation.kind])).toEqual([
      ['iam:group/Auditors', 'create-group'],
      ['iam:group/Auditors/policy/SecurityAudit', 'attach-policy'],
    ]);
    expect(fake.accounts.get(MANAGEMENT_ID)?.groups.get('Auditors')?.attached.has(SECURITY_AUDIT)).toBe(true);
  });

  it('finds the policy detached by hand, says how to fix it, and puts it back', async () => {
    const opts = await run();
    await expectConvergence(opts);
    fake.accounts.get(MANAGEMENT_ID)?.groups.get('Auditors')?.attached.clear();
    expect(await verifyAll(opts)).toEqual([
      expect.objectContaining({
        step: 'auditors-group',
        check: 'auditors-group.security-audit',
        status: 'fail',
        reason: 'the group Auditors lacks SecurityAudit',
        remediation: 'Run `aws-groundwork apply` to create the group and attach the policy.',
      }),
    ]);
    await applyOrThrow(opts, (await planAll(opts)).changes);
    expect((await verifyAll(opts)).map((f) => f.status)).toEqual(['pass']);
  });

  it('makes one group when the answer to CreateGroup is lost', async () => {
    fake.loseAnswerNext('CreateGroup');
    await expectConvergence(await run());
    expect(fake.writes.filter((w) => w.operation === 'CreateGroup')).toHaveLength(1);
  });

  it('declares exactly what it sends, which is what `permissions` prints for it', async () => {
    await expectConvergence(await run());
    const sent = new Set(fake.calls.filter((c) => c.service === 'iam').map((c) => `iam:${c.operation}`));
    expect([...sent].sort()).toEqual(requiredActions([auditorsGroup], 'apply'));
  });

  it('is shown whole, byte for byte, on the page that explains it', () => {
    const page = readFileSync(new URL('../../docs/adding-a-step.md', import.meta.url), 'utf8');
    const source = readFileSync(new URL('../../docs/example-step/index.ts', import.meta.url), 'utf8');
    expect(page).toContain(`\`\`\`ts\n${source}\`\`\``);
  });
});
