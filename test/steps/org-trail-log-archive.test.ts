/**
 * The organization trail's storage in a log-archive member account (issue 17), against the fake:
 * the key and both buckets in log-archive, made through its role by org-trail (a management step),
 * the trail in the management account delivering there; an existing management-account layout moved,
 * never destroyed; optional Object Lock; and faults at every write of a fresh apply.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isReadOperation, writeKindOf } from '../../src/aws/actions.js';
import { planAll, verifyAll } from '../../src/engine/runner.js';
import type { Change, Finding } from '../../src/model.js';
import { byAccountName, expectAmong } from '../helpers/writes-under-way.js';
import { FakeAws, MANAGEMENT_ID, lostConnection, type FakeBucket, type FakeKey, type RecordedCall } from '../helpers/fake-aws.js';
import { applyOrThrow, engineRun, expectConvergence } from '../helpers/converge.js';
import { answersFile, cli, type CliRun } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const TRAIL = 'acme-org-trail';
const ARCHIVE = 'acme-log-archive';
const TOOLING = 'acme-security-tooling';
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT_ID}:trail/${TRAIL}`;
const ACCOUNTS = [
  { name: ARCHIVE, email: 'aws+log-archive@acme.example', purpose: 'log-archive' },
  { name: TOOLING, email: 'aws+security-tooling@acme.example', purpose: 'security-tooling' },
];
const ALL = ['organization', 'member-accounts', 'org-trail'];
/** Without a log-archive account the logs stay in the management account, which verify leaves to a person. */
const IN_MANAGEMENT = { manual: ['org-trail.logs-outside-management'] };

/** The answers of this layout, with more org-trail answers; `accounts: false` leaves member-accounts out. */
function answersWith(trail: Record<string, unknown> = {}, { accounts = true } = {}) {
  return {
    version: 1,
    steps: {
      organization: {},
      ...(accounts ? { 'member-accounts': { accounts: ACCOUNTS } } : {}),
      'org-trail': { name: TRAIL, ...trail },
    },
  };
}
/** The same answers as a file for the CLI (JSON is YAML). */
const fileWith = (trail: Record<string, unknown> = {}, opts: { accounts?: boolean } = {}) =>
  answersFile(JSON.stringify(answersWith(trail, opts)));

/** The default names of the two buckets, which carry the account that holds them. */
const bucketsOf = (accountId: string) => ({
  trail: `aws-groundwork-trail-${accountId}-us-east-1`,
  logs: `aws-groundwork-access-logs-${accountId}-us-east-1`,
});
const ownerOfKey = (k: FakeKey) => k.Arn.split(':')[4];
/** The organization's account of that name, as Organizations holds it. */
function orgAccount(f: FakeAws, name: string) {
  const found = [...f.orgAccounts.values()].find((a) => a.Name === name);
  if (!found) throw new Error(`no account ${name} in the fake organization`);
  return found;
}
const archiveId = () => orgAccount(fake, ARCHIVE).Id;

/** Makes the organization and both accounts, without org-trail: log-archive exists before the trail's storage is planned. */
async function accountsFirst(): Promise<void> {
  const opts = await engineRun(['organization', 'member-accounts'], answersWith());
  await applyOrThrow(opts, (await planAll(opts)).changes);
}

/** A trail, key and buckets in the management account, as 0.1 of this tool made them: converged without log-archive. */
async function managementLayout() {
  await expectConvergence(await engineRun(['organization', 'org-trail'], answersWith({}, { accounts: false })), IN_MANAGEMENT);
  const { trail, logs } = bucketsOf(MANAGEMENT_ID);
  const key = [...fake.kms.values()][0] as FakeKey;
  return {
    trailBucket: trail,
    buckets: structuredClone({ [trail]: fake.buckets.get(trail), [logs]: fake.buckets.get(logs) }),
    key: structuredClone(key),
    aliases: structuredClone(fake.kmsAliases.get('us-east-1')),
  };
}

const brief = (f: Finding) => `${f.check} ${f.account.name} ${f.status}`;

