import type { AccountRef, Change, Finding } from '../model.js';

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  /** Replacements also count once in `create` and once in `delete`, as Terraform counts them. */
  replace: number;
  destructive: number;
  security: number;
  /**
   * Of `create`, the baselines of accounts this apply creates (one per step and new account): apply
   * plans them in detail once the account exists. The human line counts them apart.
   */
  deferred: number;
}

export function summarizePlan(changes: Change[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, delete: 0, replace: 0, destructive: 0, security: 0, deferred: 0 };
  for (const c of changes) {
    if (c.action === 'create') s.create++;
    if (c.deferred) s.deferred++;
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

/**
 * Terraform's line, counting what this plan knows in detail; a new account's baseline is not a
 * change yet (it is worked out once the account exists), so it follows as its own sentence.
 */
export function planSummaryLine(s: PlanSummary, newAccounts = 0): string {
  const line = `Plan: ${s.create - s.deferred} to create, ${s.update} to update, ${s.delete} to delete.`;
  if (!s.deferred) return line;
  const one = newAccounts <= 1;
  // Every new account gets the same every-account steps, so the count per account is what a person reads.
  const perAccount = one || s.deferred % newAccounts !== 0 ? undefined : s.deferred / newAccounts;
  const steps = perAccount
    ? `${perAccount} ${perAccount === 1 ? 'step' : 'steps'} each`
    : `${s.deferred} ${s.deferred === 1 ? 'step' : 'steps'}`;
  const accounts = one ? '1 new account' : `${newAccounts} new accounts`;
  return `${line} Then the baseline of ${accounts} (${steps}), planned once ${one ? 'it exists' : 'they exist'}.`;
}

/** The new accounts whose baselines come with these changes, as words: `the baselines of 3 new accounts`. */
export function baselines(changes: Change[]): string | undefined {
  const accounts = newAccountCount(changes);
  if (!accounts) return undefined;
  return accounts === 1 ? 'the baseline of 1 new account' : `the baselines of ${accounts} new accounts`;
}

/** The changes known in detail, as the plan line counts them: a new account's baseline is not one yet. */
export const knownChanges = (changes: Change[]) => changes.filter((c) => !c.deferred).length;

/** How many accounts the plan creates whose baseline waits for them: the pending accounts with deferred changes. */
export function newAccountCount(changes: Change[]): number {
  return new Set(changes.filter((c) => c.deferred).map((c) => c.account.name)).size;
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
