// The task page on the real node, step for step, with the real kubectl: the one built with the node
// and the machine's v1.32. The suite starts the node (and stops it after) unless one is up already.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { onTerminal, parsePs, type PsLine } from '../sandbox/testSupport';
import { waitUntil } from '../polling';
import { connectCluster, SEED_MANIFEST, startCluster, stopCluster, type Cluster } from './index';
import { KUBERNETES_VERSION } from './layout';

const SYSTEM_KUBECTL = '/usr/bin/kubectl';
const NGINX_MASTER = 'nginx: master process nginx -g daemon off;';
const NGINX_WORKER = 'nginx: worker process';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface ContainerStatus {
  name: string;
  containerID?: string;
  ready?: boolean;
  state: Record<string, unknown>;
}

interface PodJson {
  metadata: { uid: string };
  spec: {
    shareProcessNamespace?: boolean;
    ephemeralContainers?: { name: string; targetContainerName?: string }[];
  };
  status: {
    phase: string;
    qosClass: string;
    containerStatuses: ContainerStatus[];
    ephemeralContainerStatuses?: ContainerStatus[];
  };
}

function run(file: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : error.code;
        if (typeof code === 'number') {
          resolve({ code, stdout, stderr });
        } else {
          reject(new Error(`${file} ${args.join(' ')} failed: ${error?.message ?? ''}`));
        }
      },
    );
  });
}

let cluster: Cluster;
let startedHere = false;

before(async function () {
  this.timeout(45 * 60_000); // The first run builds the binaries.
  const running = await connectCluster();
  if (running) {
    cluster = running;
  } else {
    cluster = await startCluster({ log: (line) => process.stderr.write(`  cluster: ${line}\n`) });
    startedHere = true;
  }
});

after(async function () {
  this.timeout(180_000);
  if (startedHere) {
    assert.deepEqual(await stopCluster(), [], 'down left something behind');
  }
});

