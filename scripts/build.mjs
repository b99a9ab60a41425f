// Builds the published package: one ESM bundle with code splitting, so `npx aws-groundwork` fetches
// a single package with no runtime dependencies, and `--version` / `--help` load only the small entry
// chunk (commands, steps and the AWS SDK are separate chunks loaded on first use).
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

await rm(new URL('../dist/', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  minify: true,
  legalComments: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  // Some bundled CommonJS packages call require() for Node's built-ins.
  banner: { js: "import { createRequire as __gwCreateRequire } from 'node:module'; const require = __gwCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
