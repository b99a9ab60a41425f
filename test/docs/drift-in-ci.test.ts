import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseCliArgs } from '../../src/args.js';
import { isReadAction } from '../../src/aws/actions.js';
import { cli } from '../helpers/run-cli.js';

/**
 * docs/drift-in-ci.md tells a founder how to run `verify` every day from GitHub Actions (or cron)
 * with a read-only role. These tests hold the page, the workflow file and the trust policy to what
 * they promise, and to what the CLI really does.
 */

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

const PAGE = read('docs/drift-in-ci.md');
const WORKFLOW_TEXT = read('docs/drift-check.yml');
const TRUST_TEXT = read('docs/drift-check-trust-policy.json');
const PACKAGE = JSON.parse(read('package.json')) as { version: string; engines: { node: string } };

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on': string;
  permissions?: unknown;
  steps: Step[];
}
interface Workflow {
  on: { schedule?: { cron: string }[]; workflow_dispatch?: unknown };
  permissions?: unknown;
  jobs: Record<string, Job>;
}

/** Parsed strictly: a duplicate key, a tab or any other YAML error or warning fails the first test. */
const WORKFLOW_DOC = parseDocument(WORKFLOW_TEXT, { strict: true, uniqueKeys: true, prettyErrors: true });
const WORKFLOW = WORKFLOW_DOC.toJS() as Workflow;
const STEPS = Object.values(WORKFLOW.jobs).flatMap((job) => job.steps);
const stepUsing = (action: string) => STEPS.filter((s) => s.uses?.startsWith(`${action}@`));

/** The bodies of the page's fenced code blocks in a language, exactly as written. */
function fences(markdown: string, lang: string): string[] {
  const blocks: string[] = [];
  const re = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  for (const m of markdown.matchAll(re)) blocks.push(m[1]!);
  return blocks;
}

/** Every `npx ... aws-groundwork[@version] <args>` in a piece of shell, with its arguments. */
function invocations(shell: string): { pin: string | undefined; argv: string[] }[] {
  const found: { pin: string | undefined; argv: string[] }[] = [];
  // A command ends at a redirection, a pipe, `&&`, `||`, `;` or the end of the line.
  const re = /npx\s+(?:--yes\s+)?aws-groundwork(?:@(\S+))?((?:\s+(?![>|&;])[^\s>|&;]+)*)/g;
  for (const m of shell.matchAll(re)) found.push({ pin: m[1], argv: m[2]!.trim().split(/\s+/).filter(Boolean) });
  return found;
}

const RUNS = STEPS.filter((s) => typeof s.run === 'string').map((s) => s.run as string);
const WORKFLOW_CALLS = RUNS.flatMap(invocations);
const PIN = WORKFLOW_CALLS[0]?.pin;
const SHELL_BLOCKS = [...fences(PAGE, 'sh'), ...fences(PAGE, 'crontab')];

