import type { Args } from '../args.js';
import { handoffs } from '../engine/runner.js';
import { UsageError } from '../errors.js';
import type { IoHost } from '../io/host.js';
import { REGISTRY } from '../registry.js';
import type { Outcome } from './outcome.js';
import { prepareRun, type RunDeps } from './run-context.js';

/**
 * A step's handoff on its own (`sso-config`: the access portal and the `~/.aws/config` block), read
 * with the answers apply used, in a read-only session. Only the block goes to stdout, so it can be
 * appended to a file; without one to give, the reason goes to stderr and the exit code is 1.
 */
export async function handoffCommand(args: Args, host: IoHost, deps: RunDeps): Promise<Outcome> {
  const step = REGISTRY.find((s) => s.handoff?.command === args.command);
  if (!step) throw new UsageError(`unknown command "${args.command}"`);
  if (!args.answers) {
    throw new UsageError(
      `${args.command} needs --answers FILE`,
      `Give it the answers file apply used: it names the groups, permission sets and region of ${step.id}.`,
    );
  }
  const prepared = await prepareRun({ ...args, only: [step.id], skip: [] }, host, deps);
  try {
    const [given] = await handoffs(prepared.run, prepared.steps);
    if (!given) {
      host.notify({
        code: 'GW_NOTHING_TO_HAND_OVER',
        level: 'error',
        text: `${step.id} has nothing to hand over yet: run \`aws-groundwork verify\` to see why.`,
      });
      return 'step-failed';
    }
    host.notify({ code: 'GW_HANDOFF', level: 'info', text: given.intro });
    host.result(given.body.replace(/^\n/, ''));
    return 'ok';
  } finally {
    prepared.run.session.close();
  }
}
