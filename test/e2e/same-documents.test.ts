import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';
import { answersFile, cli } from '../helpers/run-cli.js';

/**
 * The plans and findings the tool prints on the design's full example, kept byte for byte in
 * `test/golden/`: a refactor of the engine or the steps must leave every one of them as it was.
 * `UPDATE_GOLDEN=1` rewrites them, for a change that means to change what a person sees.
 */
const GOLDEN = fileURLToPath(new URL('../golden/', import.meta.url));

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

/** Times differ between runs; everything else must not. */
function stable(stdout: string): string {
  return stdout.replace(/"(startedAt|finishedAt)": "[^"]+"/g, '"$1": "(time)"');
}

function expectSame(name: string, text: string): void {
  const file = `${GOLDEN}${name}`;
  // Remediations name the run's answers file, which lives in a fresh temporary folder: keep its name only.
  text = text.replace(/[^\s"`']*gw-answers-[^/\\]+[/\\]/g, '');
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
  expect(existsSync(file), `${file} is missing: UPDATE_GOLDEN=1 writes it`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const WITH_ADMIN = FULL_EXAMPLE.replace('users: []', 'users: [alice]');
const MEMBERS = ['acme-dev', 'acme-staging', 'acme-prod'];
const memberId = (name: string) => [...fake.orgAccounts.values()].find((a) => a.Name === name)?.Id as string;

/** Drift in every step: what a founder's colleague might change by hand in the console. */
function drift(): void {
  const management = fake.accounts.get(MANAGEMENT_ID)!;
  management.alias = 'drifted';
  management.passwordPolicy!.MinimumPasswordLength = 8;
  management.groups.get('Admins')!.attached.clear();
  const trail = [...fake.trails.values()][0]!;
  trail.logging = false;
  trail.LogFileValidationEnabled = false;
  [...fake.kms.values()][0]!.rotation = false;
  const trailBucket = [...fake.buckets.entries()].find(([name]) => name.includes('-trail-'))![1];
  trailBucket.logging = null;
  trailBucket.versioning = 'Suspended';
  const dev = fake.accounts.get(memberId('acme-dev'))!;
  dev.alias = null;
  dev.accountPublicAccessBlock = null;
  dev.contacts.SECURITY = undefined;
  fake.accounts.get(memberId('acme-prod'))!.passwordPolicy = null;
  const staging = fake.orgAccounts.get(memberId('acme-staging'))!;
  staging.tags = [];
  staging.parentId = [...fake.roots.keys()][0]!;
  fake.accounts.get(memberId('acme-prod'))!.root.accessKeys.push({ AccessKeyId: 'AKIAROOTKEYDRIFTED01', Status: 'Active' });
  // The guardrails: someone lets members leave the organization again.
  const baseline = [...fake.orgPolicies.values()].find((p) => p.Name === 'aws-groundwork-baseline')!;
  const doc = JSON.parse(baseline.Content) as { Statement: { Sid?: string }[] };
  baseline.Content = JSON.stringify({ ...doc, Statement: doc.Statement.filter((st) => st.Sid !== 'DenyLeavingTheOrganization') });
  // Identity Center: the developers lose their access to dev, and admin sessions last 12 hours.
  const ic = fake.identityCenter;
  const developers = [...ic.groups.values()].find((g) => g.DisplayName === 'Developers')!.GroupId;
  ic.assignments = ic.assignments.filter((a) => !(a.AccountId === memberId('acme-dev') && a.PrincipalId === developers));
  const admin = [...ic.permissionSets.values()].find((p) => p.Name === 'AdministratorAccess')!;
  admin.SessionDuration = 'PT12H';
}

describe('the documents a person sees on the full example stay the same through refactoring', () => {
  it('prints the same plan, as JSON and for a person, for a fresh account', async () => {
    const file = answersFile(WITH_ADMIN);
    const json = await cli(['plan', '--output', 'json', '--answers', file]);
    expect(json.code, json.stderr).toBe(0);
    expectSame('fresh-plan.json', stable(json.stdout));
    const human = await cli(['plan', '--answers', file]);
    expectSame('fresh-plan.txt', human.stdout);
  });

  it('prints the same findings after one apply, and the same plan and findings once every step has drifted', async () => {
    const file = answersFile(FULL_EXAMPLE);
    const apply = await cli(['apply', '--yes', '--answers', file]);
    expect(apply.code, apply.stderr).toBe(0);
    expectSame('applied-verify.json', stable((await cli(['verify', '--output', 'json', '--answers', file])).stdout));
    expect(MEMBERS.every((m) => memberId(m))).toBe(true);
    drift();
    const plan = await cli(['plan', '--output', 'json', '--answers', file]);
    expectSame('drifted-plan.json', stable(plan.stdout));
    expectSame('drifted-plan.txt', (await cli(['plan', '--answers', file])).stdout);
    const verify = await cli(['verify', '--output', 'json', '--answers', file]);
    expect(verify.code).toBe(3);
    expectSame('drifted-verify.json', stable(verify.stdout));
    expectSame('drifted-verify.txt', (await cli(['verify', '--answers', file])).stdout);
  });
});
