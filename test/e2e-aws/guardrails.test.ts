/**
 * The guardrails (service and resource control policies) of the packed package against the emulator:
 * one apply of a fresh organization enables both policy types, writes each policy once and attaches it
 * where it belongs, read back with the SDK; drift made behind the tool's back fails verify naming each
 * guardrail and apply restores it; the region deny needs its opt-in without a terminal; a lost
 * CreatePolicy answer makes no second policy. The emulator stores SCPs and RCPs and does not enforce
 * them (its README): what the policies allow and deny is evaluated in test/templates, not here.
 */
import { expect, it } from 'vitest';
import {
  DescribeOrganizationCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { GUARDRAIL_ANSWERS, LOG_ARCHIVE, REGION, logBucket, trailBucket } from './answers.js';
import { organizationPoliciesOf, type OrgPolicy } from './harness/aws-state.js';
import { baseEnv, runBin, tempDir, writeAnswers } from './harness/cli.js';
import { destroyAll, sdkClients } from './harness/sdk-clients.js';
import { e2eSuite, type World } from './harness/suite.js';

const SCP = 'SERVICE_CONTROL_POLICY';
const RCP = 'RESOURCE_CONTROL_POLICY';
const BASELINE = 'aws-groundwork-baseline';
const TLS_ONLY = 'aws-groundwork-tls-only';
const LOGS = 'aws-groundwork-log-archive';
const NO_KEYS = 'aws-groundwork-no-access-keys';
const PROD = 'acme-prod';

/** Organizations' limit on the characters of one SCP or RCP. */
const MAX_POLICY_CHARS = 5120;

/** The guardrails answers in place of `guardrails: {}`. */
const answersWith = (guardrails: string) => {
  const from = '  guardrails:          {}\n';
  if (!GUARDRAIL_ANSWERS.includes(from)) throw new Error('the guardrail answers no longer end with guardrails: {}');
  return GUARDRAIL_ANSWERS.replace(from, `  guardrails: ${guardrails}\n`);
};

/** The packed package at this world's proxy, with these answers and no terminal. */
function session(w: World, answers = GUARDRAIL_ANSWERS) {
  const home = tempDir();
  const file = writeAnswers(home, answers);
  return (...args: string[]) => runBin(w.bin, [...args, '--answers', file, '--endpoint-url', w.proxy.url], baseEnv(home));
}

type Statement = { Sid?: string; Effect?: string; Action?: unknown; NotAction?: unknown; Resource?: unknown; Condition?: unknown };
const statementsOf = (p: OrgPolicy | undefined) => ((p?.content as { Statement?: Statement[] } | null)?.Statement ?? []) as Statement[];
const sidsOf = (p: OrgPolicy | undefined) => statementsOf(p).map((s) => s.Sid);
/** The Deny statements whose Action is this action, or a list that holds it. */
const denying = (p: OrgPolicy | undefined, action: string) =>
  statementsOf(p).filter((s) => s.Effect === 'Deny' && [s.Action].flat().includes(action));

/** The customer-managed policies, `<type> <name> -> <targets>`, one line per policy: a second policy of a name is a second line. */
const ours = (policies: OrgPolicy[]) =>
  policies
    .filter((p) => !p.awsManaged)
    .map((p) => `${p.type} ${p.name} -> ${p.targets.join(',')}`)
    .sort();

/** Where a default guardrail belongs: the two root policies, log-archive's own SCP, and the no-keys SCP on prod. */
const IN_PLACE = [
  `${RCP} ${TLS_ONLY} -> root`,
  `${SCP} ${BASELINE} -> root`,
  `${SCP} ${LOGS} -> ${LOG_ARCHIVE}`,
  `${SCP} ${NO_KEYS} -> ${PROD}`,
];

interface VerifyDoc {
  accounts: { id: string; name: string }[];
  findings: { status: string; check: string; account: { name: string }; reason: string; controls: { id: string }[] }[];
}

e2eSuite(
  'the packed package against the emulator: the guardrails',
  (use) => {
    it.concurrent(
      "one apply guards a fresh organization (management, log-archive, prod): both policy types on, each guardrail once where it belongs, an empty plan and a passing verify; edited, detached and disabled behind the tool's back, verify fails naming each guardrail and apply restores them in place",
      () =>
        use(async (w) => {
          const gw = session(w);
          const apply = await gw('apply', '--yes');
          expect(apply.code, apply.stderr).toBe(0);
          // The plan it applied says what each guardrail prevents, where it goes, and the room left there;
          // the accounts the same apply makes get theirs once they exist.
          expect(apply.stdout).toContain('members can no longer leave the organization');
          expect(apply.stdout).toContain('(root: 2 of 5 SCPs after this)');
          expect(apply.stdout).toContain(`attach ${NO_KEYS} to the new account ${PROD}`);
          expect(apply.stdout).toContain(`attach ${LOGS} to the new account ${LOG_ARCHIVE}`);
          const plan = await gw('plan', '--detailed-exitcode');
          expect(plan.code, plan.stdout + plan.stderr).toBe(0);
          const verify = await gw('verify', '--output', 'json');
          expect(verify.code, verify.stdout).toBe(0);
          const doc = JSON.parse(verify.stdout) as VerifyDoc;
          // Every guardrail check is reported, from the management account, which holds the organization's policies.
          expect(guardrailFindings(doc)).toEqual([
            'guardrails.baseline pass management GW.GUARDRAILS-BASELINE',
            'guardrails.logs-untouchable pass management GW.GUARDRAILS-LOG-ARCHIVE',
            'guardrails.no-access-keys pass management GW.GUARDRAILS-NO-ACCESS-KEYS',
            'guardrails.policy-types pass management GW.GUARDRAILS-POLICY-TYPES',
            'guardrails.tls-only pass management GW.GUARDRAILS-TLS-ONLY',
          ]);
          const idOf = (name: string) => doc.accounts.find((a) => a.name === name)?.id as string;
          const guarded = await expectGuarded(w, idOf(LOG_ARCHIVE));

          await driftBehindTheToolsBack(w, guarded, idOf(PROD));
          const drifted = await gw('verify', '--output', 'json');
          expect(drifted.code, drifted.stderr).toBe(3);
          const driftedDoc = JSON.parse(drifted.stdout) as VerifyDoc;
          expect(guardrailFindings(driftedDoc)).toEqual([
            'guardrails.baseline fail management GW.GUARDRAILS-BASELINE',
            'guardrails.logs-untouchable pass management GW.GUARDRAILS-LOG-ARCHIVE',
            'guardrails.no-access-keys fail management GW.GUARDRAILS-NO-ACCESS-KEYS',
            'guardrails.policy-types fail management GW.GUARDRAILS-POLICY-TYPES',
            'guardrails.tls-only fail management GW.GUARDRAILS-TLS-ONLY',
          ]);
          // Each reason names the guardrail and what happened to it.
          const reason = (check: string) => driftedDoc.findings.find((f) => f.check === check)?.reason;
          expect(reason('guardrails.baseline')).toBe(
            `${BASELINE} differs from this version's document (edited outside this tool, or written by an earlier version)`,
          );
          expect(reason('guardrails.no-access-keys')).toBe(`${NO_KEYS} is not attached to ${PROD} (${idOf(PROD)})`);
          expect(reason('guardrails.policy-types')).toContain(`RCPs are disabled on the root, so ${TLS_ONLY}`);
          expect(reason('guardrails.tls-only')).toContain(`${TLS_ONLY} does not apply: RCPs are disabled on the root`);
          expect(reason('guardrails.tls-only')).toContain(`${TLS_ONLY} is not attached to root`);
          // Nothing else drifted: the rest of the organization still verifies.
          expect(driftedDoc.findings.filter((f) => f.status === 'fail' && !f.check.startsWith('guardrails.'))).toEqual([]);

          const repair = await gw('apply', '--yes');
          expect(repair.code, repair.stderr).toBe(0);
          expect(repair.stdout).toContain(
            `restore the SCP ${BASELINE} to this version's document (edited outside this tool, or written by an earlier version)`,
          );
          expect((await gw('verify')).code).toBe(0);
          expect((await gw('plan', '--detailed-exitcode')).code).toBe(0);
          // Restored in place: the same four policies, none made again.
          const restored = await expectGuarded(w, idOf(LOG_ARCHIVE));
          expect(idsOf(restored)).toEqual(idsOf(guarded));
        }),
      180_000,
    );

    it.concurrent(
      'allowedRegions without allowRegionDeny, without a terminal: apply exits 2 naming the opt-in, and sends no write at all',
      () =>
        use(async (w) => {
          const gw = session(w, answersWith('{ allowedRegions: [eu-west-1, us-east-1] }'));
          const run = await gw('apply', '--yes');
          expect(run.code, run.stderr).toBe(2);
          expect(run.stderr).toContain('set steps.guardrails.allowRegionDeny: true in the answers file');
          expect(w.proxy.writesSeen.map((e) => `${e.service}:${e.operation}`)).toEqual([]);
          // Not even the organization, which every other change of the run waited for.
          const m = sdkClients(w.emulator.url, REGION);
          await expect(m.organizations.send(new DescribeOrganizationCommand({}))).rejects.toMatchObject({
            name: 'AWSOrganizationsNotInUseException',
          });
          destroyAll(m);
        }),
      60_000,
    );

    it.concurrent.each([
      [BASELINE, 'a root guardrail, made by a change of its own, which the read-back finds done', 'it had been done'],
      [
        LOGS,
        "log-archive's own, made by that account's change once the account exists, which the read-back finds half done and finishes by attaching it",
        'it was not complete, so the step went on from what AWS holds',
      ],
    ])(
      'a lost CreatePolicy answer for %s (%s) ends the same run with exit 0 and one policy per name, each where it belongs',
      (name, _, readBack) =>
        use(async (w) => {
          // The guardrails need only the organization and its accounts: the other steps are left out to keep
          // this short (their writes are disturbed in the fault files, which leave the guardrails out).
          const gw = session(w);
          w.proxy.fault = {
            at: { service: 'organizations', operation: 'CreatePolicy', containing: `"Name":"${name}"` },
            kind: 'lose-answer',
          };
          const run = await gw('apply', '--yes', '--only', 'organization,member-accounts,guardrails');
          expect(run.code, run.stderr).toBe(0);
          // The fault struck (it strikes once), at that policy, and the step read back instead of sending it again.
          expect(w.proxy.fault).toBeNull();
          expect(run.stderr).toContain(`the answer to organizations:CreatePolicy was lost`);
          expect(run.stderr).toContain(`read back before sending anything again: ${readBack}`);
          // One CreatePolicy per guardrail, the lost one among them: none was sent twice.
          const creates = w.proxy.log.filter((e) => e.service === 'organizations' && e.operation === 'CreatePolicy');
          expect(creates).toHaveLength(IN_PLACE.length);
          const { policyTypes, policies } = await organizationPoliciesOf(w.emulator.url, REGION);
          expect(policyTypes).toEqual([`${RCP} ENABLED`, `${SCP} ENABLED`]);
          expect(ours(policies)).toEqual(IN_PLACE);
        }),
      120_000,
    );
  },
  { count: 2, emulatorEnv: { EMULATOR_ACCOUNT_CREATION_SECONDS: '0' } },
);

/** Each guardrail finding, `<check> <status> <account> <controls>`, sorted. */
const guardrailFindings = (doc: VerifyDoc) =>
  doc.findings
    .filter((f) => f.check.startsWith('guardrails.'))
    .map((f) => `${f.check} ${f.status} ${f.account.name} ${f.controls.map((c) => c.id).join(',')}`)
    .sort();

/** The tool's policies by name and id: the same ids after a repair mean each was restored in place, not made again. */
const idsOf = (policies: OrgPolicy[]) =>
  policies
    .filter((p) => !p.awsManaged)
    .map((p) => `${p.name} ${p.id}`)
    .sort();

/**
 * What an administrator of the management account could do in the console: let members leave again (the
 * baseline's first statement removed), take the no-keys guardrail off prod, and disable RCPs. AWS detaches
 * every policy of a type it disables (and attaches RCPFullAWSAccess everywhere again when it is enabled);
 * the emulator does neither, so the tool's RCP is detached here as AWS would, and RCPFullAWSAccess is left.
 */
async function driftBehindTheToolsBack(w: World, policies: OrgPolicy[], prodId: string): Promise<void> {
  const m = sdkClients(w.emulator.url, REGION);
  try {
    const policy = (name: string) => policies.find((p) => p.name === name) as OrgPolicy;
    const rootId = (await m.organizations.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
    const baseline = policy(BASELINE);
    const content = baseline.content as { Statement: Statement[] };
    const edited = { ...content, Statement: content.Statement.filter((s) => s.Sid !== 'DenyLeavingTheOrganization') };
    expect(edited.Statement).toHaveLength(content.Statement.length - 1);
    await m.organizations.send(new UpdatePolicyCommand({ PolicyId: baseline.id, Content: JSON.stringify(edited) }));
    await m.organizations.send(new DetachPolicyCommand({ PolicyId: policy(NO_KEYS).id, TargetId: prodId }));
    await m.organizations.send(new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: RCP }));
    await m.organizations.send(new DetachPolicyCommand({ PolicyId: policy(TLS_ONLY).id, TargetId: rootId }));
    // Behind the tool's back indeed: the emulator holds the drift.
    const rcps = (await m.organizations.send(new ListPoliciesCommand({ Filter: RCP }))).Policies ?? [];
    expect(rcps.map((p) => p.Name).sort()).toEqual(['RCPFullAWSAccess', TLS_ONLY]);
    const roots = (await m.organizations.send(new ListRootsCommand({}))).Roots ?? [];
    expect(roots[0]?.PolicyTypes?.map((t) => t.Type)).toEqual([SCP]);
  } finally {
    destroyAll(m);
  }
}

