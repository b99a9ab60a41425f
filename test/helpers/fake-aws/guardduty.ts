/**
 * Amazon GuardDuty, regional: one detector per account and region (`detectors`, by `<account>|<region>`),
 * and one delegated administrator per region (`guarddutyAdmins`).
 * - every error is a BadRequestException, as GuardDuty answers: a second detector, a detector id that is
 *   not the caller's, an administrator call from an account that is not the region's administrator.
 * - EnableOrganizationAdminAccount and ListOrganizationAdminAccounts: the management account only, with an
 *   organization; enabling turns on trusted access for guardduty.amazonaws.com and registers the account
 *   as the service's delegated administrator, as AWS does.
 * - CreateMembers with organization accounts makes them Enabled members; like the emulator, the member's
 *   own detector is not made (AWS makes it, eventually). Auto-enable does not enrol anyone by itself.
 * - a member whose administrator has auto-enable ALL may not disable its own detector (UpdateDetector
 *   Enable false); StartMonitoringMembers / StopMonitoringMembers from the administrator resume or suspend it.
 * - ListDetectors and ListMembers answer pages of at most `pageSize`, NextToken an offset.
 */
import { BadRequestException } from '@aws-sdk/client-guardduty';
import { meta, type Call, type HandlerTable } from './shared.js';
import type { FakeDetector, FakeState } from './state.js';

const bad = (message: string) => new BadRequestException({ message, Message: message, Type: 'InvalidInputException', ...meta });
const key = (account: string, region: string) => `${account}|${region}`;

function page<T>(s: FakeState, items: T[], token: unknown, max: unknown): { items: T[]; NextToken?: string } {
  const start = Number(token ?? 0);
  const size = Math.min(s.pageSize, Number(max ?? s.pageSize));
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { NextToken: String(end) } : {}) };
}

/** The caller's detector, by the id it names. */
function own({ s, i, ctx, region }: Call): FakeDetector {
  const d = s.detectors.get(key(ctx.account, region));
  if (!d || d.DetectorId !== i.DetectorId)
    throw bad('The request is rejected because the input detectorId is not owned by the current account.');
  return d;
}

/** The caller's detector, when the caller is the region's delegated administrator. */
function asAdmin(call: Call): FakeDetector {
  const d = own(call);
  if (call.s.guarddutyAdmins.get(call.region) !== call.ctx.account) {
    throw bad('The request is rejected because the current account is not the GuardDuty delegated administrator.');
  }
  return d;
}

function fromManagement({ s, ctx }: Call): void {
  if (!s.org || s.org.MasterAccountId !== ctx.account) {
    throw bad('The request is rejected because the current account is not the management account of an organization.');
  }
}

/** The administrator that manages `account` in `region`, if any. */
function adminOf(s: FakeState, account: string, region: string): FakeDetector | undefined {
  const admin = s.guarddutyAdmins.get(region);
  const d = admin ? s.detectors.get(key(admin, region)) : undefined;
  return d?.members.get(account)?.RelationshipStatus === 'Enabled' ? d : undefined;
}

