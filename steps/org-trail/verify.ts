import { GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { isDeepStrictEqual } from 'node:util';
import type { AwsClients } from '../../src/aws/clients.js';
import { check, checks, manual } from '../../src/kit/builders.js';
import type { PlannedFinding } from '../../src/kit/step.js';
import type { Json } from '../../src/model.js';
import { SETTINGS, bucketState, desiredBuckets, type BucketSettingId, type KnownValues, type ObjectLock } from './buckets.js';
import { keyAlias, keyPolicy, rotationEnabled, type TrailKey } from './key.js';
import { trailKeyPolicy, type TrailNames } from './policies.js';
import { currentTrail } from './trail.js';

const RESTORE = 'Run `aws-groundwork apply` to restore it.';

export const CHECKS = checks({
  multiRegion: {
    id: 'org-trail.multi-region-logging',
    title: 'CloudTrail is on in all regions: a multi-region organization trail is logging',
    remediation: RESTORE,
  },
  logFileValidation: { id: 'org-trail.log-file-validation', title: 'CloudTrail log file validation is enabled', remediation: RESTORE },
  bucketAccessLogging: {
    id: 'org-trail.bucket-access-logging',
    title: 'The trail bucket has server access logging on',
    remediation: RESTORE,
  },
  kmsEncryption: { id: 'org-trail.kms-encryption', title: 'The trail encrypts its logs with its own KMS key', remediation: RESTORE },
  keyRotation: { id: 'org-trail.key-rotation', title: 'The trail KMS key has automatic rotation on (this key only)', remediation: RESTORE },
  denyHttp: {
    id: 'org-trail.buckets-deny-http',
    title: 'The trail and access-log buckets deny requests without TLS (these buckets only)',
    remediation: RESTORE,
  },
  trailBucketProtected: {
    id: 'org-trail.trail-bucket-protected',
    title: 'The trail bucket is not public, has ACLs off and a policy that admits only this trail',
    remediation: RESTORE,
  },
  trailBucketSettings: {
    id: 'org-trail.trail-bucket-settings',
    title: 'The trail bucket is encrypted with the trail key, versioned and has its lifecycle (and Object Lock, when chosen)',
    remediation: RESTORE,
  },
  accessLogBucket: {
    id: 'org-trail.access-log-bucket',
    title: 'The access-log bucket is private, encrypted, versioned, TLS-only, with its policy and lifecycle',
    remediation: RESTORE,
  },
  keyPolicy: {
    id: 'org-trail.key-policy',
    title: 'The trail key policy lets CloudTrail encrypt only for this trail',
    remediation: RESTORE,
  },
  outsideManagement: {
    id: 'org-trail.logs-outside-management',
    title: "The trail delivers to a log-archive account, outside the management account's reach",
    remediation:
      'Add a log-archive account to steps.member-accounts.accounts (purpose: log-archive) and run `aws-groundwork apply`: the trail moves there, and the old bucket is kept as it is.',
  },
  delivery: {
    id: 'org-trail.delivery',
    title: 'CloudTrail reports no delivery error',
    remediation: 'Check the trail bucket policy and the key policy; `aws-groundwork apply` restores both.',
  },
});

/** The trail's own checks; `key` is the trail key behind its alias, null when there is none. */
export async function verifyTrail(aws: AwsClients, n: TrailNames, key: TrailKey | null): Promise<PlannedFinding[]> {
  const alias = keyAlias(n);
  const trail = await currentTrail(aws, n.trailName);
  const status = trail ? await aws.cloudtrail.send(new GetTrailStatusCommand({ Name: n.trailName })) : null;
  // Without a trail there is one problem, whatever else each check looks at.
  const ifTrail = (...found: (string | false)[]) =>
    trail ? found.filter((p): p is string => Boolean(p)) : [`the trail ${n.trailName} does not exist`];
  const resource = `cloudtrail:trail/${n.trailName}`;
  return [
    check(
      CHECKS.multiRegion,
      resource,
      ifTrail(
        !trail?.IsMultiRegionTrail && 'the trail covers one region only',
        !trail?.IsOrganizationTrail && 'the trail is not an organization trail',
        !status?.IsLogging && 'the trail is not logging',
      ),
      'a multi-region organization trail is logging',
    ),
    check(
      CHECKS.logFileValidation,
      resource,
      ifTrail(!trail?.LogFileValidationEnabled && 'log file validation is off'),
      'log file validation is on',
    ),
    check(
      CHECKS.kmsEncryption,
      resource,
      ifTrail((!key || trail?.KmsKeyId !== key.arn) && `the trail is not encrypted with ${alias}`),
      `logs are encrypted with ${alias}`,
    ),
    check(
      CHECKS.delivery,
      resource,
      ifTrail(Boolean(status?.LatestDeliveryError) && `CloudTrail reports a delivery error: ${status?.LatestDeliveryError}`),
      'CloudTrail reports no delivery error',
    ),
  ];
}

export async function verifyKey(aws: AwsClients, n: TrailNames, key: TrailKey | null): Promise<PlannedFinding[]> {
  const alias = keyAlias(n);
  const missing = `the key ${alias} does not exist`;
  const rotation = key ? !(await rotationEnabled(aws, key.keyId)) && 'key rotation is off' : missing;
  const policy = key
    ? !isDeepStrictEqual(await keyPolicy(aws, key.keyId), trailKeyPolicy(n)) && 'the key policy differs from the template'
    : missing;
  return [
    check(CHECKS.keyRotation, `kms:${alias}`, rotation, 'key rotation is on'),
    check(CHECKS.keyPolicy, `kms:${alias}`, policy, 'the key policy lets CloudTrail encrypt only for this trail'),
  ];
}

type Bucket = ReturnType<typeof desiredBuckets>[number];
type Settings = Partial<Record<BucketSettingId, Json>>;

/** Every setting the bucket must have, as it has it; null when the bucket does not exist. */
async function actual(aws: AwsClients, b: Bucket): Promise<Settings | null> {
  if ((await bucketState(aws, b.bucket, b.answer)) === 'absent') return null;
  const out: Settings = {};
  for (const id of Object.keys(b.settings) as BucketSettingId[]) out[id] = await SETTINGS[id].read(aws, b.bucket);
  return out;
}

/** What is wrong with the settings `ids` of the bucket, each said as `say` says it. */
function differs(b: Bucket, have: Settings | null, ids: BucketSettingId[], say: Record<string, string>): string[] {
  if (have === null) return [`the bucket ${b.bucket} does not exist`];
  return ids.filter((id) => !isDeepStrictEqual(have[id], b.settings[id])).map((id) => say[id] ?? `${id} differs`);
}

/** CIS 2.1.1 (v5.0.0): a Deny of every S3 action whenever aws:SecureTransport is false. */
function deniesInsecureTransport(policy: Json): boolean {
  const statements = ([] as unknown[]).concat((policy as { Statement?: unknown } | null)?.Statement ?? []) as Record<string, unknown>[];
  return statements.some((s) => {
    const bool = (s.Condition as { Bool?: Record<string, unknown> } | undefined)?.Bool?.['aws:SecureTransport'];
    const actions = ([] as unknown[]).concat(s.Action ?? []);
    return s.Effect === 'Deny' && (bool === 'false' || bool === false) && (actions.includes('s3:*') || actions.includes('*'));
  });
}

/**
 * Where the logs are: outside the management account when a log-archive account holds the bucket the
 * trail delivers to. Without a log-archive account that is a choice the answers made, so it is reported
 * for a person to weigh (`manual`), not failed.
 */
export async function verifyOutsideManagement(aws: AwsClients, n: TrailNames, archive: { name: string } | null): Promise<PlannedFinding> {
  const resource = `cloudtrail:trail/${n.trailName}`;
  if (!archive) {
    return manual(
      CHECKS.outsideManagement,
      resource,
      "the trail's bucket, key and logs are in the management account, whose administrators can delete them and which no service control policy restrains",
    );
  }
  const trail = await currentTrail(aws, n.trailName);
  const problem = !trail
    ? `the trail ${n.trailName} does not exist`
    : trail.S3BucketName !== n.trailBucket && `the trail delivers to ${trail.S3BucketName}, not to ${n.trailBucket} in ${archive.name}`;
  return check(
    CHECKS.outsideManagement,
    resource,
    problem,
    `the trail delivers to ${n.trailBucket} in ${archive.name} (${n.storageAccountId})`,
  );
}

export async function verifyBuckets(
  aws: AwsClients,
  n: TrailNames,
  retentionDays: number,
  known: KnownValues,
  lock?: ObjectLock,
): Promise<PlannedFinding[]> {
  const alias = keyAlias(n);
  const [logBucket, trailBucket] = desiredBuckets(n, retentionDays, known, lock) as [Bucket, Bucket];
  const trailHave = await actual(aws, trailBucket);
  const logHave = await actual(aws, logBucket);
  const tlsOnly = (have: Settings | null, bucket: string) =>
    have && deniesInsecureTransport(have.policy ?? null) ? [] : [`${bucket} accepts requests without TLS`];
  const trailResource = `s3:bucket/${n.trailBucket}`;
  const protectedProblems = differs(trailBucket, trailHave, ['public-access-block', 'ownership-controls', 'policy'], {
    'public-access-block': 'Block Public Access is not fully on',
    'ownership-controls': 'ACLs are not disabled (ownership is not BucketOwnerEnforced)',
    policy: 'the bucket policy differs from the CloudTrail policy',
  });
  const settingsProblems = differs(
    trailBucket,
    trailHave,
    ['encryption', 'versioning', 'lifecycle', ...(lock ? ['object-lock' as const] : [])],
    {
      encryption: `the bucket is not encrypted with ${alias} (SSE-KMS)`,
      versioning: 'versioning is off',
      lifecycle: 'the lifecycle differs',
      'object-lock': `Object Lock is not ${lock?.Mode} for ${lock?.Days} days`,
    },
  );
  const loggingProblems = differs(trailBucket, trailHave, ['logging'], { logging: `access logging into ${n.logBucket} is off` });
  return [
    check(
      CHECKS.trailBucketProtected,
      trailResource,
      protectedProblems,
      'the trail bucket is not public, ACLs are off and its policy admits only this trail',
    ),
    check(
      CHECKS.trailBucketSettings,
      trailResource,
      settingsProblems,
      `the trail bucket is encrypted with ${alias}, versioned, with its lifecycle`,
    ),
    check(CHECKS.bucketAccessLogging, trailResource, loggingProblems, `access logging goes to ${n.logBucket}`),
    check(
      CHECKS.denyHttp,
      trailResource,
      [...tlsOnly(trailHave, n.trailBucket), ...tlsOnly(logHave, n.logBucket)],
      'both buckets deny requests without TLS',
    ),
    check(
      CHECKS.accessLogBucket,
      `s3:bucket/${n.logBucket}`,
      differs(logBucket, logHave, Object.keys(logBucket.settings) as BucketSettingId[], {}),
      'the access-log bucket is private, encrypted, versioned, TLS-only, with its policy and lifecycle',
    ),
  ];
}
