/** What a terminal is called: pod and container, as `kubectl attach nginx -c shell` names them. */
export function terminalName(pod: string, container: string): string {
  return `${pod}/${container}`;
}

/**
 * Turns a session's output frames into text for the terminal. The decoder streams, so a
 * multibyte character split across two frames comes out whole. Without a tty the remote side
 * writes bare line feeds, which a terminal shows as stair steps: they become CR LF.
 */
export class TerminalOutputDecoder {
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly lineFeeds: 'asSent' | 'toCrLf') {}

  decode(chunk: Uint8Array): string {
    return this.newlines(this.decoder.decode(chunk, { stream: true }));
  }

  /** What an incomplete character at the very end stands for (U+FFFD), if one is pending. */
  end(): string {
    return this.newlines(this.decoder.decode());
  }

  private newlines(text: string): string {
    return this.lineFeeds === 'toCrLf' ? text.replace(/\r?\n/g, '\r\n') : text;
  }
}

const RESET = '\x1b[0m';
const STYLES = { note: '\x1b[2m', error: '\x1b[31m' } as const;

/** Returns to the start of the cursor's line and clears it: takes a transient note away. */
export const CLEAR_LINE = '\r\x1b[2K';

/**
 * A message of the extension's own, on lines of its own: dim for notes, red for errors. Control
 * characters are dropped (a server's message must not drive the terminal) and line breaks become
 * CR LF.
 */
export function noticeLines(message: string, style: keyof typeof STYLES): string {
  const lines = printableLines(message).map((line) => `${STYLES[style]}${line}${RESET}`);
  return `\r\n${lines.join('\r\n')}\r\n`;
}

/** A dim note on the cursor's line, without a line break, so CLEAR_LINE can take it away again. */
export function transientNote(message: string): string {
  return `${STYLES.note}${printableLines(message).join(' ')}${RESET}`;
}

function printableLines(message: string): string[] {
  return (
    message
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex -- the point is to remove control characters
      .replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '')
      .split('\n')
  );
}
