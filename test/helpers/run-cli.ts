import { PassThrough, Writable } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliDeps } from '../../src/cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** The environment an in-process run sees: a fixed region, no profile files, no colour questions. */
export const TEST_ENV: NodeJS.ProcessEnv = {
  AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/nonexistent',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
};

/** Production's retry policy with waits of a few milliseconds. */
export const FAST_RETRY = { attempts: 6, baseMs: 1, capMs: 4 };

const FAKE_CREDENTIALS = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' });

/**
 * Runs the CLI's real entry function in this process (so the fake AWS installed here answers), with
 * stdin, stdout and stderr captured and no terminal.
 */
export async function cli(argv: string[], deps: CliDeps = {}): Promise<CliRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const stdin = new PassThrough();
  const code = await runCli(
    argv,
    { stdin, stdout, stderr },
    {
      env: TEST_ENV,
      credentials: FAKE_CREDENTIALS,
      settle: { attempts: 2, delayMs: 0 },
      sleep: async () => undefined,
      roleRetry: { attempts: 5, delayMs: 0 },
      retry: FAST_RETRY,
      ...deps,
    },
  );
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Writes an answers file into a fresh temporary folder and returns its path. */
export function answersFile(text: string, name = 'answers.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-answers-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export const EXAMPLE_ANSWERS = `version: 1
region: us-east-1
steps:
  account-alias: { alias: acme }
  password-policy: { minimumLength: 14, reusePrevention: 24, maxAgeDays: 90 }
`;
