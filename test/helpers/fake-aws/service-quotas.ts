/**
 * Service Quotas, for the one quota the steps read: AWS Organizations' "Default maximum number of
 * accounts" (ServiceCode `organizations`, QuotaCode `L-E619E033`), from the fake's `accountQuota`,
 * which CreateAccount enforces.
 * - GetAWSDefaultServiceQuota answers AWS's default, 10 accounts (Organizations user guide, "Quotas").
 * - GetServiceQuota answers `accountQuota` when it is not the default (raised, or lower as for some new
 *   organizations), else NoSuchResourceException, as for a quota never changed for the organization.
 * - Organizations' quotas are read in us-east-1 only (the user guide says so): another region, and any
 *   other quota, answer NoSuchResourceException (the error there is the fake's choice).
 * - `quotaReadDenied`: every call answers AccessDeniedException.
 */
import { NoSuchResourceException } from '@aws-sdk/client-service-quotas';
import { accessDenied, principalArn } from './auth.js';
import type { Call, HandlerTable } from './shared.js';

/** The quota's identity, as Service Quotas names it. */
const ACCOUNTS = { ServiceCode: 'organizations', QuotaCode: 'L-E619E033' };
const DEFAULT_ACCOUNTS = 10;

function quotaOf(value: number) {
  return {
    Quota: {
      ...ACCOUNTS,
      ServiceName: 'AWS Organizations',
      QuotaArn: `arn:aws:servicequotas:us-east-1::organizations/${ACCOUNTS.QuotaCode}`,
      QuotaName: 'Default maximum number of accounts',
      Value: value,
      Unit: 'None',
      Adjustable: true,
      GlobalQuota: false,
    },
  };
}

const noSuchQuota = (i: Call['i'], region: string) =>
  new NoSuchResourceException({
    message: `The request failed because the specified quota ${String(i.ServiceCode)}/${String(i.QuotaCode)} does not exist in ${region}.`,
    $metadata: { httpStatusCode: 404 },
  });

/** The accounts quota, once the caller may read quotas and asks for that quota where it is kept. */
function accountsQuota(call: Call, operation: string): void {
  const { s, i, region, ctx } = call;
  if (s.quotaReadDenied) {
    throw accessDenied('serviceQuotas', `User: ${principalArn(s, ctx)} is not authorized to perform: servicequotas:${operation}`);
  }
  if (i.ServiceCode !== ACCOUNTS.ServiceCode || i.QuotaCode !== ACCOUNTS.QuotaCode || region !== 'us-east-1') throw noSuchQuota(i, region);
}

export const SERVICE_QUOTAS_HANDLERS: HandlerTable = {
  'serviceQuotas:GetAWSDefaultServiceQuota': (call) => {
    accountsQuota(call, 'GetAWSDefaultServiceQuota');
    return quotaOf(DEFAULT_ACCOUNTS);
  },
  'serviceQuotas:GetServiceQuota': (call) => {
    accountsQuota(call, 'GetServiceQuota');
    if (call.s.accountQuota === DEFAULT_ACCOUNTS) throw noSuchQuota(call.i, call.region);
    return quotaOf(call.s.accountQuota);
  },
};
