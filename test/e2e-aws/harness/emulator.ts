import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The independent AWS of the end-to-end suite: `../shared/aws-emulator` (moto 5.2.2 as an HTTP
 * server, beside the project). One per test file, on a free port, reset between scenarios.
 */
export const PROJECT = fileURLToPath(new URL('../../../', import.meta.url));
export const EMULATOR_DIR = join(PROJECT, '..', 'shared', 'aws-emulator');
const START = join(EMULATOR_DIR, 'start');

/** Why the emulator cannot run here, or null when it can. */
export function emulatorMissing(dir = EMULATOR_DIR): string | null {
  const start = join(dir, 'start');
  if (!existsSync(start)) return `${dir} is not there`;
  // `start --prepare` installs its Debian packages as root, and only checks otherwise.
  const prepared = spawnSync(start, ['--prepare'], { encoding: 'utf8', timeout: 300_000 });
  if (prepared.status !== 0)
    return `the emulator cannot start: ${(prepared.stderr || prepared.stdout || `exit ${prepared.status}`).trim()}`;
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export class Emulator {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly output: () => string,
  ) {}

  /** Starts one and waits until it answers (bounded). */
  static async start(env: Record<string, string> = {}): Promise<Emulator> {
    const port = await freePort();
    const child = spawn(START, ['-p', String(port)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const keep = (b: Buffer) => {
      log = (log + b.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const url = `http://127.0.0.1:${port}`;
    const emulator = new Emulator(url, child, () => log);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the emulator exited (${child.exitCode}) before it answered:\n${log}`);
      try {
        if ((await fetch(`${url}/moto-api/`)).ok) return emulator;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        emulator.stop();
        throw new Error(`the emulator did not answer at ${url} within 60 s:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Forgets every account, organization, bucket and key. */
  async reset(): Promise<void> {
    const r = await fetch(`${this.url}/moto-api/reset`, { method: 'POST' });
    if (!r.ok) throw new Error(`emulator reset failed: ${r.status} ${this.output()}`);
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}
