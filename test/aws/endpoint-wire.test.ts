import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { AwsSession } from '../../src/aws/session.js';
import { ClientPool, scopedClients } from '../../src/aws/clients.js';
import { ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { EXAMPLE_ANSWERS, FAST_RETRY, TEST_ENV, answersFile, cli } from '../helpers/run-cli.js';

/**
 * Real SDK clients, no mocks: every request goes over HTTP to a loopback server that answers like
 * AWS just enough for the SDK to parse the result. This proves the endpoint override reaches the
 * wire for every service the steps use, including S3's path style and S3 Control's host prefix.
 */

const ACCOUNT = '111111111111';
const ARN = `arn:aws:iam::${ACCOUNT}:user/founder`;

interface Seen {
  method: string;
  url: string;
  host: string | undefined;
  accountIdHeader: string | undefined;
  userAgent: string | undefined;
  body: string;
}

interface Reply {
  status: number;
  body: string;
}

const xml = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;

const STS_CALLER = xml(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>${ARN}</Arn>
    <UserId>AIDAEXAMPLEFOUNDER</UserId>
    <Account>${ACCOUNT}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>req-sts</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`);

const IAM_NO_ALIASES = xml(`<ListAccountAliasesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ListAccountAliasesResult>
    <AccountAliases/>
    <IsTruncated>false</IsTruncated>
  </ListAccountAliasesResult>
  <ResponseMetadata><RequestId>req-aliases</RequestId></ResponseMetadata>
</ListAccountAliasesResponse>`);

const IAM_NO_POLICY = xml(`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error>
    <Type>Sender</Type>
    <Code>NoSuchEntity</Code>
    <Message>The Password Policy with domain name ${ACCOUNT} cannot be found.</Message>
  </Error>
  <RequestId>req-policy</RequestId>
</ErrorResponse>`);

const S3CONTROL_BLOCK = xml(`<PublicAccessBlockConfiguration xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">
  <BlockPublicAcls>true</BlockPublicAcls>
  <IgnorePublicAcls>true</IgnorePublicAcls>
  <BlockPublicPolicy>true</BlockPublicPolicy>
  <RestrictPublicBuckets>true</RestrictPublicBuckets>
</PublicAccessBlockConfiguration>`);

/**
 * Anything this file does not expect gets a 400 with a non-retryable code at once, so a wrong
 * request fails the test quickly instead of hanging or being retried with back-off.
 */
const UNEXPECTED = (what: string): Reply => ({
  status: 400,
  body: xml(
    `<ErrorResponse><Error><Type>Sender</Type><Code>UnexpectedTestRequest</Code><Message>endpoint-wire test server did not expect ${what}</Message></Error><RequestId>req-unexpected</RequestId></ErrorResponse>`,
  ),
});

/** How many S3 Control reads still get a 503 before the real answer (for the retry test). */
let controlFailures = 0;

function answer(method: string, target: string, body: string): Reply {
  const path = target.split('?')[0] ?? '';
  if (controlFailures > 0 && path === '/v20180820/configuration/publicAccessBlock') {
    controlFailures--;
    return { status: 503, body: xml('<Error><Code>ServiceUnavailable</Code><Message>try again</Message></Error>') };
  }
  if (method === 'POST' && path === '/') {
    if (body.includes('Action=GetCallerIdentity')) return { status: 200, body: STS_CALLER };
    if (body.includes('Action=ListAccountAliases')) return { status: 200, body: IAM_NO_ALIASES };
    if (body.includes('Action=GetAccountPasswordPolicy')) return { status: 404, body: IAM_NO_POLICY };
  }
  if (method === 'HEAD' && /^\/[a-z0-9][a-z0-9.-]*\/?$/.test(path)) return { status: 200, body: '' };
  if (method === 'GET' && path === '/v20180820/configuration/publicAccessBlock') return { status: 200, body: S3CONTROL_BLOCK };
  return UNEXPECTED(`${method} ${target}`);
}

/** Caps what one request may send, so the server stays bounded whatever arrives. */
const MAX_BODY = 64 * 1024;
const MAX_RECORDED = 200;

const seen: Seen[] = [];
let server: Server;
let url: string;
let hostPort: string;

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  });
  req.on('end', () => {
    const method = req.method ?? '';
    const target = req.url ?? '';
    const body = Buffer.concat(chunks).toString('utf8');
    if (seen.length < MAX_RECORDED) {
      seen.push({
        method,
        url: target,
        host: header(req, 'host'),
        accountIdHeader: header(req, 'x-amz-account-id'),
        userAgent: header(req, 'user-agent'),
        body,
      });
    }
    const reply = size > MAX_BODY ? UNEXPECTED('a body this large') : answer(method, target, body);
    res.writeHead(reply.status, {
      'content-type': 'text/xml',
      'x-amzn-requestid': 'req-endpoint-wire',
      'x-amz-request-id': 'req-endpoint-wire',
      'content-length': Buffer.byteLength(reply.body),
    });
    res.end(method === 'HEAD' ? undefined : reply.body);
  });
  req.on('error', () => {
    // An aborted upload still gets an answer, so the client never waits on this server.
    if (!res.headersSent) res.writeHead(400);
    res.end();
  });
}

beforeAll(async () => {
  server = createServer(handle);
  // No idle connection outlives the test: closeAllConnections in afterAll and a short keep-alive.
  server.keepAliveTimeout = 1000;
  server.requestTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  hostPort = `127.0.0.1:${port}`;
  url = `http://${hostPort}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
});

