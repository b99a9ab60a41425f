import type { AwsClients } from '../../src/aws/clients.js';
import { describeOrganization, mismatch } from '../organization/index.js';
import { policiesOfType, policyContent, readRoot, targetsOf, type PolicyType, type RootInfo } from './reads.js';
import type { Guardrail } from './policies.js';

/** One of this tool's policies as the organization holds it. */
export interface FoundPolicy {
  id: string;
  /** Parsed; compared with the guardrail's document as data, so white space and key order do not count. */
  content: unknown;
  /** The roots, OUs and accounts it is attached to. */
  targets: Set<string>;
}

/** What plan and verify read of the organization's policies, once each. */
export interface Live {
  /** Null: there is no organization yet (the organization step makes it in this run), or not one this account manages. */
  root: RootInfo | null;
  /** Why the organization cannot hold the guardrails: a member of another one, or billing only (null: it can, or there is none yet). */
  unusable: string | null;
  /** This tool's policies that exist, by name. */
  found: Map<string, FoundPolicy>;
}

/** Reads the root and each of these guardrails' policies: found by name among the policies of its type. */
export async function readLive(aws: AwsClients, accountId: string, gs: readonly Guardrail[]): Promise<Live> {
  const org = await describeOrganization(aws);
  if (!org) return { root: null, unusable: null, found: new Map() };
  // Only the management account of an organization with all features can read and write its policies.
  const unusable = mismatch(org, accountId);
  if (unusable) return { root: null, unusable, found: new Map() };
  const root = await readRoot(aws);
  const found = new Map<string, FoundPolicy>();
  const types = [...new Set(gs.map((g) => g.type))] as PolicyType[];
  for (const type of types) {
    const listed = await policiesOfType(aws, type);
    for (const g of gs.filter((x) => x.type === type)) {
      const id = listed.find((p) => p.Name === g.name && !p.AwsManaged)?.Id;
      if (id) found.set(g.name, { id, content: await policyContent(aws, id), targets: await targetsOf(aws, id) });
    }
  }
  return { root, unusable: null, found };
}
