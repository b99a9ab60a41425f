/**
 * How many requests may be in flight at once, per AWS limit. AWS throttles per account and service (IAM,
 * S3 Control, Account Management) or once for the whole organization (Organizations, whose calls all come
 * from the management account): a run of many accounts keeps each of those limits full but never over
 * it. Each limit starts at its maximum, is halved when AWS throttles a request (once per throttling
 * episode: the answers to requests already in flight say nothing new) and grows back by one after as many
 * answers as the limit holds, the additive-increase, multiplicative-decrease of TCP. The retry layer
 * (retry.ts) waits out its backoff outside the limit, then queues again: a refused request is resent only
 * while fewer than half the requests it was refused among are in flight, never at the speed that was refused.
 */
import type { ServiceId } from './actions.js';

/** The most requests in flight at once for one limit, before AWS has throttled anything. */
export const MAX_IN_FLIGHT: Readonly<Record<ServiceId, number>> = {
  // One limit for the whole organization: every Organizations call is the management account's.
  organizations: 8,
  // Per account: IAM's control plane and S3 Control answer a few requests a second each.
  iam: 8,
  s3control: 4,
  // Account Management: 10 GetAlternateContact a second per account (burst 15); all from the management account.
  account: 8,
  sts: 8,
  cloudtrail: 4,
  s3: 8,
  kms: 8,
  ssoAdmin: 8,
  identitystore: 8,
  budgets: 4,
  costExplorer: 4,
  guardduty: 8,
  accessAnalyzer: 8,
  // Service Quotas answers GetServiceQuota and GetAWSDefaultServiceQuota 5 a second each (Service Quotas user guide, quotas).
  serviceQuotas: 4,
};

/** What a limit did with one attempt, for tests and the benchmark. */
export interface LimitEvent {
  key: string;
  /** Which request the attempt belongs to (attempts of one request share it), in the order requests were made. */
  request: number;
  /**
   * How many attempts the limit let be in flight when this one left, and the limit's maximum:
   * `limit === max` is full speed.
   */
  limit: number;
  max: number;
  throttled: boolean;
}

/** A place in one limit, held while one attempt is in flight. */
interface Ticket {
  /** The throttling episode the attempt was sent in. */
  episode: number;
  /** The limit the attempt was sent under (its own cap included). */
  limit: number;
}

interface Waiting {
  cap: number;
  enter: (ticket: Ticket) => void;
}

export class AdaptiveLimit {
  private inFlight = 0;
  private readonly queue: Waiting[] = [];
  private answered = 0;
  private episode = 0;
  limit: number;

  constructor(readonly max: number) {
    this.limit = max;
  }

  /**
   * Waits for a place, first come first served; `cap` holds this attempt to fewer in flight than the
   * limit (a refused request's next attempt). The ticket goes back to `release` with what the attempt met.
   */
  acquire(cap = Number.POSITIVE_INFINITY): Promise<Ticket> {
    return new Promise((enter) => {
      this.queue.push({ cap, enter });
      this.admit();
    });
  }

  release(ticket: Ticket, throttled: boolean): void {
    this.inFlight--;
    if (throttled) {
      // Only the first refusal of an episode lowers the limit: the others were sent before it was lowered.
      if (ticket.episode === this.episode) {
        this.limit = Math.max(1, Math.floor(this.limit / 2));
        this.episode++;
        this.answered = 0;
      }
    } else if (this.limit < this.max && ++this.answered >= this.limit) {
      this.limit++;
      this.answered = 0;
    }
    this.admit();
  }

  /** Lets in whoever is first in line while there is room for them; a capped first waits, and so do those behind it. */
  private admit(): void {
    for (let first = this.queue[0]; first; first = this.queue[0]) {
      const limit = Math.min(this.limit, first.cap);
      if (this.inFlight >= limit) return;
      this.queue.shift();
      this.inFlight++;
      first.enter({ episode: this.episode, limit });
    }
  }
}

/** The limits of one run, made on first use and shared by every client of the run. */
export class ConcurrencyLimits {
  private readonly limits = new Map<string, AdaptiveLimit>();
  private requests = 0;

  constructor(
    private readonly maxima: Readonly<Record<ServiceId, number>> = MAX_IN_FLIGHT,
    /** Sees each attempt's limit and whether AWS throttled it (tests, the benchmark). */
    private readonly observe?: (event: LimitEvent) => void,
  ) {}

  /** The limit a request to `service` in `account` (and `region`, for regional services) counts against. */
  static keyOf(service: ServiceId, account: string, region: string): string {
    if (service === 'organizations') return 'organizations';
    const perAccount = service === 'iam' || service === 's3control' || service === 'account' || service === 'budgets';
    return perAccount ? `${service}|${account}` : `${service}|${account}|${region}`;
  }

  /**
   * One request's attempts within its limit; `isThrottling` tells a refusal from other failures. A
   * refused request's next attempt leaves only while fewer than half the attempts it was refused among
   * are in flight: never twice at the speed that was refused.
   */
  request<T>(service: ServiceId, key: string, isThrottling: (err: unknown) => boolean): (attempt: () => Promise<T>) => Promise<T> {
    let limit = this.limits.get(key);
    if (!limit) this.limits.set(key, (limit = new AdaptiveLimit(this.maxima[service])));
    const held = limit;
    const request = ++this.requests;
    let cap = Number.POSITIVE_INFINITY;
    return async (attempt) => {
      const ticket = await held.acquire(cap);
      let throttled = false;
      try {
        return await attempt();
      } catch (err) {
        throttled = isThrottling(err);
        if (throttled) cap = Math.max(1, Math.floor(ticket.limit / 2));
        throw err;
      } finally {
        held.release(ticket, throttled);
        this.observe?.({ key, request, limit: ticket.limit, max: held.max, throttled });
      }
    };
  }
}
