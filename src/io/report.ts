import { controlLabels, controlsFor, FRAMEWORKS, type ControlRef } from '../controls/mapping.js';
import type { AccountRef, Change, Finding, FindingStatus } from '../model.js';
import type { CostEstimate } from '../costs/monthly-costs.js';
import { usdRange } from '../costs/monthly-costs.js';
import { groupByAccount, summarizeFindings, summarizePlan, type FindingsSummary, type PlanSummary, type SkippedStep } from './summary.js';

/**
 * The version of the JSON documents `plan` and `verify` print, and of the JSON Schemas shipped in
 * `schemas/`. It changes only when a field is removed or changes meaning; new optional fields keep it.
 */
export const REPORT_VERSION = 2;

/** The first line of every markdown report: what lets `--report` tell its own earlier file apart. */
export const REPORT_HEADING = '# AWS security baseline: evidence report';

/** Where and when a run happened, and who ran it: what makes a report evidence rather than output. */
export interface RunInfo {
  tool: { name: string; version: string };
  command: 'plan' | 'verify';
  /** ISO 8601, UTC. */
  startedAt: string;
  finishedAt: string;
  caller: { arn: string; accountId: string };
  region: string;
}

export interface ReportAccount {
  id: string;
  name: string;
  role: AccountRef['role'];
  env?: string;
  purpose?: AccountRef['purpose'];
}

export interface ReportFinding {
  step: string;
  check: string;
  title: string;
  controls: ControlRef[];
  account: ReportAccount;
  resource: string;
  status: FindingStatus;
  reason: string;
  remediation: string;
}

export interface VerifyDocument {
  version: typeof REPORT_VERSION;
  kind: 'verify';
  tool: RunInfo['tool'];
  startedAt: string;
  finishedAt: string;
  caller: RunInfo['caller'];
  region: string;
  /** `pass` when no check fails or errs (manual ones are for a person): the exit code says the same. */
  result: 'pass' | 'fail';
  frameworks: { name: string; version: string; url: string }[];
  summary: FindingsSummary;
  accounts: (ReportAccount & { summary: FindingsSummary })[];
  findings: ReportFinding[];
  skipped: SkippedStep[];
  /** The monthly estimate of the steps in place (every check of the step passes or needs a person). */
  cost?: CostEstimate;
}

export interface PlanDocument {
  version: typeof REPORT_VERSION;
  kind: 'plan';
  tool: RunInfo['tool'];
  startedAt: string;
  finishedAt: string;
  caller: RunInfo['caller'];
  region: string;
  summary: PlanSummary;
  accounts: PlanAccount[];
  changes: (Omit<Change, 'account' | 'from' | 'operation' | 'unknown'> & { account: PlanAccount; from?: PlanAccount })[];
  skipped: SkippedStep[];
  /** The monthly estimate of the run's steps once applied. */
  cost?: CostEstimate;
}

/** A member this apply would create has no id yet: `id` is null and `pending` true. */
export type PlanAccount = Omit<ReportAccount, 'id'> & { id: string | null; pending?: true };

/** Titles of the checks, by id, from the steps that declare them. */
export type CheckTitles = ReadonlyMap<string, string>;

const account = (a: AccountRef): ReportAccount => ({
  id: a.id,
  name: a.name,
  role: a.role,
  ...(a.env ? { env: a.env } : {}),
  ...(a.purpose ? { purpose: a.purpose } : {}),
});

export function verifyDocument(
  findings: Finding[],
  info: RunInfo,
  titles: CheckTitles,
  skipped: SkippedStep[] = [],
  cost?: CostEstimate,
): VerifyDocument {
  const summary = summarizeFindings(findings);
  return {
    version: REPORT_VERSION,
    kind: 'verify',
    tool: info.tool,
    startedAt: info.startedAt,
    finishedAt: info.finishedAt,
    caller: info.caller,
    region: info.region,
    result: summary.fail + summary.error === 0 ? 'pass' : 'fail',
    frameworks: Object.values(FRAMEWORKS).map((f) => ({ name: f.name, version: f.version, url: f.url })),
    summary,
    accounts: groupByAccount(findings).map(([a, inAccount]) => ({ ...account(a), summary: summarizeFindings(inAccount) })),
    findings: findings.map((f) => ({
      step: f.step,
      check: f.check,
      title: titles.get(f.check) ?? f.check,
      controls: controlsFor(f.check),
      account: account(f.account),
      resource: f.resource,
      status: f.status,
      reason: f.reason,
      remediation: f.remediation,
    })),
    skipped,
    ...(cost ? { cost } : {}),
  };
}

