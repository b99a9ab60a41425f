/**
 * Threat detection of the packed package against the emulator: a fresh organization with a
 * security-tooling account and a dev account gets GuardDuty administered from security-tooling (every
 * account a member, auto-enable ALL, each detector on) and an organization analyzer; the next plan is
 * empty and verify passes; the dev detector disabled and the analyzer deleted fail verify naming both,
 * and apply restores the analyzer (the emulator cannot resume a member: see the note in the test).
 */
import { expect, it } from 'vitest';
import { DeleteAnalyzerCommand, ListAnalyzersCommand } from '@aws-sdk/client-accessanalyzer';
import {
  DescribeOrganizationConfigurationCommand,
  GetDetectorCommand,
  ListDetectorsCommand,
  ListMembersCommand,
  ListOrganizationAdminAccountsCommand,
  UpdateDetectorCommand,
} from '@aws-sdk/client-guardduty';
import { REGION } from './answers.js';
import { accountNames, memberClients } from './harness/aws-state.js';
import { baseEnv, MANAGEMENT, runBin, tempDir, writeAnswers } from './harness/cli.js';
import { destroyAll, sdkClients, type SdkClients } from './harness/sdk-clients.js';
import { e2eSuite, type World } from './harness/suite.js';

const ANSWERS = `version: 1
region: ${REGION}
steps:
  organization: {}
  member-accounts:
    accounts:
      - { name: acme-security-tooling, email: aws+security-tooling@acme.example, purpose: security-tooling }
      - { name: acme-dev, email: aws+dev@acme.example, ou: Workloads }
  threat-detection: {}
`;

interface VerifyDoc {
  accounts: { id: string; name: string }[];
  findings: { status: string; check: string; reason: string }[];
}

function session(w: World) {
  const home = tempDir();
  const file = writeAnswers(home, ANSWERS);
  return (...args: string[]) => runBin(w.bin, [...args, '--answers', file, '--endpoint-url', w.proxy.url], baseEnv(home));
}

const detectorOf = async (c: SdkClients) => (await c.guardduty.send(new ListDetectorsCommand({}))).DetectorIds?.[0];

e2eSuite(
  'the packed package against the emulator: threat detection',
  (use) => {
    it('makes security-tooling the GuardDuty administrator with every account enrolled and an organization analyzer; a disabled member detector and a deleted analyzer fail verify, and apply restores them', () =>
      use(async (w) => {
        const gw = session(w);
        const apply = await gw('apply', '--yes');
        expect(apply.code, apply.stderr).toBe(0);
        expect((await gw('plan', '--detailed-exitcode')).code).toBe(0);
        const verify = await gw('verify', '--output', 'json');
        expect(verify.code, verify.stdout).toBe(0);
        const doc = JSON.parse(verify.stdout) as VerifyDoc;
        expect(doc.findings.filter((f) => f.check.startsWith('threat-detection.')).length).toBe(6);
        const names = await accountNames(w.emulator.url, REGION);
        const idOf = (name: string) => [...names].find(([, n]) => n === name)![0];

        const m = sdkClients(w.emulator.url, REGION);
        const tooling = await memberClients(m, w.emulator.url, REGION, idOf('acme-security-tooling'));
        const dev = await memberClients(m, w.emulator.url, REGION, idOf('acme-dev'));
        try {
          const admins = (await m.guardduty.send(new ListOrganizationAdminAccountsCommand({}))).AdminAccounts ?? [];
          expect(admins.map((a) => a.AdminAccountId)).toEqual([idOf('acme-security-tooling')]);
          const DetectorId = (await detectorOf(tooling))!;
          const config = await tooling.guardduty.send(new DescribeOrganizationConfigurationCommand({ DetectorId }));
          expect(config.AutoEnableOrganizationMembers).toBe('ALL');
          const members = (await tooling.guardduty.send(new ListMembersCommand({ DetectorId, OnlyAssociated: 'false' }))).Members ?? [];
          expect(members.map((x) => x.AccountId).sort()).toEqual([idOf('acme-dev'), MANAGEMENT].sort());
          const devDetector = (await detectorOf(dev))!;
          expect((await dev.guardduty.send(new GetDetectorCommand({ DetectorId: devDetector }))).Status).toBe('ENABLED');
          const analyzers = (await tooling.accessAnalyzer.send(new ListAnalyzersCommand({ type: 'ORGANIZATION' }))).analyzers ?? [];
          expect(analyzers.map((a) => [a.name, a.status])).toEqual([['aws-groundwork-organization', 'ACTIVE']]);

          await dev.guardduty.send(new UpdateDetectorCommand({ DetectorId: devDetector, Enable: false }));
          await tooling.accessAnalyzer.send(new DeleteAnalyzerCommand({ analyzerName: 'aws-groundwork-organization' }));
          const drifted = await gw('verify', '--output', 'json');
          expect(drifted.code).toBe(3);
          const failing = (JSON.parse(drifted.stdout) as VerifyDoc).findings.filter((f) => f.status === 'fail');
          expect(failing.map((f) => f.check).sort()).toEqual(['threat-detection.access-analyzer', 'threat-detection.guardduty-detectors']);
          expect(failing.map((f) => f.reason).join(' ')).toContain('GuardDuty is suspended in acme-dev');
          // The emulator has no StartMonitoringMembers, by which the administrator resumes a member (the
          // fake tests that repair): the member is resumed here, and apply repairs the analyzer.
          await dev.guardduty.send(new UpdateDetectorCommand({ DetectorId: devDetector, Enable: true }));
          const repair = await gw('apply', '--yes');
          expect(repair.code, repair.stderr).toBe(0);
          expect((await gw('verify')).code).toBe(0);
        } finally {
          for (const c of [m, tooling, dev]) destroyAll(c);
        }
      }));
  },
  { count: 1, emulatorEnv: { EMULATOR_ACCOUNT_CREATION_SECONDS: '0' } },
);
