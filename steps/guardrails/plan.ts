import { isDeepStrictEqual } from 'node:util';
import type { AwsClients } from '../../src/aws/clients.js';
import { PreconditionError } from '../../src/errors.js';
import { change, waitFor } from '../../src/kit/builders.js';
import type { PlannedChange, StepContext } from '../../src/kit/step.js';
import type { ChangeRisk, Json } from '../../src/model.js';
import { REGION_GUARDRAIL, placeName, type GuardrailAnswers, type Layout, type Place } from './layout.js';
import type { Live } from './live.js';
import { policyText, type Guardrail } from './policies.js';
import { MAX_PER_TARGET, SHORT, policiesOn, type PolicyType } from './reads.js';

/** A policy made with the member account it names (log-archive's), by that account's change. */
export interface AccountPolicy {
  name: string;
  type: PolicyType;
  make?: { description: string; content: string };
}

/** What apply does for each change; policies are reached by name, as an earlier change of the run may make them. */
export type Operations = {
  'enable-policy-type': { type: PolicyType };
  /** Creates the policy, or restores the one an interrupted run made (DuplicatePolicyException). */
  'create-policy': { name: string; type: PolicyType; description: string; content: string };
  'update-policy': { name: string; type: PolicyType; content: string };
  /** Attaches a policy to the root (whose id is read then: a fresh organization has none before). */
  'attach-policy': { name: string; type: PolicyType };
  /** Detaches the region guardrail from the root. */
  'detach-policy': { name: string; type: PolicyType };
  /**
   * All of the guardrails in one member account, under the address its `waitFor` has while the account
   * is to be made: the policy that names the account made (log-archive's), then each one attached.
   */
  'guard-account': { accountId: string; policies: AccountPolicy[] };
};

type Planned = PlannedChange<Operations>;

/** The full-access policy AWS attaches with each type: it stays, and counts against the limit of 5. */
const FULL_ACCESS: Record<PolicyType, string> = { SERVICE_CONTROL_POLICY: 'FullAWSAccess', RESOURCE_CONTROL_POLICY: 'RCPFullAWSAccess' };
const TYPE_WORDS: Record<PolicyType, string> = {
  SERVICE_CONTROL_POLICY: 'service control policies (SCPs)',
  RESOURCE_CONTROL_POLICY: 'resource control policies (RCPs)',
};

/** The region guardrail can stop running workloads: it is destructive, and needs allowRegionDeny. Every other change tightens security. */
const riskOf = (g: Guardrail): ChangeRisk => (g.check === REGION_GUARDRAIL?.check ? 'destructive' : 'security');

const policyAddress = (g: Guardrail) => `organizations:policy/${g.name}`;
/**
 * One address for everything of the guardrails in a member account, made now or once the account
 * exists: after a lost answer, apply reads back and leaves what this address names to the change still
 * queued under it, so an account made earlier in the run is not guarded before its policy exists.
 */
export const accountAddress = (name: string) => `organizations:account/${name}/guardrails`;
/** A policy that names its account is made by that account's change, so it is made when the account exists, however the run goes. */
export const madeWithAccount = (g: Guardrail) => g.target === 'log-archive';
const description = (g: Guardrail) => `aws-groundwork: ${g.prevents}`.slice(0, 512);

/** Each policy type the guardrails use, enabled on the root when it is not. */
export function planTypes(layout: Layout, live: Live): Planned[] {
  const types = [...new Set([...layout.wanted, ...layout.pending.flatMap((p) => p.guardrails)].map((g) => g.type))];
  return types
    .filter((type) => !live.root?.enabled.has(type))
    .map((type) =>
      change(
        'enable-policy-type',
        { type },
        {
          address: `organizations:root/policy-type/${type}`,
          action: 'create',
          before: null,
          after: { PolicyType: type },
          risk: 'security',
          summary: `enable ${TYPE_WORDS[type]} on the root; AWS attaches ${FULL_ACCESS[type]} everywhere, so nothing is denied until a guardrail is attached`,
        },
      ),
    );
}

