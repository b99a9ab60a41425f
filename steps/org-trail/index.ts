import { DescribeTrailsCommand, StartLoggingCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { EnableKeyRotationCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { integer, object, string, type Infer } from '../../src/answers/schema.js';
import { defineStep, type StepContext } from '../../src/kit/step.js';
import { absentOn } from '../../src/model.js';
import { describeOrganization } from '../organization/index.js';
import { requireOrganization } from '../organization/preconditions.js';
import { SETTINGS, createBucket } from './buckets.js';
import { createTrailKey, findTrailKey, keyAlias, keyIdOf } from './key.js';
import { KEY_ARN, readKnownAfterApply } from './known-after-apply.js';
import { planBuckets, planKey, planTrail, type Operations } from './plan.js';
import type { TrailNames } from './policies.js';
import { writeTrail, type TrailConfig } from './trail.js';
import { CHECKS, verifyBuckets, verifyKey, verifyTrail } from './verify.js';

/** S3's naming rules, so a bad name is caught before any AWS call. */
const BUCKET_NAME = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

const answers = object(
  {
    name: string({
      description: 'Name of the organization trail',
      pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/,
      patternHint: '3-128 letters, digits, periods, underscores and hyphens, starting and ending with a letter or digit',
      default: 'org-trail',
    }),
    retentionDays: integer({
      description: 'Days to keep trail logs and access logs before they expire',
      min: 90,
      minReason: '(an investigation needs at least 90 days of history)',
      max: 3650,
      default: 365,
    }),
    bucketName: string({
      description: 'Trail bucket name (default: aws-groundwork-trail-<account>-<region>)',
      pattern: BUCKET_NAME,
      patternHint: '3-63 lowercase letters, digits and hyphens (an S3 bucket name)',
      optional: true,
    }),
    logBucketName: string({
      description: 'Access-log bucket name (default: aws-groundwork-access-logs-<account>-<region>)',
      pattern: BUCKET_NAME,
      patternHint: '3-63 lowercase letters, digits and hyphens (an S3 bucket name)',
      optional: true,
    }),
  },
  {
    description: 'The organization trail, its KMS key and its two buckets',
    rules: [
      ({ bucketName, logBucketName }) =>
        bucketName !== undefined && bucketName === logBucketName
          ? [
              {
                at: ['logBucketName'],
                message: 'is the same as bucketName: the access logs need a bucket of their own, apart from the trail logs',
              },
            ]
          : [],
    ],
  },
);

type Ctx = StepContext<Infer<typeof answers>>;

/** The trail this step would manage: of the home region's trails, an organization trail first, then a multi-region one. */
async function liveTrail(ctx: StepContext<unknown>): Promise<Trail | undefined> {
  const trails = (await ctx.aws.cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: false }))).trailList ?? [];
  const home = trails.filter((t) => t.HomeRegion === ctx.region && t.Name && answers.fields.name.pattern?.test(t.Name));
  return home.find((t) => t.IsOrganizationTrail && t.IsMultiRegionTrail) ?? home.find((t) => t.IsMultiRegionTrail) ?? home[0];
}

/** What the trail is short of, in words, for the comment above its answers. */
function trailGaps(t: Trail): string[] {
  const gaps = [
    [t.IsOrganizationTrail, 'an organization trail'],
    [t.IsMultiRegionTrail, 'multi-region'],
    [t.LogFileValidationEnabled, 'validating its log files'],
    [t.KmsKeyId, 'encrypted with a KMS key'],
  ] as const;
  return gaps.filter(([ok]) => !ok).map(([, what]) => what);
}

/** The trail bucket's retention as an answer: the controls need 90 days at least; no expiry reads as the default. */
async function liveRetention(ctx: StepContext<unknown>, bucket: string): Promise<{ days?: number; note?: string }> {
  const rules = (await absentOn('NoSuchBucket')(() => SETTINGS.lifecycle.read(ctx.aws, bucket))) as
    { Status?: string; ExpirationDays?: number }[] | null;
  const days = Math.max(0, ...(rules ?? []).filter((r) => r.Status === 'Enabled').map((r) => r.ExpirationDays ?? 0));
  if (days === 0) return { note: `${bucket} keeps logs with no expiry: the plan adds one at this many days (at most 3650).` };
  if (days < 90) return { days: 90, note: `${bucket} keeps logs ${days} days; 90 is the least allowed: the plan raises it.` };
  return { days: Math.min(3650, days) };
}

function namesFor(ctx: Ctx): TrailNames {
  const suffix = `${ctx.account.id}-${ctx.region}`;
  return {
    partition: ctx.caller.partition,
    region: ctx.region,
    accountId: ctx.account.id,
    trailName: ctx.answers.name,
    trailBucket: ctx.answers.bucketName ?? `aws-groundwork-trail-${suffix}`,
    logBucket: ctx.answers.logBucketName ?? `aws-groundwork-access-logs-${suffix}`,
  };
}

