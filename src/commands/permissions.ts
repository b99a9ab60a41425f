import type { Args } from '../args.js';
import { requiredActions } from '../engine/runner.js';
import type { IoHost } from '../io/host.js';
import type { Outcome } from './outcome.js';
import { chooseSteps } from './run-context.js';

/** The identity-based policy the chosen steps need: built from what each step declares, nothing else. */
export function permissionsPolicy(args: Pick<Args, 'only' | 'skip' | 'phase'>) {
  const steps = chooseSteps(args);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: args.phase === 'read' ? 'AwsGroundworkPlanAndVerify' : 'AwsGroundworkApply',
        Effect: 'Allow',
        Action: requiredActions(steps, args.phase),
        Resource: '*',
      },
    ],
  };
}

export async function permissionsCommand(args: Args, host: IoHost): Promise<Outcome> {
  host.result(JSON.stringify(permissionsPolicy(args), null, 2));
  return 'ok';
}