for (const client of ['built', 'system'] as const) {
  describe(`the task page on the real node with the ${client} kubectl`, function () {
    const kubectlPath = () => (client === 'built' ? cluster.kubectl : SYSTEM_KUBECTL);
    const kubectl = (args: readonly string[], kubeconfig = cluster.kubeconfigPath) =>
      run(kubectlPath(), ['--kubeconfig', kubeconfig, ...args]);
    const shellExec = (...command: string[]) =>
      kubectl(['exec', 'nginx', '-c', 'shell', '--', ...command]);
    const terminal = (...args: string[]) =>
      onTerminal([kubectlPath(), '--kubeconfig', cluster.kubeconfigPath, ...args]);

    async function ps(): Promise<PsLine[]> {
      const listed = await shellExec('ps', 'ax');
      assert.equal(listed.code, 0, listed.stderr);
      return parsePs(listed.stdout);
    }

    async function pod(): Promise<PodJson> {
      const got = await kubectl(['get', 'pod', 'nginx', '-o', 'json']);
      assert.equal(got.code, 0, got.stderr);
      return JSON.parse(got.stdout) as PodJson;
    }

    it('is the kubectl it should be', async function () {
      const version = await kubectl(['version', '--client', '-o', 'json']);
      assert.equal(version.code, 0, version.stderr);
      const { gitVersion } = (
        JSON.parse(version.stdout) as { clientVersion: { gitVersion: string } }
      ).clientVersion;
      if (client === 'built') {
        assert.equal(gitVersion, KUBERNETES_VERSION);
      } else {
        assert.ok(
          existsSync(SYSTEM_KUBECTL),
          `${SYSTEM_KUBECTL} is missing: install kubectl v1.32`,
        );
        assert.match(gitVersion, /^v1\.32\./);
      }
      const server = await kubectl(['version', '-o', 'json']);
      assert.equal(
        (JSON.parse(server.stdout) as { serverVersion: { gitVersion: string } }).serverVersion
          .gitVersion,
        KUBERNETES_VERSION,
      );
    });

    it('applies the seed manifest; the pod runs with a shared process namespace', async function () {
      this.timeout(180_000);
      const applied = await kubectl(['apply', '-f', SEED_MANIFEST]);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /pod\/nginx (created|unchanged|configured)/);
      const ready = await kubectl(['wait', '--for=condition=Ready', 'pod/nginx', '--timeout=150s']);
      assert.equal(ready.code, 0, ready.stderr);
      const got = await pod();
      assert.equal(got.status.phase, 'Running');
      assert.equal(got.spec.shareProcessNamespace, true);
      assert.deepEqual(got.status.containerStatuses.map((c) => c.name).sort(), ['nginx', 'shell']);
      for (const status of got.status.containerStatuses) {
        assert.match(status.containerID ?? '', /^containerd:\/\/[0-9a-f]{64}$/);
        assert.equal(status.ready, true);
      }
      const table = await kubectl(['get', 'pods']);
      assert.match(table.stdout, /^nginx\s+2\/2\s+Running\s+0\s/m);
    });

    it('shows the pause process as PID 1, nginx master and worker, and sh from shell', async function () {
      const lines = await ps();
      assert.equal(lines.find((p) => p.pid === 1)?.command, '/pause -P');
      assert.ok(
        lines.some((p) => p.command === NGINX_MASTER),
        'no nginx master',
      );
      assert.equal(lines.find((p) => p.command === NGINX_WORKER)?.user, '101');
      assert.ok(
        lines.some((p) => p.command === 'sh'),
        'no sh',
      );
    });

    it('replaces the worker after kill -HUP to the master', async function () {
      const before = await ps();
      const master = before.find((p) => p.command === NGINX_MASTER)?.pid;
      const oldWorker = before.find((p) => p.command === NGINX_WORKER)?.pid;
      assert.ok(master && oldWorker);
      const killed = await shellExec('kill', '-HUP', String(master));
      assert.equal(killed.code, 0, killed.stderr);
      await waitUntil(async () => {
        const worker = (await ps()).find((p) => p.command === NGINX_WORKER)?.pid;
        return worker !== undefined && worker !== oldWorker ? worker : undefined;
      }, 'a new nginx worker');
    });

    it("reads nginx's config through /proc/<master>/root", async function () {
      const master = (await ps()).find((p) => p.command === NGINX_MASTER)?.pid;
      const head = await shellExec('head', `/proc/${String(master)}/root/etc/nginx/nginx.conf`);
      assert.equal(head.code, 0, head.stderr);
      assert.match(head.stdout, /^user nginx;$/m);
    });

    it('attaches to the shell container with a terminal, and leaving keeps it running', async function () {
      const attached = terminal('attach', '-it', 'nginx', '-c', 'shell');
      try {
        await attached.enter('echo attached-$((40+2))', /attached-42/);
      } finally {
        attached.kill();
        await attached.exited;
      }
      const shell = (await pod()).status.containerStatuses.find((c) => c.name === 'shell');
      assert.ok(shell && 'running' in shell.state, 'leaving attach stopped the shell');
    });

    it('execs a shell with a terminal', async function () {
      const shell = terminal('exec', '-it', 'nginx', '-c', 'shell', '--', 'sh');
      try {
        await shell.waitFor(/\/ # /);
        await shell.enter('echo exec-$((40+2))', /exec-42/);
        shell.type('exit\r');
        assert.equal(await shell.exited, 0, shell.output);
      } finally {
        shell.kill();
      }
    });

    it('adds an ephemeral container with kubectl debug --target=nginx', async function () {
      this.timeout(180_000);
      const debug = terminal(
        'debug',
        '-it',
        'nginx',
        '--image=busybox',
        '--target=nginx',
        '--profile=general',
      );
      try {
        await debug.waitFor(/\/ # /, 0, 120_000);
        await debug.enter('ps ax', /nginx: master process/);
        debug.type('exit\r');
        assert.equal(await debug.exited, 0, debug.output);
      } finally {
        debug.kill();
      }
      const got = await pod();
      const added = got.spec.ephemeralContainers?.at(-1);
      assert.equal(added?.targetContainerName, 'nginx');
      const status = got.status.ephemeralContainerStatuses?.find((c) => c.name === added?.name);
      assert.match(status?.containerID ?? '', /^containerd:\/\/[0-9a-f]{64}$/);
    });

    it("puts each container's ID from containerStatuses in /proc/<pid>/cgroup of its processes", async function () {
      const got = await pod();
      const ids = new Map(
        got.status.containerStatuses.map((c) => [
          c.name,
          (c.containerID ?? '').replace('containerd://', ''),
        ]),
      );
      const lines = await ps();
      const expected: [number, string][] = [
        [lines.find((p) => p.command === NGINX_MASTER)!.pid, 'nginx'],
        [lines.find((p) => p.command === NGINX_WORKER)!.pid, 'nginx'],
        [lines.find((p) => p.command === 'sh')!.pid, 'shell'],
      ];
      const qos = got.status.qosClass.toLowerCase();
      for (const [pid, container] of expected) {
        const cgroup = await shellExec('cat', `/proc/${pid}/cgroup`);
        assert.equal(cgroup.code, 0, cgroup.stderr);
        const memory = /^\d+:memory:(\S+)$/m.exec(cgroup.stdout)?.[1];
        assert.equal(
          memory,
          `/kubepods/${qos}/pod${got.metadata.uid}/${ids.get(container)}`,
          `pid ${pid} (${container}):\n${cgroup.stdout}`,
        );
      }
      const pause = await shellExec('cat', '/proc/1/cgroup');
      const sandbox = /^\d+:memory:\/kubepods\/\w+\/pod[^/]+\/([0-9a-f]{64})$/m.exec(
        pause.stdout,
      )?.[1];
      assert.ok(sandbox, `PID 1 is in the pod's sandbox cgroup:\n${pause.stdout}`);
      assert.ok(![...ids.values()].includes(sandbox));
    });

    it('forbids exec to the restricted user with Forbidden, and lets it read pods', async function () {
      const listed = await kubectl(['get', 'pods'], cluster.restrictedKubeconfigPath);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /^nginx\s/m);
      const denied = await kubectl(
        ['exec', 'nginx', '-c', 'shell', '--', 'true'],
        cluster.restrictedKubeconfigPath,
      );
      assert.notEqual(denied.code, 0);
      assert.match(
        denied.stderr,
        /Error from server \(Forbidden\): pods "nginx" is forbidden: User "ppe-restricted" cannot (create|get) resource "pods\/exec" in API group "" in the namespace "default"/,
      );
      const canI = await kubectl(
        ['auth', 'can-i', 'create', 'pods', '--subresource=exec'],
        cluster.restrictedKubeconfigPath,
      );
      assert.equal(canI.stdout.trim(), 'no');
    });

    it('deletes the pod; its containers go', async function () {
      this.timeout(120_000);
      const ids = (await pod()).status.containerStatuses.map((c) =>
        (c.containerID ?? '').replace('containerd://', ''),
      );
      // sh ignores SIGTERM: a short grace period instead of the default 30 s.
      const deleted = await kubectl([
        'delete',
        'pod',
        'nginx',
        '--grace-period=2',
        '--timeout=90s',
      ]);
      assert.equal(deleted.code, 0, deleted.stderr);
      const got = await kubectl(['get', 'pods', '-o', 'json']);
      assert.deepEqual((JSON.parse(got.stdout) as { items: unknown[] }).items, []);
      const left = await run('ctr', [
        '--address',
        cluster.containerdSocket,
        '--namespace',
        'k8s.io',
        'containers',
        'list',
        '--quiet',
      ]);
      assert.equal(left.code, 0, left.stderr);
      for (const id of ids) {
        assert.ok(!left.stdout.includes(id), `container ${id} is still in containerd`);
      }
    });
  });
}
