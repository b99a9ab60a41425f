import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planAll, verifyAll } from '../../src/engine/runner.js';
import { FakeAws, MANAGEMENT_ID } from '../helpers/fake-aws.js';
import { applyOrThrow, engineRun, expectConvergence } from '../helpers/converge.js';
import { cli, answersFile } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const STEP = 'cost-alerts';
const answers = (extra: Record<string, unknown> = {}) => ({
  version: 1,
  steps: { [STEP]: { limitUsd: 100, emails: ['billing@acme.example', 'cto@acme.example'], ...extra } },
});
const budget = () => fake.management.budgets.get('aws-groundwork-monthly');
const alert = (type: string, threshold: number) =>
  budget()?.notifications.find((n) => n.Notification.NotificationType === type && n.Notification.Threshold === threshold);
const subscriptions = () => [...fake.management.anomalySubscriptions.values()];
const monitors = () => [...fake.management.anomalyMonitors.values()];
const failing = async (opts: Awaited<ReturnType<typeof engineRun>>) => (await verifyAll(opts)).filter((f) => f.status !== 'pass');

describe('cost-alerts', () => {
  it('converges on a fresh account: a monthly budget with four alerts to every address, and a daily anomaly subscription on the AWS services monitor', async () => {
    const opts = await engineRun([STEP], answers());
    const first = await expectConvergence(opts);
    expect(first.changes.map((c) => c.operation.kind)).toEqual(['create-budget', 'create-monitor', 'create-subscription']);
    expect(first.changes[2]?.after).toMatchObject({ MonitorArnList: ['(cost anomaly monitor ARN, known after apply)'] });
    expect(budget()).toMatchObject({ BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: '100.0', Unit: 'USD' } });
    expect(budget()?.notifications.map((n) => `${n.Notification.NotificationType} ${n.Notification.Threshold}`)).toEqual([
      'ACTUAL 50',
      'ACTUAL 80',
      'ACTUAL 100',
      'FORECASTED 100',
    ]);
    for (const n of budget()!.notifications)
      expect(n.subscribers.map((s) => s.Address)).toEqual(['billing@acme.example', 'cto@acme.example']);
    const [monitor] = monitors();
    expect(monitor).toMatchObject({ MonitorName: 'aws-groundwork-services', MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' });
    expect(subscriptions()).toEqual([
      expect.objectContaining({
        SubscriptionName: 'aws-groundwork-anomalies',
        Frequency: 'DAILY',
        MonitorArnList: [monitor!.MonitorArn],
        Subscribers: [
          { Type: 'EMAIL', Address: 'billing@acme.example' },
          { Type: 'EMAIL', Address: 'cto@acme.example' },
        ],
        ThresholdExpression: {
          Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: ['20'] },
        },
      }),
    ]);
    expect(fake.calls.filter((c) => c.service === 'budgets').every((c) => c.input.AccountId === MANAGEMENT_ID)).toBe(true);
  });

  it('finds a deleted alert in verify and adds it back with its subscribers', async () => {
    const opts = await engineRun([STEP], answers());
    await expectConvergence(opts);
    budget()!.notifications.splice(1, 1);
    expect(await failing(opts)).toEqual([
      expect.objectContaining({ check: 'cost-alerts.notifications', reason: 'the 80 % actual alert is missing' }),
    ]);
    const { changes } = await planAll(opts);
    expect(changes.map((c) => c.summary)).toEqual([
      'add the 80 % actual alert to the budget aws-groundwork-monthly, emailing billing@acme.example, cto@acme.example',
    ]);
    await applyOrThrow(opts, changes);
    expect(alert('ACTUAL', 80)?.subscribers.map((s) => s.Address)).toEqual(['billing@acme.example', 'cto@acme.example']);
    expect(await failing(opts)).toEqual([]);
  });

  it('finds a removed subscriber in verify, naming the address and the alert, and subscribes it again', async () => {
    const opts = await engineRun([STEP], answers());
    await expectConvergence(opts);
    alert('FORECASTED', 100)!.subscribers.splice(1, 1);
    expect(await failing(opts)).toEqual([
      expect.objectContaining({ check: 'cost-alerts.subscribers', reason: 'cto@acme.example does not get the 100 % forecast alert' }),
    ]);
    await applyOrThrow(opts, (await planAll(opts)).changes);
    expect(alert('FORECASTED', 100)?.subscribers.map((s) => s.Address)).toEqual(['billing@acme.example', 'cto@acme.example']);
    expect((await planAll(opts)).changes).toEqual([]);
  });

  it('finds a changed limit in verify and sets it back with UpdateBudget', async () => {
    const opts = await engineRun([STEP], answers());
    await expectConvergence(opts);
    budget()!.BudgetLimit = { Amount: '5000.0', Unit: 'USD' };
    expect(await failing(opts)).toEqual([
      expect.objectContaining({
        check: 'cost-alerts.budget',
        reason: 'the budget aws-groundwork-monthly is USD 5000 monthly; the answers want USD 100 monthly',
      }),
    ]);
    const { changes } = await planAll(opts);
    expect(changes).toEqual([
      expect.objectContaining({
        action: 'update',
        summary: 'set the budget aws-groundwork-monthly to USD 100 a month (it is USD 5000 monthly)',
      }),
    ]);
    await applyOrThrow(opts, changes);
    expect(budget()?.BudgetLimit).toEqual({ Amount: '100.0', Unit: 'USD' });
    expect(await failing(opts)).toEqual([]);
  });

  it('finds a deleted anomaly subscription in verify and makes it again on the same monitor', async () => {
    const opts = await engineRun([STEP], answers());
    await expectConvergence(opts);
    fake.management.anomalySubscriptions.clear();
    expect(await failing(opts)).toEqual([
      expect.objectContaining({
        check: 'cost-alerts.anomaly-subscription',
        reason: 'there is no cost anomaly subscription aws-groundwork-anomalies',
      }),
    ]);
    await applyOrThrow(opts, (await planAll(opts)).changes);
    expect(subscriptions()).toEqual([expect.objectContaining({ MonitorArnList: [monitors()[0]!.MonitorArn] })]);
    expect(monitors()).toHaveLength(1);
    expect(await failing(opts)).toEqual([]);
  });

  it('removes an address the answers no longer list from every alert and from the subscription, naming it in the plan', async () => {
    await expectConvergence(await engineRun([STEP], answers()));
    const opts = await engineRun([STEP], answers({ emails: ['billing@acme.example'] }));
    expect((await failing(opts)).map((f) => f.reason)).toEqual([
      [
        'cto@acme.example gets the 50 % actual alert but is not in the answers',
        'cto@acme.example gets the 80 % actual alert but is not in the answers',
        'cto@acme.example gets the 100 % actual alert but is not in the answers',
        'cto@acme.example gets the 100 % forecast alert but is not in the answers',
      ].join('; '),
      'cto@acme.example gets the anomaly alerts but is not in the answers',
    ]);
    const { changes } = await planAll(opts);
    expect(changes.map((c) => c.summary)).toContain(
      'stop emailing cto@acme.example the 80 % actual alert of the budget aws-groundwork-monthly (the answers no longer list the address)',
    );
    expect(changes.map((c) => c.risk)).not.toContain('destructive');
    await applyOrThrow(opts, changes);
    for (const n of budget()!.notifications) expect(n.subscribers.map((s) => s.Address)).toEqual(['billing@acme.example']);
    expect(subscriptions()[0]?.Subscribers).toEqual([{ Type: 'EMAIL', Address: 'billing@acme.example' }]);
    expect(await failing(opts)).toEqual([]);
  });

  it('updates a subscription whose threshold or frequency drifted, and compares addresses ignoring case', async () => {
    const opts = await engineRun([STEP], answers());
    await expectConvergence(opts);
    const sub = subscriptions()[0]!;
    sub.Frequency = 'WEEKLY';
    sub.ThresholdExpression = {
      Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: ['500'] },
    };
    alert('ACTUAL', 50)!.subscribers[0]!.Address = 'Billing@Acme.example';
    expect((await failing(opts)).map((f) => f.reason)).toEqual([
      'the subscription aws-groundwork-anomalies sends weekly alerts, not daily; the subscription aws-groundwork-anomalies alerts from USD 500, not USD 20',
    ]);
    const { changes } = await planAll(opts);
    expect(changes.map((c) => c.operation.kind)).toEqual(['update-subscription']);
    await applyOrThrow(opts, changes);
    expect(subscriptions()[0]).toMatchObject({ Frequency: 'DAILY', ThresholdExpression: { Dimensions: { Values: ['20'] } } });
    expect(await failing(opts)).toEqual([]);
  });

  it('adopts an existing AWS services monitor of another name rather than asking AWS for a second one', async () => {
    fake.management.anomalyMonitors.set('arn:aws:ce::111111111111:anomalymonitor/theirs', {
      MonitorArn: 'arn:aws:ce::111111111111:anomalymonitor/theirs',
      MonitorName: 'Default-Services-Monitor',
      MonitorType: 'DIMENSIONAL',
      MonitorDimension: 'SERVICE',
    });
    const opts = await engineRun([STEP], answers());
    const first = await expectConvergence(opts);
    expect(first.changes.map((c) => c.operation.kind)).toEqual(['create-budget', 'create-subscription']);
    expect(monitors().map((m) => m.MonitorName)).toEqual(['Default-Services-Monitor']);
    expect(subscriptions()[0]?.MonitorArnList).toEqual(['arn:aws:ce::111111111111:anomalymonitor/theirs']);
  });

  it('makes nothing twice after the answers of CreateBudget, CreateAnomalyMonitor and CreateAnomalySubscription are lost', async () => {
    for (const op of ['CreateBudget', 'CreateAnomalyMonitor', 'CreateAnomalySubscription']) fake.loseAnswerNext(op);
    const opts = await engineRun([STEP], answers());
    await expectConvergence(opts);
    expect(fake.management.budgets.size).toBe(1);
    expect(monitors()).toHaveLength(1);
    expect(subscriptions()).toHaveLength(1);
    const creates = fake.writes.map((w) => w.operation).filter((o) => o.startsWith('Create'));
    expect(creates).toEqual(['CreateBudget', 'CreateAnomalyMonitor', 'CreateAnomalySubscription']);
  });

  it('reads every page of notifications, subscribers, monitors and subscriptions', async () => {
    fake.pageSize = 1;
    // Someone else's custom monitor and subscription come first, so this step's are on a later page.
    const custom = 'arn:aws:ce::111111111111:anomalymonitor/custom';
    fake.management.anomalyMonitors.set(custom, { MonitorArn: custom, MonitorName: 'team-x', MonitorType: 'CUSTOM' });
    fake.management.anomalySubscriptions.set('arn:aws:ce::111111111111:anomalysubscription/theirs', {
      SubscriptionArn: 'arn:aws:ce::111111111111:anomalysubscription/theirs',
      SubscriptionName: 'team-x',
      AccountId: '111111111111',
      Frequency: 'WEEKLY',
      MonitorArnList: [custom],
      Subscribers: [{ Type: 'EMAIL', Address: 'x@acme.example' }],
      Threshold: 5,
    });
    const opts = await engineRun([STEP], answers());
    await expectConvergence(opts);
    expect(monitors()).toHaveLength(2);
    expect(subscriptions().map((x) => x.SubscriptionName)).toEqual(['team-x', 'aws-groundwork-anomalies']);
    const pages = fake.calls.filter((c) => c.input.NextToken !== undefined || c.input.NextPageToken !== undefined).map((c) => c.operation);
    expect(new Set(pages)).toEqual(
      new Set(['DescribeNotificationsForBudget', 'DescribeSubscribersForNotification', 'GetAnomalyMonitors', 'GetAnomalySubscriptions']),
    );
  });
});

