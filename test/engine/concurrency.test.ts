import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAll } from '../../src/engine/runner.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { engineRun } from '../helpers/converge.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
  fake.organization = {
    Id: 'o-abc123def4',
    Arn: 'arn:aws:organizations::111111111111:organization/o-abc123def4',
    FeatureSet: 'ALL',
    MasterAccountId: '111111111111',
  };
  fake.serviceAccess.add('account.amazonaws.com');
  for (const env of ['dev', 'staging', 'prod']) fake.addMemberAccount(`acme-${env}`, `aws+${env}@acme.example`);
});
afterEach(() => fake.restore());

const answers = {
  version: 1,
  steps: {
    'member-accounts': { accounts: ['dev', 'staging', 'prod'].map((env) => ({ name: `acme-${env}`, email: `aws+${env}@acme.example` })) },
    'password-policy': {},
    's3-block-public-access': {},
  },
};

async function timedVerify(concurrency: number): Promise<{ ms: number; accounts: number }> {
  const opts = await engineRun(['password-policy', 's3-block-public-access'], answers);
  opts.concurrency = concurrency;
  await verifyAll({ ...opts, settle: { attempts: 1, delayMs: 0 } }); // warm: roles assumed, clients made
  fake.maxInFlight = 0;
  const started = performance.now();
  const findings = await verifyAll({ ...opts, settle: { attempts: 1, delayMs: 0 } });
  return { ms: performance.now() - started, accounts: new Set(findings.map((f) => f.account.id)).size };
}

describe('verify across accounts', () => {
  it("checks the accounts concurrently: the total is close to one account's time, not the sum", async () => {
    fake.delayMs = 40; // every AWS call takes 40 ms
    const oneAtATime = await timedVerify(1);
    const together = await timedVerify(4);
    expect(oneAtATime.accounts).toBe(4);
    expect(together.accounts).toBe(4);
    // Each account makes the same calls here, so one account takes about a quarter of the sequential total.
    const oneAccount = oneAtATime.ms / 4;
    expect(Math.abs(together.ms - oneAccount)).toBeLessThan(Math.abs(together.ms - oneAtATime.ms));
    expect(fake.maxInFlight).toBeGreaterThanOrEqual(4);
  });
});
