import type { AwsClients } from '../../src/aws/clients.js';
import { PreconditionError } from '../../src/errors.js';
import type { StepContext } from '../../src/kit/step.js';
import type { AccountRef } from '../../src/model.js';
import { accountFor } from '../member-accounts/index.js';

/**
 * Where the trail's key and buckets are kept. With a log-archive account (member-accounts, `purpose:
 * log-archive`) they are there, out of reach of the management account's administrators, whom no SCP
 * can restrain; without one they stay in the management account, and verify says so.
 */
export type Storage =
  | { kind: 'ready'; account: AccountRef; aws: AwsClients; archive: boolean }
  /** The log-archive account is made earlier in this apply: the storage is planned once it exists. */
  | { kind: 'pending'; account: AccountRef };

export async function storageOf(ctx: StepContext<unknown>): Promise<Storage> {
  const archive = await accountFor(ctx, 'log-archive');
  if (!archive) return { kind: 'ready', account: ctx.account, aws: ctx.aws, archive: false };
  if (!archive.pending) return { kind: 'ready', account: archive, aws: await ctx.clientsIn(archive), archive: true };
  return { kind: 'pending', account: archive };
}

/** Plan can wait for a log-archive account only when this run makes it. */
export function requireArchiveMade(ctx: StepContext<unknown>, archive: AccountRef): void {
  if (ctx.inRun('member-accounts')) return;
  throw new PreconditionError(
    `the trail's logs go to the log-archive account ${archive.name}, which does not exist yet; run member-accounts first (leave it out of --skip, or add it to --only)`,
  );
}
