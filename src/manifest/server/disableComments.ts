const MARKER = 'pod-process-explorer-disable';
const DISABLE_COMMENT = /^#\s*pod-process-explorer-disable\b(.*)$/;

/** What the comment lines right above a line turn off: every code, some codes, or nothing. */
type Disabled = 'all' | ReadonlySet<string> | undefined;

/**
 * `# pod-process-explorer-disable [code…]` in the comment lines right above a finding turns it
 * off. Lines are indexed once per document and each line's comment block is read once, so a
 * document costs time linear in its length however many findings it has (one line of 50,000
 * `kill -HUP 1;` has as many).
 */
export class DisableComments {
  private lineStarts: number[] | undefined;
  private readonly disabledAbove = new Map<number, Disabled>();
  /** Most documents have no disable comment at all: then nothing else is read. */
  private readonly hasAny: boolean;

  constructor(private readonly text: string) {
    this.hasAny = text.includes(MARKER);
  }

  /** Whether a finding with `code` starting at `offset` is turned off. */
  disables(code: string, offset: number): boolean {
    if (!this.hasAny) {
      return false;
    }
    const disabled = this.above(this.lineOf(offset));
    return disabled === 'all' || (disabled?.has(code) ?? false);
  }

  private above(line: number): Disabled {
    if (this.disabledAbove.has(line)) {
      return this.disabledAbove.get(line);
    }
    const starts = this.lineStarts!;
    const codes = new Set<string>();
    let all = false;
    for (let previous = line - 1; previous >= 0; previous--) {
      const comment = this.text.slice(starts[previous], starts[previous + 1]).trim();
      if (!comment.startsWith('#')) {
        break;
      }
      const disable = DISABLE_COMMENT.exec(comment);
      if (disable) {
        const named = disable[1].split(/[\s,]+/).filter((code) => code !== '');
        all ||= named.length === 0;
        named.forEach((code) => codes.add(code));
      }
    }
    const disabled: Disabled = all ? 'all' : codes.size > 0 ? codes : undefined;
    this.disabledAbove.set(line, disabled);
    return disabled;
  }

  private lineOf(offset: number): number {
    if (!this.lineStarts) {
      const starts = [0];
      for (let newline = this.text.indexOf('\n'); newline !== -1;) {
        starts.push(newline + 1);
        newline = this.text.indexOf('\n', newline + 1);
      }
      starts.push(this.text.length + 1);
      this.lineStarts = starts;
    }
    // The last line whose start is at or before the offset.
    let low = 0;
    let high = this.lineStarts.length - 2;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= offset) {
        low = middle;
      } else {
        high = middle - 1;
      }
    }
    return low;
  }
}
