/**
 * The data every part of the tool passes around: plans, findings, accounts, the caller, and how to
 * read an AWS error. A leaf on purpose: it imports nothing of ours, so the engine, the AWS layer, the
 * renderers and the steps can all depend on it without depending on each other (a dependency-cruiser
 * rule in CI keeps it so).
 */

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
  /**
   * A member with a job in the organization rather than an environment: `log-archive` holds the
   * organization trail's logs, `security-tooling` the security services' administration.
   */
  purpose?: AccountPurpose;
}

export type AccountPurpose = 'log-archive' | 'security-tooling';

/** Who runs this, asked once per run: steps use it not to lock the caller out. */
export interface Caller {
  accountId: string;
  arn: string;
  /** `aws`, `aws-cn` or `aws-us-gov`: the first part of every ARN this run writes. */
  partition: string;
  /** The caller is the account's root user (e.g. AWS CloudShell opened as root). */
  isRoot: boolean;
  /** The IAM user name when the caller is an IAM user (not a role, not root). */
  userName?: string;
  /** The access key id the session signs with; a root key in this list must be deleted last. */
  accessKeyId: string;
  /**
   * Temporary credentials (a session token): the only kind that can carry MFA. Long-term access keys
   * never do, so a policy that requires MFA denies them everything.
   */
  temporaryCredentials: boolean;
}

/**
 * What apply does for a change: the step's handler for `kind`, given `input`. Plain JSON, like the
 * rest of the change, so a plan can be compared with a fresh one and printed whole.
 */
export interface Operation<K extends string = string, I = unknown> {
  kind: K;
  input: I;
}

/**
 * A value a fresh plan cannot know yet because an earlier change of the same apply makes it (the
 * trail key's ARN, the organization id): Terraform's `after_unknown`. At `path` in `after` the plan
 * holds a string with `placeholder(value)` in it, which is what a person reads; the apply that
 * learns the value fills it in before the change's own write.
 */
export interface Unknown {
  path: (string | number)[];
  /** Names the value, e.g. `trail key ARN`; the key apply learns it under. */
  value: string;
}

export const placeholder = (value: string) => `(${value}, known after apply)`;

export interface Change {
  step: string;
  account: AccountRef;
  /** A stable name for the resource, e.g. `iam:account-alias`: for people, never parsed. */
  address: string;
  action: ChangeAction;
  before: Json;
  after: Json;
  risk: ChangeRisk;
  /** One human sentence; renderers add symbols and details. */
  summary: string;
  operation: Operation;
  /**
   * The account whose step plans and makes this change, when the resource lives in another one
   * (`account`): org-trail, a management step, keeps the trail's bucket and key in log-archive.
   */
  from?: AccountRef;
  /** Values in `after` that an earlier change of this apply makes. */
  unknown?: Unknown[];
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
  /** What to do when it fails, unless the finding says something more precise. */
  remediation?: string;
}

/**
 * True when an AWS error has this code. The SDK names IAM's `NoSuchEntity` error
 * `NoSuchEntityException` (the code stays in `Code`), so both spellings are matched.
 */
export function isAwsError(err: unknown, code: string): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === code || err.name === `${code}Exception` || (err as { Code?: string }).Code === code;
}

/** A read whose listed error codes mean "not there": it answers null for them. */
export function absentOn(...codes: string[]) {
  return async <T>(read: () => Promise<T>): Promise<T | null> => {
    try {
      return await read();
    } catch (err) {
      if (codes.some((code) => isAwsError(err, code))) return null;
      throw err;
    }
  };
}

/**
 * A write whose listed error codes mean "already done" (made by an earlier or interrupted run): it
 * answers true when this call made it, false when it was there.
 */
export function doneOn(...codes: string[]) {
  return async (write: () => Promise<unknown>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (err) {
      if (codes.some((code) => isAwsError(err, code))) return false;
      throw err;
    }
  };
}
