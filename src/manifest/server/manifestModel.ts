import { isMap, parseDocument, type Document, type YAMLMap } from 'yaml';
import { resolveAsKubectl } from './kubectlYaml';
import type { RuleCode } from './ruleCatalog';
import {
  findPair,
  mapValue,
  seqValue,
  stringValue,
  kubernetesTrue,
  type TextSpan,
} from './yamlNodes';

export interface TextEditSpan {
  readonly span: TextSpan;
  readonly newText: string;
}

export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEditSpan[];
  readonly preferred?: boolean;
}

/** One problem found in one document; spans are relative to that document's source. */
export interface Finding {
  readonly code: RuleCode;
  readonly message: string;
  readonly span: TextSpan;
  readonly related: readonly { readonly span: TextSpan; readonly message: string }[];
  readonly fixes: readonly Fix[];
}

/** One YAML document of a (possibly multi-document) file, with its offset in the file. */
export interface DocumentChunk {
  readonly offset: number;
  readonly text: string;
}

/**
 * A line starting with `---` or `...` at column 0 always ends a document: YAML forbids these
 * markers inside content, block scalars included. Splitting on them lets each document be
 * parsed, and cached, on its own.
 */
export function splitDocuments(text: string): DocumentChunk[] {
  const starts = [0];
  // indexOf and not a /^---/m regex: this runs over the whole file at every edit, and is four
  // times faster so (and JavaScript's `^` also matches after U+2028). A marker skipped by `+ 3`
  // would start inside this one, after a `-`.
  for (let at = text.indexOf('---'); at !== -1; at = text.indexOf('---', at + 3)) {
    if (!startsLine(text, at) || !endsMarker(text, at + 3)) {
      continue;
    }
    const start = directiveStart(text, at);
    if (start > starts[starts.length - 1]) {
      starts.push(start);
    }
  }
  return starts.map((start, index) => ({
    offset: start,
    text: text.slice(start, index + 1 < starts.length ? starts[index + 1] : text.length),
  }));
}

/** At the start of a line, after one of YAML's line breaks (U+2028 is none to YAML). */
function startsLine(text: string, at: number): boolean {
  return at === 0 || text[at - 1] === '\n' || text[at - 1] === '\r';
}

/** A marker ends at a space, a tab, a line break or the end of the text. */
function endsMarker(text: string, at: number): boolean {
  return at === text.length || ' \t\r\n'.includes(text[at]);
}

/** Directives (`%YAML`, `%TAG`) just above a `---` belong to the document it starts. */
function directiveStart(text: string, markerStart: number): number {
  let start = markerStart;
  while (start > 0) {
    const previousLineStart = text.lastIndexOf('\n', start - 2) + 1;
    if (text[previousLineStart] !== '%') {
      break;
    }
    start = previousLineStart;
  }
  return start;
}

/** Where each kind that carries a PodSpec keeps it, keyed by `apiVersion/kind`. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  'v1/Pod': ['spec'],
  'v1/PodTemplate': ['template', 'spec'],
  'v1/ReplicationController': ['spec', 'template', 'spec'],
  'apps/v1/Deployment': ['spec', 'template', 'spec'],
  'apps/v1/ReplicaSet': ['spec', 'template', 'spec'],
  'apps/v1/StatefulSet': ['spec', 'template', 'spec'],
  'apps/v1/DaemonSet': ['spec', 'template', 'spec'],
  'batch/v1/Job': ['spec', 'template', 'spec'],
  'batch/v1/CronJob': ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

export interface ContainerView {
  readonly map: YAMLMap;
  readonly name: string;
  readonly list: (typeof CONTAINER_LISTS)[number];
}

/** A document, or an item of a `kind: List` document, whose apiVersion and kind carry a PodSpec. */
export interface Workload {
  /** The source of the whole document: every span is relative to it. */
  readonly text: string;
  readonly document: Document.Parsed;
  /** The workload's own map: the document's root, or the List item. */
  readonly root: YAMLMap;
  readonly kind: string;
  readonly name: string | undefined;
  readonly podSpecPath: readonly string[];
  /** The PodSpec map, when the document has one at the kind's path. */
  readonly podSpec: YAMLMap | undefined;
  /** `shareProcessNamespace` in the PodSpec is what Kubernetes decodes as true. */
  readonly shared: boolean;
  readonly containers: readonly ContainerView[];
}

export type ParsedChunk =
  | { readonly type: 'workloads'; readonly workloads: readonly Workload[] }
  | { readonly type: 'syntax-error'; readonly span: TextSpan; readonly errorCode: string }
  | { readonly type: 'other' };

const KIND_MENTION = /kind/;
/** A template action (Helm, Go templates): known only once the template is rendered. */
const TEMPLATE_ACTION = /\{\{[\s\S]*?\}\}/;

