import type { Answers } from '../answers/answers.js';
import type { AwsClients, ClientScope } from '../aws/clients.js';
import type { AwsSession } from '../aws/session.js';
import { InterruptedError } from '../errors.js';
import type { IoHost } from '../io/host.js';
import type { PlannedChange, PlannedFinding, Step, StepContext } from '../kit/step.js';
import type { AccountRef, Change, Finding } from '../model.js';

/** What a run is given. The runner never writes into it: what a phase produces comes back as its result. */
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
}

export type Phase = 'plan' | 'apply' | 'verify';

export interface Unit {
  step: Step;
  account: AccountRef;
}

export interface Secret {
  label: string;
  secret: string;
}

/** What the steps of one phase said: notes for the person, and (apply only) one-time secrets. */
export interface Said {
  notes: Set<string>;
  secrets: Secret[];
}

export const nothingSaid = (): Said => ({ notes: new Set(), secrets: [] });

/** What units said apart, as one, in the units' order (units run side by side finish in any order). */
export function inOrder(units: Unit[], saidBy: Map<Unit, Said>): Said {
  const all = nothingSaid();
  for (const u of units) {
    const said = saidBy.get(u);
    for (const note of said?.notes ?? []) all.notes.add(note);
    all.secrets.push(...(said?.secrets ?? []));
  }
  return all;
}

/**
 * What one run remembers between its phases, kept beside its options rather than in them: the notes
 * already shown (a plan repeated by apply does not say the same thing twice) and the values changes
 * learned (`Unknown`), by account.
 */
interface RunMemory {
  shownNotes: Set<string>;
  learned: Map<string, string>;
  /** What steps share through `ctx.shared`, by step and key; emptied when an apply starts. */
  shared: Map<string, unknown>;
}
const memories = new WeakMap<RunOptions, RunMemory>();

export function memoryOf(opts: RunOptions): RunMemory {
  let memory = memories.get(opts);
  if (!memory) memories.set(opts, (memory = { shownNotes: new Set(), learned: new Map(), shared: new Map() }));
  return memory;
}

export const learnedKey = (account: AccountRef, value: string) => `${account.id}:${value}`;

export function stopIfInterrupted(opts: RunOptions): void {
  if (!opts.signal?.aborted) return;
  if (opts.signal.reason === 'SIGTERM') {
    throw new InterruptedError('Stopped by SIGTERM. Nothing is half-written: run the same command again to continue.', 'SIGTERM');
  }
  throw new InterruptedError();
}

/** Shows the notes gathered while a task list was drawing, each once per run; returns them all. */
export function showNotes(opts: RunOptions, said: Said): string[] {
  const shown = memoryOf(opts).shownNotes;
  for (const text of said.notes) {
    if (!shown.has(text)) opts.host.notify({ code: 'GW_STEP_NOTE', level: 'info', text });
    shown.add(text);
  }
  return [...said.notes];
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
  const creating = opts.accountSource !== undefined && opts.steps.includes(opts.accountSource);
  return (await configuredAccounts(opts, cache)).filter((a) => creating || !a.pending);
}

/** Every account the answers configure, pending ones included whether or not they are made in this run. */
async function configuredAccounts(opts: RunOptions, cache?: Map<string, Promise<unknown>>): Promise<AccountRef[]> {
  const management = await managementAccount(opts.session);
  const source = opts.accountSource;
  const section = source && opts.answers.steps[source.id];
  if (!source?.discoverAccounts || !section) return [management];
  const ctx = await contextFor(opts, { step: source, account: management }, 'plan', { ...(cache ? { readCache: cache } : {}) });
  const { existing, pending } = await source.discoverAccounts(ctx);
  return [management, ...existing, ...pending];
}

/** Account-major: all of the management account's steps (member-accounts creates members), then each member's. */
export function unitsOf(opts: RunOptions, accounts: AccountRef[]): Unit[] {
  return accounts.flatMap((account) =>
    opts.steps.filter((step) => account.role === 'management' || step.scope === 'every-account').map((step) => ({ step, account })),
  );
}

/** The units grouped per account, in order: accounts are worked on concurrently, steps in order. */
export function byAccount(all: Unit[]): Unit[][] {
  const groups = new Map<string, Unit[]>();
  for (const u of all) groups.set(u.account.id, [...(groups.get(u.account.id) ?? []), u]);
  return [...groups.values()];
}

