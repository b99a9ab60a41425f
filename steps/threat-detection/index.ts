import { ConflictException, CreateAnalyzerCommand } from '@aws-sdk/client-accessanalyzer';
import {
  CreateDetectorCommand,
  CreateMembersCommand,
  EnableOrganizationAdminAccountCommand,
  StartMonitoringMembersCommand,
  UpdateDetectorCommand,
  UpdateOrganizationConfigurationCommand,
  type FindingPublishingFrequency,
} from '@aws-sdk/client-guardduty';
import { EnableAWSServiceAccessCommand, ListAccountsCommand, RegisterDelegatedAdministratorCommand } from '@aws-sdk/client-organizations';
import { list, object, string, type Infer } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { PreconditionError } from '../../src/errors.js';
import { allTokenPages } from '../../src/aws/iam-reads.js';
import { check, checks, manual, waitFor } from '../../src/kit/builders.js';
import { defineStep, type PlannedFinding, type StepContext } from '../../src/kit/step.js';
import { doneOn, type AccountRef } from '../../src/model.js';
import { accountFor } from '../member-accounts/index.js';
import { requireOrganization } from '../organization/preconditions.js';
import { ACCESS_ANALYZER, detectorOf } from './live.js';
import { survey, type CheckKey, type Operations, type Wanted } from './survey.js';

const answers = object(
  {
    regions: list(
      string({ description: 'A region name', pattern: /^[a-z]{2}(-[a-z]+)+-\d$/, patternHint: 'a region name such as eu-west-1' }),
      {
        description: 'Regions where GuardDuty runs in every account (the home region is always one of them)',
        optional: true,
      },
    ),
    analyzerName: string({
      description: 'Name of the organization analyzer for external access (an existing organization analyzer is kept, whatever its name)',
      pattern: /^[A-Za-z][A-Za-z0-9_.-]{0,254}$/,
      patternHint: 'a letter, then letters, digits, periods, underscores and hyphens',
      default: 'aws-groundwork-organization',
      advanced: true,
    }),
    findingFrequency: string({
      description: 'How often GuardDuty exports updated findings: FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS',
      pattern: /^(FIFTEEN_MINUTES|ONE_HOUR|SIX_HOURS)$/,
      patternHint: 'FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS',
      default: 'SIX_HOURS',
      advanced: true,
    }),
  },
  { description: 'GuardDuty in every account and region chosen, and an organization analyzer, run from the security-tooling account' },
);

type Ctx = StepContext<Infer<typeof answers>>;

const CHECKS = checks<CheckKey>({
  trustedAccess: {
    id: 'threat-detection.trusted-access',
    title: 'GuardDuty and IAM Access Analyzer have trusted access to the organization',
    remediation: 'Run `aws-groundwork apply` to turn on trusted access.',
  },
  guarddutyAdmin: {
    id: 'threat-detection.guardduty-admin',
    title: "The security-tooling account is GuardDuty's delegated administrator in every chosen region",
    remediation: 'Run `aws-groundwork apply` to make security-tooling the administrator.',
  },
  detectors: {
    id: 'threat-detection.guardduty-detectors',
    title: 'GuardDuty is enabled in every account in every chosen region',
    remediation: 'Run `aws-groundwork apply` to turn GuardDuty on or resume it.',
  },
  autoEnable: {
    id: 'threat-detection.guardduty-auto-enable',
    title: 'GuardDuty enrols every account of the organization automatically, new and existing',
    remediation: 'Run `aws-groundwork apply` to set auto-enable to ALL.',
  },
  members: {
    id: 'threat-detection.guardduty-members',
    title: 'Every account of the organization is a GuardDuty member of the security-tooling account',
    remediation: 'Run `aws-groundwork apply` to enrol them.',
  },
  accessAnalyzer: {
    id: 'threat-detection.access-analyzer',
    title: 'An IAM Access Analyzer organization analyzer for external access runs in the security-tooling account',
    remediation: 'Run `aws-groundwork apply` to register the administrator and create the analyzer.',
  },
});

/** The home region always, then the others chosen: the decision is to add it rather than refuse a list without it. */
const regionsOf = (ctx: Ctx) => [ctx.region, ...(ctx.answers.regions ?? []).filter((r) => r !== ctx.region)];

