import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A program in a real pseudo-terminal: tmux runs it in a private server, `send` types, `screen` reads
 * what a person would see. Every wait is bounded.
 */
export class Terminal {
  private readonly socket = `gw-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly session = 'wizard';

  constructor(
    private readonly dir: string,
    readonly cols = 140,
    readonly rows = 50,
  ) {}

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Starts `command` (argv) with `env`, in `cwd`; the shell prints EXIT=<code> when it ends. */
  start(command: string[], env: Record<string, string>, cwd: string): void {
    const script = join(this.dir, `run-${this.socket}.sh`);
    const exports = Object.entries(env).map(([k, v]) => `export ${k}=${JSON.stringify(v)}`);
    const quoted = command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    writeFileSync(
      script,
      ['#!/bin/bash', ...exports, `cd ${JSON.stringify(cwd)}`, `${quoted}`, 'echo "EXIT=$?"', 'sleep 600', ''].join('\n'),
      { mode: 0o755 },
    );
    this.tmux('-f', '/dev/null', 'new-session', '-d', '-s', this.session, '-x', String(this.cols), '-y', String(this.rows), script);
  }

  /** Keys as tmux names them: text, 'Enter', 'C-c', 'BSpace', 'Down'. */
  send(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.session, ...keys);
  }

  type(text: string): void {
    this.tmux('send-keys', '-t', this.session, '-l', text);
  }

  /** The visible screen and the scrollback, as text. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-t', this.session, '-S', '-2000');
  }

  async waitFor(pattern: RegExp | string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.screen();
      if (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`screen never showed ${String(pattern)}; it shows:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async exitCode(timeoutMs = 30_000): Promise<number> {
    const text = await this.waitFor(/EXIT=\d+/, timeoutMs);
    return Number(/EXIT=(\d+)/.exec(text)?.[1]);
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone: the server ends when its last session does
    }
  }
}

export function tmuxAvailable(): boolean {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
}
