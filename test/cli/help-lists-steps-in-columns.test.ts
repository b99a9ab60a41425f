import { describe, expect, it } from 'vitest';
import { helpText } from '../../src/args.js';
import { STEP_LIST } from '../../src/step-list.js';
import { cli } from '../helpers/run-cli.js';

/** The lines of the help's step list: between its heading and the next blank line. */
function stepLines(help: string): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Steps ('));
  const end = lines.findIndex((l, i) => i > start && l === '');
  return lines.slice(start + 1, end);
}

/** Where each line's title starts, given the id it begins with. */
const titleColumns = (lines: string[], steps: readonly { id: string; title: string }[]) =>
  lines.map((line, i) => line.indexOf(steps[i]!.title, 2 + steps[i]!.id.length));

describe('--help lists every step id and title in two columns', () => {
  it('keeps the longest id (s3-block-public-access) apart from its title, and starts every title in one column', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    const lines = stepLines(run.stdout);
    expect(lines).toHaveLength(STEP_LIST.length);
    expect(run.stdout).toContain('  s3-block-public-access  S3 Block Public Access\n');
    expect(run.stdout).not.toContain('s3-block-public-accessS3');
    const longest = Math.max(...STEP_LIST.map((s) => s.id.length));
    expect(new Set(titleColumns(lines, STEP_LIST))).toEqual(new Set([2 + longest + 2]));
  });

  it('computes the column from the longest id, so a step with a longer id than any today still lines up', () => {
    const steps = [...STEP_LIST, { id: 'a-step-with-a-much-longer-id-than-today', title: 'Longer' }];
    const lines = stepLines(helpText(steps));
    const columns = new Set(titleColumns(lines, steps));
    expect(columns).toEqual(new Set([2 + 'a-step-with-a-much-longer-id-than-today'.length + 2]));
  });
});