describe('a fresh organization with a log-archive account', () => {
  it('converges in one apply: both accounts in Security, key and buckets in log-archive, the trail in management delivering there, every check passing', async () => {
    const opts = await engineRun(ALL, answersWith());
    // No manual finding is allowed: with log-archive, the logs-outside-management check must pass.
    const first = await expectConvergence(opts);

    // log-archive does not exist when the first plan is made, so org-trail's part of it is one
    // change deferred to the pending account, planned by the management account's step.
    const orgTrail = first.changes.filter((c) => c.step === 'org-trail');
    expect(orgTrail).toEqual([
      expect.objectContaining({
        deferred: true,
        account: expect.objectContaining({ name: ARCHIVE, pending: true, purpose: 'log-archive' }),
        from: expect.objectContaining({ id: MANAGEMENT_ID, role: 'management' }),
      }),
    ]);

    const archive = orgAccount(fake, ARCHIVE);
    const tooling = orgAccount(fake, TOOLING);
    expect(fake.orgAccounts.size).toBe(3);
    for (const a of [archive, tooling]) expect(fake.ous.get(a.parentId)?.Name, a.Name).toBe('Security');

    const keys = [...fake.kms.values()];
    expect(keys).toHaveLength(1);
    const key = keys[0] as FakeKey;
    expect(ownerOfKey(key)).toBe(archive.Id);
    expect(key.rotation).toBe(true);
    const { trail, logs } = bucketsOf(archive.Id);
    expect([...fake.buckets].map(([name, b]) => `${name} ${b.account}`).sort()).toEqual([
      `${logs} ${archive.Id}`,
      `${trail} ${archive.Id}`,
    ]);

    expect([...fake.trails.keys()]).toEqual([TRAIL]);
    expect(fake.trails.get(TRAIL)).toMatchObject({
      TrailARN: TRAIL_ARN,
      S3BucketName: trail,
      KmsKeyId: key.Arn,
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      LogFileValidationEnabled: true,
      logging: true,
    });
    // CloudTrail writes the management account's own events and every member's under these two
    // prefixes, and only this trail (its ARN in the management account) may write them.
    const policy = fake.buckets.get(trail)?.policy ?? '';
    expect(policy).toContain(`arn:aws:s3:::${trail}/AWSLogs/${MANAGEMENT_ID}/*`);
    expect(policy).toContain(`arn:aws:s3:::${trail}/AWSLogs/${fake.organization?.Id}/*`);
    expect(policy).toContain(`"aws:SourceArn":"${TRAIL_ARN}"`);
    expect(policy).not.toContain('known after apply');

    // Apply planned the deferred change in detail once log-archive existed: every key and bucket
    // write went to log-archive (through its role), the trail's writes to the management account.
    const writes = fake.writes.filter((w) => ['kms', 's3', 'cloudtrail'].includes(w.service));
    const storage = writes.filter((w) => w.service !== 'cloudtrail');
    expect(new Set(storage.map((w) => w.account))).toEqual(new Set([archive.Id]));
    expect(storage.filter((w) => w.operation === 'CreateBucket').map((w) => w.input.Bucket)).toEqual([logs, trail]);
    expect(storage.filter((w) => w.operation === 'CreateKey')).toHaveLength(1);
    expect(writes.filter((w) => w.service === 'cloudtrail').map((w) => `${w.account} ${w.operation}`)).toEqual([
      `${MANAGEMENT_ID} CreateTrail`,
      `${MANAGEMENT_ID} StartLogging`,
    ]);
  });
});

