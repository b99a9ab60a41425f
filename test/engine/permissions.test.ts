import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { isReadAction } from '../../src/aws/actions.js';
import { MANAGED_POLICY_MAX_CHARS, policySize, type RootTaskPolicy } from '../../src/aws/policy.js';
import { MEMBER_ROLE, type AwsSession } from '../../src/aws/session.js';
import { permissionsPolicy } from '../../src/commands/permissions.js';
import { REGISTRY } from '../../src/registry.js';
import { contextFor, managementAccount, planAll, verifyAll } from '../../src/engine/runner.js';
import { EVERY_STEP_ANSWERS, notPassing } from '../helpers/full-example.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { SENT, engineRun, applyOrThrow } from '../helpers/converge.js';
import { cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

/** A statement of a printed policy: `Action` is a list, or one action alone. */
interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string;
  Condition?: Record<string, Record<string, string | string[]>>;
}
const actionsOf = (s: Statement) => [s.Action].flat();
async function printed(...args: string[]): Promise<{ text: string; policy: { Version: string; Statement: Statement[] } }> {
  const run = await cli(['permissions', ...args]);
  expect(run.code, run.stderr).toBe(0);
  return { text: run.stdout, policy: JSON.parse(run.stdout) };
}
const byAction = (statements: Statement[], action: string) => statements.filter((s) => actionsOf(s).includes(action));

describe('aws-groundwork permissions', () => {
  it('prints a valid IAM policy document for apply with every declared action and nothing else', async () => {
    const { policy } = await printed();
    expect(policy.Version).toBe('2012-10-17');
    for (const s of policy.Statement) expect(s.Effect).toBe('Allow');
    const declared = REGISTRY.flatMap((s) => [...s.permissions.read, ...s.permissions.apply, ...(s.permissions.implied ?? [])]);
    const granted = policy.Statement.flatMap(actionsOf);
    // Each action in exactly one statement.
    expect(granted).toHaveLength(new Set(granted).size);
    expect(new Set(granted)).toEqual(new Set(declared));
    expect(fake.calls).toEqual([]);
  });

  it('prints only read actions with --phase read, and narrows to --only steps', async () => {
    const { policy: read } = await printed('--phase', 'read');
    const readActions = REGISTRY.flatMap((s) => [...s.permissions.read, ...(s.permissions.implied ?? []).filter(isReadAction)]);
    const granted = read.Statement.flatMap(actionsOf);
    expect([...granted].sort()).toEqual([...new Set(readActions)].sort());
    // No write action in the read-only policy; reaching members for plan and verify is in it.
    for (const action of granted) expect(isReadAction(action), action).toBe(true);
    expect(granted).toContain('sts:AssumeRole');
    expect(granted).not.toContain('sts:AssumeRoot');
    expect(granted).not.toContain('iam:CreateAccountAlias');
    const { policy: only } = await printed('--only', 'account-alias');
    expect(only.Statement).toEqual([
      { Sid: 'AwsGroundworkApply', Effect: 'Allow', Action: ['iam:CreateAccountAlias', 'iam:ListAccountAliases'], Resource: '*' },
    ]);
  });

  for (const phase of ['read', 'apply'] as const) {
    it(`grants sts:AssumeRole with --phase ${phase} only on OrganizationAccountAccessRole, in accounts of the caller's own organization`, async () => {
      const { policy } = await printed('--phase', phase);
      expect(byAction(policy.Statement, 'sts:AssumeRole')).toEqual([
        {
          Sid: 'AwsGroundworkReachMemberAccounts',
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: `arn:*:iam::*:role/${MEMBER_ROLE}`,
          Condition: { StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } },
        },
      ]);
    });

    it(`grants nothing on * that could reach into another account, with --phase ${phase}`, async () => {
      const { policy } = await printed('--phase', phase);
      const onAnything = policy.Statement.filter((s) => s.Resource === '*').flatMap(actionsOf);
      expect(onAnything.filter((a) => a.startsWith('sts:'))).toEqual([]);
      // Only the statement on * goes without a condition or an ARN.
      for (const s of policy.Statement.filter((st) => st.Resource !== '*')) expect(s.Condition, s.Sid).toBeDefined();
    });

    it(`stays under IAM's 6,144-character managed policy quota with --phase ${phase}, white space not counted`, async () => {
      const { text, policy } = await printed('--phase', phase);
      // IAM does not count white space; the minified document is what is left (its strings hold none).
      const minified = JSON.stringify(policy);
      expect(minified).toBe(text.replace(/\s+/g, ''));
      expect(minified.length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
      expect(policySize(permissionsPolicy({ phase }))).toBe(minified.length);
    });

    it(`prints the same document on every run with --phase ${phase}, whatever order --only names the steps in`, async () => {
      const first = await printed('--phase', phase);
      expect((await printed('--phase', phase)).text).toBe(first.text);
      const ids = REGISTRY.map((s) => s.id);
      const forward = await printed('--phase', phase, '--only', ids.join(','));
      const backward = await printed('--phase', phase, '--only', [...ids].reverse().join(','));
      expect(forward.text).toBe(first.text);
      expect(backward.text).toBe(first.text);
    });
  }

  it('grants sts:AssumeRoot for apply only on root users, and only with the root-task policies the session asks for', async () => {
    const { policy } = await printed('--phase', 'apply');
    expect(byAction(policy.Statement, 'sts:AssumeRoot')).toEqual([
      {
        Sid: 'AwsGroundworkMemberRootTasks',
        Effect: 'Allow',
        Action: 'sts:AssumeRoot',
        Resource: 'arn:*:iam::*:root',
        Condition: {
          ArnLike: {
            'sts:TaskPolicyArn': [
              'arn:*:iam::aws:policy/root-task/IAMAuditRootUserCredentials',
              'arn:*:iam::aws:policy/root-task/IAMDeleteRootUserCredentials',
            ],
          },
        },
      },
    ]);
    // The session's own list of task policies is the one the policy allows: a new one fails `npm run typecheck` here.
    expectTypeOf<Parameters<AwsSession['rootClientsFor']>[1]>().toEqualTypeOf<RootTaskPolicy>();
  });
});

