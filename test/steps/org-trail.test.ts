import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planAll, verifyAll } from '../../src/engine/runner.js';
import { FakeAws, MANAGEMENT_ID, newBucket } from '../helpers/fake-aws.js';
import { engineRun, expectConvergence, applyOrThrow } from '../helpers/converge.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const TRAIL = 'acme-org-trail';
/** Without a log-archive account the logs stay in the management account, which verify leaves to a person. */
const IN_MANAGEMENT = { manual: ['org-trail.logs-outside-management'] };
const answers = { version: 1, steps: { organization: {}, 'org-trail': { name: TRAIL } } };
const FILE = `version: 1\nsteps:\n  organization: {}\n  org-trail: { name: ${TRAIL} }\n`;
const bucketsIn = (region: string) => ({
  trail: `aws-groundwork-trail-${MANAGEMENT_ID}-${region}`,
  logs: `aws-groundwork-access-logs-${MANAGEMENT_ID}-${region}`,
});

describe('org-trail convergence', () => {
  for (const region of ['us-east-1', 'eu-west-1']) {
    it(`converges in ${region}: key, access-log bucket, trail bucket, then the trail, and verify passes`, async () => {
      const opts = await engineRun(['organization', 'org-trail'], answers, { region });
      await expectConvergence(opts, IN_MANAGEMENT);
      const { trail, logs } = bucketsIn(region);
      expect([...fake.buckets.keys()].sort()).toEqual([logs, trail]);
      expect(fake.buckets.get(trail)?.region).toBe(region);
      for (const call of fake.createBucketCalls) {
        const constraint = (call.input.CreateBucketConfiguration as { LocationConstraint?: string } | undefined)?.LocationConstraint;
        expect(constraint).toBe(region === 'us-east-1' ? undefined : region);
      }
      const t = fake.trails.get(TRAIL);
      expect(t).toMatchObject({
        HomeRegion: region,
        IsOrganizationTrail: true,
        IsMultiRegionTrail: true,
        LogFileValidationEnabled: true,
        logging: true,
        S3BucketName: trail,
      });
      const key = [...fake.kms.values()];
      expect(key).toHaveLength(1);
      expect(t?.KmsKeyId).toBe(key[0]?.Arn);
      expect(key[0]?.rotation).toBe(true);
      expect(fake.buckets.get(trail)?.logging).toEqual({ TargetBucket: logs, TargetPrefix: `${trail}/` });
      // The bucket policy names the real organization id, not the plan's placeholder.
      expect(fake.buckets.get(trail)?.policy).toContain(`AWSLogs/${fake.organization?.Id}/*`);
      expect(fake.buckets.get(trail)?.policy).not.toContain('known after apply');
    });
  }

  it('marks where a fresh plan holds the key ARN and the organization id, which apply fills in', async () => {
    const opts = await engineRun(['organization', 'org-trail'], answers);
    const { changes } = await planAll(opts);
    const { trail } = bucketsIn('us-east-1');
    const marked = changes.filter((c) => c.unknown).map((c) => ({ address: c.address, unknown: c.unknown }));
    expect(marked).toEqual([
      { address: `s3:bucket/${trail}/encryption`, unknown: [{ path: ['KMSMasterKeyID'], value: 'trail key ARN' }] },
      { address: `s3:bucket/${trail}/policy`, unknown: [{ path: ['Statement', 2, 'Resource'], value: 'organization id' }] },
      { address: `cloudtrail:trail/${TRAIL}`, unknown: [{ path: ['KmsKeyId'], value: 'trail key ARN' }] },
    ]);
    // Each mark points at the string that holds the value's placeholder.
    for (const c of changes) {
      for (const u of c.unknown ?? []) {
        const held = u.path.reduce<unknown>((at, key) => (at as Record<string | number, unknown>)[key], c.after);
        expect(held).toContain(`(${u.value}, known after apply)`);
      }
    }
  });

  it('orders the writes: the key, then the access-log bucket, then the trail bucket, then the trail', async () => {
    const opts = await engineRun(['organization', 'org-trail'], answers);
    await expectConvergence(opts, IN_MANAGEMENT);
    const { trail, logs } = bucketsIn('us-east-1');
    const writes = fake.writes.filter((w) => ['kms', 's3', 'cloudtrail'].includes(w.service));
    const at = (pred: (w: (typeof writes)[number]) => boolean) => writes.findIndex(pred);
    const lastAt = (pred: (w: (typeof writes)[number]) => boolean) => writes.length - 1 - [...writes].reverse().findIndex(pred);
    const onBucket = (name: string) => (w: (typeof writes)[number]) => w.service === 's3' && w.input.Bucket === name;
    expect(lastAt((w) => w.service === 'kms')).toBeLessThan(at(onBucket(logs)));
    expect(lastAt(onBucket(logs))).toBeLessThan(at(onBucket(trail)));
    expect(lastAt(onBucket(trail))).toBeLessThan(at((w) => w.operation === 'CreateTrail'));
    expect(writes.at(-1)?.operation).toBe('StartLogging');
  });

  it('verifies every CIS control it maps, and the bucket, key and delivery checks', async () => {
    const opts = await engineRun(['organization', 'org-trail'], answers);
    await expectConvergence(opts, IN_MANAGEMENT);
    const controls = (await verifyAll(opts)).filter((f) => f.step === 'org-trail').map((f) => `${f.check}:${f.status}`);
    expect(controls.sort()).toEqual(
      [
        'org-trail.access-log-bucket',
        'org-trail.bucket-access-logging',
        'org-trail.buckets-deny-http',
        'org-trail.delivery',
        'org-trail.key-policy',
        'org-trail.key-rotation',
        'org-trail.kms-encryption',
        'org-trail.log-file-validation',
        'org-trail.multi-region-logging',
        'org-trail.trail-bucket-protected',
        'org-trail.trail-bucket-settings',
      ]
        .map((c) => `${c}:pass`)
        .concat('org-trail.logs-outside-management:manual')
        .sort(),
    );
  });
});

