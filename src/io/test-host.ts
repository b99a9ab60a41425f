import { PassThrough } from 'node:stream';
import { MissingAnswerError } from '../errors.js';
import type { IoHost, Message, Request, Response } from './host.js';

/**
 * Records every message and result; answers requests from a script keyed by request code (or fails
 * like the non-interactive host when the script has no answer).
 */
export class TestHost implements IoHost {
  readonly progress = 'silent' as const;
  readonly color = false;
  readonly messages: Message[] = [];
  readonly results: string[] = [];
  readonly requests: Request[] = [];
  /** What a person at the terminal would have seen with `showSecret`: the test's stand-in for the screen. */
  readonly screen: { label: string; secret: string }[] = [];
  readonly progressStream = new PassThrough();
  readonly interactive: boolean;

  constructor(private readonly script: Record<string, unknown[]> = {}) {
    this.interactive = Object.keys(script).length > 0;
    this.progressStream.resume();
  }

  notify(message: Message): void {
    this.messages.push(message);
  }

  result(text: string): void {
    this.results.push(text);
  }

  showSecret(label: string, secret: string): void {
    if (!this.interactive) throw new Error(`refusing to print the one-time secret for ${label} without a terminal`);
    this.screen.push({ label, secret });
  }

  async request<R extends Request>(request: R): Promise<Response<R>> {
    this.requests.push(request);
    const queue = this.script[request.code];
    if (!queue || queue.length === 0) throw new MissingAnswerError(request.message, request.howToAnswer);
    return queue.shift() as Response<R>;
  }
}
