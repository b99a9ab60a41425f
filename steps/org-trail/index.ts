import { GetTrailCommand, GetTrailStatusCommand, CreateTrailCommand, StartLoggingCommand, UpdateTrailCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { DescribeKeyCommand, EnableKeyRotationCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { isDeepStrictEqual } from 'node:util';
import { integer, object, string } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { isAwsError } from '../../src/engine/errors.js';
import { defineStep, type Change, type Finding, type Json, type StepContext } from '../../src/engine/types.js';
import { describeOrganization } from '../organization/index.js';
import { SETTINGS, bucketState, createBucket, type BucketSettingId } from './buckets.js';
import { createTrailKey, findTrailKey, keyPolicy, rotationEnabled } from './key.js';
import { KEY_ARN_LATER, ORG_ID_LATER, resolveLater, type KnownAfterApply } from './known-after-apply.js';
import { logBucketPolicy, trailArn, trailBucketPolicy, trailKeyPolicy, type TrailNames } from './policies.js';

const STEP = 'org-trail';
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
  { description: 'The organization trail, its KMS key and its two buckets' },
);

type Answers = { name: string; retentionDays: number; bucketName?: string; logBucketName?: string };
type Ctx = StepContext<Answers>;

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

const keyAlias = (n: TrailNames) => `alias/aws-groundwork/${n.trailName}`;

const ALL_BLOCKED = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

function lifecycle(days: number): Json {
  return [{ ID: 'aws-groundwork-retention', Status: 'Enabled', Prefix: '', ExpirationDays: days, NoncurrentDays: 30, AbortMultipartDays: 7 }];
}

/** Every setting each bucket must have, in the order they are written. */
function desiredBuckets(n: TrailNames, retentionDays: number, keyArn: string, orgId: string) {
  const common = { 'public-access-block': ALL_BLOCKED, 'ownership-controls': 'BucketOwnerEnforced', versioning: 'Enabled' };
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
    },
    {
      role: 'trail bucket',
      bucket: n.trailBucket,
      answer: 'steps.org-trail.bucketName',
      settings: {
        ...common,
        encryption: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn, BucketKeyEnabled: true },
        policy: trailBucketPolicy(n, orgId) as Json,
        lifecycle: lifecycle(retentionDays),
        logging: { TargetBucket: n.logBucket, TargetPrefix: `${n.trailBucket}/` },
      } as Partial<Record<BucketSettingId, Json>>,
    },
  ];
}

function desiredTrail(n: TrailNames, keyArn: string) {
  return {
    Name: n.trailName,
    S3BucketName: n.trailBucket,
    IsOrganizationTrail: true,
    IsMultiRegionTrail: true,
    LogFileValidationEnabled: true,
    IncludeGlobalServiceEvents: true,
    KmsKeyId: keyArn,
  };
}

