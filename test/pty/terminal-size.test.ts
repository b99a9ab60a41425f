import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The CLI's real entry point (test/pty/fake-cli.ts, the fake AWS in its process) in a pseudo-terminal
 * of a given size, as `script` makes one: `stty` sets the size, a size of 0 being what a terminal
 * that was never sized reports (`script -c` from a script, `docker run -t`). `script` records every
 * byte the program writes, so the tests can bound the output and look for cursor movement.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = join(root, 'test/pty/fake-cli.ts');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

const ANSWERS = `version: 1
steps:
  account-alias: { alias: acme }
  password-policy: {}
  admin-group: {}
  mfa-enforcement: {}
  s3-block-public-access: {}
  security-contacts:
    security: { name: Jane Founder, title: CTO, email: security@acme.example, phone: "+1 555 0100" }
`;

/** util-linux `script` and GNU `stty -F`: Linux, as in CI. */
function ptyToolsAvailable(): boolean {
  const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
  const stty = spawnSync('stty', ['--version'], { encoding: 'utf8' });
  return /util-linux/.test(script.stdout ?? '') && /coreutils/.test(stty.stdout ?? '');
}

const ESC = '\u001b';
/** Moving the cursor, erasing, hiding it: what redrawn progress writes and plain lines never do. */
const CURSOR_MOVEMENT = new RegExp(`${ESC}\\[(\\d*[ABCDGHJK]|\\?25l)`);
const SPINNER_FRAME = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
/** No run here writes more than this; a redraw loop that never ends writes it within a second. */
const OUTPUT_BOUND = 64 * 1024;
const RUN_DEADLINE_MS = 40_000;

interface Size {
  cols: number;
  rows: number;
}

class PtyRun {
  readonly exit: Promise<number>;
  private readonly logPath: string;
  private readonly child;

