import { renderTemplate } from '../../src/templates.js';

/** The names the trail's policies are written against; all known before the trail, bucket or key exist. */
export interface TrailNames {
  partition: string;
  region: string;
  accountId: string;
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
 * `AWSLogs/<account id>/` and `AWSLogs/<org id>/` with the bucket-owner-full-control ACL, and must deny
 * every request to the bucket that is not made over TLS. Without the org-id prefix the organization trail
 * cannot be created.
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

/**
 * Must let the S3 logging service write access logs for the trail bucket, and for no other bucket or
 * account, under the `<trail bucket>/` prefix of the log bucket, and must deny non-TLS requests.
 */
export function logBucketPolicy(n: TrailNames): Record<string, unknown> {
  return renderJson('log-bucket-policy.json', {
    partition: n.partition,
    logBucket: n.logBucket,
    trailBucket: n.trailBucket,
    accountId: n.accountId,
  });
}

/**
 * Must keep the account-root `kms:*` statement (without it nobody in the account, not even an
 * administrator, can manage the key again), let CloudTrail use the key only for our trail, and let
 * principals of this account, and no other, decrypt what CloudTrail encrypted.
 */
export function trailKeyPolicy(n: TrailNames): Record<string, unknown> {
  return renderJson('trail-key-policy.json', {
    partition: n.partition,
    accountId: n.accountId,
    trailArn: trailArn(n),
  });
}

/** Every placeholder sits inside a JSON string, so values are escaped as JSON string content. */
function renderJson(template: string, values: Record<string, string>): Record<string, unknown> {
  const escaped = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, JSON.stringify(v).slice(1, -1)]));
  return JSON.parse(renderTemplate(template, escaped)) as Record<string, unknown>;
}
