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
import { change, check, checks } from '../../src/kit/builders.js';
import { defineStep } from '../../src/kit/step.js';
import { absentOn, doneOn } from '../../src/model.js';

/** Services that need trusted access: the organization trail, centralized root access, member contacts. */
export const TRUSTED_SERVICES = ['cloudtrail.amazonaws.com', 'iam.amazonaws.com', 'account.amazonaws.com'] as const;
/** Centralized root access: member accounts are then created without root credentials. */
export const ROOT_FEATURES = ['RootCredentialsManagement', 'RootSessions'] as const;
export type RootFeature = (typeof ROOT_FEATURES)[number];

/**
 * The value (see `Unknown`) that creating the organization makes: changes planned on a fresh account
 * (the org-trail's bucket policies) hold its placeholder until this step's apply learns it.
 */
export const ORGANIZATION_ID_VALUE = 'organization id';

const CHECKS = checks({
  allFeatures: {
    id: 'organization.all-features',
    title: 'The account manages an organization with all features',
    remediation: 'Run `aws-groundwork apply` from the management account.',
  },
  trustedAccess: {
    id: 'organization.trusted-access',
    title: 'Trusted access for cloudtrail, iam and account is enabled',
    remediation: 'Run `aws-groundwork apply` to enable it.',
  },
  rootAccess: {
    id: 'organization.centralized-root-access',
    title: 'Centralized root access: root credentials management and root sessions are on',
    remediation: 'Run `aws-groundwork apply` to turn it on.',
  },
});

type Operations = {
  /** CreateOrganization with all features, or adopting the one an interrupted run made. */
  'create-organization': null;
  'enable-trusted-access': { service: string };
  'enable-root-feature': { feature: RootFeature };
};

/** The caller's organization, or null when the account belongs to none. */
export async function describeOrganization(aws: AwsClients): Promise<Organization | null> {
  const read = await absentOn('AWSOrganizationsNotInUse')(() => aws.organizations.send(new DescribeOrganizationCommand({})));
  return read?.Organization ?? null;
}

/** Raised when the account's organization cannot be adopted; says what is wrong and the fix. */
export class OrganizationMismatchError extends Error {
  override name = 'OrganizationMismatchError';
}

/** Why this account cannot adopt the organization (it is a member, or billing only), or null. */
export function mismatch(org: Organization, accountId: string): string | null {
  if (org.MasterAccountId !== accountId) {
    return (
      `this account (${accountId}) is a member of organization ${org.Id}, managed by account ${org.MasterAccountId}. ` +
      `Run aws-groundwork with credentials of the management account ${org.MasterAccountId}. Nothing was changed.`
    );
  }
  if (org.FeatureSet !== 'ALL') {
    return (
      `organization ${org.Id} has only consolidated billing (FeatureSet ${org.FeatureSet}); the trail, centralized root access and ` +
      'policies need all features. Enable them: AWS Organizations console > Settings > "Begin process to enable all features" ' +
      '(every member account must approve), then run again. Nothing was changed.'
    );
  }
  return null;
}

function checkAdoptable(org: Organization, accountId: string): void {
  const problem = mismatch(org, accountId);
  if (problem) throw new OrganizationMismatchError(problem);
}

export async function trustedServices(aws: AwsClients): Promise<Set<string>> {
  const enabled = await allTokenPages(async (NextToken) => {
    const r = await aws.organizations.send(new ListAWSServiceAccessForOrganizationCommand({ NextToken }));
    return { items: r.EnabledServicePrincipals, NextToken: r.NextToken };
  });
  return new Set(enabled.flatMap((s) => (s.ServicePrincipal ? [s.ServicePrincipal] : [])));
}

export async function rootFeatures(aws: AwsClients): Promise<Set<string>> {
  const r = await aws.iam.send(new ListOrganizationsFeaturesCommand({}));
  return new Set(r.EnabledFeatures ?? []);
}

const FEATURE_SUMMARY: Record<RootFeature, string> = {
  RootCredentialsManagement: 'turn on centralized root credentials management (new member accounts get no root credentials)',
  RootSessions: 'turn on centralized root sessions (privileged root tasks on members from this account)',
};

/** Every one of these changes creates something that adds protection, planned only while it is missing. */
const fields = (address: string, summary: string, after: Record<string, string>) =>
  ({ address, action: 'create', before: null, after, risk: 'security', summary }) as const;

