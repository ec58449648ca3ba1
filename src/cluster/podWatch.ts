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
/**
 * While the server cannot be reached (it restarts, the network drops) the watch tries at least this
 * often, so a view recovers within seconds of the server's return; one request per 4 s is nothing
 * for the server. Refusals (401, 403, …) back off to BACKOFF_MAX_MS.
 */
const UNREACHABLE_BACKOFF_MAX_MS = 4000;
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

export interface PodWatchOptions {
  /** Only the pod of this name (a `metadata.name` field selector): one pod watched closely. */
  readonly podName?: string;
  /** Applied to each pod's JSON before it is deserialized: what the listener keeps (podForView). */
  readonly project?: (raw: unknown) => unknown;
}

export class PodWatch implements Disposable {
  private readonly stopped = new AbortController();
  /** The uids of the pods the listener knows: ADDED, MODIFIED and DELETED are told apart by them. */
  private readonly known = new Set<string>();
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
    private readonly options: PodWatchOptions = {},
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
    const { podName } = this.options;
    return podName === undefined ? undefined : `metadata.name=${podName}`;
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
        // Start over with a list: after 410 Gone the server no longer has our resourceVersion, and
        // after any other failure the listener learns from the new snapshot that it is over.
        this.listed = false;
        if (clusterError.kind === 'gone') {
          continue;
        }
        const delay = this.nextDelay(
          clusterError.kind === 'unreachable' || clusterError.kind === 'timeout'
            ? UNREACHABLE_BACKOFF_MAX_MS
            : BACKOFF_MAX_MS,
        );
        this.listener.onError(clusterError, delay);
        await this.pause(delay);
      }
    }
  }

  private nextDelay(max = BACKOFF_MAX_MS): number {
    const delay = Math.min(max, BACKOFF_INITIAL_MS * 2 ** this.failures);
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
        const pod = this.deserialize(raw);
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
    this.known.clear();
    for (const uid of pods.keys()) {
      this.known.add(uid);
    }
    this.resourceVersion = resourceVersion;
    this.listed = true;
    this.failures = 0;
    this.listener.onSnapshot([...pods.values()]);
  }

  private deserialize(raw: unknown): V1Pod {
    return deserializePod(this.options.project ? this.options.project(raw) : raw);
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
    const pod = this.deserialize(event.object);
    const uid = pod.metadata?.uid;
    this.resourceVersion = pod.metadata?.resourceVersion || this.resourceVersion;
    if (!uid) {
      return;
    }
    if (event.type === 'DELETED') {
      if (this.known.delete(uid)) {
        this.listener.onChange('DELETED', pod);
      }
      return;
    }
    const known = this.known.has(uid);
    this.known.add(uid);
    this.listener.onChange(known ? 'MODIFIED' : 'ADDED', pod);
  }
}
