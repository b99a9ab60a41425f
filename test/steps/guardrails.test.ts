/**
 * The guardrails step against the fake: SCPs and an RCP written once, found again by name, attached
 * where they belong (the root, log-archive, each staging and prod account), restored after drift, and
 * refused before any write when there is no room for them or the region deny is not opted in to.
 */
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  EnablePolicyTypeCommand,
  OrganizationsClient,
  UpdatePolicyCommand,
  type OrganizationsServiceException,
} from '@aws-sdk/client-organizations';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planAll, verifyAll } from '../../src/engine/runner.js';
import { REGISTRY } from '../../src/registry.js';
import { GUARDRAIL_CHECK_IDS } from '../../steps/guardrails/policies.js';
import type { Change, Finding } from '../../src/model.js';
import { FULL_ACCESS, FakeAws, MANAGEMENT_ID, ROOT_ID, type FakeOrgPolicy } from '../helpers/fake-aws.js';
import { applyOne, applyOrThrow, engineRun, expectConvergence } from '../helpers/converge.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const SCP = 'SERVICE_CONTROL_POLICY';
const RCP = 'RESOURCE_CONTROL_POLICY';
const BASELINE = 'aws-groundwork-baseline';
const TLS_ONLY = 'aws-groundwork-tls-only';
const LOG_ARCHIVE = 'aws-groundwork-log-archive';
const NO_KEYS = 'aws-groundwork-no-access-keys';
const REGIONS = 'aws-groundwork-regions';

const ACCOUNTS = [
  { name: 'acme-dev', email: 'aws+dev@acme.example', ou: 'Workloads' },
  { name: 'acme-staging', email: 'aws+staging@acme.example', ou: 'Workloads' },
  { name: 'acme-prod', email: 'aws+prod@acme.example', ou: 'Prod' },
  { name: 'acme-log-archive', email: 'aws+log-archive@acme.example', purpose: 'log-archive' },
];
const ALL = ['organization', 'member-accounts', 'guardrails'];

/** The organization, its accounts and the guardrails, with more guardrails answers. */
const answersWith = (guardrails: Record<string, unknown> = {}) => ({
  version: 1,
  steps: { organization: {}, 'member-accounts': { accounts: ACCOUNTS }, guardrails },
});

/** What anyone with the management account's credentials sends, behind the tool's back. */
const someone = () => new OrganizationsClient({ region: 'us-east-1', credentials: { accessKeyId: 'X', secretAccessKey: 'Y' } });

const idOf = (name: string) => {
  const found = [...fake.orgAccounts.values()].find((a) => a.Name === name);
  if (!found) throw new Error(`no account ${name} in the fake organization`);
  return found.Id;
};
const policyNamed = (name: string): FakeOrgPolicy => {
  const found = [...fake.orgPolicies.values()].filter((p) => p.Name === name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
};
/** Where each of the tool's policies is attached, by target name: what the tests compare. */
function attachments(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const target of [ROOT_ID, ...fake.orgAccounts.keys()]) {
    const name = target === ROOT_ID ? 'root' : fake.orgAccounts.get(target)!.Name;
    const ours = [...fake.policiesOn(target, SCP), ...fake.policiesOn(target, RCP)].filter((p) => p.startsWith('aws-groundwork-'));
    if (ours.length) out[name] = ours.sort();
  }
  return out;
}
const brief = (f: Finding) => `${f.check} ${f.status}`;
const failing = (findings: Finding[]) => findings.filter((f) => f.status !== 'pass');

/** Makes the organization and its accounts without the guardrails: every account exists before they are planned. */
async function accountsFirst(): Promise<void> {
  const opts = await engineRun(['organization', 'member-accounts'], answersWith());
  await applyOrThrow(opts, (await planAll(opts)).changes);
  await applyOrThrow(opts, (await planAll(opts)).changes);
}

