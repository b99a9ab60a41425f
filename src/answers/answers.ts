import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { parseDocument, YAMLParseError } from 'yaml';
import { shellWord } from '../args.js';
import type { Step } from '../kit/step.js';
import { InvalidAnswersError, MissingAnswerError, UsageError } from '../errors.js';
import type { IoHost } from '../io/host.js';
import {
  parseScalar,
  runRules,
  string,
  typeOf,
  validate,
  type ListSchema,
  type PendingRule,
  type RuleContext,
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
  try {
    return doc.toJS();
  } catch (err) {
    // Alias bombs and dangling aliases fail here, not in parsing: still bad input, still exit 2.
    throw new InvalidAnswersError(source, [{ path: '', message: `is not usable YAML or JSON: ${(err as Error).message}` }]);
  }
}

export async function readAnswersFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw answersFileError(path, err as NodeJS.ErrnoException);
  }
  return parseAnswersText(text, path);
}

/** Why the answers file cannot be read, in words, with the way out; never the bare errno code. */
function answersFileError(path: string, err: NodeJS.ErrnoException): UsageError {
  const where = isAbsolute(path) ? '' : ` (looked in ${process.cwd()})`;
  switch (err.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new UsageError(
        `the answers file ${path} does not exist${where}`,
        existsSync(dirname(path))
          ? `\`aws-groundwork answers ${shellWord(path)}\` writes a commented template there to fill in.`
          : `There is no folder ${dirname(path)}; \`aws-groundwork answers > answers.yaml\` writes a commented template to fill in.`,
      );
    case 'EISDIR':
      return new UsageError(`the answers file ${path} is a folder, not a file${where}`, 'Give --answers the YAML or JSON file inside it.');
    case 'EACCES':
    case 'EPERM':
      return new UsageError(`the answers file ${path} cannot be read: permission denied${where}`, 'Make it readable for this user.');
    default:
      return new UsageError(`the answers file ${path} cannot be read: ${err.message ?? String(err)}`);
  }
}

/**
 * Validates a whole answers document against the registered steps. Every problem is reported with its
 * field path, rules across answers (two accounts with one email) included; nothing here talks to AWS.
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
    issues.push({
      path: 'version',
      message: `must be ${ANSWERS_VERSION}, not ${typeof doc.version === 'object' ? typeOf(doc.version) : JSON.stringify(doc.version)}`,
    });
  }
  const region = validate(regionSchema, doc.region, 'region', issues) as string | undefined;
  const out: Answers = { version: 1, steps: {}, ...(region ? { region } : {}) };
  const rawSteps = doc.steps ?? {};
  if (rawSteps === null || typeof rawSteps !== 'object' || Array.isArray(rawSteps)) {
    issues.push({ path: 'steps', message: `must be a mapping of step ids, not ${typeOf(rawSteps)}` });
  } else {
    validateSteps(rawSteps as Record<string, unknown>, steps, out, issues);
  }
  if (issues.length) throw new InvalidAnswersError(source, issues);
  return out;
}

function validateSteps(rawSteps: Record<string, unknown>, steps: readonly Step[], out: Answers, issues: SchemaIssue[]): void {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const pending: PendingRule[] = [];
  // What rules across steps may rely on: the steps whose own answers are valid.
  const valid: Record<string, Record<string, unknown>> = {};
  for (const [id, value] of Object.entries(rawSteps)) {
    const step = byId.get(id);
    if (!step) {
      issues.push({ path: `steps.${id}`, message: `is not a step (known: ${[...byId.keys()].join(', ')})` });
      continue;
    }
    if (value === false) {
      out.steps[id] = false;
      continue;
    }
    const before = issues.length;
    // `account-alias:` with nothing after it reads as null: take it as "run with the defaults".
    const section = validate(step.answers, value ?? {}, `steps.${id}`, issues, pending) as Record<string, unknown>;
    out.steps[id] = section;
    if (issues.length === before) valid[id] = section;
  }
  runRules(pending, valid, issues);
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
  const parsed = schema.kind === 'list' ? parseList(schema, valueText) : parseScalar(schema, valueText);
  if ('problem' in parsed) throw new UsageError(`--set ${path}: ${parsed.problem}`);
  return { path, value: parsed.value };
}

/**
 * A list of names as a person types it, at a prompt or to `--set`: comma-separated (`alice, bob`),
 * empty for none, each name checked by the item's own rules. Lists of mappings (member accounts) have
 * their own questions in the wizard and go in an answers file otherwise.
 */
