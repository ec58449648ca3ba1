import * as assert from 'node:assert/strict';
import {
  inspectorCandidates,
  isSharedPod,
  pidNamespaceKey,
  pidNamespaces,
  podContainers,
  SHARED_PID_NAMESPACE,
  type PodLike,
} from '../../../src/processes/podContainers';

const running = { running: {} };

/** The task page's pod as a kubelet reports it, plus an init, a sidecar and a debug container. */
const pod: PodLike = {
  metadata: { name: 'nginx', namespace: 'default', uid: 'u1' },
  spec: {
    shareProcessNamespace: true,
    initContainers: [
      { name: 'setup', image: 'busybox' },
      { name: 'proxy', image: 'envoy', restartPolicy: 'Always' },
    ],
    containers: [
      { name: 'nginx', image: 'nginx' },
      {
        name: 'shell',
        image: 'busybox:1.28',
        stdin: true,
        tty: true,
        securityContext: { capabilities: { add: ['SYS_PTRACE'] } },
      },
    ],
    ephemeralContainers: [
      { name: 'debugger-abcde', image: 'busybox', targetContainerName: 'nginx', stdin: true },
    ],
  },
  status: {
    phase: 'Running',
    initContainerStatuses: [
      {
        name: 'setup',
        containerID: 'containerd://' + 'a'.repeat(64),
        state: { terminated: { reason: 'Completed', exitCode: 0 } },
      },
      { name: 'proxy', containerID: 'containerd://' + 'b'.repeat(64), state: running, ready: true },
    ],
    containerStatuses: [
      {
        name: 'nginx',
        containerID: 'containerd://' + 'c'.repeat(64),
        state: running,
        ready: true,
        restartCount: 2,
      },
      { name: 'shell', containerID: 'cri-o://' + 'd'.repeat(64), state: running, ready: true },
    ],
    ephemeralContainerStatuses: [
      {
        name: 'debugger-abcde',
        state: { waiting: { reason: 'ContainerCreating' } },
      },
    ],
  },
};

describe('podContainers', () => {
  it('lists init, sidecar, app and ephemeral containers with their state and runtime ID', () => {
    const containers = podContainers(pod);
    assert.deepEqual(
      containers.map((c) => [c.name, c.kind, c.state, c.stateReason, c.containerId?.[0]]),
      [
        ['setup', 'init', 'terminated', 'Completed', 'a'],
        ['proxy', 'sidecar', 'running', undefined, 'b'],
        ['nginx', 'container', 'running', undefined, 'c'],
        ['shell', 'container', 'running', undefined, 'd'],
        ['debugger-abcde', 'ephemeral', 'waiting', 'ContainerCreating', undefined],
      ],
    );
    const nginx = containers[2];
    assert.equal(nginx.restarts, 2);
    assert.equal(nginx.image, 'nginx');
    const shell = containers[3];
    assert.ok(shell.stdin && shell.tty && shell.canTrace);
    assert.equal(containers[4].targetContainer, 'nginx');
  });

  it('copes with a pod that has no status yet', () => {
    const pending = podContainers({ spec: { containers: [{ name: 'app' }] } });
    assert.deepEqual(
      pending.map((c) => [c.name, c.state, c.restarts, c.containerId]),
      [['app', 'unknown', 0, undefined]],
    );
  });

  it('tells shared pods apart', () => {
    assert.equal(isSharedPod(pod), true);
    assert.equal(isSharedPod({ spec: { containers: [] } }), false);
  });
});

describe('inspectorCandidates', () => {
  it('prefers a running stdin+tty shell, then SYS_PTRACE, and skips what does not run', () => {
    assert.deepEqual(inspectorCandidates(podContainers(pod)), ['shell', 'proxy', 'nginx']);
  });

  it('prefers SYS_PTRACE or privileged over a plain container', () => {
    const containers = podContainers({
      spec: {
        containers: [
          { name: 'plain' },
          { name: 'privileged', securityContext: { privileged: true } },
        ],
      },
      status: {
        containerStatuses: [
          { name: 'plain', state: running },
          { name: 'privileged', state: running },
        ],
      },
    });
    assert.deepEqual(inspectorCandidates(containers), ['privileged', 'plain']);
  });
});

describe('pidNamespaces', () => {
  const named = (of: PodLike, name: string) => {
    const found = podContainers(of).find((container) => container.name === name);
    assert.ok(found, name);
    return found;
  };

  const names = (namespaces: Map<string, { name: string }[]>) =>
    Object.fromEntries([...namespaces].map(([key, list]) => [key, list.map((c) => c.name)]));

  it('has one namespace, holding every container, when the pod shares it', () => {
    assert.deepEqual(names(pidNamespaces(pod)), {
      [SHARED_PID_NAMESPACE]: ['setup', 'proxy', 'nginx', 'shell', 'debugger-abcde'],
    });
    assert.equal(pidNamespaceKey(pod, named(pod, 'nginx')), SHARED_PID_NAMESPACE);
    assert.equal(pidNamespaceKey(pod, named(pod, 'debugger-abcde')), SHARED_PID_NAMESPACE);
  });

  it('has one per container otherwise, which a debug container targeting it joins', () => {
    const isolated: PodLike = {
      ...pod,
      spec: {
        containers: [],
        ...pod.spec,
        shareProcessNamespace: false,
        ephemeralContainers: [
          ...(pod.spec?.ephemeralContainers ?? []),
          { name: 'debugger-alone', image: 'busybox' },
        ],
      },
    };
    assert.deepEqual(names(pidNamespaces(isolated)), {
      setup: ['setup'],
      proxy: ['proxy'],
      nginx: ['nginx', 'debugger-abcde'],
      shell: ['shell'],
      'debugger-alone': ['debugger-alone'],
    });
    assert.equal(pidNamespaceKey(isolated, named(isolated, 'debugger-abcde')), 'nginx');
    assert.equal(pidNamespaceKey(isolated, named(isolated, 'shell')), 'shell');
  });
});
