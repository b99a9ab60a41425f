import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { skipLine } from './global-setup.js';
import { emulatorMissing } from './harness/emulator.js';

describe('when the end-to-end suite runs', () => {
  const nowhere = join(mkdtempSync(join(tmpdir(), 'gw-no-emulator-')), 'aws-emulator');

  it('finds no emulator where there is none, and says where it looked', () => {
    expect(emulatorMissing(nowhere)).toBe(`${nowhere} is not there`);
  });

  it('is skipped on a newcomer machine without the emulator, with one line saying why and how to run it', () => {
    const line = skipLine(emulatorMissing(nowhere), {});
    expect(line).toMatch(
      /^end-to-end suite \(test\/e2e-aws\) skipped: .* is not there\. To run it, put the emulator at \.\.\/shared\/aws-emulator .* run `npm test` again\.$/,
    );
    expect(line?.split('\n')).toHaveLength(1);
  });

  it('is never skipped under CI: a missing emulator fails the run', () => {
    expect(() => skipLine(emulatorMissing(nowhere), { CI: 'true' })).toThrow(/must run in CI, but .* is not there/);
  });

  it('runs, and prints nothing, where the emulator is', () => {
    expect(skipLine(null, { CI: 'true' })).toBeNull();
  });
});
