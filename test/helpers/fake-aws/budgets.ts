/**
 * AWS Budgets: budgets of the caller's account, their notifications and subscribers.
 * - every call names AccountId, which must be the caller's own account (AccessDeniedException otherwise).
 * - a budget, notification or subscriber that is not there: NotFoundException; one that is there
 *   already: DuplicateRecordException; a bad value (no limit, a threshold out of range, an 11th email
 *   subscriber, a notification without subscribers): InvalidParameterException.
 * - a notification is matched on its type, operator, threshold and threshold type (PERCENTAGE when left
 *   out), as AWS matches it; DescribeNotificationsForBudget and DescribeSubscribersForNotification
 *   answer pages of at most `pageSize` (MaxResults can ask for fewer), NextToken an offset.
 * - spend is not modelled: nothing is ever alerted.
 */
import { AccessDeniedException, DuplicateRecordException, InvalidParameterException, NotFoundException } from '@aws-sdk/client-budgets';
import { principalArn } from './auth.js';
import { meta, type Call, type HandlerTable, type Input } from './shared.js';
import type { FakeBudget, FakeState } from './state.js';

type FakeNotification = FakeBudget['notifications'][number];

const invalid = (message: string) => new InvalidParameterException({ message, ...meta });
const notFound = (message: string) => new NotFoundException({ message, ...meta });
const duplicate = (message: string) => new DuplicateRecordException({ message, ...meta });
/** Budgets allows 10 email subscribers per notification (Budgets user guide, quotas). */
const MAX_EMAIL_SUBSCRIBERS = 10;

/** The caller's budgets, once AccountId is checked to be the caller's. */
function budgetsOf({ s, i, ctx }: Call, operation: string): Map<string, FakeBudget> {
  if (typeof i.AccountId !== 'string' || !/^\d{12}$/.test(i.AccountId)) throw invalid('AccountId must be a 12-digit account id');
  if (i.AccountId !== ctx.account) {
    throw new AccessDeniedException({
      message: `User: ${principalArn(s, ctx)} is not authorized to perform: budgets:${operation} on resource: arn:aws:budgets::${i.AccountId}:budget/*`,
      $metadata: { httpStatusCode: 400 },
    });
  }
  return s.stateOf(ctx.account).budgets;
}

function budgetNamed(call: Call, operation: string, name = call.i.BudgetName): FakeBudget {
  const budget = budgetsOf(call, operation).get(String(name));
  if (!budget) throw notFound(`Unable to get budget: ${String(name)} - the budget doesn't exist.`);
  return budget;
}

function checkedNotification(n: unknown): FakeNotification['Notification'] {
  const x = (n ?? {}) as Record<string, unknown>;
  if (!['ACTUAL', 'FORECASTED'].includes(String(x.NotificationType))) throw invalid('NotificationType must be ACTUAL or FORECASTED');
  if (!['GREATER_THAN', 'LESS_THAN', 'EQUAL_TO'].includes(String(x.ComparisonOperator))) throw invalid('ComparisonOperator is invalid');
  const threshold = Number(x.Threshold);
  const type = (x.ThresholdType as string | undefined) ?? 'PERCENTAGE';
  if (!(threshold >= 0) || (type === 'PERCENTAGE' && threshold > 1000)) throw invalid(`Threshold ${String(x.Threshold)} is out of range`);
  return {
    NotificationType: String(x.NotificationType),
    ComparisonOperator: String(x.ComparisonOperator),
    Threshold: threshold,
    ThresholdType: type,
  };
}

const sameNotification = (a: FakeNotification['Notification'], b: FakeNotification['Notification']) =>
  a.NotificationType === b.NotificationType &&
  a.ComparisonOperator === b.ComparisonOperator &&
  a.Threshold === b.Threshold &&
  (a.ThresholdType ?? 'PERCENTAGE') === (b.ThresholdType ?? 'PERCENTAGE');

function checkedSubscribers(list: unknown): FakeNotification['subscribers'] {
  const subscribers = (Array.isArray(list) ? list : []).map((x: Input) => {
    if (!['EMAIL', 'SNS'].includes(String(x.SubscriptionType))) throw invalid('SubscriptionType must be EMAIL or SNS');
    if (typeof x.Address !== 'string' || !x.Address) throw invalid('a subscriber needs an Address');
    return { SubscriptionType: String(x.SubscriptionType), Address: x.Address };
  });
  if (subscribers.length === 0) throw invalid('A notification needs at least one subscriber');
  if (subscribers.filter((x) => x.SubscriptionType === 'EMAIL').length > MAX_EMAIL_SUBSCRIBERS) {
    throw invalid(`A notification can have at most ${MAX_EMAIL_SUBSCRIBERS} email subscribers`);
  }
  return subscribers;
}

function notificationOf(call: Call, operation: string): FakeNotification {
  const wanted = checkedNotification(call.i.Notification);
  const found = budgetNamed(call, operation).notifications.find((n) => sameNotification(n.Notification, wanted));
  if (!found) throw notFound('Unable to find the notification - it doesn\u2019t exist.');
  return found;
}

