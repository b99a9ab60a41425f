/**
 * What the policy `aws-groundwork permissions` prints lets its holder do in other accounts, decided by
 * the IAM policy simulator (@cloud-copilot/iam-simulate), not read off the JSON: the read policy sits on a
 * CI role, and `sts:AssumeRole` into `OrganizationAccountAccessRole` is administrator in a member.
 *
 * Each request is decided on the identity policy alone (the simulator's identity analysis). Whether the
 * target role trusts the caller is that role's trust policy, which the tool does not write; and the
 * simulator wants a resource policy for every cross-account request, which `sts:AssumeRoot` has none of
 * in AWS (AWS allows it into member accounts of the caller's organization only).
 */
import { EVERY_STEP_ANSWERS } from '../helpers/full-example.js';
import { afterEach, assert, beforeEach, describe, expect, it } from 'vitest';
import { runSimulation, type EvaluationResult } from '@cloud-copilot/iam-simulate';
import { MEMBER_ROLE } from '../../src/aws/session.js';
import { permissionsPolicy } from '../../src/commands/permissions.js';
import { applyPlan, planAll, verifyAll } from '../../src/engine/runner.js';
import { REGISTRY } from '../../src/registry.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { engineRun } from '../helpers/converge.js';

const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const ORG = 'o-abc123def4';
const OTHER_ORG = 'o-zzz999zzz9';
const CALLER = `arn:aws:iam::${MANAGEMENT}:role/aws-groundwork-drift-check`;

const READ = permissionsPolicy({ phase: 'read' });
const APPLY = permissionsPolicy({ phase: 'apply' });
const PHASES = [
  ['read', READ],
  ['apply', APPLY],
] as const;

interface Decision {
  decision: EvaluationResult | undefined;
  /** Sids of the statements that allowed it. */
  allowedBy: string[];
}

