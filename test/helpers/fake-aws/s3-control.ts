/**
 * S3 Control: the account-level S3 Block Public Access, per account.
 * - s3control account Block Public Access per account; AccountId must be the credentials' account (AccessDenied).
 */
import { NoSuchPublicAccessBlockConfiguration, S3ControlServiceException } from '@aws-sdk/client-s3-control';
import type { CallContext } from './auth.js';
import type { Call, HandlerTable, Input } from './shared.js';
import type { FakePublicAccessBlock } from './state.js';

/** Account-level calls name an account, which must be the one the credentials act in. */
function own(i: Input, ctx: CallContext): void {
  if (String(i.AccountId ?? '') !== ctx.account) {
    throw new S3ControlServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'Access Denied',
    });
  }
}

function getPublicAccessBlock({ i, acct, ctx }: Call) {
  own(i, ctx);
  if (!acct.accountPublicAccessBlock) {
    throw new NoSuchPublicAccessBlockConfiguration({
      message: 'The public access block configuration was not found',
      Message: 'The public access block configuration was not found',
      $metadata: { httpStatusCode: 404 },
    });
  }
  return { PublicAccessBlockConfiguration: { ...acct.accountPublicAccessBlock } };
}

function putPublicAccessBlock({ i, acct, ctx }: Call) {
  own(i, ctx);
  const c = (i.PublicAccessBlockConfiguration ?? {}) as Partial<FakePublicAccessBlock>;
  acct.accountPublicAccessBlock = {
    BlockPublicAcls: Boolean(c.BlockPublicAcls),
    IgnorePublicAcls: Boolean(c.IgnorePublicAcls),
    BlockPublicPolicy: Boolean(c.BlockPublicPolicy),
    RestrictPublicBuckets: Boolean(c.RestrictPublicBuckets),
  };
  return {};
}

function deletePublicAccessBlock({ i, acct, ctx }: Call) {
  own(i, ctx);
  acct.accountPublicAccessBlock = null;
  return {};
}

export const S3_CONTROL_HANDLERS: HandlerTable = {
  's3control:GetPublicAccessBlock': getPublicAccessBlock,
  's3control:PutPublicAccessBlock': putPublicAccessBlock,
  's3control:DeletePublicAccessBlock': deletePublicAccessBlock,
};
