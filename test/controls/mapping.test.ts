import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_MAPPING, controlLabels, controlsFor, FRAMEWORKS } from '../../src/controls/mapping.js';
import { REGISTRY } from '../../src/registry.js';
import { planAll, verifyAll } from '../../src/engine/runner.js';
import type { Finding } from '../../src/model.js';
import { engineRun, applyOrThrow } from '../helpers/converge.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { FULL_EXAMPLE, notPassing } from '../helpers/full-example.js';

/**
 * The CIS AWS Foundations Benchmark v5.0.0 recommendations this tool maps to, as numbered and titled
 * there (taken from Prowler's cis_5.0_aws.json; the v3.0.0 number each replaced is in brackets). A
 * mapping to any other number fails below: a v3.0.0 number left behind cannot pass for v5.0.0.
 */
const CIS_V5_0_0: Record<string, string> = {
  '1.2': 'Ensure security contact information is registered', // [1.2]
  '1.3': "Ensure no 'root' user account access key exists", // [1.4]
  '1.4': "Ensure MFA is enabled for the 'root' user account", // [1.5]
  '1.7': 'Ensure IAM password policy requires minimum length of 14 or greater', // [1.8]
  '1.8': 'Ensure IAM password policy prevents password reuse', // [1.9]
  '1.9': 'Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password', // [1.10]
  '1.15': 'Ensure IAM policies that allow full *:* administrative privileges are not attached', // [1.16]
  '1.20': 'Ensure IAM users are managed centrally via identity federation or AWS Organizations for multi-account environments', // [1.21]
  '2.1.1': 'Ensure S3 Bucket Policy is set to deny HTTP requests', // [2.1.1]
  '2.1.4': "Ensure that S3 is configured with 'Block Public Access' enabled", // [2.1.4]
  '3.1': 'Ensure CloudTrail is enabled in all regions', // [3.1]
  '3.2': 'Ensure CloudTrail log file validation is enabled', // [3.2]
  '3.4': 'Ensure that server access logging is enabled on the CloudTrail S3 bucket', // [3.4]
  '3.5': 'Ensure CloudTrail logs are encrypted at rest using KMS CMKs', // [3.5]
  '3.6': 'Ensure rotation for customer-created symmetric CMKs is enabled', // [3.6]
};

/** CIS first, then SSB, then GW; numbers in numeric order (1.9 before 1.15). */
const RANK = ['CIS', 'SSB', 'GW'];
const byFramework = (a: string, b: string) =>
  RANK.findIndex((r) => a.startsWith(r)) - RANK.findIndex((r) => b.startsWith(r)) || a.localeCompare(b, 'en', { numeric: true });

const declared = REGISTRY.flatMap((s) => s.checks.map((c) => ({ step: s.id, ...c })));

describe('the control mapping table', () => {
  it('has a row with at least one control for every check a step declares, and no row for a check nobody declares', () => {
    for (const c of declared) expect(CONTROL_MAPPING[c.id]?.length ?? 0, c.id).toBeGreaterThan(0);
    expect(Object.keys(CONTROL_MAPPING).sort()).toEqual(declared.map((c) => c.id).sort());
  });

  it('names each check after its step, and no two steps share a check', () => {
    for (const c of declared) expect(c.id.startsWith(`${c.step}.`), c.id).toBe(true);
    expect(new Set(declared.map((c) => c.id)).size).toBe(declared.length);
  });

  it('uses only CIS v5.0.0 numbers that exist, and Startup Security Baseline account controls ACCT.01 to ACCT.17', () => {
    const used = Object.values(CONTROL_MAPPING).flat();
    for (const [framework, id] of used) {
      if (framework === 'cis') expect(CIS_V5_0_0[id], `CIS ${id}`).toBeDefined();
      if (framework === 'ssb') expect(id).toMatch(/^ACCT\.(0[1-9]|1[0-7])$/);
      if (framework === 'gw') expect(id).toMatch(/^GW\.[A-Z-]+$/);
    }
    // Every reference number is used: the list above is exactly what the tool evidences.
    expect(new Set(used.filter(([f]) => f === 'cis').map(([, id]) => id))).toEqual(new Set(Object.keys(CIS_V5_0_0)));
  });

  it('gives every control its framework and version', () => {
    for (const c of declared) {
      for (const ref of controlsFor(c.id)) {
        const framework = Object.values(FRAMEWORKS).find((f) => f.name === ref.framework);
        expect(framework, `${c.id}: ${ref.framework}`).toBeDefined();
        expect(ref.version).toBe(framework!.version);
      }
    }
    expect(FRAMEWORKS.cis.version).toBe('5.0.0');
  });

  it('is what the README steps table shows, step by step', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const step of REGISTRY) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${step.id}\` |`));
      expect(row, step.id).toBeDefined();
      const shown = row!.split('|').at(-2)!.trim();
      const expected = [...new Set(step.checks.flatMap((c) => controlLabels(c.id)))].sort(byFramework).join(', ');
      expect(shown, step.id).toBe(expected);
    }
  });
});

describe('the checks the steps really report', () => {
  let fake: FakeAws;
  beforeEach(() => {
    fake = new FakeAws().install();
  });
  afterEach(() => fake.restore());

  it('are each covered by the mapping table, and together are every declared check', async () => {
    const answersDoc = parse(FULL_EXAMPLE) as { steps: Record<string, Record<string, unknown>> };
    // An admin user, so the per-user check has someone to report on.
    answersDoc.steps['admin-group'] = { name: 'Admins', users: ['alice'] };
    // The region allow-list, so the region guardrail's check (off by default) is reported too.
    answersDoc.steps.guardrails = { allowedRegions: ['us-east-1'], allowRegionDeny: true };
    // A person in Identity Center, so its per-user check has someone to report on.
    answersDoc.steps['identity-center'] = {
      users: [{ userName: 'ada', givenName: 'Ada', familyName: 'Lovelace', email: 'ada@acme.example', groups: ['Admins'] }],
    };
    const opts = await engineRun(
      REGISTRY.map((s) => s.id),
      answersDoc,
    );
    const seen: Finding[] = [];
    seen.push(...(await verifyAll(opts))); // a fresh account: everything missing
    await applyOrThrow(opts, (await planAll(opts)).changes);
    await applyOrThrow(opts, (await planAll(opts)).changes); // the new members' baselines
    // The new admin registers an MFA device at first sign-in, as the mfa-enforcement policy makes her.
    fake.management.users.get('alice')!.mfaDevices.push('arn:aws:iam::111111111111:mfa/alice');
    const converged = await verifyAll(opts);
    expect(notPassing(converged)).toEqual([]);
    seen.push(...converged);
    fake.management.passwordPolicy!.MinimumPasswordLength = 8;
    seen.push(...(await verifyAll(opts))); // drift

    const known = new Set(declared.map((c) => c.id));
    for (const f of seen) {
      expect(known.has(f.check), `${f.step} reported ${f.check}`).toBe(true);
      expect(f.check.startsWith(`${f.step}.`)).toBe(true);
      expect(controlsFor(f.check).length).toBeGreaterThan(0);
    }
    expect(new Set(seen.map((f) => f.check))).toEqual(known);
  });
});
