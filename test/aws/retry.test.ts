import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, LostAnswerError, answerMayBeLost, foreignAnswer, isTransient, withRetries } from '../../src/aws/retry.js';
import { NotAnAwsAnswerError } from '../../src/errors.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { answersFile, cli } from '../helpers/run-cli.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const awsError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} (injected)`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    ...extra,
  });
const socketReset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
/** What the SDK throws for an HTTP answer it could not read: no `$fault`, the answer hidden in `$response`. */
const unreadable = (status: number, contentType: string) =>
  Object.assign(new Error('@aws-sdk XML parse error: mismatched tags <meta> and </head>.'), {
    $metadata: { httpStatusCode: status },
    $response: { statusCode: status, headers: { 'content-type': contentType } },
  });
/** What the SDK throws for an error answer in which it found no error code. */
const codeless = (name: string, status: number, contentType: string, extra: Record<string, unknown> = {}) =>
  Object.assign(awsError(name, status), {
    message: 'Unknown',
    $response: { statusCode: status, headers: { 'content-type': contentType } },
    ...extra,
  });
const ENDPOINT = { endpoint: 'http://127.0.0.1:4566' };
const timedOut = () => Object.assign(new Error('the request socket timed out after 30000 ms of inactivity'), { name: 'TimeoutError' });

describe('transient AWS failures', () => {
  it.each([
    ['Throttling', awsError('Throttling', 400)],
    ['ThrottlingException', awsError('ThrottlingException', 400)],
    ['TooManyRequestsException', awsError('TooManyRequestsException', 429)],
    ['RequestLimitExceeded', awsError('RequestLimitExceeded', 503)],
    ['a 500', awsError('InternalFailure', 500)],
    ['a 503', awsError('ServiceUnavailable', 503)],
    ['ConcurrentModificationException', awsError('ConcurrentModificationException', 400)],
    ['a socket reset', socketReset()],
  ])('%s counts as transient', (_name, err) => {
    expect(isTransient(err)).toBe(true);
  });

  it.each([
    ['AccessDenied', awsError('AccessDenied', 403)],
    ['NoSuchEntityException', awsError('NoSuchEntityException', 404)],
    ['ValidationError', awsError('ValidationError', 400)],
    ['a plain bug', new TypeError('x is undefined')],
  ])('%s does not', (_name, err) => {
    expect(isTransient(err)).toBe(false);
  });

  it('a 501 Not Implemented is not transient: the same request never works', () => {
    expect(isTransient(awsError('NotImplemented', 501))).toBe(false);
  });

  it.each([
    ['an HTML page with 200', unreadable(200, 'text/html; charset=utf-8')],
    ['an HTML 404 (no error code in it)', codeless('NotFound', 404, 'text/html')],
    ['a 501 not implemented page', unreadable(501, 'text/plain')],
    ['a gateway 503 page', codeless('Unknown', 503, 'text/html')],
    ['a JSON 400 that is not an AWS error', codeless('Unknown', 400, 'application/json', { message: 'UnknownError' })],
  ])('%s from a custom endpoint is not an AWS answer and is not retried', (_what, err) => {
    expect(foreignAnswer(err)).toMatchObject({ status: err.$metadata.httpStatusCode });
    expect(isTransient(err, ENDPOINT)).toBe(false);
  });

  it('a gateway 503 page from AWS itself is still retried, as AWS answers passing overloads that way', () => {
    expect(isTransient(codeless('Unknown', 503, 'text/html'))).toBe(true);
    expect(isTransient(unreadable(200, 'text/html'))).toBe(false);
  });

  it("a HEAD's bare 404 is AWS's own answer (HeadBucket has no body to carry an error code)", () => {
    const headMissing = Object.assign(codeless('NotFound', 404, 'text/html'), { message: 'UnknownError' });
    expect(foreignAnswer(headMissing, true)).toBeUndefined();
    expect(foreignAnswer(headMissing, false)).toBeDefined();
  });

  it('an error answer with an AWS error code is an AWS answer, whatever its status and content type', () => {
    const throttled = Object.assign(awsError('Throttling', 400), {
      $response: { statusCode: 400, headers: { 'content-type': 'text/xml' } },
    });
    expect(foreignAnswer(throttled)).toBeUndefined();
    expect(isTransient(throttled, ENDPOINT)).toBe(true);
    // An emulator may label its XML errors text/html: the code decides.
    const missing = Object.assign(awsError('NoSuchEntity', 404), {
      $response: { statusCode: 404, headers: { 'Content-Type': 'text/html; charset=utf-8' } },
    });
    expect(foreignAnswer(missing)).toBeUndefined();
  });

  it('a request a custom endpoint left unanswered for the whole idle timeout is not sent again; one to AWS is', () => {
    expect(isTransient(timedOut(), ENDPOINT)).toBe(false);
    expect(isTransient(timedOut())).toBe(true);
  });

  it('a connection the endpoint reset after the request is a lost answer, though the SDK names it TimeoutError', () => {
    // @smithy/node-http-handler renames ECONNRESET, EPIPE and ETIMEDOUT errors TimeoutError.
    const reset = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
    expect(isTransient(reset, ENDPOINT)).toBe(true);
    expect(answerMayBeLost(reset, ENDPOINT)).toBe(true);
    expect(answerMayBeLost(reset)).toBe(true);
  });

  it('a page that is not an AWS answer is reported as such, once, without the SDK parse error', async () => {
    let sent = 0;
    const page = () => {
      sent++;
      return Promise.reject(unreadable(404, 'text/html'));
    };
    const fast = { ...DEFAULT_RETRY, sleep: async () => undefined };
    const atEndpoint = withRetries(page, fast, { resendAfterLostAnswer: true, operation: 'sts:GetCallerIdentity', ...ENDPOINT });
    await expect(atEndpoint).rejects.toBeInstanceOf(NotAnAwsAnswerError);
    await expect(atEndpoint).rejects.toThrow(
      'the endpoint http://127.0.0.1:4566 did not answer sts:GetCallerIdentity like AWS: HTTP 404 (text/html), not an AWS API answer',
    );
    expect(sent).toBe(1);
    await expect(withRetries(page, fast, { resendAfterLostAnswer: true, operation: 'sts:GetCallerIdentity' })).rejects.toThrow(
      'the answer to sts:GetCallerIdentity did not come from AWS: HTTP 404 (text/html); a proxy or firewall may be in the way',
    );
  });

  it.each([
    [
      'a refused connection, to AWS',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      {},
      'the connection kept failing',
    ],
    [
      'a refused connection, to an endpoint',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      ENDPOINT,
      'the connection kept failing',
    ],
    ['throttling, by AWS', awsError('Throttling', 400), {}, 'AWS kept refusing it: try again later'],
    ['throttling, by an endpoint', awsError('Throttling', 400), ENDPOINT, 'the endpoint kept refusing it: try again later'],
    ['a 500, from AWS', awsError('InternalFailure', 500), {}, 'AWS kept failing: try again later'],
  ])('giving up after %s names the party that failed', async (_what, err, context, why) => {
    const fast = { ...DEFAULT_RETRY, sleep: async () => undefined };
    // A fresh error each attempt, as the SDK throws: withRetries adds its words to the last one.
    const failing = () => Promise.reject(Object.assign(new Error(err.message), err));
    const last = await withRetries(failing, fast, { resendAfterLostAnswer: true, operation: 'sts:GetCallerIdentity', ...context }).catch(
      (e: Error) => e,
    );
    expect((last as Error).message).toMatch(/ \(gave up after 6 attempts over [0-9.]+ s: /);
    expect((last as Error).message.endsWith(`: ${why})`)).toBe(true);
  });

  it('backs off exponentially with full jitter, bounded by the cap and the number of attempts', async () => {
    const waits: number[] = [];
    const failing = () => Promise.reject(awsError('Throttling', 400));
    await expect(withRetries(failing, { ...DEFAULT_RETRY, random: () => 0.999, sleep: async (ms) => void waits.push(ms) })).rejects.toThrow(
      /gave up after 6 attempts/,
    );
    expect(waits).toEqual([249, 499, 999, 1998, 3996]);
    const jittered: number[] = [];
    await expect(
      withRetries(failing, { ...DEFAULT_RETRY, random: () => 0.5, sleep: async (ms) => void jittered.push(ms) }),
    ).rejects.toThrow();
    expect(jittered).toEqual([125, 250, 500, 1000, 2000]);
    // The worst case before giving up stays under 20 s.
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThan(20_000);
  });

  it('bursts of throttling, 5xx, concurrent modification and socket resets during a full apply still converge', async () => {
    const bursts: [string, () => Error][] = [
      ['GetCallerIdentity', () => awsError('Throttling', 400)],
      ['CreateAccountAlias', () => awsError('ThrottlingException', 400)],
      ['UpdateAccountPasswordPolicy', () => awsError('TooManyRequestsException', 429)],
      ['GetAccountPasswordPolicy', () => awsError('ServiceUnavailable', 503)],
      ['CreateOrganization', () => awsError('ConcurrentModificationException', 400)],
      ['CreateAccount', () => awsError('ConcurrentModificationException', 400)],
      ['CreateBucket', () => socketReset()],
      ['PutBucketPolicy', () => awsError('InternalError', 500)],
      ['AssumeRole', () => awsError('RequestLimitExceeded', 503)],
      ['PutPublicAccessBlock', () => socketReset()],
      ['PutAlternateContact', () => awsError('TooManyRequestsException', 429)],
    ];
    for (const [operation, make] of bursts) for (let i = 0; i < 3; i++) fake.failNext(operation, make());
    const file = answersFile(FULL_EXAMPLE);
    const run = await cli(['apply', '--yes', '--answers', file]);
    expect(run.code, run.stderr).toBe(0);
    expect((await cli(['verify', '--answers', file])).code).toBe(0);
    expect(fake.calls.filter((c) => c.operation === 'CreateAccount')).toHaveLength(3 + 5); // three bursts, five accounts
    expect([...fake.orgAccounts.values()]).toHaveLength(6);
  });

  it('a persistent failure gives up after the bounded attempts with a clear message, exit 1', async () => {
    for (let i = 0; i < 20; i++) fake.failNext('UpdateAccountPasswordPolicy', awsError('Throttling', 400));
    const started = performance.now();
    const run = await cli(['apply', '--yes', '--only', 'password-policy', '--answers', answersFile(FULL_EXAMPLE)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'password-policy (apply) in account 111111111111 (management): iam:UpdateAccountPasswordPolicy failed: Throttling',
    );
    expect(run.stderr).toContain('gave up after 6 attempts');
    expect(fake.calls.filter((c) => c.operation === 'UpdateAccountPasswordPolicy')).toHaveLength(6);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('an error that is not transient is not retried', async () => {
    fake.failNext('CreateAccountAlias', awsError('AccessDenied', 403));
    const run = await cli(['apply', '--yes', '--only', 'account-alias', '--answers', answersFile(FULL_EXAMPLE)]);
    expect(run.code).toBe(1);
    expect(fake.calls.filter((c) => c.operation === 'CreateAccountAlias')).toHaveLength(1);
  });
});

describe('a lost answer', () => {
  it.each([
    ['a socket reset', socketReset()],
    ['a timed-out request', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['a 500', awsError('InternalFailure', 500)],
    ['a 503', awsError('ServiceUnavailable', 503)],
  ])('may follow a write AWS carried out: %s', (_name, err) => {
    expect(answerMayBeLost(err)).toBe(true);
  });

  it.each([
    ['throttling', awsError('Throttling', 400)],
    ['a 429', awsError('TooManyRequestsException', 429)],
    ['a concurrent modification', awsError('ConcurrentModificationException', 400)],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['AccessDenied', awsError('AccessDenied', 403)],
  ])('is not what %s means: the request was not carried out', (_name, err) => {
    expect(answerMayBeLost(err)).toBe(false);
  });

  it('of a write that is not safe to repeat is never sent again: it becomes a LostAnswerError at once', async () => {
    let sent = 0;
    const write = () => {
      sent++;
      return Promise.reject(socketReset());
    };
    const fast = { ...DEFAULT_RETRY, sleep: async () => undefined };
    await expect(
      withRetries(write, fast, { resendAfterLostAnswer: false, operation: 'organizations:CreateAccount' }),
    ).rejects.toBeInstanceOf(LostAnswerError);
    expect(sent).toBe(1);
    // Throttling proves nothing happened: that is still retried.
    let throttled = 0;
    const busy = () => (throttled++ < 2 ? Promise.reject(awsError('Throttling', 400)) : Promise.resolve('ok'));
    await expect(withRetries(busy, fast, { resendAfterLostAnswer: false, operation: 'organizations:CreateAccount' })).resolves.toBe('ok');
    expect(throttled).toBe(3);
  });

  it('of CreateAccount ends the same run with exit 0 and exactly one new account, read back instead of sent again', async () => {
    fake.loseAnswerNext('CreateAccount');
    const file = answersFile(FULL_EXAMPLE);
    const run = await cli(['apply', '--yes', '--answers', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('the answer to organizations:CreateAccount was lost');
    expect(fake.calls.filter((c) => c.operation === 'CreateAccount')).toHaveLength(5);
    expect([...fake.orgAccounts.values()]).toHaveLength(6);
    expect((await cli(['verify', '--answers', file])).code).toBe(0);
  });

  it('of CreateOrganizationalUnit ends the same run with exit 0 and exactly one of each OU', async () => {
    fake.loseAnswerNext('CreateOrganizationalUnit');
    const run = await cli(['apply', '--yes', '--answers', answersFile(FULL_EXAMPLE)]);
    expect(run.code, run.stderr).toBe(0);
    // The lost one (Workloads) is read back, not sent again; Security is sent once.
    expect(fake.calls.filter((c) => c.operation === 'CreateOrganizationalUnit').map((c) => c.input.Name)).toEqual([
      'Workloads',
      'Security',
    ]);
    expect([...fake.ous.values()].map((o) => o.Name)).toEqual(['Workloads', 'Security']);
  });
});