function checkedBudget(b: unknown): Omit<FakeBudget, 'notifications'> {
  const x = (b ?? {}) as Record<string, unknown>;
  if (typeof x.BudgetName !== 'string' || !/^[^:\\]{1,100}$/.test(x.BudgetName)) throw invalid('BudgetName is invalid');
  if (
    !['COST', 'USAGE', 'RI_UTILIZATION', 'RI_COVERAGE', 'SAVINGS_PLANS_UTILIZATION', 'SAVINGS_PLANS_COVERAGE'].includes(
      String(x.BudgetType),
    )
  )
    throw invalid('BudgetType is invalid');
  if (!['DAILY', 'MONTHLY', 'QUARTERLY', 'ANNUALLY'].includes(String(x.TimeUnit))) throw invalid('TimeUnit is invalid');
  const limit = x.BudgetLimit as { Amount?: string; Unit?: string } | undefined;
  if (x.BudgetType === 'COST' && (!limit || !(Number(limit.Amount) > 0) || !limit.Unit)) throw invalid('A cost budget needs a BudgetLimit');
  return {
    BudgetName: x.BudgetName,
    BudgetType: String(x.BudgetType),
    TimeUnit: String(x.TimeUnit),
    ...(limit ? { BudgetLimit: { Amount: Number(limit.Amount).toFixed(1), Unit: String(limit.Unit) } } : {}),
  };
}

/** A page of `items` from NextToken (an offset), of at most `pageSize` or MaxResults. */
function page<T>(s: FakeState, i: Input, items: T[]): { items: T[]; NextToken?: string } {
  const max = i.MaxResults === undefined ? s.pageSize : Number(i.MaxResults);
  if (!(max >= 1)) throw invalid('MaxResults must be at least 1');
  const from = i.NextToken === undefined ? 0 : Number(i.NextToken);
  const size = Math.min(max, s.pageSize);
  const next = from + size;
  return { items: items.slice(from, next), ...(next < items.length ? { NextToken: String(next) } : {}) };
}

function createBudget(call: Call) {
  const budgets = budgetsOf(call, 'CreateBudget');
  const budget = checkedBudget(call.i.Budget);
  const notifications = ((call.i.NotificationsWithSubscribers ?? []) as Input[]).map((n) => ({
    Notification: checkedNotification(n.Notification),
    subscribers: checkedSubscribers(n.Subscribers),
  }));
  if (budgets.has(budget.BudgetName)) throw duplicate(`Error creating budget: ${budget.BudgetName} - the budget already exists.`);
  budgets.set(budget.BudgetName, { ...budget, notifications });
  return {};
}

const describeBudget = (call: Call) => {
  const { notifications: _, ...budget } = budgetNamed(call, 'DescribeBudget');
  return { Budget: { ...budget, CalculatedSpend: { ActualSpend: { Amount: '0.0', Unit: 'USD' } } } };
};

function updateBudget(call: Call) {
  const next = checkedBudget(call.i.NewBudget);
  const budget = budgetNamed(call, 'UpdateBudget', next.BudgetName);
  Object.assign(budget, next);
  if (!next.BudgetLimit) delete budget.BudgetLimit;
  return {};
}

function describeNotifications(call: Call) {
  const { items, NextToken } = page(call.s, call.i, budgetNamed(call, 'DescribeNotificationsForBudget').notifications);
  return { Notifications: items.map((n) => ({ ...n.Notification, NotificationState: 'OK' })), ...(NextToken ? { NextToken } : {}) };
}

function createNotification(call: Call) {
  const budget = budgetNamed(call, 'CreateNotification');
  const Notification = checkedNotification(call.i.Notification);
  const subscribers = checkedSubscribers(call.i.Subscribers);
  if (budget.notifications.some((n) => sameNotification(n.Notification, Notification))) throw duplicate('The notification already exists.');
  budget.notifications.push({ Notification, subscribers });
  return {};
}

function describeSubscribers(call: Call) {
  const { items, NextToken } = page(call.s, call.i, notificationOf(call, 'DescribeSubscribersForNotification').subscribers);
  return { Subscribers: items.map((x) => ({ ...x })), ...(NextToken ? { NextToken } : {}) };
}

function createSubscriber(call: Call) {
  const n = notificationOf(call, 'CreateSubscriber');
  const [subscriber] = checkedSubscribers([call.i.Subscriber]);
  if (!subscriber) throw invalid('a subscriber is required');
  if (n.subscribers.some((x) => x.SubscriptionType === subscriber.SubscriptionType && x.Address === subscriber.Address))
    throw duplicate('The subscriber already exists.');
  n.subscribers = checkedSubscribers([...n.subscribers, subscriber]);
  return {};
}

function deleteSubscriber(call: Call) {
  const n = notificationOf(call, 'DeleteSubscriber');
  const x = (call.i.Subscriber ?? {}) as Input;
  const at = n.subscribers.findIndex((y) => y.SubscriptionType === x.SubscriptionType && y.Address === x.Address);
  if (at < 0) throw notFound('Unable to find the subscriber - it doesn\u2019t exist.');
  n.subscribers.splice(at, 1);
  return {};
}

function deleteNotification(call: Call) {
  const budget = budgetNamed(call, 'DeleteNotification');
  const wanted = checkedNotification(call.i.Notification);
  const at = budget.notifications.findIndex((n) => sameNotification(n.Notification, wanted));
  if (at < 0) throw notFound('Unable to find the notification - it doesn\u2019t exist.');
  budget.notifications.splice(at, 1);
  return {};
}

export const BUDGETS_HANDLERS: HandlerTable = {
  'budgets:CreateBudget': createBudget,
  'budgets:DescribeBudget': describeBudget,
  'budgets:UpdateBudget': updateBudget,
  'budgets:DescribeNotificationsForBudget': describeNotifications,
  'budgets:CreateNotification': createNotification,
  'budgets:DeleteNotification': deleteNotification,
  'budgets:DescribeSubscribersForNotification': describeSubscribers,
  'budgets:CreateSubscriber': createSubscriber,
  'budgets:DeleteSubscriber': deleteSubscriber,
};
