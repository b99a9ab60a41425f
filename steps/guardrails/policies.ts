import { renderTemplate } from '../../src/templates.js';

/**
 * The guardrails' policy documents (`templates/guardrails/*.json`) and what they are written against.
 *
 * Organizations allows at most 5 SCPs on one target (root, OU, account), `FullAWSAccess` included, and
 * 5,120 characters per policy, so the statements are grouped into few policies, one per place they
 * attach and per reason to turn them on or off on their own:
 *
 * - `aws-groundwork-baseline` (root): organization integrity, the baseline the every-account steps set,
 *   and the member root user. All of it holds for every member alike, so it is one policy, one slot at
 *   the root and one check: verify reports it missing, edited or detached as a whole.
 * - `aws-groundwork-regions` (root, opt-in): apart from the baseline because it is the only one that can
 *   stop running workloads, so turning it on or off is attaching or detaching this policy alone, and
 *   because it is the largest (the global services' list and up to every allowed region).
 * - `aws-groundwork-tls-only` (root): a resource control policy, another policy type.
 * - `aws-groundwork-log-archive` (the log-archive account): it names log-archive's own buckets and keys.
 * - `aws-groundwork-no-access-keys` (each staging and prod account): only those accounts get it.
 *
 * So the root holds FullAWSAccess and at most two of ours (3 of 5 SCPs), log-archive and each staging or
 * prod account one of ours next to its FullAWSAccess (2 of 5), and the root one RCP next to
 * RCPFullAWSAccess (2 of 5): room for the user's own. SCPs and RCPs never apply to the management
 * account, so nothing here restrains its administrators.
 */

export type GuardrailTarget = 'root' | 'log-archive' | 'no-access-keys';

export interface Guardrail {
  /** Found again by this name, e.g. 'aws-groundwork-organization-integrity'. */
  name: string;
  type: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';
  /**
   * What it prevents, in plain words for the plan: "members can no longer leave the organization". The
   * same sentence whatever the buckets or regions (they are in the document), so it can title a check.
   */
  prevents: string;
  /** Where it attaches: the root, the log-archive account, or each staging/prod account. */
  target: GuardrailTarget;
  /** The check id verify reports it under, e.g. 'guardrails.organization-integrity'. */
  check: string;
  document: Record<string, unknown>;
}

export interface GuardrailInputs {
  partition: string;
  /** The tool's admin role in members, exempt where the issue says: MEMBER_ROLE. */
  adminRole: string;
  /** Present when the organization has a log-archive account (existing; ids known). */
  logArchive?: { accountId: string; trailBucket: string; logBucket: string };
  /** Empty: the region guardrail is off. */
  allowedRegions: string[];
}

/** What Organizations allows per policy, counted on the text it is sent (see `policyText`). */
export const MAX_POLICY_CHARS = 5120;

/**
 * Every check id `guardrails` can return, whatever the inputs (the region and log-archive guardrails
 * only with their inputs): the step declares and maps them all, and verify reports each it attaches.
 */
export const GUARDRAIL_CHECK_IDS = [
  'guardrails.baseline',
  'guardrails.regions',
  'guardrails.tls-only',
  'guardrails.logs-untouchable',
  'guardrails.no-access-keys',
] as const;

/**
 * The guardrails for these inputs, root ones first: the baseline, the region guardrail when regions are
 * allowed, TLS only; then log-archive's when there is one, and the staging/prod one (always returned:
 * where it attaches depends on the accounts, which the step knows).
 */
export function guardrails(i: GuardrailInputs): Guardrail[] {
  assertInputs(i);
  return [
    baseline(i),
    ...(i.allowedRegions.length > 0 ? [regions(i)] : []),
    tlsOnly(),
    ...(i.logArchive ? [logsUntouchable(i, i.logArchive)] : []),
    noAccessKeys(),
  ];
}

/** The JSON text sent to Organizations (minified); what the 5,120-character limit counts. */
export function policyText(g: Guardrail): string {
  return JSON.stringify(g.document);
}

