/**
 * The control mapping table: which benchmark controls each check evidences. Checks live in the steps
 * (`checks` and their findings); numbering lives here alone, so a renumbered benchmark is one edit.
 *
 * CIS numbers follow CIS Amazon Web Services Foundations Benchmark v5.0.0. The benchmark PDF is behind
 * CIS's registration; the numbers were taken from Prowler's `cis_5.0_aws.json` (commit 0b63ccb) and
 * checked recommendation by recommendation against its v3.0.0 file, matching on title and on the
 * check behind each (e.g. v3.0.0 1.8 "password minimum length 14" is v5.0.0 1.7). The AWS Startup
 * Security Baseline is published without version numbers; its ids (ACCT.01-ACCT.17) are quoted as AWS
 * Prescriptive Guidance publishes them. `GW` is this tool's own catalogue, for what it checks and no
 * benchmark names; a GW id keeps its meaning for as long as the catalogue version stays the same.
 */

export type FrameworkId = 'cis' | 'ssb' | 'gw';

export interface Framework {
  id: FrameworkId;
  name: string;
  /** What a finding's control id is prefixed with in human output, e.g. `CIS 1.7`. */
  short: string;
  version: string;
  url: string;
}

export const FRAMEWORKS: Record<FrameworkId, Framework> = {
  cis: {
    id: 'cis',
    name: 'CIS Amazon Web Services Foundations Benchmark',
    short: 'CIS',
    version: '5.0.0',
    url: 'https://www.cisecurity.org/benchmark/amazon_web_services',
  },
  ssb: {
    id: 'ssb',
    name: 'AWS Startup Security Baseline',
    short: 'SSB',
    version: 'unversioned',
    url: 'https://docs.aws.amazon.com/prescriptive-guidance/latest/aws-startup-security-baseline/welcome.html',
  },
  gw: {
    id: 'gw',
    name: 'aws-groundwork checks',
    short: 'GW',
    version: '1',
    url: 'https://www.npmjs.com/package/aws-groundwork',
  },
};

/** One control a check evidences, as reports print it. */
export interface ControlRef {
  framework: string;
  version: string;
  id: string;
}

const cis = (id: string) => ['cis', id] as const;
const ssb = (id: string) => ['ssb', id] as const;
const gw = (id: string) => ['gw', id] as const;
type Row = readonly (readonly [FrameworkId, string])[];

/**
 * Check id -> controls, most specific first: the first one is the label a person sees. A benchmark
 * control is listed only where the check tests what that control asks; everything else is GW. Two
 * scopes an auditor must know: CIS 2.1.1 and 3.6 ask it of every bucket and key, and these checks
 * cover the buckets and key this tool manages; CIS 1.15 is evaluated as AWS Security Hub's IAM.1 does,
 * on customer-managed policies, because the admin group carries the AWS-managed AdministratorAccess on
 * purpose (SSB ACCT.04).
 */
