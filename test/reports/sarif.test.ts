import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPORT_HEADING } from '../../src/io/report.js';
import { FINGERPRINT, sarifLog } from '../../src/io/sarif.js';
import type { Finding } from '../../src/model.js';
import { REGISTRY } from '../../src/registry.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';
import { answersFile, cli } from '../helpers/run-cli.js';

/**
 * `verify --output sarif` is what a scheduled CI job uploads to GitHub code scanning. It is held to
 * the SARIF 2.1.0 JSON Schema (vendored in test/fixtures, see its README) and to what code scanning
 * needs to show and track an alert: a rule per check, a result per finding that is not a pass, a
 * file location, and a fingerprint that does not change from one day's run to the next.
 */

const SCHEMA = JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;
// The schema declares draft 2020-12. Not strict: it is the standard's file, not ours to hold to ajv's strict mode.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
const validateSarif = ajv.compile(SCHEMA);

function expectValidSarif(log: unknown): void {
  const ok = validateSarif(log);
  expect(ok, ajv.errorsText(validateSarif.errors, { separator: '\n' })).toBe(true);
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
    logicalLocations: { name: string; kind: string }[];
  }[];
  partialFingerprints: Record<string, string>;
  properties: { status: string; account: { id: string; name: string }; resource: string };
}
interface SarifLog {
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        informationUri: string;
        rules: {
          id: string;
          shortDescription: { text: string };
          help: { text: string; markdown: string };
          properties: { tags: string[]; controls: { framework: string; id: string }[] };
        }[];
      };
    };
    invocations: { executionSuccessful: boolean; startTimeUtc: string; endTimeUtc: string; toolExecutionNotifications: unknown[] }[];
    results: SarifResult[];
  }[];
}

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

async function verifySarif(file: string, extra: string[] = [], now?: () => Date): Promise<{ code: number; log: SarifLog; stderr: string }> {
  const run = await cli(['verify', '--output', 'sarif', '--answers', file, ...extra], now ? { now } : {});
  return { code: run.code, log: JSON.parse(run.stdout) as SarifLog, stderr: run.stderr };
}

async function drifted(): Promise<string> {
  const file = answersFile(FULL_EXAMPLE);
  expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
  const staging = [...fake.orgAccounts.values()].find((a) => a.Name === 'acme-staging')!.Id as string;
  fake.accounts.get(staging)!.passwordPolicy!.MinimumPasswordLength = 8;
  [...fake.trails.values()][0]!.logging = false;
  fake.management.root.accessKeys = [{ AccessKeyId: 'AKIAROOTOLD1', Status: 'Active' }]; // only root can delete them: manual
  return file;
}

const EVERY_CHECK = REGISTRY.flatMap((s) => s.checks.map((c) => c.id));
const fingerprintsOf = (log: SarifLog) =>
  log.runs[0]!.results.map((r) => `${r.ruleId} ${r.properties.account.name} ${r.partialFingerprints[FINGERPRINT]}`).sort();

