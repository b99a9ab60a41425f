/**
 * Maps an SDK command to the IAM action it needs, and says whether it only reads. Both the read-only
 * guard and `aws-groundwork permissions` rest on this table, so a wrong entry shows up in tests.
 */

export type ServiceId =
  | 'iam'
  | 'sts'
  | 'organizations'
  | 'cloudtrail'
  | 's3'
  | 's3control'
  | 'kms'
  | 'account'
  | 'ssoAdmin'
  | 'identitystore'
  | 'budgets'
  | 'costExplorer'
  | 'guardduty'
  | 'serviceQuotas'
  | 'accessAnalyzer';

/** The IAM prefix of each client's actions: S3 Control's actions are `s3:` actions, SSO Admin's `sso:`. */
const IAM_PREFIX: Record<ServiceId, string> = {
  iam: 'iam',
  sts: 'sts',
  organizations: 'organizations',
  cloudtrail: 'cloudtrail',
  s3: 's3',
  s3control: 's3',
  kms: 'kms',
  account: 'account',
  ssoAdmin: 'sso',
  identitystore: 'identitystore',
  budgets: 'budgets',
  costExplorer: 'ce',
  guardduty: 'guardduty',
  serviceQuotas: 'servicequotas',
  accessAnalyzer: 'access-analyzer',
};

/** Commands whose IAM action is not `<prefix>:<CommandName>`. `null`: AWS needs no permission for it. */
const ACTION_OVERRIDES: Record<string, string | null> = {
  'sts:GetCallerIdentity': null,
  's3:HeadBucket': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3:GetBucketLifecycleConfiguration': 's3:GetLifecycleConfiguration',
  's3:PutBucketLifecycleConfiguration': 's3:PutLifecycleConfiguration',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:PutBucketEncryption': 's3:PutEncryptionConfiguration',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:PutPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  's3:DeletePublicAccessBlock': 's3:DeleteBucketPublicAccessBlock',
  's3:GetObjectLockConfiguration': 's3:GetBucketObjectLockConfiguration',
  's3:PutObjectLockConfiguration': 's3:PutBucketObjectLockConfiguration',
  's3control:GetPublicAccessBlock': 's3:GetAccountPublicAccessBlock',
  's3control:PutPublicAccessBlock': 's3:PutAccountPublicAccessBlock',
  's3control:DeletePublicAccessBlock': 's3:DeleteAccountPublicAccessBlock',
  // AWS Budgets has two actions for all its operations (Budgets user guide, "Actions defined by AWS Budgets").
  'budgets:DescribeBudgets': 'budgets:ViewBudget',
  'budgets:DescribeBudget': 'budgets:ViewBudget',
  'budgets:DescribeNotificationsForBudget': 'budgets:ViewBudget',
  'budgets:DescribeSubscribersForNotification': 'budgets:ViewBudget',
  'budgets:CreateBudget': 'budgets:ModifyBudget',
  'budgets:UpdateBudget': 'budgets:ModifyBudget',
  'budgets:CreateNotification': 'budgets:ModifyBudget',
  'budgets:UpdateNotification': 'budgets:ModifyBudget',
  'budgets:DeleteNotification': 'budgets:ModifyBudget',
  'budgets:CreateSubscriber': 'budgets:ModifyBudget',
  'budgets:UpdateSubscriber': 'budgets:ModifyBudget',
  'budgets:DeleteSubscriber': 'budgets:ModifyBudget',
};

/** Operations that change nothing although their names do not say so. */
const READ_ALLOW_LIST = new Set(['sts:AssumeRole']);

/** IAM actions that only read although their names do not say so. */
const READ_ACTIONS = new Set(['budgets:ViewBudget']);

const READ_VERBS = /^(Get|List|Describe|Head|Lookup)[A-Z]/;

/**
 * The operation a command sends, read from the SDK's own operation schema (`[9, namespace, name,
 * traits, input, output]`), which is data and survives minification. Class and function names do
 * not: the published bundle renames `GetAccountSummaryCommand` to something like `HR`.
 */
export function operationName(command: unknown): string {
  const schema = (command as { schema?: unknown } | null)?.schema;
  if (Array.isArray(schema) && schema[0] === OPERATION_SCHEMA && typeof schema[2] === 'string' && /^[A-Z]\w+$/.test(schema[2])) {
    return schema[2];
  }
  // Refuse rather than guess: an unnamed command could not be held to the read-only guard.
  throw new Error(
    'cannot tell which AWS operation this command sends: it carries no SDK operation schema (an unsupported AWS SDK version?)',
  );
}

