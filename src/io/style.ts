/** ANSI colour, applied only when the host says colour is on (TTY, no NO_COLOR, not TERM=dumb). */
const CODES = { red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39], bold: [1, 22], dim: [2, 22] } as const;
export type Style = keyof typeof CODES;

export function painter(color: boolean) {
  return (style: Style, text: string): string => {
    if (!color) return text;
    const [open, close] = CODES[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  };
}

export type Paint = ReturnType<typeof painter>;

export interface TerminalTraits {
  isTTY?: boolean;
  /** As the terminal reports them; undefined when it reports nothing (renderers then assume 80x24). */
  columns?: number;
  rows?: number;
}

/** Colour and redrawing are for people at a terminal only. */
export function wantsColor(stream: TerminalTraits, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb';
}

/**
 * Whether a terminal's size lets progress be redrawn in place. Redrawing renderers divide by the
 * width and move the cursor over the lines they computed from it: at 0 columns ora computes Infinity
 * lines and erases them in a synchronous loop, so the run never ends and no signal is handled. A
 * pseudo-terminal that was never sized (`script`, `docker run -t` from a script, `stty cols 0`)
 * reports 0 columns or 0 rows, and a single column holds no spinner and text. Such terminals get
 * plain lines. A size that is not reported at all leaves the renderers' own 80x24, which is safe.
 */
export function hasUsableGeometry(stream: TerminalTraits): boolean {
  const usable = (value: number | undefined, least: number) => value === undefined || (Number.isFinite(value) && value >= least);
  return usable(stream.columns, 2) && usable(stream.rows, 1);
}
