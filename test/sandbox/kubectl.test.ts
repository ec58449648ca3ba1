// The task page's journey, step for step, with the real kubectl against the sandbox.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { SEED_MANIFEST } from './index';
import { instanceId } from './stateDir';
import {
  KUBECTL,
  kubectl,
  onTerminal,
  parsePs,
  podmanPodExists,
  useSandbox,
  type PsLine,
} from './testSupport';
import { waitUntil } from '../polling';

interface PodJson {
  metadata: { name: string };
  spec: {
    shareProcessNamespace?: boolean;
    ephemeralContainers?: { name: string; targetContainerName?: string }[];
  };
  status: {
    phase: string;
    conditions: { type: string; status: string }[];
    containerStatuses: {
      name: string;
      containerID: string;
      ready: boolean;
      restartCount: number;
      state: Record<string, unknown>;
    }[];
    ephemeralContainerStatuses?: {
      name: string;
      containerID: string;
      state: Record<string, unknown>;
    }[];
  };
}

describe('sandbox with kubectl', function () {
  const sandbox = useSandbox();

  const shellExec = (...command: string[]) =>
    kubectl(sandbox(), ['exec', 'nginx', '-c', 'shell', '--', ...command]);

  async function ps(): Promise<PsLine[]> {
    const run = await shellExec('ps', 'ax');
    assert.equal(run.code, 0, run.stderr);
    return parsePs(run.stdout);
  }

  const master = (lines: PsLine[]) =>
    lines.find((p) => p.command === 'nginx: master process nginx -g daemon off;');
  const worker = (lines: PsLine[]) => lines.find((p) => p.command === 'nginx: worker process');

  it('has kubectl installed (the conformance checks need the real client)', function () {
    assert.ok(existsSync(KUBECTL), `${KUBECTL} is missing: install kubectl v1.32`);
  });

  it('applies the seed manifest and shows the pod Running with a shared process namespace', async function () {
    const applied = await kubectl(sandbox(), ['apply', '-f', SEED_MANIFEST]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /pod\/nginx created/);

    const got = await kubectl(sandbox(), ['get', 'pods', '-o', 'json']);
    assert.equal(got.code, 0, got.stderr);
    const pods = (JSON.parse(got.stdout) as { items: PodJson[] }).items;
    assert.deepEqual(
      pods.map((p) => p.metadata.name),
      ['nginx'],
    );
    const [pod] = pods;
    assert.equal(pod.status.phase, 'Running');
    assert.equal(pod.spec.shareProcessNamespace, true);
    assert.ok(pod.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'));
    assert.deepEqual(pod.status.containerStatuses.map((c) => c.name).sort(), ['nginx', 'shell']);
    for (const status of pod.status.containerStatuses) {
      assert.match(status.containerID, /^podman:\/\/[0-9a-f]{64}$/);
      assert.equal(status.ready, true);
      assert.equal(status.restartCount, 0);
      assert.ok('running' in status.state);
    }

    const table = await kubectl(sandbox(), ['get', 'pods']);
    assert.match(table.stdout, /^nginx\s+2\/2\s+Running\s+0\s/m);
  });

  it('shows the pause process, nginx master and worker, and sh from the shell container', async function () {
    const lines = await ps();
    assert.equal(lines.find((p) => p.pid === 1)?.command, '/catatonit -P');
    assert.ok(master(lines), 'no nginx master process');
    assert.equal(worker(lines)?.user, '101');
    assert.ok(
      lines.some((p) => p.command === 'sh'),
      'no sh',
    );
  });

  it('restarts the worker after kill -HUP to the master', async function () {
    const before = await ps();
    const masterPid = master(before)?.pid;
    const oldWorker = worker(before)?.pid;
    assert.ok(masterPid && oldWorker);
    const killed = await shellExec('kill', '-HUP', String(masterPid));
    assert.equal(killed.code, 0, killed.stderr);
    const newWorker = await waitUntil(async () => {
      const pid = worker(await ps())?.pid;
      return pid !== undefined && pid !== oldWorker ? pid : undefined;
    }, 'a new nginx worker');
    assert.notEqual(newWorker, oldWorker);
  });

  it("reads nginx's config through /proc/<master>/root", async function () {
    const masterPid = master(await ps())?.pid;
    const head = await shellExec('head', `/proc/${String(masterPid)}/root/etc/nginx/nginx.conf`);
    assert.equal(head.code, 0, head.stderr);
    assert.match(head.stdout, /^user nginx;$/m);
  });

  it('returns the exit code of the command', async function () {
    const run = await shellExec('sh', '-c', 'exit 3');
    assert.equal(run.code, 3);
  });

  it('attaches to the shell container with a terminal', async function () {
    const terminal = onTerminal([
      KUBECTL,
      '--kubeconfig',
      sandbox().kubeconfigPath,
      'attach',
      '-it',
      'nginx',
      '-c',
      'shell',
    ]);
    try {
      await terminal.waitFor(/\/ # /);
      await terminal.enter('echo hi', /echo hi\r\nhi\r\n/);
    } finally {
      terminal.kill();
      await terminal.exited;
    }
    const pod = JSON.parse(
      (await kubectl(sandbox(), ['get', 'pod', 'nginx', '-o', 'json'])).stdout,
    ) as PodJson;
    const shell = pod.status.containerStatuses.find((c) => c.name === 'shell');
    assert.ok(shell && 'running' in shell.state, 'leaving attach stopped the shell');
  });

  it('runs kubectl debug with an ephemeral container targeting nginx', async function () {
    const terminal = onTerminal([
      KUBECTL,
      '--kubeconfig',
      sandbox().kubeconfigPath,
      'debug',
      '-it',
      'nginx',
      '--image=busybox',
      '--target=nginx',
      '--profile=general',
    ]);
    try {
      await terminal.waitFor(/\/ # /);
      await terminal.enter('ps ax', /nginx: master process nginx -g daemon off;/);
      terminal.type('exit\r');
      assert.equal(await terminal.exited, 0, terminal.output);
    } finally {
      terminal.kill();
    }
    const pod = JSON.parse(
      (await kubectl(sandbox(), ['get', 'pod', 'nginx', '-o', 'json'])).stdout,
    ) as PodJson;
    const [debugger_] = pod.spec.ephemeralContainers ?? [];
    assert.equal(debugger_?.targetContainerName, 'nginx');
    const status = pod.status.ephemeralContainerStatuses?.find((c) => c.name === debugger_.name);
    assert.match(status?.containerID ?? '', /^podman:\/\/[0-9a-f]{64}$/);
  });

  it('reports an image kubectl debug added but the node cannot pull as ErrImagePull or ImagePullBackOff', async function () {
    const run = await kubectl(sandbox(), [
      'debug',
      'nginx',
      '--image=no-such-image:1.0',
      '--target=nginx',
      '--container=unpullable',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const pod = JSON.parse(
      (await kubectl(sandbox(), ['get', 'pod', 'nginx', '-o', 'json'])).stdout,
    ) as PodJson;
    const status = pod.status.ephemeralContainerStatuses?.find((c) => c.name === 'unpullable');
    const waiting = status?.state.waiting as { reason?: string } | undefined;
    assert.match(String(waiting?.reason), /^(ErrImagePull|ImagePullBackOff)$/);
    const described = await kubectl(sandbox(), ['describe', 'pod', 'nginx']);
    assert.match(described.stdout, /unpullable:[\s\S]*Reason:\s+(ErrImagePull|ImagePullBackOff)/);
  });

  it('answers as a cluster without ephemeral containers when they are switched missing', async function () {
    await sandbox().setFaults({ missingResources: ['pods/ephemeralcontainers'] });
    try {
      const run = await kubectl(sandbox(), ['debug', 'nginx', '--image=busybox']);
      assert.notEqual(run.code, 0);
      // client-go reads a plain-text 404 as a generic NotFound of the request.
      assert.match(
        run.stderr,
        /Error from server \(NotFound\): the server could not find the requested resource \(patch pods nginx\)/,
      );
    } finally {
      await sandbox().setFaults({ missingResources: [] });
    }
  });

  it('refuses a kubectl patch of ephemeral containers against a stale resourceVersion (409)', async function () {
    const run = await kubectl(sandbox(), [
      'patch',
      'pod',
      'nginx',
      '--subresource=ephemeralcontainers',
      '--type=strategic',
      '-p',
      JSON.stringify({
        metadata: { resourceVersion: '1' },
        spec: { ephemeralContainers: [{ name: 'stale', image: 'busybox' }] },
      }),
    ]);
    assert.notEqual(run.code, 0);
    assert.match(
      run.stderr,
      /Error from server \(Conflict\): Operation cannot be fulfilled on pods "nginx": the object has been modified/,
    );
  });

  it('forbids exec with 403 naming the verb and resource when the switch is on', async function () {
    await sandbox().setFaults({ forbidExec: true });
    try {
      const run = await shellExec('true');
      assert.notEqual(run.code, 0);
      assert.match(
        run.stderr,
        /Error from server \(Forbidden\): pods "nginx" is forbidden: User "sandbox" cannot \w+ resource "pods\/exec" in API group "" in the namespace "default"/,
      );
    } finally {
      await sandbox().setFaults({ forbidExec: false });
    }
  });

  it('answers kubectl auth can-i from the switches that forbid requests', async function () {
    const canI = (...args: string[]) => kubectl(sandbox(), ['auth', 'can-i', ...args]);
    const allowed = await canI('create', 'pods', '--subresource=exec');
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(allowed.stdout.trim(), 'yes');
    await sandbox().setFaults({
      forbidExec: true,
      forbiddenResources: ['pods/ephemeralcontainers'],
    });
    try {
      for (const args of [
        ['create', 'pods', '--subresource=exec', '-n', 'default'],
        ['get', 'pods', '--subresource=attach'],
        ['patch', 'pods', '--subresource=ephemeralcontainers'],
      ]) {
        const denied = await canI(...args);
        assert.equal(denied.code, 1, `${args.join(' ')}: ${denied.stderr}`);
        assert.equal(denied.stdout.trim(), 'no');
      }
      // TYPE/NAME: `pods/exec` asks about creating a pod named "exec", as on a real cluster.
      const named = await canI('create', 'pods/exec');
      assert.equal(named.stdout.trim(), 'yes', named.stderr);
      const pods = await canI('list', 'pods');
      assert.equal(pods.stdout.trim(), 'yes', pods.stderr);
    } finally {
      await sandbox().setFaults({ forbidExec: false, forbiddenResources: [] });
    }
  });

  it('rejects a wrong token with 401', async function () {
    const run = await kubectl(sandbox(), ['--token', 'not-the-token', 'get', 'pods']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /Unauthorized/);
  });

  it('deletes the pod and its podman pod', async function () {
    const podmanName = `ppe-${instanceId(sandbox().stateDir)}-default-nginx`;
    assert.equal(await podmanPodExists(podmanName), true);
    const run = await kubectl(sandbox(), ['delete', 'pod', 'nginx']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await podmanPodExists(podmanName), false);
    const got = await kubectl(sandbox(), ['get', 'pods', '-o', 'json']);
    assert.deepEqual((JSON.parse(got.stdout) as { items: unknown[] }).items, []);
  });
});