/** The guardrail's policy: made when missing (by its account's change, if it names one), restored when its content is not the tool's. */
export function planPolicy(g: Guardrail, live: Live): Planned[] {
  const content = policyText(g);
  const wanted = JSON.parse(content) as Json;
  const found = live.found.get(g.name);
  if (found ? isDeepStrictEqual(found.content, wanted) : madeWithAccount(g)) return [];
  const fields = { address: policyAddress(g), before: (found?.content ?? null) as Json, after: wanted, risk: riskOf(g) };
  if (!found) {
    const summary = `create the ${SHORT[g.type]} ${g.name}: ${g.prevents}`;
    const input = { name: g.name, type: g.type, description: description(g), content };
    return [change('create-policy', input, { ...fields, action: 'create', summary })];
  }
  const summary = `restore the ${SHORT[g.type]} ${g.name} to this version's document (edited outside this tool, or written by an earlier version): ${g.prevents}`;
  return [change('update-policy', { name: g.name, type: g.type, content }, { ...fields, action: 'update', summary })];
}

/** The policies of a type on a place before this run attaches any: once the type is enabled, AWS's full-access policy at least. */
async function attachedNow(aws: AwsClients, live: Live, place: Place, type: PolicyType): Promise<string[]> {
  if (!live.root?.enabled.has(type)) return [FULL_ACCESS[type]];
  return policiesOn(aws, place.kind === 'root' ? live.root.id : place.account.id, type);
}

/** Too many policies for one place: says where, what is attached, what the guardrails need, and the way out. */
function noRoom(place: Place, type: PolicyType, attached: string[], needed: Guardrail[]): PreconditionError {
  const where = place.kind === 'root' ? 'the root' : `the account ${placeName(place)}`;
  const free = MAX_PER_TARGET - attached.length;
  return new PreconditionError(
    `the guardrails need room for ${needed.length} more ${SHORT[type]}${needed.length === 1 ? '' : 's'} on ${where} ` +
      `(${needed.map((g) => g.name).join(', ')}), and it has ${attached.length} of the ${MAX_PER_TARGET} allowed: ${attached.join(', ')} ` +
      `(${free <= 0 ? 'none' : free} free). Nothing was changed.\n` +
      `  Make room: detach or merge your own ${SHORT[type]}s on ${where} (AWS Organizations console > Policies) until ${needed.length} ` +
      `${needed.length === 1 ? 'is' : 'are'} free, then run again; ${FULL_ACCESS[type]} stays (this tool never detaches it).`,
  );
}

/** What is missing on each place: the guardrails of each policy type not attached there yet. */
function missingOn(layout: Layout, live: Live): Map<string, { place: Place; type: PolicyType; guardrails: Guardrail[] }> {
  const missing = new Map<string, { place: Place; type: PolicyType; guardrails: Guardrail[] }>();
  for (const g of layout.wanted) {
    for (const place of layout.places.get(g) ?? []) {
      const id = place.kind === 'root' ? live.root?.id : place.account.id;
      if (id !== undefined && live.found.get(g.name)?.targets.has(id)) continue;
      const key = `${g.type} ${placeName(place)}`;
      const entry = missing.get(key) ?? { place, type: g.type, guardrails: [] };
      entry.guardrails.push(g);
      missing.set(key, entry);
    }
  }
  return missing;
}

/** An attachment to the root, in plain words with the room left there. */
function rootAttachment(g: Guardrail, count: number): Planned {
  return change(
    'attach-policy',
    { name: g.name, type: g.type },
    {
      address: `${policyAddress(g)}/attachment/root`,
      action: 'create',
      before: null,
      after: { Policy: g.name, Target: 'root', AppliesTo: 'every member account (never the management account)' },
      risk: riskOf(g),
      summary: `${g.prevents} (root: ${count} of ${MAX_PER_TARGET} ${SHORT[g.type]}s after this)`,
    },
  );
}

