import { StepFailedError } from '../errors.js';
import type { Finding } from '../model.js';
import { DEFAULT_CONCURRENCY } from './plan.js';
import {
  accountsOf,
  byAccount,
  inOrder,
  completeFinding,
  contextFor,
  nothingSaid,
  showNotes,
  stopIfInterrupted,
  unitsOf,
  type RunOptions,
  type Said,
  type Unit,
} from './run.js';
import { runTasks } from './tasks.js';

export async function verifyAll(opts: RunOptions): Promise<Finding[]> {
  const cache = new Map<string, Promise<unknown>>();
  const all = unitsOf(opts, await accountsOf(opts, cache)).filter((u) => !u.account.pending);
  const byUnit = new Map<Unit, Finding[]>();
  // Each unit's notes apart, put together in registry order: the same notes in the same order on every run.
  const saidBy = new Map(all.map((u) => [u, nothingSaid()]));
  await runTasks(
    opts.host,
    byAccount(all).map((group) => ({
      title: `Verify ${group[0]?.account.name}`,
      // An account's steps side by side too: verify only reads, and the findings are put back in registry order.
      run: async () => {
        await Promise.all(
          group.map(async (u) => {
            if (opts.signal?.aborted) return;
            byUnit.set(u, await verifyUnit(opts, u, cache, saidBy.get(u) ?? nothingSaid()));
          }),
        );
      },
    })),
    { stopOnError: false, concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY },
  );
  showNotes(opts, inOrder(all, saidBy));
  stopIfInterrupted(opts);
  return all.flatMap((u) => byUnit.get(u) ?? []);
}

/** Every check of the step, as not evaluated: evidence must not lose a control silently because the step could not read it. */
function notEvaluated(u: Unit, failure: StepFailedError): Finding[] {
  return u.step.checks.map((c) => ({
    step: u.step.id,
    check: c.id,
    account: u.account,
    resource: u.step.id,
    status: 'error' as const,
    reason: failure.message,
    remediation: 'Fix what the reason names (a permission, a network error), then run `aws-groundwork verify` again.',
  }));
}

/**
 * Right after a write, IAM and friends may still answer with the old state: a failing control is read
 * again a few times before it counts, so a fresh apply never reports a false failure.
 */
async function verifyUnit(opts: RunOptions, u: Unit, cache: Map<string, Promise<unknown>>, said: Said): Promise<Finding[]> {
  const settle = opts.settle ?? { attempts: 1, delayMs: 0 };
  let findings: Finding[] = [];
  for (let attempt = 1; attempt <= Math.max(1, settle.attempts); attempt++) {
    try {
      // A second look must really look again: no shared reads after the first attempt.
      const ctx = await contextFor(opts, u, 'verify', { said, ...(attempt === 1 ? { readCache: cache } : {}) });
      findings = (await u.step.verify(ctx)).map((f) => completeFinding(u, f));
    } catch (err) {
      findings = notEvaluated(u, new StepFailedError(u.step.id, u.account, 'verify', err));
    }
    if (!findings.some((f) => f.status === 'fail' || f.status === 'error')) break;
    if (attempt < settle.attempts) await new Promise((r) => setTimeout(r, settle.delayMs * attempt));
  }
  return findings;
}
