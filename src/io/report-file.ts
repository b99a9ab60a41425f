import { existsSync, readFileSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { REPORT_HEADING } from './report.js';

/**
 * `--report FILE` is checked before anything reaches AWS: a report replaces only an earlier report
 * (a scheduled check writes the same name every day), never another file, and never the answers file.
 */
export function checkReportPath(path: string, answersFile: string | undefined): void {
  const target = resolve(path);
  if (answersFile && resolve(answersFile) === target) {
    throw new UsageError(
      `--report ${path} is the answers file`,
      'Give the report its own file name, e.g. --report aws-groundwork-report.md.',
    );
  }
  if (!existsSync(dirname(target)) || !statSync(dirname(target)).isDirectory()) {
    throw new UsageError(
      `--report ${path}: the folder ${dirname(path)} does not exist`,
      'Create the folder first, or choose a path in an existing one.',
    );
  }
  if (!existsSync(target)) return;
  if (statSync(target).isDirectory())
    throw new UsageError(`--report ${path} is a folder`, 'Give a file name, e.g. --report aws-groundwork-report.md.');
  const head = readFileSync(target, 'utf8').slice(0, REPORT_HEADING.length);
  if (head !== REPORT_HEADING) {
    throw new UsageError(
      `--report ${path} exists and is not an aws-groundwork report; it would be replaced`,
      'Choose another file name, or move the file away first.',
    );
  }
}

/** Written whole or not at all: a report cut short by Ctrl-C or a full disk must not pass for evidence. */
export async function writeReport(path: string, text: string): Promise<void> {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text.endsWith('\n') ? text : `${text}\n`, { encoding: 'utf8', mode: 0o644, flag: 'wx' });
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
