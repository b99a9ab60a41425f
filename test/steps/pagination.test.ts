/**
 * Steps reading lists that span several pages of the fake (`pageSize` 2, as AWS may truncate at any
 * size): what they find on the last page counts as much as what is on the first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { planAll, verifyAll } from '../../src/engine/runner.js';
import { KEY_TAG } from '../../steps/org-trail/key.js';
import { FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';
import { engineRun, expectConvergence, applyOrThrow } from '../helpers/converge.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

function addUser(name: string, opts: { console?: boolean; mfa?: boolean; keys?: string[] } = {}): void {
  fake.management.users.set(name, {
    arn: `arn:aws:iam::${MANAGEMENT_ID}:user/${name}`,
    loginProfile: opts.console ? { password: 'x', passwordResetRequired: false } : null,
    accessKeys: (opts.keys ?? []).map((AccessKeyId) => ({ AccessKeyId, Status: 'Active' as const })),
    mfaDevices: opts.mfa ? [`arn:aws:iam::${MANAGEMENT_ID}:mfa/${name}`] : [],
    attached: new Set(),
  });
}

function addCustomerPolicy(name: string, statement: unknown): string {
  const arn = `arn:aws:iam::${MANAGEMENT_ID}:policy/${name}`;
  const document = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: statement }));
  fake.management.policies.set(arn, {
    arn,
    name,
    path: '/',
    versions: [{ VersionId: 'v1', Document: document, IsDefaultVersion: true, seq: 1 }],
    nextVersion: 2,
  });
  return arn;
}

/** The Markers a step sent for `operation`, in order (undefined: the first page). */
const markersSent = (operation: string) => fake.calls.filter((c) => c.operation === operation).map((c) => c.input.Marker);