/**
 * Members may not leave (an account outside the organization is outside every guardrail). Only the
 * admin role may change what the every-account steps set: account-level Block Public Access (its
 * DeletePublicAccessBlock is authorized as s3:PutAccountPublicAccessBlock too), the password policy and
 * the alternate contacts; the tool itself makes those changes through that role. Nobody may create
 * root access keys: this also holds in a privileged-task session, which the statement after it lets
 * through. A member's root user can do nothing else at all, except in the short sessions that
 * centralized root access opens (sts:AssumeRoot), where `aws:AssumedRoot` is present: the condition
 * `Null aws:AssumedRoot = true` is AWS's own, from the sample SCP "Prevent root credentials management
 * in member accounts" (aws-samples/service-control-policy-examples,
 * Privileged-access-controls/Prevent-root-credentials-management-in-member-accounts-in-AWS-Organizations.json).
 * That AWS exempts them there says SCPs reach those sessions (they act as the member's root user);
 * whether they do or not, with this condition the tool's own clean-up of member root credentials
 * (root-credentials, through sts:AssumeRoot) keeps working.
 */
function baseline(i: GuardrailInputs): Guardrail {
  return {
    name: 'aws-groundwork-baseline',
    type: 'SERVICE_CONTROL_POLICY',
    prevents:
      `members can no longer leave the organization; only ${i.adminRole} can turn off S3 Block Public Access ` +
      `or change the password policy or alternate contacts, disable GuardDuty, take an account out of its GuardDuty ` +
      `administration or delete an IAM Access Analyzer analyzer; nobody can create root access keys; a member's ` +
      `root user can do nothing but the privileged tasks of centralized root access`,
    target: 'root',
    check: 'guardrails.baseline',
    document: render('baseline.json', { partition: i.partition, adminRole: i.adminRole }),
  };
}

/**
 * Outside the allowed regions, only the global services may be used. The list is the one of AWS's
 * region-deny example (Organizations user guide, "Deny access to AWS based on the requested AWS Region";
 * the same list in aws-samples/service-control-policy-examples), verbatim so that it can be checked
 * against its source; Control Tower's region deny exempts more (account:*, sso:*, ...), which an
 * organization that allows no us-east-1 may miss. The admin role is exempt, as in that example, so the
 * tool keeps reaching every region it manages (the trail's home region among them).
 */
function regions(i: GuardrailInputs): Guardrail {
  return {
    name: 'aws-groundwork-regions',
    type: 'SERVICE_CONTROL_POLICY',
    prevents: `members can use only the allowed regions, except global services (IAM, Organizations, STS, ...) and ${i.adminRole}`,
    target: 'root',
    check: 'guardrails.regions',
    document: render('regions.json', { partition: i.partition, adminRole: i.adminRole }, { allowedRegions: i.allowedRegions }),
  };
}

/**
 * No S3 request without TLS to a bucket of a member account, whoever makes it (inside or outside the
 * organization). As in AWS's RCP example (Organizations user guide, "Enforce secure transport"), the
 * condition is BoolIfExists: `aws:SecureTransport` is in every request's context, and a request
 * without it would be denied rather than let through. RCP rules: only Deny statements (Allow is for
 * RCPFullAWSAccess alone), and `Principal` must be "*"; principals are narrowed by conditions only.
 */
function tlsOnly(): Guardrail {
  return {
    name: 'aws-groundwork-tls-only',
    type: 'RESOURCE_CONTROL_POLICY',
    prevents: "no S3 request without TLS reaches a member account's bucket",
    target: 'root',
    check: 'guardrails.tls-only',
    document: render('tls-only.json', {}),
  };
}

/**
 * In log-archive, only the admin role may delete or reconfigure the trail and access-log buckets (each
 * Delete* of a bucket setting is authorized as its Put*: DeleteBucketLifecycle as
 * s3:PutLifecycleConfiguration, DeleteBucketEncryption as s3:PutEncryptionConfiguration, ...), delete
 * their objects or versions or bypass governance retention (through an access point of log-archive too,
 * where the request names the access point's ARN, not the bucket's), or disable, re-point or schedule
 * the deletion of a key. Keys: every key of log-archive, because the trail key's id is not known when
 * the guardrail is planned (it may be made in the same apply) and log-archive exists to keep logs;
 * aliases: only ours (`alias/aws-groundwork/<trail>`), so that nobody points the name the tool finds
 * the key by at another key, or makes it first. The admin role keeps all of it: it is how the tool
 * restores the buckets and key (org-trail), and who can assume it is the management account's call.
 */
