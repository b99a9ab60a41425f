import type { ObjectSchema, Infer } from '../answers/schema.js';
import type { AwsClients } from '../aws/clients.js';
import type { IoHost } from '../io/host.js';
import type { AccountRef, Caller, Change, Check, Finding, Operation } from '../model.js';

/** The operation of a change planned in detail only once an account this apply creates exists. */
export const DEFERRED = 'deferred-baseline';

export type StepScope = 'management' | 'every-account';

export interface StepContext<A> {
  step: string;
  account: AccountRef;
  /** This step's answers, validated and with defaults filled in. */
  answers: A;
  /** Clients for this account, scoped to this step: undeclared actions and (in plan/verify) writes are refused. */
  aws: AwsClients;
  host: IoHost;
  /** Who runs this, asked once per run: steps use it not to lock the caller out. */
  caller: Caller;
  /** The home region: where the trail, its buckets and its key live. */
  region: string;
  /**
   * Whether another step is part of this run (chosen, and configured in the answers): a step that
   * needs what that step makes plans on it only when it runs, and otherwise stops the plan saying so.
   */
  inRun(stepId: string): boolean;
  /**
   * Another step's answers as the file gives them (validated, defaults filled), whether or not that
   * step is in this run; undefined when the file leaves it out. For names one step makes and another
   * protects (the trail's buckets, which the guardrails keep out of reach).
   */
  answersOf(stepId: string): Readonly<Record<string, unknown>> | undefined;
  /** The management account's clients, same phase and rules: what a step uses to reach members from there. */
  managementAws: AwsClients;
  /**
   * The run's accounts as member-accounts configures them: the management account, the members that
   * exist, and those it has still to create (`pending`, even when it is not part of this run). Read
   * once per plan or verify; in apply, read again, so an account made earlier in the run is there.
   */
  accounts(): Promise<AccountRef[]>;
  /**
   * Clients in another account of the organization (through its admin role), for this step, with the
   * same phase and rules as `aws`: what a management step uses for resources it keeps in a member.
   * In `region` when given (threat-detection's regional GuardDuty in every account), else the home region.
   */
  clientsIn(account: AccountRef, region?: string): Promise<AwsClients>;
  /**
   * This account's clients in another region, same step, phase and rules as `aws`: for a regional
   * service a step uses where the person chose, not where the home region is (IAM Identity Center).
   */
  inRegion(region: string): Promise<AwsClients>;
  /** Clients acting as this member's root user under an AWS root-task policy (sts:AssumeRoot). */
  rootAws(taskPolicy: 'IAMAuditRootUserCredentials' | 'IAMDeleteRootUserCredentials'): Promise<AwsClients>;
  /**
   * Hands a one-time secret to the person at the terminal after the task list has finished drawing.
   * It is never logged, rendered into results, or written anywhere.
   */
  reveal(label: string, secret: string): void;
  /** A sentence for the person (e.g. "using the existing organization"), shown after progress stops. */
  note(text: string): void;
  /** Apply: a value this change made that later changes of the run were planned without (see `Unknown`). */
  learn(value: string, known: string): void;
  /** Waits between polls of an asynchronous AWS operation. */
  sleep(ms: number): Promise<void>;
  /** A live status line for the change being applied (shown under its task; ignored elsewhere). */
  progress(text: string): void;
  /**
   * One value per run of this step, made by the first caller with `make` and handed to every later
   * caller with the same key (an apply starts afresh): what changes made side by side share, such as
   * one poll loop for all the accounts being created.
   */
  shared<T>(key: string, make: () => T): T;
}

/**
 * A change as a step plans it: the runner adds the step and the account it planned, or `in`, the
 * account the resource lives in when that is another one (then the change is made `from` the step's).
 */
export type PlannedChange<Ops = Record<string, unknown>> = Omit<Change, 'step' | 'account' | 'operation' | 'from'> & {
  operation: { [K in keyof Ops & string]: Operation<K, Ops[K]> }[keyof Ops & string] | Operation<typeof DEFERRED, null>;
  in?: AccountRef;
};

/** A finding as a step reports it: the runner adds the step and the account it verified, or `in`, where the resource is. */
export type PlannedFinding = Omit<Finding, 'step' | 'account'> & { in?: AccountRef };

/** One handler per operation kind: what apply does for a change of that kind. */
export type Handlers<A, Ops> = { [K in keyof Ops]: (ctx: StepContext<A>, input: Ops[K], change: Change) => Promise<void> };

/**
 * What a step reads of the live account for its answers. `defaults` is its answers section as the
 * account stands, except where the live value is weaker than the step's control allows: there it
 * holds the value the control requires (so a plan with it makes exactly that fix), and `notes` says
 * what the live value is. An answer the account does not show (an opt-in, a secret) is left out.
 */
export interface Suggestion {
  defaults?: Record<string, unknown>;
  facts?: string[];
  /** By answer key of the section (`''`: the section as a whole): what is live, where it differs from `defaults`. */
  notes?: Record<string, string[]>;
}

