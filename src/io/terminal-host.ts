import { InterruptedError, MissingAnswerError } from '../errors.js';
import type { IoHost, Message, Request, Response } from './host.js';
import { hasUsableGeometry, painter, wantsColor, type TerminalTraits } from './style.js';

export interface Streams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & TerminalTraits;
  stderr: NodeJS.WritableStream & TerminalTraits;
}

const PREFIX: Record<Message['level'], string> = { info: '', warn: 'warning: ', error: 'error: ', success: '' };

/** Messages and progress to stderr, results to stdout. Never asks anything. */
export class NonInteractiveHost implements IoHost {
  readonly interactive: boolean = false;
  readonly color: boolean;
  protected readonly paintErr;
  private readonly mayRedraw: boolean;

  constructor(
    protected readonly streams: Streams,
    env: NodeJS.ProcessEnv,
  ) {
    const errColor = wantsColor(streams.stderr, env);
    this.mayRedraw = errColor && !env.CI;
    this.color = wantsColor(streams.stdout, env);
    this.paintErr = painter(errColor);
  }

  /**
   * Decided again at every read, from the terminal's size now: a spinner or task list that starts
   * after a resize to 0 columns draws plain lines, and the ones running watch for the resize.
   */
  get progress(): 'fancy' | 'plain' {
    return this.mayRedraw && hasUsableGeometry(this.streams.stderr) ? 'fancy' : 'plain';
  }

  get progressStream(): NodeJS.WritableStream {
    return this.streams.stderr;
  }

  notify(message: Message): void {
    const p = this.paintErr;
    const prefix = PREFIX[message.level];
    const styled = message.level === 'error' ? p('red', prefix) : message.level === 'warn' ? p('yellow', prefix) : prefix;
    this.streams.stderr.write(`${styled}${message.text}\n`);
  }

  result(text: string): void {
    this.streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  showSecret(label: string, _secret: string): void {
    // Approval refuses secret-revealing changes without a terminal, so reaching this is a bug.
    throw new Error(`refusing to print the one-time secret for ${label} without a terminal`);
  }

  request<R extends Request>(request: R): Promise<Response<R>> {
    return Promise.reject(
      new MissingAnswerError(`${request.message.replace(/[?:]\s*$/, '')}: no terminal to ask on.`, request.howToAnswer),
    );
  }
}

/** A person at a terminal: prompts on stderr, so piping stdout keeps only results. */
export class InteractiveHost extends NonInteractiveHost {
  override readonly interactive = true;

  override showSecret(label: string, secret: string): void {
    const p = this.paintErr;
    this.streams.stderr.write(
      `\n${p('bold', label)}: ${p('bold', secret)}\n` +
        '  Shown once and stored nowhere: hand it over now. It must be changed at first sign-in.\n\n',
    );
  }

  override async request<R extends Request>(request: R): Promise<Response<R>> {
    // Loaded on the first question: runs that ask nothing never load the prompt library.
    const { checkbox, confirm, input, password, select } = await import('@inquirer/prompts');
    const context = { input: this.streams.stdin, output: this.streams.stderr };
    try {
      switch (request.kind) {
        case 'confirm':
          return (await confirm({ message: request.message, default: request.default }, context)) as Response<R>;
        case 'typed-confirm': {
          const typed = await input({ message: `${request.message} Type ${this.paintErr('bold', request.expected)} to confirm:` }, context);
          return (typed.trim() === request.expected) as Response<R>;
        }
        case 'select':
          return (await select({ message: request.message, choices: request.choices }, context)) as Response<R>;
        case 'checkbox':
          return (await checkbox({ message: request.message, choices: request.choices, required: true }, context)) as Response<R>;
        case 'secret':
          return (await password({ message: request.message, mask: '*' }, context)) as Response<R>;
        case 'input': {
          const validate = request.validate;
          return (await input(
            {
              message: request.message,
              ...(request.default !== undefined ? { default: request.default } : {}),
              ...(validate ? { validate: (t: string) => validate(t) ?? true } : {}),
            },
            context,
          )) as Response<R>;
        }
      }
    } catch (err) {
      // Ctrl-C inside a prompt: the person stopped; nothing was done after it.
      if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError')) {
        throw new InterruptedError('Stopped at a question; nothing was changed after it.');
      }
      throw err;
    }
  }
}
