/**
 * Retries for transient AWS failures: throttling, server errors, concurrent modification, dropped
 * connections. Bounded in attempts and in time, with exponential backoff and full jitter so that
 * several accounts retrying at once do not retry in step. This is the only retry layer: the SDK's own
 * is turned off (maxAttempts 1), so tests with a fake see exactly what production does.
 */
import { NotAnAwsAnswerError } from '../errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** First backoff ceiling; doubles each time up to `capMs`. */
  baseMs: number;
  capMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** How long one attempt may wait for a connection (default 10 s). */
  connectTimeoutMs?: number;
  /** How long one attempt may wait without a byte of the answer (default 30 s). */
  idleTimeoutMs?: number;
}

/** Six attempts, waits drawn from 0-250 ms up to 0-8 s: at most about 16 s before giving up. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseMs: 250, capMs: 8000 };

/**
 * Every attempt is bounded: without these the SDK waits for ever on an endpoint that accepts the
 * connection and never answers. AWS answers its control-plane calls in seconds.
 */
export const DEFAULT_TIMEOUTS = { connectTimeoutMs: 10_000, idleTimeoutMs: 30_000 } as const;

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

/** Connection failures, in words: none of them is an answer from anyone. */
const CONNECTION_FAILURES = new Map([
  ['ECONNREFUSED', 'connection refused'],
  ['ECONNRESET', 'connection reset'],
  ['EPIPE', 'connection closed'],
  ['ECONNABORTED', 'connection aborted'],
  ['ETIMEDOUT', 'connection timed out'],
  ['ENOTFOUND', 'host name not found'],
  ['EAI_AGAIN', 'host name lookup failed'],
]);

/** Where a call went, for telling its failures apart. */
export interface FailureContext {
  /** The custom endpoint (--endpoint-url, AWS_ENDPOINT_URL) the call went to; absent for AWS itself. */
  endpoint?: string;
  /** The answer has no body (HEAD): a bare 404 or 403 is then AWS's own (HeadBucket). */
  bodiless?: boolean;
}

type SdkError = Error & {
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
};

/** What came back instead of an AWS answer. */
export interface ForeignAnswer {
  status: number;
  /** The media type alone (`text/html`), when the answer named one. */
  contentType: string | undefined;
}

/** The SDK's own words when an error answer carries no message. */
const SDK_PLACEHOLDER_MESSAGES = new Set(['Unknown', 'UnknownError']);

function contentTypeOf(response: SdkError['$response']): string | undefined {
  const headers = response?.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'content-type');
  return key ? headers[key]?.split(';')[0]?.trim() || undefined : undefined;
}

/**
 * The HTTP answer behind an error, when it is not one AWS sends. Only errors the SDK made from an
 * HTTP answer count (they carry the hidden `$response`). Not AWS's: a body the SDK could not read
 * with the service's protocol (its deserializer's errors have no `$fault`), or an error answer in
 * which it found no error code (it names those `Unknown`, or `NotFound` for a 404, with a placeholder
 * message; an HTML page ends up here). An error code is trusted whatever the content type: an
 * emulator may label its XML errors text/html.
 */
export function foreignAnswer(err: unknown, bodiless = false): ForeignAnswer | undefined {
  if (!(err instanceof Error) || !('$response' in err)) return undefined;
  const e = err as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return undefined;
  const answer = { status, contentType: contentTypeOf(e.$response) };
  if (e.$fault === undefined) return answer;
  if (bodiless) return undefined;
  if (e.name === 'Unknown') return answer;
  return e.name === 'NotFound' && SDK_PLACEHOLDER_MESSAGES.has(e.message) ? answer : undefined;
}

/** `HTTP 404 (text/html)`: what came back, in a few words. */
export function describeAnswer(answer: ForeignAnswer): string {
  return `HTTP ${answer.status}${answer.contentType ? ` (${answer.contentType})` : ''}`;
}

/** What went wrong with the connection, in words, when nothing answered at all. */
export function connectionFailure(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as SdkError;
  // The SDK names a reset or closed connection TimeoutError too; its code says which it was.
  const failure = e.code ? CONNECTION_FAILURES.get(e.code) : undefined;
  return failure ?? (e.name === 'TimeoutError' ? 'no answer in time' : undefined);
}

