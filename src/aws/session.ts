import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { AssumeRoleCommand, AssumeRootCommand, GetCallerIdentityCommand, type Credentials } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { ClientPool, SESSION_STEP, requestHandlerConfig, scopedClients, type ClientScope, type AwsClients } from './clients.js';
import { ConcurrencyLimits } from './concurrency.js';
import { describeCredentialFailure, runCredentials, sharedFiles, type CredentialOrigin } from './credentials.js';
import { DEFAULT_RETRY, connectionFailure, describeAnswer, type RetryPolicy } from './retry.js';
import { AwsAccessError, NotAnAwsAnswerError, UsageError } from '../errors.js';
import type { Message } from '../io/host.js';
import type { Caller } from '../model.js';
import { packageVersion } from '../package-info.js';

export const DEFAULT_REGION = 'us-east-1';
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export interface SessionOptions {
  profile?: string;
  /** `--region`, then the answers file's `region`. */
  region?: string;
  /** `--endpoint-url`; `AWS_ENDPOINT_URL` is read from `env` when it is absent. */
  endpointUrl?: string;
  env: NodeJS.ProcessEnv;
  /** Asked when the profile has `mfa_serial`. */
  mfaCode?: (serial: string) => Promise<string>;
  /** Tests and embedders may give credentials; otherwise the SDK's usual chain. */
  credentials?: AwsCredentialIdentityProvider;
  /**
   * How long to keep trying OrganizationAccountAccessRole in a member that was just created, where
   * AssumeRole is denied for a while (default: 10 attempts, 3 s apart).
   */
  roleRetry?: { attempts: number; delayMs: number };
  /** How transient failures are retried (tests shorten the waits). */
  retry?: RetryPolicy;
  /** How many requests may be in flight per AWS limit (tests observe them); the defaults otherwise. */
  limits?: ConcurrencyLimits;
  /** Said once while the session opens: which credentials are used when the environment offers two. */
  notify?: (message: Message) => void;
}

/** A custom endpoint, and where it was given. */
export interface Endpoint {
  url: string;
  from: '--endpoint-url' | 'AWS_ENDPOINT_URL';
}

/** What the session itself sends: who the caller is, and the way into members (never a write). */
const SESSION_ACTIONS: ReadonlySet<string> = new Set(['sts:AssumeRole', 'sts:AssumeRoot']);
/** The account of the very first call, before it is known. */
const UNKNOWN_CALLER = { id: '(caller)', name: 'caller', role: 'management' } as const;

/** The role AWS Organizations creates in every account it creates, trusted by the management account. */
export const MEMBER_ROLE = 'OrganizationAccountAccessRole';

/** Reads what an ARN says about who is calling. */
export function describeCallerArn(arn: string): Pick<Caller, 'partition' | 'isRoot' | 'userName'> {
  const [, partition = 'aws', , , , resource = ''] = arn.split(':');
  const user = /^user\/(?:.*\/)?([^/]+)$/.exec(resource);
  return { partition, isRoot: resource === 'root', ...(user?.[1] ? { userName: user[1] } : {}) };
}

/** `--region`, answers, `AWS_REGION`/`AWS_DEFAULT_REGION`, the profile's region, then us-east-1. */
export async function resolveRegion(opts: Pick<SessionOptions, 'profile' | 'region' | 'env'>): Promise<string> {
  const fromEnv = opts.env.AWS_REGION || opts.env.AWS_DEFAULT_REGION;
  let region = opts.region || fromEnv;
  if (!region) {
    const profile = opts.profile || opts.env.AWS_PROFILE || 'default';
    const files = await loadSharedConfigFiles(sharedFiles(opts.env));
    region = files.configFile?.[profile]?.region || files.credentialsFile?.[profile]?.region || DEFAULT_REGION;
  }
  if (!REGION_PATTERN.test(region)) {
    throw new UsageError(`region "${region}" is not an AWS region name`, 'Use a name such as us-east-1 or eu-west-1.');
  }
  return region;
}

export function resolveEndpoint(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const value = flag || env.AWS_ENDPOINT_URL || undefined;
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`endpoint URL "${value}" is not a URL`, 'Give a full URL such as http://localhost:4566.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`endpoint URL "${value}" must use http or https`);
  }
  return value.replace(/\/+$/, '');
}

