import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BinRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Credentials the emulator takes for its default account, 123456789012. */
export const EMULATOR_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'emulator-secret' };
export const MANAGEMENT = '123456789012';

/** A clean environment: no profile files, no instance metadata, no colour, a home of its own. */
export function baseEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    NO_COLOR: '1',
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...EMULATOR_CREDENTIALS,
    ...extra,
  };
}

export function tempDir(prefix = 'gw-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeAnswers(dir: string, text: string, name = 'answers.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/**
 * Runs the installed bin as a process, stdin an open pipe (no terminal). `started` gets the child,
 * so a test can kill it. Bounded: a run that hangs is killed and fails the test.
 */
export function runBin(
  bin: string,
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string; started?: (child: ChildProcess) => void; timeoutMs?: number } = {},
): Promise<BinRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, cwd: options.cwd ?? env.HOME, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`aws-groundwork ${args.join(' ')} did not finish within ${options.timeoutMs ?? 120_000} ms:\n${stderr}`));
    }, options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    options.started?.(child);
  });
}
