import * as l10n from '@vscode/l10n';
import { isCollection, isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import type { Finding, Workload } from '../manifestModel';
import { insertIntoMap, removePair as removePairText } from '../yamlEdits';
import {
  findPair,
  isOwnPair,
  isYaml12Boolean,
  keyNode,
  kubernetesTrue,
  nodeSpan,
  plainSource,
  scalarNode,
  yaml11Boolean,
  yaml11OnlyBoolean,
  type ParsedPair,
} from '../yamlNodes';
import { finding, fix, pathText } from './ruleSupport';

/** The PodSpec booleans this extension cares about. */
const FIELDS = ['shareProcessNamespace', 'hostPID'] as const;

/**
 * Whether setting `field` to `enabled` in the pod spec would enable both fields: the API server
 * rejects that, so no quick fix may lead there.
 */
function wouldConflict(workload: Workload, field: string, enabled: boolean): boolean {
  if (!enabled) {
    return false;
  }
  if (field === 'hostPID') {
    return workload.shared;
  }
  return (
    field === 'shareProcessNamespace' &&
    kubernetesTrue(workload.text, findPair(workload.podSpec, 'hostPID')?.value)
  );
}

/**
 * Removes a pair, unless it is not written in this map (merged in with `<<`) or it defines an
 * anchor (`&on true`): removing that would leave its aliases dangling, a YAML error. A value an
 * alias of the pair names (`hostPID: *on`) is written before the pair, and stays.
 */
function removePair(text: string, map: YAMLMap, pair: ParsedPair) {
  const start = keyNode(pair)?.range?.[0] ?? 0;
  const anchored = [pair.key, pair.value].some(
    (node) =>
      (isScalar(node) || isCollection(node)) &&
      node.anchor !== undefined &&
      (node.range?.[0] ?? 0) >= start,
  );
  return anchored || !isOwnPair(map, pair) ? undefined : removePairText(text, map, pair);
}

/** `shareProcessNamespace` and `hostPID` where they are, what they hold, and how they are spelled. */
export function checkPodSpecFields(workload: Workload): Finding[] {
  return [
    ...checkHostPidConflict(workload),
    ...checkBooleanValues(workload),
    ...checkMisplaced(workload),
    ...checkMisspelled(workload),
  ];
}

function checkHostPidConflict(workload: Workload): Finding[] {
  const share = findPair(workload.podSpec, 'shareProcessNamespace');
  const hostPid = findPair(workload.podSpec, 'hostPID');
  const shareKey = share && keyNode(share);
  const hostPidKey = hostPid && keyNode(hostPid);
  if (!workload.podSpec || !shareKey || !hostPidKey || !workload.shared) {
    return [];
  }
  if (!kubernetesTrue(workload.text, hostPid.value)) {
    return [];
  }
  const { text, podSpec } = workload;
  return [
    finding(
      'ppe-host-pid-conflict',
      l10n.t(
        'shareProcessNamespace and hostPID cannot both be enabled: the API server rejects this pod ("ShareProcessNamespace and HostPID cannot both be enabled"). Share the pod\'s own process namespace or use the node\'s, not both.',
      ),
      nodeSpan(shareKey),
      {
        related: [{ span: nodeSpan(hostPidKey), message: l10n.t('hostPID is enabled here.') }],
        fixes: [
          fix(l10n.t('Remove hostPID'), [removePair(text, podSpec, hostPid)]),
          fix(l10n.t('Remove shareProcessNamespace'), [removePair(text, podSpec, share)]),
        ],
      },
    ),
  ];
}

function checkBooleanValues(workload: Workload): Finding[] {
  const findings: Finding[] = [];
  for (const field of FIELDS) {
    const pair = findPair(workload.podSpec, field);
    const value = pair?.value as Node | null | undefined;
    if (!value?.range) {
      continue;
    }
    const span = nodeSpan(value);
    const scalar = scalarNode(value);
    if (scalar?.value === null) {
      continue;
    }
    const plain = scalar && plainSource(workload.text, scalar);
    // `!!bool "true"` is a boolean to kubectl, whatever its quotes.
    if (
      (plain !== undefined && isYaml12Boolean(plain)) ||
      (scalar?.tag && typeof scalar.value === 'boolean')
    ) {
      continue;
    }
    const yaml11 = plain === undefined ? undefined : yaml11OnlyBoolean(plain);
    if (yaml11 !== undefined) {
      // Under `%YAML 1.1` the word is a boolean by the document's own rules; tools that read
      // YAML 1.2 whatever the directive says still read a string.
      const declared =
        workload.document.directives?.yaml.explicit === true &&
        workload.document.directives.yaml.version === '1.1';
      findings.push(
        finding(
          'ppe-yaml11-boolean',
          declared
            ? l10n.t(
                '{0} is written as a YAML 1.1 boolean. This document declares %YAML 1.1, so kubectl reads it as {1}, but tools that read YAML 1.2 whatever the directive says (many linters and templating tools) read the string "{2}". Write {1}.',
                field,
                String(yaml11),
                plain ?? '',
              )
            : l10n.t(
                '{0} is written as a YAML 1.1 boolean. kubectl reads it as {1}, but YAML 1.2 tools (and many linters and templating tools) read the string "{2}". Write {1}.',
                field,
                String(yaml11),
                plain ?? '',
              ),
          span,
          { fixes: [replaceWith(workload, field, span, yaml11)] },
        ),
      );
      continue;
    }
    const quoted = scalar && (scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE');
    // A tagged value (`!!str true`) is not fixed by rewriting its text.
    const intended = scalar?.tag ? undefined : intendedBoolean(scalar?.value);
    findings.push(
      finding(
        'ppe-not-boolean',
        quoted
          ? l10n.t(
              '{0} must be a boolean, not a quoted string: the API server cannot decode a string into a boolean and rejects the manifest.',
              field,
            )
          : l10n.t(
              '{0} must be a boolean (true or false): the API server cannot decode this value into a boolean and rejects the manifest.',
              field,
            ),
        span,
        { fixes: intended === undefined ? [] : [replaceWith(workload, field, span, intended)] },
      ),
    );
  }
  return findings;
}

function intendedBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'number') {
    return value === 1 ? true : value === 0 ? false : undefined;
  }
  return typeof value === 'string' ? yaml11Boolean(value.trim()) : undefined;
}

