import * as assert from 'node:assert/strict';
import {
  debugContainerName,
  debugSecurityContext,
  ephemeralContainerPatch,
  ephemeralContainerSpec,
  ephemeralStartState,
  isImageReference,
  nonRootRefusal,
  offeredImages,
  ptraceChoice,
  rememberImage,
  reusableDebugContainers,
  targetRequired,
  unchangedForDebugging,
} from '../../../src/processes/debugContainer';
import { DEBUG_MARKER_ENV } from '../../../src/processes/debugMarker';
import type { PodLike } from '../../../src/processes/podContainers';

const running = { running: {} };

function pod(shared: boolean): PodLike {
  const marker = [{ name: DEBUG_MARKER_ENV, value: 'general' }];
  return {
    metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-1' },
    spec: {
      shareProcessNamespace: shared,
      containers: [
        { name: 'app', image: 'gcr.io/distroless/static' },
        { name: 'proxy', image: 'envoy' },
      ],
      ephemeralContainers: [
        // Ours, on app, with SYS_PTRACE: the best fit for app.
        {
          name: 'debugger-aaaaa',
          image: 'busybox',
          stdin: true,
          tty: true,
          targetContainerName: 'app',
          env: marker,
          securityContext: { capabilities: { add: ['SYS_PTRACE'] } },
        },
        // Ours, on proxy, without SYS_PTRACE.
        {
          name: 'debugger-bbbbb',
          image: 'busybox',
          stdin: true,
          tty: true,
          targetContainerName: 'proxy',
          env: marker,
        },
        // Someone's kubectl debug: not marked, never reused.
        {
          name: 'debugger-ccccc',
          image: 'busybox',
          stdin: true,
          tty: true,
          targetContainerName: 'app',
        },
        // Ours but ended (its shell exited).
        { name: 'debugger-ddddd', image: 'busybox', stdin: true, tty: true, env: marker },
      ],
    },
    status: {
      phase: 'Running',
      containerStatuses: [
        { name: 'app', state: running },
        { name: 'proxy', state: running },
      ],
      ephemeralContainerStatuses: [
        { name: 'debugger-aaaaa', state: running },
        { name: 'debugger-bbbbb', state: running },
        { name: 'debugger-ccccc', state: running },
        { name: 'debugger-ddddd', state: { terminated: { reason: 'Completed', exitCode: 0 } } },
      ],
    },
  };
}

