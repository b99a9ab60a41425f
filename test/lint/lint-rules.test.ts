import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The project's own lint rules, held to what they exist for: each refuses the thing it names. */
const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function problems(code: string, filePath = 'src/engine/example.ts'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the lint rules', () => {
  it('refuse a class name read at run time, which the minified bundle renames', async () => {
    expect(await problems('export const kind = (e: Error) => e.constructor.name;\n')).toEqual([
      expect.stringMatching(/^no-restricted-syntax: The bundle is minified/),
    ]);
  });

  it('refuse decoding a change address, with a regular expression or a string method', async () => {
    const code = [
      "import type { Change } from '../model.js';",
      'export const bucket = (c: Change) => /^s3:bucket\\/(.+)$/.exec(c.address);',
      "export const isKey = (c: Change) => c.address.startsWith('kms:');",
      '',
    ].join('\n');
    expect(await problems(code, 'steps/org-trail/example.ts')).toEqual([
      expect.stringMatching(/^no-restricted-syntax: Do not decode a change address/),
      expect.stringMatching(/^no-restricted-syntax: Do not decode a change address/),
    ]);
  });

  it('refuse a function over 60 lines in the engine and the steps, and allow it in tests', async () => {
    const body = Array.from({ length: 61 }, (_, i) => `  n += ${i};`).join('\n');
    const code = `export function long(): number {\n  let n = 0;\n${body}\n  return n;\n}\n`;
    expect(await problems(code)).toEqual([expect.stringMatching(/^max-lines-per-function:/)]);
    expect(await problems(code, 'test/engine/example.test.ts')).toEqual([]);
  });

  it('let a plain address through: comparing and rendering it are what it is for', async () => {
    const code = [
      "import type { Change } from '../model.js';",
      'export const same = (a: Change, b: Change) => a.address === b.address;',
      'export const line = (c: Change) => `${c.address}: ${c.summary}`;',
      '',
    ].join('\n');
    expect(await problems(code)).toEqual([]);
  });
});
