/**
 * The design's example answers file, whole: all ten steps, Identity Center and the guardrails, three new environment
 * accounts and the log-archive and security-tooling accounts (which the design's example predates). It lives
 * here, not in a test file, so other test files can use it without also running that file's tests
 * (and its beforeEach, which installs a fake of its own).
 */
export const FULL_EXAMPLE = `version: 1
region: us-east-1
steps:
  account-alias:       { alias: acme }
  password-policy:     { minimumLength: 14, reusePrevention: 24, maxAgeDays: 90 }
  admin-group:         { name: Admins, users: [] }
  mfa-enforcement:     { groups: [Admins] }
  organization:        {}
  member-accounts:
    accounts:
      - { name: acme-dev,     email: aws+dev@acme.example,     ou: Workloads }
      - { name: acme-staging, email: aws+staging@acme.example, ou: Workloads }
      - { name: acme-prod,    email: aws+prod@acme.example,    ou: Workloads }
      - { name: acme-log-archive,      email: aws+log-archive@acme.example,      purpose: log-archive }
      - { name: acme-security-tooling, email: aws+security-tooling@acme.example, purpose: security-tooling }
  org-trail:           { name: acme-org-trail, retentionDays: 365 }
  root-credentials:    { deleteMemberRootCredentials: true }
  s3-block-public-access: {}
  security-contacts:
    security: { name: Jane Founder, title: CTO, email: security@acme.example, phone: "+1 555 0100" }
  identity-center:     {}
  cost-alerts:         { limitUsd: 100, emails: [billing@acme.example] }
  threat-detection:    {}
  guardrails:          {}
`;

/**
 * Every step, with an admin user, two new members, a log-archive account, write-once trail logs and
 * every opt-in on: the answers that make each
 * step send every command it has, for the tests that hold those commands to the declared permissions.
 */
export const EVERY_STEP_ANSWERS = {
  version: 1,
  steps: {
    'account-alias': { alias: 'acme', allowReplace: true },
    'password-policy': {},
    'admin-group': { users: ['alice'] },
    'mfa-enforcement': {},
    organization: {},
    'member-accounts': {
      accounts: [
        ...['dev', 'staging'].map((env) => ({ name: `acme-${env}`, email: `aws+${env}@acme.example`, ou: 'Workloads' })),
        { name: 'acme-log-archive', email: 'aws+log-archive@acme.example', purpose: 'log-archive' },
        { name: 'acme-security-tooling', email: 'aws+security-tooling@acme.example', purpose: 'security-tooling' },
      ],
    },
    'org-trail': { name: 'acme-org-trail', objectLockMode: 'GOVERNANCE', objectLockDays: 30, allowMove: true },
    'root-credentials': { deleteMemberRootCredentials: true },
    's3-block-public-access': {},
    'security-contacts': { security: { name: 'Jane Founder', title: 'CTO', email: 'security@acme.example', phone: '+1 555 0100' } },
    'identity-center': {
      users: [
        { userName: 'ada', givenName: 'Ada', familyName: 'Lovelace', email: 'ada@acme.example', groups: ['Admins'] },
        { userName: 'linus', givenName: 'Linus', familyName: 'Torvalds', email: 'linus@acme.example', groups: ['Developers', 'ReadOnly'] },
      ],
      removeUnlistedMembers: true,
    },
    'cost-alerts': { limitUsd: 100, emails: ['billing@acme.example'] },
    'threat-detection': { regions: ['eu-west-1'] },
    guardrails: { allowedRegions: ['us-east-1', 'eu-west-1'], allowRegionDeny: true },
  },
};

/** Checks of the full example that no API can read, so a person confirms them: `manual` on every run. */
export const ALWAYS_MANUAL = ['identity-center.mfa'];

/** The findings that are neither a pass nor one of `ALWAYS_MANUAL` while manual: what a converged run must not have. */
export const notPassing = <F extends { status: string; check: string }>(findings: F[]): F[] =>
  findings.filter((f) => f.status !== 'pass' && !(f.status === 'manual' && ALWAYS_MANUAL.includes(f.check)));