export default defineStep({
  id: 'organization',
  title: 'Organization',
  description:
    'Creates (or adopts) an AWS organization with all features, trusted access for CloudTrail, IAM and Account, and centralized root access.',
  checks: CHECKS.list,
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
    if (!org) {
      const notes = { '': ['The account has no organization yet: the plan creates one with all features.'] };
      return { facts: ['Organization: none yet (this run can create one)'], notes };
    }
    const mine = org.MasterAccountId === ctx.account.id;
    return {
      facts: [
        mine
          ? `Organization: ${org.Id}, managed by this account, ${org.FeatureSet === 'ALL' ? 'all features' : `feature set ${org.FeatureSet}`}`
          : `Organization: this account is a member of ${org.Id}, managed by ${org.MasterAccountId}`,
      ],
    };
  },

  async plan(ctx) {
    const org = await describeOrganization(ctx.aws);
    const changes = [];
    if (org === null) {
      const summary = 'create an organization with all features, managed by this account';
      changes.push(change('create-organization', null, fields('organizations:organization', summary, { FeatureSet: 'ALL' })));
    } else {
      checkAdoptable(org, ctx.account.id);
      ctx.note(`using the existing organization ${org.Id} (all features, managed by this account)`);
    }
    const trusted = org === null ? new Set<string>() : await trustedServices(ctx.aws);
    for (const service of TRUSTED_SERVICES.filter((s) => !trusted.has(s))) {
      const planned = fields(`organizations:trusted-access/${service}`, `enable trusted access for ${service}`, {
        ServicePrincipal: service,
      });
      changes.push(change('enable-trusted-access', { service }, planned));
    }
    // Readable only once the organization exists and IAM has trusted access.
    const features = org !== null && trusted.has('iam.amazonaws.com') ? await rootFeatures(ctx.aws) : new Set<string>();
    for (const feature of ROOT_FEATURES.filter((f) => !features.has(f))) {
      changes.push(
        change(
          'enable-root-feature',
          { feature },
          fields(`iam:organizations-feature/${feature}`, FEATURE_SUMMARY[feature], { Feature: feature }),
        ),
      );
    }
    return changes;
  },

  apply: {
    async 'create-organization'(ctx, _input: Operations['create-organization']) {
      let org: Organization | null | undefined;
      const made = await doneOn('AlreadyInOrganization')(async () => {
        org = (await ctx.aws.organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization;
      });
      if (!made) {
        // Created by an interrupted run, or by someone meanwhile: adopt it only if it is ours.
        org = await describeOrganization(ctx.aws);
        if (org) checkAdoptable(org, ctx.account.id);
      }
      // Later changes of this run (the trail's bucket policies) were planned without the id.
      if (org?.Id) ctx.learn(ORGANIZATION_ID_VALUE, org.Id);
    },
    async 'enable-trusted-access'(ctx, { service }: Operations['enable-trusted-access']) {
      await ctx.aws.organizations.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: service }));
    },
    async 'enable-root-feature'(ctx, { feature }: Operations['enable-root-feature']) {
      if (feature === 'RootCredentialsManagement') await ctx.aws.iam.send(new EnableOrganizationsRootCredentialsManagementCommand({}));
      else await ctx.aws.iam.send(new EnableOrganizationsRootSessionsCommand({}));
    },
  },

  async verify(ctx) {
    const org = await describeOrganization(ctx.aws);
    const orgProblem = org === null ? 'the account is in no organization' : mismatch(org, ctx.account.id);
    const findings = [
      check(
        CHECKS.allFeatures,
        org?.Arn ?? 'organizations:organization',
        orgProblem,
        `organization ${org?.Id} has all features and is managed by this account`,
      ),
    ];
    if (orgProblem) return findings;
    const trusted = await trustedServices(ctx.aws);
    const missing = TRUSTED_SERVICES.filter((s) => !trusted.has(s));
    const trustedOff = missing.length > 0 && `trusted access is off for ${missing.join(', ')}`;
    findings.push(
      check(CHECKS.trustedAccess, 'organizations:trusted-access', trustedOff, `trusted access is on for ${TRUSTED_SERVICES.join(', ')}`),
    );
    const features = trusted.has('iam.amazonaws.com') ? await rootFeatures(ctx.aws) : new Set<string>();
    const off = ROOT_FEATURES.filter((f) => !features.has(f));
    const rootOff = off.length > 0 && `centralized root access is off: ${off.join(', ')}`;
    findings.push(
      check(
        CHECKS.rootAccess,
        'iam:organizations-features',
        rootOff,
        'centralized root access is on (root credentials management and root sessions)',
      ),
    );
    return findings;
  },
});
