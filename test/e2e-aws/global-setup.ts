import type { TestProject } from 'vitest/node';
import { emulatorMissing } from './harness/emulator.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the end-to-end suite cannot run here, or null. */
    emulatorMissing: string | null;
  }
}

/**
 * Decides once per run whether the end-to-end suite (test/e2e-aws) can run. Under CI a missing
 * emulator fails the run; elsewhere the suite is skipped with one line saying how to run it.
 */
export default function setup(project: TestProject): void {
  const missing = emulatorMissing();
  if (missing && process.env.CI) throw new Error(`the end-to-end suite (test/e2e-aws) must run in CI, but ${missing}`);
  if (missing) {
    console.log(
      `end-to-end suite (test/e2e-aws) skipped: ${missing}. To run it, put the emulator at ../shared/aws-emulator (as root its start script installs its Debian packages) and run \`npm test\` again.`,
    );
  }
  project.provide('emulatorMissing', missing);
}
