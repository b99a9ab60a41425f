import { readFile } from 'node:fs/promises';
import { parseDocument, YAMLParseError } from 'yaml';
import type { Step } from '../engine/types.js';
import { PLANNED_STEP_IDS } from '../engine/planned-steps.js';
import { InvalidAnswersError, MissingAnswerError, UsageError } from '../engine/errors.js';
import type { IoHost } from '../io/host.js';
import {
  parseScalar,
  string,
  typeOf,
  validate,
  type Schema,
  type SchemaIssue,
} from './schema.js';

export const ANSWERS_VERSION = 1;

/** The answers of one run: validated, defaults filled, steps not chosen absent or `false`. */
export interface Answers {
  version: 1;
  region?: string;
  steps: Record<string, Record<string, unknown> | false>;
}

export const regionSchema = string({
  description: 'Home region for the trail, buckets and key (default: your profile region, else us-east-1)',
  pattern: /^[a-z]{2}(-[a-z]+)+-\d+$/,
  patternHint: 'an AWS region name such as us-east-1',
  optional: true,
  example: 'us-east-1',
});

/** Parses YAML (JSON is YAML too). Syntax errors become exit-2 errors with the line. */
export function parseAnswersText(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const offset = err instanceof YAMLParseError ? err.pos[0] : 0;
    const where = `line ${text.slice(0, offset).split('\n').length}`;
    throw new InvalidAnswersError(source, [{ path: where, message: `is not valid YAML or JSON: ${err.message.split('\n')[0]}` }]);
  }
  return doc.toJS();
}

export async function readAnswersFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read answers file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseAnswersText(text, path);
}

/**
 * Validates a whole answers document against the registered steps. Every problem is reported with its
 * field path; nothing here talks to AWS.
 */
export function validateAnswers(raw: unknown, steps: readonly Step[], source: string): Answers {
  const issues: SchemaIssue[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidAnswersError(source, [{ path: '', message: `must be a mapping with version and steps, not ${typeOf(raw)}` }]);
  }
  const doc = raw as Record<string, unknown>;
  for (const key of Object.keys(doc)) {
    if (!['version', 'region', 'steps'].includes(key)) {
      issues.push({ path: key, message: 'is not a known answer here (known: version, region, steps)' });
    }
  }
  if (doc.version === undefined) {
    issues.push({ path: 'version', message: `is required: put "version: ${ANSWERS_VERSION}" at the top` });
  } else if (doc.version !== ANSWERS_VERSION) {
    issues.push({ path: 'version', message: `must be ${ANSWERS_VERSION}, not ${JSON.stringify(doc.version)}` });
  }
  const region = validate(regionSchema, doc.region, 'region', issues) as string | undefined;
  const out: Answers = { version: 1, steps: {}, ...(region ? { region } : {}) };

  const rawSteps = doc.steps ?? {};
  if (rawSteps === null || typeof rawSteps !== 'object' || Array.isArray(rawSteps)) {
    issues.push({ path: 'steps', message: `must be a mapping of step ids, not ${typeOf(rawSteps)}` });
  } else {
    const byId = new Map(steps.map((s) => [s.id, s]));
    for (const [id, value] of Object.entries(rawSteps as Record<string, unknown>)) {
      const step = byId.get(id);
      if (!step) {
        const later = (PLANNED_STEP_IDS as readonly string[]).includes(id);
        issues.push({
          path: `steps.${id}`,
          message: later
            ? `is not available in this version yet (available: ${[...byId.keys()].join(', ')}); remove it or set it to false`
            : `is not a step (known: ${[...byId.keys()].join(', ')})`,
        });
        continue;
      }
      if (value === false) {
        out.steps[id] = false;
        continue;
      }
      // `account-alias:` with nothing after it reads as null: take it as "run with the defaults".
      out.steps[id] = validate(step.answers, value ?? {}, `steps.${id}`, issues) as Record<string, unknown>;
    }
  }
  if (issues.length) throw new InvalidAnswersError(source, issues);
  return out;
}

/** A `--set PATH=VALUE` flag, typed by the schema of the answer it names. */
export interface SetFlag {
  path: string;
  value: unknown;
}

