import type { Node, YAMLMap, YAMLSeq } from 'yaml';
import type { TextEditSpan } from './manifestModel';
import { keyNode, pairSpan, type ParsedPair } from './yamlNodes';

/**
 * Text edits on YAML and JSON sources that keep the author's layout: block collections get
 * new lines at the indentation of their siblings, flow collections (JSON included) get
 * JSON-style entries separated by commas.
 */

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

export function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  const end = newline === -1 ? text.length : newline;
  return end > 0 && text[end - 1] === '\r' ? end - 1 : end;
}

function afterLineBreak(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

function startsLine(text: string, offset: number): boolean {
  return text.slice(lineStart(text, offset), offset).trim() === '';
}

function indentAt(text: string, offset: number): string {
  return ' '.repeat(offset - lineStart(text, offset));
}

function lineBreakOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Removes a pair with its line, or with its separating comma in a flow map. */
export function removePair(text: string, map: YAMLMap, pair: ParsedPair): TextEditSpan | undefined {
  const span = pairSpan(pair);
  if (!span) {
    return undefined;
  }
  if (map.flow) {
    let next = span.end;
    while (next < text.length && /\s/.test(text[next])) {
      next++;
    }
    if (text[next] === ',') {
      next++;
      while (next < text.length && /\s/.test(text[next])) {
        next++;
      }
      return { span: { start: span.start, end: next }, newText: '' };
    }
    let previous = span.start - 1;
    while (previous >= 0 && /\s/.test(text[previous])) {
      previous--;
    }
    const start = text[previous] === ',' ? previous : span.start;
    return { span: { start, end: span.end }, newText: '' };
  }
  if (startsLine(text, span.start)) {
    const end = text[span.end - 1] === '\n' ? span.end : afterLineBreak(text, span.end);
    return { span: { start: lineStart(text, span.start), end }, newText: '' };
  }
  // The first pair of a sequence item (`- key: value`): the next pair takes its place.
  const index = map.items.indexOf(pair);
  const nextKey = map.items[index + 1] ? keyNode(map.items[index + 1]) : undefined;
  if (nextKey?.range) {
    return { span: { start: span.start, end: nextKey.range[0] }, newText: '' };
  }
  return { span, newText: '{}' };
}

/**
 * Inserts an entry into a map: `blockLines` (relative indentation, first line at the map's
 * indentation) in a block map, `flowEntry` (`"key": value`) in a flow map.
 */
export function insertIntoMap(
  text: string,
  map: YAMLMap,
  blockLines: readonly string[],
  flowEntry: string,
): TextEditSpan | undefined {
  const firstKey = map.items[0] ? keyNode(map.items[0]) : undefined;
  if (map.flow) {
    if (!firstKey?.range) {
      const open = map.range?.[0];
      return open === undefined ? undefined : { span: at(open + 1), newText: flowEntry };
    }
    const start = firstKey.range[0];
    const separator = startsLine(text, start)
      ? `,${lineBreakOf(text)}${indentAt(text, start)}`
      : ', ';
    return { span: at(start), newText: flowEntry + separator };
  }
  if (!firstKey?.range) {
    return undefined;
  }
  const indent = indentAt(text, firstKey.range[0]);
  const eol = lineBreakOf(text);
  const block = blockLines.map((line) => indent + line).join(eol);
  if (startsLine(text, firstKey.range[0])) {
    return { span: at(lineStart(text, firstKey.range[0])), newText: block + eol };
  }
  const lastSpan = pairSpan(map.items[map.items.length - 1]);
  if (!lastSpan) {
    return undefined;
  }
  if (text[lastSpan.end - 1] === '\n') {
    return { span: at(lastSpan.end), newText: block + eol };
  }
  return { span: at(lineEnd(text, lastSpan.end)), newText: eol + block };
}

/** Inserts an item after `afterIndex` (or at the end) of a sequence. */
export function insertIntoSeq(
  text: string,
  seq: YAMLSeq,
  blockItem: string,
  flowItem: string,
  afterIndex = seq.items.length - 1,
): TextEditSpan | undefined {
  const anchor = seq.items[afterIndex] as Node | undefined;
  if (seq.flow) {
    if (!anchor?.range) {
      const open = seq.range?.[0];
      return open === undefined ? undefined : { span: at(open + 1), newText: flowItem };
    }
    return { span: at(anchor.range[1]), newText: `, ${flowItem}` };
  }
  if (!anchor?.range) {
    return undefined;
  }
  const dash = text.lastIndexOf('-', anchor.range[0]);
  if (dash < lineStart(text, anchor.range[0])) {
    return undefined;
  }
  const item = `${indentAt(text, dash)}- ${blockItem}`;
  const eol = lineBreakOf(text);
  if (text[anchor.range[1] - 1] === '\n') {
    return { span: at(anchor.range[1]), newText: item + eol };
  }
  return { span: at(lineEnd(text, anchor.range[1])), newText: eol + item };
}

/** Replaces a pair with other lines (block) or another entry (flow), keeping its place. */
export function replacePair(
  text: string,
  map: YAMLMap,
  pair: ParsedPair,
  blockLines: readonly string[],
  flowEntry: string,
): TextEditSpan | undefined {
  const span = pairSpan(pair);
  if (!span) {
    return undefined;
  }
  if (map.flow) {
    return { span, newText: flowEntry };
  }
  const indent = indentAt(text, span.start);
  const eol = lineBreakOf(text);
  const newText = blockLines.map((line, index) => (index === 0 ? line : indent + line)).join(eol);
  // A block value's span ends after its line break; keep that break.
  const end = text[span.end - 1] === '\n' ? lineEnd(text, span.end - 1) : span.end;
  return { span: { start: span.start, end }, newText };
}

function at(offset: number) {
  return { start: offset, end: offset };
}