/** One member account's change: its own policy made if missing, and each guardrail attached. */
function accountChange(place: Extract<Place, { kind: 'account' }>, entries: { g: Guardrail; count: number }[], live: Live): Planned {
  const policies = entries.map(({ g }) => ({
    name: g.name,
    type: g.type,
    ...(madeWithAccount(g) && !live.found.has(g.name) ? { make: { description: description(g), content: policyText(g) } } : {}),
  }));
  const made = policies.filter((p) => p.make).map((p) => p.name);
  const room = entries.map(({ g, count }) => `${placeName(place)}: ${count} of ${MAX_PER_TARGET} ${SHORT[g.type]}s after this`);
  const prevents = entries.map(({ g }) => g.prevents).join('; ');
  return change(
    'guard-account',
    { accountId: place.account.id, policies },
    {
      address: accountAddress(place.account.name),
      action: 'create',
      before: null,
      after: { Account: place.account.name, Attach: policies.map((p) => p.name), ...(made.length ? { Create: made } : {}) },
      risk: 'security',
      summary: `${made.length ? `create ${made.join(' and ')} and attach it: ` : ''}${prevents} (${[...new Set(room)].join('; ')})`,
    },
  );
}

/**
 * Each wanted guardrail attached wherever it belongs, after checking that every place has room for
 * all of them: one change per attachment to the root, one change per member account.
 */
export async function planAttachments(ctx: StepContext<GuardrailAnswers>, layout: Layout, live: Live): Promise<Planned[]> {
  const root: Planned[] = [];
  const accounts = new Map<string, { place: Extract<Place, { kind: 'account' }>; entries: { g: Guardrail; count: number }[] }>();
  for (const { place, type, guardrails } of missingOn(layout, live).values()) {
    const attached = await attachedNow(ctx.aws, live, place, type);
    const count = attached.length + guardrails.length;
    if (count > MAX_PER_TARGET) throw noRoom(place, type, attached, guardrails);
    if (place.kind === 'root') root.push(...guardrails.map((g) => rootAttachment(g, count)));
    else {
      const entry = accounts.get(place.account.id) ?? { place, entries: [] };
      entry.entries.push(...guardrails.map((g) => ({ g, count })));
      accounts.set(place.account.id, entry);
    }
  }
  return [...root, ...[...accounts.values()].map(({ place, entries }) => accountChange(place, entries, live))];
}

/** With the allow-list emptied, the region guardrail an earlier run attached is detached from the root (the policy is kept). */
export function planRegionsOff(answers: GuardrailAnswers, live: Live): Planned[] {
  const g = REGION_GUARDRAIL;
  if (!g || answers.allowedRegions.length > 0 || !live.root || !live.found.get(g.name)?.targets.has(live.root.id)) return [];
  return [
    change(
      'detach-policy',
      { name: g.name, type: g.type },
      {
        address: `${policyAddress(g)}/attachment/root`,
        action: 'delete',
        before: { Policy: g.name, Target: 'root' },
        after: null,
        risk: 'none',
        summary: `detach ${g.name} from the root: allowedRegions is empty, so no region is denied any more (the policy is kept)`,
      },
    ),
  ];
}

/**
 * The accounts still to be made: what they get is planned once they exist, in this apply when
 * member-accounts is part of it; otherwise a note says they get it once made.
 */
export function planPending(ctx: StepContext<GuardrailAnswers>, layout: Layout): Planned[] {
  const changes: Planned[] = [];
  for (const { account, guardrails } of layout.pending) {
    const names = guardrails.map((g) => g.name).join(' and ');
    if (!ctx.inRun('member-accounts')) {
      ctx.note(`${names} will be attached to ${account.name} once member-accounts has made it; until then it has none of them.`);
      continue;
    }
    const prevents = guardrails.map((g) => g.prevents).join('; ');
    changes.push(
      waitFor<Operations>(account, {
        address: accountAddress(account.name),
        summary: `attach ${names} to the new account ${account.name} (${prevents}); planned in detail once it exists`,
        risk: 'security',
        after: { Account: account.name, Policies: guardrails.map((g) => g.name) },
      }),
    );
  }
  return changes;
}
