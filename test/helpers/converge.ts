import { expect } from 'vitest';
import type { Answers } from '../../src/answers/answers.js';
import { validateAnswers } from '../../src/answers/answers.js';
import { AwsSession } from '../../src/aws/session.js';
import { ACCOUNT_SOURCE, REGISTRY } from '../../src/engine/registry.js';
import { applyPlan, planAll, verifyAll, type RunOptions } from '../../src/engine/runner.js';
import type { Step } from '../../src/engine/types.js';
import { TestHost } from '../../src/io/test-host.js';
import { FAST_RETRY, TEST_ENV } from './run-cli.js';

/** Every (step, action, phase) that left the process in any test that used `engineRun`. */
export const SENT: { step: string; action: string | null; operation: string }[] = [];

/** Runner options for the given steps and answers document, with every sent command recorded. */
export async function engineRun(stepIds: string[], answersDoc: unknown, where: { region?: string } = {}): Promise<RunOptions> {
  const answers: Answers = validateAnswers(answersDoc, REGISTRY, 'test answers');
  const steps: Step[] = REGISTRY.filter((s) => stepIds.includes(s.id));
  const session = await AwsSession.create({
    env: TEST_ENV,
    ...(where.region ? { region: where.region } : {}),
    credentials: async () => ({ accessKeyId: 'A', secretAccessKey: 'B' }),
    roleRetry: { attempts: 5, delayMs: 0 },
    retry: FAST_RETRY,
  });
  return {
    host: new TestHost(),
    session,
    steps,
    answers,
    settle: { attempts: 2, delayMs: 0 },
    ...(ACCOUNT_SOURCE ? { accountSource: ACCOUNT_SOURCE } : {}),
    sleep: async () => undefined,
    onSend: (e) => SENT.push({ step: e.step, action: e.action, operation: e.operation }),
  };
}

/** plan -> apply -> plan is empty -> verify passes; returns the first plan. */
export async function expectConvergence(opts: RunOptions) {
  const first = await planAll(opts);
  expect(first.failures).toEqual([]);
  expect(first.changes.length).toBeGreaterThan(0);
  await applyPlan(opts, first.changes);
  const second = await planAll(opts);
  expect(second.failures).toEqual([]);
  expect(second.changes).toEqual([]);
  const findings = await verifyAll(opts);
  expect(findings.filter((f) => f.status !== 'pass')).toEqual([]);
  return first;
}
