import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { AccountClient } from '@aws-sdk/client-account';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { STSClient } from '@aws-sdk/client-sts';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { EMULATOR_CREDENTIALS } from './cli.js';

export type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** The emulator's default account, 123456789012. */
export const MANAGEMENT_CREDENTIALS: Credentials = {
  accessKeyId: EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID,
  secretAccessKey: EMULATOR_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
};

/**
 * Plain SDK clients at an endpoint, for tests to read and change what the emulator holds behind the
 * tool's back: never the tool's own clients. IAM, Organizations and Account in the global region.
 */
export function sdkClients(url: string, region: string, credentials: Credentials = MANAGEMENT_CREDENTIALS, maxAttempts = 3) {
  const common = { endpoint: url, credentials, maxAttempts };
  return {
    iam: new IAMClient({ ...common, region: 'us-east-1' }),
    organizations: new OrganizationsClient({ ...common, region: 'us-east-1' }),
    account: new AccountClient({ ...common, region: 'us-east-1' }),
    // Budgets and Cost Explorer are global, in us-east-1.
    budgets: new BudgetsClient({ ...common, region: 'us-east-1' }),
    costExplorer: new CostExplorerClient({ ...common, region: 'us-east-1' }),
    sts: new STSClient({ ...common, region }),
    kms: new KMSClient({ ...common, region }),
    cloudtrail: new CloudTrailClient({ ...common, region }),
    s3: new S3Client({ ...common, region, forcePathStyle: true }),
    ssoAdmin: new SSOAdminClient({ ...common, region }),
    identitystore: new IdentitystoreClient({ ...common, region }),
    guardduty: new GuardDutyClient({ ...common, region }),
    accessAnalyzer: new AccessAnalyzerClient({ ...common, region }),
    // The emulator takes S3 Control at the endpoint as given, without the account-id host prefix.
    s3control: new S3ControlClient({
      ...common,
      region,
      endpointProvider: () => ({ url: new URL(url) }),
      disableHostPrefix: true,
    } as never),
  };
}

export type SdkClients = ReturnType<typeof sdkClients>;

export function destroyAll(clients: SdkClients): void {
  for (const c of Object.values(clients)) c.destroy();
}