export const GUARDDUTY_HANDLERS: HandlerTable = {
  'guardduty:ListDetectors': ({ s, i, ctx, region }) => {
    const d = s.detectors.get(key(ctx.account, region));
    const { items, NextToken } = page(s, d ? [d.DetectorId] : [], i.NextToken, i.MaxResults);
    return { DetectorIds: items, ...(NextToken ? { NextToken } : {}) };
  },
  'guardduty:GetDetector': (call) => {
    const d = own(call);
    return { Status: d.Status, FindingPublishingFrequency: d.FindingPublishingFrequency, ServiceRole: 'AWSServiceRoleForAmazonGuardDuty' };
  },
  'guardduty:CreateDetector': ({ s, i, ctx, region }) => {
    if (s.detectors.has(key(ctx.account, region)))
      throw bad('The request is rejected because a detector already exists for the current account.');
    const DetectorId = `${String(s.nextDetectorNumber++).padStart(4, '0')}${ctx.account}${region.replaceAll('-', '')}`.slice(0, 32);
    const frequency = (i.FindingPublishingFrequency as string | undefined) ?? 'SIX_HOURS';
    s.detectors.set(key(ctx.account, region), {
      DetectorId,
      Status: i.Enable === false ? 'DISABLED' : 'ENABLED',
      FindingPublishingFrequency: frequency,
      autoEnable: 'NONE',
      members: new Map(),
    });
    return { DetectorId };
  },
  'guardduty:UpdateDetector': (call) => {
    const d = own(call);
    if (call.i.Enable === false && adminOf(call.s, call.ctx.account, call.region)?.autoEnable === 'ALL') {
      throw bad('The request is rejected because a member account cannot disable GuardDuty while its administrator auto-enables ALL.');
    }
    if (typeof call.i.Enable === 'boolean') d.Status = call.i.Enable ? 'ENABLED' : 'DISABLED';
    if (typeof call.i.FindingPublishingFrequency === 'string') d.FindingPublishingFrequency = call.i.FindingPublishingFrequency;
    return {};
  },
  'guardduty:EnableOrganizationAdminAccount': (call) => {
    fromManagement(call);
    const { s, i, region } = call;
    const id = String(i.AdminAccountId);
    if (!s.orgAccounts.has(id)) throw bad(`The request is rejected because the account ${id} is not a member of the organization.`);
    const current = s.guarddutyAdmins.get(region);
    if (current) throw bad(`The request is rejected because the account ${current} is already the delegated administrator.`);
    s.guarddutyAdmins.set(region, id);
    s.serviceAccess.add('guardduty.amazonaws.com');
    s.delegatedAdmins.set('guardduty.amazonaws.com', new Set([...(s.delegatedAdmins.get('guardduty.amazonaws.com') ?? []), id]));
    return {};
  },
  'guardduty:ListOrganizationAdminAccounts': (call) => {
    fromManagement(call);
    const admin = call.s.guarddutyAdmins.get(call.region);
    return { AdminAccounts: admin ? [{ AdminAccountId: admin, AdminStatus: 'ENABLED' }] : [] };
  },
  'guardduty:DescribeOrganizationConfiguration': (call) => {
    const d = asAdmin(call);
    return { AutoEnable: d.autoEnable !== 'NONE', AutoEnableOrganizationMembers: d.autoEnable, MemberAccountLimitReached: false };
  },
  'guardduty:UpdateOrganizationConfiguration': (call) => {
    const d = asAdmin(call);
    const wanted = call.i.AutoEnableOrganizationMembers ?? (call.i.AutoEnable ? 'NEW' : 'NONE');
    if (!['ALL', 'NEW', 'NONE'].includes(String(wanted))) throw bad('AutoEnableOrganizationMembers must be ALL, NEW or NONE.');
    d.autoEnable = wanted as FakeDetector['autoEnable'];
    return {};
  },
  'guardduty:CreateMembers': (call) => {
    const d = asAdmin(call);
    const unprocessed: { AccountId: string; Result: string }[] = [];
    for (const a of (call.i.AccountDetails ?? []) as { AccountId: string; Email?: string }[]) {
      const org = call.s.orgAccounts.get(a.AccountId);
      if (!org || a.AccountId === call.ctx.account) {
        unprocessed.push({ AccountId: a.AccountId, Result: 'The account is not an account of the organization, or is the administrator.' });
        continue;
      }
      d.members.set(a.AccountId, { AccountId: a.AccountId, Email: org.Email, RelationshipStatus: 'Enabled' });
    }
    return { UnprocessedAccounts: unprocessed };
  },
  'guardduty:ListMembers': (call) => {
    const d = asAdmin(call);
    const all = [...d.members.values()].filter((m) => call.i.OnlyAssociated === 'false' || m.RelationshipStatus === 'Enabled');
    const { items, NextToken } = page(call.s, all, call.i.NextToken, call.i.MaxResults);
    return {
      Members: items.map((m) => ({ ...m, MasterId: call.ctx.account, AdministratorId: call.ctx.account })),
      ...(NextToken ? { NextToken } : {}),
    };
  },
  'guardduty:StartMonitoringMembers': (call) => monitor(call, 'ENABLED'),
  'guardduty:StopMonitoringMembers': (call) => monitor(call, 'DISABLED'),
};

/** Resumes or suspends members' detectors, from their administrator. */
function monitor(call: Call, status: FakeDetector['Status']) {
  const d = asAdmin(call);
  const unprocessed: { AccountId: string; Result: string }[] = [];
  for (const id of (call.i.AccountIds ?? []) as string[]) {
    const member = call.s.detectors.get(key(id, call.region));
    if (!d.members.has(id) || !member) unprocessed.push({ AccountId: id, Result: 'The account is not a member with a detector.' });
    else member.Status = status;
  }
  return { UnprocessedAccounts: unprocessed };
}