/** What the emulator holds after a converged apply, read with the SDK: the types, each policy once, its content, its targets. */
async function expectGuarded(w: World, archiveId: string): Promise<OrgPolicy[]> {
  const { policyTypes, policies } = await organizationPoliciesOf(w.emulator.url, REGION);
  expect(policyTypes).toEqual([`${RCP} ENABLED`, `${SCP} ENABLED`]);
  expect(ours(policies)).toEqual(IN_PLACE);
  const named = (name: string) => policies.find((p) => p.name === name);
  // AWS's full-access policies are never detached: the guardrails only ever add denies to them.
  expect(named('FullAWSAccess')?.targets).toContain('root');
  expect(named('RCPFullAWSAccess')?.targets).toContain('root');
  for (const p of policies.filter((x) => !x.awsManaged)) {
    // Under Organizations' limit as minified JSON (the text the tool sends); every statement has a Sid that says what it prevents.
    expect(JSON.stringify(p.content).length, p.name).toBeLessThanOrEqual(MAX_POLICY_CHARS);
    expect(
      sidsOf(p).every((sid) => typeof sid === 'string' && sid.length > 0),
      p.name,
    ).toBe(true);
  }
  // What each one is for, in its content as the emulator holds it.
  expect(denying(named(BASELINE), 'organizations:LeaveOrganization')).toHaveLength(1);
  expect(denying(named(NO_KEYS), 'iam:CreateAccessKey')).toHaveLength(1);
  expect(statementsOf(named(TLS_ONLY))).toEqual([
    expect.objectContaining({ Effect: 'Deny', Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } } }),
  ]);
  // log-archive's own SCP names its buckets, which carry its id, drawn by this emulator.
  const logsText = JSON.stringify(named(LOGS)?.content);
  expect(logsText).toContain(`arn:aws:s3:::${trailBucket(archiveId)}`);
  expect(logsText).toContain(`arn:aws:s3:::${logBucket(archiveId)}`);
  return policies;
}
