import type { V1Pod } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import type { PodProcesses } from '../cluster';
import type { ClusterSelection } from '../common/clusterSelection';
import { isClusterError } from '../common/errors';
import type { Settings } from '../common/settings';
import {
  inspectorCandidates,
  isSharedPod,
  pidNamespaces,
  podUid,
  type PodContainer,
} from '../processes/podContainers';

/** The processes of one PID namespace of a pod, as last listed. */
export type ProcessListingState =
  | { readonly status: 'loading'; readonly previous?: PodProcesses }
  | { readonly status: 'ready'; readonly current: PodProcesses; readonly previous?: PodProcesses }
  | { readonly status: 'error'; readonly error: unknown; readonly previous?: PodProcesses };

interface NamespaceEntry {
  state: ProcessListingState;
  /** The containers' runtime IDs when listed: a restart makes the listing stale. */
  containersKey: string;
  /** The container that answered last time; tried first next time. */
  inspector?: string;
  /** Containers whose image has no shell, as the last listing found (they need a debug container). */
  noShell: Set<string>;
  running?: { promise: Promise<void>; abort: AbortController };
}

/**
 * The processes of each pod the user expanded: listed on expand, on refresh and on the optional
 * interval, one exec round trip per PID namespace, from a container in it that has a shell. A
 * shared pod has one PID namespace; any other pod one per container (see pidNamespaceKey), so
 * each container with a shell lists what it sees, and a PID is only meaningful with its key.
 */
export class ProcessStore implements vscode.Disposable {
  private readonly pods = new Map<string, Map<string, NamespaceEntry>>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the pod's uid when its processes (or their state) changed. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly selection: ClusterSelection,
    private readonly settings: Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The listing of one PID namespace of the pod (see pidNamespaceKey). */
  get(uid: string, pidNamespace: string): ProcessListingState | undefined {
    return this.pods.get(uid)?.get(pidNamespace)?.state;
  }

  /** The listings of every PID namespace of the pod listed so far, by key. */
  listings(uid: string): ReadonlyMap<string, ProcessListingState> {
    return new Map(
      [...(this.pods.get(uid) ?? new Map<string, NamespaceEntry>())].map(([key, entry]) => [
        key,
        entry.state,
      ]),
    );
  }

  /**
   * The container that reads the processes of a PID namespace of the pod (it has a shell and sees
   * them): the one that listed them, else the best running one in that namespace.
   */
  inspectorFor(pod: V1Pod, pidNamespace: string): string | undefined {
    return (
      this.pods.get(podUid(pod))?.get(pidNamespace)?.inspector ??
      inspectorCandidates(pidNamespaces(pod).get(pidNamespace) ?? [])[0]
    );
  }

  /** The containers the last listings found without a shell. */
  containersWithoutShell(uid: string): ReadonlySet<string> {
    return new Set(
      [...(this.pods.get(uid)?.values() ?? [])].flatMap((entry) => [...entry.noShell]),
    );
  }

  /** Lists each PID namespace of the pod unless a current listing (or one under way) exists. */
  async ensure(pod: V1Pod): Promise<void> {
    await Promise.all(
      this.namespacesToList(pod).map(({ entry, containers, key }) =>
        // Current and idle: nothing to do; otherwise start() lists, or joins the listing under way.
        !entry.running &&
        entry.containersKey === containersKey(containers) &&
        entry.state.status !== 'loading'
          ? Promise.resolve()
          : this.start(pod, key, containers, entry),
      ),
    );
  }

  /** Lists the pod's processes again (the last listings stay shown meanwhile). */
  async refresh(pod: V1Pod): Promise<void> {
    await Promise.all(
      this.namespacesToList(pod).map(({ entry, containers, key }) =>
        this.start(pod, key, containers, entry),
      ),
    );
  }

  /** Forgets every listing: the next expand lists again. */
  clear(): void {
    for (const namespaces of this.pods.values()) {
      abortAll(namespaces);
    }
    this.pods.clear();
  }

  forget(uid: string): void {
    abortAll(this.pods.get(uid));
    this.pods.delete(uid);
  }