function staticProvider(c: Credentials | undefined): AwsCredentialIdentityProvider {
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS returned no credentials');
  const identity = {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
    ...(c.Expiration ? { expiration: c.Expiration } : {}),
  };
  return async () => identity;
}

const ACCESS_HINTS = {
  network:
    'This is a network problem between this machine and AWS, not an answer from AWS: check the network connection, VPN, firewall or proxy, then try again.',
  foreign:
    'Something between this machine and AWS answered in its place (a proxy, a firewall, a captive portal): check the network, then try again.',
  unreachable:
    'Start the emulator or proxy that should answer there, or correct --endpoint-url (or AWS_ENDPOINT_URL, read when the flag is absent); leave both out to use AWS itself.',
  notAws:
    '--endpoint-url (or AWS_ENDPOINT_URL, read when the flag is absent) must name an AWS-compatible API such as LocalStack, moto or a proxy to AWS, not a web site; leave both out to use AWS itself.',
};

/** The first call went to a custom endpoint: the endpoint, not AWS, is what failed to answer. */
function describeEndpointFailure(err: Error, endpoint: Endpoint): unknown {
  const where = `the endpoint ${endpoint.url} (from ${endpoint.from})`;
  const network = connectionFailure(err);
  if (network) {
    return new AwsAccessError(`${where} did not answer sts:GetCallerIdentity (${network}): ${err.message}`, ACCESS_HINTS.unreachable, {
      cause: err,
    });
  }
  if (err instanceof NotAnAwsAnswerError) {
    return new AwsAccessError(
      `${where} did not answer like AWS: sts:GetCallerIdentity got ${describeAnswer(err)}, not an AWS API answer`,
      ACCESS_HINTS.notAws,
      { cause: err },
    );
  }
  return new Error(`could not ask ${where} who you are (sts:GetCallerIdentity): ${err.name}: ${err.message}`, { cause: err });
}

/** The first AWS call of every run: its failure is usually about credentials or reachability. */
function describeCallerFailure(err: unknown, origin: CredentialOrigin, endpoint: Endpoint | undefined): unknown {
  // A missing MFA code is a missing answer (exit 2), not an AWS failure.
  if (err instanceof UsageError || !(err instanceof Error)) return err;
  if (err.name === 'CredentialsProviderError') return describeCredentialFailure(err, origin);
  if (endpoint) return describeEndpointFailure(err, endpoint);
  const network = connectionFailure(err);
  if (network) {
    return new AwsAccessError(
      `could not reach AWS to ask who you are (sts:GetCallerIdentity, ${network}): ${err.message}`,
      ACCESS_HINTS.network,
      {
        cause: err,
      },
    );
  }
  if (err instanceof NotAnAwsAnswerError) {
    return new AwsAccessError(`could not ask AWS who you are: ${err.message}`, ACCESS_HINTS.foreign, { cause: err });
  }
  return new Error(`could not ask AWS who you are (sts:GetCallerIdentity): ${err.name}: ${err.message}`, { cause: err });
}

function retrySettings() {
  // Retries are ours (src/aws/retry.ts, bounded, with jitter): the SDK sends each request once.
  return { maxAttempts: 1, retryMode: 'standard' } as const;
}

/** AWS_MAX_ATTEMPTS, the SDK's usual knob, bounds our attempts too (1-10). */
function retryPolicyFrom(env: NodeJS.ProcessEnv, given: RetryPolicy | undefined): RetryPolicy {
  const attempts = Number.parseInt(env.AWS_MAX_ATTEMPTS ?? '', 10);
  const policy = given ?? DEFAULT_RETRY;
  return Number.isFinite(attempts) && attempts > 0 ? { ...policy, attempts: Math.min(attempts, 10) } : policy;
}

/**
 * The AWS side of one run: credentials, home region, endpoint and the management account's clients.
 * Steps never see these clients directly, only `clientsFor` views that enforce the phase's rules.
 */
export class AwsSession {
  private readonly pool: ClientPool;
  private readonly memberPools = new Map<string, Promise<ClientPool>>();
  private readonly rootPools: ClientPool[] = [];
  /** Pools of the same credentials in another region than the home one, by `<account>|<region>`. */
  private readonly regionPools = new Map<string, ClientPool>();
  private callerPromise?: Promise<Caller>;
  private readonly roleRetry: { attempts: number; delayMs: number };

