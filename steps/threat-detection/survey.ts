import { change } from '../../src/kit/builders.js';
import type { PlannedChange, StepContext } from '../../src/kit/step.js';
import type { AccountRef } from '../../src/model.js';
import { trustedServices } from '../organization/index.js';
import { ACCESS_ANALYZER, GUARDDUTY, adminView, delegatedAdmins, detectorOf, guardDutyAdmins, organizationAnalyzers } from './live.js';

/** What apply does for each change. */
export type Operations = {
  'trusted-access': { principal: string };
  'guardduty-admin': { region: string; accountId: string };
  'analyzer-admin': { accountId: string };
  /** Creates the account's detector in the region, or enables the one there. */
  detector: { region: string; frequency: string };
  /** From the administrator: auto-enable for every account, new and existing. */
  'auto-enable': { region: string };
  /** From the administrator: makes these organization accounts members (CreateMembers enables org accounts). */
  members: { region: string; accounts: { AccountId: string; Email: string }[] };
  /** From the administrator: resumes GuardDuty in a member it suspended (StartMonitoringMembers). */
  resume: { region: string; accountId: string };
  analyzer: { name: string };
};

export type CheckKey = 'trustedAccess' | 'guarddutyAdmin' | 'detectors' | 'autoEnable' | 'members' | 'accessAnalyzer';

/** One thing that is off: the check that names it, in which account, and the change that puts it right. */
export interface Gap {
  check: CheckKey;
  account: AccountRef;
  problem: string;
  change: PlannedChange<Operations>;
}

export interface Wanted {
  tooling: AccountRef;
  regions: string[];
  analyzerName: string;
  frequency: string;
  /** Every account of the organization, with its email (CreateMembers needs it). */
  accounts: (AccountRef & { email: string })[];
}

const label = (a: AccountRef) => `${a.name} (${a.id})`;
const fields = (address: string, action: 'create' | 'update', after: unknown, summary: string) => ({
  address,
  action,
  before: action === 'create' ? null : false,
  after: after as never,
  risk: 'security' as const,
  summary,
});

/** Everything that is off, in the order apply must put it right: trusted access, administrators, detectors, members, the analyzer. */
export async function survey(ctx: StepContext<unknown>, w: Wanted): Promise<Gap[]> {
  const management = ctx.account;
  const gaps: Gap[] = [];
  const trusted = await trustedServices(ctx.aws);
  for (const principal of [GUARDDUTY, ACCESS_ANALYZER].filter((p) => !trusted.has(p))) {
    const problem = `trusted access for ${principal} is off in the organization`;
    const c = change(
      'trusted-access',
      { principal },
      fields(`organizations:service-access/${principal}`, 'create', true, `turn on trusted access for ${principal}`),
    );
    gaps.push({ check: 'trustedAccess', account: management, problem, change: c });
  }
  for (const region of w.regions) {
    const admins = await guardDutyAdmins(await ctx.inRegion(region));
    if (!admins.includes(w.tooling.id)) {
      const problem = `${label(w.tooling)} is not GuardDuty's delegated administrator in ${region}`;
      const summary = `make ${label(w.tooling)} GuardDuty's delegated administrator in ${region}`;
      const c = change(
        'guardduty-admin',
        { region, accountId: w.tooling.id },
        fields(`guardduty:${region}/admin`, 'create', w.tooling.id, summary),
      );
      gaps.push({ check: 'guarddutyAdmin', account: management, problem, change: c });
    }
  }
  if (!(await delegatedAdmins(ctx.aws, ACCESS_ANALYZER)).includes(w.tooling.id)) {
    const problem = `${label(w.tooling)} is not IAM Access Analyzer's delegated administrator`;
    const summary = `register ${label(w.tooling)} as IAM Access Analyzer's delegated administrator`;
    const c = change(
      'analyzer-admin',
      { accountId: w.tooling.id },
      fields('organizations:delegated-admin/access-analyzer', 'create', w.tooling.id, summary),
    );
    gaps.push({ check: 'accessAnalyzer', account: management, problem, change: c });
  }
  for (const region of w.regions) gaps.push(...(await regionGaps(ctx, w, region)));
  gaps.push(...(await analyzerGaps(ctx, w)));
  return gaps;
}

