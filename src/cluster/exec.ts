// The exec helper (run an argv, collect or stream its output, feed stdin, get the exit code) and
// the streaming channel for terminals; both on ExecSocket.
import * as l10n from '@vscode/l10n';
import { ClusterError, outputTooLargeError, type ClusterErrorContext } from './clusterErrors';
import { startDeadline, type ClusterConnection } from './connection';
import type { ExecProtocol } from './execProtocol';
import { ExecSocket, type ExecEnd } from './execSocket';

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  /** The argv, passed item by item: never shell text (use `sh -c 'script' sh "$arg"`). */
  command: readonly string[];
  /**
   * Bytes for the command's stdin, ended after them on v5. v4 cannot end stdin: there the
   * command must stop reading by itself (a known byte count, `head -c N`), or it runs into the
   * timeout. `ExecResult.protocol` and `protocols` tell and choose.
   */
  stdin?: Uint8Array;
  /** For the whole command, connection included (default: the session's request timeout). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * The most stdout and stderr this exec may collect (default DEFAULT_EXEC_OUTPUT_BYTES): past it
   * the socket is closed at once, which ends the command in the container (its next write meets
   * a closed pipe), and the exec fails with a `tooLarge` error. Streamed output is its
   * consumer's to bound.
   */
  maxOutputBytes?: number;
  /** Streams stdout instead of collecting it into the result. */
  onStdout?: (chunk: Buffer) => void;
  /** Streams stderr instead of collecting it into the result. */
  onStderr?: (chunk: Buffer) => void;
  /** Subprotocols to offer, in order of preference (default: v5, then v4). */
  protocols?: readonly ExecProtocol[];
}

export interface ExecResult {
  exitCode: number;
  /** Empty when `onStdout` streamed it. */
  stdout: Buffer;
  /** Empty when `onStderr` streamed it. */
  stderr: Buffer;
  protocol: ExecProtocol;
}

/** What an exec may collect unless its caller says otherwise: a container cannot flood the editor. */
export const DEFAULT_EXEC_OUTPUT_BYTES = 16 * 1024 * 1024;

export async function runExec(
  connection: ClusterConnection,
  request: ExecRequest,
  defaultTimeoutMs: number,
): Promise<ExecResult> {
  const context: ClusterErrorContext = {
    ...connection.errorContext,
    verb: 'create',
    resource: 'pods',
    subresource: 'exec',
    namespace: request.namespace,
    name: request.pod,
    container: request.container,
  };
  if (request.command.length === 0) {
    throw new ClusterError('invalid', l10n.t('An exec needs a command.'), context);
  }
  const deadline = startDeadline(request.signal, request.timeoutMs ?? defaultTimeoutMs, context);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const maxOutputBytes = request.maxOutputBytes ?? DEFAULT_EXEC_OUTPUT_BYTES;
  let collected = 0;
  let overflowed = false;
  let settle: (end: ExecEnd) => void = () => undefined;
  const ended = new Promise<ExecEnd>((resolve) => (settle = resolve));
  let socket: ExecSocket | undefined;
  const onAbort = () => socket?.terminate(deadline.error());
  const collect = (into: Buffer[]) => (chunk: Buffer) => {
    if (overflowed) {
      return;
    }
    collected += chunk.length;
    if (collected > maxOutputBytes) {
      overflowed = true;
      stdout.length = 0;
      stderr.length = 0;
      socket?.terminate(outputTooLargeError(context, maxOutputBytes));
      return;
    }
    into.push(chunk);
  };
  try {
    socket = await ExecSocket.connect(
      connection,
      {
        namespace: request.namespace,
        pod: request.pod,
        container: request.container,
        command: request.command,
        stdin: request.stdin !== undefined,
        tty: false,
        protocols: request.protocols,
      },
      {
        stdout: request.onStdout ?? collect(stdout),
        stderr: request.onStderr ?? collect(stderr),
        end: settle,
      },
      deadline.signal,
      0,
    );
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    if (deadline.signal.aborted) {
      onAbort();
    }
    if (request.stdin) {
      socket.write(request.stdin);
      socket.closeStdin();
    }
    const end = await ended;
    if (end.error) {
      throw end.error;
    }
    return {
      exitCode: end.exitCode,
      stdout: Buffer.concat(stdout),
      stderr: Buffer.concat(stderr),
      protocol: socket.protocol,
    };
  } catch (error) {
    // connect() saw only our signal abort; whether that was the timeout is the deadline's to say.
    if (error instanceof ClusterError && error.kind === 'cancelled' && deadline.signal.aborted) {
      throw deadline.error();
    }
    throw error;
  } finally {
    deadline.signal.removeEventListener('abort', onAbort);
    deadline.dispose();
  }
}

