import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  type LifecycleRule,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import type { AwsClients } from '../../src/aws/clients.js';
import { isAwsError } from '../../src/errors.js';
import { absentOn, doneOn, type Json, type Unknown } from '../../src/model.js';
import { KEY_ARN, ORG_ID, orPlaceholder, unknownAt } from './known-after-apply.js';
import { logBucketPolicy, orgIdPath, trailBucketPolicy, type TrailNames } from './policies.js';

export type BucketSettingId =
  'public-access-block' | 'ownership-controls' | 'encryption' | 'versioning' | 'policy' | 'lifecycle' | 'logging' | 'object-lock';

/** Object Lock's default retention for new log files: write-once for `Days` (GOVERNANCE, or COMPLIANCE: nobody, root included). */
export interface ObjectLock {
  Mode: 'GOVERNANCE' | 'COMPLIANCE';
  Days: number;
}

/** One configuration of a bucket: how to read it as plain JSON (null: not set) and how to write it whole. */
interface BucketSetting {
  read(aws: AwsClients, bucket: string): Promise<Json>;
  write(aws: AwsClients, bucket: string, value: Json): Promise<void>;
}

export const SETTINGS: Record<BucketSettingId, BucketSetting> = {
  'public-access-block': {
    read: (aws, Bucket) =>
      absentOn('NoSuchPublicAccessBlockConfiguration')(async () => {
        const c = (await aws.s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration ?? {};
        return {
          BlockPublicAcls: Boolean(c.BlockPublicAcls),
          IgnorePublicAcls: Boolean(c.IgnorePublicAcls),
          BlockPublicPolicy: Boolean(c.BlockPublicPolicy),
          RestrictPublicBuckets: Boolean(c.RestrictPublicBuckets),
        };
      }),
    write: async (aws, Bucket, value) => {
      await aws.s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: value as Record<string, boolean> }));
    },
  },
  'ownership-controls': {
    read: (aws, Bucket) =>
      absentOn('OwnershipControlsNotFoundError')(async () => {
        const r = await aws.s3.send(new GetBucketOwnershipControlsCommand({ Bucket }));
        return r.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? null;
      }),
    write: async (aws, Bucket, value) => {
      await aws.s3.send(
        new PutBucketOwnershipControlsCommand({
          Bucket,
          OwnershipControls: { Rules: [{ ObjectOwnership: value as 'BucketOwnerEnforced' }] },
        }),
      );
    },
  },
  encryption: {
    read: (aws, Bucket) =>
      absentOn('ServerSideEncryptionConfigurationNotFoundError')(async () => {
        const rule = (await aws.s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules?.[0];
        const d = rule?.ApplyServerSideEncryptionByDefault;
        if (!d) return null;
        return {
          SSEAlgorithm: d.SSEAlgorithm ?? null,
          ...(d.KMSMasterKeyID ? { KMSMasterKeyID: d.KMSMasterKeyID } : {}),
          BucketKeyEnabled: Boolean(rule.BucketKeyEnabled),
        };
      }),
    write: async (aws, Bucket, value) => {
      const v = value as { SSEAlgorithm: 'AES256' | 'aws:kms'; KMSMasterKeyID?: string; BucketKeyEnabled: boolean };
      const rule: ServerSideEncryptionRule = {
        ApplyServerSideEncryptionByDefault: {
          SSEAlgorithm: v.SSEAlgorithm,
          ...(v.KMSMasterKeyID ? { KMSMasterKeyID: v.KMSMasterKeyID } : {}),
        },
        BucketKeyEnabled: v.BucketKeyEnabled,
      };
      await aws.s3.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [rule] } }));
    },
  },
  versioning: {
    read: async (aws, Bucket) => (await aws.s3.send(new GetBucketVersioningCommand({ Bucket }))).Status ?? null,
    write: async (aws, Bucket, value) => {
      await aws.s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: value as 'Enabled' } }));
    },
  },
  policy: {
    read: (aws, Bucket) =>
      absentOn('NoSuchBucketPolicy')(
        async () => JSON.parse((await aws.s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy ?? 'null') as Json,
      ),
    write: async (aws, Bucket, value) => {
      await aws.s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(value) }));
    },
  },
  lifecycle: {
    read: (aws, Bucket) =>
      absentOn('NoSuchLifecycleConfiguration')(async () => {
        const rules = (await aws.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules ?? [];
        return rules.map((r) => ({
          ID: r.ID ?? '',
          Status: r.Status ?? '',
          Prefix: r.Filter?.Prefix ?? r.Prefix ?? '',
          ExpirationDays: r.Expiration?.Days ?? null,
          NoncurrentDays: r.NoncurrentVersionExpiration?.NoncurrentDays ?? null,
          AbortMultipartDays: r.AbortIncompleteMultipartUpload?.DaysAfterInitiation ?? null,
        }));
      }),
    // PutBucketLifecycleConfiguration replaces the whole configuration: the value is every rule.
    write: async (aws, Bucket, value) => {
      const rules = (
        value as {
          ID: string;
          Status: string;
          Prefix: string;
          ExpirationDays: number | null;
          NoncurrentDays: number | null;
          AbortMultipartDays: number | null;
        }[]
      ).map((r): LifecycleRule => ({
        ID: r.ID,
        Status: r.Status as 'Enabled',
        Filter: { Prefix: r.Prefix },
        ...(r.ExpirationDays ? { Expiration: { Days: r.ExpirationDays } } : {}),
        ...(r.NoncurrentDays ? { NoncurrentVersionExpiration: { NoncurrentDays: r.NoncurrentDays } } : {}),
        ...(r.AbortMultipartDays ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: r.AbortMultipartDays } } : {}),
      }));
      await aws.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: rules } }));
    },
  },
  logging: {
    read: async (aws, Bucket) => {
      const l = (await aws.s3.send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled;
      return l ? { TargetBucket: l.TargetBucket ?? '', TargetPrefix: l.TargetPrefix ?? '' } : null;
    },
    write: async (aws, Bucket, value) => {
      const v = value as { TargetBucket: string; TargetPrefix: string };
      await aws.s3.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled: v } }));
    },
  },
  'object-lock': {
    read: (aws, Bucket) =>
      absentOn('ObjectLockConfigurationNotFoundError')(async () => {
        const c = (await aws.s3.send(new GetObjectLockConfigurationCommand({ Bucket }))).ObjectLockConfiguration;
        const retention = c?.Rule?.DefaultRetention;
        if (c?.ObjectLockEnabled !== 'Enabled') return null;
        return retention?.Mode ? { Mode: retention.Mode, Days: retention.Days ?? null } : { Mode: null, Days: null };
      }),
    // Needs versioning, which is written before it; it can be turned on for an existing bucket, never off.
    write: async (aws, Bucket, value) => {
      const { Mode, Days } = value as unknown as ObjectLock;
      await aws.s3.send(
        new PutObjectLockConfigurationCommand({
          Bucket,
          ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode, Days } } },
        }),
      );
    },
  },
};

