/**
 * The identity-center step against the fake: permission sets, groups, users and each account's
 * assignments by environment made in one apply and found again by name; an organization without an
 * instance (never enabled in the console) gets a manual finding while everything else converges; drift
 * is repaired and a changed permission set provisioned again; members the answers do not list are
 * reported, and removed from the groups only with the opt-in; IAM console users are counted against the
 * break-glass limit; `sso-config` prints the block for `aws sso login`.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planAll, verifyAll } from '../../src/engine/runner.js';
import type { Finding } from '../../src/model.js';
import { FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';
import { applyOrThrow, engineRun, expectConvergence } from '../helpers/converge.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const ACCOUNTS = [
  { name: 'acme-dev', email: 'aws+dev@acme.example', ou: 'Workloads' },
  { name: 'acme-staging', email: 'aws+staging@acme.example', ou: 'Workloads' },
  { name: 'acme-prod', email: 'aws+prod@acme.example', ou: 'Workloads' },
  { name: 'acme-log-archive', email: 'aws+log-archive@acme.example', purpose: 'log-archive' },
];
const ADA = { userName: 'ada', givenName: 'Ada', familyName: 'Lovelace', email: 'ada@acme.example', groups: ['Admins'] };
const LINUS = {
  userName: 'linus',
  givenName: 'Linus',
  familyName: 'Torvalds',
  email: 'linus@acme.example',
  groups: ['Developers', 'ReadOnly'],
};
const STEPS = ['organization', 'member-accounts', 'identity-center'];

const answersWith = (ic: Record<string, unknown> = {}, accounts = ACCOUNTS) => ({
  version: 1,
  steps: { organization: {}, 'member-accounts': { accounts }, 'identity-center': { users: [ADA, LINUS], ...ic } },
});

const nameOf = (id: string) =>
  id === MANAGEMENT_ID ? 'management' : ([...fake.orgAccounts.values()].find((a) => a.Id === id)?.Name ?? id);
const ic = () => fake.identityCenter;
const setNamed = (name: string) => [...ic().permissionSets.values()].find((p) => p.Name === name)!;
const groupNamed = (name: string) => [...ic().groups.values()].find((g) => g.DisplayName === name)!;
const userNamed = (name: string) => [...ic().users.values()].find((u) => u.UserName === name)!;

/** `<group>: <account>:<permission set> ...`, per group: who gets what where. */
function assignments(): string[] {
  const setName = new Map([...ic().permissionSets.values()].map((p) => [p.PermissionSetArn, p.Name]));
  return [...ic().groups.values()].map((g) => {
    const pairs = ic()
      .assignments.filter((a) => a.PrincipalId === g.GroupId)
      .map((a) => `${nameOf(a.AccountId)}:${setName.get(a.PermissionSetArn)}`)
      .sort();
    return `${g.DisplayName}: ${pairs.join(' ')}`;
  });
}
const members = (group: string) =>
  [...ic().memberships.values()].filter((m) => m.GroupId === groupNamed(group).GroupId).map((m) => ic().users.get(m.UserId)!.UserName);
const notPass = (findings: Finding[]) =>
  findings.filter((f) => f.status !== 'pass').map((f) => `${f.check} ${f.status} ${f.account.name}: ${f.reason}`);

