import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;
let version: string | undefined;

/**
 * The installed package's folder (where `package.json` and `templates/` are), found by walking up from
 * this module: it works from `src/` under the test runner and from `dist/src/` once built.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'aws-groundwork') return (root = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('aws-groundwork: cannot find its own package.json');
    dir = parent;
  }
}

export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
