import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { withSpinner } from '../../src/io/spinner.js';
import { hasUsableGeometry } from '../../src/io/style.js';
import { NonInteractiveHost } from '../../src/io/terminal-host.js';

/** More than any spinner here draws; a redraw loop that never ends gets there in a moment. */
const RUNAWAY = 1024 * 1024;

/** A terminal as Node presents one: isTTY, a size that `resize` events announce, every byte kept. */
class FakeTerminal extends Writable {
  readonly isTTY = true;
  text = '';
  constructor(
    public columns: number | undefined,
    public rows: number | undefined,
  ) {
    super();
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
  private add(text: string): void {
    // Thrown inside the loop that writes, so a renderer that never stops fails the test instead of hanging it.
    if (this.text.length > RUNAWAY) throw new Error(`runaway output: more than ${RUNAWAY} bytes`);
    this.text += text;
  }
  override _write(chunk: Buffer, _e: BufferEncoding, done: () => void): void {
    this.add(chunk.toString());
    done();
  }
  // ora moves the cursor through these tty.WriteStream methods.
  cursorTo(x: number): boolean {
    this.add(`\u001b[${x + 1}G`);
    return true;
  }
  moveCursor(_dx: number, dy: number): boolean {
    if (dy < 0) this.add(`\u001b[${-dy}A`);
    return true;
  }
  clearLine(): boolean {
    this.add('\u001b[2K');
    return true;
  }
}

const hostOn = (stderr: FakeTerminal) => new NonInteractiveHost({ stdin: new PassThrough(), stdout: new FakeTerminal(80, 24), stderr }, {});

describe('the terminal size progress may redraw on', () => {
  it('is at least 2 columns and 1 row; a size the terminal does not report leaves the renderers their 80x24', () => {
    expect(hasUsableGeometry({ columns: 80, rows: 24 })).toBe(true);
    expect(hasUsableGeometry({ columns: 2, rows: 1 })).toBe(true);
    expect(hasUsableGeometry({ columns: 0, rows: 24 })).toBe(false);
    expect(hasUsableGeometry({ columns: 1, rows: 24 })).toBe(false);
    expect(hasUsableGeometry({ columns: 80, rows: 0 })).toBe(false);
    expect(hasUsableGeometry({ columns: Number.NaN, rows: 24 })).toBe(false);
    expect(hasUsableGeometry({})).toBe(true);
  });

  it('decides the host progress from the size now: plain lines at 0 columns, redrawing again once the terminal has a size', () => {
    const stderr = new FakeTerminal(0, 0);
    const host = hostOn(stderr);
    expect(host.progress).toBe('plain');
    stderr.resize(80, 24);
    expect(host.progress).toBe('fancy');
    stderr.resize(1, 24);
    expect(host.progress).toBe('plain');
  });

  it('never draws a spinner on a terminal of 0 columns', async () => {
    const stderr = new FakeTerminal(0, 24);
    const result = await withSpinner(hostOn(stderr), 'Checking who you are in AWS', async () => {
      await new Promise((r) => setTimeout(r, 200));
      return 'done';
    });
    expect(result).toBe('done');
    expect(stderr.text).toBe('');
  });

  it('stops the spinner, within the same tick, when the terminal shrinks to 0 columns while it turns', async () => {
    const stderr = new FakeTerminal(80, 24);
    let drawnAtResize = 0;
    const result = await withSpinner(hostOn(stderr), 'Checking who you are in AWS', async () => {
      await new Promise((r) => setTimeout(r, 250));
      stderr.resize(0, 24);
      drawnAtResize = stderr.text.length;
      await new Promise((r) => setTimeout(r, 400));
      return 'done';
    });
    expect(result).toBe('done');
    expect(stderr.text.slice(0, drawnAtResize)).toContain('Checking who you are in AWS');
    // Nothing at all after the resize event: the spinner's last frame was erased inside it.
    expect(stderr.text.length).toBe(drawnAtResize);
  });
});
