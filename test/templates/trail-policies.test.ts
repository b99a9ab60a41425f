/**
 * Proves the three policy documents of the organization trail (`templates/trail-bucket-policy.json`,
 * `templates/log-bucket-policy.json`, `templates/trail-key-policy.json`) by evaluating them with the IAM
 * policy simulator, not by snapshot: each case is one request, by CloudTrail, the S3 logging service, an
 * administrator or a stranger, and asks what AWS would decide.
 *
 * Every case that holds in both layouts runs in both: the key and buckets in the management account (no
 * log-archive account), and in a log-archive member account (issue 17) while the trail stays in the
 * management account. The resource's account is the storage account in either, so that the simulator
 * tells a same-account request (where an identity policy alone may allow) from a cross-account one
 * (where the resource policy must allow as well).
 *
 * Two gaps in the simulator (iam-simulate 0.1.x), both handled in `decide`:
 *
 * - `runSimulation` filters the request context against the action's condition keys and only expands a
 *   variable key such as `aws:PrincipalTag/<tag>` when it holds a `/`. `kms:EncryptionContext:aws:cloudtrail:arn`
 *   has none, so it is dropped as "ignored" and every condition on it evaluates as if the key were
 *   absent. Cases that carry that key are therefore validated with `runSimulation` (policy, action,
 *   resource and every other context key) and decided with `runUnsafeSimulation`, the same engine
 *   without the context filter.
 * - The simulator's request context is only what the request hands it: nothing is derived from the
 *   principal, so `aws:PrincipalIsAWSService`, which the trail bucket's deny of writes by anyone but
 *   CloudTrail rests on, would be absent and that deny would never apply. AWS puts the key in the context
 *   of every signed request: `true` when a service principal acts directly (CloudTrail writing a log
 *   file), `false` for an IAM principal, and leaves it out only for an anonymous one. `decide` sets it
 *   that way from the principal (see `signedByWhom`); a case below proves the simulator still needs it.
 */
import { assert, describe, expect, it } from 'vitest';
import { runSimulation, runUnsafeSimulation, type EvaluationResult, type Simulation } from '@cloud-copilot/iam-simulate';
import orgTrail from '../../steps/org-trail/index.js';
import { logBucketPolicy, trailArn, trailBucketPolicy, trailKeyPolicy, type TrailNames } from '../../steps/org-trail/policies.js';

const MANAGEMENT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const LOG_ARCHIVE = '333333333333';
const ORG_ID = 'o-abc123def4';
const REGION = 'us-east-1';

const TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/acme-org-trail';
const OTHER_TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/other';
const FOREIGN_TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:222222222222:trail/acme-org-trail';
/** A trail of the same name that an administrator of log-archive could make there, next to the bucket. */
const ARCHIVE_TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:333333333333:trail/acme-org-trail';

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';
const S3_LOGGING = 'logging.s3.amazonaws.com';
const CONFIG = 'config.amazonaws.com';
/** An administrator of the management account, where the trail is. */
const MANAGEMENT_ADMIN = `arn:aws:iam::${MANAGEMENT}:role/Admin`;
const MALLORY = `arn:aws:iam::${OTHER_ACCOUNT}:user/mallory`;

/** Where the key and both buckets are, and who is there. */
interface Layout {
  where: string;
  names: TrailNames;
  /** An administrator of the storage account (the tool's own role in log-archive). */
  admin: string;
  /** A principal of the storage account without any identity policy. */
  reader: string;
  keyArn: string;
}

