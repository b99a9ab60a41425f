import type { Answers } from '../answers/answers.js';
import { isReadAction } from '../aws/actions.js';
import { LostAnswerError } from '../aws/retry.js';
import type { AwsClients, ClientScope } from '../aws/clients.js';
import type { AwsSession } from '../aws/session.js';
import type { IoHost } from '../io/host.js';
import { ApplyIncompleteError, InterruptedError, IsolatedFailure, StalePlanError, StepFailedError } from './errors.js';
import { runTasks } from './tasks.js';
import type { AccountRef, Change, Finding, Step, StepContext } from './types.js';

export interface RunOptions {
  host: IoHost;
  session: AwsSession;
  /** The chosen steps, in registry order. */
  steps: readonly Step[];
  answers: Answers;
  /**
   * The step that knows the member accounts (member-accounts), whether or not it was chosen: with
   * `--only account-alias` the alias still belongs in every existing member.
   */
  accountSource?: Step;
  /** Sees every command that leaves, after the guard let it through (tests use it). */
  onSend?: ClientScope['onSend'];
  /** How verify after apply waits out eventual consistency before calling a control failed. */
  settle?: { attempts: number; delayMs: number };
  /** How many accounts plan and verify look at at once. */
  concurrency?: number;
  /** Waits between polls (account creation); tests make it instant. */
  sleep?: (ms: number) => Promise<void>;
  /** Aborted by Ctrl-C: the call in flight finishes, nothing new starts. */
  signal?: AbortSignal;
  /** One-time secrets created during apply, for the command to show once the task list is done. */
  secrets?: { label: string; secret: string }[];
  /** Notes from steps, shown (once each) after the task list that produced them has finished. */
  notes?: Set<string>;
  /** Notes already shown in this run: a plan repeated by apply does not say the same thing twice. */
  shownNotes?: Set<string>;
}

const DEFAULT_CONCURRENCY = 4;

function stopIfInterrupted(opts: RunOptions): void {
  if (!opts.signal?.aborted) return;
  if (opts.signal.reason === 'SIGTERM') {
    throw new InterruptedError('Stopped by SIGTERM. Nothing is half-written: run the same command again to continue.', 'SIGTERM');
  }
  throw new InterruptedError();
}

/** Shows the notes gathered while a task list was drawing. */
function flushNotes(opts: RunOptions): void {
  opts.shownNotes ??= new Set();
  for (const text of opts.notes ?? []) {
    if (!opts.shownNotes.has(text)) opts.host.notify({ code: 'GW_STEP_NOTE', level: 'info', text });
    opts.shownNotes.add(text);
  }
  opts.notes?.clear();
}

type Phase = 'plan' | 'apply' | 'verify';

export interface Unit {
  step: Step;
  account: AccountRef;
}

/** The account the caller's credentials belong to. */
export async function managementAccount(session: AwsSession): Promise<AccountRef> {
  const caller = await session.caller();
  return { id: caller.accountId, name: 'management', role: 'management' };
}

/**
 * Every account of this run: the management account first, then the members the account source
 * finds (existing), then those it will create in this apply (pending, only when it runs).
 */
export async function accountsOf(opts: RunOptions, cache?: Map<string, Promise<unknown>>): Promise<AccountRef[]> {
  const management = await managementAccount(opts.session);
  const source = opts.accountSource;
  const section = source && opts.answers.steps[source.id];
  if (!source?.discoverAccounts || !section) return [management];
  const ctx = await contextFor(opts, { step: source, account: management }, 'plan', undefined, cache);
  const { existing, pending } = await source.discoverAccounts(ctx);
  const creating = opts.steps.includes(source);
  return [management, ...existing, ...(creating ? pending : [])];
}

/** Account-major: all of the management account's steps (member-accounts creates members), then each member's. */
async function units(opts: RunOptions, cache?: Map<string, Promise<unknown>>): Promise<Unit[]> {
  const out: Unit[] = [];
  for (const account of await accountsOf(opts, cache)) {
    for (const step of opts.steps) {
      if (account.role === 'management' || step.scope === 'every-account') out.push({ step, account });
    }
  }
  return out;
}

/** Read actions a step may use; apply also may use its writes (and re-reads, to re-plan and verify). */
function allowedActions(step: Step, phase: Phase): Set<string> {
  return new Set(phase === 'apply' ? [...step.permissions.read, ...step.permissions.apply] : step.permissions.read);
}

