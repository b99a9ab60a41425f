/**
 * What every service file of the fake uses: the shape of an operation handler and the empty response
 * metadata that answers and errors carry.
 */
import type { CallContext } from './auth.js';
import type { FakeAccountState, FakeState } from './state.js';

/** A command's input, as the SDK client was given it. */
export type Input = Record<string, unknown>;

/** One call as a handler sees it. */
export interface Call {
  /** Everything the fake holds. */
  s: FakeState;
  /** The command's input. */
  i: Input;
  /** The account the call acts on, as IAM reads see it (see `iamReadLag`). */
  acct: FakeAccountState;
  /** The region of the client that sent the command. */
  region: string;
  /** Who makes the call. */
  ctx: CallContext;
}

/** Carries out one operation and answers its output (without `$metadata`), or throws the service's error. */
export type Handler = (call: Call) => unknown;

/** A service's handlers by `service:Operation`. */
export type HandlerTable = Record<string, Handler>;

/** One shared empty metadata: answers get it, and errors that the dispatcher gives their HTTP status. */
export const meta = { $metadata: {} };
export const meta403 = { $metadata: { httpStatusCode: 403 } };