describe('the drift-check workflow (docs/drift-check.yml)', () => {
  it('parses as strict YAML, runs on a daily schedule, and can be run by hand', () => {
    expect(WORKFLOW_DOC.errors.map(String)).toEqual([]);
    expect(WORKFLOW_DOC.warnings.map(String)).toEqual([]);
    const cron = WORKFLOW.on.schedule?.[0]?.cron;
    expect(cron, 'on.schedule[0].cron').toBeTypeOf('string');
    const fields = cron!.trim().split(/\s+/);
    expect(fields, cron).toHaveLength(5);
    for (const field of fields) expect(field, cron).toMatch(/^[\d*,/-]+$/);
    // Once a day, at a fixed minute that is not the top of the hour (GitHub's busiest moment).
    expect(fields.slice(2)).toEqual(['*', '*', '*']);
    expect(fields[0]).toMatch(/^\d+$/);
    expect(fields[0]).not.toBe('0');
    expect('workflow_dispatch' in WORKFLOW.on).toBe(true);
  });

  it('gives the GitHub token only id-token: write, contents: read and what the SARIF upload needs, and no job widens them', () => {
    // security-events: write is the upload to code scanning; actions: read is what upload-sarif needs
    // in a private repository (the page asks for one) to read its own run's status. Nothing more.
    expect(WORKFLOW.permissions).toEqual({ 'id-token': 'write', contents: 'read', 'security-events': 'write', actions: 'read' });
    for (const [id, job] of Object.entries(WORKFLOW.jobs)) {
      if (job.permissions !== undefined) expect(job.permissions, `jobs.${id}.permissions`).toEqual(WORKFLOW.permissions);
    }
  });

  it('authenticates to AWS only through OIDC: a role to assume, and no access key or secret anywhere', () => {
    const configure = stepUsing('aws-actions/configure-aws-credentials');
    expect(configure).toHaveLength(1);
    expect(configure[0]!.with?.['role-to-assume']).toBe('arn:aws:iam::${{ vars.AWS_ACCOUNT_ID }}:role/aws-groundwork-drift-check');
    expect(configure[0]!.with?.['aws-region']).toMatch(/^[a-z]{2}(-[a-z]+)+-\d+$/);
    for (const forbidden of ['aws-access-key-id', 'aws-secret-access-key', 'aws-session-token', 'secrets.', 'AWS_SECRET_ACCESS_KEY']) {
      expect(WORKFLOW_TEXT, forbidden).not.toContain(forbidden);
    }
  });

  it('uses only checkout, setup-node, configure-aws-credentials, upload-artifact and upload-sarif, each at a major version', () => {
    const used = STEPS.filter((s) => s.uses).map((s) => s.uses!.split('@')[0]);
    expect(used).toEqual([
      'actions/checkout',
      'actions/setup-node',
      'aws-actions/configure-aws-credentials',
      'actions/upload-artifact',
      'github/codeql-action/upload-sarif',
    ]);
    for (const s of STEPS.filter((step) => step.uses)) expect(s.uses).toMatch(/@v\d+$/);
    expect(stepUsing('actions/checkout')[0]!.with?.['persist-credentials']).toBe(false);
  });

  it('sets up a Node.js version that package.json engines allow', () => {
    const version = String(stepUsing('actions/setup-node')[0]!.with?.['node-version']);
    const minimum = /^>=(\d+)\.(\d+)/.exec(PACKAGE.engines.node);
    expect(minimum, PACKAGE.engines.node).not.toBeNull();
    // A bare major (`20`) resolves to its newest release, which is past any 20.x minimum.
    expect(Number(version.split('.')[0])).toBeGreaterThanOrEqual(Number(minimum![1]));
  });

  it('runs aws-groundwork only as verify, read-only, with --answers, --report and --output sarif into the file it uploads', () => {
    expect(WORKFLOW_CALLS).toHaveLength(1);
    for (const { argv } of WORKFLOW_CALLS) {
      const args = parseCliArgs(argv);
      expect(args.command).toBe('verify');
      expect(args.answers).toBe('aws-groundwork.yaml');
      expect(args.report).toBe('aws-groundwork-report.md');
      expect(args.output).toBe('sarif');
      expect(args.yes).toBeFalsy();
    }
    const verifyRun = RUNS.find((r) => invocations(r).length > 0)!;
    const sarifFile = /\s>\s*(\S+)\s*$/.exec(verifyRun.trim())?.[1];
    expect(sarifFile, verifyRun).toBeDefined();
    expect(stepUsing('github/codeql-action/upload-sarif')[0]!.with?.sarif_file).toBe(sarifFile);
    for (const run of RUNS) expect(run).not.toMatch(/\b(apply|plan)\b/);
  });

  it('pins the aws-groundwork version to the release line in package.json, never latest or unpinned', () => {
    expect(PIN, 'aws-groundwork@<version> in the run step').toBeDefined();
    expect(PIN).toMatch(/^\d+\.\d+(\.\d+)?$/);
    const [major, minor] = PACKAGE.version.split('.');
    const [pinMajor, pinMinor] = PIN!.split('.');
    expect(pinMajor).toBe(major);
    // Before 1.0 a minor release may break things: the pin holds the minor too.
    if (major === '0') expect(pinMinor).toBe(minor);
  });

  it('uploads the SARIF after verify, also when it exits 3, only once code scanning is turned on and verify got to its findings', () => {
    const upload = stepUsing('github/codeql-action/upload-sarif');
    expect(upload).toHaveLength(1);
    expect(upload[0]!.uses).toBe('github/codeql-action/upload-sarif@v4');
    // always(): drift (exit 3) fails the verify step, and that is when the alerts matter. The report
    // exists only when verify printed its findings, so a run that stopped at exit 1 or 2 uploads no
    // empty file; and a repository without code scanning skips the step instead of failing it.
    expect(upload[0]!.if).toBe("always() && vars.AWS_GROUNDWORK_CODE_SCANNING == 'true' && hashFiles('aws-groundwork-report.md') != ''");
    expect(upload[0]!.with?.category).toBe('aws-groundwork');
    expect(STEPS.indexOf(upload[0]!)).toBeGreaterThan(STEPS.findIndex((s) => s.run && invocations(s.run).length > 0));
    expect(PAGE).toContain('gh variable set AWS_GROUNDWORK_CODE_SCANNING --body true');
  });

  it('uploads the report even when verify fails', () => {
    const upload = stepUsing('actions/upload-artifact');
    expect(upload).toHaveLength(1);
    expect(upload[0]!.if).toBe('always()');
    expect(upload[0]!.with?.path).toBe(parseCliArgs(WORKFLOW_CALLS[0]!.argv).report);
    // The upload comes after the check, so it sees the report the check wrote.
    expect(STEPS.indexOf(upload[0]!)).toBeGreaterThan(STEPS.findIndex((s) => s.run && invocations(s.run).length > 0));
  });
});

