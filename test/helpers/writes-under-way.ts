import { expect } from 'vitest';
import type { FakeAws, RecordedCall } from './fake-aws.js';

/**
 * The writes sent after a failure are among those an undisturbed run made for the same work: each one, by
 * service and operation, takes its place among `allowed`, and none is left over. Account ids are not compared:
 * an account that was not created moves the ids of those made after it.
 */
export function expectAmong(later: RecordedCall[], allowed: RecordedCall[]): void {
  const pool = allowed.map((c) => `${c.service}:${c.operation}`);
  for (const c of later) {
    const at = pool.indexOf(`${c.service}:${c.operation}`);
    expect(at, `${c.service}:${c.operation} ${JSON.stringify(c.input)} was started after the failure`).toBeGreaterThanOrEqual(0);
    pool.splice(at, 1);
  }
}

/**
 * A state (a snapshot or an inventory) with member account ids and creation request ids replaced by the
 * account's name, Maps as objects, and Sets and lists in sorted order. Accounts created side by side get their ids in
 * the order AWS finishes them, so a re-run that makes the one a failure held back gives it a later id than
 * an undisturbed run would: the same accounts, told apart by name.
 */
export function byAccountName(value: unknown, fake: FakeAws): unknown {
  const names = new Map([...fake.orgAccounts.values()].map((a) => [a.Id, a.Name]));
  for (const r of fake.createRequests.values()) names.set(r.Id, `request for ${r.AccountName}`);
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), x]));
    if (v instanceof Set) return [...v].map((x) => JSON.stringify(x)).sort();
    return v;
  });
  return inAnyOrder(JSON.parse(text.replace(/2222222222\d\d|car-\d{8}/g, (id) => `<${names.get(id) ?? id}>`)));
}

/** Lists sorted, all the way down: what accounts made side by side hold is listed in the order they were made. */
function inAnyOrder(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .map(inAnyOrder)
      .map((x) => [JSON.stringify(x), x] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, x]) => x);
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, inAnyOrder(x)]));
  return value;
}
