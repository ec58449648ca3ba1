import { bytesToName } from './procfsUri';

/*
 * Reading what remoteScript.ts prints: nonce-framed records, the refusals it states itself, and
 * the reasons failing tools give on stderr. Pure: unit-tested without VS Code or a cluster.
 */

/** Why an operation failed, in errno's words; the extension turns it into a FileSystemError. */
export type RemoteErrorCode =
  | 'ENOENT'
  | 'EEXIST'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'ENOTEMPTY'
  | 'EACCES'
  | 'EROFS'
  | 'ENOSPC'
  | 'ELOOP'
  /** The inspecting container may not read `/proc/<pid>/root` (no SYS_PTRACE, other user). */
  | 'EPTRACE'
  /** The process has exited. */
  | 'ESRCH'
  /** A tool the operation needs is missing in the inspecting container (detail: its name). */
  | 'ETOOL'
  /** Fewer bytes arrived than were announced: a cut transfer. */
  | 'ESHORT'
  /** The path changed while it was resolved or opened (a link swapped in): refused, not followed. */
  | 'ERACE'
  /** Not a regular file, a directory or a link (detail: fifo, char, block, socket). */
  | 'ESPECIAL'
  /** Larger than the editor can hold (detail: the size in bytes). */
  | 'EFBIG'
  /** A rename between two mounts, which only a copy could do. */
  | 'EXDEV'
  /** A mount point or a bind-mounted file, which rename cannot replace. */
  | 'EBUSY'
  /** A directory copied into itself. */
  | 'EINVAL'
  | 'EIO';

export class RemoteFsError extends Error {
  override readonly name = 'RemoteFsError';

  constructor(
    readonly code: RemoteErrorCode,
    /** A tool's name (ETOOL) or the remote message (EIO). */
    readonly detail = '',
  ) {
    super(detail ? `${code}: ${detail}` : code);
  }
}

const REFUSALS = new Set<string>([
  'ENOENT',
  'EEXIST',
  'ENOTDIR',
  'EISDIR',
  'ENOTEMPTY',
  'EACCES',
  'ELOOP',
  'EPTRACE',
  'ESRCH',
  'ETOOL',
  'ESHORT',
  'ERACE',
  'ESPECIAL',
  'EFBIG',
  'EXDEV',
  'EINVAL',
]);

// strerror(3) texts, the same in glibc and musl, which GNU tools and busybox both print.
const STDERR_REASONS: readonly [RegExp, RemoteErrorCode][] = [
  // The script's own words (see `enter` and `same` in remoteScript.ts).
  [/changed while it was opened/, 'ERACE'],
  [/No such file or directory/, 'ENOENT'],
  [/File exists/, 'EEXIST'],
  [/Not a directory/, 'ENOTDIR'],
  [/Is a directory/, 'EISDIR'],
  [/Directory not empty/, 'ENOTEMPTY'],
  [/Read-only file system/, 'EROFS'],
  [/Permission denied|Operation not permitted/, 'EACCES'],
  [/No space left on device|Disk quota exceeded/, 'ENOSPC'],
  [/Too many levels of symbolic links|Symbolic link loop/, 'ELOOP'],
  [/Device or resource busy/, 'EBUSY'],
  [/Invalid cross-device link/, 'EXDEV'],
];

/** The error a tool's non-zero exit stands for, from what it wrote on stderr. */
export function remoteFailure(exitCode: number, stderr: Buffer): RemoteFsError {
  const text = stderr.toString('utf8').trim();
  const reason = STDERR_REASONS.find(([pattern]) => pattern.test(text));
  return new RemoteFsError(reason?.[1] ?? 'EIO', text || `exit status ${exitCode}`);
}

/**
 * The records of an output, each without its `NONCE ` head and its final newline. A name may hold
 * newlines: a record ends only where a newline is followed by the nonce.
 */
export function splitRecords(stdout: Buffer, nonce: string): Buffer[] {
  const head = Buffer.from(`${nonce} `);
  const separator = Buffer.from(`\n${nonce} `);
  if (!stdout.subarray(0, head.length).equals(head)) {
    return [];
  }
  const records: Buffer[] = [];
  let start = head.length;
  for (;;) {
    const next = stdout.indexOf(separator, start);
    if (next < 0) {
      const last = stdout.subarray(start);
      records.push(last.at(-1) === 0x0a ? last.subarray(0, -1) : last);
      return records;
    }
    records.push(stdout.subarray(start, next));
    start = next + separator.length;
  }
}

/** Throws the refusal the script stated, if it stated one. */
export function throwIfRefused(record: Buffer | undefined): void {
  if (!record?.subarray(0, 4).equals(Buffer.from('err '))) {
    return;
  }
  const [code = '', ...detail] = record.subarray(4).toString('utf8').split(' ');
  throw new RemoteFsError(REFUSALS.has(code) ? (code as RemoteErrorCode) : 'EIO', detail.join(' '));
}

