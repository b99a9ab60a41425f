import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestHost } from '../../src/io/test-host.js';
import { cli } from '../helpers/run-cli.js';

/** A profile that assumes a role with MFA, as founders often have: the wizard must ask for the code. */
const dir = mkdtempSync(join(tmpdir(), 'gw-profile-'));
const env = {
  AWS_CONFIG_FILE: join(dir, 'config'),
  AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
  AWS_REGION: 'us-east-1',
};
writeFileSync(
  env.AWS_CONFIG_FILE,
  `[profile admin]
role_arn = arn:aws:iam::111111111111:role/Admin
source_profile = base
mfa_serial = arn:aws:iam::111111111111:mfa/founder
`,
);
writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE, '[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n');

const bodies: string[] = [];
let server: Server;
let url = '';

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
beforeAll(async () => {
  // The SDK reads its profile files from the process environment, not from the env given to the CLI.
  vi.stubEnv('AWS_CONFIG_FILE', env.AWS_CONFIG_FILE);
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', env.AWS_SHARED_CREDENTIALS_FILE);
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) vi.stubEnv(name, undefined);
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200, { 'content-type': 'text/xml' });
      if (body.includes('Action=AssumeRole')) {
        res.end(
          `<AssumeRoleResponse xmlns="${STS_NS}"><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>role-secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::111111111111:assumed-role/Admin/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`,
        );
      } else if (body.includes('Action=GetCallerIdentity')) {
        res.end(
          `<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult><Arn>arn:aws:sts::111111111111:assumed-role/Admin/s</Arn><UserId>AROA:s</UserId><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`,
        );
      } else if (body.includes('Action=ListAccountAliases')) {
        res.end(
          '<ListAccountAliasesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListAccountAliasesResult><AccountAliases/><IsTruncated>false</IsTruncated></ListAccountAliasesResult></ListAccountAliasesResponse>',
        );
      } else {
        res.writeHead(400);
        res.end('<ErrorResponse><Error><Code>InvalidAction</Code><Message>not served here</Message></Error></ErrorResponse>');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise<void>((r) => server.close(() => r()));
});

const argv = () => [
  'plan',
  '--profile',
  'admin',
  '--only',
  'account-alias',
  '--set',
  'steps.account-alias.alias=acme',
  '--endpoint-url',
  url,
];

describe('a profile with mfa_serial', () => {
  it('asks for the MFA code through the message channel and uses it to assume the role', async () => {
    const host = new TestHost({ GW_MFA_CODE: ['123456'] });
    const run = await cli(argv(), { env, host, credentials: undefined as never });
    expect(run.code).toBe(0);
    expect(host.requests.map((r) => [r.code, r.message])).toEqual([['GW_MFA_CODE', 'MFA code for arn:aws:iam::111111111111:mfa/founder:']]);
    const assume = bodies.find((b) => b.includes('Action=AssumeRole'));
    expect(assume).toContain('TokenCode=123456');
    expect(assume).toContain(encodeURIComponent('arn:aws:iam::111111111111:mfa/founder'));
    expect(host.results.join('\n')).toContain('Plan: 1 to create');
  });

  it('without a terminal exits 2 with a message that says how to run without an MFA prompt', async () => {
    const run = await cli(argv(), { env, credentials: undefined as never });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('MFA code for arn:aws:iam::111111111111:mfa/founder');
    expect(run.stderr).toContain('no terminal to ask on');
  });
});
