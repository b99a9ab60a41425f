/**
 * Retries for transient AWS failures: throttling, server errors, concurrent modification, dropped
 * connections. Bounded in attempts and in time, with exponential backoff and full jitter so that
 * several accounts retrying at once do not retry in step. This is the only retry layer: the SDK's own
 * is turned off (maxAttempts 1), so tests with a fake see exactly what production does.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** First backoff ceiling; doubles each time up to `capMs`. */
  baseMs: number;
  capMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Six attempts, waits drawn from 0-250 ms up to 0-8 s: at most about 16 s before giving up. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseMs: 250, capMs: 8000 };

/**
 * Transient failures that prove the request was not carried out: AWS refused it before acting
 * (throttling, a concurrent change). The others below may come after AWS acted on it.
 */
const NOT_CARRIED_OUT_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'ConcurrentModificationException',
  'ConcurrentModification',
  'PriorRequestNotComplete',
]);

const TRANSIENT_NAMES = new Set([
  ...NOT_CARRIED_OUT_NAMES,
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServiceFailure',
  'ServiceFailureException',
  'TimeoutError',
]);

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);

export function isTransient(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  if (TRANSIENT_NAMES.has(e.name) || TRANSIENT_NAMES.has(e.name.replace(/Exception$/, ''))) return true;
  if (e.code && TRANSIENT_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return (status !== undefined && (status >= 500 || status === 429)) || e.$fault === 'server';
}

/** Connection failures before the request left: nothing was sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * A transient failure after which the request may have been carried out (a reset or timed-out
 * connection, a 5xx): the answer is lost, not necessarily the request.
 */
export function answerMayBeLost(err: unknown): boolean {
  if (!isTransient(err)) return false;
  const e = err as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  if (NOT_CARRIED_OUT_NAMES.has(e.name) || e.$metadata?.httpStatusCode === 429) return false;
  return !(e.code && NOT_SENT_CODES.has(e.code));
}

/**
 * The answer to a write that is not safe to send twice was lost: AWS may or may not have done it.
 * Never resent blindly; the engine reads back first (see `applyChange` in the runner).
 */
export class LostAnswerError extends Error {
  override name = 'LostAnswerError';
  constructor(
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super(
      `the answer to ${operation} was lost (${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}); AWS may or may not have done it`,
    );
  }
}

export interface RetryOptions {
  /**
   * False for writes that are not idempotent: after a failure that may follow the write itself,
   * `withRetries` throws a LostAnswerError instead of sending it again.
   */
  resendAfterLostAnswer: boolean;
  /** Names the operation in a LostAnswerError. */
  operation: string;
}

export async function withRetries<T>(
  run: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  options: RetryOptions = { resendAfterLostAnswer: true, operation: 'the request' },
): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = policy.random ?? Math.random;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!options.resendAfterLostAnswer && answerMayBeLost(err)) throw new LostAnswerError(options.operation, err);
      if (!isTransient(err) || attempt >= policy.attempts) {
        if (attempt > 1 && err instanceof Error) {
          err.message = `${err.message} (gave up after ${attempt} attempts over ${((Date.now() - started) / 1000).toFixed(1)} s; AWS kept refusing: try again later)`;
        }
        throw err;
      }
      await sleep(Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1))));
    }
  }
}
