// The same API through @kubernetes/client-node (the extension's client): CRUD, selectors, Watch,
// Exec, Attach, auth, and the fault and scale switches.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import {
  ApiException,
  Attach,
  CoreV1Api,
  Exec,
  KubeConfig,
  Watch,
  type V1Pod,
  type V1Status,
} from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { SEED_MANIFEST } from './index';
import { podman } from './podman';
import { instanceId } from './stateDir';
import { podmanPodExists, useSandbox } from './testSupport';
import { waitUntil } from '../polling';

const NS = 'client-node';

interface ExecResult {
  stdout: string;
  stderr: string;
  status: V1Status | undefined;
  closed: boolean;
}

describe('sandbox with @kubernetes/client-node', function () {
  const sandbox = useSandbox();
  let kc: KubeConfig;
  let core: CoreV1Api;

  before(async function () {
    kc = new KubeConfig();
    kc.loadFromFile(sandbox().kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
  });

  /** Runs a command with Exec; resolves when the socket closes (status or not). */
  async function exec(
    container: string,
    command: string[],
    stdin?: string,
    pod = 'nginx',
  ): Promise<ExecResult> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const input = stdin === undefined ? null : new PassThrough();
    const result: ExecResult = { stdout: '', stderr: '', status: undefined, closed: false };
    stdout.on('data', (chunk: Buffer) => (result.stdout += chunk.toString()));
    stderr.on('data', (chunk: Buffer) => (result.stderr += chunk.toString()));
    const ws = await new Exec(kc).exec(
      NS,
      pod,
      container,
      command,
      stdout,
      stderr,
      input,
      false,
      (status) => {
        result.status = status;
      },
    );
    const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
    input?.end(stdin);
    await closed;
    result.closed = true;
    return result;
  }

  it('creates a namespace and a pod, and finds the pod by label and field selectors', async function () {
    const manifest = parseYaml(await readFile(SEED_MANIFEST, 'utf8')) as V1Pod;
    manifest.metadata = { ...manifest.metadata, labels: { app: 'web', tier: 'debug' } };
    const created = await core.createNamespacedPod({ namespace: NS, body: manifest });
    assert.equal(created.status?.phase, 'Running');
    assert.equal(created.spec?.shareProcessNamespace, true);

    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await core.listNamespacedPod({ namespace: NS, labelSelector, fieldSelector })).items.map(
        (p) => p.metadata?.name,
      );
    assert.deepEqual(await names('app=web'), ['nginx']);
    assert.deepEqual(await names('app in (web,api),tier!=prod'), ['nginx']);
    assert.deepEqual(await names('app=api'), []);
    assert.deepEqual(await names(undefined, 'status.phase=Running,metadata.name=nginx'), ['nginx']);
    assert.deepEqual(await names(undefined, 'status.phase!=Running'), []);

    const ns = await core.readNamespace({ name: NS });
    assert.equal(ns.status?.phase, 'Active');
  });

  it('answers a missing object with a NotFound Status', async function () {
    await assert.rejects(
      core.readNamespacedPod({ namespace: NS, name: 'absent' }),
      (error: unknown) => {
        assert.ok(error instanceof ApiException);
        assert.equal(error.code, 404);
        const status = JSON.parse(String(error.body)) as V1Status;
        assert.equal(status.reason, 'NotFound');
        return true;
      },
    );
  });

  it('execs with output, an exit code on the status channel, and stdin closed on v5', async function () {
    const ps = await exec('shell', ['ps', 'ax']);
    assert.equal(ps.status?.status, 'Success');
    assert.match(ps.stdout, /nginx: master process nginx -g daemon off;/);

    const failed = await exec('shell', ['sh', '-c', 'echo oops >&2; exit 3']);
    assert.equal(failed.status?.status, 'Failure');
    assert.equal(failed.status?.reason, 'NonZeroExitCode');
    assert.deepEqual(failed.status?.details?.causes, [{ reason: 'ExitCode', message: '3' }]);
    assert.equal(failed.stderr, 'oops\n');

    // `cat` ends only when stdin ends: the [255, 0] close frame must reach it, and output and
    // status must still arrive after it.
    const echoed = await exec('shell', ['cat'], 'hello sandbox');
    assert.equal(echoed.stdout, 'hello sandbox');
    assert.equal(echoed.status?.status, 'Success');
  });

  it('attaches to the tty shell, types and reads back', async function () {
    const stdout = new PassThrough();
    const stdin = new PassThrough();
    let output = '';
    stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const ws = await new Attach(kc).attach(NS, 'nginx', 'shell', stdout, null, stdin, true);
    try {
      // Attaching resizes the tty and busybox redraws its line, dropping what was typed
      // meanwhile: type again until the answer shows (repeating `echo` is harmless).
      let from = 0;
      let polls = 0;
      await waitUntil(
        () => {
          if (/\r\n42\r\n/.test(output.slice(from))) {
            return true;
          }
          if (polls++ % 20 === 0) {
            from = output.length;
            stdin.write('echo $((6 * 7))\r');
          }
          return undefined;
        },
        () => `42 in: ${output}`,
      );
    } finally {
      ws.close();
    }
  });

  it('watches pods: ADDED, MODIFIED and DELETED, resuming from a resourceVersion', async function () {
    const events: { type: string; name: string; rv: string }[] = [];
    const path = `/api/v1/namespaces/${NS}/pods`;
    const list = await core.listNamespacedPod({ namespace: NS });
    const controller = await new Watch(kc).watch(
      path,
      { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
      (type, object: V1Pod) => {
        events.push({
          type,
          name: object.metadata?.name ?? '',
          rv: object.metadata?.resourceVersion ?? '',
        });
      },
      () => undefined,
    );
    try {
      const pod: V1Pod = {
        metadata: { name: 'watched' },
        spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] },
      };
      await core.createNamespacedPod({ namespace: NS, body: pod });
      await core.deleteNamespacedPod({ namespace: NS, name: 'watched' });
      await waitUntil(
        () => (events.some((e) => e.type === 'DELETED' && e.name === 'watched') ? true : undefined),
        () => `DELETED in ${JSON.stringify(events)}`,
      );
    } finally {
      controller.abort();
    }
    const mine = events.filter((e) => e.name === 'watched');
    assert.equal(mine[0]?.type, 'ADDED');
    assert.ok(mine.some((e) => e.type === 'MODIFIED'));
    assert.equal(mine.at(-1)?.type, 'DELETED');
    const versions = mine.map((e) => BigInt(e.rv));
    assert.deepEqual(
      versions,
      [...versions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );

    // A watch from an old resourceVersion replays what happened since.
    const replayed: string[] = [];
    const again = await new Watch(kc).watch(
      path,
      { resourceVersion: list.metadata?.resourceVersion },
      (type, object: V1Pod) => {
        if (object.metadata?.name === 'watched') {
          replayed.push(type);
        }
      },
      () => undefined,
    );
    try {
      await waitUntil(
        () => (replayed.includes('DELETED') ? true : undefined),
        'the replayed DELETED',
      );
    } finally {
      again.abort();
    }
    assert.equal(replayed[0], 'ADDED');
  });

  it('sends initial events with a bookmark, and 410 Expired for a version too old', async function () {
    const events = async (query: string) => {
      const response = await sandbox().call(
        'GET',
        `/api/v1/namespaces/${NS}/pods?watch=1&timeoutSeconds=1&${query}`,
      );
      assert.equal(response.status, 200);
      // One event parses as one JSON document; more are newline-delimited text.
      const text =
        typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; object: V1Pod & V1Status });
    };
    const initial = await events(
      'sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan',
    );
    assert.deepEqual(
      initial.map((e) => [e.type, e.object.metadata?.name]),
      [
        ['ADDED', 'nginx'],
        ['BOOKMARK', undefined],
      ],
    );
    assert.equal(initial[1].object.metadata?.annotations?.['k8s.io/initial-events-end'], 'true');

    const expired = await events('resourceVersion=1');
    assert.equal(expired[0]?.type, 'ERROR');
    assert.equal(expired[0].object.code, 410);
    assert.equal(expired[0].object.reason, 'Expired');
  });

  it("adds an ephemeral container that shares the target container's PID namespace", async function () {
    const isolated: V1Pod = {
      metadata: { name: 'isolated' },
      spec: { containers: [{ name: 'web', image: 'nginx' }] },
    };
    await core.createNamespacedPod({ namespace: NS, body: isolated });
    const path = `/api/v1/namespaces/${NS}/pods/isolated/ephemeralcontainers`;
    const debug = {
      name: 'debugger',
      image: 'busybox',
      command: ['sleep', '3600'],
      targetContainerName: 'web',
    };
    // A patch needs a patch media type, as on a real API server.
    const plain = await sandbox().call('PATCH', path, { spec: { ephemeralContainers: [debug] } });
    assert.equal(plain.status, 415);
    const response = await sandbox().call(
      'PATCH',
      path,
      { spec: { ephemeralContainers: [debug] } },
      'application/strategic-merge-patch+json',
    );
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const pod = await core.readNamespacedPod({ namespace: NS, name: 'isolated' });
    const status = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === 'debugger');
    assert.ok(status?.state?.running, JSON.stringify(status));

    // In the target's PID namespace, nginx's master is PID 1.
    const stdout = new PassThrough();
    let output = '';
    stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let result: V1Status | undefined;
    const ws = await new Exec(kc).exec(
      NS,
      'isolated',
      'debugger',
      ['cat', '/proc/1/cmdline'],
      stdout,
      null,
      null,
      false,
      (s) => {
        result = s;
      },
    );
    await new Promise((resolve) => ws.on('close', resolve));
    assert.equal(result?.status, 'Success');
    assert.equal(output.split('\0')[0], 'nginx: master process nginx -g daemon off;');
  });

  it('patches ephemeral containers only of the uid and resourceVersion the patch names (409 otherwise)', async function () {
    const path = `/api/v1/namespaces/${NS}/pods/isolated/ephemeralcontainers`;
    const patch = (metadata: object, name: string) =>
      sandbox().call(
        'PATCH',
        path,
        {
          metadata,
          spec: { ephemeralContainers: [{ name, image: 'busybox', command: ['sleep', '60'] }] },
        },
        'application/strategic-merge-patch+json',
      );
    const pod = await core.readNamespacedPod({ namespace: NS, name: 'isolated' });
    const otherUid = await patch({ uid: 'not-this-pod' }, 'precondition-uid');
    assert.equal(otherUid.status, 409);
    assert.match(
      JSON.stringify(otherUid.body),
      /Operation cannot be fulfilled on pods \\"isolated\\": Precondition failed: UID in precondition: not-this-pod/,
    );
    const stale = await patch({ uid: pod.metadata?.uid, resourceVersion: '1' }, 'precondition-rv');
    assert.equal(stale.status, 409);
    assert.equal((stale.body as { reason?: string }).reason, 'Conflict');
    const current = await patch(
      { uid: pod.metadata?.uid, resourceVersion: pod.metadata?.resourceVersion },
      'precondition-ok',
    );
    assert.equal(current.status, 200, JSON.stringify(current.body));
    const names = (current.body as V1Pod).spec?.ephemeralContainers?.map((c) => c.name);
    assert.ok(names?.includes('precondition-ok'), String(names));
    assert.ok(!names?.includes('precondition-uid') && !names?.includes('precondition-rv'));
  });

  it('reports an ephemeral image it cannot pull as ErrImagePull, then ImagePullBackOff', async function () {
    const response = await sandbox().call(
      'PATCH',
      `/api/v1/namespaces/${NS}/pods/isolated/ephemeralcontainers`,
      { spec: { ephemeralContainers: [{ name: 'unpullable', image: 'no-such-image:1.0' }] } },
      'application/strategic-merge-patch+json',
    );
    // Accepted as on a real API server: pulling is the kubelet's business.
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const waitingReason = async () => {
      const pod = await core.readNamespacedPod({ namespace: NS, name: 'isolated' });
      return pod.status?.ephemeralContainerStatuses?.find((s) => s.name === 'unpullable')?.state
        ?.waiting;
    };
    // The patch's answer is the pod right after the failed pull.
    const first = (response.body as V1Pod).status?.ephemeralContainerStatuses?.find(
      (s) => s.name === 'unpullable',
    )?.state?.waiting;
    assert.equal(first?.reason, 'ErrImagePull');
    assert.match(
      first?.message ?? '',
      /failed to pull and unpack image "docker.io\/library\/no-such-image:1.0"/,
    );
    await waitUntil(
      async () => ((await waitingReason())?.reason === 'ImagePullBackOff' ? true : undefined),
      'ImagePullBackOff',
    );
    assert.equal((await waitingReason())?.message, 'Back-off pulling image "no-such-image:1.0"');
  });

  /** Adds one ephemeral container to `pod`; resolves with the pod the API answers. */
  async function addEphemeral(pod: string, container: Record<string, unknown>): Promise<V1Pod> {
    const response = await sandbox().call(
      'PATCH',
      `/api/v1/namespaces/${NS}/pods/${pod}/ephemeralcontainers`,
      { spec: { ephemeralContainers: [container] } },
      'application/strategic-merge-patch+json',
    );
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body as V1Pod;
  }

  function ephemeralState(pod: V1Pod, name: string) {
    return pod.status?.ephemeralContainerStatuses?.find((status) => status.name === name)?.state;
  }

  /** The credentials of a process started in the container: /proc/self/status of `cat`. */
  async function credentials(pod: string, container: string) {
    const result = await exec(container, ['cat', '/proc/self/status'], undefined, pod);
    assert.equal(result.status?.status, 'Success', result.stderr);
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(result.stdout)?.[1];
    return {
      uid: field('Uid')?.split(/\s+/)[0],
      gid: field('Gid')?.split(/\s+/)[0],
      groups: field('Groups')?.trim().split(/\s+/) ?? [],
      effective: BigInt(`0x${field('CapEff') ?? ''}`),
      bounding: BigInt(`0x${field('CapBnd') ?? ''}`),
      noNewPrivileges: field('NoNewPrivs'),
      // 0: no filter (unconfined), 2: a seccomp filter (the runtime's default profile).
      seccomp: field('Seccomp'),
    };
  }

  const RESTRICTED = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
  const CAP_SYS_PTRACE = 1n << 19n;
  const CAP_SYS_ADMIN = 1n << 21n;

  it('refuses a restricted busybox as a kubelet does: CreateContainerConfigError, never created', async function () {
    const answered = await addEphemeral('isolated', {
      name: 'restricted-root',
      image: 'busybox',
      command: ['sleep', '3600'],
      securityContext: RESTRICTED,
    });
    const uid = answered.metadata?.uid ?? '';
    assert.deepEqual(ephemeralState(answered, 'restricted-root'), {
      waiting: {
        reason: 'CreateContainerConfigError',
        message: `container has runAsNonRoot and image will run as root (pod: "isolated_${NS}(${uid})", container: restricted-root)`,
      },
    });
    // It stays so: no container was made for it, and a later status says the same.
    const later = await core.readNamespacedPod({ namespace: NS, name: 'isolated' });
    assert.equal(
      ephemeralState(later, 'restricted-root')?.waiting?.reason,
      'CreateContainerConfigError',
    );
    assert.equal(later.status?.phase, 'Running', 'the pod runs on');
    const { stdout } = await podman(['ps', '-a', '--format', '{{.Names}}']);
    assert.ok(!stdout.includes('-isolated-restricted-root'), stdout);

    const rootUser = await addEphemeral('isolated', {
      name: 'restricted-uid0',
      image: 'busybox',
      securityContext: { ...RESTRICTED, runAsUser: 0 },
    });
    assert.equal(
      ephemeralState(rootUser, 'restricted-uid0')?.waiting?.message,
      `container's runAsUser breaks non-root policy (pod: "isolated_${NS}(${uid})", container: restricted-uid0)`,
    );
  });

  it('runs a restricted container with a non-root runAsUser: no capabilities, no new privileges, the runtime’s seccomp', async function () {
    const pod = await addEphemeral('isolated', {
      name: 'restricted-nobody',
      image: 'busybox',
      command: ['sleep', '3600'],
      securityContext: { ...RESTRICTED, runAsUser: 65534, runAsGroup: 65534 },
    });
    assert.ok(ephemeralState(pod, 'restricted-nobody')?.running, JSON.stringify(pod.status));
    const nobody = await credentials('isolated', 'restricted-nobody');
    assert.equal(nobody.uid, '65534');
    assert.equal(nobody.gid, '65534');
    assert.equal(nobody.effective, 0n);
    assert.equal(nobody.bounding, 0n);
    assert.equal(nobody.noNewPrivileges, '1');
    assert.equal(nobody.seccomp, '2');
  });

  it('applies the general and sysadmin profiles: SYS_PTRACE or everything, unconfined as a kubelet’s default', async function () {
    const general = await addEphemeral('isolated', {
      name: 'general',
      image: 'busybox',
      command: ['sleep', '3600'],
      securityContext: { capabilities: { add: ['SYS_PTRACE'] } },
    });
    assert.ok(ephemeralState(general, 'general')?.running, JSON.stringify(general.status));
    const traced = await credentials('isolated', 'general');
    assert.equal(traced.uid, '0');
    assert.equal(traced.effective & CAP_SYS_PTRACE, CAP_SYS_PTRACE);
    assert.equal(traced.effective & CAP_SYS_ADMIN, 0n);
    assert.equal(traced.noNewPrivileges, '0');
    assert.equal(traced.seccomp, '0');

    await addEphemeral('isolated', {
      name: 'sysadmin',
      image: 'busybox',
      command: ['sleep', '3600'],
      securityContext: { privileged: true },
    });
    const privileged = await credentials('isolated', 'sysadmin');
    assert.equal(privileged.effective & CAP_SYS_ADMIN, CAP_SYS_ADMIN);
    assert.equal(privileged.seccomp, '0');
  });

  it('merges the pod’s securityContext under the container’s: users, groups, runAsNonRoot', async function () {
    await core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: 'secured' },
        spec: {
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 3000,
            supplementalGroups: [4000],
          },
          containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }],
        },
      },
    });
    const inherited = await addEphemeral('secured', {
      name: 'inherits',
      image: 'busybox',
      command: ['sleep', '3600'],
    });
    assert.ok(ephemeralState(inherited, 'inherits')?.running, JSON.stringify(inherited.status));
    const pods = await credentials('secured', 'inherits');
    assert.equal(pods.uid, '1000');
    assert.equal(pods.gid, '3000');
    assert.ok(pods.groups.includes('4000'), pods.groups.join(' '));

    await addEphemeral('secured', {
      name: 'overrides',
      image: 'busybox',
      command: ['sleep', '3600'],
      securityContext: { runAsUser: 2000 },
    });
    assert.equal((await credentials('secured', 'overrides')).uid, '2000');

    // The pod's runAsNonRoot holds for a container that sets runAsUser 0 itself.
    const root = await addEphemeral('secured', {
      name: 'as-root',
      image: 'busybox',
      securityContext: { runAsUser: 0 },
    });
    assert.match(
      ephemeralState(root, 'as-root')?.waiting?.message ?? '',
      /^container's runAsUser breaks non-root policy \(pod: "secured_client-node\(.+\)", container: as-root\)$/,
    );
  });

  it('refuses a pod’s restricted root container too: it waits, the others run, the pod stays', async function () {
    const created = await core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: 'restricted-app' },
        spec: {
          containers: [
            {
              name: 'as-root',
              image: 'busybox',
              command: ['sleep', '3600'],
              securityContext: RESTRICTED,
            },
            {
              name: 'as-nobody',
              image: 'busybox',
              command: ['sleep', '3600'],
              securityContext: { ...RESTRICTED, runAsUser: 65534 },
            },
          ],
        },
      },
    });
    const status = (pod: V1Pod, name: string) =>
      pod.status?.containerStatuses?.find((container) => container.name === name);
    const refused = status(created, 'as-root')?.state?.waiting;
    assert.equal(refused?.reason, 'CreateContainerConfigError');
    assert.equal(
      refused.message,
      `container has runAsNonRoot and image will run as root (pod: "restricted-app_${NS}(${created.metadata?.uid ?? ''})", container: as-root)`,
    );
    assert.ok(status(created, 'as-nobody')?.state?.running, JSON.stringify(created.status));
    assert.equal(created.status?.phase, 'Running');
    assert.equal(
      created.status?.conditions?.find((condition) => condition.type === 'Ready')?.status,
      'False',
    );
    assert.equal((await credentials('restricted-app', 'as-nobody')).uid, '65534');

    // Every container refused: the pod is Pending, and a refresh (any ephemeral patch makes one)
    // keeps it although podman holds no container of it.
    await core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: 'all-refused' },
        spec: {
          containers: [{ name: 'app', image: 'nginx', securityContext: { runAsNonRoot: true } }],
        },
      },
    });
    await addEphemeral('isolated', {
      name: 'refresher',
      image: 'busybox',
      command: ['sleep', '60'],
    });
    const pending = await core.readNamespacedPod({ namespace: NS, name: 'all-refused' });
    assert.equal(pending.status?.phase, 'Pending');
    assert.equal(status(pending, 'app')?.state?.waiting?.reason, 'CreateContainerConfigError');
    await core.deleteNamespacedPod({ namespace: NS, name: 'all-refused' });
    await waitUntil(
      async () =>
        (await core.listNamespacedPod({ namespace: NS })).items.some(
          (pod) => pod.metadata?.name === 'all-refused',
        )
          ? undefined
          : true,
      'all-refused deleted',
    );
  });

  it('refuses a securityContext it cannot honour with 422 Invalid, adding nothing', async function () {
    const response = await sandbox().call(
      'PATCH',
      `/api/v1/namespaces/${NS}/pods/isolated/ephemeralcontainers`,
      {
        spec: {
          ephemeralContainers: [
            {
              name: 'localhost-profile',
              image: 'busybox',
              securityContext: {
                seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' },
              },
            },
          ],
        },
      },
      'application/strategic-merge-patch+json',
    );
    assert.equal(response.status, 422);
    assert.match(
      (response.body as V1Status).message ?? '',
      /^Pod "isolated" is invalid: spec\.ephemeralContainers\[\d+\]\.securityContext\.seccompProfile\.type: Unsupported value: "Localhost"/,
    );
    const pod = await core.readNamespacedPod({ namespace: NS, name: 'isolated' });
    assert.ok(!pod.spec?.ephemeralContainers?.some((c) => c.name === 'localhost-profile'));
  });

  it('rejects a wrong token with 401 Unauthorized', async function () {
    const wrong = new KubeConfig();
    wrong.loadFromFile(sandbox().kubeconfigPath);
    const user = wrong.getCurrentUser();
    assert.ok(user);
    (user as { token?: string }).token = 'wrong';
    await assert.rejects(
      wrong.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS }),
      (error: unknown) => {
        assert.ok(error instanceof ApiException);
        assert.equal(error.code, 401);
        return true;
      },
    );
  });

  it('forbids exec with 403', async function () {
    await sandbox().setFaults({ forbidExec: true });
    try {
      // client-node reports a refused upgrade with the HTTP status only.
      await assert.rejects(exec('shell', ['true']), (error: { message?: string }) => {
        assert.match(String(error.message), /403/);
        return true;
      });
    } finally {
      await sandbox().setFaults({ forbidExec: false });
    }
  });

  it('drops an exec stream after N bytes, without a status', async function () {
    await sandbox().setFaults({ dropExecAfterBytes: 100 });
    try {
      const result = await exec('shell', ['seq', '1', '10000']);
      assert.equal(result.stdout.length, 100);
      assert.equal(result.status, undefined);
    } finally {
      await sandbox().setFaults({ dropExecAfterBytes: 0 });
    }
  });

  it('delays responses', async function () {
    await sandbox().setFaults({ delayMs: 400 });
    try {
      const started = Date.now();
      await core.readNamespace({ name: NS });
      assert.ok(Date.now() - started >= 400);
    } finally {
      await sandbox().setFaults({ delayMs: 0 });
    }
  });

  it('serves 5,000 synthetic pods for scale tests', async function () {
    await sandbox().setFaults({ syntheticPods: 5000 });
    try {
      const list = await core.listNamespacedPod({ namespace: 'synthetic' });
      assert.equal(list.items.length, 5000);
      assert.equal(list.items[4999].status?.phase, 'Running');
      assert.equal(list.items[0].status?.containerStatuses?.length, 2);
    } finally {
      await sandbox().setFaults({ syntheticPods: 0 });
    }
    const after = await core.listNamespacedPod({ namespace: 'synthetic' });
    assert.equal(after.items.length, 0);
  });

  it('spreads synthetic pods over namespaces, and pages lists with limit and continue', async function () {
    await sandbox().setFaults({ syntheticPods: 1000, syntheticNamespaces: 10 });
    try {
      const namespaces = (await core.listNamespace()).items.map((ns) => ns.metadata?.name);
      for (let index = 0; index < 10; index++) {
        assert.ok(namespaces.includes(`synthetic-00${index}`), `synthetic-00${index} is listed`);
      }
      const seen: V1Pod[] = [];
      /** Pods seen plus those a page says remain: the same total on every page. */
      const totals = new Set<number>();
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await core.listPodForAllNamespaces({ limit: 300, _continue: token });
        seen.push(...page.items);
        token = page.metadata?._continue;
        pages += 1;
        if (token) {
          assert.equal(page.items.length, 300);
          totals.add(seen.length + (page.metadata?.remainingItemCount ?? NaN));
        }
      } while (token);
      assert.deepEqual([...totals], [seen.length]);
      const synthetic = seen.filter((pod) => pod.metadata?.namespace?.startsWith('synthetic-'));
      assert.equal(synthetic.length, 1000);
      assert.equal(new Set(seen.map((pod) => pod.metadata?.uid)).size, seen.length, 'no pod twice');
      assert.ok(pages >= 4);
      const inOne = await core.listNamespacedPod({ namespace: 'synthetic-003' });
      assert.equal(inOne.items.length, 100);
      assert.equal(
        inOne.items.filter((pod) => pod.spec?.shareProcessNamespace === true).length,
        50,
        'half of each namespace shares its process namespace',
      );
      assert.ok(inOne.items[0].metadata?.managedFields?.length, 'shaped like a real pod');
      await assert.rejects(
        core.listPodForAllNamespaces({ limit: 10, _continue: 'not a token' }),
        /continue/,
      );
    } finally {
      await sandbox().setFaults({ syntheticPods: 0, syntheticNamespaces: 1 });
    }
    const namespaces = (await core.listNamespace()).items.map((ns) => ns.metadata?.name);
    assert.ok(
      !namespaces.some((name) => name?.startsWith('synthetic')),
      'their namespaces went too',
    );
  });

  it('churns synthetic pods: MODIFIED events round-robin, numbered, the last one the API’s', async function () {
    await assert.rejects(sandbox().setFaults({ syntheticChurnPerSecond: 10_001 }), /10000/);
    await sandbox().setFaults({ syntheticPods: 10 });
    const list = await core.listNamespacedPod({ namespace: 'synthetic' });
    const events: V1Pod[] = [];
    let onEvent = () => {};
    /** Resolves on the watch event after which `condition` holds (no polling). */
    const watched = (condition: () => boolean, what: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          onEvent = () => {};
          reject(new Error(`no ${what} within 20 s (${events.length} MODIFIED events)`));
        }, 20_000);
        onEvent = () => {
          if (condition()) {
            clearTimeout(timer);
            onEvent = () => {};
            resolve();
          }
        };
        onEvent();
      });
    const controller = await new Watch(kc).watch(
      '/api/v1/namespaces/synthetic/pods',
      { resourceVersion: list.metadata?.resourceVersion },
      (type, pod: V1Pod) => {
        if (type === 'MODIFIED') {
          events.push(pod);
        }
        onEvent();
      },
      () => undefined,
    );
    let api: V1Pod[] = [];
    try {
      await sandbox().setFaults({ syntheticChurnPerSecond: 100 });
      await watched(() => events.length >= 25, '25 MODIFIED events');
      const faults = await sandbox().setFaults({ syntheticChurnPerSecond: 0 });
      assert.equal(faults.syntheticChurnPerSecond, 0);
      api = (await core.listNamespacedPod({ namespace: 'synthetic' })).items;
      const last = (name: string | undefined) =>
        events.findLast((pod) => pod.metadata?.name === name)?.metadata?.resourceVersion;
      await watched(
        () => api.every((pod) => last(pod.metadata?.name) === pod.metadata?.resourceVersion),
        'last modification of every pod, as the API has it, in the watch',
      );
    } finally {
      controller.abort();
      await sandbox().setFaults({ syntheticChurnPerSecond: 0, syntheticPods: 0 });
    }
    assert.equal(api.length, 10);
    const numbers = events.map((pod) => Number(pod.metadata?.annotations?.['sandbox/churn']));
    assert.deepEqual(
      numbers,
      numbers.map((_, index) => numbers[0] + index),
      'numbered 1, 2, … without gaps',
    );
    const names = events.map((pod) => pod.metadata?.name);
    assert.equal(new Set(names.slice(0, 10)).size, 10, 'each of the 10 pods once per round');
    assert.deepEqual(names.slice(10, 20), names.slice(0, 10), 'the same order every round');
    const versions = events.map((pod) => Number(pod.metadata?.resourceVersion));
    assert.ok(
      versions.every((version, index) => index === 0 || version > versions[index - 1]),
      'resourceVersions rise',
    );
    assert.ok(
      events.every((pod) => /^\d+$/.test(pod.metadata?.annotations?.['sandbox/churned-at'] ?? '')),
      'each modification carries its time',
    );
  });

  it('keeps its pods across an API restart', async function () {
    const before = await core.readNamespacedPod({ namespace: NS, name: 'nginx' });
    const oldPid = sandbox().pid;
    await sandbox().restartApi();
    assert.notEqual(sandbox().pid, oldPid);
    const after = await core.readNamespacedPod({ namespace: NS, name: 'nginx' });
    assert.equal(after.metadata?.uid, before.metadata?.uid);
    assert.deepEqual(after.metadata?.labels, { app: 'web', tier: 'debug' });
    assert.equal(after.spec?.shareProcessNamespace, true);
    assert.equal(after.status?.phase, 'Running');
    const ps = await exec('shell', ['ps', 'ax']);
    assert.match(ps.stdout, /nginx: worker process/);
  });

  it('deletes a namespace with its pods', async function () {
    const podmanName = `ppe-${instanceId(sandbox().stateDir)}-${NS}-nginx`;
    assert.equal(await podmanPodExists(podmanName), true);
    await core.deleteNamespace({ name: NS });
    await waitUntil(
      () =>
        core.readNamespace({ name: NS }).then(
          () => undefined,
          () => true,
        ),
      'the namespace to go',
    );
    assert.equal(await podmanPodExists(podmanName), false);
  });
});