export function planDocument(changes: Change[], info: RunInfo, skipped: SkippedStep[] = [], cost?: CostEstimate): PlanDocument {
  const ref = (a: AccountRef): PlanAccount => (a.pending ? { ...account(a), id: null, pending: true } : account(a));
  return {
    version: REPORT_VERSION,
    kind: 'plan',
    tool: info.tool,
    startedAt: info.startedAt,
    finishedAt: info.finishedAt,
    caller: info.caller,
    region: info.region,
    summary: summarizePlan(changes),
    accounts: groupByAccount(changes).map(([a]) => ref(a)),
    // How apply works a change out (its operation, its unknowns) is the tool's business, not the document's.
    changes: changes.map(({ operation: _operation, unknown: _unknown, from, ...c }) => ({
      ...c,
      account: ref(c.account),
      ...(from ? { from: ref(from) } : {}),
    })),
    skipped,
    ...(cost ? { cost } : {}),
  };
}

const STATUS_WORD: Record<FindingStatus, string> = { pass: 'PASS', fail: 'FAIL', manual: 'MANUAL', error: 'ERROR' };

/**
 * The evidence report a person reads: what was checked, where, by whom and when, the counts, what
 * needs attention with its remediation, then every finding by account.
 */
export function verifyMarkdown(
  findings: Finding[],
  info: RunInfo,
  titles: CheckTitles,
  skipped: SkippedStep[] = [],
  cost?: CostEstimate,
): string {
  const doc = verifyDocument(findings, info, titles, skipped, cost);
  return [
    REPORT_HEADING,
    '',
    ...reportHead(doc, info),
    ...needsAttention(doc.findings.filter((f) => f.status !== 'pass')),
    ...doc.accounts.flatMap((a) =>
      accountTable(
        a,
        doc.findings.filter((x) => x.account.id === a.id),
      ),
    ),
    ...(skipped.length ? ['## Not checked', '', ...skipped.map((s) => `- \`${s.step}\`: ${s.reason}`), ''] : []),
    ...(cost ? costSection(cost) : []),
    ...HOW_TO_READ,
  ].join('\n');
}

/** The result line, the run's metadata and the counts per account. */
function reportHead(doc: VerifyDocument, info: RunInfo): string[] {
  const { summary } = doc;
  const failing = summary.fail + summary.error;
  const person = summary.manual ? `; ${count(summary.manual, 'check')} ${summary.manual === 1 ? 'needs' : 'need'} a person` : '';
  return [
    failing === 0
      ? `**Result: no check fails.** ${count(summary.pass, 'check')} pass${person}.`
      : `**Result: ${count(failing, 'check')} ${failing === 1 ? 'does' : 'do'} not pass** (${summary.fail} failing, ${summary.error} not evaluated)${person}; ${summary.pass} pass.`,
    '',
    '| Run | |',
    '| --- | --- |',
    `| Generated | ${humanTime(doc.finishedAt)} (started ${humanTime(doc.startedAt)}) |`,
    `| Tool | ${doc.tool.name} ${doc.tool.version}, \`${doc.tool.name} ${info.command}\` (read-only: its AWS session refuses every write) |`,
    `| Caller | \`${cell(doc.caller.arn)}\` |`,
    `| Management account | ${doc.caller.accountId} |`,
    `| Home region | ${doc.region} |`,
    `| Accounts checked | ${doc.accounts.length} |`,
    `| Frameworks | ${Object.values(FRAMEWORKS)
      .map((f) => `${f.short}: ${f.name}${f.version === 'unversioned' ? ' (unversioned)' : ` v${f.version}`}`)
      .join('; ')} |`,
    `| Report format | version ${doc.version} (the same run as JSON: \`--output json\`) |`,
    '',
    '## Summary',
    '',
    '| Account | Pass | Fail | Manual | Error |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...doc.accounts.map((a) => `| ${accountName(a)} | ${a.summary.pass} | ${a.summary.fail} | ${a.summary.manual} | ${a.summary.error} |`),
    `| **All accounts** | **${summary.pass}** | **${summary.fail}** | **${summary.manual}** | **${summary.error}** |`,
    '',
  ];
}