/**
 * Why nothing is done without a security-tooling account. Not an error: a founder who declined that account
 * in the wizard still gets the rest of the run, a note in the plan and a manual finding in verify.
 */
const NO_TOOLING =
  'threat detection needs a security-tooling account, and the organization has none: GuardDuty and IAM Access Analyzer are administered from there, not from the management account';
const ADD_TOOLING =
  'Add an account with `purpose: security-tooling` to steps.member-accounts.accounts (the wizard proposes one), then run `aws-groundwork apply`.';

/** The security-tooling account; null when the organization has none and the answers make none. */
async function toolingOf(ctx: Ctx): Promise<AccountRef | null> {
  const tooling = await accountFor(ctx, 'security-tooling');
  if (!tooling) return null;
  if (tooling.pending && !ctx.inRun('member-accounts')) {
    throw new PreconditionError(
      `the security-tooling account ${tooling.name} does not exist yet; run member-accounts first (leave it out of --skip, or add it to --only)`,
    );
  }
  return tooling;
}

/** Every account of the organization with its email (CreateMembers needs both). */
async function organizationAccounts(ctx: Ctx): Promise<Wanted['accounts']> {
  const known = await ctx.accounts();
  const listed = await allTokenPages(async (NextToken) => {
    const r = await ctx.aws.organizations.send(new ListAccountsCommand({ NextToken }));
    return { items: r.Accounts, NextToken: r.NextToken };
  });
  const emails = new Map<string, string>();
  for (const a of listed) if (a.Id && a.Email && a.Status === 'ACTIVE') emails.set(a.Id, a.Email);
  return known.filter((a) => !a.pending && emails.has(a.id)).map((a) => ({ ...a, email: emails.get(a.id) ?? '' }));
}

async function wanted(ctx: Ctx, tooling: AccountRef): Promise<Wanted> {
  const a = ctx.answers;
  return {
    tooling,
    regions: regionsOf(ctx),
    analyzerName: a.analyzerName,
    frequency: a.findingFrequency,
    accounts: await organizationAccounts(ctx),
  };
}

/** The administrator's detector id in a region: made by an earlier change of this apply. */
async function adminDetector(aws: AwsClients, region: string): Promise<string> {
  const detector = await detectorOf(aws);
  if (!detector) throw new Error(`the security-tooling account has no GuardDuty detector in ${region}`);
  return detector.id;
}