/** One account's own detector in a region: missing, or there and suspended. */
async function detectorGap(ctx: StepContext<unknown>, w: Wanted, account: AccountRef, region: string, member = false): Promise<Gap | null> {
  const detector = await detectorOf(await ctx.clientsIn(account, region));
  if (detector?.enabled) return null;
  // A member is suspended by its administrator, and only the administrator may resume it (GuardDuty user guide).
  if (detector && member) {
    const summary = `resume GuardDuty in ${label(account)} in ${region}, from ${label(w.tooling)}`;
    const c = change(
      'resume',
      { region, accountId: account.id },
      fields(`guardduty:${region}/members/${account.id}`, 'update', { Status: 'ENABLED' }, summary),
    );
    return {
      check: 'detectors',
      account,
      problem: `GuardDuty is suspended in ${label(account)} in ${region}`,
      change: { ...c, in: w.tooling },
    };
  }
  const problem = detector
    ? `GuardDuty is suspended in ${label(account)} in ${region}`
    : `GuardDuty has no detector in ${label(account)} in ${region}`;
  const summary = detector ? `resume GuardDuty in ${label(account)} in ${region}` : `turn on GuardDuty in ${label(account)} in ${region}`;
  const c = change(
    'detector',
    { region, frequency: w.frequency },
    fields(`guardduty:${region}/detector`, detector ? 'update' : 'create', { Enable: true }, summary),
  );
  return { check: 'detectors', account, problem, change: { ...c, in: account } };
}

/** In a region: the administrator's detector first, its organization settings, then every other account's detector. */
async function regionGaps(ctx: StepContext<unknown>, w: Wanted, region: string): Promise<Gap[]> {
  const gaps: Gap[] = [];
  const toolingGap = await detectorGap(ctx, w, w.tooling, region);
  if (toolingGap) gaps.push(toolingGap);
  const detector = toolingGap ? null : await detectorOf(await ctx.clientsIn(w.tooling, region));
  const others = w.accounts.filter((a) => a.id !== w.tooling.id);
  // Until the administrator is made and has its detector, it has no organization view: plan all of it.
  const admin = detector && (await guardDutyAdmins(await ctx.inRegion(region))).includes(w.tooling.id);
  const view = admin ? await adminView(await ctx.clientsIn(w.tooling, region), detector.id) : { autoEnable: 'NONE', members: [] };
  if (view.autoEnable !== 'ALL') {
    const problem = `GuardDuty does not enrol every account automatically in ${region} (auto-enable is ${view.autoEnable})`;
    const summary = `have GuardDuty enrol every account, new and existing, in ${region}`;
    const c = change(
      'auto-enable',
      { region },
      fields(`guardduty:${region}/organization-configuration`, admin ? 'update' : 'create', 'ALL', summary),
    );
    gaps.push({ check: 'autoEnable', account: w.tooling, problem, change: { ...c, in: w.tooling } });
  }
  const enabled = new Set(view.members.filter((m) => m.RelationshipStatus === 'Enabled').map((m) => m.AccountId));
  const missing = others.filter((a) => !enabled.has(a.id));
  if (missing.length > 0) {
    const problem = `${missing.map(label).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not GuardDuty members of ${label(w.tooling)} in ${region}`;
    const accounts = missing.map((a) => ({ AccountId: a.id, Email: a.email }));
    const summary = `enrol ${missing.map((a) => a.name).join(', ')} as GuardDuty members in ${region}`;
    const c = change(
      'members',
      { region, accounts },
      fields(
        `guardduty:${region}/members`,
        'create',
        accounts.map((a) => a.AccountId),
        summary,
      ),
    );
    gaps.push({ check: 'members', account: w.tooling, problem, change: { ...c, in: w.tooling } });
  }
  // The accounts side by side: the run's limits per service and account bound what is in flight.
  const detectors = await Promise.all(others.map((account) => detectorGap(ctx, w, account, region, enabled.has(account.id))));
  for (const gap of detectors) if (gap) gaps.push(gap);
  return gaps;
}

/** The organization analyzer in security-tooling, home region: any one is adopted, whatever its name. */
async function analyzerGaps(ctx: StepContext<unknown>, w: Wanted): Promise<Gap[]> {
  const analyzers = await organizationAnalyzers(await ctx.clientsIn(w.tooling, ctx.region));
  if (analyzers.some((a) => a.status === 'ACTIVE' || a.status === 'CREATING')) return [];
  const failed = analyzers[0];
  const problem = failed
    ? `the organization analyzer ${failed.name} in ${label(w.tooling)} is ${failed.status}`
    : `${label(w.tooling)} has no organization analyzer for external access in ${ctx.region}`;
  const summary = `create the organization analyzer ${w.analyzerName} in ${label(w.tooling)} in ${ctx.region}`;
  const c = change(
    'analyzer',
    { name: w.analyzerName },
    fields(`access-analyzer:${ctx.region}/${w.analyzerName}`, 'create', { type: 'ORGANIZATION' }, summary),
  );
  return [{ check: 'accessAnalyzer', account: w.tooling, problem, change: { ...c, in: w.tooling } }];
}