describe('the page docs/drift-in-ci.md', () => {
  it('embeds the workflow byte for byte, so the page cannot drift from docs/drift-check.yml', () => {
    expect(fences(PAGE, 'yaml')).toContain(WORKFLOW_TEXT);
  });

  it('embeds the trust policy byte for byte', () => {
    expect(fences(PAGE, 'json')).toContain(TRUST_TEXT);
  });

  it('uses the same pinned version in every aws-groundwork command it shows', () => {
    const calls = SHELL_BLOCKS.flatMap(invocations);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) expect(call.pin, call.argv.join(' ')).toBe(PIN);
  });

  it('tells the founder to attach exactly what `permissions --phase read` prints, and that policy only reads', async () => {
    const generate = SHELL_BLOCKS.flatMap((b) => [...b.matchAll(/npx .*aws-groundwork@\S+ (permissions [^>\n]*?)\s*>\s*(\S+)/g)]);
    expect(generate).toHaveLength(1);
    const [, command, file] = generate[0]!;
    expect(parseCliArgs(command!.split(/\s+/))).toMatchObject({ command: 'permissions', phase: 'read' });
    expect(SHELL_BLOCKS.join('\n')).toMatch(new RegExp(`put-role-policy[\\s\\S]*?--policy-document file://${file!.replace(/\./g, '\\.')}`));

    const run = await cli(command!.split(/\s+/));
    expect(run.code, run.stderr).toBe(0);
    const policy = JSON.parse(run.stdout) as { Statement: { Action: string | string[]; Resource: string }[] };
    const actions = policy.Statement.flatMap((s) => [s.Action].flat());
    // The read-only guard's own classification: every action is a read.
    for (const action of actions) expect(isReadAction(action), action).toBe(true);
    // Only two are reads by the guard's allow-list rather than by their verb: sts:AssumeRole, which
    // the page explains (it is how verify reaches member accounts), and budgets:ViewBudget, the one
    // action AWS Budgets authorizes all its reads with.
    const byVerb = /^[a-z0-9-]+:(Get|List|Describe|Head|Lookup)[A-Z]/;
    expect(actions.filter((a) => !byVerb.test(a)).sort()).toEqual(['budgets:ViewBudget', 'sts:AssumeRole']);

    // A policy shown inline on the page must be that output, not a copy that ages.
    for (const block of fences(PAGE, 'json')) {
      if (block.includes('AwsGroundworkPlanAndVerify')) expect(JSON.parse(block)).toEqual(JSON.parse(run.stdout));
    }
  });

  it('shows the sts:AssumeRole statement exactly as `permissions --phase read` prints it, and asks for no narrowing by hand', async () => {
    const run = await cli(['permissions', '--phase', 'read']);
    expect(run.code, run.stderr).toBe(0);
    const policy = JSON.parse(run.stdout) as { Statement: { Action: string | string[]; Resource: string }[] };
    const reach = policy.Statement.filter((s) => [s.Action].flat().includes('sts:AssumeRole'));
    expect(reach).toHaveLength(1);
    expect(reach[0]!.Resource).toBe('arn:*:iam::*:role/OrganizationAccountAccessRole');
    // Byte for byte as printed (two-space JSON), so the page cannot show a statement the tool no longer prints.
    const shown = fences(PAGE, 'json').filter((b) => b.includes('"sts:AssumeRole"') && !b.includes('"Principal"'));
    expect(shown).toEqual([`${JSON.stringify(reach[0], null, 2)}\n`]);
    // The policy is attached as printed: no command on the page rewrites it.
    const generated = /npx .*aws-groundwork@\S+ permissions [^>\n]*>\s*(\S+)/.exec(SHELL_BLOCKS.join('\n'))![1]!;
    const documents = [...SHELL_BLOCKS.join('\n').matchAll(/--policy-document file:\/\/(\S+)/g)].map((m) => m[1]);
    expect(documents).toContain(generated);
    for (const doc of documents) expect([generated, 'drift-check-trust-policy.json'], doc).toContain(doc);
    expect(SHELL_BLOCKS.join('\n')).not.toMatch(/^\s*jq\b/m);
  });

  it('shows a cron line that runs the same pinned, read-only verify and alerts on a non-zero exit', () => {
    const crontab = fences(PAGE, 'crontab');
    expect(crontab).toHaveLength(1);
    const lines = crontab[0]!.trim().split('\n');
    expect(lines.some((l) => /^MAILTO=\S+@\S+$/.test(l))).toBe(true);
    expect(lines.some((l) => /^PATH=\/\S+$/.test(l))).toBe(true);
    const jobs = lines.filter((l) => /^[\d*,/-]+(\s+[\d*,/-]+){4}\s/.test(l));
    expect(jobs).toHaveLength(1);
    // `%` is a newline to cron: it must not appear in the command.
    expect(jobs[0]).not.toContain('%');
    const calls = invocations(jobs[0]!);
    expect(calls).toHaveLength(1);
    const args = parseCliArgs(calls[0]!.argv);
    expect(args).toMatchObject({ command: 'verify', answers: 'aws-groundwork.yaml', report: 'aws-groundwork-report.md' });
    expect(calls[0]!.pin).toBe(PIN);
    expect(jobs[0]).toMatch(/\|\|\s*\{[^}]*\$\?/);
  });
});