describe('debug containers', () => {
  it('applies kubectl debug’s profiles to an ephemeral container', () => {
    assert.deepEqual(debugSecurityContext('general', false), {
      capabilities: { add: ['SYS_PTRACE'] },
    });
    assert.equal(debugSecurityContext('baseline', false), undefined);
    assert.deepEqual(debugSecurityContext('baseline', true), {
      capabilities: { add: ['SYS_PTRACE'] },
    });
    assert.deepEqual(debugSecurityContext('restricted', true), {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.deepEqual(debugSecurityContext('netadmin', false), {
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'] },
    });
    assert.deepEqual(debugSecurityContext('netadmin', true), {
      capabilities: { add: ['NET_ADMIN', 'NET_RAW', 'SYS_PTRACE'] },
    });
    assert.deepEqual(debugSecurityContext('sysadmin', false), { privileged: true });
    assert.equal(ptraceChoice('general'), 'implied');
    assert.equal(ptraceChoice('sysadmin'), 'implied');
    assert.equal(ptraceChoice('restricted'), 'impossible');
    assert.equal(ptraceChoice('baseline'), 'optional');
  });

  it('names it debugger-xxxxx from kubectl’s alphabet, never a name the pod has', () => {
    const picks = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const name = debugContainerName(new Set(['debugger-bbbbb']), () => picks.shift() ?? 0);
    assert.equal(name, 'debugger-ccccc');
    const random = debugContainerName(new Set(), (size) => Math.floor(Math.random() * size));
    assert.match(random, /^debugger-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('builds an interactive, marked container and a patch guarded by uid and resourceVersion', () => {
    const spec = ephemeralContainerSpec({
      name: 'debugger-x2b4c',
      image: 'busybox:1.36',
      target: 'app',
      profile: 'general',
      addPtrace: true,
    });
    assert.deepEqual(spec, {
      name: 'debugger-x2b4c',
      image: 'busybox:1.36',
      stdin: true,
      tty: true,
      terminationMessagePolicy: 'File',
      env: [{ name: DEBUG_MARKER_ENV, value: 'general' }],
      targetContainerName: 'app',
      securityContext: { capabilities: { add: ['SYS_PTRACE'] } },
    });
    const noTarget = ephemeralContainerSpec({
      name: 'd',
      image: 'busybox',
      target: undefined,
      profile: 'baseline',
      addPtrace: false,
    });
    assert.equal('targetContainerName' in noTarget, false);
    assert.equal('securityContext' in noTarget, false);
    assert.deepEqual(
      ephemeralContainerPatch(
        { metadata: { uid: 'uid-1', resourceVersion: '42', name: 'web-1' } },
        spec,
      ),
      { metadata: { uid: 'uid-1', resourceVersion: '42' }, spec: { ephemeralContainers: [spec] } },
    );
  });

  it('reuses only its own running debug containers that see the target', () => {
    const isolated = pod(false);
    assert.equal(targetRequired(isolated), true);
    assert.deepEqual(
      reusableDebugContainers(isolated, 'app').map((c) => c.name),
      ['debugger-aaaaa'],
    );
    assert.deepEqual(
      reusableDebugContainers(isolated, 'proxy').map((c) => c.name),
      ['debugger-bbbbb'],
    );
    const shared = pod(true);
    assert.equal(targetRequired(shared), false);
    // Shared: any of ours sees every process; the one with SYS_PTRACE first.
    assert.deepEqual(
      reusableDebugContainers(shared, 'proxy').map((c) => c.name),
      ['debugger-aaaaa', 'debugger-bbbbb'],
    );
  });

  it('reads the start state: running, pull failures with the message, start failures, ended', () => {
    const withStatus = (state: object): PodLike => ({
      spec: { containers: [] },
      status: { ephemeralContainerStatuses: [{ name: 'd', state }] },
    });
    assert.deepEqual(ephemeralStartState(withStatus({}), 'missing'), {
      kind: 'waiting',
      reason: undefined,
    });
    assert.deepEqual(ephemeralStartState(withStatus(running), 'd'), { kind: 'running' });
    assert.deepEqual(
      ephemeralStartState(withStatus({ waiting: { reason: 'ContainerCreating' } }), 'd'),
      { kind: 'waiting', reason: 'ContainerCreating' },
    );
    assert.deepEqual(
      ephemeralStartState(
        withStatus({
          waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' },
        }),
        'd',
      ),
      { kind: 'pullFailed', reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' },
    );
    assert.equal(
      ephemeralStartState(withStatus({ waiting: { reason: 'CreateContainerError' } }), 'd').kind,
      'failed',
    );
    assert.deepEqual(
      ephemeralStartState(withStatus({ terminated: { reason: 'Error', exitCode: 127 } }), 'd'),
      { kind: 'terminated', reason: 'Error', exitCode: 127 },
    );
  });

  it('recognises the kubelet’s runAsNonRoot refusals, and only those', () => {
    const failed = (message: string, reason = 'CreateContainerConfigError') =>
      ({ kind: 'failed', reason, message }) as const;
    const who = '(pod: "web-1_shop(uid-1)", container: debugger-bbbbb)';
    assert.deepEqual(
      nonRootRefusal(failed(`container has runAsNonRoot and image will run as root ${who}`)),
      { kind: 'imageRunsAsRoot' },
    );
    assert.deepEqual(
      nonRootRefusal(
        failed(
          `container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root ${who}`,
        ),
      ),
      { kind: 'imageUserByName', user: 'nginx' },
    );
    // Another reason, another config error, or not a failure: not this refusal.
    assert.equal(
      nonRootRefusal(
        failed(`container has runAsNonRoot and image will run as root ${who}`, 'RunContainerError'),
      ),
      undefined,
    );
    assert.equal(nonRootRefusal(failed('secret "db" not found')), undefined);
    assert.equal(
      nonRootRefusal({ kind: 'waiting', reason: 'CreateContainerConfigError' }),
      undefined,
    );
  });

  it('tells a pod whose status alone moved on from one changed or recreated since it was shown', () => {
    const shown: PodLike = { ...pod(false), status: { phase: 'Running' } };
    const restarted: PodLike = {
      ...shown,
      status: { phase: 'Running', containerStatuses: [{ name: 'app', restartCount: 3 }] },
    };
    assert.equal(unchangedForDebugging(shown, restarted), true);
    const spec = shown.spec ?? { containers: [] };
    const changes: [string, PodLike][] = [
      ['recreated', { ...shown, metadata: { ...shown.metadata, uid: 'uid-2' } }],
      ['no longer running', { ...shown, status: { phase: 'Failed' } }],
      ['being deleted', { ...shown, metadata: { ...shown.metadata, deletionTimestamp: 'now' } }],
      [
        'a debug container added meanwhile',
        {
          ...shown,
          spec: {
            ...spec,
            ephemeralContainers: [...(spec.ephemeralContainers ?? []), { name: 'debugger-ccccc' }],
          },
        },
      ],
      [
        'an image changed',
        {
          ...shown,
          spec: { ...spec, containers: [{ name: 'app', image: 'app:2' }, spec.containers[1]] },
        },
      ],
    ];
    for (const [what, current] of changes) {
      assert.equal(unchangedForDebugging(shown, current), false, what);
    }
  });

  it('offers recent images first, each once, and checks typed references', () => {
    assert.deepEqual(offeredImages(['alpine', ' '], ['busybox', 'alpine', 'netshoot'], 'busybox'), [
      'alpine',
      'busybox',
      'netshoot',
    ]);
    assert.deepEqual(rememberImage(['a', 'b', 'c'], 'c', 3), ['c', 'a', 'b']);
    assert.deepEqual(rememberImage(['a', 'b', 'c'], 'd', 3), ['d', 'a', 'b']);
    for (const good of [
      'busybox',
      'busybox:1.36',
      'nicolaka/netshoot',
      'registry.example.com:5000/tools/debug:1.0',
      'ghcr.io/org/tool@sha256:' + 'a'.repeat(64),
    ]) {
      assert.ok(isImageReference(good), good);
    }
    for (const bad of ['', 'busy box', 'https://example.com/x', 'x;rm -rf /', '-busybox']) {
      assert.ok(!isImageReference(bad), bad);
    }
  });
});
