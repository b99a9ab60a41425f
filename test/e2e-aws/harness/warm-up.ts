import { GetAlternateContactCommand } from '@aws-sdk/client-account';
import { ListAnalyzersCommand } from '@aws-sdk/client-accessanalyzer';
import { DescribeBudgetsCommand } from '@aws-sdk/client-budgets';
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { GetAnomalyMonitorsCommand } from '@aws-sdk/client-cost-explorer';
import { ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { GetAccountSummaryCommand } from '@aws-sdk/client-iam';
import { ListGroupsCommand } from '@aws-sdk/client-identitystore';
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { ListInstancesCommand } from '@aws-sdk/client-sso-admin';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { destroyAll, sdkClients } from './sdk-clients.js';

/**
 * One request to each service the tool calls, one at a time, before a test sends anything. moto loads a
 * service's model on that service's first request, and that loading is not thread-safe: requests that
 * arrive together for a service nobody has called yet may get an HTTP 500 HTML page (a KeyError in
 * botocore's loader, in the emulator's log). The tool sends many requests at once, as it does to AWS.
 * What each answers does not matter, errors included; only that the service was loaded.
 */
export async function warmUp(url: string): Promise<void> {
  const c = sdkClients(url, 'us-east-1', undefined, 1);
  const account = '123456789012';
  const first = [
    () => c.sts.send(new GetCallerIdentityCommand({})),
    () => c.iam.send(new GetAccountSummaryCommand({})),
    () => c.organizations.send(new DescribeOrganizationCommand({})),
    () => c.account.send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' })),
    () => c.s3.send(new ListBucketsCommand({})),
    () => c.s3control.send(new GetPublicAccessBlockCommand({ AccountId: account })),
    () => c.kms.send(new ListKeysCommand({})),
    () => c.cloudtrail.send(new DescribeTrailsCommand({})),
    () => c.ssoAdmin.send(new ListInstancesCommand({})),
    () => c.identitystore.send(new ListGroupsCommand({ IdentityStoreId: 'd-0000000000' })),
    () => c.budgets.send(new DescribeBudgetsCommand({ AccountId: account })),
    () => c.costExplorer.send(new GetAnomalyMonitorsCommand({})),
    () => c.guardduty.send(new ListDetectorsCommand({})),
    () => c.accessAnalyzer.send(new ListAnalyzersCommand({})),
  ];
  try {
    for (const send of first) await send().catch(() => undefined);
  } finally {
    destroyAll(c);
  }
}
