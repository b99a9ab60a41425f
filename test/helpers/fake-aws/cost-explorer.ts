/**
 * Cost Explorer's anomaly detection: monitors and subscriptions of the caller's account.
 * - one DIMENSIONAL monitor per dimension: a second SERVICE monitor is refused with ValidationException
 *   "Limit exceeded on dimensional spend monitor creation", as AWS does; names need not be unique.
 * - subscriptions: names need not be unique either (AWS makes a second one); EMAIL subscribers need a
 *   DAILY or WEEKLY frequency, SNS ones IMMEDIATE; exactly one of Threshold and ThresholdExpression;
 *   every monitor of MonitorArnList must exist (UnknownMonitorException); an unknown ARN to update:
 *   UnknownSubscriptionException.
 * - GetAnomalyMonitors and GetAnomalySubscriptions answer pages of at most `pageSize` (MaxResults can
 *   ask for fewer), NextPageToken an offset. Nothing is ever detected.
 */
import { CostExplorerServiceException, UnknownMonitorException, UnknownSubscriptionException } from '@aws-sdk/client-cost-explorer';
import { meta, type Call, type HandlerTable, type Input } from './shared.js';
import type { FakeAnomalyMonitor, FakeAnomalySubscription, FakeState } from './state.js';

/** Cost Explorer's model has no ValidationException class; AWS answers one with HTTP 400. */
const validation = (message: string) =>
  new CostExplorerServiceException({ name: 'ValidationException', message, $fault: 'client', $metadata: { httpStatusCode: 400 } });

const stateOf = ({ s, ctx }: Call) => s.stateOf(ctx.account);
/** A fresh ARN of `kind`: the first numbered id the account's map does not hold (deterministic, for goldens). */
function freshArn(call: Call, kind: 'anomalymonitor' | 'anomalysubscription', taken: Map<string, unknown>): string {
  for (let n = 1; ; n++) {
    const arn = `arn:aws:ce::${call.ctx.account}:${kind}/${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`;
    if (!taken.has(arn)) return arn;
  }
}

function page<T>(s: FakeState, i: Input, items: T[]): { items: T[]; NextPageToken?: string } {
  const max = i.MaxResults === undefined ? s.pageSize : Number(i.MaxResults);
  if (!(max >= 1)) throw validation('MaxResults must be at least 1');
  const from = i.NextPageToken === undefined ? 0 : Number(i.NextPageToken);
  const end = from + Math.min(max, s.pageSize);
  return { items: items.slice(from, end), ...(end < items.length ? { NextPageToken: String(end) } : {}) };
}

function createMonitor(call: Call) {
  const m = (call.i.AnomalyMonitor ?? {}) as Input;
  if (typeof m.MonitorName !== 'string') throw validation('MonitorName is required');
  if (m.MonitorType !== 'DIMENSIONAL' && m.MonitorType !== 'CUSTOM') throw validation('MonitorType must be DIMENSIONAL or CUSTOM');
  if (m.MonitorType === 'DIMENSIONAL' && !m.MonitorDimension) throw validation('A DIMENSIONAL monitor needs a MonitorDimension');
  const monitors = stateOf(call).anomalyMonitors;
  const same = [...monitors.values()].some((x) => x.MonitorType === 'DIMENSIONAL' && x.MonitorDimension === m.MonitorDimension);
  if (m.MonitorType === 'DIMENSIONAL' && same) throw validation('Limit exceeded on dimensional spend monitor creation');
  const MonitorArn = freshArn(call, 'anomalymonitor', monitors);
  const monitor: FakeAnomalyMonitor = {
    MonitorArn,
    MonitorName: m.MonitorName,
    MonitorType: m.MonitorType,
    ...(m.MonitorDimension ? { MonitorDimension: String(m.MonitorDimension) } : {}),
  };
  monitors.set(MonitorArn, monitor);
  return { MonitorArn };
}

function getMonitors(call: Call) {
  const all = [...stateOf(call).anomalyMonitors.values()];
  const wanted = call.i.MonitorArnList as string[] | undefined;
  const { items, NextPageToken } = page(call.s, call.i, wanted?.length ? all.filter((m) => wanted.includes(m.MonitorArn)) : all);
  return { AnomalyMonitors: items.map((m) => ({ ...m })), ...(NextPageToken ? { NextPageToken } : {}) };
}

/** What a subscription must hold, whether made or changed. */
function checkSubscription(call: Call, x: Omit<FakeAnomalySubscription, 'SubscriptionArn' | 'AccountId'>) {
  if (!['DAILY', 'WEEKLY', 'IMMEDIATE'].includes(x.Frequency)) throw validation('Frequency must be DAILY, WEEKLY or IMMEDIATE');
  if ((x.Threshold === undefined) === (x.ThresholdExpression === undefined))
    throw validation('Give one of Threshold and ThresholdExpression');
  if (x.Subscribers.length === 0) throw validation('A subscription needs a subscriber');
  const emails = x.Subscribers.some((s) => s.Type === 'EMAIL');
  if (emails && x.Frequency === 'IMMEDIATE') throw validation('Email subscribers need a DAILY or WEEKLY frequency.');
  if (x.Subscribers.some((s) => s.Type === 'SNS') && x.Frequency !== 'IMMEDIATE')
    throw validation('SNS subscribers need an IMMEDIATE frequency.');
  const monitors = stateOf(call).anomalyMonitors;
  for (const arn of x.MonitorArnList)
    if (!monitors.has(arn)) throw new UnknownMonitorException({ message: `No monitor with ARN ${arn}.`, ...meta });
}