  /**
   * The PID namespaces of the pod that have a running container, each with its entry (created
   * loading when new); entries of namespaces the pod no longer has are dropped.
   */
  private namespacesToList(
    pod: V1Pod,
  ): { key: string; containers: PodContainer[]; entry: NamespaceEntry }[] {
    const uid = podUid(pod);
    const current = pidNamespaces(pod);
    const entries = this.pods.get(uid) ?? new Map<string, NamespaceEntry>();
    this.pods.set(uid, entries);
    for (const [key, entry] of entries) {
      if (!current.has(key)) {
        entry.running?.abort.abort();
        entries.delete(key);
      }
    }
    const result = [];
    for (const [key, containers] of current) {
      if (!containers.some((container) => container.state === 'running')) {
        continue;
      }
      let entry = entries.get(key);
      if (!entry) {
        entry = {
          state: { status: 'loading' },
          containersKey: containersKey(containers),
          noShell: new Set(),
        };
        entries.set(key, entry);
      }
      result.push({ key, containers, entry });
    }
    return result;
  }

  private start(
    pod: V1Pod,
    key: string,
    containers: readonly PodContainer[],
    entry: NamespaceEntry,
  ): Promise<void> {
    if (entry.running) {
      return entry.running.promise;
    }
    const abort = new AbortController();
    const promise = this.list(pod, key, containers, entry, abort.signal).finally(() => {
      entry.running = undefined;
      this.changed.fire(podUid(pod));
    });
    entry.running = { promise, abort };
    return promise;
  }

  private async list(
    pod: V1Pod,
    key: string,
    containers: readonly PodContainer[],
    entry: NamespaceEntry,
    signal: AbortSignal,
  ): Promise<void> {
    const previous = entry.state.status === 'ready' ? entry.state.current : entry.state.previous;
    const listedKey = containersKey(containers);
    // CPU % needs the sample before; a listing from before a restart is no sample of these.
    const restarted = entry.containersKey !== listedKey;
    const candidates = inspectorCandidates(containers);
    // A container added or restarted (a debug container, say) may see more: rank afresh then.
    if (!restarted && entry.inspector && candidates.includes(entry.inspector)) {
      candidates.splice(candidates.indexOf(entry.inspector), 1);
      candidates.unshift(entry.inspector);
    }
    let lastError: unknown = new NoRunningContainerError();
    for (const container of candidates) {
      try {
        const session = this.selection.session();
        const current = await this.selection.layer.listPodProcesses(session, {
          pod,
          container,
          signal,
          timeoutMs: this.settings.get('cluster.requestTimeout') * 1000,
        });
        entry.inspector = container;
        entry.noShell.delete(container);
        entry.containersKey = listedKey;
        entry.state = { status: 'ready', current, previous: restarted ? undefined : previous };
        return;
      } catch (error) {
        lastError = error;
        if (!(isClusterError(error) && error.kind === 'noShell')) {
          break;
        }
        entry.noShell.add(container);
        this.log.info(`No shell in ${pod.metadata?.name ?? ''}/${container}: ${error.message}`);
      }
    }
    if (candidates.length > 0 && isClusterError(lastError) && lastError.kind === 'noShell') {
      lastError = new NoShellError(isSharedPod(pod) ? undefined : key);
    }
    if (!(isClusterError(lastError) && lastError.kind === 'cancelled')) {
      this.log.warn(
        `Listing the processes of ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}${key ? ` (PID namespace of ${key})` : ''} failed: ${String(lastError)}`,
      );
    }
    entry.containersKey = listedKey;
    entry.state = { status: 'error', error: lastError, previous };
  }

  dispose(): void {
    this.clear();
    this.changed.dispose();
  }
}

function abortAll(namespaces: ReadonlyMap<string, NamespaceEntry> | undefined): void {
  for (const entry of namespaces?.values() ?? []) {
    entry.running?.abort.abort();
  }
}

/** No container of the pod is running, so nothing can read its /proc. */
export class NoRunningContainerError extends Error {
  constructor() {
    super(vscode.l10n.t('No container of this pod is running, so its processes cannot be listed.'));
  }
}

/**
 * No running container that sees these processes has a shell (distroless, scratch images): of
 * the whole pod when it is shared, else of one container's PID namespace.
 */
export class NoShellError extends Error {
  constructor(
    /** The container whose PID namespace it is; undefined for a shared pod. */
    readonly container: string | undefined,
  ) {
    super(
      container === undefined
        ? vscode.l10n.t(
            'No container of this pod has a shell to list its processes with. A debug container with a shell (such as busybox) can provide one.',
          )
        : vscode.l10n.t(
            'No container in the PID namespace of {0} has a shell to list its processes with. A debug container with a shell (such as busybox) that targets {0} can provide one.',
            container,
          ),
    );
  }
}

function containersKey(containers: readonly PodContainer[]): string {
  return containers
    .map((container) => `${container.name}=${container.containerId ?? ''}`)
    .join(',');
}
