import { describe, expect, it } from 'vitest';
import { AdaptiveLimit, ConcurrencyLimits } from '../../src/aws/concurrency.js';

describe('one limit on requests in flight', () => {
  it('lets in as many as its maximum and queues the rest, first come first served', async () => {
    const limit = new AdaptiveLimit(2);
    const order: number[] = [];
    const tickets = await Promise.all([limit.acquire(), limit.acquire()]);
    const third = limit.acquire().then((t) => (order.push(3), t));
    const fourth = limit.acquire().then((t) => (order.push(4), t));
    await Promise.resolve();
    expect(order).toEqual([]);
    limit.release(tickets[0] as never, false);
    limit.release(tickets[1] as never, false);
    await Promise.all([third, fourth]);
    expect(order).toEqual([3, 4]);
  });

  it('halves once per throttling episode, however many answers of that episode were refusals', async () => {
    const limit = new AdaptiveLimit(8);
    const tickets = await Promise.all(Array.from({ length: 8 }, () => limit.acquire()));
    for (const t of tickets) limit.release(t, true);
    expect(limit.limit).toBe(4);
    // A refusal of a request sent after the decrease is a new episode.
    limit.release(await limit.acquire(), true);
    expect(limit.limit).toBe(2);
  });

  it('grows back by one after as many answers as it holds, up to its maximum', async () => {
    const limit = new AdaptiveLimit(4);
    limit.release(await limit.acquire(), true);
    expect(limit.limit).toBe(2);
    for (let i = 0; i < 2; i++) limit.release(await limit.acquire(), false);
    expect(limit.limit).toBe(3);
    for (let i = 0; i < 20; i++) limit.release(await limit.acquire(), false);
    expect(limit.limit).toBe(4);
  });

  it('holds a capped attempt, and everyone behind it, until fewer than its cap are in flight', async () => {
    const limit = new AdaptiveLimit(4);
    const held = await Promise.all([limit.acquire(), limit.acquire()]);
    let capped = false;
    let behind = false;
    const first = limit.acquire(1).then((t) => ((capped = true), t));
    const next = limit.acquire().then((t) => ((behind = true), t));
    await Promise.resolve();
    expect([capped, behind]).toEqual([false, false]);
    limit.release(held[0] as never, false);
    await Promise.resolve();
    expect([capped, behind]).toEqual([false, false]);
    limit.release(held[1] as never, false);
    const ticket = await first;
    expect(ticket.limit).toBe(1);
    await next;
    expect(behind).toBe(true);
  });
});

describe('the limits of a run', () => {
  it('are one for the whole organization in Organizations, per account in IAM and per account and region elsewhere', () => {
    expect(ConcurrencyLimits.keyOf('organizations', '111111111111', 'us-east-1')).toBe(
      ConcurrencyLimits.keyOf('organizations', '222222222201', 'eu-west-1'),
    );
    expect(ConcurrencyLimits.keyOf('iam', '111111111111', 'us-east-1')).toBe('iam|111111111111');
    expect(ConcurrencyLimits.keyOf('iam', '111111111111', 'us-east-1')).not.toBe(
      ConcurrencyLimits.keyOf('iam', '222222222201', 'us-east-1'),
    );
    expect(ConcurrencyLimits.keyOf('guardduty', '111111111111', 'us-east-1')).not.toBe(
      ConcurrencyLimits.keyOf('guardduty', '111111111111', 'eu-west-1'),
    );
  });

  it('resend a refused request only below half the pace it was refused at', async () => {
    const events: { limit: number; throttled: boolean }[] = [];
    const limits = new ConcurrencyLimits(undefined, (e) => events.push(e));
    const send = limits.request<string>('iam', 'iam|111111111111', (err) => (err as Error).name === 'Throttling');
    await expect(send(() => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' })))).rejects.toThrow();
    await expect(send(async () => 'done')).resolves.toBe('done');
    expect(events).toEqual([
      expect.objectContaining({ limit: 8, throttled: true }),
      expect.objectContaining({ limit: 4, throttled: false }),
    ]);
  });
});
