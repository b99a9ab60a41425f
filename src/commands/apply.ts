import type { Args } from '../args.js';
import type { Change } from '../model.js';
import { approvePlan } from '../engine/approve.js';
import { ApplyIncompleteError } from '../errors.js';
import { applyPlan, handoffs, planAll, verifyAll } from '../engine/runner.js';
import type { IoHost } from '../io/host.js';
import { baselines, knownChanges } from '../io/summary.js';
import { renderFindings, renderPlan } from '../io/render.js';
import { costEstimate, costLines } from '../costs/monthly-costs.js';
import type { Outcome } from './outcome.js';
import { announceCaller, forThisRun, prepareRun, type RunDeps } from './run-context.js';
import { offerToSaveAnswers, showOverview } from './wizard-screens.js';

/**
 * `apply`, and the wizard (the same flow, with questions when there is no answers file):
 * plan -> show -> approve -> apply (re-planned, refused if stale) -> verify.
 */
export async function applyCommand(args: Args, host: IoHost, deps: RunDeps): Promise<Outcome> {
  const prepared = await prepareRun(args, host, deps);
  try {
    await announceCaller(prepared, host);
    const { changes, failures } = await planAll(prepared.run);
    if (failures.length) throw failures[0];
    const guided = args.command === 'wizard' && host.interactive;
    if (guided) showOverview(host, prepared.steps, changes, prepared.answers, prepared.skipped);
    host.result(renderPlan(changes, 'human', host.color));
    // The wizard prices the setup before it asks to apply: what these steps cost per month once applied.
    if (guided) host.result(['', ...costLines(costEstimate(prepared.steps.map((s) => s.id)))].join('\n'));
    let sessionEnded = false;
    let changedSteps = new Set<string>();
    if (changes.length > 0) {
      const approved = await approvePlan(host, changes, prepared.steps, prepared.answers, args.yes);
      const result = await applyPlan(prepared.run, approved, changes);
      // After the task list has stopped drawing, and even when a later change failed: a password
      // that was set and not shown would leave its user without a way in.
      for (const s of result.secrets) host.showSecret(s.label, s.secret);
      if (result.stopped) throw result.stopped;
      if (result.failures.length) throw new ApplyIncompleteError(result.failures);
      host.notify({ code: 'GW_APPLIED', level: 'success', text: appliedLine(result.applied, changes) });
      sessionEnded = result.applied.some((c) => c.endsSession);
      changedSteps = new Set(result.applied.map((c) => c.step));
    }
    if (sessionEnded) {
      host.notify({
        code: 'GW_SESSION_ENDED',
        level: 'warn',
        text: 'The access key this run signed with is deleted, so verify cannot run now. Sign in as the new admin and run `aws-groundwork verify`.',
      });
      return 'ok';
    }
    const findings = forThisRun(await verifyAll(prepared.run), args);
    host.result(`\n${renderFindings(findings, 'human', host.color)}`);
    // What a step set up for people (the access portal, a ~/.aws/config block), after the apply that set it up.
    for (const h of await handoffs(
      prepared.run,
      prepared.steps.filter((s) => changedSteps.has(s.id)),
    ))
      host.result(`\n${h.intro}\n${h.body}`);
    if (guided) await offerToSaveAnswers(host, prepared.answers, args.answers ?? args.saveAnswers);
    return findings.every((f) => f.status === 'pass' || f.status === 'manual') ? 'ok' : 'controls-failing';
  } finally {
    prepared.run.session.close();
  }
}

/** Counted as the plan line counts: the changes known in detail, then the new accounts' baselines made. */
function appliedLine(applied: Change[], planned: Change[]): string {
  const made = baselines(applied);
  return `Applied ${knownChanges(applied)} of ${knownChanges(planned)} changes${made ? `, and ${made}` : ''}.`;
}