beforeEach(() => {
  seen.length = 0;
});

/** The Query-protocol Action of each POST, in the order they arrived. */
const actions = (): string[] => seen.filter((r) => r.method === 'POST').map((r) => new URLSearchParams(r.body).get('Action') ?? '(none)');

function expectPlanReachedServer(): void {
  // The plan sent exactly these three reads (nothing else), and each arrived at the loopback address.
  expect(new Set(actions())).toEqual(new Set(['GetCallerIdentity', 'ListAccountAliases', 'GetAccountPasswordPolicy']));
  for (const r of seen) {
    expect(r.host).toBe(hostPort);
    expect(r.userAgent).toContain('aws-groundwork/');
  }
}

describe('an endpoint override on the wire', () => {
  it('sends IAM and STS requests of a plan to the --endpoint-url server', async () => {
    const run = await cli(['plan', '--endpoint-url', url, '--answers', answersFile(EXAMPLE_ANSWERS)]);
    expect(run.stderr).not.toContain('UnexpectedTestRequest');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Plan: 2 to create');
    expectPlanReachedServer();
  });

  it('sends a plan to the AWS_ENDPOINT_URL server when no --endpoint-url flag is given', async () => {
    const run = await cli(['plan', '--answers', answersFile(EXAMPLE_ANSWERS)], {
      env: { ...TEST_ENV, AWS_ENDPOINT_URL: url },
    });
    expect(run.stderr).not.toContain('UnexpectedTestRequest');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Plan: 2 to create');
    expectPlanReachedServer();
  });

  it('sends S3 requests path-style and S3 Control requests without the account host prefix', async () => {
    const session = await AwsSession.create({
      env: TEST_ENV,
      endpointUrl: url,
      credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }),
    });
    try {
      const aws = session.clientsFor({
        step: 'wire-test',
        account: { id: ACCOUNT, name: 'management', role: 'management' },
        mode: 'read',
        allowed: new Set(['s3:ListBucket', 's3:GetAccountPublicAccessBlock']),
      });

      await aws.s3.send(new HeadBucketCommand({ Bucket: 'gw-trail-bucket' }));
      const block = await aws.s3control.send(new GetPublicAccessBlockCommand({ AccountId: ACCOUNT }));

      const head = seen.find((r) => r.method === 'HEAD');
      expect(head?.url.startsWith('/gw-trail-bucket')).toBe(true);
      expect(head?.host).toBe(hostPort);

      const control = seen.find((r) => r.method === 'GET');
      expect(control?.url.split('?')[0]).toBe('/v20180820/configuration/publicAccessBlock');
      expect(control?.host).toBe(hostPort);
      expect(control?.accountIdHeader).toBe(ACCOUNT);

      expect(block.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      });
      expect(seen).toHaveLength(2);
    } finally {
      session.close();
    }
  });

  it('sends a retried S3 Control call again as a new command, so the SDK does not refuse it ("Duplicate middleware name")', async () => {
    const session = await AwsSession.create({
      env: TEST_ENV,
      endpointUrl: url,
      credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }),
      retry: FAST_RETRY,
    });
    controlFailures = 2;
    try {
      const aws = session.clientsFor({
        step: 'wire-test',
        account: { id: ACCOUNT, name: 'management', role: 'management' },
        mode: 'read',
        allowed: new Set(['s3:GetAccountPublicAccessBlock']),
      });
      const block = await aws.s3control.send(new GetPublicAccessBlockCommand({ AccountId: ACCOUNT }));
      expect(block.PublicAccessBlockConfiguration?.BlockPublicAcls).toBe(true);
      // Two 503s, then the answer: three requests on the wire, each with the account header.
      expect(seen.map((r) => `${r.method} ${r.url.split('?')[0]} ${r.accountIdHeader}`)).toEqual(
        Array(3).fill(`GET /v20180820/configuration/publicAccessBlock ${ACCOUNT}`),
      );
    } finally {
      controlFailures = 0;
      session.close();
    }
  });

  it('refuses a command sent to a client without passing the guard, before it leaves the process', async () => {
    const pool = new ClientPool({
      region: 'us-east-1',
      endpoint: url,
      maxAttempts: 1,
      retryMode: 'standard',
      userAgent: 'test',
      credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }),
    });
    try {
      await expect(pool.get('iam').send(new ListAccountAliasesCommand({}))).rejects.toThrow(
        /ListAccountAliasesCommand\) was sent without passing the read-only guard/,
      );
      expect(seen).toHaveLength(0);
      // The same client, through the guard, reaches the server.
      const aws = scopedClients(pool, {
        step: 'wire-test',
        account: { id: ACCOUNT, name: 'management', role: 'management' },
        mode: 'read',
        allowed: new Set(['iam:ListAccountAliases']),
      });
      await aws.iam.send(new ListAccountAliasesCommand({}));
      expect(seen).toHaveLength(1);
    } finally {
      pool.destroy();
    }
  });

  it('keeps S3 path-style when the endpoint is a host name such as localhost', async () => {
    // At an IP address the SDK falls back to path-style on its own, so the test above cannot tell
    // whether forcePathStyle is set. At a host name it would put the bucket in front of the host
    // (gw-trail-bucket.localhost), which does not resolve: only forcePathStyle keeps the request here.
    const port = hostPort.split(':')[1] ?? '';
    const session = await AwsSession.create({
      env: TEST_ENV,
      endpointUrl: `http://localhost:${port}`,
      credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }),
    });
    try {
      const aws = session.clientsFor({
        step: 'wire-test',
        account: { id: ACCOUNT, name: 'management', role: 'management' },
        mode: 'read',
        allowed: new Set(['s3:ListBucket']),
      });
      await aws.s3.send(new HeadBucketCommand({ Bucket: 'gw-trail-bucket' }));
      expect(seen).toHaveLength(1);
      expect(seen[0]?.method).toBe('HEAD');
      expect(seen[0]?.url.startsWith('/gw-trail-bucket')).toBe(true);
      expect(seen[0]?.host).toBe(`localhost:${port}`);
    } finally {
      session.close();
    }
  });
});
