// The extension's cluster layer (src/cluster) against the sandbox: exec, exec channels, the pod
// watch, access reviews, and the errors each failure maps to.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import {
  addDebugContainer,
  checkDebugAccess,
  ClusterError,
  ClusterSession,
  loadKubeconfig,
  type ClusterErrorKind,
  type ExecChannel,
  type ExecChannelResult,
  type PodChangeType,
  type PodWatchListener,
} from '../../src/cluster';
import type { StartState } from '../../src/processes/debugContainer';
import { kubectl, useSandbox } from './testSupport';
import { waitUntil } from '../polling';

const NS = 'cluster-layer';
const SHELL = { namespace: 'default', pod: 'nginx', container: 'shell' };
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/** A printf format that writes `bytes` (octal escapes: busybox and dash printf both read them). */
function printfFormat(bytes: Buffer): string {
  return [...bytes].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
}

function isClusterError(kind: ClusterErrorKind, pattern?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ClusterError, `not a ClusterError: ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (pattern) {
      assert.match(error.message, pattern);
    }
    return true;
  };
}

/** The podman clients serving exec sessions whose argv contains `marker`. */
async function podmanExecClients(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const argv = await readFile(`/proc/${entry}/cmdline`, 'utf8')
      .then((text) => text.split('\0'))
      .catch((): string[] => []);
    if (
      argv[0]?.endsWith('podman') &&
      argv.includes('exec') &&
      argv.some((a) => a.includes(marker))
    ) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

/** Keeps the pods a watch reports, and every inconsistency in what it reports. */
class PodModel implements PodWatchListener {
  readonly pods = new Map<string, V1Pod>();
  readonly changes: { type: PodChangeType; name: string }[] = [];
  readonly errors: { error: ClusterError; retryInMs: number }[] = [];
  readonly problems: string[] = [];
  snapshots = 0;
  /** Listener calls after dispose() must never come. */
  disposed = false;

  onSnapshot(pods: V1Pod[]): void {
    this.check('snapshot');
    this.snapshots += 1;
    this.pods.clear();
    for (const pod of pods) {
      const uid = pod.metadata?.uid ?? '';
      if (this.pods.has(uid)) {
        this.problems.push(`duplicate uid ${uid} in a snapshot`);
      }
      this.pods.set(uid, pod);
    }
  }

  onChange(type: PodChangeType, pod: V1Pod): void {
    this.check(type);
    const uid = pod.metadata?.uid ?? '';
    const name = pod.metadata?.name ?? '';
    this.changes.push({ type, name });
    if (type === 'ADDED' && this.pods.has(uid)) {
      this.problems.push(`ADDED ${name} twice`);
    }
    if (type !== 'ADDED' && !this.pods.has(uid)) {
      this.problems.push(`${type} ${name} never added`);
    }
    if (!(pod.metadata?.creationTimestamp instanceof Date)) {
      this.problems.push(`${name}: creationTimestamp is not a Date`);
    }
    if (type === 'DELETED') {
      this.pods.delete(uid);
    } else {
      this.pods.set(uid, pod);
    }
  }

  onError(error: ClusterError, retryInMs: number): void {
    this.check('error');
    this.errors.push({ error, retryInMs });
  }

  names(): string[] {
    return [...this.pods.values()].map((pod) => pod.metadata?.name ?? '').sort();
  }

  private check(what: string): void {
    if (this.disposed) {
      this.problems.push(`${what} after dispose`);
    }
  }
}

describe('cluster layer against the sandbox', function () {
  const sandbox = useSandbox({ seed: true });
  let session: ClusterSession;

  before(async function () {
    const loaded = loadKubeconfig([sandbox().kubeconfigPath]);
    session = new ClusterSession(loaded, 'sandbox');
    const created = await sandbox().call('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });

  after(function () {
    session?.dispose();
  });

  async function podNames(): Promise<string[]> {
    const got = await kubectl(sandbox(), ['get', 'pods', '-n', NS, '-o', 'json']);
    assert.equal(got.code, 0, got.stderr);
    return (JSON.parse(got.stdout) as { items: V1Pod[] }).items
      .map((pod) => pod.metadata?.name ?? '')
      .sort();
  }

  async function createPod(name: string): Promise<void> {
    const run = await kubectl(sandbox(), [
      'run',
      name,
      '-n',
      NS,
      '--image=busybox',
      '--restart=Never',
      '--',
      'sleep',
      '3600',
    ]);
    assert.equal(run.code, 0, run.stderr);
  }

  async function deletePod(name: string): Promise<void> {
    const run = await kubectl(sandbox(), ['delete', 'pod', name, '-n', NS]);
    assert.equal(run.code, 0, run.stderr);
  }

  describe('exec', function () {
    it('returns the exit codes of true, false and exit 3', async function () {
      const ok = await session.exec({ ...SHELL, command: ['true'] });
      assert.equal(ok.exitCode, 0);
      assert.equal(ok.protocol, 'v5.channel.k8s.io');
      assert.equal((await session.exec({ ...SHELL, command: ['false'] })).exitCode, 1);
      assert.equal((await session.exec({ ...SHELL, command: ['sh', '-c', 'exit 3'] })).exitCode, 3);
    });

    it('keeps stdout and stderr apart, every byte value intact, collected or streamed', async function () {
      const reversed = Buffer.from(ALL_BYTES).reverse();
      const command = [
        'sh',
        '-c',
        `printf '${printfFormat(ALL_BYTES)}'; printf '${printfFormat(reversed)}' >&2`,
      ];
      const collected = await session.exec({ ...SHELL, command });
      assert.equal(collected.exitCode, 0);
      assert.deepEqual(collected.stdout, ALL_BYTES);
      assert.deepEqual(collected.stderr, reversed);

      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const streamed = await session.exec({
        ...SHELL,
        command,
        onStdout: (chunk) => out.push(chunk),
        onStderr: (chunk) => err.push(chunk),
      });
      assert.deepEqual(Buffer.concat(out), ALL_BYTES);
      assert.deepEqual(Buffer.concat(err), reversed);
      assert.equal(streamed.stdout.length + streamed.stderr.length, 0);
    });

    it('feeds megabytes of stdin, ended on v5, that sha256sum, md5sum and wc -c agree on', async function () {
      const stdin = randomBytes(3 * 1024 * 1024 + 17);
      const digest = (algorithm: string) => createHash(algorithm).update(stdin).digest('hex');
      const sha = await session.exec({ ...SHELL, command: ['sha256sum'], stdin });
      assert.equal(sha.stdout.toString().split(' ')[0], digest('sha256'));
      const md5 = await session.exec({ ...SHELL, command: ['md5sum'], stdin });
      assert.equal(md5.stdout.toString().split(' ')[0], digest('md5'));
      const count = await session.exec({ ...SHELL, command: ['wc', '-c'], stdin });
      assert.equal(count.stdout.toString().trim(), String(stdin.length));
      assert.equal(count.protocol, 'v5.channel.k8s.io');
    });

    it('falls back to v4 when only v4 is offered; stdin there needs a known byte count', async function () {
      const v4 = ['v4.channel.k8s.io'] as const;
      const exited = await session.exec({
        ...SHELL,
        command: ['sh', '-c', 'exit 3'],
        protocols: v4,
      });
      assert.equal(exited.protocol, 'v4.channel.k8s.io');
      assert.equal(exited.exitCode, 3);
      // v4 cannot end stdin: the command reads exactly what is sent.
      const stdin = randomBytes(1024 * 1024);
      const read = await session.exec({
        ...SHELL,
        command: ['sh', '-c', `head -c ${stdin.length} | sha256sum`],
        stdin,
        protocols: v4,
      });
      assert.equal(
        read.stdout.toString().split(' ')[0],
        createHash('sha256').update(stdin).digest('hex'),
      );
    });

    it('passes argv verbatim: spaces, newlines, $(...), quotes, globs and leading dashes', async function () {
      const args = [
        '--',
        '-rf',
        'a b',
        'line 1\nline 2',
        '$(id)',
        '`id`',
        '"q"',
        "'s'",
        '*',
        '\\n',
      ];
      const run = await session.exec({ ...SHELL, command: ['printf', '%s\\000', ...args] });
      assert.equal(run.exitCode, 0, run.stderr.toString());
      assert.deepEqual(run.stdout.toString('utf8').split('\0').slice(0, -1), args);
      const dashed = await session.exec({
        ...SHELL,
        command: ['sh', '-c', 'printf "%s|" "$0" "$@"', '-n', '--help'],
      });
      assert.equal(dashed.stdout.toString(), '-n|--help|');
    });

    it('reports a missing executable as noShell', async function () {
      await assert.rejects(
        session.exec({ ...SHELL, container: 'nginx', command: ['sh', '-c', 'true'] }),
        isClusterError('noShell', /"nginx" cannot run "sh"/),
      );
      // A command the shell cannot find is the script's own exit code, not a missing shell.
      assert.equal(
        (await session.exec({ ...SHELL, command: ['sh', '-c', 'no-such-command'] })).exitCode,
        127,
      );
    });

    it('reports forbidExec as forbidden, naming pods/exec', async function () {
      await sandbox().setFaults({ forbidExec: true });
      try {
        await assert.rejects(
          session.exec({ ...SHELL, command: ['true'] }),
          isClusterError('forbidden', /pods\/exec in namespace default/),
        );
      } finally {
        await sandbox().setFaults({ forbidExec: false });
      }
    });

    it('reports a stream cut before its status as truncated', async function () {
      await sandbox().setFaults({ dropExecAfterBytes: 1000 });
      try {
        await assert.rejects(
          session.exec({ ...SHELL, command: ['seq', '1', '100000'] }),
          isClusterError('truncated', /truncated/),
        );
      } finally {
        await sandbox().setFaults({ dropExecAfterBytes: 0 });
      }
    });

    it('cuts an upload once the stdin fault’s byte count arrived, and only uploads', async function () {
      await sandbox().setFaults({ dropExecAfterStdinBytes: 100_000 });
      try {
        // No stdin: untouched by the switch.
        assert.equal(
          (await session.exec({ ...SHELL, command: ['echo', 'no upload'] })).stdout.toString(),
          'no upload\n',
        );
        await assert.rejects(
          session.exec({
            ...SHELL,
            command: ['sh', '-c', 'head -c 1000000 | wc -c'],
            stdin: Buffer.alloc(1_000_000, 1),
          }),
          isClusterError('truncated', /truncated/),
        );
      } finally {
        await sandbox().setFaults({ dropExecAfterStdinBytes: 0 });
      }
    });

    it('times out, closing the socket', async function () {
      const marker = 'ppe-timeout-marker';
      const started = Date.now();
      await assert.rejects(
        session.exec({
          ...SHELL,
          command: ['sh', '-c', `sleep 120; : ${marker}`],
          timeoutMs: 1500,
        }),
        isClusterError('timeout'),
      );
      assert.ok(Date.now() - started < 10_000);
      // The server ends its podman client when our socket closes.
      await waitUntil(
        async () => ((await podmanExecClients(marker)).length === 0 ? true : undefined),
        'the podman exec client to end',
      );
    });

    it('cancels on abort, closing the socket', async function () {
      const marker = 'ppe-abort-marker';
      const controller = new AbortController();
      let reportStarted = () => {};
      const started = new Promise<void>((resolve) => (reportStarted = resolve));
      const running = session.exec({
        ...SHELL,
        command: ['sh', '-c', `echo started; sleep 120; : ${marker}`],
        signal: controller.signal,
        onStdout: () => reportStarted(),
      });
      await started;
      assert.notDeepEqual(await podmanExecClients(marker), [], 'the exec is served by podman');
      controller.abort();
      await assert.rejects(running, isClusterError('cancelled'));
      await waitUntil(
        async () => ((await podmanExecClients(marker)).length === 0 ? true : undefined),
        'the podman exec client to end',
      );
    });

    it('reports a wrong token as unauthorized, naming the kubeconfig user', async function () {
      const config = parseYaml(await readFile(sandbox().kubeconfigPath, 'utf8')) as {
        users: { user: { token?: string } }[];
      };
      config.users[0].user.token = 'not-the-token';
      const path = join(sandbox().stateDir, 'wrong-token.kubeconfig');
      await writeFile(path, stringifyYaml(config), { mode: 0o600 });
      const wrong = new ClusterSession(loadKubeconfig([path]), 'sandbox');
      try {
        await assert.rejects(
          wrong.listNamespaces(),
          isClusterError('unauthorized', /"sandbox".*credentials expired or rejected/),
        );
        await assert.rejects(
          wrong.exec({ ...SHELL, command: ['true'] }),
          isClusterError('unauthorized'),
        );
      } finally {
        wrong.dispose();
      }
    });
  });

  describe('access review', function () {
    it('answers canI from SelfSubjectAccessReview, cached until cleared', async function () {
      assert.equal(await session.canI('default', 'create', 'pods', 'exec'), true);
      assert.equal(await session.canI('default', 'list', 'pods'), true);
      await sandbox().setFaults({ forbidExec: true });
      try {
        assert.equal(await session.canI('default', 'create', 'pods', 'exec'), true, 'cached');
        session.clearAccessCache();
        assert.equal(await session.canI('default', 'create', 'pods', 'exec'), false);
        assert.equal(await session.canI('default', 'get', 'pods', 'attach'), false);
        assert.equal(await session.canI('default', 'list', 'pods'), true);
      } finally {
        await sandbox().setFaults({ forbidExec: false });
        session.clearAccessCache();
      }
    });
  });

  describe('namespaces', function () {
    it('lists namespace names, sorted', async function () {
      const names = await session.listNamespaces();
      assert.deepEqual(names, [...names].sort());
      assert.ok(names.includes('default') && names.includes(NS), names.join(' '));
    });
  });

  describe('watchPods', function () {
    it('shows pods created and deleted with kubectl as ADDED and DELETED', async function () {
      const model = new PodModel();
      const watch = session.watchPods(NS, model);
      const witness = new PodModel();
      let witnessWatch: { dispose(): void } | undefined;
      try {
        await waitUntil(() => (model.snapshots > 0 ? true : undefined), 'the first snapshot');
        await createPod('watched');
        await waitUntil(
          () => (model.names().includes('watched') ? true : undefined),
          () => `watched in ${JSON.stringify(model.changes)}`,
        );
        assert.equal(model.changes.find((c) => c.name === 'watched')?.type, 'ADDED');
        await deletePod('watched');
        await waitUntil(
          () => (model.changes.some((c) => c.type === 'DELETED') ? true : undefined),
          () => `DELETED in ${JSON.stringify(model.changes)}`,
        );
        assert.deepEqual(model.names(), await podNames());

        // After dispose nothing more arrives: a second watch sees the next pod, the first does not.
        watch.dispose();
        model.disposed = true;
        witnessWatch = session.watchPods(NS, witness);
        await waitUntil(() => (witness.snapshots > 0 ? true : undefined), 'the witness snapshot');
        await createPod('unseen');
        await waitUntil(
          () => (witness.names().includes('unseen') ? true : undefined),
          'the witness to see the pod',
        );
        assert.deepEqual([...model.problems, ...witness.problems], []);
        assert.deepEqual(model.errors, []);
        await deletePod('unseen');
      } finally {
        watch.dispose();
        witnessWatch?.dispose();
      }
    });

    it('recovers after an API restart: errors, then a fresh snapshot, nothing lost or doubled', async function () {
      await createPod('steady');
      const model = new PodModel();
      const watch = session.watchPods(NS, model);
      try {
        await waitUntil(
          () => (model.names().includes('steady') ? true : undefined),
          'the first snapshot with steady',
        );
        const snapshotsBefore = model.snapshots;
        await sandbox().restartApi();
        await waitUntil(
          () => (model.errors.length > 0 && model.snapshots > snapshotsBefore ? true : undefined),
          () => `an error and a new snapshot (${model.errors.length} errors)`,
          60_000,
        );
        assert.equal(model.errors[0].error.kind, 'unreachable', model.errors[0].error.message);
        assert.ok(model.errors[0].retryInMs >= 1000 && model.errors[0].retryInMs <= 30_000);
        await createPod('after-restart');
        await waitUntil(
          () => (model.names().includes('after-restart') ? true : undefined),
          'the pod made after the restart',
        );
        assert.deepEqual(model.names(), await podNames());
        assert.deepEqual(model.problems, []);
        await deletePod('after-restart');
      } finally {
        watch.dispose();
      }
    });

    it('lists again when its resourceVersion is too old (410)', async function () {
      const model = new PodModel();
      const watch = session.watchPods(NS, model);
      try {
        await waitUntil(() => (model.snapshots > 0 ? true : undefined), 'the first snapshot');
        await sandbox().compactWatchHistory();
        await waitUntil(() => (model.snapshots > 1 ? true : undefined), 'a second snapshot');
        assert.deepEqual(model.errors, []);
        await createPod('after-compaction');
        await waitUntil(
          () => (model.names().includes('after-compaction') ? true : undefined),
          'the pod made after the compaction',
        );
        assert.deepEqual(model.names(), await podNames());
        assert.deepEqual(model.problems, []);
      } finally {
        watch.dispose();
      }
    });
  });

  describe('debug containers', function () {
    const request = (pod: V1Pod, name: string, startTimeoutMs = 60_000) => ({
      pod,
      container: {
        name,
        image: 'busybox',
        target: 'nginx',
        profile: 'general' as const,
        addPtrace: true,
      },
      startTimeoutMs,
    });

    it('adds one to the seed pod, reports its progress, and resolves once it runs', async function () {
      const pod = await session.readPod('default', 'nginx');
      const seen: string[] = [];
      const updated = await addDebugContainer(session, {
        ...request(pod, 'layer-debugger'),
        onProgress: (state) => seen.push(state.kind),
      });
      assert.equal(seen.at(-1), 'running');
      const status = updated.status?.ephemeralContainerStatuses?.find(
        (s) => s.name === 'layer-debugger',
      );
      assert.ok(status?.state?.running, JSON.stringify(status));
    });

    it('fails at once, with the kubelet’s reason, when the restricted profile meets a root image', async function () {
      const pod = await session.readPod('default', 'nginx');
      const seen: StartState[] = [];
      const base = request(pod, 'layer-restricted');
      await assert.rejects(
        addDebugContainer(session, {
          ...base,
          container: { ...base.container, profile: 'restricted', addPtrace: false },
          onProgress: (state) => seen.push(state),
        }),
        isClusterError(
          'notRunning',
          /"layer-restricted" did not start \(CreateContainerConfigError: container has runAsNonRoot and image will run as root \(pod: "nginx_default\(.+\)", container: layer-restricted\)\)/,
        ),
      );
      // The wait ended on the refusal; it never ran.
      assert.equal(seen.at(-1)?.kind, 'failed');
      assert.ok(!seen.some((state) => state.kind === 'running'));
    });

    it('refuses a pod that is not running, and one that changed or was recreated since it was read', async function () {
      const pod = await session.readPod('default', 'nginx');
      await assert.rejects(
        addDebugContainer(session, request({ ...pod, status: { phase: 'Pending' } }, 'never')),
        isClusterError('notRunning', /Pod nginx is Pending/),
      );
      // Read before the debug containers above were added: its spec is not the pod's any more.
      const before = {
        ...pod,
        metadata: { ...pod.metadata, resourceVersion: '1' },
        spec: { ...pod.spec, containers: pod.spec?.containers ?? [], ephemeralContainers: [] },
      };
      await assert.rejects(
        addDebugContainer(session, request(before, 'stale')),
        isClusterError('conflict', /Pod nginx changed or was recreated since it was shown/),
      );
      const recreated = { ...pod, metadata: { ...pod.metadata, uid: 'another-pod' } };
      await assert.rejects(
        addDebugContainer(session, request(recreated, 'recreated')),
        isClusterError('conflict', /Pod nginx changed or was recreated since it was shown/),
      );
      const names = (await session.readPod('default', 'nginx')).spec?.ephemeralContainers?.map(
        (container) => container.name,
      );
      assert.ok(!names?.includes('stale') && !names?.includes('recreated'), String(names));
    });

    it('patches again when only the status moved on since the pod was read', async function () {
      const pod = await session.readPod('default', 'nginx');
      const statusOnly = { ...pod, metadata: { ...pod.metadata, resourceVersion: '1' } };
      const updated = await addDebugContainer(session, request(statusOnly, 'status-moved'));
      assert.ok(updated.spec?.ephemeralContainers?.some((c) => c.name === 'status-moved'));
    });

    it('times out naming the last state, and is forbidden when RBAC says so', async function () {
      const pod = await session.readPod('default', 'nginx');
      await assert.rejects(
        addDebugContainer(session, request(pod, 'late', 1)),
        isClusterError('timeout', /"late" was not running after 1 seconds/),
      );
      await sandbox().setFaults({ forbiddenResources: ['pods/ephemeralcontainers'] });
      try {
        session.clearAccessCache();
        await assert.rejects(
          checkDebugAccess(session, 'default', 'nginx'),
          isClusterError(
            'forbidden',
            /may not patch pods\/ephemeralcontainers in namespace default/,
          ),
        );
      } finally {
        await sandbox().setFaults({ forbiddenResources: [] });
        session.clearAccessCache();
      }
      await checkDebugAccess(session, 'default', 'nginx');
    });

    it('says when the cluster does not serve pods/ephemeralcontainers (404)', async function () {
      const pod = await session.readPod('default', 'nginx');
      await sandbox().setFaults({ missingResources: ['pods/ephemeralcontainers'] });
      try {
        await assert.rejects(
          addDebugContainer(session, request(pod, 'unserved')),
          isClusterError('notFound', /does not serve pods\/ephemeralcontainers/),
        );
      } finally {
        await sandbox().setFaults({ missingResources: [] });
      }
    });
  });

  describe('openExecChannel', function () {
    async function closeResult(channel: ExecChannel): Promise<ExecChannelResult> {
      return new Promise((resolve) => channel.onClose(resolve));
    }

    function output(channel: ExecChannel): () => string {
      let text = '';
      channel.onStdout((chunk) => (text += chunk.toString('utf8')));
      return () => text;
    }

    it('runs sh on a tty: echoes, takes a resize, and reports the exit code', async function () {
      const channel = await session.openExecChannel({
        ...SHELL,
        command: ['sh'],
        stdin: true,
        tty: true,
      });
      const closed = closeResult(channel);
      const text = output(channel);
      channel.resize(101, 33);
      channel.write('echo $((6 * 7)); stty size\r');
      await waitUntil(
        () => (/\r\n42\r\n33 101\r\n/.test(text()) ? true : undefined),
        () => `42 and the size on the terminal: ${JSON.stringify(text())}`,
      );
      channel.write('exit 7\r');
      assert.deepEqual(await closed, { exitCode: 7 });
    });

    it('attaches to the container, and closing leaves it running', async function () {
      const channel = await session.openExecChannel({ ...SHELL, stdin: true, tty: true });
      const closed = closeResult(channel);
      const text = output(channel);
      // Attaching resizes the tty and busybox redraws its line, dropping what was typed
      // meanwhile: type again until the answer shows (repeating `echo` is harmless).
      let polls = 0;
      let from = 0;
      await waitUntil(
        () => {
          if (/\r\n42\r\n/.test(text().slice(from))) {
            return true;
          }
          if (polls++ % 20 === 0) {
            from = text().length;
            channel.write('echo $((6 * 7))\r');
          }
          return undefined;
        },
        () => `42 on the attached terminal: ${JSON.stringify(text())}`,
      );
      channel.close();
      assert.equal((await closed).error?.kind, 'cancelled');
      assert.equal((await session.exec({ ...SHELL, command: ['true'] })).exitCode, 0);
    });
  });

  describe('when the API is down', function () {
    it('reports unreachable with the server URL', async function () {
      await sandbox().stopApi();
      try {
        const server = sandbox().server.replace(/[.]/g, '\\.');
        await assert.rejects(
          session.listNamespaces(),
          isClusterError('unreachable', new RegExp(`${server}: connection refused`)),
        );
        await assert.rejects(
          session.exec({ ...SHELL, command: ['true'] }),
          isClusterError('unreachable'),
        );
      } finally {
        await sandbox().restartApi();
      }
    });
  });
});