describe('verify --output sarif', () => {
  it('on a drifted organization validates against SARIF 2.1.0, with a rule for every declared check, one result per non-pass finding, and exit 3', async () => {
    const file = await drifted();
    const json = JSON.parse((await cli(['verify', '--output', 'json', '--answers', file])).stdout) as {
      findings: { check: string; status: string; account: { name: string } }[];
    };
    const { code, log } = await verifySarif(file);
    expect(code).toBe(3);
    expectValidSarif(log);
    expect(log.version).toBe('2.1.0');
    const [run] = log.runs;
    expect(run!.tool.driver).toMatchObject({ name: 'aws-groundwork', informationUri: 'https://www.npmjs.com/package/aws-groundwork' });
    expect(run!.tool.driver.rules.map((r) => r.id)).toEqual(EVERY_CHECK);

    const nonPass = json.findings.filter((f) => f.status !== 'pass');
    expect(run!.results.map((r) => `${r.properties.account.name} ${r.ruleId} ${r.properties.status}`).sort()).toEqual(
      nonPass.map((f) => `${f.account.name} ${f.check} ${f.status}`).sort(),
    );
    expect(
      run!.results
        .filter((r) => r.level === 'error')
        .map((r) => `${r.properties.account.name} ${r.ruleId}`)
        .sort(),
    ).toEqual([
      'acme-staging password-policy.matches-answers',
      'acme-staging password-policy.minimum-length',
      'management org-trail.multi-region-logging',
    ]);
    expect(run!.results.filter((r) => r.level === 'warning').map((r) => r.ruleId)).toEqual([
      'root-credentials.no-root-access-keys',
      'identity-center.mfa',
    ]);
    // Every result points at its rule and names the account and the resource.
    for (const r of run!.results) {
      expect(run!.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
      expect(r.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^file:\/\/\/.*answers\.yaml$/);
      expect(r.locations[0]!.logicalLocations.map((l) => l.name)).toEqual([r.properties.account.id, r.properties.resource]);
      expect(r.message.text).toContain(r.properties.account.id);
    }
    // Points at the step's section of the answers file: `password-policy:` is line 5 of the example.
    const minimum = run!.results.find((r) => r.ruleId === 'password-policy.minimum-length')!;
    expect(minimum.locations[0]!.physicalLocation.region.startLine).toBe(5);
    expect(run!.invocations[0]).toMatchObject({ executionSuccessful: true, toolExecutionNotifications: [] });
  });

  it('gives each rule its title, its controls as tags and properties, and its remediation in help', async () => {
    const { log } = await verifySarif(await drifted());
    const rule = log.runs[0]!.tool.driver.rules.find((r) => r.id === 'password-policy.minimum-length')!;
    expect(rule.shortDescription.text).toBe(REGISTRY.flatMap((s) => s.checks).find((c) => c.id === rule.id)!.title);
    expect(rule.properties.tags).toEqual(expect.arrayContaining(['security', 'CIS 1.7', 'SSB ACCT.06']));
    expect(rule.properties.controls).toContainEqual({
      framework: 'CIS Amazon Web Services Foundations Benchmark',
      version: '5.0.0',
      id: '1.7',
    });
    expect(rule.help.text).toMatch(/Controls: CIS 1\.7 .*SSB ACCT\.06/);
    expect(rule.help.text).toContain('Remediation: ');
    expect(rule.help.markdown).toContain('Remediation: ');
  });

  it('keeps every fingerprint across two runs at different times, so code scanning tracks the same alerts', async () => {
    const file = await drifted();
    const first = await verifySarif(file, [], () => new Date('2026-11-24T06:17:00Z'));
    const second = await verifySarif(file, [], () => new Date('2026-11-25T06:17:00Z'));
    expect(first.log.runs[0]!.invocations[0]!.startTimeUtc).not.toBe(second.log.runs[0]!.invocations[0]!.startTimeUtc);
    expect(fingerprintsOf(second.log)).toEqual(fingerprintsOf(first.log));
    // One per alert: no two results share a fingerprint.
    const all = first.log.runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT]);
    expect(new Set(all).size).toBe(all.length);
    // A finding that goes away takes its fingerprint with it; the others stay.
    [...fake.trails.values()][0]!.logging = true;
    const third = await verifySarif(file);
    expect(fingerprintsOf(third.log)).toEqual(fingerprintsOf(first.log).filter((f) => !f.startsWith('org-trail.multi-region-logging ')));
  });

  it('on a passing organization validates with exit 0 and one warning only: the MFA setting no API reads', async () => {
    const file = answersFile(FULL_EXAMPLE);
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    const { code, log } = await verifySarif(file);
    expect(code).toBe(0);
    expectValidSarif(log);
    expect(log.runs[0]!.results.map((r) => `${r.level} ${r.ruleId}`)).toEqual(['warning identity-center.mfa']);
    expect(log.runs[0]!.tool.driver.rules.map((r) => r.id)).toEqual(EVERY_CHECK);
    expect(log.runs[0]!.invocations[0]!.executionSuccessful).toBe(true);
  });

  it('reports a check that could not read as an error result and an unsuccessful invocation, with exit 3', async () => {
    const file = answersFile(FULL_EXAMPLE);
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    fake.failNext(
      'GetAccountPasswordPolicy',
      Object.assign(new Error('not allowed'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
    );
    const { code, log } = await verifySarif(file);
    expect(code).toBe(3);
    expectValidSarif(log);
    const errors = log.runs[0]!.results.filter((r) => r.properties.status === 'error');
    expect(errors.map((r) => [r.ruleId, r.level])).toEqual([
      ['password-policy.minimum-length', 'error'],
      ['password-policy.reuse-prevention', 'error'],
      ['password-policy.matches-answers', 'error'],
    ]);
    expect(errors[0]!.message.text).toMatch(/^Could not be checked/);
    expect(log.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
    expect(log.runs[0]!.invocations[0]!.toolExecutionNotifications).toHaveLength(3);
  });

  it('has rules only for the steps the run verifies', async () => {
    const file = answersFile(FULL_EXAMPLE);
    const { log } = await verifySarif(file, ['--only', 'password-policy,account-alias']);
    expectValidSarif(log);
    const declared = REGISTRY.filter((s) => ['account-alias', 'password-policy'].includes(s.id)).flatMap((s) => s.checks.map((c) => c.id));
    expect(log.runs[0]!.tool.driver.rules.map((r) => r.id)).toEqual(declared);
    expect(log.runs[0]!.results.length).toBeGreaterThan(0);
    for (const r of log.runs[0]!.results) expect(declared).toContain(r.ruleId);
  });

  it('still writes the markdown evidence report with --report, while stdout carries the SARIF', async () => {
    const file = await drifted();
    const report = join(mkdtempSync(join(tmpdir(), 'gw-sarif-')), 'aws-groundwork-report.md');
    const { code, log } = await verifySarif(file, ['--report', report]);
    expect(code).toBe(3);
    expectValidSarif(log);
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8').startsWith(REPORT_HEADING)).toBe(true);
  });

  it('is refused for plan, before anything is read (exit 2)', async () => {
    const run = await cli(['plan', '--output', 'sarif', '--answers', answersFile(FULL_EXAMPLE)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--output sarif is for verify');
    expect(fake.calls).toEqual([]);
  });
});

describe('the SARIF log (sarifLog)', () => {
  const finding: Finding = {
    step: 'org-trail',
    check: 'org-trail.multi-region-logging',
    account: { id: '111111111111', name: 'management', role: 'management' },
    resource: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/acme-org-trail',
    status: 'fail',
    reason: 'the trail is not logging',
    remediation: 'aws-groundwork apply --answers aws-groundwork.yaml',
  };
  const info = {
    tool: { name: 'aws-groundwork', version: '0.1.0' },
    command: 'verify' as const,
    startedAt: '2026-11-24T06:17:00.000Z',
    finishedAt: '2026-11-24T06:17:09.000Z',
    caller: { arn: 'arn:aws:sts::111111111111:assumed-role/aws-groundwork-drift-check/ci', accountId: '111111111111' },
    region: 'us-east-1',
  };

  it('locates a result in the answers file as a path relative to the repository, on its step line', () => {
    const repo = mkdtempSync(join(tmpdir(), 'gw-repo-'));
    writeFileSync(join(repo, 'aws-groundwork.yaml'), FULL_EXAMPLE);
    const log = sarifLog({ findings: [finding], info, steps: REGISTRY, titles: new Map(), answersFile: 'aws-groundwork.yaml', cwd: repo });
    expectValidSarif(log);
    const result = (log as unknown as SarifLog).runs[0]!.results[0]!;
    expect(result.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'aws-groundwork.yaml' },
      region: { startLine: FULL_EXAMPLE.split('\n').findIndex((l) => l.startsWith('  org-trail:')) + 1 },
    });
  });

  it('gives the same fingerprint for the same account, check and resource, and another when any of them differs', () => {
    const fp = (f: Finding) =>
      (sarifLog({ findings: [f], info, steps: REGISTRY, titles: new Map() }) as unknown as SarifLog).runs[0]!.results[0]!
        .partialFingerprints[FINGERPRINT];
    const base = fp(finding);
    expect(fp({ ...finding, reason: 'another wording', remediation: '' })).toBe(base);
    expect(fp({ ...finding, account: { ...finding.account, id: '222222222222' } })).not.toBe(base);
    expect(fp({ ...finding, check: 'org-trail.log-file-validation' })).not.toBe(base);
    expect(fp({ ...finding, resource: `${finding.resource}-2` })).not.toBe(base);
  });

  it('is one the schema can refuse: a result with an unknown level does not validate', () => {
    const log = sarifLog({ findings: [finding], info, steps: REGISTRY, titles: new Map() }) as unknown as SarifLog;
    expectValidSarif(log);
    log.runs[0]!.results[0]!.level = 'fatal';
    expect(validateSarif(log)).toBe(false);
  });
});
