import { defineStep } from '../../src/kit/step.js';
import { answers } from './answers.js';
import { anomalyWrites, MONITOR_ARN, serviceMonitor, subscriptionNamed, type WantedSubscription } from './anomaly.js';
import { budgetWrites, readBudget } from './budget.js';
import { planAnomaly, planBudget, type Operations } from './plan.js';
import { suggestCostAlerts } from './suggest.js';
import { CHECKS, verifyAnomaly, verifyBudget } from './verify.js';

/**
 * Cost alerts in the management account, where consolidated billing sees the whole organization's
 * spend: an AWS Budgets monthly cost budget that emails at 50 %, 80 % and 100 % of actual and 100 % of
 * forecasted spend, and Cost Anomaly Detection's AWS services monitor with a daily email subscription.
 */
export default defineStep<typeof answers, Operations>({
  id: 'cost-alerts',
  title: 'Cost alerts',
  description:
    'Emails the people of the answers when spend passes 50 %, 80 % and 100 % of a monthly budget or is forecast to pass it, and when Cost Anomaly Detection sees unusual spend.',
  checks: CHECKS.list,
  scope: 'management',
  answers,
  permissions: {
    // Budgets authorizes every read with budgets:ViewBudget and every write with budgets:ModifyBudget.
    read: ['budgets:ViewBudget', 'ce:GetAnomalyMonitors', 'ce:GetAnomalySubscriptions'],
    apply: ['budgets:ModifyBudget', 'ce:CreateAnomalyMonitor', 'ce:CreateAnomalySubscription', 'ce:UpdateAnomalySubscription'],
  },

  suggest: suggestCostAlerts,

  async plan(ctx) {
    const budget = await readBudget(ctx.aws, ctx.account.id, ctx.answers.budgetName);
    const monitor = await serviceMonitor(ctx.aws);
    const subscription = await subscriptionNamed(ctx.aws, ctx.answers.subscriptionName);
    return [...planBudget(ctx, budget), ...planAnomaly(ctx, monitor, subscription)];
  },

  apply: {
    'create-budget': (ctx, input) => budgetWrites.createBudget(ctx.aws, input),
    'update-budget': (ctx, input) => budgetWrites.updateBudget(ctx.aws, input),
    'create-notification': (ctx, input) => budgetWrites.createNotification(ctx.aws, input),
    'create-subscriber': (ctx, input) => budgetWrites.createSubscriber(ctx.aws, input),
    'delete-subscriber': (ctx, input) => budgetWrites.deleteSubscriber(ctx.aws, input),
    async 'create-monitor'(ctx, input) {
      ctx.learn(MONITOR_ARN, await anomalyWrites.createMonitor(ctx.aws, input));
    },
    // The monitor's ARN comes from the change's `after`, where apply has put what CreateAnomalyMonitor learned.
    async 'create-subscription'(ctx, _input, change) {
      await anomalyWrites.createSubscription(ctx.aws, change.after as unknown as WantedSubscription);
    },
    async 'update-subscription'(ctx, input, change) {
      const { MonitorArnList } = change.after as { MonitorArnList: string[] };
      await anomalyWrites.updateSubscription(ctx.aws, { ...input, MonitorArnList });
    },
  },

  // After a lost CreateAnomalyMonitor answer the monitor exists: it is the account's AWS services monitor.
  async readUnknown(ctx, value) {
    const monitor = value === MONITOR_ARN ? await serviceMonitor(ctx.aws) : null;
    if (!monitor) throw new Error(`cost-alerts plans nothing without ${value}`);
    return monitor.arn;
  },

  async verify(ctx) {
    const budget = await readBudget(ctx.aws, ctx.account.id, ctx.answers.budgetName);
    const monitor = await serviceMonitor(ctx.aws);
    const subscription = await subscriptionNamed(ctx.aws, ctx.answers.subscriptionName);
    return [...verifyBudget(ctx, budget), ...verifyAnomaly(ctx, monitor, subscription)];
  },
});
