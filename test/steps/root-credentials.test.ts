import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsSession } from '../../src/aws/session.js';
import { planAll, verifyAll, type RunOptions } from '../../src/engine/runner.js';
import { TestHost } from '../../src/io/test-host.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { engineRun, expectConvergence } from '../helpers/converge.js';
import { TEST_ENV, answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const STEP = 'root-credentials';
const OPT_IN = { version: 1, steps: { [STEP]: { deleteRootAccessKeys: true } } };
const OPT_IN_FILE = `version: 1\nsteps:\n  ${STEP}: { deleteRootAccessKeys: true }\n`;
const NO_OPT_IN_FILE = `version: 1\nsteps:\n  ${STEP}: {}\n`;

/**
 * A root key that is also the one the run signs with. The default test credentials sign with other ids
 * ('A' in converge.ts, 'AKIDEXAMPLE' in run-cli.ts), so these are passed in where the session key matters.
 */
const SESSION_KEY = 'AKIAROOTSESSION';
const sessionCredentials = async () => ({ accessKeyId: SESSION_KEY, secretAccessKey: 'not-a-secret' });

function giveRootKeys(...ids: string[]): void {
  fake.management.root.accessKeys = ids.map((AccessKeyId) => ({ AccessKeyId, Status: 'Active' as const }));
}

const deletes = () => fake.writes.filter((w) => w.operation === 'DeleteAccessKey');
const rootKeyIds = () => fake.management.root.accessKeys.map((k) => k.AccessKeyId);

/** Runner options like `engineRun`'s, but signing with the given access key id. */
async function engineRunSigningWith(accessKeyId: string, answersDoc: unknown): Promise<RunOptions> {
  const opts = await engineRun([STEP], answersDoc);
  opts.session.close();
  const session = await AwsSession.create({ env: TEST_ENV, credentials: async () => ({ accessKeyId, secretAccessKey: 'B' }) });
  return { ...opts, session };
}

describe('root-credentials as root', () => {
  it('converges: deletes every root access key, then passes CIS 1.3 and CIS 1.4 (root keys, root MFA)', async () => {
    fake.callAsRoot();
    giveRootKeys('AKIAROOTOLD1', 'AKIAROOTOLD2');
    const opts = await engineRun([STEP], OPT_IN);
    const first = await expectConvergence(opts);
    expect(first.changes).toEqual([
      expect.objectContaining({ action: 'delete', risk: 'destructive', address: 'iam:root/access-key/AKIAROOTOLD1', after: null }),
      expect.objectContaining({ action: 'delete', risk: 'destructive', address: 'iam:root/access-key/AKIAROOTOLD2', after: null }),
    ]);
    // Neither is the key this session signs with.
    expect(first.changes.some((c) => c.endsSession)).toBe(false);
    expect(fake.management.root.accessKeys).toEqual([]);
    expect(deletes().map((w) => w.input.AccessKeyId)).toEqual(['AKIAROOTOLD1', 'AKIAROOTOLD2']);
    const findings = await verifyAll(opts);
    expect(findings.map((f) => [f.check, f.status])).toEqual([
      ['root-credentials.no-root-access-keys', 'pass'],
      ['root-credentials.root-mfa', 'pass'],
    ]);
  });

  it('plans the key the session signs with last, marked as ending the session', async () => {
    fake.callAsRoot();
    // The session's key is listed first by AWS; the plan must still put it last.
    giveRootKeys(SESSION_KEY, 'AKIAROOTOTHER');
    const opts = await engineRunSigningWith(SESSION_KEY, OPT_IN);
    try {
      const { changes, failures } = await planAll(opts);
      expect(failures).toEqual([]);
      expect(changes.map((c) => c.address)).toEqual([`iam:root/access-key/AKIAROOTOTHER`, `iam:root/access-key/${SESSION_KEY}`]);
      expect(changes[0]?.endsSession).toBeUndefined();
      expect(changes[1]).toMatchObject({ action: 'delete', risk: 'destructive', endsSession: true });
      expect(changes[1]?.summary).toContain('the key this session signs with');
      expect(changes[1]?.summary).toContain('the run ends after it');
    } finally {
      opts.session.close();
    }
  });

  it('deletes the session key last through the CLI, exits 0 and skips verify saying why', async () => {
    fake.callAsRoot();
    giveRootKeys(SESSION_KEY, 'AKIAROOTOTHER');
    const run = await cli(['apply', '--yes', '--only', STEP, '--answers', answersFile(OPT_IN_FILE)], { credentials: sessionCredentials });
    expect(run.code, run.stderr).toBe(0);
    expect(fake.management.root.accessKeys).toEqual([]);
    expect(deletes().map((w) => w.input.AccessKeyId)).toEqual(['AKIAROOTOTHER', SESSION_KEY]);
    expect(fake.writes.at(-1)).toMatchObject({ operation: 'DeleteAccessKey', input: { AccessKeyId: SESSION_KEY } });
    // Nothing is called after the session's own key is gone: verify did not run.
    expect(fake.calls.at(-1)).toMatchObject({ operation: 'DeleteAccessKey', input: { AccessKeyId: SESSION_KEY } });
    expect(run.stderr).toContain('verify cannot run now');
    expect(run.stderr).toContain('Sign in as the new admin and run `aws-groundwork verify`');
    expect(run.stdout).not.toContain('Controls:');
  });

  it('warns that root is running and recommends finishing as the new admin', async () => {
    fake.callAsRoot();
    const host = new TestHost();
    const run = await cli(['plan', '--only', STEP, '--answers', answersFile(NO_OPT_IN_FILE)], { host });
    expect(run.code).toBe(0);
    const warning = host.messages.find((m) => m.code === 'GW_CALLER_IS_ROOT');
    expect(warning?.level).toBe('warn');
    expect(warning?.text).toContain('root user');
    expect(warning?.text).toContain('admin');

    const viaStderr = await cli(['verify', '--only', STEP, '--answers', answersFile(NO_OPT_IN_FILE)]);
    expect(viaStderr.stderr).toMatch(/warning: You are running as the root user\..*finish the set-up as that admin/);
  });

  it('gives no root warning to an IAM user', async () => {
    const host = new TestHost();
    await cli(['plan', '--only', STEP, '--answers', answersFile(NO_OPT_IN_FILE)], { host });
    expect(host.messages.map((m) => m.code)).not.toContain('GW_CALLER_IS_ROOT');
  });
});

describe('root-credentials as an IAM user', () => {
  it('plans nothing and deletes nothing, even with root keys present and the opt-in set', async () => {
    giveRootKeys('AKIAROOTOLD1', 'AKIAROOTOLD2');
    const opts = await engineRun([STEP], OPT_IN);
    const { changes, failures } = await planAll(opts);
    expect(failures).toEqual([]);
    expect(changes).toEqual([]);

    const run = await cli(['apply', '--yes', '--only', STEP, '--answers', answersFile(OPT_IN_FILE)]);
    expect(run.code, run.stderr).toBe(0);
    expect(deletes()).toEqual([]);
    expect(rootKeyIds()).toEqual(['AKIAROOTOLD1', 'AKIAROOTOLD2']);
    // ListAccessKeys without a user name would list the caller's own keys: those are untouched too.
    expect(fake.management.users.get('founder')?.accessKeys).toEqual([{ AccessKeyId: 'AKIAFOUNDER', Status: 'Active' }]);
  });

  it('reports CIS 1.3 (root access keys) as manual with the console path to delete root keys', async () => {
    giveRootKeys('AKIAROOTOLD1');
    const findings = await verifyAll(await engineRun([STEP], OPT_IN));
    const keys = findings.find((f) => f.check === 'root-credentials.no-root-access-keys');
    expect(keys).toMatchObject({ status: 'manual', reason: 'the root user has access keys' });
    expect(keys?.remediation).toContain('Security credentials');
    expect(keys?.remediation).toContain('Access keys');
    expect(findings.find((f) => f.check === 'root-credentials.root-mfa')?.status).toBe('pass');
  });

  it('reports CIS 1.4 (root MFA) as manual when root signs in with a password only, saying how to assign MFA', async () => {
    fake.management.root.mfa = false;
    const findings = await verifyAll(await engineRun([STEP], OPT_IN));
    expect(findings.find((f) => f.check === 'root-credentials.no-root-access-keys')?.status).toBe('pass');
    const mfa = findings.find((f) => f.check === 'root-credentials.root-mfa');
    expect(mfa?.status).toBe('manual');
    expect(mfa?.reason).toContain('password only');
    expect(mfa?.remediation).toContain('Security credentials');
    expect(mfa?.remediation).toContain('Assign MFA device');
  });

  it('verify through the CLI exits 0 with MANUAL lines: manual is not a failure', async () => {
    giveRootKeys('AKIAROOTOLD1');
    fake.management.root.mfa = false;
    const run = await cli(['verify', '--only', STEP, '--answers', answersFile(NO_OPT_IN_FILE)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/MANUAL\s+CIS 1\.3\s+root-credentials\s+the root user has access keys/);
    expect(run.stdout).toMatch(/MANUAL\s+CIS 1\.4\s+root-credentials\s+the root user signs in with a password only/);
    expect(run.stdout).toContain('next: Only the root user can delete them');
    expect(run.stdout).toContain('Controls: 0 pass, 0 fail, 2 manual, 0 error.');
    expect(fake.writes).toEqual([]);
  });
});

describe('root key deletion needs an explicit yes', () => {
  beforeEach(() => {
    fake.callAsRoot();
    giveRootKeys('AKIAROOTOLD1', 'AKIAROOTOLD2');
  });

  it('without a terminal, --yes alone is refused with exit 2, naming the opt-in, and nothing is deleted', async () => {
    const run = await cli(['apply', '--yes', '--only', STEP, '--answers', answersFile(NO_OPT_IN_FILE)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`set steps.${STEP}.deleteRootAccessKeys: true in the answers file`);
    expect(run.stderr).toContain('Destructive changes are never approved by --yes alone.');
    expect(deletes()).toEqual([]);
    expect(rootKeyIds()).toEqual(['AKIAROOTOLD1', 'AKIAROOTOLD2']);
  });

  it('without a terminal, the opt-in in the answers file deletes the keys and verify passes', async () => {
    const run = await cli(['apply', '--yes', '--only', STEP, '--answers', answersFile(OPT_IN_FILE)]);
    expect(run.code, run.stderr).toBe(0);
    expect(deletes().map((w) => w.input.AccessKeyId)).toEqual(['AKIAROOTOLD1', 'AKIAROOTOLD2']);
    expect(fake.management.root.accessKeys).toEqual([]);
    expect(run.stdout).toContain('Controls: 2 pass, 0 fail, 0 manual, 0 error.');
  });

  it('at a terminal, a declined typed confirmation exits 1 and deletes nothing, even with --yes', async () => {
    const host = new TestHost({ GW_APPROVE_DESTRUCTIVE: [false] });
    const run = await cli(['apply', '--yes', '--only', STEP, '--answers', answersFile(NO_OPT_IN_FILE)], { host });
    expect(run.code).toBe(1);
    expect(host.requests).toEqual([expect.objectContaining({ kind: 'typed-confirm', code: 'GW_APPROVE_DESTRUCTIVE', expected: 'delete' })]);
    expect(host.requests[0]?.message).toContain('AKIAROOTOLD1');
    expect(host.messages.at(-1)).toMatchObject({ level: 'error', code: 'DeclinedError' });
    expect(host.messages.at(-1)?.text).toContain('Nothing was changed');
    expect(deletes()).toEqual([]);
    expect(rootKeyIds()).toEqual(['AKIAROOTOLD1', 'AKIAROOTOLD2']);
  });

  it('at a terminal, typing delete for each key deletes both', async () => {
    const host = new TestHost({ GW_APPROVE_DESTRUCTIVE: [true, true] });
    const run = await cli(['apply', '--yes', '--only', STEP, '--answers', answersFile(NO_OPT_IN_FILE)], { host });
    expect(run.code, JSON.stringify(host.messages)).toBe(0);
    expect(host.requests.map((r) => [r.kind, (r as { expected?: string }).expected])).toEqual([
      ['typed-confirm', 'delete'],
      ['typed-confirm', 'delete'],
    ]);
    expect(deletes().map((w) => w.input.AccessKeyId)).toEqual(['AKIAROOTOLD1', 'AKIAROOTOLD2']);
    expect(fake.management.root.accessKeys).toEqual([]);
  });
});
