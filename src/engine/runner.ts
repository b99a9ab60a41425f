import { isReadAction } from '../aws/actions.js';
import type { Handoff, Step } from '../kit/step.js';
import { contextFor, managementAccount, type RunOptions } from './run.js';

/** The runner's public face: plan, apply and verify over every account of a run. */
export { accountsOf, contextFor, managementAccount, type RunOptions, type Unit, type Secret } from './run.js';
export { planAll, type PlanResult } from './plan.js';
export { applyPlan, type ApplyResult } from './apply.js';
export { verifyAll } from './verify.js';

/** The IAM actions the chosen steps need for a phase, for `aws-groundwork permissions`. */
export function requiredActions(steps: readonly Step[], phase: 'read' | 'apply'): string[] {
  const actions = new Set<string>();
  for (const step of steps) {
    for (const a of step.permissions.read) actions.add(a);
    // Implied actions that only read (sts:AssumeRole into members) are needed by plan and verify too.
    for (const a of step.permissions.implied ?? []) if (phase === 'apply' || isReadAction(a)) actions.add(a);
    if (phase === 'apply') for (const a of step.permissions.apply) actions.add(a);
  }
  // Every run asks who the caller is; AWS allows sts:GetCallerIdentity without a permission.
  return [...actions].sort((a, b) => a.localeCompare(b));
}

/**
 * What the steps of this run that hand something over (`handoff`) have for the person, read-only:
 * each in the management account, in verify's phase, so it can never write.
 */
export async function handoffs(run: RunOptions, steps: readonly Step[]): Promise<(Handoff & { step: string })[]> {
  const out: (Handoff & { step: string })[] = [];
  for (const step of steps) {
    if (!step.handoff) continue;
    const ctx = await contextFor(run, { step, account: await managementAccount(run.session) }, 'verify');
    const given = await step.handoff.read(ctx);
    if (given) out.push({ step: step.id, ...given });
  }
  return out;
}
