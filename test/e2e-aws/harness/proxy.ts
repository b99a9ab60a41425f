import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small recording proxy between the CLI and the emulator. It names every request it forwards the
 * way AWS's authorization does (signing service, then the operation from the protocol: the Query
 * `Action`, the JSON `X-Amz-Target`, or the REST method and path), so a test can ask what was sent,
 * and it can lose the answer to a chosen write, or kill the CLI right after that write reached AWS.
 */
export interface Exchange {
  method: string;
  path: string;
  /** The signing service: iam, sts, organizations, cloudtrail, kms, s3, account; `s3control` for S3 Control. */
  service: string;
  operation: string;
  write: boolean;
  accessKey: string;
  /**
   * The account whose role signed it: set when the access key is one this proxy saw `sts:AssumeRole`
   * hand out (a member's admin role), absent for the caller's own credentials (the management account).
   */
  account?: string;
  status?: number;
}

/**
 * Which write: its number among the writes since `clear()` (from 1), or the first of an operation, of
 * that signing service only when one is given (IAM and Organizations both have a CreatePolicy), and
 * whose request body contains `containing` when given (a policy's name in Organizations' JSON).
 */
export type FaultAt = number | { operation: string; service?: string; containing?: string };

export type Fault =
  /** The write reaches the emulator, which carries it out; the connection is cut before its answer. */
  | { at: FaultAt; kind: 'lose-answer' }
  /** The write reaches the emulator and is carried out; then `kill` runs (SIGKILL of the CLI). */
  | { at: FaultAt; kind: 'kill'; kill: () => Promise<void> };

const READ = /^(Get|List|Describe|Head|Lookup)[A-Z]/;
const NO_WRITE = new Set(['sts:AssumeRole', 'sts:AssumeRoot', 'sts:GetCallerIdentity']);

/** S3 sub-resources (the query key) and the operation name each one's GET/PUT/DELETE has. */
const S3_SUBRESOURCES: Record<string, string> = {
  policy: 'BucketPolicy',
  versioning: 'BucketVersioning',
  encryption: 'BucketEncryption',
  logging: 'BucketLogging',
  lifecycle: 'BucketLifecycleConfiguration',
  publicAccessBlock: 'PublicAccessBlock',
  ownershipControls: 'BucketOwnershipControls',
  tagging: 'BucketTagging',
  acl: 'BucketAcl',
  location: 'BucketLocation',
  policyStatus: 'BucketPolicyStatus',
};
const VERB: Record<string, string> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Head', POST: 'Post' };

