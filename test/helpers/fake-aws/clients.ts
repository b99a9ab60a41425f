/**
 * The SDK side of the fake: the client classes it is installed on, how it reads the region and the
 * credentials of the client that sent a command, and what the SDK would see of an error or a dropped
 * connection.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { KMSClient } from '@aws-sdk/client-kms';
import { AccountClient } from '@aws-sdk/client-account';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { ServiceId } from '../../../src/aws/actions.js';
import type { Credentials } from './auth.js';

export const CLIENTS: [ServiceId, new (...args: never[]) => unknown][] = [
  ['iam', IAMClient],
  ['sts', STSClient],
  ['organizations', OrganizationsClient],
  ['cloudtrail', CloudTrailClient],
  ['s3', S3Client],
  ['s3control', S3ControlClient],
  ['kms', KMSClient],
  ['account', AccountClient],
  ['ssoAdmin', SSOAdminClient],
  ['identitystore', IdentitystoreClient],
  ['budgets', BudgetsClient],
  ['costExplorer', CostExplorerClient],
  ['guardduty', GuardDutyClient],
  ['accessAnalyzer', AccessAnalyzerClient],
  ['serviceQuotas', ServiceQuotasClient],
];

/** The region an SDK client was configured with: `config.region` is a provider function once resolved. */
export async function regionOf(client: { config?: { region?: unknown } } | undefined): Promise<string> {
  const value = client?.config?.region;
  const region = typeof value === 'function' ? await (value as () => Promise<unknown>)() : value;
  return typeof region === 'string' && region ? region : 'us-east-1';
}

/**
 * The credentials an SDK client signs with: `config.credentials` is a provider function once resolved.
 * Undefined when the client has none configured; a failing provider fails the call, as it would in AWS.
 */
export async function credentialsOf(client: { config?: { credentials?: unknown } } | undefined): Promise<Credentials | undefined> {
  const value = client?.config?.credentials;
  if (value === undefined || value === null) return undefined;
  const identity = typeof value === 'function' ? await (value as () => Promise<unknown>)() : value;
  return identity && typeof identity === 'object' ? (identity as Credentials) : undefined;
}

/**
 * The HTTP status AWS answers an error with, from each service's API reference: errors the handlers
 * build without one get it here, so the tool sees what the SDK parses from AWS (the end-to-end test
 * test/e2e-aws/fake-follows-emulator.test.ts holds the fake to the emulator on this).
 */
const ERROR_STATUS: Record<string, number> = {
  'iam:NoSuchEntityException': 404,
  'iam:EntityAlreadyExistsException': 409,
  'iam:LimitExceededException': 409,
  'iam:DeleteConflictException': 409,
  'account:ResourceNotFoundException': 404,
  // SSO Admin and Identity Store: none, 400 for all. The SSO Admin API reference lists 400 for every error,
  // AWS's answers of both services are 400 (AccessDenied and ResourceNotFound included), the emulator too;
  // only the SDK models say 403 / 404 / 409.
};

export function withAwsStatus(service: ServiceId, err: unknown): unknown {
  const e = err as { name?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  if (!(err instanceof Error) || !e.$metadata || e.$metadata.httpStatusCode !== undefined) return err;
  // A fresh object: handlers share one empty $metadata between errors.
  e.$metadata = { ...e.$metadata, httpStatusCode: ERROR_STATUS[`${service}:${e.name}`] ?? (e.$fault === 'server' ? 500 : 400) };
  return err;
}

/** What the SDK's Node handler throws when the connection drops before the answer arrives. */
export function lostConnection(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/** The error each service refuses a request with for its rate: IAM's is `Throttling`, Organizations' `TooManyRequestsException`. */
const THROTTLING_NAMES: Partial<Record<ServiceId, string>> = {
  iam: 'Throttling',
  sts: 'Throttling',
  organizations: 'TooManyRequestsException',
  s3: 'SlowDown',
};

export function throttlingError(service: ServiceId): Error {
  const name = THROTTLING_NAMES[service] ?? 'ThrottlingException';
  return Object.assign(new Error('Rate exceeded'), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: name === 'SlowDown' ? 503 : 400 },
  });
}
