import {
  DescribePolicyCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  type PolicySummary,
} from '@aws-sdk/client-organizations';
import type { AwsClients } from '../../src/aws/clients.js';
import { allTokenPages } from '../../src/aws/iam-reads.js';

/**
 * What the guardrails step reads of Organizations, from the management account: the root and its
 * policy types, the policies of a type by name, their content and where each is attached. Every list
 * is followed to its last page.
 */

export type PolicyType = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

/** How a person reads a policy type: the plan and the findings say SCP and RCP. */
export const SHORT: Record<PolicyType, string> = { SERVICE_CONTROL_POLICY: 'SCP', RESOURCE_CONTROL_POLICY: 'RCP' };

/** Organizations' limit on the policies of one type attached directly to one root, OU or account, its full-access policy included. */
export const MAX_PER_TARGET = 5;

export interface RootInfo {
  id: string;
  /** The policy types ENABLED on it (a type still PENDING_ENABLE counts: it needs no second EnablePolicyType). */
  enabled: Set<string>;
}

/** The organization's root (there is one), with its enabled policy types. */
export async function readRoot(aws: AwsClients): Promise<RootInfo> {
  const roots = await allTokenPages(async (NextToken) => {
    const r = await aws.organizations.send(new ListRootsCommand({ NextToken }));
    return { items: r.Roots, NextToken: r.NextToken };
  });
  const root = roots[0];
  if (!root?.Id) throw new Error('the organization lists no root');
  const enabled = (root.PolicyTypes ?? []).filter((t) => t.Status === 'ENABLED' || t.Status === 'PENDING_ENABLE').map((t) => t.Type ?? '');
  return { id: root.Id, enabled: new Set(enabled) };
}

/** The id of the organization's root, for apply. */
export async function rootId(aws: AwsClients): Promise<string> {
  return (await readRoot(aws)).id;
}

/** Every policy of a type, AWS-managed ones included. */
export async function policiesOfType(aws: AwsClients, type: PolicyType): Promise<PolicySummary[]> {
  return allTokenPages(async (NextToken) => {
    const r = await aws.organizations.send(new ListPoliciesCommand({ Filter: type, NextToken }));
    return { items: r.Policies, NextToken: r.NextToken };
  });
}

/** The customer-managed policy of this type and name: Organizations does not look policies up by name, so this lists them. */
export async function policyNamed(aws: AwsClients, type: PolicyType, name: string): Promise<PolicySummary | undefined> {
  return (await policiesOfType(aws, type)).find((p) => p.Name === name && !p.AwsManaged);
}

/** The id of the policy this tool named so, for apply; it exists, as an earlier change of the run made it. */
export async function policyIdNamed(aws: AwsClients, type: PolicyType, name: string): Promise<string> {
  const id = (await policyNamed(aws, type, name))?.Id;
  if (!id) throw new Error(`the ${SHORT[type]} ${name} is not in the organization`);
  return id;
}

/** A policy's content, parsed; null when it is not JSON (someone saved a broken document, which counts as edited). */
export async function policyContent(aws: AwsClients, policyId: string): Promise<unknown> {
  const text = (await aws.organizations.send(new DescribePolicyCommand({ PolicyId: policyId }))).Policy?.Content ?? '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The ids of the roots, OUs and accounts a policy is attached to directly. */
export async function targetsOf(aws: AwsClients, policyId: string): Promise<Set<string>> {
  const targets = await allTokenPages(async (NextToken) => {
    const r = await aws.organizations.send(new ListTargetsForPolicyCommand({ PolicyId: policyId, NextToken }));
    return { items: r.Targets, NextToken: r.NextToken };
  });
  return new Set(targets.flatMap((t) => (t.TargetId ? [t.TargetId] : [])));
}

/** The names of the policies of a type attached directly to a root, OU or account: what counts against its limit of 5. */
export async function policiesOn(aws: AwsClients, targetId: string, type: PolicyType): Promise<string[]> {
  const policies = await allTokenPages(async (NextToken) => {
    const r = await aws.organizations.send(new ListPoliciesForTargetCommand({ TargetId: targetId, Filter: type, NextToken }));
    return { items: r.Policies, NextToken: r.NextToken };
  });
  return policies.map((p) => p.Name ?? p.Id ?? '?');
}
