import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../helpers/fake-aws.js';
import { EXAMPLE_ANSWERS, answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

describe('--only and --skip that name the same step', () => {
  it('are refused as contradicting each other: exit 2, naming the step, before any AWS call', async () => {
    const run = await cli(['plan', '--only', 'account-alias', '--skip', 'account-alias', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: account-alias is in both --only and --skip\n');
    expect(run.stderr).toContain('Name each step in one of them');
    expect(run.stderr).not.toContain('Skipping account-alias');
    expect(fake.calls).toEqual([]);
  });

  it('name every step that is in both', async () => {
    const run = await cli(['permissions', '--only', 'account-alias,password-policy,organization', '--skip', 'organization,account-alias']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: account-alias, organization are in both --only and --skip\n');
  });
});

describe('a step left out is skipped with the flag that left it out', () => {
  it('says "left out by --skip" for a skipped step and "not in --only" for one --only does not name', async () => {
    const skip = await cli(['plan', '--skip', 'password-policy', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(skip.code).toBe(0);
    expect(skip.stderr).toContain('Skipping password-policy: left out by --skip.');
    // Both flags, on different steps: each step left out says which flag left it out.
    const only = await cli(['plan', '--only', 'account-alias', '--skip', 'organization', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(only.code).toBe(0);
    expect(only.stderr).toContain('Skipping password-policy: not in --only.');
    expect(only.stderr).toContain('Skipping organization: left out by --skip.');
  });
});
