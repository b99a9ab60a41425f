import { expect } from 'vitest';
import type { Answers } from '../../src/answers/answers.js';
import { validateAnswers } from '../../src/answers/answers.js';
import { AwsSession } from '../../src/aws/session.js';
import { ACCOUNT_SOURCE, REGISTRY } from '../../src/registry.js';
import { applyPlan, contextFor, planAll, verifyAll, type ApplyResult, type RunOptions } from '../../src/engine/runner.js';
import { ApplyIncompleteError } from '../../src/errors.js';
import type { Change } from '../../src/model.js';
import type { Step } from '../../src/kit/step.js';
import { TestHost } from '../../src/io/test-host.js';
import { FAST_RETRY, TEST_ENV } from './run-cli.js';

/** Every (step, action, phase) that left the process in any test that used `engineRun`. */
export const SENT: { step: string; action: string | null; operation: string }[] = [];

/** Runner options for the given steps and answers document, with every sent command recorded. */
export async function engineRun(
  stepIds: string[],
  answersDoc: unknown,
  where: { region?: string } = {},
  registry: readonly Step[] = REGISTRY,
): Promise<RunOptions> {
  const answers: Answers = validateAnswers(answersDoc, registry, 'test answers');
  const steps: Step[] = registry.filter((s) => stepIds.includes(s.id));
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
    ...(ACCOUNT_SOURCE && registry === REGISTRY ? { accountSource: ACCOUNT_SOURCE } : {}),
    sleep: async () => undefined,
    onSend: (e) => SENT.push({ step: e.step, action: e.action, operation: e.operation }),
  };
}

/**
 * plan -> apply -> plan is empty -> verify passes; returns the first plan. `manual` names the checks
 * the answers leave to a person (org-trail's log-archive check when there is no log-archive account):
 * those may be manual, nothing else may be anything but pass.
 */
export async function expectConvergence(opts: RunOptions, { manual = [] }: { manual?: string[] } = {}) {
  const first = await planAll(opts);
  expect(first.failures).toEqual([]);
  expect(first.changes.length).toBeGreaterThan(0);
  await applyOrThrow(opts, first.changes);
  const second = await planAll(opts);
  expect(second.failures).toEqual([]);
  expect(second.changes).toEqual([]);
  const findings = await verifyAll(opts);
  expect(findings.filter((f) => f.status !== 'pass' && !(f.status === 'manual' && manual.includes(f.check)))).toEqual([]);
  return first;
}

/** Applies one planned change as apply would, by its step's handler for the change's operation kind. */
export async function applyOne(opts: RunOptions, change: Change): Promise<void> {
  const step = opts.steps.find((s) => s.id === change.step);
  const handler = step?.apply[change.operation.kind];
  if (!step || !handler) throw new Error(`no handler for ${change.step} ${change.operation.kind}`);
  await handler(await contextFor(opts, { step, account: change.account }, 'apply'), change.operation.input as never, change);
}

/** Applies a plan and throws what stopped it or failed, as the apply command reports it. */
export async function applyOrThrow(opts: RunOptions, approved: Change[], shown: Change[] = approved): Promise<ApplyResult> {
  const result = await applyPlan(opts, approved, shown);
  if (result.stopped) throw result.stopped;
  if (result.failures.length) throw new ApplyIncompleteError(result.failures);
  return result;
}
