import * as vscode from 'vscode';
import { messageTreeItem } from '../common/errors';
import type { PodContainer } from '../processes/podContainers';
import { isSharedPod, podContainers } from '../processes/podContainers';
import {
  escapeMarkdown,
  formatCpuPercent,
  formatCpuTime,
  formatElapsed,
  formatRss,
  markdownCode,
  processAgeSeconds,
} from '../processes/format';
import type { ProcessInfo } from '../processes/types';
import type { ProcessListingState } from './processStore';
import type {
  ContainerNode,
  ContextNode,
  MessageNode,
  NamespaceNode,
  PodNode,
  PodPageNode,
  ProcessTreeNode,
  SandboxNode,
  UnknownContainerNode,
} from './treeNodes';

const { Collapsed, Expanded, None } = vscode.TreeItemCollapsibleState;

/** `contextValue`s are space-separated words, so menus can match `viewItem =~ /\bpod\b/`. */
function contextValue(...words: (string | false | undefined)[]): string {
  return words.filter(Boolean).join(' ');
}

function markdown(lines: string[]): vscode.MarkdownString {
  const text = new vscode.MarkdownString(lines.join('\n\n'));
  text.supportThemeIcons = true;
  return text;
}

const code = markdownCode;
const plain = escapeMarkdown;

export function contextItem(node: ContextNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.contextName, Expanded);
  item.id = node.id;
  item.description = node.server;
  item.iconPath = new vscode.ThemeIcon('cloud');
  item.tooltip = markdown([
    vscode.l10n.t('**Context** {0}', code(node.contextName)),
    vscode.l10n.t('**Server** {0}', code(node.server)),
  ]);
  item.contextValue = 'context';
  return item;
}

export function namespaceItem(node: NamespaceNode, podCount: number | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(node.namespace, node.single ? Expanded : Collapsed);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon('symbol-namespace');
  if (podCount !== undefined) {
    item.description =
      podCount === 1 ? vscode.l10n.t('1 pod') : vscode.l10n.t('{0} pods', podCount);
  }
  item.contextValue = 'namespace';
  return item;
}

export function podPageItem(node: PodPageNode): vscode.TreeItem {
  const last = node.first + node.pods.length - 1;
  const first = node.pods[0]?.name ?? '';
  const lastName = node.pods[node.pods.length - 1]?.name ?? '';
  const item = new vscode.TreeItem(
    vscode.l10n.t('Pods {0}–{1}', node.first + 1, last + 1),
    Collapsed,
  );
  item.id = node.id;
  item.description = `${first} … ${lastName}`;
  item.iconPath = new vscode.ThemeIcon('list-unordered');
  item.contextValue = 'podPage';
  return item;
}

const PHASE_COLORS: Record<string, string> = {
  Running: 'charts.green',
  Pending: 'charts.yellow',
  Succeeded: 'disabledForeground',
  Failed: 'errorForeground',
};

export function podItem(
  node: PodNode,
  listings: ReadonlyMap<string, ProcessListingState>,
): vscode.TreeItem {
  const pod = node.pod;
  const shared = isSharedPod(pod);
  const deleting = pod.metadata?.deletionTimestamp !== undefined;
  const phase = deleting
    ? vscode.l10n.t({
        message: 'Terminating',
        comment: [
          'A pod being deleted, shown where the pod phases of the API (Pending, Running, Succeeded, Failed) are shown as they are, as the STATUS column of kubectl get pods shows it.',
        ],
      })
    : (pod.status?.phase ?? 'Unknown');
  const containers = podContainers(pod);
  // One listing per PID namespace: together they are every process of the pod.
  const listed = [...listings.values()].flatMap((state) => {
    const shown = state.status === 'ready' ? state.current : state.previous;
    return shown ? [shown.listing.processes.length] : [];
  });
  const parts = [
    phase,
    containers.length === 1
      ? vscode.l10n.t('1 container')
      : vscode.l10n.t('{0} containers', containers.length),
    ...(listed.length > 0 ? [processCount(listed.reduce((sum, count) => sum + count, 0))] : []),
    ...(shared ? [] : [vscode.l10n.t('isolated PID namespaces')]),
  ];
  const item = new vscode.TreeItem(node.name, Collapsed);
  item.id = node.id;
  item.description = parts.join(' · ');
  item.iconPath = new vscode.ThemeIcon(
    shared ? 'layers' : 'layers-dot',
    new vscode.ThemeColor(PHASE_COLORS[pod.status?.phase ?? ''] ?? 'disabledForeground'),
  );
  item.tooltip = markdown([
    vscode.l10n.t('**Pod** {0} in namespace {1}', code(node.name), code(node.namespace)),
    vscode.l10n.t('**Phase** {0}', plain(phase)) +
      (pod.status?.reason ? ` (${plain(pod.status.reason)})` : '') +
      (pod.status?.message ? ` — ${plain(pod.status.message)}` : ''),
    shared
      ? vscode.l10n.t(
          '**shareProcessNamespace: true**: every container sees every process of the pod, and PID 1 is the pod sandbox.',
        )
      : vscode.l10n.t(
          '**Isolated PID namespaces**: each container sees only its own processes. Each one is listed from a container in its namespace that has a shell: itself, or a debug container that targets it.',
        ),
    vscode.l10n.t('**Node** {0}', plain(pod.spec?.nodeName ?? '—')),
  ]);
  item.contextValue = contextValue(
    'pod',
    shared ? 'shared' : 'isolated',
    pod.status?.phase === 'Running' && !deleting && 'running',
  );
  return item;
}