/** A step's context for one account and phase; the phase decides what its AWS clients may send. */
export async function contextFor(
  opts: RunOptions,
  unit: Unit,
  phase: Phase,
  progress: (text: string) => void = () => undefined,
  readCache?: Map<string, Promise<unknown>>,
): Promise<StepContext<never>> {
  const answers = opts.answers.steps[unit.step.id];
  const scope = (account: AccountRef): ClientScope => ({
    step: unit.step.id,
    account,
    // The guard, not the step, decides: plan and verify get clients that cannot write.
    mode: phase === 'apply' ? 'write' : 'read',
    allowed: allowedActions(unit.step, phase),
    ...(readCache && phase !== 'apply' ? { readCache } : {}),
    ...(opts.onSend ? { onSend: opts.onSend } : {}),
  });
  const management = opts.session.clientsFor(scope(unit.account.role === 'management' ? unit.account : await managementAccount(opts.session)));
  const aws: AwsClients = unit.account.role === 'management' ? management : await opts.session.memberClientsFor(scope(unit.account));
  return {
    step: unit.step.id,
    account: unit.account,
    answers: (answers || {}) as never,
    host: opts.host,
    caller: await opts.session.caller(),
    region: opts.session.region,
    aws,
    managementAws: management,
    rootAws: (taskPolicy) => opts.session.rootClientsFor(scope(unit.account), taskPolicy),
    reveal: (label, secret) => {
      if (phase !== 'apply') throw new Error(`${unit.step.id} revealed a secret during ${phase}`);
      (opts.secrets ??= []).push({ label, secret });
    },
    note: (text) => {
      (opts.notes ??= new Set()).add(`${unit.step.id}: ${text}`);
    },
    sleep: opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    progress,
  };
}

/** The units grouped per account, in order: accounts are worked on concurrently, steps in order. */
function byAccount(all: Unit[]): Unit[][] {
  const groups = new Map<string, Unit[]>();
  for (const u of all) groups.set(u.account.id, [...(groups.get(u.account.id) ?? []), u]);
  return [...groups.values()];
}

/** A pending account's baseline for one step: worked out by apply once member-accounts made the account. */
function deferredChange(u: Unit): Change {
  return {
    step: u.step.id,
    account: u.account,
    address: `${u.step.id}:baseline`,
    action: 'create',
    before: null,
    after: null,
    risk: 'none',
    deferred: true,
    summary: `${u.step.title} in the new account ${u.account.name}, planned in detail once it exists`,
  };
}

export interface PlanResult {
  changes: Change[];
  failures: StepFailedError[];
}

export async function planAll(opts: RunOptions, label = 'Plan'): Promise<PlanResult> {
  const result: PlanResult = { changes: [], failures: [] };
  // One read of each thing per plan, whichever steps and accounts ask for it.
  const cache = new Map<string, Promise<unknown>>();
  const all = await units(opts, cache);
  const byUnit = new Map<Unit, Change[]>();
  await runTasks(
    opts.host,
    byAccount(all).map((group) => ({
      title: `${label} ${group[0]?.account.name}`,
      run: async () => {
        for (const u of group) {
          if (opts.signal?.aborted) return;
          if (u.account.pending) {
            byUnit.set(u, [deferredChange(u)]);
            continue;
          }
          try {
            byUnit.set(u, await u.step.plan(await contextFor(opts, u, 'plan', undefined, cache)));
          } catch (err) {
            result.failures.push(new StepFailedError(u.step.id, u.account, 'plan', err));
          }
        }
      },
    })),
    // Every account and step is planned even when one fails; the caller reports the failures.
    { stopOnError: false, concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY },
  );
  flushNotes(opts);
  stopIfInterrupted(opts);
  // Account, then registry order, whatever order the tasks finished in.
  for (const u of all) result.changes.push(...(byUnit.get(u) ?? []));
  return result;
}

/** Canonical text of a plan, to tell whether the account changed since the plan was approved. */
const fingerprint = (changes: Change[]) => JSON.stringify(changes);

/**
 * Applies an approved plan (or the approved part of the plan that was shown). It plans again first and
 * refuses to go on if the account no longer matches what was shown; then it makes each approved change
 * in order and stops at the first failure.
 */
