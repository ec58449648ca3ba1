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

export function findPair(map: YAMLMap | undefined, key: string): ParsedPair | undefined {
  if (!map) {
    return undefined;
  }
  for (const pair of map.items) {
    if (isScalar(pair.key) && pair.key.value === key) {
      return pair;
    }
  }
  return undefined;
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

export function plainSource(text: string, node: Scalar): string | undefined {
  if (node.type !== 'PLAIN' || !node.range) {
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
