import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planAll, verifyAll } from '../../src/engine/runner.js';
import { FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';
import { engineRun, expectConvergence, applyOrThrow } from '../helpers/converge.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const answers = (users: string[] = [], extra: Record<string, unknown> = {}) => ({
  version: 1,
  steps: { 'admin-group': { users }, ...extra },
});

function attachCustomerPolicy(name: string, document: unknown, to: { role?: string; group?: string }) {
  const arn = `arn:aws:iam::${MANAGEMENT_ID}:policy/${name}`;
  fake.management.policies.set(arn, {
    arn,
    name,
    path: '/',
    versions: [{ VersionId: 'v1', Document: encodeURIComponent(JSON.stringify(document)), IsDefaultVersion: true, seq: 1 }],
    nextVersion: 2,
  });
  if (to.role) fake.management.roles.set(to.role, { attached: new Set([arn]) });
  if (to.group) fake.management.groups.get(to.group)?.attached.add(arn);
  return arn;
}

describe('admin-group', () => {
  it('converges on a fresh account: the group with the AWS-managed AdministratorAccess policy', async () => {
    const first = await expectConvergence(await engineRun(['admin-group'], answers()));
    expect(first.changes.map((c) => [c.address, c.action])).toEqual([
      ['iam:group/Admins', 'create'],
      ['iam:group/Admins/policy/AdministratorAccess', 'create'],
    ]);
    expect([...(fake.management.groups.get('Admins')?.attached ?? [])]).toEqual([ADMIN]);
    expect(fake.management.policies.size).toBe(0); // never a home-made *:* policy
  });

  it('creates console-only admin users with a one-time password that must be reset, and no access keys', async () => {
    const opts = await engineRun(['admin-group'], answers(['alice', 'bob']));
    // expectConvergence, keeping the apply's result: the one-time secrets are in it.
    const first = await planAll(opts);
    expect(first.failures).toEqual([]);
    expect(first.changes.length).toBeGreaterThan(0);
    const { secrets } = await applyOrThrow(opts, first.changes);
    const second = await planAll(opts);
    expect(second.failures).toEqual([]);
    expect(second.changes).toEqual([]);
    expect((await verifyAll(opts)).filter((f) => f.status !== 'pass')).toEqual([]);
    for (const name of ['alice', 'bob']) {
      const user = fake.management.users.get(name);
      expect(user?.loginProfile?.passwordResetRequired).toBe(true);
      expect(user?.accessKeys).toEqual([]);
      expect(fake.management.groups.get('Admins')?.users.has(name)).toBe(true);
    }
    expect(first.changes.filter((c) => c.revealsSecret).map((c) => c.address)).toEqual([
      'iam:user/alice/login-profile',
      'iam:user/bob/login-profile',
    ]);
    // Each password is handed over once, and appears in no plan.
    expect(secrets.map((s) => s.secret)).toEqual([
      fake.management.users.get('alice')?.loginProfile?.password,
      fake.management.users.get('bob')?.loginProfile?.password,
    ]);
    expect(secrets[0]?.label).toContain(`https://${MANAGEMENT_ID}.signin.aws.amazon.com/console`);
    const password = secrets[0]?.secret as string;
    expect(password).toHaveLength(32);
    expect(password).toMatch(/[a-z]/);
    expect(password).toMatch(/[A-Z]/);
    expect(password).toMatch(/[0-9]/);
    expect(password).toMatch(/[^a-zA-Z0-9]/);
    expect(JSON.stringify(first.changes)).not.toContain(password);
    expect(fake.writes.some((w) => w.operation === 'CreateAccessKey')).toBe(false);
  });

  it('still hands over the one-time password when the answer to CreateLoginProfile is lost after IAM set it', async () => {
    const opts = await engineRun(['admin-group'], answers(['alice']));
    fake.loseAnswerNext('CreateLoginProfile');
    const { secrets } = await applyOrThrow(opts, (await planAll(opts)).changes);
    const profile = fake.management.users.get('alice')?.loginProfile;
    // Read back, not sent again: one password, the one IAM holds, shown once.
    expect(fake.writes.filter((w) => w.operation === 'CreateLoginProfile')).toHaveLength(1);
    expect(secrets.map((s) => s.secret)).toEqual([profile?.password]);
    expect((await planAll(opts)).changes).toEqual([]);
  });

  it('makes the one-time password as long as a stricter password policy demands', async () => {
    fake.management.passwordPolicy = { MinimumPasswordLength: 40 };
    const opts = await engineRun(['admin-group'], answers(['alice']));
    await applyOrThrow(opts, (await planAll(opts)).changes);
    expect(fake.management.users.get('alice')?.loginProfile?.password).toHaveLength(40);
  });

  it('fails CIS 1.15 naming an attached customer-managed "*:*" policy, and ignores unattached or narrower ones', async () => {
    const opts = await engineRun(['admin-group'], answers());
    await expectConvergence(opts);
    attachCustomerPolicy(
      'DeployEverything',
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      { role: 'deploy' },
    );
    attachCustomerPolicy(
      'ReadBuckets',
      { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:Get*', Resource: '*' } },
      { group: 'Admins' },
    );
    attachCustomerPolicy('Unused', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }] }, {});
    const cis = (await verifyAll(opts)).find((f) => f.check === 'admin-group.no-full-admin-custom-policy');
    expect(cis).toMatchObject({ status: 'fail', reason: 'customer-managed policies allowing "*:*" are attached: DeployEverything' });
    expect(cis?.remediation).toContain('Detach DeployEverything');
  });

  it('detects a detached AdministratorAccess policy (SSB ACCT.04), and apply restores it', async () => {
    const opts = await engineRun(['admin-group'], answers());
    await expectConvergence(opts);
    fake.management.groups.get('Admins')?.attached.clear();
    expect((await verifyAll(opts)).find((f) => f.check === 'admin-group.administrator-access')).toMatchObject({
      status: 'fail',
      reason: 'the group Admins lacks the AWS-managed AdministratorAccess policy',
    });
    const { changes } = await planAll(opts);
    expect(changes.map((c) => c.address)).toEqual(['iam:group/Admins/policy/AdministratorAccess']);
    await applyOrThrow(opts, changes);
    expect((await verifyAll(opts)).every((f) => f.status === 'pass')).toBe(true);
  });

  it('fails SSB ACCT.03 for an admin user with access keys, naming the key and how to delete it', async () => {
    const opts = await engineRun(['admin-group'], answers(['alice']));
    await expectConvergence(opts);
    fake.management.users.get('alice')?.accessKeys.push({ AccessKeyId: 'AKIAALICE', Status: 'Active' });
    const finding = (await verifyAll(opts)).find((f) => f.resource === 'iam:user/alice');
    expect(finding).toMatchObject({
      check: 'admin-group.admins-console-only',
      status: 'fail',
      reason: 'alice has access keys (AKIAALICE)',
    });
    expect(finding?.remediation).toContain("Delete alice's access keys");
  });

  it('adopts an existing group and user, planning only what is missing', async () => {
    fake.management.groups.set('Admins', {
      arn: `arn:aws:iam::${MANAGEMENT_ID}:group/Admins`,
      attached: new Set([ADMIN]),
      users: new Set(),
    });
    fake.management.users.set('alice', {
      arn: `arn:aws:iam::${MANAGEMENT_ID}:user/alice`,
      loginProfile: { password: 'existing', passwordResetRequired: false },
      accessKeys: [],
      mfaDevices: [],
      attached: new Set(),
    });
    const { changes } = await planAll(await engineRun(['admin-group'], answers(['alice'])));
    expect(changes.map((c) => c.address)).toEqual(['iam:group/Admins/member/alice']);
  });
});
