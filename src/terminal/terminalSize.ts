/** A terminal size in character cells, as VS Code reports it and channel 4 carries it. */
export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

/**
 * The sizes to send for `size`. With `redraw` (the first size of an attach), one cell larger and
 * then the real size, as `kubectl attach` does: a program attached to again at an unchanged size
 * would see no change and not redraw its screen, leaving the new terminal blank.
 */
export function resizeSequence(size: TerminalSize, redraw: boolean): TerminalSize[] {
  const real = { columns: Math.max(1, size.columns), rows: Math.max(1, size.rows) };
  return redraw ? [{ columns: real.columns + 1, rows: real.rows + 1 }, real] : [real];
}
