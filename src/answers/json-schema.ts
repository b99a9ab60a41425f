/**
 * The answers file as a JSON Schema (draft 2020-12), generated from the one answers schema (the
 * steps' `answers`, `regionSchema` and the top level of `validateAnswers`) so editors complete and
 * check fields. `schemas/answers.v1.schema.json` is this output, committed and shipped in the package;
 * `test/answers/json-schema.test.ts` keeps it equal (`UPDATE_SCHEMAS=1` rewrites it).
 *
 * What must hold: the JSON Schema never refuses a document the tool accepts, and refuses every
 * document the tool refuses, except what JSON Schema cannot say, which only the tool decides:
 * - rules across answers (`rules` of lists and mappings, a string's `check`): unique emails, names and
 *   users ignoring case, one environment per member account, consistency with other steps;
 * - the YAML itself (syntax, duplicate keys, one document only, alias limits): the schema sees data;
 * - lengths of text outside the Basic Multilingual Plane: the tool counts UTF-16 code units, JSON
 *   Schema counts characters, so 40 emoji pass `maxLength: 64` here and not in the tool. (With every
 *   `minLength` at most 1, the schema is never the stricter of the two.)
 *
 * Where an editor finds the schema: the template's first line is a `yaml-language-server` modeline
 * with the jsDelivr URL of this very version of the npm package. A path into node_modules would not
 * resolve for a file written anywhere else, and an unpinned URL would check an older tool's file
 * against a newer schema; the pinned one always matches the tool that wrote the template.
 */
import type { Step } from '../kit/step.js';
import { packageVersion } from '../package-info.js';
import { ANSWERS_VERSION, regionSchema } from './answers.js';
import { checkString, PLACEHOLDER, type IntegerSchema, type ObjectSchema, type Schema, type StringSchema } from './schema.js';

type Json = Record<string, unknown>;

/** Where the schema sits in the repository and in the published package. */
export const ANSWERS_SCHEMA_FILE = `schemas/answers.v${ANSWERS_VERSION}.schema.json`;
export const ANSWERS_SCHEMA_ID = `urn:aws-groundwork:schema:answers:${ANSWERS_VERSION}`;

/** The schema of this version of the package, on a CDN that serves every published npm version. */
export function answersSchemaUrl(version = packageVersion()): string {
  return `https://cdn.jsdelivr.net/npm/aws-groundwork@${version}/${ANSWERS_SCHEMA_FILE}`;
}

/** The comment line that makes yaml-language-server (VS Code, Neovim, JetBrains, ...) use the schema. */
export function answersSchemaModeline(version = packageVersion()): string {
  return `# yaml-language-server: $schema=${answersSchemaUrl(version)}`;
}

/** Control characters, exactly `\p{Cc}` (U+0000-U+001F, U+007F-U+009F), without needing the `u` flag. */
export const CONTROL_FREE = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$';
/** No `<...>` part anywhere: a positive pattern, so editors can show its message. */
export const PLACEHOLDER_FREE = `^(?![\\s\\S]*${PLACEHOLDER.source})`;

const ONLY_THE_TOOL =
  'Generated from the answers schema of aws-groundwork (src/answers/json-schema.ts); do not edit. ' +
  'Only aws-groundwork plan/apply check: rules across answers (marked by $comment where they apply), ' +
  'the YAML itself (syntax, duplicate keys, one document, alias limits), and lengths of text beyond the ' +
  'Basic Multilingual Plane (the tool counts UTF-16 code units).';

const RULES_NOTE = 'aws-groundwork checks rules across answers here that JSON Schema cannot express; plan names each problem.';

/** The whole answers file: `version`, `region`, and `steps` with each step's section or `false`. */
export function answersJsonSchema(steps: readonly Step[]): Json {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: ANSWERS_SCHEMA_ID,
    title: `aws-groundwork answers, version ${ANSWERS_VERSION}`,
    description: 'The answers file of `aws-groundwork plan|apply|verify --answers FILE` (YAML or JSON): every answer, so nothing is asked.',
    $comment: ONLY_THE_TOOL,
    type: 'object',
    additionalProperties: false,
    required: ['version'],
    properties: {
      version: { description: `The answers file format: ${ANSWERS_VERSION}`, const: ANSWERS_VERSION },
      region: toJsonSchema(regionSchema),
      steps: {
        description: 'The steps to run, each with its answers: a step left out is skipped, and `false` skips it explicitly',
        // `steps:` with nothing after it reads as null, which the tool takes as no steps.
        type: ['object', 'null'],
        additionalProperties: false,
        properties: Object.fromEntries(steps.map((step) => [step.id, stepSchema(step)])),
      },
    },
  };
}