export async function applyPlan(opts: RunOptions, approved: Change[], shown: Change[] = approved): Promise<Change[]> {
  const fresh = await planAll(opts, 'Re-check');
  if (fresh.failures.length) throw fresh.failures[0];
  if (fingerprint(fresh.changes) !== fingerprint(shown)) {
    throw new StalePlanError(
      'The account changed after the plan was shown, so the approved plan is stale and nothing was applied. Run again to see the current plan.',
    );
  }
  const all = await units(opts);
  // Read-only checks that may veto the whole run (lock-out guards) before anything is written.
  for (const u of all) {
    if (!u.step.preflight || u.account.pending) continue;
    try {
      await u.step.preflight(await contextFor(opts, u, 'plan'), approved);
    } catch (err) {
      throw new StepFailedError(u.step.id, u.account, 'apply', err);
    }
  }
  const done: Change[] = [];
  const isolated: StepFailedError[] = [];
  // A change that ends the session (deleting the key it signs with) must be the very last write.
  const ordered = [...approved.filter((c) => !c.endsSession), ...approved.filter((c) => c.endsSession)];
  await runTasks(
    opts.host,
    ordered.map((change) => {
      const unit = all.find((u) => u.step.id === change.step && u.account.id === change.account.id);
      if (!unit) throw new Error(`no step ${change.step} for account ${change.account.id} in this run`);
      return {
        title: `${change.account.role === 'member' ? `${change.account.name}: ` : ''}${change.step}: ${change.summary}`,
        run: async (progress) => {
          // Between changes, never inside one: each write either happened or was not started.
          stopIfInterrupted(opts);
          try {
            if (change.deferred) await applyDeferred(opts, unit);
            else await applyChange(opts, unit, change, () => ordered.slice(ordered.indexOf(change) + 1), progress);
            done.push(change);
          } catch (err) {
            if (err instanceof InterruptedError) throw err;
            const failure = err instanceof StepFailedError ? err : new StepFailedError(change.step, change.account, 'apply', err);
            // Only this change is affected: go on with the others and report it at the end.
            if (failure.cause instanceof IsolatedFailure) isolated.push(failure);
            else throw failure;
          }
        },
      };
    }),
    { stopOnError: true },
  ).finally(() => flushNotes(opts));
  if (isolated.length) throw new ApplyIncompleteError(isolated);
  return done;
}

/**
 * A new account's baseline, approved as part of the plan: the account now exists, so the step plans
 * it for real and makes those changes. Changes that always need their own approval (destructive ones,
 * one-time secrets) are left for the next run, which shows them.
 */
async function applyDeferred(opts: RunOptions, unit: Unit): Promise<void> {
  const account = (await accountsOf(opts)).find((a) => a.name === unit.account.name && !a.pending);
  if (!account) throw new IsolatedFailure(`the account ${unit.account.name} was not created, so its baseline waits for the next run`);
  const real: Unit = { step: unit.step, account };
  let changes: Change[];
  try {
    changes = await real.step.plan(await contextFor(opts, real, 'plan'));
  } catch (err) {
    throw new StepFailedError(real.step.id, account, 'plan', err);
  }
  const approved = changes.filter((change) => {
    if (!needsOwnApproval(change)) return true;
    (opts.notes ??= new Set()).add(`${real.step.id}: left for the next run, which asks first: ${change.summary} (${account.name})`);
    return false;
  });
  for (const [i, change] of approved.entries()) {
    stopIfInterrupted(opts);
    try {
      await applyChange(opts, real, change, () => approved.slice(i + 1));
    } catch (err) {
      throw new StepFailedError(real.step.id, account, 'apply', err);
    }
  }
}

/** Destructive changes and one-time secrets are only ever made after their own approval. */
const needsOwnApproval = (c: Change) => c.risk === 'destructive' || Boolean(c.revealsSecret);

/** The lost answer behind an error, however the step wrapped it. */
function lostAnswerIn(err: unknown): LostAnswerError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (e instanceof LostAnswerError) return e;
  return undefined;
}

/** How many times one change is read back after lost answers before the run gives up on it. */
const READ_BACKS = 6;

/**
 * Makes one approved change. When the answer to a write that is not safe to repeat is lost, nothing
 * is sent again blindly: the step plans its account again (reads only), which tells what AWS did,
 * and what is still missing of this change is made from there. What the fresh plan shows that a
 * later change will make anyway is left to that change.
 */
