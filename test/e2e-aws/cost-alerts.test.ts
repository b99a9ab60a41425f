/**
 * Cost alerts of the packed package against the emulator, whose Budgets and Cost Anomaly Detection keep
 * what they are given (no validation, spend 0, nothing detected; its README): one apply makes the
 * budget with its four alerts and their subscribers, the AWS services monitor and the daily
 * subscription, read back with the SDK; the next plan is empty and verify passes; the 80 % alert and
 * the subscription deleted behind the tool's back fail verify naming both, and apply restores them.
 */
import { expect, it } from 'vitest';
import {
  DeleteNotificationCommand,
  DescribeBudgetCommand,
  DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand,
} from '@aws-sdk/client-budgets';
import { DeleteAnomalySubscriptionCommand, GetAnomalyMonitorsCommand, GetAnomalySubscriptionsCommand } from '@aws-sdk/client-cost-explorer';
import { REGION } from './answers.js';
import { baseEnv, MANAGEMENT, runBin, tempDir, writeAnswers } from './harness/cli.js';
import { destroyAll, sdkClients, type SdkClients } from './harness/sdk-clients.js';
import { e2eSuite, type World } from './harness/suite.js';

const ANSWERS = `version: 1
region: ${REGION}
steps:
  cost-alerts: { limitUsd: 250, emails: [billing@acme.example, cto@acme.example], anomalyThresholdUsd: 40 }
`;
const BUDGET = { AccountId: MANAGEMENT, BudgetName: 'aws-groundwork-monthly' };

interface VerifyDoc {
  findings: { status: string; check: string; reason: string }[];
}

function session(w: World) {
  const home = tempDir();
  const file = writeAnswers(home, ANSWERS);
  return (...args: string[]) => runBin(w.bin, [...args, '--answers', file, '--endpoint-url', w.proxy.url], baseEnv(home));
}

/** The budget, each alert with its addresses, the monitors and the subscriptions, as the SDK reads them. */
async function readCostAlerts(m: SdkClients) {
  const { Budget } = await m.budgets.send(new DescribeBudgetCommand(BUDGET));
  const { Notifications = [] } = await m.budgets.send(new DescribeNotificationsForBudgetCommand(BUDGET));
  const alerts: string[] = [];
  for (const Notification of Notifications) {
    const { Subscribers = [] } = await m.budgets.send(new DescribeSubscribersForNotificationCommand({ ...BUDGET, Notification }));
    const who = Subscribers.map((s) => `${s.SubscriptionType}:${s.Address}`).join(',');
    alerts.push(
      `${Notification.NotificationType} ${Notification.ComparisonOperator} ${Notification.Threshold} ${Notification.ThresholdType} ${who}`,
    );
  }
  const monitors = (await m.costExplorer.send(new GetAnomalyMonitorsCommand({}))).AnomalyMonitors ?? [];
  const subscriptions = (await m.costExplorer.send(new GetAnomalySubscriptionsCommand({}))).AnomalySubscriptions ?? [];
  return { budget: Budget, alerts: alerts.sort(), monitors, subscriptions };
}

e2eSuite(
  'the packed package against the emulator: cost alerts',
  (use) => {
    it(
      'one apply makes the budget with four alerts to both addresses, the AWS services monitor and a daily subscription; an alert and the subscription deleted fail verify, and apply restores them',
      () =>
        use(async (w) => {
          const gw = session(w);
          const apply = await gw('apply', '--yes');
          expect(apply.code, apply.stderr).toBe(0);
          expect((await gw('plan', '--detailed-exitcode')).code).toBe(0);
          expect((await gw('verify')).code).toBe(0);

          const m = sdkClients(w.emulator.url, REGION);
          const made = await readCostAlerts(m);
          expect(made.budget).toMatchObject({ BudgetType: 'COST', TimeUnit: 'MONTHLY' });
          expect(Number(made.budget?.BudgetLimit?.Amount)).toBe(250);
          const both = 'EMAIL:billing@acme.example,EMAIL:cto@acme.example';
          expect(made.alerts).toEqual([
            `ACTUAL GREATER_THAN 100 PERCENTAGE ${both}`,
            `ACTUAL GREATER_THAN 50 PERCENTAGE ${both}`,
            `ACTUAL GREATER_THAN 80 PERCENTAGE ${both}`,
            `FORECASTED GREATER_THAN 100 PERCENTAGE ${both}`,
          ]);
          expect(made.monitors).toEqual([
            expect.objectContaining({ MonitorName: 'aws-groundwork-services', MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' }),
          ]);
          expect(made.subscriptions).toEqual([
            expect.objectContaining({
              SubscriptionName: 'aws-groundwork-anomalies',
              Frequency: 'DAILY',
              MonitorArnList: [made.monitors[0]!.MonitorArn],
              ThresholdExpression: {
                Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: ['40'] },
              },
            }),
          ]);

          const eighty = {
            NotificationType: 'ACTUAL' as const,
            ComparisonOperator: 'GREATER_THAN' as const,
            Threshold: 80,
            ThresholdType: 'PERCENTAGE' as const,
          };
          await m.budgets.send(new DeleteNotificationCommand({ ...BUDGET, Notification: eighty }));
          await m.costExplorer.send(new DeleteAnomalySubscriptionCommand({ SubscriptionArn: made.subscriptions[0]!.SubscriptionArn }));
          const drifted = await gw('verify', '--output', 'json');
          expect(drifted.code, drifted.stderr).toBe(3);
          const failed = (JSON.parse(drifted.stdout) as VerifyDoc).findings
            .filter((f) => f.status === 'fail')
            .map((f) => `${f.check}: ${f.reason}`);
          expect(failed).toEqual([
            'cost-alerts.notifications: the 80 % actual alert is missing',
            'cost-alerts.anomaly-subscription: there is no cost anomaly subscription aws-groundwork-anomalies',
          ]);

          const repair = await gw('apply', '--yes');
          expect(repair.code, repair.stderr).toBe(0);
          expect((await gw('verify')).code).toBe(0);
          const repaired = await readCostAlerts(m);
          expect(repaired.alerts).toEqual(made.alerts);
          expect(repaired.monitors).toHaveLength(1);
          expect(repaired.subscriptions).toHaveLength(1);
          destroyAll(m);
        }),
      120_000,
    );
  },
  { count: 1, emulatorEnv: { EMULATOR_ACCOUNT_CREATION_SECONDS: '0' } },
);