export interface ExecChannelRequest {
  namespace: string;
  pod: string;
  container: string;
  /** The argv to run; absent to attach to the container's main process. */
  command?: readonly string[];
  stdin: boolean;
  tty: boolean;
  /** Cancels opening, and closes the channel once open. */
  signal?: AbortSignal;
  /** Subprotocols to offer, in order of preference (default: v5, then v4). */
  protocols?: readonly ExecProtocol[];
}

export interface ExecChannelResult {
  exitCode?: number;
  error?: ClusterError;
}

export interface Disposable {
  dispose(): void;
}

/** A live exec or attach session, for a terminal. */
export interface ExecChannel {
  readonly protocol: ExecProtocol;
  write(data: Uint8Array | string): void;
  /** Sends the terminal size (channel 4); ignored without a tty. */
  resize(columns: number, rows: number): void;
  /** Ends stdin (v5 only; v4 cannot). */
  closeStdin(): void;
  /** Closes the session; onClose reports the exit code if it came, else `cancelled`. */
  close(): void;
  onStdout(listener: (chunk: Buffer) => void): Disposable;
  onStderr(listener: (chunk: Buffer) => void): Disposable;
  /** Fires once, when the session has ended. */
  onClose(listener: (result: ExecChannelResult) => void): Disposable;
}

/** An event that keeps what fires before anyone listens, and hands it to the first listener. */
class BufferedEvent<T> {
  private readonly listeners = new Set<(value: T) => void>();
  private pending: T[] | undefined = [];

  fire(value: T): void {
    if (this.pending) {
      this.pending.push(value);
      return;
    }
    for (const listener of [...this.listeners]) {
      listener(value);
    }
  }

  subscribe(listener: (value: T) => void): Disposable {
    this.listeners.add(listener);
    const pending = this.pending;
    this.pending = undefined;
    for (const value of pending ?? []) {
      listener(value);
    }
    return { dispose: () => this.listeners.delete(listener) };
  }
}

export async function openExecChannel(
  connection: ClusterConnection,
  request: ExecChannelRequest,
): Promise<ExecChannel> {
  const stdout = new BufferedEvent<Buffer>();
  const stderr = new BufferedEvent<Buffer>();
  const closed = new BufferedEvent<ExecChannelResult>();
  // Filled in once connected; the end handler may run before connect() returns.
  const live: { socket?: ExecSocket; ended?: boolean } = {};
  const onAbort = () =>
    live.socket?.terminate(
      new ClusterError('cancelled', l10n.t('The operation was cancelled.'), {
        ...connection.errorContext,
        namespace: request.namespace,
        name: request.pod,
        container: request.container,
      }),
    );
  const session = await ExecSocket.connect(
    connection,
    {
      namespace: request.namespace,
      pod: request.pod,
      container: request.container,
      command: request.command,
      stdin: request.stdin,
      tty: request.tty,
      protocols: request.protocols,
    },
    {
      stdout: (chunk) => stdout.fire(chunk),
      stderr: (chunk) => stderr.fire(chunk),
      end: (end) => {
        live.ended = true;
        request.signal?.removeEventListener('abort', onAbort);
        closed.fire(end.error ? { error: end.error } : { exitCode: end.exitCode });
      },
    },
    request.signal,
    connection.requestTimeoutMs,
  );
  live.socket = session;
  if (!live.ended) {
    request.signal?.addEventListener('abort', onAbort, { once: true });
    if (request.signal?.aborted) {
      onAbort();
    }
  }
  return {
    protocol: session.protocol,
    write: (data) => session.write(data),
    resize: (columns, rows) => session.resize(columns, rows),
    closeStdin: () => session.closeStdin(),
    close: () => session.close(),
    onStdout: (listener) => stdout.subscribe(listener),
    onStderr: (listener) => stderr.subscribe(listener),
    onClose: (listener) => closed.subscribe(listener),
  };
}
