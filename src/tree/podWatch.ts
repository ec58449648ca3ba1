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

/** Which pods changed since the last event: the tree refreshes only those, or the list. */
export interface PodWatchChange {
  /** Pods were added or removed, or the whole list was read again. */
  readonly listChanged: boolean;
  readonly modified: ReadonlySet<string>;
}

/**
 * How long events are gathered before the tree hears of them: one redraw per burst. It must stay
 * above VS Code's own 200 ms debounce of tree changes, which every new event restarts: under
 * steady churn at a shorter interval the view would not redraw until the churn paused
 * (test/bench/scale measured 15 s median delays at 100 changes/s with 100 ms).
 */
const COALESCE_MS = 300;

/**
 * The pods of one namespace, kept live by the cluster layer's list+watch (which reconnects with
 * backoff and relists after 410 Gone). Bursts of events reach the tree as one change.
 */
export class PodWatch implements vscode.Disposable, PodWatchState {
  private readonly podsByUid = new Map<string, V1Pod>();
  private readonly changed = new vscode.EventEmitter<PodWatchChange>();
  readonly onDidChange = this.changed.event;
  synced = false;
  error: ClusterError | undefined;
  retryAt: number | undefined;
  private pendingList = false;
  private readonly pendingModified = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly subscription: { dispose(): void };
  private readonly firstSync: Promise<void>;

  constructor(session: ClusterSession, namespace: string) {
    let synced = () => {};
    this.firstSync = new Promise((resolve) => (synced = resolve));
    this.subscription = session.watchPods(namespace, {
      onSnapshot: (pods) => {
        this.podsByUid.clear();
        for (const pod of pods) {
          this.podsByUid.set(podUid(pod), pod);
        }
        this.synced = true;
        this.error = undefined;
        this.retryAt = undefined;
        this.pendingList = true;
        this.schedule();
        synced();
      },
      onChange: (type, pod) => {
        const uid = podUid(pod);
        this.error = undefined;
        this.retryAt = undefined;
        if (type === 'DELETED') {
          this.podsByUid.delete(uid);
          this.pendingList = true;
        } else {
          if (!this.podsByUid.has(uid)) {
            this.pendingList = true;
          }
          this.podsByUid.set(uid, pod);
          this.pendingModified.add(uid);
        }
        this.schedule();
      },
      onError: (error, retryInMs) => {
        this.error = error;
        this.retryAt = Date.now() + retryInMs;
        this.pendingList = true;
        this.schedule();
        // A first list that failed settles the wait too: the tree shows the error.
        synced();
      },
    });
  }

  get pods(): ReadonlyMap<string, V1Pod> {
    return this.podsByUid;
  }

  /** Resolves once the first list arrived or failed. */
  whenSynced(): Promise<void> {
    return this.firstSync;
  }

  private schedule(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const change = { listChanged: this.pendingList, modified: new Set(this.pendingModified) };
      this.pendingList = false;
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
