import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT } from './emulator.js';

/**
 * The package as users get it: `npm pack` of the built project, installed from the tarball into an
 * empty prefix as `npx aws-groundwork` would. Made once per build (keyed by a hash of `dist/` and
 * package.json) and shared by the test files, which may ask at the same time: a lock folder
 * serialises them.
 */
function hashOfBuild(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(name).update(readFileSync(path));
    }
  };
  if (!existsSync(join(PROJECT, 'dist', 'cli.js')))
    throw new Error('dist/ is missing: run `npm test` (it builds first) or `npm run build`');
  walk(join(PROJECT, 'dist'));
  hash.update(readFileSync(join(PROJECT, 'package.json')));
  return hash.digest('hex').slice(0, 16);
}

export async function installedBin(): Promise<string> {
  const base = join(tmpdir(), 'aws-groundwork-e2e');
  mkdirSync(base, { recursive: true });
  const prefix = join(base, hashOfBuild());
  const bin = join(prefix, 'node_modules', '.bin', 'aws-groundwork');
  const done = join(prefix, '.installed');
  const lock = join(base, 'lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (existsSync(done)) return bin;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another file is packing; a lock older than the deadline is a crashed run's.
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (existsSync(done)) return bin;
    rmSync(prefix, { recursive: true, force: true });
    mkdirSync(prefix, { recursive: true });
    // --ignore-scripts: prepack would rebuild dist/ while other files read it.
    const tarball = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', prefix], {
      cwd: PROJECT,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop() as string;
    writeFileSync(join(prefix, 'package.json'), '{"name":"e2e-prefix","private":true}\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `./${tarball}`], {
      cwd: prefix,
      stdio: 'pipe',
    });
    if (!existsSync(bin)) throw new Error(`the installed package has no bin at ${bin}`);
    writeFileSync(done, tarball);
    return bin;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