function s3Operation(method: string, path: string, query: URLSearchParams): string {
  const [bucket = '', ...key] = path.replace(/^\//, '').split('/');
  if (!bucket) return method === 'GET' ? 'ListBuckets' : `?${method} /`;
  if (key.length && key.join('/')) return `${VERB[method] ?? method}Object`;
  for (const [sub, name] of Object.entries(S3_SUBRESOURCES)) if (query.has(sub)) return `${VERB[method] ?? method}${name}`;
  if (method === 'HEAD') return 'HeadBucket';
  if (method === 'PUT') return 'CreateBucket';
  if (method === 'DELETE') return 'DeleteBucket';
  if (method === 'GET') return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
  return `?${method} ${path}`;
}

/**
 * The REST operations of GuardDuty and IAM Access Analyzer the steps send, by method and path (`{}` one
 * segment), from the SDK's own operation schemas.
 */
const REST_ROUTES: Record<string, [string, RegExp, string][]> = {
  guardduty: [
    ['GET', /^\/detector$/, 'ListDetectors'],
    ['POST', /^\/detector$/, 'CreateDetector'],
    ['GET', /^\/detector\/[^/]+$/, 'GetDetector'],
    ['POST', /^\/detector\/[^/]+$/, 'UpdateDetector'],
    ['DELETE', /^\/detector\/[^/]+$/, 'DeleteDetector'],
    ['GET', /^\/detector\/[^/]+\/admin$/, 'DescribeOrganizationConfiguration'],
    ['POST', /^\/detector\/[^/]+\/admin$/, 'UpdateOrganizationConfiguration'],
    ['GET', /^\/detector\/[^/]+\/administrator$/, 'GetAdministratorAccount'],
    ['GET', /^\/detector\/[^/]+\/member$/, 'ListMembers'],
    ['POST', /^\/detector\/[^/]+\/member$/, 'CreateMembers'],
    ['POST', /^\/detector\/[^/]+\/member\/get$/, 'GetMembers'],
    ['POST', /^\/detector\/[^/]+\/member\/start$/, 'StartMonitoringMembers'],
    ['POST', /^\/detector\/[^/]+\/member\/stop$/, 'StopMonitoringMembers'],
    ['GET', /^\/admin$/, 'ListOrganizationAdminAccounts'],
    ['POST', /^\/admin\/enable$/, 'EnableOrganizationAdminAccount'],
  ],
  'access-analyzer': [
    ['GET', /^\/analyzer$/, 'ListAnalyzers'],
    ['PUT', /^\/analyzer$/, 'CreateAnalyzer'],
    ['GET', /^\/analyzer\/[^/]+$/, 'GetAnalyzer'],
    ['DELETE', /^\/analyzer\/[^/]+$/, 'DeleteAnalyzer'],
  ],
};

const restOperation = (service: string, method: string, path: string) =>
  REST_ROUTES[service]?.find(([m, route]) => m === method && route.test(path))?.[2] ?? `?${method} ${path}`;

export function identify(method: string, url: string, headers: IncomingHttpHeaders, body: string): Omit<Exchange, 'status'> {
  const [path = '/', search = ''] = url.split('?');
  const query = new URLSearchParams(search);
  const auth = String(headers.authorization ?? '');
  const scope = /Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
  const accessKey = scope?.[1] ?? '';
  let service = scope?.[2] ?? '?';
  let operation = '?';
  const target = headers['x-amz-target'];
  if (typeof target === 'string') operation = target.split('.').pop() ?? '?';
  else if (service === 'iam' || service === 'sts') operation = new URLSearchParams(body).get('Action') ?? '?';
  else if (service === 's3' && path.startsWith('/v20180820/')) {
    service = 's3control';
    const resource = path === '/v20180820/configuration/publicAccessBlock' ? 'PublicAccessBlock' : `?${path}`;
    operation = `${VERB[method] ?? method}${resource}`;
  } else if (service === 's3') operation = s3Operation(method, path, query);
  else if (service in REST_ROUTES) operation = restOperation(service, method, path);
  else if (service === 'account') operation = path.replace(/^\//, '').replace(/^./, (c) => c.toUpperCase()) || '?';
  const write = !(READ.test(operation) || NO_WRITE.has(`${service}:${operation}`));
  return { method, path, service, operation, write, accessKey };
}

/** Whether a fault set for `at` strikes this write, the `number`-th since `clear()`. */
function strikes(at: FaultAt, number: number, exchange: Exchange, body: Buffer): boolean {
  if (typeof at === 'number') return at === number;
  if (at.operation !== exchange.operation || (at.service !== undefined && at.service !== exchange.service)) return false;
  return at.containing === undefined || body.toString('utf8').includes(at.containing);
}

export class RecordingProxy {
  readonly log: Exchange[] = [];
  fault: Fault | null = null;
  private writes = 0;
  /** Access keys of assumed roles, and the account of each role. */
  private readonly roleKeys = new Map<string, string>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly target: URL,
  ) {}

  static async start(target: string): Promise<RecordingProxy> {
    // eslint-disable-next-line prefer-const -- the server callback above the assignment must see the proxy made below
    let proxy: RecordingProxy | undefined;
    const server = createServer((req, res) => void proxy?.handle(req, res));
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    proxy = new RecordingProxy(server, `http://127.0.0.1:${port}`, new URL(target));
    return proxy;
  }

  /** Forgets what was seen; write numbers start at 1 again. */
  clear(): void {
    this.log.length = 0;
    this.writes = 0;
    this.fault = null;
    this.roleKeys.clear();
  }

  get writesSeen(): Exchange[] {
    return this.log.filter((e) => e.write);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const exchange: Exchange = identify(req.method ?? 'GET', req.url ?? '/', req.headers, body.toString('utf8'));
    const roleAccount = this.roleKeys.get(exchange.accessKey);
    if (roleAccount) exchange.account = roleAccount;
    this.log.push(exchange);
    const number = exchange.write ? ++this.writes : 0;
    const hit = exchange.write && this.fault !== null && strikes(this.fault.at, number, exchange, body);
    const fault = hit ? this.fault : null;
    // A fault strikes once.
    if (fault) this.fault = null;
    try {
      const answer = await this.forward(req, body);
      exchange.status = answer.status;
      if (exchange.service === 'sts' && exchange.operation === 'AssumeRole')
        this.rememberRole(body.toString('utf8'), answer.body.toString('utf8'));
      if (fault) {
        if (fault.kind === 'kill') await fault.kill();
        // No answer at all: the request was carried out, the caller hears a reset connection.
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    } catch (err) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`recording proxy: ${(err as Error).message}`);
    }
  }

  /** The role's account (from the RoleArn asked for) under the access key the answer hands out. */
  private rememberRole(request: string, answer: string): void {
    const account = /^arn:aws[\w-]*:iam::(\d{12}):role\//.exec(new URLSearchParams(request).get('RoleArn') ?? '')?.[1];
    const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(answer)?.[1];
    if (account && key) this.roleKeys.set(key, account);
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const out = request(
        { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(parts) }));
          answer.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
