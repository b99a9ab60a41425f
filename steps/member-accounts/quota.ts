import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand } from '@aws-sdk/client-service-quotas';
import type { AwsClients } from '../../src/aws/clients.js';
import { PreconditionError, ReadOnlyViolationError, UndeclaredActionError, callContextOf, isAccessDenied } from '../../src/errors.js';
import type { StepContext } from '../../src/kit/step.js';
import { absentOn } from '../../src/model.js';

/**
 * AWS Organizations' "Default maximum number of accounts" in Service Quotas: 10 unless raised (up to
 * 10,000, asked for by the management account), lower for some new organizations. Organizations is
 * hosted in us-east-1, where its quotas are read (Organizations user guide, "Quotas and service limits").
 */
export const ACCOUNT_QUOTA = { ServiceCode: 'organizations', QuotaCode: 'L-E619E033' } as const;

/**
 * The quota as applied to this organization, else AWS's default: GetServiceQuota answers
 * NoSuchResourceException for a quota that was never changed for the account.
 */
export async function accountQuota(aws: AwsClients): Promise<number> {
  const applied = await absentOn('NoSuchResource')(() => aws.serviceQuotas.send(new GetServiceQuotaCommand(ACCOUNT_QUOTA)));
  const quota = applied ?? (await aws.serviceQuotas.send(new GetAWSDefaultServiceQuotaCommand(ACCOUNT_QUOTA)));
  const value = quota.Quota?.Value;
  if (typeof value !== 'number') throw new Error('Service Quotas answered the quota without a value');
  return value;
}

/** Why a read failed, in a few words: the error's name and the first sentence of what it says. */
function shortReason(err: unknown): string {
  if (isAccessDenied(err)) return `${callContextOf(err)?.action ?? 'the Service Quotas read'} was denied`;
  if (!(err instanceof Error)) return String(err);
  const said = err.message.split(/(?<=\.)\s|\n/)[0]?.slice(0, 160) ?? '';
  return said ? `${err.name}: ${said}` : err.name;
}

/**
 * Before the first write: the organization's accounts (`held`: ListAccounts lists every status, and
 * a closed account counts against the quota until it is closed for good, 90 days on) and the ones the
 * plan creates must fit the quota, or the plan stops here instead of AWS refusing the accounts past it
 * half-way through an apply. A quota that cannot be read (denied, or an endpoint without Service
 * Quotas) leaves the check to AWS, and a note says so.
 */
export async function checkAccountQuota(ctx: StepContext<unknown>, held: number, creating: string[]): Promise<void> {
  let quota: number;
  try {
    quota = await accountQuota(ctx.aws);
  } catch (err) {
    // Our own guard's refusals are bugs to report, not a quota to skip.
    if (err instanceof ReadOnlyViolationError || err instanceof UndeclaredActionError) throw err;
    ctx.note(
      `the organization's account quota could not be checked before creating ${creating.length} ${creating.length === 1 ? 'account' : 'accounts'} (${shortReason(err)}); AWS refuses any account past it, and the others are still made`,
    );
    return;
  }
  if (held + creating.length <= quota) return;
  throw new PreconditionError(
    `the organization's quota is ${quota} accounts and it holds ${held} (closed accounts count until they are closed for good, 90 days on); ` +
      `these answers add ${creating.length} (${creating.join(', ')}), ${held + creating.length - quota} too many. ` +
      `Ask for more before applying: Service Quotas console (region us-east-1) > AWS services > AWS Organizations > "Default maximum number of accounts" > Request increase at account level (from the management account), or configure fewer accounts`,
  );
}
