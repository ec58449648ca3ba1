import * as l10n from '@vscode/l10n';
import { isMap, isScalar, isSeq, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { parseChunk, splitDocuments } from './manifestModel';
import { mapValue, seqValue, type TextSpan } from './yamlNodes';

const TASK_PAGE =
  'https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/';
const POD_SECURITY = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';

export interface ManifestHover {
  readonly markdown: string;
  /** Absolute offsets in the file. */
  readonly span: TextSpan;
}

/**
 * Hover text for `shareProcessNamespace`, `hostPID`, `SYS_PTRACE` and `ALL` in `capabilities.add`
 * in a workload manifest.
 */
export function hoverAt(text: string, offset: number): ManifestHover | undefined {
  const chunk = splitDocuments(text).findLast((candidate) => candidate.offset <= offset);
  if (!chunk) {
    return undefined;
  }
  const parsed = parseChunk(chunk.text);
  if (parsed.type !== 'workloads') {
    return undefined;
  }
  const visited = new Set<unknown>();
  let target: { node: Scalar; isKey: boolean } | undefined;
  for (const workload of parsed.workloads) {
    target ??= scalarAt(workload.root, offset - chunk.offset, visited);
  }
  if (!target?.node.range) {
    return undefined;
  }
  const found = target;
  const addsAll =
    (found.node.value === 'ALL' || found.node.value === 'CAP_ALL') &&
    parsed.workloads.some((workload) =>
      workload.containers.some((container) =>
        addedCapabilities(container.map)?.items.includes(found.node),
      ),
    );
  const markdown = addsAll ? explainAll() : explain(target.node.value, target.isKey);
  if (!markdown) {
    return undefined;
  }
  const [start, end] = target.node.range;
  return { markdown, span: { start: chunk.offset + start, end: chunk.offset + end } };
}

/**
 * A localized sentence as Markdown text: VS Code renders hovers as Markdown with HTML, where
 * `/proc/<pid>/root` would lose `<pid>` as an unknown tag.
 */
function markdownText(message: string): string {
  return message.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function explain(value: unknown, isKey: boolean): string | undefined {
  if (isKey && value === 'shareProcessNamespace') {
    return [
      `**shareProcessNamespace**: ${l10n.t('all containers of the pod share one process (PID) namespace.')}`,
      `- ${l10n.t("PID 1 is the pod sandbox (pause), not the container's entrypoint. Inits that need PID 1 (systemd, s6-overlay) fail; `kill -HUP 1` reaches the sandbox, which ignores it; TERM or INT sent to PID 1 stop the whole pod.")}`,
      `- ${markdownText(l10n.t('Every container sees every process. Command lines (/proc/<pid>/cmdline) are readable by all; environments (/proc/<pid>/environ) by the same user or with SYS_PTRACE. Secrets passed as arguments or environment variables are exposed.'))}`,
      `- ${markdownText(l10n.t("Another container's files are reachable through /proc/<pid>/root, protected only by file permissions and the ptrace access check."))}`,
      `- ${l10n.t('Signalling a process of another container needs the same user ID or CAP_KILL (in the default capability set), not SYS_PTRACE.')}`,
      `- ${l10n.t('Cannot be combined with hostPID.')}`,
      '',
      `[${l10n.t('Share Process Namespace between Containers in a Pod')}](${TASK_PAGE})`,
    ].join('\n');
  }
  if (isKey && value === 'hostPID') {
    return [
      `**hostPID**: ${l10n.t("the containers use the node's process namespace.")}`,
      `- ${l10n.t("They see every process on the node, and PID 1 is the node's init.")}`,
      `- ${l10n.t('Cannot be combined with shareProcessNamespace: the API server rejects a pod that sets both.')}`,
      `- ${l10n.t('Pod Security "baseline" forbids host namespaces.')}`,
      '',
      `[${l10n.t('Pod Security Standards')}](${POD_SECURITY})`,
    ].join('\n');
  }
  if (isKey && value === 'privileged') {
    return [
      `**privileged**: ${l10n.t("the container runs with every capability and the node's devices, unconfined.")}`,
      `- ${markdownText(l10n.t('In a shared pod it can read /proc/<pid>/mem, environ and root of every process of the pod and trace them, whatever their user: more than SYS_PTRACE.'))}`,
      `- ${l10n.t('Pod Security "baseline" forbids privileged containers.')}`,
      '',
      `[${l10n.t('Share Process Namespace between Containers in a Pod')}](${TASK_PAGE}) · [${l10n.t('Pod Security Standards')}](${POD_SECURITY})`,
    ].join('\n');
  }
  if (!isKey && (value === 'SYS_PTRACE' || value === 'CAP_SYS_PTRACE')) {
    return ptraceLines(
      `**SYS_PTRACE**: ${l10n.t('lets the container trace other processes and pass the ptrace access check.')}`,
    );
  }
  return undefined;
}

/** `ALL` in `capabilities.add`: every capability, SYS_PTRACE with its consequences among them. */
function explainAll(): string {
  return ptraceLines(
    `**ALL**: ${l10n.t('adds every Linux capability to the container, SYS_PTRACE among them: it can trace other processes and pass the ptrace access check.')}`,
  );
}

function ptraceLines(first: string): string {
  return [
    first,
    `- ${markdownText(l10n.t('In a shared pod it can read /proc/<pid>/environ and /proc/<pid>/root of processes that run as other users.'))}`,
    `- ${l10n.t('Sending signals does not need it: the same user ID or CAP_KILL is enough.')}`,
    `- ${l10n.t('Pod Security "baseline" does not allow adding it.')}`,
    '',
    `[${l10n.t('Share Process Namespace between Containers in a Pod')}](${TASK_PAGE}) · [${l10n.t('Pod Security Standards')}](${POD_SECURITY})`,
  ].join('\n');
}

function addedCapabilities(container: YAMLMap): YAMLSeq | undefined {
  return seqValue(mapValue(mapValue(container, 'securityContext'), 'capabilities'), 'add');
}

/** The scalar at the offset; `visited` keeps a node reached through several aliases to one visit. */
function scalarAt(
  node: unknown,
  offset: number,
  visited: Set<unknown>,
): { node: Scalar; isKey: boolean } | undefined {
  if (visited.has(node)) {
    return undefined;
  }
  visited.add(node);
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key) && contains(pair.key, offset)) {
        return { node: pair.key, isKey: true };
      }
      const found = scalarAt(pair.value, offset, visited);
      if (found) {
        return found;
      }
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const found = scalarAt(item, offset, visited);
      if (found) {
        return found;
      }
    }
  } else if (isScalar(node) && contains(node, offset)) {
    return { node, isKey: false };
  }
  return undefined;
}

function contains(node: Scalar, offset: number): boolean {
  return (
    node.range !== undefined &&
    node.range !== null &&
    node.range[0] <= offset &&
    offset <= node.range[1]
  );
}
