import {
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

/** A span of text, as offsets into one document's source (the chunk the `yaml` package parsed). */
export interface TextSpan {
  readonly start: number;
  readonly end: number;
}

export type ParsedPair = Pair<unknown, unknown>;

/**
 * Pairs a map gets from `<<` merge keys, kept beside its own items: edits work on what is written
 * in the map, lookups see what kubectl decodes.
 */
const mergedPairs = new WeakMap<YAMLMap, readonly ParsedPair[]>();

export function setMergedPairs(map: YAMLMap, pairs: readonly ParsedPair[]): void {
  mergedPairs.set(map, pairs);
}

/** The map's own pairs, then the ones merged into it. */
export function allPairs(map: YAMLMap): readonly ParsedPair[] {
  const merged = mergedPairs.get(map);
  return merged ? [...map.items, ...merged] : map.items;
}

/** The pair with this key, written in the map or merged into it (`<<: *base`). */
export function findPair(map: YAMLMap | undefined, key: string): ParsedPair | undefined {
  if (!map) {
    return undefined;
  }
  for (const pair of map.items) {
    if (isScalar(pair.key) && pair.key.value === key) {
      return pair;
    }
  }
  for (const pair of mergedPairs.get(map) ?? []) {
    if (isScalar(pair.key) && pair.key.value === key) {
      return pair;
    }
  }
  return undefined;
}

/** Whether the pair is written inside the map, not merged in from elsewhere (`<<: *base`). */
export function isOwnPair(map: YAMLMap, pair: ParsedPair | undefined): boolean {
  const key = pair && keyNode(pair);
  return (
    key?.range != null &&
    map.range != null &&
    map.range[0] <= key.range[0] &&
    key.range[1] <= map.range[1]
  );
}

export function mapValue(map: YAMLMap | undefined, key: string): YAMLMap | undefined {
  const value = findPair(map, key)?.value;
  return isMap(value) ? value : undefined;
}

export function seqValue(map: YAMLMap | undefined, key: string): YAMLSeq | undefined {
  const value = findPair(map, key)?.value;
  return isSeq(value) ? value : undefined;
}

export function stringValue(map: YAMLMap | undefined, key: string): string | undefined {
  const value = findPair(map, key)?.value;
  return isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
}

export function scalarNode(value: unknown): Scalar | undefined {
  return isScalar(value) && value.range ? value : undefined;
}

export function keyNode(pair: ParsedPair): Scalar | undefined {
  return scalarNode(pair.key);
}

/** The node's text without trailing comments or blank lines. */
export function nodeSpan(node: Node): TextSpan {
  const range = node.range ?? [0, 0, 0];
  return { start: range[0], end: range[1] };
}

/** From the pair's key to the end of its value. */
export function pairSpan(pair: ParsedPair): TextSpan | undefined {
  const key = keyNode(pair);
  if (!key?.range) {
    return undefined;
  }
  const value = pair.value as Node | null;
  const end = value?.range ? Math.max(value.range[1], key.range[1]) : key.range[1];
  return { start: key.range[0], end };
}

/**
 * What Kubernetes itself reads as `true`: kubectl and the API server decode YAML with a
 * YAML 1.1 resolver, where `yes`, `on` and `y` are booleans too.
 */
const YAML11_TRUE = /^(?:true|True|TRUE|yes|Yes|YES|y|Y|on|On|ON)$/;
const YAML11_FALSE = /^(?:false|False|FALSE|no|No|NO|n|N|off|Off|OFF)$/;
const YAML12_BOOLEAN = /^(?:true|True|TRUE|false|False|FALSE)$/;

/** The source of an untagged plain scalar: the words YAML 1.1 resolves by their spelling. */
export function plainSource(text: string, node: Scalar): string | undefined {
  if (node.type !== 'PLAIN' || node.tag || !node.range) {
    return undefined;
  }
  return text.slice(node.range[0], node.range[1]);
}

/** True when Kubernetes would decode the node as the boolean true. */
export function kubernetesTrue(text: string, value: unknown): boolean {
  const node = scalarNode(value);
  if (!node) {
    return false;
  }
  if (node.value === true) {
    return true;
  }
  const source = plainSource(text, node);
  return source !== undefined && YAML11_TRUE.test(source);
}

export function isYaml12Boolean(source: string): boolean {
  return YAML12_BOOLEAN.test(source);
}

/** `true`/`false` for YAML 1.1-only boolean words, undefined for anything else. */
export function yaml11OnlyBoolean(source: string): boolean | undefined {
  if (isYaml12Boolean(source)) {
    return undefined;
  }
  if (YAML11_TRUE.test(source)) {
    return true;
  }
  return YAML11_FALSE.test(source) ? false : undefined;
}

export function yaml11Boolean(word: string): boolean | undefined {
  if (YAML11_TRUE.test(word)) {
    return true;
  }
  return YAML11_FALSE.test(word) ? false : undefined;
}

/**
 * Where each character of a scalar's value is written in the source: `offsetOf(i)` for
 * `value[i]` (and for `i === value.length`, just past the last one). Quotes, escapes, folded line
 * breaks and block indentation are accounted for, so a word found inside a value (a command in a
 * `sh -c` script) gets the exact range it has in the editor.
 */
export function scalarOffsets(text: string, node: Scalar): (index: number) => number {
  const value = typeof node.value === 'string' ? node.value : String(node.value);
  const [start, end] = node.range ?? [0, 0];
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
  let from = quoted ? start + 1 : start;
  if (block) {
    const header = text.indexOf('\n', start);
    from = header === -1 || header >= end ? end : header + 1;
  }
  const to = quoted ? Math.max(from, end - 1) : end;
  if (!block && text.slice(from, to) === value) {
    return (index) => from + Math.min(index, value.length);
  }
  const offsets = new Int32Array(value.length + 1);
  let source = from;
  let index = 0;
  while (index < value.length) {
    const char = value[index];
    const written = text[source];
    if (source >= to) {
      offsets[index++] = to;
    } else if (node.type === 'QUOTE_DOUBLE' && written === '\\') {
      const next = text[source + 1];
      if (next === '\n' || next === '\r') {
        // An escaped line break joins the lines: it stands for no character.
        source += 2;
        while (
          source < to &&
          (text[source] === ' ' || text[source] === '\t' || text[source] === '\n')
        ) {
          source++;
        }
        continue;
      }
      const length = next === 'x' ? 4 : next === 'u' ? 6 : next === 'U' ? 10 : 2;
      offsets[index++] = source;
      // A \U escape beyond the BMP is two UTF-16 units.
      if (next === 'U' && index < value.length && (char.charCodeAt(0) & 0xfc00) === 0xd800) {
        offsets[index++] = source;
      }
      source += length;
    } else if (node.type === 'QUOTE_SINGLE' && written === "'" && text[source + 1] === "'") {
      offsets[index++] = source;
      source += 2;
    } else if (written === char) {
      offsets[index++] = source++;
    } else if (written === ' ' || written === '\t' || written === '\n' || written === '\r') {
      // Indentation, or whitespace that folding removed.
      source++;
    } else if (char === ' ' || char === '\n') {
      // A space or line break that folding made out of a line break already passed.
      offsets[index++] = source;
    } else {
      source++;
    }
  }
  offsets[value.length] = index > 0 ? offsets[value.length - 1] + 1 : from;
  return (index) => offsets[Math.max(0, Math.min(index, value.length))];
}
