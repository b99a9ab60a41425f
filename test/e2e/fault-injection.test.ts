/**
 * Fault injection, one write at a time: a full `apply --yes` of the example answers on a fresh account,
 * with its k-th write failing for every k an uninterrupted run has, must stop saying where it failed,
 * and a plain re-run must then finish the job and leave AWS exactly as an uninterrupted run does.
 *
 * N (how many writes an uninterrupted run makes) is measured here, once, by a clean run while the file
 * is collected, so each k is its own test and a change to the steps changes the cases by itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isReadOperation, writeKindOf } from '../../src/aws/actions.js';
import { REGISTRY } from '../../src/registry.js';
import { byAccountName, expectAmong } from '../helpers/writes-under-way.js';
import { FakeAws, MANAGEMENT_ID, lostConnection, type FakeBucket, type RecordedCall } from '../helpers/fake-aws.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';
import { answersFile, cli, type CliRun } from '../helpers/run-cli.js';

/**
 * A failure the product must neither retry (it is not throttling, a 5xx or a dropped connection) nor
 * take for success (it is no "already exists" / "not found" code any step tolerates): fatal.
 */
class InjectedFault extends Error {
  override name = 'InjectedFault';
  constructor() {
    super('injected fatal failure');
  }
}

const FILE = answersFile(FULL_EXAMPLE);
const apply = (deps: Parameters<typeof cli>[1] = {}) => cli(['apply', '--yes', '--answers', FILE], deps);

/** One write of the uninterrupted run, with where the product sent it from. */
interface Write {
  call: RecordedCall;
  /** The step that sent it. */
  step: string;
  /** The IAM action it needs, as the product names it. */
  action: string;
  /** The account the step was working on (for member contacts: the member, though management sends it). */
  accountId: string;
  accountName: string;
}

/** What may exist only once: a write repeated by a re-run that AWS does not deduplicate shows up here. */
function inventory(fake: FakeAws) {
  const named = byAccountName(inventoryById(fake), fake) as Record<string, string[]>;
  return Object.fromEntries(Object.entries(named).map(([k, list]) => [k, list.sort()]));
}

function inventoryById(fake: FakeAws) {
  const policies = [...fake.accounts].flatMap(([id, a]) => [...a.policies.values()].map((p) => ({ id, p })));
  return {
    accounts: [...fake.orgAccounts.values()].map((a) => `${a.Id} ${a.Name} ${a.Email}`).sort(),
    createAccountRequests: [...fake.createRequests.values()].map((r) => `${r.AccountName} ${r.State}`).sort(),
    ous: [...fake.ous.values()].map((o) => `${o.Name} in ${o.parentId}`).sort(),
    buckets: [...fake.buckets.keys()].sort(),
    kmsKeys: [...fake.kms.values()].map((k) => `${k.region} ${k.KeyId} ${k.Description}`).sort(),
    kmsAliases: [...fake.kmsAliases]
      .flatMap(([region, aliases]) => [...aliases].map(([alias, key]) => `${region} ${alias} -> ${key}`))
      .sort(),
    trails: [...fake.trails.keys()].sort(),
    orgPolicies: [...fake.orgPolicies.values()].map((p) => `${p.Type} ${p.Name}`).sort(),
    iamPolicies: policies.map(({ id, p }) => `${id} ${p.arn}`).sort(),
    policyVersions: policies
      .flatMap(({ id, p }) => p.versions.map((v) => `${id} ${p.arn} ${v.VersionId}${v.IsDefaultVersion ? ' (default)' : ''}`))
      .sort(),
  };
}

/**
 * The fake's whole state, for comparing two runs. One normalisation, and no other: a bucket encryption
 * rule without BucketKeyEnabled is the same as one with `BucketKeyEnabled: false` (S3's default; it
 * answers `false` for a new bucket's SSE-S3 rule, and org-trail reads it that way). An uninterrupted
 * run plans the access-log bucket while it is absent, so it writes the rule, `false` spelled out; a
 * re-run after a failure between CreateBucket and PutBucketEncryption finds the bucket already
 * encrypted with SSE-S3 as S3 creates it (the fake makes that rule without the flag) and rightly
 * writes nothing. Same encryption, two spellings. Other ids come from the fake's counters, and a failed
 * write never reached its handler, so a converged re-run gets the same ones, except member accounts and
 * their creation requests: made side by side, they are compared by account name (`byAccountName`).
 */
function comparable(fake: FakeAws): unknown {
  const snapshot = fake.snapshot();
  for (const bucket of (snapshot.buckets as Map<string, FakeBucket>).values()) {
    bucket.encryption = bucket.encryption.map((rule) => ({ ...rule, BucketKeyEnabled: rule.BucketKeyEnabled ?? false }));
  }
  return byAccountName(snapshot, fake);
}

/** A write as text: what was asked of which account, for comparing two runs' writes in order. */
const EVERY_ACCOUNT = new Set(REGISTRY.filter((s) => s.scope === 'every-account').map((s) => s.id));
/** A write of the accounts' creation, made five at a time. */
const isCreation = (x: Write) => x.step === 'member-accounts';
/** A write of a new member's own baseline, made side by side with the other new members'. */
const inNewBaseline = (x: Write) => x.accountName !== 'management' && EVERY_ACCOUNT.has(x.step);

const asText = (c: RecordedCall) => `${c.account} ${c.service}:${c.operation} ${JSON.stringify(c.input)}`;

