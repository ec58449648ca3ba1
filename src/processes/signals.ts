// Signals: their names and numbers, the argv that sends one, and what kill's answer means.
// Pure: src/processActions runs the argv in a container and tells the user the outcome.

/**
 * Linux's standard signals in number order (1–31), as numbered on x86 and arm (asm-generic).
 * MIPS, Alpha and SPARC number some differently, which is why kill is always given the name.
 */
const LINUX_SIGNALS = [
  'HUP',
  'INT',
  'QUIT',
  'ILL',
  'TRAP',
  'ABRT',
  'BUS',
  'FPE',
  'KILL',
  'USR1',
  'SEGV',
  'USR2',
  'PIPE',
  'ALRM',
  'TERM',
  'STKFLT',
  'CHLD',
  'CONT',
  'STOP',
  'TSTP',
  'TTIN',
  'TTOU',
  'URG',
  'XCPU',
  'XFSZ',
  'VTALRM',
  'PROF',
  'WINCH',
  'IO',
  'PWR',
  'SYS',
] as const;

/** The signals offered first: what the task page and everyday debugging send. */
export const COMMON_SIGNALS = [
  'HUP',
  'INT',
  'QUIT',
  'KILL',
  'USR1',
  'USR2',
  'TERM',
  'STOP',
  'CONT',
] as const;

export type CommonSignalName = (typeof COMMON_SIGNALS)[number];

/** SIGRTMAX on Linux: the highest number kill(2) accepts. */
const HIGHEST_SIGNAL = 64;

/**
 * A signal as the user chose it: by name (`HUP`, sent by name) or by number (`42`, sent as
 * typed). `number` is the x86/arm number of a named signal, for display only.
 */
export interface Signal {
  readonly name: string | undefined;
  readonly number: number;
}

/** The name without `SIG` (`HUP`), or the number when the user typed one. */
export function signalLabel(signal: Signal): string {
  return signal.name ?? String(signal.number);
}

export function signalByName(name: CommonSignalName): Signal {
  return { name, number: LINUX_SIGNALS.indexOf(name) + 1 };
}

/**
 * Reads what a user typed: `HUP`, `sighup`, `SIGHUP`, `1`, `-1`, `-HUP`. A number stays a number
 * (the user meant that number); undefined when it is neither a known name nor 1–64.
 */
export function parseSignal(text: string): Signal | undefined {
  const trimmed = text.trim().replace(/^-/, '');
  if (/^\d+$/.test(trimmed)) {
    const number = Number(trimmed);
    return number >= 1 && number <= HIGHEST_SIGNAL ? { name: undefined, number } : undefined;
  }
  const name = trimmed.toUpperCase().replace(/^SIG/, '');
  const index = (LINUX_SIGNALS as readonly string[]).indexOf(name);
  return index < 0 ? undefined : { name, number: index + 1 };
}

/** The name of a standard signal number (x86/arm numbering), for showing what a number means. */
export function standardSignalName(number: number): string | undefined {
  return LINUX_SIGNALS[number - 1];
}

/**
 * `kill -s HUP 8`. `-s` takes a name or a number alike in busybox kill, procps kill and the kill
 * built into dash, ash and bash (checked on each); a name keeps the meaning the user picked
 * whatever the container's architecture numbers it.
 */
export function killCommand(signal: Signal, pid: number): string[] {
  return ['kill', '-s', signalLabel(signal), String(pid)];
}

/** What the guard writes to stderr when the PID is gone or now names another process. */
const GONE_MARKER = 'ppe-gone';

/*
 * The listing is seconds or minutes old when the user picks a signal; by then the PID may have been
 * reused. The guard sends only if /proc/PID/stat still shows the start time the listing read (field
 * 22, the 20th after the last ") ", since comm may hold spaces and parentheses). `read` and kill are
 * shell built-ins: no kill binary is needed, and there is no fork between the check and the kill.
 * LC_ALL=C keeps kill's error text in English, which is what parseKillResult reads.
 */
const GUARD_SCRIPT = `LC_ALL=C
export LC_ALL
set -f
pid=$1 start=$2 sig=$3
{ IFS= read -r stat < "/proc/$pid/stat"; } 2>/dev/null || { echo ${GONE_MARKER} >&2; exit 3; }
set -- \${stat##*") "}
[ "\${20}" = "$start" ] || { echo ${GONE_MARKER} >&2; exit 3; }
kill -s "$sig" "$pid"
`;

/**
 * Sends the signal only to the process the listing saw (PID and start time), through a shell.
 * Without a shell in the container, `killCommand` is the fallback.
 */
