import { afterAll, beforeAll, beforeEach, describe, inject } from 'vitest';
import { Emulator } from './emulator.js';
import { installedBin } from './package.js';
import { RecordingProxy } from './proxy.js';

/**
 * One emulator and one recording proxy per test file, reset before each scenario, and the packed
 * package installed once. Without the emulator the file is skipped with one line saying how to run
 * it (global-setup.ts), except under CI, where a missing emulator fails the run.
 */
export interface World {
  bin: string;
  emulator: Emulator;
  proxy: RecordingProxy;
}

/** Decided once per run by global-setup.ts, which also prints the line when the suite is skipped. */
const missing = inject('emulatorMissing');

export function e2eSuite(title: string, body: (world: () => World) => void, emulatorEnv: Record<string, string> = {}): void {
  describe.skipIf(missing !== null)(title, () => {
    let world: World | undefined;
    beforeAll(async () => {
      const [bin, emulator] = await Promise.all([installedBin(), Emulator.start(emulatorEnv)]);
      world = { bin, emulator, proxy: await RecordingProxy.start(emulator.url) };
    }, 240_000);
    afterAll(async () => {
      await world?.proxy.close();
      world?.emulator.stop();
    });
    beforeEach(async () => {
      await world?.emulator.reset();
      world?.proxy.clear();
    });
    body(() => {
      if (!world) throw new Error('the end-to-end world is not set up');
      return world;
    });
  });
}
