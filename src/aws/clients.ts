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
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { SMITHY_CONTEXT_KEY, type AwsCredentialIdentityProvider } from '@smithy/types';
import { randomUUID } from 'node:crypto';
import { iamActionFor, isReadOperation, operationName, writeKindOf, type ServiceId } from './actions.js';
import { DEFAULT_TIMEOUTS, isThrottling, withRetries, type RetryPolicy } from './retry.js';
import { ConcurrencyLimits } from './concurrency.js';
import { ReadOnlyViolationError, UndeclaredActionError, attachCallContext } from '../errors.js';
import type { AccountRef } from '../model.js';

export interface AwsClients {
  iam: IAMClient;
  sts: STSClient;
  organizations: OrganizationsClient;
  cloudtrail: CloudTrailClient;
  s3: S3Client;
  s3control: S3ControlClient;
  kms: KMSClient;
  account: AccountClient;
  /** IAM Identity Center's administration (permission sets, assignments): `sso:` actions. */
  ssoAdmin: SSOAdminClient;
  /** IAM Identity Center's directory of users and groups. */
  identitystore: IdentitystoreClient;
  /** AWS Budgets: global, signed in the partition's global region. */
  budgets: BudgetsClient;
  /** Cost Explorer, which holds Cost Anomaly Detection: global like Budgets. */
  costExplorer: CostExplorerClient;
  /** GuardDuty is regional: one detector per account and region. */
  guardduty: GuardDutyClient;
  /** Service Quotas, for AWS Organizations' quotas: global like Budgets, read in the partition's global region. */
  serviceQuotas: ServiceQuotasClient;
  /** IAM Access Analyzer is regional: an analyzer sees the resources of its region. */
  accessAnalyzer: AccessAnalyzerClient;
}

export interface ClientSettings {
  /** Our retry of transient failures (the SDK's own is off). */
  retry?: RetryPolicy;
  /** The home region: trail, buckets, key, STS. */
  region: string;
  credentials?: AwsCredentialIdentityProvider;
  /** Every client's endpoint (LocalStack, moto, a proxy). */
  endpoint?: string;
  /** The SDK's own attempts: 1, since `retry` does it, unless AWS_MAX_ATTEMPTS asks otherwise. */
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
  userAgent: string;
  /** The run's limits on requests in flight, shared by every pool of the run; none: unlimited. */
  limits?: ConcurrencyLimits;
}

/**
 * IAM and Organizations are global services, signed in the partition's global region whatever the
 * home region is.
 */
export function globalRegionFor(region: string): string {
  if (region.startsWith('cn-')) return 'cn-north-1';
  if (region.startsWith('us-gov-')) return 'us-gov-west-1';
  return 'us-east-1';
}

type Constructors = { [K in ServiceId]: new (config: Record<string, unknown>) => AwsClients[K] };

const CONSTRUCTORS: Constructors = {
  iam: IAMClient as never,
  sts: STSClient as never,
  organizations: OrganizationsClient as never,
  cloudtrail: CloudTrailClient as never,
  s3: S3Client as never,
  s3control: S3ControlClient as never,
  kms: KMSClient as never,
  account: AccountClient as never,
  ssoAdmin: SSOAdminClient as never,
  identitystore: IdentitystoreClient as never,
  budgets: BudgetsClient as never,
  costExplorer: CostExplorerClient as never,
  guardduty: GuardDutyClient as never,
  serviceQuotas: ServiceQuotasClient as never,
  accessAnalyzer: AccessAnalyzerClient as never,
};

/** Each attempt's bounds (see DEFAULT_TIMEOUTS): the SDK's Node handler has none of its own. */
export function requestHandlerConfig(retry: RetryPolicy | undefined): { connectionTimeout: number; socketTimeout: number } {
  return {
    connectionTimeout: retry?.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectTimeoutMs,
    socketTimeout: retry?.idleTimeoutMs ?? DEFAULT_TIMEOUTS.idleTimeoutMs,
  };
}