/** Read actions a step may use; apply also may use its writes (and re-reads, to re-plan and verify). */
function allowedActions(step: Step, phase: Phase): Set<string> {
  return new Set(phase === 'apply' ? [...step.permissions.read, ...step.permissions.apply] : step.permissions.read);
}

export interface ContextExtras {
  progress?: (text: string) => void;
  /** One read of each thing per plan or verify, whichever steps and accounts ask for it. */
  readCache?: Map<string, Promise<unknown>>;
  /** Where the step's notes and secrets go; dropped when nobody asks. */
  said?: Said;
}

/** A step's context for one account and phase; the phase decides what its AWS clients may send. */
export async function contextFor(opts: RunOptions, unit: Unit, phase: Phase, extras: ContextExtras = {}): Promise<StepContext<never>> {
  const scope = (account: AccountRef): ClientScope => ({
    step: unit.step.id,
    account,
    // The guard, not the step, decides: plan and verify get clients that cannot write.
    mode: phase === 'apply' ? 'write' : 'read',
    allowed: allowedActions(unit.step, phase),
    ...(extras.readCache && phase !== 'apply' ? { readCache: extras.readCache } : {}),
    ...(opts.onSend ? { onSend: opts.onSend } : {}),
  });
  const managementRef = unit.account.role === 'management' ? unit.account : await managementAccount(opts.session);
  const management = opts.session.clientsFor(scope(managementRef));
  const aws: AwsClients = unit.account.role === 'management' ? management : await opts.session.memberClientsFor(scope(unit.account));
  const said = extras.said ?? nothingSaid();
  return {
    step: unit.step.id,
    account: unit.account,
    answers: (opts.answers.steps[unit.step.id] || {}) as never,
    host: opts.host,
    caller: await opts.session.caller(),
    region: opts.session.region,
    aws,
    managementAws: management,
    // In apply there is no cache: an account member-accounts made a moment ago must be seen.
    accounts: () => configuredAccounts(opts, phase === 'apply' ? undefined : extras.readCache),
    inRegion: async (region) =>
      unit.account.role === 'management'
        ? opts.session.clientsFor(scope(unit.account), region)
        : opts.session.memberClientsFor(scope(unit.account), region),
    clientsIn: async (account, region) => {
      if (account.id !== managementRef.id) return opts.session.memberClientsFor(scope(account), region);
      return region ? opts.session.clientsFor(scope(managementRef), region) : management;
    },
    inRun: (stepId) => opts.steps.some((s) => s.id === stepId),
    answersOf: (stepId) => opts.answers.steps[stepId] || undefined,
    rootAws: (taskPolicy) => opts.session.rootClientsFor(scope(unit.account), taskPolicy),
    reveal: (label, secret) => {
      if (phase !== 'apply') throw new Error(`${unit.step.id} revealed a secret during ${phase}`);
      said.secrets.push({ label, secret });
    },
    note: (text) => void said.notes.add(`${unit.step.id}: ${text}`),
    learn: (value, known) => {
      if (phase !== 'apply') throw new Error(`${unit.step.id} learned ${value} during ${phase}`);
      memoryOf(opts).learned.set(learnedKey(unit.account, value), known);
    },
    sleep: opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    progress: extras.progress ?? (() => undefined),
    shared: <T>(key: string, make: () => T): T => {
      const all = memoryOf(opts).shared;
      const at = `${unit.step.id}:${key}`;
      if (!all.has(at)) all.set(at, make());
      return all.get(at) as T;
    },
  };
}

/** A step's planned change, completed with the step and account it was planned for. */
export function completeChange(u: Unit, { in: where, ...planned }: PlannedChange): Change {
  const elsewhere = where && where.id !== u.account.id;
  return { step: u.step.id, account: elsewhere ? where : u.account, ...(elsewhere ? { from: u.account } : {}), ...planned } as Change;
}

/** A step's finding, completed with the step and the account it was verified in, or the one the resource is in. */
export const completeFinding = (u: Unit, { in: where, ...planned }: PlannedFinding): Finding => ({
  step: u.step.id,
  account: where ?? u.account,
  ...planned,
});

/** The account whose step makes the change: where it was planned. */
export const plannedIn = (change: Change): AccountRef => change.from ?? change.account;

/** Plans one unit: the step's changes, completed. */
export async function planUnit(opts: RunOptions, u: Unit, extras: ContextExtras = {}): Promise<Change[]> {
  const planned = await u.step.plan(await contextFor(opts, u, 'plan', extras));
  return planned.map((p) => completeChange(u, p));
}
