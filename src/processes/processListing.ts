import { maskArgv } from '../secrets/secretPatterns';
import type { ListerProcess, ProcessInfo, ProcessListing } from './types';

/*
 * One exec lists every process of the pod, with no fork per process. grep prints each line of
 * each /proc file prefixed by its name (`12/stat:…`); the prefix comes from grep, never from the
 * file, so no process can forge lines about another. A second grep sends only the status lines
 * used here (the whole file would be most of the bytes), matched as fixed strings because
 * busybox grep is ten times slower with anchored patterns; the parser keys lines by field name.
 * Without grep the shell does the same with `read` (still no fork per file); command lines,
 * whose NUL bytes `read` drops, are then framed by a random UUID that the listed processes
 * cannot know. Marker lines carry no ':' so they cannot be taken for prefixed lines.
 */
const SCRIPT = `cd /proc || exit 1
echo "ppe-listing $$"
# Command lines are read last, under timeout where there is one: reading one takes its process's
# memory lock, so a process stuck in D state would hold the whole listing until the exec timed out.
t=
if command -v timeout >/dev/null 2>&1 && timeout 5 true 2>/dev/null; then t='timeout -s KILL 5'; fi
if command -v grep >/dev/null 2>&1; then
  # Status 2 is a process that went meanwhile; above it grep did not run or was killed (126 is
  # "Argument list too long": past some 30,000 processes one command line cannot name them all).
  grep -a -s -H '' uptime [0-9]*/stat [0-9]*/cgroup /etc/passwd
  r=$?; [ "$r" -le 2 ] || echo "ppe-failed grep $r"
  grep -a -s -H -F -e State: -e Uid: -e Threads: -e VmRSS: [0-9]*/status
  r=$?; [ "$r" -le 2 ] || echo "ppe-failed grep $r"
  $t grep -a -s -H '' [0-9]*/cmdline
  r=$?; [ "$r" -le 2 ] || echo "ppe-cmdline-cut $r"
else
  g() { while IFS= read -r l || [ -n "$l" ]; do printf '%s:%s\\n' "$1" "$l"; done < "$1"; }
  s() {
    while IFS= read -r l; do
      case $l in State:* | Uid:* | Threads:* | VmRSS:*) printf '%s:%s\\n' "$1" "$l" ;; esac
    done < "$1"
  }
  {
    g uptime
    for p in [0-9]*; do g "$p/stat"; s "$p/status"; g "$p/cgroup"; done
    g /etc/passwd
    u=
    read -r u < sys/kernel/random/uuid
    if [ -n "$u" ]; then
      echo "ppe-cmdline $u"
      for p in [0-9]*; do printf '\\n%s %s\\n' "$u" "$p"; $t cat "$p/cmdline"; done
      printf '\\n%s end\\n' "$u"
    fi
  } 2>/dev/null
fi
echo ppe-mountns
stat -L -c '%i %n' [0-9]*/ns/mnt 2>/dev/null
echo ppe-end
`;

/**
 * The argv that lists the pod's processes. Run it without a tty: a tty would merge stderr into
 * stdout and turn newlines into CRLF.
 */
export function processListingCommand(): string[] {
  return ['sh', '-c', SCRIPT];
}

/*
 * /proc reports times in USER_HZ, which Linux fixes at 100 on every architecture for user
 * space ABI stability, whatever the kernel's internal HZ; asking getconf would cost a fork.
 */
const USER_HZ = 100;

const NEWLINE = 0x0a;

interface RawProcess {
  stat?: Buffer[];
  status?: Buffer[];
  cgroup?: Buffer[];
  cmdline?: Buffer[];
}

type RawFile = keyof RawProcess;

interface RawListing {
  readonly processes: Map<number, RawProcess>;
  readonly mountNamespaces: Map<number, string>;
  uptime: Buffer[];
  passwd: Buffer[];
  listerPid: number | undefined;
  complete: boolean;
  failure: string | undefined;
  /** The command-line read was stopped (timeout): those not read yet are missing. */
  commandLinesCut: boolean;
}

const PROCESS_FILE = /^(\d+)\/(stat|status|cgroup|cmdline)$/;
const MOUNT_NAMESPACE_LINE = /^(\d+) (\d+)\/ns\/mnt$/;

/** Parses the stdout of `processListingCommand()`; never throws on odd bytes. */
export function parseProcessListing(stdout: Buffer): ProcessListing {
  const raw = splitOutput(stdout);
  const users = parsePasswd(raw.passwd);
  const listerPid = raw.listerPid !== undefined && raw.listerPid > 1 ? raw.listerPid : undefined;
  const processes: ProcessInfo[] = [];
  let lister: ListerProcess | undefined;
  for (const [pid, files] of raw.processes) {
    const info = buildProcess(pid, files, users, raw.mountNamespaces.get(pid));
    if (!info) {
      continue;
    }
    // The listing's own shell and its grep/stat are an artefact of looking, not the pod's work;
    // the shell is kept aside because it is known to run in the container exec'd into.
    if (info.pid === listerPid) {
      lister = {
        pid: info.pid,
        cgroup: info.cgroup,
        ...(info.mountNamespace === undefined ? {} : { mountNamespace: info.mountNamespace }),
      };
    } else if (info.ppid !== listerPid) {
      processes.push(info);
    }
  }
  processes.sort((a, b) => a.pid - b.pid);
  if (raw.commandLinesCut) {
    markUnreadCommandLines(processes, raw);
  }
  return {
    processes,
    uptimeSeconds: parseUptime(raw.uptime),
    clockTicksPerSecond: USER_HZ,
    listerPid,
    lister,
    complete: raw.complete,
    failure: raw.failure,
  };
}