describe('the role trust policy (docs/drift-check-trust-policy.json)', () => {
  it('lets only GitHub Actions on main of one repository assume the role, with aud and sub pinned', () => {
    const trust = JSON.parse(TRUST_TEXT) as {
      Version: string;
      Statement: {
        Effect: string;
        Principal: Record<string, unknown>;
        Action: string | string[];
        Condition: Record<string, Record<string, unknown>>;
      }[];
    };
    expect(trust.Version).toBe('2012-10-17');
    expect(trust.Statement).toHaveLength(1);
    const [statement] = trust.Statement;
    expect(statement!.Effect).toBe('Allow');
    expect([statement!.Action].flat()).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(statement!.Principal).toEqual({
      Federated: 'arn:aws:iam::<ACCOUNT_ID>:oidc-provider/token.actions.githubusercontent.com',
    });
    // Exact matches only: no StringLike, no wildcard that would let another branch or repository in.
    expect(Object.keys(statement!.Condition)).toEqual(['StringEquals']);
    expect(statement!.Condition.StringEquals).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': 'repo:<OWNER>/<REPO>:ref:refs/heads/main',
    });
    expect(TRUST_TEXT).not.toMatch(/[*?]/);
  });

  it('is the file the page creates the role with', () => {
    expect(SHELL_BLOCKS.join('\n')).toMatch(
      /aws iam create-role[\s\S]*?--role-name aws-groundwork-drift-check[\s\S]*?--assume-role-policy-document file:\/\/drift-check-trust-policy\.json/,
    );
    expect(WORKFLOW_TEXT).toContain(':role/aws-groundwork-drift-check');
  });
});
