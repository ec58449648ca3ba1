import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Document,
  type Node,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { allPairs, setMergedPairs, yaml11Boolean, type ParsedPair } from './yamlNodes';

/**
 * Rewrites a parsed document in place so that the rules see what kubectl decodes, not what the
 * source spells:
 * - an alias (`*t`) becomes the node it names, unless it is inside that node (a cycle);
 * - merge keys (`<<: *base`, `<<: [*a, *b]`) add the merged maps' pairs the map does not set;
 * - `!!bool "true"` and `!!bool yes` are booleans (`!!str yes` keeps its tag, so it is no
 *   boolean to `plainSource` either).
 * With `templated`, template actions that YAML read as structure (`hostPID: {{ .Values.x }}`
 * parses as a flow map) are what they are, unknowable until rendered: as a value they become
 * null, as a key or an item they are dropped and their collection is marked open (it may hold
 * more than the rules can see). A template inside a string value stays a string.
 *
 * Two walks in document order (one to find the anchors, one to resolve), each node once: aliased
 * nodes are not walked again, so even an alias bomb costs linear time here. Rules that walk whole
 * trees must still keep a visited set.
 */
export function resolveAsKubectl(
  document: Document.Parsed,
  text: string,
  templated: boolean,
): void {
  if (!templated && !/[&!]|<</.test(text)) {
    return;
  }
  const anchors = anchorsOf(document);
  const stack: unknown[] = [document.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isScalar(node)) {
      resolveTag(node);
    } else if (isMap(node)) {
      const children = resolveMap(node, anchors, text, templated);
      mergeKeys(node, anchors);
      // Pushed in reverse, so nodes are resolved in document order: a map merged with `<<` is
      // written, and so resolved, before the map it is merged into.
      for (let index = children.length - 1; index >= 0; index--) {
        stack.push(children[index]);
      }
    } else if (isSeq(node)) {
      const children = resolveSeq(node, anchors, text, templated);
      for (let index = children.length - 1; index >= 0; index--) {
        stack.push(children[index]);
      }
    }
  }
}

/** Every anchored node by name, in document order (a name may be anchored again later). */
function anchorsOf(document: Document.Parsed): Map<string, Node[]> {
  const anchors = new Map<string, Node[]>();
  const stack: unknown[] = [document.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if ((isScalar(node) || isCollection(node)) && node.anchor) {
      const named = anchors.get(node.anchor);
      if (named) {
        named.push(node);
      } else {
        anchors.set(node.anchor, [node]);
      }
    }
    if (isMap(node)) {
      for (let index = node.items.length - 1; index >= 0; index--) {
        stack.push(node.items[index].value, node.items[index].key);
      }
    } else if (isSeq(node)) {
      for (let index = node.items.length - 1; index >= 0; index--) {
        stack.push(node.items[index]);
      }
    }
  }
  return anchors;
}

const open = new WeakSet<object>();

/** Whether a map or sequence had template actions for keys or items: what it holds is unknown. */
export function isOpen(node: unknown): boolean {
  return typeof node === 'object' && node !== null && open.has(node);
}

const BOOL_TAG = 'tag:yaml.org,2002:bool';

function resolveTag(node: Scalar): void {
  if (node.tag === BOOL_TAG && typeof node.value === 'string') {
    const value = yaml11Boolean(node.value.trim());
    if (value !== undefined) {
      node.value = value;
    }
  }
}

function isTemplate(node: unknown, text: string): boolean {
  return (
    isCollection(node) &&
    node.flow === true &&
    node.range != null &&
    text.startsWith('{{', node.range[0])
  );
}

/** The node an alias names (the last anchor of that name before it), unless it sits inside it. */
function target(node: unknown, anchors: ReadonlyMap<string, readonly Node[]>): unknown {
  if (!isAlias(node) || !node.range) {
    return node;
  }
  const at = node.range[0];
  const named = anchors.get(node.source)?.findLast((anchored) => (anchored.range?.[0] ?? 0) < at);
  const inside = named?.range && at < named.range[1];
  return named && !inside ? named : node;
}

/**
 * Resolves the map's keys and values; returns the nodes to walk next: the ones written here, not
 * the ones aliases point to (walked where they are written).
 */
function resolveMap(
  map: YAMLMap,
  anchors: ReadonlyMap<string, readonly Node[]>,
  text: string,
  templated: boolean,
): unknown[] {
  const children: unknown[] = [];
  let kept = 0;
  for (const pair of map.items) {
    if (templated && isTemplate(pair.key, text)) {
      open.add(map);
      continue;
    }
    children.push(pair.key);
    if (templated && isTemplate(pair.value, text)) {
      pair.value = null;
    } else if (isAlias(pair.value)) {
      pair.value = target(pair.value, anchors);
    } else {
      children.push(pair.value);
    }
    map.items[kept++] = pair;
  }
  map.items.length = kept;
  return children;
}

function resolveSeq(
  seq: YAMLSeq,
  anchors: ReadonlyMap<string, readonly Node[]>,
  text: string,
  templated: boolean,
): unknown[] {
  const children: unknown[] = [];
  let kept = 0;
  for (const item of seq.items) {
    if (templated && isTemplate(item, text)) {
      open.add(seq);
      continue;
    }
    if (isAlias(item)) {
      seq.items[kept++] = target(item, anchors);
    } else {
      children.push(item);
      seq.items[kept++] = item;
    }
  }
  seq.items.length = kept;
  return children;
}

/**
 * `<<` merges maps as kubectl's YAML 1.1 decoder does: the map's own keys win, then earlier
 * merged maps over later ones. The merged pairs are recorded beside the map's own (shared, not
 * copied), so a quick fix still edits what is written in the map.
 */
function mergeKeys(map: YAMLMap, anchors: ReadonlyMap<string, readonly Node[]>): void {
  const merges = map.items.filter(
    (pair) => isScalar(pair.key) && pair.key.value === '<<' && pair.key.type === 'PLAIN',
  );
  if (merges.length === 0) {
    return;
  }
  const present = new Set<unknown>();
  for (const pair of map.items) {
    if (isScalar(pair.key)) {
      present.add(pair.key.value);
    }
  }
  const merged: ParsedPair[] = [];
  for (const merge of merges) {
    const sources = isSeq(merge.value) ? merge.value.items : [merge.value];
    for (const item of sources) {
      const source = target(item, anchors);
      if (!isMap(source) || source === map) {
        continue;
      }
      for (const pair of allPairs(source)) {
        if (isPair(pair) && isScalar(pair.key) && !present.has(pair.key.value)) {
          present.add(pair.key.value);
          merged.push(pair);
        }
      }
    }
  }
  setMergedPairs(map, merged);
}
