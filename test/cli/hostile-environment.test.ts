import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { AwsSession } from '../../src/aws/session.js';
import { FAST_RETRY, TEST_ENV, cli, type CliRun } from '../helpers/run-cli.js';

/**
 * A hostile environment: each row is a profile or endpoint mistake a person makes, with the exit
 * code and the words the message must have. Real SDK clients, no fake: profiles come from temporary
 * config and credentials files, endpoints are loopback servers. No row may hang (each is bounded),
 * blame AWS for what AWS did not do, call a web page throttling, or let the SDK's own warnings out.
 */

const ACCOUNT = '111111111111';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ROW_TIMEOUT_MS = 10_000;

const dir = mkdtempSync(join(tmpdir(), 'gw-hostile-'));
const CONFIG = join(dir, 'config');
const CREDENTIALS = join(dir, 'credentials');
writeFileSync(CONFIG, '[profile good]\nregion = us-east-1\n\n[profile empty]\nregion = us-east-1\n');
writeFileSync(CREDENTIALS, '[good]\naws_access_key_id = AKIDPROFILEGOOD\naws_secret_access_key = good-secret\n');

/** Only the profile files: no keys, no AWS_PROFILE, no instance role to fall back on. */
const PROFILE_ENV: NodeJS.ProcessEnv = {
  AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: CONFIG,
  AWS_SHARED_CREDENTIALS_FILE: CREDENTIALS,
  AWS_EC2_METADATA_DISABLED: 'true',
};
const ENV_KEYS = { AWS_ACCESS_KEY_ID: 'AKIDFROMTHEENVIRONMENT', AWS_SECRET_ACCESS_KEY: 'env-secret' };

interface Seen {
  method: string;
  authorization: string;
}

/** A loopback server with one behaviour; every request it gets is recorded. */
interface Loopback {
  url: string;
  seen: Seen[];
}

const servers: (Server | TcpServer)[] = [];
const sockets: Socket[] = [];

async function listen(server: Server | TcpServer): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

async function serve(answer: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<Loopback> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      if (body.length < 64 * 1024) body += chunk.toString('utf8');
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', authorization: String(req.headers.authorization ?? '') });
      answer(req, body, res);
    });
  });
  server.keepAliveTimeout = 500;
  return { url: `http://127.0.0.1:${await listen(server)}`, seen };
}

const page = (status: number, contentType: string, body: string) =>
  serve((_req, _body, res) => {
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });

/** Just enough STS and IAM for `plan --only account-alias`. */
const awsLike = () =>
  serve((_req, body, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    if (body.includes('Action=GetCallerIdentity')) {
      res.end(
        `<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult><Arn>arn:aws:iam::${ACCOUNT}:user/founder</Arn><UserId>AIDAFOUNDER</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`,
      );
    } else {
      res.end(
        '<ListAccountAliasesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListAccountAliasesResult><AccountAliases/><IsTruncated>false</IsTruncated></ListAccountAliasesResult></ListAccountAliasesResponse>',
      );
    }
  });

/** Accepts the connection, reads the request, never answers. */
async function hanging(): Promise<Loopback> {
  const seen: Seen[] = [];
  const server = createTcpServer((socket) => {
    sockets.push(socket);
    socket.once('data', () => seen.push({ method: '(any)', authorization: '' }));
    socket.on('error', () => undefined);
  });
  return { url: `http://127.0.0.1:${await listen(server)}`, seen };
}

/** A port nobody listens on: taken, then given back. */
async function refusing(): Promise<Loopback> {
  const server = createTcpServer();
  const port = await listen(server);
  servers.pop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { url: `http://127.0.0.1:${port}`, seen: [] };
}

const PLAN = ['plan', '--only', 'account-alias', '--set', 'steps.account-alias.alias=acme'];

interface Row {
  mistake: string;
  /** Makes the endpoint, if the row has one. */
  endpoint?: () => Promise<Loopback>;
  /** Arguments after the plan's; `{url}` is the endpoint. */
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** The SDK's own credential chain instead of injected credentials. */
  profileFiles?: boolean;
  code: number;
  says: string[];
  never: string[];
  /** Requests the endpoint may get: a page that is not AWS is asked once. */
  requests?: number;
  retry?: typeof FAST_RETRY & { idleTimeoutMs?: number };
}

