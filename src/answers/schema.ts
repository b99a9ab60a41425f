/**
 * A small schema language for the answers file. One description per answer drives validation (with
 * field paths), the interactive questions, `--set` flags and the commented template, so the four can
 * never drift apart.
 */

import type { IoHost } from '../io/host.js';

interface BaseSchema<T> {
  /** One line, shown as the template comment and the question's help. */
  description: string;
  /** The question asked interactively; defaults to the description. */
  prompt?: string;
  /** Used when the answer is absent. A field without default (and not optional) is required. */
  default?: T;
  optional?: boolean;
  /** Shown in the template, commented out, for optional answers without a default. */
  example?: T;
  /**
   * A default few people change (a name, a duration, a limit): the wizard leaves it at its default,
   * as it does optional answers, and the file or `--set` changes it.
   */
  advanced?: boolean;
}

/**
 * What a rule found, at a path below the schema's own (`['logBucketName']`, `[1, 'email']`): the
 * issue is reported there, with the other issues of the file.
 */
export interface RuleIssue {
  at: (string | number)[];
  message: string;
}

export interface RuleContext {
  /** The path of the value the rule looks at, e.g. `steps.member-accounts.accounts`, for its messages. */
  path: string;
  /**
   * The validated answers (defaults filled) of the steps in the file that have no issue of their own:
   * what a rule across steps may rely on. A step that is absent, `false` or invalid is not there.
   */
  steps: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * A rule across answers (two accounts with one email, a bucket logging to itself): what field rules
 * cannot see. It runs only once the value it looks at is valid in itself, so it may rely on its shape.
 */
export type Rule<T> = {
  // A method's parameters are bivariant: a schema with rules for its own fields is still a `Schema`.
  rule(value: T, context: RuleContext): RuleIssue[];
}['rule'];

export interface StringSchema extends BaseSchema<string> {
  kind: 'string';
  pattern?: RegExp;
  /** Said when the pattern does not match: `must be ...`. */
  patternHint?: string;
  minLength?: number;
  maxLength?: number;
  /** Extra rule; returns the problem (`must ...`) or undefined. */
  check?: (value: string) => string | undefined;
  /**
   * For an answer only a person can choose (an alias, a contact): what the template writes instead,
   * with `<...>` where their value goes (`security@<your-domain>`), what to `put` there and an example
   * (`eg`). A value that still holds a `<...>` part is refused, so an unedited template never runs
   * with made-up values.
   */
  placeholder?: { text: string; put: string; eg?: string };
}

export interface IntegerSchema extends BaseSchema<number> {
  kind: 'integer';
  min: number;
  max: number;
  /** Explains the lower bound when it comes from a control, e.g. `(CIS 1.7)`. */
  minReason?: string;
  /** As a string's: an amount only a person can choose (a budget), written as `<...>` in the template and refused until replaced. */
  placeholder?: { text: string; put: string; eg?: string };
}

export interface BooleanSchema extends BaseSchema<boolean> {
  kind: 'boolean';
  /**
   * Opts in to destructive changes without a terminal. Never asked up front: at a terminal the
   * change itself asks for a typed confirmation when it comes up.
   */
  optIn?: boolean;
}

/**
 * The wizard's own questions for a list, which has no one-line question: member accounts by
 * environment, admin users as a choice. What it returns is validated like the file.
 */
export interface ListQuestions {
  /** The list's path, e.g. `steps.admin-group.users`, for messages and request codes. */
  path: string;
  /** The answers given so far (defaults filled), by step id: what an earlier question decided. */
  steps: RuleContext['steps'];
  /** What the live account has for this answer (from the step's `suggest`), if it was read. */
  suggested: unknown;
}

export interface ListSchema<I extends Schema = Schema> extends BaseSchema<Infer<I>[]> {
  kind: 'list';
  items: I;
  ask?: (host: IoHost, questions: ListQuestions) => Promise<Infer<I>[]>;
  /** Entries the template writes instead of the default, for a person to edit (their fields hold placeholders). */
  templateItems?: Infer<I>[];
  rules?: Rule<Infer<I>[]>[];
}

export interface ObjectSchema<F extends Record<string, Schema> = Record<string, Schema>> {
  kind: 'object';
  description: string;
  fields: F;
  optional?: boolean;
  rules?: Rule<Fields<F>>[];
  default?: undefined;
  prompt?: undefined;
  example?: undefined;
}

export type Schema = StringSchema | IntegerSchema | BooleanSchema | ListSchema | ObjectSchema;

/** The value a schema describes once validated: defaults are filled, so only `optional` may be absent. */
export type Infer<S> = S extends StringSchema
  ? string
  : S extends IntegerSchema
    ? number
    : S extends BooleanSchema
      ? boolean
      : S extends ListSchema<infer I>
        ? Infer<I>[]
        : S extends ObjectSchema<infer F>
          ? Fields<F>
          : never;

/** An answer marked `optional: true` (and without default) may be absent once validated; the others are there. */
type OptionalKeys<F> = { [K in keyof F]: F[K] extends { optional: true } ? K : never }[keyof F];
type Fields<F> = { [K in Exclude<keyof F, OptionalKeys<F>>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> } extends infer O
  ? { [K in keyof O]: O[K] }
  : never;

/** What a builder returns: the schema, and whether it is optional, as a type `Infer` can see. */
type Marked<S, O> = S & (O extends { optional: true } ? { optional: true } : unknown);

export const string = <O extends Omit<StringSchema, 'kind'>>(o: O): Marked<StringSchema, O> =>
  ({ kind: 'string', ...o }) as Marked<StringSchema, O>;
export const integer = <O extends Omit<IntegerSchema, 'kind'>>(o: O): Marked<IntegerSchema, O> =>
  ({ kind: 'integer', ...o }) as Marked<IntegerSchema, O>;
export const boolean = <O extends Omit<BooleanSchema, 'kind'>>(o: O): Marked<BooleanSchema, O> =>
  ({ kind: 'boolean', ...o }) as Marked<BooleanSchema, O>;
export const list = <I extends Schema>(items: I, o: Omit<ListSchema<I>, 'kind' | 'items'>): ListSchema<I> =>
  ({ kind: 'list', items, ...o }) as ListSchema<I>;
export const object = <F extends Record<string, Schema>, O extends { description: string; optional?: boolean; rules?: Rule<Fields<F>>[] }>(
  fields: F,
  o: O,
): Marked<ObjectSchema<F>, O> => ({ kind: 'object', fields, ...o }) as Marked<ObjectSchema<F>, O>;

/**
 * A list rule: no two entries with the same key (entries without one are left alone). The later
 * entry is blamed, at `field` when given, and the message names the earlier one and says `why`.
 */
export function unique<T>(o: { key: (item: T) => string | undefined; field?: string; what: string; why: string }): Rule<T[]> {
  return (items, { path }) => {
    const first = new Map<string, number>();
    const out: RuleIssue[] = [];
    items.forEach((item, i) => {
      const key = o.key(item);
      if (key === undefined) return;
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, i);
      else {
        const there = `${path}[${earlier}]${o.field ? `.${o.field}` : ''}`;
        out.push({ at: o.field ? [i, o.field] : [i], message: `repeats ${o.what} of ${there}: ${o.why}` });
      }
    });
    return out;
  };
}

export interface SchemaIssue {
  /** Dotted path into the answers file, e.g. `steps.account-alias.alias`. */
  path: string;
  message: string;
}

export function describeType(schema: Schema): string {
  switch (schema.kind) {
    case 'string':
      return 'a string';
    case 'integer':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'list':
      return 'a list';
    case 'object':
      return 'a mapping';
  }
}

export function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a number' : 'a decimal number';
  return `a ${typeof value}`;
}