function splitOutput(stdout: Buffer): RawListing {
  const raw: RawListing = {
    processes: new Map(),
    mountNamespaces: new Map(),
    uptime: [],
    passwd: [],
    listerPid: undefined,
    complete: false,
    failure: undefined,
    commandLinesCut: false,
  };
  let inMountSection = false;
  let position = 0;
  while (position < stdout.length) {
    const end = lineEnd(stdout, position);
    const line = stdout.subarray(position, end);
    position = end + 1;
    if (inMountSection) {
      const text = line.toString('latin1');
      const match = MOUNT_NAMESPACE_LINE.exec(text);
      if (match) {
        raw.mountNamespaces.set(Number(match[2]), match[1]);
      } else if (text === 'ppe-end') {
        raw.complete = true;
      }
      continue;
    }
    const colon = line.indexOf(0x3a);
    if (colon < 0) {
      const text = line.toString('latin1');
      if (text.startsWith('ppe-listing ')) {
        const pid = Number(text.slice('ppe-listing '.length));
        raw.listerPid = Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
      } else if (text.startsWith('ppe-cmdline ')) {
        position = readCommandLineFrames(stdout, position, text.slice('ppe-cmdline '.length), raw);
      } else if (text === 'ppe-mountns') {
        inMountSection = true;
      } else if (text.startsWith('ppe-failed ')) {
        raw.failure ??= text.slice('ppe-failed '.length);
      } else if (text.startsWith('ppe-cmdline-cut ')) {
        raw.commandLinesCut = true;
      }
      continue;
    }
    addLine(raw, line.subarray(0, colon).toString('latin1'), line.subarray(colon + 1));
  }
  return raw;
}

function lineEnd(buffer: Buffer, from: number): number {
  const index = buffer.indexOf(NEWLINE, from);
  return index < 0 ? buffer.length : index;
}

function addLine(raw: RawListing, name: string, content: Buffer): void {
  if (name === 'uptime') {
    raw.uptime.push(content);
    return;
  }
  if (name === '/etc/passwd') {
    raw.passwd.push(content);
    return;
  }
  const match = PROCESS_FILE.exec(name);
  if (!match) {
    return;
  }
  const pid = Number(match[1]);
  const kind = match[2] as RawFile;
  let files = raw.processes.get(pid);
  if (!files) {
    files = {};
    raw.processes.set(pid, files);
  }
  (files[kind] ??= []).push(content);
}

/**
 * After a cut command-line read, the processes grep had not reached: it reads them in the glob's
 * order (PIDs as text), so those after the last one it printed. The first of them is the one
 * whose read blocked; a kernel thread among them, with no command line at all, cannot be told
 * apart and is marked too.
 */
function markUnreadCommandLines(processes: ProcessInfo[], raw: RawListing): void {
  let last = '';
  for (const [pid, files] of raw.processes) {
    if (files.cmdline && String(pid) > last) {
      last = String(pid);
    }
  }
  processes.forEach((process, index) => {
    if (raw.processes.get(process.pid)?.cmdline === undefined && String(process.pid) > last) {
      processes[index] = { ...process, commandLineUnread: true };
    }
  });
}

/**
 * Reads the fallback's frames: `\n<uuid> <pid>\n<raw cmdline bytes>` … `\n<uuid> end\n`.
 * Returns where line parsing resumes: after the end frame, or at the end of the output when the
 * frames are cut or malformed, since bytes after a broken frame are a command line's, not ours.
 */
function readCommandLineFrames(
  stdout: Buffer,
  start: number,
  nonce: string,
  raw: RawListing,
): number {
  // Only the kernel's random UUID makes the frames unforgeable; anything else is not our script.
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(nonce)) {
    return stdout.length;
  }
  const separator = Buffer.from(`\n${nonce} `, 'latin1');
  let position = start;
  while (stdout.subarray(position, position + separator.length).equals(separator)) {
    const labelStart = position + separator.length;
    const labelEnd = lineEnd(stdout, labelStart);
    const label = stdout.subarray(labelStart, labelEnd).toString('latin1');
    if (label === 'end') {
      return labelEnd + 1;
    }
    if (!/^\d+$/.test(label) || labelEnd >= stdout.length) {
      break;
    }
    const contentStart = labelEnd + 1;
    const next = stdout.indexOf(separator, contentStart);
    if (next < 0) {
      // Cut inside a command line: it may be incomplete, so leave it out.
      break;
    }
    addLine(raw, `${label}/cmdline`, stdout.subarray(contentStart, next));
    position = next;
  }
  return stdout.length;
}