/** The values of vscode.FileType, which this pure module cannot import. */
export const FileKind = { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 } as const;

const S_IFMT = 0xf000;
const S_IFDIR = 0x4000;
const S_IFREG = 0x8000;
const S_IFLNK = 0xa000;

function kindOfMode(mode: number): number {
  switch (mode & S_IFMT) {
    case S_IFDIR:
      return FileKind.Directory;
    case S_IFREG:
      return FileKind.File;
    case S_IFLNK:
      return FileKind.SymbolicLink;
    default:
      // Devices, fifos and sockets: VS Code can neither list into nor safely read them.
      return FileKind.Unknown;
  }
}

export interface RemoteStat {
  /** A vscode.FileType: a link's is SymbolicLink ORed with its target's type. */
  readonly type: number;
  readonly size: number;
  readonly mtimeSeconds: number;
  readonly writable: boolean;
}

/** Parses the `stat` operation's output. */
export function parseStat(stdout: Buffer, nonce: string): RemoteStat {
  const [record] = splitRecords(stdout, nonce);
  throwIfRefused(record);
  const match = /^stat (0|1|dangling) ([01]) ([0-9a-f]+) (\d+) (\d+)$/.exec(
    record?.toString('latin1') ?? '',
  );
  if (!match) {
    throw new RemoteFsError('EIO', `unexpected stat output: ${stdout.toString('utf8', 0, 200)}`);
  }
  const [, link, writable, mode, size, mtime] = match;
  const targetKind = link === 'dangling' ? FileKind.Unknown : kindOfMode(Number.parseInt(mode, 16));
  return {
    type: link === '0' ? targetKind : FileKind.SymbolicLink | targetKind,
    size: Number(size),
    mtimeSeconds: Number(mtime),
    writable: writable === '1',
  };
}

export interface RemoteEntry {
  /** The name as a URI carries it (see bytesToName). */
  readonly name: string;
  readonly type: number;
  readonly size: number;
  readonly mtimeSeconds: number;
  /** Permission bits, as `stat %f` gave them. */
  readonly mode: number;
}

const LIST_RECORD = /^([0-9a-f]+) (\d+) (\d+) \.\//;
const LINK_RECORD = /^link ([df-]) \.\//;

/** Parses the `list` operation's output: every entry, a link's type ORed with its target's. */
export function parseListing(stdout: Buffer, nonce: string): RemoteEntry[] {
  const records = splitRecords(stdout, nonce);
  throwIfRefused(records[0]);
  throwIfRefused(records.at(-1));
  if (records[0]?.toString('latin1') !== 'list' || records.at(-1)?.toString('latin1') !== 'end') {
    throw new RemoteFsError('ESHORT', 'the listing ended early');
  }
  const entries = new Map<string, RemoteEntry>();
  const linkTargets = new Map<string, number>();
  for (const record of records.slice(1, -1)) {
    const text = record.toString('latin1');
    const link = LINK_RECORD.exec(text);
    if (link) {
      const kind =
        link[1] === 'd' ? FileKind.Directory : link[1] === 'f' ? FileKind.File : FileKind.Unknown;
      linkTargets.set(bytesToName(record.subarray(link[0].length)), kind);
      continue;
    }
    const entry = LIST_RECORD.exec(text);
    if (entry) {
      const mode = Number.parseInt(entry[1], 16);
      const name = bytesToName(record.subarray(entry[0].length));
      entries.set(name, {
        name,
        type: kindOfMode(mode),
        size: Number(entry[2]),
        mtimeSeconds: Number(entry[3]),
        mode: mode & 0o7777,
      });
    }
  }
  return [...entries.values()].map((entry) =>
    entry.type === FileKind.SymbolicLink
      ? {
          ...entry,
          type: FileKind.SymbolicLink | (linkTargets.get(entry.name) ?? FileKind.Unknown),
        }
      : entry,
  );
}

/** Whether an operation that answers `NONCE done` finished. */
export function parseDone(stdout: Buffer, nonce: string, expected = 'done'): void {
  const [record] = splitRecords(stdout, nonce);
  throwIfRefused(record);
  if (record?.toString('latin1') !== expected) {
    throw new RemoteFsError('ESHORT', `no "${expected}" from the container`);
  }
}

/** The regular files under a directory, as paths relative to it (`a/b`), found by `find`. */
export interface FileList {
  readonly paths: string[];
  /** The list reached its byte limit: more files exist than are listed. */
  readonly truncated: boolean;
  /** `find` could not read some directories (permissions, or files gone meanwhile). */
  readonly incomplete: boolean;
}