const joinPath = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

/** A rule waiting for the whole file: rules across steps need every step's answers. */
export interface PendingRule {
  rule: Rule<never>;
  value: unknown;
  path: string;
}

/**
 * Validates `value` against `schema` and fills defaults. Returns every issue found, each with its
 * path, so one run tells the user all that is wrong with the file. The rules of lists and mappings
 * that are valid in themselves go to `pending`, for `runRules` once the whole file is read; without
 * `pending` they run at once, seeing no other step.
 */
export function validate(schema: Schema, value: unknown, path: string, issues: SchemaIssue[], pending?: PendingRule[]): unknown {
  if (pending === undefined) {
    const mine: PendingRule[] = [];
    const out = validate(schema, value, path, issues, mine);
    runRules(mine, {}, issues);
    return out;
  }
  if (value === undefined) {
    if (schema.default !== undefined) return validate(schema, structuredClone(schema.default), path, issues, pending);
    if (schema.kind === 'object' && !schema.optional) return validate(schema, {}, path, issues, pending);
    if (!schema.optional) issues.push({ path, message: `is required (${schema.description})` });
    return undefined;
  }
  const before = issues.length;
  const out = validateValue(schema, value, path, issues, pending);
  const rules = schema.kind === 'list' || schema.kind === 'object' ? (schema.rules ?? []) : [];
  // A rule relies on the shape of what it looks at: it runs only when that is valid.
  if (issues.length === before) for (const rule of rules) pending.push({ rule: rule as Rule<never>, value: out, path });
  return out;
}

