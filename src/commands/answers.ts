import { writeFile } from 'node:fs/promises';
import type { Args } from '../args.js';
import { answersTemplate } from '../answers/template.js';
import { UsageError } from '../errors.js';
import type { IoHost } from '../io/host.js';
import type { Outcome } from './outcome.js';
import { chooseSteps, type RunDeps } from './run-context.js';

/**
 * Writes the commented template, or with --from-account the answers read from the live account: to
 * stdout, or to a new file (an existing file is never overwritten).
 */
export async function answersCommand(args: Args, host: IoHost, deps?: RunDeps): Promise<Outcome> {
  if (args.fromAccount) return (await import('./answers-from-account.js')).answersFromAccount(args, host, deps ?? { env: process.env });
  const text = answersTemplate(chooseSteps(args));
  if (!args.target) {
    host.result(text);
    return 'ok';
  }
  try {
    await writeFile(args.target, text, { flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new UsageError(`${args.target} already exists; it was left as it is`, 'Choose another file name or remove it first.');
    throw new UsageError(`cannot write ${args.target}: ${code ?? String(err)}`);
  }
  host.notify({
    code: 'GW_TEMPLATE_WRITTEN',
    level: 'success',
    text: `Wrote ${args.target}. Fill it in, then: npx aws-groundwork plan --answers ${args.target}`,
  });
  return 'ok';
}
