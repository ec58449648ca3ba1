import assert from 'node:assert/strict';
import { podForView } from '../../../src/cluster/podProjection';
import { deserializePod } from '../../../src/cluster/podWatch';
import {
  reusableDebugContainers,
  unchangedForDebugging,
} from '../../../src/processes/debugContainer';
import { DEBUG_MARKER_ENV } from '../../../src/processes/debugMarker';
import {
  inspectorCandidates,
  isSharedPod,
  pidNamespaces,
  podContainers,
} from '../../../src/processes/podContainers';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** A Deployment's pod with a debug container added, as `kubectl get pod -o json` shows one. */
function deploymentPod(): Record<string, unknown> {
  const probe = { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 };
  const container = (name: string, image: string) => ({
    name,
    image,
    command: ['/app', '--listen=:8080'],
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    env: [{ name: 'DB_PASSWORD', value: 'hunter2' }],
    envFrom: [{ secretRef: { name: 'app-secrets' } }],
    resources: { limits: { cpu: '500m', memory: '256Mi' } },
    livenessProbe: probe,
    readinessProbe: probe,
    volumeMounts: [{ name: 'kube-api-access-x', mountPath: '/var/run/secrets' }],
    securityContext: { capabilities: { add: ['SYS_PTRACE'] } },
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-7d9c8b6f5-abcde',
      namespace: 'shop',
      uid: '5f0c1c2e-1111-4222-8333-444455556666',
      resourceVersion: '4242',
      creationTimestamp: '2026-12-07T10:00:00Z',
      labels: { app: 'web' },
      annotations: { 'prometheus.io/scrape': 'true', [LAST_APPLIED]: '{"huge":"json"}' },
      ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7d9c8b6f5', uid: 'r' }],
      managedFields: [{ manager: 'kube-controller-manager', fieldsV1: { 'f:spec': {} } }],
    },
    spec: {
      shareProcessNamespace: true,
      nodeName: 'node-1',
      restartPolicy: 'Always',
      securityContext: { runAsNonRoot: true },
      initContainers: [{ ...container('log-shipper', 'fluent-bit:3'), restartPolicy: 'Always' }],
      containers: [container('app', 'shop/web:1.4'), container('sidecar', 'envoy:1.31')],
      ephemeralContainers: [
        {
          name: 'debugger-1',
          image: 'busybox:1.36',
          env: [{ name: DEBUG_MARKER_ENV, value: 'true' }],
          stdin: true,
          tty: true,
        },
      ],
      volumes: [{ name: 'kube-api-access-x', projected: { sources: [] } }],
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }],
      affinity: { nodeAffinity: {} },
    },
    status: {
      phase: 'Running',
      podIP: '10.1.2.3',
      startTime: '2026-12-07T10:00:01Z',
      initContainerStatuses: [
        {
          name: 'log-shipper',
          image: 'fluent-bit:3',
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: '2026-12-07T10:00:02Z' } },
        },
      ],
      containerStatuses: ['app', 'sidecar'].map((name) => ({
        name,
        image: name,
        ready: true,
        restartCount: 1,
        state: { running: { startedAt: '2026-12-07T10:00:03Z' } },
      })),
      ephemeralContainerStatuses: [
        {
          name: 'debugger-1',
          image: 'busybox:1.36',
          ready: false,
          restartCount: 0,
          state: { running: { startedAt: '2026-12-07T10:05:00Z' } },
        },
      ],
    },
  };
}

describe('podForView: what the tree keeps of each pod', () => {
  const whole = deserializePod(deploymentPod());
  const kept = deserializePod(podForView(deploymentPod()));

  it('shows the same containers, states, sharing and inspectors as the whole pod', () => {
    assert.deepEqual(podContainers(kept), podContainers(whole));
    assert.equal(isSharedPod(kept), true);
    assert.deepEqual(
      inspectorCandidates(podContainers(kept)),
      inspectorCandidates(podContainers(whole)),
    );
    assert.deepEqual([...pidNamespaces(kept).keys()], [...pidNamespaces(whole).keys()]);
    assert.deepEqual(kept.status, whole.status);
    assert.equal(kept.metadata?.creationTimestamp?.getTime(), Date.parse('2026-12-07T10:00:00Z'));
  });

  it('keeps what signals and debug containers need: restart policies, security contexts, the debug marker', () => {
    assert.equal(kept.spec?.restartPolicy, 'Always');
    assert.equal(kept.spec?.initContainers?.[0].restartPolicy, 'Always');
    assert.equal(kept.spec?.securityContext?.runAsNonRoot, true);
    assert.deepEqual(kept.spec?.containers[0].securityContext?.capabilities?.add, ['SYS_PTRACE']);
    assert.deepEqual(kept.spec?.containers[0].command, ['/app', '--listen=:8080']);
    assert.equal(kept.spec?.containers[0].ports?.[0].containerPort, 8080);
    assert.deepEqual(
      reusableDebugContainers(kept, undefined).map((container) => container.name),
      reusableDebugContainers(whole, undefined).map((container) => container.name),
    );
    assert.equal(reusableDebugContainers(kept, undefined).length, 1);
    assert.equal(unchangedForDebugging(kept, whole), true);
  });

  it('drops managed fields, the environment, probes, mounts, volumes and the last-applied annotation', () => {
    const raw = podForView(deploymentPod()) as Record<string, Record<string, unknown>>;
    const text = JSON.stringify(raw);
    for (const gone of [
      'managedFields',
      'hunter2',
      'envFrom',
      'livenessProbe',
      'volumeMounts',
      'tolerations',
      'affinity',
      'ownerReferences',
      LAST_APPLIED,
    ]) {
      assert.ok(!text.includes(gone), `${gone} is still kept`);
    }
    assert.equal('volumes' in raw.spec, false);
    assert.deepEqual(kept.metadata?.annotations, { 'prometheus.io/scrape': 'true' });
    assert.deepEqual(kept.metadata?.labels, { app: 'web' });
  });

  it('leaves the input alone, and passes what is not a pod object through', () => {
    const input = deploymentPod();
    const before = JSON.stringify(input);
    podForView(input);
    assert.equal(JSON.stringify(input), before);
    for (const odd of [null, 'text', 42, ['a']]) {
      assert.deepEqual(podForView(odd), odd);
    }
    assert.deepEqual(podForView({ kind: 'Pod', metadata: 'odd', spec: 3 }), {
      apiVersion: undefined,
      kind: 'Pod',
    });
  });
});