export function parseSetFlag(text: string, steps: readonly Step[]): SetFlag {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set ${text}: expected PATH=VALUE, e.g. steps.account-alias.alias=acme`);
  const path = text.slice(0, eq).trim();
  const valueText = text.slice(eq + 1);
  const schema = schemaAt(path, steps);
  if (!schema) throw new UsageError(`--set ${path}: no such answer`, 'See `aws-groundwork answers` for every answer and its path.');
  const parsed = parseScalar(schema, valueText);
  if ('problem' in parsed) throw new UsageError(`--set ${path}: ${parsed.problem}`);
  return { path, value: parsed.value };
}

function schemaAt(path: string, steps: readonly Step[]): Schema | undefined {
  if (path === 'region') return regionSchema;
  const m = /^steps\.([a-z0-9-]+)\.([A-Za-z0-9]+)$/.exec(path);
  if (!m) return undefined;
  return steps.find((s) => s.id === m[1])?.answers.fields[m[2] as string];
}

/** Puts `--set` values into a raw answers document (they win over the file). */
export function applySetFlags(raw: Record<string, unknown>, sets: SetFlag[]): void {
  for (const { path, value } of sets) {
    if (path === 'region') {
      raw.region = value;
      continue;
    }
    const [, stepId, key] = path.split('.') as [string, string, string];
    const stepsObj = (raw.steps ??= {}) as Record<string, unknown>;
    const current = stepsObj[stepId];
    const section = current && typeof current === 'object' ? (current as Record<string, unknown>) : {};
    section[key] = value;
    stepsObj[stepId] = section;
  }
}

export interface ResolveOptions {
  answersFile?: string;
  sets: SetFlag[];
  /** Every registered step: what an answers file is validated against. */
  steps: readonly Step[];
  /** The steps this run would ask about when there is no file (after --only/--skip). */
  ask: readonly Step[];
  host: IoHost;
}

/**
 * The answers for this run: from the file (plus `--set`), or asked question by question. Without a
 * file and without a terminal, every answer that has no default is reported missing at once (exit 2).
 */
export async function resolveAnswers(opts: ResolveOptions): Promise<{ answers: Answers; source: string }> {
  const { steps, sets, host, ask } = opts;
  if (opts.answersFile) {
    const raw = await readAnswersFile(opts.answersFile);
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) applySetFlags(raw as Record<string, unknown>, sets);
    return { answers: validateAnswers(raw, steps, opts.answersFile), source: opts.answersFile };
  }
  const raw: Record<string, unknown> = { version: ANSWERS_VERSION, steps: Object.fromEntries(ask.map((s) => [s.id, {}])) };
  applySetFlags(raw, sets);
  if (!host.interactive) {
    const missing = missingAnswers(raw, ask);
    if (missing.length) {
      throw new MissingAnswerError(
        `no answers file and no terminal to ask on; missing: ${missing.join(', ')}`,
        'Give an answers file with --answers FILE (`aws-groundwork answers > answers.yaml` writes a template), ' +
          `or each answer as a flag, e.g. --set ${missing[0]}=VALUE.`,
      );
    }
    return { answers: validateAnswers(raw, steps, 'the flags'), source: 'flags' };
  }
  for (const step of ask) {
    const section = (raw.steps as Record<string, Record<string, unknown>>)[step.id] as Record<string, unknown>;
    for (const [key, field] of Object.entries(step.answers.fields)) {
      // Lists, and optional answers that are derived when absent (bucket names), are for the answers
      // file and --set; the wizard asks only what every founder must decide.
      if (section[key] !== undefined || field.kind === 'list' || field.kind === 'object' || field.optional) continue;
      if (step.destructiveOptIn === key) continue; // asked as a typed confirmation when it matters
      const path = `steps.${step.id}.${key}`;
      const text = await host.request({
        kind: 'input',
        code: `GW_ASK_${step.id}.${key}`,
        message: `${step.title}: ${field.prompt ?? field.description}`,
        howToAnswer: `Give ${path} in an answers file (--answers FILE) or as --set ${path}=VALUE.`,
        ...(field.default !== undefined ? { default: String(field.default) } : {}),
        validate: (t: string) => {
          const r = parseScalar(field, t);
          return 'problem' in r ? `${path} ${r.problem}` : undefined;
        },
      });
      const parsed = parseScalar(field, text);
      if ('problem' in parsed) throw new UsageError(`${path}: ${parsed.problem}`);
      section[key] = parsed.value;
    }
  }
  return { answers: validateAnswers(raw, steps, 'your answers'), source: 'prompts' };
}

function missingAnswers(raw: Record<string, unknown>, steps: readonly Step[]): string[] {
  const out: string[] = [];
  const sections = raw.steps as Record<string, Record<string, unknown>>;
  for (const step of steps) {
    for (const [key, field] of Object.entries(step.answers.fields)) {
      if (field.default === undefined && !field.optional && sections[step.id]?.[key] === undefined) {
        out.push(`steps.${step.id}.${key}`);
      }
    }
  }
  return out;
}
