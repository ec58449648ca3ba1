// Everything /proc tells about one process, read in ONE exec and rendered as the text of the
// details document. Pure: the document provider runs the argv and supplies the localized words.
import { decodeCapabilities, hasCapability, type CapabilitySet } from './capabilities';
import { maskArgv } from '../secrets/secretPatterns';
import { MASK, parseEnviron, type Environment } from './environment';
import { formatElapsed, formatRss } from './format';

/*
 * One exec reads the process's files, its namespaces beside PID 1's, its open files, the reader's
 * own status (to say why something could not be read) and the user and group names, from the
 * process's own root when readable, else from the reader's. Sections are framed by a random UUID
 * from the kernel, which the process cannot know, so no bytes in its environment or command line
 * can forge a section. `cat` copies bytes unchanged (environ and cmdline hold NULs); a failed read
 * is repeated into an `-error` section with the error text, which LC_ALL=C keeps in English.
 */
const SCRIPT = `cd /proc || exit 1
p=$1
u=
read -r u < sys/kernel/random/uuid
[ -n "$u" ] || exit 1
LC_ALL=C
export LC_ALL
echo "ppe-details $u"
s() { printf '\\n%s %s\\n' "$u" "$1"; }
s stat; cat "$p/stat" 2>/dev/null
s status; cat "$p/status" 2>/dev/null
s cmdline; cat "$p/cmdline" 2>/dev/null
s cgroup; cat "$p/cgroup" 2>/dev/null
s environ
if ! cat "$p/environ" 2>/dev/null; then s environ-error; cat "$p/environ" 2>&1 >/dev/null; fi
s ns; stat -L -c '%i %n' "$p"/ns/* 1/ns/* 2>/dev/null
s fd; ls "$p/fd" 2>&1
s uptime; cat uptime
s reader; cat self/status
# The target's own names files, as long as they are plain files: a hostile target may link them
# to /dev/zero, a FIFO or the reader's side. At most 1 MiB of each.
names() {
  [ ! -L "$p/root/etc" ] && [ ! -L "$p/root/etc/$1" ] && [ -f "$p/root/etc/$1" ] &&
    head -c 1048576 "$p/root/etc/$1" 2>/dev/null
}
s passwd
names passwd || { s reader-passwd; head -c 1048576 /etc/passwd 2>/dev/null; }
s group
names group || { s reader-group; head -c 1048576 /etc/group 2>/dev/null; }
s end
`;

/** The argv that reads the details of `pid`; run it without a tty (binary output). */
export function processDetailsCommand(pid: number): string[] {
  return ['sh', '-c', SCRIPT, 'sh', String(pid)];
}

/** /proc reports times in USER_HZ, fixed at 100 for user space on every Linux architecture. */
const USER_HZ = 100;

/** The namespaces shown, in this order (the `*_for_children` links repeat pid and time). */
const NAMESPACE_TYPES = ['pid', 'mnt', 'net', 'ipc', 'uts', 'user', 'cgroup', 'time'];

export interface NamespaceInfo {
  readonly type: string;
  readonly inode: string;
  /** PID 1's, when readable: a different one is flagged. */
  readonly pid1Inode: string | undefined;
}

export type EnvironmentReading =
  | Environment
  | {
      readonly kind: 'unreadable';
      /** EACCES: not the process's user and no SYS_PTRACE. */
      readonly reason: 'permission' | 'gone' | 'other';
      readonly detail: string;
    };

export interface Capabilities {
  readonly effective: CapabilitySet | undefined;
  readonly permitted: CapabilitySet | undefined;
  readonly inheritable: CapabilitySet | undefined;
  readonly bounding: CapabilitySet | undefined;
  readonly ambient: CapabilitySet | undefined;
}

