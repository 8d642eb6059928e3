/** Minimal ANSI colouring, on only for a TTY (NO_COLOR turns it off, FORCE_COLOR on). */

/** The colours the reports use. */
export interface Palette {
  red(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

const COLOURS: Palette = {
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  blue: wrap(34, 39),
  green: wrap(32, 39),
  bold: wrap(1, 22),
  dim: wrap(2, 22),
};

const PLAIN: Palette = {
  red: (s) => s,
  yellow: (s) => s,
  blue: (s) => s,
  green: (s) => s,
  bold: (s) => s,
  dim: (s) => s,
};

/** Whether a stream should get colour, honouring NO_COLOR and FORCE_COLOR. */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** The palette for a stream. */
export function paletteFor(colour: boolean): Palette {
  return colour ? COLOURS : PLAIN;
}
