import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { answersFile } from '../helpers/run-cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = `${root}bin/aws-groundwork.js`;
const version = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;

interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs the built CLI as a separate process without a terminal. stdin is a pipe that is never written
 * to nor closed: a process that waited on it would hang until the limit below kills it.
 */
function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('the built command', () => {
  it('is built before the tests run (npm test builds first)', () => {
    expect(existsSync(`${root}dist/cli.js`)).toBe(true);
  });

  it('prints its version with --version and exits 0', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('prints usage, every command and the exit codes with --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['plan', 'apply', 'verify', 'answers', 'permissions', '--answers', '--endpoint-url', 'Exit codes']) {
      expect(r.stdout).toContain(word);
    }
  });

  it('without a terminal and without answers exits 2 at once, naming what is missing, without reading stdin', async () => {
    const r = await run(['plan']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing: steps.account-alias.alias');
    expect(r.stderr).toContain('--answers FILE');
    expect(r.stdout).toBe('');
  });

  it('without a terminal, the wizard (no command) also exits 2 instead of prompting', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no terminal to ask on');
  });

  it('exits 2 for an invalid answers file with the field path, and keeps stdout empty', async () => {
    const r = await run(['plan', '--answers', answersFile('version: 1\nsteps:\n  account-alias: { alias: "-bad" }\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('steps.account-alias.alias: must be 3-63 lowercase letters');
    expect(r.stdout).toBe('');
  });

  it('writes the answers template to stdout: refused until its placeholders are replaced, then a valid answers file', async () => {
    const template = await run(['answers']);
    expect(template.code).toBe(0);
    const unedited = await run(['plan', '--answers', answersFile(template.stdout), '--endpoint-url', 'http://127.0.0.1:9']);
    expect(unedited.code).toBe(2);
    expect(unedited.stderr).toContain("steps.account-alias.alias: is still the template's placeholder");
    const filled = template.stdout
      .replaceAll('<your-company>', 'acme')
      .replace('<user-name>', 'jane')
      .replace('<monthly-usd>', '100')
      .replace('<given-name>', 'Jane')
      .replace('<family-name>', 'Founder')
      .replace('<name>@', 'jane@')
      .replaceAll('<your-domain>', 'acme.example')
      .replace('<full name>', 'Jane Founder')
      .replace('<job title>', 'CTO')
      .replace('<phone number>', '"+1 555 0100"');
    const file = answersFile(filled);
    const policy = await run(['permissions', '--phase', 'read']);
    expect(JSON.parse(policy.stdout).Statement[0].Action).toContain('iam:ListAccountAliases');
    // A plan against an endpoint nobody listens on gets past answer validation (exit 1, not 2).
    const plan = await run(['plan', '--answers', file, '--endpoint-url', 'http://127.0.0.1:9'], {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'not-a-secret',
      AWS_MAX_ATTEMPTS: '1',
    });
    expect(plan.code).toBe(1);
    expect(plan.stderr).not.toContain('not a valid answers file');
  });

  it('without credentials exits 1 and says how to sign in', async () => {
    const r = await run(
      ['plan', '--only', 'account-alias', '--set', 'steps.account-alias.alias=acme', '--endpoint-url', 'http://127.0.0.1:9'],
      {
        AWS_CONFIG_FILE: '/nonexistent/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no usable AWS credentials');
    expect(r.stderr).toContain('aws sso login');
    expect(r.stderr).not.toContain('NodeVersionSupportWarning');
  });
});
