import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws, type RecordedCall } from '../helpers/fake-aws.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';
import { answersFile, cli } from '../helpers/run-cli.js';
import { organizationOf } from '../bench/organization.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

/** Identical calls (same account, service, operation and input) sent more than once. */
function repeats(calls: RecordedCall[]): string[] {
  const seen = new Map<string, number>();
  for (const c of calls) {
    const key = `${c.account} ${c.service}:${c.operation} ${JSON.stringify(c.input)}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${n}x ${k}`);
}

async function callsOf(argv: string[]): Promise<RecordedCall[]> {
  const before = fake.calls.length;
  const run = await cli(argv);
  expect([0, 3], run.stderr).toContain(run.code); // 3: a fresh account fails its controls
  return fake.calls.slice(before);
}

describe('one plan or one verify', () => {
  it('on a fresh account sends no identical AWS call twice', async () => {
    const file = answersFile(FULL_EXAMPLE);
    expect(repeats(await callsOf(['plan', '--answers', file]))).toEqual([]);
    expect(repeats(await callsOf(['verify', '--answers', file]))).toEqual([]);
  });

  it('on a converged organization with three members sends no identical AWS call twice', async () => {
    const file = answersFile(FULL_EXAMPLE);
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    const plan = await callsOf(['plan', '--answers', file]);
    const verify = await callsOf(['verify', '--answers', file]);
    expect(repeats(plan)).toEqual([]);
    expect(repeats(verify)).toEqual([]);
    // The figures the benchmark reports.
    expect(plan.length).toBeGreaterThan(0);
    expect(verify.length).toBeGreaterThan(0);
  });

  it('on a converged organization of twenty-five accounts sends no identical AWS call twice', async () => {
    fake.accountQuota = 30;
    const file = answersFile(organizationOf(25));
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    const plan = await callsOf(['plan', '--answers', file]);
    const verify = await callsOf(['verify', '--answers', file]);
    expect(new Set(verify.map((c) => c.account)).size).toBe(25);
    expect(repeats(plan)).toEqual([]);
    expect(repeats(verify)).toEqual([]);
  });
});
