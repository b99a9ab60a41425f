import {
  ListAccountsCommand,
  ListCreateAccountStatusCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  type Account,
  type CreateAccountStatus,
} from '@aws-sdk/client-organizations';
import type { AwsClients } from '../../src/aws/clients.js';
import { allTokenPages } from '../../src/aws/iam-reads.js';
import { absentOn } from '../../src/model.js';

/** The tag that names a member's environment (dev, staging, prod). */
export const ENV_TAG = 'environment';

export function allAccounts(aws: AwsClients): Promise<Account[]> {
  return allTokenPages(async (NextToken) => {
    const r = await aws.organizations.send(new ListAccountsCommand({ NextToken }));
    return { items: r.Accounts, NextToken: r.NextToken };
  });
}

/** Accounts are found again by email, which AWS keeps unique (case aside); their names may change. */
export const byEmail = (accounts: Account[], email: string) => accounts.find((a) => a.Email?.toLowerCase() === email.toLowerCase());

export async function rootId(aws: AwsClients): Promise<string> {
  const r = await aws.organizations.send(new ListRootsCommand({}));
  const id = r.Roots?.[0]?.Id;
  if (!id) throw new Error('the organization has no root; run the organization step first');
  return id;
}

/** The OUs directly under `parentId`, by name. */
export async function ousUnder(aws: AwsClients, parentId: string): Promise<Map<string, string>> {
  const ous = await allTokenPages(async (NextToken) => {
    const r = await aws.organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken }));
    return { items: r.OrganizationalUnits, NextToken: r.NextToken };
  });
  return new Map(ous.filter((ou) => ou.Name && ou.Id).map((ou) => [ou.Name as string, ou.Id as string]));
}

export async function parentOf(aws: AwsClients, accountId: string): Promise<string | undefined> {
  return (await aws.organizations.send(new ListParentsCommand({ ChildId: accountId }))).Parents?.[0]?.Id;
}

export async function envTag(aws: AwsClients, accountId: string): Promise<string | undefined> {
  const r = await aws.organizations.send(new ListTagsForResourceCommand({ ResourceId: accountId }));
  return r.Tags?.find((t) => t.Key === ENV_TAG)?.Value;
}

/** Requests still running, e.g. from a run that was interrupted right after CreateAccount returned. */
export function inProgress(aws: AwsClients): Promise<CreateAccountStatus[]> {
  return allTokenPages(async (NextToken) => {
    const r = await aws.organizations.send(new ListCreateAccountStatusCommand({ States: ['IN_PROGRESS'], NextToken }));
    return { items: r.CreateAccountStatuses, NextToken: r.NextToken };
  });
}

/** Whether the organization is there to hold accounts (on a fresh account, the organization step makes it). */
export async function organizationExists(aws: AwsClients): Promise<boolean> {
  return (await absentOn('AWSOrganizationsNotInUse')(() => aws.organizations.send(new ListRootsCommand({})))) !== null;
}
