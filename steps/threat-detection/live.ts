import { ListAnalyzersCommand, type AnalyzerSummary } from '@aws-sdk/client-accessanalyzer';
import {
  DescribeOrganizationConfigurationCommand,
  GetDetectorCommand,
  ListDetectorsCommand,
  ListMembersCommand,
  ListOrganizationAdminAccountsCommand,
  type Member,
} from '@aws-sdk/client-guardduty';
import { ListDelegatedAdministratorsCommand } from '@aws-sdk/client-organizations';
import type { AwsClients } from '../../src/aws/clients.js';
import { allTokenPages } from '../../src/aws/iam-reads.js';

/** The services that need trusted access, and the principal Access Analyzer's delegated administrator is registered for. */
export const GUARDDUTY = 'guardduty.amazonaws.com';
export const ACCESS_ANALYZER = 'access-analyzer.amazonaws.com';

/** The account's one GuardDuty detector in the clients' region (AWS allows one per account and region), with its status. */
export async function detectorOf(aws: AwsClients): Promise<{ id: string; enabled: boolean } | null> {
  const ids = await allTokenPages(async (NextToken) => {
    const r = await aws.guardduty.send(new ListDetectorsCommand({ NextToken }));
    return { items: r.DetectorIds, NextToken: r.NextToken };
  });
  const id = ids[0];
  if (!id) return null;
  const d = await aws.guardduty.send(new GetDetectorCommand({ DetectorId: id }));
  return { id, enabled: d.Status === 'ENABLED' };
}

/** GuardDuty's delegated administrator in the clients' region (read from the management account), enabled ones only. */
export async function guardDutyAdmins(aws: AwsClients): Promise<string[]> {
  const admins = await allTokenPages(async (NextToken) => {
    const r = await aws.guardduty.send(new ListOrganizationAdminAccountsCommand({ NextToken }));
    return { items: r.AdminAccounts, NextToken: r.NextToken };
  });
  return admins.filter((a) => a.AdminStatus === 'ENABLED').flatMap((a) => (a.AdminAccountId ? [a.AdminAccountId] : []));
}

/** Organizations' delegated administrators for a service principal. */
export async function delegatedAdmins(aws: AwsClients, principal: string): Promise<string[]> {
  const admins = await allTokenPages(async (NextToken) => {
    const r = await aws.organizations.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: principal, NextToken }));
    return { items: r.DelegatedAdministrators, NextToken: r.NextToken };
  });
  return admins.flatMap((a) => (a.Id ? [a.Id] : []));
}

/** The administrator's view: who auto-enable reaches, and each member's relationship (associated or not). */
export async function adminView(aws: AwsClients, detectorId: string): Promise<{ autoEnable: string; members: Member[] }> {
  const config = await aws.guardduty.send(new DescribeOrganizationConfigurationCommand({ DetectorId: detectorId }));
  const members = await allTokenPages(async (NextToken) => {
    const r = await aws.guardduty.send(new ListMembersCommand({ DetectorId: detectorId, OnlyAssociated: 'false', NextToken }));
    return { items: r.Members, NextToken: r.NextToken };
  });
  return { autoEnable: config.AutoEnableOrganizationMembers ?? (config.AutoEnable ? 'NEW' : 'NONE'), members };
}

/** The account's organization analyzers in the clients' region: AWS allows one per zone of trust, whatever its name. */
export async function organizationAnalyzers(aws: AwsClients): Promise<AnalyzerSummary[]> {
  return allTokenPages(async (token) => {
    const r = await aws.accessAnalyzer.send(new ListAnalyzersCommand({ type: 'ORGANIZATION', nextToken: token }));
    return { items: r.analyzers, NextToken: r.nextToken };
  });
}