/** The uninterrupted run on a fresh fake: how it ended, its writes and the state it left. */
async function cleanRun() {
  const fake = new FakeAws().install();
  try {
    const sent: { step: string; action: string }[] = [];
    const run = await apply({
      onSend: (e) => {
        if (!isReadOperation(e.service, e.operation)) sent.push({ step: e.step, action: e.action ?? `${e.service}:${e.operation}` });
      },
    });
    const nameOf = (id: string) => (id === MANAGEMENT_ID ? 'management' : (fake.orgAccounts.get(id)?.Name ?? id));
    const writes: Write[] = fake.writes.map((call, i) => {
      // Member contacts are written with the management account's credentials, naming the member.
      const accountId = call.service === 'account' ? ((call.input.AccountId as string | undefined) ?? call.account) : call.account;
      return { call, step: sent[i]?.step ?? '?', action: sent[i]?.action ?? '?', accountId, accountName: nameOf(accountId) };
    });
    return { run, sentCount: sent.length, writes, snapshot: comparable(fake), inventory: inventory(fake) };
  } finally {
    fake.restore();
  }
}

const clean = await cleanRun();
const N = clean.writes.length;

/** The stderr line that reports the failure names the step, the account, the IAM action and the error. */
function expectNamed(run: CliRun, w: Write): void {
  // The last such line is the final report (the task list may have shown it already).
  const line = run.stderr.split('\n').findLast((l) => l.includes('InjectedFault'));
  expect(line, run.stderr).toBeDefined();
  expect(line).toContain(`${w.step} (apply)`);
  expect(line).toContain(`account ${w.accountId} (${w.accountName})`);
  expect(line).toContain(`${w.action} failed`);
  expect(line).toContain('InjectedFault: injected fatal failure');
}

describe('a full apply on a fresh account whose k-th write fails with a fatal error', () => {
  let fake: FakeAws;
  beforeEach(() => {
    fake = new FakeAws().install();
  });
  afterEach(() => fake.restore());

  it(`measures N = ${N}: the uninterrupted run exits 0 and every one of its writes was sent by a step through the guard`, () => {
    expect(clean.run.code, clean.run.stderr).toBe(0);
    // Each write the fake saw was announced by the guard, in the same order: step and action are known.
    expect(clean.sentCount).toBe(N);
    expect(clean.writes.filter((w) => w.step === '?')).toEqual([]);
    // Every step but root-credentials writes: new members are made without root credentials, so it
    // has nothing to delete. And every account is written to.
    expect(new Set(clean.writes.map((w) => w.step))).toEqual(
      new Set([
        'account-alias',
        'password-policy',
        'admin-group',
        'mfa-enforcement',
        'organization',
        'org-trail',
        'member-accounts',
        's3-block-public-access',
        'security-contacts',
        'identity-center',
        'cost-alerts',
        'threat-detection',
        'guardrails',
      ]),
    );
    expect(new Set(clean.writes.map((w) => w.accountName))).toEqual(
      new Set(['management', 'acme-dev', 'acme-staging', 'acme-prod', 'acme-log-archive', 'acme-security-tooling']),
    );
  });

  const cases: [number, string][] = clean.writes.map((w, i) => [i + 1, `${w.action} by ${w.step} in ${w.accountName}`]);

  it.each(cases)('a fatal failure of write %i (%s) stops the run naming where, and a re-run converges to the same state', async (k) => {
    const w = clean.writes[k - 1] as Write;
    // A new error each time: the product attaches where it failed to the error object, once.
    fake.failWrite = { number: k, error: new InjectedFault() };
    const failed = await apply();
    expect(failed.code, failed.stderr).toBe(1);
    expectNamed(failed, w);
    // Up to the failure it did what the uninterrupted run did; after it, nothing new was started: only what
    // was under way side by side with the failed write went on (the other creations, or the baselines of
    // the other new accounts).
    const sent = fake.writes.map(asText);
    expect(sent.slice(0, k)).toEqual(clean.writes.slice(0, k).map((x) => asText(x.call)));
    const alongside = w.step === 'member-accounts' ? isCreation : inNewBaseline(w) ? inNewBaseline : () => false;
    const underWay = clean.writes.slice(k).filter(alongside);
    expectAmong(
      fake.writes.slice(k),
      underWay.map((x) => x.call),
    );

    fake.failWrite = null;
    const rerun = await apply();
    expect(rerun.code, rerun.stderr).toBe(0);
    // Nothing made twice, then the whole state (see `comparable` for the one normalisation).
    expect(inventory(fake)).toEqual(clean.inventory);
    expect(comparable(fake)).toEqual(clean.snapshot);
  });
});

describe('a full apply on a fresh account whose k-th write is carried out but its answer is lost', () => {
  let fake: FakeAws;
  beforeEach(() => {
    fake = new FakeAws().install();
  });
  afterEach(() => fake.restore());

  const cases: [number, string][] = clean.writes.map((w, i) => [i + 1, `${w.action} by ${w.step} in ${w.accountName}`]);

  it.each(cases)(
    'a lost answer at write %i (%s) ends the same run with exit 0, nothing made twice, the state of an undisturbed run',
    async (k) => {
      fake.failWrite = { number: k, error: lostConnection(), afterHandler: true };
      const run = await apply();
      expect(run.code, run.stderr).toBe(0);
      expect(inventory(fake)).toEqual(clean.inventory);
      expect(comparable(fake)).toEqual(clean.snapshot);
      // A write that is not safe to repeat is never sent twice in a row: it was read back instead.
      const w = clean.writes[k - 1] as Write;
      const kind = writeKindOf(w.call.service, w.call.operation).kind;
      const same = fake.writes.filter((c) => asText(c) === asText(w.call));
      if (kind === 'ambiguous') expect(same, `${w.action} was sent again`).toHaveLength(1);
      else expect(same.length).toBeGreaterThanOrEqual(2);
    },
  );
});
