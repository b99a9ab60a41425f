import { MEMBER_ROLE } from '../../src/aws/session.js';
import type { StepContext } from '../../src/kit/step.js';
import type { AccountRef } from '../../src/model.js';
import { trailBuckets } from '../org-trail/index.js';
import { guardrails, type Guardrail, type GuardrailInputs } from './policies.js';

/** The step's answers, as the layout needs them. */
export interface GuardrailAnswers {
  noAccessKeysIn: string[];
  allowedRegions: string[];
  allowRegionDeny: boolean;
}

/** Where a guardrail is attached: the organization's root, or one member account. */
export type Place = { kind: 'root' } | { kind: 'account'; account: AccountRef };

/** How the plan and the findings name a place. */
export const placeName = (p: Place): string => (p.kind === 'root' ? 'root' : `${p.account.name} (${p.account.id})`);

/**
 * Every guardrail there can be, with a log-archive account and the region allow-list on: their
 * names and check ids, for the step's declared checks, and for the guardrails the answers or the
 * organization leave out for now (the region guardrail when it is turned off, the log-archive one
 * while that account is still to be made).
 */
export const EVERY_GUARDRAIL: readonly Guardrail[] = guardrails({
  partition: 'aws',
  adminRole: MEMBER_ROLE,
  logArchive: { accountId: '000000000000', trailBucket: 'trail-bucket', logBucket: 'log-bucket' },
  allowedRegions: ['us-east-1'],
});

/** The region guardrail: planned only with an allow-list, and detached when the allow-list is emptied. */
export const REGION_GUARDRAIL = EVERY_GUARDRAIL.find((g) => g.check === 'guardrails.regions');

export interface Layout {
  /** The guardrails the answers and the organization call for now. */
  wanted: Guardrail[];
  /** Where each wanted guardrail belongs, among the places that exist. */
  places: Map<Guardrail, Place[]>;
  /** Accounts member-accounts is still to make, and the guardrails each gets once it exists. */
  pending: { account: AccountRef; guardrails: Guardrail[] }[];
}

/** The log-archive account and the trail's buckets there, as org-trail names them (its answers, else its defaults). */
function logArchiveOf(ctx: StepContext<GuardrailAnswers>, archive: AccountRef): NonNullable<GuardrailInputs['logArchive']> {
  const trail = ctx.answersOf('org-trail') as { bucketName?: string; logBucketName?: string } | undefined;
  return { accountId: archive.id, ...trailBuckets(trail, archive.id, ctx.region) };
}

/** What the guardrails are and where each goes: the root, the log-archive account, each account of a no-access-keys environment. */
export async function layoutOf(ctx: StepContext<GuardrailAnswers>): Promise<Layout> {
  const accounts = await ctx.accounts();
  const archive = accounts.find((a) => a.purpose === 'log-archive');
  const keysIn = accounts.filter((a) => a.role === 'member' && a.env !== undefined && ctx.answers.noAccessKeysIn.includes(a.env));
  const wanted = guardrails({
    partition: ctx.caller.partition,
    adminRole: MEMBER_ROLE,
    allowedRegions: ctx.answers.allowedRegions,
    ...(archive && !archive.pending ? { logArchive: logArchiveOf(ctx, archive) } : {}),
  });
  const accountsOf = (g: Guardrail): AccountRef[] => {
    if (g.target === 'log-archive') return archive ? [archive] : [];
    return g.target === 'no-access-keys' ? keysIn : [];
  };
  const places = new Map<Guardrail, Place[]>();
  for (const g of wanted) {
    const made = accountsOf(g).filter((a) => !a.pending);
    places.set(g, g.target === 'root' ? [{ kind: 'root' }] : made.map((account) => ({ kind: 'account', account })));
  }
  // The log-archive guardrail names the account's buckets and key, so it is written once the account exists.
  const waiting = [...wanted, ...EVERY_GUARDRAIL.filter((g) => g.target === 'log-archive' && archive?.pending)];
  const pending = accounts
    .filter((a) => a.pending)
    .map((account) => ({ account, guardrails: waiting.filter((g) => accountsOf(g).includes(account)) }))
    .filter((p) => p.guardrails.length > 0);
  return { wanted, places, pending };
}