  readonly region: string;
  readonly endpoint: string | undefined;
  /** Where the endpoint was given, when it is not AWS's own. */
  readonly customEndpoint: Endpoint | undefined;
  private readonly credentials: AwsCredentialIdentityProvider;
  private readonly origin: CredentialOrigin;
  private readonly retry: RetryPolicy;
  private readonly limits: ConcurrencyLimits;

  private constructor(init: {
    region: string;
    endpoint: Endpoint | undefined;
    credentials: AwsCredentialIdentityProvider;
    origin: CredentialOrigin;
    roleRetry: { attempts: number; delayMs: number } | undefined;
    retry: RetryPolicy;
    limits: ConcurrencyLimits;
  }) {
    this.region = init.region;
    this.customEndpoint = init.endpoint;
    this.endpoint = init.endpoint?.url;
    this.credentials = init.credentials;
    this.origin = init.origin;
    this.retry = init.retry;
    this.limits = init.limits;
    this.pool = new ClientPool(this.settings(init.credentials));
    this.roleRetry = init.roleRetry ?? { attempts: 10, delayMs: 3000 };
  }

  private settings(credentials: AwsCredentialIdentityProvider) {
    return {
      region: this.region,
      credentials,
      ...(this.endpoint ? { endpoint: this.endpoint } : {}),
      ...retrySettings(),
      retry: this.retry,
      limits: this.limits,
      userAgent: `aws-groundwork/${packageVersion()}`,
    };
  }

  static async create(opts: SessionOptions): Promise<AwsSession> {
    const region = await resolveRegion(opts);
    const url = resolveEndpoint(opts.endpointUrl, opts.env);
    const endpoint: Endpoint | undefined = url ? { url, from: opts.endpointUrl ? '--endpoint-url' : 'AWS_ENDPOINT_URL' } : undefined;
    const retry = retryPolicyFrom(opts.env, opts.retry);
    const { provider, origin } = opts.credentials
      ? { provider: opts.credentials, origin: { files: sharedFiles(opts.env) } }
      : await runCredentials({
          profile: opts.profile,
          env: opts.env,
          ...(opts.mfaCode ? { mfaCode: opts.mfaCode } : {}),
          ...(opts.notify ? { notify: opts.notify } : {}),
          // Role profiles call STS AssumeRole while resolving credentials: same region and endpoint.
          clientConfig: { region, ...(url ? { endpoint: url } : {}), requestHandler: requestHandlerConfig(retry) },
        });
    const limits = opts.limits ?? new ConcurrencyLimits();
    return new AwsSession({ region, endpoint, credentials: provider, origin, roleRetry: opts.roleRetry, retry, limits });
  }

  /**
   * The session's own STS calls go through the same guard as the steps': read-only, and limited to
   * the three operations a session needs.
   */
  private stsFor(scope: Pick<ClientScope, 'step' | 'account' | 'mode'>): AwsClients['sts'] {
    return scopedClients(this.pool, { ...scope, allowed: SESSION_ACTIONS }).sts;
  }

  /** Who is running this: asked once per run. */
  caller(): Promise<Caller> {
    this.callerPromise ??= this.stsFor({ step: SESSION_STEP, account: UNKNOWN_CALLER, mode: 'read' })
      .send(new GetCallerIdentityCommand({}))
      .then(
        async (r) => {
          if (!r.Account || !r.Arn) throw new Error('sts:GetCallerIdentity returned no account');
          // The provider is memoized: this returns the credentials the call above was signed with.
          const creds = await this.credentials();
          return {
            accountId: r.Account,
            arn: r.Arn,
            ...describeCallerArn(r.Arn),
            accessKeyId: creds.accessKeyId,
            temporaryCredentials: Boolean(creds.sessionToken),
          };
        },
        (err: unknown) => {
          throw describeCallerFailure(err, this.origin, this.customEndpoint);
        },
      );
    return this.callerPromise;
  }

  /** The management account's clients, as the scope allows; in the home region unless another is named. */
  clientsFor(scope: ClientScope, region: string = this.region): AwsClients {
    return scopedClients(this.inRegion(this.pool, 'management', region), scope);
  }