/** What the identity policy `policy` of CALLER decides for `action` on `resource`, with `context`. */
async function decide(policy: unknown, action: string, resource: string, context: Record<string, string>): Promise<Decision> {
  const sim = await runSimulation(
    {
      request: { principal: CALLER, action, resource: { resource, accountId: resource.split(':')[4]! }, contextVariables: context },
      identityPolicies: [{ name: 'aws-groundwork', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  // A policy the simulator rejects (bad syntax, an ARN wrong for the action) must never pass as a denial.
  assert(sim.resultType !== 'error', `simulation of ${action} on ${resource} did not run: ${JSON.stringify(sim)}`);
  assert(sim.resultType === 'single', `expected one simulation for ${resource}, got ${sim.resultType}`);
  // A context key the simulator dropped would evaluate as absent and prove nothing.
  expect(sim.result.ignoredContextKeys ?? [], `context keys ignored for ${action}`).toEqual([]);
  const identity = sim.result.analysis.identityAnalysis;
  return { decision: identity?.result, allowedBy: (identity?.allowStatements ?? []).map((s) => s.statement.sid() ?? '?') };
}

const roleArn = (account: string, role: string, partition = 'aws') => `arn:${partition}:iam::${account}:role/${role}`;
/** The request context of a call by CALLER, whose account is in ORG, to a resource in `resourceOrg` (or in none). */
const orgContext = (resourceOrg: string | null): Record<string, string> => ({
  'aws:PrincipalOrgID': ORG,
  ...(resourceOrg ? { 'aws:ResourceOrgID': resourceOrg } : {}),
});
const rootTask = (name: string, partition = 'aws') => ({ 'sts:TaskPolicyArn': `arn:${partition}:iam::aws:policy/root-task/${name}` });

describe('sts:AssumeRole under the printed policy, evaluated', () => {
  for (const [phase, policy] of PHASES) {
    describe(`--phase ${phase}`, () => {
      it(`allows the session's own AssumeRole into ${MEMBER_ROLE} of a member of the caller's organization`, async () => {
        const d = await decide(policy, 'sts:AssumeRole', roleArn(MEMBER, MEMBER_ROLE), orgContext(ORG));
        expect(d).toEqual({ decision: 'Allowed', allowedBy: ['AwsGroundworkReachMemberAccounts'] });
      });

      it(`allows it in any partition, which the policy cannot know when it is printed (aws-us-gov, aws-cn)`, async () => {
        for (const partition of ['aws-us-gov', 'aws-cn']) {
          const d = await decide(policy, 'sts:AssumeRole', roleArn(MEMBER, MEMBER_ROLE, partition), orgContext(ORG));
          expect(d.decision, partition).toBe('Allowed');
        }
      });

      const otherRoles = ['AdminRole', `${MEMBER_ROLE}2`, `team/${MEMBER_ROLE}`, 'aws-groundwork-drift-check', 'AWSControlTowerExecution'];
      for (const role of otherRoles) {
        it(`denies an AssumeRole of another role name (${role}), in a member of the caller's organization`, async () => {
          const d = await decide(policy, 'sts:AssumeRole', roleArn(MEMBER, role), orgContext(ORG));
          expect(d.decision).toBe('ImplicitlyDenied');
        });
      }

      it(`denies an AssumeRole of another role name in the management account itself`, async () => {
        const d = await decide(policy, 'sts:AssumeRole', roleArn(MANAGEMENT, 'Admin'), orgContext(ORG));
        expect(d.decision).toBe('ImplicitlyDenied');
      });

      it(`denies an AssumeRole into ${MEMBER_ROLE} of an account in another organization, or in none`, async () => {
        const foreign = await decide(policy, 'sts:AssumeRole', roleArn('333333333333', MEMBER_ROLE), orgContext(OTHER_ORG));
        expect(foreign.decision).toBe('ImplicitlyDenied');
        const standalone = await decide(policy, 'sts:AssumeRole', roleArn('333333333333', MEMBER_ROLE), orgContext(null));
        expect(standalone.decision).toBe('ImplicitlyDenied');
      });
    });
  }
});

describe('sts:AssumeRoot under the printed policy, evaluated', () => {
  const memberRoot = `arn:aws:iam::${MEMBER}:root`;

  it('allows the session to open a member root session for the two root-task policies it uses, with --phase apply', async () => {
    for (const task of ['IAMAuditRootUserCredentials', 'IAMDeleteRootUserCredentials']) {
      const d = await decide(APPLY, 'sts:AssumeRoot', memberRoot, rootTask(task));
      expect(d, task).toEqual({ decision: 'Allowed', allowedBy: ['AwsGroundworkMemberRootTasks'] });
    }
  });

  it('denies a member root session for any other root-task policy, with --phase apply', async () => {
    for (const task of ['S3UnlockBucketPolicy', 'SQSUnlockQueuePolicy', 'IAMCreateRootUserPassword']) {
      const d = await decide(APPLY, 'sts:AssumeRoot', memberRoot, rootTask(task));
      expect(d.decision, task).toBe('ImplicitlyDenied');
    }
  });

  it('denies every member root session with --phase read: plan and verify never open one', async () => {
    const d = await decide(READ, 'sts:AssumeRoot', memberRoot, rootTask('IAMAuditRootUserCredentials'));
    expect(d.decision).toBe('ImplicitlyDenied');
  });
});

describe('every session into a member that the engine opens', () => {
  let fake: FakeAws;
  beforeEach(() => {
    fake = new FakeAws().install();
  });
  afterEach(() => fake.restore());

  const ALL = EVERY_STEP_ANSWERS;
  const ids = Object.keys(ALL.steps);

  /** The sts:AssumeRole / sts:AssumeRoot requests sent since call number `from`, as IAM would see them. */
  function memberSessions(from: number) {
    const orgId = fake.organization?.Id;
    assert(orgId, 'the run made an organization');
    return fake.calls
      .slice(from)
      .filter((c) => c.service === 'sts' && (c.operation === 'AssumeRole' || c.operation === 'AssumeRoot'))
      .map((c) => {
        const i = c.input as { RoleArn?: string; TargetPrincipal?: string; TaskPolicyArn?: { arn?: string } };
        const resource = c.operation === 'AssumeRole' ? String(i.RoleArn) : `arn:aws:iam::${String(i.TargetPrincipal)}:root`;
        const target = resource.split(':')[4]!;
        const context: Record<string, string> = { 'aws:PrincipalOrgID': orgId, 'aws:ResourceOrgID': orgId };
        if (!fake.orgAccounts.has(target)) delete context['aws:ResourceOrgID'];
        if (c.operation === 'AssumeRoot') context['sts:TaskPolicyArn'] = String(i.TaskPolicyArn?.arn);
        return { action: `sts:${c.operation}`, resource, context };
      });
  }

  it('is allowed by the policy of its phase: a first apply, then plan and verify, then a repair of a member root user', async () => {
    expect(ids).toEqual(REGISTRY.map((s) => s.id));
    // A fresh account: apply creates the organization and two members, and reaches into them.
    const first = await engineRun(ids, ALL);
    const created = await applyPlan(first, (await planAll(first)).changes);
    expect([created.failures, created.stopped]).toEqual([[], undefined]);
    const applySessions = memberSessions(0);

    // A member's root user has credentials again. A new run: plan and verify reach every member with
    // the read policy, then apply deletes them through a root session.
    const staging = [...fake.orgAccounts.values()].find((a) => a.Name === 'acme-staging')!;
    Object.assign(fake.accounts.get(staging.Id)!.root, {
      password: true,
      accessKeys: [{ AccessKeyId: 'AKIAMEMBERROOT', Status: 'Active' }],
    });
    const beforeRead = fake.calls.length;
    const second = await engineRun(ids, ALL);
    const plan = await planAll(second);
    await verifyAll(second);
    const readSessions = memberSessions(beforeRead);
    const beforeRepair = fake.calls.length;
    const repaired = await applyPlan(second, plan.changes);
    expect([repaired.failures, repaired.stopped]).toEqual([[], undefined]);
    expect(fake.accounts.get(staging.Id)!.root).toMatchObject({ password: false, accessKeys: [] });
    applySessions.push(...memberSessions(beforeRepair));

    // Vacuous otherwise: both kinds of session were opened, in both phases where they belong.
    expect(new Set(applySessions.map((s) => s.action))).toEqual(new Set(['sts:AssumeRole', 'sts:AssumeRoot']));
    expect(new Set(readSessions.map((s) => s.action))).toEqual(new Set(['sts:AssumeRole']));
    for (const [phase, policy, sessions] of [
      ['apply', APPLY, applySessions],
      ['read', READ, readSessions],
    ] as const) {
      for (const s of sessions) {
        const d = await decide(policy, s.action, s.resource, s.context);
        expect(d.decision, `${phase}: ${s.action} on ${s.resource} with ${JSON.stringify(s.context)}`).toBe('Allowed');
      }
    }
  });
});
