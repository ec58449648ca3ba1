// HTTP(S) to one cluster with the TLS material and credentials of one kubeconfig context. Every
// request asks client-node's applyToHTTPSOptions afresh, so exec plugins, OIDC and token files
// refresh their credentials as they expire; the same options serve the exec WebSocket.
import type { IncomingMessage } from 'node:http';
import * as http from 'node:http';
import * as https from 'node:https';
import * as l10n from '@vscode/l10n';
import type { KubeConfig } from '@kubernetes/client-node';
import { maskSecretShapes } from '../secrets/secretPatterns';
import {
  ApiResponseError,
  cancelledError,
  ClusterError,
  timeoutError,
  toClusterError,
  type ClusterErrorContext,
} from './clusterErrors';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const TCP_KEEPALIVE_MS = 30_000;
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** An operation's own abort signal: the caller's signal or its timeout, whichever comes first. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Why `signal` aborted, as the ClusterError to report (timeout or cancelled). */
  error(): ClusterError;
  dispose(): void;
}

/** `timeoutMs` of 0 or Infinity sets no timer: only the caller's signal ends the operation. */
export function startDeadline(
  outer: AbortSignal | undefined,
  timeoutMs: number,
  context: ClusterErrorContext,
): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const onOuterAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const timer =
    timeoutMs > 0 && Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
        }, timeoutMs)
      : undefined;
  if (outer?.aborted) {
    controller.abort(outer.reason);
  }
  return {
    signal: controller.signal,
    error: () => (timedOut ? timeoutError(context, timeoutMs) : cancelledError(context)),
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    },
  };
}

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PATCH';
  /** The API path, e.g. /api/v1/namespaces (appended to the server URL's own path). */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** The body's media type (default application/json; a PATCH names its patch type). */
  contentType?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** What is being done, for error messages (verb, resource, namespace, name). */
  context: ClusterErrorContext;
}

/** The TLS and auth options for https.request and ws (ca, cert, key, headers, agent, auth…). */
export type TransportOptions = https.RequestOptions;

export class ClusterConnection {
  constructor(
    private readonly kubeConfig: KubeConfig,
    readonly server: string,
    /** server, user and context, for every error message. */
    readonly errorContext: ClusterErrorContext,
    readonly requestTimeoutMs: number,
    private readonly proxied: boolean,
  ) {}

  url(path: string, query: Record<string, string | undefined> | URLSearchParams = {}): URL {
    const url = new URL(this.server);
    url.pathname = url.pathname.replace(/\/+$/, '') + path;
    const params =
      query instanceof URLSearchParams
        ? query
        : new URLSearchParams(
            Object.entries(query).filter(
              (entry): entry is [string, string] => entry[1] !== undefined,
            ),
          );
    url.search = params.toString();
    return url;
  }

  /** Fresh credentials and TLS options; a failing credential plugin is a ClusterError. */
  async transportOptions(): Promise<TransportOptions> {
    const options: TransportOptions = {};
    try {
      await this.kubeConfig.applyToHTTPSOptions(options);
    } catch (error) {
      throw this.credentialError(error);
    }
    // client-node caches one agent per cluster and user, built with the first call's TLS options:
    // it would keep an exec plugin's first client certificate after the plugin rotated it. Direct
    // connections get the current options per request; only a proxy needs client-node's agent.
    if (!this.proxied) {
      delete options.agent;
    }
    return options;
  }

