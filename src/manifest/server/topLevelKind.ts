/**
 * Whether a document can be a Kubernetes object: whether its top-level mapping has a `kind` key.
 * Answered from the text in one pass, without parsing, so that large data files (a 20 MB
 * package-lock.json, a YAML data dump whose records have `kind` fields of their own) cost a scan
 * and not a YAML syntax tree. It errs towards yes: whatever it cannot tell is parsed.
 */
export function hasTopLevelKind(text: string): boolean {
  const first = contentStart(text);
  if (first === undefined) {
    return false;
  }
  switch (text[first]) {
    case '{':
      return flowMappingHasKind(text, first);
    case '[':
      return false;
    default:
      // In a block mapping every top-level key starts a line at the mapping's indentation, and
      // nothing else starts a line there (block scalars and nested nodes are indented deeper).
      return first === lineStartOf(text, first)
        ? BLOCK_KIND_KEY.test(text)
        : INDENTED_KIND_KEY.test(text);
  }
}

const BLOCK_KIND_KEY = /^(?:"kind"|'kind'|kind)[ \t]*:/m;
const INDENTED_KIND_KEY = /^[ \t]*(?:"kind"|'kind'|kind)[ \t]*:/m;

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/**
 * Where the document's content starts, past blank lines, comments, directives and the `---`
 * marker; undefined for a document with no content. Content on the marker's line (`--- {…}`)
 * counts from after the marker.
 */
export function contentStart(text: string): number | undefined {
  let offset = 0;
  while (offset < text.length) {
    const lineEnd = text.indexOf('\n', offset);
    const end = lineEnd === -1 ? text.length : lineEnd;
    let start = offset;
    if (text.startsWith('%', start)) {
      start = end;
    } else if (/^---(?=[ \t\r\n]|$)/.test(text.slice(start, start + 4))) {
      start += 3;
    }
    while (start < end && /[ \t\r]/.test(text[start])) {
      start++;
    }
    if (start < end && text[start] !== '#') {
      return start;
    }
    offset = end + 1;
  }
  return undefined;
}

/** Scans a JSON object or YAML flow mapping for a `kind` key at its own level. */
function flowMappingHasKind(text: string, open: number): boolean {
  let depth = 0;
  let expectingKey = false;
  // Character codes, not one-character strings: a 20 MB file is scanned character by character.
  for (let offset = open; offset < text.length; offset++) {
    switch (text.charCodeAt(offset)) {
      case 0x22: // "
      case 0x27: {
        // '
        const end = quotedEnd(text, offset);
        if (end === undefined) {
          return true;
        }
        if (expectingKey && depth === 1 && isKindKey(text, offset, end)) {
          return true;
        }
        expectingKey = false;
        offset = end;
        break;
      }
      case 0x7b: // {
        depth++;
        expectingKey = depth === 1;
        break;
      case 0x5b: // [
        depth++;
        expectingKey = false;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        depth--;
        if (depth === 0) {
          return false;
        }
        break;
      case 0x2c: // ,
        expectingKey = depth === 1;
        break;
      case 0x20: // space
      case 0x09: // tab
      case 0x0a: // line feed
      case 0x0d: // carriage return
        break;
      case 0x23: {
        // # starts a YAML comment after white space
        if (/\s/.test(text[offset - 1] ?? '')) {
          const lineEnd = text.indexOf('\n', offset);
          offset = lineEnd === -1 ? text.length : lineEnd;
          break;
        }
        expectingKey = false;
        break;
      }
      default:
        if (expectingKey && depth === 1 && /^kind[ \t]*:/.test(text.slice(offset, offset + 6))) {
          return true;
        }
        expectingKey = false;
    }
  }
  // Unbalanced: the parser will say what is wrong.
  return true;
}

/** The offset of the quote that closes the string opened at `open`. */
function quotedEnd(text: string, open: number): number | undefined {
  const quote = text[open];
  let offset = open + 1;
  for (;;) {
    const close = text.indexOf(quote, offset);
    if (close === -1) {
      return undefined;
    }
    if (quote === "'") {
      // YAML escapes a single quote by doubling it.
      if (text[close + 1] === "'") {
        offset = close + 2;
        continue;
      }
      return close;
    }
    let backslashes = 0;
    while (text[close - 1 - backslashes] === '\\') {
      backslashes++;
    }
    if (backslashes % 2 === 0) {
      return close;
    }
    offset = close + 1;
  }
}

function isKindKey(text: string, open: number, close: number): boolean {
  return (
    close - open === 5 &&
    text.startsWith('kind', open + 1) &&
    /^[ \t]*:/.test(text.slice(close + 1, close + 4))
  );
}
