import { StepFailedError } from '../errors.js';
import { DEFERRED } from '../kit/step.js';
import type { AccountRef, Change } from '../model.js';
import {
  accountsOf,
  byAccount,
  inOrder,
  nothingSaid,
  planUnit,
  showNotes,
  stopIfInterrupted,
  unitsOf,
  type RunOptions,
  type Unit,
} from './run.js';
import { runTasks } from './tasks.js';

/**
 * How many accounts plan and verify look at at once: all of them, up to this many. What bounds the
 * requests is the run's limits per AWS service and account (src/aws/concurrency.ts), not this number,
 * which only keeps an organization of hundreds from holding hundreds of clients at once.
 */
export const DEFAULT_CONCURRENCY = 32;

export interface PlanResult {
  changes: Change[];
  failures: StepFailedError[];
  /** The accounts this plan found (pending ones included): what apply works on, without looking again. */
  accounts: AccountRef[];
  notes: string[];
}

/** A pending account's baseline for one step: worked out by apply once member-accounts made the account. */
export function deferredChange(u: Unit): Change {
  return {
    step: u.step.id,
    account: u.account,
    address: `${u.step.id}:baseline`,
    action: 'create',
    before: null,
    after: null,
    risk: 'none',
    operation: { kind: DEFERRED, input: null },
    deferred: true,
    summary: `${u.step.title} in the new account ${u.account.name}, planned in detail once it exists`,
  };
}

export async function planAll(opts: RunOptions, label = 'Plan'): Promise<PlanResult> {
  const cache = new Map<string, Promise<unknown>>();
  const accounts = await accountsOf(opts, cache);
  const all = unitsOf(opts, accounts);
  const byUnit = new Map<Unit, Change[]>();
  const failedBy = new Map<Unit, StepFailedError>();
  // Each unit's notes apart, put together in registry order: the same notes in the same order on every run.
  const saidBy = new Map(all.map((u) => [u, nothingSaid()]));
  const planOne = async (u: Unit) => {
    if (opts.signal?.aborted) return;
    if (u.account.pending) {
      byUnit.set(u, [deferredChange(u)]);
      return;
    }
    try {
      byUnit.set(u, await planUnit(opts, u, { readCache: cache, said: saidBy.get(u) ?? nothingSaid() }));
    } catch (err) {
      failedBy.set(u, new StepFailedError(u.step.id, u.account, 'plan', err));
    }
  };
  // An account's steps side by side too: plan only reads, and the changes are put back in registry order.
  const planGroup = async (group: Unit[]) => void (await Promise.all(group.map(planOne)));
  // Every account and step is planned even when one fails; the caller reports the failures.
  await runTasks(
    opts.host,
    byAccount(all).map((group) => ({ title: `${label} ${group[0]?.account.name}`, run: () => planGroup(group) })),
    { stopOnError: false, concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY },
  );
  const notes = showNotes(opts, inOrder(all, saidBy));
  stopIfInterrupted(opts);
  const failures = all.flatMap((u) => failedBy.get(u) ?? []);
  // Account, then registry order, whatever order the tasks finished in.
  return { changes: all.flatMap((u) => byUnit.get(u) ?? []), failures, accounts, notes };
}