  constructor(
    private readonly dir: string,
    args: string[],
    size: Size,
    env: Record<string, string> = {},
  ) {
    this.logPath = join(dir, `output-${size.cols}x${size.rows}-${Math.random().toString(36).slice(2, 8)}.log`);
    const node = [process.execPath, '--import', tsx, entry, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    // The shell hands its process to node (exec), so pid.txt names the CLI itself.
    const inner = `stty cols ${size.cols} rows ${size.rows}; tty > tty.txt; echo $$ > pid.txt; exec ${node}`;
    this.child = spawn('script', ['-qfec', inner, this.logPath], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        SHELL: '/bin/sh',
        HOME: dir,
        TERM: 'xterm-256color',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'not-a-secret',
        AWS_REGION: 'us-east-1',
        AWS_CONFIG_FILE: join(dir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        FAKE_AWS_STATE: join(dir, 'aws-state.bin'),
        ...env,
      },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    this.exit = this.bounded();
  }

  /** The exit code; a run still going at the deadline is killed (the CLI first: `script` dying leaves it spinning) and fails the test. */
  private bounded(): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const written = this.output().length;
        this.killCli('SIGKILL');
        this.child.kill('SIGKILL');
        reject(new Error(`the run did not end within ${RUN_DEADLINE_MS} ms; it had written ${written} bytes`));
      }, RUN_DEADLINE_MS);
      this.child.on('close', (code) => {
        clearTimeout(timer);
        resolve(code ?? -1);
      });
    });
  }

  /** Everything written to the terminal so far. */
  output(): string {
    return existsSync(this.logPath) ? readFileSync(this.logPath, 'utf8') : '';
  }

  async waitFor(text: string, timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.output().indexOf(text);
      if (at >= 0 && existsSync(join(this.dir, 'pid.txt'))) return at;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${JSON.stringify(text)}; it shows:\n${this.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Resizes the terminal from outside, as a person or a container runtime does: the CLI gets SIGWINCH. */
  resize(size: Size): void {
    const tty = readFileSync(join(this.dir, 'tty.txt'), 'utf8').trim();
    execFileSync('stty', ['-F', tty, 'cols', String(size.cols), 'rows', String(size.rows)]);
  }

  killCli(signal: NodeJS.Signals): void {
    try {
      process.kill(Number(readFileSync(join(this.dir, 'pid.txt'), 'utf8')), signal);
    } catch {
      // already gone
    }
  }

  /** Keys typed at the terminal. */
  type(text: string): void {
    this.child.stdin.write(text);
  }

  close(): void {
    this.killCli('SIGKILL');
    this.child.kill('SIGKILL');
  }
}

let runs: PtyRun[] = [];
afterEach(() => {
  for (const r of runs) r.close();
  runs = [];
});

function start(args: string[], size: Size, env: Record<string, string> = {}): PtyRun {
  const dir = mkdtempSync(join(tmpdir(), 'gw-size-'));
  writeFileSync(join(dir, 'answers.yaml'), ANSWERS);
  const run = new PtyRun(dir, args, size, env);
  runs.push(run);
  return run;
}

async function finished(args: string[], size: Size): Promise<{ code: number; output: string }> {
  const run = start(args, size);
  const code = await run.exit;
  return { code, output: run.output() };
}

const VERIFY = ['verify', '--answers', 'answers.yaml'];

describe.skipIf(!ptyToolsAvailable())('a terminal of any size', () => {
  it('finishes verify at 0 columns, 1 column and 0 rows with the exit code it has at 80 columns, in bounded output, drawing plain lines', async () => {
    const usual = await finished(VERIFY, { cols: 80, rows: 24 });
    expect(usual.code).toBe(3);
    expect(usual.output).toMatch(SPINNER_FRAME);
    for (const size of [
      { cols: 0, rows: 24 },
      { cols: 1, rows: 24 },
      { cols: 80, rows: 0 },
      { cols: 0, rows: 0 },
    ]) {
      const run = await finished(VERIFY, size);
      expect(run.code, `${size.cols}x${size.rows}`).toBe(usual.code);
      expect(run.output.length, `${size.cols}x${size.rows}`).toBeLessThan(OUTPUT_BOUND);
      expect(run.output, `${size.cols}x${size.rows}`).toMatch(/Controls: \d+ pass, \d+ fail/);
      expect(run.output, `${size.cols}x${size.rows}`).not.toMatch(CURSOR_MOVEMENT);
      expect(run.output, `${size.cols}x${size.rows}`).not.toMatch(SPINNER_FRAME);
    }
  }, 120_000);

  it('applies at 0 columns with the exit code it has at 80 columns, in bounded output', async () => {
    const apply = ['apply', '--answers', 'answers.yaml', '--yes'];
    const usual = await finished(apply, { cols: 80, rows: 24 });
    expect(usual.code).toBe(0);
    const narrow = await finished(apply, { cols: 0, rows: 0 });
    expect(narrow.code).toBe(0);
    expect(narrow.output.length).toBeLessThan(OUTPUT_BOUND);
    expect(narrow.output).toMatch(/Controls: \d+ pass, 0 fail/);
    expect(narrow.output).not.toMatch(CURSOR_MOVEMENT);
  }, 120_000);

  it('stops the spinner when the terminal shrinks to 0 columns while it turns, and finishes', async () => {
    const run = start(VERIFY, { cols: 80, rows: 24 }, { FAKE_AWS_DELAY_MS: '500' });
    await run.waitFor('Checking who you are in AWS');
    const resizedAt = run.output().length;
    run.resize({ cols: 0, rows: 24 });
    expect(await run.exit).toBe(3);
    const after = run.output().slice(resizedAt);
    expect(after.length).toBeLessThan(OUTPUT_BOUND);
    // A frame may have been on its way when the size changed; none is drawn after it.
    expect(after.split('Checking who you are in AWS').length - 1).toBeLessThanOrEqual(1);
    // What follows the spinner, the task list included, is plain lines at the new size.
    const rest = after.slice(after.indexOf('Account 111111111111 as arn:aws:iam::111111111111:user/founder'));
    expect(rest).toContain('Verify management');
    expect(rest).not.toMatch(SPINNER_FRAME);
    expect(rest).not.toMatch(CURSOR_MOVEMENT);
  }, 60_000);

  it('turns the task list into plain lines when the terminal shrinks to 0 columns while it is drawn, and finishes', async () => {
    const run = start(VERIFY, { cols: 80, rows: 24 }, { FAKE_AWS_DELAY_MS: '400' });
    await run.waitFor('Verify management');
    run.resize({ cols: 0, rows: 24 });
    expect(await run.exit).toBe(3);
    const output = run.output();
    expect(output.length).toBeLessThan(OUTPUT_BOUND);
    // Where the task stands, said as a line once the size is gone; after it, nothing is redrawn.
    const plainFrom = output.search(/❯\S* Verify management\r?\n/);
    expect(plainFrom, output).toBeGreaterThan(0);
    const rest = output.slice(plainFrom);
    expect(rest).toMatch(/✔\S* Verify management\r?\n/);
    expect(rest).not.toMatch(SPINNER_FRAME);
    expect(rest).not.toMatch(new RegExp(`${ESC}\\[\\d*[AB]`));
  }, 60_000);
});

describe.skipIf(!ptyToolsAvailable())('signals while progress is shown', () => {
  it('SIGTERM while the spinner turns exits 143 at 80 columns and at 0 columns', async () => {
    for (const cols of [80, 0]) {
      const run = start(VERIFY, { cols, rows: 24 }, { FAKE_AWS_DELAY_MS: '1500' });
      // At 0 columns there is no spinner: the signal comes at the same point, the first AWS call.
      await run.waitFor(cols === 0 ? 'Skipping organization' : 'Checking who you are in AWS');
      run.killCli('SIGTERM');
      expect(await run.exit, `${cols} columns`).toBe(143);
      expect(run.output()).toContain('Stopped by SIGTERM. Nothing is half-written');
    }
  }, 60_000);

  it('SIGINT while the spinner turns exits 130', async () => {
    const run = start(VERIFY, { cols: 80, rows: 24 }, { FAKE_AWS_DELAY_MS: '1500' });
    await run.waitFor('Checking who you are in AWS');
    run.killCli('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.output()).toContain('Stopped by Ctrl-C');
  }, 60_000);

  it('Ctrl-C typed while the spinner turns exits 130', async () => {
    const run = start(VERIFY, { cols: 80, rows: 24 }, { FAKE_AWS_DELAY_MS: '1500' });
    await run.waitFor('Checking who you are in AWS');
    run.type('\u0003');
    expect(await run.exit).toBe(130);
    expect(run.output()).toContain('Stopped by Ctrl-C');
  }, 60_000);

  it('a second SIGTERM while the spinner turns exits 143 at once', async () => {
    const run = start(VERIFY, { cols: 80, rows: 24 }, { FAKE_AWS_DELAY_MS: '10000' });
    await run.waitFor('Checking who you are in AWS');
    run.killCli('SIGTERM');
    await run.waitFor('Stopping after the current AWS call (SIGTERM)');
    const sent = Date.now();
    run.killCli('SIGTERM');
    expect(await run.exit).toBe(143);
    expect(Date.now() - sent).toBeLessThan(5_000);
  }, 60_000);
});
