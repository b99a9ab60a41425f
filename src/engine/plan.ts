import { StepFailedError } from '../errors.js';
import { DEFERRED } from '../kit/step.js';
import type { AccountRef, Change } from '../model.js';
import { accountsOf, byAccount, nothingSaid, planUnit, showNotes, stopIfInterrupted, unitsOf, type RunOptions, type Unit } from './run.js';
import { runTasks } from './tasks.js';

export const DEFAULT_CONCURRENCY = 4;

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
  const failures: StepFailedError[] = [];
  const cache = new Map<string, Promise<unknown>>();
  const said = nothingSaid();
  const accounts = await accountsOf(opts, cache);
  const all = unitsOf(opts, accounts);
  const byUnit = new Map<Unit, Change[]>();
  const planGroup = async (group: Unit[]) => {
    for (const u of group) {
      if (opts.signal?.aborted) return;
      if (u.account.pending) {
        byUnit.set(u, [deferredChange(u)]);
        continue;
      }
      try {
        byUnit.set(u, await planUnit(opts, u, { readCache: cache, said }));
      } catch (err) {
        failures.push(new StepFailedError(u.step.id, u.account, 'plan', err));
      }
    }
  };
  // Every account and step is planned even when one fails; the caller reports the failures.
  await runTasks(
    opts.host,
    byAccount(all).map((group) => ({ title: `${label} ${group[0]?.account.name}`, run: () => planGroup(group) })),
    { stopOnError: false, concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY },
  );
  const notes = showNotes(opts, said);
  stopIfInterrupted(opts);
  // Account, then registry order, whatever order the tasks finished in.
  return { changes: all.flatMap((u) => byUnit.get(u) ?? []), failures, accounts, notes };
}
