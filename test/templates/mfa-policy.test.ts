/**
 * Proves the MFA-required policy (`templates/mfa-required-policy.json`) by evaluating it with the IAM
 * policy simulator, not by snapshot: alice is in a group holding both AdministratorAccess and our policy,
 * and each case asks what AWS would decide for one request.
 */
import { assert, describe, expect, it } from 'vitest';
import { runSimulation, type EvaluationResult, type Simulation } from '@cloud-copilot/iam-simulate';
import { MFA_POLICY_NAME, mfaPolicyDocument } from '../../steps/mfa-enforcement/policy-document.js';

const ACCOUNT = '111111111111';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const ALICE_VIRTUAL_MFA = `arn:aws:iam::${ACCOUNT}:mfa/alice`;

const ADMINISTRATOR_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

type Mfa = true | false | 'absent';

interface Decision {
  decision: EvaluationResult;
  /** `<policy name>/<Sid>` of each identity statement that explicitly denied the request. */
  deniedBy: string[];
}

/** What AWS decides when alice calls `action` on `resource`, with or without MFA in her session. */
async function decide(action: string, resource: string, { mfa, withAdmin = true }: { mfa: Mfa; withAdmin?: boolean }): Promise<Decision> {
  const contextVariables: Record<string, string> = { 'aws:username': 'alice' };
  // Long-term access keys carry no aws:MultiFactorAuthPresent at all; BoolIfExists must treat that as "no MFA".
  if (mfa !== 'absent') contextVariables['aws:MultiFactorAuthPresent'] = String(mfa);

  const simulation: Simulation = {
    request: { principal: ALICE, action, resource: { resource, accountId: ACCOUNT }, contextVariables },
    identityPolicies: [
      ...(withAdmin ? [{ name: 'AdministratorAccess', policy: ADMINISTRATOR_ACCESS }] : []),
      { name: MFA_POLICY_NAME, policy: mfaPolicyDocument('aws') },
    ],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  const sim = await runSimulation(simulation, {});

  // A validation error (bad ARN for the action, unknown action, invalid policy) must never pass as a denial.
  assert(
    sim.resultType !== 'error',
    `simulation of ${action} on ${resource} did not run:\n${sim.resultType === 'error' ? JSON.stringify(sim.errors, null, 2) : ''}`,
  );

  const results = sim.resultType === 'single' ? [sim.result] : sim.results;
  for (const result of results) {
    // If the simulator dropped a key we set, the MFA condition or ${aws:username} would be evaluated without it.
    expect(result.ignoredContextKeys ?? [], `context keys ignored for ${action}`).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^aws:(username|MultiFactorAuthPresent)$/i)]),
    );
  }
  const deniedBy = results.flatMap((r) =>
    (r.analysis.identityAnalysis?.denyStatements ?? []).map((s) => `${s.policyId}/${s.statement.sid() ?? '?'}`),
  );
  return { decision: sim.overallResult, deniedBy };
}

interface Case {
  /** Completes "allows alice to …" / "explicitly denies alice …". */
  does: string;
  action: string;
  resource: string;
}

/** Self-service that must work before MFA exists: sign in with a forced password change, register MFA. */
const SELF_SERVICE: Case[] = [
  { does: 'change her own password (iam:ChangePassword on user/alice)', action: 'iam:ChangePassword', resource: ALICE },
  { does: 'read the account password policy (iam:GetAccountPasswordPolicy)', action: 'iam:GetAccountPasswordPolicy', resource: '*' },
  {
    does: 'create her virtual MFA device (iam:CreateVirtualMFADevice on mfa/alice)',
    action: 'iam:CreateVirtualMFADevice',
    resource: ALICE_VIRTUAL_MFA,
  },
  { does: 'enable an MFA device on her own user (iam:EnableMFADevice on user/alice)', action: 'iam:EnableMFADevice', resource: ALICE },
  { does: 'list her own MFA devices (iam:ListMFADevices on user/alice)', action: 'iam:ListMFADevices', resource: ALICE },
  { does: 'resync her own MFA device (iam:ResyncMFADevice on user/alice)', action: 'iam:ResyncMFADevice', resource: ALICE },
  { does: 'read her own user (iam:GetUser on user/alice)', action: 'iam:GetUser', resource: ALICE },
  { does: 'list virtual MFA devices (iam:ListVirtualMFADevices)', action: 'iam:ListVirtualMFADevices', resource: '*' },
  { does: 'get a session token to sign in with MFA (sts:GetSessionToken)', action: 'sts:GetSessionToken', resource: '*' },
];

