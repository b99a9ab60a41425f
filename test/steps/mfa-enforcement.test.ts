import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planAll, verifyAll } from '../../src/engine/runner.js';
import { mfaPolicyDocument } from '../../steps/mfa-enforcement/policy-document.js';
import { FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';
import { engineRun, expectConvergence, applyOrThrow } from '../helpers/converge.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
  fake.management.groups.set('Admins', { arn: `arn:aws:iam::${MANAGEMENT_ID}:group/Admins`, attached: new Set(), users: new Set() });
});
afterEach(() => fake.restore());

const POLICY_ARN = `arn:aws:iam::${MANAGEMENT_ID}:policy/aws-groundwork/AwsGroundworkRequireMFA`;
const answers = { version: 1, steps: { 'mfa-enforcement': {} } };
const policyVersions = () => fake.management.policies.get(POLICY_ARN)?.versions ?? [];
const defaultDocument = () => JSON.parse(decodeURIComponent(policyVersions().find((v) => v.IsDefaultVersion)?.Document ?? '{}'));

describe('mfa-enforcement', () => {
  it('converges: creates the policy from its template and attaches it to the admin group', async () => {
    const first = await expectConvergence(await engineRun(['mfa-enforcement'], answers));
    expect(first.changes.map((c) => [c.address, c.action, c.risk])).toEqual([
      ['iam:policy/aws-groundwork/AwsGroundworkRequireMFA', 'create', 'security'],
      ['iam:group/Admins/policy/AwsGroundworkRequireMFA', 'create', 'security'],
    ]);
    expect(defaultDocument()).toEqual(mfaPolicyDocument('aws'));
    expect(fake.management.groups.get('Admins')?.attached.has(POLICY_ARN)).toBe(true);
  });

  it('detects an edited policy (SSB ACCT.05) and restores the template as a new default version', async () => {
    const opts = await engineRun(['mfa-enforcement'], answers);
    await expectConvergence(opts);
    const policy = fake.management.policies.get(POLICY_ARN)!;
    policy.versions = [
      { VersionId: 'v1', Document: encodeURIComponent('{"Version":"2012-10-17","Statement":[]}'), IsDefaultVersion: true, seq: 1 },
    ];
    expect((await verifyAll(opts)).find((f) => f.check === 'mfa-enforcement.policy-attached')).toMatchObject({
      status: 'fail',
      reason: 'the MFA-required policy AwsGroundworkRequireMFA was changed from its template',
    });
    const { changes } = await planAll(opts);
    expect(changes).toEqual([expect.objectContaining({ action: 'update', address: 'iam:policy/aws-groundwork/AwsGroundworkRequireMFA' })]);
    await applyOrThrow(opts, changes);
    expect(defaultDocument()).toEqual(mfaPolicyDocument('aws'));
    expect((await verifyAll(opts)).every((f) => f.status === 'pass')).toBe(true);
  });

  it('makes room when the policy already has five versions, deleting the oldest non-default one', async () => {
    const opts = await engineRun(['mfa-enforcement'], answers);
    await expectConvergence(opts);
    const policy = fake.management.policies.get(POLICY_ARN)!;
    const edited = encodeURIComponent('{"Version":"2012-10-17","Statement":[]}');
    policy.versions = [1, 2, 3, 4, 5].map((n) => ({ VersionId: `v${n}`, Document: edited, IsDefaultVersion: n === 3, seq: n }));
    policy.nextVersion = 6;
    await applyOrThrow(opts, (await planAll(opts)).changes);
    expect(policyVersions().map((v) => v.VersionId)).toEqual(['v2', 'v3', 'v4', 'v5', 'v6']);
    expect(defaultDocument()).toEqual(mfaPolicyDocument('aws'));
  });

  it('detects the policy detached from the group, and apply attaches it again', async () => {
    const opts = await engineRun(['mfa-enforcement'], answers);
    await expectConvergence(opts);
    fake.management.groups.get('Admins')?.attached.delete(POLICY_ARN);
    expect((await verifyAll(opts)).find((f) => f.check === 'mfa-enforcement.policy-attached')?.reason).toBe(
      'AwsGroundworkRequireMFA is not attached to Admins',
    );
    await applyOrThrow(opts, (await planAll(opts)).changes);
    expect(fake.management.groups.get('Admins')?.attached.has(POLICY_ARN)).toBe(true);
  });

  it('fails CIS 1.9 naming every IAM user with a console password and no MFA', async () => {
    const opts = await engineRun(['mfa-enforcement'], answers);
    await expectConvergence(opts);
    const user = (name: string, console: boolean, mfa: boolean) =>
      fake.management.users.set(name, {
        arn: `arn:aws:iam::${MANAGEMENT_ID}:user/${name}`,
        loginProfile: console ? { password: 'x', passwordResetRequired: false } : null,
        accessKeys: [],
        mfaDevices: mfa ? [`arn:aws:iam::${MANAGEMENT_ID}:mfa/${name}`] : [],
        attached: new Set(),
      });
    user('alice', true, false);
    user('bob', true, true);
    user('carol', true, false);
    user('ci-bot', false, false);
    const cis = (await verifyAll(opts)).find((f) => f.check === 'mfa-enforcement.console-users-have-mfa');
    expect(cis).toMatchObject({ status: 'fail', reason: 'IAM users with a console password and no MFA: alice, carol' });
    expect(cis?.remediation).toContain('Assign MFA device');
  });
});

