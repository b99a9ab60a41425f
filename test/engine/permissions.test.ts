import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REGISTRY } from '../../src/engine/registry.js';
import { applyPlan, planAll, verifyAll } from '../../src/engine/runner.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { SENT, engineRun, expectConvergence } from '../helpers/converge.js';
import { cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const ALL = { version: 1, steps: { 'account-alias': { alias: 'acme', allowReplace: true }, 'password-policy': {} } };

describe('aws-groundwork permissions', () => {
  it('prints a valid IAM policy document for apply with every declared action and nothing else', async () => {
    const run = await cli(['permissions']);
    expect(run.code).toBe(0);
    const policy = JSON.parse(run.stdout);
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Allow', Resource: '*' });
    const declared = new Set(REGISTRY.flatMap((s) => [...s.permissions.read, ...s.permissions.apply]));
    expect(new Set(policy.Statement[0].Action)).toEqual(declared);
    expect(fake.calls).toEqual([]);
  });

  it('prints only read actions with --phase read, and narrows to --only steps', async () => {
    const read = JSON.parse((await cli(['permissions', '--phase', 'read'])).stdout);
    expect(read.Statement[0].Action).toEqual([...new Set(REGISTRY.flatMap((s) => s.permissions.read))].sort());
    expect(read.Statement[0].Action).not.toContain('iam:CreateAccountAlias');
    const only = JSON.parse((await cli(['permissions', '--only', 'account-alias'])).stdout);
    expect(only.Statement[0].Action).toEqual(['iam:CreateAccountAlias', 'iam:ListAccountAliases']);
  });
});

describe('every AWS command a step sends', () => {
  it('maps to an IAM action the step declared, across convergence, drift and repair', async () => {
    const opts = await engineRun(['account-alias', 'password-policy'], ALL);
    await expectConvergence(opts);
    fake.management.alias = 'drifted';
    fake.management.passwordPolicy = { MinimumPasswordLength: 6 };
    await verifyAll(opts);
    await applyPlan(opts, (await planAll(opts)).changes);
    await verifyAll(opts);

    const byStep = new Map(REGISTRY.map((s) => [s.id, new Set([...s.permissions.read, ...s.permissions.apply])]));
    const sentSteps = new Set(SENT.map((s) => s.step));
    expect(sentSteps).toEqual(new Set(['account-alias', 'password-policy']));
    for (const { step, action, operation } of SENT) {
      expect(action, `${step} sent ${operation}`).not.toBeNull();
      expect(byStep.get(step)?.has(action as string), `${step} sent ${action}`).toBe(true);
    }
    // And every declared action is used: the declarations are not padded.
    for (const [step, declared] of byStep) {
      const used = new Set(SENT.filter((s) => s.step === step).map((s) => s.action));
      expect(used, step).toEqual(declared);
    }
  });
});
