import type { Suggestion } from '../../src/kit/step.js';
import { MAX_EMAILS, answers } from './answers.js';
import { serviceMonitor, subscriptionNamed } from './anomaly.js';
import { ALERTS, liveAlert, readBudget } from './budget.js';
import type { Ctx } from './plan.js';

type SuggestCtx = Omit<Ctx, 'answers'> & { answers: Partial<Ctx['answers']> };

/**
 * What the account has under this step's default names, for the wizard and `answers --from-account`:
 * the budget's limit (in whole dollars, rounded up: the answers take no cents), the addresses its four
 * alerts email (else the anomaly subscription's), and the subscription's threshold.
 */
export async function suggestCostAlerts(ctx: SuggestCtx): Promise<Suggestion> {
  const budgetName = String(answers.fields.budgetName.default);
  const budget = await readBudget(ctx.aws, ctx.account.id, budgetName);
  const subscription = await subscriptionNamed(ctx.aws, String(answers.fields.subscriptionName.default));
  const monitor = await serviceMonitor(ctx.aws);
  const defaults: Record<string, unknown> = {};
  const notes: Record<string, string[]> = {};
  const amount = budget?.type === 'COST' && budget.unit === 'USD' ? Number(budget.amount) : NaN;
  if (amount >= 1) {
    defaults.limitUsd = Math.ceil(amount);
    if (Math.ceil(amount) !== amount)
      notes.limitUsd = [`The budget is USD ${amount}; the answers take whole dollars: the plan sets USD ${Math.ceil(amount)}.`];
  } else notes.limitUsd = [`The account has no monthly cost budget named ${budgetName}: put the amount you want to hear about.`];
  const fromBudget = budget ? ALERTS.flatMap((a) => liveAlert(budget, a)?.emails ?? []) : [];
  const seen = new Map<string, string>();
  for (const e of [...fromBudget, ...(fromBudget.length ? [] : (subscription?.emails ?? []))])
    if (!seen.has(e.toLowerCase())) seen.set(e.toLowerCase(), e);
  const emails = [...seen.values()];
  if (emails.length >= 1 && emails.length <= MAX_EMAILS) defaults.emails = emails;
  else notes.emails = ['No cost alert emails anyone yet: put the addresses that should get them.'];
  if (subscription?.thresholdUsd && subscription.thresholdUsd >= 1 && Number.isInteger(subscription.thresholdUsd)) {
    defaults.anomalyThresholdUsd = subscription.thresholdUsd;
  }
  const facts = [
    budget ? `Budget ${budgetName}: USD ${Number(budget.amount)} a month` : 'Budget: none yet',
    monitor ? `Cost Anomaly Detection: monitor ${monitor.name}` : 'Cost Anomaly Detection: no AWS services monitor yet',
  ];
  return { defaults, facts, notes };
}
