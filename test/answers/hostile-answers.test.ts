import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAnswersText, validateAnswers } from '../../src/answers/answers.js';
import { REGISTRY } from '../../src/registry.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { answersFile, cli } from '../helpers/run-cli.js';
import { aliasBomb, CASES, contactWith, steps } from './hostile-cases.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

describe('a hostile answers file', () => {
  it.each(CASES)(
    'with $name exits 2 within 2 seconds, names $path, prints nothing on stdout and sends nothing to AWS',
    async ({ text, path, says }) => {
      const started = performance.now();
      const run = await cli(['plan', '--answers', answersFile(text)]);
      const elapsed = performance.now() - started;
      expect(run.code, run.stderr.slice(0, 2000)).toBe(2);
      expect(run.stderr).toContain(path);
      expect(run.stderr).toContain(says);
      expect(run.stdout).toBe('');
      expect(fake.calls).toEqual([]);
      expect(elapsed).toBeLessThan(2000);
    },
  );

  it('is refused by apply --yes the same way, before any AWS call', async () => {
    const run = await cli(['apply', '--yes', '--answers', answersFile(aliasBomb(9))]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Excessive alias count');
    expect(fake.calls).toEqual([]);
  });
});

describe('what looks odd but is fine', () => {
  const valid = 'version: 1\nsteps:\n  account-alias: { alias: acme }\n';

  it('a byte-order mark before a valid file reads the same as the file without it', () => {
    expect(parseAnswersText(`\uFEFF${valid}`, 'bom.yaml')).toEqual(parseAnswersText(valid, 'plain.yaml'));
  });

  it('a few anchors and aliases, to share one contact between sections, are accepted', () => {
    const text = steps(
      '  security-contacts:\n' +
        '    security: &jane { name: Jane Founder, title: CTO, email: security@acme.example, phone: "+1 555 0100" }\n' +
        '    billing: *jane\n' +
        '    operations: *jane\n',
    );
    const answers = validateAnswers(parseAnswersText(text, 'shared.yaml'), REGISTRY, 'shared.yaml');
    const contacts = answers.steps['security-contacts'] as Record<string, { email: string }>;
    expect(contacts.billing?.email).toBe('security@acme.example');
    expect(contacts.operations?.email).toBe('security@acme.example');
  });

  it('names with letters beyond ASCII are accepted where the schema has no pattern', () => {
    const answers = validateAnswers(parseAnswersText(contactWith({ name: 'Zoë Ångström' }), 'x.yaml'), REGISTRY, 'x.yaml');
    expect((answers.steps['security-contacts'] as { security: { name: string } }).security.name).toBe('Zoë Ångström');
  });
});
