import { change } from '../../src/kit/builders.js';
import type { PlannedChange, StepContext } from '../../src/kit/step.js';
import { placeholder } from '../../src/model.js';
import type { CostAlertsAnswers } from './answers.js';
import {
  MONITOR_ARN,
  thresholdExpression,
  type LiveSubscription,
  type Operations as AnomalyOps,
  type WantedSubscription,
} from './anomaly.js';
import {
  ALERTS,
  alertLabel,
  budgetSpec,
  emailSubscriber,
  limitHolds,
  liveAlert,
  sameAlert,
  type LiveBudget,
  type Operations as BudgetOps,
} from './budget.js';

export type Operations = BudgetOps & AnomalyOps;
export type Ctx = StepContext<CostAlertsAnswers>;
type Planned = PlannedChange<Operations>;

const lower = (e: string) => e.toLowerCase();
/** The addresses of `a` that `b` lacks, ignoring case (mail providers do). */
export const missingFrom = (a: string[], b: string[]) => a.filter((e) => !b.map(lower).includes(lower(e)));

export const budgetAddress = (ctx: Ctx) => `budgets:${ctx.account.id}/budget/${ctx.answers.budgetName}`;
const alertAddress = (ctx: Ctx, a: { NotificationType?: string; Threshold?: number }) =>
  `${budgetAddress(ctx)}/notification/${String(a.NotificationType).toLowerCase()}-${a.Threshold}`;
const amount = (usd: number | string | undefined) => `USD ${Number(usd)}`;

/** The budget, as it should be: made whole in one call when missing, else its limit, alerts and subscribers. */
export function planBudget(ctx: Ctx, live: LiveBudget | null): Planned[] {
  const { budgetName, limitUsd, emails } = ctx.answers;
  const AccountId = ctx.account.id;
  const spec = budgetSpec(budgetName, limitUsd);
  if (!live) {
    const NotificationsWithSubscribers = ALERTS.map((Notification) => ({ Notification, Subscribers: emails.map(emailSubscriber) }));
    return [
      change(
        'create-budget',
        { AccountId, Budget: spec, NotificationsWithSubscribers },
        {
          address: budgetAddress(ctx),
          action: 'create',
          before: null,
          after: { ...spec, NotificationsWithSubscribers },
          risk: 'none',
          summary: `create the monthly cost budget ${budgetName} (${amount(limitUsd)}), emailing ${emails.join(', ')} at 50 %, 80 % and 100 % of actual and 100 % of forecasted spend`,
        },
      ),
    ];
  }
  const changes: Planned[] = [];
  if (live.type !== 'COST') {
    ctx.note(
      `The budget ${budgetName} is a ${live.type ?? 'non-cost'} budget, not a cost budget: give steps.cost-alerts.budgetName another name.`,
    );
  } else if (!limitHolds(live, limitUsd)) {
    changes.push(
      change(
        'update-budget',
        { AccountId, NewBudget: spec },
        {
          address: budgetAddress(ctx),
          action: 'update',
          before: { TimeUnit: live.timeUnit ?? null, BudgetLimit: { Amount: live.amount ?? null, Unit: live.unit ?? null } },
          after: { TimeUnit: spec.TimeUnit, BudgetLimit: spec.BudgetLimit },
          risk: 'none',
          summary: `set the budget ${budgetName} to ${amount(limitUsd)} a month (it is ${amount(live.amount)} ${String(live.timeUnit).toLowerCase()})`,
        },
      ),
    );
  }
  for (const alert of ALERTS) changes.push(...planAlert(ctx, live, alert));
  const others = live.notifications.filter((n) => !ALERTS.some((a) => sameAlert(a, n.notification)));
  if (others.length) {
    ctx.note(
      `The budget ${budgetName} has alerts this step does not manage (${others.map((n) => alertLabel(n.notification)).join(', ')}): left as they are.`,
    );
  }
  return changes;
}

/**
 * One alert: made with every address when missing; otherwise each missing address added and each
 * address the answers no longer list removed. Removing a subscriber changes who gets an email and
 * nothing else, so it needs no opt-in; the plan names the address.
 */
function planAlert(ctx: Ctx, live: LiveBudget, alert: BudgetOps['create-notification']['Notification']): Planned[] {
  const { budgetName, emails } = ctx.answers;
  const AccountId = ctx.account.id;
  const had = liveAlert(live, alert);
  const label = alertLabel(alert);
  if (!had) {
    const Subscribers = emails.map(emailSubscriber);
    return [
      change(
        'create-notification',
        { AccountId, BudgetName: budgetName, Notification: alert, Subscribers },
        {
          address: alertAddress(ctx, alert),
          action: 'create',
          before: null,
          after: { ...alert, Subscribers },
          risk: 'none',
          summary: `add ${label} to the budget ${budgetName}, emailing ${emails.join(', ')}`,
        },
      ),
    ];
  }
  const subscriber = (kind: 'create-subscriber' | 'delete-subscriber', email: string, summary: string) =>
    change(
      kind,
      { AccountId, BudgetName: budgetName, Notification: alert, Subscriber: emailSubscriber(email) },
      {
        address: `${alertAddress(ctx, alert)}/subscriber/${email}`,
        action: kind === 'create-subscriber' ? 'create' : 'delete',
        before: kind === 'create-subscriber' ? null : email,
        after: kind === 'create-subscriber' ? email : null,
        risk: 'none',
        summary,
      },
    );
  return [
    ...missingFrom(emails, had.emails).map((e) => subscriber('create-subscriber', e, `email ${e} ${label} of the budget ${budgetName}`)),
    ...missingFrom(had.emails, emails).map((e) =>
      subscriber(
        'delete-subscriber',
        e,
        `stop emailing ${e} ${label} of the budget ${budgetName} (the answers no longer list the address)`,
      ),
    ),
  ];
}

