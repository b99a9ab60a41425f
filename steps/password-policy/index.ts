import { GetAccountPasswordPolicyCommand, UpdateAccountPasswordPolicyCommand } from '@aws-sdk/client-iam';
import { integer, object } from '../../src/answers/schema.js';
import { defineStep, type Change, type Finding, type StepContext } from '../../src/engine/types.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { isAwsError } from '../../src/engine/errors.js';
import {
  desiredPolicy,
  differences,
  normalize,
  updateRequest,
  type PolicyAnswers,
  type WholePasswordPolicy,
} from './policy.js';

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
  try {
    const out = await aws.iam.send(new GetAccountPasswordPolicyCommand({}));
    return out.PasswordPolicy ? normalize(out.PasswordPolicy) : null;
  } catch (err) {
    // NoSuchEntity: no custom policy; AWS's built-in default (8 characters, 3 of 4 classes) applies.
    if (isAwsError(err, 'NoSuchEntity')) return null;
    throw err;
  }
}

type Ctx = StepContext<PolicyAnswers>;

export default defineStep({
  id: 'password-policy',
  title: 'IAM password policy',
  description: 'Requires long passwords with every character class, prevents reuse and sets an expiry for IAM users.',
  checks: [
    { id: 'password-policy.minimum-length', title: 'IAM password policy requires a minimum length of 14 or greater' },
    { id: 'password-policy.reuse-prevention', title: 'IAM password policy prevents password reuse (24 remembered)' },
    { id: 'password-policy.matches-answers', title: 'The whole IAM password policy matches the answers' },
  ],
  scope: 'every-account',
  answers,
  permissions: {
    read: ['iam:GetAccountPasswordPolicy'],
    apply: ['iam:UpdateAccountPasswordPolicy'],
  },

  async plan(ctx: Ctx): Promise<Change[]> {
    const actual = await currentPolicy(ctx.aws);
    const wanted = desiredPolicy(ctx.answers);
    const base = { step: 'password-policy', account: ctx.account, address: ADDRESS, risk: 'security' as const };
    if (actual === null) {
      return [{ ...base, action: 'create', before: null, after: { ...wanted }, summary: 'set the IAM password policy' }];
    }
    const diff = differences(actual, wanted);
    if (diff.length === 0) return [];
    return [
      {
        ...base,
        action: 'update',
        before: { ...actual },
        after: { ...wanted },
        summary: `update the IAM password policy (${diff.join(', ')})`,
      },
    ];
  },

  async apply(ctx: Ctx, change: Change): Promise<void> {
    // The approved plan's `after` is the whole policy: written as one object, never field by field.
    await ctx.aws.iam.send(new UpdateAccountPasswordPolicyCommand(updateRequest(change.after as unknown as WholePasswordPolicy)));
  },

  async verify(ctx: Ctx): Promise<Finding[]> {
    const actual = await currentPolicy(ctx.aws);
    const wanted = desiredPolicy(ctx.answers);
    const finding = (check: string, pass: boolean, reason: string): Finding => ({
      step: 'password-policy',
      check,
      account: ctx.account,
      resource: ADDRESS,
      status: pass ? 'pass' : 'fail',
      reason,
      remediation: pass ? '' : 'Run `aws-groundwork apply` to write the password policy.',
    });
    if (actual === null) {
      const reason = 'no password policy is set; the AWS default (8 characters, no reuse prevention) applies';
      return [finding('password-policy.minimum-length', false, reason), finding('password-policy.reuse-prevention', false, reason), finding('password-policy.matches-answers', false, reason)];
    }
    const diff = differences(actual, wanted);
    return [
      finding(
        'password-policy.minimum-length',
        actual.MinimumPasswordLength >= 14,
        `minimum password length is ${actual.MinimumPasswordLength}${actual.MinimumPasswordLength >= 14 ? '' : '; at least 14 is required'}`,
      ),
      finding(
        'password-policy.reuse-prevention',
        actual.PasswordReusePrevention >= 24,
        `reuse prevention remembers ${actual.PasswordReusePrevention} passwords${actual.PasswordReusePrevention >= 24 ? '' : '; 24 is required'}`,
      ),
      finding(
        'password-policy.matches-answers',
        diff.length === 0,
        diff.length === 0
          ? 'the password policy matches the answers'
          : `the password policy differs from the answers in ${diff.map((f) => `${f} (${String(actual[f])}, expected ${String(wanted[f])})`).join(', ')}`,
      ),
    ];
  },
});