/** The text of `schemas/answers.v1.schema.json`: what the test compares and `UPDATE_SCHEMAS=1` writes. */
export function answersJsonSchemaText(steps: readonly Step[]): string {
  return `${JSON.stringify(answersJsonSchema(steps), null, 2)}\n`;
}

function stepSchema(step: Step): Json {
  const section = toJsonSchema(step.answers);
  // `account-alias:` with nothing after it reads as null: the tool runs the step with its defaults,
  // which holds only when the section has no required answer.
  if (!isRequired(step.answers)) section.type = ['object', 'null'];
  return {
    title: step.title,
    description: step.description,
    anyOf: [section, { description: 'Skip this step', const: false }],
  };
}

/**
 * Whether the tool reports the answer missing when it is absent: an answer without default that is
 * not optional, or a required mapping (absent, it is read as `{}`) with such an answer inside.
 */
function isRequired(schema: Schema): boolean {
  if (schema.optional || schema.default !== undefined) return false;
  return schema.kind !== 'object' || Object.values(schema.fields).some(isRequired);
}

export function toJsonSchema(schema: Schema): Json {
  switch (schema.kind) {
    case 'string':
      return stringSchema(schema);
    case 'integer':
      return { ...common(schema, integerDescription(schema)), type: 'integer', minimum: schema.min, maximum: schema.max };
    case 'boolean':
      return { ...common(schema, schema.description), type: 'boolean' };
    case 'list':
      return {
        ...common(schema, schema.description),
        ...(schema.rules?.length ? { $comment: RULES_NOTE } : {}),
        type: 'array',
        items: toJsonSchema(schema.items),
      };
    case 'object':
      return objectSchema(schema);
  }
}

function objectSchema(schema: ObjectSchema): Json {
  const required = Object.entries(schema.fields)
    .filter(([, field]) => isRequired(field))
    .map(([key]) => key);
  return {
    description: schema.description,
    ...(schema.rules?.length ? { $comment: RULES_NOTE } : {}),
    type: 'object',
    additionalProperties: false,
    ...(required.length ? { required } : {}),
    properties: Object.fromEntries(Object.entries(schema.fields).map(([key, field]) => [key, toJsonSchema(field)])),
  };
}

function common(schema: Exclude<Schema, ObjectSchema>, description: string): Json {
  return {
    description,
    ...(schema.default !== undefined ? { default: schema.default } : {}),
    ...(schema.example !== undefined ? { examples: [schema.example] } : {}),
  };
}

function integerDescription(schema: IntegerSchema): string {
  return schema.minReason ? `${schema.description}; at least ${schema.min} ${schema.minReason}` : schema.description;
}

/**
 * A string: its own pattern and lengths, and what `checkString` refuses of every string (control
 * characters) or of a person's own answer (a `<...>` placeholder), each with the tool's message.
 */
function stringSchema(schema: StringSchema): Json {
  if (schema.check) throw new Error(`${schema.description}: a string's check() cannot be said in JSON Schema; give it a pattern`);
  const bare: StringSchema = { kind: 'string', description: schema.description };
  const guards: Json[] = [{ pattern: CONTROL_FREE, patternErrorMessage: checkString(bare, '\u0007') }];
  if (schema.placeholder) {
    guards.push({ pattern: PLACEHOLDER_FREE, patternErrorMessage: checkString(schema, schema.placeholder.text) });
  }
  const hint = schema.patternHint ? `must be ${schema.patternHint}` : undefined;
  return {
    ...common(schema, hint ? `${schema.description}: ${hint}` : schema.description),
    type: 'string',
    ...(schema.minLength !== undefined ? { minLength: schema.minLength } : {}),
    ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}),
    ...(schema.pattern ? { pattern: ecmaPattern(schema.pattern, schema.description), ...(hint ? { patternErrorMessage: hint } : {}) } : {}),
    allOf: guards,
  };
}

/**
 * A pattern as JSON Schema states it: ECMA-262 source, no flags. Validators (ajv) and editors compile
 * it with the `u` flag, the tool without, so it must compile both ways and must not rely on flags.
 */
function ecmaPattern(pattern: RegExp, description: string): string {
  if (pattern.flags)
    throw new Error(`${description}: the pattern /${pattern.source}/${pattern.flags} has flags, which JSON Schema cannot carry`);
  new RegExp(pattern.source, 'u');
  return pattern.source;
}
