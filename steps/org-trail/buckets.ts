import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type LifecycleRule,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import type { AwsClients } from '../../src/aws/clients.js';
import { isAwsError } from '../../src/engine/errors.js';
import type { Json } from '../../src/engine/types.js';

export type BucketSettingId =
  | 'public-access-block'
  | 'ownership-controls'
  | 'encryption'
  | 'versioning'
  | 'policy'
  | 'lifecycle'
  | 'logging';

/** One configuration of a bucket: how to read it as plain JSON (null: not set) and how to write it whole. */
interface BucketSetting {
  read(aws: AwsClients, bucket: string): Promise<Json>;
  write(aws: AwsClients, bucket: string, value: Json): Promise<void>;
}

/** Reads that answer "not configured" with an error; that error means null, anything else is real. */
async function unlessMissing(codes: string[], read: () => Promise<Json>): Promise<Json> {
  try {
    return await read();
  } catch (err) {
    if (codes.some((c) => isAwsError(err, c))) return null;
    throw err;
  }
}

export const SETTINGS: Record<BucketSettingId, BucketSetting> = {
  'public-access-block': {
    read: (aws, Bucket) =>
      unlessMissing(['NoSuchPublicAccessBlockConfiguration'], async () => {
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
      unlessMissing(['OwnershipControlsNotFoundError'], async () => {
        const r = await aws.s3.send(new GetBucketOwnershipControlsCommand({ Bucket }));
        return r.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? null;
      }),
    write: async (aws, Bucket, value) => {
      await aws.s3.send(
        new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: value as 'BucketOwnerEnforced' }] } }),
      );
    },
  },
  encryption: {
    read: (aws, Bucket) =>
      unlessMissing(['ServerSideEncryptionConfigurationNotFoundError'], async () => {
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
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: v.SSEAlgorithm, ...(v.KMSMasterKeyID ? { KMSMasterKeyID: v.KMSMasterKeyID } : {}) },
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
      unlessMissing(['NoSuchBucketPolicy'], async () => JSON.parse((await aws.s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy ?? 'null') as Json),
    write: async (aws, Bucket, value) => {
      await aws.s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(value) }));
    },
  },
  lifecycle: {
    read: (aws, Bucket) =>
      unlessMissing(['NoSuchLifecycleConfiguration'], async () => {
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
      const rules = (value as { ID: string; Status: string; Prefix: string; ExpirationDays: number | null; NoncurrentDays: number | null; AbortMultipartDays: number | null }[]).map(
        (r): LifecycleRule => ({
          ID: r.ID,
          Status: r.Status as 'Enabled',
          Filter: { Prefix: r.Prefix },
          ...(r.ExpirationDays ? { Expiration: { Days: r.ExpirationDays } } : {}),
          ...(r.NoncurrentDays ? { NoncurrentVersionExpiration: { NoncurrentDays: r.NoncurrentDays } } : {}),
          ...(r.AbortMultipartDays ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: r.AbortMultipartDays } } : {}),
        }),
      );
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
};

export type BucketState = 'ours' | 'absent';

/** Ours, absent, or an error naming the answer to change when a stranger owns the name. */
export async function bucketState(aws: AwsClients, bucket: string, answerPath: string): Promise<BucketState> {
  try {
    await aws.s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return 'ours';
  } catch (err) {
    if (isAwsError(err, 'NotFound') || isAwsError(err, 'NoSuchBucket')) return 'absent';
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
  try {
    await aws.s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ObjectOwnership: 'BucketOwnerEnforced',
        ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
      }),
    );
  } catch (err) {
    if (isAwsError(err, 'BucketAlreadyOwnedByYou')) return;
    if (isAwsError(err, 'BucketAlreadyExists')) {
      throw new Error(`the bucket name ${bucket} is taken by another AWS account; choose another name with ${answerPath}`);
    }
    throw err;
  }
}
