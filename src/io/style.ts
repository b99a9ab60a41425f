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
}

/** Colour and redrawing are for people at a terminal only. */
export function wantsColor(stream: TerminalTraits, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb';
}
