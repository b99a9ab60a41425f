import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Args } from '../args.js';
import { ANSWERS_VERSION, validateAnswers } from '../answers/answers.js';
import type { ObjectSchema, Schema } from '../answers/schema.js';
import type { AwsSession } from '../aws/session.js';
import { InvalidAnswersError, UsageError } from '../errors.js';
import { contextFor, managementAccount, type RunOptions } from '../engine/runner.js';
import type { IoHost } from '../io/host.js';
import { withSpinner } from '../io/spinner.js';
import type { Step, Suggestion } from '../kit/step.js';
import { packageVersion } from '../package-info.js';
import { REGISTRY } from '../registry.js';
import type { Outcome } from './outcome.js';
import { chooseSteps, introduce, openSession, type RunDeps } from './run-context.js';

/** One step's part of the file: what the account shows, and the required answers it does not. */
interface Section {
  step: Step;
  read: Suggestion;
  /** Required answers the account does not show (a contact that was never set): placeholders to fill in. */
  missing: string[];
}

/**
 * `answers --from-account [FILE]`: the answers the live account stands at, written so that a plan
 * with them changes nothing where the account meets the controls and makes exactly the fixes where
 * it does not. Read-only: every read goes through the plan-mode guard, which refuses any write.
 */
export async function answersFromAccount(args: Args, host: IoHost, deps: RunDeps): Promise<Outcome> {
  const steps = chooseSteps(args);
  // Refused before any AWS call: an existing file is never replaced, as with --save-answers.
  if (args.target && existsSync(args.target)) throw alreadyThere(args.target);
  const session = await openSession(args, host, deps, undefined);
  await introduce(session, host, undefined);
  const sections = await readSections(session, host, steps, deps);
  checkSections(sections, session.region);
  const caller = await session.caller();
  const text = renderAnswers(sections, session.region, caller.accountId);
  if (args.target) await writeNew(args.target, text);
  else host.result(text);
  report(args.target, sections, host);
  return 'ok';
}

const alreadyThere = (file: string) =>
  new UsageError(`${file} already exists; it was left as it is`, 'Choose another file name or remove it first.');

async function writeNew(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text, { encoding: 'utf8', mode: 0o644, flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw alreadyThere(file);
    throw new UsageError(`cannot write ${file}: ${code ?? String(err)}`);
  }
}

/** Each step's `suggest`, in the management account, with clients that can only read. */
async function readSections(session: AwsSession, host: IoHost, steps: Step[], deps: RunDeps): Promise<Section[]> {
  const management = await managementAccount(session);
  const run: RunOptions = { host, session, steps, answers: { version: 1, steps: {} }, ...(deps.onSend ? { onSend: deps.onSend } : {}) };
  const sections: Section[] = [];
  for (const step of steps) {
    const read: Suggestion = step.suggest
      ? await withSpinner(host, `Reading ${step.title.toLowerCase()}`, async () =>
          (step.suggest as NonNullable<Step['suggest']>)(await contextFor(run, { step, account: management }, 'plan')),
        )
      : {};
    sections.push({ step, read, missing: missingAnswers(step.answers, read.defaults ?? {}, `steps.${step.id}`) });
  }
  return sections;
}

/** Required answers (no default) that the read left out, as paths; required sub-sections included. */
function missingAnswers(schema: ObjectSchema, given: Record<string, unknown> | undefined, path: string): string[] {
  return Object.entries(schema.fields).flatMap(([key, field]) => {
    const value = given?.[key];
    if (field.kind === 'object') {
      if (field.optional && value === undefined) return [];
      return missingAnswers(field, value as Record<string, unknown> | undefined, `${path}.${key}`);
    }
    return value === undefined && field.default === undefined && !field.optional ? [`${path}.${key}`] : [];
  });
}

/**
 * The complete sections must pass the answers schema as written, rules across steps included; one
 * that does not is this tool's mistake, not the person's, so it is an error (exit 1), not exit 2.
 */
function checkSections(sections: Section[], region: string): void {
  const complete = sections.filter((s) => s.missing.length === 0);
  const doc = { version: ANSWERS_VERSION, region, steps: Object.fromEntries(complete.map((s) => [s.step.id, s.read.defaults ?? {}])) };
  try {
    validateAnswers(doc, REGISTRY, 'the answers read from the account');
  } catch (err) {
    if (!(err instanceof InvalidAnswersError)) throw err;
    throw new Error(`the answers read from the account do not pass the answers schema (a defect in aws-groundwork):\n${err.message}`);
  }
}

