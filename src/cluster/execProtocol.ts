// The channel.k8s.io WebSocket protocol of pods/exec and pods/attach, as pure functions: every
// binary frame starts with its channel byte (0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize,
// 255 close on v5), and channel 3 carries a metav1.Status once the command has ended.
import type { StatusObject } from './clusterErrors';

/** In order of preference. v5 can end stdin ([255, 0]); v4 cannot. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
export type ExecProtocol = (typeof EXEC_PROTOCOLS)[number];

export const Channel = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  status: 3,
  resize: 4,
  close: 255,
} as const;

export interface Frame {
  channel: number;
  payload: Buffer;
}

export function encodeFrame(channel: number, data: Uint8Array | string): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const frame = Buffer.allocUnsafe(payload.length + 1);
  frame[0] = channel;
  frame.set(payload, 1);
  return frame;
}

/** Splits a message into channel and payload; an empty message carries nothing. */
export function decodeFrame(message: Buffer): Frame | undefined {
  if (message.length === 0) {
    return undefined;
  }
  return { channel: message[0], payload: message.subarray(1) };
}

export function resizeFrame(columns: number, rows: number): Buffer {
  const size = (value: number) => Math.min(0xffff, Math.max(1, Math.floor(value) || 1));
  return encodeFrame(Channel.resize, JSON.stringify({ Width: size(columns), Height: size(rows) }));
}

/** v5's half-close of stdin: the command sees end of input, output and status still follow. */
export function closeStdinFrame(): Buffer {
  return Buffer.from([Channel.close, Channel.stdin]);
}

/** How the command ended, from the channel-3 Status. */
export type ExecStatus = { exitCode: number } | { failure: StatusObject };

export function parseExecStatus(payload: Buffer): ExecStatus {
  const text = payload.toString('utf8');
  let status: StatusObject;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) {
      return { failure: { status: 'Failure', message: text } };
    }
    status = value;
  } catch {
    return { failure: { status: 'Failure', message: text } };
  }
  if (status.status === 'Success') {
    return { exitCode: 0 };
  }
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const exitCode = Number(cause?.message);
    if (Number.isInteger(exitCode)) {
      return { exitCode };
    }
  }
  return { failure: status };
}

export interface ExecQuery {
  /** Absent for attach. */
  command?: readonly string[];
  container: string;
  stdin: boolean;
  tty: boolean;
}

/** One `command=` per argv item: the argv reaches the container verbatim, never as shell text. */
export function execQuery(query: ExecQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const argument of query.command ?? []) {
    params.append('command', argument);
  }
  params.set('container', query.container);
  params.set('stdin', String(query.stdin));
  params.set('stdout', 'true');
  // With a tty the server merges stderr into stdout.
  params.set('stderr', String(!query.tty));
  params.set('tty', String(query.tty));
  return params;
}
