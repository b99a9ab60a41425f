import { controlLabel } from '../controls/mapping.js';
import type { AccountRef, Change, ChangeAction, Finding, FindingStatus, Json } from '../model.js';
import { cell, planDocument, verifyDocument, verifyMarkdown, type CheckTitles, type RunInfo } from './report.js';
import type { OutputFormat } from './output-format.js';
import { renderSarif, type SarifStep } from './sarif.js';
import { costLines, type CostEstimate } from '../costs/monthly-costs.js';
import { painter, type Paint } from './style.js';
import {
  findingsSummaryLine,
  groupByAccount,
  newAccountCount,
  planSummaryLine,
  summarizeFindings,
  summarizePlan,
  type PlanSummary,
  type SkippedStep,
} from './summary.js';

export * from './summary.js';
export type { RunInfo, CheckTitles } from './report.js';

export { OUTPUT_FORMATS, type OutputFormat } from './output-format.js';

/** Terraform's symbols: the action is the sign. */
const SYMBOL: Record<ChangeAction, string> = { create: '+', update: '~', replace: '-/+', delete: '-' };
const SYMBOL_STYLE = { create: 'green', update: 'yellow', replace: 'red', delete: 'red' } as const;

/** For json and markdown: the run's metadata, which the human view leaves to the messages on stderr. */
export interface RenderContext {
  info: RunInfo;
  titles: CheckTitles;
  skipped?: SkippedStep[];
  /** For sarif: the run's steps with the checks they declare (the rules), and the answers file (the location). */
  steps?: readonly SarifStep[];
  answersFile?: string;
  /** The monthly cost estimate: of the run's steps for a plan, of the steps in place for verify. */
  cost?: CostEstimate;
}

export function renderPlan(changes: Change[], format: OutputFormat, color = false, ctx?: RenderContext): string {
  const body = planBody(changes, format, color, ctx);
  if (format !== 'human' || !ctx?.cost) return body;
  return [body, '', ...costLines(ctx.cost)].join('\n');
}

function planBody(changes: Change[], format: OutputFormat, color: boolean, ctx?: RenderContext): string {
  const summary = summarizePlan(changes);
  if (format === 'sarif') throw new Error('SARIF output is for verify: a plan has no findings');
  if (format === 'json') return JSON.stringify(planDocument(changes, need(ctx).info, ctx?.skipped ?? [], ctx?.cost), null, 2);
  if (format === 'markdown') return planMarkdown(changes, summary, need(ctx).info);
  const p = painter(color);
  if (changes.length === 0) return `${p('green', 'No changes.')} The account matches the answers.`;
  const lines: string[] = [];
  for (const [account, inAccount] of groupByAccount(changes)) {
    lines.push(p('bold', `Account ${accountLabel(account)}`));
    for (const [step, inStep] of groupBy(inAccount, (c) => c.step)) {
      lines.push(`  ${p('cyan', step)}`);
      for (const c of inStep) lines.push(...changeLines(c, p));
    }
    lines.push('');
  }
  lines.push(p('bold', planSummaryLine(summary, newAccountCount(changes))));
  if (summary.destructive) {
    lines.push(
      p(
        'red',
        `${summary.destructive} destructive ${plural(summary.destructive, 'change')} (-/+ or -) will ask for an explicit confirmation.`,
      ),
    );
  }
  if (summary.security) {
    lines.push(
      `${summary.security} ${plural(summary.security, 'change')} ${summary.security === 1 ? 'tightens' : 'tighten'} security settings.`,
    );
  }
  return lines.join('\n');
}

function changeLines(c: Change, p: Paint): string[] {
  const risk = c.risk === 'none' ? '' : ` ${p(c.risk === 'destructive' ? 'red' : 'yellow', `[${c.risk}]`)}`;
  const out = [`    ${p(SYMBOL_STYLE[c.action], SYMBOL[c.action])} ${c.address}${risk}`, `        ${c.summary}`];
  for (const d of describeDiff(c.before, c.after)) out.push(`        ${d}`);
  return out;
}