function joinLines(lines: readonly Buffer[]): Buffer {
  if (lines.length === 1) {
    return lines[0];
  }
  const parts: Buffer[] = [];
  lines.forEach((line, index) => {
    if (index > 0) {
      parts.push(Buffer.from([NEWLINE]));
    }
    parts.push(line);
  });
  return Buffer.concat(parts);
}

function parseUptime(lines: readonly Buffer[]): number | undefined {
  if (lines.length === 0) {
    return undefined;
  }
  const seconds = Number(joinLines(lines).toString('latin1').trim().split(/\s+/)[0]);
  return Number.isFinite(seconds) ? seconds : undefined;
}

function parsePasswd(lines: readonly Buffer[]): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of lines) {
    const fields = line.toString('utf8').split(':');
    if (fields.length < 3 || fields[0] === '' || !/^\d+$/.test(fields[2])) {
      continue;
    }
    const uid = Number(fields[2]);
    // The first entry wins, as getpwuid() answers.
    if (!users.has(uid)) {
      users.set(uid, fields[0]);
    }
  }
  return users;
}

interface StatFields {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  readonly cpuTicks: number;
  readonly threads: number;
  readonly startTicks: number;
}

const UNSIGNED = /^\d+$/;

function parseStat(text: string): StatFields | undefined {
  // comm may hold spaces, parentheses and newlines; only the last ')' ends it.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) {
    return undefined;
  }
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // Fields after comm start at field 3 (state); starttime is field 22.
  const numbers = [1, 11, 12, 17, 19].map((index) => fields[index]);
  const pidText = text.slice(0, open).trim();
  if (fields.length < 20 || !UNSIGNED.test(pidText) || numbers.some((n) => !UNSIGNED.test(n))) {
    return undefined;
  }
  const [ppid, utime, stime, threads, startTicks] = numbers.map(Number);
  return {
    pid: Number(pidText),
    comm: text.slice(open + 1, close),
    state: fields[0],
    ppid,
    cpuTicks: utime + stime,
    threads,
    startTicks,
  };
}

function parseStatus(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      values.set(line.slice(0, colon), line.slice(colon + 1).trim());
    }
  }
  return values;
}

function parseArgv(lines: readonly Buffer[] | undefined): string[] {
  if (!lines) {
    return [];
  }
  const bytes = joinLines(lines);
  const argv: string[] = [];
  let start = 0;
  while (start <= bytes.length) {
    const nul = bytes.indexOf(0, start);
    const end = nul < 0 ? bytes.length : nul;
    argv.push(bytes.subarray(start, end).toString('utf8'));
    start = end + 1;
  }
  // The NUL after the last argument, and the NUL padding left by programs that rewrite their
  // title, would otherwise show as trailing empty arguments.
  while (argv.length > 0 && argv[argv.length - 1] === '') {
    argv.pop();
  }
  return argv;
}

function buildProcess(
  pid: number,
  files: RawProcess,
  users: ReadonlyMap<number, string>,
  mountNamespace: string | undefined,
): ProcessInfo | undefined {
  // Without stat and status the process ended while being read: leave it out.
  if (!files.stat || !files.status) {
    return undefined;
  }
  const stat = parseStat(joinLines(files.stat).toString('utf8'));
  const status = parseStatus(joinLines(files.status).toString('utf8'));
  const uidText = status.get('Uid')?.split(/\s+/)[0];
  if (!stat || stat.pid !== pid || uidText === undefined || !UNSIGNED.test(uidText)) {
    return undefined;
  }
  const uid = Number(uidText);
  const stateMatch = /^\S+\s+\((.*)\)$/.exec(status.get('State') ?? '');
  const threadsText = status.get('Threads');
  const rssText = /^(\d+)\s*kB$/.exec(status.get('VmRSS') ?? '');
  const argv = parseArgv(files.cmdline);
  const info: ProcessInfo = {
    pid,
    ppid: stat.ppid,
    uid,
    user: users.get(uid),
    state: stat.state,
    stateName: stateMatch ? stateMatch[1] : undefined,
    threads:
      threadsText !== undefined && UNSIGNED.test(threadsText) ? Number(threadsText) : stat.threads,
    rssKiB: rssText ? Number(rssText[1]) : 0,
    cpuTicks: stat.cpuTicks,
    startTicks: stat.startTicks,
    comm: stat.comm,
    argv,
    // Shown in the tree, pickers and messages, and so masked: argv keeps the real items.
    commandLine: argv.length > 0 ? maskArgv(argv).join(' ') : `[${stat.comm}]`,
    cgroup: files.cgroup ? joinLines(files.cgroup).toString('utf8').replace(/\n+$/, '') : '',
  };
  return mountNamespace === undefined ? info : { ...info, mountNamespace };
}
