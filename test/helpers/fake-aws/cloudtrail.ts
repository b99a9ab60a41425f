/**
 * CloudTrail trails, in the caller's account; each trail has a home region.
 * - cloudtrail: `trails` by name. CreateTrail checks the bucket exists (in any account) and its policy names the trail ARN
 *   and cloudtrail.amazonaws.com, a KmsKeyId is a key of the client's region whose policy lets CloudTrail
 *   GenerateDataKey, and an organization trail has an ALL-features organization managed by the caller
 *   with trusted access for cloudtrail.amazonaws.com. Defaults: single-region, no validation, not logging.
 *   Get/Describe/GetTrailStatus see home-region and multi-region trails; Update/Start/StopLogging only
 *   in the home region (InvalidHomeRegionException).
 */
import {
  CloudTrailAccessNotEnabledException,
  InsufficientEncryptionPolicyException,
  InsufficientS3BucketPolicyException,
  InvalidHomeRegionException,
  InvalidParameterCombinationException,
  KmsKeyNotFoundException,
  NotOrganizationMasterAccountException,
  OrganizationNotInAllFeaturesModeException,
  OrganizationsNotInUseException,
  S3BucketDoesNotExistException,
  TrailAlreadyExistsException,
  TrailNotFoundException,
} from '@aws-sdk/client-cloudtrail';
import { findKey } from './kms.js';
import { meta, type Call, type HandlerTable, type Input } from './shared.js';
import type { FakeState, FakeTrail } from './state.js';

function notFound(s: FakeState, ref: unknown): TrailNotFoundException {
  return new TrailNotFoundException({ message: `Unknown trail: ${String(ref)} for the user: ${s.caller.Account}`, ...meta });
}

/** A trail by name or ARN, regardless of region. */
function named(s: FakeState, ref: unknown): FakeTrail {
  const str = String(ref ?? '');
  const arn = /^arn:aws[\w-]*:cloudtrail:[^:]*:\d{12}:trail\/(.+)$/.exec(str);
  const t = s.trails.get(arn ? (arn[1] as string) : str);
  if (!t || (arn && t.TrailARN !== str)) throw notFound(s, ref);
  return t;
}

/** A trail this region sees: its own and multi-region ones. */
function visible(s: FakeState, ref: unknown, region: string): FakeTrail {
  const t = named(s, ref);
  if (t.HomeRegion !== region && !t.IsMultiRegionTrail) throw notFound(s, ref);
  return t;
}

/** A trail that may only be changed from its home region. */
function home(s: FakeState, ref: unknown, region: string): FakeTrail {
  const t = named(s, ref);
  if (t.HomeRegion !== region) {
    throw new InvalidHomeRegionException({
      message: `This operation must be called from the trail's home region ${t.HomeRegion}, not ${region}.`,
      ...meta,
    });
  }
  return t;
}

function checkBucket(s: FakeState, bucketName: string, trailArn: string): void {
  const b = s.buckets.get(bucketName);
  if (!b && !s.foreignBuckets.has(bucketName)) {
    throw new S3BucketDoesNotExistException({ message: `S3 bucket ${bucketName} does not exist.`, ...meta });
  }
  const policy = b?.policy ?? '';
  if (!policy.includes(trailArn) || !policy.includes('cloudtrail.amazonaws.com')) {
    throw new InsufficientS3BucketPolicyException({ message: `Incorrect S3 bucket policy is detected for bucket: ${bucketName}`, ...meta });
  }
}

/**
 * The ARN of the key a trail names, which CloudTrail must be allowed to use: by id or alias a key of
 * the trail's account, by ARN a key of any account (a log-archive account's, say) whose policy allows it.
 */
function checkKey(s: FakeState, ref: string, region: string, account: string): string {
  const k = findKey(s, ref, region, true, ref.startsWith('arn:') ? null : account);
  if (!k) throw new KmsKeyNotFoundException({ message: `KMS key ${ref} does not exist in ${region}.`, ...meta });
  if (!k.policy.includes('cloudtrail.amazonaws.com') || !k.policy.includes('kms:GenerateDataKey')) {
    throw new InsufficientEncryptionPolicyException({
      message: `Insufficient permissions to access S3 bucket or KMS key ${k.Arn}.`,
      ...meta,
    });
  }
  return k.Arn;
}

function checkOrganization(s: FakeState): void {
  const o = s.organization;
  if (!o) {
    throw new OrganizationsNotInUseException({ message: 'This account is not a member of an organization.', ...meta });
  }
  if (o.MasterAccountId !== s.caller.Account) {
    throw new NotOrganizationMasterAccountException({
      message: 'This account is not the management account of the organization.',
      ...meta,
    });
  }
  if (o.FeatureSet !== 'ALL') {
    throw new OrganizationNotInAllFeaturesModeException({ message: 'The organization does not have all features enabled.', ...meta });
  }
  if (!s.serviceAccess.has('cloudtrail.amazonaws.com')) {
    throw new CloudTrailAccessNotEnabledException({
      message: 'You must enable trusted access for CloudTrail in AWS Organizations before creating an organization trail.',
      ...meta,
    });
  }
}

function checkCombination(t: Pick<FakeTrail, 'IsMultiRegionTrail' | 'IncludeGlobalServiceEvents'>): void {
  if (t.IsMultiRegionTrail && !t.IncludeGlobalServiceEvents) {
    throw new InvalidParameterCombinationException({ message: 'Multi-Region trail must include global service events.', ...meta });
  }
}

