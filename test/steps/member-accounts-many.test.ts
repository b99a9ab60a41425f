import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws, MANAGEMENT_ID, lostConnection } from '../helpers/fake-aws.js';
import { answersFile, cli } from '../helpers/run-cli.js';
import { readFileSync } from 'node:fs';
import { isReadOperation } from '../../src/aws/actions.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
  fake.withOrganization();
});
afterEach(() => fake.restore());

/** `n` new accounts acme-e1 ... acme-e<n>, each with its own email. */
const names = (n: number) => Array.from({ length: n }, (_, i) => `acme-e${i + 1}`);
const emailOf = (name: string) => `aws+${name.slice(5)}@acme.example`;
const FILE = (accounts: string[]) =>
  answersFile(`version: 1
steps:
  member-accounts:
    accounts:
${accounts.map((n) => `      - { name: ${n}, email: '${emailOf(n)}', ou: Workloads }`).join('\n')}
`);

const callsOf = (operation: string) => fake.calls.filter((c) => c.operation === operation);
const members = () => [...fake.orgAccounts.values()].filter((a) => a.Id !== MANAGEMENT_ID);

describe('many new member accounts in one apply', () => {
  it('makes ten accounts side by side, at most five requests at once, each once, polled by one shared loop', async () => {
    fake.accountQuota = 20;
    // AWS's clock, not the polls, ends a request here: CREATION_MS after it was made, however often it
    // is polled. The waits run 200 times faster than the poll's backoff asks.
    const CREATION_MS = 60_000;
    const SPEED = 200;
    fake.creationPolls = 1_000_000;
    const madeAt = new Map<string, number>();
    const sleep = async (ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, ms / SPEED));
      const now = performance.now();
      for (const r of fake.createRequests.values()) {
        if (!madeAt.has(r.Id)) madeAt.set(r.Id, now);
        if (r.pollsLeft > 0 && (now - (madeAt.get(r.Id) ?? now)) * SPEED >= CREATION_MS) r.pollsLeft = 0;
      }
    };
    const ten = names(10);
    const file = FILE(ten);
    const run = await cli(['apply', '--yes', '--answers', file], { sleep });
    expect(run.code, run.stderr).toBe(0);

    expect(callsOf('CreateAccount').map((c) => c.input.AccountName)).toEqual(ten);
    expect(
      members()
        .map((a) => a.Name)
        .sort(),
    ).toEqual([...ten].sort());
    // Side by side up to the figure of five, never past it.
    expect(fake.maxCreationsInProgress).toBe(5);
    // One describe per request, once it has left the IN_PROGRESS list; every list asks for IN_PROGRESS only.
    expect(callsOf('DescribeCreateAccountStatus')).toHaveLength(10);
    const lists = callsOf('ListCreateAccountStatus');
    for (const l of lists) expect(l.input.States).toEqual(['IN_PROGRESS']);
    // Each account waits at least 60 s, which a loop of its own covers with 7 polls at the least
    // (2 + 4 + 8 + 15 + 15 + 15 s is under 60 s): ten such loops would send 70 or more.
    expect(lists.length + 10).toBeLessThan(70);

    expect((await cli(['plan', '--detailed-exitcode', '--answers', file])).code).toBe(0);
    const verify = await cli(['verify', '--answers', file]);
    expect(verify.code, verify.stdout).toBe(0);
  });

  it("gives the new accounts their baselines side by side, five accounts at a time, each account's changes in order", async () => {
    fake.accountQuota = 20;
    fake.delayMs = 2;
    const eight = names(8);
    const file = answersFile(`${readFileSync(FILE(eight), 'utf8')}  password-policy: {}\n  s3-block-public-access: {}\n`);
    const writes: { account: string; step: string }[] = [];
    const onSend = (e: { step: string; account: { id: string }; service: string; operation: string }) => {
      if (!isReadOperation(e.service as never, e.operation) && e.account.id !== MANAGEMENT_ID)
        writes.push({ account: e.account.id, step: e.step });
    };
    const run = await cli(['apply', '--yes', '--answers', file], { onSend });
    expect(run.code, run.stderr).toBe(0);

    const accounts = [...new Set(writes.map((w) => w.account))];
    expect(accounts).toHaveLength(8);
    // Each account's own changes in registry order: its password policy before its Block Public Access.
    for (const a of accounts) {
      expect(writes.filter((w) => w.account === a).map((w) => w.step)).toEqual(['password-policy', 's3-block-public-access']);
    }
    // Between an account's first and last write, how many accounts were under way: more than one, at most five.
    const span = new Map(
      accounts.map((a) => [a, [writes.findIndex((w) => w.account === a), writes.findLastIndex((w) => w.account === a)]]),
    );
    const underWay = writes.map(
      (_, i) => [...span.values()].filter(([first, last]) => (first as number) <= i && i <= (last as number)).length,
    );
    expect(Math.max(...underWay)).toBeGreaterThan(1);
    expect(Math.max(...underWay)).toBeLessThanOrEqual(5);
    expect((await cli(['verify', '--answers', file])).code).toBe(0);
  });

  it('Ctrl-C while accounts are being made lets those in flight finish and starts no more', async () => {
    fake.accountQuota = 20;
    const seven = names(7);
    const file = FILE(seven);
    const interrupt = new AbortController();
    const run = await cli(['apply', '--yes', '--answers', file], {
      signal: interrupt.signal,
      onSend: (e) => {
        if (e.operation === 'CreateAccount') interrupt.abort();
      },
    });
    expect(run.code).toBe(130);
    // The first five had started when Ctrl-C came: they finished; the last two were never started.
    expect(callsOf('CreateAccount').map((c) => c.input.AccountName)).toEqual(seven.slice(0, 5));
    expect(members()).toHaveLength(5);

    const rerun = await cli(['apply', '--yes', '--answers', file]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(callsOf('CreateAccount').map((c) => c.input.AccountName)).toEqual(seven);
  });

  it.each([
    ['the first', 2],
    ['the last', 6],
  ])('a lost CreateAccount answer (%s) among several parallel ones still makes nothing twice', async (_which, write) => {
    const five = names(5);
    const file = FILE(five);
    fake.creationPolls = 2;
    // Write 1 makes the Workloads OU; writes 2 to 6 are the five CreateAccount requests, sent side by side.
    fake.failWrite = { number: write, error: lostConnection(), afterHandler: true };
    const run = await cli(['apply', '--yes', '--answers', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/CreateAccount.*read back before sending anything again/);
    expect(callsOf('CreateAccount').map((c) => c.input.AccountName)).toEqual(five);
    expect(
      members()
        .map((a) => a.Name)
        .sort(),
    ).toEqual(five);
    // The read back follows only its own request: each account is moved into its OU by its own change, once.
    expect(callsOf('MoveAccount')).toHaveLength(5);
    expect((await cli(['plan', '--detailed-exitcode', '--answers', file])).code).toBe(0);
  });

  it("one account's EMAIL_ALREADY_EXISTS does not stop the other accounts", async () => {
    const four = names(4);
    const file = FILE(four);
    fake.creationFailures.set(emailOf('acme-e2'), 'EMAIL_ALREADY_EXISTS');
    const run = await cli(['apply', '--yes', '--answers', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /the email aws\+e2@acme\.example already belongs to an AWS account.*steps\.member-accounts\.accounts\[1\]\.email/,
    );
    expect(callsOf('CreateAccount').map((c) => c.input.AccountName)).toEqual(four);
    expect(
      members()
        .map((a) => a.Name)
        .sort(),
    ).toEqual(['acme-e1', 'acme-e3', 'acme-e4']);
  });
});

describe('CONCURRENT_ACCOUNT_MODIFICATION', () => {
  it('twice, then success: the account is made once, each request sent again after a longer wait', async () => {
    const file = FILE(['acme-e1']);
    fake.creationFailures.set(emailOf('acme-e1'), { reason: 'CONCURRENT_ACCOUNT_MODIFICATION', times: 2 });
    const waits: number[] = [];
    const run = await cli(['apply', '--yes', '--answers', file], { sleep: async (ms) => void waits.push(ms) });
    expect(run.code, run.stderr).toBe(0);
    // Two requests that AWS ended FAILED made nothing; the third made the account.
    expect(callsOf('CreateAccount')).toHaveLength(3);
    expect([...fake.createRequests.values()].map((r) => r.State)).toEqual(['FAILED', 'FAILED', 'SUCCEEDED']);
    expect(members().map((a) => a.Email)).toEqual([emailOf('acme-e1')]);
    // The waits before sending again double (the poll's own waits are 2 s and up).
    expect(waits.filter((ms) => ms >= 10_000)).toEqual([10_000, 20_000]);
  });

  it('to the last attempt, fails that account alone with the explanation', async () => {
    const file = FILE(['acme-e1', 'acme-e2']);
    fake.creationFailures.set(emailOf('acme-e1'), 'CONCURRENT_ACCOUNT_MODIFICATION');
    const run = await cli(['apply', '--yes', '--answers', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('another change to the organization was in progress while acme-e1 was being created');
    // The first request and three more; then it is reported.
    expect(callsOf('CreateAccount').filter((c) => c.input.AccountName === 'acme-e1')).toHaveLength(4);
    expect(members().map((a) => a.Name)).toEqual(['acme-e2']);
  });
});

describe('the account quota, before the first write', () => {
  /** An organization of `held` accounts, the management account included. */
  const holding = (held: number) => {
    for (let i = 1; i < held; i++) fake.addMemberAccount(`old-${i}`, `old-${i}@acme.example`);
  };

  it('an organization at 8 of 10 with 3 new accounts fails at plan, naming the figures and the way to ask for more', async () => {
    holding(8);
    const file = FILE(names(3));
    for (const command of ['plan', 'apply']) {
      const run = await cli([command, ...(command === 'apply' ? ['--yes'] : []), '--answers', file]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        "member-accounts (plan) in account 111111111111 (management) failed: the organization's quota is 10 accounts and it holds 8",
      );
      expect(run.stderr).toContain('these answers add 3 (acme-e1, acme-e2, acme-e3), 1 too many');
      expect(run.stderr).toContain(
        'Service Quotas console (region us-east-1) > AWS services > AWS Organizations > "Default maximum number of accounts"',
      );
    }
    expect(fake.writes).toEqual([]);
    // The quota was never raised: its applied value does not exist, AWS's default does; both read in us-east-1.
    expect(callsOf('GetServiceQuota')[0]).toMatchObject({
      region: 'us-east-1',
      input: { ServiceCode: 'organizations', QuotaCode: 'L-E619E033' },
    });
    expect(callsOf('GetAWSDefaultServiceQuota')[0]?.region).toBe('us-east-1');
  });

  it('with a raised quota (GetServiceQuota answering 20) goes on and makes the accounts', async () => {
    holding(8);
    fake.accountQuota = 20;
    const file = FILE(names(3));
    const run = await cli(['apply', '--yes', '--answers', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(callsOf('GetAWSDefaultServiceQuota')).toEqual([]);
    expect(members()).toHaveLength(10);
  });

  it('that cannot be read (AccessDenied) gives a short note and goes on', async () => {
    fake.quotaReadDenied = true;
    const file = FILE(names(2));
    const run = await cli(['apply', '--yes', '--answers', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      "member-accounts: the organization's account quota could not be checked before creating 2 accounts (servicequotas:GetServiceQuota was denied)",
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(members()).toHaveLength(2);
  });

  it('counts only the new accounts: a converged organization at its quota plans nothing and reads no quota', async () => {
    holding(9);
    const file = FILE(names(1));
    fake.accountQuota = 10;
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    const before = callsOf('GetServiceQuota').length;
    expect((await cli(['plan', '--detailed-exitcode', '--answers', file])).code).toBe(0);
    expect(callsOf('GetServiceQuota')).toHaveLength(before);
  });
});
