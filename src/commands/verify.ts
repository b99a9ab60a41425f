import type { Args } from '../args.js';
import { verifyAll } from '../engine/runner.js';
import type { IoHost } from '../io/host.js';
import { renderFindings } from '../io/render.js';
import { checkReportPath, writeReport } from '../io/report-file.js';
import { costEstimate, inPlaceSteps } from '../costs/monthly-costs.js';
import type { Outcome } from './outcome.js';
import { announceCaller, forThisRun, prepareRun, renderContext, type RunDeps } from './run-context.js';

export async function verifyCommand(args: Args, host: IoHost, deps: RunDeps): Promise<Outcome> {
  const startedAt = deps.now?.() ?? new Date();
  // A report that could not be written is found out now, before any AWS call, not after the run.
  if (args.report) checkReportPath(args.report, args.answers);
  const prepared = await prepareRun(args, host, deps);
  try {
    await announceCaller(prepared, host);
    // A standalone verify reports what is there now: no waiting for eventual consistency.
    const findings = forThisRun(await verifyAll({ ...prepared.run, settle: { attempts: 1, delayMs: 0 } }), args);
    const ctx = {
      ...(await renderContext(prepared, 'verify', startedAt, deps)),
      // SARIF's rules are the checks of the steps this run verified; its locations point into the answers file.
      steps: prepared.steps,
      cost: costEstimate(
        inPlaceSteps(
          prepared.steps.map((s) => s.id),
          findings,
        ),
      ),
      ...(args.answers ? { answersFile: args.answers } : {}),
    };
    host.result(renderFindings(findings, args.output, host.color, ctx));
    if (args.report) {
      await writeReport(args.report, renderFindings(findings, 'markdown', false, ctx));
      host.notify({ code: 'GW_REPORT_WRITTEN', level: 'info', text: `Wrote the evidence report to ${args.report}.` });
    }
    return findings.every((f) => f.status === 'pass' || f.status === 'manual') ? 'ok' : 'controls-failing';
  } finally {
    prepared.run.session.close();
  }
}
