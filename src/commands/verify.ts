import type { Args } from '../args.js';
import { verifyAll } from '../engine/runner.js';
import type { IoHost } from '../io/host.js';
import { renderFindings } from '../io/render.js';
import type { Outcome } from './outcome.js';
import { announceCaller, prepareRun, type RunDeps } from './run-context.js';

export async function verifyCommand(args: Args, host: IoHost, deps: RunDeps): Promise<Outcome> {
  const prepared = await prepareRun(args, host, deps);
  try {
    await announceCaller(prepared, host);
    // A standalone verify reports what is there now: no waiting for eventual consistency.
    const findings = await verifyAll({ ...prepared.run, settle: { attempts: 1, delayMs: 0 } });
    host.result(renderFindings(findings, args.output, host.color, prepared.skipped));
    return findings.every((f) => f.status === 'pass' || f.status === 'manual') ? 'ok' : 'controls-failing';
  } finally {
    prepared.run.session.close();
  }
}