function trailConfig(t: Trail) {
  return {
    Name: t.Name ?? '',
    S3BucketName: t.S3BucketName ?? '',
    IsOrganizationTrail: Boolean(t.IsOrganizationTrail),
    IsMultiRegionTrail: Boolean(t.IsMultiRegionTrail),
    LogFileValidationEnabled: Boolean(t.LogFileValidationEnabled),
    IncludeGlobalServiceEvents: Boolean(t.IncludeGlobalServiceEvents),
    KmsKeyId: t.KmsKeyId ?? '',
  };
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

async function currentTrail(aws: AwsClients, name: string): Promise<Trail | null> {
  try {
    return (await aws.cloudtrail.send(new GetTrailCommand({ Name: name }))).Trail ?? null;
  } catch (err) {
    if (isAwsError(err, 'TrailNotFound')) return null;
    throw err;
  }
}

function knownAfterApply(ctx: Ctx, n: TrailNames): KnownAfterApply {
  return {
    keyArn: async () => {
      const r = await ctx.aws.kms.send(new DescribeKeyCommand({ KeyId: keyAlias(n) }));
      return r.KeyMetadata?.Arn as string;
    },
    orgId: async () => {
      const org = await describeOrganization(ctx.aws);
      if (!org?.Id) throw new Error('the organization trail needs an organization; run the organization step first');
      return org.Id;
    },
  };
}

export default defineStep({
  id: STEP,
  title: 'Organization trail',
  description:
    'Records every API call in every account and region: a multi-region organization trail with log file validation, encrypted with its own KMS key, into a locked-down, access-logged bucket.',
  checks: [
    { id: 'org-trail.multi-region-logging', title: 'CloudTrail is on in all regions: a multi-region organization trail is logging' },
    { id: 'org-trail.log-file-validation', title: 'CloudTrail log file validation is enabled' },
    { id: 'org-trail.bucket-access-logging', title: 'The trail bucket has server access logging on' },
    { id: 'org-trail.kms-encryption', title: 'The trail encrypts its logs with its own KMS key' },
    { id: 'org-trail.key-rotation', title: 'The trail KMS key has automatic rotation on (this key only)' },
    { id: 'org-trail.buckets-deny-http', title: 'The trail and access-log buckets deny requests without TLS (these buckets only)' },
    { id: 'org-trail.trail-bucket-protected', title: 'The trail bucket is not public, has ACLs off and a policy that admits only this trail' },
    { id: 'org-trail.trail-bucket-settings', title: 'The trail bucket is encrypted with the trail key, versioned and has its lifecycle' },
    { id: 'org-trail.access-log-bucket', title: 'The access-log bucket is private, encrypted, versioned, TLS-only, with its policy and lifecycle' },
    { id: 'org-trail.key-policy', title: 'The trail key policy lets CloudTrail encrypt only for this trail' },
    { id: 'org-trail.delivery', title: 'CloudTrail reports no delivery error' },
  ],
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
      'cloudtrail:GetTrailStatus',
      'organizations:DescribeOrganization',
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
    // service-linked role and reads the organization as the caller; a trail whose bucket uses an S3
    // Bucket Key needs Decrypt on the key when it is created.
    implied: [
      'kms:TagResource',
      'kms:Decrypt',
      'iam:CreateServiceLinkedRole',
      'iam:GetRole',
      'organizations:ListAWSServiceAccessForOrganization',
      'organizations:ListAccounts',
    ],
  },

  async plan(ctx: Ctx): Promise<Change[]> {
    const n = namesFor(ctx);
    const changes: Change[] = [];
    const push = (address: string, action: Change['action'], before: Json, after: Json, summary: string) =>
      changes.push({ step: STEP, account: ctx.account, address, action, before, after, risk: 'security', summary });

    // 1. The key.
    const alias = keyAlias(n);
    const key = await findTrailKey(ctx.aws, alias, n.trailName);
    const wantedKeyPolicy = trailKeyPolicy(n) as Json;
    if (!key || key.orphan) {
      push(
        `kms:${alias}`,
        'create',
        null,
        { AliasName: alias, ...(key ? { TargetKeyId: key.keyId } : { KeyPolicy: wantedKeyPolicy }) },
        key ? `name the trail key ${key.keyId}, left by an interrupted run, ${alias}` : `create the trail's KMS key ${alias}`,
      );
    }
    if (key) {
      const policy = await keyPolicy(ctx.aws, key.keyId);
      if (!isDeepStrictEqual(policy, wantedKeyPolicy)) {
        push(`kms:${alias}/key-policy`, 'update', policy as Json, wantedKeyPolicy, `restore the key policy of ${alias}`);
      }
    }
    if (!key || !(await rotationEnabled(ctx.aws, key.keyId))) {
      push(`kms:${alias}/rotation`, key ? 'update' : 'create', key ? false : null, true, `turn on yearly rotation of ${alias} (CIS 3.6)`);
    }
    const keyArn = key?.arn ?? KEY_ARN_LATER;

    // 2-3. The access-log bucket, then the trail bucket (which logs into it).
    const org = await describeOrganization(ctx.aws);
    for (const b of desiredBuckets(n, ctx.answers.retentionDays, keyArn, org?.Id ?? ORG_ID_LATER)) {
      const state = await bucketState(ctx.aws, b.bucket, b.answer);
      if (state === 'absent') {
        push(`s3:bucket/${b.bucket}`, 'create', null, { Bucket: b.bucket, Region: ctx.region, ObjectOwnership: 'BucketOwnerEnforced' }, `create the ${b.role} ${b.bucket} in ${ctx.region}`);
      }
      for (const [id, want] of Object.entries(b.settings) as [BucketSettingId, Json][]) {
        // A new bucket is created with ACLs disabled; the other settings are written explicitly.
        if (state === 'absent' && id === 'ownership-controls') continue;
        const have = state === 'absent' ? null : await SETTINGS[id].read(ctx.aws, b.bucket);
        if (!isDeepStrictEqual(have, want)) {
          push(`s3:bucket/${b.bucket}/${id}`, have === null ? 'create' : 'update', have, want, `set ${id} on the ${b.role}`);
        }
      }
    }

    // 4. The trail, then logging.
    const trail = await currentTrail(ctx.aws, n.trailName);
    if (trail?.HomeRegion && trail.HomeRegion !== ctx.region) {
      throw new Error(
        `the trail ${n.trailName} lives in ${trail.HomeRegion}, not in the home region ${ctx.region}; run with --region ${trail.HomeRegion} or choose another steps.org-trail.name`,
      );
    }
    const wantedTrail = desiredTrail(n, keyArn);
    if (!trail) {
      push(`cloudtrail:trail/${n.trailName}`, 'create', null, wantedTrail, `create the organization trail ${n.trailName} (all regions, log file validation, KMS)`);
    } else if (!isDeepStrictEqual(trailConfig(trail), wantedTrail)) {
      push(`cloudtrail:trail/${n.trailName}`, 'update', trailConfig(trail), wantedTrail, `update the trail ${n.trailName}`);
    }
    const logging = trail ? Boolean((await ctx.aws.cloudtrail.send(new GetTrailStatusCommand({ Name: n.trailName }))).IsLogging) : false;
    if (!logging) {
      push(`cloudtrail:trail/${n.trailName}/logging`, trail ? 'update' : 'create', trail ? false : null, true, `start logging on ${n.trailName}`);
    }
    return changes;
  },

  async apply(ctx: Ctx, change: Change): Promise<void> {
    const n = namesFor(ctx);
    const known = knownAfterApply(ctx, n);
    const after = await resolveLater(change.after, known);
    const alias = keyAlias(n);
    const { address } = change;

    if (address === `kms:${alias}`) {
      await createTrailKey(ctx.aws, alias, n.trailName, JSON.stringify(trailKeyPolicy(n)));
      return;
    }
    if (address.startsWith(`kms:${alias}/`)) {
      const keyId = (await ctx.aws.kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata?.KeyId;
      if (address.endsWith('/key-policy')) {
        await ctx.aws.kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: JSON.stringify(after) }));
      } else {
        await ctx.aws.kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
      }
      return;
    }
    const bucket = /^s3:bucket\/([^/]+)(?:\/(.+))?$/.exec(address);
    if (bucket) {
      const [, name = '', setting] = bucket;
      const answer = name === n.logBucket ? 'steps.org-trail.logBucketName' : 'steps.org-trail.bucketName';
      if (!setting) await createBucket(ctx.aws, name, ctx.region, answer);
      else await SETTINGS[setting as BucketSettingId].write(ctx.aws, name, after);
      return;
    }
    if (address.endsWith('/logging')) {
      await ctx.aws.cloudtrail.send(new StartLoggingCommand({ Name: n.trailName }));
      return;
    }
    const t = after as ReturnType<typeof desiredTrail>;
    const fields = {
      Name: t.Name,
      S3BucketName: t.S3BucketName,
      IsOrganizationTrail: t.IsOrganizationTrail,
      IsMultiRegionTrail: t.IsMultiRegionTrail,
      EnableLogFileValidation: t.LogFileValidationEnabled,
      IncludeGlobalServiceEvents: t.IncludeGlobalServiceEvents,
      KmsKeyId: t.KmsKeyId,
    };
    if (change.action === 'create') {
      try {
        await ctx.aws.cloudtrail.send(new CreateTrailCommand(fields));
        return;
      } catch (err) {
        // Made by an interrupted run: bring it to the planned configuration instead.
        if (!isAwsError(err, 'TrailAlreadyExists')) throw err;
      }
    }
    await ctx.aws.cloudtrail.send(new UpdateTrailCommand(fields));
  },

  async verify(ctx: Ctx): Promise<Finding[]> {
    const n = namesFor(ctx);
    const findings: Finding[] = [];
    const add = (check: string, resource: string, problems: string[], ok: string, fix = 'Run `aws-groundwork apply` to restore it.') =>
      findings.push({
        step: STEP,
        check,
        account: ctx.account,
        resource,
        status: problems.length ? 'fail' : 'pass',
        reason: problems.length ? problems.join('; ') : ok,
        remediation: problems.length ? fix : '',
      });

    const alias = keyAlias(n);
    const key = await findTrailKey(ctx.aws, alias, n.trailName);
    const usableKey = key && !key.orphan ? key : null;
    const org = await describeOrganization(ctx.aws);
    const trail = await currentTrail(ctx.aws, n.trailName);
    const status = trail ? await ctx.aws.cloudtrail.send(new GetTrailStatusCommand({ Name: n.trailName })) : null;

    const noTrail = trail ? [] : [`the trail ${n.trailName} does not exist`];
    add('org-trail.multi-region-logging', `cloudtrail:trail/${n.trailName}`, [
      ...noTrail,
      ...(trail && !trail.IsMultiRegionTrail ? ['the trail covers one region only'] : []),
      ...(trail && !trail.IsOrganizationTrail ? ['the trail is not an organization trail'] : []),
      ...(trail && !status?.IsLogging ? ['the trail is not logging'] : []),
    ], 'a multi-region organization trail is logging');
    add('org-trail.log-file-validation', `cloudtrail:trail/${n.trailName}`, [...noTrail, ...(trail && !trail.LogFileValidationEnabled ? ['log file validation is off'] : [])], 'log file validation is on');
    add('org-trail.kms-encryption', `cloudtrail:trail/${n.trailName}`, [
      ...noTrail,
      ...(trail && (!usableKey || trail.KmsKeyId !== usableKey.arn) ? [`the trail is not encrypted with ${alias}`] : []),
    ], `logs are encrypted with ${alias}`);
    add('org-trail.delivery', `cloudtrail:trail/${n.trailName}`, [
      ...noTrail,
      ...(status?.LatestDeliveryError ? [`CloudTrail reports a delivery error: ${status.LatestDeliveryError}`] : []),
    ], 'CloudTrail reports no delivery error', 'Check the trail bucket policy and the key policy; `aws-groundwork apply` restores both.');

    add('org-trail.key-rotation', `kms:${alias}`, usableKey ? ((await rotationEnabled(ctx.aws, usableKey.keyId)) ? [] : ['key rotation is off']) : [`the key ${alias} does not exist`], 'key rotation is on');
    add('org-trail.key-policy', `kms:${alias}`, usableKey ? (isDeepStrictEqual(await keyPolicy(ctx.aws, usableKey.keyId), trailKeyPolicy(n)) ? [] : ['the key policy differs from the template']) : [`the key ${alias} does not exist`], 'the key policy lets CloudTrail encrypt only for this trail');

    const [logBucket, trailBucket] = desiredBuckets(n, ctx.answers.retentionDays, usableKey?.arn ?? KEY_ARN_LATER, org?.Id ?? ORG_ID_LATER);
    const actual = async (b: NonNullable<typeof logBucket>) => {
      if ((await bucketState(ctx.aws, b.bucket, b.answer)) === 'absent') return null;
      const out: Partial<Record<BucketSettingId, Json>> = {};
      for (const id of Object.keys(b.settings) as BucketSettingId[]) out[id] = await SETTINGS[id].read(ctx.aws, b.bucket);
      return out;
    };
    const differs = (b: NonNullable<typeof logBucket>, have: Partial<Record<BucketSettingId, Json>> | null, ids: BucketSettingId[], say: Record<string, string>) =>
      have === null ? [`the bucket ${b.bucket} does not exist`] : ids.filter((id) => !isDeepStrictEqual(have[id], b.settings[id])).map((id) => say[id] ?? `${id} differs`);

    const trailHave = await actual(trailBucket!);
    const logHave = await actual(logBucket!);
    add('org-trail.trail-bucket-protected', `s3:bucket/${n.trailBucket}`, differs(trailBucket!, trailHave, ['public-access-block', 'ownership-controls', 'policy'], {
      'public-access-block': 'Block Public Access is not fully on',
      'ownership-controls': 'ACLs are not disabled (ownership is not BucketOwnerEnforced)',
      policy: 'the bucket policy differs from the CloudTrail policy',
    }), 'the trail bucket is not public, ACLs are off and its policy admits only this trail');
    add('org-trail.trail-bucket-settings', `s3:bucket/${n.trailBucket}`, differs(trailBucket!, trailHave, ['encryption', 'versioning', 'lifecycle'], {
      encryption: `the bucket is not encrypted with ${alias} (SSE-KMS)`,
      versioning: 'versioning is off',
      lifecycle: 'the lifecycle differs',
    }), `the trail bucket is encrypted with ${alias}, versioned, with its lifecycle`);
    add('org-trail.bucket-access-logging', `s3:bucket/${n.trailBucket}`, differs(trailBucket!, trailHave, ['logging'], { logging: `access logging into ${n.logBucket} is off` }), `access logging goes to ${n.logBucket}`);
    const tlsOnly = (have: Partial<Record<BucketSettingId, Json>> | null, bucket: string) =>
      have && deniesInsecureTransport(have.policy ?? null) ? [] : [`${bucket} accepts requests without TLS`];
    add('org-trail.buckets-deny-http', `s3:bucket/${n.trailBucket}`, [...tlsOnly(trailHave, n.trailBucket), ...tlsOnly(logHave, n.logBucket)], 'both buckets deny requests without TLS');
    add('org-trail.access-log-bucket', `s3:bucket/${n.logBucket}`, differs(logBucket!, logHave, Object.keys(logBucket!.settings) as BucketSettingId[], {}), 'the access-log bucket is private, encrypted, versioned, TLS-only, with its policy and lifecycle');
    return findings;
  },
});
