import { GetAccountPasswordPolicyCommand, UpdateAccountPasswordPolicyCommand } from '@aws-sdk/client-iam';
import { integer, object } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { orAbsent } from '../../src/aws/iam-reads.js';
import { change, check, checks } from '../../src/kit/builders.js';
import { defineStep } from '../../src/kit/step.js';
import { desiredPolicy, differences, normalize, updateRequest, type WholePasswordPolicy } from './policy.js';

const answers = object(
  {
    minimumLength: integer({
      description: 'Minimum password length',
      min: 14,
      minReason: '(CIS 1.7)',
      max: 128,
      default: 14,
    }),
    reusePrevention: integer({
      description: 'How many previous passwords a user may not reuse',
      min: 24,
      minReason: '(CIS 1.8)',
      max: 24,
      default: 24,
    }),
    maxAgeDays: integer({
      description: 'Days before a password expires and must be changed (0: never)',
      min: 0,
      max: 1095,
      default: 90,
    }),
  },
  { description: 'The IAM password policy: length, reuse, every character class, expiry' },
);

const ADDRESS = 'iam:account-password-policy';

async function currentPolicy(aws: AwsClients): Promise<WholePasswordPolicy | null> {
  // NoSuchEntity: no custom policy; AWS's built-in default (8 characters, 3 of 4 classes) applies.
  const out = await orAbsent(() => aws.iam.send(new GetAccountPasswordPolicyCommand({})));
  return out?.PasswordPolicy ? normalize(out.PasswordPolicy) : null;
}

const remediation = 'Run `aws-groundwork apply` to write the password policy.';
const CHECKS = checks({
  minimumLength: {
    id: 'password-policy.minimum-length',
    title: 'IAM password policy requires a minimum length of 14 or greater',
    remediation,
  },
  reusePrevention: {
    id: 'password-policy.reuse-prevention',
    title: 'IAM password policy prevents password reuse (24 remembered)',
    remediation,
  },
  matchesAnswers: { id: 'password-policy.matches-answers', title: 'The whole IAM password policy matches the answers', remediation },
});

/** UpdateAccountPasswordPolicy with the whole policy. */
type Operations = { 'write-policy': WholePasswordPolicy };

export default defineStep({
  id: 'password-policy',
  title: 'IAM password policy',
  description: 'Requires long passwords with every character class, prevents reuse and sets an expiry for IAM users.',
  checks: CHECKS.list,
  scope: 'every-account',
  answers,
  permissions: {
    read: ['iam:GetAccountPasswordPolicy'],
    apply: ['iam:UpdateAccountPasswordPolicy'],
  },

  async suggest(ctx) {
    const live = await currentPolicy(ctx.aws);
    if (live === null) return { notes: { '': ['The account has no password policy (the AWS default applies): the plan sets this one.'] } };
    const minimumLength = Math.min(128, Math.max(14, live.MinimumPasswordLength));
    const defaults = { minimumLength, reusePrevention: 24, maxAgeDays: Math.min(1095, live.MaxPasswordAge) };
    const notes: Record<string, string[]> = {};
    if (live.MinimumPasswordLength < 14)
      notes.minimumLength = [`The account requires ${live.MinimumPasswordLength} characters; 14 is the least allowed: the plan raises it.`];
    if (live.PasswordReusePrevention < 24)
      notes.reusePrevention = [`The account remembers ${live.PasswordReusePrevention} passwords; 24 are required: the plan raises it.`];
    // The character classes, self-service change and hard expiry are not answers: the policy always has them.
    const rest = differences(live, desiredPolicy(defaults)).filter((f) => f !== 'MinimumPasswordLength' && f !== 'PasswordReusePrevention');
    if (rest.length) notes[''] = [`The account's policy differs in ${rest.join(', ')}: the plan rewrites it with every class required.`];
    return { defaults, notes };
  },

  async plan(ctx) {
    const actual = await currentPolicy(ctx.aws);
    const wanted = desiredPolicy(ctx.answers);
    const fields = { address: ADDRESS, risk: 'security' as const };
    if (actual === null) {
      return [
        change('write-policy', wanted, {
          ...fields,
          action: 'create',
          before: null,
          after: { ...wanted },
          summary: 'set the IAM password policy',
        }),
      ];
    }
    const diff = differences(actual, wanted);
    if (diff.length === 0) return [];
    const summary = `update the IAM password policy (${diff.join(', ')})`;
    return [change('write-policy', wanted, { ...fields, action: 'update', before: { ...actual }, after: { ...wanted }, summary })];
  },

  apply: {
    async 'write-policy'(ctx, policy: Operations['write-policy']) {
      // The approved plan's whole policy, written as one object, never field by field.
      await ctx.aws.iam.send(new UpdateAccountPasswordPolicyCommand(updateRequest(policy)));
    },
  },

  async verify(ctx) {
    const actual = await currentPolicy(ctx.aws);
    const wanted = desiredPolicy(ctx.answers);
    if (actual === null) {
      const reason = 'no password policy is set; the AWS default (8 characters, no reuse prevention) applies';
      return CHECKS.list.map((c) => check(c, ADDRESS, reason, ''));
    }
    const length = `minimum password length is ${actual.MinimumPasswordLength}`;
    const reuse = `reuse prevention remembers ${actual.PasswordReusePrevention} passwords`;
    const diff = differences(actual, wanted);
    const differs = diff.map((f) => `${f} (${String(actual[f])}, expected ${String(wanted[f])})`).join(', ');
    return [
      check(CHECKS.minimumLength, ADDRESS, actual.MinimumPasswordLength < 14 && `${length}; at least 14 is required`, length),
      check(CHECKS.reusePrevention, ADDRESS, actual.PasswordReusePrevention < 24 && `${reuse}; 24 is required`, reuse),
      check(
        CHECKS.matchesAnswers,
        ADDRESS,
        diff.length > 0 && `the password policy differs from the answers in ${differs}`,
        'the password policy matches the answers',
      ),
    ];
  },
});
