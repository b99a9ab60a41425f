import type { Args } from '../args.js';
import { planAll } from '../engine/runner.js';
import type { IoHost } from '../io/host.js';
import { renderPlan } from '../io/render.js';
import type { Outcome } from './outcome.js';
import { announceCaller, prepareRun, renderContext, type RunDeps } from './run-context.js';

export async function planCommand(args: Args, host: IoHost, deps: RunDeps): Promise<Outcome> {
  const startedAt = deps.now?.() ?? new Date();
  const prepared = await prepareRun(args, host, deps);
  try {
    await announceCaller(prepared, host);
    const { changes, failures } = await planAll(prepared.run);
    host.result(renderPlan(changes, args.output, host.color, await renderContext(prepared, 'plan', startedAt, deps)));
    for (const f of failures) host.notify({ code: 'GW_STEP_FAILED', level: 'error', text: f.message });
    if (failures.length) return 'step-failed';
    return args.detailedExitcode && changes.length > 0 ? 'changes-pending' : 'ok';
  } finally {
    prepared.run.session.close();
  }
}
