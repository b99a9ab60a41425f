import type { AwsClients } from '../aws/clients.js';
import type { Caller } from '../aws/session.js';
import type { ObjectSchema, Infer } from '../answers/schema.js';
import type { IoHost } from '../io/host.js';

/** Plain JSON: plans and findings are data, rendered only at the edge. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export type ChangeAction = 'create' | 'update' | 'replace' | 'delete';
export type ChangeRisk = 'none' | 'security' | 'destructive';

export interface AccountRef {
  /** 12-digit AWS account id. */
  id: string;
  /** What a person calls it: `management` or the member's name. */
  name: string;
  role: 'management' | 'member';
  /** Members: the environment (dev, staging, prod); names the account alias `<alias>-<env>`. */
  env?: string;
  /**
   * A member that member-accounts will create in this apply: its id is not known yet, so its
   * baseline is planned as one deferred change per step and worked out once the account exists.
   */
  pending?: boolean;
}

export interface Change {
  step: string;
  account: AccountRef;
  /** A stable name for the resource, e.g. `iam:account-alias`. */
  address: string;
  action: ChangeAction;
  before: Json;
  after: Json;
  risk: ChangeRisk;
  /** One human sentence; renderers add symbols and details. */
  summary: string;
  /** A pending account's baseline: apply plans and makes the real changes once the account exists. */
  deferred?: boolean;
  /**
   * Applying it creates a one-time secret (a console password) that is shown once at a terminal and
   * stored nowhere, so it can only be approved where there is a terminal to show it on.
   */
  revealsSecret?: boolean;
  /** Applying it ends the running session (its own key is deleted): it goes last, and verify is skipped. */
  endsSession?: boolean;
}

export type FindingStatus = 'pass' | 'fail' | 'manual' | 'error';

export interface Finding {
  step: string;
  /**
   * The check that produced it (`password-policy.minimum-length`), one the step declares. Which
   * benchmark controls it evidences is the mapping table's business (`src/controls/mapping.ts`), so
   * a renumbered benchmark changes one table, not the steps.
   */
  check: string;
  account: AccountRef;
  resource: string;
  status: FindingStatus;
  reason: string;
  remediation: string;
}

export interface Check {
  /** `<step>.<what>`, stable: reports, JSON and the mapping table key on it. */
  id: string;
  /** What holds when it passes, in one line. */
  title: string;
}

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
  /** The management account's clients, same phase and rules: what a step uses to reach members from there. */
  managementAws: AwsClients;
  /** Clients acting as this member's root user under an AWS root-task policy (sts:AssumeRoot). */
  rootAws(taskPolicy: 'IAMAuditRootUserCredentials' | 'IAMDeleteRootUserCredentials'): Promise<AwsClients>;
  /**
   * Hands a one-time secret to the person at the terminal after the task list has finished drawing.
   * It is never logged, rendered into results, or written anywhere.
   */
  reveal(label: string, secret: string): void;
  /** A sentence for the person (e.g. "using the existing organization"), shown after progress stops. */
  note(text: string): void;
  /** Waits between polls of an asynchronous AWS operation. */
  sleep(ms: number): Promise<void>;
  /** A live status line for the change being applied (shown under its task; ignored elsewhere). */
  progress(text: string): void;
}

export interface StepDefinition<S extends ObjectSchema = ObjectSchema> {
  id: string;
  title: string;
  /** One sentence a founder understands: what the step ensures and why. */
  description: string;
  /** Every check verify can report; each has a row in the control mapping table. */
  checks: Check[];
  scope: StepScope;
  /** The step's section of the answers file: the single source of truth for prompts, flags and files. */
  answers: S;
  /**
   * The answers key that opts in to a destructive change of this step in non-interactive runs (a
   * function when it depends on the change, e.g. management vs member account). Without it set to
   * true, a destructive change is only ever applied after a typed confirmation.
   */
  destructiveOptIn?: (keyof S['fields'] & string) | ((change: Change) => keyof S['fields'] & string);
  /**
   * For the step that owns member accounts: the members configured in its answers, found by email
   * in the organization (`existing`) or still to be created (`pending`). Read-only.
   */
  discoverAccounts?(ctx: StepContext<Infer<S>>): Promise<{ existing: AccountRef[]; pending: AccountRef[] }>;
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
  suggest?(ctx: StepContext<Partial<Infer<S>>>): Promise<{ defaults?: Record<string, unknown>; facts?: string[] }>;
  plan(ctx: StepContext<Infer<S>>): Promise<Change[]>;
  /**
   * Runs after apply has re-checked the plan and before the first write of the whole run, with every
   * approved change (of all steps). It reads only, and throws to stop the run when the changes would
   * harm the caller, e.g. lock it out.
   */
  preflight?(ctx: StepContext<Infer<S>>, changes: Change[]): Promise<void>;
  apply(ctx: StepContext<Infer<S>>, change: Change): Promise<void>;
  verify(ctx: StepContext<Infer<S>>): Promise<Finding[]>;
}

/** A step with its answer type erased, as the registry and runners hold it. */
export type Step = StepDefinition<ObjectSchema>;

export function defineStep<S extends ObjectSchema>(step: StepDefinition<S>): Step {
  return step as unknown as Step;
}

/** The answers key that opts in to this destructive change, if the step has one. */
export function optInFor(step: Step | undefined, change: Change): string | undefined {
  const optIn = step?.destructiveOptIn;
  return typeof optIn === 'function' ? optIn(change) : optIn;
}
