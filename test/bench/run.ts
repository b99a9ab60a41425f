/** How the benchmark runs the CLI in its own process: output dropped, no waits but those it asks for. */
import { PassThrough, Writable } from 'node:stream';
import { runCli } from '../../src/cli.js';
import { FAST_RETRY, TEST_ENV } from '../helpers/run-cli.js';

/** Added to every AWS request: a stand-in for AWS's latency. */
export const LATENCY_MS = 50;
/**
 * Items per page of the fake's lists. The fake's default of 2 is there to test paging; AWS's lists hold
 * 20 items a page at the least (Organizations' ListAccounts at most 20, IAM's 100 by default).
 */
export const BENCH_PAGE_SIZE = 20;

const sink = () => new Writable({ write: (_c, _e, done) => done() });
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function benchRun(argv: string[], opts: { realSleep?: boolean } = {}): Promise<number> {
  return runCli(
    argv,
    { stdin: new PassThrough(), stdout: sink(), stderr: sink() },
    {
      env: TEST_ENV,
      credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' }),
      settle: { attempts: 1, delayMs: 0 },
      sleep: opts.realSleep ? pause : async () => undefined,
      roleRetry: { attempts: 5, delayMs: 0 },
      retry: FAST_RETRY,
    },
  );
}

/** The median of three verifies, after one that warms up (member roles assumed, clients made). */
export async function medianVerifyMs(file: string): Promise<number> {
  await benchRun(['verify', '--answers', file]);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await benchRun(['verify', '--answers', file]);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[1] as number;
}
