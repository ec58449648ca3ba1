// The kubelet's securityContext rules as the sandbox applies them, without podman: what it refuses
// and which podman options the rest becomes.
import assert from 'node:assert/strict';
import {
  effectiveSecurityContext,
  podmanSecurityArgs,
  runAsNonRootRefusal,
} from './securityContext';
import { ApiError } from './status';

const POD = { name: 'web', namespace: 'shop', uid: '5e1f' };
const WHO = '(pod: "web_shop(5e1f)", container: debug)';
const RESTRICTED = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

function refusal(containerContext: unknown, imageUser: string, podContext?: unknown) {
  return runAsNonRootRefusal(
    effectiveSecurityContext(podContext, containerContext, 'spec.ephemeralContainers[0]'),
    imageUser,
    POD,
    'debug',
  );
}

describe('sandbox securityContext rules', function () {
  it('refuses runAsNonRoot for an image of root: no USER, 0, or 0 with a group', function () {
    for (const user of ['', '0', '0:0']) {
      assert.equal(
        refusal(RESTRICTED, user),
        `container has runAsNonRoot and image will run as root ${WHO}`,
        `USER ${JSON.stringify(user)}`,
      );
    }
  });

  it('refuses a user name it cannot check, and runAsUser 0; lets a numeric non-root user run', function () {
    assert.equal(
      refusal(RESTRICTED, 'nginx'),
      `container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root ${WHO}`,
    );
    assert.equal(
      refusal({ ...RESTRICTED, runAsUser: 0 }, '1000'),
      `container's runAsUser breaks non-root policy ${WHO}`,
    );
    assert.equal(refusal(RESTRICTED, '65534:65534'), undefined);
    assert.equal(refusal({ ...RESTRICTED, runAsUser: 1000 }, ''), undefined);
    assert.equal(refusal({ capabilities: { add: ['SYS_PTRACE'] } }, ''), undefined);
  });

  it('takes runAsNonRoot and runAsUser from the pod unless the container sets them', function () {
    assert.match(refusal({}, '', { runAsNonRoot: true }) ?? '', /image will run as root/);
    assert.equal(refusal({ runAsNonRoot: false }, '', { runAsNonRoot: true }), undefined);
    assert.equal(refusal({}, '', { runAsNonRoot: true, runAsUser: 1000 }), undefined);
    assert.match(
      refusal({ runAsUser: 0 }, '', { runAsNonRoot: true, runAsUser: 1000 }) ?? '',
      /runAsUser breaks non-root policy/,
    );
  });

  it('turns the restricted profile with a user into podman options', function () {
    const context = effectiveSecurityContext(
      { supplementalGroups: [4000], fsGroup: 2000 },
      { ...RESTRICTED, runAsUser: 65534 },
      'spec.ephemeralContainers[0]',
    );
    assert.deepEqual(podmanSecurityArgs(context, ''), [
      '--user',
      '65534',
      '--group-add',
      '4000',
      '--group-add',
      '2000',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
    ]);
  });

  it('keeps the image’s user for a group alone; unconfined without a profile, as a kubelet', function () {
    const context = effectiveSecurityContext(
      {},
      { runAsGroup: 3000, capabilities: { add: ['SYS_PTRACE'] } },
      'spec.ephemeralContainers[0]',
    );
    assert.deepEqual(podmanSecurityArgs(context, 'nginx:nginx'), [
      '--user',
      'nginx:3000',
      '--cap-add',
      'SYS_PTRACE',
      '--security-opt',
      'seccomp=unconfined',
    ]);
    assert.deepEqual(podmanSecurityArgs(context, ''), [
      '--user',
      '0:3000',
      '--cap-add',
      'SYS_PTRACE',
      '--security-opt',
      'seccomp=unconfined',
    ]);
    const privileged = effectiveSecurityContext({}, { privileged: true }, 'x');
    assert.deepEqual(podmanSecurityArgs(privileged, ''), ['--privileged']);
  });

  it('answers a field of the wrong kind, or a Localhost profile, with 422 Invalid naming it', function () {
    const invalid = (pattern: RegExp) => (error: unknown) =>
      error instanceof ApiError && error.code === 422 && pattern.test(error.message);
    assert.throws(
      () => effectiveSecurityContext({}, { runAsUser: -1 }, 'spec.ephemeralContainers[2]'),
      invalid(/^spec\.ephemeralContainers\[2\]\.securityContext\.runAsUser: Invalid value: -1/),
    );
    assert.throws(
      () => effectiveSecurityContext({ runAsNonRoot: 'yes' }, {}, 'spec.ephemeralContainers[0]'),
      invalid(/^spec\.securityContext\.runAsNonRoot: Invalid value: "yes"/),
    );
    assert.throws(
      () =>
        effectiveSecurityContext(
          {},
          { capabilities: { add: ['SYS_PTRACE; rm -rf /'] } },
          'spec.ephemeralContainers[0]',
        ),
      invalid(/capabilities\.add: must be a list of capability names/),
    );
    assert.throws(
      () =>
        effectiveSecurityContext(
          {},
          { seccompProfile: { type: 'Localhost', localhostProfile: 'audit.json' } },
          'spec.ephemeralContainers[0]',
        ),
      invalid(/seccompProfile\.type: Unsupported value: "Localhost"/),
    );
  });
});