/** The fix that writes the boolean, unless it would enable both fields. */
function replaceWith(
  workload: Workload,
  field: string,
  span: { start: number; end: number },
  value: boolean,
) {
  if (wouldConflict(workload, field, value)) {
    return undefined;
  }
  return fix(
    l10n.t('Change {0} to {1}', field, String(value)),
    [{ span, newText: String(value) }],
    true,
  );
}

interface Placement {
  readonly map: YAMLMap;
  readonly pair: ParsedPair;
  readonly path: PathStep | undefined;
}

/**
 * The last step of the way from the workload's root to a node: a map key, or an index that goes
 * with the key before it (`containers[0]`). The walk visits every collection of the document and
 * only a misplaced field needs its path, so the path is linked here and spelled out only then.
 */
type PathStep =
  | { readonly parent: PathStep | undefined; readonly key: string }
  | { readonly parent: PathStep | undefined; readonly index: number };

/** A path's segments: keys, each with the indexes that follow it. */
function pathSegments(last: PathStep | undefined): string[] {
  const steps: PathStep[] = [];
  for (let step = last; step; step = step.parent) {
    steps.push(step);
  }
  const segments: string[] = [];
  for (const step of steps.reverse()) {
    if ('key' in step) {
      segments.push(step.key);
    } else {
      segments[Math.max(segments.length - 1, 0)] = `${segments.at(-1) ?? ''}[${step.index}]`;
    }
  }
  return segments;
}

/** Maps whose keys are data, not fields, and so cannot be misplaced fields. */
const DATA_MAPS = new Set(['annotations', 'labels', 'matchLabels', 'nodeSelector', 'data']);

function checkMisplaced(workload: Workload): Finding[] {
  const placements: Placement[] = [];
  collectPlacements(workload.root, undefined, workload.podSpec, placements, new Set());
  const { text, podSpec, podSpecPath, kind } = workload;
  return placements.map(({ map, pair, path: last }) => {
    const path = pathSegments(last);
    const key = keyNode(pair);
    const field = String(key?.value);
    const remove = removePair(text, map, pair);
    const alreadyThere = findPair(podSpec, field) !== undefined;
    const conflict = wouldConflict(workload, field, kubernetesTrue(text, pair.value));
    // A value a template writes (or none) is not known: moving it would be a guess.
    const known = (pair.value as Node | null)?.range != null;
    const move =
      podSpec && !alreadyThere && !conflict && known
        ? fix(
            l10n.t('Move {0} to {1}', field, pathText(podSpecPath)),
            [
              remove,
              insertIntoMap(
                text,
                podSpec,
                [fieldLine(text, pair, false)],
                fieldLine(text, pair, true),
              ),
            ],
            true,
          )
        : undefined;
    return finding(
      'ppe-misplaced-field',
      l10n.t(
        '{0} is not a field of {1}: it belongs in the pod spec at {2}. The API server rejects unknown fields (or, without strict validation, drops them), so this setting has no effect here.',
        field,
        path.length > 0 ? pathText(path) : kind,
        pathText(podSpecPath),
      ),
      key ? nodeSpan(key) : { start: 0, end: 0 },
      { fixes: [move, fix(l10n.t('Remove {0}', field), [remove])] },
    );
  });
}

