import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../helpers/fake-aws.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';
import { answersFile, cli } from '../helpers/run-cli.js';

const LAG = 8;
let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

async function writesOfACleanRun(): Promise<string[]> {
  const clean = new FakeAws().install();
  try {
    expect((await cli(['apply', '--yes', '--answers', answersFile(FULL_EXAMPLE)])).code).toBe(0);
    return clean.writes.map((w) => `${w.account} ${w.service}:${w.operation}`);
  } finally {
    clean.restore();
    fake.install();
  }
}

describe('eventual consistency', () => {
  it('IAM reads that lag behind writes produce no false failure and no duplicate write', async () => {
    const expected = await writesOfACleanRun();
    fake.iamReadLag = LAG;
    // The reads after each IAM write still see the old state for a while; verify re-reads failing controls.
    const run = await cli(['apply', '--yes', '--answers', answersFile(FULL_EXAMPLE)], { settle: { attempts: 8, delayMs: 0 } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Controls: \d+ pass, 0 fail/);
    expect(fake.writes.map((w) => `${w.account} ${w.service}:${w.operation}`)).toEqual(expected);
  });

  it('the lag is real: reading only once right after the writes would report a false failure', async () => {
    fake.iamReadLag = LAG;
    const run = await cli(['apply', '--yes', '--answers', answersFile(FULL_EXAMPLE)], { settle: { attempts: 1, delayMs: 0 } });
    expect(run.code).toBe(3);
  });

  it("a new account's role that is not ready yet is retried, not reported as a failure", async () => {
    fake.roleDelayCalls = 4;
    const run = await cli(['apply', '--yes', '--answers', answersFile(FULL_EXAMPLE)]);
    expect(run.code, run.stderr).toBe(0);
    expect(fake.calls.filter((c) => c.operation === 'CreateAccount')).toHaveLength(5);
  });
});
