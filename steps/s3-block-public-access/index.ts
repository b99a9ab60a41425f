import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { object } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { isAwsError } from '../../src/engine/errors.js';
import { defineStep, type Change, type Finding, type StepContext } from '../../src/engine/types.js';

const STEP = 's3-block-public-access';
const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
type Flags = typeof ALL_ON;

/** The account's setting (effective, when an organization S3 policy enforces it), null when unset. */
async function current(aws: AwsClients, accountId: string): Promise<Flags | null> {
  try {
    const c = (await aws.s3control.send(new GetPublicAccessBlockCommand({ AccountId: accountId }))).PublicAccessBlockConfiguration ?? {};
    return {
      BlockPublicAcls: Boolean(c.BlockPublicAcls),
      IgnorePublicAcls: Boolean(c.IgnorePublicAcls),
      BlockPublicPolicy: Boolean(c.BlockPublicPolicy),
      RestrictPublicBuckets: Boolean(c.RestrictPublicBuckets),
    };
  } catch (err) {
    if (isAwsError(err, 'NoSuchPublicAccessBlockConfiguration')) return null;
    throw err;
  }
}

const off = (f: Flags | null) => (f ? (Object.keys(ALL_ON) as (keyof Flags)[]).filter((k) => !f[k]) : Object.keys(ALL_ON));

type Ctx = StepContext<Record<string, never>>;

export default defineStep({
  id: STEP,
  title: 'S3 Block Public Access',
  description: "Turns on all four account-level S3 Block Public Access settings, so no bucket can be made public by mistake.",
  checks: [{ id: 's3-block-public-access.account-level', title: 'S3 Block Public Access is on at the account level (all four settings)' }],
  scope: 'every-account',
  answers: object({}, { description: 'Account-level S3 Block Public Access (nothing to answer)' }),
  permissions: { read: ['s3:GetAccountPublicAccessBlock'], apply: ['s3:PutAccountPublicAccessBlock'] },

  async plan(ctx: Ctx): Promise<Change[]> {
    const have = await current(ctx.aws, ctx.account.id);
    if (off(have).length === 0) return [];
    return [
      {
        step: STEP,
        account: ctx.account,
        address: `s3control:account/${ctx.account.id}/public-access-block`,
        action: have ? 'update' : 'create',
        before: have,
        after: ALL_ON,
        risk: 'security',
        summary: `turn on account-level S3 Block Public Access (${off(have).join(', ')})`,
      },
    ];
  },

  async apply(ctx: Ctx): Promise<void> {
    await ctx.aws.s3control.send(new PutPublicAccessBlockCommand({ AccountId: ctx.account.id, PublicAccessBlockConfiguration: ALL_ON }));
  },

  async verify(ctx: Ctx): Promise<Finding[]> {
    const missing = off(await current(ctx.aws, ctx.account.id));
    return [
      {
        step: STEP,
        check: 's3-block-public-access.account-level',
        account: ctx.account,
        resource: `s3control:account/${ctx.account.id}/public-access-block`,
        status: missing.length ? 'fail' : 'pass',
        reason: missing.length ? `account-level Block Public Access is off for ${missing.join(', ')}` : 'account-level Block Public Access is fully on',
        remediation: missing.length ? 'Run `aws-groundwork apply`.' : '',
      },
    ];
  },
});