/** Every finding that is not a pass, with what to do about it. */
function needsAttention(attention: ReportFinding[]): string[] {
  if (!attention.length) return [];
  return [
    '## Needs attention',
    '',
    ...attention.flatMap((f, i) => [
      `### ${i + 1}. ${STATUS_WORD[f.status]} ${controlLabels(f.check).join(', ')}: ${cell(f.title)}`,
      '',
      `- **Account:** ${accountName(f.account)}`,
      `- **Check:** \`${f.check}\` (step \`${f.step}\`)`,
      `- **Resource:** \`${cell(f.resource)}\``,
      `- **Finding:** ${cell(f.reason)}`,
      `- **Remediation:** ${cell(f.remediation) || 'none given'}`,
      '',
    ]),
  ];
}

function accountTable(a: ReportAccount, findings: ReportFinding[]): string[] {
  return [
    `## Account ${accountName(a)}`,
    '',
    '| Status | Controls | Check | Resource | Finding |',
    '| --- | --- | --- | --- | --- |',
    ...findings.map(
      (f) =>
        `| ${STATUS_WORD[f.status]} | ${controlLabels(f.check).join(', ')} | ${cell(f.title)} | \`${cell(f.resource)}\` | ${cell(f.reason)} |`,
    ),
    '',
  ];
}

/** What is in place costs per month: a table per step, the total and the pricing pages. */
function costSection(cost: CostEstimate): string[] {
  const links = [...new Set(cost.steps.filter((s) => s.highUsd > 0).map((s) => s.pricingUrl))];
  return [
    '## Monthly cost',
    '',
    `What is in place (the steps whose every check passes or needs a person) costs **${usdRange(cost.total.lowUsd, cost.total.highUsd)} a month**: an estimate for a small organization of about five accounts, from prices checked ${cost.checked}.`,
    '',
    '| Step | Per month | Basis |',
    '| --- | --- | --- |',
    ...cost.steps.map((s) => `| \`${s.step}\` | ${usdRange(s.lowUsd, s.highUsd)} | ${cell(s.basis)} |`),
    '',
    ...(links.length ? [`Pricing: ${links.join(', ')}`, ''] : []),
  ];
}

const HOW_TO_READ = [
  '## How to read this report',
  '',
  '- **PASS**: the control holds now. **FAIL**: it does not; the remediation says how to restore it.',
  '- **MANUAL**: only a person can check or do it (for example root MFA); the finding names the console page.',
  '- **ERROR**: the check could not read what it needs; the finding says why. It counts as not passing.',
  `- Control ids: ${Object.values(FRAMEWORKS)
    .map((f) => `\`${f.short}\` ${f.name}`)
    .join(', ')}. A check lists every control it evidences; \`GW\` ids are this tool's own checks that no benchmark names.`,
  '- A check evidences its controls for the resource it names. Where a benchmark asks something of every bucket or key (CIS 2.1.1, CIS 3.6), the check covers the buckets and the key this tool manages, not the others in the account.',
  '',
];

const accountName = (a: { id: string; name: string }) => `${a.id} (${cell(a.name)})`;
const count = (n: number, word: string) => `${n} ${n === 1 ? word : `${word}s`}`;
/** `2026-11-24 03:10:00 UTC`: a person's reading of an ISO time. */
const humanTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
/** Table cells and list items stay one line, and a `|` in a reason cannot break the table. */
export const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