/** The subscription as the answers want it, on the monitor given (its ARN, or its placeholder). */
export function wantedSubscription(ctx: Ctx, monitorArn: string): WantedSubscription {
  const { subscriptionName, emails, anomalyThresholdUsd } = ctx.answers;
  return {
    SubscriptionName: subscriptionName,
    Frequency: 'DAILY',
    Subscribers: emails.map((Address) => ({ Type: 'EMAIL', Address })),
    ThresholdExpression: thresholdExpression(anomalyThresholdUsd),
    MonitorArnList: [monitorArn],
  };
}

/** What is off in a live subscription, as a person reads it; empty when it is as wanted. */
export function subscriptionProblems(ctx: Ctx, live: LiveSubscription, monitorArn: string | null): string[] {
  const { subscriptionName: name, emails, anomalyThresholdUsd } = ctx.answers;
  return [
    ...(live.frequency !== 'DAILY' ? [`the subscription ${name} sends ${String(live.frequency).toLowerCase()} alerts, not daily`] : []),
    ...(live.thresholdUsd !== anomalyThresholdUsd
      ? [
          `the subscription ${name} alerts from ${live.thresholdUsd === null ? 'another kind of threshold' : amount(live.thresholdUsd)}, not ${amount(anomalyThresholdUsd)}`,
        ]
      : []),
    ...missingFrom(emails, live.emails).map((e) => `${e} does not get the anomaly alerts`),
    ...missingFrom(live.emails, emails).map((e) => `${e} gets the anomaly alerts but is not in the answers`),
    ...(monitorArn && !live.monitors.includes(monitorArn) ? [`the subscription ${name} does not watch the AWS services monitor`] : []),
  ];
}

/** The AWS services monitor, made when the account has none; an existing one is used under its own name. */
function planMonitor(ctx: Ctx, monitor: { arn: string; name: string } | null): Planned[] {
  const { monitorName } = ctx.answers;
  if (monitor) {
    if (monitor.name !== monitorName) {
      ctx.note(`Cost Anomaly Detection: using the account's existing AWS services monitor "${monitor.name}" (AWS allows one per account).`);
    }
    return [];
  }
  const AnomalyMonitor = { MonitorName: monitorName, MonitorType: 'DIMENSIONAL' as const, MonitorDimension: 'SERVICE' as const };
  return [
    change(
      'create-monitor',
      { AnomalyMonitor },
      {
        address: `ce:${ctx.account.id}/anomaly-monitor/${monitorName}`,
        action: 'create',
        before: null,
        after: AnomalyMonitor,
        risk: 'none',
        summary: `create the Cost Anomaly Detection monitor ${monitorName}, which watches the spend of each AWS service`,
      },
    ),
  ];
}

/** The monitor (made when the account has none) and the subscription (made, or brought in line with the answers). */
export function planAnomaly(ctx: Ctx, monitor: { arn: string; name: string } | null, live: LiveSubscription | null): Planned[] {
  const { subscriptionName } = ctx.answers;
  const changes = planMonitor(ctx, monitor);
  const arn = monitor?.arn ?? placeholder(MONITOR_ARN);
  const want = wantedSubscription(ctx, arn);
  const address = `ce:${ctx.account.id}/anomaly-subscription/${subscriptionName}`;
  if (!live) {
    changes.push(
      change(
        'create-subscription',
        { AnomalySubscription: want },
        {
          address,
          action: 'create',
          before: null,
          after: { ...want },
          risk: 'none',
          summary: `email ${ctx.answers.emails.join(', ')} a daily summary of cost anomalies of ${amount(ctx.answers.anomalyThresholdUsd)} or more`,
          ...(monitor ? {} : { unknown: [{ path: ['MonitorArnList', 0], value: MONITOR_ARN }] }),
        },
      ),
    );
    return changes;
  }
  const problems = subscriptionProblems(ctx, live, arn);
  if (problems.length === 0) return changes;
  const { SubscriptionName: _name, ...fields } = want;
  const update = { SubscriptionArn: live.arn, ...fields, MonitorArnList: [...new Set([...live.monitors, arn])] };
  const before = { Frequency: live.frequency ?? null, Emails: live.emails, ThresholdUsd: live.thresholdUsd, MonitorArnList: live.monitors };
  changes.push(
    change('update-subscription', update, {
      address,
      action: 'update',
      before,
      after: {
        Frequency: 'DAILY',
        Emails: ctx.answers.emails,
        ThresholdUsd: ctx.answers.anomalyThresholdUsd,
        MonitorArnList: update.MonitorArnList,
      },
      risk: 'none',
      summary: `update the cost anomaly subscription ${subscriptionName}: ${problems.join('; ')}`,
      ...(monitor ? {} : { unknown: [{ path: ['MonitorArnList', update.MonitorArnList.length - 1], value: MONITOR_ARN }] }),
    }),
  );
  return changes;
}
