import type { AccountRef, Change, Finding } from '../model.js';

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
    // A replace is a delete and a create, as Terraform counts it.
    if (c.action === 'replace') {
      s.replace++;
      s.create++;
      s.delete++;
    }
    if (c.risk === 'destructive') s.destructive++;
    if (c.risk === 'security') s.security++;
  }
  return s;
}

export function planSummaryLine(s: PlanSummary): string {
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete.`;
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

export interface SkippedStep {
  step: string;
  reason: string;
}

/** Items grouped by account, accounts in the order they first appear (management first). */
export function groupByAccount<T extends { account: AccountRef }>(items: T[]): [AccountRef, T[]][] {
  const byId = new Map<string, [AccountRef, T[]]>();
  for (const item of items) {
    const entry = byId.get(item.account.id) ?? [item.account, []];
    entry[1].push(item);
    byId.set(item.account.id, entry);
  }
  return [...byId.values()];
}
