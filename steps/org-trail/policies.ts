import { renderTemplate } from '../../src/templates.js';

/** The names the trail's policies are written against; all known before the trail, bucket or key exist. */
export interface TrailNames {
  partition: string;
  region: string;
  /** The management account: the trail's owner, in its ARN and in the log prefix of its own events. */
  accountId: string;
  /** Where the key and both buckets are: the log-archive account, else the management account itself. */
  storageAccountId: string;
  trailName: string;
  trailBucket: string;
  logBucket: string;
}

/**
 * Must be exactly the ARN CloudTrail will give the trail (home region, management account), because every
 * `aws:SourceArn` condition compares it with StringEquals: a trail whose real ARN differs cannot deliver.
 */
export function trailArn(n: TrailNames): string {
  return `arn:${n.partition}:cloudtrail:${n.region}:${n.accountId}:trail/${n.trailName}`;
}

/**
 * Must let CloudTrail, and only on behalf of our trail, read the bucket ACL and write log files under
 * `AWSLogs/<management id>/` and `AWSLogs/<org id>/` with the bucket-owner-full-control ACL, and must deny
 * every request to the bucket that is not made over TLS. Without the org-id prefix the organization trail
 * cannot be created. Nobody else may write a log file, and nobody at all may delete one or bypass
 * Object Lock's governance retention: the logs leave the bucket only by its lifecycle, which S3 itself
 * runs and no bucket policy governs. The bucket's account keeps every bucket-level permission, so the
 * tool (through the account's admin role) can still restore the bucket's settings; which means one of
 * that account's administrators may rewrite this policy too, so against them only COMPLIANCE Object
 * Lock, or a service control policy on log-archive, holds.
 */
export function trailBucketPolicy(n: TrailNames, orgId: string): Record<string, unknown> {
  return renderJson('trail-bucket-policy.json', {
    partition: n.partition,
    bucket: n.trailBucket,
    accountId: n.accountId,
    orgId,
    trailArn: trailArn(n),
  });
}

/** The statement of the trail bucket policy whose Resource names the organization id. */
const ORG_STATEMENT = 'AWSCloudTrailWriteOrganization';

/**
 * Where the organization id stands in a trail bucket policy: the Resource of the statement that lets
 * CloudTrail write under `AWSLogs/<org id>/`. A plan made before the organization exists marks it there.
 */
export function orgIdPath(policy: Record<string, unknown>): (string | number)[] {
  const at = (policy.Statement as { Sid?: string }[]).findIndex((s) => s.Sid === ORG_STATEMENT);
  if (at < 0) throw new Error(`trail-bucket-policy.json has no ${ORG_STATEMENT} statement`);
  return ['Statement', at, 'Resource'];
}

/**
 * Must let the S3 logging service write access logs for the trail bucket, and for no other bucket or
 * account (the buckets' own), under the `<trail bucket>/` prefix of the log bucket, and must deny
 * non-TLS requests.
 */
export function logBucketPolicy(n: TrailNames): Record<string, unknown> {
  return renderJson('log-bucket-policy.json', {
    partition: n.partition,
    logBucket: n.logBucket,
    trailBucket: n.trailBucket,
    storageAccountId: n.storageAccountId,
  });
}

/**
 * Must keep the account-root `kms:*` statement of the key's own account (without it nobody there, not
 * even an administrator, can manage the key again), let CloudTrail use the key only for our trail, let
 * principals of the key's account, and no other, decrypt what CloudTrail encrypted, and let the
 * management account decrypt: with an S3 Bucket Key, whoever creates or updates the trail needs
 * kms:Decrypt (CloudTrail user guide). That grants no log: the bucket policy lets the management
 * account read no object.
 */
export function trailKeyPolicy(n: TrailNames): Record<string, unknown> {
  return renderJson('trail-key-policy.json', {
    partition: n.partition,
    accountId: n.accountId,
    storageAccountId: n.storageAccountId,
    trailArn: trailArn(n),
  });
}

/** Every placeholder sits inside a JSON string, so values are escaped as JSON string content. */
function renderJson(template: string, values: Record<string, string>): Record<string, unknown> {
  const escaped = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, JSON.stringify(v).slice(1, -1)]));
  return JSON.parse(renderTemplate(template, escaped)) as Record<string, unknown>;
}