function logsUntouchable(i: GuardrailInputs, l: NonNullable<GuardrailInputs['logArchive']>): Guardrail {
  return {
    name: 'aws-groundwork-log-archive',
    type: 'SERVICE_CONTROL_POLICY',
    prevents:
      `nobody in log-archive but ${i.adminRole} can delete or reconfigure the trail and access-log buckets, ` +
      `delete their logs, or disable, re-key or schedule the deletion of a KMS key there`,
    target: 'log-archive',
    check: 'guardrails.logs-untouchable',
    document: render('log-archive.json', {
      partition: i.partition,
      adminRole: i.adminRole,
      accountId: l.accountId,
      trailBucket: l.trailBucket,
      logBucket: l.logBucket,
    }),
  };
}

/**
 * No IAM access keys (long-lived credentials) in staging and production, for anyone, the admin role
 * included: the tool never creates an access key (no step declares iam:CreateAccessKey), so it loses
 * nothing. Keys that already exist are not removed by this; it only stops new ones.
 */
function noAccessKeys(): Guardrail {
  return {
    name: 'aws-groundwork-no-access-keys',
    type: 'SERVICE_CONTROL_POLICY',
    prevents: 'nobody in a staging or production account can create IAM access keys',
    target: 'no-access-keys',
    check: 'guardrails.no-access-keys',
    document: render('no-access-keys.json', {}),
  };
}

const PARTITION = /^aws(-[a-z]+)*$/;
/** IAM's own rule for role names: no `*` or `?`, which ArnLike would read as a pattern exempting others. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ACCOUNT_ID = /^\d{12}$/;
/** S3's rule for bucket names (no wildcard, no `/`), so a name never widens the Resource it is put in. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A region name as the region guardrail takes it; the answers use the same rule, so a bad one exits 2. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Every value goes into an ARN pattern or a condition: a value that is not what its name says (a role
 * name with `*`, a region with a wildcard) would quietly widen an exemption or narrow a deny, so it is
 * refused here, before any document exists.
 */
function assertInputs(i: GuardrailInputs): void {
  const refuse = (what: string, value: string) => {
    throw new Error(`guardrails: ${what} ${JSON.stringify(value)} is not valid`);
  };
  if (!PARTITION.test(i.partition)) refuse('the partition', i.partition);
  if (!ROLE_NAME.test(i.adminRole)) refuse('the admin role name', i.adminRole);
  for (const r of i.allowedRegions) if (!REGION.test(r)) refuse('the allowed region', r);
  if (new Set(i.allowedRegions).size !== i.allowedRegions.length) refuse('the allowed regions', i.allowedRegions.join(','));
  if (i.logArchive) {
    if (!ACCOUNT_ID.test(i.logArchive.accountId)) refuse('the log-archive account id', i.logArchive.accountId);
    for (const b of [i.logArchive.trailBucket, i.logArchive.logBucket]) if (!BUCKET.test(b)) refuse('the bucket name', b);
  }
}

/** `["{{...name}}"]` in a template: an array that stands for the whole list `name`. */
const LIST_PLACEHOLDER = /^\{\{\.\.\.([A-Za-z][\w.-]*)\}\}$/;

/**
 * `templates/guardrails/<file>` with its `{{placeholder}}` values, escaped as JSON string content (every
 * one sits inside a string), and each list placeholder replaced by its list. Strict both ways, as
 * `renderTemplate` is: a list placeholder without a list, or a list without its placeholder, throws.
 */
function render(file: string, values: Record<string, string>, lists: Record<string, string[]> = {}): Record<string, unknown> {
  const escaped = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, JSON.stringify(v).slice(1, -1)]));
  const used = new Set<string>();
  const expand = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      const list = node.length === 1 && typeof node[0] === 'string' ? LIST_PLACEHOLDER.exec(node[0])?.[1] : undefined;
      if (list === undefined) return node.map(expand);
      if (!Object.hasOwn(lists, list)) throw new Error(`guardrails/${file}: no list for placeholder {{...${list}}}`);
      used.add(list);
      return [...(lists[list] as string[])];
    }
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, expand(v)]));
    return node;
  };
  const document = expand(JSON.parse(renderTemplate(`guardrails/${file}`, escaped))) as Record<string, unknown>;
  const unused = Object.keys(lists).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`guardrails/${file}: lists without a placeholder: ${unused.join(', ')}`);
  return document;
}