/** The default guardrails where each belongs, and nothing of ours anywhere else. */
const DEFAULT_PLACES = {
  root: [BASELINE, TLS_ONLY],
  'acme-log-archive': [LOG_ARCHIVE],
  'acme-staging': [NO_KEYS],
  'acme-prod': [NO_KEYS],
};

describe('a fresh organization whose log-archive, staging and prod accounts the same apply makes', () => {
  it('converges in one apply: both policy types on, each policy once, each attached where it belongs, FullAWSAccess left everywhere', async () => {
    const opts = await engineRun(ALL, answersWith());
    const first = await expectConvergence(opts);

    // The three accounts do not exist when the first plan is made: what they get waits for them.
    const waiting = first.changes.filter((c) => c.step === 'guardrails' && c.deferred);
    expect(waiting.map((c) => c.account.name).sort()).toEqual(['acme-log-archive', 'acme-prod', 'acme-staging']);
    for (const c of waiting) expect(c.from?.id).toBe(MANAGEMENT_ID);

    expect([...fake.policyTypes].sort()).toEqual([RCP, SCP]);
    expect([...fake.orgPolicies.values()].map((p) => `${p.Type} ${p.Name}`).sort()).toEqual(
      [`${RCP} ${TLS_ONLY}`, `${SCP} ${BASELINE}`, `${SCP} ${LOG_ARCHIVE}`, `${SCP} ${NO_KEYS}`].sort(),
    );
    expect(attachments()).toEqual(DEFAULT_PLACES);
    // The log-archive guardrail names that account's own buckets, which org-trail makes there.
    expect(policyNamed(LOG_ARCHIVE).Content).toContain(`aws-groundwork-trail-${idOf('acme-log-archive')}-us-east-1`);
    // AWS's full-access policies stay wherever the types put them: the guardrails only ever add denies.
    for (const target of [ROOT_ID, ...fake.orgAccounts.keys(), ...fake.ous.keys()]) {
      expect(fake.policiesOn(target, SCP), target).toContain('FullAWSAccess');
      expect(fake.policiesOn(target, RCP), target).toContain('RCPFullAWSAccess');
    }
  });
});

describe('an organization whose accounts exist', () => {
  it('plans each attachment in plain words with the room left, then converges, and verify names each guardrail where it holds', async () => {
    await accountsFirst();
    const opts = await engineRun(ALL, answersWith());
    const first = await expectConvergence(opts);
    const guardrails = first.changes.filter((c) => c.step === 'guardrails');
    expect(guardrails.filter((c) => c.deferred)).toEqual([]);
    // The policies shared by several places first, then the root's attachments, then one change per
    // member account (log-archive's policy names that account, so its change makes it).
    expect(guardrails.map((c) => `${c.operation.kind} ${c.address}`)).toEqual([
      'enable-policy-type organizations:root/policy-type/SERVICE_CONTROL_POLICY',
      'enable-policy-type organizations:root/policy-type/RESOURCE_CONTROL_POLICY',
      `create-policy organizations:policy/${BASELINE}`,
      `create-policy organizations:policy/${TLS_ONLY}`,
      `create-policy organizations:policy/${NO_KEYS}`,
      `attach-policy organizations:policy/${BASELINE}/attachment/root`,
      `attach-policy organizations:policy/${TLS_ONLY}/attachment/root`,
      'guard-account organizations:account/acme-log-archive/guardrails',
      'guard-account organizations:account/acme-staging/guardrails',
      'guard-account organizations:account/acme-prod/guardrails',
    ]);
    const summaries = guardrails.filter((c) => ['attach-policy', 'guard-account'].includes(c.operation.kind)).map((c) => c.summary);
    expect(summaries).toContain(
      "members can no longer leave the organization; only OrganizationAccountAccessRole can turn off S3 Block Public Access or change the password policy or alternate contacts, disable GuardDuty, take an account out of its GuardDuty administration or delete an IAM Access Analyzer analyzer; nobody can create root access keys; a member's root user can do nothing but the privileged tasks of centralized root access (root: 2 of 5 SCPs after this)",
    );
    expect(summaries).toContain(
      `nobody in a staging or production account can create IAM access keys (acme-prod (${idOf('acme-prod')}): 2 of 5 SCPs after this)`,
    );
    expect(summaries).toContain("no S3 request without TLS reaches a member account's bucket (root: 2 of 5 RCPs after this)");
    expect(summaries.find((t) => t.startsWith(`create ${LOG_ARCHIVE} and attach it: nobody in log-archive`))).toMatch(
      new RegExp(`\\(acme-log-archive \\(${idOf('acme-log-archive')}\\): 2 of 5 SCPs after this\\)$`),
    );
    for (const c of guardrails) expect(c.risk, c.address).toBe('security');
    expect(attachments()).toEqual(DEFAULT_PLACES);

    const findings = (await verifyAll(opts)).filter((f) => f.step === 'guardrails');
    expect(findings.map(brief).sort()).toEqual(
      [
        'guardrails.baseline pass',
        'guardrails.logs-untouchable pass',
        'guardrails.no-access-keys pass',
        'guardrails.policy-types pass',
        'guardrails.tls-only pass',
      ].sort(),
    );
    const keys = findings.find((f) => f.check === 'guardrails.no-access-keys')!;
    expect(keys.reason).toContain(`acme-staging (${idOf('acme-staging')})`);
    expect(keys.reason).toContain(`acme-prod (${idOf('acme-prod')})`);
    expect(keys.reason).not.toContain('acme-dev');
  });

  it('puts the no-access-keys guardrail on the environments the answers name, and only there', async () => {
    await accountsFirst();
    await expectConvergence(await engineRun(ALL, answersWith({ noAccessKeysIn: ['dev'] })));
    expect(attachments()).toEqual({ root: [BASELINE, TLS_ONLY], 'acme-log-archive': [LOG_ARCHIVE], 'acme-dev': [NO_KEYS] });
  });
});

