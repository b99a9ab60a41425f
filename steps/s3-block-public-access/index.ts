import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { object } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { change, check, checks } from '../../src/kit/builders.js';
import { defineStep } from '../../src/kit/step.js';
import { absentOn } from '../../src/model.js';

const STEP = 's3-block-public-access';
const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
type Flags = typeof ALL_ON;

/** The account's setting (effective, when an organization S3 policy enforces it), null when unset. */
async function current(aws: AwsClients, accountId: string): Promise<Flags | null> {
  const read = await absentOn('NoSuchPublicAccessBlockConfiguration')(() =>
    aws.s3control.send(new GetPublicAccessBlockCommand({ AccountId: accountId })),
  );
  if (!read) return null;
  const c = read.PublicAccessBlockConfiguration ?? {};
  return {
    BlockPublicAcls: Boolean(c.BlockPublicAcls),
    IgnorePublicAcls: Boolean(c.IgnorePublicAcls),
    BlockPublicPolicy: Boolean(c.BlockPublicPolicy),
    RestrictPublicBuckets: Boolean(c.RestrictPublicBuckets),
  };
}

const resource = (accountId: string) => `s3control:account/${accountId}/public-access-block`;

const off = (f: Flags | null) => (f ? (Object.keys(ALL_ON) as (keyof Flags)[]).filter((k) => !f[k]) : Object.keys(ALL_ON));

const CHECKS = checks({
  accountLevel: {
    id: 's3-block-public-access.account-level',
    title: 'S3 Block Public Access is on at the account level (all four settings)',
    remediation: 'Run `aws-groundwork apply`.',
  },
});

/** PutPublicAccessBlock turns all four settings on. */
type Operations = { 'block-public-access': null };

export default defineStep({
  id: STEP,
  title: 'S3 Block Public Access',
  description: 'Turns on all four account-level S3 Block Public Access settings, so no bucket can be made public by mistake.',
  checks: CHECKS.list,
  scope: 'every-account',
  answers: object({}, { description: 'Account-level S3 Block Public Access (nothing to answer)' }),
  permissions: { read: ['s3:GetAccountPublicAccessBlock'], apply: ['s3:PutAccountPublicAccessBlock'] },

  async suggest(ctx) {
    const missing = off(await current(ctx.aws, ctx.account.id));
    if (missing.length === 0) return {};
    return { notes: { '': [`Account-level Block Public Access is off for ${missing.join(', ')}: the plan turns it on.`] } };
  },

  async plan(ctx) {
    const have = await current(ctx.aws, ctx.account.id);
    if (off(have).length === 0) return [];
    return [
      change('block-public-access', null, {
        address: resource(ctx.account.id),
        action: have ? 'update' : 'create',
        before: have,
        after: ALL_ON,
        risk: 'security',
        summary: `turn on account-level S3 Block Public Access (${off(have).join(', ')})`,
      }),
    ];
  },

  apply: {
    async 'block-public-access'(ctx, _input: Operations['block-public-access']) {
      await ctx.aws.s3control.send(new PutPublicAccessBlockCommand({ AccountId: ctx.account.id, PublicAccessBlockConfiguration: ALL_ON }));
    },
  },

  async verify(ctx) {
    const missing = off(await current(ctx.aws, ctx.account.id));
    const problem = missing.length > 0 && `account-level Block Public Access is off for ${missing.join(', ')}`;
    return [check(CHECKS.accountLevel, resource(ctx.account.id), problem, 'account-level Block Public Access is fully on')];
  },
});
