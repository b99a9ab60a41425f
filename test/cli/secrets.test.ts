import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestHost } from '../../src/io/test-host.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { answersFile, cli, type CliRun } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

/** Temporary credentials as the SDK's chain would find them in the environment. */
const CREDENTIALS = {
  accessKeyId: 'AKIASECRETTEST00001',
  secretAccessKey: 'wJalrSECRETsecretSECRETsecretKEY0000001',
  sessionToken: 'FwoGSECRETsessionTOKEN',
};
let credentialsAsked = 0;
const credentials = async () => {
  credentialsAsked++;
  return { ...CREDENTIALS };
};

const ANSWERS = 'version: 1\nsteps:\n  admin-group: { users: [alice] }\n';

const THIS_FILE = fileURLToPath(import.meta.url);
const PROJECT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Every file under `dir` (skipping dependencies and git's objects) whose bytes contain one of
 * `needles`, as `path: needle`. This file is left out: it is where the test credentials are written.
 */
function filesContaining(dir: string, needles: string[]): string[] {
  const hits: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === '.git') continue;
    const path = join(dir, entry);
    const st = statSync(path);
    if (st.isDirectory()) hits.push(...filesContaining(path, needles));
    else if (st.isFile() && path !== THIS_FILE && st.size < 20_000_000) {
      const text = readFileSync(path, 'latin1');
      for (const needle of needles) if (text.includes(needle)) hits.push(`${path}: ${needle}`);
    }
  }
  return hits;
}

const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;

describe('credentials and the one-time password', () => {
  it('never appear in output, JSON, markdown, the evidence report, saved answers or files; the password is shown once, on the terminal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-secrets-'));
    const answers = join(dir, 'answers.yaml');
    const saved = join(dir, 'saved.yaml');
    writeFileSync(answers, ANSWERS);

    const host = new TestHost({ GW_APPROVE_PLAN: ['all'] });
    const apply = await cli(['apply', '--answers', answers, '--save-answers', saved], { host, credentials });
    expect(apply.code, apply.stderr).toBe(0);
    expect(credentialsAsked, 'the run signed with the test credentials').toBeGreaterThan(0);

    const password = fake.management.users.get('alice')?.loginProfile?.password as string;
    expect(password.length).toBeGreaterThanOrEqual(32);

    const runs: Record<string, CliRun> = {};
    for (const command of ['plan', 'verify']) {
      for (const output of ['json', 'markdown']) {
        runs[`${command} ${output}`] = await cli([command, '--output', output, '--answers', saved], { credentials });
      }
    }
    const report = join(dir, 'evidence.md');
    runs['verify --report'] = await cli(['verify', '--answers', saved, '--report', report], { credentials });
    expect(readFileSync(report, 'utf8')).toContain('iam:user/alice');
    expect(runs['plan json']?.code).toBe(0);
    expect(JSON.parse(runs['plan json']?.stdout ?? '').changes).toEqual([]);
    expect(JSON.parse(runs['verify json']?.stdout ?? '').findings.length).toBeGreaterThan(0);
    expect(runs['verify markdown']?.stdout).toContain('| PASS | SSB ACCT.04 |');

    const everything: Record<string, string> = {
      'apply stdout': apply.stdout,
      'apply stderr': apply.stderr,
      'host results': host.results.join('\n'),
      'host messages': JSON.stringify(host.messages),
      'host requests': JSON.stringify(host.requests),
      'saved answers': readFileSync(saved, 'utf8'),
      'evidence report': readFileSync(report, 'utf8'),
      ...Object.fromEntries(
        Object.entries(runs).flatMap(([name, run]) => [
          [`${name} stdout`, run.stdout],
          [`${name} stderr`, run.stderr],
        ]),
      ),
    };
    const secrets = [...Object.values(CREDENTIALS), password];
    for (const [where, text] of Object.entries(everything)) {
      for (const secret of secrets)
        expect(text.includes(secret), `${where} contains ${secret === password ? 'the password' : secret}`).toBe(false);
    }

    expect(host.screen).toEqual([{ label: expect.stringContaining('alice'), secret: password }]);
    expect(occurrences(JSON.stringify(host.screen), password)).toBe(1);
    for (const secret of Object.values(CREDENTIALS)) expect(JSON.stringify(host.screen)).not.toContain(secret);

    expect(filesContaining(dir, secrets)).toEqual([]);
    expect(filesContaining(PROJECT, secrets)).toEqual([]);
  });
});

describe('--save-answers to a file that already exists', () => {
  it.each([
    ['plan', ['plan']],
    ['apply --yes', ['apply', '--yes']],
  ])('without a terminal, %s exits 2, leaves the file as it was and sends nothing to AWS', async (_name, command) => {
    const existing = answersFile('# my own notes, not answers\nkeep: me\n', 'existing.yaml');
    const before = readFileSync(existing, 'utf8');
    const run = await cli(
      [...command, '--answers', answersFile('version: 1\nsteps:\n  account-alias: { alias: acme }\n'), '--save-answers', existing],
      {
        credentials,
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${existing} already exists and was left as it is`);
    expect(readFileSync(existing, 'utf8')).toBe(before);
    expect(fake.calls).toEqual([]);
  });
});
