/**
 * Proves the three policy documents of the organization trail (`templates/trail-bucket-policy.json`,
 * `templates/log-bucket-policy.json`, `templates/trail-key-policy.json`) by evaluating them with the IAM
 * policy simulator, not by snapshot: each case is one request, by CloudTrail, the S3 logging service, an
 * administrator or a stranger, and asks what AWS would decide.
 *
 * One gap in the simulator: `runSimulation` (iam-simulate 0.1.x) filters the request context against the
 * action's condition keys and only expands a variable key such as `aws:PrincipalTag/<tag>` when it holds a
 * `/`. `kms:EncryptionContext:aws:cloudtrail:arn` has none, so it is dropped as "ignored" and every
 * condition on it evaluates as if the key were absent. Cases that carry that key are therefore validated
 * with `runSimulation` (policy, action, resource and every other context key) and decided with
 * `runUnsafeSimulation`, the same engine without the context filter; see `decide`.
 */
import { assert, describe, expect, it } from 'vitest';
import { runSimulation, runUnsafeSimulation, type EvaluationResult, type Simulation } from '@cloud-copilot/iam-simulate';
import { logBucketPolicy, trailArn, trailBucketPolicy, trailKeyPolicy, type TrailNames } from '../../steps/org-trail/policies.js';

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const ORG_ID = 'o-abc123def4';
const NAMES: TrailNames = {
  partition: 'aws',
  region: 'us-east-1',
  accountId: ACCOUNT,
  trailName: 'acme-org-trail',
  trailBucket: 'aws-groundwork-trail-111111111111-us-east-1',
  logBucket: 'aws-groundwork-access-logs-111111111111-us-east-1',
};

const TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/acme-org-trail';
const OTHER_TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/other';
const FOREIGN_TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:222222222222:trail/acme-org-trail';
const TRAIL_BUCKET_ARN = `arn:aws:s3:::${NAMES.trailBucket}`;
const LOG_BUCKET_ARN = `arn:aws:s3:::${NAMES.logBucket}`;
const KEY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';
const S3_LOGGING = 'logging.s3.amazonaws.com';
const CONFIG = 'config.amazonaws.com';
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/Admin`;
const READER = `arn:aws:iam::${ACCOUNT}:role/LogReader`;
const MALLORY = `arn:aws:iam::${OTHER_ACCOUNT}:user/mallory`;

const ALLOW_ALL = (service: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: `${service}:*`, Resource: '*' }],
});

/** Where CloudTrail writes a log file of the management account, and one of a member account. */
const ACCOUNT_LOG_FILE = `${TRAIL_BUCKET_ARN}/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2024/01/01/${ACCOUNT}_CloudTrail_us-east-1_20240101T0000Z_a1b2c3.json.gz`;
const ORG_LOG_FILE = `${TRAIL_BUCKET_ARN}/AWSLogs/${ORG_ID}/333333333333/CloudTrail/us-east-1/2024/01/01/333333333333_CloudTrail_us-east-1_20240101T0000Z_d4e5f6.json.gz`;
/** An S3 server access log of the trail bucket: `<target prefix><yyyy-mm-dd-hh-mm-ss>-<unique>`. */
const ACCESS_LOG_FILE = `${LOG_BUCKET_ARN}/${NAMES.trailBucket}/2024-01-01-00-00-00-0123456789ABCDEF`;

/** The context key the simulator's validating entry point drops (see the file comment). */
const TRAIL_ENCRYPTION_CONTEXT = 'kms:EncryptionContext:aws:cloudtrail:arn';
const isUnfilteredKey = (key: string) => key.toLowerCase() === TRAIL_ENCRYPTION_CONTEXT.toLowerCase();

interface Request {
  principal: string;
  action: string;
  resource: string;
  context: Record<string, string>;
  /** Identity policies of an IAM principal; service principals have none. */
  identityPolicies?: Record<string, unknown>[];
}

interface Decision {
  decision: EvaluationResult;
  /** Sids of the resource-policy statements that allowed / explicitly denied the request. */
  allowedBy: string[];
  deniedBy: string[];
}

function simulation(resourcePolicy: unknown, r: Request): Simulation {
  return {
    request: {
      principal: r.principal,
      action: r.action,
      resource: { resource: r.resource, accountId: ACCOUNT },
      contextVariables: r.context,
    },
    identityPolicies: (r.identityPolicies ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
  };
}

/** What AWS decides for request `r` against the resource policy `policy` of a resource in ACCOUNT. */
async function decide(policy: Record<string, unknown>, r: Request): Promise<Decision> {
  const sim = await runSimulation(simulation(policy, r), {});
  // A validation error (bad ARN for the action, unknown action, invalid policy) must never pass as a denial.
  assert(
    sim.resultType !== 'error',
    `simulation of ${r.action} on ${r.resource} did not run:\n${sim.resultType === 'error' ? JSON.stringify(sim.errors, null, 2) : ''}`,
  );
  assert(sim.resultType === 'single', `expected one simulation for the concrete resource ${r.resource}, got ${sim.resultType}`);

  // A context key the simulator dropped would make its condition evaluate as absent: only the known gap may be dropped.
  const ignored = sim.result.ignoredContextKeys ?? [];
  expect(
    ignored.filter((k) => !isUnfilteredKey(k)),
    `context keys ignored for ${r.action}`,
  ).toEqual([]);

  const sids = (statements: { statement: { sid(): string | undefined } }[] | undefined) =>
    (statements ?? []).map((s) => s.statement.sid() ?? '?');
  const analysis = sim.result.analysis;
  const validated: Decision = {
    decision: sim.overallResult,
    allowedBy: sids(analysis.resourceAnalysis?.allowStatements),
    deniedBy: sids(analysis.resourceAnalysis?.denyStatements),
  };
  if (ignored.length === 0) return validated;

  // Same input, evaluated without the context filter. The resource policy is handed over in the
  // `ValidatedPolicy` shape of @cloud-copilot/iam-policy (which runSimulation also accepts) because
  // runUnsafeSimulation loads a plain resource policy without a name and then fails reading it.
  const unsafe = (context: Record<string, string>) =>
    runUnsafeSimulation(
      simulation({ __validated: true, policyDocument: policy, metadata: { name: 'resource-policy' }, errors: [] }, { ...r, context }),
      {},
    );
  // Both entry points must agree on the request as the validating one saw it, else the second proves nothing.
  const withoutDropped = Object.fromEntries(Object.entries(r.context).filter(([k]) => !isUnfilteredKey(k)));
  expect(unsafe(withoutDropped), 'runUnsafeSimulation disagrees with runSimulation on the validated context').toBe(validated.decision);
  // Statement attribution is not available from runUnsafeSimulation, only the decision.
  return { decision: unsafe(r.context), allowedBy: [], deniedBy: [] };
}

/** The context of a request made over TLS, or not. */
const tls = (secure = true) => ({ 'aws:SecureTransport': String(secure) });

/** What CloudTrail sends when our trail delivers a log file. */
const cloudTrailPut = (overrides: Record<string, string | undefined> = {}): Record<string, string> =>
  withoutUndefined({
    ...tls(),
    'aws:SourceArn': TRAIL_ARN,
    'aws:SourceAccount': ACCOUNT,
    's3:x-amz-acl': 'bucket-owner-full-control',
    ...overrides,
  });

function withoutUndefined(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined));
}

describe('the org-trail policy names', () => {
  it('derive the trail ARN the aws:SourceArn conditions compare with from partition, region, account and trail name', () => {
    expect(trailArn(NAMES)).toBe(TRAIL_ARN);
  });
});

describe('the trail bucket policy, evaluated', () => {
  const policy = trailBucketPolicy(NAMES, ORG_ID);
  const put = (resource: string, context: Record<string, string>, principal = CLOUDTRAIL): Request => ({
    principal,
    action: 's3:PutObject',
    resource,
    context,
  });

  it('allows CloudTrail to write a log file of the management account under AWSLogs/111111111111/', async () => {
    const d = await decide(policy, put(ACCOUNT_LOG_FILE, cloudTrailPut()));
    expect(d.decision, `denied by ${d.deniedBy.join(', ') || 'nothing'}`).toBe('Allowed');
    expect(d.allowedBy).toEqual(['AWSCloudTrailWriteAccount']);
  });

  it('allows CloudTrail to write a log file of a member account under AWSLogs/o-abc123def4/', async () => {
    const d = await decide(policy, put(ORG_LOG_FILE, cloudTrailPut()));
    expect(d.decision, `denied by ${d.deniedBy.join(', ') || 'nothing'}`).toBe('Allowed');
    expect(d.allowedBy).toEqual(['AWSCloudTrailWriteOrganization']);
  });

  const notAllowedPrefixes: { does: string; resource: string }[] = [
    {
      does: 'write under the prefix of another account (AWSLogs/222222222222/)',
      resource: `${TRAIL_BUCKET_ARN}/AWSLogs/${OTHER_ACCOUNT}/CloudTrail/x.json.gz`,
    },
    {
      does: 'write under the prefix of another organization (AWSLogs/o-zzz999zzz9/)',
      resource: `${TRAIL_BUCKET_ARN}/AWSLogs/o-zzz999zzz9/x.json.gz`,
    },
    { does: 'write at the bucket root', resource: `${TRAIL_BUCKET_ARN}/x.json.gz` },
    { does: 'write outside AWSLogs/ in a folder named after the account', resource: `${TRAIL_BUCKET_ARN}/${ACCOUNT}/CloudTrail/x.json.gz` },
  ];
  for (const c of notAllowedPrefixes) {
    it(`does not allow CloudTrail to ${c.does}, even with our trail ARN, TLS and the ACL`, async () => {
      const d = await decide(policy, put(c.resource, cloudTrailPut()));
      expect(d.decision).not.toBe('Allowed');
    });
  }

  const LOG_FILES = [
    { prefix: `AWSLogs/${ACCOUNT}/`, resource: ACCOUNT_LOG_FILE },
    { prefix: `AWSLogs/${ORG_ID}/`, resource: ORG_LOG_FILE },
  ];
  for (const { prefix, resource } of LOG_FILES) {
    describe(`under ${prefix}`, () => {
      const notAllowed: { does: string; context: Record<string, string> }[] = [
        {
          does: 'write on behalf of another trail of the account (trail/other)',
          context: cloudTrailPut({ 'aws:SourceArn': OTHER_TRAIL_ARN }),
        },
        {
          does: 'write on behalf of a trail of another account with the same name',
          context: cloudTrailPut({ 'aws:SourceArn': FOREIGN_TRAIL_ARN, 'aws:SourceAccount': OTHER_ACCOUNT }),
        },
        { does: 'write without any aws:SourceArn', context: cloudTrailPut({ 'aws:SourceArn': undefined }) },
        { does: 'write without the x-amz-acl header', context: cloudTrailPut({ 's3:x-amz-acl': undefined }) },
        { does: 'write with an ACL other than bucket-owner-full-control (private)', context: cloudTrailPut({ 's3:x-amz-acl': 'private' }) },
      ];
      for (const c of notAllowed) {
        it(`does not allow CloudTrail to ${c.does}`, async () => {
          const d = await decide(policy, put(resource, c.context));
          expect(d.decision).not.toBe('Allowed');
        });
      }

      it('explicitly denies CloudTrail writing a log file without TLS (aws:SecureTransport false), by DenyInsecureTransport', async () => {
        const d = await decide(policy, put(resource, cloudTrailPut(tls(false))));
        expect(d.decision).toBe('ExplicitlyDenied');
        expect(d.deniedBy).toEqual(['DenyInsecureTransport']);
      });

      it('does not allow another service (config.amazonaws.com) to write a log file, even with our trail ARN, TLS and the ACL', async () => {
        const d = await decide(policy, put(resource, cloudTrailPut(), CONFIG));
        expect(d.decision).not.toBe('Allowed');
      });

      it('does not allow a user of another account with s3:* in its own policy (mallory) to write a log file', async () => {
        const d = await decide(policy, {
          ...put(resource, cloudTrailPut({ 'aws:SourceArn': undefined, 'aws:SourceAccount': undefined }), MALLORY),
          identityPolicies: [ALLOW_ALL('s3')],
        });
        expect(d.decision).not.toBe('Allowed');
      });
    });
  }

  const aclCheck = (sourceArn: string | undefined, secure = true): Request => ({
    principal: CLOUDTRAIL,
    action: 's3:GetBucketAcl',
    resource: TRAIL_BUCKET_ARN,
    context: withoutUndefined({ ...tls(secure), 'aws:SourceArn': sourceArn, 'aws:SourceAccount': ACCOUNT }),
  });

  it('allows CloudTrail to read the bucket ACL for our trail', async () => {
    const d = await decide(policy, aclCheck(TRAIL_ARN));
    expect(d.decision, `denied by ${d.deniedBy.join(', ') || 'nothing'}`).toBe('Allowed');
    expect(d.allowedBy).toEqual(['AWSCloudTrailAclCheck']);
  });

  it('does not allow CloudTrail to read the bucket ACL for another trail (trail/other)', async () => {
    const d = await decide(policy, aclCheck(OTHER_TRAIL_ARN));
    expect(d.decision).not.toBe('Allowed');
  });

  it('does not allow CloudTrail to read the bucket ACL without an aws:SourceArn', async () => {
    const d = await decide(policy, aclCheck(undefined));
    expect(d.decision).not.toBe('Allowed');
  });

  it('explicitly denies CloudTrail reading the bucket ACL without TLS', async () => {
    const d = await decide(policy, aclCheck(TRAIL_ARN, false));
    expect(d.decision).toBe('ExplicitlyDenied');
    expect(d.deniedBy).toEqual(['DenyInsecureTransport']);
  });

  it("leaves the account's own administrator (s3:* in its identity policy) able to read a log file over TLS", async () => {
    const d = await decide(policy, {
      principal: ADMIN,
      action: 's3:GetObject',
      resource: ACCOUNT_LOG_FILE,
      context: tls(),
      identityPolicies: [ALLOW_ALL('s3')],
    });
    expect(d.decision, `denied by ${d.deniedBy.join(', ') || 'nothing'}`).toBe('Allowed');
  });

  it("explicitly denies even the account's own administrator reading a log file without TLS", async () => {
    const d = await decide(policy, {
      principal: ADMIN,
      action: 's3:GetObject',
      resource: ACCOUNT_LOG_FILE,
      context: tls(false),
      identityPolicies: [ALLOW_ALL('s3')],
    });
    expect(d.decision).toBe('ExplicitlyDenied');
    expect(d.deniedBy).toEqual(['DenyInsecureTransport']);
  });
});

describe('the access-log bucket policy, evaluated', () => {
  const policy = logBucketPolicy(NAMES);
  const logDelivery = (
    overrides: { resource?: string; principal?: string; context?: Record<string, string | undefined> } = {},
  ): Request => ({
    principal: overrides.principal ?? S3_LOGGING,
    action: 's3:PutObject',
    resource: overrides.resource ?? ACCESS_LOG_FILE,
    context: withoutUndefined({
      ...tls(),
      'aws:SourceArn': TRAIL_BUCKET_ARN,
      'aws:SourceAccount': ACCOUNT,
      ...overrides.context,
    }),
  });

  it('allows the S3 logging service to write access logs of the trail bucket under the trail-bucket prefix', async () => {
    const d = await decide(policy, logDelivery());
    expect(d.decision, `denied by ${d.deniedBy.join(', ') || 'nothing'}`).toBe('Allowed');
    expect(d.allowedBy).toEqual(['S3ServerAccessLogs']);
  });

  const notAllowed: { does: string; request: Request }[] = [
    {
      does: 'write access logs of another source bucket',
      request: logDelivery({ context: { 'aws:SourceArn': 'arn:aws:s3:::some-other-bucket' } }),
    },
    {
      does: 'write access logs of the log bucket itself',
      request: logDelivery({ context: { 'aws:SourceArn': LOG_BUCKET_ARN } }),
    },
    {
      does: 'write access logs for another source account',
      request: logDelivery({ context: { 'aws:SourceAccount': OTHER_ACCOUNT } }),
    },
    {
      does: 'write access logs without aws:SourceAccount',
      request: logDelivery({ context: { 'aws:SourceAccount': undefined } }),
    },
    {
      does: 'write access logs outside the trail-bucket prefix (at the log bucket root)',
      request: logDelivery({ resource: `${LOG_BUCKET_ARN}/2024-01-01-00-00-00-0123456789ABCDEF` }),
    },
    {
      does: 'write access logs under the prefix of another bucket',
      request: logDelivery({ resource: `${LOG_BUCKET_ARN}/some-other-bucket/2024-01-01-00-00-00-0123456789ABCDEF` }),
    },
  ];
  for (const c of notAllowed) {
    it(`does not allow the S3 logging service to ${c.does}`, async () => {
      const d = await decide(policy, c.request);
      expect(d.decision).not.toBe('Allowed');
    });
  }

  it('does not allow another S3 feature acting for the trail bucket (s3.amazonaws.com, as for inventory reports) to write under the prefix', async () => {
    const d = await decide(policy, logDelivery({ principal: 's3.amazonaws.com' }));
    expect(d.decision).not.toBe('Allowed');
  });

  it('does not allow CloudTrail to write into the access-log bucket', async () => {
    const d = await decide(policy, logDelivery({ principal: CLOUDTRAIL, context: { 'aws:SourceArn': TRAIL_ARN } }));
    expect(d.decision).not.toBe('Allowed');
  });

  it('explicitly denies the S3 logging service writing access logs without TLS, by DenyInsecureTransport', async () => {
    const d = await decide(policy, logDelivery({ context: tls(false) }));
    expect(d.decision).toBe('ExplicitlyDenied');
    expect(d.deniedBy).toEqual(['DenyInsecureTransport']);
  });
});

describe('the trail key policy, evaluated', () => {
  const policy = trailKeyPolicy(NAMES);
  const cloudTrail = (action: string, context: Record<string, string | undefined>): Request => ({
    principal: CLOUDTRAIL,
    action,
    resource: KEY_ARN,
    context: withoutUndefined({ ...tls(), 'aws:SourceAccount': ACCOUNT, ...context }),
  });
  /** An IAM principal's request; KMS sets kms:CallerAccount to the caller's account on every request. */
  const iam = (
    principal: string,
    action: string,
    identityPolicies: Record<string, unknown>[],
    context: Record<string, string> = {},
  ): Request => ({
    principal,
    action,
    resource: KEY_ARN,
    context: { ...tls(), 'kms:CallerAccount': principal.split(':')[4] as string, ...context },
    identityPolicies,
  });

  it('allows CloudTrail to generate a data key for our trail with the cloudtrail encryption context', async () => {
    const d = await decide(
      policy,
      cloudTrail('kms:GenerateDataKey', { 'aws:SourceArn': TRAIL_ARN, [TRAIL_ENCRYPTION_CONTEXT]: TRAIL_ARN }),
    );
    expect(d.decision).toBe('Allowed');
  });

  it('does not allow CloudTrail to generate a data key for another trail (trail/other)', async () => {
    const d = await decide(
      policy,
      cloudTrail('kms:GenerateDataKey', { 'aws:SourceArn': OTHER_TRAIL_ARN, [TRAIL_ENCRYPTION_CONTEXT]: OTHER_TRAIL_ARN }),
    );
    expect(d.decision).not.toBe('Allowed');
  });

  it('does not allow CloudTrail to generate a data key for our trail without the cloudtrail encryption context', async () => {
    const d = await decide(policy, cloudTrail('kms:GenerateDataKey', { 'aws:SourceArn': TRAIL_ARN }));
    expect(d.decision).not.toBe('Allowed');
  });

  it('does not allow CloudTrail to generate a data key whose encryption context names a trail of another account', async () => {
    const d = await decide(
      policy,
      cloudTrail('kms:GenerateDataKey', { 'aws:SourceArn': TRAIL_ARN, [TRAIL_ENCRYPTION_CONTEXT]: FOREIGN_TRAIL_ARN }),
    );
    expect(d.decision).not.toBe('Allowed');
  });

  it('allows CloudTrail to describe the key for our trail', async () => {
    const d = await decide(policy, cloudTrail('kms:DescribeKey', { 'aws:SourceArn': TRAIL_ARN }));
    expect(d.decision).toBe('Allowed');
    expect(d.allowedBy).toEqual(['AllowCloudTrailDescribeKey']);
  });

  it('does not allow CloudTrail to describe the key for another trail (trail/other)', async () => {
    const d = await decide(policy, cloudTrail('kms:DescribeKey', { 'aws:SourceArn': OTHER_TRAIL_ARN }));
    expect(d.decision).not.toBe('Allowed');
  });

  for (const action of ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:EnableKeyRotation']) {
    it(`lets the account administrator (role/Admin with kms:* in its identity policy) keep control: ${action} is allowed`, async () => {
      const d = await decide(policy, iam(ADMIN, action, [ALLOW_ALL('kms')]));
      expect(d.decision, `denied by ${d.deniedBy.join(', ') || 'nothing'}`).toBe('Allowed');
    });
  }

  it('owes that control to EnableAccountAdministration: without it, role/Admin is not allowed kms:PutKeyPolicy', async () => {
    const statements = policy.Statement as { Sid?: string }[];
    expect(statements.map((s) => s.Sid)).toContain('EnableAccountAdministration');
    const lockedOut = { ...policy, Statement: statements.filter((s) => s.Sid !== 'EnableAccountAdministration') };
    const d = await decide(lockedOut, iam(ADMIN, 'kms:PutKeyPolicy', [ALLOW_ALL('kms')]));
    expect(d.decision).not.toBe('Allowed');
  });

  it('allows a principal of the account without any identity policy to decrypt trail log files (cloudtrail encryption context)', async () => {
    const d = await decide(policy, iam(READER, 'kms:Decrypt', [], { [TRAIL_ENCRYPTION_CONTEXT]: TRAIL_ARN }));
    expect(d.decision).toBe('Allowed');
  });

  it('does not allow a principal of the account to decrypt with the key outside the cloudtrail encryption context', async () => {
    const d = await decide(policy, iam(READER, 'kms:Decrypt', []));
    expect(d.decision).not.toBe('Allowed');
  });

  it('does not allow a user of another account with kms:* in its own policy (mallory) to decrypt trail log files', async () => {
    const d = await decide(policy, iam(MALLORY, 'kms:Decrypt', [ALLOW_ALL('kms')], { [TRAIL_ENCRYPTION_CONTEXT]: TRAIL_ARN }));
    expect(d.decision).not.toBe('Allowed');
  });

  it('does not allow a user of another account with kms:* in its own policy (mallory) to change the key policy', async () => {
    const d = await decide(policy, iam(MALLORY, 'kms:PutKeyPolicy', [ALLOW_ALL('kms')]));
    expect(d.decision).not.toBe('Allowed');
  });
});
