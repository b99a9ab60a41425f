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
