import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IAMServiceException } from '@aws-sdk/client-iam';
import { FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';
import { EXAMPLE_ANSWERS, answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const accessDenied = (action: string) =>
  new IAMServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: `User: arn:aws:iam::${MANAGEMENT_ID}:user/founder is not authorized to perform: ${action}`,
  });

describe('an AWS error', () => {
  it.each(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'])(
    '%s names the step, the action and the permission to add, and points to `permissions`',
    async (name) => {
      fake.failNext('PutPublicAccessBlock', Object.assign(accessDenied('s3:PutAccountPublicAccessBlock'), { name }));
      const run = await cli([
        'apply',
        '--yes',
        '--only',
        's3-block-public-access',
        '--answers',
        answersFile('version: 1\nsteps:\n  s3-block-public-access: {}\n'),
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `s3-block-public-access (apply) in account ${MANAGEMENT_ID} (management): s3:PutAccountPublicAccessBlock was denied`,
      );
      expect(run.stderr).toContain('Allow s3:PutAccountPublicAccessBlock');
      expect(run.stderr).toContain('`aws-groundwork permissions`');
    },
  );

  it('AccessDenied during apply exits 1 naming the step, the account, the action and the permission to add', async () => {
    const file = answersFile(EXAMPLE_ANSWERS);
    fake.failNext('UpdateAccountPasswordPolicy', accessDenied('iam:UpdateAccountPasswordPolicy'));
    const run = await cli(['apply', '--yes', '--answers', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `password-policy (apply) in account ${MANAGEMENT_ID} (management): iam:UpdateAccountPasswordPolicy was denied`,
    );
    expect(run.stderr).toContain('Allow iam:UpdateAccountPasswordPolicy');
    expect(run.stderr).toContain('`aws-groundwork permissions`');

    // The change before it stays made; a re-run converges and makes only the missing change.
    expect(fake.management.alias).toBe('acme');
    const writes = fake.writes.length;
    const rerun = await cli(['apply', '--yes', '--answers', file]);
    expect(rerun.code).toBe(0);
    expect(fake.writes.slice(writes).map((w) => w.operation)).toEqual(['UpdateAccountPasswordPolicy']);
  });

  it("during plan still shows the other steps' changes, then exits 1 naming the failed read", async () => {
    fake.failNext('ListAccountAliases', accessDenied('iam:ListAccountAliases'));
    const run = await cli(['plan', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('+ iam:account-password-policy');
    expect(run.stderr).toContain('account-alias (plan) in account 111111111111 (management): iam:ListAccountAliases was denied');
    expect(fake.writes).toEqual([]);
  });

  it('during verify becomes an error finding for that step and exit 3', async () => {
    const file = answersFile(EXAMPLE_ANSWERS);
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    fake.failNext('GetAccountPasswordPolicy', accessDenied('iam:GetAccountPasswordPolicy'));
    const run = await cli(['verify', '--answers', file]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/ERROR\s+CIS 1\.7\s+password-policy\s+.*iam:GetAccountPasswordPolicy was denied/);
    expect(run.stdout).toMatch(/PASS\s+GW\.ALIAS/);
  });
});

describe('a network failure on the way to AWS itself (no custom endpoint)', () => {
  it.each([
    ['ECONNREFUSED', 'connection refused'],
    ['ENOTFOUND', 'host name not found'],
    ['ECONNRESET', 'connection reset'],
  ])('%s is reported as a network problem, not as AWS refusing', async (code, words) => {
    for (let i = 0; i < 6; i++) {
      fake.failNext('GetCallerIdentity', Object.assign(new Error(`connect ${code} 52.94.0.1:443`), { code }));
    }
    const run = await cli(['plan', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`could not reach AWS to ask who you are (sts:GetCallerIdentity, ${words})`);
    expect(run.stderr).toContain('the connection kept failing');
    expect(run.stderr).toContain('network problem between this machine and AWS, not an answer from AWS');
    expect(run.stderr).not.toContain('AWS kept refusing');
    expect(run.stderr).not.toContain('try again later');
    expect(fake.calls.filter((c) => c.operation === 'GetCallerIdentity')).toHaveLength(6);
  });

  it('throttling of the first call that outlasts the retries still says AWS kept refusing it', async () => {
    for (let i = 0; i < 6; i++) {
      fake.failNext(
        'GetCallerIdentity',
        Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 } }),
      );
    }
    const run = await cli(['plan', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('could not ask AWS who you are (sts:GetCallerIdentity): Throttling: Rate exceeded');
    expect(run.stderr).toContain('AWS kept refusing it: try again later');
  });
});
