import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { costEstimate, costLines, inPlaceSteps, MONTHLY_COSTS } from '../../src/costs/monthly-costs.js';
import type { Request, Response } from '../../src/io/host.js';
import { TestHost } from '../../src/io/test-host.js';
import { REGISTRY } from '../../src/registry.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { EXAMPLE_ANSWERS, answersFile, cli } from '../helpers/run-cli.js';

const schema = (kind: string) =>
  JSON.parse(readFileSync(new URL(`../../schemas/${kind}.v2.schema.json`, import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema(schema('verify'));
ajv.addSchema(schema('plan'));

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

describe('the monthly cost figures', () => {
  // The two steps of issue 20 are held to an entry even before they are registered.
  const ids = [...new Set([...REGISTRY.map((s) => s.id), 'cost-alerts', 'threat-detection'])];

  it.each(ids)('have an entry for %s with a source, a pricing page, a date and low <= high', (id) => {
    const c = MONTHLY_COSTS[id];
    expect(c, `no cost entry for ${id}`).toBeDefined();
    expect(c?.source).toMatch(/^https:\/\/(aws\.amazon\.com|docs\.aws\.amazon\.com)\//);
    expect(c?.pricingUrl).toMatch(/^https:\/\/aws\.amazon\.com\//);
    expect(c?.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Number.isNaN(Date.parse(c?.checked ?? ''))).toBe(false);
    expect(c?.lowUsd).toBeGreaterThanOrEqual(0);
    expect(c?.lowUsd).toBeLessThanOrEqual(c?.highUsd ?? -1);
    expect(c?.basis.length).toBeGreaterThan(10);
  });

  it('name no step that is not registered or one of the two issue 20 steps', () => {
    expect(Object.keys(MONTHLY_COSTS).filter((id) => !ids.includes(id))).toEqual([]);
  });

  it('add up per step into a total, with the pricing links of the steps that cost something', () => {
    const e = costEstimate(['account-alias', 'org-trail', 'threat-detection']);
    expect(e.total).toEqual({ lowUsd: 1, highUsd: 30 });
    const lines = costLines(e);
    expect(lines.at(-2)).toBe('  Total: 1–30 USD a month.');
    expect(lines.at(-1)).toBe('  Pricing: https://aws.amazon.com/cloudtrail/pricing/, https://aws.amazon.com/guardduty/pricing/');
  });

  it('count a step as in place when it has findings and none fails or errs', () => {
    const findings = [
      { step: 'a', status: 'pass' },
      { step: 'a', status: 'manual' },
      { step: 'b', status: 'pass' },
      { step: 'b', status: 'fail' },
    ];
    expect(inPlaceSteps(['a', 'b', 'c'], findings)).toEqual(['a']);
  });
});

describe('the cost preview', () => {
  it('ends the human plan with a line per step, the total and the date, in plain text without a terminal', async () => {
    const run = await cli(['plan', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Monthly cost once applied (estimate for a small organization of about five accounts, prices checked 2026-12-02):',
    );
    expect(run.stdout).toMatch(/\n {2}account-alias +0 USD +IAM is free/);
    expect(run.stdout).toMatch(/\n {2}password-policy {2}0 USD/);
    expect(run.stdout).toContain('  Total: 0 USD a month.');
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('is in the JSON plan, which still validates against the version 2 schema', async () => {
    const run = await cli(['plan', '--output', 'json', '--answers', answersFile(EXAMPLE_ANSWERS)]);
    const doc = JSON.parse(run.stdout) as { version: number; cost: unknown };
    const validate = ajv.getSchema('urn:aws-groundwork:schema:plan:2')!;
    expect(validate(doc), ajv.errorsText(validate.errors)).toBe(true);
    expect(doc.version).toBe(2);
    expect(doc.cost).toEqual({
      currency: 'USD',
      checked: '2026-12-02',
      steps: [
        expect.objectContaining({ step: 'account-alias', lowUsd: 0, highUsd: 0, pricingUrl: 'https://aws.amazon.com/iam/pricing/' }),
        expect.objectContaining({ step: 'password-policy', lowUsd: 0, highUsd: 0 }),
      ],
      total: { lowUsd: 0, highUsd: 0 },
    });
  });

  it('is shown by the wizard before it asks to apply', async () => {
    class Watching extends TestHost {
      resultsBeforeApproval: string[] | undefined;
      override request<R extends Request>(request: R): Promise<Response<R>> {
        if (request.code === 'GW_APPROVE_PLAN') this.resultsBeforeApproval ??= [...this.results];
        return super.request(request);
      }
    }
    const host = new Watching({ GW_APPROVE_PLAN: ['all'], GW_SAVE_ANSWERS: [false] });
    const run = await cli(['--answers', answersFile(EXAMPLE_ANSWERS)], { host });
    expect(run.code, JSON.stringify(host.messages.filter((m) => m.level === 'error'))).toBe(0);
    const before = (host.resultsBeforeApproval ?? []).join('\n');
    expect(before).toContain('Monthly cost once applied');
    expect(before).toContain('  Total: 0 USD a month.');
  });

  it('states in verify what is in place costs, in the human output, the JSON and the markdown report', async () => {
    const file = answersFile(EXAMPLE_ANSWERS);
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    const human = await cli(['verify', '--answers', file]);
    expect(human.stdout).toContain('Monthly cost of what is in place (estimate');
    expect(human.stdout).toContain('  Total: 0 USD a month.');
    const json = JSON.parse((await cli(['verify', '--output', 'json', '--answers', file])).stdout) as {
      cost: { steps: { step: string }[] };
    };
    const validate = ajv.getSchema('urn:aws-groundwork:schema:verify:2')!;
    expect(validate(json), ajv.errorsText(validate.errors)).toBe(true);
    expect(json.cost.steps.map((s) => s.step)).toEqual(['account-alias', 'password-policy']);
    const md = (await cli(['verify', '--output', 'markdown', '--answers', file])).stdout;
    expect(md).toContain('## Monthly cost');
    expect(md).toContain('costs **0 USD a month**');
    expect(md).toContain('| `account-alias` | 0 USD | IAM is free: an account alias costs nothing. |');
  });

  it('leaves out of verify a step whose checks fail', async () => {
    const file = answersFile(EXAMPLE_ANSWERS);
    const json = JSON.parse((await cli(['verify', '--output', 'json', '--answers', file])).stdout) as { cost: { steps: unknown[] } };
    expect(json.cost.steps).toEqual([]);
  });
});