/** Runs the pending rules, each seeing the answers of the valid steps, and adds what they find. */
export function runRules(pending: PendingRule[], steps: RuleContext['steps'], issues: SchemaIssue[]): void {
  for (const { rule, value, path } of pending) {
    for (const found of (rule as Rule<unknown>)(value, { path, steps })) {
      issues.push({ path: found.at.reduce<string>(joinPath, path), message: found.message });
    }
  }
}

function validateValue(schema: Schema, value: unknown, path: string, issues: SchemaIssue[], pending: PendingRule[]): unknown {
  switch (schema.kind) {
    case 'string': {
      if (typeof value !== 'string') return wrongType(schema, value, path, issues);
      const problem = checkString(schema, value);
      if (problem) issues.push({ path, message: problem });
      return value;
    }
    case 'integer': {
      if (typeof value === 'string' && schema.placeholder && PLACEHOLDER.test(value)) {
        issues.push({ path, message: placeholderProblem(schema.placeholder) });
        return value;
      }
      if (typeof value !== 'number' || !Number.isInteger(value)) return wrongType(schema, value, path, issues);
      const problem = checkInteger(schema, value);
      if (problem) issues.push({ path, message: problem });
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return wrongType(schema, value, path, issues);
      return value;
    case 'list': {
      if (!Array.isArray(value)) return wrongType(schema, value, path, issues);
      return value.map((item, i) => validate(schema.items, item, joinPath(path, i), issues, pending));
    }
    case 'object':
      return validateObject(schema, value, path, issues, pending);
  }
}

function validateObject(schema: ObjectSchema, value: unknown, path: string, issues: SchemaIssue[], pending: PendingRule[]): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return wrongType(schema, value, path, issues);
  const input = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(schema.fields, key)) {
      const known = Object.keys(schema.fields);
      issues.push({
        path: joinPath(path, key),
        message: known.length
          ? `is not a known answer here (known: ${known.join(', ')})`
          : 'is not a known answer here (this section takes no answers)',
      });
    }
  }
  for (const [key, field] of Object.entries(schema.fields)) {
    const v = validate(field, input[key], joinPath(path, key), issues, pending);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function wrongType(schema: Schema, value: unknown, path: string, issues: SchemaIssue[]): undefined {
  issues.push({ path, message: `must be ${describeType(schema)}, not ${typeOf(value)}` });
  return undefined;
}

/** A `<...>` part: how the template marks where a person's own value goes. */
export const PLACEHOLDER = /<[^<>]*>/;

function placeholderProblem({ put, eg }: { put: string; eg?: string }): string {
  return `is still the template's placeholder: put ${put} there${eg ? ` (e.g. ${eg})` : ''}`;
}

export function checkString(schema: StringSchema, value: string): string | undefined {
  if (/\p{Cc}/u.test(value)) return 'must not contain control characters (escape codes, tabs, line breaks)';
  if (schema.placeholder && PLACEHOLDER.test(value)) return placeholderProblem(schema.placeholder);
  if (schema.minLength !== undefined && value.length < schema.minLength) {
    return `must be at least ${schema.minLength} characters long`;
  }
  if (schema.maxLength !== undefined && value.length > schema.maxLength) {
    return `must be at most ${schema.maxLength} characters long`;
  }
  if (schema.pattern && !schema.pattern.test(value)) {
    return schema.patternHint ? `must be ${schema.patternHint}` : `must match ${schema.pattern.source}`;
  }
  return schema.check?.(value);
}

export function checkInteger(schema: IntegerSchema, value: number): string | undefined {
  if (value < schema.min) return `must be at least ${schema.min}${schema.minReason ? ` ${schema.minReason}` : ''}`;
  if (value > schema.max) return `must be at most ${schema.max}`;
  return undefined;
}

/** Parses the text a person typed (a prompt or `--set`) into the schema's type, or says what is wrong. */
export function parseScalar(schema: Schema, text: string): { value: unknown } | { problem: string } {
  switch (schema.kind) {
    case 'string': {
      const problem = checkString(schema, text);
      return problem ? { problem } : { value: text };
    }
    case 'integer': {
      if (!/^-?\d+$/.test(text.trim())) return { problem: 'must be a whole number' };
      const n = Number(text.trim());
      const problem = checkInteger(schema, n);
      return problem ? { problem } : { value: n };
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (['true', 'yes', 'y'].includes(t)) return { value: true };
      if (['false', 'no', 'n'].includes(t)) return { value: false };
      return { problem: 'must be true or false' };
    }
    default:
      return { problem: `is ${describeType(schema)}; give it in an answers file` };
  }
}
