import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const SAMPLE = new URL('../../docs/sample-verify-report.md', import.meta.url);
/** A fixed clock: the report's times, and so the sample in docs/, do not change from run to run. */
let tick = 0;
const now = () => new Date(Date.UTC(2026, 10, 24, 9, 30, tick++ * 2));

interface Drifted {
  file: string;
  staging: string;
}

/** The full example applied, then three kinds of drift and one thing only a person can fix. */
async function driftedOrganization(): Promise<Drifted> {
  const file = answersFile(FULL_EXAMPLE);
  expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
  const staging = [...fake.orgAccounts.values()].find((a) => a.Name === 'acme-staging')!.Id as string;
  fake.accounts.get(staging)!.passwordPolicy!.MinimumPasswordLength = 8;
  fake.accounts.get(staging)!.contacts.SECURITY = undefined;
  [...fake.trails.values()][0]!.logging = false;
  fake.management.root.accessKeys = [{ AccessKeyId: 'AKIAROOTOLD1', Status: 'Active' }];
  return { file, staging };
}

async function verifyWithReport(file: string, report: string, extra: string[] = []) {
  tick = 0;
  return cli(['verify', '--answers', file, '--report', report, ...extra], { now });
}

const section = (md: string, heading: string) => {
  const start = md.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const next = md.indexOf('\n## ', start + heading.length + 2);
  return md.slice(start, next === -1 ? undefined : next);
};

