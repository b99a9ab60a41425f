/**
 * Maps an SDK command to the IAM action it needs, and says whether it only reads. Both the read-only
 * guard and `aws-groundwork permissions` rest on this table, so a wrong entry shows up in tests.
 */

export type ServiceId = 'iam' | 'sts' | 'organizations' | 'cloudtrail' | 's3' | 's3control' | 'kms' | 'account';

/** The IAM prefix of each client's actions: S3 Control's actions are `s3:` actions. */
const IAM_PREFIX: Record<ServiceId, string> = {
  iam: 'iam',
  sts: 'sts',
  organizations: 'organizations',
  cloudtrail: 'cloudtrail',
  s3: 's3',
  s3control: 's3',
  kms: 'kms',
  account: 'account',
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
  's3control:GetPublicAccessBlock': 's3:GetAccountPublicAccessBlock',
  's3control:PutPublicAccessBlock': 's3:PutAccountPublicAccessBlock',
  's3control:DeletePublicAccessBlock': 's3:DeleteAccountPublicAccessBlock',
};

/** Operations that change nothing although their names do not say so. */
const READ_ALLOW_LIST = new Set(['sts:AssumeRole']);

const READ_VERBS = /^(Get|List|Describe|Head|Lookup)[A-Z]/;

export function operationName(command: { constructor: { name: string } }): string {
  return command.constructor.name.replace(/Command$/, '');
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
  return READ_VERBS.test(name) || READ_ALLOW_LIST.has(`${service}:${name}`);
}