describe("the log-archive guardrail and the trail's bucket names", () => {
  it('protects the buckets org-trail answers name, not its default names, when the answers give names', async () => {
    await accountsFirst();
    const named = {
      ...answersWith(),
      steps: { ...answersWith().steps, 'org-trail': { bucketName: 'acme-trail-logs', logBucketName: 'acme-access-logs' } },
    };
    const opts = await engineRun(ALL, named);
    await applyOrThrow(opts, (await planAll(opts)).changes);
    const content = policyNamed(LOG_ARCHIVE).Content;
    expect(content).toContain('arn:aws:s3:::acme-trail-logs');
    expect(content).toContain('arn:aws:s3:::acme-access-logs');
    expect(content).not.toContain('aws-groundwork-trail-');
    // Without those answers, the defaults, named after log-archive's id.
    const plain = await engineRun(ALL, answersWith());
    await applyOrThrow(plain, (await planAll(plain)).changes);
    expect(policyNamed(LOG_ARCHIVE).Content).toContain(`arn:aws:s3:::aws-groundwork-trail-${idOf('acme-log-archive')}-us-east-1`);
  });
});

describe('a policy type just enabled', () => {
  it('refusing an attach for a while (PENDING_ENABLE) is waited out, and the apply converges', async () => {
    await accountsFirst();
    const pending = () => {
      const err = new Error('This policy type is not enabled on the root.') as OrganizationsServiceException;
      Object.assign(err, { name: 'PolicyTypeNotEnabledException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
      return err;
    };
    fake.failNext('AttachPolicy', pending());
    fake.failNext('AttachPolicy', pending());
    const opts = await engineRun(ALL, answersWith());
    await expectConvergence(opts);
    expect(attachments()).toEqual(DEFAULT_PLACES);
  });
});

describe('the checks', () => {
  it('are the policy types and every check the guardrail policies can be reported under', () => {
    const step = REGISTRY.find((x) => x.id === 'guardrails')!;
    expect(step.checks.map((c) => c.id).sort()).toEqual(['guardrails.policy-types', ...GUARDRAIL_CHECK_IDS].sort());
  });
});

describe('an organization this account does not manage', () => {
  it('stops the plan naming the management account, and fails every check saying why', async () => {
    const other = '999999999999';
    fake.organization = {
      Id: 'o-other12345',
      Arn: `arn:aws:organizations::${other}:organization/o-other12345`,
      FeatureSet: 'ALL',
      MasterAccountId: other,
    };
    const opts = await engineRun(['guardrails'], { version: 1, steps: { guardrails: {} } });
    const plan = await planAll(opts);
    expect(plan.failures.map((f) => f.message)).toEqual([expect.stringContaining(`managed by account ${other}`)]);
    const findings = await verifyAll(opts);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings)
      expect(`${f.status} ${f.reason}`).toContain(`fail this account (${MANAGEMENT_ID}) is a member of organization o-other12345`);
    expect(fake.writes).toEqual([]);
  });
});

describe('accounts member-accounts has still to make, in a run without it', () => {
  it('get nothing planned for them, and a note; verify fails the guardrail naming the account still missing', async () => {
    const opts = await engineRun(['organization', 'guardrails'], answersWith());
    const plan = await planAll(opts);
    expect(plan.changes.filter((c) => c.deferred)).toEqual([]);
    expect(plan.notes).toContain(
      `guardrails: ${NO_KEYS} will be attached to acme-staging once member-accounts has made it; until then it has none of them.`,
    );
    await applyOrThrow(opts, plan.changes);
    const keys = (await verifyAll(opts)).find((f) => f.check === 'guardrails.no-access-keys')!;
    expect(keys.status).toBe('fail');
    expect(keys.reason).toContain(`acme-prod does not exist yet, so ${NO_KEYS} is not attached to it`);
    expect(attachments()).toEqual({ root: [BASELINE, TLS_ONLY] });
  });
});

describe('drift behind the tool’s back', () => {
  async function converged() {
    await accountsFirst();
    const opts = await engineRun(ALL, answersWith());
    await expectConvergence(opts);
    return opts;
  }

  /** Verify fails exactly these checks, each naming what is wrong; apply restores them, and verify passes again. */
  async function failsThenRestores(opts: Awaited<ReturnType<typeof converged>>, expected: Record<string, string[]>) {
    const bad = failing(await verifyAll(opts));
    expect(bad.map((f) => f.check).sort()).toEqual(Object.keys(expected).sort());
    for (const f of bad) for (const words of expected[f.check]!) expect(f.reason, f.check).toContain(words);
    const plan = await planAll(opts);
    await applyOrThrow(opts, plan.changes);
    expect((await planAll(opts)).changes).toEqual([]);
    expect(failing(await verifyAll(opts))).toEqual([]);
    expect(attachments()).toEqual(DEFAULT_PLACES);
    return plan.changes;
  }

  it('an edited policy fails verify naming the guardrail, and apply writes the tool’s content back into the same policy', async () => {
    const opts = await converged();
    const baseline = policyNamed(BASELINE);
    const content = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*"}]}';
    await someone().send(new UpdatePolicyCommand({ PolicyId: baseline.Id, Content: content }));
    const changes = await failsThenRestores(opts, {
      'guardrails.baseline': [
        `${BASELINE} differs from this version's document (edited outside this tool, or written by an earlier version)`,
      ],
    });
    expect(changes.map((c) => `${c.operation.kind} ${c.address}`)).toEqual([`update-policy organizations:policy/${BASELINE}`]);
    expect(policyNamed(BASELINE).Id).toBe(baseline.Id);
    expect(policyNamed(BASELINE).Content).not.toBe(content);
  });

  it('a policy detached from an account fails verify naming the guardrail and the account, and apply attaches it again', async () => {
    const opts = await converged();
    const prod = idOf('acme-prod');
    await someone().send(new DetachPolicyCommand({ PolicyId: policyNamed(NO_KEYS).Id, TargetId: prod }));
    const changes = await failsThenRestores(opts, { 'guardrails.no-access-keys': [`${NO_KEYS} is not attached to acme-prod (${prod})`] });
    expect(changes.map((c) => `${c.operation.kind} ${c.address}`)).toEqual(['guard-account organizations:account/acme-prod/guardrails']);
  });

  it('a disabled policy type fails verify naming every guardrail it turned off, and apply enables it and attaches them again', async () => {
    const opts = await converged();
    await someone().send(new DisablePolicyTypeCommand({ RootId: ROOT_ID, PolicyType: SCP }));
    expect(attachments()).toEqual({ root: [TLS_ONLY] });
    const changes = await failsThenRestores(opts, {
      'guardrails.policy-types': [`SCPs are disabled on the root, so ${BASELINE}, ${LOG_ARCHIVE}, ${NO_KEYS} do not apply`],
      'guardrails.baseline': [`${BASELINE} does not apply: SCPs are disabled on the root`, `${BASELINE} is not attached to root`],
      'guardrails.logs-untouchable': [`${LOG_ARCHIVE} does not apply`],
      'guardrails.no-access-keys': [`${NO_KEYS} is not attached to acme-staging`, `${NO_KEYS} is not attached to acme-prod`],
    });
    expect(changes.map((c) => c.operation.kind)).toEqual(['enable-policy-type', 'attach-policy', ...Array(3).fill('guard-account')]);
    // Nothing was made twice: the policies were kept while detached.
    expect(fake.orgPolicies.size).toBe(4);
  });

  it('a deleted-and-gone policy is made again under its name', async () => {
    const opts = await converged();
    const id = policyNamed(TLS_ONLY).Id;
    fake.orgPolicies.delete(id);
    fake.policyAttachments.delete(id);
    const changes = await failsThenRestores(opts, { 'guardrails.tls-only': [`the RCP ${TLS_ONLY} does not exist`] });
    expect(changes.map((c) => c.operation.kind)).toEqual(['create-policy', 'attach-policy']);
  });
});

describe('room for the guardrails', () => {
  /** An organization with SCPs on, whose root holds FullAWSAccess and four SCPs of the user's own. */
  async function crowdedRoot(): Promise<string> {
    await expectConvergence(await engineRun(['organization'], answersWith()));
    fake.policyTypes.add(SCP);
    fake.policyAttachments.set(FULL_ACCESS[SCP].Id, new Set([ROOT_ID, MANAGEMENT_ID]));
    for (const name of ['team-a', 'team-b', 'team-c', 'team-d']) fake.addOrgPolicy(name, { targets: [ROOT_ID] });
    return answersFile(JSON.stringify({ version: 1, steps: { organization: {}, guardrails: {} } }));
  }

  it('a root that already holds 5 SCPs is explained (where, what is attached, what is needed) and plan and apply exit 1 before writing', async () => {
    const file = await crowdedRoot();
    const plan = await cli(['plan', '--answers', file]);
    expect(plan.code, plan.stderr).toBe(1);
    expect(plan.stderr).toContain(
      `the guardrails need room for 1 more SCP on the root (${BASELINE}), and it has 5 of the 5 allowed: FullAWSAccess, team-a, team-b, team-c, team-d (none free). Nothing was changed.`,
    );
    expect(plan.stderr).toContain('FullAWSAccess stays (this tool never detaches it)');

    const before = fake.snapshot();
    const written = fake.writes.length;
    const apply = await cli(['apply', '--yes', '--answers', file]);
    expect(apply.code, apply.stderr).toBe(1);
    expect(apply.stderr).toContain(`the guardrails need room for 1 more SCP on the root (${BASELINE})`);
    expect(fake.writes.slice(written)).toEqual([]);
    expect(fake.snapshot()).toEqual(before);
  });

  it('a root with one SCP free takes the baseline, and says it is then full', async () => {
    await crowdedRoot();
    fake.policyAttachments.get(policyNamed('team-d').Id)!.delete(ROOT_ID);
    const opts = await engineRun(['organization', 'guardrails'], { version: 1, steps: { organization: {}, guardrails: {} } });
    const first = await expectConvergence(opts);
    expect(first.changes.find((c) => c.address === `organizations:policy/${BASELINE}/attachment/root`)?.summary).toMatch(
      /\(root: 5 of 5 SCPs after this\)$/,
    );
    expect(fake.policiesOn(ROOT_ID).sort()).toEqual([BASELINE, 'FullAWSAccess', 'team-a', 'team-b', 'team-c'].sort());
  });
});

describe('the region allow-list', () => {
  const regionFile = (extra: Record<string, unknown>) =>
    answersFile(
      JSON.stringify({ version: 1, steps: { organization: {}, guardrails: { allowedRegions: ['us-east-1', 'eu-west-1'], ...extra } } }),
    );

  it('a region name the guardrail could not take is refused with exit 2 and its path, before any AWS call', async () => {
    const run = await cli([
      'plan',
      '--answers',
      answersFile(JSON.stringify(answersWith({ allowedRegions: ['eu-west-1', 'us-east-100'] }))),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('steps.guardrails.allowedRegions[1]');
    expect(fake.calls).toEqual([]);
  });

  it('without allowRegionDeny and without a terminal, apply exits 2 naming the opt-in, before any write', async () => {
    const run = await cli(['apply', '--yes', '--answers', regionFile({})]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('set steps.guardrails.allowRegionDeny: true in the answers file');
    expect(fake.writes).toEqual([]);
    expect(fake.organization).toBeNull();
  });

  it('with allowRegionDeny, apply denies the other regions from the root, and the next plan is empty', async () => {
    const answers = { allowedRegions: ['us-east-1', 'eu-west-1'], allowRegionDeny: true };
    const plan = await planAll(
      await engineRun(['organization', 'guardrails'], { version: 1, steps: { organization: {}, guardrails: answers } }),
    );
    const regionChanges = plan.changes.filter((c) => c.address.startsWith(`organizations:policy/${REGIONS}`));
    expect(regionChanges.map((c) => `${c.operation.kind} ${c.risk}`)).toEqual(['create-policy destructive', 'attach-policy destructive']);
    for (const c of plan.changes.filter((x) => !regionChanges.includes(x) && x.step === 'guardrails')) expect(c.risk).toBe('security');

    const file = regionFile({ allowRegionDeny: true });
    const apply = await cli(['apply', '--yes', '--answers', file]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(fake.policiesOn(ROOT_ID).sort()).toEqual([BASELINE, 'FullAWSAccess', REGIONS].sort());
    expect(JSON.parse(policyNamed(REGIONS).Content).Statement[0].Condition.StringNotEquals['aws:RequestedRegion']).toEqual([
      'us-east-1',
      'eu-west-1',
    ]);
    const again = await cli(['plan', '--detailed-exitcode', '--answers', file]);
    expect(again.code, again.stdout).toBe(0);
  });

  it('emptied again, the region guardrail is detached from the root and kept, and nothing else changes', async () => {
    const on = { version: 1, steps: { organization: {}, guardrails: { allowedRegions: ['us-east-1'], allowRegionDeny: true } } };
    await expectConvergence(await engineRun(['organization', 'guardrails'], on));
    const off = await engineRun(['organization', 'guardrails'], { version: 1, steps: { organization: {}, guardrails: {} } });
    const plan = await planAll(off);
    expect(plan.changes.map((c) => `${c.operation.kind} ${c.action} ${c.risk}`)).toEqual(['detach-policy delete none']);
    await applyOrThrow(off, plan.changes);
    expect(fake.policiesOn(ROOT_ID).sort()).toEqual([BASELINE, 'FullAWSAccess'].sort());
    expect(policyNamed(REGIONS)).toBeDefined();
    expect((await planAll(off)).changes).toEqual([]);
    expect(failing(await verifyAll(off))).toEqual([]);
  });
});

describe('lost answers', () => {
  it('lost answers at every CreatePolicy, EnablePolicyType and AttachPolicy converge to one policy per name, each attached once', async () => {
    await accountsFirst();
    for (let n = 0; n < 4; n++) fake.loseAnswerNext('CreatePolicy');
    fake.loseAnswerNext('EnablePolicyType');
    fake.loseAnswerNext('AttachPolicy');
    await expectConvergence(await engineRun(ALL, answersWith()));
    const names = [...fake.orgPolicies.values()].map((p) => p.Name);
    expect(names.sort()).toEqual([BASELINE, LOG_ARCHIVE, NO_KEYS, TLS_ONLY].sort());
    expect(fake.writes.filter((w) => w.operation === 'CreatePolicy')).toHaveLength(4);
    expect(attachments()).toEqual(DEFAULT_PLACES);
  });

  it('a policy an interrupted run made under the name is found on DuplicatePolicyException and given the tool’s content', async () => {
    await accountsFirst();
    const opts = await engineRun(ALL, answersWith());
    const create = (await planAll(opts)).changes.find((c: Change) => c.operation.kind === 'create-policy' && c.address.endsWith(NO_KEYS))!;
    const id = fake.addOrgPolicy(NO_KEYS, {
      content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}',
    });
    await applyOne(opts, create);
    expect(fake.writes.map((w) => w.operation)).toContain('UpdatePolicy');
    expect(policyNamed(NO_KEYS).Id).toBe(id);
    expect(JSON.parse(policyNamed(NO_KEYS).Content).Statement[0].Action).toBe('iam:CreateAccessKey');
  });
});

describe("the fake's Organizations policies, as AWS answers", () => {
  /** 'ok', or the error's name and Reason: what AWS answered. */
  const answerTo = async (call: (org: OrganizationsClient) => Promise<unknown>) => {
    try {
      await call(someone());
      return 'ok';
    } catch (err) {
      const e = err as OrganizationsServiceException & { Reason?: string };
      return `${e.name}${e.Reason ? ` ${e.Reason}` : ''}`;
    }
  };
  const attach = (PolicyId: string) => answerTo((o) => o.send(new AttachPolicyCommand({ PolicyId, TargetId: ROOT_ID })));
  const enable = () => answerTo((o) => o.send(new EnablePolicyTypeCommand({ RootId: ROOT_ID, PolicyType: SCP })));
  const create = (Name: string, Content: string) =>
    answerTo((o) => o.send(new CreatePolicyCommand({ Name, Type: SCP, Description: '', Content })));

  it('needs the type enabled to attach, refuses a sixth SCP on a target, the last SCP detached, a repeated name and policies over 5,120 characters', async () => {
    await expectConvergence(await engineRun(['organization'], answersWith()));
    const id = fake.addOrgPolicy('one');
    expect(await attach(id)).toBe('PolicyTypeNotEnabledException');
    expect(await enable()).toBe('ok');
    expect(await enable()).toBe('PolicyTypeAlreadyEnabledException');
    expect(fake.policiesOn(ROOT_ID)).toEqual(['FullAWSAccess']);
    expect(await answerTo((o) => o.send(new DetachPolicyCommand({ PolicyId: FULL_ACCESS[SCP].Id, TargetId: ROOT_ID })))).toBe(
      'ConstraintViolationException MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
    );
    for (const name of ['two', 'three', 'four']) fake.addOrgPolicy(name, { targets: [ROOT_ID] });
    expect(await attach(id)).toBe('ok');
    expect(await attach(id)).toBe('DuplicatePolicyAttachmentException');
    expect(await attach(fake.addOrgPolicy('six'))).toBe('ConstraintViolationException POLICY_NUMBER_LIMIT_EXCEEDED');
    const long = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'x:y', Resource: 'r'.repeat(5100) }] });
    expect(await create('long', long)).toBe('ConstraintViolationException POLICY_CONTENT_LIMIT_EXCEEDED');
    expect(await create('one', FULL_ACCESS[SCP].Content)).toBe('DuplicatePolicyException');
    expect(await create('broken', '{"Statement":')).toBe('MalformedPolicyDocumentException');
  });
});
