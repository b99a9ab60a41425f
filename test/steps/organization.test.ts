import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planAll, verifyAll } from '../../src/engine/runner.js';
import { FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';
import { engineRun, expectConvergence } from '../helpers/converge.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const answers = { version: 1, steps: { organization: {} } };
const FILE = 'version: 1\nsteps:\n  organization: {}\n';

describe('organization', () => {
  it('converges on a fresh account: all features, trusted access for three services, centralized root access', async () => {
    const first = await expectConvergence(await engineRun(['organization'], answers));
    expect(first.changes.map((c) => c.address)).toEqual([
      'organizations:organization',
      'organizations:trusted-access/cloudtrail.amazonaws.com',
      'organizations:trusted-access/iam.amazonaws.com',
      'organizations:trusted-access/account.amazonaws.com',
      'iam:organizations-feature/RootCredentialsManagement',
      'iam:organizations-feature/RootSessions',
    ]);
    expect(fake.organization).toMatchObject({ FeatureSet: 'ALL', MasterAccountId: MANAGEMENT_ID });
    expect([...fake.rootFeatures].sort()).toEqual(['RootCredentialsManagement', 'RootSessions']);
  });

  it('adopts an existing all-features organization this account manages, says so, and plans only what is missing', async () => {
    fake.organization = {
      Id: 'o-existing01',
      Arn: `arn:aws:organizations::${MANAGEMENT_ID}:organization/o-existing01`,
      FeatureSet: 'ALL',
      MasterAccountId: MANAGEMENT_ID,
    };
    fake.serviceAccess.add('cloudtrail.amazonaws.com');
    const opts = await engineRun(['organization'], answers);
    const { changes } = await planAll(opts);
    expect(changes.map((c) => c.address)).toEqual([
      'organizations:trusted-access/iam.amazonaws.com',
      'organizations:trusted-access/account.amazonaws.com',
      'iam:organizations-feature/RootCredentialsManagement',
      'iam:organizations-feature/RootSessions',
    ]);
    const run = await cli(['plan', '--answers', answersFile(FILE)]);
    expect(run.stderr).toContain('organization: using the existing organization o-existing01 (all features, managed by this account)');
  });

  it('refuses a consolidated-billing organization with the fix, exit 1, and writes nothing', async () => {
    fake.organization = {
      Id: 'o-billing001',
      Arn: 'arn:aws:organizations::111111111111:organization/o-billing001',
      FeatureSet: 'CONSOLIDATED_BILLING',
      MasterAccountId: MANAGEMENT_ID,
    };
    for (const command of ['plan', 'apply']) {
      const run = await cli([command, '--yes', '--answers', answersFile(FILE)].filter((a) => command === 'apply' || a !== '--yes'));
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('organization o-billing001 has only consolidated billing');
      expect(run.stderr).toContain('Begin process to enable all features');
    }
    expect(fake.writes).toEqual([]);
  });

  it('refuses to run from a member account, naming the management account to use, and writes nothing', async () => {
    fake.organization = {
      Id: 'o-theirs0001',
      Arn: 'arn:aws:organizations::999999999999:organization/o-theirs0001',
      FeatureSet: 'ALL',
      MasterAccountId: '999999999999',
    };
    const run = await cli(['apply', '--yes', '--answers', answersFile(FILE)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`this account (${MANAGEMENT_ID}) is a member of organization o-theirs0001`);
    expect(run.stderr).toContain('credentials of the management account 999999999999');
    expect(fake.writes).toEqual([]);
  });

  it('detects trusted access or centralized root access turned off', async () => {
    const opts = await engineRun(['organization'], answers);
    await expectConvergence(opts);
    fake.serviceAccess.delete('account.amazonaws.com');
    fake.rootFeatures.delete('RootSessions');
    const failing = (await verifyAll(opts)).filter((f) => f.status === 'fail');
    expect(failing.map((f) => [f.check, f.reason])).toEqual([
      ['organization.trusted-access', 'trusted access is off for account.amazonaws.com'],
      ['organization.centralized-root-access', 'centralized root access is off: RootSessions'],
    ]);
  });
});