/** Everything else, although AdministratorAccess allows it. */
const BLOCKED_WITHOUT_MFA: Case[] = [
  { does: 'listing S3 buckets (s3:ListAllMyBuckets)', action: 's3:ListAllMyBuckets', resource: '*' },
  { does: 'creating a user (iam:CreateUser on user/bob)', action: 'iam:CreateUser', resource: BOB },
  { does: 'enabling MFA on another user (iam:EnableMFADevice on user/bob)', action: 'iam:EnableMFADevice', resource: BOB },
  { does: 'removing her own MFA device (iam:DeactivateMFADevice on user/alice)', action: 'iam:DeactivateMFADevice', resource: ALICE },
  { does: "changing another user's password (iam:ChangePassword on user/bob)", action: 'iam:ChangePassword', resource: BOB },
  { does: 'describing EC2 instances (ec2:DescribeInstances)', action: 'ec2:DescribeInstances', resource: '*' },
];

const WITHOUT_MFA: { label: string; mfa: Mfa }[] = [
  { label: 'aws:MultiFactorAuthPresent is false', mfa: false },
  { label: 'aws:MultiFactorAuthPresent is absent, as with long-term access keys', mfa: 'absent' },
];

describe('the MFA-required policy, evaluated for alice in a group with AdministratorAccess', () => {
  for (const { label, mfa } of WITHOUT_MFA) {
    describe(`without MFA (${label})`, () => {
      for (const c of SELF_SERVICE) {
        it(`allows alice to ${c.does}`, async () => {
          const { decision, deniedBy } = await decide(c.action, c.resource, { mfa });
          expect(decision, `denied by ${deniedBy.join(', ') || 'nothing'}`).toBe('Allowed');
        });
      }

      for (const c of BLOCKED_WITHOUT_MFA) {
        it(`explicitly denies alice ${c.does}`, async () => {
          const { decision, deniedBy } = await decide(c.action, c.resource, { mfa });
          expect(decision).toBe('ExplicitlyDenied');
          // The denial is ours, not an accident of some other statement.
          expect(
            deniedBy.every((d) => d.startsWith(`${MFA_POLICY_NAME}/`)),
            deniedBy.join(', '),
          ).toBe(true);
          expect(deniedBy.length).toBeGreaterThan(0);
        });
      }
    });
  }

  describe('with MFA (aws:MultiFactorAuthPresent is true)', () => {
    const ADMIN_WORK: Case[] = [
      { does: 'list S3 buckets (s3:ListAllMyBuckets)', action: 's3:ListAllMyBuckets', resource: '*' },
      { does: 'create a user (iam:CreateUser on user/bob)', action: 'iam:CreateUser', resource: BOB },
      { does: 'enable MFA on another user (iam:EnableMFADevice on user/bob)', action: 'iam:EnableMFADevice', resource: BOB },
    ];
    for (const c of ADMIN_WORK) {
      it(`lets AdministratorAccess allow alice to ${c.does}`, async () => {
        const { decision, deniedBy } = await decide(c.action, c.resource, { mfa: true });
        expect(decision, `denied by ${deniedBy.join(', ') || 'nothing'}`).toBe('Allowed');
      });
    }
  });

  it('grants nothing beyond self-service: with only the MFA policy and MFA present, alice is implicitly denied s3:ListAllMyBuckets', async () => {
    const { decision } = await decide('s3:ListAllMyBuckets', '*', { mfa: true, withAdmin: false });
    expect(decision).toBe('ImplicitlyDenied');
  });
});
