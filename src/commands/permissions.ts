import type { Args } from '../args.js';
import { identityPolicy, type PolicyDocument } from '../aws/policy.js';
import { requiredActions } from '../engine/runner.js';
import type { IoHost } from '../io/host.js';
import type { Outcome } from './outcome.js';
import { chooseSteps } from './run-context.js';

/**
 * The identity-based policy the chosen steps need: built from what each step declares, nothing else;
 * the ways into member accounts narrowed to what the session does with them (src/aws/policy.ts).
 */
export function permissionsPolicy(args: Pick<Args, 'only' | 'skip' | 'phase'>): PolicyDocument {
  const steps = chooseSteps(args);
  return identityPolicy(requiredActions(steps, args.phase), args.phase === 'read' ? 'AwsGroundworkPlanAndVerify' : 'AwsGroundworkApply');
}

export async function permissionsCommand(args: Args, host: IoHost): Promise<Outcome> {
  host.result(JSON.stringify(permissionsPolicy(args), null, 2));
  return 'ok';
}