describe('pagination', () => {
  it('mfa-enforcement verify reads every page of users: the one console user without MFA is on the last page', async () => {
    fake.management.groups.set('Admins', { arn: `arn:aws:iam::${MANAGEMENT_ID}:group/Admins`, attached: new Set(), users: new Set() });
    const opts = await engineRun(['mfa-enforcement'], { version: 1, steps: { 'mfa-enforcement': {} } });
    await expectConvergence(opts);
    // founder (no console), then five console users: pages [founder, u1] [u2, u3] [u4, u5].
    for (const n of [1, 2, 3, 4]) addUser(`u${n}`, { console: true, mfa: true });
    addUser('u5', { console: true, mfa: false });
    fake.calls.length = 0;
    const finding = (await verifyAll(opts)).find((f) => f.check === 'mfa-enforcement.console-users-have-mfa');
    expect(finding).toMatchObject({ status: 'fail', reason: 'IAM users with a console password and no MFA: u5' });
    // Each listing of the users takes three pages: the first, then two Markers.
    expect(markersSent('ListUsers').filter((m) => m !== undefined).length).toBeGreaterThanOrEqual(2);
  });

  it('admin-group reads every page of members, group policies, attached customer policies and access keys', async () => {
    const opts = await engineRun(['admin-group'], { version: 1, steps: { 'admin-group': { users: ['alice'] } } });
    await expectConvergence(opts);
    const group = fake.management.groups.get('Admins')!;
    // alice last among five members, AdministratorAccess last among four attached policies.
    for (const n of [1, 2, 3, 4]) addUser(`member${n}`, { console: true, mfa: true });
    group.users = new Set(['member1', 'member2', 'member3', 'member4', 'alice']);
    const narrow = [1, 2, 3].map((n) => addCustomerPolicy(`Read${n}`, [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }]));
    group.attached = new Set([...narrow, ADMIN]);
    // The "*:*" policy is the fourth attached one: the second page of ListPolicies.
    fake.management.roles.set('deploy', {
      attached: new Set([addCustomerPolicy('DeployEverything', [{ Effect: 'Allow', Action: '*', Resource: '*' }])]),
    });
    expect((await planAll(opts)).changes).toEqual([]);

    fake.management.users
      .get('alice')!
      .accessKeys.push(...['AKIA1', 'AKIA2', 'AKIA3'].map((AccessKeyId) => ({ AccessKeyId, Status: 'Active' as const })));
    fake.calls.length = 0;
    const findings = await verifyAll(opts);
    expect(findings.find((f) => f.check === 'admin-group.administrator-access')?.status).toBe('pass');
    expect(findings.find((f) => f.check === 'admin-group.no-full-admin-custom-policy')).toMatchObject({
      status: 'fail',
      reason: 'customer-managed policies allowing "*:*" are attached: DeployEverything',
    });
    expect(findings.find((f) => f.resource === 'iam:user/alice')).toMatchObject({
      status: 'fail',
      reason: 'alice has access keys (AKIA1, AKIA2, AKIA3)',
    });
    for (const operation of ['GetGroup', 'ListAttachedGroupPolicies', 'ListPolicies', 'ListAccessKeys']) {
      expect(markersSent(operation).filter((m) => m !== undefined).length, operation).toBeGreaterThan(0);
    }
  });

  it('org-trail finds its tagged key among five keys, its tag behind two others, instead of making a second key', async () => {
    const answers = { version: 1, steps: { organization: {}, 'org-trail': { name: 'acme-org-trail' } } };
    const kms = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'A', secretAccessKey: 'B' } });
    for (const n of [1, 2, 3, 4])
      await kms.send(
        new CreateKeyCommand({ Description: `someone else's key ${n}`, Tags: [{ TagKey: KEY_TAG, TagValue: 'another-trail' }] }),
      );
    const opts = await engineRun(['organization', 'org-trail'], answers);
    await expectConvergence(opts, { manual: ['org-trail.logs-outside-management'] });
    const ours = [...fake.kms.values()].find((k) => k.tags.some((t) => t.TagKey === KEY_TAG && t.TagValue === 'acme-org-trail'))!;
    expect([...fake.kms.keys()].indexOf(ours.KeyId)).toBe(4);
    ours.tags.unshift({ TagKey: 'team', TagValue: 'security' }, { TagKey: 'cost-centre', TagValue: '42' });
    // An interrupted run: the key without its alias.
    fake.kmsAliases.get('us-east-1')?.clear();
    const { changes } = await planAll(opts);
    expect(changes[0]).toMatchObject({
      address: 'kms:alias/aws-groundwork/acme-org-trail',
      summary: expect.stringContaining('left by an interrupted run'),
    });
    await applyOrThrow(opts, changes);
    expect(fake.kms.size).toBe(5);
    expect(fake.kmsAliases.get('us-east-1')?.get('alias/aws-groundwork/acme-org-trail')).toBe(ours.KeyId);
    expect((await planAll(opts)).changes).toEqual([]);
  });

  it("root-credentials deletes every one of a member's root signing certificates, over several pages", async () => {
    fake.withOrganization();
    const id = fake.addMemberAccount('acme-dev', 'aws+dev@acme.example');
    // IAM allows two certificates per user; pages of one make the second a second page.
    fake.pageSize = 1;
    Object.assign(fake.accounts.get(id)!.root, { password: false, signingCertificates: ['CERT1', 'CERT2'] });
    const file = `version: 1
steps:
  account-alias: { alias: acme }
  member-accounts:
    accounts:
      - { name: acme-dev, email: aws+dev@acme.example, ou: Workloads }
  root-credentials: { deleteMemberRootCredentials: true }
`;
    const run = await cli(['apply', '--yes', '--answers', answersFile(file)]);
    expect(run.code, run.stderr).toBe(0);
    expect(fake.accounts.get(id)!.root.signingCertificates).toEqual([]);
    expect(fake.writes.filter((w) => w.operation === 'DeleteSigningCertificate').map((w) => w.input.CertificateId)).toEqual([
      'CERT1',
      'CERT2',
    ]);
  });
});
