import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseAnswersText, validateAnswers } from '../../src/answers/answers.js';
import {
  ANSWERS_SCHEMA_FILE,
  ANSWERS_SCHEMA_ID,
  CONTROL_FREE,
  PLACEHOLDER_FREE,
  answersJsonSchema,
  answersJsonSchemaText,
} from '../../src/answers/json-schema.js';
import { checkString, PLACEHOLDER } from '../../src/answers/schema.js';
import { answersTemplate } from '../../src/answers/template.js';
import { InvalidAnswersError } from '../../src/errors.js';
import { REGISTRY } from '../../src/registry.js';
import { FAULT_ANSWERS, ORGANIZATION_ANSWERS } from '../e2e-aws/answers.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';
import { CASES as HOSTILE, contactWith, steps } from './hostile-cases.js';
import { CASES as INVALID } from './invalid-cases.js';

const root = new URL('../../', import.meta.url);
const committedFile = new URL(ANSWERS_SCHEMA_FILE, root);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string; files: string[] };

// Strict mode: an unknown keyword fails here instead of silently allowing anything. The one
// non-standard keyword is an annotation VS Code and yaml-language-server show instead of the pattern.
// It compiles the generated schema, which the first test holds equal to the committed file.
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
const validateBySchema = ajv.compile(answersJsonSchema(REGISTRY));

type Verdict = 'valid' | 'invalid' | 'no document';

function byTool(text: string): Verdict {
  try {
    validateAnswers(parseAnswersText(text, 'answers.yaml'), REGISTRY, 'answers.yaml');
    return 'valid';
  } catch (err) {
    if (err instanceof InvalidAnswersError) return 'invalid';
    throw err;
  }
}

/**
 * What the JSON Schema says of the data an editor's YAML parser reads from the text. Duplicate keys
 * are a YAML matter, not a schema's: read leniently, the later one wins. Text that is no YAML
 * document at all (syntax errors, alias bombs) gives the schema nothing to judge.
 */
function bySchema(text: string): Verdict {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length) return 'no document';
  let data: unknown;
  try {
    data = doc.toJS();
  } catch {
    return 'no document';
  }
  return validateBySchema(data) ? 'valid' : 'invalid';
}

/** What a person writes over the template's placeholders (as in template.test.ts). */
const fillIn = (text: string) =>
  text
    .replaceAll('<your-company>', 'acme')
    .replace('<user-name>', 'jane')
    .replace('<monthly-usd>', '100')
    .replace('<given-name>', 'Jane')
    .replace('<family-name>', 'Founder')
    .replace('<name>@', 'jane@')
    .replaceAll('<your-domain>', 'acme.example')
    .replace('<full name>', 'Jane Founder')
    .replace('<job title>', 'CTO')
    .replace('<phone number>', '"+1 555 0100"');

const template = answersTemplate(REGISTRY);

/** Every answers file the suite uses, and what the tool makes of it. */
const FILES: { name: string; text: string; tool: Exclude<Verdict, 'no document'> }[] = [
  ...HOSTILE.map((c) => ({ name: `hostile: ${c.name}`, text: c.text, tool: 'invalid' as const })),
  ...INVALID.map((c) => ({ name: `invalid: ${c.name}`, text: c.text, tool: 'invalid' as const })),
  { name: 'the template, unedited', text: template, tool: 'invalid' },
  { name: 'the template, filled in', text: fillIn(template), tool: 'valid' },
  { name: 'the full example', text: FULL_EXAMPLE, tool: 'valid' },
  { name: 'the end-to-end organization', text: ORGANIZATION_ANSWERS, tool: 'valid' },
  { name: 'the end-to-end fault scenarios', text: FAULT_ANSWERS, tool: 'valid' },
  { name: 'odd but fine: a byte-order mark', text: `\uFEFF${steps('  account-alias: { alias: acme }\n')}`, tool: 'valid' },
  {
    name: 'odd but fine: one contact shared through anchors',
    text: steps(
      '  security-contacts:\n    security: &jane { name: Jane Founder, title: CTO, email: security@acme.example, phone: "+1 555 0100" }\n' +
        '    billing: *jane\n    operations: *jane\n',
    ),
    tool: 'valid',
  },
  { name: 'odd but fine: a name beyond ASCII', text: contactWith({ name: 'Zoë Ångström' }), tool: 'valid' },
  // The null and `false` forms the tool reads.
  { name: 'shapes: the version alone', text: 'version: 1\n', tool: 'valid' },
  { name: 'shapes: steps with nothing after it', text: 'version: 1\nsteps:\n', tool: 'valid' },
  { name: 'shapes: a step without answers, written empty', text: steps('  organization:\n  password-policy:\n'), tool: 'valid' },
  { name: 'shapes: a step with a required answer, written empty', text: steps('  account-alias:\n'), tool: 'invalid' },
  { name: 'shapes: every step skipped with false', text: steps(REGISTRY.map((s) => `  ${s.id}: false\n`).join('')), tool: 'valid' },
  { name: 'shapes: a step skipped with true', text: steps('  organization: true\n'), tool: 'invalid' },
  { name: 'shapes: a required sub-section left out', text: steps('  security-contacts: {}\n'), tool: 'invalid' },
  { name: 'shapes: an answer given as null', text: steps('  admin-group: { name: null }\n'), tool: 'invalid' },
  {
    name: 'lengths: a contact name of 40 emoji (80 UTF-16 units)',
    text: contactWith({ name: `"${'😀'.repeat(40)}"` }),
    tool: 'invalid',
  },
];