describe('verify --report FILE on a drifted organization', () => {
  it('writes the evidence report while the terminal keeps the human view, and exits 3', async () => {
    const { file } = await driftedOrganization();
    const report = join(mkdtempSync(join(tmpdir(), 'gw-report-')), 'evidence.md');
    const run = await verifyWithReport(file, report);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/FAIL\s+CIS 1\.7\s+password-policy\s+minimum password length is 8/);
    expect(run.stdout).not.toContain('# AWS security baseline');
    expect(run.stderr).toContain(`Wrote the evidence report to ${report}.`);
    expect(readFileSync(report, 'utf8').startsWith('# AWS security baseline: evidence report\n')).toBe(true);
  });

  it('has the run metadata, the counts per account, each non-pass with its remediation, and a table per account', async () => {
    const { file, staging } = await driftedOrganization();
    const report = join(mkdtempSync(join(tmpdir(), 'gw-report-')), 'evidence.md');
    await verifyWithReport(file, report);
    const md = readFileSync(report, 'utf8');
    const json = JSON.parse((await cli(['verify', '--output', 'json', '--answers', file])).stdout) as {
      summary: Record<string, number>;
      accounts: { id: string; name: string; summary: Record<string, number> }[];
      findings: { status: string; check: string; reason: string; remediation: string; account: { id: string } }[];
    };

    // The headings, in order.
    const headings = md.split('\n').filter((l) => l.startsWith('#'));
    expect(headings).toEqual([
      '# AWS security baseline: evidence report',
      '## Summary',
      '## Needs attention',
      ...json.findings
        .filter((f) => f.status !== 'pass')
        .map((_, i) => expect.stringMatching(new RegExp(`^### ${i + 1}\\. (FAIL|MANUAL|ERROR) `))),
      ...json.accounts.map((a) => `## Account ${a.id} (${a.name})`),
      '## Monthly cost',
      '## How to read this report',
    ]);

    // The metadata a reader needs to trust it (the passes include the guardrails' and Identity Center's
    // checks; Identity Center's MFA setting needs a person, with the root key only root can delete).
    expect(md).toContain('**Result: 5 checks do not pass** (5 failing, 0 not evaluated); 2 checks need a person; 107 pass.');
    expect(md).toContain('| Generated | 2026-11-24 09:30:02 UTC (started 2026-11-24 09:30:00 UTC) |');
    expect(md).toMatch(/\| Tool \| aws-groundwork \d+\.\d+\.\d+, `aws-groundwork verify` \(read-only/);
    expect(md).toContain(`| Caller | \`arn:aws:iam::${MANAGEMENT_ID}:user/founder\` |`);
    expect(md).toContain(`| Management account | ${MANAGEMENT_ID} |`);
    expect(md).toContain('| Home region | us-east-1 |');
    expect(md).toContain('| Accounts checked | 6 |');
    expect(md).toContain('CIS: CIS Amazon Web Services Foundations Benchmark v5.0.0');
    expect(md).toContain('SSB: AWS Startup Security Baseline (unversioned)');

    // The summary table says what the JSON says, account by account.
    const summary = section(md, '## Summary');
    for (const a of json.accounts) {
      const s = a.summary;
      expect(summary).toContain(`| ${a.id} (${a.name}) | ${s.pass} | ${s.fail} | ${s.manual} | ${s.error} |`);
    }
    const t = json.summary;
    expect(summary).toContain(`| **All accounts** | **${t.pass}** | **${t.fail}** | **${t.manual}** | **${t.error}** |`);

    // Every non-pass, with its controls, account, finding and remediation.
    const attention = section(md, '## Needs attention');
    const nonPass = json.findings.filter((f) => f.status !== 'pass');
    expect(nonPass.map((f) => f.check).sort()).toEqual([
      'identity-center.mfa',
      'org-trail.multi-region-logging',
      'password-policy.matches-answers',
      'password-policy.minimum-length',
      'root-credentials.no-root-access-keys',
      'security-contacts.all-contacts',
      'security-contacts.security-contact',
    ]);
    for (const f of nonPass) {
      expect(attention).toContain(`- **Check:** \`${f.check}\``);
      expect(attention).toContain(`- **Finding:** ${f.reason}`);
      expect(attention).toContain(`- **Remediation:** ${f.remediation}`);
    }
    expect(attention).toContain(`### 1. FAIL CIS 3.1, SSB ACCT.07: `);
    expect(attention).toMatch(/### \d\. MANUAL CIS 1\.3, SSB ACCT\.02: No root user access keys exist/);
    expect(attention).toContain(`- **Account:** ${staging} (acme-staging)`);

    // One row per finding in its account's table.
    for (const a of json.accounts) {
      const rows = section(md, `## Account ${a.id} (${a.name})`)
        .split('\n')
        .filter((l) => /^\| (PASS|FAIL|MANUAL|ERROR) \|/.test(l));
      expect(rows).toHaveLength(json.findings.filter((f) => f.account.id === a.id).length);
    }
    expect(section(md, `## Account ${staging} (acme-staging)`)).toMatch(
      /\| FAIL \| CIS 1\.7, SSB ACCT\.06 \| IAM password policy requires a minimum length of 14 or greater \| `iam:account-password-policy` \| minimum password length is 8; at least 14 is required \|/,
    );
  });

  it('is the sample in docs/, so the sample shows what the tool writes today', async () => {
    const { file } = await driftedOrganization();
    const report = join(mkdtempSync(join(tmpdir(), 'gw-report-')), 'evidence.md');
    await verifyWithReport(file, report);
    // The moving parts: the tool's version (the sample says X.Y.Z) and the answers file's temporary
    // folder, which the remediations name (the sample says answers.yaml, as a person would run it).
    const written = readFileSync(report, 'utf8')
      .replace(/aws-groundwork \d+\.\d+\.\d+(-\S+)?/g, 'aws-groundwork X.Y.Z')
      .replaceAll(file, 'answers.yaml');
    if (process.env.UPDATE_SAMPLES === '1') writeFileSync(SAMPLE, written);
    expect(existsSync(SAMPLE), 'run with UPDATE_SAMPLES=1 to write docs/sample-verify-report.md').toBe(true);
    expect(written).toBe(readFileSync(SAMPLE, 'utf8'));
  });
});

describe('verify --report refuses, before any AWS call, to', () => {
  it.each([
    [
      'replace a file that is not an earlier report',
      (dir: string) => writeAndReturn(join(dir, 'notes.md'), '# my notes\n'),
      'exists and is not an aws-groundwork report',
    ],
    ['write into a folder that does not exist', (dir: string) => join(dir, 'missing', 'report.md'), 'does not exist'],
    ['write over a folder', (dir: string) => dir, 'is a folder'],
  ])('%s', async (_name, target, says) => {
    const file = answersFile(FULL_EXAMPLE);
    const path = target(mkdtempSync(join(tmpdir(), 'gw-report-')));
    const before = existsSync(path) && !path.endsWith('/') ? safeRead(path) : null;
    const run = await cli(['verify', '--answers', file, '--report', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(says);
    expect(fake.calls).toEqual([]);
    if (before !== null) expect(safeRead(path)).toBe(before);
  });

  it('write over the answers file', async () => {
    const file = answersFile(FULL_EXAMPLE);
    const run = await cli(['verify', '--answers', file, '--report', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is the answers file');
    expect(readFileSync(file, 'utf8')).toBe(FULL_EXAMPLE);
    expect(fake.calls).toEqual([]);
  });

  it('but replaces its own earlier report, as a daily check does', async () => {
    const file = answersFile(FULL_EXAMPLE);
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    const report = join(mkdtempSync(join(tmpdir(), 'gw-report-')), 'evidence.md');
    expect((await cli(['verify', '--answers', file, '--report', report])).code).toBe(0);
    expect(readFileSync(report, 'utf8')).toContain('**Result: no check fails.**');
    fake.management.passwordPolicy!.MinimumPasswordLength = 8;
    expect((await cli(['verify', '--answers', file, '--report', report])).code).toBe(3);
    expect(readFileSync(report, 'utf8')).toContain('**Result: 2 checks do not pass**');
  });

  it('be given to any command but verify', async () => {
    const run = await cli(['plan', '--report', 'x.md']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--report is for verify');
  });
});

function writeAndReturn(path: string, text: string): string {
  writeFileSync(path, text);
  return path;
}

function safeRead(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
