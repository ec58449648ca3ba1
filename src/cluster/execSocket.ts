// One exec or attach session over our own WebSocket: the upgrade (with the kubeconfig's TLS and
// credentials), frame dispatch, stdin with backpressure, resize, keep-alive pings, and how the
// session ended. Both `exec` and `openExecChannel` run on this.
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import {
  ApiResponseError,
  ClusterError,
  isMissingExecutableMessage,
  noShellError,
  parseStatus,
  toClusterError,
  truncatedError,
  type ClusterErrorContext,
} from './clusterErrors';
import { headerRecord, startDeadline, type ClusterConnection } from './connection';
import {
  Channel,
  closeStdinFrame,
  decodeFrame,
  encodeFrame,
  EXEC_PROTOCOLS,
  execQuery,
  parseExecStatus,
  resizeFrame,
  type ExecProtocol,
  type ExecStatus,
} from './execProtocol';
import * as l10n from '@vscode/l10n';

const STDIN_CHUNK_BYTES = 64 * 1024;
/** Stdin waits while more than this is queued in the socket (ws has no 'drain' event). */
const STDIN_HIGH_WATER_BYTES = 1024 * 1024;
const PING_INTERVAL_MS = 30_000;
/** How long a polite close may take before the socket is cut. */
const CLOSE_GRACE_MS = 5_000;
/** Enough of stderr to recognise a runtime's "executable file not found" message. */
const STDERR_HEAD_BYTES = 4096;
const MAX_UPGRADE_ERROR_BYTES = 64 * 1024;

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
  /** The argv to run; absent to attach to the container's main process. */
  command?: readonly string[];
  stdin: boolean;
  tty: boolean;
  /** Subprotocols to offer, in order of preference (default: v5, then v4). */
  protocols?: readonly ExecProtocol[];
}

/** How a session ended: the command's exit code, or why there is none. */
export type ExecEnd = { exitCode: number; error?: undefined } | { error: ClusterError };

export interface ExecHandlers {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  end(result: ExecEnd): void;
}

type StdinItem = Uint8Array | 'end';

export class ExecSocket {
  private opened = false;
  private status: ExecStatus | undefined;
  private endReason: ClusterError | undefined;
  private lastError: unknown;
  private ended = false;
  private markEnded: () => void = () => undefined;
  /** Resolves when the session has ended: a stdin wait must not outlive the socket. */
  private readonly endedPromise = new Promise<void>((resolve) => (this.markEnded = resolve));
  private stderrHead = Buffer.alloc(0);
  private readonly stdinQueue: StdinItem[] = [];
  private pumping = false;
  private lastFlush: Promise<void> = Promise.resolve();
  private lastActivity = Date.now();
  private awaitingPong = false;
  private pinger: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;

  /**
   * Listens from before the upgrade completes: the first frames (even the status and the close of
   * a command that ends at once) may arrive with the upgrade response.
   */
  private constructor(
    private readonly ws: WebSocket,
    private readonly target: ExecTarget,
    private readonly context: ClusterErrorContext,
    private readonly handlers: ExecHandlers,
  ) {
    ws.once('open', () => {
      this.opened = true;
      this.pinger = setInterval(() => this.keepAlive(), PING_INTERVAL_MS);
      this.pinger.unref();
    });
    ws.on('message', (data: WebSocket.RawData) => this.onMessage(data));
    ws.on('pong', () => {
      this.awaitingPong = false;
    });
    ws.on('error', (error) => {
      this.lastError = error;
    });
    ws.on('close', () => this.finish());
  }

  get protocol(): ExecProtocol {
    return EXEC_PROTOCOLS.find((p) => p === this.ws.protocol) ?? 'v4.channel.k8s.io';
  }

