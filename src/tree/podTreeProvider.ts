import type { V1Pod } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import type { ClusterSession } from '../cluster';
import type { ClusterSelection } from '../common/clusterSelection';
import { errorMessage, isClusterError } from '../common/errors';
import type { Settings } from '../common/settings';
import { cpuPercent, nestProcesses } from '../processes/containerMapping';
import {
  inspectorCandidates,
  isSharedPod,
  pidNamespaceKey,
  podContainers,
  podUid,
  SHARED_PID_NAMESPACE,
} from '../processes/podContainers';
import type { ProcessInfo, ProcessNode as NestedProcess } from '../processes/types';
import { PodWatch, type PodWatchChange } from './podWatch';
import { NoShellError, type ProcessStore } from './processStore';
import * as items from './treeItems';
import {
  ContainerNode,
  ContextNode,
  MessageNode,
  NamespaceNode,
  PodNode,
  PodPageNode,
  ProcessTreeNode,
  SandboxNode,
  UnknownContainerNode,
  type PodTreeNode,
} from './treeNodes';

/** Longer pod lists are split into pages of this many, so the view stays usable. */
export const POD_PAGE_SIZE = 200;

interface NamespaceAccess {
  readonly listPods: boolean;
  readonly watchPods: boolean;
  readonly execPods: boolean;
}

/**
 * context → namespaces → pods → containers → processes. Pods come from a live watch per shown
 * namespace; processes from the ProcessStore. Every empty or failed state is a MessageNode.
 */
