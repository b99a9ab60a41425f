import { CreateAccountCommand, MoveAccountCommand, TagResourceCommand } from '@aws-sdk/client-organizations';
import type { AwsClients } from '../../src/aws/clients.js';
import { IsolatedFailure } from '../../src/errors.js';
import type { StepContext } from '../../src/kit/step.js';
import { doneOn, isAwsError, type AccountPurpose } from '../../src/model.js';
import { explainCreationFailure } from './failures.js';
import { creationPoller } from './poller.js';
import { ENV_TAG, allAccounts, byEmail, envTag, inProgress, ousUnder, parentOf, rootId } from './reads.js';

/** A configured member account, its environment worked out. */
export interface Wanted {
  name: string;
  email: string;
  ou: string;
  env: string;
  purpose?: AccountPurpose;
}

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
 * How many times a request is sent again after AWS ended it FAILED with CONCURRENT_ACCOUNT_MODIFICATION
 * (another change to the organization was under way; that request made no account), and the first
 * wait before sending again, doubled each time.
 */
const CONCURRENT_RETRIES = 3;
const CONCURRENT_WAIT_MS = 10_000;

/**
 * Creates one account, at most once. CreateAccount has no idempotency token, so before asking for a
 * new account it looks for one with this email, then for a request still in progress under this
 * name (an interrupted run, or another account's change reading back a lost answer), and follows that
 * instead; it does so again before each new request. The wait for a request is shared with the other
 * accounts created in this apply (`creationPoller`). Failures AWS reports for this account alone do not
 * stop the other accounts. `path` is where the account is in the answers, for the fix.
 */
export async function createAccount(ctx: StepContext<unknown>, w: Wanted, path: string): Promise<void> {
  const started = Date.now();
  const accountId = await created(ctx, w, path, started);
  if (!accountId) throw new Error(`AWS reported ${w.name} created without an account id`);
  await moveInto(ctx.aws, accountId, w.ou);
  if ((await envTag(ctx.aws, accountId)) !== w.env) {
    await ctx.aws.organizations.send(new TagResourceCommand({ ResourceId: accountId, Tags: [{ Key: ENV_TAG, Value: w.env }] }));
  }
  ctx.note(`${w.name} is account ${accountId} (ready after ${Math.max(1, Math.round((Date.now() - started) / 1000))} s)`);
}

/** The account's id once it exists: found, or made by a request this run follows or sends. */
async function created(ctx: StepContext<unknown>, w: Wanted, path: string, started: number): Promise<string | undefined> {
  let wait = CONCURRENT_WAIT_MS;
  for (let retry = 0; ; retry++) {
    // Requests first, then accounts (see plan): a request that finishes in between is seen as the account.
    const running = await inProgress(ctx.aws);
    const found = byEmail(await allAccounts(ctx.aws), w.email)?.Id;
    if (found) return found;
    const requestId = running.find((r) => r.AccountName === w.name)?.Id ?? (await requestAccount(ctx.aws, w, path));
    if (!requestId) throw new Error(`AWS accepted the request for ${w.name} without a request id`);
    const status = await creationPoller(ctx).finished(requestId, { name: w.name, started, progress: (text) => ctx.progress(text) });
    if (status.State === 'SUCCEEDED') return status.AccountId;
    if (status.FailureReason !== 'CONCURRENT_ACCOUNT_MODIFICATION' || retry >= CONCURRENT_RETRIES) {
      throw new IsolatedFailure(explainCreationFailure(status.FailureReason, { ...w, path }));
    }
    ctx.progress(`${w.name}: another change to the organization was under way; asking again in ${Math.round(wait / 1000)} s`);
    await ctx.sleep(wait);
    wait *= 2;
  }
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