/** One line that matched a text search. */
export interface TextMatch {
  /** Relative to the searched directory, as a URI carries it (see bytesToName). */
  readonly path: string;
  /** 1-based. */
  readonly line: number;
  /** The line, decoded as UTF-8. */
  readonly text: string;
}

export interface TextMatches extends FileList {
  readonly matches: TextMatch[];
}

/** The NUL-separated `./`-paths of a section; a cut last one is dropped. */
function nulPaths(section: Buffer, maxBytes: number): { raw: Buffer[]; truncated: boolean } {
  const raw: Buffer[] = [];
  let start = 0;
  for (let end = section.indexOf(0); end >= 0; end = section.indexOf(0, start)) {
    raw.push(section.subarray(start + 2, end));
    start = end + 1;
  }
  return { raw, truncated: section.length >= maxBytes };
}

/** A record's body after its `kind` word and newline, without the newline the script adds. */
function sectionOf(record: Buffer | undefined, kind: string): Buffer {
  const head = Buffer.from(`${kind}\n`);
  if (!record?.subarray(0, head.length).equals(head)) {
    throw new RemoteFsError('ESHORT', `no "${kind}" section from the container`);
  }
  return record.subarray(head.length, record.at(-1) === 0x0a ? -1 : undefined);
}

/** Parses the `files` operation's output. */
export function parseFileList(stdout: Buffer, nonce: string, maxBytes: number): FileList {
  const records = splitRecords(stdout, nonce);
  throwIfRefused(records[0]);
  const incomplete = findIncomplete(records.at(-1));
  if (incomplete === undefined) {
    throw new RemoteFsError('ESHORT', 'the file list ended early');
  }
  const { raw, truncated } = nulPaths(sectionOf(records[0], 'files'), maxBytes);
  return {
    paths: raw.map((path) => bytesToName(path)),
    truncated,
    incomplete: incomplete && !truncated,
  };
}

/**
 * Whether `find` stopped short, from the `end STATUS` record; undefined without one (a cut
 * output). A status above 128 is `find` ended by `head` at the byte limit: truncated, not failed.
 */
function findIncomplete(record: Buffer | undefined): boolean | undefined {
  const status = /^end (\d+)$/.exec(record?.toString('latin1') ?? '');
  if (!status) {
    return undefined;
  }
  const code = Number(status[1]);
  return code !== 0 && code <= 128;
}

const LINE_NUMBER = /^:(\d+):/;

/**
 * Parses the `grep` operation's output: the file list, then grep's `./PATH:LINE:TEXT` lines. A
 * name may hold `:` and newlines, so each line's path is the one of the listed files it starts
 * with that is followed by `:LINE:`; lines with a NUL byte (binary files) are left out.
 */
export function parseTextMatches(stdout: Buffer, nonce: string, maxBytes: number): TextMatches {
  const records = splitRecords(stdout, nonce);
  throwIfRefused(records[0]);
  const incomplete = findIncomplete(records.at(-1));
  if (incomplete === undefined || records.length !== 3) {
    throw new RemoteFsError('ESHORT', 'the search ended early');
  }
  const files = nulPaths(sectionOf(records[0], 'files'), maxBytes);
  const known = new Set(files.raw.map((path) => path.toString('latin1')));
  // A loop, not Math.max(...spread): a spread of 150,000 paths overflows the call stack.
  let longest = 0;
  for (const path of files.raw) {
    longest = Math.max(longest, path.length);
  }
  const section = sectionOf(records[1], 'matches');
  const text = section.toString('latin1');
  const matches: TextMatch[] = [];
  let start = 0;
  while (start < text.length) {
    let matched: { path: string; line: number; textStart: number } | undefined;
    if (text.startsWith('./', start)) {
      for (
        let colon = text.indexOf(':', start + 2);
        colon >= 0 && colon - start - 2 <= longest;
        colon = text.indexOf(':', colon + 1)
      ) {
        const path = text.slice(start + 2, colon);
        const line = LINE_NUMBER.exec(text.slice(colon, colon + 24));
        if (line && known.has(path)) {
          matched = { path, line: Number(line[1]), textStart: colon + line[0].length };
          break;
        }
      }
    }
    const newline = text.indexOf('\n', matched?.textStart ?? start);
    const end = newline < 0 ? text.length : newline;
    if (matched) {
      const body = section.subarray(matched.textStart, end);
      if (!body.includes(0)) {
        matches.push({
          path: bytesToName(Buffer.from(matched.path, 'latin1')),
          line: matched.line,
          text: body.toString('utf8'),
        });
      }
    }
    start = end + 1;
  }
  const truncated = files.truncated || section.length >= maxBytes;
  return {
    paths: files.raw.map((path) => bytesToName(path)),
    truncated,
    incomplete: incomplete && !truncated,
    matches,
  };
}