  /** A pool with `base`'s credentials in `region`: `base` itself in its own region, else made once and kept. */
  private inRegion(base: ClientPool, owner: string, region: string): ClientPool {
    if (region === base.settings.region) return base;
    const key = `${owner}|${region}`;
    let pool = this.regionPools.get(key);
    if (!pool) {
      pool = new ClientPool({ ...base.settings, region });
      this.regionPools.set(key, pool);
    }
    return pool;
  }

  /** Clients in a member account, through OrganizationAccountAccessRole, made on first use. */
  async memberClientsFor(scope: ClientScope, region: string = this.region): Promise<AwsClients> {
    let pool = this.memberPools.get(scope.account.id);
    if (!pool) {
      pool = this.assumeMemberRole(scope.account.id).then((creds) => new ClientPool(this.settings(creds)));
      this.memberPools.set(scope.account.id, pool);
      // A failed attempt must not poison later ones.
      pool.catch(() => this.memberPools.delete(scope.account.id));
    }
    return scopedClients(this.inRegion(await pool, scope.account.id, region), scope);
  }

  /**
   * Clients acting as a member account's root user, limited by an AWS root-task policy, through
   * sts:AssumeRoot (centralized root access). Short-lived (at most 900 s), so made for each use.
   */
  async rootClientsFor(
    scope: ClientScope,
    taskPolicy: 'IAMAuditRootUserCredentials' | 'IAMDeleteRootUserCredentials',
  ): Promise<AwsClients> {
    const caller = await this.caller();
    // The step's own mode: a root session is opened only where the step may write.
    const r = await this.stsFor(scope).send(
      new AssumeRootCommand({
        TargetPrincipal: scope.account.id,
        TaskPolicyArn: { arn: `arn:${caller.partition}:iam::aws:policy/root-task/${taskPolicy}` },
        DurationSeconds: 900,
      }),
    );
    const pool = new ClientPool(this.settings(staticProvider(r.Credentials)));
    this.rootPools.push(pool);
    return scopedClients(pool, scope);
  }

  /** Temporary credentials of the member's OrganizationAccountAccessRole, renewed before they expire. */
  private async assumeMemberRole(accountId: string): Promise<AwsCredentialIdentityProvider> {
    const caller = await this.caller();
    const roleArn = `arn:${caller.partition}:iam::${accountId}:role/${MEMBER_ROLE}`;
    if (caller.isRoot) {
      throw new Error(
        `cannot reach member account ${accountId}: the root user cannot assume roles. Run again as the admin user (or any IAM role or user of the management account).`,
      );
    }
    let current: { creds: Credentials | undefined; until: number } | undefined;
    const assume = async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const r = await this.stsFor({
            step: SESSION_STEP,
            account: { id: accountId, name: accountId, role: 'member' },
            mode: 'read',
          }).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'aws-groundwork' }));
          return r.Credentials;
        } catch (err) {
          // Right after CreateAccount the role exists but is not assumable yet: AccessDenied for a while.
          const denied = err instanceof Error && /AccessDenied/.test(err.name);
          if (!denied || attempt >= this.roleRetry.attempts) {
            throw new Error(`cannot reach account ${accountId} through ${roleArn}: ${(err as Error).name}: ${(err as Error).message}`, {
              cause: err,
            });
          }
          await new Promise((resolve) => setTimeout(resolve, this.roleRetry.delayMs));
        }
      }
    };
    current = { creds: await assume(), until: 0 };
    current.until = (current.creds?.Expiration?.getTime() ?? Date.now() + 3_600_000) - 300_000;
    return async () => {
      if (!current || Date.now() > current.until) {
        const creds = await assume();
        current = { creds, until: (creds?.Expiration?.getTime() ?? Date.now() + 3_600_000) - 300_000 };
      }
      return staticProvider(current.creds)();
    };
  }

  close(): void {
    this.pool.destroy();
    for (const p of this.rootPools) p.destroy();
    for (const p of this.regionPools.values()) p.destroy();
    for (const p of this.memberPools.values())
      void p.then(
        (pool) => pool.destroy(),
        () => undefined,
      );
  }
}
