/**
 * Proves the guardrails (`steps/guardrails/policies.ts`, `templates/guardrails/*.json`) by evaluating them
 * with the IAM policy simulator (@cloud-copilot/iam-simulate), not by snapshot: each case is one request by
 * a member administrator, a member's root user, a root privileged-task session or the tool's own role,
 * and asks what AWS would decide with the guardrails attached where they belong.
 *
 * The organization is modelled as Organizations builds it: a root, an OU and the account, each holding
 * FullAWSAccess (SCPs are an allow-list at every level), our root SCPs at the root and an account's own
 * at the account (log-archive's in log-archive, no-access-keys in prod); our RCP at the root (the
 * simulator adds RCPFullAWSAccess itself). Every request is in a member: that SCPs and RCPs never reach
 * the management account is Organizations' rule, which no simulation can show.
 *
 * Gaps in the simulator (iam-simulate 0.1.x), handled in `decide`:
 *
 * - It derives no context key from the principal. `aws:PrincipalArn`, which every exemption here rests on,
 *   is set as AWS sets it on every signed request: the role's ARN (not the session's) for a role session,
 *   the account's root ARN for the root user and for a root session; `aws:AssumedRoot` is `true` only in
 *   a root session (sts:AssumeRoot). A case below proves the simulator needs `aws:PrincipalArn`.
 *   `aws:SecureTransport` is `true` (the SDK and the console use TLS) unless a case says otherwise.
 * - It has no resource type for the root user in IAM's user actions: root acting on its own credentials
 *   is evaluated on a user of the same account. No guardrail names an IAM resource (those statements say
 *   `Resource: "*"`), so the decision does not depend on which.
 * - A KMS key request needs the key policy (KMS trusts an account's IAM policies only through it), so key
 *   requests carry org-trail's own key policy, and bucket requests their bucket policies: the requests
 *   the tool makes meet exactly those documents.
 */
import { assert, describe, expect, it } from 'vitest';
import { runSimulation, type EvaluationResult } from '@cloud-copilot/iam-simulate';
import { MEMBER_ROLE } from '../../src/aws/session.js';
import { REGISTRY } from '../../src/registry.js';
import orgTrail from '../../steps/org-trail/index.js';
import { logBucketPolicy, trailBucketPolicy, trailKeyPolicy, type TrailNames } from '../../steps/org-trail/policies.js';
import rootCredentials from '../../steps/root-credentials/index.js';
import {
  GUARDRAIL_CHECK_IDS,
  MAX_POLICY_CHARS,
  guardrails,
  policyText,
  type Guardrail,
  type GuardrailInputs,
  type GuardrailTarget,
} from '../../steps/guardrails/policies.js';

const MANAGEMENT = '111111111111';
const ORG_ID = 'o-abc123def4';
const HOME = 'eu-west-1';
/** Where IAM, Organizations, the Account API and STS's global endpoint are signed. */
const GLOBAL_REGION = 'us-east-1';

/** A member account and the guardrail targets it is at the account level (the root's apply to all). */
interface Member {
  id: string;
  name: string;
  targets: GuardrailTarget[];
}
const DEV: Member = { id: '222222222222', name: 'dev', targets: [] };
const LOG_ARCHIVE: Member = { id: '333333333333', name: 'log-archive', targets: ['log-archive'] };
const PROD: Member = { id: '444444444444', name: 'prod', targets: ['no-access-keys'] };
const MEMBERS = [DEV, PROD, LOG_ARCHIVE];
/** A partner's account outside the organization: no SCP of ours reaches its principals. */
const OUTSIDER = '555555555555';