  /** Sends a request and parses the JSON answer; a non-2xx answer becomes a ClusterError. */
  async requestJson<T>(request: ApiRequest): Promise<T> {
    const context = { ...this.errorContext, ...request.context };
    const deadline = startDeadline(
      request.signal,
      request.timeoutMs ?? this.requestTimeoutMs,
      context,
    );
    try {
      const response = await this.send(request, deadline, deadline.signal);
      const body = await readBody(response, deadline);
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) {
        throw new ApiResponseError(status, body.subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8'));
      }
      try {
        return JSON.parse(body.toString('utf8')) as T;
      } catch (error) {
        throw new ClusterError(
          'other',
          l10n.t('The cluster at {0} sent an answer that is not JSON.', context.server ?? '?'),
          context,
          { cause: error },
        );
      }
    } catch (error) {
      throw deadline.signal.aborted ? deadline.error() : toClusterError(error, context);
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Opens a streaming GET (a watch). Resolves with the response once a 2xx status arrives (within
   * the request timeout); the caller reads it and ends it through `signal`.
   */
  async openStream(request: ApiRequest & { signal: AbortSignal }): Promise<IncomingMessage> {
    const context = { ...this.errorContext, ...request.context };
    const deadline = startDeadline(
      request.signal,
      request.timeoutMs ?? this.requestTimeoutMs,
      context,
    );
    try {
      const response = await this.send(request, deadline, request.signal);
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) {
        // The error body is read within the request's timeout too.
        const destroy = () => response.destroy();
        deadline.signal.addEventListener('abort', destroy, { once: true });
        const body = await readBody(response, deadline).finally(() =>
          deadline.signal.removeEventListener('abort', destroy),
        );
        throw new ApiResponseError(status, body.subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8'));
      }
      return response;
    } catch (error) {
      throw deadline.signal.aborted ? deadline.error() : toClusterError(error, context);
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Starts the request: the deadline bounds the wait for the response headers, `responseSignal`
   * destroys the response afterwards (while its body is read).
   */
  private async send(
    request: ApiRequest,
    deadline: Deadline,
    responseSignal: AbortSignal,
  ): Promise<IncomingMessage> {
    const transport = await this.transportOptions();
    const url = this.url(request.path, request.query);
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: http.OutgoingHttpHeaders = {
      ...headerRecord(transport.headers),
      Accept: 'application/json',
      ...(payload === undefined
        ? {}
        : {
            'Content-Type': request.contentType ?? 'application/json',
            'Content-Length': Buffer.byteLength(payload),
          }),
    };
    const requester = url.protocol === 'http:' ? http.request : https.request;
    return new Promise<IncomingMessage>((resolve, reject) => {
      if (deadline.signal.aborted) {
        reject(deadline.error());
        return;
      }
      const req = requester(url, { ...transport, method: request.method, headers }, (response) => {
        stopListening();
        const destroyOnAbort = () => response.destroy();
        if (responseSignal.aborted) {
          response.destroy();
        }
        responseSignal.addEventListener('abort', destroyOnAbort, { once: true });
        response.once('close', () => responseSignal.removeEventListener('abort', destroyOnAbort));
        resolve(response);
      });
      const onAbort = () => {
        req.destroy();
        reject(deadline.error());
      };
      const stopListening = () => deadline.signal.removeEventListener('abort', onAbort);
      deadline.signal.addEventListener('abort', onAbort, { once: true });
      req.on('socket', (socket) => socket.setKeepAlive(true, TCP_KEEPALIVE_MS));
      req.on('error', (error) => {
        stopListening();
        reject(error);
      });
      req.end(payload);
    });
  }

  private credentialError(error: unknown): ClusterError {
    const context = this.errorContext;
    const record = (typeof error === 'object' && error !== null ? error : {}) as {
      code?: unknown;
      path?: unknown;
      syscall?: unknown;
      message?: unknown;
    };
    // A plugin's message may quote what it was given or got (a token, a URL with a password).
    const firstLine = maskSecretShapes(
      String(record.message ?? error)
        .trim()
        .split('\n')[0]
        .slice(0, 300),
    );
    if (typeof record.syscall === 'string' && record.syscall.startsWith('spawn')) {
      return new ClusterError(
        'unauthorized',
        l10n.t(
          'The credential plugin "{0}" of kubeconfig user "{1}" could not be started ({2}).',
          typeof record.path === 'string' ? record.path : record.syscall.slice('spawn '.length),
          context.user ?? '?',
          typeof record.code === 'string' ? record.code : firstLine,
        ),
        context,
        { cause: error },
      );
    }
    if (typeof record.path === 'string' && typeof record.code === 'string') {
      return new ClusterError(
        'badKubeconfig',
        l10n.t(
          'Cannot read {0}, which the kubeconfig names for context "{1}" ({2}).',
          record.path,
          context.context ?? '?',
          record.code,
        ),
        { ...context, file: record.path },
        { cause: error },
      );
    }
    if (/HTTP protocol is not allowed/.test(firstLine)) {
      return new ClusterError(
        'badKubeconfig',
        l10n.t(
          'The cluster of context "{0}" uses http:// without insecure-skip-tls-verify; use https://.',
          context.context ?? '?',
        ),
        context,
        { cause: error },
      );
    }
    return new ClusterError(
      'unauthorized',
      l10n.t(
        'Could not get credentials for kubeconfig user "{0}": {1}',
        context.user ?? '?',
        firstLine,
      ),
      context,
      { cause: error },
    );
  }
}

/** The credential headers client-node set (Authorization, Impersonate-User), as strings. */
export function headerRecord(headers: TransportOptions['headers']): Record<string, string> {
  const record: Record<string, string> = {};
  if (headers === undefined || Array.isArray(headers)) {
    return record;
  }
  for (const [name, value] of Object.entries(headers as http.OutgoingHttpHeaders)) {
    if (value !== undefined) {
      record[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
  }
  return record;
}

/** Reads a whole response body; a connection cut before its end is an error, not a short body. */
export function readBody(response: IncomingMessage, deadline: Deadline): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('end', () => {
      ended = true;
      resolve(Buffer.concat(chunks));
    });
    response.once('error', reject);
    response.once('close', () => {
      if (!ended) {
        reject(
          deadline.signal.aborted
            ? deadline.error()
            : Object.assign(new Error('the response ended early'), { code: 'ECONNRESET' }),
        );
      }
    });
  });
}
