/**
 * S3 buckets, each owned by one account (bucket names are global, each bucket lives in one region); a
 * call from another account than the owner is refused as AWS refuses it without a policy grant.
 * - s3: `buckets` (ours) and `foreignBuckets` (strangers'). CreateBucket: in us-east-1 no
 *   LocationConstraint (InvalidLocationConstraint) and re-creating our bucket succeeds silently;
 *   elsewhere LocationConstraint must be the client's region (IllegalLocationConstraintException) and a
 *   repeat is BucketAlreadyOwnedByYou. New buckets get AWS's 2023 defaults: BucketOwnerEnforced, all
 *   four public-access blocks on, SSE-S3. Bucket calls: NoSuchBucket, AccessDenied on a stranger's,
 *   PermanentRedirect from another region (HeadBucket and GetBucketLocation answer from any region).
 *   Policies are stored compacted as S3 returns them; lifecycle Put replaces the whole configuration;
 *   logging needs an existing target of ours in the same region, not the bucket itself.
 */
import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  NoSuchBucket,
  NotFound,
  S3ServiceException,
  type LifecycleRule,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import type { Call, HandlerTable, Input } from './shared.js';
import { MANAGEMENT_ID, type FakeBucket, type FakePublicAccessBlock, type FakeState } from './state.js';

/** A bucket as AWS creates it since April 2023, for seeding: `fake.buckets.set(name, newBucket(region))`. */
export function newBucket(region: string, overrides: Partial<FakeBucket> = {}): FakeBucket {
  return {
    account: MANAGEMENT_ID,
    region,
    ownership: 'BucketOwnerEnforced',
    publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    encryption: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    versioning: null,
    policy: null,
    lifecycle: null,
    logging: null,
    objectLock: false,
    objectLockRetention: null,
    ...overrides,
  };
}

function s3Error(name: string, httpStatusCode: number, message: string): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message });
}

function noSuchBucket(): NoSuchBucket {
  return new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } });
}

function malformedXml(): S3ServiceException {
  return s3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema');
}

/** The bucket a bucket-level call names, which must be the calling account's and in the client's region. */
function bucket(s: FakeState, input: Input, region: string, account: string): FakeBucket {
  const name = String(input.Bucket);
  if (s.foreignBuckets.has(name)) throw s3Error('AccessDenied', 403, 'Access Denied');
  const b = s.buckets.get(name);
  if (!b) throw noSuchBucket();
  if (b.account !== account) throw s3Error('AccessDenied', 403, 'Access Denied');
  if (b.region !== region) {
    throw s3Error(
      'PermanentRedirect',
      301,
      `The bucket you are attempting to access must be addressed using the specified endpoint (${name} is in ${b.region}, the client in ${region}).`,
    );
  }
  return b;
}

function compact(policy: unknown): string {
  try {
    return JSON.stringify(JSON.parse(String(policy)));
  } catch (err) {
    throw s3Error('MalformedPolicy', 400, `Policies must be valid JSON: ${(err as Error).message}`);
  }
}

function headBucket({ s, i, ctx }: Call) {
  const name = String(i.Bucket);
  const b = s.buckets.get(name);
  if (s.foreignBuckets.has(name) || (b && b.account !== ctx.account)) throw s3Error('Forbidden', 403, 'Forbidden');
  if (!b) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
  return { BucketRegion: b.region, AccessPointAlias: false };
}

