// The sandbox's Kubernetes API: HTTPS on loopback, bearer-token auth, pods and namespaces from the
// Store, exec/attach over WebSocket, and the token-authenticated /sandbox/faults admin endpoint.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { parse as parseYaml } from 'yaml';
import {
  AUTHORIZATION_API_GROUP,
  AUTHORIZATION_RESOURCES,
  decodeAccessReview,
  PROTOBUF,
  reviewAccess,
} from './accessReview';
import {
  API_GROUPS,
  apiVersions,
  CORE_RESOURCES,
  OPENAPI_ROOT,
  OPENAPI_V1,
  table,
  VERSION,
  wantsTable,
} from './discovery';
import { forbids, isMissing, mergeFaults, type Faults } from './faults';
import { parseFieldSelector, parseSelector, POD_FIELDS, SelectorError } from './selectors';
import { ApiError, PageNotFound } from './status';
import { type Json, type Kind, type Store, type WatchEvent } from './store';
import { PROTOCOLS, serveStream } from './streams';

export const SANDBOX_USER = 'sandbox';
const BOOKMARK_INTERVAL_MS = 5000;
const WATCH_POLL_MS = 2000;
/** The churn switch's timer: one tick per event up to 100/s, several events per tick above. */
const CHURN_TICK_MIN_MS = 10;

export interface ApiServerOptions {
  store: Store;
  token: string;
  cert: string;
  key: string;
  faults: Faults;
  onFaultsChanged: (faults: Faults) => Promise<void>;
  log: (line: string) => void;
}

interface Route {
  kind?: Kind | 'events';
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Splits /api/v1/... into resource parts; undefined when the path is not a resource path. */
function route(path: string): Route | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'api' || parts[1] !== 'v1' || parts.length < 3) {
    return undefined;
  }
  const rest = parts.slice(2);
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const [, namespace, kind, name, subresource, ...extra] = rest;
    if (extra.length || (kind !== 'pods' && kind !== 'events')) {
      return undefined;
    }
    return { kind, namespace, name, subresource };
  }
  const [kind, name, ...extra] = rest;
  if (extra.length || !['namespaces', 'pods', 'events'].includes(kind)) {
    return undefined;
  }
  if (name !== undefined && kind !== 'namespaces') {
    return undefined;
  }
  return { kind: kind as Route['kind'], name };
}

function verbOf(method: string, r: Route, watch: boolean): string {
  switch (method) {
    case 'GET':
      return r.name === undefined ? (watch ? 'watch' : 'list') : 'get';
    case 'POST':
      return 'create';
    case 'DELETE':
      return 'delete';
    case 'PATCH':
      return 'patch';
    case 'PUT':
      return 'update';
    default:
      return method.toLowerCase();
  }
}

