import { warmUp } from './warm-up.js';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { Emulator } from './emulator.js';
import { installedBin } from './package.js';
import { RecordingProxy } from './proxy.js';

/**
 * Emulators and recording proxies for one test file, each reset before a scenario uses it, and the
 * packed package installed once. A file may hold more than one, so its scenarios run side by side
 * (vitest runs files one at a time on a two-core machine; a scenario mostly waits on processes).
 * Without the emulator the file is skipped, with one line saying how to run it (global-setup.ts),
 * except under CI, where a missing emulator fails the run.
 */
export interface World {
  bin: string;
  emulator: Emulator;
  proxy: RecordingProxy;
}

/** Decided once per run by global-setup.ts, which also prints the line when the suite is skipped. */
export const emulatorMissing = inject('emulatorMissing');

export class Worlds {
  private readonly free: World[] = [];
  private readonly waiting: ((w: World) => void)[] = [];
  private readonly all: World[] = [];

  static async start(count: number, emulatorEnv: Record<string, string> = {}): Promise<Worlds> {
    const worlds = new Worlds();
    const bin = await installedBin();
    for (let i = 0; i < count; i++) {
      const emulator = await Emulator.start(emulatorEnv);
      await warmUp(emulator.url);
      const world = { bin, emulator, proxy: await RecordingProxy.start(emulator.url) };
      worlds.all.push(world);
      worlds.free.push(world);
    }
    return worlds;
  }

  /** Runs one scenario on a freshly reset emulator, waiting for one to be free. */
  async use<T>(scenario: (world: World) => Promise<T>): Promise<T> {
    const world = this.free.pop() ?? (await new Promise<World>((resolve) => this.waiting.push(resolve)));
    try {
      await world.emulator.reset();
      world.proxy.clear();
      return await scenario(world);
    } finally {
      const next = this.waiting.shift();
      if (next) next(world);
      else this.free.push(world);
    }
  }

  async stop(): Promise<void> {
    for (const w of this.all) {
      await w.proxy.close();
      w.emulator.stop();
    }
  }
}

/** A describe block with `count` emulators; the body's scenarios call `use`. */
export function e2eSuite(
  title: string,
  body: (use: Worlds['use']) => void,
  options: { count?: number; emulatorEnv?: Record<string, string> } = {},
): void {
  describe.skipIf(emulatorMissing !== null)(title, () => {
    let worlds: Worlds | undefined;
    beforeAll(async () => {
      worlds = await Worlds.start(options.count ?? 1, options.emulatorEnv);
    }, 240_000);
    afterAll(async () => {
      await worlds?.stop();
    });
    body((scenario) => {
      if (!worlds) throw new Error('the end-to-end emulators are not set up');
      return worlds.use(scenario);
    });
  });
}