/** CreateBucket's LocationConstraint must fit the endpoint's region. */
function checkLocationConstraint(i: Input, region: string): void {
  const constraint = (i.CreateBucketConfiguration as { LocationConstraint?: string } | undefined)?.LocationConstraint || undefined;
  if (region === 'us-east-1') {
    if (constraint !== undefined) throw s3Error('InvalidLocationConstraint', 400, 'The specified location-constraint is not valid');
  } else if (constraint !== region) {
    throw s3Error(
      'IllegalLocationConstraintException',
      400,
      `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    );
  }
}

function createBucket({ s, i, region, ctx }: Call) {
  const name = String(i.Bucket);
  checkLocationConstraint(i, region);
  if (s.foreignBuckets.has(name) || (s.buckets.get(name)?.account ?? ctx.account) !== ctx.account) {
    throw new BucketAlreadyExists({
      message: 'The requested bucket name is not available. The bucket namespace is shared by all users of the system.',
      $metadata: { httpStatusCode: 409 },
    });
  }
  const existing = s.buckets.get(name);
  if (existing) {
    // AWS's legacy behaviour: in us-east-1, creating a bucket you already own there answers 200.
    if (region === 'us-east-1' && existing.region === 'us-east-1') return { Location: `/${name}` };
    throw new BucketAlreadyOwnedByYou({
      message: 'Your previous request to create the named bucket succeeded and you already own it.',
      $metadata: { httpStatusCode: 409 },
    });
  }
  const objectLock = Boolean(i.ObjectLockEnabledForBucket);
  s.buckets.set(
    name,
    newBucket(region, {
      account: ctx.account,
      ownership: (i.ObjectOwnership as string | undefined) ?? 'BucketOwnerEnforced',
      objectLock,
      versioning: objectLock ? 'Enabled' : null,
    }),
  );
  return { Location: region === 'us-east-1' ? `/${name}` : `http://${name}.s3.amazonaws.com/` };
}

function getBucketLocation({ s, i, ctx }: Call) {
  const name = String(i.Bucket);
  const b = s.buckets.get(name);
  if (s.foreignBuckets.has(name) || (b && b.account !== ctx.account)) throw s3Error('AccessDenied', 403, 'Access Denied');
  if (!b) throw noSuchBucket();
  // S3 answers an empty LocationConstraint for us-east-1.
  return b.region === 'us-east-1' ? {} : { LocationConstraint: b.region };
}

function getPublicAccessBlock({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  if (!b.publicAccessBlock) {
    throw s3Error('NoSuchPublicAccessBlockConfiguration', 404, 'The public access block configuration was not found');
  }
  return { PublicAccessBlockConfiguration: { ...b.publicAccessBlock } };
}

function putPublicAccessBlock({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  const c = (i.PublicAccessBlockConfiguration ?? {}) as Partial<FakePublicAccessBlock>;
  b.publicAccessBlock = {
    BlockPublicAcls: Boolean(c.BlockPublicAcls),
    IgnorePublicAcls: Boolean(c.IgnorePublicAcls),
    BlockPublicPolicy: Boolean(c.BlockPublicPolicy),
    RestrictPublicBuckets: Boolean(c.RestrictPublicBuckets),
  };
  return {};
}

function getBucketOwnershipControls({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  if (!b.ownership) throw s3Error('OwnershipControlsNotFoundError', 404, 'The bucket ownership controls were not found');
  return { OwnershipControls: { Rules: [{ ObjectOwnership: b.ownership }] } };
}

function putBucketOwnershipControls({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  const rules = (i.OwnershipControls as { Rules?: { ObjectOwnership?: string }[] } | undefined)?.Rules ?? [];
  b.ownership = rules[0]?.ObjectOwnership ?? null;
  return {};
}

function getBucketEncryption({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  if (b.encryption.length === 0) {
    throw s3Error('ServerSideEncryptionConfigurationNotFoundError', 404, 'The server side encryption configuration was not found');
  }
  return { ServerSideEncryptionConfiguration: { Rules: structuredClone(b.encryption) } };
}

function putBucketEncryption({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  const rules = (i.ServerSideEncryptionConfiguration as { Rules?: ServerSideEncryptionRule[] } | undefined)?.Rules;
  if (!rules || rules.length === 0) throw malformedXml();
  b.encryption = structuredClone(rules);
  return {};
}

function getBucketVersioning({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  return b.versioning ? { Status: b.versioning } : {};
}

function putBucketVersioning({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  const status = (i.VersioningConfiguration as { Status?: 'Enabled' | 'Suspended' } | undefined)?.Status;
  if (status !== 'Enabled' && status !== 'Suspended') throw s3Error('MalformedXML', 400, 'The XML you provided was not well-formed');
  if (b.objectLock && status === 'Suspended') {
    throw s3Error(
      'InvalidBucketState',
      409,
      'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.',
    );
  }
  b.versioning = status;
  return {};
}

function getBucketPolicy({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  if (b.policy === null) throw s3Error('NoSuchBucketPolicy', 404, 'The bucket policy does not exist');
  return { Policy: b.policy };
}

function putBucketPolicy({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  b.policy = compact(i.Policy);
  return {};
}

function deleteBucketPolicy({ s, i, region, ctx }: Call) {
  bucket(s, i, region, ctx.account).policy = null;
  return {};
}

function getBucketLifecycleConfiguration({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  if (!b.lifecycle) throw s3Error('NoSuchLifecycleConfiguration', 404, 'The lifecycle configuration does not exist');
  return { Rules: structuredClone(b.lifecycle) };
}

function putBucketLifecycleConfiguration({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  const rules = (i.LifecycleConfiguration as { Rules?: LifecycleRule[] } | undefined)?.Rules;
  if (!rules || rules.length === 0) throw malformedXml();
  b.lifecycle = structuredClone(rules);
  return {};
}

function getBucketLogging({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  return b.logging ? { LoggingEnabled: { ...b.logging } } : {};
}

function putBucketLogging({ s, i, region, ctx }: Call) {
  const name = String(i.Bucket);
  const b = bucket(s, i, region, ctx.account);
  const enabled = (i.BucketLoggingStatus as { LoggingEnabled?: { TargetBucket?: string; TargetPrefix?: string } } | undefined)
    ?.LoggingEnabled;
  if (!enabled) {
    b.logging = null;
    return {};
  }
  const targetName = String(enabled.TargetBucket);
  const target = s.buckets.get(targetName);
  const invalid = (why: string) => s3Error('InvalidTargetBucketForLogging', 400, why);
  if (!target) throw invalid(`The target bucket for logging does not exist: ${targetName}`);
  if (target.account !== b.account) throw invalid(`The owner of the target bucket ${targetName} must be the owner of the source bucket`);
  if (target.region !== b.region)
    throw invalid(`The target bucket ${targetName} (${target.region}) must be in the source bucket's region ${b.region}`);
  if (targetName === name) throw invalid('A bucket must not log to itself');
  b.logging = { TargetBucket: targetName, TargetPrefix: enabled.TargetPrefix ?? '' };
  return {};
}

function getObjectLockConfiguration({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  if (!b.objectLock) throw s3Error('ObjectLockConfigurationNotFoundError', 404, 'Object Lock configuration does not exist for this bucket');
  return {
    ObjectLockConfiguration: {
      ObjectLockEnabled: 'Enabled',
      ...(b.objectLockRetention ? { Rule: { DefaultRetention: { ...b.objectLockRetention } } } : {}),
    },
  };
}

/** Object Lock can be turned on for an existing bucket once versioning is on, and never off. */
function putObjectLockConfiguration({ s, i, region, ctx }: Call) {
  const b = bucket(s, i, region, ctx.account);
  const c = (i.ObjectLockConfiguration ?? {}) as {
    ObjectLockEnabled?: string;
    Rule?: { DefaultRetention?: { Mode?: string; Days?: number; Years?: number } };
  };
  if (c.ObjectLockEnabled !== 'Enabled') throw malformedXml();
  if (b.versioning !== 'Enabled')
    throw s3Error('InvalidBucketState', 409, 'Versioning must be Enabled on the bucket to apply an Object Lock configuration');
  const r = c.Rule?.DefaultRetention;
  if (r && (!r.Mode || (r.Days === undefined) === (r.Years === undefined))) throw malformedXml();
  // The default retention may change at any time: it applies to new log files; those already locked keep theirs.
  b.objectLock = true;
  b.objectLockRetention = r
    ? { Mode: r.Mode as string, ...(r.Days !== undefined ? { Days: r.Days } : { Years: r.Years as number }) }
    : null;
  return {};
}

export const S3_HANDLERS: HandlerTable = {
  's3:HeadBucket': headBucket,
  's3:CreateBucket': createBucket,
  's3:GetBucketLocation': getBucketLocation,

  's3:GetPublicAccessBlock': getPublicAccessBlock,
  's3:PutPublicAccessBlock': putPublicAccessBlock,

  's3:GetBucketOwnershipControls': getBucketOwnershipControls,
  's3:PutBucketOwnershipControls': putBucketOwnershipControls,

  's3:GetBucketEncryption': getBucketEncryption,
  's3:PutBucketEncryption': putBucketEncryption,

  's3:GetBucketVersioning': getBucketVersioning,
  's3:PutBucketVersioning': putBucketVersioning,

  's3:GetBucketPolicy': getBucketPolicy,
  's3:PutBucketPolicy': putBucketPolicy,
  's3:DeleteBucketPolicy': deleteBucketPolicy,

  's3:GetBucketLifecycleConfiguration': getBucketLifecycleConfiguration,
  's3:PutBucketLifecycleConfiguration': putBucketLifecycleConfiguration,

  's3:GetBucketLogging': getBucketLogging,
  's3:PutBucketLogging': putBucketLogging,

  's3:GetObjectLockConfiguration': getObjectLockConfiguration,
  's3:PutObjectLockConfiguration': putObjectLockConfiguration,
};
