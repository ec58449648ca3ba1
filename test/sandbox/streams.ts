// pods/exec and pods/attach over WebSocket (v4/v5.channel.k8s.io), backed by `podman exec` and
// `podman attach`. Every frame's first byte is its channel: 0 stdin, 1 stdout, 2 stderr,
// 3 status, 4 resize, 255 close (v5: [255, 0] ends stdin, output and status still follow).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { WebSocket } from 'ws';
import type { Faults } from './faults';
import { podmanEnv } from './podman';
import { exitStatus } from './status';

export const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

const PTY_HELPER = fileURLToPath(new URL('ptyHelper.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

export interface StreamOptions {
  kind: 'exec' | 'attach';
  /** The podman container name. */
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The podman argv for an exec or attach; the command stays separate arguments after `--`. */
function podmanArgs(options: StreamOptions): string[] {
  if (options.kind === 'exec') {
    const flags = [...(options.stdin ? ['-i'] : []), ...(options.tty ? ['-t'] : [])];
    return ['exec', ...flags, '--', options.container, ...options.command];
  }
  // No detach keys (a typed ^P^Q must reach the container) and no signal proxying (ending
  // this client must not signal the container's process).
  return [
    'attach',
    '--detach-keys=',
    '--sig-proxy=false',
    ...(options.stdin ? [] : ['--no-stdin']),
    options.container,
  ];
}

/**
 * Spawns podman for the stream. With a tty, podman needs a terminal: it runs under ptyHelper.py,
 * which owns the pty and takes resizes on fd 3.
 */
function spawnStream(
  options: StreamOptions,
  size?: { Width: number; Height: number },
): ChildProcess {
  const args = podmanArgs(options);
  if (!options.tty) {
    return spawn('podman', args, { env: podmanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  }
  return spawn(PYTHON, [PTY_HELPER, 'podman', ...args], {
    env: {
      ...podmanEnv(),
      PPE_PTY_COLUMNS: String(size?.Width ?? 80),
      PPE_PTY_ROWS: String(size?.Height ?? 24),
      PPE_PTY_CONTROL_FD: '3',
    },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
}

export function serveStream(
  ws: WebSocket,
  options: StreamOptions,
  faults: () => Faults,
  log: (line: string) => void,
): void {
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const child = spawnStream(options);
  const control = child.stdio[3] as Writable | null | undefined;
  let sent = 0;
  let received = 0;
  let dropped = false;
  let exited = false;

  // The faults: the connection dies mid-stream, with no close frame and no status.
  const drop = () => {
    dropped = true;
    ws.terminate();
    child.kill('SIGKILL');
  };

  const send = (channel: number, data: Buffer) => {
    if (dropped || ws.readyState !== ws.OPEN) {
      return;
    }
    const limit = faults().dropExecAfterBytes;
    let chunk = data;
    const cut = limit > 0 && sent + chunk.length >= limit;
    if (cut) {
      chunk = chunk.subarray(0, limit - sent);
    }
    sent += chunk.length;
    ws.send(Buffer.concat([Buffer.from([channel]), chunk]));
    if (cut) {
      drop();
    }
  };

  /** Passes stdin on, up to the stdin fault's mark, where the connection dies. */
  const receiveStdin = (data: Buffer) => {
    const limit = options.kind === 'exec' ? faults().dropExecAfterStdinBytes : 0;
    const cut = limit > 0 && received + data.length >= limit;
    const chunk = cut ? data.subarray(0, limit - received) : data;
    received += chunk.length;
    child.stdin?.write(chunk);
    if (cut) {
      drop();
    }
  };

  child.stdout?.on('data', (chunk: Buffer) => {
    if (options.stdout || options.tty) {
      send(1, chunk);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    if (options.tty) {
      log(`pty helper: ${chunk.toString().trim()}`);
    } else if (options.stderr) {
      send(2, chunk);
    }
  });
  child.stdin?.on('error', () => undefined);
  control?.on('error', () => undefined);

  child.on('error', (error) => {
    log(`${options.kind} failed to start: ${error.message}`);
  });
  child.on('close', (code, signal) => {
    exited = true;
    if (dropped || ws.readyState !== ws.OPEN) {
      return;
    }
    const rc = code ?? (signal ? 128 + 9 : 1);
    ws.send(
      Buffer.concat([
        Buffer.from([3]),
        Buffer.from(
          JSON.stringify(exitStatus(rc, options.kind === 'exec' ? options.command : ['attach'])),
        ),
      ]),
    );
    ws.close(1000);
  });

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const frame = isBinary ? data : Buffer.from(data);
    if (frame.length === 0) {
      return;
    }
    const channel = frame[0];
    const payload = frame.subarray(1);
    if (dropped) {
      return;
    }
    if (channel === 0 && options.stdin) {
      receiveStdin(payload);
    } else if (channel === 4 && options.tty) {
      try {
        const size = JSON.parse(payload.toString()) as { Width: number; Height: number };
        control?.write(`${JSON.stringify({ Width: size.Width, Height: size.Height })}\n`);
      } catch {
        log('ignored a malformed resize frame');
      }
    } else if (channel === 255 && v5 && payload[0] === 0) {
      child.stdin?.end();
    }
  });
  ws.on('close', () => {
    if (!exited) {
      // The remote process is not killed by a client leaving (as with a real kubelet); only our
      // podman client goes. Under the pty helper, SIGTERM makes it SIGKILL podman.
      child.kill(options.tty ? 'SIGTERM' : 'SIGKILL');
    }
  });
}
