import { GetPolicyVersionCommand, ListAccessKeysCommand, ListPoliciesCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../../src/aws/clients.js';
import { allPages, decodePolicyDocument } from '../../src/aws/iam-reads.js';

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
