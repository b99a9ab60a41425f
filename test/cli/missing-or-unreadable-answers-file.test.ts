import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeAws } from '../helpers/fake-aws.js';
import { EXAMPLE_ANSWERS, cli } from '../helpers/run-cli.js';

/**
 * Root reads any file whatever its mode, and the suite may run as root: a file named `unreadable.yaml`
 * fails to open as it does for a user without the permission (EACCES), so that case runs everywhere.
 */
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const readFile = (async (path: Parameters<typeof actual.readFile>[0], ...rest: unknown[]) => {
    if (String(path).endsWith('unreadable.yaml')) {
      throw Object.assign(new Error(`EACCES: permission denied, open '${String(path)}'`), { code: 'EACCES' });
    }
    return (actual.readFile as (...a: unknown[]) => Promise<unknown>)(path, ...rest);
  }) as typeof actual.readFile;
  return { ...actual, readFile, default: { ...actual, readFile } };
});

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const fresh = () => mkdtempSync(join(tmpdir(), 'gw-answers-'));

describe('an answers file that cannot be read stops the run with exit 2, in words, before any AWS call', () => {
  it.each(['plan', 'apply', 'verify'])(
    '%s: a missing file says it does not exist, where it looked, and how to write one',
    async (command) => {
      const path = relative(process.cwd(), join(fresh(), 'answers.yaml'));
      const run = await cli([command, '--answers', path]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`error: the answers file ${path} does not exist (looked in ${process.cwd()})\n`);
      expect(run.stderr).toContain(`\`aws-groundwork answers ${path}\` writes a commented template there to fill in.`);
      expect(run.stderr).not.toContain('ENOENT');
      expect(fake.calls).toEqual([]);
    },
  );

  it('a file in a folder that does not exist names the folder', async () => {
    const run = await cli(['plan', '--answers', '/nonexistent/answers.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: the answers file /nonexistent/answers.yaml does not exist\n');
    expect(run.stderr).toContain('There is no folder /nonexistent;');
    expect(fake.calls).toEqual([]);
  });

  it('a folder given as the answers file says it is a folder', async () => {
    const dir = fresh();
    const run = await cli(['plan', '--answers', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: the answers file ${dir} is a folder, not a file\n`);
    expect(run.stderr).not.toContain('EISDIR');
    expect(fake.calls).toEqual([]);
  });

  it('a file this user may not read says permission is denied', async () => {
    const file = join(fresh(), 'unreadable.yaml');
    writeFileSync(file, EXAMPLE_ANSWERS);
    const run = await cli(['plan', '--answers', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: the answers file ${file} cannot be read: permission denied\n`);
    expect(run.stderr).not.toContain('EACCES');
    expect(fake.calls).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)('a file with no read permission, on a real file system (not as root)', async () => {
    const file = join(fresh(), 'answers.yaml');
    writeFileSync(file, EXAMPLE_ANSWERS);
    chmodSync(file, 0o000);
    const run = await cli(['plan', '--answers', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: the answers file ${file} cannot be read: permission denied\n`);
    expect(run.stderr).not.toContain('EACCES');
    expect(fake.calls).toEqual([]);
  });
});
