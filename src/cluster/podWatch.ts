// A pod list-then-watch that keeps its own map by uid: resumes from the last resourceVersion
// (bookmarks keep it fresh), relists on 410 Gone, and reconnects with exponential backoff.
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
// Not re-exported by the package index; the same deserializer its typed API clients use, so watch
// events carry Dates where V1Pod says Date.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { ClusterError, toClusterError, type ClusterErrorContext } from './clusterErrors';
import type { ClusterConnection } from './connection';
import type { Disposable } from './exec';
import { linkedSignal } from './linkedSignal';

export type PodChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Called synchronously; listeners must not throw. Nothing is called after dispose(). */
export interface PodWatchListener {
  /** The complete set of pods, after the first list and after every relist. */
  onSnapshot(pods: V1Pod[]): void;
  /** ADDED only for a uid not seen since the last snapshot, DELETED only for one seen. */
  onChange(type: PodChangeType, pod: V1Pod): void;
  /** A list or watch failed; the next try is in `retryInMs`. */
  onError(error: ClusterError, retryInMs: number): void;
}

const PAGE_SIZE = 500;
const BACKOFF_INITIAL_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
// Like client-go's reflector: the server ends each watch after 5–10 minutes, spread so that many
// clients do not reconnect at once.
const WATCH_MIN_SECONDS = 300;
const WATCH_MAX_SECONDS = 600;
/** A watch the server should have ended by now is treated as a dead connection. */
const WATCH_GRACE_MS = 30_000;
/** A watch that ends sooner without any event counts as a failure for the backoff. */
const HEALTHY_WATCH_MS = 1000;

interface PodListJson {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: unknown[];
}

interface WatchEventJson {
  type?: string;
  object?: unknown;
}

export function deserializePod(raw: unknown): V1Pod {
  return ObjectSerializer.deserialize(raw, 'V1Pod', '') as V1Pod;
}

export class PodWatch implements Disposable {
  private readonly stopped = new AbortController();
  private readonly pods = new Map<string, V1Pod>();
  private listed = false;
  private resourceVersion: string | undefined;
  private failures = 0;
  private readonly path: string;
  private readonly context: ClusterErrorContext;

