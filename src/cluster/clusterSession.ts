// One kubeconfig context: its server, credentials and the calls the views need.
import * as l10n from '@vscode/l10n';
import type { V1Pod } from '@kubernetes/client-node';
import { ClusterError, type ClusterErrorContext } from './clusterErrors';
import { ClusterConnection, DEFAULT_REQUEST_TIMEOUT_MS } from './connection';
import {
  openExecChannel,
  runExec,
  type Disposable,
  type ExecChannel,
  type ExecChannelRequest,
  type ExecRequest,
  type ExecResult,
} from './exec';
import { linkedSignal } from './linkedSignal';
import { kubeConfigForContext, type LoadedKubeconfig } from './kubeconfig';
import { podForView } from './podProjection';
import { deserializePod, PodWatch, type PodWatchListener } from './podWatch';
import { urlForDisplay } from '../secrets/secretPatterns';

function podPath(namespace: string, name: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;
}

export interface ClusterSessionOptions {
  /** Timeout of each API call and of opening an exec (default 30 s). */
  requestTimeoutMs?: number;
}

interface NamespaceListJson {
  items?: { metadata?: { name?: string } }[];
}

interface AccessReviewJson {
  status?: { allowed?: boolean };
}

export class ClusterSession {
  readonly contextName: string;
  readonly server: string;
  readonly userName: string;
  readonly clusterName: string;
  /** The context's default namespace, if it sets one. */
  readonly namespace: string | undefined;
  private readonly connection: ClusterConnection;
  private readonly accessCache = new Map<string, boolean>();
  /** Aborted by dispose(): ends every watch, exec and channel of this session. */
  private readonly disposed = new AbortController();

  /** Throws a badKubeconfig ClusterError when the context, its cluster or its server is missing. */
  constructor(loaded: LoadedKubeconfig, contextName: string, options: ClusterSessionOptions = {}) {
    const kubeConfig = kubeConfigForContext(loaded, contextName);
    const context = kubeConfig.getContextObject(contextName);
    const files = loaded.paths.join(', ');
    if (!context) {
      throw new ClusterError(
        'badKubeconfig',
        l10n.t('The kubeconfig ({0}) has no context "{1}".', files, contextName),
        { context: contextName },
      );
    }
    const cluster = kubeConfig.getCluster(context.cluster);
    if (!cluster?.server) {
      throw new ClusterError(
        'badKubeconfig',
        l10n.t(
          'Context "{0}" names cluster "{1}", which the kubeconfig ({2}) does not define with a server.',
          contextName,
          context.cluster,
          files,
        ),
        { context: contextName },
      );
    }
    this.contextName = contextName;
    // What messages and the tree show; the connection alone gets the URL as written.
    this.server = urlForDisplay(cluster.server);
    this.clusterName = cluster.name;
    this.userName = context.user ?? '';
    this.namespace = context.namespace;
    const errorContext: ClusterErrorContext = {
      server: this.server,
      user: this.userName,
      context: contextName,
    };
    this.connection = new ClusterConnection(
      kubeConfig,
      cluster.server,
      errorContext,
      options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      Boolean(cluster.proxyUrl),
    );
  }

  /** Namespace names, sorted. A 403 is a `forbidden` ClusterError (fall back to `namespace`). */
  async listNamespaces(signal?: AbortSignal): Promise<string[]> {
    const list = await this.scoped(signal, (scoped) =>
      this.connection.requestJson<NamespaceListJson>({
        method: 'GET',
        path: '/api/v1/namespaces',
        signal: scoped,
        context: { verb: 'list', resource: 'namespaces' },
      }),
    );
    return (list.items ?? [])
      .map((item) => item.metadata?.name)
      .filter((name): name is string => typeof name === 'string')
      .sort();
  }

  /**
   * Pods of one namespace, or of all (`undefined`), kept current until dispose(); each pod as views
   * keep it (podForView: no managed fields, environment, probes or volumes).
   */
  watchPods(namespace: string | undefined, listener: PodWatchListener): Disposable {
    return new PodWatch(this.connection, namespace, listener, this.disposed.signal, {
      project: podForView,
    });
  }

  /** One pod as the API server has it now. */
  async readPod(namespace: string, name: string, signal?: AbortSignal): Promise<V1Pod> {
    const raw = await this.scoped(signal, (scoped) =>
      this.connection.requestJson<unknown>({
        method: 'GET',
        path: podPath(namespace, name),
        signal: scoped,
        context: { verb: 'get', resource: 'pods', namespace, name },
      }),
    );
    return deserializePod(raw);
  }

  /**
   * Strategic-merge-patches the pod's ephemeralcontainers subresource (the only way to add one);
   * answers with the pod as patched.
   */
  async patchEphemeralContainers(
    namespace: string,
    name: string,
    patch: unknown,
    signal?: AbortSignal,
  ): Promise<V1Pod> {
    const raw = await this.scoped(signal, (scoped) =>
      this.connection.requestJson<unknown>({
        method: 'PATCH',
        path: `${podPath(namespace, name)}/ephemeralcontainers`,
        body: patch,
        contentType: 'application/strategic-merge-patch+json',
        signal: scoped,
        context: {
          verb: 'patch',
          resource: 'pods',
          subresource: 'ephemeralcontainers',
          namespace,
          name,
        },
      }),
    );
    return deserializePod(raw);
  }

  /** One pod kept current (a field-selected watch) until dispose(). */
  watchPod(namespace: string, name: string, listener: PodWatchListener): Disposable {
    return new PodWatch(this.connection, namespace, listener, this.disposed.signal, {
      podName: name,
    });
  }

  /** Asks the API server (SelfSubjectAccessReview); answers are cached until clearAccessCache(). */
  async canI(
    namespace: string,
    verb: string,
    resource: string,
    subresource?: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const key = JSON.stringify([this.contextName, namespace, verb, resource, subresource ?? '']);
    const cached = this.accessCache.get(key);
    if (cached !== undefined) {
      return cached;
    }
    const review = await this.scoped(signal, (scoped) =>
      this.connection.requestJson<AccessReviewJson>({
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { namespace, verb, group: '', resource, subresource } },
        },
        signal: scoped,
        context: { verb: 'create', resource: 'selfsubjectaccessreviews' },
      }),
    );
    const allowed = review.status?.allowed === true;
    this.accessCache.set(key, allowed);
    return allowed;
  }

  clearAccessCache(): void {
    this.accessCache.clear();
  }

  /** Runs an argv in a container; see ExecRequest. */
  exec(request: ExecRequest): Promise<ExecResult> {
    return this.scoped(request.signal, (signal) =>
      runExec(this.connection, { ...request, signal }, this.connection.requestTimeoutMs),
    );
  }

  /** Opens an exec (with `command`) or attach (without) session for a terminal. */
  async openExecChannel(request: ExecChannelRequest): Promise<ExecChannel> {
    const linked = linkedSignal([request.signal, this.disposed.signal]);
    const channel = await openExecChannel(this.connection, {
      ...request,
      signal: linked.signal,
    }).catch((error: unknown) => {
      linked.dispose();
      throw error;
    });
    channel.onClose(() => linked.dispose());
    return channel;
  }

  /** Ends every watch, exec and channel of this session; later calls fail as cancelled. */
  dispose(): void {
    this.disposed.abort();
  }

  /** Runs `request` with a signal that also ends with this session, unlinked afterwards. */
  private async scoped<T>(
    signal: AbortSignal | undefined,
    request: (scoped: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const linked = linkedSignal([signal, this.disposed.signal]);
    try {
      return await request(linked.signal);
    } finally {
      linked.dispose();
    }
  }
}