/** The trail's storage as org-trail makes it in log-archive, with its default names. */
const NAMES: TrailNames = {
  partition: 'aws',
  region: HOME,
  accountId: MANAGEMENT,
  storageAccountId: LOG_ARCHIVE.id,
  trailName: 'acme-org-trail',
  trailBucket: `aws-groundwork-trail-${LOG_ARCHIVE.id}-${HOME}`,
  logBucket: `aws-groundwork-access-logs-${LOG_ARCHIVE.id}-${HOME}`,
};
const KEY_ARN = `arn:aws:kms:${HOME}:${LOG_ARCHIVE.id}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ALIAS_ARN = `arn:aws:kms:${HOME}:${LOG_ARCHIVE.id}:alias/aws-groundwork/${NAMES.trailName}`;
const BUCKETS = [
  { what: 'trail bucket', arn: `arn:aws:s3:::${NAMES.trailBucket}`, policy: trailBucketPolicy(NAMES, ORG_ID) },
  { what: 'access-log bucket', arn: `arn:aws:s3:::${NAMES.logBucket}`, policy: logBucketPolicy(NAMES) },
];
const LOG_FILE = `arn:aws:s3:::${NAMES.trailBucket}/AWSLogs/${ORG_ID}/${DEV.id}/CloudTrail/${HOME}/2024/01/01/${DEV.id}_CloudTrail_${HOME}_20240101T0000Z_a1b2c3.json.gz`;
const ACCESS_LOG_FILE = `arn:aws:s3:::${NAMES.logBucket}/${NAMES.trailBucket}/2024-01-01-00-00-00-0123456789ABCDEF`;

const inputs = (allowedRegions: string[]): GuardrailInputs => ({
  partition: 'aws',
  adminRole: MEMBER_ROLE,
  logArchive: { accountId: LOG_ARCHIVE.id, trailBucket: NAMES.trailBucket, logBucket: NAMES.logBucket },
  allowedRegions,
});
/** The default guardrails: the region allow-list is off. */
const DEFAULTS = guardrails(inputs([]));
/** Every guardrail on, with an allow-list that holds neither the home region nor us-east-1: the harshest set. */
const ALLOWED = ['eu-central-1', 'eu-north-1'];
const EVERY = guardrails(inputs(ALLOWED));

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
/** The AWS managed SCP that Organizations attaches to the root, every OU and every account. */
const FULL_AWS_ACCESS = ALLOW_ALL;

/** Who sends a request: the principal as signed, its `aws:PrincipalArn`, and the member it belongs to (null: outside the organization). */
interface Who {
  principal: string;
  principalArn: string;
  member: Member | null;
  context?: Record<string, string>;
}
const roleSession = (member: Member, role: string): Who => ({
  principal: `arn:aws:sts::${member.id}:assumed-role/${role}/session`,
  principalArn: `arn:aws:iam::${member.id}:role/${role}`,
  member,
});
const tool = (m: Member) => roleSession(m, MEMBER_ROLE);
const admin = (m: Member) => roleSession(m, 'Admin');
const rootUser = (m: Member): Who => ({ principal: `arn:aws:iam::${m.id}:root`, principalArn: `arn:aws:iam::${m.id}:root`, member: m });
const rootSession = (m: Member): Who => ({ ...rootUser(m), context: { 'aws:AssumedRoot': 'true' } });

interface Request {
  who: Who;
  action: string;
  resource: string;
  /** The member the resource is in (its RCPs apply): the sender's own unless said. */
  in?: Member;
  /** `aws:RequestedRegion`: us-east-1 for global services, else the home region, unless said. */
  region?: string;
  context?: Record<string, string>;
  /** Context keys AWS would set that this request leaves out, to ask what their absence does. */
  without?: string[];
  resourcePolicy?: Record<string, unknown>;
}

interface Decision {
  decision: EvaluationResult;
  /** Sids of the SCP and RCP statements that denied the request. */
  scp: string[];
  rcp: string[];
}

const GLOBAL_SERVICES = new Set(['iam', 'organizations', 'account', 'sts']);
const regionOf = (action: string) => (GLOBAL_SERVICES.has(action.split(':')[0]!) ? GLOBAL_REGION : HOME);

function levels(set: Guardrail[], type: Guardrail['type'], targets: GuardrailTarget[]) {
  return set.filter((g) => g.type === type && targets.includes(g.target)).map((g) => ({ name: g.name, policy: g.document }));
}

/** What AWS decides for request `r` with the guardrails `set` attached where they belong. */
async function decide(set: Guardrail[], r: Request): Promise<Decision> {
  const sender = r.who.member;
  const resourceIn = r.in ?? sender;
  const withFullAccess = (orgIdentifier: string, policies: { name: string; policy: unknown }[]) => ({
    orgIdentifier,
    policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }, ...policies],
  });
  const context: Record<string, string> = {
    'aws:PrincipalArn': r.who.principalArn,
    'aws:PrincipalIsAWSService': 'false',
    'aws:RequestedRegion': r.region ?? regionOf(r.action),
    'aws:SecureTransport': 'true',
    ...r.who.context,
    ...r.context,
  };
  for (const key of r.without ?? []) delete context[key];
  const sim = await runSimulation(
    {
      request: {
        principal: r.who.principal,
        action: r.action,
        resource: { resource: r.resource, accountId: resourceIn?.id ?? OUTSIDER },
        contextVariables: context,
      },
      // The root user holds every permission without a policy; modelled as one allowing everything.
      identityPolicies: [{ name: 'admin', policy: ALLOW_ALL }],
      serviceControlPolicies: sender
        ? [
            withFullAccess('r-root', levels(set, 'SERVICE_CONTROL_POLICY', ['root'])),
            withFullAccess('ou-workloads', []),
            withFullAccess(sender.id, levels(set, 'SERVICE_CONTROL_POLICY', sender.targets)),
          ]
        : [],
      resourceControlPolicies: resourceIn ? [{ orgIdentifier: 'r-root', policies: levels(set, 'RESOURCE_CONTROL_POLICY', ['root']) }] : [],
      ...(r.resourcePolicy ? { resourcePolicy: r.resourcePolicy } : {}),
    },
    {},
  );
  // A validation error (an unknown action, an ARN wrong for the action, an invalid policy) must never pass as a denial.
  assert(
    sim.resultType !== 'error',
    `${r.action} on ${r.resource} did not run: ${sim.resultType === 'error' ? JSON.stringify(sim.errors) : ''}`,
  );
  assert(sim.resultType === 'single', `expected one simulation for ${r.resource}, got ${sim.resultType}`);
  // A context key the simulator dropped would evaluate as absent and prove nothing.
  expect(sim.result.ignoredContextKeys ?? [], `context keys ignored for ${r.action}`).toEqual([]);
  const sids = (levels: { denyStatements: { statement: { sid(): string | undefined } }[] }[] | undefined) =>
    (levels ?? []).flatMap((l) => l.denyStatements.map((s) => s.statement.sid() ?? '?'));
  const a = sim.result.analysis;
  return { decision: sim.overallResult, scp: sids(a.scpAnalysis?.ouAnalysis), rcp: sids(a.rcpAnalysis?.ouAnalysis) };
}

const show = (d: Decision) => `${d.decision} (SCP: ${d.scp.join(', ') || 'none'}; RCP: ${d.rcp.join(', ') || 'none'})`;

describe('the guardrails of an organization with a log-archive account', () => {
  it('are five policies, each found again by its own name and reported under its own check', () => {
    expect(EVERY.map((g) => [g.name, g.type, g.target, g.check])).toEqual([
      ['aws-groundwork-baseline', 'SERVICE_CONTROL_POLICY', 'root', 'guardrails.baseline'],
      ['aws-groundwork-regions', 'SERVICE_CONTROL_POLICY', 'root', 'guardrails.regions'],
      ['aws-groundwork-tls-only', 'RESOURCE_CONTROL_POLICY', 'root', 'guardrails.tls-only'],
      ['aws-groundwork-log-archive', 'SERVICE_CONTROL_POLICY', 'log-archive', 'guardrails.logs-untouchable'],
      ['aws-groundwork-no-access-keys', 'SERVICE_CONTROL_POLICY', 'no-access-keys', 'guardrails.no-access-keys'],
    ]);
    // Every check verify may have to report is declared, and no other.
    expect(new Set(EVERY.map((g) => g.check))).toEqual(new Set(GUARDRAIL_CHECK_IDS));
  });

  it("leave out the region guardrail while no region is allowed, and log-archive's while there is no log-archive account", () => {
    expect(DEFAULTS.map((g) => g.name)).not.toContain('aws-groundwork-regions');
    const withoutArchive = guardrails({ partition: 'aws', adminRole: MEMBER_ROLE, allowedRegions: [] });
    expect(withoutArchive.map((g) => g.name)).toEqual([
      'aws-groundwork-baseline',
      'aws-groundwork-tls-only',
      'aws-groundwork-no-access-keys',
    ]);
  });

  it('say what they prevent in the same words whatever the buckets and regions, so a plan line or a check title can use them', () => {
    const other = guardrails({
      partition: 'aws',
      adminRole: MEMBER_ROLE,
      logArchive: { accountId: '999999999999', trailBucket: 'other-trail', logBucket: 'other-logs' },
      allowedRegions: ['us-west-2'],
    });
    expect(other.map((g) => g.prevents)).toEqual(EVERY.map((g) => g.prevents));
    for (const g of EVERY) expect(g.prevents.length, g.name).toBeGreaterThan(20);
  });

  it('refuse inputs that would widen an exemption or a resource: a wildcard in a role, bucket or region, a role under a path', () => {
    const bad: Partial<GuardrailInputs>[] = [
      { adminRole: '*' },
      { adminRole: 'Organization*' },
      { adminRole: 'team/OrganizationAccountAccessRole' },
      { partition: 'aws*' },
      { allowedRegions: ['eu-*'] },
      { allowedRegions: ['eu-west-1', 'eu-west-1'] },
      { logArchive: { accountId: '3333', trailBucket: NAMES.trailBucket, logBucket: NAMES.logBucket } },
      { logArchive: { accountId: LOG_ARCHIVE.id, trailBucket: 'aws-groundwork-*', logBucket: NAMES.logBucket } },
    ];
    for (const b of bad) expect(() => guardrails({ ...inputs(ALLOWED), ...b }), JSON.stringify(b)).toThrow(/is not valid/);
  });
});

/** The longest inputs a real organization can give: IAM's longest role name, S3's longest bucket names, ten long region names. */
const LONGEST: GuardrailInputs = {
  partition: 'aws-us-gov',
  adminRole: `OrganizationAccountAccessRole-${'x'.repeat(34)}`,
  logArchive: {
    accountId: '999999999999',
    trailBucket: `aws-groundwork-trail-999999999999-${'x'.repeat(29)}`,
    logBucket: `aws-groundwork-access-logs-999999999999-${'x'.repeat(23)}`,
  },
  allowedRegions: [
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-7',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'us-gov-west-1',
  ],
};

describe('the guardrail policies as Organizations receives them', () => {
  const longest = guardrails(LONGEST);

  it('use the longest inputs IAM and S3 allow in the size test', () => {
    expect(LONGEST.adminRole).toHaveLength(64);
    expect([LONGEST.logArchive?.trailBucket.length, LONGEST.logArchive?.logBucket.length]).toEqual([63, 63]);
    expect(longest.map((g) => g.check)).toEqual(EVERY.map((g) => g.check));
  });

  for (const g of longest) {
    it(`keep ${g.name} under ${MAX_POLICY_CHARS} characters, sent minified`, () => {
      const text = policyText(g);
      expect(JSON.parse(text)).toEqual(g.document);
      expect(text).not.toMatch(/\n|": /);
      expect(text.length, `${text.length} characters, ${MAX_POLICY_CHARS - text.length} left`).toBeLessThanOrEqual(MAX_POLICY_CHARS);
    });
  }

  it('take at most 3 of the 5 SCPs a target may hold (FullAWSAccess included) and 2 of the 5 RCPs at the root', () => {
    const count = (type: Guardrail['type'], target: GuardrailTarget) =>
      longest.filter((g) => g.type === type && g.target === target).length;
    for (const target of ['root', 'log-archive', 'no-access-keys'] as const) {
      expect(count('SERVICE_CONTROL_POLICY', target) + 1, target).toBeLessThanOrEqual(3);
    }
    expect(count('RESOURCE_CONTROL_POLICY', 'root') + 1).toBeLessThanOrEqual(2);
  });

  it('give every statement a Sid of letters and digits that names what it prevents, unique within its policy', () => {
    for (const g of longest) {
      const sids = (g.document.Statement as { Sid?: string }[]).map((s) => s.Sid);
      for (const sid of sids) expect(sid, g.name).toMatch(/^Deny[A-Za-z0-9]+$/);
      expect(new Set(sids).size, g.name).toBe(sids.length);
    }
  });

  it('write SCPs without a Principal, and the RCP as RCPs must be: Deny statements with Principal "*"', () => {
    for (const g of longest) {
      for (const s of g.document.Statement as Record<string, unknown>[]) {
        expect(s.Effect, g.name).toBe('Deny');
        if (g.type === 'SERVICE_CONTROL_POLICY') expect(s, g.name).not.toHaveProperty('Principal');
        else expect(s.Principal, g.name).toBe('*');
      }
    }
  });
});

describe('the simulator', () => {
  it("does not derive aws:PrincipalArn from the principal, so the requests here carry it: without it, even the tool's role is denied", async () => {
    const request: Request = { who: tool(DEV), action: 'iam:UpdateAccountPasswordPolicy', resource: '*' };
    const without = await decide(DEFAULTS, { ...request, without: ['aws:PrincipalArn'] });
    expect(without.scp).toEqual(['DenyBaselineChangesExceptByTheAdminRole']);
    expect((await decide(DEFAULTS, request)).decision).toBe('Allowed');
  });
});

/** The every-account baseline writes only the admin role may make, each on its realistic resource. */
/** Actions with no resource type in IAM's service authorization data (GuardDuty's member and organization calls). */
const anyResource = () => '*';
/** A member's own detector, as GuardDuty's actions name it. */
const detectorOf = (m: Member) => `arn:aws:guardduty:${HOME}:${m.id}:detector/12abc34d567e8fa901bc2d34e56789f0`;

/**
 * How a member could stop threat detection: delete or suspend its detector, leave its GuardDuty administrator,
 * stop monitoring or drop members (security-tooling, the delegated administrator), turn auto-enrolment off, or
 * delete the organization's analyzer. Only the tool's role may, as it must to repair them.
 */
const THREAT_DETECTION_WRITES = [
  { action: 'guardduty:DeleteDetector', resource: detectorOf, does: 'delete its GuardDuty detector' },
  { action: 'guardduty:UpdateDetector', resource: detectorOf, does: 'suspend GuardDuty' },
  { action: 'guardduty:DisassociateFromAdministratorAccount', resource: anyResource, does: "leave the detector's organization" },
  { action: 'guardduty:DisassociateFromMasterAccount', resource: anyResource, does: "leave the detector's organization (the older name)" },
  { action: 'guardduty:StopMonitoringMembers', resource: anyResource, does: 'stop monitoring the members' },
  { action: 'guardduty:DisassociateMembers', resource: anyResource, does: 'disassociate members' },
  { action: 'guardduty:DeleteMembers', resource: anyResource, does: 'delete members' },
  { action: 'guardduty:UpdateOrganizationConfiguration', resource: anyResource, does: 'turn off automatic enrolment' },
  {
    action: 'access-analyzer:DeleteAnalyzer',
    resource: (m: Member) => `arn:aws:access-analyzer:${HOME}:${m.id}:analyzer/aws-groundwork-organization`,
    does: "delete the organization's analyzer",
  },
];

const BASELINE_WRITES = [
  { action: 's3:PutAccountPublicAccessBlock', resource: () => '*', does: 'turn off account-level S3 Block Public Access' },
  { action: 'iam:UpdateAccountPasswordPolicy', resource: () => '*', does: 'weaken the password policy' },
  { action: 'iam:DeleteAccountPasswordPolicy', resource: () => '*', does: 'delete the password policy' },
  {
    action: 'account:PutAlternateContact',
    resource: (m: Member) => `arn:aws:account::${m.id}:account`,
    does: 'change an alternate contact',
  },
  {
    action: 'account:DeleteAlternateContact',
    resource: (m: Member) => `arn:aws:account::${m.id}:account`,
    does: 'delete an alternate contact',
  },
];

const BUCKET_SETTINGS = [
  's3:DeleteBucket',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutLifecycleConfiguration',
  's3:PutBucketVersioning',
  's3:PutBucketLogging',
  's3:PutEncryptionConfiguration',
  's3:PutBucketPublicAccessBlock',
  's3:PutBucketObjectLockConfiguration',
  's3:PutBucketOwnershipControls',
];
const LOG_DELETIONS = ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention'];
/** The same access log, reached through an access point of log-archive: the request names the access point's ARN. */
const THROUGH_ACCESS_POINT = `arn:aws:s3:${HOME}:${LOG_ARCHIVE.id}:accesspoint/logs/object/${NAMES.trailBucket}/2024-01-01-00-00-00-0123456789ABCDEF`;

describe('a member administrator (role Admin, *:* in its identity policy)', () => {
  for (const m of MEMBERS) {
    it(`cannot make ${m.name} leave the organization`, async () => {
      const d = await decide(DEFAULTS, { who: admin(m), action: 'organizations:LeaveOrganization', resource: '*' });
      expect(d.scp, show(d)).toContain('DenyLeavingTheOrganization');
    });
  }

  for (const w of BASELINE_WRITES) {
    it(`cannot ${w.does} (${w.action}) in dev, prod or log-archive`, async () => {
      for (const m of MEMBERS) {
        const d = await decide(DEFAULTS, { who: admin(m), action: w.action, resource: w.resource(m) });
        expect(d.scp, `${m.name}: ${show(d)}`).toContain('DenyBaselineChangesExceptByTheAdminRole');
      }
    });
  }

  for (const w of THREAT_DETECTION_WRITES) {
    it(`cannot ${w.does} (${w.action}) in dev, prod or log-archive`, async () => {
      for (const m of MEMBERS) {
        const d = await decide(DEFAULTS, { who: admin(m), action: w.action, resource: w.resource(m) });
        expect(d.scp, `${m.name}: ${show(d)}`).toContain('DenyDisablingThreatDetectionExceptByTheAdminRole');
        const byTool = await decide(EVERY, { who: tool(m), action: w.action, resource: w.resource(m) });
        expect(byTool.decision, `${m.name}, the tool's role: ${show(byTool)}`).toBe('Allowed');
      }
    });
  }

  for (const b of BUCKETS) {
    it(`cannot delete or reconfigure the ${b.what} in log-archive: ${BUCKET_SETTINGS.length} bucket settings`, async () => {
      for (const action of BUCKET_SETTINGS) {
        const d = await decide(DEFAULTS, { who: admin(LOG_ARCHIVE), action, resource: b.arn, resourcePolicy: b.policy });
        expect(d.scp, `${action}: ${show(d)}`).toContain('DenyLogBucketChangesExceptByTheAdminRole');
      }
    });
  }

  for (const [what, resource, policy] of [
    ['a log file of the trail bucket', LOG_FILE, BUCKETS[0]!.policy],
    ['an access log', ACCESS_LOG_FILE, BUCKETS[1]!.policy],
    ['an access log through an access point of log-archive', THROUGH_ACCESS_POINT, undefined],
  ] as const) {
    it(`cannot delete ${what}, a version of it, or bypass its governance retention`, async () => {
      for (const action of LOG_DELETIONS) {
        const d = await decide(DEFAULTS, { who: admin(LOG_ARCHIVE), action, resource, ...(policy ? { resourcePolicy: policy } : {}) });
        expect(d.scp, `${action}: ${show(d)}`).toContain('DenyLogDeletionExceptByTheAdminRole');
      }
    });
  }

  it('cannot disable the trail key, schedule its deletion, rewrite its policy or turn off its rotation', async () => {
    for (const action of ['kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy', 'kms:DisableKeyRotation']) {
      const d = await decide(DEFAULTS, { who: admin(LOG_ARCHIVE), action, resource: KEY_ARN, resourcePolicy: trailKeyPolicy(NAMES) });
      expect(d.scp, `${action}: ${show(d)}`).toContain('DenyLogKeyChangesExceptByTheAdminRole');
    }
  });

  it('cannot re-key the trail by pointing, deleting or making its alias, the name the tool finds the key by', async () => {
    for (const action of ['kms:UpdateAlias', 'kms:DeleteAlias', 'kms:CreateAlias']) {
      const d = await decide(DEFAULTS, { who: admin(LOG_ARCHIVE), action, resource: ALIAS_ARN });
      expect(d.scp, `${action}: ${show(d)}`).toContain('DenyLogKeyAliasChangesExceptByTheAdminRole');
    }
  });

  it("still runs log-archive's other buckets and aliases: the guardrail names only the trail's", async () => {
    const own = [
      { action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::acme-analytics-exports' },
      { action: 's3:DeleteObject', resource: 'arn:aws:s3:::acme-analytics-exports/2024/report.csv' },
      { action: 'kms:CreateAlias', resource: `arn:aws:kms:${HOME}:${LOG_ARCHIVE.id}:alias/analytics` },
      { action: 'kms:CreateAlias', resource: KEY_ARN, resourcePolicy: trailKeyPolicy(NAMES) },
    ];
    for (const r of own) {
      const d = await decide(DEFAULTS, { who: admin(LOG_ARCHIVE), ...r });
      expect(d.decision, `${r.action} on ${r.resource}: ${show(d)}`).toBe('Allowed');
    }
  });

  it('cannot create access keys in staging or production, and still can in dev', async () => {
    const key = (m: Member) => ({ who: admin(m), action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${m.id}:user/ci` });
    const prod = await decide(DEFAULTS, key(PROD));
    expect(prod.scp, show(prod)).toEqual(['DenyCreatingAccessKeys']);
    expect((await decide(DEFAULTS, key(DEV))).decision).toBe('Allowed');
  });
});

describe("a member's root user", () => {
  const anything = [
    { action: 's3:ListAllMyBuckets', resource: '*' },
    { action: 'iam:CreateUser', resource: (m: Member) => `arn:aws:iam::${m.id}:user/backdoor` },
    { action: 'iam:DeleteLoginProfile', resource: (m: Member) => `arn:aws:iam::${m.id}:user/root` },
    { action: 'organizations:LeaveOrganization', resource: '*' },
    { action: 'ec2:DescribeInstances', resource: '*' },
  ];

  for (const m of MEMBERS) {
    it(`can do nothing in ${m.name} when it signs in itself (no privileged-task session)`, async () => {
      for (const a of anything) {
        const resource = typeof a.resource === 'string' ? a.resource : a.resource(m);
        const d = await decide(DEFAULTS, { who: rootUser(m), action: a.action, resource });
        expect(d.scp, `${a.action}: ${show(d)}`).toContain('DenyMemberRootUserExceptPrivilegedTasks');
      }
    });
  }

  it('cannot create root access keys in any member, not even in a privileged-task session', async () => {
    for (const m of MEMBERS) {
      for (const who of [rootUser(m), rootSession(m)]) {
        const d = await decide(DEFAULTS, { who, action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${m.id}:user/root` });
        expect(d.scp, `${m.name}: ${show(d)}`).toContain('DenyRootUserAccessKeys');
      }
    }
  });
});

