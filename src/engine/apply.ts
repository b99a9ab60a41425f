import { LostAnswerError } from '../aws/retry.js';
import { InterruptedError, IsolatedFailure, StalePlanError, StepFailedError } from '../errors.js';
import { placeholder, type AccountRef, type Change, type Json } from '../model.js';
import { planAll } from './plan.js';
import {
  accountsOf,
  contextFor,
  learnedKey,
  memoryOf,
  nothingSaid,
  planUnit,
  plannedIn,
  showNotes,
  stopIfInterrupted,
  unitsOf,
  type RunOptions,
  type Said,
  type Secret,
  type Unit,
} from './run.js';
import { runTasks } from './tasks.js';

/** What an apply did. Once the first write has started, apply always returns one, even when it stopped. */
export interface ApplyResult {
  /** The approved changes that were made, in order. */
  applied: Change[];
  /** Changes that failed on their own while the rest went on (an account AWS refused to create). */
  failures: StepFailedError[];
  /** What stopped the run; nothing after it was started. */
  stopped?: unknown;
  /** One-time secrets for the person, to show once the task list has stopped drawing. */
  secrets: Secret[];
  notes: string[];
  /** The run's accounts as apply found them, before it created any. */
  accounts: AccountRef[];
}

/** Canonical text of a plan, to tell whether the account changed since the plan was approved. */
const fingerprint = (changes: Change[]) => JSON.stringify(changes);

/** Destructive changes and one-time secrets are only ever made after their own approval. */
const needsOwnApproval = (c: Change) => c.risk === 'destructive' || Boolean(c.revealsSecret);

/**
 * Applies an approved plan (or the approved part of the plan that was shown). It plans again first and
 * refuses (throws) if the account no longer matches what was shown, or a step's preflight vetoes the
 * run; then it makes each approved change in order (those a step lets run side by side, in groups:
 * `batchesOf`), stops at the first failure, and says what it did.
 */
export async function applyPlan(opts: RunOptions, approved: Change[], shown: Change[] = approved): Promise<ApplyResult> {
  const fresh = await planAll(opts, 'Re-check');
  if (fresh.failures.length) throw fresh.failures[0];
  if (fingerprint(fresh.changes) !== fingerprint(shown)) {
    throw new StalePlanError(
      'The account changed after the plan was shown, so the approved plan is stale and nothing was applied. Run again to see the current plan.',
    );
  }
  const all = unitsOf(opts, fresh.accounts);
  // What an earlier apply of the same options learned or shared belongs to its own plan, not this one.
  memoryOf(opts).learned.clear();
  memoryOf(opts).shared.clear();
  const said = nothingSaid();
  await preflight(opts, all, approved, said);
  const result: ApplyResult = { applied: [], failures: [], secrets: said.secrets, notes: [], accounts: fresh.accounts };
  // A change that ends the session (deleting the key it signs with) must be the very last write.
  const ordered = [...approved.filter((c) => !c.endsSession), ...approved.filter((c) => c.endsSession)];
  const work = new ApplyWork(opts, said, ordered);
  try {
    for (const batch of batchesOf(ordered, all)) await work.run(batch, all, result);
  } catch (err) {
    result.stopped = err;
  }
  result.notes = showNotes(opts, said);
  return result;
}

/** Approved changes made together: one after the other (`concurrency` 1), or side by side. */
interface Batch {
  changes: Change[];
  concurrency: number;
  /** New accounts' baselines: each account's changes in order, the accounts side by side. */
  byAccount?: boolean;
}

/**
 * How many new accounts get their baseline at once. Each account's steps act in that account alone (its
 * IAM, its S3 settings, its root credentials, its contacts through the management account), and the
 * limits per service and account (src/aws/concurrency.ts) bound what is in flight.
 */
const NEW_BASELINES_AT_ONCE = 5;

/** A new member account's baseline, planned for real once the account exists: independent of other accounts'. */
const isNewMemberBaseline = (change: Change, all: Unit[]) => {
  const account = unitFor(all, change).account;
  return Boolean(change.deferred && account.pending && account.role === 'member');
};

