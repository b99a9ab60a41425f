import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromSSO } from '@aws-sdk/credential-providers';
import { loadSharedConfigFiles, loadSsoSessionData } from '@smithy/shared-ini-file-loader';
import { portalUrl, profileName, ssoConfigBlock, ssoProfiles, type SsoConfigInput } from '../../steps/identity-center/sso-config.js';

const input: SsoConfigInput = {
  startUrl: portalUrl('d-1234567890'),
  ssoRegion: 'us-east-1',
  region: 'eu-west-1',
  sessionName: 'acme',
  accounts: [
    { id: '111111111111', name: 'Management', roles: ['AdministratorAccess', 'ReadOnlyAccess'] },
    { id: '222222222222', name: 'Log Archive', roles: ['ReadOnlyAccess'] },
    { id: '333333333333', name: 'Security Tooling', roles: ['PowerUserAccess', 'SecurityAudit'] },
  ],
};

let dir: string;
let written = 0;
/** A fresh path per write: the SDK caches file reads by path for the life of the process. */
async function configFile(text: string): Promise<string> {
  const path = join(dir, `config-${++written}`);
  await writeFile(path, text);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sso-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('profileName', () => {
  it.each([
    ['Management', 'AdministratorAccess', 'management-administrator'],
    ['Log Archive', 'ReadOnlyAccess', 'log-archive-readonly'],
    ['Security Tooling', 'PowerUserAccess', 'security-tooling-poweruser'],
    ['Café  Prod', 'Billing_Team', 'cafe-prod-billing-team'],
    ['Sandbox', 'Access', 'sandbox-access'],
    ['***', '+=', 'account-role'],
  ])('names account %j with role %j as %j', (account, role, expected) => {
    expect(profileName(account, role)).toBe(expected);
  });
});

describe('ssoProfiles', () => {
  const colliding: SsoConfigInput = {
    ...input,
    accounts: [
      { id: '111111111111', name: 'Prod', roles: ['AdministratorAccess'] },
      { id: '222222222222', name: 'prod', roles: ['AdministratorAccess'] },
      { id: '333333333333', name: 'Dev', roles: ['ReadOnly', 'ReadOnlyAccess', 'ReadOnly'] },
    ],
  };

  it('makes colliding names distinct with the account id, and lists a repeated role once', () => {
    expect(ssoProfiles(colliding).map((p) => [p.name, p.roleName])).toEqual([
      ['prod-administrator-111111111111', 'AdministratorAccess'],
      ['prod-administrator-222222222222', 'AdministratorAccess'],
      ['dev-readonly-333333333333', 'ReadOnly'],
      ['dev-readonly-333333333333-2', 'ReadOnlyAccess'],
    ]);
  });

  it('does not rename a profile when an account whose names do not collide is added', () => {
    const before = ssoProfiles(input).map((p) => p.name);
    const more = { ...input, accounts: [{ id: '444444444444', name: 'Audit', roles: ['ReadOnlyAccess'] }, ...input.accounts] };
    expect(ssoProfiles(more).map((p) => p.name)).toEqual(['audit-readonly', ...before]);
  });
});

describe('ssoConfigBlock', () => {
  it('prints the same text for the same input: usage comments, the session, then one profile per role', () => {
    const small = { ...input, accounts: [{ id: '222222222222', name: 'Log Archive', roles: ['ReadOnlyAccess'] }] };
    expect(ssoConfigBlock(small)).toBe(ssoConfigBlock(structuredClone(small)));
    expect(ssoConfigBlock(small)).toBe(
      [
        '',
        '# aws-groundwork sso-config (acme): sign in through IAM Identity Center with the AWS CLI v2.',
        '# Access portal: https://d-1234567890.awsapps.com/start',
        '# Append once to ~/.aws/config (to update it, replace this block down to its last line), then run:',
        '#   aws sso login --sso-session acme',
        '#   aws s3 ls --profile log-archive-readonly',
        '[sso-session acme]',
        'sso_start_url = https://d-1234567890.awsapps.com/start',
        'sso_region = us-east-1',
        'sso_registration_scopes = sso:account:access',
        '',
        '[profile log-archive-readonly]',
        'sso_session = acme',
        'sso_account_id = 222222222222',
        'sso_role_name = ReadOnlyAccess',
        'region = eu-west-1',
        'output = json',
        '',
        '# end of aws-groundwork sso-config (acme)',
        '',
      ].join('\n'),
    );
  });

  it('parses with the SDK loader: every profile points at the session, which has the start URL and region', async () => {
    const configFilepath = await configFile(ssoConfigBlock(input));
    const { configFile: profiles } = await loadSharedConfigFiles({ configFilepath, filepath: join(dir, 'none') });
    const session = { sso_start_url: input.startUrl, sso_region: 'us-east-1', sso_registration_scopes: 'sso:account:access' };
    expect(await loadSsoSessionData({ configFilepath })).toEqual({ acme: session });
    const expected = ssoProfiles(input).map((p) => [
      p.name,
      { sso_session: 'acme', sso_account_id: p.accountId, sso_role_name: p.roleName, region: 'eu-west-1', output: 'json' },
    ]);
    expect(expected).toHaveLength(5);
    expect(profiles).toEqual({ 'sso-session.acme': session, ...Object.fromEntries(expected) });
  });

  it('leaves an existing config intact when appended to a file that lacks a trailing newline', async () => {
    const existing = '[default]\nregion = us-west-2\n\n[profile old]\noutput = text';
    const configFilepath = await configFile(existing + ssoConfigBlock(input));
    const { configFile: profiles } = await loadSharedConfigFiles({ configFilepath, filepath: join(dir, 'none') });
    expect(profiles['default']).toEqual({ region: 'us-west-2' });
    expect(profiles['old']).toEqual({ output: 'text' });
    expect(profiles['management-administrator']).toMatchObject({ sso_session: 'acme' });
  });

  it('makes the session name ini-safe', () => {
    expect(ssoConfigBlock({ ...input, sessionName: 'Acme Corp!' })).toContain('[sso-session acme-corp]\n');
    expect(ssoConfigBlock({ ...input, sessionName: '!!' })).toContain('aws sso login --sso-session aws-groundwork\n');
  });

  it('refuses a value that would break the ini file instead of writing it', () => {
    const role = { ...input, accounts: [{ id: '111111111111', name: 'X', roles: ['Admin\n[profile evil]'] }] };
    expect(() => ssoConfigBlock(role)).toThrow(/permission set name/);
    expect(() => ssoConfigBlock({ ...input, startUrl: 'https://x.awsapps.com/start #' })).toThrow(/access portal URL/);
    expect(() => ssoConfigBlock({ ...input, accounts: [{ id: '12', name: 'X', roles: [] }] })).toThrow(/account id/);
    expect(() => portalUrl('d-123/evil')).toThrow(/identity store id/);
  });
});

describe('the block resolved by the SDK as the AWS CLI would', () => {
  const token = 'cached-access-token';
  const seen: { accountId: string | null; roleName: string | null; token: unknown }[] = [];
  let server: Server;
  let home: string | undefined;

  beforeAll(async () => {
    // The portal's GetRoleCredentials: GET /federation/credentials?account_id=…&role_name=… with the bearer token.
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const accountId = url.searchParams.get('account_id');
      seen.push({ accountId, roleName: url.searchParams.get('role_name'), token: req.headers['x-amz-sso_bearer_token'] });
      const roleCredentials = {
        accessKeyId: `ASIA${accountId}`,
        secretAccessKey: 's',
        sessionToken: 't',
        expiration: Date.now() + 3_600_000,
      };
      res.writeHead(url.pathname === '/federation/credentials' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ roleCredentials }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // `aws sso login --sso-session acme` caches the token at ~/.aws/sso/cache/<sha1 of the session name>.json.
    home = process.env['HOME'];
    process.env['HOME'] = join(dir, 'home');
    const cache = join(dir, 'home', '.aws', 'sso', 'cache');
    await mkdir(cache, { recursive: true });
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const cached = { accessToken: token, expiresAt, region: input.ssoRegion, startUrl: input.startUrl };
    await writeFile(join(cache, `${createHash('sha1').update('acme').digest('hex')}.json`), JSON.stringify(cached));
  });
  afterAll(async () => {
    if (home === undefined) delete process.env['HOME'];
    else process.env['HOME'] = home;
    await new Promise((resolve) => server.close(resolve));
  });

  it('gets credentials for every profile, asking the portal for that profile’s account and permission set', async () => {
    const configFilepath = await configFile(ssoConfigBlock(input));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const profiles = ssoProfiles(input);
    for (const profile of profiles) {
      const provider = fromSSO({ profile: profile.name, configFilepath, filepath: join(dir, 'none'), clientConfig: { endpoint } });
      await expect(provider()).resolves.toMatchObject({ accessKeyId: `ASIA${profile.accountId}`, sessionToken: 't' });
    }
    expect(seen).toEqual(profiles.map((p) => ({ accountId: p.accountId, roleName: p.roleName, token })));
  });
});
