import { validate } from '../../src/answers/schema.js';
import type { StepContext, Suggestion } from '../../src/kit/step.js';
import { answers, type IdentityCenterAnswers } from './answers.js';
import { clientsOf, consolePath, readLive, regionOf } from './live.js';
import { describeUser } from './reads.js';

/**
 * The users an answers file must list for Identity Center as it stands: every member of the step's
 * groups, with their groups. Used as they are, they plan no change and verify reports nobody unlisted.
 */
export async function suggestIdentityCenter(ctx: StepContext<Partial<IdentityCenterAnswers>>): Promise<Suggestion> {
  const full = validate(answers, ctx.answers, 'steps.identity-center', []) as IdentityCenterAnswers;
  const withDefaults = { ...ctx, answers: full };
  const live = await readLive(withDefaults);
  const region = regionOf(withDefaults);
  if (!live) return { facts: [`IAM Identity Center is not enabled in ${region}: enable it in ${consolePath(region)}.`] };
  const ic = await clientsOf(withDefaults);
  const groupsOf = new Map<string, string[]>();
  for (const [name, g] of live.groups) for (const id of g.members.keys()) groupsOf.set(id, [...(groupsOf.get(id) ?? []), name]);
  const users = [];
  for (const [id, groups] of groupsOf) {
    const u = await describeUser(ic, live.instance, id);
    if (u) users.push({ userName: u.userName, givenName: u.givenName, familyName: u.familyName, email: u.email, groups });
  }
  return { defaults: { users } };
}
