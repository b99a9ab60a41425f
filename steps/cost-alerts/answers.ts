import { integer, list, object, string, unique, type Infer, type Rule } from '../../src/answers/schema.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** AWS Budgets takes at most 10 email subscribers per notification; one address is the least that alerts anyone. */
export const MAX_EMAILS = 10;
/** Budget names: 1 to 100 characters, no `:` or `\` (Budgets API reference, BudgetName). */
const BUDGET_NAME = /^[^:\\]{1,100}$/;
/** Monitor and subscription names as the console allows them: printable, at most 1024 characters. */
const CE_NAME = /^[\w .,@+=:/-]{1,1024}$/;

/** Between 1 and `MAX_EMAILS` addresses: a budget without a subscriber alerts nobody, and AWS refuses an 11th. */
const oneToTen: Rule<string[]> = (emails) =>
  emails.length === 0
    ? [{ at: [], message: 'must name at least one email address: an alert nobody receives is no alert' }]
    : emails.length > MAX_EMAILS
      ? [{ at: [], message: `must name at most ${MAX_EMAILS} email addresses (AWS Budgets takes ${MAX_EMAILS} per notification)` }]
      : [];

export const answers = object(
  {
    limitUsd: integer({
      description: 'Monthly budget in whole US dollars: emails go out at 50 %, 80 % and 100 % of actual and 100 % of forecasted spend',
      prompt: 'monthly budget in US dollars (emails at 50 %, 80 %, 100 % of actual and 100 % of forecasted spend)',
      min: 1,
      max: 1_000_000_000,
      placeholder: { text: '<monthly-usd>', put: 'the monthly amount in US dollars you want to hear about', eg: '100' },
    }),
    emails: list(
      string({
        description: 'an email address',
        pattern: EMAIL,
        patternHint: 'an email address',
        maxLength: 254,
        placeholder: { text: 'billing@<your-domain>', put: 'an address that reaches whoever watches the bill', eg: 'billing@acme.example' },
      }),
      {
        description: `Email addresses that get every budget and cost anomaly alert (1 to ${MAX_EMAILS}); an address removed here stops getting them`,
        prompt: 'email addresses that get the budget and cost anomaly alerts',
        templateItems: ['billing@<your-domain>'],
        rules: [
          oneToTen,
          unique({ key: (e) => e.toLowerCase(), what: 'the address', why: 'each address gets each alert once (ignoring case)' }),
        ],
      },
    ),
    anomalyThresholdUsd: integer({
      description: 'Cost Anomaly Detection emails a daily summary of anomalies whose total impact is at least this many US dollars',
      min: 1,
      max: 1_000_000,
      default: 20,
      // A founder decides the budget and who hears; USD 20 is a sensible start, changed in the file or with --set.
      advanced: true,
    }),
    budgetName: string({
      description: 'Name of the AWS Budgets cost budget',
      pattern: BUDGET_NAME,
      patternHint: 'at most 100 characters without : or \\',
      default: 'aws-groundwork-monthly',
      advanced: true,
    }),
    monitorName: string({
      description:
        'Name of the Cost Anomaly Detection monitor of AWS services, when one is made (an existing one is used under its own name)',
      pattern: CE_NAME,
      patternHint: 'letters, digits, spaces and . , @ + = : / - _',
      default: 'aws-groundwork-services',
      advanced: true,
    }),
    subscriptionName: string({
      description: 'Name of the Cost Anomaly Detection alert subscription',
      pattern: CE_NAME,
      patternHint: 'letters, digits, spaces and . , @ + = : / - _',
      default: 'aws-groundwork-anomalies',
      advanced: true,
    }),
  },
  { description: 'Cost alerts: a monthly AWS Budgets cost budget and Cost Anomaly Detection, emailing the same people' },
);

export type CostAlertsAnswers = Infer<typeof answers>;
