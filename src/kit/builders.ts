import type { AccountRef, ChangeRisk, Check, Json } from '../model.js';
import { DEFERRED, type PlannedChange, type PlannedFinding } from './step.js';

type ChangeFields = Omit<PlannedChange, 'operation'>;

/**
 * How a remediation names the tool's apply, in backticks: "Run `aws-groundwork apply` to set the
 * alias." The run that reports the finding puts its own command there (its answers file, steps,
 * profile; see `withApplyCommand`), so a step never has to know how it was run, and the advice works
 * where the report was made: a bare `aws-groundwork apply` without a terminal asks for answers and stops.
 */
export const APPLY_COMMAND = 'aws-groundwork apply';

/** A remediation with `command` wherever it names `APPLY_COMMAND` in backticks; other text is left alone. */
export function withApplyCommand(remediation: string, command: string): string {
  return remediation.replaceAll(`\`${APPLY_COMMAND}\``, `\`${command}\``);
}

/**
 * A planned change that apply hands to the step's `kind` handler with `input`. The runner adds the
 * step and the account; the address stays a name for people.
 */
export function change<K extends string, I>(kind: K, input: I, fields: ChangeFields): ChangeFields & { operation: { kind: K; input: I } } {
  return { ...fields, operation: { kind, input } };
}

/**
 * What a step will do in `account`, which member-accounts creates earlier in this apply: it cannot
 * be planned in detail before the account exists, so apply plans the step again then and makes what
 * that plan holds. Destructive changes of that plan are made only when this change says `destructive`
 * (and so was approved as such); otherwise they wait for the next run, which asks.
 */
export function waitFor<Ops = Record<string, unknown>>(
  account: AccountRef,
  fields: { address: string; summary: string; risk: ChangeRisk; after?: Json },
): PlannedChange<Ops> {
  return {
    after: null,
    ...fields,
    action: 'create',
    before: null,
    operation: { kind: DEFERRED, input: null },
    deferred: true,
    in: account,
  };
}

/**
 * A finding of `def` on `resource`: it passes, saying `ok`, when there are no problems; otherwise it
 * fails with the problems as its reason and the check's remediation unless a more precise one is given.
 */
export function check(
  def: Check,
  resource: string,
  problems: string | string[] | null | false,
  ok: string,
  remediation?: string,
): PlannedFinding {
  const found = ([] as string[]).concat(problems || []);
  if (found.length === 0) return { check: def.id, resource, status: 'pass', reason: ok, remediation: '' };
  return { check: def.id, resource, status: 'fail', reason: found.join('; '), remediation: remediation ?? def.remediation ?? '' };
}

/** A finding a person must confirm: AWS gives the tool no way to read it. */
export function manual(def: Check, resource: string, reason: string, remediation = def.remediation ?? ''): PlannedFinding {
  return { check: def.id, resource, status: 'manual', reason, remediation };
}

/** The checks a step declares, by a short key, so verify names them without repeating their ids. */
export function checks<K extends string>(defs: Record<K, Check>): Record<K, Check> & { list: Check[] } {
  return Object.assign(Object.create(null) as object, defs, { list: Object.values<Check>(defs) }) as Record<K, Check> & { list: Check[] };
}

export type { Json };
