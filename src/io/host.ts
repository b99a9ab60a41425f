/**
 * The one channel between the engine and people. The engine only calls `notify`, `result` and
 * `request`; whether that reaches a terminal, a CI log or a test's recorder is the host's business.
 */

export type Level = 'info' | 'warn' | 'error' | 'success';

export interface Message {
  /** Stable id (`GW_STEP_SKIPPED`), so tests and future JSON logs need not match on text. */
  code: string;
  level: Level;
  text: string;
}

interface RequestBase {
  code: string;
  message: string;
  /** Said when nobody can be asked: which answer is missing and how to give it. */
  howToAnswer: string;
}

export type Request =
  | (RequestBase & { kind: 'confirm'; default: boolean })
  | (RequestBase & { kind: 'input'; default?: string; validate?: (text: string) => string | undefined })
  | (RequestBase & { kind: 'typed-confirm'; expected: string })
  | (RequestBase & { kind: 'secret' })
  | (RequestBase & { kind: 'select'; choices: { value: string; name: string }[] })
  | (RequestBase & { kind: 'checkbox'; choices: { value: string; name: string; checked?: boolean }[] });

export type Response<R extends Request> = R extends { kind: 'confirm' | 'typed-confirm' }
  ? boolean
  : R extends { kind: 'checkbox' }
    ? string[]
    : string;

export interface IoHost {
  /** True when a person can be asked; false in CI, without a TTY, and in tests unless scripted. */
  readonly interactive: boolean;
  /**
   * How progress is drawn: redrawn in place at a terminal with a usable size, as plain lines in CI,
   * pipes and terminals too small to redraw on (0 or 1 column, 0 rows), or not at all. It can change
   * while a run goes on: a renderer that redraws reads it when it starts and again at every `resize`
   * event of the progress stream, and stops redrawing once it is no longer `fancy`.
   */
  readonly progress: 'fancy' | 'plain' | 'silent';
  /** Colour on the result stream (stdout). */
  readonly color: boolean;
  /** Where progress renderers draw: never stdout, which carries results. */
  readonly progressStream: NodeJS.WritableStream;
  notify(message: Message): void;
  /** A result: plan, findings, policy, JSON. Goes to stdout and nowhere else. */
  result(text: string): void;
  request<R extends Request>(request: R): Promise<Response<R>>;
  /**
   * Shows a one-time secret to the person at the terminal, and nowhere else: not through `notify`,
   * not in results. Hosts without a person refuse.
   */
  showSecret(label: string, secret: string): void;
}
