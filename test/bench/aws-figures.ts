/**
 * AWS figures for `npm run bench`, against the fake, with 50 ms added to every AWS request as a stand-in for
 * AWS's latency: requests made by `plan` and `verify`, verify's wall time for the management account alone,
 * for the full example (six accounts) and for twenty-five accounts, the peak memory of a process that verifies
 * twenty-five accounts (verify-peak.ts), and an apply that creates ten new accounts. Prints one JSON line.
 * Run with: node --import tsx test/bench/aws-figures.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeAws } from '../helpers/fake-aws.js';
import { answersFile } from '../helpers/run-cli.js';
import { ONE_ACCOUNT, TEN_NEW_ACCOUNTS, organizationOf } from './organization.js';
import { BENCH_PAGE_SIZE, LATENCY_MS, benchRun, medianVerifyMs } from './run.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** A fake holding a converged organization of `answers`, at AWS-like page sizes and no latency yet. */
async function converged(answers: string): Promise<{ fake: FakeAws; file: string }> {
  const fake = new FakeAws().install();
  fake.pageSize = BENCH_PAGE_SIZE;
  fake.accountQuota = 40;
  const file = answersFile(answers);
  if ((await benchRun(['apply', '--yes', '--answers', file])) !== 0) throw new Error('the benchmark organization did not converge');
  return { fake, file };
}

async function requests(fake: FakeAws, argv: string[]): Promise<number> {
  const before = fake.calls.length;
  await benchRun(argv);
  return fake.calls.length - before;
}

const figures: Record<string, number> = { latencyMs: LATENCY_MS };
const work = mkdtempSync(join(tmpdir(), 'gw-bench-aws-'));
try {
  for (const [name, answers] of [
    ['one', ONE_ACCOUNT],
    ['six', organizationOf(6)],
    ['twentyFive', organizationOf(25)],
  ] as const) {
    const { fake, file } = await converged(answers);
    figures[`${name}PlanRequests`] = await requests(fake, ['plan', '--answers', file]);
    figures[`${name}VerifyRequests`] = await requests(fake, ['verify', '--answers', file]);
    fake.delayMs = LATENCY_MS;
    figures[`${name}VerifyMs`] = await medianVerifyMs(file);
    if (name === 'twentyFive') {
      // A process of its own, so that its peak is verify's and not the apply's that made the organization.
      const state = join(work, 'state.bin');
      writeFileSync(state, fake.exportState());
      const peak = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'verify-peak.ts'), state, file], { encoding: 'utf8' });
      if (peak.status !== 0) throw new Error(`verify-peak.ts failed: ${peak.stderr}`);
      Object.assign(figures, JSON.parse(peak.stdout.trim()));
    }
    fake.restore();
  }

  // Ten new accounts in one apply, waits between polls as in production (2 s, doubling): the accounts alone
  // (the organization and member-accounts steps), then with the whole baseline in each.
  for (const [name, only] of [
    ['tenAccounts', ['--only', 'organization,member-accounts']],
    ['tenBaselines', []],
  ] as const) {
    const fake = new FakeAws().install();
    fake.pageSize = BENCH_PAGE_SIZE;
    fake.accountQuota = 40;
    fake.delayMs = LATENCY_MS;
    const file = answersFile(TEN_NEW_ACCOUNTS);
    const started = performance.now();
    if ((await benchRun(['apply', '--yes', '--answers', file, ...only], { realSleep: true })) !== 0) {
      throw new Error('the ten new accounts were not made');
    }
    figures[`${name}ApplyMs`] = performance.now() - started;
    figures[`${name}ApplyRequests`] = fake.calls.length;
    figures[`${name}Polls`] = fake.calls.filter((c) => /CreateAccountStatus$/.test(c.operation)).length;
    fake.restore();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(JSON.stringify(figures));
