import { guardedKillCommand, signalByName } from '../processes/signals';

/**
 * How "Open Shell" starts a shell in a container, and how closing its terminal ends it.
 *
 * One probe exec decides between bash and sh; it also turns a forbidden exec or a container
 * without a shell into the cluster layer's error before anything runs on a tty (on a tty a
 * runtime's "executable file not found" arrives as screen output, not as an error). The shell
 * then runs behind a one-line wrapper that announces its PID and execs it, so the PID is the
 * shell's: closing the WebSocket does not end the remote process (kubelets and the sandbox
 * alike), so the terminal hangs the shell up by that PID, as closing a local terminal would.
 * Every name travels as an argument (`"$1"`), never inside the script text.
 */

export type ShellName = 'bash' | 'sh';

export const SHELL_PROBE_COMMAND: readonly string[] = [
  'sh',
  '-c',
  'if command -v bash >/dev/null 2>&1; then echo bash; else echo sh; fi',
];

/** The shell the probe's output names; sh when the output is anything else. */
export function shellFromProbe(stdout: string): ShellName {
  return stdout.trim() === 'bash' ? 'bash' : 'sh';
}

/**
 * The announcement the wrapper prints before anything else reaches the tty. It is shaped as an
 * operating system command (ESC ] … BEL) that terminals ignore, in case it ever got through.
 */
const ANNOUNCEMENT_START = '\x1b]pod-process-explorer-shell-pid;';
const ANNOUNCEMENT_END = '\x07';
/** `PID;START`: start ticks run to 20 digits (a u64). */
const MAX_ANNOUNCED_CHARS = 10 + 1 + 20;

/**
 * Runs `shell` interactively after announcing its PID and start time (field 22 of its stat, as
 * the signal guard reads it); `exec` keeps both.
 */
export function interactiveShellCommand(shell: ShellName): string[] {
  return [
    'sh',
    '-c',
    `s=; read -r s < /proc/$$/stat; set -- "$1" \${s##*") "}; printf '\\033]pod-process-explorer-shell-pid;%s;%s\\007' "$$" "\${21}"; exec "$1"`,
    'sh',
    shell,
  ];
}

/**
 * Sends SIGHUP to the shell, only if its PID still names it (the start time it announced): it
 * exits, and the kernel hangs up the job in its foreground.
 */
export function hangUpCommand(shell: AnnouncedShell): string[] {
  return guardedKillCommand(signalByName('HUP'), shell.pid, shell.startTicks);
}

/** What the wrapper announced: the shell's PID and start time. */
export interface AnnouncedShell {
  readonly pid: number;
  readonly startTicks: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * Reads the wrapper's announcement off the start of the shell's output and passes the rest on.
 * Frames may split it anywhere, so bytes that could still become the announcement are held back;
 * output that cannot be one (the shell never started: a runtime's message) passes unchanged.
 */
export class ShellStartReader {
  private held: Buffer | undefined = EMPTY;
  private announced: AnnouncedShell | undefined;

  /** The shell's PID and start time, once announced. */
  get shell(): AnnouncedShell | undefined {
    return this.announced;
  }

  /** True once the output has shown whether the announcement came. */
  get settled(): boolean {
    return this.held === undefined;
  }

  /** The bytes of `chunk` (and of earlier held ones) to show now. */
  push(chunk: Buffer): Buffer {
    if (this.held === undefined) {
      return chunk;
    }
    const bytes = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    // latin1 maps each byte to one character, so string offsets are byte offsets.
    const text = bytes.toString('latin1');
    const end = text.indexOf(ANNOUNCEMENT_END, ANNOUNCEMENT_START.length);
    if (text.startsWith(ANNOUNCEMENT_START) && end >= 0) {
      const announced = /^([1-9]\d{0,9});(\d{1,20})$/.exec(
        text.slice(ANNOUNCEMENT_START.length, end),
      );
      this.held = undefined;
      if (announced) {
        this.announced = { pid: Number(announced[1]), startTicks: Number(announced[2]) };
        return bytes.subarray(end + ANNOUNCEMENT_END.length);
      }
      return bytes;
    }
    if (couldBecomeAnnouncement(text)) {
      this.held = bytes;
      return EMPTY;
    }
    this.held = undefined;
    return bytes;
  }

  /** At the end of the output: whatever was held back. */
  flush(): Buffer {
    const held = this.held ?? EMPTY;
    this.held = undefined;
    return held;
  }
}

function couldBecomeAnnouncement(text: string): boolean {
  if (text.length <= ANNOUNCEMENT_START.length) {
    return ANNOUNCEMENT_START.startsWith(text);
  }
  return (
    text.startsWith(ANNOUNCEMENT_START) &&
    /^\d*(?:;\d*)?$/.test(text.slice(ANNOUNCEMENT_START.length)) &&
    text.length - ANNOUNCEMENT_START.length <= MAX_ANNOUNCED_CHARS
  );
}
