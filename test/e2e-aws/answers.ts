/**
 * The organization the end-to-end scenarios build: the management account plus dev, staging and
 * prod in two OUs, with a home region other than us-east-1 (where S3 and STS behave differently).
 */
export const REGION = 'eu-west-1';

export const ORGANIZATION_ANSWERS = `version: 1
region: ${REGION}
steps:
  account-alias:       { alias: acme }
  password-policy:     { minimumLength: 14, reusePrevention: 24, maxAgeDays: 90 }
  admin-group:         { name: Admins, users: [] }
  mfa-enforcement:     { groups: [Admins] }
  organization:        {}
  org-trail:           { name: acme-org-trail, retentionDays: 365 }
  member-accounts:
    accounts:
      - { name: acme-dev,     email: aws+dev@acme.example,     ou: Workloads }
      - { name: acme-staging, email: aws+staging@acme.example, ou: Workloads }
      - { name: acme-prod,    email: aws+prod@acme.example,    ou: Production }
  root-credentials:    { deleteMemberRootCredentials: true }
  s3-block-public-access: {}
  security-contacts:
    security: { name: Jane Founder, title: CTO, email: security@acme.example, phone: "+1 555 0100" }
`;

export const MEMBERS = ['acme-dev', 'acme-staging', 'acme-prod'] as const;
export const TRAIL_BUCKET = `aws-groundwork-trail-123456789012-${REGION}`;
export const LOG_BUCKET = `aws-groundwork-access-logs-123456789012-${REGION}`;

/**
 * The full apply the fault scenarios disturb: every step, in the management account and one new
 * member (each member repeats the same writes; the three-member organization is scenario a's).
 */
export const FAULT_ANSWERS = ORGANIZATION_ANSWERS.replace(/\n      - \{ name: acme-staging.*\n      - \{ name: acme-prod.*\n/, '\n');