async function applyChange(
  opts: RunOptions,
  unit: Unit,
  change: Change,
  later: () => Change[],
  progress?: (text: string) => void,
): Promise<void> {
  let todo = [change];
  for (let readBack = 0; ; readBack++) {
    try {
      for (const c of todo) await unit.step.apply(await contextFor(opts, unit, 'apply', progress), c);
      return;
    } catch (err) {
      const lost = lostAnswerIn(err);
      if (!lost || readBack >= READ_BACKS) throw err;
      let fresh: Change[];
      try {
        fresh = await unit.step.plan(await contextFor(opts, unit, 'plan'));
      } catch (planErr) {
        throw new StepFailedError(unit.step.id, unit.account, 'apply', planErr);
      }
      const queued = new Set(later().filter((c) => c.step === unit.step.id && c.account.id === unit.account.id).map((c) => c.address));
      todo = fresh.filter((c) => !queued.has(c.address) && (c.address === change.address || !needsOwnApproval(c)));
      const found = fresh.some((c) => c.address === change.address) ? 'it was not complete, so the step went on from what AWS holds' : 'it had been done';
      (opts.notes ??= new Set()).add(`${unit.step.id}: ${lost.message} (${unit.account.name}); read back before sending anything again: ${found}`);
    }
  }
}

export async function verifyAll(opts: RunOptions): Promise<Finding[]> {
  const cache = new Map<string, Promise<unknown>>();
  const all = (await units(opts, cache)).filter((u) => !u.account.pending);
  const byUnit = new Map<Unit, Finding[]>();
  const settle = opts.settle ?? { attempts: 1, delayMs: 0 };
  await runTasks(
    opts.host,
    byAccount(all).map((group) => ({
      title: `Verify ${group[0]?.account.name}`,
      run: async () => {
        for (const u of group) {
          if (opts.signal?.aborted) return;
          byUnit.set(u, await verifyUnit(opts, u, settle, cache));
        }
      },
    })),
    { stopOnError: false, concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY },
  );
  flushNotes(opts);
  stopIfInterrupted(opts);
  return all.flatMap((u) => byUnit.get(u) ?? []);
}

/**
 * Right after a write, IAM and friends may still answer with the old state: a failing control is read
 * again a few times before it counts, so a fresh apply never reports a false failure.
 */
async function verifyUnit(
  opts: RunOptions,
  u: Unit,
  settle: { attempts: number; delayMs: number },
  cache: Map<string, Promise<unknown>>,
): Promise<Finding[]> {
  let findings: Finding[] = [];
  for (let attempt = 1; attempt <= Math.max(1, settle.attempts); attempt++) {
    try {
      // A second look must really look again: no shared reads after the first attempt.
      findings = await u.step.verify(await contextFor(opts, u, 'verify', undefined, attempt === 1 ? cache : undefined));
    } catch (err) {
      const failure = new StepFailedError(u.step.id, u.account, 'verify', err);
      // Every check of the step stays in the report, as not evaluated: evidence must not lose a
      // control silently because the step could not read it.
      findings = u.step.checks.map((c) => ({
        step: u.step.id,
        check: c.id,
        account: u.account,
        resource: u.step.id,
        status: 'error' as const,
        reason: failure.message,
        remediation: 'Fix what the reason names (a permission, a network error), then run `aws-groundwork verify` again.',
      }));
    }
    if (!findings.some((f) => f.status === 'fail' || f.status === 'error')) break;
    if (attempt < settle.attempts) await new Promise((r) => setTimeout(r, settle.delayMs * attempt));
  }
  return findings;
}

/** The IAM actions the chosen steps need for a phase, for `aws-groundwork permissions`. */
export function requiredActions(steps: readonly Step[], phase: 'read' | 'apply'): string[] {
  const actions = new Set<string>();
  for (const step of steps) {
    for (const a of step.permissions.read) actions.add(a);
    // Implied actions that only read (sts:AssumeRole into members) are needed by plan and verify too.
    for (const a of step.permissions.implied ?? []) if (phase === 'apply' || isReadAction(a)) actions.add(a);
    if (phase === 'apply') for (const a of step.permissions.apply) actions.add(a);
  }
  // Every run asks who the caller is; AWS allows sts:GetCallerIdentity without a permission.
  return [...actions].sort((a, b) => a.localeCompare(b));
}
