import type { V1Pod } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import type { PodProcesses } from '../cluster';
import type { ClusterSelection } from '../common/clusterSelection';
import { isClusterError } from '../common/errors';
import type { Settings } from '../common/settings';
import { inspectorCandidates, podContainers, podUid } from '../processes/podContainers';

export type PodProcessState =
  | { readonly status: 'loading'; readonly previous?: PodProcesses }
  | { readonly status: 'ready'; readonly current: PodProcesses; readonly previous?: PodProcesses }
  | { readonly status: 'error'; readonly error: unknown; readonly previous?: PodProcesses };

interface Entry {
  state: PodProcessState;
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
 * interval, one exec round trip each, from a container that has a shell.
 */
export class ProcessStore implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the pod's uid when its processes (or their state) changed. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly selection: ClusterSelection,
    private readonly settings: Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get(uid: string): PodProcessState | undefined {
    return this.entries.get(uid)?.state;
  }

  /** The container listings run in for this pod, once one answered. */
  inspectorOf(uid: string): string | undefined {
    return this.entries.get(uid)?.inspector;
  }

  /** The containers the last listing found without a shell. */
  containersWithoutShell(uid: string): ReadonlySet<string> {
    return this.entries.get(uid)?.noShell ?? new Set();
  }

  /** Lists the pod's processes unless a current listing (or one under way) exists. */
  ensure(pod: V1Pod): Promise<void> {
    const entry = this.entries.get(podUid(pod));
    if (entry?.running) {
      return entry.running.promise;
    }
    if (entry && entry.containersKey === containersKey(pod) && entry.state.status !== 'loading') {
      return Promise.resolve();
    }
    return this.refresh(pod);
  }

  /** Lists the pod's processes again (the last listing stays shown meanwhile). */
  refresh(pod: V1Pod): Promise<void> {
    const uid = podUid(pod);
    const entry: Entry = this.entries.get(uid) ?? {
      state: { status: 'loading' },
      containersKey: containersKey(pod),
      noShell: new Set(),
    };
    this.entries.set(uid, entry);
    if (entry.running) {
      return entry.running.promise;
    }
    const abort = new AbortController();
    const promise = this.list(pod, entry, abort.signal).finally(() => {
      entry.running = undefined;
      this.changed.fire(uid);
    });
    entry.running = { promise, abort };
    return promise;
  }

  /** Forgets every listing: the next expand lists again. */
  clear(): void {
    for (const entry of this.entries.values()) {
      entry.running?.abort.abort();
    }
    this.entries.clear();
  }

  forget(uid: string): void {
    this.entries.get(uid)?.running?.abort.abort();
    this.entries.delete(uid);
  }

  private async list(pod: V1Pod, entry: Entry, signal: AbortSignal): Promise<void> {
    const previous = entry.state.status === 'ready' ? entry.state.current : entry.state.previous;
    const key = containersKey(pod);
    // CPU % needs the sample before; a listing from before a restart is no sample of these.
    const restarted = entry.containersKey !== key;
    const candidates = inspectorCandidates(podContainers(pod));
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
        entry.containersKey = key;
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
      lastError = new NoShellInPodError();
    }
    if (!(isClusterError(lastError) && lastError.kind === 'cancelled')) {
      this.log.warn(
        `Listing the processes of ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''} failed: ${String(lastError)}`,
      );
    }
    entry.containersKey = key;
    entry.state = { status: 'error', error: lastError, previous };
  }

  dispose(): void {
    this.clear();
    this.changed.dispose();
  }
}

/** No container of the pod is running, so nothing can read its /proc. */
export class NoRunningContainerError extends Error {
  constructor() {
    super(vscode.l10n.t('No container of this pod is running, so its processes cannot be listed.'));
  }
}

/** Every running container lacks a shell (distroless, scratch images). */
export class NoShellInPodError extends Error {
  constructor() {
    super(
      vscode.l10n.t(
        'No container of this pod has a shell to list its processes with. A debug container with a shell (such as busybox) can provide one.',
      ),
    );
  }
}

function containersKey(pod: V1Pod): string {
  return podContainers(pod)
    .map((container) => `${container.name}=${container.containerId ?? ''}`)
    .join(',');
}