/** Whether two changes are of one step, account and operation kind: what may share a side-by-side group. */
const sameGroup = (a: Change, b: Change) =>
  a.step === b.step && plannedIn(a).id === plannedIn(b).id && a.operation.kind === b.operation.kind;

/**
 * The approved changes, in order, cut into batches: consecutive changes of one step, account and
 * operation kind that the step lets run side by side (`concurrent`) form one group with that limit;
 * the baselines of new member accounts (deferred, after the creations) form one group of accounts side by
 * side, each account's changes in order; everything else stays one after the other, exactly in plan order.
 */
export function batchesOf(ordered: Change[], all: Unit[]): Batch[] {
  const out: Batch[] = [];
  for (const change of ordered) {
    const last = out[out.length - 1];
    if (isNewMemberBaseline(change, all)) {
      if (last?.byAccount) last.changes.push(change);
      else out.push({ changes: [change], concurrency: NEW_BASELINES_AT_ONCE, byAccount: true });
      continue;
    }
    const limit = change.deferred ? undefined : unitFor(all, change).step.concurrent?.[change.operation.kind];
    const side = limit !== undefined && limit > 1 ? limit : 1;
    const first = last?.changes[0];
    const joins =
      last !== undefined && !last.byAccount && first !== undefined && last.concurrency === side && (side === 1 || sameGroup(first, change));
    if (joins) last.changes.push(change);
    else out.push({ changes: [change], concurrency: side });
  }
  return out;
}

/** A side-by-side group under way: its changes, and what stopped it (no change of it starts after that). */
interface Group {
  members: Change[];
  stopped?: unknown;
}

function unitFor(all: Unit[], change: Change): Unit {
  const unit = all.find((u) => u.step.id === change.step && u.account.id === plannedIn(change).id);
  if (!unit) throw new Error(`no step ${change.step} for account ${change.account.id} in this run`);
  return unit;
}

/** Read-only checks that may veto the whole run (lock-out guards) before anything is written. */
async function preflight(opts: RunOptions, all: Unit[], approved: Change[], said: Said): Promise<void> {
  for (const u of all) {
    if (!u.step.preflight || u.account.pending) continue;
    try {
      await u.step.preflight(await contextFor(opts, u, 'plan', { said }), approved);
    } catch (err) {
      throw new StepFailedError(u.step.id, u.account, 'apply', err);
    }
  }
}

/** The changes of one apply: one at a time, or side by side where a step allows it (`batchesOf`). */
class ApplyWork {
  /** The accounts once member-accounts has made the new ones: looked up once, by the first deferred change. */
  private created?: Promise<AccountRef[]>;

  constructor(
    private readonly opts: RunOptions,
    private readonly said: Said,
    private readonly ordered: Change[],
  ) {}

  /**
   * Makes one batch. Side by side, a change that fails for all (not on its own) or an interruption
   * stops the group from starting more changes; those in flight finish, as each write either happened
   * or was not started, and then the run stops with the first such failure. What was made is recorded
   * in plan order either way.
   */
  async run(batch: Batch, all: Unit[], result: ApplyResult): Promise<void> {
    if (batch.concurrency === 1) {
      const tasks = batch.changes.map((c) => this.task(c, unitFor(all, c), result, (done) => result.applied.push(done)));
      await runTasks(this.opts.host, tasks, { stopOnError: true });
      return;
    }
    const group: Group = { members: batch.changes };
    const made = new Set<Change>();
    const tasks = batch.byAccount
      ? this.accountTasks(batch.changes, all, result, made, group)
      : batch.changes.map((c) => this.task(c, unitFor(all, c), result, (done) => made.add(done), group));
    await runTasks(this.opts.host, tasks, { stopOnError: false, concurrency: batch.concurrency });
    result.applied.push(...batch.changes.filter((c) => made.has(c)));
    if (group.stopped !== undefined) throw group.stopped;
  }