const CONTAINER_ICONS: Record<PodContainer['kind'], string> = {
  container: 'package',
  init: 'debug-start',
  sidecar: 'extensions',
  ephemeral: 'debug',
};

const STATE_COLORS: Record<PodContainer['state'], string> = {
  running: 'charts.green',
  waiting: 'charts.yellow',
  terminated: 'disabledForeground',
  unknown: 'disabledForeground',
};

function kindLabel(kind: PodContainer['kind']): string {
  switch (kind) {
    case 'init':
      return vscode.l10n.t('init container');
    case 'sidecar':
      return vscode.l10n.t('sidecar container');
    case 'ephemeral':
      return vscode.l10n.t('ephemeral container');
    default:
      return vscode.l10n.t({
        message: 'container',
        comment: [
          'The kind of a regular (app) container, beside init container, sidecar container and ephemeral container.',
        ],
      });
  }
}

/** A container's state in the user's language, with the reason Kubernetes gives. */
export function stateLabel(container: PodContainer): string {
  const state = {
    running: vscode.l10n.t({
      message: 'running',
      comment: ['The state of a container, as in status.containerStatuses[].state.'],
    }),
    waiting: vscode.l10n.t({
      message: 'waiting',
      comment: ['The state of a container, as in status.containerStatuses[].state.'],
    }),
    terminated: vscode.l10n.t({
      message: 'terminated',
      comment: ['The state of a container, as in status.containerStatuses[].state.'],
    }),
    unknown: vscode.l10n.t('state unknown'),
  }[container.state];
  return container.stateReason ? `${state} (${container.stateReason})` : state;
}

export function containerItem(node: ContainerNode): vscode.TreeItem {
  const container = node.container;
  // Always expandable: VS Code does not resolve the children of an item that was a leaf when the
  // pod is redrawn with its processes, so a container must not start as one.
  const item = new vscode.TreeItem(container.name, Expanded);
  item.id = node.id;
  const parts = [
    stateLabel(container),
    container.image,
    ...(container.restarts > 0
      ? [
          container.restarts === 1
            ? vscode.l10n.t('1 restart')
            : vscode.l10n.t('{0} restarts', container.restarts),
        ]
      : []),
    ...(container.kind === 'container' ? [] : [kindLabel(container.kind)]),
    ...(node.inspector
      ? [
          vscode.l10n.t({
            message: 'lists processes',
            comment: ['Marks the container that the processes of the pod are read from.'],
          }),
        ]
      : []),
    ...(node.noShell ? [vscode.l10n.t('no shell')] : []),
  ];
  item.description = parts.join(' · ');
  item.iconPath = new vscode.ThemeIcon(
    node.inspector ? 'eye' : CONTAINER_ICONS[container.kind],
    new vscode.ThemeColor(STATE_COLORS[container.state]),
  );
  item.tooltip = markdown([
    vscode.l10n.t('**{0}** {1}', kindLabel(container.kind), code(container.name)),
    vscode.l10n.t('**Image** {0}', code(container.image || '—')),
    vscode.l10n.t('**State** {0}', plain(stateLabel(container))) +
      (container.exitCode !== undefined
        ? ` · ${vscode.l10n.t('exit code {0}', container.exitCode)}`
        : ''),
    vscode.l10n.t('**Restarts** {0} · **Ready** {1}', container.restarts, String(container.ready)),
    vscode.l10n.t(
      '**stdin** {0} · **tty** {1} · **SYS_PTRACE** {2}',
      String(container.stdin),
      String(container.tty),
      String(container.canTrace),
    ),
    ...(container.targetContainer
      ? [vscode.l10n.t('**Target** {0}', code(container.targetContainer))]
      : []),
    ...(container.containerId
      ? [vscode.l10n.t('**Container ID** {0}', code(container.containerId.slice(0, 12)))]
      : []),
    ...(node.mainPid !== undefined
      ? [vscode.l10n.t('**Main process** PID {0}', node.mainPid)]
      : []),
    ...(node.inspector
      ? [
          isSharedPod(node.parent.pod)
            ? vscode.l10n.t(
                '$(eye) Pod Process Explorer reads the pod’s processes from this container (it has a shell).',
              )
            : vscode.l10n.t(
                '$(eye) Pod Process Explorer reads the processes of this PID namespace from this container (it has a shell).',
              ),
        ]
      : []),
    ...(container.addedForDebugging
      ? [
          vscode.l10n.t(
            '$(debug) A debug container Pod Process Explorer added. Ephemeral containers cannot be removed; this one is reused, and Attach Terminal reattaches to its shell.',
          ),
        ]
      : []),
    ...(node.noShell
      ? [
          vscode.l10n.t(
            '$(warning) Its image has no shell. Add Debug Container gives it one that sees its processes.',
          ),
        ]
      : []),
  ]);
  item.contextValue = contextValue(
    'container',
    container.kind,
    container.state,
    container.stdin && 'stdin',
    container.tty && 'tty',
    node.inspector && 'inspector',
    node.noShell && 'noShell',
    container.addedForDebugging && 'debugger',
  );
  return item;
}

