/**
 * AWS figures for `npm run bench`, against the fake: calls made by `plan` and `verify` for a
 * management account and the full example's five members, and verify wall time for 1 and 6 accounts with simulated
 * latency. Prints one JSON line. Run with: node --import tsx test/bench/aws-figures.ts
 */
import { PassThrough, Writable } from 'node:stream';
import { runCli } from '../../src/cli.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';
import { FAST_RETRY, TEST_ENV, answersFile } from '../helpers/run-cli.js';

const LATENCY_MS = 50;
const sink = () => new Writable({ write: (_c, _e, done) => done() });

async function run(argv: string[]): Promise<number> {
  return runCli(
    argv,
    { stdin: new PassThrough(), stdout: sink(), stderr: sink() },
    {
      env: TEST_ENV,
      credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' }),
      settle: { attempts: 1, delayMs: 0 },
      sleep: async () => undefined,
      roleRetry: { attempts: 5, delayMs: 0 },
      retry: FAST_RETRY,
    },
  );
}

const fake = new FakeAws().install();
const full = answersFile(FULL_EXAMPLE);
// The same baseline with no member accounts: one account.
const single = answersFile(FULL_EXAMPLE.replace(/ {2}member-accounts:\n( {4}.*\n| {6}.*\n)*/, ''));
if ((await run(['apply', '--yes', '--answers', full])) !== 0) throw new Error('the benchmark organization did not converge');

async function count(argv: string[]): Promise<number> {
  const before = fake.calls.length;
  await run(argv);
  return fake.calls.length - before;
}
const planCalls = await count(['plan', '--answers', full]);
const verifyCalls = await count(['verify', '--answers', full]);

async function timed(file: string): Promise<number> {
  await run(['verify', '--answers', file]); // warm: member roles assumed, clients made
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await run(['verify', '--answers', file]);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[1] as number;
}
fake.delayMs = LATENCY_MS;
const oneAccountMs = await timed(single);
const allAccountsMs = await timed(full);
fake.restore();

console.log(JSON.stringify({ planCalls, verifyCalls, latencyMs: LATENCY_MS, oneAccountMs, allAccountsMs }));
