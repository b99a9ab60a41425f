import {
  CreateBudgetCommand,
  CreateNotificationCommand,
  CreateSubscriberCommand,
  DeleteSubscriberCommand,
  DescribeBudgetCommand,
  DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand,
  UpdateBudgetCommand,
} from '@aws-sdk/client-budgets';
import type { AwsClients } from '../../src/aws/clients.js';
import { allTokenPages } from '../../src/aws/iam-reads.js';
import { absentOn } from '../../src/model.js';

/**
 * What the step keeps in AWS Budgets: one monthly COST budget with four email alerts. Budgets is a
 * global service, and every call names the account that owns the budget (AccountId, the management
 * account: under consolidated billing its budget sees the whole organization's spend).
 */

/** A notification as Budgets takes it: plain JSON, so it can sit in a planned change. */
export type Alert = {
  NotificationType: 'ACTUAL' | 'FORECASTED';
  ComparisonOperator: 'GREATER_THAN';
  Threshold: number;
  ThresholdType: 'PERCENTAGE';
};

export type EmailSubscriber = {
  SubscriptionType: 'EMAIL';
  Address: string;
};

/** The four alerts: 50 %, 80 % and 100 % of actual spend, and 100 % of forecasted spend. */
export const ALERTS: Alert[] = [
  { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 50, ThresholdType: 'PERCENTAGE' },
  { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' },
  { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' },
  { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' },
];

/** How a person reads an alert: `the 80 % actual alert`, `the 100 % forecast alert`. */
export const alertLabel = (a: { NotificationType?: string; Threshold?: number; ThresholdType?: string }): string =>
  `the ${a.Threshold}${a.ThresholdType === 'ABSOLUTE_VALUE' ? ' USD' : ' %'} ${a.NotificationType === 'FORECASTED' ? 'forecast' : 'actual'} alert`;

/** One of the four alerts, whatever else Budgets says about it (its state, a threshold type left out: PERCENTAGE). */
export function sameAlert(
  a: Alert,
  b: { NotificationType?: string; ComparisonOperator?: string; Threshold?: number; ThresholdType?: string },
) {
  return (
    a.NotificationType === b.NotificationType &&
    a.ComparisonOperator === b.ComparisonOperator &&
    a.Threshold === Number(b.Threshold) &&
    a.ThresholdType === (b.ThresholdType ?? 'PERCENTAGE')
  );
}

export interface LiveNotification {
  notification: Alert | { NotificationType?: string; ComparisonOperator?: string; Threshold?: number; ThresholdType?: string };
  /** The EMAIL subscribers' addresses, as Budgets holds them; other subscriber types are not this step's. */
  emails: string[];
}

export interface LiveBudget {
  type: string | undefined;
  timeUnit: string | undefined;
  amount: string | undefined;
  unit: string | undefined;
  notifications: LiveNotification[];
}

/** The budget and its notifications with their subscribers, or null when there is no budget of that name. */
export async function readBudget(aws: AwsClients, accountId: string, name: string): Promise<LiveBudget | null> {
  const read = await absentOn('NotFoundException')(() =>
    aws.budgets.send(new DescribeBudgetCommand({ AccountId: accountId, BudgetName: name })),
  );
  const budget = read?.Budget;
  if (!budget) return null;
  const notifications = await allTokenPages(async (NextToken) => {
    const r = await aws.budgets.send(new DescribeNotificationsForBudgetCommand({ AccountId: accountId, BudgetName: name, NextToken }));
    return { items: r.Notifications, NextToken: r.NextToken };
  });
  const out: LiveNotification[] = [];
  for (const n of notifications) {
    const subscribers = await allTokenPages(async (NextToken) => {
      const r = await aws.budgets.send(
        new DescribeSubscribersForNotificationCommand({ AccountId: accountId, BudgetName: name, Notification: n, NextToken }),
      );
      return { items: r.Subscribers, NextToken: r.NextToken };
    });
    const emails = subscribers.filter((s) => s.SubscriptionType === 'EMAIL').map((s) => s.Address ?? '');
    out.push({ notification: n, emails });
  }
  return {
    type: budget.BudgetType,
    timeUnit: budget.TimeUnit,
    amount: budget.BudgetLimit?.Amount,
    unit: budget.BudgetLimit?.Unit,
    notifications: out,
  };
}

/** The notification of `alert` in the live budget, if it has one. */
export const liveAlert = (live: LiveBudget, alert: Alert): LiveNotification | undefined =>
  live.notifications.find((n) => sameAlert(alert, n.notification));

/** Whether the budget's limit is `limitUsd` US dollars a month (Budgets answers the amount as a decimal string, `100.0`). */
export const limitHolds = (live: LiveBudget, limitUsd: number): boolean =>
  live.timeUnit === 'MONTHLY' && live.unit === 'USD' && Number(live.amount) === limitUsd;

export const emailSubscriber = (address: string): EmailSubscriber => ({ SubscriptionType: 'EMAIL', Address: address });

/** The budget as CreateBudget and UpdateBudget take it. */
export const budgetSpec = (name: string, limitUsd: number) => ({
  BudgetName: name,
  BudgetType: 'COST' as const,
  TimeUnit: 'MONTHLY' as const,
  BudgetLimit: { Amount: String(limitUsd), Unit: 'USD' },
});

export type Operations = {
  /** CreateBudget with its four notifications and their subscribers, all in one call. */
  'create-budget': {
    AccountId: string;
    Budget: ReturnType<typeof budgetSpec>;
    NotificationsWithSubscribers: { Notification: Alert; Subscribers: EmailSubscriber[] }[];
  };
  'update-budget': { AccountId: string; NewBudget: ReturnType<typeof budgetSpec> };
  'create-notification': { AccountId: string; BudgetName: string; Notification: Alert; Subscribers: EmailSubscriber[] };
  'create-subscriber': { AccountId: string; BudgetName: string; Notification: Alert; Subscriber: EmailSubscriber };
  'delete-subscriber': { AccountId: string; BudgetName: string; Notification: Alert; Subscriber: EmailSubscriber };
};

/**
 * The Budgets writes. CreateBudget, CreateNotification and CreateSubscriber answer
 * DuplicateRecordException when what they make is there already (an earlier run, or a lost answer
 * whose call went through): that is done, and the next plan compares what is there with the answers.
 * DeleteSubscriber answers NotFoundException for a subscriber that is gone: done as well.
 */
export const budgetWrites = {
  async createBudget(aws: AwsClients, input: Operations['create-budget']) {
    await doneOnDuplicate(() => aws.budgets.send(new CreateBudgetCommand(input)));
  },
  async updateBudget(aws: AwsClients, input: Operations['update-budget']) {
    await aws.budgets.send(new UpdateBudgetCommand(input));
  },
  async createNotification(aws: AwsClients, input: Operations['create-notification']) {
    await doneOnDuplicate(() => aws.budgets.send(new CreateNotificationCommand(input)));
  },
  async createSubscriber(aws: AwsClients, input: Operations['create-subscriber']) {
    await doneOnDuplicate(() => aws.budgets.send(new CreateSubscriberCommand(input)));
  },
  async deleteSubscriber(aws: AwsClients, input: Operations['delete-subscriber']) {
    await absentOn('NotFoundException')(() => aws.budgets.send(new DeleteSubscriberCommand(input)));
  },
};

async function doneOnDuplicate(write: () => Promise<unknown>): Promise<void> {
  await absentOn('DuplicateRecordException', 'DuplicateRecord')(write);
}