function renderAnswers(sections: Section[], region: string, accountId: string): string {
  const header = [
    `# aws-groundwork answers, read from account ${accountId} (${region}) by aws-groundwork ${packageVersion()}.`,
    '#',
    '# Each answer is what the account has now, except where that falls short of a control: there it is',
    "# the control's value, and a comment says what the account has, so that",
    '#   npx aws-groundwork plan --answers FILE',
    '# plans no change where the account meets the controls, and exactly the fixes where it does not.',
    '# Choices the account does not show (opt-ins for destructive changes) are commented out; any <...>',
    '# left is an answer it does not show either, to fill in. Secrets never belong here.',
    `version: ${ANSWERS_VERSION}`,
    `region: ${region}`,
    'steps:',
  ];
  return [...header, ...sections.map(sectionLines)].join('\n') + '\n';
}

function sectionLines({ step, read }: Section): string {
  const defaults = read.defaults ?? {};
  const notes = read.notes ?? {};
  const lines = [`  # ${step.title}: ${step.description}`, ...(notes[''] ?? []).map((n) => `  # ${n}`), `  ${step.id}:`];
  const fields = Object.entries(step.answers.fields);
  if (fields.length === 0) lines[lines.length - 1] += ' {}';
  for (const [key, field] of fields) lines.push(...fieldLines(key, field, defaults[key], notes[key] ?? [], 4));
  return lines.join('\n');
}

/** One answer: its meaning, what the account has where that differs, and the value (or why it is commented out). */
function fieldLines(key: string, field: Schema, value: unknown, notes: string[], indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines = [`${pad}# ${field.description}`, ...notes.map((n) => `${pad}# ${n}`)];
  if (field.kind === 'object') {
    if (value === undefined && field.optional) {
      lines.push(`${pad}# ${key}: (not set here)`);
      return lines;
    }
    lines.push(`${pad}${key}:`);
    const sub = (value ?? {}) as Record<string, unknown>;
    for (const [k, f] of Object.entries(field.fields)) lines.push(...fieldLines(k, f, sub[k], [], indent + 2));
    return lines;
  }
  if (field.kind === 'list' && Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object')) {
    lines.push(`${pad}${key}:`, ...value.map((item) => `${pad}  - ${flow(item)}`));
    return lines;
  }
  if (value !== undefined) lines.push(`${pad}${key}: ${flow(value)}`);
  else if (field.kind === 'boolean' && field.optIn)
    lines.push(`${pad}# ${key}: ${flow(field.default ?? false)}  (a choice the account does not show: set true to allow it)`);
  else if (field.default !== undefined) lines.push(`${pad}${key}: ${flow(field.default)}`);
  else if (field.optional) lines.push(`${pad}# ${key}:`);
  else if (field.kind === 'list' && field.templateItems?.length) lines.push(`${pad}${key}: ${flow(field.templateItems)}`);
  else
    lines.push(
      `${pad}${key}: ${flow((field.kind === 'string' || field.kind === 'integer') && field.placeholder ? field.placeholder.text : null)}`,
    );
  return lines;
}

/** One line of YAML: lists and mappings in flow style, so they sit after their key. */
function flow(v: unknown): string {
  if (v !== null && typeof v === 'object') return stringify(v, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
  return stringify(v ?? null).trimEnd();
}

function report(target: string | undefined, sections: Section[], host: IoHost): void {
  const differ = sections.flatMap((s) => Object.keys(s.read.notes ?? {}).map((k) => (k ? `${s.step.id}.${k}` : s.step.id)));
  const missing = sections.flatMap((s) => s.missing);
  const file = target ?? 'FILE';
  if (target) host.notify({ code: 'GW_ANSWERS_READ', level: 'success', text: `Wrote ${target} from the live account.` });
  if (differ.length) {
    host.notify({
      code: 'GW_ANSWERS_DIFFER',
      level: 'info',
      text: `Where the account falls short, the file has the control's value and a comment: ${differ.join(', ')}.`,
    });
  }
  if (missing.length) {
    host.notify({
      code: 'GW_ANSWERS_TO_FILL_IN',
      level: 'warn',
      text: `The account does not show these answers; put yours where the file says <...>: ${missing.join(', ')}.`,
    });
  }
  host.notify({ code: 'GW_ANSWERS_NEXT', level: 'info', text: `See what a run would change: npx aws-groundwork plan --answers ${file}` });
}
