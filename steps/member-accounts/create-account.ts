import {
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  MoveAccountCommand,
  TagResourceCommand,
} from '@aws-sdk/client-organizations';
import type { AwsClients } from '../../src/aws/clients.js';
import { IsolatedFailure } from '../../src/errors.js';
import type { StepContext } from '../../src/kit/step.js';
import { doneOn, isAwsError, type AccountPurpose } from '../../src/model.js';
import { explainCreationFailure } from './failures.js';
import { ENV_TAG, allAccounts, byEmail, envTag, inProgress, ousUnder, parentOf, rootId } from './reads.js';

/** A configured member account, its environment worked out. */
export interface Wanted {
  name: string;
  email: string;
  ou: string;
  env: string;
  purpose?: AccountPurpose;
}

const POLL_START_MS = 2_000;
const POLL_MAX_MS = 15_000;
/** Real creation takes minutes; past this the run stops and a re-run picks the request up again. */
const CREATION_TIMEOUT_MS = 20 * 60_000;

export async function moveInto(aws: AwsClients, accountId: string, ouName: string): Promise<void> {
  const root = await rootId(aws);
  const target = (await ousUnder(aws, root)).get(ouName);
  if (!target) throw new Error(`the organizational unit ${ouName} does not exist`);
  const source = await parentOf(aws, accountId);
  if (source === target) return;
  // DuplicateAccount: it is already there (moved by an earlier run whose answer was lost).
  await doneOn('DuplicateAccount')(() =>
    aws.organizations.send(new MoveAccountCommand({ AccountId: accountId, SourceParentId: source, DestinationParentId: target })),
  );
}

/**
 * Creates one account, at most once. CreateAccount has no idempotency token, so before asking for a
 * new account it looks for one with this email, then for a request still in progress under this
 * name (an interrupted run), and follows that instead. Failures AWS reports for this account alone
 * do not stop the other accounts. `path` is where the account is in the answers, for the fix.
 */
export async function createAccount(ctx: StepContext<unknown>, w: Wanted, path: string): Promise<void> {
  const started = Date.now();
  // Requests first, then accounts (see plan): a request that finishes in between is seen as the account.
  const running = await inProgress(ctx.aws);
  let accountId = byEmail(await allAccounts(ctx.aws), w.email)?.Id;
  if (!accountId) {
    const requestId = running.find((r) => r.AccountName === w.name)?.Id ?? (await requestAccount(ctx.aws, w, path));
    accountId = await finished(ctx, w, path, requestId, started);
  }
  if (!accountId) throw new Error(`AWS reported ${w.name} created without an account id`);
  await moveInto(ctx.aws, accountId, w.ou);
  if ((await envTag(ctx.aws, accountId)) !== w.env) {
    await ctx.aws.organizations.send(new TagResourceCommand({ ResourceId: accountId, Tags: [{ Key: ENV_TAG, Value: w.env }] }));
  }
  ctx.note(`${w.name} is account ${accountId} (ready after ${Math.max(1, Math.round((Date.now() - started) / 1000))} s)`);
}

/** Sends CreateAccount; a reason AWS gives for refusing this account alone fails only this account. */
async function requestAccount(aws: AwsClients, w: Wanted, path: string): Promise<string | undefined> {
  try {
    const r = await aws.organizations.send(
      new CreateAccountCommand({ Email: w.email, AccountName: w.name, Tags: [{ Key: ENV_TAG, Value: w.env }] }),
    );
    return r.CreateAccountStatus?.Id;
  } catch (err) {
    if (isAwsError(err, 'ConstraintViolation')) {
      const reason = (err as { Reason?: string }).Reason;
      throw new IsolatedFailure(explainCreationFailure(reason, { ...w, path }));
    }
    throw err;
  }
}

/** Polls the creation request, backing off, until AWS says it succeeded (the new id) or failed. */
async function finished(
  ctx: StepContext<unknown>,
  w: Wanted,
  path: string,
  requestId: string | undefined,
  started: number,
): Promise<string | undefined> {
  let delay = POLL_START_MS;
  for (;;) {
    const status = (await ctx.aws.organizations.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: requestId })))
      .CreateAccountStatus;
    if (status?.State === 'SUCCEEDED') return status.AccountId;
    if (status?.State === 'FAILED') throw new IsolatedFailure(explainCreationFailure(status.FailureReason, { ...w, path }));
    ctx.progress(
      `${w.name}: ${status?.State ?? 'waiting'}, ${Math.round((Date.now() - started) / 1000)} s so far (AWS takes a few minutes)`,
    );
    if (Date.now() - started > CREATION_TIMEOUT_MS) {
      throw new Error(
        `${w.name} is still being created after ${Math.round((Date.now() - started) / 60_000)} minutes; run again later to pick it up`,
      );
    }
    await ctx.sleep(delay);
    delay = Math.min(delay * 2, POLL_MAX_MS);
  }
}
