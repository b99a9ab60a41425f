import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Step } from '../kit/step.js';
import { renderTemplate } from '../templates.js';
import { packageVersion } from '../package-info.js';
import type { Schema } from './schema.js';
import { ANSWERS_VERSION, regionSchema, type Answers } from './answers.js';
import { answersSchemaModeline } from './json-schema.js';
import { UsageError } from '../errors.js';

/** The commented template `aws-groundwork answers` prints: every answer, its meaning and its default. */
export function answersTemplate(steps: readonly Step[]): string {
  const blocks = steps.map((step) => {
    const lines = [`  # ${step.title}: ${step.description}`, `  ${step.id}:`];
    const fields = Object.entries(step.answers.fields);
    if (fields.length === 0) lines[1] += ' {}';
    for (const [key, field] of fields) lines.push(...fieldLines(key, field, 4));
    return lines.join('\n');
  });
  const text = renderTemplate('answers.yaml', {
    toolVersion: packageVersion(),
    version: String(ANSWERS_VERSION),
    regionDescription: regionSchema.description,
    regionExample: String(regionSchema.example),
    steps: blocks.join('\n'),
  });
  // The first line points editors (yaml-language-server) to the JSON Schema of this very version.
  return `${answersSchemaModeline()}\n${text}`;
}

function fieldLines(key: string, field: Schema, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines = [`${pad}# ${field.description}${fieldNote(field)}`];
  if (field.kind === 'object') {
    if (field.optional) {
      // An optional section stays commented out, showing its shape.
      lines.push(`${pad}# ${key}:`);
      for (const [k, f] of Object.entries(field.fields)) lines.push(`${pad}#   ${k}: ${yamlScalar(templateValue(f))}`);
    } else {
      lines.push(`${pad}${key}:`);
      for (const [k, f] of Object.entries(field.fields)) lines.push(...fieldLines(k, f, indent + 2));
    }
    return lines;
  }
  if (field.kind === 'list' && field.templateItems?.length) {
    // One entry a line, each for a person to edit.
    lines.push(`${pad}${key}:`, ...field.templateItems.map((item) => `${pad}  - ${yamlScalar(item)}`));
    return lines;
  }
  const value = templateValue(field);
  // An optional answer without a default stays commented out: absent means "derive it".
  lines.push(value === undefined && field.optional ? `${pad}# ${key}:` : `${pad}${key}: ${yamlScalar(value)}`);
  return lines;
}

/**
 * The value the template shows: the default, else the placeholder of an answer only a person can
 * choose (never a made-up value that would pass), else the example of an optional one.
 */
function templateValue(field: Schema): unknown {
  if (field.default !== undefined) return field.default;
  if ((field.kind === 'string' || field.kind === 'integer') && field.placeholder) return field.placeholder.text;
  return field.example;
}

function fieldNote(field: Schema): string {
  if (field.kind === 'list' && field.templateItems?.length) return ' (replace each <...>, or write [] for none)';
  if (field.default !== undefined) return '';
  if (field.optional) return ' (optional)';
  return ' (required)';
}

/** One line of YAML: lists and mappings in flow style (`[Admins]`), so they sit after their key. */
function yamlScalar(v: unknown): string {
  if (v !== null && typeof v === 'object') return stringify(v, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
  return stringify(v ?? null).trimEnd();
}

/**
 * Writes the answers a run used. Answers hold no secrets by construction (the schema has no such
 * field). An existing file is replaced only when `overwrite` says the person agreed.
 */
export async function saveAnswers(path: string, answers: Answers, overwrite = false): Promise<void> {
  const header = `# aws-groundwork answers, saved by aws-groundwork ${packageVersion()}.\n# Replay: npx aws-groundwork apply --answers ${path}\n`;
  try {
    await writeFile(path, header + stringify(answers), { encoding: 'utf8', mode: 0o644, flag: overwrite ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${path} already exists and was left as it is`, 'Give --save-answers a new file name.');
    throw new UsageError(`cannot write ${path}: ${code ?? String(err)}`);
  }
}