/**
 * The files only the tool can decide, and why. Everything else, valid or not, the JSON Schema
 * decides as the tool does.
 */
const ONLY_THE_TOOL: Record<string, string> = {
  // The YAML itself: there is no document for the schema to see.
  'hostile: an unclosed flow mapping': 'YAML syntax',
  'hostile: a key indented out of line': 'YAML syntax',
  'hostile: a tab used as indentation': 'YAML syntax',
  'hostile: YAML cut in the middle of a quoted string': 'YAML syntax',
  'hostile: YAML cut in the middle of a flow list': 'YAML syntax',
  'hostile: YAML cut right after an anchor mark': 'YAML syntax',
  'hostile: JSON cut in the middle of a string': 'YAML syntax',
  'hostile: JSON cut in the middle of a key': 'YAML syntax',
  'hostile: JSON cut in the middle of a \\u escape': 'YAML syntax',
  'hostile: JSON cut in the middle of true': 'YAML syntax',
  'hostile: two YAML documents in one file': 'one document only',
  'hostile: more after an end-of-document marker': 'one document only',
  'hostile: flow lists nested 5000 deep': 'YAML syntax',
  'hostile: mappings nested 3000 deep': 'YAML syntax',
  'hostile: a byte-order mark before a syntax error': 'YAML syntax',
  'hostile: a billion-laughs alias bomb (9 levels of 9 aliases)': 'alias limits',
  'hostile: a small alias bomb (3 levels of 9 aliases)': 'alias limits',
  'hostile: one anchored scalar aliased 20000 times': 'alias limits',
  'hostile: an alias to an anchor that does not exist': 'alias limits',
  'invalid: YAML that does not parse': 'YAML syntax',
  'invalid: JSON that does not parse': 'YAML syntax',
  // The YAML itself: read leniently, a duplicate key is one key, and the schema accepts the data.
  'hostile: a duplicated top-level key': 'duplicate keys',
  'hostile: a duplicated key inside a step': 'duplicate keys',
  'invalid: a duplicated key': 'duplicate keys',
  // Rules across answers.
  'hostile: two member accounts with one email': 'rule',
  'hostile: two member accounts whose emails differ only in case': 'rule',
  'hostile: two member accounts with one name': 'rule',
  'hostile: two member accounts whose names differ only in case': 'rule',
  'hostile: two members in one environment, with the account-alias step': 'rule',
  "hostile: an env answer equal to another member's environment from its name": 'rule',
  'hostile: an alias that is valid alone but too long once a member adds -staging': 'rule',
  'hostile: a member name that does not end in an environment, without env': 'rule',
  'hostile: one admin user twice, in different case': 'rule',
  'hostile: one MFA group twice, in different case': 'rule',
  'hostile: a renamed admin group that MFA enforcement, left at its default, leaves out': 'rule',
  'hostile: the access-log bucket named the same as the trail bucket': 'rule',
  // Lengths: the tool counts UTF-16 code units, JSON Schema characters.
  'lengths: a contact name of 40 emoji (80 UTF-16 units)': 'length beyond the BMP',
};

/** Every `pattern` in the schema, with where it is. */
function patterns(node: unknown, at = '#'): [string, string][] {
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]): [string, string][] =>
    key === 'pattern' && typeof value === 'string' ? [[at, value]] : patterns(value, `${at}/${key}`),
  );
}