describe('the lock-out guard', () => {
  const file = () => answersFile('version: 1\nsteps:\n  mfa-enforcement: {}\n');
  const inAdmins = () => fake.management.groups.get('Admins')?.users.add('founder');

  it('refuses, before any write, when the caller is in the group and uses long-term keys (exit 1, names the group and the way out)', async () => {
    inAdmins();
    const run = await cli(['apply', '--yes', '--answers', file()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('you (IAM user founder) are in Admins');
    expect(run.stderr).toContain('long-term access keys');
    expect(run.stderr).toContain('Way out: run again with an MFA session');
    expect(run.stderr).toContain('CloudShell');
    expect(fake.writes).toEqual([]);
  });

  it('refuses a session without an MFA device even with temporary credentials', async () => {
    inAdmins();
    const run = await cli(['apply', '--yes', '--answers', file()], {
      credentials: async () => ({ accessKeyId: 'ASIAFOUNDER', secretAccessKey: 'x', sessionToken: 'token' }),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('you have no MFA device');
    expect(fake.writes).toEqual([]);
  });

  it('proceeds with an MFA session: temporary credentials and a registered device', async () => {
    inAdmins();
    fake.management.users.get('founder')?.mfaDevices.push(`arn:aws:iam::${MANAGEMENT_ID}:mfa/founder`);
    const run = await cli(['apply', '--yes', '--answers', file()], {
      credentials: async () => ({ accessKeyId: 'ASIAFOUNDER', secretAccessKey: 'x', sessionToken: 'token' }),
    });
    expect(run.code).toBe(0);
    expect(fake.management.groups.get('Admins')?.attached.has(POLICY_ARN)).toBe(true);
  });

  it('also refuses when the same run would add the caller to the group', async () => {
    const opts = await engineRun(['admin-group', 'mfa-enforcement'], {
      version: 1,
      steps: { 'admin-group': { users: ['founder'] }, 'mfa-enforcement': {} },
    });
    await expect(applyOrThrow(opts, (await planAll(opts)).changes)).rejects.toThrow(/you \(IAM user founder\) are in Admins/);
    expect(fake.writes).toEqual([]);
  });

  it('lets a caller outside the group (or a role, or root) apply', async () => {
    const run = await cli(['apply', '--yes', '--answers', file()]);
    expect(run.code).toBe(0);
  });
});