/** The type tag of an operation in the SDK's schemas (`@smithy/core/schema`). */
const OPERATION_SCHEMA = 9;

/**
 * What may be done when the answer to a write is lost (a dropped connection, a timeout, a 5xx): the
 * request may or may not have been carried out.
 * - `idempotent`: sending it again leaves the same state (Put*, Update*, Attach*, Enable*, Tag*).
 * - `token`: idempotent by a client token, resent with the same token (the named input member).
 * - `ambiguous`: sending it again could make a second thing or fail on the first one; the engine
 *   reads back (plans the step again) to learn whether it happened, then goes on from there.
 */
export type WriteKind = { kind: 'idempotent' } | { kind: 'token'; member: string } | { kind: 'ambiguous' };

const IDEMPOTENT: WriteKind = { kind: 'idempotent' };
const AMBIGUOUS: WriteKind = { kind: 'ambiguous' };

/**
 * Every write the steps send, keyed by client and operation. No write sent today takes a client
 * token (CreateAccount, CreateKey, CreateTrail, CreatePolicy and Identity Center's creates have none). A write missing here is treated as
 * ambiguous, and a test holds every declared write to an entry.
 */
export const WRITE_KINDS: Readonly<Record<string, WriteKind>> = {
  'account:PutAlternateContact': IDEMPOTENT,
  // Budgets. Sent again, a notification or subscriber that exists answers DuplicateRecordException and
  // a deleted subscriber NotFoundException, which cost-alerts reads as done; CreateBudget carries the
  // budget's notifications too, so it is read back rather than resent.
  'budgets:CreateBudget': AMBIGUOUS,
  // threat-detection: trusted access, administrators, auto-enable and resuming are the same state when
  // repeated (a repeated admin or registration answers an "already" error, taken as done); a detector and an
  // analyzer are made again only after a fresh plan finds them missing.
  'organizations:RegisterDelegatedAdministrator': IDEMPOTENT,
  'guardduty:EnableOrganizationAdminAccount': IDEMPOTENT,
  'guardduty:CreateDetector': AMBIGUOUS,
  'guardduty:UpdateDetector': IDEMPOTENT,
  'guardduty:UpdateOrganizationConfiguration': IDEMPOTENT,
  'guardduty:CreateMembers': IDEMPOTENT,
  'guardduty:StartMonitoringMembers': IDEMPOTENT,
  'accessAnalyzer:CreateAnalyzer': AMBIGUOUS,
  'budgets:CreateNotification': IDEMPOTENT,
  'budgets:CreateSubscriber': IDEMPOTENT,
  'budgets:DeleteSubscriber': IDEMPOTENT,
  'budgets:UpdateBudget': IDEMPOTENT,
  // Cost Anomaly Detection: no client token; a second subscription of one name would be made.
  'costExplorer:CreateAnomalyMonitor': AMBIGUOUS,
  'costExplorer:CreateAnomalySubscription': AMBIGUOUS,
  'costExplorer:UpdateAnomalySubscription': IDEMPOTENT,
  'cloudtrail:CreateTrail': AMBIGUOUS,
  'cloudtrail:StartLogging': IDEMPOTENT,
  'cloudtrail:UpdateTrail': IDEMPOTENT,
  'iam:AddUserToGroup': IDEMPOTENT,
  'iam:AttachGroupPolicy': IDEMPOTENT,
  'iam:CreateAccountAlias': AMBIGUOUS,
  'iam:CreateGroup': AMBIGUOUS,
  'iam:CreateLoginProfile': AMBIGUOUS,
  'iam:CreatePolicy': AMBIGUOUS,
  'iam:CreatePolicyVersion': AMBIGUOUS,
  'iam:CreateUser': AMBIGUOUS,
  'iam:DeactivateMFADevice': AMBIGUOUS,
  'iam:DeleteAccessKey': AMBIGUOUS,
  'iam:DeleteLoginProfile': AMBIGUOUS,
  'iam:DeletePolicyVersion': AMBIGUOUS,
  'iam:DeleteSigningCertificate': AMBIGUOUS,
  'iam:EnableOrganizationsRootCredentialsManagement': IDEMPOTENT,
  'iam:EnableOrganizationsRootSessions': IDEMPOTENT,
  'iam:UpdateAccountPasswordPolicy': IDEMPOTENT,
  'kms:CreateAlias': AMBIGUOUS,
  'kms:CreateKey': AMBIGUOUS,
  'kms:EnableKeyRotation': IDEMPOTENT,
  'kms:PutKeyPolicy': IDEMPOTENT,
  // Sent again, AttachPolicy, DetachPolicy and EnablePolicyType answer that it is done already
  // (DuplicatePolicyAttachment, PolicyNotAttached, PolicyTypeAlreadyEnabled), which the guardrails read as done.
  'organizations:AttachPolicy': IDEMPOTENT,
  'organizations:CreateAccount': AMBIGUOUS,
  'organizations:CreateOrganization': AMBIGUOUS,
  'organizations:CreateOrganizationalUnit': AMBIGUOUS,
  'organizations:CreatePolicy': AMBIGUOUS,
  'organizations:DetachPolicy': IDEMPOTENT,
  'organizations:EnableAWSServiceAccess': IDEMPOTENT,
  'organizations:EnablePolicyType': IDEMPOTENT,
  'organizations:MoveAccount': AMBIGUOUS,
  'organizations:TagResource': IDEMPOTENT,
  'organizations:UpdatePolicy': IDEMPOTENT,
  's3:CreateBucket': AMBIGUOUS,
  's3:PutBucketEncryption': IDEMPOTENT,
  's3:PutBucketLifecycleConfiguration': IDEMPOTENT,
  's3:PutBucketLogging': IDEMPOTENT,
  's3:PutBucketOwnershipControls': IDEMPOTENT,
  's3:PutBucketPolicy': IDEMPOTENT,
  's3:PutBucketVersioning': IDEMPOTENT,
  's3:PutObjectLockConfiguration': IDEMPOTENT,
  's3:PutPublicAccessBlock': IDEMPOTENT,
  's3control:PutPublicAccessBlock': IDEMPOTENT,
  // IAM Identity Center. Sent again, an attach, a membership or an assignment that exists answers
  // ConflictException or makes nothing new; a detach or a removal that is done answers ResourceNotFound.
  'ssoAdmin:AttachManagedPolicyToPermissionSet': IDEMPOTENT,
  'ssoAdmin:CreateAccountAssignment': IDEMPOTENT,
  'ssoAdmin:CreatePermissionSet': AMBIGUOUS,
  'ssoAdmin:DeleteInlinePolicyFromPermissionSet': IDEMPOTENT,
  'ssoAdmin:DetachManagedPolicyFromPermissionSet': IDEMPOTENT,
  'ssoAdmin:ProvisionPermissionSet': IDEMPOTENT,
  'ssoAdmin:UpdatePermissionSet': IDEMPOTENT,
  'identitystore:CreateGroup': AMBIGUOUS,
  'identitystore:CreateGroupMembership': IDEMPOTENT,
  'identitystore:CreateUser': AMBIGUOUS,
  'identitystore:DeleteGroupMembership': IDEMPOTENT,
  'identitystore:UpdateUser': IDEMPOTENT,
};