export default defineStep({
  id: 'org-trail',
  title: 'Organization trail',
  description:
    'Records every API call in every account and region: a multi-region organization trail with log file validation, encrypted with its own KMS key, into a locked-down, access-logged bucket.',
  checks: CHECKS.list,
  scope: 'management',
  answers,
  permissions: {
    read: [
      'kms:DescribeKey',
      'kms:ListKeys',
      'kms:ListResourceTags',
      'kms:GetKeyPolicy',
      'kms:GetKeyRotationStatus',
      's3:ListBucket',
      's3:GetBucketPublicAccessBlock',
      's3:GetBucketOwnershipControls',
      's3:GetEncryptionConfiguration',
      's3:GetBucketVersioning',
      's3:GetBucketPolicy',
      's3:GetLifecycleConfiguration',
      's3:GetBucketLogging',
      'cloudtrail:GetTrail',
      'cloudtrail:DescribeTrails',
      'cloudtrail:GetTrailStatus',
      'organizations:DescribeOrganization',
      'organizations:ListAWSServiceAccessForOrganization',
    ],
    apply: [
      'kms:CreateKey',
      'kms:CreateAlias',
      'kms:PutKeyPolicy',
      'kms:EnableKeyRotation',
      's3:CreateBucket',
      's3:PutBucketPublicAccessBlock',
      's3:PutBucketOwnershipControls',
      's3:PutEncryptionConfiguration',
      's3:PutBucketVersioning',
      's3:PutBucketPolicy',
      's3:PutLifecycleConfiguration',
      's3:PutBucketLogging',
      'cloudtrail:CreateTrail',
      'cloudtrail:UpdateTrail',
      'cloudtrail:StartLogging',
    ],
    // CreateKey with tags is also authorized as TagResource; an organization trail makes CloudTrail's
    // service-linked role and reads the organization as the caller (its trusted access too, which plan
    // reads itself, so it is under read); a trail whose bucket uses an S3 Bucket Key needs Decrypt on
    // the key when it is created.
    implied: ['kms:TagResource', 'kms:Decrypt', 'iam:CreateServiceLinkedRole', 'iam:GetRole', 'organizations:ListAccounts'],
  },

  async suggest(ctx) {
    const trail = await liveTrail(ctx);
    if (!trail?.Name)
      return { notes: { '': [`No trail in ${ctx.region} yet: the plan makes the organization trail, its key and its two buckets.`] } };
    const defaults: Record<string, unknown> = { name: trail.Name };
    const notes: Record<string, string[]> = {};
    const gaps = trailGaps(trail);
    if (gaps.length) notes.name = [`The trail ${trail.Name} is not ${gaps.join(', ')}: the plan updates it.`];
    const bucket = trail.S3BucketName;
    if (bucket && BUCKET_NAME.test(bucket)) {
      defaults.bucketName = bucket;
      const { days, note } = await liveRetention(ctx, bucket);
      if (days !== undefined) defaults.retentionDays = days;
      if (note) notes.retentionDays = [note];
      const target = ((await absentOn('NoSuchBucket')(() => SETTINGS.logging.read(ctx.aws, bucket))) as { TargetBucket?: string } | null)
        ?.TargetBucket;
      if (target && target !== bucket && BUCKET_NAME.test(target)) defaults.logBucketName = target;
      else notes.logBucketName = [`${bucket} writes no access logs to a bucket of its own: the plan makes this one.`];
    }
    return { defaults, notes };
  },

  async plan(ctx) {
    // CreateTrail and UpdateTrail refuse an organization trail without these, and the bucket policy names the organization.
    await requireOrganization(ctx, { what: 'the organization trail', trustedAccess: ['cloudtrail.amazonaws.com'] });
    const n = namesFor(ctx);
    const key = await planKey(ctx.aws, n);
    const org = await describeOrganization(ctx.aws);
    const buckets = await planBuckets(ctx.aws, n, ctx.region, ctx.answers.retentionDays, { keyArn: key.keyArn, orgId: org?.Id ?? null });
    return [...key.changes, ...buckets, ...(await planTrail(ctx.aws, n, ctx.region, key.keyArn))];
  },

  apply: {
    async 'create-key'(ctx, { alias, trailName, policy }: Operations['create-key']) {
      ctx.learn(KEY_ARN, (await createTrailKey(ctx.aws, alias, trailName, policy)).arn);
    },
    async 'key-policy'(ctx, { alias }: Operations['key-policy'], change) {
      const keyId = await keyIdOf(ctx.aws, alias);
      await ctx.aws.kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: JSON.stringify(change.after) }));
    },
    async 'key-rotation'(ctx, { alias }: Operations['key-rotation']) {
      await ctx.aws.kms.send(new EnableKeyRotationCommand({ KeyId: await keyIdOf(ctx.aws, alias) }));
    },
    async 'create-bucket'(ctx, { bucket, answer }: Operations['create-bucket']) {
      await createBucket(ctx.aws, bucket, ctx.region, answer);
    },
    async 'bucket-setting'(ctx, { bucket, setting }: Operations['bucket-setting'], change) {
      await SETTINGS[setting].write(ctx.aws, bucket, change.after);
    },
    async trail(ctx, { mode }: Operations['trail'], change) {
      await writeTrail(ctx.aws, mode, change.after as TrailConfig);
    },
    async 'start-logging'(ctx, { name }: Operations['start-logging']) {
      await ctx.aws.cloudtrail.send(new StartLoggingCommand({ Name: name }));
    },
  },

  // The key is behind its alias once made; the organization id is the organization's.
  readUnknown: (ctx, value) => readKnownAfterApply(ctx.aws, keyAlias(namesFor(ctx)), value),

  async verify(ctx) {
    const n = namesFor(ctx);
    const key = await findTrailKey(ctx.aws, keyAlias(n), n.trailName);
    const usableKey = key && !key.orphan ? key : null;
    const org = await describeOrganization(ctx.aws);
    return [
      ...(await verifyTrail(ctx.aws, n, usableKey)),
      ...(await verifyKey(ctx.aws, n, usableKey)),
      ...(await verifyBuckets(ctx.aws, n, ctx.answers.retentionDays, { keyArn: usableKey?.arn ?? null, orgId: org?.Id ?? null })),
    ];
  },
});
