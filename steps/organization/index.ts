import {
  CreateOrganizationCommand,
  DescribeOrganizationCommand,
  EnableAWSServiceAccessCommand,
  ListAWSServiceAccessForOrganizationCommand,
  type Organization,
} from '@aws-sdk/client-organizations';
import {
  EnableOrganizationsRootCredentialsManagementCommand,
  EnableOrganizationsRootSessionsCommand,
  ListOrganizationsFeaturesCommand,
} from '@aws-sdk/client-iam';
import { object } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { allTokenPages } from '../../src/aws/iam-reads.js';
import { isAwsError } from '../../src/engine/errors.js';
import { defineStep, type Change, type Finding, type StepContext } from '../../src/engine/types.js';

const STEP = 'organization';

/** Services that need trusted access: the organization trail, centralized root access, member contacts. */
export const TRUSTED_SERVICES = ['cloudtrail.amazonaws.com', 'iam.amazonaws.com', 'account.amazonaws.com'] as const;
/** Centralized root access: member accounts are then created without root credentials. */
export const ROOT_FEATURES = ['RootCredentialsManagement', 'RootSessions'] as const;

type Ctx = StepContext<Record<string, never>>;

/** The caller's organization, or null when the account belongs to none. */
export async function describeOrganization(aws: AwsClients): Promise<Organization | null> {
  try {
    return (await aws.organizations.send(new DescribeOrganizationCommand({}))).Organization ?? null;
  } catch (err) {
    if (isAwsError(err, 'AWSOrganizationsNotInUse')) return null;
    throw err;
  }
}

/** Raised when the account's organization cannot be adopted; says what is wrong and the fix. */
export class OrganizationMismatchError extends Error {
  override name = 'OrganizationMismatchError';
}

function checkAdoptable(org: Organization, accountId: string): void {
  if (org.MasterAccountId !== accountId) {
    throw new OrganizationMismatchError(
      `this account (${accountId}) is a member of organization ${org.Id}, managed by account ${org.MasterAccountId}. ` +
        `Run aws-groundwork with credentials of the management account ${org.MasterAccountId}. Nothing was changed.`,
    );
  }
  if (org.FeatureSet !== 'ALL') {
    throw new OrganizationMismatchError(
      `organization ${org.Id} has only consolidated billing (FeatureSet ${org.FeatureSet}); the trail, centralized root access and ` +
        'policies need all features. Enable them: AWS Organizations console > Settings > "Begin process to enable all features" ' +
        '(every member account must approve), then run again. Nothing was changed.',
    );
  }
}

async function trustedServices(aws: AwsClients): Promise<Set<string>> {
  const enabled = await allTokenPages(async (NextToken) => {
    const r = await aws.organizations.send(new ListAWSServiceAccessForOrganizationCommand({ NextToken }));
    return { items: r.EnabledServicePrincipals, NextToken: r.NextToken };
  });
  return new Set(enabled.flatMap((s) => (s.ServicePrincipal ? [s.ServicePrincipal] : [])));
}

async function rootFeatures(aws: AwsClients): Promise<Set<string>> {
  const r = await aws.iam.send(new ListOrganizationsFeaturesCommand({}));
  return new Set(r.EnabledFeatures ?? []);
}