export const CONTROL_MAPPING: Readonly<Record<string, Row>> = {
  'account-alias.alias': [gw('GW.ALIAS')],

  'password-policy.minimum-length': [cis('1.7'), ssb('ACCT.06')],
  'password-policy.reuse-prevention': [cis('1.8'), ssb('ACCT.06')],
  'password-policy.matches-answers': [ssb('ACCT.06')],

  'admin-group.administrator-access': [ssb('ACCT.04')],
  'admin-group.no-full-admin-custom-policy': [cis('1.15')],
  'admin-group.admins-console-only': [ssb('ACCT.03')],

  'mfa-enforcement.policy-attached': [ssb('ACCT.05')],
  'mfa-enforcement.console-users-have-mfa': [cis('1.9'), ssb('ACCT.05')],

  'organization.all-features': [gw('GW.ORG')],
  'organization.trusted-access': [gw('GW.ORG-TRUSTED-ACCESS')],
  'organization.centralized-root-access': [ssb('ACCT.02'), gw('GW.ORG-ROOT-ACCESS')],

  'org-trail.multi-region-logging': [cis('3.1'), ssb('ACCT.07')],
  'org-trail.log-file-validation': [cis('3.2')],
  'org-trail.bucket-access-logging': [cis('3.4')],
  'org-trail.kms-encryption': [cis('3.5')],
  'org-trail.key-rotation': [cis('3.6')],
  'org-trail.buckets-deny-http': [cis('2.1.1')],
  'org-trail.trail-bucket-protected': [ssb('ACCT.07')],
  'org-trail.trail-bucket-settings': [ssb('ACCT.07'), gw('GW.TRAIL-BUCKET')],
  'org-trail.access-log-bucket': [gw('GW.ACCESS-LOG-BUCKET')],
  'org-trail.key-policy': [gw('GW.TRAIL-KEY')],
  'org-trail.delivery': [gw('GW.TRAIL-DELIVERY')],
  'org-trail.logs-outside-management': [gw('GW.LOG-ARCHIVE')],

  'member-accounts.accounts': [gw('GW.MEMBER-ACCOUNTS')],

  'root-credentials.no-root-access-keys': [cis('1.3'), ssb('ACCT.02')],
  'root-credentials.root-mfa': [cis('1.4'), ssb('ACCT.02')],
  'root-credentials.member-root-removed': [ssb('ACCT.02'), gw('GW.MEMBER-ROOT')],

  's3-block-public-access.account-level': [cis('2.1.4'), ssb('ACCT.08')],

  'security-contacts.security-contact': [cis('1.2'), ssb('ACCT.01')],
  'security-contacts.all-contacts': [ssb('ACCT.01')],
  // GuardDuty is SSB ACCT.14; the analyzer SSB ACCT.11. CIS v3.0.0 has "IAM Access analyzer enabled for all regions"
  // as 1.20; its v5.0.0 number could not be confirmed, so no CIS row is claimed.
  'threat-detection.trusted-access': [ssb('ACCT.14'), ssb('ACCT.11')],
  'threat-detection.guardduty-admin': [ssb('ACCT.14')],
  'threat-detection.guardduty-detectors': [ssb('ACCT.14')],
  'threat-detection.guardduty-auto-enable': [ssb('ACCT.14')],
  'threat-detection.guardduty-members': [ssb('ACCT.14')],
  'threat-detection.access-analyzer': [ssb('ACCT.11')],

  // CIS v5.0.0 has no recommendation on service or resource control policies (the SCP guardrails
  // recommendation came in a later version), so these are GW, except the region allow-list: SSB
  // ACCT.17 "Restrict AWS API calls to used Regions only" asks for exactly that deny.
  'guardrails.policy-types': [gw('GW.GUARDRAILS-POLICY-TYPES')],
  'guardrails.baseline': [gw('GW.GUARDRAILS-BASELINE')],
  'guardrails.tls-only': [gw('GW.GUARDRAILS-TLS-ONLY')],
  'guardrails.logs-untouchable': [gw('GW.GUARDRAILS-LOG-ARCHIVE')],
  'guardrails.no-access-keys': [gw('GW.GUARDRAILS-NO-ACCESS-KEYS')],
  'guardrails.regions': [ssb('ACCT.17')],

  // People sign in centrally (CIS 1.20, v3.0.0's 1.21; SSB ACCT.13, federated access), and IAM
  // console users are the break-glass exception; Identity Center's MFA is SSB ACCT.05's "MFA to sign in".
  'identity-center.instance': [cis('1.20'), ssb('ACCT.13')],
  'identity-center.assignments': [ssb('ACCT.13'), gw('GW.SSO-ASSIGNMENTS')],
  'identity-center.break-glass': [cis('1.20'), ssb('ACCT.13')],
  'identity-center.permission-sets': [gw('GW.SSO-PERMISSION-SETS')],
  'identity-center.groups': [gw('GW.SSO-GROUPS')],
  'identity-center.users': [gw('GW.SSO-USERS')],
  'identity-center.mfa': [ssb('ACCT.05'), gw('GW.SSO-MFA')],

  // SSB ACCT.10 "Configure a budget" (a budget with alerts to people); ACCT.16 "Enable Cost Anomaly Detection".
  'cost-alerts.budget': [ssb('ACCT.10')],
  'cost-alerts.notifications': [ssb('ACCT.10')],
  'cost-alerts.subscribers': [ssb('ACCT.10')],
  'cost-alerts.anomaly-monitor': [ssb('ACCT.16')],
  'cost-alerts.anomaly-subscription': [ssb('ACCT.16')],
};

/**
 * The controls a check evidences. A check missing from the table (only ever a test's own step: a
 * test holds every registered check to a row) still reports one control, its own id under GW, so no
 * finding is ever without a control.
 */
export function controlsFor(check: string): ControlRef[] {
  return rowOf(check).map(([framework, id]) => ({ framework: FRAMEWORKS[framework].name, version: FRAMEWORKS[framework].version, id }));
}

/** `CIS 1.7`, `SSB ACCT.06`, `GW.ALIAS`: how a person sees a check's first control. */
export function controlLabel(check: string): string {
  return controlLabels(check)[0]!;
}

/** Every control of a check as a person reads it: `CIS 1.7, SSB ACCT.06`. */
export function controlLabels(check: string): string[] {
  return rowOf(check).map(([framework, id]) => (framework === 'gw' ? id : `${FRAMEWORKS[framework].short} ${id}`));
}

const rowOf = (check: string): Row => CONTROL_MAPPING[check] ?? [gw(check)];
