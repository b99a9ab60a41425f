import { PreconditionError } from '../../src/errors.js';
import type { StepContext } from '../../src/kit/step.js';
import { describeOrganization, mismatch, rootFeatures, trustedServices, type RootFeature, type TRUSTED_SERVICES } from './index.js';

type TrustedService = (typeof TRUSTED_SERVICES)[number];

/** What a step needs of the organization besides the organization itself (all features, managed by this account). */
export interface OrganizationNeeds {
  /** What needs it, as the subject of a sentence: "the organization trail". */
  what: string;
  /** Services that must have trusted access. */
  trustedAccess?: readonly TrustedService[];
  /** Centralized root access features that must be on; they need trusted access for iam, which is then checked too. */
  rootFeatures?: readonly RootFeature[];
}

/** How a person brings the organization step into the run, after what it would do. */
const runIt = (does: string) =>
  `\n  The organization step ${does}: include it in this run (add it to --only or take it out of --skip, and put \`organization: {}\` in the answers file), or run it first.`;

type Ctx = Pick<StepContext<unknown>, 'inRun' | 'managementAws' | 'caller'>;

/**
 * For a step that needs what the organization step makes (the organization, trusted access,
 * centralized root access): when the organization step is part of the run it plans all of that, or
 * refuses an organization it cannot adopt, and its changes come first in apply, so there is nothing
 * to check. Otherwise what is needed must already be there; if not, this throws a PreconditionError
 * with the reason and the fix, so that plan stops before apply writes any part of the step. Reads
 * from the management account, so members' units can use it too.
 */
export async function requireOrganization(ctx: Ctx, needs: OrganizationNeeds): Promise<void> {
  if (ctx.inRun('organization')) return;
  const problem = await missing(ctx, needs);
  if (problem) throw new PreconditionError(`${needs.what} needs ${problem}`);
}

/** What of `needs` is missing, as the end of a sentence with its fix; null when nothing is. */
async function missing(ctx: Ctx, needs: OrganizationNeeds): Promise<string | null> {
  const aws = ctx.managementAws;
  const org = await describeOrganization(aws);
  const organization = 'an organization with all features, managed by this account';
  if (!org) return `${organization}, and this account is in none yet.${runIt('creates it')}`;
  // A member of another organization, or billing only: the organization step would refuse it too, and says the way out.
  const unusable = mismatch(org, ctx.caller.accountId);
  if (unusable) return `${organization}: ${unusable}`;
  const wanted = new Set<string>(needs.trustedAccess ?? []);
  if (needs.rootFeatures?.length) wanted.add('iam.amazonaws.com');
  const trusted = wanted.size > 0 ? await trustedServices(aws) : new Set<string>();
  const untrusted = [...wanted].filter((s) => !trusted.has(s));
  if (untrusted.length > 0) {
    return `trusted access for ${untrusted.join(' and ')} in organization ${org.Id}, and it is off.${runIt('enables it')}`;
  }
  if (!needs.rootFeatures?.length) return null;
  const enabled = await rootFeatures(aws);
  const off = needs.rootFeatures.filter((f) => !enabled.has(f));
  if (off.length === 0) return null;
  return `centralized root access in organization ${org.Id}, and ${off.join(' and ')} ${off.length === 1 ? 'is' : 'are'} off.${runIt('turns it on')}`;
}
