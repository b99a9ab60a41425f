/**
 * The steps' ids and titles, for `--help`, without loading the steps and with them the AWS SDK. The
 * registry is the source of truth; a test fails when this list and the registry disagree.
 */
export const STEP_LIST: readonly { id: string; title: string }[] = [
  { id: 'account-alias', title: 'Account alias' },
  { id: 'password-policy', title: 'IAM password policy' },
  { id: 'admin-group', title: 'Admin group' },
  { id: 'mfa-enforcement', title: 'MFA enforcement' },
  { id: 'organization', title: 'Organization' },
  { id: 'member-accounts', title: 'Member accounts' },
  { id: 'org-trail', title: 'Organization trail' },
  { id: 'root-credentials', title: 'Root credentials' },
  { id: 's3-block-public-access', title: 'S3 Block Public Access' },
  { id: 'security-contacts', title: 'Security contacts' },
  { id: 'identity-center', title: 'IAM Identity Center' },
  { id: 'cost-alerts', title: 'Cost alerts' },
  { id: 'threat-detection', title: 'Threat detection' },
  { id: 'guardrails', title: 'Guardrails' },
];
