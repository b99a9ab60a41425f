import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPORT_VERSION } from '../../src/io/report.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';
import { answersFile, cli } from '../helpers/run-cli.js';

const schemaFile = (kind: 'verify' | 'plan') => new URL(`../../schemas/${kind}.v${REPORT_VERSION}.schema.json`, import.meta.url);
const load = (kind: 'verify' | 'plan') => JSON.parse(readFileSync(schemaFile(kind), 'utf8')) as Record<string, unknown>;

// Strict mode: a typo in the schema (an unknown keyword) fails here instead of silently allowing anything.
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema(load('verify'));
ajv.addSchema(load('plan'));
const validateVerify = ajv.getSchema(`urn:aws-groundwork:schema:verify:${REPORT_VERSION}`)!;
const validatePlan = ajv.getSchema(`urn:aws-groundwork:schema:plan:${REPORT_VERSION}`)!;

function expectValid(validate: typeof validateVerify, doc: unknown): void {
  const ok = validate(doc);
  expect(ok, ajv.errorsText(validate.errors, { separator: '\n' })).toBe(true);
}

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

interface VerifyDoc {
  result: string;
  version: number;
  summary: Record<string, number>;
  accounts: { id: string; name: string; summary: Record<string, number> }[];
  findings: {
    check: string;
    status: string;
    controls: { framework: string; version: string; id: string }[];
    account: { id: string; name: string };
    remediation: string;
  }[];
}

async function verifyJson(file: string): Promise<{ code: number; doc: VerifyDoc }> {
  const run = await cli(['verify', '--output', 'json', '--answers', file]);
  return { code: run.code, doc: JSON.parse(run.stdout) as VerifyDoc };
}

