import type { Handoff } from '../../src/kit/step.js';
import { readLive, type Ctx } from './live.js';
import { wantedSets } from './matrix.js';
import { portalUrl, ssoConfigBlock } from './sso-config.js';

/**
 * The access portal and a `~/.aws/config` block with one profile per account and permission set
 * assigned there to the step's groups, as Identity Center has them now (read-only). The sso-session
 * is named after the account alias, so two organizations' blocks can sit in one file.
 */
export async function ssoHandoff(ctx: Ctx): Promise<Handoff | null> {
  const live = await readLive(ctx);
  if (!live) return null;
  const order = wantedSets(ctx.answers, ctx.caller.partition).map((s) => s.name);
  const nameOf = new Map([...live.sets.values()].map((s) => [s.arn, s.name]));
  const accounts = (await ctx.accounts())
    .filter((a) => !a.pending)
    .map((a) => {
      const roles = new Set<string>();
      for (const g of live.groups.values())
        for (const key of g.assignments) {
          const [id, arn] = key.split(' ');
          const name = arn && nameOf.get(arn);
          if (id === a.id && name) roles.add(name);
        }
      return { id: a.id, name: a.name, roles: order.filter((n) => roles.has(n)) };
    })
    .filter((a) => a.roles.length > 0);
  const alias = ctx.answersOf('account-alias')?.alias;
  const startUrl = portalUrl(live.instance.storeId);
  const block = ssoConfigBlock({
    startUrl,
    ssoRegion: live.region,
    region: ctx.region,
    sessionName: typeof alias === 'string' ? alias : 'aws-groundwork',
    accounts,
  });
  const users = ctx.answers.users.length
    ? `Users get no invitation email: each opens ${startUrl}, chooses "Forgot password" with their user name, and sets up MFA at first sign-in.\n`
    : '';
  return {
    intro: `IAM Identity Center: sign in at ${startUrl}\n${users}For the AWS CLI v2, add this block once to ~/.aws/config (\`aws-groundwork sso-config --answers FILE\` prints it again):`,
    body: block,
  };
}