export type BucketState = 'ours' | 'absent';

/** Ours, absent, or an error naming the answer to change when a stranger owns the name. */
export async function bucketState(aws: AwsClients, bucket: string, answerPath: string): Promise<BucketState> {
  try {
    return (await absentOn('NotFound', 'NoSuchBucket')(() => aws.s3.send(new HeadBucketCommand({ Bucket: bucket })))) ? 'ours' : 'absent';
  } catch (err) {
    if (isAwsError(err, 'Forbidden') || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
      throw new Error(`the bucket name ${bucket} belongs to another AWS account; choose another name with ${answerPath}`);
    }
    throw err;
  }
}

/**
 * Creates a bucket in the home region with ACLs disabled. us-east-1 takes no LocationConstraint (it
 * rejects one); every other region needs its own name there.
 */
export async function createBucket(aws: AwsClients, bucket: string, region: string, answerPath: string): Promise<void> {
  const create = new CreateBucketCommand({
    Bucket: bucket,
    ObjectOwnership: 'BucketOwnerEnforced',
    ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
  });
  try {
    await doneOn('BucketAlreadyOwnedByYou')(() => aws.s3.send(create));
  } catch (err) {
    if (isAwsError(err, 'BucketAlreadyExists')) {
      throw new Error(`the bucket name ${bucket} is taken by another AWS account; choose another name with ${answerPath}`);
    }
    throw err;
  }
}

const ALL_BLOCKED = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

function lifecycle(days: number): Json {
  return [
    { ID: 'aws-groundwork-retention', Status: 'Enabled', Prefix: '', ExpirationDays: days, NoncurrentDays: 30, AbortMultipartDays: 7 },
  ];
}

/** The trail key's ARN and the organization id, null while a change of this apply has still to make them. */
export interface KnownValues {
  keyArn: string | null;
  orgId: string | null;
}

/**
 * Every setting each bucket must have, in the order they are written, and where a setting holds a
 * value not known yet (its placeholder stands there until apply fills it in).
 */
export function desiredBuckets(n: TrailNames, retentionDays: number, { keyArn, orgId }: KnownValues, lock?: ObjectLock) {
  const common = { 'public-access-block': ALL_BLOCKED, 'ownership-controls': 'BucketOwnerEnforced', versioning: 'Enabled' };
  const trailPolicy = trailBucketPolicy(n, orPlaceholder(orgId, ORG_ID));
  return [
    {
      role: 'access-log bucket',
      bucket: n.logBucket,
      answer: 'steps.org-trail.logBucketName',
      settings: {
        ...common,
        encryption: { SSEAlgorithm: 'AES256', BucketKeyEnabled: false },
        policy: logBucketPolicy(n) as Json,
        lifecycle: lifecycle(retentionDays),
      } as Partial<Record<BucketSettingId, Json>>,
      unknown: {} as Partial<Record<BucketSettingId, Unknown[]>>,
    },
    {
      role: 'trail bucket',
      bucket: n.trailBucket,
      answer: 'steps.org-trail.bucketName',
      settings: {
        ...common,
        encryption: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: orPlaceholder(keyArn, KEY_ARN), BucketKeyEnabled: true },
        policy: trailPolicy as Json,
        lifecycle: lifecycle(retentionDays),
        logging: { TargetBucket: n.logBucket, TargetPrefix: `${n.trailBucket}/` },
        // Only when chosen: Object Lock cannot be turned off again, so a bucket that has it is left as it is.
        ...(lock ? { 'object-lock': { Mode: lock.Mode, Days: lock.Days } } : {}),
      } as Partial<Record<BucketSettingId, Json>>,
      unknown: {
        encryption: unknownAt(keyArn, KEY_ARN, ['KMSMasterKeyID']),
        policy: unknownAt(orgId, ORG_ID, orgIdPath(trailPolicy)),
      } as Partial<Record<BucketSettingId, Unknown[]>>,
    },
  ];
}