describe('verify --output json', () => {
  it('validates against the shipped schema for a passing organization, with result "pass" and controls on every finding', async () => {
    const file = answersFile(FULL_EXAMPLE);
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    const { code, doc } = await verifyJson(file);
    expect(code).toBe(0);
    expectValid(validateVerify, doc);
    expect(doc).toMatchObject({
      version: REPORT_VERSION,
      kind: 'verify',
      result: 'pass',
      tool: { name: 'aws-groundwork' },
      region: 'us-east-1',
    });
    // In the order they first come up: log-archive holds the trail's key and buckets, checked with the management account's steps.
    expect(doc.accounts.map((a) => a.name)).toEqual([
      'management',
      'acme-log-archive',
      'acme-dev',
      'acme-staging',
      'acme-prod',
      'acme-security-tooling',
    ]);
    expect(doc.findings.every((f) => f.controls.length >= 1)).toBe(true);
    expect(doc.findings.flatMap((f) => f.controls)).toContainEqual({
      framework: 'CIS Amazon Web Services Foundations Benchmark',
      version: '5.0.0',
      id: '1.7',
    });
  });

  it('validates for a drifted organization, with result "fail", per-account counts and a remediation on every non-pass, manual ones included', async () => {
    const file = answersFile(FULL_EXAMPLE);
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    const staging = [...fake.orgAccounts.values()].find((a) => a.Name === 'acme-staging')!.Id as string;
    fake.accounts.get(staging)!.passwordPolicy!.MinimumPasswordLength = 8;
    [...fake.trails.values()][0]!.logging = false;
    fake.management.root.accessKeys = [{ AccessKeyId: 'AKIAROOTOLD1', Status: 'Active' }]; // only root can delete them: manual
    const { code, doc } = await verifyJson(file);
    expect(code).toBe(3);
    expectValid(validateVerify, doc);
    expect(doc.result).toBe('fail');
    const failing = doc.findings.filter((f) => f.status === 'fail');
    expect(failing.map((f) => `${f.account.name} ${f.check}`).sort()).toEqual([
      'acme-staging password-policy.matches-answers',
      'acme-staging password-policy.minimum-length',
      'management org-trail.multi-region-logging',
    ]);
    expect(doc.findings.filter((f) => f.status !== 'pass').every((f) => f.remediation.length > 0)).toBe(true);
    expect(doc.accounts.find((a) => a.name === 'acme-staging')?.summary.fail).toBe(2);
    // The root key only root can delete, and Identity Center's MFA setting, which no API reads.
    expect(doc.summary).toMatchObject({ fail: 3, manual: 2, error: 0 });
  });

  it('validates on a fresh account, where nearly every check fails and each says how to fix it', async () => {
    const { code, doc } = await verifyJson(answersFile(FULL_EXAMPLE));
    expect(code).toBe(3);
    expectValid(validateVerify, doc);
    // Members do not exist yet: only the management account is verified.
    expect(doc.accounts.map((a) => a.name)).toEqual(['management']);
    expect(doc.summary.fail).toBeGreaterThan(20);
  });

  it('validates when a step cannot read, reporting each of its checks as error', async () => {
    const file = answersFile(FULL_EXAMPLE);
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    fake.failNext(
      'GetAccountPasswordPolicy',
      Object.assign(new Error('not allowed'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
    );
    const { code, doc } = await verifyJson(file);
    expect(code).toBe(3);
    expectValid(validateVerify, doc);
    expect(doc.findings.filter((f) => f.status === 'error').map((f) => f.check)).toEqual([
      'password-policy.minimum-length',
      'password-policy.reuse-prevention',
      'password-policy.matches-answers',
    ]);
  });

  it('is held to the schema: a finding without a control, or another version, does not validate', () => {
    const finding = {
      step: 'password-policy',
      check: 'password-policy.minimum-length',
      title: 't',
      controls: [],
      account: { id: '111111111111', name: 'management', role: 'management' },
      resource: 'r',
      status: 'pass',
      reason: 'ok',
      remediation: '',
    };
    const doc = {
      version: REPORT_VERSION,
      kind: 'verify',
      tool: { name: 'aws-groundwork', version: '0.1.0' },
      startedAt: '2026-11-24T03:00:00.000Z',
      finishedAt: '2026-11-24T03:00:01.000Z',
      caller: { arn: 'arn:aws:iam::111111111111:user/founder', accountId: '111111111111' },
      region: 'us-east-1',
      result: 'pass',
      frameworks: [{ name: 'x', version: '1', url: 'https://example.com/' }],
      summary: { pass: 1, fail: 0, manual: 0, error: 0 },
      accounts: [{ id: '111111111111', name: 'management', role: 'management', summary: { pass: 1, fail: 0, manual: 0, error: 0 } }],
      findings: [{ ...finding, controls: [{ framework: 'x', version: '1', id: 'GW.X' }] }],
      skipped: [],
    };
    expectValid(validateVerify, doc);
    expect(validateVerify({ ...doc, findings: [finding] })).toBe(false);
    expect(validateVerify({ ...doc, version: 1 })).toBe(false);
    expect(validateVerify({ ...doc, findings: [{ ...doc.findings[0], status: 'fail', remediation: '' }] })).toBe(false);
    expect(validateVerify({ ...doc, secretAccessKey: 'x' })).toBe(false);
  });
});

interface PlanDoc {
  summary: Record<string, number>;
  accounts: { id: string | null; name: string; pending?: boolean }[];
  changes: {
    step: string;
    account: { id: string | null; name: string };
    address: string;
    action: string;
    before: unknown;
    after: unknown;
    deferred?: boolean;
  }[];
}

describe('plan --output json', () => {
  it('validates against the shipped schema on a fresh account, new members having no id yet', async () => {
    const run = await cli(['plan', '--output', 'json', '--answers', answersFile(FULL_EXAMPLE)]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as PlanDoc;
    expectValid(validatePlan, doc);
    // In the order the plan first names them: the management account's org-trail plans a change that
    // waits for log-archive, then Identity Center one for each new account, in the answers' order,
    // before any member's own baseline.
    expect(doc.accounts.filter((a) => a.pending).map((a) => [a.id, a.name])).toEqual([
      [null, 'acme-log-archive'],
      [null, 'acme-dev'],
      [null, 'acme-staging'],
      [null, 'acme-prod'],
      [null, 'acme-security-tooling'],
    ]);
    expect(doc.changes.some((c) => c.deferred)).toBe(true);
    expect(doc.summary.create).toBe(doc.changes.filter((c) => c.action === 'create' || c.action === 'replace').length);
  });

  it('shows each drifted setting with its whole before and after, for review in a pull request', async () => {
    const file = answersFile(FULL_EXAMPLE);
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    fake.accounts.get('111111111111')!.passwordPolicy!.MinimumPasswordLength = 8;
    const run = await cli(['plan', '--output', 'json', '--answers', file]);
    const doc = JSON.parse(run.stdout) as PlanDoc;
    expectValid(validatePlan, doc);
    expect(doc.changes).toHaveLength(1);
    expect(doc.changes[0]).toMatchObject({
      step: 'password-policy',
      account: { id: '111111111111', name: 'management' },
      action: 'update',
      before: expect.objectContaining({ MinimumPasswordLength: 8, PasswordReusePrevention: 24 }),
      after: expect.objectContaining({ MinimumPasswordLength: 14, PasswordReusePrevention: 24 }),
    });
  });

  it('validates an empty plan too', async () => {
    const file = answersFile(FULL_EXAMPLE);
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    const doc = JSON.parse((await cli(['plan', '--output', 'json', '--answers', file])).stdout) as PlanDoc;
    expectValid(validatePlan, doc);
    expect(doc.changes).toEqual([]);
  });
});

describe('the shipped schemas', () => {
  it('are versioned like the documents, named by that version, and in the published package', () => {
    for (const kind of ['verify', 'plan'] as const) {
      const schema = load(kind);
      expect(schema.$id).toBe(`urn:aws-groundwork:schema:${kind}:${REPORT_VERSION}`);
      expect((schema.properties as Record<string, { const?: unknown }>).version?.const).toBe(REPORT_VERSION);
    }
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('schemas/');
  });
});
