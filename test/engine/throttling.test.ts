import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConcurrencyLimits, MAX_IN_FLIGHT, type LimitEvent } from '../../src/aws/concurrency.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

/** Each request's attempts, in order. */
function attemptsByRequest(events: LimitEvent[]): LimitEvent[][] {
  const by = new Map<number, LimitEvent[]>();
  for (const e of events) by.set(e.request, [...(by.get(e.request) ?? []), e]);
  return [...by.values()];
}

describe('when AWS throttles one service', () => {
  it('the run sends fewer of its requests at once, raises the pace again, converges, and never resends a refused request at full speed', async () => {
    const max = MAX_IN_FLIGHT.organizations;
    const events: LimitEvent[] = [];
    const limits = new ConcurrencyLimits(MAX_IN_FLIGHT, (e) => events.push(e));
    // Organizations is one limit for the whole organization; here it takes two requests at a time.
    fake.delayMs = 3;
    fake.throttle = { service: 'organizations', above: 2 };
    const file = answersFile(FULL_EXAMPLE);

    const apply = await cli(['apply', '--yes', '--answers', file], { limits });
    expect(apply.code, apply.stderr).toBe(0);
    const verify = await cli(['verify', '--answers', file], { limits });
    expect(verify.code, verify.stderr).toBe(0);

    const organizations = events.filter((e) => e.key === 'organizations');
    const refused = organizations.filter((e) => e.throttled);
    // AWS did refuse, and every refusal reached the limit.
    expect(fake.throttled.length).toBeGreaterThan(0);
    expect(refused).toHaveLength(fake.throttled.length);
    // The first refusals came at full speed; the limit then went down, and came up again after.
    expect(refused.some((e) => e.limit === max)).toBe(true);
    const lowest = Math.min(...organizations.map((e) => e.limit));
    expect(lowest).toBeLessThan(max / 2);
    const lowestAt = organizations.findIndex((e) => e.limit === lowest);
    expect(Math.max(...organizations.slice(lowestAt).map((e) => e.limit))).toBeGreaterThan(lowest);

    // A refused request goes again only at a lower pace than the one it was refused at: never twice at full speed.
    let resent = 0;
    for (const attempts of attemptsByRequest(organizations)) {
      for (let i = 1; i < attempts.length; i++) {
        const [before, now] = [attempts[i - 1] as LimitEvent, attempts[i] as LimitEvent];
        if (!before.throttled) continue;
        resent++;
        expect(now.limit).toBeLessThan(before.limit);
        if (now.throttled) expect(now.limit).toBeLessThan(max);
      }
    }
    expect(resent).toBe(refused.length);
    // Only Organizations was refused: the other services went at their own pace.
    expect(events.filter((e) => e.key !== 'organizations' && e.throttled)).toEqual([]);
  });
});