export default defineStep({
  id: 'threat-detection',
  title: 'Threat detection',
  description:
    'Turns on GuardDuty in every account and chosen region, administered from the security-tooling account with every account enrolled automatically, and an IAM Access Analyzer organization analyzer for external access.',
  checks: CHECKS.list,
  scope: 'management',
  answers,
  permissions: {
    read: [
      'organizations:DescribeOrganization',
      'organizations:ListAccounts',
      'organizations:ListAWSServiceAccessForOrganization',
      'organizations:ListDelegatedAdministrators',
      'guardduty:ListDetectors',
      'guardduty:GetDetector',
      'guardduty:ListOrganizationAdminAccounts',
      'guardduty:DescribeOrganizationConfiguration',
      'guardduty:ListMembers',
      'access-analyzer:ListAnalyzers',
    ],
    apply: [
      'organizations:EnableAWSServiceAccess',
      'organizations:RegisterDelegatedAdministrator',
      'guardduty:CreateDetector',
      'guardduty:UpdateDetector',
      'guardduty:EnableOrganizationAdminAccount',
      'guardduty:UpdateOrganizationConfiguration',
      'guardduty:CreateMembers',
      'guardduty:StartMonitoringMembers',
      'access-analyzer:CreateAnalyzer',
    ],
    // EnableOrganizationAdminAccount enables trusted access and registers the administrator itself; a
    // detector and an organization analyzer make their service-linked roles; members are reached through their admin role.
    implied: [
      'organizations:DescribeOrganizationalUnit',
      'organizations:DescribeAccount',
      'iam:CreateServiceLinkedRole',
      'iam:GetRole',
      'sts:AssumeRole',
    ],
  },

  async plan(ctx) {
    await requireOrganization(ctx, { what: 'threat detection' });
    const tooling = await toolingOf(ctx);
    if (!tooling) {
      ctx.note(`Nothing planned: ${NO_TOOLING}. ${ADD_TOOLING}`);
      return [];
    }
    const pending = (await ctx.accounts()).filter((a) => a.pending);
    const first = tooling.pending ? tooling : pending[pending.length - 1];
    if (first) {
      return [
        waitFor<Operations>(first, {
          address: 'threat-detection:organization',
          summary: `turn on GuardDuty and the organization analyzer once ${first.name} exists; planned in detail then`,
          risk: 'security',
        }),
      ];
    }
    return (await survey(ctx, await wanted(ctx, tooling))).map((g) => g.change);
  },

  apply: {
    async 'trusted-access'(ctx, { principal }: Operations['trusted-access']) {
      await ctx.aws.organizations.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: principal }));
    },
    async 'guardduty-admin'(ctx, { region, accountId }: Operations['guardduty-admin']) {
      const aws = await ctx.inRegion(region);
      await doneOn('BadRequestException')(() =>
        aws.guardduty.send(new EnableOrganizationAdminAccountCommand({ AdminAccountId: accountId })),
      );
    },
    async 'analyzer-admin'(ctx, { accountId }: Operations['analyzer-admin']) {
      await doneOn('AccountAlreadyRegisteredException')(() =>
        ctx.aws.organizations.send(new RegisterDelegatedAdministratorCommand({ AccountId: accountId, ServicePrincipal: ACCESS_ANALYZER })),
      );
    },
    async detector(ctx, { region, frequency }: Operations['detector'], change) {
      const aws = await ctx.clientsIn(change.account, region);
      const existing = await detectorOf(aws);
      if (existing) {
        await aws.guardduty.send(new UpdateDetectorCommand({ DetectorId: existing.id, Enable: true }));
        return;
      }
      const input = { Enable: true, FindingPublishingFrequency: frequency as FindingPublishingFrequency };
      await doneOn('BadRequestException')(() => aws.guardduty.send(new CreateDetectorCommand(input)));
    },
    async 'auto-enable'(ctx, { region }: Operations['auto-enable'], change) {
      const aws = await ctx.clientsIn(change.account, region);
      const DetectorId = await adminDetector(aws, region);
      await aws.guardduty.send(new UpdateOrganizationConfigurationCommand({ DetectorId, AutoEnableOrganizationMembers: 'ALL' }));
    },
    async members(ctx, { region, accounts }: Operations['members'], change) {
      const aws = await ctx.clientsIn(change.account, region);
      const DetectorId = await adminDetector(aws, region);
      await aws.guardduty.send(new CreateMembersCommand({ DetectorId, AccountDetails: accounts }));
    },
    async resume(ctx, { region, accountId }: Operations['resume'], change) {
      const aws = await ctx.clientsIn(change.account, region);
      const DetectorId = await adminDetector(aws, region);
      await aws.guardduty.send(new StartMonitoringMembersCommand({ DetectorId, AccountIds: [accountId] }));
    },
    async analyzer(ctx, { name }: Operations['analyzer'], change) {
      const aws = await ctx.clientsIn(change.account);
      try {
        await aws.accessAnalyzer.send(new CreateAnalyzerCommand({ analyzerName: name, type: 'ORGANIZATION' }));
      } catch (err) {
        if (!(err instanceof ConflictException)) throw err;
      }
    },
  },

  async verify(ctx) {
    const tooling = await toolingOf(ctx);
    // One finding per control left open (GuardDuty everywhere, the analyzer), not one per check of the step.
    if (!tooling)
      return [CHECKS.detectors, CHECKS.accessAnalyzer].map((c) => manual(c, 'threat-detection:security-tooling', NO_TOOLING, ADD_TOOLING));
    const pending = (await ctx.accounts()).some((a) => a.pending);
    if (tooling.pending || pending) {
      const reason = 'an account of the organization is not made yet: `aws-groundwork apply` makes it and turns on threat detection there';
      return CHECKS.list.map((c) => check(c, 'threat-detection', reason, ''));
    }
    const gaps = await survey(ctx, await wanted(ctx, tooling));
    const findings: PlannedFinding[] = [];
    for (const key of Object.keys(CHECKS).filter((k) => k !== 'list') as CheckKey[]) {
      const mine = gaps.filter((g) => g.check === key);
      findings.push(
        check(
          CHECKS[key],
          `threat-detection:${key}`,
          mine.map((g) => g.problem),
          `${CHECKS[key].title}`,
        ),
      );
    }
    return findings;
  },
});