/** The 5xx a gateway in front of AWS answers with while AWS is busy: worth another attempt. */
const GATEWAY_STATUSES = new Set([500, 502, 503, 504]);

export function isTransient(err: unknown, context: FailureContext = {}): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as SdkError;
  const foreign = err instanceof NotAnAwsAnswerError ? err : foreignAnswer(err, context.bodiless);
  // An endpoint that is not AWS gives the same page to the same request; AWS's own front door may
  // answer a passing 5xx with a page of its own.
  if (foreign) return !context.endpoint && GATEWAY_STATUSES.has(foreign.status);
  // An endpoint of one's own that held the connection silent for the whole idle timeout will not
  // answer the next attempt either.
  if (context.endpoint && connectionFailure(err) === 'no answer in time') return false;
  if (TRANSIENT_NAMES.has(e.name) || TRANSIENT_NAMES.has(e.name.replace(/Exception$/, ''))) return true;
  if (e.code && CONNECTION_FAILURES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  // 501 Not Implemented: the same request will never work.
  if (status === 501) return false;
  return (status !== undefined && (status >= 500 || status === 429)) || e.$fault === 'server';
}

/** AWS refused the request for its rate (not a concurrent change): a sign to send less at once. */
export function isThrottling(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as SdkError;
  const name = e.name.replace(/Exception$/, '');
  return e.$metadata?.httpStatusCode === 429 || (NOT_CARRIED_OUT_NAMES.has(e.name) && !/Concurrent|PriorRequest/.test(name));
}

/** Connection failures before the request left: nothing was sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * A transient failure after which the request may have been carried out (a reset or timed-out
 * connection, a 5xx): the answer is lost, not necessarily the request.
 */
export function answerMayBeLost(err: unknown, context: FailureContext = {}): boolean {
  if (!isTransient(err, context)) return false;
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

export interface RetryOptions extends FailureContext {
  /**
   * False for writes that are not idempotent: after a failure that may follow the write itself,
   * `withRetries` throws a LostAnswerError instead of sending it again.
   */
  resendAfterLostAnswer: boolean;
  /** Names the operation in a LostAnswerError. */
  operation: string;
}

/**
 * An answer that is not AWS's, named for what it is: the SDK's own error for it is an XML or JSON
 * parse error, or a bare `Unknown`, which reads like a bug or like AWS's fault.
 */
function named(err: unknown, options: RetryOptions): unknown {
  const foreign = foreignAnswer(err, options.bodiless);
  if (!foreign) return err;
  const message = options.endpoint
    ? `the endpoint ${options.endpoint} did not answer ${options.operation} like AWS: ${describeAnswer(foreign)}, not an AWS API answer`
    : `the answer to ${options.operation} did not come from AWS: ${describeAnswer(foreign)}; a proxy or firewall may be in the way`;
  return new NotAnAwsAnswerError(message, foreign.status, foreign.contentType, { cause: err });
}

/** Why the last attempt was the last, in words that blame the right party. */
function whyGaveUp(err: Error, options: RetryOptions): string {
  const party = options.endpoint ? 'the endpoint' : 'AWS';
  if (connectionFailure(err)) return 'the connection kept failing';
  if (err instanceof NotAnAwsAnswerError) return 'every answer was an error page, not an AWS answer';
  const status = (err as SdkError).$metadata?.httpStatusCode;
  if (NOT_CARRIED_OUT_NAMES.has(err.name) || status === 429) return `${party} kept refusing it: try again later`;
  return `${party} kept failing: try again later`;
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
    } catch (caught) {
      const err = named(caught, options);
      if (!options.resendAfterLostAnswer && answerMayBeLost(err, options)) throw new LostAnswerError(options.operation, err);
      if (!isTransient(err, options) || attempt >= policy.attempts) {
        if (attempt > 1 && err instanceof Error) {
          err.message = `${err.message} (gave up after ${attempt} attempts over ${((Date.now() - started) / 1000).toFixed(1)} s: ${whyGaveUp(err, options)})`;
        }
        throw err;
      }
      await sleep(Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1))));
    }
  }
}
