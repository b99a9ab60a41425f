import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestHost } from '../../src/io/test-host.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const ANSWERS = 'version: 1\nsteps:\n  admin-group: { users: [alice] }\n';

/** Every file under `dir` (skipping dependencies and git's objects) whose text contains `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === '.git') continue;
    const path = join(dir, entry);
    const st = statSync(path);
    if (st.isDirectory()) hits.push(...filesContaining(path, needle));
    else if (st.size < 5_000_000 && readFileSync(path, 'latin1').includes(needle)) hits.push(path);
  }
  return hits;
}

describe('a one-time console password', () => {
  it('without a terminal is never created: apply exits 2 before any write and says why', async () => {
    const run = await cli(['apply', '--yes', '--answers', answersFile(ANSWERS)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('a terminal to show the one-time password on');
    expect(fake.writes).toEqual([]);
  });

  it('is shown once on the terminal and appears in no output, JSON, saved answers or file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-secret-'));
    const saved = join(dir, 'saved.yaml');
    const host = new TestHost({ GW_APPROVE_PLAN: ['all'] });
    const apply = await cli(['apply', '--answers', answersFile(ANSWERS), '--save-answers', saved], { host });
    expect(apply.code).toBe(0);

    const password = fake.management.users.get('alice')?.loginProfile?.password as string;
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(host.screen).toEqual([{ label: expect.stringContaining('alice'), secret: password }]);

    const plan = await cli(['plan', '--output', 'json', '--answers', saved]);
    const verify = await cli(['verify', '--output', 'json', '--answers', saved]);
    const everythingPrinted = [
      apply.stdout,
      apply.stderr,
      ...host.results,
      ...host.messages.map((m) => m.text),
      JSON.stringify(host.requests),
      plan.stdout,
      plan.stderr,
      verify.stdout,
      verify.stderr,
      readFileSync(saved, 'utf8'),
    ].join('\n');
    expect(everythingPrinted).not.toContain(password);
    expect(JSON.parse(plan.stdout).changes).toEqual([]);
    expect(filesContaining(dir, password)).toEqual([]);
    expect(filesContaining(fileURLToPath(new URL('../../', import.meta.url)), password)).toEqual([]);
  });
});
