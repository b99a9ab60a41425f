import {
  CreateAnomalyMonitorCommand,
  CreateAnomalySubscriptionCommand,
  GetAnomalyMonitorsCommand,
  GetAnomalySubscriptionsCommand,
  UpdateAnomalySubscriptionCommand,
  type AnomalyMonitor,
  type AnomalySubscription,
} from '@aws-sdk/client-cost-explorer';
import type { AwsClients } from '../../src/aws/clients.js';
import { allTokenPages } from '../../src/aws/iam-reads.js';

/**
 * What the step keeps in Cost Anomaly Detection (Cost Explorer's API, global, us-east-1): the one AWS
 * managed monitor of AWS services (DIMENSIONAL, dimension SERVICE; AWS allows one such monitor per
 * account and refuses a second with ValidationException "Limit exceeded on dimensional spend monitor
 * creation", so an existing one is used whatever its name), and one subscription, found by its name,
 * that emails a daily summary of the anomalies above the threshold.
 */

/** The monitor's ARN as the plan shows it before CreateAnomalyMonitor has made it. */
export const MONITOR_ARN = 'cost anomaly monitor ARN';

/** The threshold as Cost Explorer takes it (ThresholdExpression; the `Threshold` number is deprecated). */
export const thresholdExpression = (usd: number) => ({
  Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE' as const, MatchOptions: ['GREATER_THAN_OR_EQUAL' as const], Values: [String(usd)] },
});

export type WantedSubscription = {
  SubscriptionName: string;
  Frequency: 'DAILY';
  Subscribers: { Type: 'EMAIL'; Address: string }[];
  ThresholdExpression: ReturnType<typeof thresholdExpression>;
  MonitorArnList: string[];
};

export interface LiveSubscription {
  arn: string;
  frequency: string | undefined;
  emails: string[];
  /** The absolute impact threshold in USD, from ThresholdExpression or the legacy Threshold; null when it is another kind. */
  thresholdUsd: number | null;
  monitors: string[];
}

export type Operations = {
  'create-monitor': { AnomalyMonitor: { MonitorName: string; MonitorType: 'DIMENSIONAL'; MonitorDimension: 'SERVICE' } };
  /** The MonitorArnList may hold the monitor's placeholder: the handler takes the filled-in `after`. */
  'create-subscription': { AnomalySubscription: WantedSubscription };
  'update-subscription': Omit<WantedSubscription, 'SubscriptionName'> & { SubscriptionArn: string };
};

/** Every anomaly monitor of the account, page by page (NextPageToken). */
async function monitors(aws: AwsClients): Promise<AnomalyMonitor[]> {
  return allTokenPages(async (token) => {
    const r = await aws.costExplorer.send(new GetAnomalyMonitorsCommand({ NextPageToken: token }));
    return { items: r.AnomalyMonitors, NextToken: r.NextPageToken };
  });
}

/** The account's AWS services monitor (DIMENSIONAL, SERVICE), under whatever name it has, or null. */
export async function serviceMonitor(aws: AwsClients): Promise<{ arn: string; name: string } | null> {
  const found = (await monitors(aws)).find((m) => m.MonitorType === 'DIMENSIONAL' && m.MonitorDimension === 'SERVICE' && m.MonitorArn);
  return found ? { arn: found.MonitorArn as string, name: found.MonitorName ?? '' } : null;
}

/** The absolute threshold an expression states, or null when it states anything else. */
function absoluteThreshold(s: AnomalySubscription): number | null {
  const d = s.ThresholdExpression?.Dimensions;
  if (d?.Key === 'ANOMALY_TOTAL_IMPACT_ABSOLUTE' && d.MatchOptions?.includes('GREATER_THAN_OR_EQUAL') && d.Values?.length === 1) {
    return Number(d.Values[0]);
  }
  // A subscription made with the deprecated Threshold field still answers it.
  return !s.ThresholdExpression && typeof s.Threshold === 'number' ? s.Threshold : null;
}

/** The subscription of that name, or null. */
export async function subscriptionNamed(aws: AwsClients, name: string): Promise<LiveSubscription | null> {
  let token: string | undefined;
  do {
    const r = await aws.costExplorer.send(new GetAnomalySubscriptionsCommand({ NextPageToken: token }));
    const found = r.AnomalySubscriptions?.find((s) => s.SubscriptionName === name && s.SubscriptionArn);
    if (found) {
      return {
        arn: found.SubscriptionArn as string,
        frequency: found.Frequency,
        emails: (found.Subscribers ?? []).filter((x) => x.Type === 'EMAIL').map((x) => x.Address ?? ''),
        thresholdUsd: absoluteThreshold(found),
        monitors: found.MonitorArnList ?? [],
      };
    }
    token = r.NextPageToken;
  } while (token);
  return null;
}

/**
 * The Cost Explorer writes. CreateAnomalyMonitor and CreateAnomalySubscription take no client token
 * and AWS does not refuse a second subscription of one name, so after a lost answer they are not
 * sent again: the engine plans the step again, which finds them (the monitor by its dimension, the
 * subscription by its name). UpdateAnomalySubscription sets the same fields again: safe to resend.
 */
export const anomalyWrites = {
  async createMonitor(aws: AwsClients, input: Operations['create-monitor']): Promise<string> {
    return (await aws.costExplorer.send(new CreateAnomalyMonitorCommand(input))).MonitorArn as string;
  },
  async createSubscription(aws: AwsClients, subscription: WantedSubscription) {
    await aws.costExplorer.send(new CreateAnomalySubscriptionCommand({ AnomalySubscription: subscription }));
  },
  async updateSubscription(aws: AwsClients, input: Operations['update-subscription']) {
    await aws.costExplorer.send(new UpdateAnomalySubscriptionCommand(input));
  },
};