export function clientConfig(service: ServiceId, s: ClientSettings): Record<string, unknown> {
  const global = service === 'iam' || service === 'organizations' || service === 'budgets' || service === 'costExplorer';
  const config: Record<string, unknown> = {
    region: global ? globalRegionFor(s.region) : s.region,
    maxAttempts: s.maxAttempts,
    retryMode: s.retryMode,
    customUserAgent: s.userAgent,
    requestHandler: requestHandlerConfig(s.retry),
  };
  // Service Quotas is regional, but AWS Organizations' quotas are kept in the partition's global region
  // only (us-east-1 in aws; Organizations user guide, "Quotas"), where the organization itself lives.
  if (service === 'serviceQuotas') config.region = globalRegionFor(s.region);
  if (s.credentials) config.credentials = s.credentials;
  if (s.endpoint) {
    config.endpoint = s.endpoint;
    if (service === 's3') config.forcePathStyle = true;
    if (service === 's3control') {
      // S3 Control's endpoint rules put `<AccountId>.` in front of the host, which turns
      // `127.0.0.1:4566` into an unusable name. With an override, every request goes to the URL as
      // given; the account travels in the x-amz-account-id header the client always sends.
      const url = s.endpoint;
      config.endpointProvider = () => ({ url: new URL(url) });
      config.disableHostPrefix = true;
    }
  }
  return config;
}

/**
 * The session's own calls (who the caller is, the way into a member) are left out of the limits: one per
 * account, they are made while a step's request waits for its credentials, and must not wait for a place
 * that request holds.
 */
export const SESSION_STEP = 'session';

/** Commands the guard has checked, on their way out (a command's object is sent once; see `sameRequest`). */
const cleared = new WeakMap<object, string>();

type MiddlewareHost = {
  middlewareStack: {
    add(
      mw: (next: (args: unknown) => Promise<unknown>, context: Record<string, unknown>) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
};

/**
 * The last line of "plan and verify never write": a pool client sends only what the guard checked,
 * and the SDK's own name for the command (its middleware context) must be the operation the guard
 * read from the command's schema. A send that bypasses `scopedClients` is refused here.
 */
function onlyThroughTheGuard(client: MiddlewareHost): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context[SMITHY_CONTEXT_KEY] as { commandInstance?: object } | undefined)?.commandInstance;
      const operation = command ? cleared.get(command) : undefined;
      if (!operation || context.commandName !== `${operation}Command`) {
        throw new ReadOnlyViolationError(`an AWS command (${String(context.commandName)}) was sent without passing the read-only guard`);
      }
      return next(args);
    },
    { step: 'initialize', name: 'awsGroundworkGuardCheck', priority: 'high' },
  );
}

/** One client per service, created on first use and then reused. */
export class ClientPool {
  private readonly clients = new Map<ServiceId, unknown>();
  constructor(readonly settings: ClientSettings) {}

  get<K extends ServiceId>(service: K): AwsClients[K] {
    let client = this.clients.get(service) as AwsClients[K] | undefined;
    if (!client) {
      client = new CONSTRUCTORS[service](clientConfig(service, this.settings));
      onlyThroughTheGuard(client as unknown as MiddlewareHost);
      this.clients.set(service, client);
    }
    return client;
  }

  destroy(): void {
    for (const c of this.clients.values()) (c as { destroy(): void }).destroy();
    this.clients.clear();
  }
}

export type AccessMode = 'read' | 'write';

export interface ClientScope {
  step: string;
  account: AccountRef;
  mode: AccessMode;
  /** Every IAM action the step may use in this mode. */
  allowed: ReadonlySet<string>;
  /**
   * Reads already made in this plan or verify, shared by all steps and accounts: the same read is
   * sent once per run. Absent in apply, where every read must see the writes before it.
   */
  readCache?: Map<string, Promise<unknown>>;
  /** Called before each command leaves, after the checks passed. */
  onSend?: (event: { step: string; account: AccountRef; service: ServiceId; operation: string; action: string | null }) => void;
}

/** A shared failed read, copied so each step's report names that step. */
function copyError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(err) as object) as Error, err);
  copy.message = err.message;
  if (err.stack) copy.stack = err.stack;
  return copy;
}

const SERVICES: ServiceId[] = [
  'iam',
  'sts',
  'organizations',
  'cloudtrail',
  's3',
  's3control',
  'kms',
  'account',
  'ssoAdmin',
  'identitystore',
  'budgets',
  'costExplorer',
  'guardduty',
  'serviceQuotas',
  'accessAnalyzer',
];