function fieldLine(text: string, pair: ParsedPair, json: boolean): string {
  const key = String(keyNode(pair)?.value);
  const value = pair.value as Node | null;
  const source = value?.range ? text.slice(value.range[0], value.range[1]).trim() : '';
  return json ? `"${key}": ${source}` : `${key}: ${source}`;
}

function collectPlacements(
  node: unknown,
  path: PathStep | undefined,
  podSpec: YAMLMap | undefined,
  placements: Placement[],
  visited: Set<unknown>,
): void {
  // A node reached through several aliases is looked at once.
  if (visited.has(node)) {
    return;
  }
  visited.add(node);
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== 'string') {
        continue;
      }
      if ((FIELDS as readonly string[]).includes(key) && node !== podSpec) {
        placements.push({ map: node, pair, path });
      }
      // `<<` merges its maps into this one: their keys are this map's keys.
      if (!DATA_MAPS.has(key) && key !== '<<' && isCollection(pair.value)) {
        collectPlacements(pair.value, { parent: path, key }, podSpec, placements, visited);
      }
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      collectPlacements(item, { parent: path, index }, podSpec, placements, visited);
    });
  }
}

/** Keys within two edits (or a case change) of a field name are taken as misspellings of it. */
function checkMisspelled(workload: Workload): Finding[] {
  const findings: Finding[] = [];
  for (const pair of workload.podSpec?.items ?? []) {
    const key = keyNode(pair);
    if (!key || typeof key.value !== 'string') {
      continue;
    }
    const written = key.value;
    const field = misspelledField(written);
    if (!field || findPair(workload.podSpec, field)) {
      continue;
    }
    const span = nodeSpan(key);
    const quote = workload.text[span.start] === '"' || workload.text[span.start] === "'";
    const replaced = quote ? { start: span.start + 1, end: span.end - 1 } : span;
    findings.push(
      finding(
        'ppe-misspelled-field',
        l10n.t(
          'Unknown pod spec field: did you mean {0}? Field names are case-sensitive; the API server rejects unknown fields (or drops them without strict validation).',
          field,
        ),
        span,
        {
          fixes: wouldConflict(workload, field, kubernetesTrue(workload.text, pair.value))
            ? []
            : [fix(l10n.t('Change to {0}', field), [{ span: replaced, newText: field }], true)],
        },
      ),
    );
  }
  return findings;
}

/** Other names people give the fields (Docker's and Podman's words, plural forms). */
const ALIASES: Readonly<Record<string, (typeof FIELDS)[number]>> = {
  sharepidnamespace: 'shareProcessNamespace',
  sharedpidnamespace: 'shareProcessNamespace',
  shareprocessns: 'shareProcessNamespace',
  sharepidns: 'shareProcessNamespace',
  sharepid: 'shareProcessNamespace',
  processnamespace: 'shareProcessNamespace',
  hostpidnamespace: 'hostPID',
  hostprocessnamespace: 'hostPID',
};

/** Case, `_`, `-` and `.` aside: `share_process_namespace`, `ShareProcessNamespace`, `host-pid`. */
function normalized(name: string): string {
  return name.toLowerCase().replace(/[_\-.\s]/g, '');
}

/**
 * The field a pod spec key misspells: the same letters in another case or snake/kebab case, a
 * known other name, or within a small typo (two edits for the long name, one for hostPID).
 */
function misspelledField(written: string): (typeof FIELDS)[number] | undefined {
  const key = normalized(written);
  return (
    FIELDS.find(
      (name) =>
        written !== name &&
        (key === normalized(name) ||
          editDistance(key, normalized(name)) <= (name.length > 10 ? 2 : 1)),
    ) ?? (Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined)
  );
}

/** Optimal string alignment distance: insertions, deletions, substitutions, transpositions. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) {
    return 3;
  }
  const rows = a.length + 1;
  const columns = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: columns }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
