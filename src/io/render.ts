import type { AccountRef, Change, ChangeAction, Finding, FindingStatus, Json } from '../engine/types.js';
import { painter, type Paint } from './style.js';

export type OutputFormat = 'human' | 'json' | 'markdown';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['human', 'json', 'markdown'];

/** Terraform's symbols: the action is the sign. */
const SYMBOL: Record<ChangeAction, string> = { create: '+', update: '~', replace: '-/+', delete: '-' };
const SYMBOL_STYLE = { create: 'green', update: 'yellow', replace: 'red', delete: 'red' } as const;

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  /** Replacements also count once in `create` and once in `delete`, as Terraform counts them. */
  replace: number;
  destructive: number;
  security: number;
}

export function summarizePlan(changes: Change[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, delete: 0, replace: 0, destructive: 0, security: 0 };
  for (const c of changes) {
    if (c.action === 'create') s.create++;
    if (c.action === 'update') s.update++;
    if (c.action === 'delete') s.delete++;
    if (c.action === 'replace') (s.replace++, s.create++, s.delete++);
    if (c.risk === 'destructive') s.destructive++;
    if (c.risk === 'security') s.security++;
  }
  return s;
}

export function planSummaryLine(s: PlanSummary): string {
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete.`;
}

export interface SkippedStep {
  step: string;
  reason: string;
}

export function renderPlan(changes: Change[], format: OutputFormat, color = false, skipped: SkippedStep[] = []): string {
  const summary = summarizePlan(changes);
  if (format === 'json') {
    return JSON.stringify({ version: 1, kind: 'plan', changes, summary, skipped }, null, 2);
  }
  if (format === 'markdown') return planMarkdown(changes, summary);
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
  lines.push(p('bold', planSummaryLine(summary)));
  if (summary.destructive) {
    lines.push(
      p('red', `${summary.destructive} destructive ${plural(summary.destructive, 'change')} (-/+ or -) will ask for an explicit confirmation.`),
    );
  }
  if (summary.security) {
    lines.push(`${summary.security} ${plural(summary.security, 'change')} ${summary.security === 1 ? 'tightens' : 'tighten'} security settings.`);
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

function planMarkdown(changes: Change[], s: PlanSummary): string {
  if (changes.length === 0) return '**No changes.** The account matches the answers.';
  const rows = changes.map(
    (c) => `| ${accountLabel(c.account)} | ${c.step} | \`${SYMBOL[c.action]}\` ${c.action} | \`${c.address}\` | ${c.risk} | ${escapeCell(c.summary)} |`,
  );
  return [
    '| Account | Step | Action | Resource | Risk | Change |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `**${planSummaryLine(s)}**`,
  ].join('\n');
}

export interface FindingsSummary {
  pass: number;
  fail: number;
  manual: number;
  error: number;
}

export function summarizeFindings(findings: Finding[]): FindingsSummary {
  const s: FindingsSummary = { pass: 0, fail: 0, manual: 0, error: 0 };
  for (const f of findings) s[f.status]++;
  return s;
}

/** Deliberately not "N passed, N failed": that shape is what test runners print. */
export function findingsSummaryLine(s: FindingsSummary): string {
  return `Controls: ${s.pass} pass, ${s.fail} fail, ${s.manual} manual, ${s.error} error.`;
}

const STATUS_STYLE: Record<FindingStatus, 'green' | 'red' | 'yellow'> = {
  pass: 'green',
  fail: 'red',
  manual: 'yellow',
  error: 'red',
};

export function renderFindings(findings: Finding[], format: OutputFormat, color = false, skipped: SkippedStep[] = []): string {
  const summary = summarizeFindings(findings);
  if (format === 'json') return JSON.stringify({ version: 1, kind: 'verify', findings, summary, skipped }, null, 2);
  if (format === 'markdown') {
    const rows = findings.map(
      (f) =>
        `| ${f.status.toUpperCase()} | ${f.control} | ${accountLabel(f.account)} | ${f.step} | ${escapeCell(f.reason)} | ${escapeCell(f.remediation)} |`,
    );
    return [
      '| Status | Control | Account | Step | Reason | Next action |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      `**${findingsSummaryLine(summary)}**`,
    ].join('\n');
  }
  const p = painter(color);
  const lines: string[] = [];
  const controlWidth = Math.max(0, ...findings.map((f) => f.control.length));
  const stepWidth = Math.max(0, ...findings.map((f) => f.step.length));
  for (const [account, inAccount] of groupByAccount(findings)) {
    lines.push(p('bold', `Account ${accountLabel(account)}`));
    for (const f of inAccount) {
      const status = p(STATUS_STYLE[f.status], f.status.toUpperCase().padEnd(6));
      lines.push(`  ${status} ${f.control.padEnd(controlWidth)}  ${f.step.padEnd(stepWidth)}  ${f.reason}`);
      if (f.status !== 'pass' && f.remediation) lines.push(`  ${' '.repeat(7 + controlWidth + 2 + stepWidth + 2)}next: ${f.remediation}`);
    }
    lines.push('');
  }
  lines.push(p('bold', findingsSummaryLine(summary)));
  return lines.join('\n');
}

export function accountLabel(a: AccountRef): string {
  return `${a.id} (${a.name})`;
}

function groupByAccount<T extends { account: AccountRef }>(items: T[]): [AccountRef, T[]][] {
  const byId = new Map<string, [AccountRef, T[]]>();
  for (const item of items) {
    const entry = byId.get(item.account.id) ?? [item.account, []];
    entry[1].push(item);
    byId.set(item.account.id, entry);
  }
  return [...byId.values()];
}

function groupBy<T>(items: T[], key: (t: T) => string): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const item of items) m.set(key(item), [...(m.get(key(item)) ?? []), item]);
  return [...m.entries()];
}

const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);
const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
