import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandLine, parseCliArgs } from '../../src/args.js';
import { APPLY_COMMAND, withApplyCommand } from '../../src/kit/builders.js';
import { TestHost } from '../../src/io/test-host.js';
import { REGISTRY } from '../../src/registry.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { EXAMPLE_ANSWERS, answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

/** The password policy applied, then weakened by hand: verify fails CIS 1.7 with the step's remediation. */
async function weakenedPolicy(file: string): Promise<void> {
  expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
  fake.management.passwordPolicy!.MinimumPasswordLength = 8;
}

interface VerifyDoc {
  findings: { check: string; remediation: string }[];
}

describe("a failing control's remediation names the apply that works for this run", () => {
  it('with the answers file of the run, in the human view, the JSON findings and the markdown report', async () => {
    const file = answersFile(EXAMPLE_ANSWERS);
    await weakenedPolicy(file);
    const want = `Run \`aws-groundwork apply --answers ${file}\` to write the password policy.`;

    const human = await cli(['verify', '--answers', file]);
    expect(human.code).toBe(3);
    expect(human.stdout).toContain(`next: ${want}`);
    expect(human.stdout).not.toContain('`aws-groundwork apply`');

    const json = JSON.parse((await cli(['verify', '--output', 'json', '--answers', file])).stdout) as VerifyDoc;
    expect(json.findings.find((f) => f.check === 'password-policy.minimum-length')?.remediation).toBe(want);

    const report = join(mkdtempSync(join(tmpdir(), 'gw-report-')), 'evidence.md');
    await cli(['verify', '--answers', file, '--report', report]);
    expect(readFileSync(report, 'utf8')).toContain(`- **Remediation:** ${want}`);
  });

  it("keeps the run's steps and --set answers, and quotes a file name the shell would split", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-answers-'));
    const file = join(dir, 'my answers.yaml');
    writeFileSync(file, EXAMPLE_ANSWERS);
    await weakenedPolicy(file);
    const run = await cli(['verify', '--answers', file, '--only', 'password-policy', '--set', 'steps.password-policy.maxAgeDays=90']);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(
      `next: Run \`aws-groundwork apply --answers '${file}' --set steps.password-policy.maxAgeDays=90 --only password-policy\` to write the password policy.`,
    );
  });

  it('is the plain apply when the run had no answers file: at a terminal it asks for them', async () => {
    const host = new TestHost({
      'GW_ASK_password-policy.minimumLength': ['14'],
      'GW_ASK_password-policy.reusePrevention': ['24'],
      'GW_ASK_password-policy.maxAgeDays': ['90'],
      GW_APPROVE_PLAN: ['choose'],
      GW_CHOOSE_STEPS: [['account-alias']],
      'GW_ASK_account-alias.alias': ['acme'],
    });
    const run = await cli(['apply', '--only', 'account-alias,password-policy'], { host });
    expect(run.code).toBe(3); // the password policy was left out at the prompt: verify says so
    expect(host.results.at(-1)).toContain(
      'next: Run `aws-groundwork apply --only account-alias,password-policy` to write the password policy.',
    );
  });
});

describe('the apply command a run suggests', () => {
  it('repeats the answers, steps, profile, region and endpoint of the run, and never --yes', () => {
    const args = parseCliArgs([
      'verify',
      '--answers',
      'answers.yaml',
      '--skip',
      'org-trail',
      '--profile',
      'prod-admin',
      '--region',
      'eu-west-1',
      '--endpoint-url',
      'http://localhost:4566',
    ]);
    expect(commandLine(args, 'apply')).toBe(
      'aws-groundwork apply --answers answers.yaml --skip org-trail --profile prod-admin --region eu-west-1 --endpoint-url http://localhost:4566',
    );
    expect(commandLine(parseCliArgs(['apply', '--yes', '--answers', 'a.yaml']), 'apply')).toBe('aws-groundwork apply --answers a.yaml');
  });

  it('uses the file --save-answers wrote in place of the --set flags it holds', () => {
    const args = parseCliArgs(['apply', '--set', 'steps.account-alias.alias=acme', '--save-answers', 'saved.yaml']);
    expect(commandLine(args, 'apply')).toBe('aws-groundwork apply --answers saved.yaml');
  });

  it('replaces only the backticked token, so a remediation that does not name the apply is left as it is', () => {
    expect(withApplyCommand(`Run \`${APPLY_COMMAND}\` to set the alias.`, 'aws-groundwork apply --answers a.yaml')).toBe(
      'Run `aws-groundwork apply --answers a.yaml` to set the alias.',
    );
    const manual = 'Only the root user can delete them: sign in as the root user.';
    expect(withApplyCommand(manual, 'aws-groundwork apply --answers a.yaml')).toBe(manual);
  });

  it("is reached from every step's declared remediation: each names the apply as the backticked token", () => {
    const naming = REGISTRY.flatMap((s) => s.checks.map((c) => c.remediation ?? '')).filter((r) => r.includes(APPLY_COMMAND));
    expect(naming.length).toBeGreaterThan(0);
    for (const r of naming) expect(r.split(APPLY_COMMAND).length, r).toBe(r.split(`\`${APPLY_COMMAND}\``).length);
  });
});