export class PodTreeProvider implements vscode.TreeDataProvider<PodTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PodTreeNode | PodTreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private contextNode: ContextNode | undefined;
  private readonly namespaceNodes = new Map<string, NamespaceNode>();
  private readonly podNodes = new Map<string, PodNode>();
  private readonly pageNodes = new Map<string, PodPageNode>();
  /** One watch per namespace shown, when a namespace is chosen or the cluster-wide one is refused. */
  private readonly watches = new Map<string, PodWatch>();
  /**
   * With all namespaces shown: one cluster-wide watch for every namespace, when RBAC allows listing
   * and watching pods cluster-wide (undefined when it does not).
   */
  private allNamespaces: Promise<PodWatch | undefined> | undefined;
  private allNamespacesWatch: PodWatch | undefined;
  private watchGeneration = 0;
  private readonly access = new Map<string, Promise<NamespaceAccess>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly selection: ClusterSelection,
    private readonly settings: Settings,
    private readonly processes: ProcessStore,
  ) {
    this.subscriptions = [
      selection.onDidChange(() => this.reset()),
      settings.onDidChange(['processes.layout'], () => this.changed.fire(undefined)),
      processes.onDidChange((uid) => {
        const node = this.podNodes.get(uid);
        if (node) {
          this.changed.fire(node);
        }
      }),
      this.changed,
    ];
  }

  /** Forgets every watch and cached answer; the view asks for everything again. */
  reset(): void {
    this.disposeWatches();
    this.access.clear();
    this.namespaceNodes.clear();
    this.podNodes.clear();
    this.pageNodes.clear();
    this.contextNode = undefined;
    this.changed.fire(undefined);
  }

  /** The pods shown, for commands that act on every expanded pod. */
  podNode(uid: string): PodNode | undefined {
    return this.podNodes.get(uid);
  }

  getTreeItem(node: PodTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'context':
        return items.contextItem(node);
      case 'namespace': {
        const watch = this.shownWatch(node);
        return items.namespaceItem(
          node,
          watch?.synced ? this.visibleCount(watch, node.namespace) : undefined,
        );
      }
      case 'podPage':
        return items.podPageItem(node);
      case 'pod':
        return items.podItem(node, this.processes.listings(node.uid));
      case 'container':
        return items.containerItem(node);
      case 'sandbox':
        return items.sandboxItem(node);
      case 'unknownContainer':
        return items.unknownContainerItem(node);
      case 'process': {
        const state = this.processes.get(node.pod.uid, node.pidNamespace);
        const listing = state?.status === 'ready' ? state.current.listing : undefined;
        return items.processItem(node, listing?.clockTicksPerSecond ?? 100, listing?.uptimeSeconds);
      }
      case 'message':
        return items.messageItem(node);
    }
  }

  getParent(node: PodTreeNode): PodTreeNode | undefined {
    switch (node.kind) {
      case 'context':
      case 'message':
        return undefined;
      case 'namespace':
        return node.parent;
      case 'podPage':
        return node.parent;
      case 'pod':
        return this.pageOf(node) ?? node.parent;
      case 'container':
      case 'sandbox':
      case 'unknownContainer':
        return node.parent;
      case 'process':
        return node.pod;
    }
  }

  async getChildren(node?: PodTreeNode): Promise<PodTreeNode[]> {
    try {
      return await this.childrenOf(node);
    } catch (error) {
      return [this.failure(node?.id ?? 'root', error)];
    }
  }

  private async childrenOf(node: PodTreeNode | undefined): Promise<PodTreeNode[]> {
    if (!node) {
      return this.roots();
    }
    switch (node.kind) {
      case 'context':
        return this.namespacesOf(node);
      case 'namespace':
        return this.podsOf(node);
      case 'podPage':
        return [...node.pods];
      case 'pod':
        return this.insideOf(node);
      case 'container': {
        // In an isolated pod each container's namespace has its own listing: its state shows here.
        const message =
          node.processes === undefined && !isSharedPod(node.parent.pod)
            ? this.listingMessage(node.parent, node, node.pidNamespace)
            : undefined;
        return message
          ? [message]
          : this.processNodes(
              node.parent,
              node.container.name,
              node.id,
              node.processes ?? [],
              node.mainPid,
              node.pidNamespace,
            );
      }
      case 'unknownContainer':
        return this.processNodes(
          node.parent,
          undefined,
          node.id,
          node.processes,
          undefined,
          node.pidNamespace,
        );
      case 'process':
        return this.processNodes(
          node.pod,
          node.container,
          node.id,
          node.children,
          undefined,
          node.pidNamespace,
        );
      case 'sandbox':
      case 'message':
        return [];
    }
  }

  private roots(): PodTreeNode[] {
    const loaded = this.selection.kubeconfig();
    const contextName = this.selection.contextName();
    if (!contextName) {
      return [
        new MessageNode(
          'root',
          'no-context',
          vscode.l10n.t('The kubeconfig ({0}) defines no context.', loaded.paths.join(', ')),
          'error',
          {
            title: vscode.l10n.t('Select a kubeconfig file…'),
            command: 'podProcessExplorer.selectKubeconfig',
          },
        ),
      ];
    }
    const session = this.selection.session();
    this.contextNode ??= new ContextNode(contextName, session.server);
    return [this.contextNode];
  }

  private async namespacesOf(node: ContextNode): Promise<PodTreeNode[]> {
    const chosen = this.selection.namespace();
    if (chosen !== undefined) {
      return [this.namespaceNode(node, chosen, true)];
    }
    const session = this.selection.session();
    // Started with the list, so the namespaces' pod counts come as soon as the pods are listed.
    void this.allNamespacesWatchOf(session);
    try {
      const names = await session.listNamespaces();
      return names.map((name) => this.namespaceNode(node, name, false));
    } catch (error) {
      if (isClusterError(error) && error.kind === 'forbidden') {
        return [
          new MessageNode(node.id, 'namespaces-forbidden', error.message, 'warning', {
            title: vscode.l10n.t('Choose a namespace…'),
            command: 'podProcessExplorer.selectNamespace',
          }),
        ];
      }
      throw error;
    }
  }

  private namespaceNode(parent: ContextNode, name: string, single: boolean): NamespaceNode {
    let node = this.namespaceNodes.get(name);
    if (!node || node.single !== single) {
      node = new NamespaceNode(parent, name, single);
      this.namespaceNodes.set(name, node);
    }
    return node;
  }

  private async podsOf(node: NamespaceNode): Promise<PodTreeNode[]> {
    const session = this.selection.session();
    const shared = node.single ? undefined : await this.allNamespacesWatchOf(session);
    const access = shared
      ? { listPods: true, watchPods: true }
      : await this.accessTo(session, node.namespace);
    if (!access.listPods || !access.watchPods) {
      return [
        new MessageNode(
          node.id,
          'pods-forbidden',
          vscode.l10n.t(
            'Forbidden: your role may not {0} pods in namespace {1}. The tree needs list and watch on pods.',
            !access.listPods ? 'list' : 'watch',
            node.namespace,
          ),
          'error',
          {
            title: vscode.l10n.t('Choose another namespace…'),
            command: 'podProcessExplorer.selectNamespace',
          },
        ),
      ];
    }
    const watch = shared ?? this.watchOf(session, node);
    await watch.whenSynced();
    const result: PodTreeNode[] = [];
    if (watch.error) {
      const seconds = Math.max(1, Math.round(((watch.retryAt ?? Date.now()) - Date.now()) / 1000));
      result.push(
        new MessageNode(
          node.id,
          'watch-error',
          vscode.l10n.t('{0} Retrying in {1} s.', watch.error.message, seconds),
          'error',
          { title: vscode.l10n.t('Retry now'), command: 'podProcessExplorer.refresh' },
        ),
      );
    }
    const pods = this.visiblePods(watch, node.namespace);
    if (pods.length === 0 && watch.synced) {
      const hidden = watch.podsIn(node.namespace).size;
      result.push(
        hidden > 0
          ? new MessageNode(
              node.id,
              'no-shared-pods',
              vscode.l10n.t(
                'No pod in namespace {0} shares its process namespace ({1} pods do not).',
                node.namespace,
                hidden,
              ),
              'info',
              { title: vscode.l10n.t('Show All Pods'), command: 'podProcessExplorer.showAllPods' },
            )
          : new MessageNode(
              node.id,
              'no-pods',
              vscode.l10n.t('No pods in namespace {0}.', node.namespace),
              'info',
            ),
      );
    }
    const podNodes = pods.map((pod) => this.podNodeFor(node, pod));
    if (podNodes.length <= POD_PAGE_SIZE) {
      return [...result, ...podNodes];
    }
    const pages: PodPageNode[] = [];
    for (let first = 0; first < podNodes.length; first += POD_PAGE_SIZE) {
      const key = `${node.namespace}/${first}`;
      const page = podNodes.slice(first, first + POD_PAGE_SIZE);
      const existing = this.pageNodes.get(key);
      if (existing) {
        existing.pods = page;
        pages.push(existing);
      } else {
        const created = new PodPageNode(node, first, page);
        this.pageNodes.set(key, created);
        pages.push(created);
      }
    }
    return [...result, ...pages];
  }

  /** Shared pods are shown, and every pod when the user asked. */
  private isShown(pod: V1Pod): boolean {
    return this.selection.showAllPods || isSharedPod(pod);
  }

  /** A namespace's shown pods, by name. */
  private visiblePods(watch: PodWatch, namespace: string): V1Pod[] {
    return [...watch.podsIn(namespace).values()]
      .filter((pod) => this.isShown(pod))
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  }

  /** How many pods of a namespace are shown, without sorting them (every namespace item asks). */
  private visibleCount(watch: PodWatch, namespace: string): number {
    let count = 0;
    for (const pod of watch.podsIn(namespace).values()) {
      if (this.isShown(pod)) {
        count += 1;
      }
    }
    return count;
  }

  /** The watch a namespace node's pods come from, if it has started. */
  private shownWatch(node: NamespaceNode): PodWatch | undefined {
    return (!node.single ? this.allNamespacesWatch : undefined) ?? this.watches.get(node.namespace);
  }

  private podNodeFor(parent: NamespaceNode, pod: V1Pod): PodNode {
    const uid = podUid(pod);
    let node = this.podNodes.get(uid);
    if (node && node.parent === parent) {
      node.pod = pod;
    } else {
      node = new PodNode(parent, pod);
      this.podNodes.set(uid, node);
    }
    return node;
  }

  private pageOf(node: PodNode): PodPageNode | undefined {
    for (const page of this.pageNodes.values()) {
      if (page.parent === node.parent && page.pods.includes(node)) {
        return page;
      }
    }
    return undefined;
  }

  private watchOf(session: ClusterSession, node: NamespaceNode): PodWatch {
    let watch = this.watches.get(node.namespace);
    if (!watch) {
      const created = new PodWatch(session, node.namespace);
      created.onDidChange((change) => this.podsChanged(created, change, [node.namespace]));
      this.watches.set(node.namespace, created);
      watch = created;
    }
    return watch;
  }

  /**
   * The cluster-wide watch of the all-namespaces view: one list and one watch for every namespace
   * (as kubectl get -A and k9s do) instead of one per namespace expanded; undefined when RBAC
   * allows no cluster-wide list and watch of pods, and each namespace then has its own.
   */
  private allNamespacesWatchOf(session: ClusterSession): Promise<PodWatch | undefined> {
    if (this.allNamespaces) {
      return this.allNamespaces;
    }
    const generation = this.watchGeneration;
    this.allNamespaces = (async () => {
      // An API without access reviews answers with an error: try, and let the watch say.
      const can = (verb: string) => session.canI('', verb, 'pods').catch(() => true);
      const [list, watch] = await Promise.all([can('list'), can('watch')]);
      // Refreshed or switched meanwhile: a newer call makes the watch.
      if (!list || !watch || this.watchGeneration !== generation) {
        return undefined;
      }
      const created = new PodWatch(session, undefined);
      created.onDidChange((change) =>
        this.podsChanged(
          created,
          change,
          [...this.namespaceNodes.values()].filter((n) => !n.single).map((n) => n.namespace),
        ),
      );
      this.allNamespacesWatch = created;
      return created;
    })();
    return this.allNamespaces;
  }

  /**
   * Brings the pod nodes of a watch up to date and tells the view: the namespaces whose list
   * changed (all it serves after a relist or an error), and the pods modified elsewhere, in one
   * event: each event restarts VS Code's debounce of tree redraws.
   */
  private podsChanged(watch: PodWatch, change: PodWatchChange, served: readonly string[]): void {
    const relisted = new Set(
      change.relisted ? served : served.filter((ns) => change.namespaces.has(ns)),
    );
    const fired: PodTreeNode[] = [];
    for (const uid of change.modified) {
      const podNode = this.podNodes.get(uid);
      const pod = watch.pods.get(uid);
      if (podNode && pod && pod.metadata?.namespace === podNode.namespace) {
        podNode.pod = pod;
        if (!relisted.has(podNode.namespace)) {
          fired.push(podNode);
        }
      }
    }
    for (const [uid, podNode] of this.podNodes) {
      if (
        relisted.has(podNode.namespace) &&
        podNode.parent === this.namespaceNodes.get(podNode.namespace) &&
        !watch.podsIn(podNode.namespace).has(uid)
      ) {
        this.podNodes.delete(uid);
        this.processes.forget(uid);
      }
    }
    for (const namespace of relisted) {
      const namespaceNode = this.namespaceNodes.get(namespace);
      if (namespaceNode) {
        fired.push(namespaceNode);
      }
    }
    if (fired.length > 0) {
      this.changed.fire(fired);
    }
  }

  /** What the user's RBAC allows here: asked once per namespace and context (SelfSubjectAccessReview). */
  private accessTo(session: ClusterSession, namespace: string): Promise<NamespaceAccess> {
    let access = this.access.get(namespace);
    if (!access) {
      // An API without access reviews answers with an error: assume allowed and let the call say.
      const can = (verb: string, resource: string, subresource?: string) =>
        session.canI(namespace, verb, resource, subresource).catch(() => true);
      access = Promise.all([
        can('list', 'pods'),
        can('watch', 'pods'),
        can('create', 'pods', 'exec'),
      ]).then(([listPods, watchPods, execPods]) => ({ listPods, watchPods, execPods }));
      this.access.set(namespace, access);
    }
    return access;
  }

  private async insideOf(node: PodNode): Promise<PodTreeNode[]> {
    const pod = node.pod;
    const shared = isSharedPod(pod);
    const containers = podContainers(pod);
    const session = this.selection.session();
    const access = await this.accessTo(session, node.namespace);
    const result: PodTreeNode[] = [];
    if (!access.execPods) {
      result.push(
        new MessageNode(
          node.id,
          'exec-forbidden',
          vscode.l10n.t(
            'Forbidden: your role may not create pods/exec in namespace {0}, so the processes of this pod cannot be listed.',
            node.namespace,
          ),
          'warning',
        ),
      );
    } else if (pod.status?.phase !== 'Running' || pod.metadata?.deletionTimestamp !== undefined) {
      result.push(
        new MessageNode(
          node.id,
          'not-running',
          vscode.l10n.t(
            'The pod is {0}: its processes are listed while it runs.',
            pod.metadata?.deletionTimestamp !== undefined
              ? vscode.l10n.t({
                  message: 'terminating',
                  comment: [
                    'A pod being deleted, in: The pod is {0}: its processes are listed while it runs. ({0} is otherwise a pod phase of the API, such as Pending.)',
                  ],
                })
              : (pod.status?.phase ?? 'Unknown'),
          ),
          'info',
        ),
      );
    } else if (inspectorCandidates(containers).length === 0) {
      result.push(
        new MessageNode(
          node.id,
          'no-running-container',
          vscode.l10n.t('No container of this pod is running yet.'),
          'info',
        ),
      );
    } else {
      // Not awaited: the containers show at once, and the store's change event redraws the pod
      // (its process count, the processes under each container) when the listings are in.
      void this.processes.ensure(pod);
      if (shared) {
        const message = this.listingMessage(node, node, SHARED_PID_NAMESPACE);
        if (message) {
          result.push(message);
        }
      }
    }
    const nest = (processes: readonly ProcessInfo[]): readonly NestedProcess[] =>
      this.settings.get('processes.layout') === 'flat'
        ? processes.map((process) => ({ process, children: [] }))
        : nestProcesses(processes);
    const listings = this.processes.listings(node.uid);
    const listedIn = (key: string) => {
      const state = listings.get(key);
      return state?.status === 'ready' ? state.current : undefined;
    };
    const sandbox = shared ? listedIn(SHARED_PID_NAMESPACE)?.placed.sandbox : undefined;
    if (sandbox) {
      result.push(new SandboxNode(node, sandbox));
    }
    const withoutShell = this.processes.containersWithoutShell(node.uid);
    for (const container of containers) {
      const key = pidNamespaceKey(pod, container);
      const listed = listedIn(key);
      const processes = listed?.placed.byContainer.get(container.name);
      result.push(
        new ContainerNode(
          node,
          container,
          // Marked where it stands for others: in a shared pod, or as a debug container's target.
          container.name === listed?.container && (shared || container.name !== key),
          processes ? nest(processes) : undefined,
          listed?.placed.mainPid.get(container.name),
          withoutShell.has(container.name),
          key,
        ),
      );
    }
    for (const [key, state] of listings) {
      if (state.status === 'ready' && state.current.placed.unknown.length > 0) {
        result.push(new UnknownContainerNode(node, nest(state.current.placed.unknown), key));
      }
    }
    return result;
  }

  /**
   * What a PID namespace's listing says while it has no processes to show: that it is under way,
   * or why it failed, with the action that helps (a debug container where no shell is, else a
   * retry). Shown under the pod when it is shared, under each container otherwise.
   */
  private listingMessage(
    pod: PodNode,
    parent: PodNode | ContainerNode,
    pidNamespace: string,
  ): MessageNode | undefined {
    const state = this.processes.get(pod.uid, pidNamespace);
    if (state?.status === 'loading') {
      return new MessageNode(parent.id, 'listing', vscode.l10n.t('Listing processes…'), 'loading');
    }
    if (state?.status !== 'error') {
      return undefined;
    }
    return new MessageNode(
      parent.id,
      'processes-error',
      errorMessage(state.error),
      'error',
      state.error instanceof NoShellError
        ? {
            title: vscode.l10n.t('Add Debug Container…'),
            command: 'podProcessExplorer.addDebugContainer',
            arguments: [parent],
          }
        : {
            title: vscode.l10n.t('Retry'),
            command: 'podProcessExplorer.refreshProcesses',
            arguments: [pod],
          },
    );
  }

  private processNodes(
    pod: PodNode,
    container: string | undefined,
    parentId: string,
    nodes: readonly NestedProcess[],
    mainPid: number | undefined,
    pidNamespace: string,
  ): PodTreeNode[] {
    const state = this.processes.get(pod.uid, pidNamespace);
    const current = state?.status === 'ready' ? state.current : undefined;
    const previous = state?.status === 'ready' ? state.previous : undefined;
    const before = new Map(previous?.listing.processes.map((process) => [process.pid, process]));
    const elapsed = current && previous ? (current.sampledAt - previous.sampledAt) / 1000 : 0;
    return nodes.map(
      ({ process, children }) =>
        new ProcessTreeNode(
          pod,
          container,
          process,
          children,
          parentId,
          current
            ? cpuPercent(
                before.get(process.pid),
                process,
                elapsed,
                current.listing.clockTicksPerSecond,
              )
            : undefined,
          process.pid === mainPid,
          pidNamespace,
        ),
    );
  }

  private failure(parentId: string, error: unknown): MessageNode {
    const kind = isClusterError(error) ? error.kind : undefined;
    if (kind === 'noKubeconfig' || kind === 'badKubeconfig') {
      return new MessageNode(parentId, 'kubeconfig', errorMessage(error), 'error', {
        title: vscode.l10n.t('Select a kubeconfig file…'),
        command: 'podProcessExplorer.selectKubeconfig',
      });
    }
    return new MessageNode(parentId, 'failure', errorMessage(error), 'error', {
      title: vscode.l10n.t('Retry'),
      command: 'podProcessExplorer.refresh',
    });
  }

  private disposeWatches(): void {
    this.watches.forEach((watch) => watch.dispose());
    this.watches.clear();
    this.allNamespacesWatch?.dispose();
    this.allNamespacesWatch = undefined;
    this.allNamespaces = undefined;
    // A cluster-wide access check still under way sees this and makes no watch.
    this.watchGeneration += 1;
  }

  dispose(): void {
    this.disposeWatches();
    this.subscriptions.forEach((subscription) => {
      subscription.dispose();
    });
  }
}