function createSubscription(call: Call) {
  const a = (call.i.AnomalySubscription ?? {}) as Input;
  if (typeof a.SubscriptionName !== 'string') throw validation('SubscriptionName is required');
  const fields = {
    SubscriptionName: a.SubscriptionName,
    Frequency: String(a.Frequency),
    MonitorArnList: [...((a.MonitorArnList as string[] | undefined) ?? [])],
    Subscribers: ((a.Subscribers as Input[] | undefined) ?? []).map((s) => ({ Type: String(s.Type), Address: String(s.Address) })),
    ...(a.ThresholdExpression !== undefined ? { ThresholdExpression: structuredClone(a.ThresholdExpression) } : {}),
    ...(a.Threshold !== undefined ? { Threshold: Number(a.Threshold) } : {}),
  };
  checkSubscription(call, fields);
  const subscriptions = stateOf(call).anomalySubscriptions;
  const SubscriptionArn = freshArn(call, 'anomalysubscription', subscriptions);
  subscriptions.set(SubscriptionArn, { SubscriptionArn, AccountId: call.ctx.account, ...fields });
  return { SubscriptionArn };
}

function getSubscriptions(call: Call) {
  const wanted = call.i.SubscriptionArnList as string[] | undefined;
  const monitor = call.i.MonitorArn as string | undefined;
  const all = [...stateOf(call).anomalySubscriptions.values()].filter(
    (x) => (!wanted?.length || wanted.includes(x.SubscriptionArn)) && (!monitor || x.MonitorArnList.includes(monitor)),
  );
  const { items, NextPageToken } = page(call.s, call.i, all);
  return { AnomalySubscriptions: items.map((x) => structuredClone(x)), ...(NextPageToken ? { NextPageToken } : {}) };
}

function updateSubscription(call: Call) {
  const subscriptions = stateOf(call).anomalySubscriptions;
  const had = subscriptions.get(String(call.i.SubscriptionArn));
  if (!had) throw new UnknownSubscriptionException({ message: 'No subscription with that ARN.', ...meta });
  if (call.i.Threshold !== undefined && call.i.ThresholdExpression !== undefined)
    throw validation('Give Threshold or ThresholdExpression, not both');
  const changed: FakeAnomalySubscription = structuredClone(had);
  const i = call.i;
  if (i.Frequency !== undefined) changed.Frequency = String(i.Frequency);
  if (i.MonitorArnList !== undefined) changed.MonitorArnList = [...(i.MonitorArnList as string[])];
  if (i.Subscribers !== undefined)
    changed.Subscribers = (i.Subscribers as Input[]).map((s) => ({ Type: String(s.Type), Address: String(s.Address) }));
  if (i.SubscriptionName !== undefined) changed.SubscriptionName = String(i.SubscriptionName);
  if (i.ThresholdExpression !== undefined) {
    changed.ThresholdExpression = structuredClone(i.ThresholdExpression);
    delete changed.Threshold;
  }
  if (i.Threshold !== undefined) {
    changed.Threshold = Number(i.Threshold);
    delete changed.ThresholdExpression;
  }
  checkSubscription(call, changed);
  subscriptions.set(had.SubscriptionArn, changed);
  return { SubscriptionArn: had.SubscriptionArn };
}

function deleteSubscription(call: Call) {
  if (!stateOf(call).anomalySubscriptions.delete(String(call.i.SubscriptionArn))) {
    throw new UnknownSubscriptionException({ message: 'No subscription with that ARN.', ...meta });
  }
  return {};
}

function deleteMonitor(call: Call) {
  if (!stateOf(call).anomalyMonitors.delete(String(call.i.MonitorArn))) {
    throw new UnknownMonitorException({ message: 'No monitor with that ARN.', ...meta });
  }
  return {};
}

export const COST_EXPLORER_HANDLERS: HandlerTable = {
  'costExplorer:CreateAnomalyMonitor': createMonitor,
  'costExplorer:GetAnomalyMonitors': getMonitors,
  'costExplorer:DeleteAnomalyMonitor': deleteMonitor,
  'costExplorer:CreateAnomalySubscription': createSubscription,
  'costExplorer:GetAnomalySubscriptions': getSubscriptions,
  'costExplorer:UpdateAnomalySubscription': updateSubscription,
  'costExplorer:DeleteAnomalySubscription': deleteSubscription,
};
