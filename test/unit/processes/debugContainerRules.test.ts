import * as assert from 'node:assert/strict';
import {
  DEBUG_NAME_PREFIX,
  DEBUG_PROFILES,
  debugContainerName,
  debugSecurityContext,
  ephemeralContainerPatch,
  ephemeralStartState,
  isImageReference,
  nonRootRefusal,
  offeredImages,
  ptraceChoice,
  rememberImage,
  reusableDebugContainers,
  targetCandidates,
  unchangedForDebugging,
} from '../../../src/processes/debugContainer';
import { DEBUG_MARKER_ENV } from '../../../src/processes/debugMarker';
import type { ContainerSpecLike, PodLike } from '../../../src/processes/podContainers';

const marker = [{ name: DEBUG_MARKER_ENV, value: 'baseline' }];

/** A pod as the API server returns it, with the debug containers given. */
function podWith(
  ephemeralContainers: ContainerSpecLike[],
  states: Record<string, object>,
  shared = false,
): PodLike {
  return {
    metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-1' },
    spec: {
      shareProcessNamespace: shared,
      initContainers: [
        { name: 'migrate', image: 'migrate:1' },
        { name: 'mesh', image: 'envoy', restartPolicy: 'Always' },
      ],
      containers: [
        { name: 'app', image: 'app:1' },
        { name: 'proxy', image: 'envoy' },
      ],
      ephemeralContainers,
    },
    status: {
      phase: 'Running',
      ephemeralContainerStatuses: Object.entries(states).map(([name, state]) => ({ name, state })),
    },
  };
}

const running = { running: { startedAt: '2026-11-23T14:00:00Z' } };