describe('every AWS command a step sends', () => {
  /**
   * Identity Center behind the tool's back: an assignment deleted, the admin permission set's session
   * lengthened, a managed and an inline policy added, a user renamed and another out of a group, and someone the
   * answers do not list put in Admins (which removeUnlistedMembers removes again).
   */
  function driftIdentityCenter(f: FakeAws): void {
    const ic = f.identityCenter;
    ic.assignments.splice(0, 1);
    const admin = [...ic.permissionSets.values()].find((p) => p.Name === 'AdministratorAccess')!;
    Object.assign(admin, { SessionDuration: 'PT12H', inlinePolicy: '{"Version":"2012-10-17","Statement":[]}', version: admin.version + 1 });
    admin.managedPolicies.push('arn:aws:iam::aws:policy/ReadOnlyAccess');
    const user = (name: string) => [...ic.users.values()].find((u) => u.UserName === name)!;
    const group = (name: string) => [...ic.groups.values()].find((g) => g.DisplayName === name)!;
    user('ada').Name.GivenName = 'Augusta';
    const linusInDevelopers = [...ic.memberships.values()].find(
      (m) => m.UserId === user('linus').UserId && m.GroupId === group('Developers').GroupId,
    )!;
    ic.memberships.delete(linusInDevelopers.MembershipId);
    ic.users.set('u-mallory', {
      UserId: 'u-mallory',
      UserName: 'mallory',
      DisplayName: 'Mallory',
      Name: { GivenName: 'Mal', FamilyName: 'Lory' },
      Emails: [],
    });
    ic.memberships.set('m-mallory', { MembershipId: 'm-mallory', GroupId: group('Admins').GroupId, UserId: 'u-mallory' });
  }

  it('maps to an IAM action the step declared, across convergence, drift and repair of every step in every account', async () => {
    const ALL = EVERY_STEP_ANSWERS;
    const ids = Object.keys(ALL.steps);
    const m = fake.management;

    // A fresh account, every step, two new members.
    const first = await engineRun(ids, ALL);
    await applyOrThrow(first, (await planAll(first)).changes);
    expect((await planAll(first)).changes).toEqual([]);
    m.users.get('alice')?.mfaDevices.push('arn:aws:iam::111111111111:mfa/alice');
    expect(notPassing(await verifyAll(first))).toEqual([]);

    // Drift everywhere, in the management account and in a member, then repair.
    const staging = [...fake.orgAccounts.values()].find((a) => a.Name === 'acme-staging')!;
    const member = fake.accounts.get(staging.Id)!;
    m.alias = 'drifted';
    m.passwordPolicy = { MinimumPasswordLength: 6 };
    m.groups.get('Admins')?.attached.delete('arn:aws:iam::aws:policy/AdministratorAccess');
    const mfa = [...m.policies.values()][0]!;
    mfa.versions = [1, 2, 3, 4, 5].map((n) => ({
      VersionId: `v${n}`,
      Document: encodeURIComponent('{"Statement":[]}'),
      IsDefaultVersion: n === 5,
      seq: n,
    }));
    mfa.nextVersion = 6;
    // The trail's key and buckets are in log-archive.
    const archive = [...fake.orgAccounts.values()].find((a) => a.Name === 'acme-log-archive')!;
    fake.kmsAliases.get(`${archive.Id}:us-east-1`)?.clear(); // a key left without its alias
    [...fake.kms.values()][0]!.policy = '{"Version":"2012-10-17","Statement":[]}';
    Object.assign(fake.trails.get('acme-org-trail')!, { IsMultiRegionTrail: false });
    const trailBucket = fake.buckets.get(`aws-groundwork-trail-${archive.Id}-us-east-1`)!;
    trailBucket.ownership = 'ObjectWriter';
    trailBucket.objectLockRetention = { Mode: 'GOVERNANCE', Days: 1 };
    staging.parentId = 'r-ab12';
    staging.tags = [];
    Object.assign(member.root, {
      password: true,
      mfa: true,
      accessKeys: [{ AccessKeyId: 'AKIAMEMBERROOT', Status: 'Active' }],
      signingCertificates: ['CERTMEMBER'],
    });
    member.accountPublicAccessBlock = null;
    member.contacts.OPERATIONS = undefined;
    // A guardrail edited behind the tool's back.
    const baseline = [...fake.orgPolicies.values()].find((p) => p.Name === 'aws-groundwork-baseline')!;
    baseline.Content = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}';
    driftIdentityCenter(fake);
    // Cost alerts: an alert deleted, a subscriber removed, the anomaly subscription made weekly.
    const costBudget = m.budgets.get('aws-groundwork-monthly')!;
    costBudget.notifications.splice(1, 1);
    costBudget.notifications[0]!.subscribers = [{ SubscriptionType: 'EMAIL', Address: 'someone-else@acme.example' }];
    [...m.anomalySubscriptions.values()][0]!.Frequency = 'WEEKLY';
    // Threat detection: GuardDuty suspended in a member, a member no longer enrolled, auto-enable off, the analyzer deleted.
    const tooling = [...fake.orgAccounts.values()].find((a) => a.Name === 'acme-security-tooling')!;
    const adminDetector = fake.detectors.get(`${tooling.Id}|eu-west-1`)!;
    const dev = [...fake.orgAccounts.values()].find((a) => a.Name === 'acme-dev')!;
    fake.detectors.get(`${dev.Id}|us-east-1`)!.Status = 'DISABLED';
    adminDetector.members.delete(staging.Id);
    adminDetector.autoEnable = 'NONE';
    fake.detectors.get(`${tooling.Id}|eu-west-1`)!.Status = 'DISABLED'; // the administrator's own: UpdateDetector
    fake.analyzers.get(`${tooling.Id}|us-east-1`)?.clear();
    const repair = await engineRun(ids, ALL);
    await verifyAll(repair);
    await applyOrThrow(repair, (await planAll(repair)).changes);
    expect((await planAll(repair)).changes).toEqual([]);
    expect(notPassing(await verifyAll(repair))).toEqual([]);

    // Without the organization step, the steps that need what it made read that it is there: for the
    // trail, a member's root password to delete, members' contacts and a new account's contacts.
    Object.assign(member.root, { password: true });
    const prod = { name: 'acme-prod', email: 'aws+prod@acme.example', ou: 'Workloads' };
    const withNewAccount = { ...ALL.steps, 'member-accounts': { accounts: [...ALL.steps['member-accounts'].accounts, prod] } };
    const withoutOrganization = await engineRun(
      ids.filter((id) => id !== 'organization'),
      { ...ALL, steps: withNewAccount },
    );
    expect((await planAll(withoutOrganization)).failures).toEqual([]);

    // The region allow-list emptied: its guardrail is detached from the root.
    const regionsOff = await engineRun(['guardrails'], { ...ALL, steps: { ...ALL.steps, guardrails: {} } });
    await applyOrThrow(regionsOff, (await planAll(regionsOff)).changes);

    // What the wizard's first screen and `answers --from-account` read: each step's suggest.
    const reading = await engineRun(ids, ALL);
    const management = await managementAccount(reading.session);
    for (const step of reading.steps) await step.suggest?.(await contextFor(reading, { step, account: management }, 'plan'));

    // As root (CloudShell): the management account's own root key.
    fake.callAsRoot();
    m.root.accessKeys.push({ AccessKeyId: 'AKIAROOTOLD', Status: 'Active' });
    const asRoot = await engineRun(['root-credentials'], { version: 1, steps: { 'root-credentials': { deleteRootAccessKeys: true } } });
    await applyOrThrow(asRoot, (await planAll(asRoot)).changes);
    expect(m.root.accessKeys).toEqual([]);

    const byStep = new Map(REGISTRY.map((s) => [s.id, new Set([...s.permissions.read, ...s.permissions.apply])]));
    // The session's own calls for a step (sts:AssumeRoot into a member's root) are its implied actions.
    const maySend = new Map(
      REGISTRY.map((s) => [s.id, new Set([...s.permissions.read, ...s.permissions.apply, ...(s.permissions.implied ?? [])])]),
    );
    expect(new Set(SENT.map((s) => s.step))).toEqual(new Set(ids));
    for (const { step, action, operation } of SENT) {
      expect(action, `${step} sent ${operation}`).not.toBeNull();
      expect(maySend.get(step)?.has(action as string), `${step} sent ${action}`).toBe(true);
    }
    // And every declared action is used: the declarations are not padded.
    for (const [step, declared] of byStep) {
      const used = new Set(
        SENT.filter((s) => s.step === step)
          .map((s) => s.action)
          .filter((a) => declared.has(a as string)),
      );
      expect(used, step).toEqual(declared);
    }
  });
});
