import { GetPolicyVersionCommand, ListAccessKeysCommand, ListGroupsCommand, ListPoliciesCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../../src/aws/clients.js';
import { allPages, attachedGroupPolicies, decodePolicyDocument } from '../../src/aws/iam-reads.js';

export async function accessKeyIds(aws: AwsClients, userName: string): Promise<string[]> {
  return allPages(async (Marker) => {
    const r = await aws.iam.send(new ListAccessKeysCommand({ UserName: userName, Marker }));
    return { items: r.AccessKeyMetadata?.map((k) => k.AccessKeyId as string), IsTruncated: r.IsTruncated, Marker: r.Marker };
  });
}

/** True for a statement that allows every action on every resource: CIS 1.15's "*:*" (v5.0.0). */
function grantsFullAdmin(document: Record<string, unknown>): boolean {
  const statements = ([] as unknown[]).concat(document.Statement ?? []) as Record<string, unknown>[];
  const has = (v: unknown) => ([] as unknown[]).concat(v ?? []).includes('*');
  return statements.some((s) => s.Effect === 'Allow' && has(s.Action) && has(s.Resource) && !s.Condition);
}

/** Customer-managed policies attached to any user, group or role that allow "*:*". */
export async function fullAdminCustomerPolicies(aws: AwsClients): Promise<string[]> {
  const policies = await allPages(async (Marker) => {
    const r = await aws.iam.send(new ListPoliciesCommand({ Scope: 'Local', OnlyAttached: true, Marker }));
    return { items: r.Policies, IsTruncated: r.IsTruncated, Marker: r.Marker };
  });
  const offenders: string[] = [];
  for (const p of policies) {
    const v = await aws.iam.send(new GetPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: p.DefaultVersionId }));
    if (grantsFullAdmin(decodePolicyDocument(v.PolicyVersion?.Document))) offenders.push(p.PolicyName ?? String(p.Arn));
  }
  return offenders;
}

/** Every IAM group of the account, with the managed policies attached to it. */
export async function groupsWithPolicies(aws: AwsClients): Promise<{ name: string; attached: string[] }[]> {
  const names = await allPages(async (Marker) => {
    const r = await aws.iam.send(new ListGroupsCommand({ Marker }));
    return { items: r.Groups?.map((g) => g.GroupName as string), IsTruncated: r.IsTruncated, Marker: r.Marker };
  });
  const out: { name: string; attached: string[] }[] = [];
  for (const name of names) out.push({ name, attached: (await attachedGroupPolicies(aws.iam, name)) ?? [] });
  return out;
}

/**
 * The group that is the account's admin group: of those with AdministratorAccess, the one `preferred`
 * picks (the one that already requires MFA), else one named Admins, else the first; null when none has it.
 */
export function adminGroupOf(
  groups: { name: string; attached: string[] }[],
  adminPolicyArn: string,
  preferred: (attached: string[]) => boolean = () => false,
): string | null {
  const admins = groups.filter((g) => g.attached.includes(adminPolicyArn));
  return (admins.find((g) => preferred(g.attached)) ?? admins.find((g) => g.name === 'Admins') ?? admins[0])?.name ?? null;
}