function forbiddenError(verb: string, r: Route): ApiError {
  const kind = r.kind ?? '';
  const resource = r.subresource ? `${kind}/${r.subresource}` : kind;
  const subject =
    r.name === undefined ? `${kind} is forbidden` : `${kind} "${r.name}" is forbidden`;
  const scope =
    r.namespace === undefined ? 'at the cluster scope' : `in the namespace "${r.namespace}"`;
  return ApiError.forbidden(
    `${subject}: User "${SANDBOX_USER}" cannot ${verb} resource "${resource}" in API group "" ${scope}`,
    kind,
    r.name ?? '',
  );
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

async function readBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseBody(bytes: Buffer, type: string): Json {
  const text = bytes.toString('utf8');
  try {
    const value: unknown = /yaml/.test(type) ? parseYaml(text) : JSON.parse(text || '{}');
    return value as Json;
  } catch (error) {
    throw ApiError.badRequest(`the request body is not valid: ${(error as Error).message}`);
  }
}

async function readBody(req: IncomingMessage): Promise<Json> {
  return parseBody(await readBytes(req), req.headers['content-type'] ?? '');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function flag(value: string | null): boolean {
  return value === 'true' || value === '1';
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Fields a field selector can test, as the API server flattens them. */
function podFields(pod: Json): Record<string, string> {
  const metadata = pod.metadata as Json;
  const spec = pod.spec as Json;
  const status = pod.status as Json;
  return {
    'metadata.name': text(metadata.name),
    'metadata.namespace': text(metadata.namespace),
    'spec.nodeName': text(spec.nodeName),
    'spec.restartPolicy': text(spec.restartPolicy),
    'status.phase': text(status.phase),
    'status.podIP': text(status.podIP),
  };
}

function namespaceFields(ns: Json): Record<string, string> {
  const metadata = ns.metadata as Json;
  return {
    'metadata.name': String(metadata.name),
    'status.phase': String((ns.status as Json).phase),
  };
}

/**
 * One page of a list, as the API server pages with `limit` and `continue`: by namespace and name,
 * the token naming the last object sent and the resourceVersion of the first page (the real one
 * serves later pages from that snapshot; here they come from the objects as they are now).
 */
function page(
  all: Json[],
  query: URLSearchParams,
  resourceVersion: string,
): {
  items: Json[];
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
} {
  const keyOf = (object: Json) => {
    const metadata = object.metadata as { namespace?: string; name: string };
    return `${metadata.namespace ?? ''}/${metadata.name}`;
  };
  const keyed = all.map((object) => ({ key: keyOf(object), object }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let rv = resourceVersion;
  const token = query.get('continue');
  if (token) {
    let after: { key?: unknown; rv?: unknown };
    try {
      after = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof after;
    } catch {
      throw ApiError.badRequest('invalid continue token');
    }
    if (typeof after.key !== 'string' || typeof after.rv !== 'string') {
      throw ApiError.badRequest('invalid continue token');
    }
    const last = after.key;
    const next = keyed.findIndex((entry) => entry.key > last);
    keyed.splice(0, next < 0 ? keyed.length : next);
    rv = after.rv;
  }
  const items = keyed.map((entry) => entry.object);
  const limit = Number(query.get('limit') ?? '0');
  if (!Number.isInteger(limit) || limit <= 0 || items.length <= limit) {
    return { items, metadata: { resourceVersion: rv } };
  }
  const sent = items.slice(0, limit);
  const next = Buffer.from(JSON.stringify({ key: keyOf(sent[limit - 1]), rv })).toString(
    'base64url',
  );
  return {
    items: sent,
    metadata: { resourceVersion: rv, continue: next, remainingItemCount: items.length - limit },
  };
}

export class ApiServer {
  readonly server: Server;
  private faults: Faults;
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => PROTOCOLS.find((p) => protocols.has(p)) ?? false,
  });
  private poller: NodeJS.Timeout | undefined;
  private churn: { readonly rate: number; readonly timer: NodeJS.Timeout } | undefined;
  /**
   * Exec and attach requests admitted since this process started, by `namespace/pod` (a pod
   * that is gone included): what an audit log would count.
   */
  private readonly streamCounts = new Map<string, { exec: number; attach: number }>();
  /** Ends each open watch the way the server's timeoutSeconds would. */
  private readonly openWatches = new Set<() => void>();

  constructor(private readonly options: ApiServerOptions) {
    this.faults = options.faults;
    options.store.setSyntheticPods(this.faults.syntheticPods, this.faults.syntheticNamespaces);
    this.applyChurn();
    this.server = createServer({ cert: options.cert, key: options.key });
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void this.handle(req, res);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrade(req, socket, head);
    });
    // Container states change without API calls (a process exits): poll podman while someone watches.
    this.poller = setInterval(() => {
      if (options.store.watcherCount > 0) {
        options.store
          .refresh()
          .catch((error: unknown) => this.options.log(`refresh: ${String(error)}`));
      }
    }, WATCH_POLL_MS);
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  close(): Promise<void> {
    clearInterval(this.poller);
    this.poller = undefined;
    clearInterval(this.churn?.timer);
    this.churn = undefined;
    for (const client of this.wss.clients) {
      client.terminate();
    }
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Starts, changes or stops the churn of synthetic pods. Each tick modifies as many pods as are
   * due since the churn started, so the rate holds on average even when a tick comes late.
   */
  private applyChurn(): void {
    const rate = this.faults.syntheticChurnPerSecond;
    if (this.churn?.rate === rate) {
      return;
    }
    clearInterval(this.churn?.timer);
    this.churn = undefined;
    if (rate > 0) {
      const started = performance.now();
      let made = 0;
      const timer = setInterval(
        () => {
          const due = Math.floor(((performance.now() - started) * rate) / 1000);
          if (due > made) {
            this.options.store.churnSynthetic(due - made);
            made = due;
          }
        },
        Math.max(CHURN_TICK_MIN_MS, 1000 / rate),
      );
      this.churn = { rate, timer };
    }
  }

  private authenticated(req: IncomingMessage): boolean | 'anonymous' {
    const header = req.headers.authorization;
    if (header === undefined) {
      return 'anonymous';
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const given = Buffer.from(match?.[1] ?? '');
    const expected = Buffer.from(this.options.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Authenticates, applies the delay fault and authorizes; throws the Status to answer with. */
  private async admit(req: IncomingMessage, url: URL, r: Route | undefined): Promise<void> {
    const auth = this.authenticated(req);
    const publicPath = ['/version', '/healthz', '/readyz', '/livez'].includes(url.pathname);
    if (auth === false || (auth === 'anonymous' && !publicPath)) {
      throw ApiError.unauthorized();
    }
    if (this.faults.delayMs > 0 && url.pathname !== '/sandbox/faults') {
      await sleep(this.faults.delayMs);
    }
    if (!r) {
      return;
    }
    if (forbids(this.faults, r.kind ?? '', r.subresource)) {
      throw forbiddenError(verbOf(req.method ?? 'GET', r, flag(url.searchParams.get('watch'))), r);
    }
    if (isMissing(this.faults, r.kind ?? '', r.subresource)) {
      throw new PageNotFound();
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const started = Date.now();
    res.on('finish', () =>
      this.options.log(
        `${req.method} ${url.pathname}${url.search} ${res.statusCode} ${Date.now() - started}ms`,
      ),
    );
    try {
      const r = route(url.pathname);
      await this.admit(req, url, r);
      if (r) {
        await this.resource(req, res, url, r);
      } else {
        await this.other(req, res, url);
      }
    } catch (error) {
      const apiError =
        error instanceof ApiError
          ? error
          : error instanceof SelectorError
            ? ApiError.badRequest(error.message)
            : ApiError.internal((error as Error).message);
      if (!(error instanceof ApiError || error instanceof SelectorError)) {
        this.options.log(`error: ${(error as Error).stack ?? String(error)}`);
      }
      if (res.headersSent) {
        res.end();
      } else if (apiError instanceof PageNotFound) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`${apiError.message}\n`);
      } else {
        sendJson(res, apiError.code, apiError.body);
      }
    }
  }

  private async other(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.replace(/\/$/, '') || '/';
    if (path === '/sandbox/faults') {
      if (req.method === 'POST' || req.method === 'PATCH') {
        try {
          this.faults = mergeFaults(this.faults, await readBody(req));
        } catch (error) {
          throw error instanceof ApiError ? error : ApiError.badRequest((error as Error).message);
        }
        this.options.store.setSyntheticPods(
          this.faults.syntheticPods,
          this.faults.syntheticNamespaces,
        );
        this.applyChurn();
        await this.options.onFaultsChanged(this.faults);
      } else if (req.method !== 'GET') {
        throw ApiError.methodNotAllowed();
      }
      sendJson(res, 200, this.faults);
      return;
    }
    if (path === '/sandbox/streams') {
      if (req.method !== 'GET') {
        throw ApiError.methodNotAllowed();
      }
      sendJson(res, 200, Object.fromEntries(this.streamCounts));
      return;
    }
    if (path === '/sandbox/compact') {
      if (req.method !== 'POST') {
        throw ApiError.methodNotAllowed();
      }
      // Like an etcd compaction followed by watches ending: clients come back with versions that
      // are now too old, get 410 Expired, and must list again.
      this.options.store.compact();
      for (const end of [...this.openWatches]) {
        end();
      }
      sendJson(res, 200, { resourceVersion: String(this.options.store.resourceVersion) });
      return;
    }
    if (path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      if (req.method !== 'POST') {
        throw ApiError.methodNotAllowed();
      }
      // kubectl's typed client sends this one as protobuf; the answer may still be JSON.
      const type = req.headers['content-type'] ?? '';
      const bytes = await readBytes(req);
      const review = type.startsWith(PROTOBUF) ? decodeAccessReview(bytes) : parseBody(bytes, type);
      sendJson(res, 201, reviewAccess(review, this.faults));
      return;
    }
    if (req.method !== 'GET') {
      throw ApiError.methodNotAllowed();
    }
    const address = `127.0.0.1:${String(req.socket.localPort)}`;
    const documents: Record<string, unknown> = {
      '/version': VERSION,
      '/api': apiVersions(address),
      '/apis': API_GROUPS,
      '/api/v1': CORE_RESOURCES,
      '/apis/authorization.k8s.io': AUTHORIZATION_API_GROUP,
      '/apis/authorization.k8s.io/v1': AUTHORIZATION_RESOURCES,
      '/openapi/v3': OPENAPI_ROOT,
      '/openapi/v3/api/v1': OPENAPI_V1,
    };
    if (path in documents) {
      sendJson(res, 200, documents[path]);
    } else if (['/healthz', '/readyz', '/livez'].includes(path)) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
    } else {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
  }

  private async resource(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    r: Route,
  ): Promise<void> {
    const store = this.options.store;
    const method = req.method ?? 'GET';
    const query = url.searchParams;
    if (r.kind === 'events') {
      if (method !== 'GET') {
        throw ApiError.methodNotAllowed();
      }
      // No events are recorded; a watch stays open and quiet.
      if (flag(query.get('watch'))) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        res.flushHeaders();
        req.on('close', () => res.end());
        return;
      }
      const rv = String(store.resourceVersion);
      sendJson(res, 200, {
        kind: 'EventList',
        apiVersion: 'v1',
        metadata: { resourceVersion: rv },
        items: [],
      });
      return;
    }
    if (r.subresource === 'exec' || r.subresource === 'attach') {
      // SPDY (a POST upgrade) is not offered; kubectl and client-node use WebSocket first.
      throw ApiError.badRequest(
        `${r.subresource} requires a WebSocket upgrade (${PROTOCOLS.join(', ')})`,
      );
    }
    if (r.kind === 'namespaces') {
      await this.namespaces(req, res, url, r);
      return;
    }
    if (r.subresource === 'ephemeralcontainers' && r.namespace && r.name) {
      await this.ephemeral(req, res, r.namespace, r.name);
      return;
    }
    if (r.subresource !== undefined) {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (r.name === undefined) {
      if (method === 'GET') {
        await store.fresh();
        this.list(req, res, url, 'pods', store.listPods(r.namespace));
      } else if (method === 'POST' && r.namespace) {
        sendJson(res, 201, await store.createPod(r.namespace, await readBody(req)));
      } else {
        throw ApiError.methodNotAllowed();
      }
      return;
    }
    const namespace = r.namespace ?? 'default';
    if (method === 'GET') {
      await store.fresh();
      const pod = store.getPod(namespace, r.name);
      sendJson(
        res,
        200,
        wantsTable(req.headers.accept)
          ? table('pods', [pod], String(store.resourceVersion), query.get('includeObject'))
          : pod,
      );
    } else if (method === 'DELETE') {
      if (store.isSynthetic(namespace, r.name)) {
        throw ApiError.badRequest('synthetic pods are removed with the syntheticPods switch');
      }
      sendJson(res, 200, await store.deletePod(namespace, r.name));
    } else {
      throw ApiError.methodNotAllowed();
    }
  }

  private async namespaces(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    r: Route,
  ): Promise<void> {
    const store = this.options.store;
    const method = req.method ?? 'GET';
    if (r.name === undefined) {
      if (method === 'GET') {
        this.list(req, res, url, 'namespaces', store.listNamespaces());
      } else if (method === 'POST') {
        sendJson(res, 201, await store.createNamespace(await readBody(req)));
      } else {
        throw ApiError.methodNotAllowed();
      }
    } else if (method === 'GET') {
      const ns = store.getNamespace(r.name);
      const rv = String(store.resourceVersion);
      sendJson(
        res,
        200,
        wantsTable(req.headers.accept)
          ? table('namespaces', [ns], rv, url.searchParams.get('includeObject'))
          : ns,
      );
    } else if (method === 'DELETE') {
      sendJson(res, 200, store.deleteNamespace(r.name));
    } else {
      throw ApiError.methodNotAllowed();
    }
  }

  /** PATCH (strategic/merge/JSON patch) or PUT of pods/ephemeralcontainers: adds containers. */
  private async ephemeral(
    req: IncomingMessage,
    res: ServerResponse,
    namespace: string,
    name: string,
  ): Promise<void> {
    const store = this.options.store;
    const method = req.method ?? 'GET';
    if (method === 'GET') {
      await store.fresh();
      sendJson(res, 200, store.getPod(namespace, name));
      return;
    }
    if (method !== 'PATCH' && method !== 'PUT') {
      throw ApiError.methodNotAllowed();
    }
    if (store.isSynthetic(namespace, name)) {
      throw ApiError.badRequest('synthetic pods have no containers');
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
    let wanted: unknown;
    if (
      method === 'PUT' ||
      type === 'application/strategic-merge-patch+json' ||
      type === 'application/merge-patch+json'
    ) {
      const body = await readBody(req);
      checkPreconditions(store.getPod(namespace, name), body.metadata, name);
      wanted = (body.spec as Json | undefined)?.ephemeralContainers ?? [];
    } else if (type === 'application/json-patch+json') {
      const ops = (await readBody(req)) as unknown as {
        op: string;
        path: string;
        value: unknown;
      }[];
      if (!Array.isArray(ops)) {
        throw ApiError.badRequest('a JSON patch must be an array of operations');
      }
      const current = (store.getPod(namespace, name).spec as Json).ephemeralContainers as
        unknown[] | undefined;
      const list = [...(current ?? [])];
      for (const op of ops) {
        if (op.op === 'add' && /^\/spec\/ephemeralContainers\/(-|\d+)$/.test(op.path)) {
          list.push(op.value);
        } else if (
          (op.op === 'add' || op.op === 'replace') &&
          op.path === '/spec/ephemeralContainers'
        ) {
          list.splice(0, list.length, ...(op.value as unknown[]));
        } else {
          throw ApiError.invalid(
            `only adding to /spec/ephemeralContainers is supported (got ${op.op} ${op.path})`,
          );
        }
      }
      wanted = list;
    } else {
      throw ApiError.unsupportedMediaType(type);
    }
    sendJson(res, 200, await store.addEphemeralContainers(namespace, name, wanted));
  }

  private list(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    kind: Kind,
    objects: Json[],
  ): void {
    const query = url.searchParams;
    const labels = parseSelector(query.get('labelSelector'));
    const fieldsOf = kind === 'pods' ? podFields : namespaceFields;
    const fields = parseFieldSelector(
      query.get('fieldSelector'),
      kind === 'pods' ? POD_FIELDS : ['metadata.name', 'status.phase'],
    );
    const namespace = /\/namespaces\/([^/]+)\/pods$/.exec(url.pathname)?.[1];
    const matches = (object: Json) => {
      const metadata = object.metadata as Json;
      return (
        (namespace === undefined || metadata.namespace === decodeURIComponent(namespace)) &&
        labels((metadata.labels as Record<string, string> | undefined) ?? {}) &&
        fields(fieldsOf(object))
      );
    };
    if (flag(query.get('watch'))) {
      this.watch(res, url, kind, objects.filter(matches), matches);
      return;
    }
    const { items, metadata } = page(
      objects.filter(matches),
      query,
      String(this.options.store.resourceVersion),
    );
    if (wantsTable(req.headers.accept)) {
      sendJson(res, 200, {
        ...table(kind, items, metadata.resourceVersion, query.get('includeObject')),
        metadata,
      });
      return;
    }
    sendJson(res, 200, {
      kind: kind === 'pods' ? 'PodList' : 'NamespaceList',
      apiVersion: 'v1',
      metadata,
      items,
    });
  }

  private watch(
    res: ServerResponse,
    url: URL,
    kind: Kind,
    current: Json[],
    matches: (object: Json) => boolean,
  ): void {
    const store = this.options.store;
    const query = url.searchParams;
    const objectKind = kind === 'pods' ? 'Pod' : 'Namespace';
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache, private',
    });
    // Clients wait for the headers before they count the watch as started.
    res.flushHeaders();
    const write = (type: string, object: unknown) =>
      res.write(`${JSON.stringify({ type, object })}\n`);
    const bookmark = (annotations?: Record<string, string>) =>
      write('BOOKMARK', {
        kind: objectKind,
        apiVersion: 'v1',
        metadata: {
          resourceVersion: String(store.resourceVersion),
          ...(annotations ? { annotations } : {}),
        },
      });
    const rvParam = query.get('resourceVersion');
    const initial = flag(query.get('sendInitialEvents'));
    if (!rvParam || rvParam === '0' || initial) {
      for (const object of current) {
        write('ADDED', object);
      }
      if (initial) {
        bookmark({ 'k8s.io/initial-events-end': 'true' });
      }
    } else {
      const since = Number(rvParam);
      const missed = Number.isFinite(since) ? store.eventsSince(since) : undefined;
      if (!missed) {
        const gone = ApiError.gone(
          `too old resource version: ${rvParam} (${store.oldestResourceVersion})`,
        );
        write('ERROR', gone.body);
        res.end();
        return;
      }
      for (const event of missed) {
        if (event.kind === kind && matches(event.object)) {
          write(event.type, event.object);
        }
      }
    }
    const unsubscribe = store.subscribe((event: WatchEvent) => {
      if (event.kind === kind && matches(event.object)) {
        write(event.type, event.object);
      }
    });
    const timers: NodeJS.Timeout[] = [];
    if (flag(query.get('allowWatchBookmarks'))) {
      timers.push(setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS));
    }
    const timeout = Number(query.get('timeoutSeconds') ?? 0);
    if (timeout > 0) {
      timers.push(setTimeout(() => res.end(), timeout * 1000));
    }
    const end = () => res.end();
    this.openWatches.add(end);
    const stop = () => {
      unsubscribe();
      timers.forEach((timer) => clearTimeout(timer));
      this.openWatches.delete(end);
    };
    res.on('close', stop);
    res.on('finish', stop);
  }

  private countStream(pod: string, kind: 'exec' | 'attach'): void {
    const counts = this.streamCounts.get(pod) ?? { exec: 0, attach: 0 };
    counts[kind] += 1;
    this.streamCounts.set(pod, counts);
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const refuse = (error: ApiError) => {
      const text = JSON.stringify(error.body);
      socket.end(
        `HTTP/1.1 ${error.code} ${error.reason}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
      this.options.log(`${req.method} ${url.pathname} upgrade ${error.code}`);
    };
    try {
      const r = route(url.pathname);
      await this.admit(req, url, r);
      if (
        !r ||
        r.kind !== 'pods' ||
        !r.namespace ||
        !r.name ||
        (r.subresource !== 'exec' && r.subresource !== 'attach')
      ) {
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      }
      this.countStream(`${r.namespace}/${r.name}`, r.subresource);
      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      if (!PROTOCOLS.some((p) => offered.includes(p))) {
        throw ApiError.badRequest(
          `unsupported subprotocols ${JSON.stringify(offered)}; use ${PROTOCOLS.join(' or ')}`,
        );
      }
      const options = await this.streamOptions(
        r.namespace,
        r.name,
        r.subresource,
        url.searchParams,
      );
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.options.log(
          `${r.subresource} ${r.namespace}/${r.name} ${options.container} (${ws.protocol})`,
        );
        serveStream(ws, options, () => this.faults, this.options.log);
      });
    } catch (error) {
      refuse(error instanceof ApiError ? error : ApiError.internal((error as Error).message));
    }
  }

  private async streamOptions(
    namespace: string,
    name: string,
    kind: 'exec' | 'attach',
    query: URLSearchParams,
  ) {
    const store = this.options.store;
    await store.fresh();
    const pod = store.getPod(namespace, name);
    if (store.isSynthetic(namespace, name)) {
      throw ApiError.badRequest(`pod ${name} is synthetic: it has no containers to ${kind}`);
    }
    const spec = pod.spec as {
      containers: { name: string }[];
      ephemeralContainers?: { name: string }[];
    };
    const names = spec.containers.map((c) => c.name);
    const all = [...names, ...(spec.ephemeralContainers ?? []).map((c) => c.name)];
    let container = query.get('container');
    if (!container) {
      if (names.length > 1) {
        throw ApiError.badRequest(
          `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`,
        );
      }
      container = names[0];
    }
    if (!all.includes(container)) {
      throw ApiError.badRequest(`container ${container} is not valid for pod ${name}`);
    }
    const status = pod.status as Json;
    const statuses = [
      ...((status.containerStatuses as Json[] | undefined) ?? []),
      ...((status.ephemeralContainerStatuses as Json[] | undefined) ?? []),
    ];
    const running = statuses.find((s) => s.name === container && 'running' in (s.state as Json));
    if (!running) {
      throw ApiError.badRequest(`container ${container} is not running in pod ${name}`);
    }
    const stdin = flag(query.get('stdin'));
    const stdout = flag(query.get('stdout'));
    const stderr = flag(query.get('stderr'));
    const command = query.getAll('command');
    if (!stdin && !stdout && !stderr) {
      throw ApiError.badRequest('you must specify at least 1 of stdin, stdout, stderr');
    }
    if (kind === 'exec' && command.length === 0) {
      throw ApiError.badRequest('you must specify at least one command for the container');
    }
    return {
      kind,
      container: store.containerRef(namespace, name, container),
      command,
      stdin,
      stdout,
      stderr,
      tty: flag(query.get('tty')),
    };
  }
}

/**
 * A patch or PUT that names the pod's uid or resourceVersion applies only to that pod at that
 * version, as on a real API server: another uid (the pod was recreated) or an older version (it
 * changed since the client read it) is a 409 Conflict.
 */
function checkPreconditions(pod: Json, metadata: unknown, name: string): void {
  if (typeof metadata !== 'object' || metadata === null) {
    return;
  }
  const wanted = metadata as Json;
  const current = pod.metadata as Json;
  if (typeof wanted.uid === 'string' && wanted.uid !== current.uid) {
    throw ApiError.conflict(
      'pods',
      name,
      `Precondition failed: UID in precondition: ${wanted.uid}, UID in object meta: ${String(current.uid)}`,
    );
  }
  if (
    typeof wanted.resourceVersion === 'string' &&
    wanted.resourceVersion !== current.resourceVersion
  ) {
    throw ApiError.conflict(
      'pods',
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  }
}