export function parseList(schema: ListSchema, text: string): { value: unknown[] } | { problem: string } {
  if (schema.items.kind === 'list' || schema.items.kind === 'object') {
    return { problem: `is a list of ${schema.items.description}s; give it in an answers file` };
  }
  const value: unknown[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const parsed = parseScalar(schema.items, part);
    if ('problem' in parsed) return { problem: `has "${part}", which ${parsed.problem}` };
    value.push(parsed.value);
  }
  return { value };
}

/** What is wrong with a whole list answer, its rules included (seeing the answers given so far), as lines. */
export function listProblems(schema: ListSchema, value: unknown, path: string, steps: RuleContext['steps']): string[] {
  const issues: SchemaIssue[] = [];
  const pending: PendingRule[] = [];
  validate(schema, value, path, issues, pending);
  runRules(pending, steps, issues);
  return issues.map((i) => `${i.path} ${i.message}`);
}

function schemaAt(path: string, steps: readonly Step[]): Schema | undefined {
  if (path === 'region') return regionSchema;
  const [head, stepId, ...keys] = path.split('.');
  let schema: Schema | undefined = head === 'steps' ? steps.find((s) => s.id === stepId)?.answers : undefined;
  for (const key of keys) schema = schema?.kind === 'object' ? schema.fields[key] : undefined;
  return keys.length ? schema : undefined;
}