export interface StepDefinition<S extends ObjectSchema, Ops> {
  id: string;
  title: string;
  /** One sentence a founder understands: what the step ensures and why. */
  description: string;
  /** Every check verify can report, with its title and usual remediation; each has a row in the control mapping table. */
  checks: Check[];
  scope: StepScope;
  /** The step's section of the answers file: the single source of truth for prompts, flags and files. */
  answers: S;
  /**
   * The answers key that opts in to a destructive change of this step in non-interactive runs (a
   * function when it depends on the change, e.g. management vs member account). Without it set to
   * true, a destructive change is only ever applied after a typed confirmation.
   */
  destructiveOptIn?: (keyof S['fields'] & string) | ((change: Change) => (keyof S['fields'] & string) | (keyof S['fields'] & string)[]);
  /**
   * For the step that owns member accounts: the members configured in its answers, found by email
   * in the organization (`existing`) or still to be created (`pending`). Read-only.
   */
  discoverAccounts?: (ctx: StepContext<Infer<S>>) => Promise<{ existing: AccountRef[]; pending: AccountRef[] }>;
  /**
   * IAM actions (`service:Action`) this step sends in plan/verify (`read`) and additionally in apply
   * (`apply`), and the actions AWS checks on the caller for those calls without the step sending them
   * (`implied`, e.g. iam:CreateServiceLinkedRole behind organizations:CreateOrganization).
   */
  permissions: { read: string[]; apply: string[]; implied?: string[] };
  /**
   * Before the wizard's questions (management account, read-only): defaults read from the live account
   * (the current alias, contact) and facts for the start screen. Its context has no answers yet.
   */
  suggest?: (ctx: StepContext<Partial<Infer<S>>>) => Promise<Suggestion>;
  plan: (ctx: StepContext<Infer<S>>) => Promise<PlannedChange<Ops>[]>;
  /**
   * Runs after apply has re-checked the plan and before the first write of the whole run, with every
   * approved change (of all steps). It reads only, and throws to stop the run when the changes would
   * harm the caller, e.g. lock it out.
   */
  preflight?: (ctx: StepContext<Infer<S>>, changes: Change[]) => Promise<void>;
  apply: Handlers<Infer<S>, Ops>;
  /**
   * Operation kinds whose changes apply may make side by side, with how many at once: consecutive
   * approved changes of one such kind, step and account run as one group (account creation, which
   * takes minutes per account). Every other change is made alone, in plan order.
   */
  concurrent?: Partial<Record<keyof Ops & string, number>>;
  /**
   * Reads a value a change was planned without (`Unknown`) when no change of this run learned it:
   * after a lost answer or an interrupted run, the thing that has it may already exist.
   */
  readUnknown?: (ctx: StepContext<Infer<S>>, value: string) => Promise<string>;
  verify: (ctx: StepContext<Infer<S>>) => Promise<PlannedFinding[]>;
  /**
   * What the person needs next from what the step set up (Identity Center's portal and a
   * `~/.aws/config` block), read-only like verify: shown at the end of an apply that changed something
   * of the step, and by `aws-groundwork <command>`, which prints the `body` alone on stdout (to append
   * to a file) and the `intro` on stderr. Null when there is nothing to hand over yet.
   */
  handoff?: { command: string; read: (ctx: StepContext<Infer<S>>) => Promise<Handoff | null> };
}

/**
 * A step with its answers and operations erased, as the registry and the runner hold it. Every
 * function of a typed step is assignable to it (its parameters take `never`), so `defineStep` needs
 * no cast, and the runner can only hand a step what it planned.
 */
export type Step = Omit<
  StepDefinition<ObjectSchema, Record<string, never>>,
  'plan' | 'apply' | 'discoverAccounts' | 'suggest' | 'preflight' | 'readUnknown' | 'verify' | 'destructiveOptIn' | 'handoff'
> & {
  plan: (ctx: StepContext<never>) => Promise<PlannedChange<Record<string, unknown>>[]>;
  apply: Record<string, (ctx: StepContext<never>, input: never, change: Change) => Promise<void>>;
  discoverAccounts?: (ctx: StepContext<never>) => Promise<{ existing: AccountRef[]; pending: AccountRef[] }>;
  suggest?: (ctx: StepContext<never>) => Promise<Suggestion>;
  preflight?: (ctx: StepContext<never>, changes: Change[]) => Promise<void>;
  readUnknown?: (ctx: StepContext<never>, value: string) => Promise<string>;
  verify: (ctx: StepContext<never>) => Promise<PlannedFinding[]>;
  destructiveOptIn?: string | ((change: Change) => string | string[]);
  handoff?: { command: string; read: (ctx: StepContext<never>) => Promise<Handoff | null> };
};

/** What a step hands over to the person: a few sentences, and the text to keep (a config block). */
export interface Handoff {
  intro: string;
  body: string;
}

/**
 * A step, checked strictly: its answers type is inferred from its answers schema, every planned
 * change names one of its operation kinds with that kind's input, and apply has one handler per kind.
 */
export function defineStep<S extends ObjectSchema, Ops extends Record<string, unknown>>(step: StepDefinition<S, Ops>): Step {
  return step;
}

/** The answers keys that, all set, opt in to this destructive change; none when the step has no opt-in. */
export function optInFor(step: Step | undefined, change: Change): string[] {
  const optIn = step?.destructiveOptIn;
  return ([] as string[]).concat((typeof optIn === 'function' ? optIn(change) : optIn) ?? []);
}