const NOT_AWS_WORDS = ['did not answer like AWS', 'not an AWS API answer', '--endpoint-url', 'AWS_ENDPOINT_URL'];
const NEVER_BLAME_AWS = ['AWS kept refusing', 'try again later', 'Throttling', 'XML parse error', 'Deserialization error', 'gave up after'];

const ROWS: Row[] = [
  {
    mistake: 'a profile that is in neither file',
    args: ['--profile', 'nope'],
    profileFiles: true,
    code: 1,
    says: [
      'AWS profile "nope" (from --profile) is in neither',
      CONFIG,
      CREDENTIALS,
      'Profiles there: good, empty',
      '`aws configure --profile nope`',
    ],
    never: ['pass --profile', 'Could not load credentials from any providers'],
  },
  {
    mistake: 'an AWS_PROFILE that is in neither file',
    args: [],
    env: { AWS_PROFILE: 'gone' },
    profileFiles: true,
    code: 1,
    says: ['AWS profile "gone" (from AWS_PROFILE) is in neither', CONFIG, CREDENTIALS, 'unset AWS_PROFILE'],
    never: ['pass --profile'],
  },
  {
    mistake: 'a profile with no credentials in it',
    args: ['--profile', 'empty'],
    profileFiles: true,
    code: 1,
    says: [
      'AWS profile "empty" (from --profile',
      CONFIG,
      'gave no usable credentials',
      '`aws configure --profile empty`',
      'aws sso login --profile empty',
    ],
    never: ['pass --profile'],
  },
  {
    mistake: 'a connection refused at the endpoint',
    endpoint: refusing,
    args: ['--endpoint-url', '{url}'],
    code: 1,
    says: [
      'the endpoint {url} (from --endpoint-url) did not answer sts:GetCallerIdentity (connection refused)',
      '--endpoint-url',
      'AWS_ENDPOINT_URL',
    ],
    never: ['AWS kept refusing', 'try again later', 'could not ask AWS'],
  },
  {
    mistake: 'an endpoint that answers an HTML page with 200',
    endpoint: () =>
      page(
        200,
        'text/html; charset=utf-8',
        '<!doctype html><html><head><meta charset="utf-8"><title>Welcome</title></head><body>It works</body></html>',
      ),
    args: ['--endpoint-url', '{url}'],
    code: 1,
    says: ['the endpoint {url} (from --endpoint-url)', ...NOT_AWS_WORDS, 'HTTP 200 (text/html)'],
    never: NEVER_BLAME_AWS,
    requests: 1,
  },
  {
    mistake: 'an endpoint that answers an HTML 404',
    endpoint: () => page(404, 'text/html', '<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>'),
    args: ['--endpoint-url', '{url}'],
    code: 1,
    says: [...NOT_AWS_WORDS, 'HTTP 404 (text/html)'],
    never: [...NEVER_BLAME_AWS, 'NotFound: Unknown'],
    requests: 1,
  },
  {
    mistake: 'an endpoint that answers 501 not implemented (python -m http.server)',
    endpoint: () =>
      page(
        501,
        'text/html;charset=utf-8',
        '<!DOCTYPE HTML><html lang="en"><head><meta charset="utf-8"><title>Error response</title></head><body><h1>Error response</h1><p>Error code: 501</p><p>Message: Unsupported method (\'POST\').</p></body></html>',
      ),
    args: ['--endpoint-url', '{url}'],
    code: 1,
    says: [...NOT_AWS_WORDS, 'HTTP 501 (text/html)'],
    never: NEVER_BLAME_AWS,
    requests: 1,
  },
  {
    mistake: 'an endpoint that answers a plain-text 501',
    endpoint: () => page(501, 'text/plain', 'not implemented'),
    args: ['--endpoint-url', '{url}'],
    code: 1,
    says: [...NOT_AWS_WORDS, 'HTTP 501 (text/plain)'],
    never: NEVER_BLAME_AWS,
    requests: 1,
  },
  {
    mistake: 'an endpoint that answers an HTML 503 (a gateway page)',
    endpoint: () => page(503, 'text/html', '<html><body>Service Unavailable</body></html>'),
    args: ['--endpoint-url', '{url}'],
    code: 1,
    says: [...NOT_AWS_WORDS, 'HTTP 503 (text/html)'],
    never: NEVER_BLAME_AWS,
    requests: 1,
  },
  {
    mistake: 'an endpoint that answers a JSON body that is not AWS',
    endpoint: () => page(200, 'application/json', '{"status":"ok","version":"1.2.3"}'),
    args: ['--endpoint-url', '{url}'],
    code: 1,
    says: [...NOT_AWS_WORDS, 'HTTP 200 (application/json)'],
    never: NEVER_BLAME_AWS,
    requests: 1,
  },
  {
    mistake: 'an AWS_ENDPOINT_URL that answers a JSON 400 that is not AWS',
    endpoint: () => page(400, 'application/json', '{"error":"bad request"}'),
    args: [],
    env: { AWS_ENDPOINT_URL: '{url}' },
    code: 1,
    says: ['the endpoint {url} (from AWS_ENDPOINT_URL)', ...NOT_AWS_WORDS, 'HTTP 400 (application/json)'],
    never: NEVER_BLAME_AWS,
    requests: 1,
  },
  {
    mistake: 'an endpoint that accepts the connection and never answers',
    endpoint: hanging,
    args: ['--endpoint-url', '{url}'],
    retry: { ...FAST_RETRY, idleTimeoutMs: 300 },
    code: 1,
    says: [
      'the endpoint {url} (from --endpoint-url) did not answer sts:GetCallerIdentity (no answer in time)',
      '--endpoint-url',
      'AWS_ENDPOINT_URL',
    ],
    never: ['AWS kept refusing', 'try again later', 'gave up after'],
    requests: 1,
  },
];