/**
 * The only clients a step ever sees. In `read` mode every command that is not a read is refused
 * before it leaves the process: plan and verify cannot write, whatever the step's code does. In both
 * modes a command whose IAM action the step has not declared is refused, so `permissions` stays true.
 */
export function scopedClients(pool: ClientPool, scope: ClientScope): AwsClients {
  const out = {} as Record<ServiceId, unknown>;
  for (const service of SERVICES) {
    let proxy: unknown;
    Object.defineProperty(out, service, {
      enumerable: true,
      get() {
        proxy ??= guard(pool.get(service), service, scope, pool.settings);
        return proxy;
      },
    });
  }
  return out as unknown as AwsClients;
}

type SdkCommand = { input?: Record<string, unknown>; constructor: new (input: unknown) => SdkCommand };

/**
 * The same request as a new command object. The SDK adds a command's own middleware to the command
 * object on every send, so sending one object twice fails ("Duplicate middleware name") in clients
 * that have such middleware (S3 Control): each attempt sends a fresh copy of the same input.
 */
function sameRequest(command: SdkCommand): SdkCommand {
  const Same = command.constructor;
  return new Same(command.input);
}

/** Each attempt within the run's limit for its service and account; the session's own calls go as they are. */
function withinLimit(sendOnce: () => Promise<unknown>, service: ServiceId, scope: ClientScope, settings: ClientSettings) {
  const limits = scope.step === SESSION_STEP ? undefined : settings.limits;
  if (!limits) return sendOnce;
  const request = limits.request<unknown>(service, ConcurrencyLimits.keyOf(service, scope.account.id, settings.region), isThrottling);
  return () => request(sendOnce);
}

function guard<T extends object>(client: T, service: ServiceId, scope: ClientScope, settings: ClientSettings): T {
  const send = async (command: SdkCommand, ...rest: unknown[]) => {
    const operation = operationName(command);
    const action = iamActionFor(service, operation);
    const label = action ?? `${service}:${operation}`;
    if (scope.mode === 'read' && !isReadOperation(service, operation)) {
      throw new ReadOnlyViolationError(`${scope.step} tried to send ${label} during a read-only phase; plan and verify never write.`);
    }
    if (action !== null && !scope.allowed.has(action)) {
      throw new UndeclaredActionError(
        `${scope.step} sent ${action}, which it does not declare for ${scope.mode === 'read' ? 'plan/verify' : 'apply'}.`,
      );
    }
    scope.onSend?.({ step: scope.step, account: scope.account, service, operation, action });
    const kind = writeKindOf(service, operation);
    if (kind.kind === 'token' && command.input && command.input[kind.member] === undefined) {
      // Set before the first attempt, so every attempt carries the same token (the SDK would draw
      // a new one for each serialization).
      command.input[kind.member] = randomUUID();
    }
    let attempts = 0;
    // Looked up on every call so a stub installed on the prototype (tests) is honoured.
    const sendOnce = () => {
      const attempt = attempts++ === 0 ? command : sameRequest(command);
      cleared.set(attempt, operation);
      return (client as unknown as { send: (...a: unknown[]) => Promise<unknown> }).send(attempt, ...rest);
    };
    const cache = scope.mode === 'read' ? scope.readCache : undefined;
    const key =
      cache &&
      `${scope.account.id}|${settings.region}|${service}|${operation}|${JSON.stringify((command as { input?: unknown }).input ?? {})}`;
    let pending = key ? cache?.get(key) : undefined;
    const shared = pending !== undefined;
    if (!pending) {
      pending = withRetries(withinLimit(sendOnce, service, scope, settings), settings.retry, {
        resendAfterLostAnswer: kind.kind !== 'ambiguous',
        operation: label,
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
        bodiless: operation.startsWith('Head'),
      });
      if (key) cache?.set(key, pending);
    }
    try {
      const result = await pending;
      // Each caller gets its own copy: a step that changes what it read must not change another's.
      return shared ? structuredClone(result) : result;
    } catch (err) {
      const own = shared ? copyError(err) : err;
      attachCallContext(own, { step: scope.step, account: scope.account, action: label });
      throw own;
    }
  };
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'send') return send;
      return Reflect.get(target, prop, receiver);
    },
  });
}