export function sandboxItem(node: SandboxNode): vscode.TreeItem {
  const item = processItemBase(node.process, None, undefined);
  item.id = node.id;
  item.description = vscode.l10n.t('pod sandbox (pause)');
  item.iconPath = new vscode.ThemeIcon('shield');
  (item.tooltip as vscode.MarkdownString).appendMarkdown(
    '\n\n' +
      vscode.l10n.t(
        'PID 1 of a shared pod is the pod sandbox, not a container’s process. TERM or INT to it stops the whole pod; it ignores HUP.',
      ),
  );
  item.contextValue = contextValue('process', 'sandbox');
  return item;
}

export function unknownContainerItem(node: UnknownContainerNode): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.l10n.t('unknown container'), Expanded);
  item.id = node.id;
  item.description = processCount(countProcesses(node.processes));
  item.iconPath = new vscode.ThemeIcon('question');
  item.tooltip = vscode.l10n.t(
    'Neither the cgroup nor the mount namespace of these processes names a container of the pod (for example processes the pod sandbox started, or a container that restarted since the pod status was read).',
  );
  item.contextValue = 'unknownContainer';
  return item;
}

function processCount(count: number): string {
  return count === 1 ? vscode.l10n.t('1 process') : vscode.l10n.t('{0} processes', count);
}

function countProcesses(nodes: readonly { children: readonly unknown[] }[]): number {
  let count = 0;
  const stack = [...nodes];
  while (stack.length > 0) {
    const node = stack.pop() as { children: readonly { children: readonly unknown[] }[] };
    count += 1;
    // Not push(...children): a process may have more children than a call takes arguments.
    for (const child of node.children) {
      stack.push(child);
    }
  }
  return count;
}

export function processItem(
  node: ProcessTreeNode,
  hz: number,
  uptime: number | undefined,
): vscode.TreeItem {
  const item = processItemBase(
    node.process,
    node.children.length > 0 ? Expanded : None,
    node.cpuPercent,
    hz,
    uptime,
  );
  item.id = node.id;
  if (node.isMain) {
    item.iconPath = new vscode.ThemeIcon('star-full');
  }
  item.contextValue = contextValue(
    'process',
    node.isMain && 'main',
    node.container === undefined && 'unplaced',
  );
  return item;
}

function processItemBase(
  process: ProcessInfo,
  collapsible: vscode.TreeItemCollapsibleState,
  cpu: number | undefined,
  hz = 100,
  uptime?: number,
): vscode.TreeItem {
  const item = new vscode.TreeItem(
    {
      label: `${process.pid}  ${process.commandLine}${
        process.commandLineUnread ? `  ${vscode.l10n.t('(command line not read)')}` : ''
      }`,
      highlights: [[0, String(process.pid).length]],
    },
    collapsible,
  );
  const user = process.user ?? String(process.uid);
  const cpuText = formatCpuPercent(cpu);
  item.description = [
    user,
    process.state,
    formatRss(process.rssKiB),
    formatCpuTime(process.cpuTicks, hz),
    ...(cpuText ? [vscode.l10n.t('{0} CPU', cpuText)] : []),
  ].join(' · ');
  item.iconPath = new vscode.ThemeIcon(process.state === 'Z' ? 'warning' : 'gear');
  const age = processAgeSeconds(uptime, process.startTicks, hz);
  item.tooltip = markdown([
    vscode.l10n.t('**PID** {0} · **Parent** {1}', process.pid, process.ppid),
    vscode.l10n.t('**Command line** {0}', code(process.commandLine)),
    ...(process.commandLineUnread
      ? [
          vscode.l10n.t(
            '$(warning) Its command line could not be read within 5 seconds: the process may be stuck in D state (uninterruptible, holding its memory lock). The other processes are listed.',
          ),
        ]
      : []),
    vscode.l10n.t('**User** {0} (UID {1})', plain(user), process.uid),
    vscode.l10n.t(
      '**State** {0} · **Threads** {1}',
      plain(process.stateName ? `${process.state} (${process.stateName})` : process.state),
      process.threads,
    ),
    vscode.l10n.t(
      '**Memory (RSS)** {0} · **CPU time** {1}',
      formatRss(process.rssKiB),
      formatCpuTime(process.cpuTicks, hz),
    ) + (cpuText ? ` · ${vscode.l10n.t('{0} CPU', cpuText)}` : ''),
    ...(age !== undefined ? [vscode.l10n.t('**Running for** {0}', formatElapsed(age))] : []),
  ]);
  return item;
}

export function messageItem(node: MessageNode): vscode.TreeItem {
  const item = messageTreeItem(node.message, node.severity, node.action);
  item.id = node.id;
  return item;
}