export interface ProcessDetails {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  readonly state: string;
  readonly stateName: string | undefined;
  readonly argv: readonly string[];
  /** Real, effective, saved and filesystem UIDs (GIDs below). */
  readonly uids: readonly number[];
  readonly gids: readonly number[];
  /** Supplementary groups. */
  readonly groups: readonly number[];
  readonly userNames: ReadonlyMap<number, string>;
  readonly groupNames: ReadonlyMap<number, string>;
  readonly threads: number | undefined;
  readonly rssKiB: number | undefined;
  /** Clock ticks after boot: with the PID, what tells this process from a later one. */
  readonly startTicks: number;
  /** Milliseconds since the epoch, by the clock of the reading machine. */
  readonly startedAt: number | undefined;
  readonly ageSeconds: number | undefined;
  /** Undefined when the reader may not list /proc/PID/fd. */
  readonly openFiles: number | undefined;
  /** Empty when the reader may not read /proc/PID/ns. */
  readonly namespaces: readonly NamespaceInfo[];
  readonly cgroup: string;
  readonly capabilities: Capabilities;
  readonly environment: EnvironmentReading;
  /** The reading shell's real UID and whether it holds SYS_PTRACE: why reads were refused. */
  readonly reader: { readonly uid: number | undefined; readonly canTrace: boolean };
}

export type ProcessDetailsReading =
  | { readonly kind: 'details'; readonly details: ProcessDetails }
  /** /proc/PID is gone: the process exited. */
  | { readonly kind: 'gone' }
  /** The output stopped before the script's end (a cut stream) or is not the script's. */
  | { readonly kind: 'incomplete' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Splits the framed output into its sections; undefined unless the end marker was reached. */
function sections(stdout: Buffer): Map<string, Buffer> | undefined {
  const first = stdout.indexOf(0x0a);
  const header = stdout.subarray(0, first < 0 ? stdout.length : first).toString('latin1');
  const nonce = header.startsWith('ppe-details ') ? header.slice('ppe-details '.length) : '';
  if (!UUID.test(nonce)) {
    return undefined;
  }
  const separator = Buffer.from(`\n${nonce} `, 'latin1');
  const found = new Map<string, Buffer>();
  let position = stdout.indexOf(separator, first);
  while (position >= 0) {
    const nameStart = position + separator.length;
    const nameEnd = stdout.indexOf(0x0a, nameStart);
    const name = stdout
      .subarray(nameStart, nameEnd < 0 ? stdout.length : nameEnd)
      .toString('latin1');
    if (name === 'end') {
      return found;
    }
    if (nameEnd < 0) {
      return undefined;
    }
    const next = stdout.indexOf(separator, nameEnd + 1);
    found.set(name, stdout.subarray(nameEnd + 1, next < 0 ? stdout.length : next));
    position = next;
  }
  return undefined;
}

function statusFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
    }
  }
  return fields;
}

function numbers(text: string | undefined): number[] {
  return (text ?? '')
    .split(/\s+/)
    .filter((word) => /^\d+$/.test(word))
    .map(Number);
}

function names(text: string | undefined): Map<number, string> {
  const result = new Map<number, string>();
  for (const line of (text ?? '').split('\n')) {
    const [name, , id] = line.split(':');
    // The first entry wins, as getpwuid() and getgrgid() answer.
    if (name && id !== undefined && /^\d+$/.test(id) && !result.has(Number(id))) {
      result.set(Number(id), name);
    }
  }
  return result;
}

function argvOf(bytes: Buffer | undefined): string[] {
  const argv = (bytes ?? Buffer.alloc(0)).toString('utf8').split('\0');
  // The last argument's NUL, and the padding of programs that rewrite their title.
  while (argv.length > 0 && argv[argv.length - 1] === '') {
    argv.pop();
  }
  return argv;
}

function environmentOf(found: Map<string, Buffer>): EnvironmentReading {
  const error = found.get('environ-error');
  if (error === undefined) {
    return parseEnviron(found.get('environ') ?? Buffer.alloc(0));
  }
  const detail = error.toString('utf8').trim().split('\n')[0] ?? '';
  return {
    kind: 'unreadable',
    reason: /Permission denied|Operation not permitted/i.test(detail)
      ? 'permission'
      : /No such (file|process)/i.test(detail)
        ? 'gone'
        : 'other',
    detail,
  };
}