describe('org-trail drift', () => {
  const DRIFT: [string, () => void, string, RegExp][] = [
    ['logging stopped', () => (fake.trails.get(TRAIL)!.logging = false), 'org-trail.multi-region-logging', /the trail is not logging/],
    [
      'log file validation turned off',
      () => (fake.trails.get(TRAIL)!.LogFileValidationEnabled = false),
      'org-trail.log-file-validation',
      /log file validation is off/,
    ],
    [
      'the bucket policy replaced',
      () => (fake.buckets.get(bucketsIn('us-east-1').trail)!.policy = '{"Version":"2012-10-17","Statement":[]}'),
      'org-trail.trail-bucket-protected',
      /the bucket policy differs/,
    ],
    ['key rotation turned off', () => ([...fake.kms.values()][0]!.rotation = false), 'org-trail.key-rotation', /key rotation is off/],
    [
      'bucket access logging removed',
      () => (fake.buckets.get(bucketsIn('us-east-1').trail)!.logging = null),
      'org-trail.bucket-access-logging',
      /access logging into .* is off/,
    ],
    [
      'a delivery error',
      () => (fake.trails.get(TRAIL)!.latestDeliveryError = 'AccessDenied'),
      'org-trail.delivery',
      /delivery error: AccessDenied/,
    ],
  ];

  it.each(DRIFT)('%s: verify exits 3 naming %s, and apply restores it', async (_name, mutate, check, reason) => {
    const file = answersFile(FILE);
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    mutate();
    const verify = await cli(['verify', '--output', 'json', '--answers', file]);
    expect(verify.code).toBe(3);
    const failing = JSON.parse(verify.stdout).findings.filter((f: { status: string }) => f.status !== 'pass');
    expect(failing).toContainEqual(expect.objectContaining({ check, status: 'fail', reason: expect.stringMatching(reason) }));
    if (check === 'org-trail.delivery') return; // a delivery error is CloudTrail's to clear, not ours
    expect((await cli(['apply', '--yes', '--answers', file])).code).toBe(0);
    expect((await cli(['verify', '--answers', file])).code).toBe(0);
  });

  it('a replaced bucket policy also fails CIS 2.1.1 when it no longer denies plain HTTP', async () => {
    const opts = await engineRun(['organization', 'org-trail'], answers);
    await expectConvergence(opts, IN_MANAGEMENT);
    fake.buckets.get(bucketsIn('us-east-1').trail)!.policy = '{"Version":"2012-10-17","Statement":[]}';
    expect((await verifyAll(opts)).find((f) => f.check === 'org-trail.buckets-deny-http')).toMatchObject({
      status: 'fail',
      reason: expect.stringContaining('accepts requests without TLS'),
    });
  });
});

describe('org-trail adopts what exists under its names', () => {
  it('plans a trail with a different configuration as an update, and corrects it', async () => {
    const opts = await engineRun(['organization', 'org-trail'], answers);
    await expectConvergence(opts, IN_MANAGEMENT);
    Object.assign(fake.trails.get(TRAIL)!, { IsMultiRegionTrail: false, LogFileValidationEnabled: false });
    const { changes } = await planAll(opts);
    expect(changes).toEqual([expect.objectContaining({ address: `cloudtrail:trail/${TRAIL}`, action: 'update' })]);
    await applyOrThrow(opts, changes);
    expect(fake.trails.get(TRAIL)).toMatchObject({ IsMultiRegionTrail: true, LogFileValidationEnabled: true });
  });

  it('corrects existing buckets of ours instead of creating new ones', async () => {
    const { trail, logs } = bucketsIn('us-east-1');
    fake.buckets.set(logs, newBucket('us-east-1', { versioning: 'Suspended' }));
    fake.buckets.set(trail, newBucket('us-east-1', { publicAccessBlock: null }));
    const opts = await engineRun(['organization', 'org-trail'], answers);
    const first = await expectConvergence(opts, IN_MANAGEMENT);
    expect(first.changes.map((c) => c.address)).not.toContain(`s3:bucket/${trail}`);
    expect(first.changes).toContainEqual(
      expect.objectContaining({ address: `s3:bucket/${logs}/versioning`, action: 'update', before: 'Suspended', after: 'Enabled' }),
    );
    expect(fake.createBucketCalls).toEqual([]);
  });

  it('names a key left without its alias by an interrupted run, instead of creating a second key', async () => {
    const opts = await engineRun(['organization', 'org-trail'], answers);
    await expectConvergence(opts, IN_MANAGEMENT);
    fake.kmsAliases.get('us-east-1')?.clear();
    const { changes } = await planAll(opts);
    expect(changes[0]).toMatchObject({
      address: `kms:alias/aws-groundwork/${TRAIL}`,
      summary: expect.stringContaining('left by an interrupted run'),
    });
    await applyOrThrow(opts, changes);
    expect(fake.kms.size).toBe(1);
    expect((await planAll(opts)).changes).toEqual([]);
  });

  it('says which answer to change when a stranger owns the bucket name', async () => {
    fake.foreignBuckets.add(bucketsIn('us-east-1').trail);
    const run = await cli(['plan', '--answers', answersFile(FILE)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('belongs to another AWS account; choose another name with steps.org-trail.bucketName');
  });
});