describe('debug containers: profiles, names and patches', () => {
  it('offers the five profiles of kubectl debug, netadmin asking about SYS_PTRACE', () => {
    assert.deepEqual(DEBUG_PROFILES, ['general', 'baseline', 'restricted', 'netadmin', 'sysadmin']);
    assert.deepEqual(
      DEBUG_PROFILES.map((profile) => ptraceChoice(profile)),
      ['implied', 'optional', 'impossible', 'optional', 'implied'],
    );
  });

  it('adds SYS_PTRACE once, and never to a profile that has it or cannot take it', () => {
    assert.deepEqual(debugSecurityContext('general', true), {
      capabilities: { add: ['SYS_PTRACE'] },
    });
    assert.deepEqual(debugSecurityContext('sysadmin', true), { privileged: true });
    assert.deepEqual(debugSecurityContext('restricted', false), {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('draws each of the five letters from the 27 of kubectl’s alphabet', () => {
    const sizes: number[] = [];
    const picks = [0, 26, 13, 1, 25];
    const name = debugContainerName(new Set(), (size) => {
      sizes.push(size);
      return picks[sizes.length - 1];
    });
    assert.equal(name, `${DEBUG_NAME_PREFIX}b9rc8`);
    assert.deepEqual(sizes, [27, 27, 27, 27, 27]);
  });

  it('keeps drawing while the name is taken', () => {
    let calls = 0;
    const taken = new Set(['debugger-bbbbb', 'debugger-ccccc']);
    const name = debugContainerName(taken, () => Math.floor(calls++ / 5));
    assert.equal(name, 'debugger-ddddd');
    assert.equal(calls, 15);
  });

  it('guards the patch with what the pod has: no uid or resourceVersion, no guard', () => {
    const container = { name: 'debugger-x2b4c', image: 'busybox' };
    assert.deepEqual(ephemeralContainerPatch({}, container), {
      metadata: {},
      spec: { ephemeralContainers: [container] },
    });
    assert.deepEqual(ephemeralContainerPatch({ metadata: { uid: 'uid-1' } }, container), {
      metadata: { uid: 'uid-1' },
      spec: { ephemeralContainers: [container] },
    });
    assert.deepEqual(ephemeralContainerPatch({ metadata: { resourceVersion: '7' } }, container), {
      metadata: { resourceVersion: '7' },
      spec: { ephemeralContainers: [container] },
    });
  });
});

describe('debug containers: which pod and containers', () => {
  it('targets only the regular containers, not init containers, sidecars or debuggers', () => {
    const pod = podWith([{ name: 'debugger-aaaaa', image: 'busybox', env: marker }], {});
    assert.deepEqual(
      targetCandidates(pod).map((container) => container.name),
      ['app', 'proxy'],
    );
  });

  it('puts the debug container that can trace first, the others in the pod’s order', () => {
    const ours = (name: string, extra: Partial<ContainerSpecLike> = {}): ContainerSpecLike => ({
      name,
      image: 'busybox',
      stdin: true,
      tty: true,
      env: marker,
      ...extra,
    });
    const pod = podWith(
      [
        ours('debugger-aaaaa', { targetContainerName: 'app' }),
        ours('debugger-bbbbb', { targetContainerName: 'proxy' }),
        ours('debugger-ccccc', {
          targetContainerName: 'app',
          securityContext: { capabilities: { add: ['SYS_PTRACE'] } },
        }),
        ours('debugger-ddddd', { targetContainerName: 'app' }),
        // Without stdin nothing can attach to it.
        ours('debugger-fffff', { targetContainerName: 'app', stdin: false }),
        // Still starting.
        ours('debugger-ggggg', { targetContainerName: 'app' }),
      ],
      {
        'debugger-aaaaa': running,
        'debugger-bbbbb': running,
        'debugger-ccccc': running,
        'debugger-ddddd': running,
        'debugger-fffff': running,
        'debugger-ggggg': { waiting: { reason: 'ContainerCreating' } },
      },
    );
    assert.deepEqual(
      reusableDebugContainers(pod, 'app').map((container) => container.name),
      ['debugger-ccccc', 'debugger-aaaaa', 'debugger-ddddd'],
    );
    // No target chosen: any of ours that runs will do.
    assert.deepEqual(
      reusableDebugContainers(pod, undefined).map((container) => container.name),
      ['debugger-ccccc', 'debugger-aaaaa', 'debugger-bbbbb', 'debugger-ddddd'],
    );
    assert.deepEqual(
      reusableDebugContainers(pod, 'proxy').map((container) => container.name),
      ['debugger-bbbbb'],
    );
  });

  it('refuses a pod shown without a uid, not running, or whose init containers changed', () => {
    const shown = podWith([], {});
    assert.equal(unchangedForDebugging(shown, shown), true);
    const noUid: PodLike = { ...shown, metadata: { name: 'web-1' } };
    assert.equal(unchangedForDebugging(noUid, noUid), false);
    assert.equal(unchangedForDebugging(shown, { ...shown, status: { phase: 'Pending' } }), false);
    assert.equal(unchangedForDebugging(shown, { ...shown, status: undefined }), false);
    const spec = shown.spec ?? { containers: [] };
    const newInit: PodLike = {
      ...shown,
      spec: { ...spec, initContainers: [{ name: 'migrate', image: 'migrate:2' }] },
    };
    assert.equal(unchangedForDebugging(shown, newInit), false);
    // A container without an image reads as the same one without an image.
    const noImage: PodLike = { ...shown, spec: { containers: [{ name: 'app' }] } };
    assert.equal(unchangedForDebugging(noImage, { ...noImage }), true);
    assert.equal(
      unchangedForDebugging(noImage, {
        ...noImage,
        spec: { containers: [{ name: 'app', image: 'undefined' }] },
      }),
      false,
    );
  });
});

describe('debug containers: start states', () => {
  const waiting = (reason: string, message?: string): PodLike => ({
    spec: { containers: [] },
    status: {
      ephemeralContainerStatuses: [
        { name: 'debugger-x2b4c', state: { waiting: { reason, message } } },
      ],
    },
  });

  it('reads every image pull failure as a pull failure, with the kubelet’s message', () => {
    for (const reason of [
      'ErrImagePull',
      'ImagePullBackOff',
      'InvalidImageName',
      'ErrImageNeverPull',
      'RegistryUnavailable',
    ]) {
      assert.deepEqual(
        ephemeralStartState(waiting(reason, `${reason}: busybox`), 'debugger-x2b4c'),
        {
          kind: 'pullFailed',
          reason,
          message: `${reason}: busybox`,
        },
      );
    }
    assert.deepEqual(ephemeralStartState(waiting('ErrImagePull'), 'debugger-x2b4c'), {
      kind: 'pullFailed',
      reason: 'ErrImagePull',
      message: '',
    });
  });

  it('reads the waiting reasons that do not pass by themselves as failures', () => {
    for (const reason of [
      'CreateContainerConfigError',
      'CreateContainerError',
      'RunContainerError',
    ]) {
      assert.deepEqual(ephemeralStartState(waiting(reason, 'no such user'), 'debugger-x2b4c'), {
        kind: 'failed',
        reason,
        message: 'no such user',
      });
    }
    assert.deepEqual(ephemeralStartState(waiting('RunContainerError'), 'debugger-x2b4c'), {
      kind: 'failed',
      reason: 'RunContainerError',
      message: '',
    });
    assert.deepEqual(ephemeralStartState(waiting('PodInitializing'), 'debugger-x2b4c'), {
      kind: 'waiting',
      reason: 'PodInitializing',
    });
    assert.deepEqual(ephemeralStartState({ spec: { containers: [] } }, 'debugger-x2b4c'), {
      kind: 'waiting',
      reason: undefined,
    });
  });

  it('reads the named user of a runAsNonRoot refusal as the kubelet words it', () => {
    const message =
      'container has runAsNonRoot and image has non-numeric user (app user), cannot verify user is non-root (pod: "web-1_shop(uid-1)", container: debugger-x2b4c)';
    assert.deepEqual(
      nonRootRefusal({ kind: 'failed', reason: 'CreateContainerConfigError', message }),
      { kind: 'imageUserByName', user: 'app user' },
    );
    assert.equal(
      nonRootRefusal({ kind: 'pullFailed', reason: 'CreateContainerConfigError', message }),
      undefined,
    );
  });
});

describe('debug containers: images', () => {
  it('offers the configured default before the configured list, and trims each', () => {
    assert.deepEqual(offeredImages([], [' alpine ', 'busybox', ''], 'busybox'), [
      'busybox',
      'alpine',
    ]);
    assert.deepEqual(offeredImages(['debian:stable-slim '], ['alpine'], ' busybox'), [
      'debian:stable-slim',
      'busybox',
      'alpine',
    ]);
  });

  it('remembers ten images by default, the one just used first', () => {
    const recent = Array.from({ length: 12 }, (_, index) => `image-${index}`);
    assert.deepEqual(rememberImage(recent, 'image-5'), [
      'image-5',
      'image-0',
      'image-1',
      'image-2',
      'image-3',
      'image-4',
      'image-6',
      'image-7',
      'image-8',
      'image-9',
    ]);
  });

  const hex = '0123456789abcdef'.repeat(4);

  it('accepts every form of image reference a registry takes', () => {
    for (const good of [
      'a',
      'z',
      '0',
      '9',
      'Busybox',
      'az09',
      'my.image',
      'my_image',
      'my-image',
      'my-a.z_0-9',
      'localhost:5000/a',
      'host:9/a',
      'host:0/a',
      'org/a',
      'org/z',
      'org/0',
      'org/9',
      'org/my.tool',
      'org/my_tool',
      'org/my__tool',
      'org/my--tool',
      'org/a-z.0_9',
      'org/x-a',
      'org/team/tool',
      'busybox:1',
      'busybox:latest',
      'busybox:V1-rc.2_x',
      'busybox:_x',
      `busybox:${'t'.repeat(128)}`,
      `busybox@sha256:${hex}`,
      `busybox@sha256:${hex.toUpperCase()}`,
      `busybox@sha256:${'f'.repeat(32)}`,
      `busybox@az09:${'0'.repeat(32)}`,
      `busybox:1.36@sha256:${hex}`,
      `org/${'a'.repeat(251)}`,
    ]) {
      assert.equal(isImageReference(good), true, good);
    }
  });

  it('refuses what no registry takes: bad separators, tags, digests, or past 255 characters', () => {
    for (const bad of [
      '.busybox',
      'busybox.',
      'busybox-',
      'my..image',
      'my/',
      'org//tool',
      'org/-tool',
      'org/tool-',
      'org/my___tool',
      'org/my.-tool',
      'host:/a',
      'busybox:',
      'busybox:.1',
      'busybox:-1',
      `busybox:${'t'.repeat(129)}`,
      'busybox@',
      'busybox@sha256',
      `busybox@sha256:${'f'.repeat(31)}`,
      `busybox@sha256:${'g'.repeat(64)}`,
      `busybox@:${hex}`,
      `busybox@sha-256:${hex}`,
      'busybox latest',
      'busybox\n',
      ' busybox',
      'docker://busybox',
      `org/${'a'.repeat(252)}`,
    ]) {
      assert.equal(isImageReference(bad), false, JSON.stringify(bad));
    }
  });
});
