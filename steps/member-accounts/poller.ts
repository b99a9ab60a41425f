import { DescribeCreateAccountStatusCommand, type CreateAccountStatus } from '@aws-sdk/client-organizations';
import type { AwsClients } from '../../src/aws/clients.js';
import type { StepContext } from '../../src/kit/step.js';
import { inProgress } from './reads.js';

const POLL_START_MS = 2_000;
const POLL_MAX_MS = 15_000;
/** Real creation takes minutes; past this the run stops and a re-run picks the request up again. */
export const CREATION_TIMEOUT_MS = 20 * 60_000;

/** One account waiting for its creation request: its name and start, for its own progress line and timeout. */
export interface Waiter {
  name: string;
  started: number;
  progress: (text: string) => void;
}

interface Waiting extends Waiter {
  resolve: (status: CreateAccountStatus) => void;
  reject: (err: unknown) => void;
}

const seconds = (since: number) => Math.round((Date.now() - since) / 1000);

/**
 * One poll loop for every account created in an apply, however many are waiting: each tick sends one
 * ListCreateAccountStatus of the requests IN_PROGRESS (all its pages), and only a request that has left
 * that list is described, once, for its account id or its failure reason. The waits back off as one
 * account's did (2 s doubling to 15 s), and each account keeps its own timeout and progress line.
 */
export class CreationPoller {
  /** By request id: the same request may be waited for twice (a lost answer read back follows it too). */
  private readonly waiting = new Map<string, Waiting[]>();
  private running = false;

  constructor(
    private readonly aws: AwsClients,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /** The request's final status, SUCCEEDED or FAILED, once AWS has it. */
  finished(requestId: string, waiter: Waiter): Promise<CreateAccountStatus> {
    const done = new Promise<CreateAccountStatus>((resolve, reject) =>
      this.waiting.set(requestId, [...(this.waiting.get(requestId) ?? []), { ...waiter, resolve, reject }]),
    );
    if (!this.running) {
      this.running = true;
      void this.loop();
    }
    return done;
  }

  private async loop(): Promise<void> {
    let delay = POLL_START_MS;
    try {
      while (this.waiting.size > 0) {
        await this.tick();
        if (this.waiting.size === 0) break;
        await this.sleep(delay);
        delay = Math.min(delay * 2, POLL_MAX_MS);
      }
    } catch (err) {
      // The poll itself failed (after the client's retries), or the wait was cut short: every waiter hears it.
      const all = [...this.waiting.values()].flat();
      this.waiting.clear();
      for (const w of all) w.reject(err);
    } finally {
      this.running = false;
    }
  }

  /**
   * One poll. Only the requests waited for when the list was asked for are judged by it: one made
   * while the list was on its way is judged at the next tick.
   */
  private async tick(): Promise<void> {
    const asked = [...this.waiting.keys()];
    const running = new Set((await inProgress(this.aws)).map((r) => r.Id));
    for (const id of asked) {
      const status = running.has(id) ? undefined : await this.describe(id);
      if (status === null) continue;
      if (status && status.State !== 'IN_PROGRESS') this.settle(id, (w) => w.resolve(status));
      else this.settle(id, (w) => this.stillWaiting(w));
    }
  }

  /** Hands the request's waiters their outcome; `outcome` false: the waiter goes on waiting. */
  private settle(id: string, outcome: (w: Waiting) => boolean | void): void {
    const left = (this.waiting.get(id) ?? []).filter((w) => outcome(w) === false);
    if (left.length > 0) this.waiting.set(id, left);
    else this.waiting.delete(id);
  }

  /** A waiter whose request is still in progress: its timeout (false: it waits on) and its progress line. */
  private stillWaiting(w: Waiting): boolean {
    if (Date.now() - w.started > CREATION_TIMEOUT_MS) {
      w.reject(
        new Error(`${w.name} is still being created after ${Math.round(seconds(w.started) / 60)} minutes; run again later to pick it up`),
      );
      return true;
    }
    w.progress(`${w.name}: IN_PROGRESS, ${seconds(w.started)} s so far (AWS takes a few minutes)`);
    return false;
  }

  /**
   * The status of a request that left the list (undefined: AWS gave none); a failed describe fails its
   * account alone, and answers null.
   */
  private async describe(id: string): Promise<CreateAccountStatus | undefined | null> {
    try {
      const r = await this.aws.organizations.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: id }));
      return r.CreateAccountStatus;
    } catch (err) {
      this.settle(id, (w) => w.reject(err));
      return null;
    }
  }
}

/** The apply's one poller, shared by the accounts it creates (made with the first one's clients). */
export const creationPoller = (ctx: StepContext<unknown>): CreationPoller =>
  ctx.shared('creation-poller', () => new CreationPoller(ctx.aws, (ms) => ctx.sleep(ms)));
