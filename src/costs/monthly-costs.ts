/**
 * What each step costs per month once applied, for a small organization (about five accounts, one
 * region): data in one place, each figure with the page it comes from and the day it was checked. The
 * figures are estimates, never a quote: usage-priced services (GuardDuty, S3, KMS requests) depend on
 * what the accounts do. A step missing here fails test/costs/monthly-costs.test.ts.
 */
export interface StepCost {
  lowUsd: number;
  highUsd: number;
  /** One sentence: what is priced, and how the range was reached (or that it could not be confirmed). */
  basis: string;
  /** The AWS pricing page a person checks. */
  pricingUrl: string;
  /** The page the figure comes from. */
  source: string;
  /** YYYY-MM-DD. */
  checked: string;
}

const CHECKED = '2026-12-02';
const IAM = 'https://aws.amazon.com/iam/pricing/';
const ORGS = 'https://aws.amazon.com/organizations/pricing/';
const free = (basis: string, pricingUrl: string, source = pricingUrl): StepCost => ({
  lowUsd: 0,
  highUsd: 0,
  basis,
  pricingUrl,
  source,
  checked: CHECKED,
});

export const MONTHLY_COSTS: Readonly<Record<string, StepCost>> = {
  'account-alias': free('IAM is free: an account alias costs nothing.', IAM),
  'password-policy': free('IAM is free: a password policy costs nothing.', IAM),
  'admin-group': free('IAM is free: groups, users and policies cost nothing.', IAM),
  'mfa-enforcement': free('IAM is free: the MFA policy and virtual MFA devices cost nothing.', IAM),
  organization: free('AWS Organizations is free: consolidated billing and all features cost nothing.', ORGS),
  'member-accounts': free('Member accounts cost nothing in themselves; only what runs in them is billed.', ORGS),
  'org-trail': {
    lowUsd: 1,
    highUsd: 5,
    basis:
      'CloudTrail: the first copy of management events is free; S3 storage and requests for the logs, the trail KMS key (1 USD a month) and its requests (20,000 a month free) make the rest; the S3 share is an estimate for quiet accounts, not confirmed.',
    pricingUrl: 'https://aws.amazon.com/cloudtrail/pricing/',
    source: 'https://aws.amazon.com/kms/pricing/',
    checked: CHECKED,
  },
  'root-credentials': free('IAM is free: centralized root access costs nothing.', IAM),
  's3-block-public-access': free('S3 Block Public Access is a setting and costs nothing.', 'https://aws.amazon.com/s3/pricing/'),
  'security-contacts': free('Alternate contacts are account settings and cost nothing.', ORGS),
  'identity-center': free('IAM Identity Center is offered at no additional charge.', 'https://aws.amazon.com/iam/identity-center/'),
  'cost-alerts': free(
    'AWS Budgets: the first two budgets are free (this step makes one); Cost Anomaly Detection is offered at no additional charge.',
    'https://aws.amazon.com/aws-cost-management/aws-budgets/pricing/',
    'https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/budgets-managing-costs.html',
  ),
  'threat-detection': {
    lowUsd: 0,
    highUsd: 25,
    basis:
      'GuardDuty: a 30-day free trial per account and region, then priced by what it analyses (US East: 4.00 USD per million CloudTrail management events, 1.00 USD per GB of VPC Flow Logs and DNS logs), so a quiet account costs a few USD a month at most and the range is an estimate for about five; IAM Access Analyzer charges only for unused-access analysis, and the external access analyzer this step makes is not that.',
    pricingUrl: 'https://aws.amazon.com/guardduty/pricing/',
    source:
      'https://aws.amazon.com/guardduty/pricing/ and https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_UnusedIamRoleDetails.html',
    checked: CHECKED,
  },
  guardrails: free('Service control policies are part of AWS Organizations and cost nothing.', ORGS),
};

export interface CostEstimate {
  currency: 'USD';
  checked: string;
  steps: { step: string; lowUsd: number; highUsd: number; basis: string; pricingUrl: string }[];
  total: { lowUsd: number; highUsd: number };
}

/** The monthly estimate of the given steps, in their order; steps without an entry are left out. */
export function costEstimate(stepIds: readonly string[]): CostEstimate {
  const steps = stepIds.flatMap((step) => {
    const c = MONTHLY_COSTS[step];
    return c ? [{ step, lowUsd: c.lowUsd, highUsd: c.highUsd, basis: c.basis, pricingUrl: c.pricingUrl }] : [];
  });
  const checked = stepIds.map((s) => MONTHLY_COSTS[s]?.checked ?? CHECKED).sort()[0] ?? CHECKED;
  return {
    currency: 'USD',
    checked,
    steps,
    total: { lowUsd: sum(steps.map((s) => s.lowUsd)), highUsd: sum(steps.map((s) => s.highUsd)) },
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
export const usdRange = (lo: number, hi: number): string => (lo === hi ? `${lo} USD` : `${lo}–${hi} USD`);

/** The human block: one line per step, the total, the pricing links; the date and scope it holds for. */
export function costLines(e: CostEstimate, heading = 'Monthly cost once applied'): string[] {
  const width = Math.max(0, ...e.steps.map((s) => s.step.length));
  const links = [...new Set(e.steps.filter((s) => s.highUsd > 0).map((s) => s.pricingUrl))];
  return [
    `${heading} (estimate for a small organization of about five accounts, prices checked ${e.checked}):`,
    ...e.steps.map((s) => `  ${s.step.padEnd(width)}  ${usdRange(s.lowUsd, s.highUsd).padEnd(9)}  ${s.basis}`),
    `  Total: ${usdRange(e.total.lowUsd, e.total.highUsd)} a month.`,
    ...(links.length ? [`  Pricing: ${links.join(', ')}`] : []),
  ];
}

/**
 * What verify counts as in place: a step of the run with at least one finding and none failing or in
 * error (a manual check is for a person and does not make a step absent).
 */
export function inPlaceSteps(stepIds: readonly string[], findings: readonly { step: string; status: string }[]): string[] {
  return stepIds.filter((id) => {
    const own = findings.filter((f) => f.step === id);
    return own.length > 0 && own.every((f) => f.status === 'pass' || f.status === 'manual');
  });
}
