// The exec/attach wire protocol frame by frame, with a bare WebSocket: v4 and v5, resize on
// channel 4, and the Status bodies of refused upgrades.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { WebSocket } from 'ws';
import { parse as parseYaml } from 'yaml';
import { SEED_MANIFEST } from './index';
import { useSandbox } from './testSupport';
import { waitUntil } from '../polling';

interface Session {
  protocol: string;
  /** Output by channel, as text. */
  channels: Map<number, string>;
  send(channel: number, data: string | Buffer): void;
  closed: Promise<void>;
  ws: WebSocket;
}

describe('sandbox exec/attach protocol', function () {
  const sandbox = useSandbox();

  before(async function () {
    const manifest = parseYaml(await readFile(SEED_MANIFEST, 'utf8')) as unknown;
    const created = await sandbox().call('POST', '/api/v1/namespaces/default/pods', manifest);
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });

  function query(
    kind: 'exec' | 'attach',
    params: Record<string, string>,
    command: string[] = [],
  ): string {
    const search = new URLSearchParams(params);
    for (const arg of command) {
      search.append('command', arg);
    }
    return `/api/v1/namespaces/default/pods/nginx/${kind}?${search.toString()}`;
  }

  function open(path: string, protocols: string[], token = sandbox().token): Promise<Session> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(new URL(path, sandbox().url.replace(/^https/, 'wss')), protocols, {
        ca: sandbox().caCert,
        headers: { Authorization: `Bearer ${token}` },
      });
      const channels = new Map<number, string>();
      ws.on('message', (data: Buffer) => {
        channels.set(data[0], (channels.get(data[0]) ?? '') + data.subarray(1).toString());
      });
      const closed = new Promise<void>((done) => ws.on('close', () => done()));
      ws.on('open', () =>
        resolve({
          protocol: ws.protocol,
          channels,
          send: (channel, data) =>
            ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)])),
          closed,
          ws,
        }),
      );
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => reject(Object.assign(new Error(body), { status: res.statusCode })));
      });
      ws.on('error', reject);
    });
  }

  it('speaks v4: output, then the exit status on channel 3', async function () {
    const session = await open(
      query('exec', { container: 'shell', stdout: 'true', stderr: 'true' }, [
        'sh',
        '-c',
        'echo out; echo err >&2; exit 7',
      ]),
      ['v4.channel.k8s.io'],
    );
    assert.equal(session.protocol, 'v4.channel.k8s.io');
    await session.closed;
    assert.equal(session.channels.get(1), 'out\n');
    assert.equal(session.channels.get(2), 'err\n');
    const status = JSON.parse(session.channels.get(3) ?? '{}') as {
      status: string;
      reason: string;
      details: { causes: { reason: string; message: string }[] };
    };
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '7' }]);
  });

  it('prefers v5 and ends stdin on [255, 0]', async function () {
    const session = await open(
      query('exec', { container: 'shell', stdin: 'true', stdout: 'true' }, ['wc', '-c']),
      ['v4.channel.k8s.io', 'v5.channel.k8s.io'],
    );
    assert.equal(session.protocol, 'v5.channel.k8s.io');
    session.send(0, 'twelve bytes');
    session.send(255, Buffer.from([0]));
    await session.closed;
    assert.equal(session.channels.get(1)?.trim(), '12');
    assert.deepEqual(JSON.parse(session.channels.get(3) ?? '{}'), {
      metadata: {},
      status: 'Success',
    });
  });

  it('resizes the terminal on channel 4', async function () {
    const session = await open(
      query('exec', { container: 'shell', stdin: 'true', stdout: 'true', tty: 'true' }, [
        'sh',
        '-c',
        'while read line; do stty size; done',
      ]),
      ['v5.channel.k8s.io'],
    );
    session.send(4, JSON.stringify({ Width: 123, Height: 45 }));
    // podman passes the size on asynchronously: ask `stty` until it reports it.
    let polls = 0;
    await waitUntil(
      () => {
        if (/45 123/.test(session.channels.get(1) ?? '')) {
          return true;
        }
        if (polls++ % 5 === 0) {
          session.send(0, '\r');
        }
        return undefined;
      },
      () => `45 123 in: ${session.channels.get(1) ?? ''}`,
    );
    // On a tty, closing stdin is end-of-file for the shell's `read`: the command ends.
    session.send(255, Buffer.from([0]));
    await session.closed;
    assert.equal(
      (JSON.parse(session.channels.get(3) ?? '{}') as { status: string }).status,
      'Success',
    );
  });

  it('answers a forbidden exec with a Forbidden Status naming verb and resource', async function () {
    await sandbox().setFaults({ forbidExec: true });
    try {
      await assert.rejects(
        open(query('attach', { container: 'shell', stdout: 'true' }), ['v5.channel.k8s.io']),
        (error: Error & { status?: number }) => {
          assert.equal(error.status, 403);
          const status = JSON.parse(error.message) as {
            reason: string;
            message: string;
            code: number;
          };
          assert.equal(status.reason, 'Forbidden');
          assert.equal(status.code, 403);
          assert.equal(
            status.message,
            'pods "nginx" is forbidden: User "sandbox" cannot get resource "pods/attach" in API group "" in the namespace "default"',
          );
          return true;
        },
      );
    } finally {
      await sandbox().setFaults({ forbidExec: false });
    }
  });

  it('answers a wrong token with 401 and a container that does not exist with 400', async function () {
    await assert.rejects(
      open(
        query('exec', { container: 'shell', stdout: 'true' }, ['true']),
        ['v5.channel.k8s.io'],
        'wrong',
      ),
      {
        status: 401,
      },
    );
    await assert.rejects(
      open(query('exec', { container: 'nope', stdout: 'true' }, ['true']), ['v5.channel.k8s.io']),
      (error: Error & { status?: number }) => {
        assert.equal(error.status, 400);
        assert.match(error.message, /container nope is not valid for pod nginx/);
        return true;
      },
    );
  });
});
