import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../helpers/fake-aws.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const NEW = ['acme-dev', 'acme-staging', 'acme-prod', 'acme-log-archive', 'acme-security-tooling'];
/** Steps that run in every account: each new account's baseline has one deferred change per step. */
const EVERY_ACCOUNT_STEPS = 5;
/**
 * And the new log-archive account gets the trail's key and buckets: org-trail's change there waits for
 * it too; so do the guardrails of log-archive, staging and prod (one change each), and Identity
 * Center's assignments in each new account (one change each), and threat-detection's one change, which
 * waits for the new security-tooling account.
 */
const DEFERRED = NEW.length * EVERY_ACCOUNT_STEPS + 1 + 3 + NEW.length + 1;

interface PlanDoc {
  summary: { create: number; deferred: number };
  changes: { action: string; deferred?: boolean; account: { name: string; pending?: boolean } }[];
}

describe('an account this apply creates', () => {
  it('is named once and marked new in the human plan, not "(new: acme-dev) (acme-dev)"', async () => {
    const run = await cli(['plan', '--answers', answersFile(FULL_EXAMPLE)]);
    expect(run.code, run.stderr).toBe(0);
    for (const name of NEW) expect(run.stdout).toContain(`\nAccount ${name} (new)\n`);
    expect(run.stdout).not.toContain('(new: ');
    expect(run.stdout).toContain('Account 111111111111 (management)\n');
  });

  it('is named the same way in the markdown plan', async () => {
    const run = await cli(['plan', '--output', 'markdown', '--answers', answersFile(FULL_EXAMPLE)]);
    expect(run.stdout).toContain('| acme-dev (new) | account-alias | `+` create | `account-alias:baseline` |');
    expect(run.stdout).not.toContain('(new: ');
  });
});

describe('the plan summary line', () => {
  it("counts the changes planned in detail to create, and each new account's baseline apart", async () => {
    const file = answersFile(FULL_EXAMPLE);
    const doc = JSON.parse((await cli(['plan', '--output', 'json', '--answers', file])).stdout) as PlanDoc;
    const inDetail = doc.changes.filter((c) => c.action === 'create' && !c.deferred).length;
    const human = await cli(['plan', '--answers', file]);
    expect(human.stdout).toContain(
      `Plan: ${inDetail} to create, 0 to update, 0 to delete. Then the baseline of 5 new accounts (${DEFERRED % NEW.length === 0 ? `${DEFERRED / NEW.length} steps each` : `${DEFERRED} steps`}), planned once they exist.`,
    );
    const markdown = await cli(['plan', '--output', 'markdown', '--answers', file]);
    expect(markdown.stdout).toContain(`**Plan: ${inDetail} to create, 0 to update, 0 to delete. Then the baseline of 5 new accounts`);
  });

  // Its baseline, and Identity Center's assignments there.
  it('says "1 new account ... once it exists" for one', async () => {
    // Without security-tooling, threat-detection has no account to run from: it is left out too.
    const one = FULL_EXAMPLE.replace(/\n {6}- \{ name: acme-(staging|prod|log-archive|security-tooling),[^\n]*/g, '').replace(
      /\n {2}threat-detection:[^\n]*/,
      '',
    );
    const run = await cli(['plan', '--answers', answersFile(one)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `Plan: \\d+ to create, 0 to update, 0 to delete\\. Then the baseline of 1 new account \\(${EVERY_ACCOUNT_STEPS + 1} steps\\), planned once it exists\\.`,
      ),
    );
  });

  it("is Terraform's line alone when no account is created", async () => {
    const run = await cli(['plan', '--only', 'account-alias', '--set', 'steps.account-alias.alias=acme']);
    expect(run.stdout).toContain('Plan: 1 to create, 0 to update, 0 to delete.\n');
    expect(run.stdout).not.toContain('baseline');
  });
});

describe("the JSON plan's summary", () => {
  it('keeps create as the count of every create change (version 2) and says how many of them are deferred baselines', async () => {
    const doc = JSON.parse((await cli(['plan', '--output', 'json', '--answers', answersFile(FULL_EXAMPLE)])).stdout) as PlanDoc;
    expect(doc.summary.create).toBe(doc.changes.filter((c) => c.action === 'create').length);
    expect(doc.summary.deferred).toBe(DEFERRED);
    expect(doc.summary.deferred).toBe(doc.changes.filter((c) => c.deferred).length);
    expect(doc.changes.filter((c) => c.deferred).every((c) => c.account.pending)).toBe(true);
  });
});

describe('after an apply that creates accounts', () => {
  it("counts what it applied as the plan line does: the changes known in detail, then the new accounts' baselines", async () => {
    const file = answersFile(FULL_EXAMPLE);
    const doc = JSON.parse((await cli(['plan', '--output', 'json', '--answers', file])).stdout) as PlanDoc;
    const inDetail = doc.changes.filter((c) => !c.deferred).length;
    const apply = await cli(['apply', '--yes', '--answers', file]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toContain(`Applied ${inDetail} of ${inDetail} changes, and the baselines of 5 new accounts.`);
  });

  it('says only the changes when no account is created', async () => {
    const apply = await cli(['apply', '--yes', '--only', 'account-alias', '--set', 'steps.account-alias.alias=acme']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toContain('Applied 1 of 1 changes.');
    expect(apply.stderr).not.toContain('baseline');
  });
});