function namespacesOf(text: string, pid: number): NamespaceInfo[] {
  const inodes = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(\d+) (\d+)\/ns\/(\w+)$/.exec(line);
    if (match) {
      inodes.set(`${match[2]}/${match[3]}`, match[1]);
    }
  }
  return NAMESPACE_TYPES.flatMap((type) => {
    const inode = inodes.get(`${pid}/${type}`);
    return inode === undefined ? [] : [{ type, inode, pid1Inode: inodes.get(`1/${type}`) }];
  });
}

/** Parses `processDetailsCommand(pid)`'s stdout, read at `readAt` (ms since the epoch). */
export function parseProcessDetails(
  stdout: Buffer,
  pid: number,
  readAt: number,
): ProcessDetailsReading {
  const found = sections(stdout);
  if (!found) {
    return { kind: 'incomplete' };
  }
  const statText = found.get('stat')?.toString('utf8') ?? '';
  const open = statText.indexOf('(');
  const close = statText.lastIndexOf(')');
  const statFields =
    close > open
      ? statText
          .slice(close + 1)
          .trim()
          .split(/\s+/)
      : [];
  const status = statusFields(found.get('status')?.toString('utf8') ?? '');
  // Without stat and status the process ended before (or while) it was read.
  if (open < 0 || statFields.length < 20 || !status.has('Uid')) {
    return { kind: 'gone' };
  }
  const startTicks = Number(statFields[19]);
  const uptime = Number((found.get('uptime')?.toString('latin1') ?? '').split(/\s+/)[0]);
  const ageSeconds =
    Number.isFinite(uptime) && uptime > 0 && Number.isFinite(startTicks)
      ? Math.max(0, uptime - startTicks / USER_HZ)
      : undefined;
  const fdText = found.get('fd')?.toString('latin1') ?? '';
  const fdLines = fdText.split('\n').filter((line) => line !== '');
  const reader = statusFields(found.get('reader')?.toString('utf8') ?? '');
  // Names from the process's own container when its root is readable, else from the reader's.
  const namesFile = (name: string) =>
    (found.get(name)?.length ? found.get(name) : found.get(`reader-${name}`))?.toString('utf8');
  const capability = (field: string) => decodeCapabilities(status.get(field) ?? '');
  const rss = /^(\d+)\s*kB$/.exec(status.get('VmRSS') ?? '');
  const threads = status.get('Threads');
  const stateName = /^\S+\s+\((.*)\)$/.exec(status.get('State') ?? '');
  return {
    kind: 'details',
    details: {
      pid,
      ppid: Number(statFields[1]),
      comm: statText.slice(open + 1, close),
      state: statFields[0],
      stateName: stateName?.[1],
      argv: argvOf(found.get('cmdline')),
      uids: numbers(status.get('Uid')),
      gids: numbers(status.get('Gid')),
      groups: numbers(status.get('Groups')),
      userNames: names(namesFile('passwd')),
      groupNames: names(namesFile('group')),
      threads: threads !== undefined && /^\d+$/.test(threads) ? Number(threads) : undefined,
      rssKiB: rss ? Number(rss[1]) : undefined,
      startTicks,
      startedAt: ageSeconds === undefined ? undefined : readAt - ageSeconds * 1000,
      ageSeconds,
      openFiles: fdLines.every((line) => /^\d+$/.test(line)) ? fdLines.length : undefined,
      namespaces: namespacesOf(found.get('ns')?.toString('latin1') ?? '', pid),
      cgroup: (found.get('cgroup')?.toString('utf8') ?? '').replace(/\n+$/, ''),
      capabilities: {
        effective: capability('CapEff'),
        permitted: capability('CapPrm'),
        inheritable: capability('CapInh'),
        bounding: capability('CapBnd'),
        ambient: capability('CapAmb'),
      },
      environment: environmentOf(found),
      reader: {
        uid: numbers(reader.get('Uid'))[0],
        canTrace: hasCapability(reader.get('CapEff'), 'SYS_PTRACE'),
      },
    },
  };
}