describe('identity-center on a fresh organization', () => {
  it("makes three permission sets, three groups, two users in their groups and every account's assignments by environment in one apply, the new accounts' once they exist; the next plan is empty and verify passes", async () => {
    const opts = await engineRun(STEPS, answersWith());
    const first = await expectConvergence(opts, { manual: ['identity-center.mfa'] });
    // The accounts do not exist at the first plan: what they get waits for them.
    const waiting = first.changes.filter((c) => c.step === 'identity-center' && c.deferred).map((c) => c.account.name);
    expect(waiting).toEqual(ACCOUNTS.map((a) => a.name));

    expect([...ic().permissionSets.values()].map((p) => `${p.Name} ${p.SessionDuration} ${p.managedPolicies.join(',')}`)).toEqual([
      'AdministratorAccess PT4H arn:aws:iam::aws:policy/AdministratorAccess',
      'PowerUserAccess PT8H arn:aws:iam::aws:policy/PowerUserAccess',
      'ReadOnlyAccess PT8H arn:aws:iam::aws:policy/ReadOnlyAccess',
    ]);
    expect(assignments()).toEqual([
      'Admins: acme-dev:AdministratorAccess acme-log-archive:AdministratorAccess acme-prod:AdministratorAccess acme-staging:AdministratorAccess management:AdministratorAccess',
      // Power users in dev only; read-only in the other workloads; nothing where the controls and logs are.
      'Developers: acme-dev:PowerUserAccess acme-prod:ReadOnlyAccess acme-staging:ReadOnlyAccess',
      'ReadOnly: acme-dev:ReadOnlyAccess acme-log-archive:ReadOnlyAccess acme-prod:ReadOnlyAccess acme-staging:ReadOnlyAccess management:ReadOnlyAccess',
    ]);
    expect(members('Admins')).toEqual(['ada']);
    expect(members('Developers')).toEqual(['linus']);
    expect(userNamed('ada')).toMatchObject({ DisplayName: 'Ada Lovelace', Emails: [{ Value: 'ada@acme.example', Primary: true }] });
    // Every assignment's permission set is provisioned to its account at its latest version.
    for (const p of ic().permissionSets.values()) for (const v of p.provisioned.values()) expect(v).toBe(p.version);
  });

  it('gives developers power in staging too when developersIn names it, and waits out assignments that take several polls', async () => {
    fake.identityCenterPolls = 3;
    const opts = await engineRun(STEPS, answersWith({ developersIn: ['dev', 'staging'] }));
    await expectConvergence(opts, { manual: ['identity-center.mfa'] });
    expect(assignments()[1]).toBe('Developers: acme-dev:PowerUserAccess acme-prod:ReadOnlyAccess acme-staging:PowerUserAccess');
  });

  it('works where Identity Center was enabled, in the region the answers name, and says where it looked when the answers name none', async () => {
    ic().region = 'eu-west-1';
    const elsewhere = await engineRun(STEPS, answersWith());
    await applyOrThrow(elsewhere, (await planAll(elsewhere)).changes);
    expect(notPass(await verifyAll(elsewhere)).filter((f) => f.startsWith('identity-center.'))).toEqual([
      expect.stringMatching(/^identity-center\.instance manual management: IAM Identity Center has no organization instance in us-east-1/),
    ]);
    const there = await engineRun(STEPS, answersWith({ region: 'eu-west-1' }));
    await expectConvergence(there, { manual: ['identity-center.mfa'] });
    expect(fake.calls.filter((c) => c.service === 'ssoAdmin' && c.operation === 'CreatePermissionSet').map((c) => c.region)).toEqual([
      'eu-west-1',
      'eu-west-1',
      'eu-west-1',
    ]);
  });
});

describe('an organization whose Identity Center was never enabled', () => {
  it('plans no Identity Center change but a note with the console path, verify gives a manual finding with it, and everything else converges', async () => {
    fake.removeIdentityCenterInstance();
    const run = answersFile(JSON.stringify(answersWith()));
    const plan = await cli(['plan', '--answers', run]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).not.toContain('sso:');
    expect(plan.stderr).toContain('identity-center: IAM Identity Center is not enabled in us-east-1, and only the console can enable it');
    expect(plan.stderr).toContain('https://us-east-1.console.aws.amazon.com/singlesignon/home?region=us-east-1');
    const apply = await cli(['apply', '--yes', '--answers', run]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).not.toContain('IAM Identity Center: sign in at');
    const verify = JSON.parse((await cli(['verify', '--output', 'json', '--answers', run])).stdout) as { findings: Finding[] };
    const ours = verify.findings.filter((f) => f.step === 'identity-center');
    expect(ours.map((f) => `${f.check} ${f.status}`)).toEqual(['identity-center.instance manual']);
    expect(ours[0]!.remediation).toContain(
      'Enable it in the IAM Identity Center console (https://us-east-1.console.aws.amazon.com/singlesignon/home?region=us-east-1)',
    );
    expect(verify.findings.filter((f) => f.status !== 'pass' && f.step !== 'identity-center')).toEqual([]);
    expect((await cli(['plan', '--detailed-exitcode', '--answers', run])).code).toBe(0);
    const config = await cli(['sso-config', '--answers', run]);
    expect(config.code).toBe(1);
    expect(config.stdout).toBe('');
    expect(config.stderr).toContain('identity-center has nothing to hand over yet');
  });
});

