/**
 * The threat-detection step against the fake: GuardDuty administered from security-tooling in every
 * chosen region with every account enrolled and its own detector on, and an organization analyzer;
 * drift named by verify and repaired by apply; lost answers; no security-tooling account (a note and manual findings, never an error).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planAll, verifyAll } from '../../src/engine/runner.js';
import { FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';
import { applyOrThrow, engineRun, expectConvergence } from '../helpers/converge.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const TOOLING = 'acme-security-tooling';
const DEV = 'acme-dev';
const ACCOUNTS = [
  { name: TOOLING, email: 'aws+security-tooling@acme.example', purpose: 'security-tooling' },
  { name: DEV, email: 'aws+dev@acme.example', env: 'dev' },
];
const STEPS = ['organization', 'member-accounts', 'threat-detection'];
const answersWith = (td: Record<string, unknown> = {}, accounts: unknown[] = ACCOUNTS) => ({
  version: 1,
  steps: { organization: {}, 'member-accounts': { accounts }, 'threat-detection': td },
});
const idOf = (name: string) => {
  const a = [...fake.orgAccounts.values()].find((x) => x.Name === name);
  if (!a) throw new Error(`no account ${name}`);
  return a.Id;
};
const detector = (name: string, region = 'us-east-1') => {
  const d = fake.detectors.get(`${name === 'management' ? MANAGEMENT_ID : idOf(name)}|${region}`);
  if (!d) throw new Error(`no detector for ${name} in ${region}`);
  return d;
};

/** Organization, accounts and threat detection, converged. */
async function converged(td: Record<string, unknown> = {}) {
  const opts = await engineRun(STEPS, answersWith(td));
  await expectConvergence(opts);
  return opts;
}

/** Verify fails the check naming `words`, apply repairs it, and verify passes again. */
async function expectRepaired(opts: Awaited<ReturnType<typeof converged>>, checkId: string, words: string) {
  const failing = (await verifyAll(opts)).filter((f) => f.status === 'fail');
  expect(failing.map((f) => f.check)).toEqual([checkId]);
  expect(failing[0]?.reason).toContain(words);
  await applyOrThrow(opts, (await planAll(opts)).changes);
  expect((await planAll(opts)).changes).toEqual([]);
  expect((await verifyAll(opts)).filter((f) => f.status !== 'pass')).toEqual([]);
}

describe('threat-detection', () => {
  it('converges in the home region: security-tooling administers GuardDuty, every account has a detector, and the analyzer runs', async () => {
    await converged();
    const s = fake;
    expect(s.guarddutyAdmins.get('us-east-1')).toBe(idOf(TOOLING));
    const admin = detector(TOOLING);
    expect(admin.autoEnable).toBe('ALL');
    expect([...admin.members.keys()].sort()).toEqual([MANAGEMENT_ID, idOf(DEV)].sort());
    expect(detector(DEV).Status).toBe('ENABLED');
    expect(detector('management').Status).toBe('ENABLED');
    expect([...(s.analyzers.get(`${idOf(TOOLING)}|us-east-1`)?.values() ?? [])].map((a) => [a.name, a.type])).toEqual([
      ['aws-groundwork-organization', 'ORGANIZATION'],
    ]);
    expect(s.serviceAccess).toContain('access-analyzer.amazonaws.com');
  });

  it('converges in two regions, adding the home region to the list', async () => {
    await converged({ regions: ['eu-west-1'] });
    for (const region of ['us-east-1', 'eu-west-1']) {
      expect(fake.guarddutyAdmins.get(region)).toBe(idOf(TOOLING));
      expect(detector(DEV, region).Status).toBe('ENABLED');
      expect(detector(TOOLING, region).members.size).toBe(2);
    }
  });

  it('names a member where GuardDuty is suspended, and resumes it from the administrator', async () => {
    const opts = await converged();
    detector(DEV).Status = 'DISABLED';
    await expectRepaired(opts, 'threat-detection.guardduty-detectors', `GuardDuty is suspended in ${DEV}`);
    expect(detector(DEV).Status).toBe('ENABLED');
  });

  it('names a member no longer enrolled, and enrols it again', async () => {
    const opts = await converged();
    detector(TOOLING).members.delete(idOf(DEV));
    await expectRepaired(opts, 'threat-detection.guardduty-members', `${DEV} (${idOf(DEV)}) is not`);
  });

  it('names auto-enable turned off, and turns it back to ALL', async () => {
    const opts = await converged();
    detector(TOOLING).autoEnable = 'NEW';
    await expectRepaired(opts, 'threat-detection.guardduty-auto-enable', 'auto-enable is NEW');
    expect(detector(TOOLING).autoEnable).toBe('ALL');
  });

  it('names a deleted analyzer, and creates it again', async () => {
    const opts = await converged();
    fake.analyzers.get(`${idOf(TOOLING)}|us-east-1`)?.clear();
    await expectRepaired(opts, 'threat-detection.access-analyzer', 'has no organization analyzer');
  });

  it('adopts an organization analyzer of another name instead of making a second one', async () => {
    const opts = await engineRun(['organization', 'member-accounts'], answersWith());
    await applyOrThrow(opts, (await planAll(opts)).changes);
    const key = `${idOf(TOOLING)}|us-east-1`;
    fake.analyzers.set(
      key,
      new Map([
        [
          'theirs',
          { arn: 'arn:aws:access-analyzer:us-east-1:1:analyzer/theirs', name: 'theirs', type: 'ORGANIZATION', status: 'ACTIVE' as const },
        ],
      ]),
    );
    await converged();
    expect([...(fake.analyzers.get(key)?.keys() ?? [])]).toEqual(['theirs']);
  });

  it('plans nothing without a security-tooling account, says which purpose member-accounts needs, and leaves the rest of the run to converge', async () => {
    const opts = await engineRun(STEPS, answersWith({}, [ACCOUNTS[1]]));
    const plan = await planAll(opts);
    expect(plan.failures).toEqual([]);
    expect(plan.changes.filter((c) => c.step === 'threat-detection')).toEqual([]);
    expect(plan.notes.find((n) => n.startsWith('threat-detection:'))).toContain('purpose: security-tooling');
    await applyOrThrow(opts, plan.changes);
    expect(fake.detectors.size).toBe(0);
    const findings = (await verifyAll(opts)).filter((f) => f.check.startsWith('threat-detection.'));
    expect(findings.map((f) => `${f.check} ${f.status}`)).toEqual([
      'threat-detection.guardduty-detectors manual',
      'threat-detection.access-analyzer manual',
    ]);
    expect(findings[0]?.remediation).toContain('purpose: security-tooling');
  });

  it.each(['CreateDetector', 'CreateAnalyzer'])('makes nothing twice when the answer to %s is lost', async (operation) => {
    fake.loseAnswerNext(operation);
    await converged();
    expect(detector(DEV).DetectorId).toBeTruthy();
    expect(fake.analyzers.get(`${idOf(TOOLING)}|us-east-1`)?.size).toBe(1);
    expect([...fake.detectors.keys()].length).toBe(3);
  });
});