  /**
   * Upgrades to a WebSocket within `timeoutMs`, honouring `signal`. Resolves once the session is
   * open; a refused upgrade is a ClusterError (a 403 names the verb and pods/exec).
   */
  static async connect(
    connection: ClusterConnection,
    target: ExecTarget,
    handlers: ExecHandlers,
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<ExecSocket> {
    const context: ClusterErrorContext = {
      ...connection.errorContext,
      verb: 'create',
      resource: 'pods',
      subresource: target.command ? 'exec' : 'attach',
      namespace: target.namespace,
      name: target.pod,
      container: target.container,
    };
    const deadline = startDeadline(signal, timeoutMs, context);
    const offered = target.protocols?.length ? target.protocols : EXEC_PROTOCOLS;
    const attempt = async (protocols: readonly ExecProtocol[]) => {
      const ws = await createWebSocket(connection, target, protocols);
      const session = new ExecSocket(ws, target, context, handlers);
      await waitForOpen(ws, deadline.signal);
      return session;
    };
    try {
      try {
        return await attempt(offered);
      } catch (error) {
        // Servers before 1.30 may refuse an offer that includes v5 (often as a bare 403 that is
        // not RBAC's Status): ask again with v4 alone.
        if (!isOldServerRefusal(error) || !offered.includes('v4.channel.k8s.io')) {
          throw error;
        }
        return await attempt(['v4.channel.k8s.io']);
      }
    } catch (error) {
      throw deadline.signal.aborted ? deadline.error() : toClusterError(error, context);
    } finally {
      deadline.dispose();
    }
  }

  /** Queues stdin; it is sent in order, waiting while the socket's buffer is above the mark. */
  write(data: Uint8Array | string): void {
    if (!this.target.stdin || this.ended) {
      return;
    }
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let offset = 0; offset < bytes.length; offset += STDIN_CHUNK_BYTES) {
      this.stdinQueue.push(bytes.subarray(offset, offset + STDIN_CHUNK_BYTES));
    }
    void this.pump();
  }

  /**
   * Ends stdin after what was written. v5 sends [255, 0]; v4 has no way to do it, so on v4 this
   * does nothing and the command must stop reading by itself (a known byte count, `head -c N`).
   */
  closeStdin(): void {
    if (this.target.stdin && !this.ended) {
      this.stdinQueue.push('end');
      void this.pump();
    }
  }

  resize(columns: number, rows: number): void {
    if (this.target.tty) {
      void this.send(resizeFrame(columns, rows));
    }
  }

  /** Asks the server to close; the session ends as cancelled unless the status already came. */
  close(): void {
    if (this.ended || this.closeTimer) {
      return;
    }
    this.endReason ??= new ClusterError(
      'cancelled',
      l10n.t('The session was closed.'),
      this.context,
    );
    this.ws.close(1000);
    this.closeTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
    this.closeTimer.unref();
  }

  /** Cuts the connection at once; the session ends with `reason` unless the status already came. */
  terminate(reason: ClusterError): void {
    if (this.ended) {
      return;
    }
    this.endReason ??= reason;
    this.ws.terminate();
  }

  private onMessage(data: WebSocket.RawData): void {
    this.lastActivity = Date.now();
    this.awaitingPong = false;
    const message = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    const frame = decodeFrame(message);
    // Servers open each channel with an empty frame; unknown channels are ignored, not fatal.
    if (!frame || frame.payload.length === 0) {
      return;
    }
    switch (frame.channel) {
      case Channel.stdout:
        this.handlers.stdout(frame.payload);
        break;
      case Channel.stderr:
        if (this.stderrHead.length < STDERR_HEAD_BYTES) {
          this.stderrHead = Buffer.concat([this.stderrHead, frame.payload]).subarray(
            0,
            STDERR_HEAD_BYTES,
          );
        }
        this.handlers.stderr(frame.payload);
        break;
      case Channel.status:
        this.status = parseExecStatus(frame.payload);
        break;
    }
  }

