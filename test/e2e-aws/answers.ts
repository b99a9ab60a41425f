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

export const MEMBERS = ['acme-dev', 'acme-staging', 'acme-prod'] as const;
export const TRAIL_BUCKET = `aws-groundwork-trail-123456789012-${REGION}`;
export const LOG_BUCKET = `aws-groundwork-access-logs-123456789012-${REGION}`;

/**
 * The full apply the fault scenarios disturb: every step, in the management account and one new
 * member (each member repeats the same writes; the three-member organization is scenario a's).
 */
export const FAULT_ANSWERS = derive(ORGANIZATION_ANSWERS, [
  ['      - { name: acme-staging, email: aws+staging@acme.example, ou: Workloads }\n', ''],
  ['      - { name: acme-prod,    email: aws+prod@acme.example,    ou: Production }\n', ''],
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