export function guardedKillCommand(signal: Signal, pid: number, startTicks: number): string[] {
  return ['sh', '-c', GUARD_SCRIPT, 'sh', String(pid), String(startTicks), signalLabel(signal)];
}

/**
 * The guard for a container without a shell: `cat` reads the stat first, and the kill binary runs
 * only if it still shows the start time the listing read. Two execs, so a PID reused in the
 * fraction of a second between them is not caught; without cat, no signal is sent at all.
 */
export function statCommand(pid: number): string[] {
  return ['cat', `/proc/${pid}/stat`];
}

/** Whether /proc/PID/stat (as statCommand read it) is of the process started at `startTicks`. */
export function statShowsStart(stat: string, startTicks: number): boolean {
  const fields = stat
    .slice(stat.lastIndexOf(') ') + 2)
    .trim()
    .split(/\s+/);
  return stat.includes(') ') && fields[19] === String(startTicks);
}

export type KillResult =
  | { readonly kind: 'sent' }
  /** ESRCH, or the guard found the PID gone or reused. */
  | { readonly kind: 'gone' }
  /** EPERM: neither the same user nor CAP_KILL. */
  | { readonly kind: 'notPermitted' }
  /** This container's kill does not know the signal (a name busybox was built without). */
  | { readonly kind: 'badSignal'; readonly detail: string }
  /** `detail` is kill's first line of stderr, empty when it printed nothing. */
  | { readonly kind: 'failed'; readonly detail: string; readonly exitCode: number };

/**
 * What busybox, procps, dash, ash and bash kill answered, from the exit code and stderr:
 * `kill: can't kill pid 8: Operation not permitted`, `kill: (8): No such process`,
 * `sh: bad signal name 'FOO'`, `kill: 8: Operation not permitted`, `kill: (8) - No such process`.
 */
export function parseKillResult(exitCode: number, stderr: string): KillResult {
  if (exitCode === 0) {
    return { kind: 'sent' };
  }
  if (stderr.includes(GONE_MARKER) || /No such process|\bESRCH\b/i.test(stderr)) {
    return { kind: 'gone' };
  }
  if (/Operation not permitted|\bEPERM\b/i.test(stderr)) {
    return { kind: 'notPermitted' };
  }
  const detail = firstLine(stderr);
  if (/(bad|invalid|unknown) signal|invalid signal spec/i.test(stderr)) {
    return { kind: 'badSignal', detail };
  }
  return { kind: 'failed', detail, exitCode };
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  ).slice(0, 300);
}

/** Signals whose default action ends the process (and that a shutdown handler usually catches). */
const ENDING_SIGNALS = new Set(['TERM', 'INT', 'KILL', 'QUIT']);

/** What a signal ends besides the process: the whole pod, its container, or nothing more. */
export type SignalConsequence = 'stopsPod' | 'stopsContainer' | undefined;

export function signalConsequence(
  signal: Signal,
  target: { readonly isSandbox: boolean; readonly isMain: boolean },
): SignalConsequence {
  const name = signal.name ?? standardSignalName(signal.number);
  if (name === undefined || !ENDING_SIGNALS.has(name)) {
    return undefined;
  }
  if (target.isSandbox) {
    return 'stopsPod';
  }
  return target.isMain ? 'stopsContainer' : undefined;
}

/** A running container of the pod, with the user it runs as when its processes show it. */
export interface SenderCandidate {
  readonly name: string;
  readonly running: boolean;
  /** UID of the container's main process, as the listing read it. */
  readonly uid: number | undefined;
}

/**
 * The containers to send from, best first, among the containers of the process's PID namespace
 * (a PID means another process, or none, in any other). kill needs CAP_KILL or the target's UID:
 * the inspecting container first (it has a shell, and usually runs as root with the default
 * CAP_KILL), then containers that run as the target's user (its own first), then other root
 * containers.
 */
export function signalSenders(input: {
  readonly inspector: string | undefined;
  readonly processContainer: string | undefined;
  readonly targetUid: number;
  readonly containers: readonly SenderCandidate[];
}): string[] {
  const running = input.containers.filter((container) => container.running);
  const isRunning = (name: string | undefined) =>
    name !== undefined && running.some((container) => container.name === name);
  const ordered = [
    ...(isRunning(input.inspector) ? [input.inspector as string] : []),
    ...running
      .filter((container) => container.uid === input.targetUid)
      .sort(
        (a, b) =>
          Number(b.name === input.processContainer) - Number(a.name === input.processContainer),
      )
      .map((container) => container.name),
    ...running.filter((container) => container.uid === 0).map((container) => container.name),
  ];
  return [...new Set(ordered)];
}