  private send(frame: Buffer): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) {
      return Promise.resolve();
    }
    this.lastActivity = Date.now();
    const flushed = new Promise<void>((resolve) => this.ws.send(frame, () => resolve()));
    this.lastFlush = flushed;
    return flushed;
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      return;
    }
    this.pumping = true;
    try {
      for (let item = this.stdinQueue.shift(); item !== undefined; item = this.stdinQueue.shift()) {
        while (
          this.ws.readyState === WebSocket.OPEN &&
          this.ws.bufferedAmount > STDIN_HIGH_WATER_BYTES
        ) {
          await Promise.race([this.lastFlush, this.endedPromise]);
        }
        if (this.ws.readyState !== WebSocket.OPEN) {
          this.stdinQueue.length = 0;
          break;
        }
        if (item === 'end') {
          if (this.protocol === 'v5.channel.k8s.io') {
            void this.send(closeStdinFrame());
          }
        } else {
          void this.send(encodeFrame(Channel.stdin, item));
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Pings an idle session (proxies and load balancers cut quiet connections); no pong is fatal. */
  private keepAlive(): void {
    if (this.awaitingPong) {
      this.terminate(
        new ClusterError(
          'unreachable',
          l10n.t(
            'The connection to the cluster at {0} stopped answering.',
            this.context.server ?? '?',
          ),
          this.context,
        ),
      );
      return;
    }
    if (
      this.ws.readyState === WebSocket.OPEN &&
      Date.now() - this.lastActivity >= PING_INTERVAL_MS - 1000
    ) {
      this.awaitingPong = true;
      this.ws.ping();
    }
  }

  private finish(): void {
    // A failed upgrade is reported by connect(), not as the end of a session.
    if (!this.opened || this.ended) {
      return;
    }
    this.ended = true;
    this.markEnded();
    clearInterval(this.pinger);
    clearTimeout(this.closeTimer);
    this.stdinQueue.length = 0;
    let result: ExecEnd;
    if (this.status) {
      result = this.fromStatus(this.status);
    } else if (this.endReason) {
      result = { error: this.endReason };
    } else {
      result = { error: truncatedError(this.context, this.lastError) };
    }
    this.handlers.end(result);
  }

  private fromStatus(status: ExecStatus): ExecEnd {
    const command = this.target.command;
    if ('exitCode' in status) {
      const stderr = this.stderrHead.toString('utf8');
      // Some runtimes report a missing executable as exit 126/127 with their message on stderr.
      if (
        (status.exitCode === 126 || status.exitCode === 127) &&
        isMissingExecutableMessage(stderr)
      ) {
        return { error: noShellError(this.context, stderr, command, status.exitCode) };
      }
      return { exitCode: status.exitCode };
    }
    const message = status.failure.message ?? '';
    if (isMissingExecutableMessage(message)) {
      return { error: noShellError(this.context, message, command) };
    }
    return { error: toClusterError(status.failure, this.context) };
  }
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

function isOldServerRefusal(error: unknown): boolean {
  return (
    error instanceof ApiResponseError &&
    (error.httpStatus === 403 || error.httpStatus === 400) &&
    parseStatus(error.body) === undefined
  );
}

async function createWebSocket(
  connection: ClusterConnection,
  target: ExecTarget,
  protocols: readonly ExecProtocol[],
): Promise<WebSocket> {
  const transport = await connection.transportOptions();
  const url = connection.url(
    `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(
      target.pod,
    )}/${target.command ? 'exec' : 'attach'}`,
    execQuery(target),
  );
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  const headers = headerRecord(transport.headers);
  // TLS material (ca, cert, key, servername, rejectUnauthorized), basic auth and a proxy agent.
  const tls: Record<string, unknown> = { ...transport };
  delete tls.headers;
  delete tls.method;
  delete tls.timeout;
  return new WebSocket(url, [...protocols], {
    ...(tls as WebSocket.ClientOptions),
    headers,
    perMessageDeflate: false,
    followRedirects: false,
  });
}

/** Resolves on 'open'; a refused upgrade rejects with the response as an ApiResponseError. */
function waitForOpen(ws: WebSocket, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: unknown) => {
      if (settled) {
        return;
      }
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (error === undefined) {
        resolve();
      } else {
        ws.terminate();
        reject(asError(error));
      }
    };
    const onAbort = () => settle(signal.reason ?? new Error('aborted'));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    ws.on('error', (error) => settle(error));
    ws.once('open', () => settle());
    ws.once('unexpected-response', (_request, response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < MAX_UPGRADE_ERROR_BYTES) {
          chunks.push(chunk);
          size += chunk.length;
        }
      });
      const done = () =>
        settle(
          new ApiResponseError(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')),
        );
      response.once('end', done);
      response.once('error', done);
      response.once('close', done);
    });
  });
}