/** Puts `--set` values into a raw answers document (they win over the file). */
export function applySetFlags(raw: Record<string, unknown>, sets: SetFlag[]): void {
  for (const { path, value } of sets) {
    if (path === 'region') {
      raw.region = value;
      continue;
    }
    const [, stepId, ...keys] = path.split('.') as [string, string, ...string[]];
    let node = (raw.steps ??= {}) as Record<string, unknown>;
    for (const key of [stepId, ...keys.slice(0, -1)]) {
      const next = node[key];
      node = node[key] = (next && typeof next === 'object' ? next : {}) as Record<string, unknown>;
    }
    node[keys.at(-1) as string] = value;
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
  /** Defaults read from the live account, per step (the current alias, contact, ...), for the questions. */
  suggested?: Record<string, Record<string, unknown>>;
  /**
   * Answers the wizard settled before the step questions, per step (admin-group's users, once people
   * sign in through Identity Center): not asked again, and `--set` still wins over them.
   */
  preset?: Record<string, Record<string, unknown>>;
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
  const raw: Record<string, unknown> = {
    version: ANSWERS_VERSION,
    steps: Object.fromEntries(ask.map((s) => [s.id, { ...opts.preset?.[s.id] }])),
  };
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
  // What rules across steps see at a prompt: the steps answered so far, defaults filled; and the step
  // being asked as far as it is answered, so a list's questions can use an answer asked before it in
  // the same step (Identity Center's founder goes in the admins group as just named). No rule reads
  // its own step from here: a section's own rules see the section itself.
  const sofar: Record<string, Record<string, unknown>> = {};
  for (const step of ask) {
    const section = (raw.steps as Record<string, Record<string, unknown>>)[step.id] as Record<string, unknown>;
    const asking: Asking = { host, step, steps: { ...sofar, [step.id]: section } };
    await askFields(asking, step.answers.fields, section, `steps.${step.id}`, opts.suggested?.[step.id] as Record<string, unknown>);
    const issues: SchemaIssue[] = [];
    const valid = validate(step.answers, section, `steps.${step.id}`, issues) as Record<string, unknown>;
    if (issues.length === 0) sofar[step.id] = valid;
  }
  return { answers: validateAnswers(raw, steps, 'your answers'), source: 'prompts' };
}

interface Asking {
  host: IoHost;
  step: Step;
  steps: RuleContext['steps'];
}

/**
 * Asks, one question each, the answers of a section that nothing gave yet, descending into required
 * sub-sections (a contact's name, email, ...). A list is asked with its own questions when its schema
 * has them (member accounts, admin users); a list of names otherwise only when its default does not
 * hold with the answers given so far (the MFA groups once the admin group is renamed). Optional answers
 * derived when absent (bucket names), `advanced` defaults (Identity Center's group names) and opt-ins
 * are for the answers file and --set: the wizard asks only what a founder must decide.
 */
async function askFields(
  asking: Asking,
  fields: Record<string, Schema>,
  section: Record<string, unknown>,
  path: string,
  suggested: Record<string, unknown> | undefined,
): Promise<void> {
  for (const [key, field] of Object.entries(fields)) {
    const here = `${path}.${key}`;
    if (field.kind === 'object') {
      if (field.optional && section[key] === undefined) continue;
      const sub = (section[key] ??= {}) as Record<string, unknown>;
      await askFields(asking, field.fields, sub, here, suggested?.[key] as Record<string, unknown> | undefined);
      continue;
    }
    if (section[key] !== undefined || field.optional || field.advanced) continue;
    if (field.kind === 'boolean' && field.optIn) continue;
    if (field.kind === 'list') {
      const value = await askList(asking, field, here, suggested?.[key]);
      if (value !== undefined) section[key] = value;
      continue;
    }
    section[key] = await askScalar(asking, field, here, suggested?.[key]);
  }
}

async function askScalar(asking: Asking, field: Schema, here: string, suggested: unknown): Promise<unknown> {
  const text = await asking.host.request({
    kind: 'input',
    code: `GW_ASK_${here.slice('steps.'.length)}`,
    message: `${asking.step.title}: ${field.prompt ?? field.description}`,
    howToAnswer: `Give ${here} in an answers file (--answers FILE) or as --set ${here}=VALUE.`,
    ...((suggested ?? field.default) !== undefined ? { default: String(suggested ?? field.default) } : {}),
    validate: (t: string) => {
      const r = parseScalar(field, t);
      return 'problem' in r ? `${here} ${r.problem}` : undefined;
    },
  });
  const parsed = parseScalar(field, text);
  if ('problem' in parsed) throw new UsageError(`${here}: ${parsed.problem}`);
  return parsed.value;
}

/**
 * A list answer: its own questions, asked again (after saying why) until the list holds with every
 * rule of the answers file; or, for a list of names, one comma-separated question when needed.
 * `undefined` leaves the default.
 */
async function askList(asking: Asking, field: ListSchema, here: string, suggested: unknown): Promise<unknown[] | undefined> {
  const { host, steps } = asking;
  if (field.ask) {
    for (;;) {
      const value = await field.ask(host, { path: here, steps, suggested });
      const problems = listProblems(field, value, here, steps);
      if (problems.length === 0) return value;
      host.notify({ code: 'GW_ASK_AGAIN', level: 'warn', text: `These answers do not hold:\n${problems.map((p) => `  ${p}`).join('\n')}` });
    }
  }
  const start = Array.isArray(suggested) ? suggested : field.default;
  if (listProblems(field, start, here, steps).length === 0) return Array.isArray(suggested) ? suggested : undefined;
  const text = await host.request({
    kind: 'input',
    code: `GW_ASK_${here.slice('steps.'.length)}`,
    message: `${asking.step.title}: ${field.prompt ?? field.description} (comma-separated)`,
    howToAnswer: `Give ${here} in an answers file (--answers FILE) or as --set ${here}=NAME,NAME.`,
    ...(Array.isArray(start) ? { default: start.join(', ') } : {}),
    validate: (t: string) => {
      const r = parseList(field, t);
      return 'problem' in r ? `${here} ${r.problem}` : listProblems(field, r.value, here, steps)[0];
    },
  });
  const parsed = parseList(field, text);
  if ('problem' in parsed) throw new UsageError(`${here}: ${parsed.problem}`);
  return parsed.value;
}

/** Required answers (with no default) that nothing gave, as paths; required sub-sections included. */
function missingAnswers(raw: Record<string, unknown>, steps: readonly Step[]): string[] {
  const out: string[] = [];
  const walk = (fields: Record<string, Schema>, given: Record<string, unknown> | undefined, path: string) => {
    for (const [key, field] of Object.entries(fields)) {
      const value = given?.[key];
      if (field.kind === 'object') {
        if (!field.optional || value !== undefined) walk(field.fields, value as Record<string, unknown> | undefined, `${path}.${key}`);
      } else if (field.default === undefined && !field.optional && value === undefined) {
        out.push(`${path}.${key}`);
      }
    }
  };
  const sections = raw.steps as Record<string, Record<string, unknown>>;
  for (const step of steps) walk(step.answers.fields, sections[step.id], `steps.${step.id}`);
  return out;
}