function layout(storage: string, where: string, adminRole: string): Layout {
  const suffix = `${storage}-${REGION}`;
  return {
    where,
    names: {
      partition: 'aws',
      region: REGION,
      accountId: MANAGEMENT,
      storageAccountId: storage,
      trailName: 'acme-org-trail',
      trailBucket: `aws-groundwork-trail-${suffix}`,
      logBucket: `aws-groundwork-access-logs-${suffix}`,
    },
    admin: `arn:aws:iam::${storage}:role/${adminRole}`,
    reader: `arn:aws:iam::${storage}:role/LogReader`,
    keyArn: `arn:aws:kms:${REGION}:${storage}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  };
}

const IN_MANAGEMENT = layout(MANAGEMENT, 'the management account', 'Admin');
const IN_LOG_ARCHIVE = layout(LOG_ARCHIVE, 'the log-archive account', 'OrganizationAccountAccessRole');
const LAYOUTS = [IN_MANAGEMENT, IN_LOG_ARCHIVE];

const ALLOW_ALL = (service: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: `${service}:*`, Resource: '*' }],
});

/** The context key the simulator's validating entry point drops (see the file comment). */
const TRAIL_ENCRYPTION_CONTEXT = 'kms:EncryptionContext:aws:cloudtrail:arn';
const isUnfilteredKey = (key: string) => key.toLowerCase() === TRAIL_ENCRYPTION_CONTEXT.toLowerCase();
const PRINCIPAL_IS_AWS_SERVICE = 'aws:PrincipalIsAWSService';

interface Request {
  principal: string;
  action: string;
  resource: string;
  /** The account that owns the resource: the storage account of the layout. */
  account: string;
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
      resource: { resource: r.resource, accountId: r.account },
      contextVariables: r.context,
    },
    identityPolicies: (r.identityPolicies ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
  };
}

/** A service principal is a bare `<name>.amazonaws.com`; an IAM principal is an ARN. */
const isServicePrincipal = (principal: string) => !principal.startsWith('arn:') && principal.endsWith('.amazonaws.com');

/**
 * Request `r` with `aws:PrincipalIsAWSService` as AWS sets it on every signed request, which the
 * simulator does not (see the file comment). A case may set it itself, to ask what a different value does.
 */
function signedByWhom(r: Request): Request {
  if (PRINCIPAL_IS_AWS_SERVICE in r.context) return r;
  return { ...r, context: { ...r.context, [PRINCIPAL_IS_AWS_SERVICE]: String(isServicePrincipal(r.principal)) } };
}

/** What AWS decides for request `r` against the resource policy `policy` of a resource in `r.account`. */
async function decide(policy: Record<string, unknown>, request: Request): Promise<Decision> {
  const r = signedByWhom(request);
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
    'aws:SourceAccount': MANAGEMENT,
    's3:x-amz-acl': 'bucket-owner-full-control',
    ...overrides,
  });

function withoutUndefined(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Where CloudTrail writes a log file of the management account, and one of a member account (log-archive's own events). */
const accountLogFile = (n: TrailNames) =>
  `arn:aws:s3:::${n.trailBucket}/AWSLogs/${MANAGEMENT}/CloudTrail/us-east-1/2024/01/01/${MANAGEMENT}_CloudTrail_us-east-1_20240101T0000Z_a1b2c3.json.gz`;
const orgLogFile = (n: TrailNames) =>
  `arn:aws:s3:::${n.trailBucket}/AWSLogs/${ORG_ID}/${LOG_ARCHIVE}/CloudTrail/us-east-1/2024/01/01/${LOG_ARCHIVE}_CloudTrail_us-east-1_20240101T0000Z_d4e5f6.json.gz`;

/**
 * The S3 permissions the step declares on its buckets once they exist, to read and restore their
 * settings (s3:CreateBucket comes before any bucket policy). Every one is a bucket-level action.
 */
const BUCKET_SETTINGS_PERMISSIONS = [...orgTrail.permissions.read, ...orgTrail.permissions.apply].filter(
  (p) => p.startsWith('s3:') && p !== 's3:CreateBucket',
);

describe('the org-trail policy names', () => {
  it('derive the trail ARN the aws:SourceArn conditions compare with from partition, region, management account and trail name', () => {
    expect(trailArn(IN_MANAGEMENT.names)).toBe(TRAIL_ARN);
  });

  it('keep the trail ARN in the management account when the key and buckets are in log-archive', () => {
    expect(trailArn(IN_LOG_ARCHIVE.names)).toBe(TRAIL_ARN);
  });
});

describe('the simulator', () => {
  it('does not derive aws:PrincipalIsAWSService from the principal, so the requests here carry it as AWS sets it', async () => {
    const n = IN_LOG_ARCHIVE.names;
    const fakeLogFile: Request = {
      principal: IN_LOG_ARCHIVE.admin,
      action: 's3:PutObject',
      resource: accountLogFile(n),
      account: LOG_ARCHIVE,
      context: { ...tls(), 's3:x-amz-acl': 'bucket-owner-full-control' },
      identityPolicies: [ALLOW_ALL('s3')],
    };
    const policy = trailBucketPolicy(n, ORG_ID);
    // Without the key the deny on writes by IAM principals does not apply, and the identity policy allows.
    const bare = await runSimulation(simulation(policy, fakeLogFile), {});
    assert(bare.resultType === 'single');
    expect(bare.overallResult).toBe('Allowed');
    expect((await decide(policy, fakeLogFile)).decision).toBe('ExplicitlyDenied');
  });
});

for (const l of LAYOUTS) {
  const n = l.names;
  const TRAIL_BUCKET_ARN = `arn:aws:s3:::${n.trailBucket}`;
  const LOG_BUCKET_ARN = `arn:aws:s3:::${n.logBucket}`;
  const ACCOUNT_LOG_FILE = accountLogFile(n);
  const ORG_LOG_FILE = orgLogFile(n);
  /** An S3 server access log of the trail bucket: `<target prefix><yyyy-mm-dd-hh-mm-ss>-<unique>`. */
  const ACCESS_LOG_FILE = `${LOG_BUCKET_ARN}/${n.trailBucket}/2024-01-01-00-00-00-0123456789ABCDEF`;
  const storage = n.storageAccountId;

  describe(`the trail bucket policy, evaluated with the bucket in ${l.where}`, () => {
    const policy = trailBucketPolicy(n, ORG_ID);
    const put = (resource: string, context: Record<string, string>, principal = CLOUDTRAIL): Request => ({
      principal,
      action: 's3:PutObject',
      resource,
      account: storage,
      context,
    });
    const byAdmin = (action: string, resource: string, context: Record<string, string> = tls()): Request => ({
      principal: l.admin,
      action,
      resource,
      account: storage,
      context,
      identityPolicies: [ALLOW_ALL('s3')],
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
      {
        does: 'write outside AWSLogs/ in a folder named after the management account',
        resource: `${TRAIL_BUCKET_ARN}/${MANAGEMENT}/CloudTrail/x.json.gz`,
      },
    ];
    if (storage !== MANAGEMENT) {
      notAllowedPrefixes.push({
        does: "write under the bucket's own account prefix (AWSLogs/333333333333/), which is not the trail owner's",
        resource: `${TRAIL_BUCKET_ARN}/AWSLogs/${storage}/CloudTrail/x.json.gz`,
      });
    }
    for (const c of notAllowedPrefixes) {
      it(`does not allow CloudTrail to ${c.does}, even with our trail ARN, TLS and the ACL`, async () => {
        const d = await decide(policy, put(c.resource, cloudTrailPut()));
        expect(d.decision).not.toBe('Allowed');
      });
    }

    const LOG_FILES = [
      { prefix: `AWSLogs/${MANAGEMENT}/`, resource: ACCOUNT_LOG_FILE },
      { prefix: `AWSLogs/${ORG_ID}/`, resource: ORG_LOG_FILE },
    ];
    for (const { prefix, resource } of LOG_FILES) {
      describe(`under ${prefix}`, () => {
        const notAllowed: { does: string; context: Record<string, string> }[] = [
          {
            does: 'write on behalf of another trail of the management account (trail/other)',
            context: cloudTrailPut({ 'aws:SourceArn': OTHER_TRAIL_ARN }),
          },
          {
            does: 'write on behalf of a trail of another account with the same name',
            context: cloudTrailPut({ 'aws:SourceArn': FOREIGN_TRAIL_ARN, 'aws:SourceAccount': OTHER_ACCOUNT }),
          },
          {
            does: 'write on behalf of a trail with the same name in the log-archive account',
            context: cloudTrailPut({ 'aws:SourceArn': ARCHIVE_TRAIL_ARN, 'aws:SourceAccount': LOG_ARCHIVE }),
          },
          { does: 'write without any aws:SourceArn', context: cloudTrailPut({ 'aws:SourceArn': undefined }) },
          { does: 'write without the x-amz-acl header', context: cloudTrailPut({ 's3:x-amz-acl': undefined }) },
          {
            does: 'write with an ACL other than bucket-owner-full-control (private)',
            context: cloudTrailPut({ 's3:x-amz-acl': 'private' }),
          },
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

        it(`explicitly denies an administrator of ${l.where} (s3:* in its identity policy) writing a fake log file, by DenyLogWritesByAnyoneButCloudTrail`, async () => {
          const d = await decide(policy, byAdmin('s3:PutObject', resource, { ...tls(), 's3:x-amz-acl': 'bucket-owner-full-control' }));
          expect(d.decision).toBe('ExplicitlyDenied');
          expect(d.deniedBy).toEqual(['DenyLogWritesByAnyoneButCloudTrail']);
        });
      });
    }

    const aclCheck = (sourceArn: string | undefined, secure = true): Request => ({
      principal: CLOUDTRAIL,
      action: 's3:GetBucketAcl',
      resource: TRAIL_BUCKET_ARN,
      account: storage,
      context: withoutUndefined({ ...tls(secure), 'aws:SourceArn': sourceArn, 'aws:SourceAccount': MANAGEMENT }),
    });

    it('allows CloudTrail to read the bucket ACL for our trail', async () => {
      const d = await decide(policy, aclCheck(TRAIL_ARN));
      expect(d.decision, `denied by ${d.deniedBy.join(', ') || 'nothing'}`).toBe('Allowed');
      expect(d.allowedBy).toEqual(['AWSCloudTrailAclCheck']);
    });

    for (const [which, arn] of [
      ['another trail of the management account (trail/other)', OTHER_TRAIL_ARN],
      ['a trail with the same name in another account', FOREIGN_TRAIL_ARN],
      ['a trail with the same name in the log-archive account', ARCHIVE_TRAIL_ARN],
    ] as const) {
      it(`does not allow CloudTrail to read the bucket ACL for ${which}`, async () => {
        const d = await decide(policy, aclCheck(arn));
        expect(d.decision).not.toBe('Allowed');
      });
    }

    it('does not allow CloudTrail to read the bucket ACL without an aws:SourceArn', async () => {
      const d = await decide(policy, aclCheck(undefined));
      expect(d.decision).not.toBe('Allowed');
    });

    it('explicitly denies CloudTrail reading the bucket ACL without TLS', async () => {
      const d = await decide(policy, aclCheck(TRAIL_ARN, false));
      expect(d.decision).toBe('ExplicitlyDenied');
      expect(d.deniedBy).toEqual(['DenyInsecureTransport']);
    });

    it(`leaves an administrator of ${l.where} (s3:* in its identity policy) able to read a log file over TLS`, async () => {
      const d = await decide(policy, byAdmin('s3:GetObject', ACCOUNT_LOG_FILE));
      expect(d.decision, `denied by ${d.deniedBy.join(', ') || 'nothing'}`).toBe('Allowed');
    });

    it(`explicitly denies even an administrator of ${l.where} reading a log file without TLS`, async () => {
      const d = await decide(policy, byAdmin('s3:GetObject', ACCOUNT_LOG_FILE, tls(false)));
      expect(d.decision).toBe('ExplicitlyDenied');
      expect(d.deniedBy).toEqual(['DenyInsecureTransport']);
    });

    // Object Lock in GOVERNANCE mode lets a version be deleted before its retention ends only by a
    // principal allowed s3:BypassGovernanceRetention (COMPLIANCE lets nobody), so with the bypass denied
    // to everyone no administrator of the bucket's account can delete a log file while the lock holds.
    // That holds as long as this policy stands: the same administrator may s3:PutBucketPolicy (below,
    // the tool needs it), so only COMPLIANCE mode, or an SCP, also stops one who rewrites the policy first.
    const deletions: { action: string; why: string }[] = [
      { action: 's3:DeleteObject', why: 'nor hide it behind a delete marker' },
      { action: 's3:DeleteObjectVersion', why: 'nor delete any version of it' },
      { action: 's3:BypassGovernanceRetention', why: 'the one permission that deletes a version under GOVERNANCE Object Lock' },
    ];
    for (const { action, why } of deletions) {
      it(`explicitly denies an administrator of ${l.where} (s3:* in its identity policy) ${action} on a log file (${why}), by DenyLogDeletion`, async () => {
        const d = await decide(policy, byAdmin(action, ORG_LOG_FILE));
        expect(d.decision).toBe('ExplicitlyDenied');
        expect(d.deniedBy).toEqual(['DenyLogDeletion']);
      });
    }

    it('explicitly denies even CloudTrail deleting a log file, by DenyLogDeletion', async () => {
      const d = await decide(policy, {
        ...put(ACCOUNT_LOG_FILE, cloudTrailPut({ 's3:x-amz-acl': undefined })),
        action: 's3:DeleteObject',
      });
      expect(d.decision).toBe('ExplicitlyDenied');
      expect(d.deniedBy).toEqual(['DenyLogDeletion']);
    });

    for (const action of BUCKET_SETTINGS_PERMISSIONS) {
      it(`leaves an administrator of ${l.where} able to ${action} on the trail bucket, as the tool must to read and restore its settings`, async () => {
        const d = await decide(policy, byAdmin(action, TRAIL_BUCKET_ARN));
        expect(d.decision, `denied by ${d.deniedBy.join(', ') || 'nothing'}`).toBe('Allowed');
      });
    }

    for (const [action, resource] of [
      ['s3:GetObject', ACCOUNT_LOG_FILE],
      ['s3:DeleteObject', ACCOUNT_LOG_FILE],
      ['s3:ListBucket', TRAIL_BUCKET_ARN],
      ['s3:PutBucketPolicy', TRAIL_BUCKET_ARN],
    ] as const) {
      it(`does not allow a user of another account with s3:* in its own policy (mallory) ${action}`, async () => {
        const d = await decide(policy, { ...byAdmin(action, resource), principal: MALLORY });
        expect(d.decision).not.toBe('Allowed');
      });
    }
  });

  describe(`the access-log bucket policy, evaluated with the buckets in ${l.where}`, () => {
    const policy = logBucketPolicy(n);
    const logDelivery = (
      overrides: { resource?: string; principal?: string; context?: Record<string, string | undefined> } = {},
    ): Request => ({
      principal: overrides.principal ?? S3_LOGGING,
      action: 's3:PutObject',
      resource: overrides.resource ?? ACCESS_LOG_FILE,
      account: storage,
      context: withoutUndefined({
        ...tls(),
        'aws:SourceArn': TRAIL_BUCKET_ARN,
        // S3 sets the account that owns the source bucket: the storage account.
        'aws:SourceAccount': storage,
        ...overrides.context,
      }),
    });

    it(`allows the S3 logging service to write access logs of the trail bucket under the trail-bucket prefix, with aws:SourceAccount ${storage}`, async () => {
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
    if (storage !== MANAGEMENT) {
      notAllowed.push({
        does: 'write access logs for a bucket of the management account (aws:SourceAccount 111111111111), as the old layout had',
        request: logDelivery({ context: { 'aws:SourceAccount': MANAGEMENT } }),
      });
    }
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

    for (const action of BUCKET_SETTINGS_PERMISSIONS) {
      it(`leaves an administrator of ${l.where} able to ${action} on the access-log bucket, as the tool must to read and restore its settings`, async () => {
        const d = await decide(policy, {
          principal: l.admin,
          action,
          resource: LOG_BUCKET_ARN,
          account: storage,
          context: tls(),
          identityPolicies: [ALLOW_ALL('s3')],
        });
        expect(d.decision, `denied by ${d.deniedBy.join(', ') || 'nothing'}`).toBe('Allowed');
      });
    }
  });

  describe(`the trail key policy, evaluated with the key in ${l.where}`, () => {
    const policy = trailKeyPolicy(n);
    const cloudTrail = (action: string, context: Record<string, string | undefined>): Request => ({
      principal: CLOUDTRAIL,
      action,
      resource: l.keyArn,
      account: storage,
      context: withoutUndefined({ ...tls(), 'aws:SourceAccount': MANAGEMENT, ...context }),
    });

    it('allows CloudTrail to generate a data key for our trail with the cloudtrail encryption context', async () => {
      const d = await decide(
        policy,
        cloudTrail('kms:GenerateDataKey', { 'aws:SourceArn': TRAIL_ARN, [TRAIL_ENCRYPTION_CONTEXT]: TRAIL_ARN }),
      );
      expect(d.decision).toBe('Allowed');
    });

    const notAllowedDataKeys: { does: string; context: Record<string, string | undefined> }[] = [
      {
        does: 'for another trail of the management account (trail/other)',
        context: { 'aws:SourceArn': OTHER_TRAIL_ARN, [TRAIL_ENCRYPTION_CONTEXT]: OTHER_TRAIL_ARN },
      },
      {
        does: 'for a trail with the same name in another account',
        context: { 'aws:SourceArn': FOREIGN_TRAIL_ARN, 'aws:SourceAccount': OTHER_ACCOUNT, [TRAIL_ENCRYPTION_CONTEXT]: FOREIGN_TRAIL_ARN },
      },
      {
        does: 'for a trail with the same name in the log-archive account',
        context: { 'aws:SourceArn': ARCHIVE_TRAIL_ARN, 'aws:SourceAccount': LOG_ARCHIVE, [TRAIL_ENCRYPTION_CONTEXT]: ARCHIVE_TRAIL_ARN },
      },
      { does: 'for our trail without the cloudtrail encryption context', context: { 'aws:SourceArn': TRAIL_ARN } },
      { does: 'without an aws:SourceArn, even with our encryption context', context: { [TRAIL_ENCRYPTION_CONTEXT]: TRAIL_ARN } },
      {
        does: 'whose encryption context names a trail of another account',
        context: { 'aws:SourceArn': TRAIL_ARN, [TRAIL_ENCRYPTION_CONTEXT]: FOREIGN_TRAIL_ARN },
      },
      {
        does: 'whose encryption context names a trail of the log-archive account',
        context: { 'aws:SourceArn': TRAIL_ARN, [TRAIL_ENCRYPTION_CONTEXT]: ARCHIVE_TRAIL_ARN },
      },
    ];
    for (const c of notAllowedDataKeys) {
      it(`does not allow CloudTrail to generate a data key ${c.does}`, async () => {
        const d = await decide(policy, cloudTrail('kms:GenerateDataKey', c.context));
        expect(d.decision).not.toBe('Allowed');
      });
    }

    it('allows CloudTrail to describe the key for our trail', async () => {
      const d = await decide(policy, cloudTrail('kms:DescribeKey', { 'aws:SourceArn': TRAIL_ARN }));
      expect(d.decision).toBe('Allowed');
      expect(d.allowedBy).toEqual(['AllowCloudTrailDescribeKey']);
    });

    it('does not allow CloudTrail to describe the key for another trail (trail/other)', async () => {
      const d = await decide(policy, cloudTrail('kms:DescribeKey', { 'aws:SourceArn': OTHER_TRAIL_ARN }));
      expect(d.decision).not.toBe('Allowed');
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
      resource: l.keyArn,
      account: storage,
      context: { ...tls(), 'kms:CallerAccount': principal.split(':')[4] as string, ...context },
      identityPolicies,
    });

    for (const action of ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:EnableKeyRotation']) {
      it(`lets an administrator of ${l.where} (kms:* in its identity policy) keep control of the key: ${action} is allowed`, async () => {
        const d = await decide(policy, iam(l.admin, action, [ALLOW_ALL('kms')]));
        expect(d.decision, `denied by ${d.deniedBy.join(', ') || 'nothing'}`).toBe('Allowed');
      });
    }

    it(`owes that control to EnableAccountAdministration (kms:* for the root of ${l.where}): without it, its administrator is not allowed kms:PutKeyPolicy`, async () => {
      const statements = policy.Statement as { Sid?: string; Principal?: unknown; Action?: unknown }[];
      const admin = statements.find((s) => s.Sid === 'EnableAccountAdministration');
      expect(admin).toMatchObject({ Principal: { AWS: `arn:aws:iam::${storage}:root` }, Action: 'kms:*' });
      const lockedOut = { ...policy, Statement: statements.filter((s) => s.Sid !== 'EnableAccountAdministration') };
      const d = await decide(lockedOut, iam(l.admin, 'kms:PutKeyPolicy', [ALLOW_ALL('kms')]));
      expect(d.decision).not.toBe('Allowed');
    });

    it(`allows a principal of ${l.where} without any identity policy to decrypt trail log files (cloudtrail encryption context)`, async () => {
      const d = await decide(policy, iam(l.reader, 'kms:Decrypt', [], { [TRAIL_ENCRYPTION_CONTEXT]: TRAIL_ARN }));
      expect(d.decision).toBe('Allowed');
    });

    it(`does not allow a principal of ${l.where} to decrypt with the key outside the cloudtrail encryption context`, async () => {
      const d = await decide(policy, iam(l.reader, 'kms:Decrypt', []));
      expect(d.decision).not.toBe('Allowed');
    });

    it(`does not allow a principal of ${l.where} to decrypt what the key encrypted for a trail of another account`, async () => {
      const d = await decide(policy, iam(l.reader, 'kms:Decrypt', [], { [TRAIL_ENCRYPTION_CONTEXT]: FOREIGN_TRAIL_ARN }));
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
}

// The management account's own principals, with their own credentials. One that assumes
// OrganizationAccountAccessRole in log-archive is an administrator of log-archive, as above.
describe('with the key and buckets in log-archive, the management account', () => {
  const n = IN_LOG_ARCHIVE.names;
  const TRAIL_BUCKET_ARN = `arn:aws:s3:::${n.trailBucket}`;
  const byManagementAdmin = (action: string, resource: string, policies: Record<string, unknown>[], context = {}): Request => ({
    principal: MANAGEMENT_ADMIN,
    action,
    resource,
    account: LOG_ARCHIVE,
    context: { ...tls(), ...context },
    identityPolicies: policies,
  });

  describe('in the trail bucket policy', () => {
    const policy = trailBucketPolicy(n, ORG_ID);
    const cases: { does: string; action: string; resource: string; context?: Record<string, string> }[] = [
      { does: 'read a log file', action: 's3:GetObject', resource: accountLogFile(n) },
      {
        does: 'write a log file, even with the ACL',
        action: 's3:PutObject',
        resource: accountLogFile(n),
        context: { 's3:x-amz-acl': 'bucket-owner-full-control' },
      },
      { does: 'delete a log file', action: 's3:DeleteObject', resource: orgLogFile(n) },
      { does: 'delete a version of a log file', action: 's3:DeleteObjectVersion', resource: orgLogFile(n) },
      { does: 'list the logs', action: 's3:ListBucket', resource: TRAIL_BUCKET_ARN },
      { does: 'rewrite the bucket policy', action: 's3:PutBucketPolicy', resource: TRAIL_BUCKET_ARN },
      { does: 'suspend versioning', action: 's3:PutBucketVersioning', resource: TRAIL_BUCKET_ARN },
      { does: 'shorten the lifecycle', action: 's3:PutLifecycleConfiguration', resource: TRAIL_BUCKET_ARN },
    ];
    for (const c of cases) {
      it(`does not let an administrator of the management account (s3:* in its identity policy) ${c.does} (${c.action})`, async () => {
        const d = await decide(policy, byManagementAdmin(c.action, c.resource, [ALLOW_ALL('s3')], c.context));
        expect(d.decision).not.toBe('Allowed');
      });
    }
  });

  describe('in the trail key policy', () => {
    const policy = trailKeyPolicy(n);
    const kms = (action: string, policies: Record<string, unknown>[], context: Record<string, string> = {}) =>
      byManagementAdmin(action, IN_LOG_ARCHIVE.keyArn, policies, { 'kms:CallerAccount': MANAGEMENT, ...context });

    it('may decrypt with the key, because whoever creates or updates a trail whose bucket uses an S3 Bucket Key needs kms:Decrypt (CloudTrail user guide)', async () => {
      const d = await decide(policy, kms('kms:Decrypt', [ALLOW_ALL('kms')]));
      expect(d.decision, `denied by ${d.deniedBy.join(', ') || 'nothing'}`).toBe('Allowed');
      expect(d.allowedBy).toEqual(['AllowTrailOwnerToValidateTheBucketKey']);
    });

    it('may decrypt only where its own IAM policies allow too: the key policy trusts the account, not each of its principals', async () => {
      const d = await decide(policy, kms('kms:Decrypt', []));
      expect(d.decision).not.toBe('Allowed');
    });

    for (const action of [
      'kms:PutKeyPolicy',
      'kms:ScheduleKeyDeletion',
      'kms:DisableKey',
      'kms:DisableKeyRotation',
      'kms:CreateGrant',
      'kms:GenerateDataKey',
    ]) {
      it(`cannot ${action} even with kms:* in its identity policy, so the key is out of the management account's reach`, async () => {
        const d = await decide(policy, kms(action, [ALLOW_ALL('kms')]));
        expect(d.decision).not.toBe('Allowed');
      });
    }
  });
});