/** The fields that differ, `name: before -> after`; a new object lists its fields. */
export function describeDiff(before: Json, after: Json): string[] {
  const isObj = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const show = (v: Json | undefined) => {
    if (v === undefined) return '(none)';
    const text = JSON.stringify(v);
    // A whole policy document on one line helps nobody: the JSON output has it in full.
    if (text.length <= 100 || v === null || typeof v !== 'object') return text;
    const size = Array.isArray(v) ? `${v.length} items` : `${Object.keys(v).length} keys`;
    return `${Array.isArray(v) ? '[…]' : '{…}'} (${size}; --output json shows it in full)`;
  };
  if (isObj(after) && (before === null || isObj(before))) {
    const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])];
    return keys
      .filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after[k]))
      .map((k) => (before === null ? `${k}: ${show(after[k])}` : `${k}: ${show(before[k])} -> ${show(after[k])}`));
  }
  if (before === null) return [];
  if (after === null) return [`${show(before)} -> (removed)`];
  return [`${show(before)} -> ${show(after)}`];
}

function planMarkdown(changes: Change[], s: PlanSummary, info: RunInfo): string {
  const head = [
    `Plan by ${info.tool.name} ${info.tool.version} for account ${info.caller.accountId} (home region ${info.region}), read ${info.finishedAt} as \`${cell(info.caller.arn)}\`.`,
    '',
  ];
  if (changes.length === 0) return [...head, '**No changes.** The account matches the answers.'].join('\n');
  const rows = changes.map(
    (c) =>
      `| ${accountLabel(c.account)} | ${c.step} | \`${SYMBOL[c.action]}\` ${c.action} | \`${c.address}\` | ${c.risk} | ${cell(c.summary)} |`,
  );
  return [
    ...head,
    '| Account | Step | Action | Resource | Risk | Change |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `**${planSummaryLine(s, newAccountCount(changes))}** Every change with its whole before and after: \`--output json\`.`,
  ].join('\n');
}

const STATUS_STYLE: Record<FindingStatus, 'green' | 'red' | 'yellow'> = {
  pass: 'green',
  fail: 'red',
  manual: 'yellow',
  error: 'red',
};

export function renderFindings(findings: Finding[], format: OutputFormat, color = false, ctx?: RenderContext): string {
  if (format === 'json')
    return JSON.stringify(verifyDocument(findings, need(ctx).info, need(ctx).titles, ctx?.skipped ?? [], ctx?.cost), null, 2);
  if (format === 'markdown') return verifyMarkdown(findings, need(ctx).info, need(ctx).titles, ctx?.skipped ?? [], ctx?.cost);
  if (format === 'sarif') {
    const { info, titles, steps = [], answersFile } = need(ctx);
    return renderSarif({ findings, info, titles, steps, ...(answersFile ? { answersFile } : {}) });
  }
  const summary = summarizeFindings(findings);
  const p = painter(color);
  const lines: string[] = [];
  const controlWidth = Math.max(0, ...findings.map((f) => controlLabel(f.check).length));
  const stepWidth = Math.max(0, ...findings.map((f) => f.step.length));
  for (const [account, inAccount] of groupByAccount(findings)) {
    lines.push(p('bold', `Account ${accountLabel(account)}`));
    for (const f of inAccount) {
      const status = p(STATUS_STYLE[f.status], f.status.toUpperCase().padEnd(6));
      lines.push(`  ${status} ${controlLabel(f.check).padEnd(controlWidth)}  ${f.step.padEnd(stepWidth)}  ${f.reason}`);
      if (f.status !== 'pass' && f.remediation) lines.push(`  ${' '.repeat(7 + controlWidth + 2 + stepWidth + 2)}next: ${f.remediation}`);
    }
    lines.push('');
  }
  lines.push(p('bold', findingsSummaryLine(summary)));
  if (ctx?.cost) lines.push('', ...costLines(ctx.cost, 'Monthly cost of what is in place'));
  return lines.join('\n');
}

/**
 * `111111111111 (management)`; an account this apply creates has no id yet, so it is named once and
 * marked new: `acme-dev (new)`.
 */
export function accountLabel(a: AccountRef): string {
  return a.pending ? `${a.name} (new)` : `${a.id} (${a.name})`;
}

function groupBy<T>(items: T[], key: (t: T) => string): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const item of items) m.set(key(item), [...(m.get(key(item)) ?? []), item]);
  return [...m.entries()];
}

const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);

function need(ctx: RenderContext | undefined): RenderContext {
  if (!ctx) throw new Error('json, markdown and sarif output need the run metadata');
  return ctx;
}