describe('once the log-archive account exists', () => {
  it('plans the key and buckets in log-archive, made from management, and the trail in management; verify reports each check where its resource is', async () => {
    await accountsFirst();
    const archive = orgAccount(fake, ARCHIVE);
    const opts = await engineRun(ALL, answersWith());
    const { changes, failures } = await planAll(opts);
    expect(failures).toEqual([]);
    const orgTrail = changes.filter((c) => c.step === 'org-trail');
    expect(orgTrail.filter((c) => c.deferred)).toEqual([]);
    const storage = orgTrail.filter((c) => /^(kms|s3):/.test(c.address));
    const trail = orgTrail.filter((c) => c.address.startsWith('cloudtrail:'));
    // Every change is one or the other: nothing of org-trail is planned anywhere else.
    expect(storage.length + trail.length).toBe(orgTrail.length);
    expect(storage.map((c) => c.address)).toEqual(
      expect.arrayContaining([
        `kms:alias/aws-groundwork/${TRAIL}`,
        `s3:bucket/${bucketsOf(archive.Id).logs}`,
        `s3:bucket/${bucketsOf(archive.Id).trail}`,
      ]),
    );
    for (const c of storage) {
      expect(c.account, c.address).toMatchObject({ id: archive.Id, name: ARCHIVE, role: 'member' });
      expect(c.from, c.address).toMatchObject({ id: MANAGEMENT_ID, role: 'management' });
    }
    expect(trail.map((c) => c.address)).toEqual([`cloudtrail:trail/${TRAIL}`, `cloudtrail:trail/${TRAIL}/logging`]);
    for (const c of trail) {
      expect(c.account.id, c.address).toBe(MANAGEMENT_ID);
      expect(c.from, c.address).toBeUndefined();
    }

    await applyOrThrow(opts, changes);
    const findings = (await verifyAll(opts)).filter((f) => f.step === 'org-trail');
    expect(findings.map(brief).sort()).toEqual(
      [
        'org-trail.access-log-bucket acme-log-archive pass',
        'org-trail.bucket-access-logging acme-log-archive pass',
        'org-trail.buckets-deny-http acme-log-archive pass',
        'org-trail.delivery management pass',
        'org-trail.key-policy acme-log-archive pass',
        'org-trail.key-rotation acme-log-archive pass',
        'org-trail.kms-encryption management pass',
        'org-trail.log-file-validation management pass',
        'org-trail.logs-outside-management management pass',
        'org-trail.multi-region-logging management pass',
        'org-trail.trail-bucket-protected acme-log-archive pass',
        'org-trail.trail-bucket-settings acme-log-archive pass',
      ].sort(),
    );
    // The findings in log-archive carry its real id, not the management account's.
    for (const f of findings.filter((x) => x.account.name === ARCHIVE)) expect(f.account.id).toBe(archive.Id);
  });
});

describe('drift in the log-archive account', () => {
  /** What drifts, the check that must fail, what it says, and the drift itself. */
  const DRIFT: [string, string, RegExp, (id: string) => void][] = [
    [
      'the trail bucket policy replaced',
      'org-trail.trail-bucket-protected',
      /the bucket policy differs/,
      (id) => (fake.buckets.get(bucketsOf(id).trail)!.policy = '{"Version":"2012-10-17","Statement":[]}'),
    ],
    ['key rotation turned off', 'org-trail.key-rotation', /key rotation is off/, () => ([...fake.kms.values()][0]!.rotation = false)],
    [
      "the access-log bucket's lifecycle removed",
      'org-trail.access-log-bucket',
      /lifecycle differs/,
      (id) => (fake.buckets.get(bucketsOf(id).logs)!.lifecycle = null),
    ],
  ];

  it.each(DRIFT)(
    '%s: verify exits 3 naming %s in log-archive, and apply restores it without a second bucket or key',
    async (_n, check, reason, drift) => {
      const file = fileWith();
      const first = await cli(['apply', '--yes', '--answers', file]);
      expect(first.code, first.stderr).toBe(0);
      const id = archiveId();
      drift(id);

      const verify = await cli(['verify', '--output', 'json', '--answers', file]);
      expect(verify.code).toBe(3);
      const failing = (JSON.parse(verify.stdout) as { findings: { status: string }[] }).findings.filter((f) => f.status !== 'pass');
      expect(failing).toContainEqual(
        expect.objectContaining({
          check,
          status: 'fail',
          reason: expect.stringMatching(reason),
          account: expect.objectContaining({ id, name: ARCHIVE }),
        }),
      );

      const again = await cli(['apply', '--yes', '--answers', file]);
      expect(again.code, again.stderr).toBe(0);
      expect((await cli(['verify', '--answers', file])).code).toBe(0);
      expect([...fake.buckets.keys()].sort()).toEqual([bucketsOf(id).logs, bucketsOf(id).trail]);
      expect(fake.kms.size).toBe(1);
      expect(fake.createBucketCalls).toHaveLength(2);
    },
  );
});