describe('identity-center after drift', () => {
  it('restores a permission set (a policy swapped, an inline policy, a longer session) and provisions it again, a renamed user, a lost membership and a lost assignment', async () => {
    const opts = await engineRun(STEPS, answersWith());
    await expectConvergence(opts, { manual: ['identity-center.mfa'] });
    const admin = setNamed('AdministratorAccess');
    Object.assign(admin, {
      managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      inlinePolicy: '{"Version":"2012-10-17","Statement":[]}',
      SessionDuration: 'PT12H',
      version: admin.version + 1,
    });
    Object.assign(userNamed('ada'), { Emails: [{ Value: 'ada@old.example', Primary: true }] });
    const linus = userNamed('linus').UserId;
    const membership = [...ic().memberships.values()].find((m) => m.UserId === linus && m.GroupId === groupNamed('ReadOnly').GroupId)!;
    ic().memberships.delete(membership.MembershipId);
    const prodId = [...fake.orgAccounts.values()].find((a) => a.Name === 'acme-prod')!.Id;
    ic().assignments = ic().assignments.filter((a) => !(a.AccountId === prodId && a.PrincipalId === groupNamed('Admins').GroupId));

    expect(notPass(await verifyAll(opts)).filter((f) => !f.startsWith('identity-center.mfa'))).toEqual([
      'identity-center.permission-sets fail management: AdministratorAccess: sessions last 12h, not 4h; arn:aws:iam::aws:policy/AdministratorAccess is not attached; arn:aws:iam::aws:policy/ReadOnlyAccess is attached too; it has an inline policy',
      'identity-center.users fail management: ada is email ada@old.example',
      'identity-center.users fail management: linus is not in ReadOnly',
      'identity-center.assignments fail acme-prod: not assigned: Admins as AdministratorAccess',
    ]);
    const repair = (await planAll(opts)).changes;
    expect(repair.map((c) => `${c.operation.kind} ${c.address}`)).toEqual([
      'update-permission-set sso:permission-set/AdministratorAccess',
      'update-user identitystore:user/ada',
      'add-to-group identitystore:group/ReadOnly/member/linus',
      'assign sso:assignments/acme-prod',
    ]);
    await applyOrThrow(opts, repair);
    expect((await planAll(opts)).changes).toEqual([]);
    expect(notPass(await verifyAll(opts))).toEqual([expect.stringMatching(/^identity-center\.mfa manual/)]);
    // Every account that uses the set has its latest version: the roles there no longer grant ReadOnlyAccess alone.
    expect(setNamed('AdministratorAccess').managedPolicies).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
    expect([...setNamed('AdministratorAccess').provisioned.values()].every((v) => v === setNamed('AdministratorAccess').version)).toBe(
      true,
    );
  });

  it('reports a member nobody listed and leaves them; removes them from the group, never deleting the user, only with removeUnlistedMembers', async () => {
    const opts = await engineRun(STEPS, answersWith());
    await expectConvergence(opts, { manual: ['identity-center.mfa'] });
    ic().users.set('u-eve', {
      UserId: 'u-eve',
      UserName: 'eve',
      DisplayName: 'Eve',
      Name: { GivenName: 'Eve', FamilyName: 'X' },
      Emails: [],
    });
    ic().memberships.set('m-eve', { MembershipId: 'm-eve', GroupId: groupNamed('Admins').GroupId, UserId: 'u-eve' });
    const left = await engineRun(STEPS, answersWith());
    const plan = await planAll(left);
    expect(plan.changes).toEqual([]);
    expect(plan.notes).toContain(
      'identity-center: eve is in Admins but not in the answers: left as is (set removeUnlistedMembers to remove them from the group).',
    );
    expect(notPass(await verifyAll(left))).toContain('identity-center.users fail management: in Admins but not in the answers: eve');

    const removing = await engineRun(STEPS, answersWith({ removeUnlistedMembers: true }));
    const changes = (await planAll(removing)).changes;
    expect(changes.map((c) => `${c.risk} ${c.summary}`)).toEqual([
      "destructive remove eve from Admins, which the answers do not list: they lose the group's access (the user is kept)",
    ]);
    await applyOrThrow(removing, changes);
    expect(members('Admins')).toEqual(['ada']);
    expect(userNamed('eve')).toBeDefined();
  });

  it('makes one permission set, group and user after their Create answers are lost', async () => {
    for (const op of ['CreatePermissionSet', 'CreateGroup', 'CreateUser']) fake.loseAnswerNext(op);
    const opts = await engineRun(STEPS, answersWith());
    await expectConvergence(opts, { manual: ['identity-center.mfa'] });
    expect([...ic().permissionSets.values()].map((p) => p.Name)).toEqual(['AdministratorAccess', 'PowerUserAccess', 'ReadOnlyAccess']);
    expect([...ic().groups.values()].map((g) => g.DisplayName)).toEqual(['Admins', 'Developers', 'ReadOnly']);
    expect([...ic().users.values()].map((u) => u.UserName)).toEqual(['ada', 'linus']);
  });
});

