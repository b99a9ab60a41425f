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
  const line = skipLine(missing, process.env);
  if (line) console.log(line);
  project.provide('emulatorMissing', missing);
}

/** The one line a run without the emulator prints; under CI there is no skipping, only a failure. */
export function skipLine(missing: string | null, env: NodeJS.ProcessEnv): string | null {
  if (!missing) return null;
  if (env.CI) throw new Error(`the end-to-end suite (test/e2e-aws) must run in CI, but ${missing}`);
  return `end-to-end suite (test/e2e-aws) skipped: ${missing}. To run it, put the emulator at ../shared/aws-emulator (as root its start script installs its Debian packages) and run \`npm test\` again.`;
}