export function parseChunk(text: string): ParsedChunk {
  // Most non-Kubernetes documents are skipped without being parsed.
  if (!KIND_MENTION.test(text)) {
    return { type: 'other' };
  }
  const templated = text.includes('{{') && TEMPLATE_ACTION.test(text);
  const document = parseDocument(text, { prettyErrors: false, keepSourceTokens: false });
  if (document.errors.length > 0) {
    // A template that is not YAML until rendered (`{{- if … }}` lines) is not an error.
    if (templated || !looksLikeWorkload(text)) {
      return { type: 'other' };
    }
    const [first] = document.errors;
    let start = Math.min(Math.max(first.pos[0], 0), text.length);
    // A one-character error position is hard to see: underline the rest of its line.
    const lineEnd = text.indexOf('\n', start);
    let end = Math.min(Math.max(first.pos[1], lineEnd === -1 ? text.length : lineEnd), text.length);
    if (end <= start) {
      // At the very end (an unclosed quote) nothing follows: underline the last line written.
      end = text.trimEnd().length;
      start = text.lastIndexOf('\n', end - 1) + 1;
    }
    return { type: 'syntax-error', span: { start, end }, errorCode: first.code };
  }
  resolveAsKubectl(document, text, templated);
  const root = document.contents;
  if (!isMap(root)) {
    return { type: 'other' };
  }
  const workloads: Workload[] = [];
  const single = workloadOf(text, document, root);
  if (single) {
    workloads.push(single);
  } else if (isListKind(root)) {
    // `kind: List` (what `kubectl get -o yaml` writes): kubectl applies each item on its own.
    for (const item of seqValue(root, 'items')?.items ?? []) {
      const workload = isMap(item) ? workloadOf(text, document, item) : undefined;
      if (workload) {
        workloads.push(workload);
      }
    }
  }
  return workloads.length > 0 ? { type: 'workloads', workloads } : { type: 'other' };
}

function isListKind(root: YAMLMap): boolean {
  const kind = stringValue(root, 'kind');
  return kind !== undefined && kind.endsWith('List') && seqValue(root, 'items') !== undefined;
}

function workloadOf(text: string, document: Document.Parsed, root: YAMLMap): Workload | undefined {
  const apiVersion = stringValue(root, 'apiVersion');
  const kind = stringValue(root, 'kind');
  const podSpecPath = apiVersion && kind ? POD_SPEC_PATHS[`${apiVersion}/${kind}`] : undefined;
  if (!kind || !podSpecPath) {
    return undefined;
  }
  let podSpec: YAMLMap | undefined = root;
  for (const key of podSpecPath) {
    podSpec = mapValue(podSpec, key);
  }
  return {
    text,
    document,
    root,
    kind,
    name: stringValue(mapValue(root, 'metadata'), 'name'),
    podSpecPath,
    podSpec,
    shared: kubernetesTrue(text, findPair(podSpec, 'shareProcessNamespace')?.value),
    containers: containersOf(podSpec),
  };
}

function containersOf(podSpec: YAMLMap | undefined): ContainerView[] {
  const containers: ContainerView[] = [];
  for (const list of CONTAINER_LISTS) {
    seqValue(podSpec, list)?.items.forEach((item, index) => {
      if (isMap(item)) {
        containers.push({
          map: item,
          name: stringValue(item, 'name') ?? `${list}[${index}]`,
          list,
        });
      }
    });
  }
  return containers;
}

const POD_SPEC_KINDS = new Set(Object.keys(POD_SPEC_PATHS).map((key) => key.split('/').pop()));

/**
 * For a document that does not parse: does its text still name a kind that carries a PodSpec,
 * itself or (a `kind: List`) in one of its items?
 */
function looksLikeWorkload(text: string): boolean {
  const apiVersion = /^\s*"?apiVersion"?\s*:\s*["']?([\w./-]+)/m.exec(text)?.[1];
  const kind = /^\s*"?kind"?\s*:\s*["']?(\w+)/m.exec(text)?.[1];
  if (apiVersion === undefined || kind === undefined) {
    return false;
  }
  if (kind.endsWith('List')) {
    for (const item of text.matchAll(/^[\s-]*"?kind"?\s*:\s*["']?(\w+)/gm)) {
      if (POD_SPEC_KINDS.has(item[1])) {
        return true;
      }
    }
  }
  return `${apiVersion}/${kind}` in POD_SPEC_PATHS;
}

/** Containers that run for the pod's whole life: regular ones, sidecars and ephemeral ones. */
export function longRunningContainerCount(workload: Workload): number {
  return workload.containers.filter(
    (container) =>
      container.list !== 'initContainers' ||
      stringValue(container.map, 'restartPolicy') === 'Always',
  ).length;
}