describe('answers --from-account with Identity Center', () => {
  it('lists every member of the groups with their groups, so the answers it writes plan no change and verify names nobody unlisted', async () => {
    const opts = await engineRun(STEPS, answersWith());
    await expectConvergence(opts, { manual: ['identity-center.mfa'] });
    ic().users.set('u-eve', {
      UserId: 'u-eve',
      UserName: 'eve',
      DisplayName: 'Eve Moneypenny',
      Name: { GivenName: 'Eve', FamilyName: 'Moneypenny' },
      Emails: [{ Value: 'eve@acme.example', Primary: true }],
    });
    ic().memberships.set('m-eve', { MembershipId: 'm-eve', GroupId: groupNamed('ReadOnly').GroupId, UserId: 'u-eve' });
    const file = join(mkdtempSync(join(tmpdir(), 'gw-from-account-')), 'a.yaml');
    const run = await cli(['answers', '--from-account', file, '--only', 'organization,member-accounts,identity-center']);
    expect(run.code, run.stderr).toBe(0);
    const written = parse(readFileSync(file, 'utf8')) as { steps: { 'identity-center': { users: unknown[] } } };
    expect(written.steps['identity-center'].users).toEqual([
      { userName: 'ada', givenName: 'Ada', familyName: 'Lovelace', email: 'ada@acme.example', groups: ['Admins'] },
      { userName: 'linus', givenName: 'Linus', familyName: 'Torvalds', email: 'linus@acme.example', groups: ['Developers', 'ReadOnly'] },
      { userName: 'eve', givenName: 'Eve', familyName: 'Moneypenny', email: 'eve@acme.example', groups: ['ReadOnly'] },
    ]);
    const replay = await engineRun(STEPS, parse(readFileSync(file, 'utf8')));
    expect((await planAll(replay)).changes).toEqual([]);
    expect(notPass(await verifyAll(replay))).toEqual([expect.stringMatching(/^identity-center\.mfa manual/)]);
  });
});

describe('IAM users with console access while Identity Center is in use', () => {
  it('are named and counted against the break-glass limit in each account', async () => {
    const opts = await engineRun(STEPS, answersWith({ breakGlassLimit: 1 }));
    await applyOrThrow(opts, (await planAll(opts)).changes);
    for (const name of ['root-admin', 'bob']) {
      fake.management.users.set(name, {
        arn: `arn:aws:iam::${MANAGEMENT_ID}:user/${name}`,
        loginProfile: { password: 'x', passwordResetRequired: false },
        accessKeys: [],
        mfaDevices: [],
        attached: new Set(),
      });
    }
    const findings = (await verifyAll(opts)).filter((f) => f.check === 'identity-center.break-glass');
    expect(findings.map((f) => `${f.account.name} ${f.status}: ${f.reason}`)).toEqual([
      'management fail: 2 (bob, root-admin) IAM users with console access, over the break-glass limit of 1',
      ...ACCOUNTS.map((a) => `${a.name} pass: IAM console users: none, within the limit of 1`),
    ]);
  });
});

describe('aws-groundwork sso-config', () => {
  it('prints only the ~/.aws/config block on stdout, one profile per account and role, and the portal on stderr', async () => {
    const file = answersFile(JSON.stringify({ ...answersWith(), steps: { 'account-alias': { alias: 'acme' }, ...answersWith().steps } }));
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    const run = await cli(['sso-config', '--answers', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('IAM Identity Center: sign in at https://d-9067a1b2c3.awsapps.com/start');
    expect(run.stdout).toMatch(/^# aws-groundwork sso-config \(acme\)/);
    expect(run.stdout.match(/^\[profile [^\]]+\]/gm)).toEqual([
      '[profile management-administrator]',
      '[profile management-readonly]',
      '[profile acme-dev-administrator]',
      '[profile acme-dev-poweruser]',
      '[profile acme-dev-readonly]',
      '[profile acme-staging-administrator]',
      '[profile acme-staging-readonly]',
      '[profile acme-prod-administrator]',
      '[profile acme-prod-readonly]',
      '[profile acme-log-archive-administrator]',
      '[profile acme-log-archive-readonly]',
    ]);
    // Read-only: nothing was sent but reads.
    const before = fake.calls.length;
    await cli(['sso-config', '--answers', file]);
    expect(fake.calls.slice(before).filter((c) => !/^(Get|List|Describe)/.test(c.operation) && c.operation !== 'AssumeRole')).toEqual([]);
  });

  it('needs the answers file apply used: without one it exits 2 before any AWS call', async () => {
    const run = await cli(['sso-config']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('sso-config needs --answers FILE');
    expect(fake.calls).toEqual([]);
  });
});

describe('identity-center answers', () => {
  it('refuse a user in a group the step does not make, and two groups of one name, with exit 2 and the path, before any AWS call', async () => {
    const bad = answersWith({ users: [{ ...ADA, groups: ['Admin'] }], readOnlyGroup: 'developers' });
    const run = await cli(['plan', '--answers', answersFile(JSON.stringify(bad))]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "steps.identity-center.users[0].groups[0]: is not one of this step's groups (Admins, Developers, developers)",
    );
    expect(run.stderr).toContain('steps.identity-center.readOnlyGroup: is the same name as developersGroup: each group needs its own name');
    expect(fake.calls).toEqual([]);
  });
});