  constructor(
    private readonly connection: ClusterConnection,
    namespace: string | undefined,
    private readonly listener: PodWatchListener,
    /** Ends the watch with its session. */
    sessionSignal: AbortSignal,
    /** Only the pod of this name (a `metadata.name` field selector): one pod watched closely. */
    private readonly podName?: string,
  ) {
    this.path =
      namespace === undefined
        ? '/api/v1/pods'
        : `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
    this.context = { resource: 'pods', namespace };
    const onSessionEnd = () => this.dispose();
    sessionSignal.addEventListener('abort', onSessionEnd, { once: true });
    this.stopped.signal.addEventListener('abort', () =>
      sessionSignal.removeEventListener('abort', onSessionEnd),
    );
    if (sessionSignal.aborted) {
      this.dispose();
    }
    void this.run();
  }

  dispose(): void {
    this.stopped.abort();
  }

  private get fieldSelector(): string | undefined {
    return this.podName === undefined ? undefined : `metadata.name=${this.podName}`;
  }

  private get disposed(): boolean {
    return this.stopped.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.disposed) {
      try {
        if (!this.listed) {
          await this.list();
        }
        await this.watch();
      } catch (error) {
        if (this.disposed) {
          return;
        }
        const clusterError = toClusterError(error, {
          ...this.connection.errorContext,
          ...this.context,
        });
        if (clusterError.kind === 'gone') {
          // The server no longer has our resourceVersion: start over with a list.
          this.listed = false;
          continue;
        }
        const delay = this.nextDelay();
        this.listener.onError(clusterError, delay);
        await this.pause(delay);
      }
    }
  }

  private nextDelay(): number {
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** this.failures);
    this.failures += 1;
    return delay;
  }

  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.stopped.signal });
    } catch {
      // Disposed while waiting: run() sees it and stops.
    }
  }

  private async list(): Promise<void> {
    const pods = new Map<string, V1Pod>();
    let resourceVersion: string | undefined;
    let continueToken: string | undefined;
    do {
      const page = await this.connection.requestJson<PodListJson>({
        method: 'GET',
        path: this.path,
        query: {
          limit: String(PAGE_SIZE),
          continue: continueToken,
          fieldSelector: this.fieldSelector,
        },
        signal: this.stopped.signal,
        context: { ...this.context, verb: 'list' },
      });
      for (const raw of page.items ?? []) {
        const pod = deserializePod(raw);
        const uid = pod.metadata?.uid;
        if (uid) {
          pods.set(uid, pod);
        }
      }
      resourceVersion = page.metadata?.resourceVersion || resourceVersion;
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken);
    if (this.disposed) {
      return;
    }
    this.pods.clear();
    for (const [uid, pod] of pods) {
      this.pods.set(uid, pod);
    }
    this.resourceVersion = resourceVersion;
    this.listed = true;
    this.failures = 0;
    this.listener.onSnapshot([...this.pods.values()]);
  }

  /** One watch request, until the server ends it; throws on errors (410 as a `gone` error). */
  private async watch(): Promise<void> {
    const timeoutSeconds =
      WATCH_MIN_SECONDS + Math.floor(Math.random() * (WATCH_MAX_SECONDS - WATCH_MIN_SECONDS));
    const ended = new AbortController();
    const linked = linkedSignal([this.stopped.signal, ended.signal]);
    const signal = linked.signal;
    const response = await this.connection
      .openStream({
        method: 'GET',
        path: this.path,
        query: {
          watch: 'true',
          fieldSelector: this.fieldSelector,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(timeoutSeconds),
        },
        signal,
        context: { ...this.context, verb: 'watch' },
      })
      .catch((error: unknown) => {
        linked.dispose();
        throw error;
      });
    const started = Date.now();
    let events = 0;
    const deadManTimer = setTimeout(() => ended.abort(), timeoutSeconds * 1000 + WATCH_GRACE_MS);
    try {
      await new Promise<void>((resolve, reject) => {
        const decoder = new StringDecoder('utf8');
        let buffered = '';
        let done = false;
        const fail = (error: unknown) => {
          if (!done) {
            done = true;
            response.destroy();
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        };
        const handleLines = (final: boolean) => {
          let newline = buffered.indexOf('\n');
          while (newline >= 0 || (final && buffered.trim() !== '')) {
            const line = newline >= 0 ? buffered.slice(0, newline) : buffered;
            buffered = newline >= 0 ? buffered.slice(newline + 1) : '';
            if (line.trim() !== '') {
              this.handleEvent(JSON.parse(line) as WatchEventJson);
              events += 1;
            }
            newline = buffered.indexOf('\n');
          }
        };
        response.on('data', (chunk: Buffer) => {
          buffered += decoder.write(chunk);
          try {
            handleLines(false);
          } catch (error) {
            fail(error);
          }
        });
        response.once('end', () => {
          buffered += decoder.end();
          try {
            handleLines(true);
          } catch (error) {
            fail(error);
            return;
          }
          done = true;
          resolve();
        });
        response.once('error', fail);
        response.once('close', () => {
          if (done) {
            return;
          }
          if (ended.signal.aborted || this.disposed) {
            done = true;
            resolve();
          } else {
            fail(Object.assign(new Error('the watch stream was cut'), { code: 'ECONNRESET' }));
          }
        });
      });
    } finally {
      clearTimeout(deadManTimer);
      linked.dispose();
    }
    if (events > 0 || Date.now() - started >= HEALTHY_WATCH_MS) {
      this.failures = 0;
    } else {
      await this.pause(this.nextDelay());
    }
  }

  private handleEvent(event: WatchEventJson): void {
    if (this.disposed) {
      return;
    }
    if (event.type === 'ERROR') {
      throw toClusterError(event.object, {
        ...this.connection.errorContext,
        ...this.context,
        verb: 'watch',
      });
    }
    const metadata = (event.object as { metadata?: { resourceVersion?: string } } | undefined)
      ?.metadata;
    if (event.type === 'BOOKMARK') {
      this.resourceVersion = metadata?.resourceVersion || this.resourceVersion;
      return;
    }
    if (event.type !== 'ADDED' && event.type !== 'MODIFIED' && event.type !== 'DELETED') {
      return;
    }
    const pod = deserializePod(event.object);
    const uid = pod.metadata?.uid;
    this.resourceVersion = pod.metadata?.resourceVersion || this.resourceVersion;
    if (!uid) {
      return;
    }
    if (event.type === 'DELETED') {
      if (this.pods.delete(uid)) {
        this.listener.onChange('DELETED', pod);
      }
      return;
    }
    const known = this.pods.has(uid);
    this.pods.set(uid, pod);
    this.listener.onChange(known ? 'MODIFIED' : 'ADDED', pod);
  }
}
