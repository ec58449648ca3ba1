import type { V1Pod } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import type { ClusterError, ClusterSession } from '../cluster';
import { podUid } from '../processes/podContainers';

export interface PodWatchState {
  /** Pods by uid, as the last list and the watch events since made them. */
  readonly pods: ReadonlyMap<string, V1Pod>;
  /** False until the first list arrived. */
  readonly synced: boolean;
  /** The last failure while the watch reconnects; cleared by the next success. */
  readonly error: ClusterError | undefined;
  readonly retryAt: number | undefined;
}

/** Which pods changed since the last event: the tree refreshes only those, or the lists. */
export interface PodWatchChange {
  /** The whole list was read again, or the watch failed or recovered: every namespace shown. */
  readonly relisted: boolean;
  /** Namespaces where pods were added or removed. */
  readonly namespaces: ReadonlySet<string>;
  /** Pods (uids) modified in place. */
  readonly modified: ReadonlySet<string>;
}

const NO_PODS: ReadonlyMap<string, V1Pod> = new Map();

/**
 * How long events are gathered before the tree hears of them: one redraw per burst. It must stay
 * above VS Code's own 200 ms debounce of tree changes, which every new event restarts: under
 * steady churn at a shorter interval the view would not redraw until the churn paused
 * (test/bench/scale measured 15 s median delays at 100 changes/s with 100 ms).
 */
const COALESCE_MS = 300;

/**
 * The pods of one namespace, or of every namespace (one cluster-wide watch instead of one per
 * namespace), kept live by the cluster layer's list+watch (which reconnects with backoff and
 * relists after 410 Gone), each pod as views keep it. Bursts of events reach the tree as one change.
 */
export class PodWatch implements vscode.Disposable, PodWatchState {
  private readonly podsByUid = new Map<string, V1Pod>();
  private readonly podsByNamespace = new Map<string, Map<string, V1Pod>>();
  private readonly changed = new vscode.EventEmitter<PodWatchChange>();
  readonly onDidChange = this.changed.event;
  synced = false;
  error: ClusterError | undefined;
  retryAt: number | undefined;
  private pendingRelist = false;
  private readonly pendingNamespaces = new Set<string>();
  private readonly pendingModified = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly subscription: { dispose(): void };
  private readonly firstSync: Promise<void>;

  /** `namespace` undefined: every namespace. */
  constructor(session: ClusterSession, namespace: string | undefined) {
    let synced = () => {};
    this.firstSync = new Promise((resolve) => (synced = resolve));
    this.subscription = session.watchPods(namespace, {
      onSnapshot: (pods) => {
        this.podsByUid.clear();
        this.podsByNamespace.clear();
        for (const pod of pods) {
          this.add(pod);
        }
        this.synced = true;
        this.error = undefined;
        this.retryAt = undefined;
        this.pendingRelist = true;
        this.schedule();
        synced();
      },
      onChange: (type, pod) => {
        const uid = podUid(pod);
        if (this.error) {
          this.error = undefined;
          this.retryAt = undefined;
          this.pendingRelist = true;
        }
        if (type === 'DELETED') {
          this.remove(uid);
          this.pendingNamespaces.add(pod.metadata?.namespace ?? '');
        } else {
          if (!this.podsByUid.has(uid)) {
            this.pendingNamespaces.add(pod.metadata?.namespace ?? '');
          }
          this.add(pod);
          this.pendingModified.add(uid);
        }
        this.schedule();
      },
      onError: (error, retryInMs) => {
        this.error = error;
        this.retryAt = Date.now() + retryInMs;
        this.pendingRelist = true;
        this.schedule();
        // A first list that failed settles the wait too: the tree shows the error.
        synced();
      },
    });
  }

  get pods(): ReadonlyMap<string, V1Pod> {
    return this.podsByUid;
  }

  /** The pods of one namespace, by uid. */
  podsIn(namespace: string): ReadonlyMap<string, V1Pod> {
    return this.podsByNamespace.get(namespace) ?? NO_PODS;
  }

  /** Resolves once the first list arrived or failed. */
  whenSynced(): Promise<void> {
    return this.firstSync;
  }

  private add(pod: V1Pod): void {
    const uid = podUid(pod);
    const namespace = pod.metadata?.namespace ?? '';
    const before = this.podsByUid.get(uid);
    if (before && (before.metadata?.namespace ?? '') !== namespace) {
      this.remove(uid);
    }
    this.podsByUid.set(uid, pod);
    let inNamespace = this.podsByNamespace.get(namespace);
    if (!inNamespace) {
      inNamespace = new Map();
      this.podsByNamespace.set(namespace, inNamespace);
    }
    inNamespace.set(uid, pod);
  }

  private remove(uid: string): void {
    const namespace = this.podsByUid.get(uid)?.metadata?.namespace ?? '';
    this.podsByUid.delete(uid);
    const inNamespace = this.podsByNamespace.get(namespace);
    inNamespace?.delete(uid);
    if (inNamespace?.size === 0) {
      this.podsByNamespace.delete(namespace);
    }
  }

  private schedule(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const change: PodWatchChange = {
        relisted: this.pendingRelist,
        namespaces: new Set(this.pendingNamespaces),
        modified: new Set(this.pendingModified),
      };
      this.pendingRelist = false;
      this.pendingNamespaces.clear();
      this.pendingModified.clear();
      this.changed.fire(change);
    }, COALESCE_MS);
  }

  dispose(): void {
    clearTimeout(this.flushTimer);
    this.subscription.dispose();
    this.changed.dispose();
  }
}