function summary(t: FakeTrail) {
  return {
    Name: t.Name,
    S3BucketName: t.S3BucketName,
    IncludeGlobalServiceEvents: t.IncludeGlobalServiceEvents,
    IsMultiRegionTrail: t.IsMultiRegionTrail,
    TrailARN: t.TrailARN,
    LogFileValidationEnabled: t.LogFileValidationEnabled,
    IsOrganizationTrail: t.IsOrganizationTrail,
    ...(t.KmsKeyId ? { KmsKeyId: t.KmsKeyId } : {}),
  };
}

function describe(t: FakeTrail) {
  return { ...summary(t), HomeRegion: t.HomeRegion, HasCustomEventSelectors: false, HasInsightSelectors: false };
}

function createTrail({ s, i, region, ctx }: Call) {
  const name = String(i.Name);
  if (s.trails.has(name)) {
    throw new TrailAlreadyExistsException({ message: `Trail ${name} already exists for customer: ${s.caller.Account}`, ...meta });
  }
  const TrailARN = `arn:aws:cloudtrail:${region}:${s.caller.Account}:trail/${name}`;
  checkBucket(s, String(i.S3BucketName), TrailARN);
  const KmsKeyId = i.KmsKeyId ? checkKey(s, String(i.KmsKeyId), region, ctx.account) : null;
  if (i.IsOrganizationTrail) checkOrganization(s);
  const t: FakeTrail = {
    Name: name,
    HomeRegion: region,
    TrailARN,
    S3BucketName: String(i.S3BucketName),
    IsMultiRegionTrail: Boolean(i.IsMultiRegionTrail),
    IsOrganizationTrail: Boolean(i.IsOrganizationTrail),
    LogFileValidationEnabled: Boolean(i.EnableLogFileValidation),
    KmsKeyId,
    IncludeGlobalServiceEvents: (i.IncludeGlobalServiceEvents as boolean | undefined) ?? true,
    logging: false,
    latestDeliveryError: '',
  };
  checkCombination(t);
  s.trails.set(name, t);
  return summary(t);
}

function getTrail({ s, i, region }: Call) {
  return { Trail: describe(visible(s, i.Name, region)) };
}

function describeTrails({ s, i, region }: Call) {
  const names = i.trailNameList as string[] | undefined;
  const shadows = (i.includeShadowTrails as boolean | undefined) ?? true;
  const seen = (t: FakeTrail) => t.HomeRegion === region || (shadows && t.IsMultiRegionTrail);
  const all = [...s.trails.values()].filter(seen);
  const picked = names && names.length > 0 ? all.filter((t) => names.includes(t.Name) || names.includes(t.TrailARN)) : all;
  return { trailList: picked.map(describe) };
}

/** The trail as UpdateTrail's input would leave it (checked, not yet stored). */
function updated(s: FakeState, t: FakeTrail, i: Input, region: string): FakeTrail {
  const next: FakeTrail = { ...t };
  if (i.S3BucketName !== undefined) {
    checkBucket(s, String(i.S3BucketName), t.TrailARN);
    next.S3BucketName = String(i.S3BucketName);
  }
  // An empty KmsKeyId turns SSE-KMS off.
  if (i.KmsKeyId !== undefined) next.KmsKeyId = i.KmsKeyId ? checkKey(s, String(i.KmsKeyId), region, t.TrailARN.split(':')[4] ?? '') : null;
  if (i.IsOrganizationTrail !== undefined) {
    if (i.IsOrganizationTrail) checkOrganization(s);
    next.IsOrganizationTrail = Boolean(i.IsOrganizationTrail);
  }
  if (i.IsMultiRegionTrail !== undefined) next.IsMultiRegionTrail = Boolean(i.IsMultiRegionTrail);
  if (i.EnableLogFileValidation !== undefined) next.LogFileValidationEnabled = Boolean(i.EnableLogFileValidation);
  if (i.IncludeGlobalServiceEvents !== undefined) next.IncludeGlobalServiceEvents = Boolean(i.IncludeGlobalServiceEvents);
  checkCombination(next);
  return next;
}

function updateTrail({ s, i, region }: Call) {
  const t = home(s, i.Name, region);
  Object.assign(t, updated(s, t, i, region));
  return summary(t);
}

function getTrailStatus({ s, i, region }: Call) {
  const t = visible(s, i.Name, region);
  return { IsLogging: t.logging, ...(t.latestDeliveryError ? { LatestDeliveryError: t.latestDeliveryError } : {}) };
}

function startLogging({ s, i, region }: Call) {
  home(s, i.Name, region).logging = true;
  return {};
}

function stopLogging({ s, i, region }: Call) {
  home(s, i.Name, region).logging = false;
  return {};
}

export const CLOUDTRAIL_HANDLERS: HandlerTable = {
  'cloudtrail:CreateTrail': createTrail,
  'cloudtrail:GetTrail': getTrail,
  'cloudtrail:DescribeTrails': describeTrails,
  'cloudtrail:UpdateTrail': updateTrail,
  'cloudtrail:GetTrailStatus': getTrailStatus,
  'cloudtrail:StartLogging': startLogging,
  'cloudtrail:StopLogging': stopLogging,
};
