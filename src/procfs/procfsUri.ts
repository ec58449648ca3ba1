/**
 * The URIs of container filesystems: `pod-root://<context>+<namespace>+<pod>+<container>+<pid>+<inspector>/<path>`.
 * Pure: no vscode, so it is unit-tested on its own.
 *
 * The authority names whose `/proc/<pid>/root` it is and which container of the pod reads it (one
 * with SYS_PTRACE, the tree's inspector), so a restored window needs no lookup. Each field keeps
 * `a-z 0-9 . -` (all a Kubernetes name has) and writes any other byte as `~XX`: an authority is
 * compared without regard to case in places, and a context name may hold anything.
 *
 * File names are bytes; a URI path is a string. Valid UTF-8 reads as itself; every byte that is
 * not part of valid UTF-8 reads as one code point of U+10FF80–U+10FFFF (private use), so any name
 * survives the round trip. A name that really contains those code points is escaped the same way,
 * byte by byte, which keeps the mapping one-to-one.
 */
export const PROCFS_SCHEME = 'pod-root';

export interface ProcessRoot {
  readonly context: string;
  readonly namespace: string;
  readonly pod: string;
  /** The container the process runs in (for names and for reopening on its new main process). */
  readonly container: string;
  readonly pid: number;
  /** The container every exec runs in: it must be able to read `/proc/<pid>/root`. */
  readonly inspector: string;
}

const FIELD_SEPARATOR = '+';
const KEPT = /[a-z0-9.-]/;

function escapeField(value: string): string {
  let escaped = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    escaped += KEPT.test(char) ? char : `~${byte.toString(16).padStart(2, '0')}`;
  }
  return escaped;
}

function unescapeField(field: string): string {
  const bytes: number[] = [];
  for (let index = 0; index < field.length; index++) {
    if (field[index] === '~') {
      bytes.push(Number.parseInt(field.slice(index + 1, index + 3), 16));
      index += 2;
    } else {
      bytes.push(field.charCodeAt(index));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export function rootAuthority(root: ProcessRoot): string {
  return [root.context, root.namespace, root.pod, root.container, String(root.pid), root.inspector]
    .map(escapeField)
    .join(FIELD_SEPARATOR);
}

/** The root an authority names; undefined when it is not one of ours. */
export function parseRootAuthority(authority: string): ProcessRoot | undefined {
  const fields = authority.toLowerCase().split(FIELD_SEPARATOR);
  if (
    fields.length !== 6 ||
    fields.some((field) => !/^(?:[a-z0-9.-]|~[0-9a-f]{2})*$/.test(field))
  ) {
    return undefined;
  }
  const [context, namespace, pod, container, pid, inspector] = fields.map(unescapeField);
  if (!/^[1-9]\d*$/.test(pid) || !namespace || !pod || !container || !inspector) {
    return undefined;
  }
  return { context, namespace, pod, container, pid: Number(pid), inspector };
}

/** What a workspace folder of this root is called: pod, container and PID. */
export function rootFolderName(root: ProcessRoot): string {
  return `${root.pod}/${root.container} · PID ${root.pid}`;
}

const ESCAPE_BASE = 0x10ff00;

function isEscapeCodePoint(codePoint: number): boolean {
  return codePoint >= ESCAPE_BASE + 0x80 && codePoint <= ESCAPE_BASE + 0xff;
}

/** The length of the valid UTF-8 sequence at `index`, or 0 when the byte there starts none. */
function utf8SequenceLength(bytes: Uint8Array, index: number): number {
  const first = bytes[index];
  if (first < 0x80) {
    return 1;
  }
  const length =
    first >= 0xc2 && first <= 0xdf
      ? 2
      : first >= 0xe0 && first <= 0xef
        ? 3
        : first >= 0xf0 && first <= 0xf4
          ? 4
          : 0;
  if (length === 0 || index + length > bytes.length) {
    return 0;
  }
  for (let offset = 1; offset < length; offset++) {
    if ((bytes[index + offset] & 0xc0) !== 0x80) {
      return 0;
    }
  }
  // Overlong forms, surrogates and code points above U+10FFFF are not valid UTF-8.
  const second = bytes[index + 1];
  if (
    (first === 0xe0 && second < 0xa0) ||
    (first === 0xed && second >= 0xa0) ||
    (first === 0xf0 && second < 0x90) ||
    (first === 0xf4 && second >= 0x90)
  ) {
    return 0;
  }
  return length;
}

/** A file name (or path) as bytes, read as the string a URI carries. */
export function bytesToName(bytes: Uint8Array): string {
  let name = '';
  let index = 0;
  while (index < bytes.length) {
    const length = utf8SequenceLength(bytes, index);
    const text =
      length > 0 ? Buffer.from(bytes.subarray(index, index + length)).toString('utf8') : '';
    if (length > 0 && !isEscapeCodePoint(text.codePointAt(0) ?? 0)) {
      name += text;
      index += length;
    } else {
      const end = index + Math.max(length, 1);
      for (; index < end; index++) {
        name +=
          bytes[index] < 0x80
            ? String.fromCharCode(bytes[index])
            : String.fromCodePoint(ESCAPE_BASE + bytes[index]);
      }
    }
  }
  return name;
}

/** The bytes a name (or path) read by `bytesToName` stands for. */
export function nameToBytes(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const char of name) {
    const codePoint = char.codePointAt(0) ?? 0;
    parts.push(
      isEscapeCodePoint(codePoint)
        ? Buffer.from([codePoint - ESCAPE_BASE])
        : Buffer.from(char, 'utf8'),
    );
  }
  return Buffer.concat(parts);
}