/** Where the process runs and who read it: what the document says beside /proc's facts. */
export interface DetailsContext {
  readonly namespace: string;
  readonly pod: string;
  /** The process's container; undefined for the sandbox or an unplaced process. */
  readonly container: string | undefined;
  readonly isSandbox: boolean;
  readonly isMain: boolean;
  /** The pod shares one PID namespace: every container sees (and may read) this process. */
  readonly shared: boolean;
  /** The container the details were read from. */
  readonly readFrom: string;
}

/**
 * The words of the document, in the user's language. The renderer adds only structure:
 * `# ` and `## ` headings, two-space indented `label  value` rows, `⚠ ` warnings and `ℹ ` notes,
 * which the grammar in syntaxes/ highlights whatever the language.
 */
export interface DetailsStrings {
  title(pid: number, commandLine: string): string;
  readonly headings: {
    readonly commandLine: string;
    readonly process: string;
    readonly namespaces: string;
    readonly cgroup: string;
    readonly capabilities: string;
    environment(count: number | undefined): string;
  };
  readonly labels: {
    readonly pod: string;
    readonly container: string;
    readonly readFrom: string;
    readonly pid: string;
    readonly parentPid: string;
    readonly state: string;
    readonly user: string;
    readonly effectiveUser: string;
    readonly savedUser: string;
    readonly filesystemUser: string;
    readonly group: string;
    readonly groups: string;
    readonly started: string;
    readonly threads: string;
    readonly memory: string;
    readonly openFiles: string;
    readonly effective: string;
    readonly permitted: string;
    readonly inheritable: string;
    readonly bounding: string;
    readonly ambient: string;
  };
  readonly sandbox: string;
  readonly mainProcess: string;
  readonly unknownContainer: string;
  readonly outsideNamespace: string;
  readonly none: string;
  readonly noArguments: string;
  allCapabilities(count: number): string;
  started(utc: string, elapsed: string): string;
  differsFromPid1(inode: string): string;
  namespacesUnreadable(readFrom: string): string;
  openFilesUnreadable(readFrom: string): string;
  /** The banner: every container of the pod can read this environment, and what it takes. */
  sharedEnvironment(pid: number): string;
  readonly sharedEnvironmentHint: string;
  masked(count: number): string;
  revealed(count: number): string;
  environmentEmpty: string;
  overwritten(pid: number, text: string): string;
  environmentDenied(denied: {
    readonly pid: number;
    readonly uid: number | undefined;
    readonly readFrom: string;
    readonly readerUid: number | undefined;
    readonly readerCanTrace: boolean;
  }): string;
  environmentGone: string;
  environmentError(detail: string): string;
}

/**
 * Control characters (a newline in a value, an escape sequence) as `\n`, `\x1b`: each argument and
 * variable stays on its line, and the editor shows what the bytes are.
 */
export function escapeControls(text: string): string {
  return text.replace(/\p{Cc}/gu, (char) => {
    switch (char) {
      case '\n':
        return '\\n';
      case '\t':
        return '\\t';
      case '\r':
        return '\\r';
      default:
        return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
    }
  });
}

function idText(id: number | undefined, names: ReadonlyMap<number, string>): string {
  if (id === undefined) {
    return '?';
  }
  const name = names.get(id);
  return name === undefined ? String(id) : `${id} (${name})`;
}

/** Capability names, a few to a line: the document reads without horizontal scrolling. */
function capabilityLines(set: CapabilitySet | undefined, strings: DetailsStrings): string[] {
  if (!set) {
    return ['?'];
  }
  if (set.names.length === 0) {
    return [strings.none];
  }
  if (set.all) {
    return [strings.allCapabilities(set.names.length)];
  }
  const lines: string[] = [];
  let line = '';
  for (const name of set.names) {
    if (line !== '' && line.length + name.length + 2 > LIST_WIDTH) {
      lines.push(`${line},`);
      line = name;
    } else {
      line = line === '' ? name : `${line}, ${name}`;
    }
  }
  return [...lines, line];
}