/** How a command may be resent after a lost answer; reads (and sts:AssumeRole) always may. */
export function writeKindOf(service: ServiceId, operation: string): WriteKind {
  if (isReadOperation(service, operation)) return IDEMPOTENT;
  return WRITE_KINDS[`${service}:${operation}`] ?? AMBIGUOUS;
}

/** The IAM action a command needs, or null when AWS authorizes it without one. */
export function iamActionFor(service: ServiceId, operation: string): string | null {
  const key = `${service}:${operation}`;
  if (Object.hasOwn(ACTION_OVERRIDES, key)) return ACTION_OVERRIDES[key] ?? null;
  const prefixed = `${IAM_PREFIX[service]}:${operation}`;
  if (Object.hasOwn(ACTION_OVERRIDES, prefixed)) return ACTION_OVERRIDES[prefixed] ?? null;
  return prefixed;
}

export function isReadOperation(service: ServiceId, operation: string): boolean {
  return READ_VERBS.test(operation) || READ_ALLOW_LIST.has(`${service}:${operation}`);
}

/** True when an IAM action (as a step declares it) only reads. */
export function isReadAction(action: string): boolean {
  const [service, name = ''] = action.split(':');
  return READ_VERBS.test(name) || READ_ALLOW_LIST.has(`${service}:${name}`) || READ_ACTIONS.has(action);
}
