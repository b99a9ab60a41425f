import { check, checks } from '../../src/kit/builders.js';
import type { PlannedFinding } from '../../src/kit/step.js';
import type { LiveSubscription } from './anomaly.js';
import { ALERTS, alertLabel, limitHolds, liveAlert, type LiveBudget } from './budget.js';
import { budgetAddress, missingFrom, subscriptionProblems, type Ctx } from './plan.js';

const remediation = 'Run `aws-groundwork apply` to set the cost alerts.';
export const CHECKS = checks({
  budget: { id: 'cost-alerts.budget', title: 'A monthly AWS Budgets cost budget holds the limit of the answers', remediation },
  notifications: {
    id: 'cost-alerts.notifications',
    title: 'The budget alerts at 50 %, 80 % and 100 % of actual and 100 % of forecasted spend',
    remediation,
  },
  subscribers: { id: 'cost-alerts.subscribers', title: "Every address of the answers gets each of the budget's alerts", remediation },
  anomalyMonitor: { id: 'cost-alerts.anomaly-monitor', title: 'Cost Anomaly Detection watches the spend of each AWS service', remediation },
  anomalySubscription: {
    id: 'cost-alerts.anomaly-subscription',
    title: 'Cost anomalies above the threshold are emailed daily to the addresses of the answers',
    remediation,
  },
});

const usd = (n: number | string | undefined) => `USD ${Number(n)}`;
/** `a@x gets`, `a@x, b@x get`. */
const whoGet = (emails: string[]) => `${emails.join(', ')} ${emails.length === 1 ? 'gets' : 'get'}`;

/** The budget's three checks: its limit, each of the four alerts, each address on each alert. */
export function verifyBudget(ctx: Ctx, live: LiveBudget | null): PlannedFinding[] {
  const { budgetName, limitUsd, emails } = ctx.answers;
  const resource = budgetAddress(ctx);
  if (!live) {
    const missing = `there is no budget ${budgetName}`;
    return [
      check(CHECKS.budget, resource, missing, ''),
      check(CHECKS.notifications, resource, missing, ''),
      check(CHECKS.subscribers, resource, missing, ''),
    ];
  }
  const limit =
    live.type !== 'COST'
      ? `the budget ${budgetName} is a ${live.type ?? 'non-cost'} budget, not a cost budget`
      : !limitHolds(live, limitUsd) &&
        `the budget ${budgetName} is ${usd(live.amount)} ${live.unit === 'USD' ? '' : `${live.unit} `}${String(live.timeUnit).toLowerCase()}; the answers want ${usd(limitUsd)} monthly`;
  const missingAlerts = ALERTS.filter((a) => !liveAlert(live, a)).map((a) => `${alertLabel(a)} is missing`);
  const subscriberProblems = ALERTS.flatMap((a) => {
    const had = liveAlert(live, a);
    if (!had) return [];
    return [
      ...missingFrom(emails, had.emails).map((e) => `${e} does not get ${alertLabel(a)}`),
      ...missingFrom(had.emails, emails).map((e) => `${e} gets ${alertLabel(a)} but is not in the answers`),
    ];
  });
  return [
    check(CHECKS.budget, resource, limit, `the budget ${budgetName} is ${usd(limitUsd)} a month`),
    check(
      CHECKS.notifications,
      resource,
      missingAlerts,
      'the budget alerts at 50 %, 80 % and 100 % of actual and 100 % of forecasted spend',
    ),
    check(CHECKS.subscribers, resource, subscriberProblems, `${whoGet(emails)} every alert of the budget, and nobody else by email`),
  ];
}

/** The monitor and the subscription. */
export function verifyAnomaly(ctx: Ctx, monitor: { arn: string; name: string } | null, live: LiveSubscription | null): PlannedFinding[] {
  const { subscriptionName, anomalyThresholdUsd, emails } = ctx.answers;
  const account = ctx.account.id;
  const subscription = live
    ? subscriptionProblems(ctx, live, monitor?.arn ?? null)
    : [`there is no cost anomaly subscription ${subscriptionName}`];
  return [
    check(
      CHECKS.anomalyMonitor,
      `ce:${account}/anomaly-monitor/${monitor?.name ?? ctx.answers.monitorName}`,
      !monitor && 'the account has no Cost Anomaly Detection monitor of AWS services',
      `the monitor ${monitor?.name} watches the spend of each AWS service`,
    ),
    check(
      CHECKS.anomalySubscription,
      `ce:${account}/anomaly-subscription/${subscriptionName}`,
      subscription,
      `${whoGet(emails)} a daily summary of cost anomalies of ${usd(anomalyThresholdUsd)} or more`,
    ),
  ];
}