/**
 * What root-credentials sends as a member's root user: its IAM reads and deletes. iam:ListOrganizationsFeatures
 * is sent from the management account (is centralized root access on?), outside any SCP.
 */
const ROOT_TASK_ACTIONS = [...rootCredentials.permissions.read, ...rootCredentials.permissions.apply].filter(
  (a) => a.startsWith('iam:') && a !== 'iam:ListOrganizationsFeatures',
);

describe('a privileged-task session of a member root user (sts:AssumeRoot, centralized root access)', () => {
  it('is what root-credentials uses to list and delete root passwords, access keys, signing certificates and MFA devices', () => {
    expect(ROOT_TASK_ACTIONS).toEqual(
      expect.arrayContaining(['iam:DeleteLoginProfile', 'iam:DeleteAccessKey', 'iam:DeleteSigningCertificate', 'iam:DeactivateMFADevice']),
    );
    expect(rootCredentials.permissions.implied).toContain('sts:AssumeRoot');
  });

  for (const m of MEMBERS) {
    it(`can still send every one of those in ${m.name}, with every guardrail on`, async () => {
      const denied: string[] = [];
      for (const action of ROOT_TASK_ACTIONS) {
        const resource = action === 'iam:GetAccountSummary' ? '*' : `arn:aws:iam::${m.id}:user/root`;
        const d = await decide(EVERY, { who: rootSession(m), action, resource });
        if (d.decision !== 'Allowed') denied.push(`${action}: ${show(d)}`);
      }
      expect(denied).toEqual([]);
    });
  }
});

