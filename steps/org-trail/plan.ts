import { GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { isDeepStrictEqual } from 'node:util';
import type { AwsClients } from '../../src/aws/clients.js';
import { change } from '../../src/kit/builders.js';
import type { PlannedChange } from '../../src/kit/step.js';
import type { ChangeAction, Json, Unknown } from '../../src/model.js';
import { SETTINGS, bucketState, desiredBuckets, type BucketSettingId, type KnownValues, type ObjectLock } from './buckets.js';
import { findTrailKey, keyAlias, keyPolicy, rotationEnabled } from './key.js';
import { KEY_ARN, orPlaceholder, unknownAt } from './known-after-apply.js';
import { trailKeyPolicy, type TrailNames } from './policies.js';
import { currentTrail, desiredTrail, trailConfig } from './trail.js';

/** What apply does for each change; the key's handlers reach the key through its alias. */
export type Operations = {
  /** Makes the key, or names the one an interrupted run left; learns the key ARN. */
  'create-key': { alias: string; trailName: string; policy: string };
  'key-policy': { alias: string };
  'key-rotation': { alias: string };
  'create-bucket': { bucket: string; answer: string };
  /** Writes the setting whole, as the change's `after`. */
  'bucket-setting': { bucket: string; setting: BucketSettingId };
  /** CreateTrail or UpdateTrail, to the change's `after`. */
  trail: { mode: 'create' | 'update' };
  'start-logging': { name: string };
};

type Planned = PlannedChange<Operations>;

/** Every change of this step is a security change. */
function fields(address: string, action: ChangeAction, before: Json, after: Json, summary: string, unknown: Unknown[] = []) {
  return { address, action, before, after, risk: 'security' as const, summary, ...(unknown.length ? { unknown } : {}) };
}

/** The key, its policy and its rotation; answers the key ARN, null when the key is still to be made. */
export async function planKey(aws: AwsClients, n: TrailNames): Promise<{ changes: Planned[]; keyArn: string | null }> {
  const changes: Planned[] = [];
  const alias = keyAlias(n);
  const key = await findTrailKey(aws, alias, n.trailName);
  const wantedKeyPolicy = trailKeyPolicy(n) as Json;
  if (!key || key.orphan) {
    const after = { AliasName: alias, ...(key ? { TargetKeyId: key.keyId } : { KeyPolicy: wantedKeyPolicy }) };
    const summary = key ? `name the trail key ${key.keyId}, left by an interrupted run, ${alias}` : `create the trail's KMS key ${alias}`;
    const input = { alias, trailName: n.trailName, policy: JSON.stringify(wantedKeyPolicy) };
    changes.push(change('create-key', input, fields(`kms:${alias}`, 'create', null, after, summary)));
  }
  if (key) {
    const policy = (await keyPolicy(aws, key.keyId)) as Json;
    if (!isDeepStrictEqual(policy, wantedKeyPolicy)) {
      changes.push(
        change(
          'key-policy',
          { alias },
          fields(`kms:${alias}/key-policy`, 'update', policy, wantedKeyPolicy, `restore the key policy of ${alias}`),
        ),
      );
    }
  }
  if (!key || !(await rotationEnabled(aws, key.keyId))) {
    const summary = `turn on yearly rotation of ${alias} (CIS 3.6)`;
    changes.push(
      change('key-rotation', { alias }, fields(`kms:${alias}/rotation`, key ? 'update' : 'create', key ? false : null, true, summary)),
    );
  }
  return { changes, keyArn: key?.arn ?? null };
}

/** The access-log bucket, then the trail bucket (which logs into it). */
export async function planBuckets(
  aws: AwsClients,
  n: TrailNames,
  region: string,
  retentionDays: number,
  known: KnownValues,
  lock?: ObjectLock,
): Promise<Planned[]> {
  const changes: Planned[] = [];
  for (const b of desiredBuckets(n, retentionDays, known, lock)) {
    const state = await bucketState(aws, b.bucket, b.answer);
    if (state === 'absent') {
      const after = { Bucket: b.bucket, Region: region, ObjectOwnership: 'BucketOwnerEnforced' };
      const summary = `create the ${b.role} ${b.bucket} in ${region}`;
      changes.push(
        change('create-bucket', { bucket: b.bucket, answer: b.answer }, fields(`s3:bucket/${b.bucket}`, 'create', null, after, summary)),
      );
    }
    for (const [id, want] of Object.entries(b.settings) as [BucketSettingId, Json][]) {
      // A new bucket is created with ACLs disabled; the other settings are written explicitly.
      if (state === 'absent' && id === 'ownership-controls') continue;
      const have = state === 'absent' ? null : await SETTINGS[id].read(aws, b.bucket);
      if (!isDeepStrictEqual(have, want)) {
        const planned = fields(
          `s3:bucket/${b.bucket}/${id}`,
          have === null ? 'create' : 'update',
          have,
          want,
          `set ${id} on the ${b.role}`,
          b.unknown[id],
        );
        // COMPLIANCE retention cannot be shortened or removed by anyone, root included, until it expires.
        const irreversible = id === 'object-lock' && lock?.Mode === 'COMPLIANCE';
        const risk = irreversible ? ('destructive' as const) : planned.risk;
        const summary = irreversible
          ? `${planned.summary}: COMPLIANCE, no one can delete a log file for ${lock.Days} days`
          : planned.summary;
        changes.push(change('bucket-setting', { bucket: b.bucket, setting: id }, { ...planned, risk, summary }));
      }
    }
  }
  return changes;
}

/**
 * The trail, then logging. A trail that delivers somewhere else today is moved, which is destructive:
 * new logs go to the new bucket, the old bucket keeps what it has and is never touched again.
 */
export async function planTrail(
  aws: AwsClients,
  n: TrailNames,
  region: string,
  keyArn: string | null,
  where: string,
  note: (text: string) => void,
): Promise<Planned[]> {
  const changes: Planned[] = [];
  const trail = await currentTrail(aws, n.trailName);
  if (trail?.HomeRegion && trail.HomeRegion !== region) {
    throw new Error(
      `the trail ${n.trailName} lives in ${trail.HomeRegion}, not in the home region ${region}; run with --region ${trail.HomeRegion} or choose another steps.org-trail.name`,
    );
  }
  const address = `cloudtrail:trail/${n.trailName}`;
  const wanted = desiredTrail(n, orPlaceholder(keyArn, KEY_ARN));
  const unknown = unknownAt(keyArn, KEY_ARN, ['KmsKeyId']);
  if (!trail) {
    const summary = `create the organization trail ${n.trailName} (all regions, log file validation, KMS)`;
    changes.push(change('trail', { mode: 'create' as const }, fields(address, 'create', null, wanted, summary, unknown)));
  } else if (!isDeepStrictEqual(trailConfig(trail), wanted)) {
    const from = trail.S3BucketName;
    const moves = Boolean(from) && from !== n.trailBucket;
    const summary = moves
      ? `move the trail ${n.trailName}'s logs from the bucket ${from} to ${n.trailBucket} in ${where}; ${from} and the logs in it are kept as they are`
      : `update the trail ${n.trailName}`;
    const planned = fields(address, 'update', trailConfig(trail), wanted, summary, unknown);
    changes.push(change('trail', { mode: 'update' as const }, { ...planned, risk: moves ? 'destructive' : planned.risk }));
    if (moves) note(`the logs delivered until now stay in ${from}, where they are; this tool never deletes a bucket, an object or a key.`);
  }
  const logging = trail ? Boolean((await aws.cloudtrail.send(new GetTrailStatusCommand({ Name: n.trailName }))).IsLogging) : false;
  if (!logging) {
    const planned = fields(
      `${address}/logging`,
      trail ? 'update' : 'create',
      trail ? false : null,
      true,
      `start logging on ${n.trailName}`,
    );
    changes.push(change('start-logging', { name: n.trailName }, planned));
  }
  return changes;
}
