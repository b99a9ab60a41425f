import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../helpers/fake-aws.js';
import { answersFile, cli } from '../helpers/run-cli.js';
import { isReadOperation } from '../../src/aws/actions.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const FILE = `version: 1
steps:
  account-alias: { alias: acme }
  password-policy: {}
  admin-group: {}
  organization: {}
`;

describe('Ctrl-C', () => {
  it('during apply finishes the change in flight, starts no other, exits 130, and the re-run converges', async () => {
    const file = answersFile(FILE);
    const interrupt = new AbortController();
    // Ctrl-C arrives while the second write is on its way to AWS.
    let writes = 0;
    const run = await cli(['apply', '--yes', '--answers', file], {
      signal: interrupt.signal,
      onSend: (e) => {
        if (!isReadOperation(e.service, e.operation) && ++writes === 2) interrupt.abort();
      },
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('Nothing is half-written');
    expect(fake.writes.map((w) => w.operation)).toEqual(['CreateAccountAlias', 'UpdateAccountPasswordPolicy']);
    expect(fake.management.passwordPolicy?.MinimumPasswordLength).toBe(14);

    const rerun = await cli(['apply', '--yes', '--answers', file]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(fake.writes.filter((w) => w.operation === 'CreateAccountAlias')).toHaveLength(1);
    expect((await cli(['plan', '--detailed-exitcode', '--answers', file])).code).toBe(0);
  });

  it('during the plan exits 130 and writes nothing', async () => {
    const interrupt = new AbortController();
    interrupt.abort();
    const run = await cli(['apply', '--yes', '--answers', answersFile(FILE)], { signal: interrupt.signal });
    expect(run.code).toBe(130);
    expect(fake.writes).toEqual([]);
  });
});