describe('the TLS-only resource control policy', () => {
  const DATA = 'arn:aws:s3:::acme-dev-data/report.csv';
  const partner: Who = {
    principal: `arn:aws:iam::${OUTSIDER}:user/partner`,
    principalArn: `arn:aws:iam::${OUTSIDER}:user/partner`,
    member: null,
  };
  const partnerMayRead = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PartnerReads',
        Effect: 'Allow',
        Principal: { AWS: partner.principalArn },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::acme-dev-data/*',
      },
    ],
  };
  const requests: { by: string; r: Request }[] = [
    { by: "the member's administrator", r: { who: admin(DEV), action: 's3:GetObject', resource: DATA } },
    { by: "the tool's role", r: { who: tool(DEV), action: 's3:PutObject', resource: DATA } },
    {
      by: 'a partner outside the organization whom the bucket policy lets read',
      r: { who: partner, action: 's3:GetObject', resource: DATA, in: DEV, resourcePolicy: partnerMayRead },
    },
  ];

  for (const { by, r } of requests) {
    it(`denies an S3 request without TLS to a member's bucket by ${by}, and lets the same request through over TLS`, async () => {
      const plain = await decide(DEFAULTS, { ...r, context: { 'aws:SecureTransport': 'false' } });
      expect(plain.rcp, show(plain)).toEqual(['DenyS3RequestsWithoutTLS']);
      expect(plain.decision).toBe('ExplicitlyDenied');
      const secure = await decide(DEFAULTS, r);
      expect(secure.decision, show(secure)).toBe('Allowed');
    });
  }

  it("denies a request whose context lacks aws:SecureTransport, as the BoolIfExists of AWS's example does (AWS always sets it)", async () => {
    const d = await decide(DEFAULTS, { ...requests[0]!.r, without: ['aws:SecureTransport'] });
    expect(d.rcp, show(d)).toEqual(['DenyS3RequestsWithoutTLS']);
  });
});

/** Where each declared action is sent, as the tool sends it (see the file comment for IAM users). */
interface Target {
  resource: string;
  policy?: Record<string, unknown>;
}

/** Actions IAM authorizes on `*` alone (no resource type). */
const WILDCARD_ONLY = new Set([
  'iam:ListAccountAliases',
  'iam:CreateAccountAlias',
  'iam:GetAccountPasswordPolicy',
  'iam:UpdateAccountPasswordPolicy',
  'iam:GetAccountSummary',
  'iam:ListOrganizationsFeatures',
  'organizations:DescribeOrganization',
  'organizations:ListAWSServiceAccessForOrganization',
  's3:GetAccountPublicAccessBlock',
  's3:PutAccountPublicAccessBlock',
  'kms:ListKeys',
  'kms:CreateKey',
]);

/** In a member, what an every-account step's action acts on: the account itself, or (IAM) a user of it. */
function memberTargets(action: string, m: Member): Target[] {
  if (WILDCARD_ONLY.has(action)) return [{ resource: '*' }];
  if (action.startsWith('iam:')) return [{ resource: `arn:aws:iam::${m.id}:user/root` }];
  if (action.startsWith('account:')) return [{ resource: `arn:aws:account::${m.id}:account` }];
  throw new Error(`no realistic resource for ${action}: add one to memberTargets`);
}

/**
 * In log-archive, what org-trail's action acts on: the trail key (with its key policy), its alias, and
 * each bucket (with its bucket policy, except CreateBucket, which comes before any).
 */
function archiveTargets(action: string): Target[] {
  const key = { resource: KEY_ARN, policy: trailKeyPolicy(NAMES) };
  if (WILDCARD_ONLY.has(action)) return [{ resource: '*' }];
  if (action === 'kms:CreateAlias') return [{ resource: ALIAS_ARN }, key];
  if (action.startsWith('kms:')) return [key];
  if (action === 's3:CreateBucket') return BUCKETS.map((b) => ({ resource: b.arn }));
  if (action.startsWith('s3:')) return BUCKETS.map((b) => ({ resource: b.arn, policy: b.policy }));
  throw new Error(`no realistic resource for ${action}: add one to archiveTargets`);
}

const declared = (s: (typeof REGISTRY)[number]) => [...s.permissions.read, ...s.permissions.apply, ...(s.permissions.implied ?? [])];
/**
 * What the every-account steps send in a member through its admin role. Their `implied` actions are
 * left out: the only one, root-credentials' sts:AssumeRoot, is sent from the management account.
 */
const EVERY_ACCOUNT_ACTIONS = [
  ...new Set(REGISTRY.filter((s) => s.scope === 'every-account').flatMap((s) => [...s.permissions.read, ...s.permissions.apply])),
];
/** What org-trail sends in log-archive: its KMS and S3 actions (CloudTrail and Organizations stay in the management account). */
const ARCHIVE_ACTIONS = declared(orgTrail).filter((a) => a.startsWith('kms:') || a.startsWith('s3:'));

/** Every request the tool sends in members: the every-account steps' actions in each member, org-trail's in log-archive. */
function toolWalk(who: (m: Member) => Who): Request[] {
  const requests: Request[] = [];
  for (const m of MEMBERS) {
    for (const action of EVERY_ACCOUNT_ACTIONS) {
      for (const t of memberTargets(action, m))
        requests.push({ who: who(m), action, resource: t.resource, ...(t.policy ? { resourcePolicy: t.policy } : {}) });
    }
  }
  for (const action of ARCHIVE_ACTIONS) {
    for (const t of archiveTargets(action)) {
      requests.push({ who: who(LOG_ARCHIVE), action, resource: t.resource, ...(t.policy ? { resourcePolicy: t.policy } : {}) });
    }
  }
  return requests;
}

describe(`the tool's role (${MEMBER_ROLE}) with every guardrail on, and regions allowed that hold neither the home region nor us-east-1`, () => {
  it('is walked through every action the every-account steps declare, and every KMS and S3 action of org-trail', () => {
    expect(EVERY_ACCOUNT_ACTIONS).toEqual(
      expect.arrayContaining(['s3:PutAccountPublicAccessBlock', 'iam:UpdateAccountPasswordPolicy', 'account:PutAlternateContact']),
    );
    expect(ARCHIVE_ACTIONS).toEqual(
      expect.arrayContaining(['kms:PutKeyPolicy', 'kms:CreateAlias', 's3:PutBucketPolicy', 's3:PutLifecycleConfiguration']),
    );
    // The implied actions left out are sent from the management account, outside any SCP.
    expect(REGISTRY.filter((s) => s.scope === 'every-account').flatMap((s) => s.permissions.implied ?? [])).toEqual(['sts:AssumeRoot']);
    const walked = new Set(toolWalk(tool).map((r) => r.action));
    expect(walked).toEqual(new Set([...EVERY_ACCOUNT_ACTIONS, ...ARCHIVE_ACTIONS]));
  });

  // Guardrails only deny, so passing with every one of them on (regions included) passes with the defaults.
  it('can still send each of them, on its realistic resource, in dev, prod and log-archive', async () => {
    const denied: string[] = [];
    for (const r of toolWalk(tool)) {
      const d = await decide(EVERY, r);
      if (d.decision !== 'Allowed') denied.push(`${r.who.member?.name}: ${r.action} on ${r.resource}: ${show(d)}`);
    }
    expect(denied).toEqual([]);
  });

  it('gets through because of its exemptions: a member administrator sending the same requests meets each of them', async () => {
    const deniedBy = new Set<string>();
    for (const r of toolWalk(admin)) for (const sid of (await decide(EVERY, r)).scp) deniedBy.add(sid);
    expect([...deniedBy].sort()).toEqual(
      [
        'DenyBaselineChangesExceptByTheAdminRole',
        'DenyLogBucketChangesExceptByTheAdminRole',
        'DenyLogKeyAliasChangesExceptByTheAdminRole',
        'DenyLogKeyChangesExceptByTheAdminRole',
        'DenyRequestsOutsideAllowedRegions',
      ].sort(),
    );
  });

  it('loses nothing to the no-access-keys guardrail, which binds it too: no step declares iam:CreateAccessKey', async () => {
    for (const s of REGISTRY) expect(declared(s), s.id).not.toContain('iam:CreateAccessKey');
    const d = await decide(EVERY, { who: tool(PROD), action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${PROD.id}:user/ci` });
    expect(d.scp).toEqual(['DenyCreatingAccessKeys']);
  });

  it('cannot make a member leave the organization either: the tool never does', async () => {
    const d = await decide(EVERY, { who: tool(DEV), action: 'organizations:LeaveOrganization', resource: '*' });
    expect(d.scp).toEqual(['DenyLeavingTheOrganization']);
  });

  it('is exempt by its exact name only: the same name under a path, or a longer name, is not', async () => {
    for (const role of [`team/${MEMBER_ROLE}`, `${MEMBER_ROLE}2`, `x${MEMBER_ROLE}`]) {
      const d = await decide(EVERY, { who: roleSession(DEV, role), action: 'iam:UpdateAccountPasswordPolicy', resource: '*' });
      expect(d.scp, role).toContain('DenyBaselineChangesExceptByTheAdminRole');
    }
  });
});

/**
 * What threat-detection sends in members through the admin role: each account's own detector, and in
 * security-tooling (the delegated administrator) the organization's configuration, its members and the analyzer.
 * The baseline's threat-detection deny names several of them, so the exemption must hold for each.
 */
const THREAT_DETECTION_MEMBER_ACTIONS: { action: string; resource: (m: Member) => string }[] = [
  { action: 'guardduty:ListDetectors', resource: anyResource },
  { action: 'guardduty:GetDetector', resource: detectorOf },
  { action: 'guardduty:CreateDetector', resource: anyResource },
  { action: 'guardduty:UpdateDetector', resource: detectorOf },
  { action: 'guardduty:DescribeOrganizationConfiguration', resource: anyResource },
  { action: 'guardduty:UpdateOrganizationConfiguration', resource: anyResource },
  { action: 'guardduty:ListMembers', resource: anyResource },
  { action: 'guardduty:CreateMembers', resource: anyResource },
  { action: 'guardduty:StartMonitoringMembers', resource: anyResource },
  { action: 'access-analyzer:ListAnalyzers', resource: anyResource },
  {
    action: 'access-analyzer:CreateAnalyzer',
    resource: (m: Member) => `arn:aws:access-analyzer:${HOME}:${m.id}:analyzer/aws-groundwork-organization`,
  },
];

describe("threat-detection's work in members, with every guardrail on", () => {
  it('covers every GuardDuty and Access Analyzer action the step declares', () => {
    const step = REGISTRY.find((s) => s.id === 'threat-detection');
    assert(step, 'threat-detection is registered');
    const declaredHere = declared(step).filter((a) => a.startsWith('guardduty:') || a.startsWith('access-analyzer:'));
    const walked = THREAT_DETECTION_MEMBER_ACTIONS.map((a) => a.action);
    // EnableOrganizationAdminAccount and ListOrganizationAdminAccounts are sent from the management account only.
    const fromManagement = new Set(['guardduty:EnableOrganizationAdminAccount', 'guardduty:ListOrganizationAdminAccounts']);
    expect(new Set(walked)).toEqual(new Set(declaredHere.filter((a) => !fromManagement.has(a))));
  });

  it("is allowed for the tool's role in dev, prod and log-archive, and what the baseline denies others stays denied to them", async () => {
    const denied: string[] = [];
    for (const m of MEMBERS) {
      for (const a of THREAT_DETECTION_MEMBER_ACTIONS) {
        const d = await decide(EVERY, { who: tool(m), action: a.action, resource: a.resource(m) });
        if (d.decision !== 'Allowed') denied.push(`${m.name}: ${a.action}: ${show(d)}`);
      }
    }
    expect(denied).toEqual([]);
    const byAdmin = await decide(EVERY, { who: admin(DEV), action: 'guardduty:UpdateDetector', resource: detectorOf(DEV) });
    expect(byAdmin.scp).toContain('DenyDisablingThreatDetectionExceptByTheAdminRole');
  });
});

describe('the region guardrail', () => {
  const outside = 'ap-south-1';

  it('denies a member administrator a regional action outside the allowed regions, and allows it inside them', async () => {
    const describeIn = (region: string) => ({ who: admin(DEV), action: 'ec2:DescribeInstances', resource: '*', region });
    const out = await decide(EVERY, describeIn(outside));
    expect(out.scp, show(out)).toEqual(['DenyRequestsOutsideAllowedRegions']);
    for (const region of ALLOWED) expect((await decide(EVERY, describeIn(region))).decision, region).toBe('Allowed');
  });

  it("allows the tool's role the same action outside them", async () => {
    const d = await decide(EVERY, { who: tool(DEV), action: 'ec2:DescribeInstances', resource: '*', region: outside });
    expect(d.decision, show(d)).toBe('Allowed');
  });

  it('does not deny a member administrator the global services, signed in us-east-1 that is not allowed: IAM, Organizations, STS', async () => {
    const global = [
      { action: 'iam:CreateRole', resource: `arn:aws:iam::${DEV.id}:role/app` },
      { action: 'iam:ListRoles', resource: '*' },
      { action: 'organizations:DescribeOrganization', resource: '*' },
      { action: 'sts:GetCallerIdentity', resource: '*' },
    ];
    for (const g of global) {
      const d = await decide(EVERY, { who: admin(DEV), ...g, region: GLOBAL_REGION });
      expect(d.decision, `${g.action}: ${show(d)}`).toBe('Allowed');
    }
  });

  it('is not among the default guardrails, so nothing regional is denied by default', async () => {
    const d = await decide(DEFAULTS, { who: admin(DEV), action: 'ec2:DescribeInstances', resource: '*', region: outside });
    expect(d.decision, show(d)).toBe('Allowed');
  });
});
