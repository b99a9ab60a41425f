import { DescribeTrailsCommand, StartLoggingCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { EnableKeyRotationCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { boolean, integer, object, string, type Infer, type RuleIssue } from '../../src/answers/schema.js';
import { check, waitFor } from '../../src/kit/builders.js';
import { defineStep, type PlannedChange, type PlannedFinding, type StepContext } from '../../src/kit/step.js';
import { absentOn, type AccountRef, type Change } from '../../src/model.js';
import { describeOrganization } from '../organization/index.js';
import { requireOrganization } from '../organization/preconditions.js';
import { SETTINGS, createBucket, type ObjectLock } from './buckets.js';
import { createTrailKey, findTrailKey, keyAlias, keyIdOf } from './key.js';
import { KEY_ARN, readKnownAfterApply } from './known-after-apply.js';
import { planBuckets, planKey, planTrail, type Operations } from './plan.js';
import type { TrailNames } from './policies.js';
import { requireArchiveMade, storageOf, type Storage } from './storage.js';
import { currentTrail, writeTrail, type TrailConfig } from './trail.js';
import { CHECKS, verifyBuckets, verifyKey, verifyOutsideManagement, verifyTrail } from './verify.js';

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
      description: 'Trail bucket name (default: aws-groundwork-trail-<account that holds it>-<region>)',
      pattern: BUCKET_NAME,
      patternHint: '3-63 lowercase letters, digits and hyphens (an S3 bucket name)',
      optional: true,
    }),
    logBucketName: string({
      description: 'Access-log bucket name (default: aws-groundwork-access-logs-<account that holds it>-<region>)',
      pattern: BUCKET_NAME,
      patternHint: '3-63 lowercase letters, digits and hyphens (an S3 bucket name)',
      optional: true,
    }),
    objectLockMode: string({
      description:
        'Write-once logs: S3 Object Lock on the trail bucket, GOVERNANCE (the bucket policy denies everyone the bypass) or COMPLIANCE (nobody, root included, can delete a log file for its days)',
      pattern: /^(GOVERNANCE|COMPLIANCE)$/,
      patternHint: 'GOVERNANCE or COMPLIANCE',
      optional: true,
    }),
    objectLockDays: integer({
      description: 'Days each log file stays write-once under Object Lock (with objectLockMode)',
      min: 1,
      max: 3650,
      optional: true,
    }),
    allowMove: boolean({
      description:
        "Allow moving the trail's logs to another bucket (to log-archive): new logs go there, the old bucket keeps its logs (needed without a terminal)",
      default: false,
      optIn: true,
    }),
    allowComplianceLock: boolean({
      description: 'Allow COMPLIANCE Object Lock, which nobody can shorten or remove until it expires (needed without a terminal)',
      default: false,
      optIn: true,
    }),
  },
  {
    description: 'The organization trail, its KMS key and its two buckets (in the log-archive account when there is one)',
    rules: [
      objectLockRule,
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

/** Object Lock needs both its answers, and a lock longer than the logs are kept would stop the lifecycle expiring them. */
function objectLockRule(a: { objectLockMode?: string; objectLockDays?: number; retentionDays: number }): RuleIssue[] {
  if (a.objectLockMode !== undefined && a.objectLockDays === undefined) {
    return [{ at: ['objectLockDays'], message: 'is needed with objectLockMode: how many days each log file stays write-once' }];
  }
  if (a.objectLockMode === undefined && a.objectLockDays !== undefined) {
    return [{ at: ['objectLockMode'], message: 'is needed with objectLockDays: GOVERNANCE or COMPLIANCE' }];
  }
  if (a.objectLockDays !== undefined && a.objectLockDays > a.retentionDays) {
    const message = `is ${a.objectLockDays}, more than retentionDays (${a.retentionDays}): the lifecycle could not expire a log file still locked; lock for at most as long as the logs are kept`;
    return [{ at: ['objectLockDays'], message }];
  }
  return [];
}

function lockOf(a: Infer<typeof answers>): ObjectLock | undefined {
  return a.objectLockMode && a.objectLockDays ? { Mode: a.objectLockMode as ObjectLock['Mode'], Days: a.objectLockDays } : undefined;
}

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

/**
 * The trail's two buckets: as answered, else named after the account that holds them and the region
 * (bucket names are global). The guardrails protect exactly these, so both steps take them from here.
 */
export function trailBuckets(
  a: { bucketName?: string; logBucketName?: string } | undefined,
  storageAccountId: string,
  region: string,
): { trailBucket: string; logBucket: string } {
  const suffix = `${storageAccountId}-${region}`;
  return {
    trailBucket: a?.bucketName ?? `aws-groundwork-trail-${suffix}`,
    logBucket: a?.logBucketName ?? `aws-groundwork-access-logs-${suffix}`,
  };
}

/** The names of everything this step manages. */
function namesFor(ctx: Ctx, storage: AccountRef): TrailNames {
  return {
    partition: ctx.caller.partition,
    region: ctx.region,
    accountId: ctx.account.id,
    storageAccountId: storage.id,
    trailName: ctx.answers.name,
    ...trailBuckets(ctx.answers, storage.id, ctx.region),
  };
}

/** The key and both buckets where the storage is, then the trail in the management account delivering there. */
async function planIn(ctx: Ctx, storage: Extract<Storage, { kind: 'ready' }>): Promise<PlannedChange<Operations>[]> {
  const n = namesFor(ctx, storage.account);
  const key = await planKey(storage.aws, n);
  const org = await describeOrganization(ctx.aws);
  const known = { keyArn: key.keyArn, orgId: org?.Id ?? null };
  const buckets = await planBuckets(storage.aws, n, ctx.region, ctx.answers.retentionDays, known, lockOf(ctx.answers));
  const where = storage.archive ? `${storage.account.name} (${storage.account.id})` : 'this account';
  const trail = await planTrail(ctx.aws, n, ctx.region, key.keyArn, where, (text) => ctx.note(text));
  return [...[...key.changes, ...buckets].map((c) => ({ ...c, in: storage.account })), ...trail];
}

/**
 * The log-archive account is made earlier in this apply: the key and buckets there, and the trail
 * delivering to them, are planned once it exists. Moving an existing trail there, or a COMPLIANCE
 * lock, is destructive, so this change is too, and needs what those changes need.
 */
async function waitForArchive(ctx: Ctx, archive: AccountRef): Promise<PlannedChange<Operations>> {
  requireArchiveMade(ctx, archive);
  const from = (await currentTrail(ctx.aws, ctx.answers.name))?.S3BucketName ?? null;
  const lock = lockOf(ctx.answers);
  const compliance = lock?.Mode === 'COMPLIANCE';
  if (from) ctx.note(`the logs delivered until now stay in ${from}, where they are; this tool never deletes a bucket, an object or a key.`);
  const moves = from ? `, and move the trail's logs there from ${from} (kept as it is)` : '';
  return waitFor(archive, {
    address: 'org-trail:log-archive',
    summary: `make the trail's KMS key and buckets in the new account ${archive.name} and the trail delivering there${moves}; planned in detail once it exists`,
    risk: from || compliance ? 'destructive' : 'security',
    after: {
      Account: archive.name,
      ...(from ? { MovesTrailFrom: from } : {}),
      ...(lock ? { ObjectLock: lock.Mode, ObjectLockDays: lock.Days } : {}),
    },
  });
}

/** Every check, failing: what they look at goes into an account that is not made yet. */
function notMadeYet(archive: AccountRef): PlannedFinding[] {
  const reason = `the log-archive account ${archive.name} does not exist yet: the trail's key and buckets are made there by \`aws-groundwork apply\``;
  return CHECKS.list.map((c) => check(c, 'org-trail', reason, ''));
}

/** The opt-ins a destructive change of this step needs: moving the logs, a COMPLIANCE lock, or both (a deferred change). */
function optInsFor(change: Change): ('allowMove' | 'allowComplianceLock')[] {
  if (change.operation.kind === 'trail') return ['allowMove'];
  if (change.operation.kind === 'bucket-setting') return ['allowComplianceLock'];
  const after = (change.after ?? {}) as { MovesTrailFrom?: string | null; ObjectLock?: string | null };
  return [
    ...(after.MovesTrailFrom ? (['allowMove'] as const) : []),
    ...(after.ObjectLock === 'COMPLIANCE' ? (['allowComplianceLock'] as const) : []),
  ];
}

export default defineStep({
  id: 'org-trail',
  title: 'Organization trail',
  description:
    'Records every API call in every account and region: a multi-region organization trail with log file validation, encrypted with its own KMS key, into a locked-down, access-logged bucket, kept in the log-archive account when there is one.',
  checks: CHECKS.list,
  scope: 'management',
  answers,
  destructiveOptIn: optInsFor,
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
      's3:GetBucketObjectLockConfiguration',
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
      's3:PutBucketObjectLockConfiguration',
      'cloudtrail:CreateTrail',
      'cloudtrail:UpdateTrail',
      'cloudtrail:StartLogging',
    ],
    // CreateKey with tags is also authorized as TagResource; an organization trail makes CloudTrail's
    // service-linked role and reads the organization as the caller (its trusted access too, which plan
    // reads itself, so it is under read); a trail whose bucket uses an S3 Bucket Key needs Decrypt on
    // the key when it is created.
    // The key and buckets in log-archive are reached through its admin role.
    implied: [
      'kms:TagResource',
      'kms:Decrypt',
      'iam:CreateServiceLinkedRole',
      'iam:GetRole',
      'organizations:ListAccounts',
      'sts:AssumeRole',
    ],
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
      // Another account's bucket (log-archive's) is not this account's to read: its settings stay unread.
      if ((await absentOn('AccessDenied', 'NoSuchBucket')(() => SETTINGS.versioning.read(ctx.aws, bucket))) === null) {
        notes.bucketName = [`${bucket} is not readable from this account (another account's, or gone): the plan reads it where it is.`];
        notes.retentionDays = [`not read from ${bucket}: check it, as the plan sets the trail's lifecycle to this many days.`];
        return { defaults, notes };
      }
      const { days, note } = await liveRetention(ctx, bucket);
      if (days !== undefined) defaults.retentionDays = days;
      if (note) notes.retentionDays = [note];
      const target = ((await SETTINGS.logging.read(ctx.aws, bucket)) as { TargetBucket?: string } | null)?.TargetBucket;
      if (target && target !== bucket && BUCKET_NAME.test(target)) defaults.logBucketName = target;
      else notes.logBucketName = [`${bucket} writes no access logs to a bucket of its own: the plan makes this one.`];
    }
    return { defaults, notes };
  },

  async plan(ctx) {
    // CreateTrail and UpdateTrail refuse an organization trail without these, and the bucket policy names the organization.
    await requireOrganization(ctx, { what: 'the organization trail', trustedAccess: ['cloudtrail.amazonaws.com'] });
    const storage = await storageOf(ctx);
    return storage.kind === 'pending' ? [await waitForArchive(ctx, storage.account)] : planIn(ctx, storage);
  },

  apply: {
    async 'create-key'(ctx, { alias, trailName, policy }: Operations['create-key'], change) {
      ctx.learn(KEY_ARN, (await createTrailKey(await ctx.clientsIn(change.account), alias, trailName, policy)).arn);
    },
    async 'key-policy'(ctx, { alias }: Operations['key-policy'], change) {
      const aws = await ctx.clientsIn(change.account);
      const keyId = await keyIdOf(aws, alias);
      await aws.kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: JSON.stringify(change.after) }));
    },
    async 'key-rotation'(ctx, { alias }: Operations['key-rotation'], change) {
      const aws = await ctx.clientsIn(change.account);
      await aws.kms.send(new EnableKeyRotationCommand({ KeyId: await keyIdOf(aws, alias) }));
    },
    async 'create-bucket'(ctx, { bucket, answer }: Operations['create-bucket'], change) {
      await createBucket(await ctx.clientsIn(change.account), bucket, ctx.region, answer);
    },
    async 'bucket-setting'(ctx, { bucket, setting }: Operations['bucket-setting'], change) {
      await SETTINGS[setting].write(await ctx.clientsIn(change.account), bucket, change.after);
    },
    async trail(ctx, { mode }: Operations['trail'], change) {
      await writeTrail(ctx.aws, mode, change.after as TrailConfig);
    },
    async 'start-logging'(ctx, { name }: Operations['start-logging']) {
      await ctx.aws.cloudtrail.send(new StartLoggingCommand({ Name: name }));
    },
  },

  // The key is behind its alias (where the storage is) once made; the organization id is the organization's.
  async readUnknown(ctx, value) {
    const storage = await storageOf(ctx);
    if (storage.kind === 'pending') throw new Error(`the log-archive account ${storage.account.name} does not exist yet`);
    return readKnownAfterApply(ctx.aws, storage.aws, keyAlias(namesFor(ctx, storage.account)), value);
  },

  async verify(ctx) {
    const storage = await storageOf(ctx);
    if (storage.kind === 'pending') return notMadeYet(storage.account);
    const n = namesFor(ctx, storage.account);
    const key = await findTrailKey(storage.aws, keyAlias(n), n.trailName);
    const usableKey = key && !key.orphan ? key : null;
    const org = await describeOrganization(ctx.aws);
    const known = { keyArn: usableKey?.arn ?? null, orgId: org?.Id ?? null };
    // Each check is reported in the account that holds what it looks at.
    const there = (findings: PlannedFinding[]) => findings.map((f) => ({ ...f, in: storage.account }));
    return [
      ...(await verifyTrail(ctx.aws, n, usableKey)),
      await verifyOutsideManagement(ctx.aws, n, storage.archive ? storage.account : null),
      ...there(await verifyKey(storage.aws, n, usableKey)),
      ...there(await verifyBuckets(storage.aws, n, ctx.answers.retentionDays, known, lockOf(ctx.answers))),
    ];
  },
});