  /** One task per new account: its baseline's changes one after the other, as `task` makes each. */
  private accountTasks(changes: Change[], all: Unit[], result: ApplyResult, made: Set<Change>, group: Group) {
    const byAccount = new Map<string, Change[]>();
    for (const c of changes) byAccount.set(plannedIn(c).id, [...(byAccount.get(plannedIn(c).id) ?? []), c]);
    return [...byAccount.values()].map((own) => ({
      title: `${own[0]?.account.name}: the baseline of the new account (${own.length} steps)`,
      run: async (progress: (text: string) => void) => {
        for (const c of own) await this.task(c, unitFor(all, c), result, (done) => made.add(done), group).run(progress);
      },
    }));
  }

  task(change: Change, unit: Unit, result: ApplyResult, done: (change: Change) => void, group?: Group) {
    return {
      title: `${change.account.role === 'member' ? `${change.account.name}: ` : ''}${change.step}: ${change.summary}`,
      run: async (progress: (text: string) => void) => {
        try {
          if (group?.stopped !== undefined) throw new Error('not started: a change made alongside it failed, so the run stops');
          // Between changes, never inside one: each write either happened or was not started.
          stopIfInterrupted(this.opts);
          if (change.deferred) await this.applyDeferred(unit, change);
          else await this.applyChange(unit, change, this.laterThan(change, group), progress);
          done(change);
        } catch (err) {
          if (err instanceof InterruptedError) {
            if (group) group.stopped ??= err;
            throw err;
          }
          const failure = err instanceof StepFailedError ? err : new StepFailedError(change.step, change.account, 'apply', err);
          // Only this change is affected: go on with the others and report it at the end.
          if (failure.cause instanceof IsolatedFailure) {
            result.failures.push(failure);
            return;
          }
          if (group) group.stopped ??= failure;
          throw failure;
        }
      },
    };
  }

  /**
   * The changes still to come after `change`: the rest of the plan and, in a group, the others made
   * alongside it, which are left to themselves when a lost answer makes this one read back.
   */
  private laterThan(change: Change, group?: Group): Change[] {
    const i = this.ordered.indexOf(change);
    const rest = this.ordered.slice(i + 1);
    return group ? [...group.members.filter((c) => this.ordered.indexOf(c) < i), ...rest] : rest;
  }

  /**
   * A new account's baseline, approved as part of the plan: the account now exists, so the step plans
   * it for real and makes those changes. Changes that always need their own approval (destructive ones,
   * one-time secrets) are left for the next run, which shows them, unless the deferred change itself
   * was planned, shown and approved as destructive (org-trail moving its logs into a new log-archive).
   */
  private async applyDeferred(unit: Unit, deferred: Change): Promise<void> {
    this.created ??= accountsOf(this.opts);
    // The change waits for the new account it is in, whichever account's step makes it.
    const made = (await this.created).find((a) => a.name === deferred.account.name && !a.pending);
    if (!made)
      throw new IsolatedFailure(`the account ${deferred.account.name} was not created, so ${deferred.step} there waits for the next run`);
    const account = unit.account.pending ? made : unit.account;
    const real: Unit = { step: unit.step, account };
    let changes: Change[];
    try {
      changes = await planUnit(this.opts, real, { said: this.said });
    } catch (err) {
      throw new StepFailedError(real.step.id, account, 'plan', err);
    }
    // Planned for real, nothing can still wait for this account: it exists now. A step that waits for
    // several accounts (guardrails) may still wait for one that was not made: its own change says so.
    if (changes.some((c) => c.deferred && c.account.name === deferred.account.name)) {
      throw new Error(`${real.step.id} still waits for ${deferred.account.name}, which exists now`);
    }
    changes = changes.filter((c) => !c.deferred);
    const approved = changes.filter((change) => {
      if (!needsOwnApproval(change)) return true;
      if (deferred.risk === 'destructive' && change.risk === 'destructive' && !change.revealsSecret) return true;
      this.said.notes.add(`${real.step.id}: left for the next run, which asks first: ${change.summary} (${account.name})`);
      return false;
    });
    for (const [i, change] of approved.entries()) {
      stopIfInterrupted(this.opts);
      try {
        await this.applyChange(real, change, approved.slice(i + 1));
      } catch (err) {
        throw new StepFailedError(real.step.id, change.account, 'apply', err);
      }
    }
  }