describe('moving a management-account layout to log-archive', () => {
  /** How each case comes to the move: the accounts made by an earlier apply, or by the same one. */
  const CASES: [string, () => Promise<void>, (changes: Change[]) => void][] = [
    [
      'log-archive already exists, and the trail update is the destructive change',
      async () => {
        const made = await cli(['apply', '--yes', '--only', 'organization,member-accounts', '--answers', fileWith()]);
        expect(made.code, made.stderr).toBe(0);
      },
      (changes) =>
        expect(changes.filter((c) => c.risk === 'destructive')).toEqual([
          expect.objectContaining({
            address: `cloudtrail:trail/${TRAIL}`,
            action: 'update',
            account: expect.objectContaining({ id: MANAGEMENT_ID }),
          }),
        ]),
    ],
    [
      'log-archive is made by the same apply, and the deferred change is the destructive one',
      async () => undefined,
      (changes) =>
        expect(changes.filter((c) => c.risk === 'destructive')).toEqual([
          expect.objectContaining({
            address: 'org-trail:log-archive',
            deferred: true,
            after: expect.objectContaining({ MovesTrailFrom: bucketsOf(MANAGEMENT_ID).trail }),
          }),
        ]),
    ],
  ];

  describe.each(CASES)('when %s', (_name, arrange, destructive) => {
    it('refuses without allowMove: exit 2 naming steps.org-trail.allowMove, nothing written', async () => {
      await managementLayout();
      await arrange();
      destructive((await planAll(await engineRun(ALL, answersWith()))).changes);
      const before = fake.snapshot();
      const writes = fake.writes.length;

      const run = await cli(['apply', '--yes', '--answers', fileWith()]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain('set steps.org-trail.allowMove: true');
      expect(fake.writes.slice(writes)).toEqual([]);
      expect(fake.snapshot()).toEqual(before);
    });

    it('with allowMove: true moves the trail to log-archive, leaves the old bucket and key exactly as they were, and says where the old logs stay', async () => {
      const old = await managementLayout();
      await arrange();

      const run = await cli(['apply', '--yes', '--answers', fileWith({ allowMove: true })]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`the logs delivered until now stay in ${old.trailBucket}, where they are`);

      const id = archiveId();
      const newKeys = [...fake.kms.values()].filter((k) => ownerOfKey(k) === id);
      expect(newKeys).toHaveLength(1);
      expect(fake.trails.get(TRAIL)).toMatchObject({ TrailARN: TRAIL_ARN, S3BucketName: bucketsOf(id).trail, KmsKeyId: newKeys[0]?.Arn });
      // The old layout is kept as it is: same buckets, same key, the alias still naming it.
      for (const [name, bucket] of Object.entries(old.buckets)) expect(fake.buckets.get(name), name).toEqual(bucket);
      expect(fake.kms.get(old.key.KeyId)).toEqual(old.key);
      expect(fake.kmsAliases.get('us-east-1')).toEqual(old.aliases);
      expect(fake.buckets.size).toBe(4);
      expect(fake.kms.size).toBe(2);

      const opts = await engineRun(ALL, answersWith({ allowMove: true }));
      expect((await planAll(opts)).changes).toEqual([]);
      expect((await verifyAll(opts)).filter((f) => f.status !== 'pass')).toEqual([]);
    });
  });
});

describe('Object Lock on the trail bucket in log-archive', () => {
  const GOVERNANCE = { objectLockMode: 'GOVERNANCE', objectLockDays: 30 };
  const COMPLIANCE = { objectLockMode: 'COMPLIANCE', objectLockDays: 30 };
  const trailBucket = () => fake.buckets.get(bucketsOf(archiveId()).trail) as FakeBucket;
  const settingsFinding = async (opts: Awaited<ReturnType<typeof engineRun>>) =>
    (await verifyAll(opts)).find((f) => f.check === 'org-trail.trail-bucket-settings');

  it('GOVERNANCE for 30 days converges, verify fails a changed retention, and apply restores it', async () => {
    const opts = await engineRun(ALL, answersWith(GOVERNANCE));
    await expectConvergence(opts);
    expect(trailBucket()).toMatchObject({ objectLock: true, versioning: 'Enabled', objectLockRetention: { Mode: 'GOVERNANCE', Days: 30 } });

    trailBucket().objectLockRetention = { Mode: 'GOVERNANCE', Days: 1 };
    expect(await settingsFinding(opts)).toMatchObject({
      status: 'fail',
      account: expect.objectContaining({ name: ARCHIVE }),
      reason: expect.stringContaining('Object Lock is not GOVERNANCE for 30 days'),
    });
    const { changes } = await planAll(opts);
    expect(changes).toEqual([
      expect.objectContaining({ address: `s3:bucket/${bucketsOf(archiveId()).trail}/object-lock`, action: 'update', risk: 'security' }),
    ]);
    await applyOrThrow(opts, changes);
    expect(trailBucket().objectLockRetention).toEqual({ Mode: 'GOVERNANCE', Days: 30 });
    expect(await settingsFinding(opts)).toMatchObject({ status: 'pass' });
  });

  /** COMPLIANCE comes either inside the deferred change (log-archive made now) or as the bucket's own setting. */
  const WHEN: [string, () => Promise<void>][] = [
    ['on a fresh organization', async () => undefined],
    ['once log-archive exists', accountsFirst],
  ];

  it.each(WHEN)('COMPLIANCE without allowComplianceLock is refused %s: exit 2 before any write', async (_name, arrange) => {
    await arrange();
    const before = fake.snapshot();
    const writes = fake.writes.length;
    const run = await cli(['apply', '--yes', '--answers', fileWith(COMPLIANCE)]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('set steps.org-trail.allowComplianceLock: true');
    expect(fake.writes.slice(writes)).toEqual([]);
    expect(fake.snapshot()).toEqual(before);
  });

  it.each(WHEN)('COMPLIANCE with allowComplianceLock converges %s', async (_name, arrange) => {
    await arrange();
    const answers = { ...COMPLIANCE, allowComplianceLock: true };
    const run = await cli(['apply', '--yes', '--answers', fileWith(answers)]);
    expect(run.code, run.stderr).toBe(0);
    expect(trailBucket()).toMatchObject({ objectLock: true, objectLockRetention: { Mode: 'COMPLIANCE', Days: 30 } });
    const opts = await engineRun(ALL, answersWith(answers));
    expect((await planAll(opts)).changes).toEqual([]);
    expect((await verifyAll(opts)).filter((f) => f.status !== 'pass')).toEqual([]);
  });

  const RULES: [string, Record<string, unknown>, string][] = [
    ['a mode without days', { objectLockMode: 'GOVERNANCE' }, 'steps.org-trail.objectLockDays: is needed with objectLockMode'],
    ['days without a mode', { objectLockDays: 30 }, 'steps.org-trail.objectLockMode: is needed with objectLockDays'],
    [
      'more days than retentionDays',
      { objectLockMode: 'GOVERNANCE', objectLockDays: 400 },
      'steps.org-trail.objectLockDays: is 400, more than retentionDays (365)',
    ],
  ];

  it.each(RULES)('answers with %s exit 2 naming the field, before any AWS call', async (_name, lock, message) => {
    const run = await cli(['apply', '--yes', '--answers', fileWith(lock)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(fake.calls).toEqual([]);
  });
});

describe('org-trail run without member-accounts', () => {
  it('fails its plan while log-archive does not exist yet, saying to run member-accounts first, and writes nothing', async () => {
    const opts = await engineRun(['organization', 'org-trail'], answersWith());
    const { failures } = await planAll(opts);
    expect(failures.map((f) => f.step)).toEqual(['org-trail']);
    expect(String(failures[0]?.message)).toContain(
      `the log-archive account ${ARCHIVE}, which does not exist yet; run member-accounts first`,
    );
    const run = await cli(['apply', '--yes', '--only', 'organization,org-trail', '--answers', fileWith()]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('run member-accounts first');
    expect(fake.writes).toEqual([]);
  });

  it('plans the key and buckets in log-archive once it exists', async () => {
    await accountsFirst();
    const { changes, failures } = await planAll(await engineRun(['organization', 'org-trail'], answersWith()));
    expect(failures).toEqual([]);
    expect(new Set(changes.filter((c) => /^(kms|s3):/.test(c.address)).map((c) => c.account.id))).toEqual(new Set([archiveId()]));
  });
});

// ---------------------------------------------------------------------------------------------------
// Faults at every write of a fresh apply of this layout (as test/e2e/fault-injection.test.ts does for
// the full example): N is measured by an uninterrupted run while the file is collected.

/** A failure the product must neither retry nor take for success. */
class InjectedFault extends Error {
  override name = 'InjectedFault';
  constructor() {
    super('injected fatal failure');
  }
}

const FAULT_FILE = fileWith();
const applyFresh = (deps: Parameters<typeof cli>[1] = {}) => cli(['apply', '--yes', '--answers', FAULT_FILE], deps);

/** What may exist only once, with the account that holds it: a write repeated by a re-run shows up here. */
function inventory(f: FakeAws) {
  const nameOf = (id: string) => (id === MANAGEMENT_ID ? 'management' : ([...f.orgAccounts.values()].find((a) => a.Id === id)?.Name ?? id));
  return {
    accounts: [...f.orgAccounts.values()].map((a) => `${a.Name} ${a.Email} in ${f.ous.get(a.parentId)?.Name ?? a.parentId}`).sort(),
    createAccountRequests: [...f.createRequests.values()].map((r) => `${r.AccountName} ${r.State}`).sort(),
    ous: [...f.ous.values()].map((o) => o.Name).sort(),
    buckets: [...f.buckets].map(([name, b]) => `${nameOf(b.account)} ${name}`).sort(),
    kmsKeys: [...f.kms.values()].map((k) => `${nameOf(ownerOfKey(k) ?? '')} ${k.region} ${k.KeyId}`).sort(),
    kmsAliases: [...f.kmsAliases].flatMap(([at, aliases]) => [...aliases].map(([alias, key]) => `${at} ${alias} -> ${key}`)).sort(),
    trails: [...f.trails.values()].map((t) => `${t.TrailARN} -> ${t.S3BucketName}`).sort(),
  };
}

/**
 * The whole state for comparing two runs, with one normalisation (the one fault-injection.test.ts
 * explains): an SSE-S3 rule without BucketKeyEnabled is the same as one with `false`.
 */
function comparable(f: FakeAws): unknown {
  const snapshot = f.snapshot();
  for (const bucket of (snapshot.buckets as Map<string, FakeBucket>).values()) {
    bucket.encryption = bucket.encryption.map((rule) => ({ ...rule, BucketKeyEnabled: rule.BucketKeyEnabled ?? false }));
  }
  return byAccountName(snapshot, f);
}

const asText = (c: RecordedCall) => `${c.account} ${c.service}:${c.operation} ${JSON.stringify(c.input)}`;

/** The uninterrupted run on a fresh fake: how it ended, its writes (with the step that sent each) and the state it left. */
async function cleanRun() {
  const f = new FakeAws().install();
  try {
    const steps: string[] = [];
    const run = await applyFresh({ onSend: (e) => void (!isReadOperation(e.service, e.operation) && steps.push(e.step)) });
    const archive = [...f.orgAccounts.values()].find((a) => a.Name === ARCHIVE)?.Id ?? '?';
    return {
      run,
      archive,
      writes: f.writes,
      steps,
      snapshot: comparable(f),
      inventory: inventory(f),
      named: byAccountName(inventory(f), f),
    };
  } finally {
    f.restore();
  }
}

const clean = await cleanRun();
const N = clean.writes.length;
const cases: [number, string][] = clean.writes.map((w, i) => [
  i + 1,
  `${clean.steps[i]} ${w.service}:${w.operation} in ${w.account === MANAGEMENT_ID ? 'management' : w.account === clean.archive ? ARCHIVE : w.account}`,
]);

/** The line of stderr that reports the injected failure (the last: the final report). */
const faultLine = (run: CliRun) => run.stderr.split('\n').findLast((l) => l.includes('InjectedFault'));

describe('a failed key write is reported in the account the key is made in', () => {
  // The key lives in log-archive (the change's account), whichever account's step sends the write:
  // the report must name the account a person has to look in, the same way on both paths.
  it('names log-archive when log-archive existed before the apply', async () => {
    await accountsFirst();
    fake.failNext('CreateKey', new InjectedFault());
    const run = await applyFresh();
    expect(run.code, run.stderr).toBe(1);
    expect(faultLine(run)).toContain(`org-trail (apply) in account ${archiveId()} (${ARCHIVE}): kms:CreateKey failed`);
  });

  // Fails today: a change planned in detail from the deferred change is reported in the account whose
  // step plans it (management), because the engine's applyDeferred wraps the failure with that account
  // instead of the change's own.
  it('names log-archive when the same apply makes log-archive (the deferred change)', async () => {
    fake.failNext('CreateKey', new InjectedFault());
    const run = await applyFresh();
    expect(run.code, run.stderr).toBe(1);
    expect(faultLine(run)).toContain(`org-trail (apply) in account ${archiveId()} (${ARCHIVE}): kms:CreateKey failed`);
  });
});

describe('faults at every write of a fresh apply of this layout', () => {
  it(`measures N = ${N}: the uninterrupted run exits 0 with one of each account, one key and two buckets in log-archive, one trail in management`, () => {
    expect(clean.run.code, clean.run.stderr).toBe(0);
    expect(clean.steps).toHaveLength(N);
    const { trail, logs } = bucketsOf(clean.archive);
    expect(clean.inventory).toMatchObject({
      accounts: [
        `${ARCHIVE} aws+log-archive@acme.example in Security`,
        `${TOOLING} aws+security-tooling@acme.example in Security`,
        'Management founder@example.com in r-ab12',
      ].sort(),
      createAccountRequests: [`${ARCHIVE} SUCCEEDED`, `${TOOLING} SUCCEEDED`],
      ous: ['Security'],
      buckets: [`${ARCHIVE} ${logs}`, `${ARCHIVE} ${trail}`],
      kmsKeys: [expect.stringMatching(new RegExp(`^${ARCHIVE} us-east-1 `))],
      trails: [`${TRAIL_ARN} -> ${trail}`],
    });
    // The cases below cover writes in both accounts, by all three steps.
    expect(new Set(clean.writes.map((w) => w.account))).toEqual(new Set([MANAGEMENT_ID, clean.archive]));
    expect(new Set(clean.steps)).toEqual(new Set(ALL));
  });

  it.each(cases)(
    'a lost answer at write %i (%s) ends the same run with exit 0, nothing made twice, the state of an undisturbed run',
    async (k) => {
      fake.failWrite = { number: k, error: lostConnection(), afterHandler: true };
      const run = await applyFresh();
      expect(run.code, run.stderr).toBe(0);
      expect(byAccountName(inventory(fake), fake)).toEqual(clean.named);
      expect(comparable(fake)).toEqual(clean.snapshot);
      // A write that is not safe to repeat is read back instead of being sent again.
      const w = clean.writes[k - 1] as RecordedCall;
      const same = fake.writes.filter((c) => asText(c) === asText(w));
      if (writeKindOf(w.service, w.operation).kind === 'ambiguous') expect(same, `${w.operation} was sent again`).toHaveLength(1);
    },
  );

  it.each(cases)('a fatal failure of write %i (%s) stops the run naming it, and a re-run converges to the same state', async (k) => {
    fake.failWrite = { number: k, error: new InjectedFault() };
    const failed: CliRun = await applyFresh();
    expect(failed.code, failed.stderr).toBe(1);
    const line = faultLine(failed);
    expect(line, failed.stderr).toContain(`${clean.steps[k - 1]} (apply)`);
    expect(line).toContain('InjectedFault: injected fatal failure');
    // Up to the failure it did what the uninterrupted run did; after it, nothing new was started: only the
    // accounts being created side by side with the failed write went on (member-accounts' creations).
    const sent = fake.writes.map(asText);
    expect(sent.slice(0, k)).toEqual(clean.writes.slice(0, k).map(asText));
    const alongside =
      clean.steps[k - 1] === 'member-accounts' ? clean.writes.filter((_, i) => i >= k && clean.steps[i] === 'member-accounts') : [];
    expectAmong(fake.writes.slice(k), alongside);

    fake.failWrite = null;
    const rerun = await applyFresh();
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(byAccountName(inventory(fake), fake)).toEqual(clean.named);
    expect(comparable(fake)).toEqual(clean.snapshot);
  });
});
