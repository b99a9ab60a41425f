import type { AccountRef } from './model.js';
import type { SchemaIssue } from './answers/schema.js';

/** Bad input: the entry point maps it to exit 2. Raised only before anything was written. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** How to give what is missing or fix what is wrong. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

export class InvalidAnswersError extends UsageError {
  override name = 'InvalidAnswersError';
  constructor(
    readonly source: string,
    readonly issues: SchemaIssue[],
  ) {
    super(
      `${source} is not a valid answers file:\n` + issues.map((i) => `  ${i.path || '(top level)'}: ${i.message}`).join('\n'),
      'Fix the fields above; `aws-groundwork answers` writes a commented template.',
    );
  }
}

/** An answer is needed and there is nobody to ask. */
export class MissingAnswerError extends UsageError {
  override name = 'MissingAnswerError';
}

/**
 * The person pressed Ctrl-C. The change in flight was finished, nothing after it was started, so a
 * re-run picks up where this one stopped. Exit 130, as shells expect after SIGINT.
 */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  constructor(
    message = 'Stopped by Ctrl-C. Nothing is half-written: run the same command again to continue.',
    /** SIGINT (Ctrl-C, exit 130) or SIGTERM (exit 143). */
    readonly signal: 'SIGINT' | 'SIGTERM' = 'SIGINT',
  ) {
    super(message);
  }
}

/** The person said no (or stopped): nothing further was done. Exit 1. */
export class DeclinedError extends Error {
  override name = 'DeclinedError';
}

/** A programming error the read-only guard caught: plan and verify must never write. */
export class ReadOnlyViolationError extends Error {
  override name = 'ReadOnlyViolationError';
}

/** A programming error: a step sent a command whose IAM action it does not declare. */
export class UndeclaredActionError extends Error {
  override name = 'UndeclaredActionError';
}

/**
 * A step cannot be planned because something another step makes is missing and that step is not part
 * of this run (an organization for the trail): plan stops, before anything is written, naming the fix.
 */
export class PreconditionError extends Error {
  override name = 'PreconditionError';
}

/** The account changed between the plan that was approved and the start of apply. */
export class StalePlanError extends Error {
  override name = 'StalePlanError';
}

/**
 * The run cannot use AWS as this machine is set up: a profile, the credentials, an endpoint or the
 * network. Nothing was sent that could change anything. Exit 1 (the flags and answers may be right;
 * what is wrong is around them). The hint says what to check, in a line of its own.
 */
export class AwsAccessError extends Error {
  override name = 'AwsAccessError';
  constructor(
    message: string,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * An HTTP answer that is not an AWS API answer: an HTML page, a bare 404 or 501, a body the SDK cannot
 * read with the service's protocol. A wrong --endpoint-url, or something between here and AWS.
 */
export class NotAnAwsAnswerError extends Error {
  override name = 'NotAnAwsAnswer';
  constructor(
    message: string,
    readonly status: number,
    readonly contentType: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** What the AWS-facing wrapper attaches to an error so the report can name the step and the action. */
export interface AwsCallContext {
  step: string;
  account: AccountRef;
  action: string;
}

const CALL_CONTEXT = Symbol.for('aws-groundwork.call');

export function attachCallContext(err: unknown, ctx: AwsCallContext): void {
  if (err && typeof err === 'object' && !(CALL_CONTEXT in err)) {
    Object.defineProperty(err, CALL_CONTEXT, { value: ctx, enumerable: false });
  }
}

export function callContextOf(err: unknown): AwsCallContext | undefined {
  return err && typeof err === 'object' ? (err as Record<symbol, AwsCallContext>)[CALL_CONTEXT] : undefined;
}

export { isAwsError } from './model.js';

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

export function isAccessDenied(err: unknown): boolean {
  return err instanceof Error && ACCESS_DENIED.has(err.name);
}

/** A step failed: the message names the step, the account, the AWS action and, for AccessDenied, the fix. */
export class StepFailedError extends Error {
  override name = 'StepFailedError';
  constructor(
    readonly step: string,
    readonly account: AccountRef,
    readonly phase: 'plan' | 'apply' | 'verify',
    override readonly cause: unknown,
  ) {
    super(describeStepFailure(step, account, phase, cause));
  }
}

function describeStepFailure(step: string, account: AccountRef, phase: string, cause: unknown): string {
  const call = callContextOf(cause);
  const where = `${step} (${phase}) in ${account.pending ? `the new account ${account.name}` : `account ${account.id} (${account.name})`}`;
  // Our own failures say what is wrong in words; an error name would only be noise in front of them.
  const ownWords = cause instanceof Error && (cause.name === 'IsolatedFailure' || cause.name === 'PreconditionError');
  const reason = cause instanceof Error ? (ownWords ? cause.message : `${cause.name}: ${cause.message}`) : String(cause);
  if (!call) return `${where} failed: ${reason}`;
  if (isAccessDenied(cause)) {
    return (
      `${where}: ${call.action} was denied (${reason}).\n` +
      `  Allow ${call.action} for the identity running aws-groundwork; ` +
      '`aws-groundwork permissions` prints the whole policy it needs.'
    );
  }
  return `${where}: ${call.action} failed: ${reason}`;
}

/**
 * A failure that concerns only its own change (an account AWS refused to create): the rest of the
 * plan stays safe to apply, so apply goes on and reports it at the end.
 */
export class IsolatedFailure extends Error {
  override name = 'IsolatedFailure';
}

/** Apply finished the changes it could; these failed on their own. Exit 1. */
export class ApplyIncompleteError extends Error {
  override name = 'ApplyIncompleteError';
  constructor(readonly failures: StepFailedError[]) {
    super(
      `${failures.length} ${failures.length === 1 ? 'change' : 'changes'} failed; the rest was applied:\n` +
        failures.map((f) => `  - ${f.message.replace(/\n/g, '\n    ')}`).join('\n'),
    );
  }
}