/**
 * cgroup v1 lists one line per hierarchy, nearly always with one path for all: one line per
 * path, with the hierarchies that have it (`v2` for the unified one).
 */
function cgroupLines(cgroup: string): string[] {
  const byPath = new Map<string, string[]>();
  for (const line of cgroup.split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    const [path, hierarchy] = match ? [match[2], match[1] || 'v2'] : [line, undefined];
    const hierarchies = byPath.get(path) ?? [];
    byPath.set(path, hierarchy === undefined ? hierarchies : [...hierarchies, hierarchy]);
  }
  return [...byPath].map(([path, hierarchies]) =>
    hierarchies.length === 0
      ? `  ${escapeControls(path)}`
      : `  ${escapeControls(path)}  (${escapeControls(hierarchies.join(', '))})`,
  );
}

/** `2026-11-23 14:02:11 UTC`: one unambiguous form, whatever the reader's locale. */
function utc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

const LIST_WIDTH = 72;

/** East Asian wide and fullwidth characters (CJK, kana, hangul, fullwidth forms) take two columns. */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/g;

/** Columns `text` takes in a monospace editor font, so translated labels line up. */
export function displayWidth(text: string): number {
  return text.length + (text.match(WIDE)?.length ?? 0);
}

/** `  label  value` rows with one value column; a value of several lines continues under it. */
function rows(pairs: readonly (readonly [string, string | readonly string[]])[]): string[] {
  const width = Math.max(...pairs.map(([label]) => displayWidth(label)));
  return pairs.flatMap(([label, value]) => {
    const [first = '', ...more] = typeof value === 'string' ? [value] : value;
    return [
      `  ${label}${' '.repeat(width - displayWidth(label))}  ${escapeControls(first)}`,
      ...more.map((line) => `  ${' '.repeat(width)}  ${escapeControls(line)}`),
    ];
  });
}

