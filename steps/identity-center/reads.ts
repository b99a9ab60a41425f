import {
  DescribePermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListInstancesCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
} from '@aws-sdk/client-sso-admin';
import { DescribeUserCommand, GetGroupIdCommand, GetUserIdCommand, ListGroupMembershipsCommand } from '@aws-sdk/client-identitystore';
import type { AwsClients } from '../../src/aws/clients.js';
import { allTokenPages } from '../../src/aws/iam-reads.js';
import { absentOn } from '../../src/model.js';

/**
 * What the step reads of IAM Identity Center, always through clients in the region it is enabled in.
 * Groups and users are found by their unique names (GetGroupId, GetUserId), which is how a run finds
 * again what an earlier or interrupted run made.
 */

export interface Instance {
  arn: string;
  storeId: string;
}

export interface LiveSet {
  arn: string;
  name: string;
  description: string;
  session: string;
  policies: string[];
  /** An inline policy someone added: the step's permission sets carry only their managed policy. */
  inline: boolean;
}

export interface LiveUser {
  id: string;
  userName: string;
  givenName: string;
  familyName: string;
  displayName: string;
  email: string;
}

const orMissing = absentOn('ResourceNotFoundException');

/** The organization instance: the one the management account owns (an account instance elsewhere is not it). */
export async function readInstance(ic: AwsClients, managementId: string): Promise<Instance | null> {
  const all = await allTokenPages(async (NextToken) => {
    const r = await ic.ssoAdmin.send(new ListInstancesCommand({ NextToken }));
    return { items: r.Instances, NextToken: r.NextToken };
  });
  const mine = all.find((i) => i.InstanceArn && i.IdentityStoreId && (!i.OwnerAccountId || i.OwnerAccountId === managementId));
  return mine ? { arn: mine.InstanceArn!, storeId: mine.IdentityStoreId! } : null;
}

/** The instance's permission sets that carry one of `names`, with what they grant. */
export async function readSets(ic: AwsClients, instance: Instance, names: string[]): Promise<Map<string, LiveSet>> {
  const InstanceArn = instance.arn;
  const arns = await allTokenPages(async (NextToken) => {
    const r = await ic.ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn, NextToken }));
    return { items: r.PermissionSets, NextToken: r.NextToken };
  });
  // Each set is read on its own, all at once: a verify waits for the slowest, not for their sum.
  const read = await Promise.all(arns.map((PermissionSetArn) => readSet(ic, InstanceArn, PermissionSetArn, names)));
  return new Map(read.filter((x): x is LiveSet => x !== null).map((x) => [x.name, x]));
}

async function readSet(ic: AwsClients, InstanceArn: string, PermissionSetArn: string, names: string[]): Promise<LiveSet | null> {
  const { PermissionSet: p } = await ic.ssoAdmin.send(new DescribePermissionSetCommand({ InstanceArn, PermissionSetArn }));
  if (!p?.Name || !names.includes(p.Name)) return null;
  const [policies, inline] = await Promise.all([
    allTokenPages(async (NextToken) => {
      const r = await ic.ssoAdmin.send(new ListManagedPoliciesInPermissionSetCommand({ InstanceArn, PermissionSetArn, NextToken }));
      return { items: r.AttachedManagedPolicies?.map((m) => m.Arn as string), NextToken: r.NextToken };
    }),
    ic.ssoAdmin.send(new GetInlinePolicyForPermissionSetCommand({ InstanceArn, PermissionSetArn })),
  ]);
  return {
    arn: PermissionSetArn,
    name: p.Name,
    description: p.Description ?? '',
    session: p.SessionDuration ?? 'PT1H',
    policies,
    inline: Boolean(inline.InlinePolicy),
  };
}

/** The permission set ARN of a name, at apply time (made earlier in the run, or by an interrupted one). */
export async function setArnNamed(ic: AwsClients, instance: Instance, name: string): Promise<string | undefined> {
  return (await readSets(ic, instance, [name])).get(name)?.arn;
}

/** The lookup of a group or user by its unique name: what an earlier or interrupted run made is found again. */
const byName = (instance: Instance, AttributePath: 'displayName' | 'userName', AttributeValue: string) => ({
  IdentityStoreId: instance.storeId,
  AlternateIdentifier: { UniqueAttribute: { AttributePath, AttributeValue } },
});

export async function groupId(ic: AwsClients, instance: Instance, name: string): Promise<string | null> {
  const r = await orMissing(() => ic.identitystore.send(new GetGroupIdCommand(byName(instance, 'displayName', name))));
  return r?.GroupId ?? null;
}

export async function userId(ic: AwsClients, instance: Instance, userName: string): Promise<string | null> {
  const r = await orMissing(() => ic.identitystore.send(new GetUserIdCommand(byName(instance, 'userName', userName))));
  return r?.UserId ?? null;
}

export async function describeUser(ic: AwsClients, instance: Instance, id: string): Promise<LiveUser | null> {
  const u = await orMissing(() => ic.identitystore.send(new DescribeUserCommand({ IdentityStoreId: instance.storeId, UserId: id })));
  if (!u) return null;
  const primary = u.Emails?.find((e) => e.Primary) ?? u.Emails?.[0];
  return {
    id,
    userName: u.UserName ?? '',
    givenName: u.Name?.GivenName ?? '',
    familyName: u.Name?.FamilyName ?? '',
    displayName: u.DisplayName ?? '',
    email: primary?.Value ?? '',
  };
}

/** Member user ids of a group, by membership id (which removing a member needs). */
export async function groupMembers(ic: AwsClients, instance: Instance, GroupId: string): Promise<Map<string, string>> {
  const all = await allTokenPages(async (NextToken) => {
    const r = await ic.identitystore.send(new ListGroupMembershipsCommand({ IdentityStoreId: instance.storeId, GroupId, NextToken }));
    return { items: r.GroupMemberships, NextToken: r.NextToken };
  });
  const out = new Map<string, string>();
  for (const m of all) {
    const user = m.MemberId && 'UserId' in m.MemberId ? m.MemberId.UserId : undefined;
    if (user && m.MembershipId) out.set(user, m.MembershipId);
  }
  return out;
}

/** A group's assignments as `<account id> <permission set ARN>`: one read per group, whatever the number of accounts. */
export async function groupAssignments(ic: AwsClients, instance: Instance, PrincipalId: string): Promise<Set<string>> {
  const all = await allTokenPages(async (NextToken) => {
    const r = await ic.ssoAdmin.send(
      new ListAccountAssignmentsForPrincipalCommand({ InstanceArn: instance.arn, PrincipalId, PrincipalType: 'GROUP', NextToken }),
    );
    return { items: r.AccountAssignments, NextToken: r.NextToken };
  });
  return new Set(all.map((a) => `${a.AccountId} ${a.PermissionSetArn}`));
}