const fill = (text: string, url: string) => text.replaceAll('{url}', url);
const fillEnv = (env: NodeJS.ProcessEnv, url: string) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, fill(v ?? '', url)]));

async function runRow(row: Row, url: string): Promise<CliRun> {
  return cli([...PLAN, ...row.args.map((a) => fill(a, url))], {
    env: { ...(row.profileFiles ? PROFILE_ENV : TEST_ENV), ...fillEnv(row.env ?? {}, url) },
    ...(row.profileFiles ? { credentials: undefined as never } : {}),
    ...(row.retry ? { retry: row.retry } : {}),
  });
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          if ('closeAllConnections' in server) server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

describe('a hostile environment', () => {
  it.each(ROWS)(
    '$mistake: exit $code, says what is wrong and whose it is, without a hang',
    async (row) => {
      const endpoint = row.endpoint ? await row.endpoint() : undefined;
      const url = endpoint?.url ?? '';
      const started = performance.now();
      const run = await runRow(row, url);
      expect(run.code, run.stderr).toBe(row.code);
      for (const words of row.says) expect(run.stderr).toContain(fill(words, url));
      for (const words of row.never) expect(run.stderr).not.toContain(words);
      if (row.requests !== undefined) expect(endpoint?.seen).toHaveLength(row.requests);
      expect(run.stdout).toBe('');
      expect(performance.now() - started).toBeLessThan(ROW_TIMEOUT_MS - 2_000);
    },
    ROW_TIMEOUT_MS,
  );
});

/** The SDK's chain reads the keys from the process environment: they are set there too. */
function keysInTheProcessEnvironment(): void {
  vi.stubEnv('AWS_ACCESS_KEY_ID', ENV_KEYS.AWS_ACCESS_KEY_ID);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', ENV_KEYS.AWS_SECRET_ACCESS_KEY);
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_PROFILE', undefined);
}

const aboutCredentialSources = (calls: unknown[][]) => calls.filter((args) => /credential sources|AWS_PROFILE/i.test(String(args[0])));

describe('a profile and access keys in the environment, both set', () => {
  it.each([
    { from: '--profile', args: ['--profile', 'good'], env: {}, fix: 'leave out --profile to use them' },
    { from: 'AWS_PROFILE', args: [], env: { AWS_PROFILE: 'good' }, fix: 'unset AWS_PROFILE to use them' },
  ])(
    'with the profile from $from: the profile is used, said once in our words, and the SDK warning about AWS_PROFILE stays out',
    async ({ from, args, env, fix }) => {
      keysInTheProcessEnvironment();
      if (from === 'AWS_PROFILE') vi.stubEnv('AWS_PROFILE', 'good');
      const warn = vi.spyOn(console, 'warn');
      const emitWarning = vi.spyOn(process, 'emitWarning');
      const endpoint = await awsLike();
      const run = await cli([...PLAN, ...args, '--endpoint-url', endpoint.url], {
        env: { ...PROFILE_ENV, ...ENV_KEYS, ...env },
        credentials: undefined as never,
      });
      expect(run.code, run.stderr).toBe(0);
      const notice = `Using AWS profile "good" (from ${from}); AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment are not used (${fix}).`;
      expect(run.stderr.split(notice)).toHaveLength(2);
      expect(run.stderr).not.toContain('Multiple credential sources');
      if (from === '--profile') expect(run.stderr).not.toContain('AWS_PROFILE');
      expect(aboutCredentialSources(warn.mock.calls)).toEqual([]);
      expect(aboutCredentialSources(emitWarning.mock.calls)).toEqual([]);
      // Every request was signed with the profile's key, none with the environment's.
      expect(endpoint.seen.length).toBeGreaterThanOrEqual(2);
      for (const r of endpoint.seen) expect(r.authorization).toContain('Credential=AKIDPROFILEGOOD/');
    },
    ROW_TIMEOUT_MS,
  );

  it('without a profile, the keys in the environment are used and nothing is said about sources', async () => {
    keysInTheProcessEnvironment();
    const endpoint = await awsLike();
    const run = await cli([...PLAN, '--endpoint-url', endpoint.url], {
      env: { ...PROFILE_ENV, ...ENV_KEYS },
      credentials: undefined as never,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('Using AWS profile');
    for (const r of endpoint.seen) expect(r.authorization).toContain(`Credential=${ENV_KEYS.AWS_ACCESS_KEY_ID}/`);
  });
});

describe('an endpoint that answers STS like AWS and another service with a web page', () => {
  it('fails the step that read it, naming the endpoint and the action, and asks it once', async () => {
    const endpoint = await serve((_req, body, res) => {
      if (body.includes('Action=GetCallerIdentity')) {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult><Arn>arn:aws:iam::${ACCOUNT}:user/founder</Arn><UserId>AIDAFOUNDER</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`,
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html><body><h1>Not Found</h1></body></html>');
    });
    const run = await cli([...PLAN, '--endpoint-url', endpoint.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`account-alias (plan) in account ${ACCOUNT} (management): iam:ListAccountAliases failed`);
    expect(run.stderr).toContain(`the endpoint ${endpoint.url} did not answer iam:ListAccountAliases like AWS: HTTP 404 (text/html)`);
    for (const words of NEVER_BLAME_AWS) expect(run.stderr).not.toContain(words);
    expect(endpoint.seen).toHaveLength(2);
  });
});

describe('an answer without a body', () => {
  it("keeps a HEAD's bare 404 at a custom endpoint as AWS's NotFound, so a missing bucket still reads as absent", async () => {
    const endpoint = await page(404, 'text/html; charset=utf-8', '');
    const session = await AwsSession.create({
      env: TEST_ENV,
      endpointUrl: endpoint.url,
      credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }),
      retry: FAST_RETRY,
    });
    try {
      const aws = session.clientsFor({
        step: 'hostile-test',
        account: { id: ACCOUNT, name: 'management', role: 'management' },
        mode: 'read',
        allowed: new Set(['s3:ListBucket']),
      });
      await expect(aws.s3.send(new HeadBucketCommand({ Bucket: 'gw-missing-bucket' }))).rejects.toMatchObject({ name: 'NotFound' });
      expect(endpoint.seen.map((r) => r.method)).toEqual(['HEAD']);
    } finally {
      session.close();
    }
  });
});