describe('cost-alerts answers --from-account', () => {
  it('reads the limit, the addresses and the threshold back, so the answers it writes plan no change', async () => {
    await expectConvergence(await engineRun([STEP], answers({ limitUsd: 250, anomalyThresholdUsd: 40 })));
    const out = await cli(['answers', '--from-account', '--only', STEP]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('limitUsd: 250');
    expect(out.stdout).toContain('emails: [ billing@acme.example, cto@acme.example ]');
    expect(out.stdout).toContain('anomalyThresholdUsd: 40');
    const plan = await cli(['plan', '--detailed-exitcode', '--only', STEP, '--answers', answersFile(out.stdout)]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No changes.');
  });

  it('leaves the limit and the addresses of an account without a budget as placeholders to fill in', async () => {
    const out = await cli(['answers', '--from-account', '--only', STEP]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('limitUsd: <monthly-usd>');
    expect(out.stdout).toContain('emails: [ billing@<your-domain> ]');
    const plan = await cli(['plan', '--only', STEP, '--answers', answersFile(out.stdout)]);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain("steps.cost-alerts.limitUsd: is still the template's placeholder");
    expect(plan.stderr).toContain("steps.cost-alerts.emails[0]: is still the template's placeholder");
  });
});

describe('cost-alerts answers', () => {
  const planWith = async (section: Record<string, unknown>) =>
    cli(['plan', '--only', STEP, '--answers', answersFile(JSON.stringify({ version: 1, steps: { [STEP]: section } }))]);

  it.each([
    [{ limitUsd: 100, emails: ['not-an-address'] }, 'steps.cost-alerts.emails[0]: must be an email address'],
    [{ limitUsd: 100, emails: [] }, 'steps.cost-alerts.emails: must name at least one email address'],
    [{ limitUsd: 0, emails: ['a@acme.example'] }, 'steps.cost-alerts.limitUsd: must be at least 1'],
    [
      { limitUsd: 100, emails: ['a@acme.example', 'A@acme.example'] },
      'steps.cost-alerts.emails[1]: repeats the address of steps.cost-alerts.emails[0]',
    ],
    [
      { limitUsd: 100, emails: Array.from({ length: 11 }, (_, i) => `p${i}@acme.example`) },
      'steps.cost-alerts.emails: must name at most 10',
    ],
  ])('refuses %j with exit 2, naming the field, before any AWS call', async (section, message) => {
    const run = await planWith(section);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(fake.calls).toEqual([]);
  });
});
