import * as assert from 'node:assert/strict';
import { DEBUG_MARKER_ENV } from '../../../src/processes/debugMarker';
import {
  inspectorCandidates,
  podContainers,
  podUid,
  type ContainerSpecLike,
  type PodLike,
} from '../../../src/processes/podContainers';

const running = { running: { startedAt: '2026-11-23T14:00:00Z' } };

/** One regular container per spec, each running. */
function runningPod(specs: ContainerSpecLike[]): PodLike {
  return {
    spec: { containers: specs },
    status: { containerStatuses: specs.map(({ name }) => ({ name, state: running })) },
  };
}

describe('podContainers: what each container can do', () => {
  it('keys a pod by its uid, else by namespace and name', () => {
    assert.equal(podUid({ metadata: { uid: 'u1', namespace: 'shop', name: 'web' } }), 'u1');
    assert.equal(podUid({ metadata: { namespace: 'shop', name: 'web' } }), 'shop/web');
    assert.equal(podUid({ metadata: { name: 'web' } }), '/web');
    assert.equal(podUid({}), '/');
  });

  it('can trace with SYS_PTRACE or ALL, spelled as Kubernetes or libcap spells them', () => {
    const adds = [
      ['SYS_PTRACE'],
      ['CAP_SYS_PTRACE'],
      ['sys_ptrace'],
      ['ALL'],
      ['NET_ADMIN', 'SYS_PTRACE'],
      ['NET_ADMIN'],
      ['SYS_PTRACE2'],
      ['XSYS_PTRACE'],
      ['CAP_ALL_BUT'],
      [],
    ];
    const containers = podContainers(
      runningPod(
        adds.map((add, index) => ({
          name: `c${index}`,
          securityContext: { capabilities: { add } },
        })),
      ),
    );
    assert.deepEqual(
      containers.map((container) => container.canTrace),
      [true, true, true, true, true, false, false, false, false, false],
    );
    const [unprivileged] = podContainers(
      runningPod([{ name: 'app', securityContext: { privileged: false } }]),
    );
    assert.equal(unprivileged.canTrace, false);
  });

  it('reads the image from the status when the spec has none, and the state’s details', () => {
    const [waiting, ended, fresh] = podContainers({
      spec: { containers: [{ name: 'app' }, { name: 'job', image: 'job:1' }, { name: 'new' }] },
      status: {
        containerStatuses: [
          {
            name: 'app',
            image: 'docker.io/library/app:1',
            ready: false,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
          },
          {
            name: 'job',
            image: 'docker.io/library/job:1',
            ready: true,
            restartCount: 4,
            state: { terminated: { reason: 'Error', exitCode: 2 } },
          },
        ],
      },
    });
    assert.deepEqual(
      [waiting.image, waiting.state, waiting.stateReason, waiting.exitCode, waiting.ready],
      ['docker.io/library/app:1', 'waiting', 'CrashLoopBackOff', undefined, false],
    );
    assert.deepEqual(
      [ended.image, ended.state, ended.stateReason, ended.exitCode, ended.ready, ended.restarts],
      ['job:1', 'terminated', 'Error', 2, true, 4],
    );
    assert.deepEqual(
      [fresh.image, fresh.state, fresh.stdin, fresh.tty],
      ['', 'unknown', false, false],
    );
  });

  it('takes only an ephemeral container with the marker for one it added', () => {
    const marker = [{ name: DEBUG_MARKER_ENV, value: 'general' }];
    const containers = podContainers({
      spec: {
        containers: [{ name: 'app', env: marker }],
        ephemeralContainers: [
          { name: 'debugger-aaaaa', env: marker },
          { name: 'debugger-bbbbb', env: [{ name: 'OTHER', value: 'general' }] },
          { name: 'debugger-ccccc' },
        ],
      },
    });
    assert.deepEqual(
      containers.map((container) => [container.name, container.addedForDebugging]),
      [
        ['app', false],
        ['debugger-aaaaa', true],
        ['debugger-bbbbb', false],
        ['debugger-ccccc', false],
      ],
    );
  });

  it('keeps the pod’s order among containers that are as good as each other', () => {
    const shell = { stdin: true, tty: true };
    const containers = podContainers(
      runningPod([
        { name: 'a' },
        { name: 'b', ...shell },
        { name: 'c' },
        { name: 'd', stdin: true },
        { name: 'e', ...shell },
        { name: 'f', tty: true, securityContext: { privileged: true } },
      ]),
    );
    assert.deepEqual(inspectorCandidates(containers), ['b', 'e', 'f', 'a', 'c', 'd']);
  });
});