describe('the JSON Schema of the answers file', () => {
  it(`is generated from the answers schema and committed as ${ANSWERS_SCHEMA_FILE} (UPDATE_SCHEMAS=1 rewrites it)`, () => {
    const generated = answersJsonSchemaText(REGISTRY);
    if (process.env.UPDATE_SCHEMAS === '1') writeFileSync(committedFile, generated);
    expect(existsSync(committedFile), `${ANSWERS_SCHEMA_FILE} is missing: UPDATE_SCHEMAS=1 writes it`).toBe(true);
    expect(readFileSync(committedFile, 'utf8'), `${ANSWERS_SCHEMA_FILE} is stale: UPDATE_SCHEMAS=1 rewrites it`).toBe(generated);
  });

  it('ships in the package, named after the answers version', () => {
    expect(pkg.files).toContain('schemas/');
    expect(ANSWERS_SCHEMA_FILE).toBe('schemas/answers.v1.schema.json');
    expect(answersJsonSchema(REGISTRY)).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: ANSWERS_SCHEMA_ID,
      properties: { version: { const: 1 } },
    });
  });

  it("is pointed to by the template's first line, at this version of the package on jsDelivr, and the rest of the template is unchanged", () => {
    const [first, second] = template.split('\n');
    expect(first).toBe(
      `# yaml-language-server: $schema=https://cdn.jsdelivr.net/npm/aws-groundwork@${pkg.version}/schemas/answers.v1.schema.json`,
    );
    expect(second).toMatch(/^# aws-groundwork answers file, version 1 /);
  });

  it('states each answer with its description, type, default, bounds and whether it is required', () => {
    const schema = answersJsonSchema(REGISTRY) as { properties: { steps: { properties: Record<string, { anyOf: object[] }> } } };
    const section = (id: string) => schema.properties.steps.properties[id]?.anyOf[0] as Record<string, unknown>;
    expect(section('account-alias')).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['alias'],
      properties: {
        alias: { type: 'string', pattern: '^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$', description: expect.stringContaining('sign-in URL') },
        allowReplace: { type: 'boolean', default: false },
      },
    });
    expect(section('password-policy')).toMatchObject({
      type: ['object', 'null'],
      properties: {
        minimumLength: { type: 'integer', minimum: 14, maximum: 128, default: 14, description: expect.stringContaining('CIS 1.7') },
      },
    });
    expect(section('password-policy').required).toBeUndefined();
    expect(section('security-contacts')).toMatchObject({
      required: ['security'],
      properties: { security: { required: ['name', 'title', 'email', 'phone'] } },
    });
    const member = (section('member-accounts').properties as { accounts: { default: unknown; items: Record<string, unknown> } }).accounts;
    expect(member).toMatchObject({
      type: 'array',
      default: [],
      items: {
        required: ['name', 'email'],
        properties: { ou: { type: 'string' }, purpose: { type: 'string', pattern: '^(log-archive|security-tooling)$' } },
      },
    });
    expect(member.items.$comment).toContain('rules across answers');
    expect(schema.properties.steps.properties.organization?.anyOf[1]).toEqual({ description: 'Skip this step', const: false });
  });

  it('has only patterns that mean the same to ECMA-262 with and without the u flag', () => {
    const found = patterns(answersJsonSchema(REGISTRY));
    expect(found.length).toBeGreaterThan(20);
    const probes = ['acme', 'Acme', 'a-b', 'aws+dev@acme.example', '+1 555 0100', 'us-east-1', '😀', 'a😀b', 'é', '<x>', ''];
    for (const [at, source] of found) {
      for (const probe of probes)
        expect(new RegExp(source, 'u').test(probe), `${at}: ${source} on ${probe}`).toBe(new RegExp(source).test(probe));
    }
  });

  it('refuses exactly the control characters the tool refuses, every code point checked', () => {
    const withU = new RegExp(CONTROL_FREE, 'u');
    const withoutU = new RegExp(CONTROL_FREE);
    const bare = { kind: 'string', description: 'any text' } as const;
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      const toolRefuses = checkString(bare, `a${ch}b`) !== undefined;
      if (withU.test(`a${ch}b`) === toolRefuses || withoutU.test(`a${ch}b`) === toolRefuses) {
        throw new Error(`U+${cp.toString(16)}: the tool ${toolRefuses ? 'refuses' : 'accepts'} it and the schema does not`);
      }
    }
  });

  it('refuses exactly the <...> placeholders the tool refuses', () => {
    const free = new RegExp(PLACEHOLDER_FREE, 'u');
    for (const text of ['<x>', 'a <b> c', '<>', 'jane@<your-domain>', '<<x>', 'a<b', 'a>b<c', 'a < b', 'acme', '']) {
      expect(free.test(text), text).toBe(!PLACEHOLDER.test(text));
    }
  });

  it('agrees with the tool on every answers file the suite uses, but for the ones only the tool can decide', () => {
    const byToolNow: Record<string, Verdict> = {};
    const disagreements: Record<string, string> = {};
    for (const file of FILES) {
      const tool = (byToolNow[file.name] = byTool(file.text));
      const schema = bySchema(file.text);
      if (schema !== tool) disagreements[file.name] = `tool ${tool}, schema ${schema}`;
    }
    // The table says what the tool decides; a wrong entry there would make the comparison moot.
    expect(byToolNow).toEqual(Object.fromEntries(FILES.map((f) => [f.name, f.tool])));
    const expected = Object.fromEntries(
      Object.entries(ONLY_THE_TOOL).map(([name, why]) => [
        name,
        // Without a document the schema says nothing; with one, it accepts what only the tool refuses.
        `tool invalid, schema ${['YAML syntax', 'one document only', 'alias limits'].includes(why) ? 'no document' : 'valid'}`,
      ]),
    );
    expect(disagreements).toEqual(expected);
    expect(FILES.map((f) => f.name)).toEqual(expect.arrayContaining(Object.keys(ONLY_THE_TOOL)));
  }, 60_000);
});
