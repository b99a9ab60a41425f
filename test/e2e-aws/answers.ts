/**
 * The organization the end-to-end scenarios build: the design's example (test/helpers/full-example.ts),
 * with prod in an OU of its own and a home region other than us-east-1 (where S3 and STS behave
 * differently).
 */
import { FULL_EXAMPLE } from '../helpers/full-example.js';

export const REGION = 'eu-west-1';

/** The design's example answers with these edits, each of which must apply. */
function derive(text: string, edits: [string, string][]): string {
  return edits.reduce((out, [from, to]) => {
    if (!out.includes(from)) throw new Error(`the example answers no longer contain ${from}`);
    return out.replace(from, to);
  }, text);
}

export const ORGANIZATION_ANSWERS = derive(FULL_EXAMPLE, [
  ['region: us-east-1', `region: ${REGION}`],
  [
    '{ name: acme-prod,    email: aws+prod@acme.example,    ou: Workloads }',
    '{ name: acme-prod,    email: aws+prod@acme.example,    ou: Production }',
  ],
]);

export const MEMBERS = ['acme-dev', 'acme-staging', 'acme-prod', 'acme-log-archive', 'acme-security-tooling'] as const;
/** The member that keeps the trail's key and both buckets (purpose: log-archive). */
export const LOG_ARCHIVE = 'acme-log-archive';

/**
 * The buckets' default names carry the id of the account that holds them (log-archive's, drawn at
 * random). In what readState answers every member id is replaced by the member's name, so there they
 * read `trailBucket(LOG_ARCHIVE)`; against the emulator itself, give the real id.
 */
export const trailBucket = (storageAccount: string) => `aws-groundwork-trail-${storageAccount}-${REGION}`;
export const logBucket = (storageAccount: string) => `aws-groundwork-access-logs-${storageAccount}-${REGION}`;

/**
 * Two members in two OUs, an environment (acme-dev, Workloads) and log-archive (Security): what the
 * lost-answer tests of account and OU creation need to show one request per member and per OU.
 */
export const TWO_MEMBER_ANSWERS = derive(ORGANIZATION_ANSWERS, [
  ['      - { name: acme-staging, email: aws+staging@acme.example, ou: Workloads }\n', ''],
  ['      - { name: acme-prod,    email: aws+prod@acme.example,    ou: Production }\n', ''],
  ['      - { name: acme-security-tooling, email: aws+security-tooling@acme.example, purpose: security-tooling }\n', ''],
]);

/**
 * The full apply the fault scenarios disturb: every step but Identity Center and the guardrails, in the management account
 * and the log-archive member, which gets a member's baseline and keeps the trail's key and buckets. Each
 * further member repeats those baseline writes, so dev, staging, prod and security-tooling are left to
 * scenario a's five-member organization: with them every write of the apply would take too long for CI.
 * Identity Center and the guardrails are left out for the same reason (each of their writes would be disturbed twice, lost
 * and killed, and CI must stay near ten minutes): against the emulator, guardrails.test.ts loses the
 * answer to their CreatePolicy, the one write of theirs that could make a second thing; against the fake,
 * test/e2e/fault-injection.test.ts fails and loses every write of the full example, theirs included.
 */
export const FAULT_ANSWERS = derive(TWO_MEMBER_ANSWERS, [
  ['      - { name: acme-dev,     email: aws+dev@acme.example,     ou: Workloads }\n', ''],
  ['  identity-center:     {}\n', ''],
  // Cost alerts are made in the management account alone; test/e2e-aws/cost-alerts.test.ts covers them.
  ['  cost-alerts:         { limitUsd: 100, emails: [billing@acme.example] }\n', ''],
  // GuardDuty and Access Analyzer are run from security-tooling, which this organization does not have;
  // test/e2e-aws/threat-detection.test.ts covers them.
  ['  threat-detection:    {}\n', ''],
  ['  guardrails:          {}\n', ''],
]);

/**
 * The smallest organization that has every place a default guardrail attaches: the root, log-archive
 * (its own SCP names its buckets) and prod (no access keys), with every step, so the guardrails are
 * planned against accounts and buckets the same apply makes.
 */
export const GUARDRAIL_ANSWERS = derive(ORGANIZATION_ANSWERS, [
  ['      - { name: acme-dev,     email: aws+dev@acme.example,     ou: Workloads }\n', ''],
  ['      - { name: acme-staging, email: aws+staging@acme.example, ou: Workloads }\n', ''],
  ['      - { name: acme-security-tooling, email: aws+security-tooling@acme.example, purpose: security-tooling }\n', ''],
]);

/** The password policy and account Block Public Access the full example's answers ask for, as AWS returns them. */
export const STRONG_POLICY = {
  MinimumPasswordLength: 14,
  RequireSymbols: true,
  RequireNumbers: true,
  RequireUppercaseCharacters: true,
  RequireLowercaseCharacters: true,
  AllowUsersToChangePassword: true,
  MaxPasswordAge: 90,
  PasswordReusePrevention: 24,
  HardExpiry: false,
};
export const ALL_BLOCKED = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