export default defineStep({
  id: STEP,
  title: 'Organization',
  description:
    'Creates (or adopts) an AWS organization with all features, trusted access for CloudTrail, IAM and Account, and centralized root access.',
  checks: [
    { id: 'organization.all-features', title: 'The account manages an organization with all features' },
    { id: 'organization.trusted-access', title: 'Trusted access for cloudtrail, iam and account is enabled' },
    { id: 'organization.centralized-root-access', title: 'Centralized root access: root credentials management and root sessions are on' },
  ],
  scope: 'management',
  answers: object({}, { description: 'The AWS organization (nothing to answer)' }),
  permissions: {
    read: ['organizations:DescribeOrganization', 'organizations:ListAWSServiceAccessForOrganization', 'iam:ListOrganizationsFeatures'],
    apply: [
      'organizations:CreateOrganization',
      'organizations:EnableAWSServiceAccess',
      'iam:EnableOrganizationsRootCredentialsManagement',
      'iam:EnableOrganizationsRootSessions',
    ],
    // CreateOrganization and EnableAWSServiceAccess create service-linked roles as the caller.
    implied: ['iam:CreateServiceLinkedRole'],
  },

  async suggest(ctx) {
    const org = await describeOrganization(ctx.aws);
    if (!org) return { facts: ['Organization: none yet (this run can create one)'] };
    const mine = org.MasterAccountId === ctx.account.id;
    return {
      facts: [
        mine
          ? `Organization: ${org.Id}, managed by this account, ${org.FeatureSet === 'ALL' ? 'all features' : `feature set ${org.FeatureSet}`}`
          : `Organization: this account is a member of ${org.Id}, managed by ${org.MasterAccountId}`,
      ],
    };
  },

  async plan(ctx: Ctx): Promise<Change[]> {
    const org = await describeOrganization(ctx.aws);
    const change = (address: string, summary: string, after: Record<string, string>): Change => ({
      step: STEP,
      account: ctx.account,
      address,
      action: 'create',
      before: null,
      after,
      risk: 'security',
      summary,
    });
    const changes: Change[] = [];
    if (org === null) {
      changes.push(change('organizations:organization', 'create an organization with all features, managed by this account', { FeatureSet: 'ALL' }));
    } else {
      checkAdoptable(org, ctx.account.id);
      ctx.note(`using the existing organization ${org.Id} (all features, managed by this account)`);
    }
    const trusted = org === null ? new Set<string>() : await trustedServices(ctx.aws);
    for (const service of TRUSTED_SERVICES) {
      if (!trusted.has(service)) {
        changes.push(change(`organizations:trusted-access/${service}`, `enable trusted access for ${service}`, { ServicePrincipal: service }));
      }
    }
    // Readable only once the organization exists and IAM has trusted access.
    const features = org !== null && trusted.has('iam.amazonaws.com') ? await rootFeatures(ctx.aws) : new Set<string>();
    for (const feature of ROOT_FEATURES) {
      if (!features.has(feature)) {
        changes.push(
          change(
            `iam:organizations-feature/${feature}`,
            feature === 'RootCredentialsManagement'
              ? 'turn on centralized root credentials management (new member accounts get no root credentials)'
              : 'turn on centralized root sessions (privileged root tasks on members from this account)',
            { Feature: feature },
          ),
        );
      }
    }
    return changes;
  },

  async apply(ctx: Ctx, change: Change): Promise<void> {
    const after = change.after as Record<string, string>;
    if (change.address === 'organizations:organization') {
      try {
        await ctx.aws.organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
      } catch (err) {
        if (!isAwsError(err, 'AlreadyInOrganization')) throw err;
        // Created by an interrupted run, or by someone meanwhile: adopt it only if it is ours.
        const org = await describeOrganization(ctx.aws);
        if (org) checkAdoptable(org, ctx.account.id);
      }
      return;
    }
    if (after.ServicePrincipal) {
      await ctx.aws.organizations.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: after.ServicePrincipal }));
      return;
    }
    if (after.Feature === 'RootCredentialsManagement') {
      await ctx.aws.iam.send(new EnableOrganizationsRootCredentialsManagementCommand({}));
    } else {
      await ctx.aws.iam.send(new EnableOrganizationsRootSessionsCommand({}));
    }
  },

  async verify(ctx: Ctx): Promise<Finding[]> {
    const base = { step: STEP, account: ctx.account };
    const org = await describeOrganization(ctx.aws);
    let orgProblem: string | null = null;
    if (org === null) orgProblem = 'the account is in no organization';
    else {
      try {
        checkAdoptable(org, ctx.account.id);
      } catch (err) {
        orgProblem = (err as Error).message;
      }
    }
    const findings: Finding[] = [
      {
        ...base,
        check: 'organization.all-features',
        resource: org?.Arn ?? 'organizations:organization',
        status: orgProblem ? 'fail' : 'pass',
        reason: orgProblem ?? `organization ${org?.Id} has all features and is managed by this account`,
        remediation: orgProblem ? 'Run `aws-groundwork apply` from the management account.' : '',
      },
    ];
    if (orgProblem) return findings;
    const trusted = await trustedServices(ctx.aws);
    const missing = TRUSTED_SERVICES.filter((s) => !trusted.has(s));
    findings.push({
      ...base,
      check: 'organization.trusted-access',
      resource: 'organizations:trusted-access',
      status: missing.length ? 'fail' : 'pass',
      reason: missing.length ? `trusted access is off for ${missing.join(', ')}` : `trusted access is on for ${TRUSTED_SERVICES.join(', ')}`,
      remediation: missing.length ? 'Run `aws-groundwork apply` to enable it.' : '',
    });
    const features = trusted.has('iam.amazonaws.com') ? await rootFeatures(ctx.aws) : new Set<string>();
    const off = ROOT_FEATURES.filter((f) => !features.has(f));
    findings.push({
      ...base,
      check: 'organization.centralized-root-access',
      resource: 'iam:organizations-features',
      status: off.length ? 'fail' : 'pass',
      reason: off.length ? `centralized root access is off: ${off.join(', ')}` : 'centralized root access is on (root credentials management and root sessions)',
      remediation: off.length ? 'Run `aws-groundwork apply` to turn it on.' : '',
    });
    return findings;
  },
});