  /**
   * Makes one approved change. When the answer to a write that is not safe to repeat is lost, nothing
   * is sent again blindly: the step plans its account again (reads only), which tells what AWS did,
   * and what is still missing of this change is made from there. What the fresh plan shows that a
   * later change will make anyway is left to that change.
   */
  private async applyChange(unit: Unit, change: Change, later: Change[], progress?: (text: string) => void): Promise<void> {
    let todo = [change];
    for (let readBack = 0; ; readBack++) {
      try {
        for (const c of todo) await this.dispatch(unit, c, progress);
        return;
      } catch (err) {
        const lost = lostAnswerIn(err);
        if (!lost || readBack >= READ_BACKS) throw err;
        todo = await this.readBack(unit, change, later, lost);
      }
    }
  }

  /** What is still to do of `change` after a lost answer, from a fresh plan of its step and account. */
  private async readBack(unit: Unit, change: Change, later: Change[], lost: LostAnswerError): Promise<Change[]> {
    let fresh: Change[];
    try {
      fresh = await planUnit(this.opts, unit, { said: this.said });
    } catch (planErr) {
      throw new StepFailedError(unit.step.id, unit.account, 'apply', planErr);
    }
    const queued = new Set(later.filter((c) => c.step === unit.step.id && plannedIn(c).id === unit.account.id).map((c) => c.address));
    const found = fresh.some((c) => c.address === change.address)
      ? 'it was not complete, so the step went on from what AWS holds'
      : 'it had been done';
    this.said.notes.add(`${unit.step.id}: ${lost.message} (${unit.account.name}); read back before sending anything again: ${found}`);
    return fresh.filter((c) => !queued.has(c.address) && (c.address === change.address || !needsOwnApproval(c)));
  }

  /** Hands the change to its step's handler for its operation kind, with what earlier changes learned filled in. */
  private async dispatch(unit: Unit, change: Change, progress?: (text: string) => void): Promise<void> {
    const handler = unit.step.apply[change.operation.kind];
    if (!handler) throw new Error(`${unit.step.id} has no handler for ${change.operation.kind} (${change.address})`);
    const ctx = await contextFor(this.opts, unit, 'apply', { said: this.said, ...(progress ? { progress } : {}) });
    const known = async (value: string) => {
      const learned = memoryOf(this.opts).learned.get(learnedKey(unit.account, value));
      if (learned !== undefined) return learned;
      if (!unit.step.readUnknown) throw new Error(`${unit.step.id} planned ${change.address} without ${value}, and nothing learned it`);
      return unit.step.readUnknown(ctx, value);
    };
    await handler(ctx, change.operation.input as never, await fillUnknowns(change, known));
  }
}

/** The change with each value it was planned without filled in where its placeholder stands. */
export async function fillUnknowns(change: Change, known: (value: string) => Promise<string>): Promise<Change> {
  if (!change.unknown?.length) return change;
  const after = structuredClone(change.after);
  for (const { path, value } of change.unknown) {
    const text = await known(value);
    setAt(after, path, (held) => (typeof held === 'string' ? held.split(placeholder(value)).join(text) : held));
  }
  return { ...change, after };
}

function setAt(root: Json, path: (string | number)[], update: (held: Json) => Json): void {
  let parent = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  parent[last] = update(parent[last] as Json);
}

/** The lost answer behind an error, however the step wrapped it. */
function lostAnswerIn(err: unknown): LostAnswerError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (e instanceof LostAnswerError) return e;
  return undefined;
}

/** How many times one change is read back after lost answers before the run gives up on it. */
const READ_BACKS = 6;
