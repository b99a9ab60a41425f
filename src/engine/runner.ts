import type { Answers } from '../answers/answers.js';
import type { ClientScope } from '../aws/clients.js';
import type { AwsSession } from '../aws/session.js';
import type { IoHost } from '../io/host.js';
import { StalePlanError, StepFailedError } from './errors.js';
import { runTasks } from './tasks.js';
import type { AccountRef, Change, Finding, Step, StepContext } from './types.js';

export interface RunOptions {
  host: IoHost;
  session: AwsSession;
  /** The chosen steps, in registry order. */
  steps: readonly Step[];
  answers: Answers;
  /** Sees every command that leaves, after the guard let it through (tests use it). */
  onSend?: ClientScope['onSend'];
  /** How verify after apply waits out eventual consistency before calling a control failed. */
  settle?: { attempts: number; delayMs: number };
  /** One-time secrets created during apply, for the command to show once the task list is done. */
  secrets?: { label: string; secret: string }[];
  /** Notes from steps, shown (once each) after the task list that produced them has finished. */
  notes?: Set<string>;
  /** Notes already shown in this run: a plan repeated by apply does not say the same thing twice. */
  shownNotes?: Set<string>;
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

/** The account the caller's credentials belong to. Member accounts come with the member-accounts step. */
export async function managementAccount(session: AwsSession): Promise<AccountRef> {
  const caller = await session.caller();
  return { id: caller.accountId, name: 'management', role: 'management' };
}

async function units(opts: RunOptions): Promise<Unit[]> {
  const management = await managementAccount(opts.session);
  return opts.steps.map((step) => ({ step, account: management }));
}

/** Read actions a step may use; apply also may use its writes (and re-reads, to re-plan and verify). */
function allowedActions(step: Step, phase: Phase): Set<string> {
  return new Set(phase === 'apply' ? [...step.permissions.read, ...step.permissions.apply] : step.permissions.read);
}

/** A step's context for one account and phase; the phase decides what its AWS clients may send. */
export async function contextFor(opts: RunOptions, unit: Unit, phase: Phase): Promise<StepContext<never>> {
  const answers = opts.answers.steps[unit.step.id];
  return {
    step: unit.step.id,
    account: unit.account,
    answers: (answers || {}) as never,
    host: opts.host,
    caller: await opts.session.caller(),
    region: opts.session.region,
    reveal: (label, secret) => {
      if (phase !== 'apply') throw new Error(`${unit.step.id} revealed a secret during ${phase}`);
      (opts.secrets ??= []).push({ label, secret });
    },
    note: (text) => {
      (opts.notes ??= new Set()).add(`${unit.step.id}: ${text}`);
    },
    aws: opts.session.clientsFor({
      step: unit.step.id,
      account: unit.account,
      // The guard, not the step, decides: plan and verify get clients that cannot write.
      mode: phase === 'apply' ? 'write' : 'read',
      allowed: allowedActions(unit.step, phase),
      ...(opts.onSend ? { onSend: opts.onSend } : {}),
    }),
  };
}

export interface PlanResult {
  changes: Change[];
  failures: StepFailedError[];
}

export async function planAll(opts: RunOptions, label = 'Plan'): Promise<PlanResult> {
  const result: PlanResult = { changes: [], failures: [] };
  const all = await units(opts);
  const byUnit = new Map<Unit, Change[]>();
  await runTasks(
    opts.host,
    all.map((u) => ({
      title: `${label} ${u.step.id} in ${u.account.name}`,
      run: async () => {
        try {
          byUnit.set(u, await u.step.plan(await contextFor(opts, u, 'plan')));
        } catch (err) {
          const failure = new StepFailedError(u.step.id, u.account, 'plan', err);
          result.failures.push(failure);
          throw failure;
        }
      },
    })),
    // Every step is planned even when one fails; failures are recorded above for the caller to report.
    { stopOnError: false },
  );
  flushNotes(opts);
  // Registry order, whatever order the tasks finished in.
  for (const u of all) result.changes.push(...(byUnit.get(u) ?? []));
  return result;
}

/** Canonical text of a plan, to tell whether the account changed since the plan was approved. */
const fingerprint = (changes: Change[]) => JSON.stringify(changes);

/**
 * Applies an approved plan. It plans again first and refuses to go on if the account no longer matches
 * what was approved; then it makes each change in order and stops at the first failure.
 */
export async function applyPlan(opts: RunOptions, approved: Change[]): Promise<Change[]> {
  const fresh = await planAll(opts, 'Re-check');
  if (fresh.failures.length) throw fresh.failures[0];
  if (fingerprint(fresh.changes) !== fingerprint(approved)) {
    throw new StalePlanError(
      'The account changed after the plan was shown, so the approved plan is stale and nothing was applied. Run again to see the current plan.',
    );
  }
  const all = await units(opts);
  // Read-only checks that may veto the whole run (lock-out guards) before anything is written.
  for (const u of all) {
    if (!u.step.preflight) continue;
    try {
      await u.step.preflight(await contextFor(opts, u, 'plan'), approved);
    } catch (err) {
      throw new StepFailedError(u.step.id, u.account, 'apply', err);
    }
  }
  const done: Change[] = [];
  // A change that ends the session (deleting the key it signs with) must be the very last write.
  const ordered = [...approved.filter((c) => !c.endsSession), ...approved.filter((c) => c.endsSession)];
  await runTasks(
    opts.host,
    ordered.map((change) => {
      const unit = all.find((u) => u.step.id === change.step && u.account.id === change.account.id);
      if (!unit) throw new Error(`no step ${change.step} for account ${change.account.id} in this run`);
      return {
        title: `${change.step}: ${change.summary}`,
        run: async () => {
          try {
            await unit.step.apply(await contextFor(opts, unit, 'apply'), change);
            done.push(change);
          } catch (err) {
            throw new StepFailedError(change.step, change.account, 'apply', err);
          }
        },
      };
    }),
    { stopOnError: true },
  ).finally(() => flushNotes(opts));
  return done;
}

export async function verifyAll(opts: RunOptions): Promise<Finding[]> {
  const all = await units(opts);
  const byUnit = new Map<Unit, Finding[]>();
  const settle = opts.settle ?? { attempts: 1, delayMs: 0 };
  await runTasks(
    opts.host,
    all.map((u) => ({
      title: `Verify ${u.step.id} in ${u.account.name}`,
      run: async () => {
        byUnit.set(u, await verifyUnit(opts, u, settle));
      },
    })),
    { stopOnError: false },
  );
  flushNotes(opts);
  return all.flatMap((u) => byUnit.get(u) ?? []);
}

/**
 * Right after a write, IAM and friends may still answer with the old state: a failing control is read
 * again a few times before it counts, so a fresh apply never reports a false failure.
 */
async function verifyUnit(opts: RunOptions, u: Unit, settle: { attempts: number; delayMs: number }): Promise<Finding[]> {
  let findings: Finding[] = [];
  for (let attempt = 1; attempt <= Math.max(1, settle.attempts); attempt++) {
    try {
      findings = await u.step.verify(await contextFor(opts, u, 'verify'));
    } catch (err) {
      const failure = new StepFailedError(u.step.id, u.account, 'verify', err);
      findings = [
        {
          step: u.step.id,
          control: u.step.controls.map((c) => c.id).join(', '),
          account: u.account,
          resource: u.step.id,
          status: 'error',
          reason: failure.message,
          remediation: 'Fix the error above and run `aws-groundwork verify` again.',
        },
      ];
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
    if (phase === 'apply') for (const a of [...step.permissions.apply, ...(step.permissions.implied ?? [])]) actions.add(a);
  }
  // Every run asks who the caller is; AWS allows sts:GetCallerIdentity without a permission.
  return [...actions].sort((a, b) => a.localeCompare(b));
}