/** The whole document. `revealed` shows the values that look like secrets. */
export function renderProcessDetails(
  details: ProcessDetails,
  context: DetailsContext,
  revealed: boolean,
  strings: DetailsStrings,
): string {
  const { labels, headings } = strings;
  const masked = maskArgv(details.argv);
  const commandLine = details.argv.length > 0 ? masked.join(' ') : `[${details.comm}]`;
  const shownArgv = revealed ? details.argv : masked;
  const container = context.isSandbox
    ? strings.sandbox
    : context.container === undefined
      ? strings.unknownContainer
      : context.isMain
        ? `${context.container} · ${strings.mainProcess}`
        : context.container;
  const lines: string[] = [
    `# ${escapeControls(strings.title(details.pid, commandLine))}`,
    '',
    ...rows([
      [labels.pod, `${context.namespace}/${context.pod}`],
      [labels.container, container],
      [labels.readFrom, context.readFrom],
    ]),
    '',
    `## ${headings.commandLine}`,
    ...(details.argv.length > 0
      ? shownArgv.map((arg, index) => `  [${index}] ${escapeControls(arg)}`)
      : [`  ${strings.noArguments}`]),
    '',
    `## ${headings.process}`,
  ];

  const [uid, euid, suid, fsuid] = details.uids;
  const idRows: [string, string][] = [];
  for (const [label, id] of [
    [labels.effectiveUser, euid],
    [labels.savedUser, suid],
    [labels.filesystemUser, fsuid],
  ] as const) {
    if (id !== undefined && id !== uid) {
      idRows.push([label, idText(id, details.userNames)]);
    }
  }
  lines.push(
    ...rows([
      [labels.pid, String(details.pid)],
      [
        labels.parentPid,
        details.ppid === 0 ? `0 · ${strings.outsideNamespace}` : String(details.ppid),
      ],
      [labels.state, details.stateName ? `${details.state} (${details.stateName})` : details.state],
      [labels.user, idText(uid, details.userNames)],
      ...idRows,
      [labels.group, idText(details.gids[0], details.groupNames)],
      [
        labels.groups,
        details.groups.length === 0
          ? strings.none
          : details.groups.map((id) => idText(id, details.groupNames)).join(', '),
      ],
      ...(details.startedAt !== undefined && details.ageSeconds !== undefined
        ? [
            [
              labels.started,
              strings.started(utc(details.startedAt), formatElapsed(details.ageSeconds)),
            ] as const,
          ]
        : []),
      ...(details.threads !== undefined
        ? [[labels.threads, String(details.threads)] as const]
        : []),
      ...(details.rssKiB !== undefined
        ? [[labels.memory, formatRss(details.rssKiB)] as const]
        : []),
      [
        labels.openFiles,
        details.openFiles === undefined
          ? strings.openFilesUnreadable(context.readFrom)
          : String(details.openFiles),
      ],
    ]),
    '',
    `## ${headings.namespaces}`,
  );
  if (details.namespaces.length === 0) {
    lines.push(`⚠ ${strings.namespacesUnreadable(context.readFrom)}`);
  } else {
    const width = Math.max(...details.namespaces.map((ns) => ns.inode.length));
    lines.push(
      ...rows(
        details.namespaces.map((ns) => [
          ns.type,
          ns.pid1Inode !== undefined && ns.pid1Inode !== ns.inode
            ? `${ns.inode.padEnd(width)}  ≠ ${strings.differsFromPid1(ns.pid1Inode)}`
            : ns.inode,
        ]),
      ),
    );
  }
  lines.push(
    '',
    `## ${headings.cgroup}`,
    ...(details.cgroup === '' ? [`  ${strings.none}`] : cgroupLines(details.cgroup)),
    '',
    `## ${headings.capabilities}`,
    ...rows([
      [labels.effective, capabilityLines(details.capabilities.effective, strings)],
      [labels.permitted, capabilityLines(details.capabilities.permitted, strings)],
      [labels.inheritable, capabilityLines(details.capabilities.inheritable, strings)],
      [labels.bounding, capabilityLines(details.capabilities.bounding, strings)],
      [labels.ambient, capabilityLines(details.capabilities.ambient, strings)],
    ]),
    '',
    ...environmentLines(details, context, revealed, strings),
  );
  return `${lines.join('\n')}\n`;
}

function environmentLines(
  details: ProcessDetails,
  context: DetailsContext,
  revealed: boolean,
  strings: DetailsStrings,
): string[] {
  const environment = details.environment;
  const count = environment.kind === 'variables' ? environment.variables.length : undefined;
  const lines = [`## ${strings.headings.environment(count)}`];
  if (context.shared) {
    lines.push(`⚠ ${strings.sharedEnvironment(details.pid)}`, `ℹ ${strings.sharedEnvironmentHint}`);
  }
  switch (environment.kind) {
    case 'variables': {
      const secrets = environment.variables.filter((variable) => variable.secret).length;
      if (secrets > 0) {
        lines.push(revealed ? `⚠ ${strings.revealed(secrets)}` : `ℹ ${strings.masked(secrets)}`);
      }
      // One push per variable, not push(...all): an environment can outnumber a call's arguments.
      for (const variable of environment.variables) {
        const value = variable.secret && !revealed ? MASK : escapeControls(variable.value);
        lines.push(
          variable.name === '' ? `  ${value}` : `  ${escapeControls(variable.name)}=${value}`,
        );
      }
      break;
    }
    case 'empty':
      lines.push(`ℹ ${strings.environmentEmpty}`);
      break;
    case 'overwritten':
      lines.push(`ℹ ${escapeControls(strings.overwritten(details.pid, environment.text))}`);
      break;
    case 'unreadable':
      lines.push(
        `⚠ ${
          environment.reason === 'permission'
            ? strings.environmentDenied({
                pid: details.pid,
                uid: details.uids[0],
                readFrom: context.readFrom,
                readerUid: details.reader.uid,
                readerCanTrace: details.reader.canTrace,
              })
            : environment.reason === 'gone'
              ? strings.environmentGone
              : strings.environmentError(environment.detail)
        }`,
      );
      break;
  }
  return lines;
}
