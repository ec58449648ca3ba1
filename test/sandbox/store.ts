// The API's objects: namespaces and pods. Pods live in podman; this keeps what podman cannot (the
// manifest as submitted, uid, timestamps) in the state dir, so a restarted API rebuilds the same
// objects, and turns podman's container states into kubelet-style pod status.
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { MAX_SYNTHETIC_NAMESPACES, MAX_SYNTHETIC_PODS } from './faults';
import { mapImage, type SandboxImages } from './images';
import {
  LABEL,
  LABEL_INSTANCE,
  LABEL_STATE_DIR,
  PodmanError,
  podman,
  podmanJson,
  removePodmanPods,
} from './podman';
import {
  effectiveSecurityContext,
  podmanSecurityArgs,
  runAsNonRootRefusal,
  type EffectiveSecurityContext,
} from './securityContext';
import { ApiError } from './status';
import { readJson, writeJson, type StatePaths } from './stateDir';

export type Json = Record<string, unknown>;
export type Kind = 'pods' | 'namespaces';
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  rv: number;
  kind: Kind;
  type: EventType;
  object: Json;
}

interface ContainerSpec extends Json {
  name: string;
  image: string;
}

interface PodSpec extends Json {
  containers: ContainerSpec[];
  ephemeralContainers?: (ContainerSpec & { targetContainerName?: string })[];
}

/** What the state dir keeps per pod (pods/<podmanName>.json). */
interface StoredPod {
  podmanName: string;
  namespace: string;
  name: string;
  uid: string;
  creationTimestamp: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: PodSpec;
  podIP: string;
  deletionTimestamp?: string;
}

interface StoredNamespace {
  name: string;
  uid: string;
  creationTimestamp: string;
}

/** The parts of `podman inspect` the status is made from. */
interface PodmanContainer {
  Id: string;
  Name: string;
  ImageName: string;
  Image: string;
  RestartCount: number;
  State: {
    Status: string;
    Running: boolean;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
    Error?: string;
  };
}

const PROTECTED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Synthetic pod `index`'s name: unique across the namespaces they are spread over. */
function syntheticName(index: number): string {
  return `synthetic-${String(index).padStart(5, '0')}`;
}

/** Synthetic pod `index`'s namespace: `synthetic`, or one of `synthetic-000`… when spread. */
function syntheticNamespace(index: number, namespaces: number): string {
  return namespaces <= 1 ? 'synthetic' : `synthetic-${String(index % namespaces).padStart(3, '0')}`;
}
/** Set on synthetic pods by the churn switch: the modification's sequence number (1, 2, …) and its time (ms). */
export const CHURN_ANNOTATION = 'sandbox/churn';
export const CHURNED_AT_ANNOTATION = 'sandbox/churned-at';
export const NODE_NAME = 'sandbox';
const EVENT_LOG_SIZE = 10_000;
const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** How long a failed pull reports ErrImagePull before the kubelet backs off (ImagePullBackOff). */
const PULL_BACKOFF_AFTER_MS = 3000;

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function time(podmanTime: string): string | undefined {
  const date = new Date(podmanTime);
  return Number.isNaN(date.getTime()) || date.getUTCFullYear() < 2
    ? undefined
    : date.toISOString().replace(/\.\d+Z$/, 'Z');
}

function stringMap(value: unknown, what: string): Record<string, string> {
  if (value === undefined || value === null) {
    return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw ApiError.invalid(`${what} must be a map of strings`);
  }
  const entries = Object.entries(value as Json);
  if (!entries.every(([, item]) => typeof item === 'string')) {
    throw ApiError.invalid(`${what} must be a map of strings`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function checkName(name: unknown, kind: string): string {
  if (typeof name !== 'string' || name.length > 63 || !NAME_PATTERN.test(name)) {
    throw ApiError.invalid(
      `${kind} name ${JSON.stringify(name)} is invalid: a lowercase RFC 1123 label must consist of ` +
        `lower case alphanumeric characters or '-'`,
    );
  }
  return name;
}

function containerState(container: PodmanContainer | undefined): { state: Json; ready: boolean } {
  if (!container) {
    return { state: { waiting: { reason: 'ContainerCreating' } }, ready: false };
  }
  const startedAt = time(container.State.StartedAt);
  if (container.State.Running) {
    return { state: { running: { startedAt } }, ready: true };
  }
  if (container.State.Status === 'exited' || container.State.Status === 'stopped') {
    const exitCode = container.State.ExitCode;
    return {
      state: {
        terminated: {
          exitCode,
          reason: exitCode === 0 ? 'Completed' : 'Error',
          startedAt,
          finishedAt: time(container.State.FinishedAt),
          containerID: `podman://${container.Id}`,
        },
      },
      ready: false,
    };
  }
  return { state: { waiting: { reason: 'ContainerCreating' } }, ready: false };
}

export class Store {
  private readonly pods = new Map<string, StoredPod>();
  private readonly namespaces = new Map<string, StoredNamespace>();
  /** The latest podman view of each container, by podman container name. */
  private containers = new Map<string, PodmanContainer>();
  private readonly podObjects = new Map<string, Json>();
  private readonly namespaceObjects = new Map<string, Json>();
  /** When an ephemeral container's image failed to pull, by podman container name. */
  private readonly pullFailedAt = new Map<string, number>();
  /** Each local image's USER (its config's, '' for none), read once: tags name their content. */
  private readonly imageUsers = new Map<string, string>();
  private syntheticCount = 0;
  private syntheticNamespaceCount = 1;
  /** The synthetic pod the churn switch modifies next, and how many it modified so far. */
  private churnNext = 0;
  private churnCount = 0;
  // Starts from the clock so versions keep rising across API restarts; older ones get 410 Gone.
  private rv = Date.now() * 1000;
  private readonly log: WatchEvent[] = [];
  /** Versions before this one were compacted away: watches from them get 410 Expired. */
  private compactedBefore = 0;
  private readonly listeners = new Set<(event: WatchEvent) => void>();
  private refreshing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private refreshedAt = 0;

  constructor(
    private readonly paths: StatePaths,
    private readonly instance: string,
    private readonly images: SandboxImages,
  ) {}

  get resourceVersion(): number {
    return this.rv;
  }

  get oldestResourceVersion(): number {
    return this.log[0]?.rv ?? this.rv;
  }

  /** Rebuilds state from the state dir and podman; drops records whose pod is gone, and pods without a record. */
  async load(): Promise<void> {
    const stored = (await readJson<StoredNamespace[]>(this.paths.namespaces)) ?? [];
    for (const name of PROTECTED_NAMESPACES) {
      if (!stored.some((ns) => ns.name === name)) {
        stored.push({ name, uid: randomUUID(), creationTimestamp: now() });
      }
    }
    for (const ns of stored) {
      this.namespaces.set(ns.name, ns);
    }
    await this.saveNamespaces();
    // Before any status is made: a refused ephemeral container's status depends on its image's user.
    await Promise.all(
      [this.images.busybox, this.images.nginx].map((image) => this.imageUser(image)),
    );
    const podmanPods = await podmanJson<{ Name: string }[]>([
      'pod',
      'ps',
      '--filter',
      `label=${LABEL_INSTANCE}=${this.instance}`,
      '--format',
      'json',
    ]);
    const existing = new Set(podmanPods.map((pod) => pod.Name));
    for (const file of await readdir(this.paths.pods)) {
      const pod = await readJson<StoredPod>(join(this.paths.pods, file));
      if (pod && existing.has(pod.podmanName) && !pod.deletionTimestamp) {
        this.pods.set(this.key(pod.namespace, pod.name), pod);
        existing.delete(pod.podmanName);
      } else {
        await rm(join(this.paths.pods, file), { force: true });
      }
    }
    await removePodmanPods([...existing]);
    for (const ns of this.namespaces.values()) {
      this.namespaceObjects.set(ns.name, this.namespaceObject(ns, 'Active'));
    }
    await this.refresh();
  }

  private key(namespace: string, name: string): string {
    return `${namespace}/${name}`;
  }

  private async saveNamespaces(): Promise<void> {
    await writeJson(this.paths.namespaces, [...this.namespaces.values()]);
  }

  private async savePod(pod: StoredPod): Promise<void> {
    await writeJson(join(this.paths.pods, `${pod.podmanName}.json`), pod);
  }

  subscribe(listener: (event: WatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get watcherCount(): number {
    return this.listeners.size;
  }

  /** Events after `rv`, or undefined when the log no longer reaches back that far. */
  eventsSince(rv: number): WatchEvent[] | undefined {
    if (rv < this.compactedBefore || (rv < this.oldestResourceVersion - 1 && rv < this.rv)) {
      return undefined;
    }
    return this.log.filter((event) => event.rv > rv);
  }

  /**
   * Forgets the event history, as an etcd compaction does. The compaction gets a version of its
   * own (in etcd, other objects' writes move the revision on), so every version handed out before
   * is too old to watch from.
   */
  compact(): void {
    this.rv += 1;
    this.compactedBefore = this.rv;
    this.log.length = 0;
  }

  private emit(kind: Kind, type: EventType, object: Json): void {
    const event: WatchEvent = { rv: this.rv, kind, type, object };
    this.log.push(event);
    if (this.log.length > EVENT_LOG_SIZE) {
      this.log.splice(0, this.log.length - EVENT_LOG_SIZE);
    }
    for (const listener of this.listeners) {
      listener(event);
    }
  }

  private bump(object: Json): Json {
    this.rv += 1;
    (object.metadata as Json).resourceVersion = String(this.rv);
    return object;
  }

  // ---- namespaces ----

  private namespaceObject(ns: StoredNamespace, phase: string): Json {
    return this.bump({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns.name,
        uid: ns.uid,
        creationTimestamp: ns.creationTimestamp,
        labels: { 'kubernetes.io/metadata.name': ns.name },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase },
    });
  }

  listNamespaces(): Json[] {
    return [...this.namespaceObjects.values()];
  }

  getNamespace(name: string): Json {
    const ns = this.namespaceObjects.get(name);
    if (!ns) {
      throw ApiError.notFound('namespaces', name);
    }
    return ns;
  }

  async createNamespace(body: Json): Promise<Json> {
    const name = checkName((body.metadata as Json | undefined)?.name, 'namespace');
    if (this.namespaceObjects.has(name)) {
      throw ApiError.alreadyExists('namespaces', name);
    }
    const ns: StoredNamespace = { name, uid: randomUUID(), creationTimestamp: now() };
    this.namespaces.set(name, ns);
    await this.saveNamespaces();
    const object = this.namespaceObject(ns, 'Active');
    this.namespaceObjects.set(name, object);
    this.emit('namespaces', 'ADDED', object);
    return object;
  }

  deleteNamespace(name: string): Json {
    const ns = this.namespaces.get(name);
    if (!ns) {
      throw ApiError.notFound('namespaces', name);
    }
    if (PROTECTED_NAMESPACES.includes(name)) {
      throw ApiError.forbidden(
        `namespaces "${name}" is forbidden: this namespace may not be deleted`,
        'namespaces',
        name,
      );
    }
    const terminating = this.namespaceObject(ns, 'Terminating');
    (terminating.metadata as Json).deletionTimestamp = now();
    this.namespaceObjects.set(name, terminating);
    this.emit('namespaces', 'MODIFIED', terminating);
    void (async () => {
      const victims = [...this.pods.values()].filter((pod) => pod.namespace === name);
      await Promise.allSettled(victims.map((pod) => this.deletePod(pod.namespace, pod.name)));
      await Promise.allSettled(
        victims.map((pod) => this.removal.get(pod.podmanName) ?? Promise.resolve()),
      );
      this.namespaces.delete(name);
      this.namespaceObjects.delete(name);
      await this.saveNamespaces();
      this.emit('namespaces', 'DELETED', this.bump(structuredClone(terminating)));
    })();
    return terminating;
  }

  // ---- pods ----

  private readonly removal = new Map<string, Promise<void>>();
  /** Pods being played: they have no containers yet, and that is no sign they are gone. */
  private readonly creating = new Set<string>();

  listPods(namespace?: string): Json[] {
    const pods = [...this.podObjects.values()];
    return namespace === undefined
      ? pods
      : pods.filter((pod) => (pod.metadata as Json).namespace === namespace);
  }

  getPod(namespace: string, name: string): Json {
    const pod = this.podObjects.get(this.key(namespace, name));
    if (!pod) {
      throw ApiError.notFound('pods', name);
    }
    return pod;
  }

  isSynthetic(namespace: string, name: string): boolean {
    return (
      !this.pods.has(this.key(namespace, name)) && this.podObjects.has(this.key(namespace, name))
    );
  }

  /** The podman container backing a pod's container (regular or ephemeral). */
  containerRef(namespace: string, name: string, container: string): string {
    const pod = this.pods.get(this.key(namespace, name));
    if (!pod) {
      throw ApiError.notFound('pods', name);
    }
    return `${pod.podmanName}-${container}`;
  }

  private podObject(pod: StoredPod): Json {
    const statuses = (specs: ContainerSpec[]) =>
      specs.map((spec) => {
        const container = this.containers.get(`${pod.podmanName}-${spec.name}`);
        const { state, ready } = container
          ? containerState(container)
          : this.notCreatedState(pod, spec);
        return {
          name: spec.name,
          image: spec.image,
          imageID: container ? `sha256:${container.Image}` : '',
          ...(container ? { containerID: `podman://${container.Id}` } : {}),
          state,
          lastState: {},
          ready,
          restartCount: container?.RestartCount ?? 0,
          started: 'running' in state,
        };
      });
    const containerStatuses = statuses(pod.spec.containers);
    const ephemeral = pod.spec.ephemeralContainers ?? [];
    const running = containerStatuses.filter((status) => 'running' in status.state).length;
    const terminated = containerStatuses.map(
      (status) => status.state.terminated as Json | undefined,
    );
    let phase = 'Pending';
    if (running > 0) {
      phase = 'Running';
    } else if (terminated.every(Boolean)) {
      phase = terminated.every((state) => state?.exitCode === 0) ? 'Succeeded' : 'Failed';
    }
    const allReady = containerStatuses.every((status) => status.ready);
    const readyStatus = allReady ? 'True' : 'False';
    const transition = pod.creationTimestamp;
    const condition = (type: string, status: string) => ({
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: transition,
      ...(status === 'False' ? { reason: 'ContainersNotReady' } : {}),
    });
    const metadata: Json = {
      name: pod.name,
      namespace: pod.namespace,
      uid: pod.uid,
      creationTimestamp: pod.creationTimestamp,
      ...(Object.keys(pod.labels).length ? { labels: pod.labels } : {}),
      ...(Object.keys(pod.annotations).length ? { annotations: pod.annotations } : {}),
      ...(pod.deletionTimestamp
        ? { deletionTimestamp: pod.deletionTimestamp, deletionGracePeriodSeconds: 0 }
        : {}),
    };
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata,
      spec: pod.spec,
      status: {
        phase,
        conditions: [
          condition('PodReadyToStartContainers', 'True'),
          condition('Initialized', 'True'),
          condition('Ready', readyStatus),
          condition('ContainersReady', readyStatus),
          condition('PodScheduled', 'True'),
        ],
        hostIP: '127.0.0.1',
        hostIPs: [{ ip: '127.0.0.1' }],
        podIP: pod.podIP,
        podIPs: pod.podIP ? [{ ip: pod.podIP }] : [],
        startTime: pod.creationTimestamp,
        qosClass: 'BestEffort',
        containerStatuses,
        ...(ephemeral.length ? { ephemeralContainerStatuses: statuses(ephemeral) } : {}),
      },
    };
  }

  /** Recomputes every pod from podman; emits MODIFIED for those that changed. */
  private updatePod(pod: StoredPod, type: EventType = 'MODIFIED'): Json {
    const key = this.key(pod.namespace, pod.name);
    const next = this.podObject(pod);
    const previous = this.podObjects.get(key);
    if (previous && type === 'MODIFIED') {
      const unversioned = { ...(previous.metadata as Json), resourceVersion: undefined };
      if (JSON.stringify({ ...previous, metadata: unversioned }) === JSON.stringify(next)) {
        return previous;
      }
    }
    this.bump(next);
    this.podObjects.set(key, next);
    this.emit('pods', type, next);
    return next;
  }

  /**
   * Reads podman's container states. A call made while a refresh runs gets the next one (which
   * sees every change made before the call); callers meanwhile share it.
   */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.queued ??= this.refreshing
        .then(
          () => undefined,
          () => undefined,
        )
        .then(() => {
          this.queued = undefined;
          return this.refresh();
        });
      return this.queued;
    }
    this.refreshing = (async () => {
      try {
        const { stdout } = await podman([
          'ps',
          '-a',
          '-q',
          '--no-trunc',
          '--filter',
          `label=${LABEL_INSTANCE}=${this.instance}`,
        ]);
        const ids = stdout.split('\n').filter(Boolean);
        const inspected = ids.length ? await this.inspect(ids) : [];
        this.containers = new Map(inspected.map((container) => [container.Name, container]));
        for (const pod of this.pods.values()) {
          if (this.removal.has(pod.podmanName)) {
            // Being deleted: its DELETED comes when podman has removed the whole pod.
            continue;
          }
          if (
            !this.creating.has(pod.podmanName) &&
            !this.hasContainers(pod) &&
            !(await this.onlyRefusedContainers(pod))
          ) {
            // Removed behind the API's back (podman pod rm, a machine clean-up): the pod is gone.
            await this.forget(pod);
            continue;
          }
          this.updatePod(
            pod,
            this.podObjects.has(this.key(pod.namespace, pod.name)) ? 'MODIFIED' : 'ADDED',
          );
        }
        this.refreshedAt = Date.now();
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Refreshes unless a refresh finished within `maxAgeMs`. */
  async fresh(maxAgeMs = 500): Promise<void> {
    if (Date.now() - this.refreshedAt > maxAgeMs) {
      await this.refresh();
    }
  }

  /**
   * Whether the pod has no container because runAsNonRoot refused every one: it stays while its
   * podman pod (the infra container) does.
   */
  private async onlyRefusedContainers(pod: StoredPod): Promise<boolean> {
    if (!pod.spec.containers.every((spec) => this.configRefusal(pod, spec) !== undefined)) {
      return false;
    }
    try {
      await podman(['pod', 'exists', pod.podmanName]);
      return true;
    } catch (error) {
      // Exit code 1 is "no such pod"; any other failure is no sign that it is gone.
      if (error instanceof PodmanError && error.code === 1) {
        return false;
      }
      throw error;
    }
  }

  private hasContainers(pod: StoredPod): boolean {
    const prefix = `${pod.podmanName}-`;
    return [...this.containers.keys()].some((name) => name.startsWith(prefix));
  }

  /** Drops a pod from the API (its podman pod is gone) and tells watchers. */
  private async forget(pod: StoredPod): Promise<void> {
    const key = this.key(pod.namespace, pod.name);
    await rm(join(this.paths.pods, `${pod.podmanName}.json`), { force: true });
    this.pods.delete(key);
    const last = this.podObjects.get(key);
    this.podObjects.delete(key);
    if (last) {
      this.emit('pods', 'DELETED', this.bump(structuredClone(last)));
    }
  }

  private async inspect(ids: string[]): Promise<PodmanContainer[]> {
    try {
      return await podmanJson<PodmanContainer[]>(['inspect', '--type', 'container', ...ids]);
    } catch (error) {
      // A container removed between ps and inspect: ask again for those still there. Only podman's
      // "no such container" means gone; any other failure (a busy podman under several sandboxes)
      // fails the refresh, so pods are never dropped for a transient error.
      if (error instanceof PodmanError && ids.length > 1) {
        const results = await Promise.all(
          ids.map((id) =>
            this.inspect([id]).catch((single: unknown) => {
              if (
                single instanceof PodmanError &&
                /no such (container|object)/i.test(single.stderr)
              ) {
                return [];
              }
              throw single;
            }),
          ),
        );
        return results.flat();
      }
      throw error;
    }
  }

  private labelsFor(pod: StoredPod): Record<string, string> {
    return {
      [LABEL]: '1',
      [LABEL_INSTANCE]: this.instance,
      [LABEL_STATE_DIR]: this.paths.dir,
      [`${LABEL}.pod`]: `${pod.namespace}.${pod.name}`,
    };
  }

  private localImage(image: unknown, container: string): string {
    const local = typeof image === 'string' ? mapImage(this.images, image) : undefined;
    if (!local) {
      throw ApiError.invalid(
        `container ${container}: image ${JSON.stringify(image)} is not available in the sandbox ` +
          '(it has nginx and busybox)',
      );
    }
    return local;
  }

  private defaultSpec(spec: PodSpec): PodSpec {
    const container = (c: ContainerSpec): ContainerSpec => ({
      ...c,
      imagePullPolicy:
        c.imagePullPolicy ?? (/:(?!latest$)[^/]+$/.test(c.image) ? 'IfNotPresent' : 'Always'),
      resources: c.resources ?? {},
      terminationMessagePath: c.terminationMessagePath ?? '/dev/termination-log',
      terminationMessagePolicy: c.terminationMessagePolicy ?? 'File',
    });
    return {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      securityContext: {},
      ...spec,
      nodeName: NODE_NAME,
      containers: spec.containers.map(container),
    };
  }

  async createPod(namespace: string, body: Json): Promise<Json> {
    const ns = this.namespaceObjects.get(namespace);
    if (!ns) {
      throw ApiError.notFound('namespaces', namespace);
    }
    const metadata = (body.metadata ?? {}) as Json;
    if ((ns.metadata as Json).deletionTimestamp) {
      const podName = typeof metadata.name === 'string' ? metadata.name : '';
      throw ApiError.forbidden(
        `pods "${podName}" is forbidden: unable to create new content in namespace ${namespace} ` +
          'because it is being terminated',
        'pods',
        podName,
      );
    }
    if (body.kind !== undefined && body.kind !== 'Pod') {
      throw ApiError.badRequest(`the body kind ${JSON.stringify(body.kind)} is not Pod`);
    }
    if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
      throw ApiError.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const name = checkName(
      metadata.name ??
        (typeof metadata.generateName === 'string'
          ? `${metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`
          : undefined),
      'pod',
    );
    if (this.podObjects.has(this.key(namespace, name))) {
      throw ApiError.alreadyExists('pods', name);
    }
    const spec = body.spec as PodSpec | undefined;
    if (!spec || !Array.isArray(spec.containers) || spec.containers.length === 0) {
      throw ApiError.invalid(`Pod "${name}" is invalid: spec.containers: Required value`);
    }
    for (const [index, container] of spec.containers.entries()) {
      checkName(container.name, 'container');
      this.localImage(container.image, container.name);
      try {
        effectiveSecurityContext(
          spec.securityContext,
          container.securityContext,
          `spec.containers[${index}]`,
        );
      } catch (error) {
        throw error instanceof ApiError
          ? ApiError.invalid(`Pod "${name}" is invalid: ${error.message}`)
          : error;
      }
    }
    const pod: StoredPod = {
      podmanName: `ppe-${this.instance}-${namespace}-${name}`,
      namespace,
      name,
      uid: randomUUID(),
      creationTimestamp: now(),
      labels: stringMap(metadata.labels, 'metadata.labels'),
      annotations: stringMap(metadata.annotations, 'metadata.annotations'),
      spec: this.defaultSpec({ ...spec, ephemeralContainers: undefined }),
      podIP: '',
    };
    delete pod.spec.ephemeralContainers;
    this.pods.set(this.key(namespace, name), pod);
    const created = this.updatePod(pod, 'ADDED');
    this.creating.add(pod.podmanName);
    try {
      await this.play(pod);
      await this.savePod(pod);
    } catch (error) {
      this.pods.delete(this.key(namespace, name));
      this.podObjects.delete(this.key(namespace, name));
      this.emit('pods', 'DELETED', this.bump(structuredClone(created)));
      await removePodmanPods([pod.podmanName]).catch(() => undefined);
      this.creating.delete(pod.podmanName);
      throw error instanceof PodmanError ? ApiError.internal(error.message) : error;
    }
    try {
      await this.refresh();
    } finally {
      this.creating.delete(pod.podmanName);
    }
    return this.getPod(namespace, name);
  }

  /** Runs the pod with `podman kube play`: the manifest as submitted, with local images and our labels. */
  private async play(pod: StoredPod): Promise<void> {
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      // Labels and annotations stay in the state dir: podman limits their values to 63 characters
      // (kubectl's last-applied-configuration annotation is longer).
      metadata: { name: pod.podmanName, labels: this.labelsFor(pod) },
      spec: {
        ...pod.spec,
        hostname: pod.spec.hostname ?? pod.name,
        nodeName: undefined,
        // Those runAsNonRoot refuses are never created, as by a kubelet (kube play does not check).
        containers: pod.spec.containers
          .filter((container) => this.configRefusal(pod, container) === undefined)
          .map((container) => ({
            ...container,
            image: this.localImage(container.image, container.name),
            imagePullPolicy: 'Never',
          })),
      },
    };
    const file = join(this.paths.pods, `${pod.podmanName}.play.yaml`);
    await writeFile(file, stringify(manifest));
    try {
      await podman(['kube', 'play', file]);
    } finally {
      await rm(file, { force: true });
    }
    const infra = await podman([
      'pod',
      'inspect',
      pod.podmanName,
      '--format',
      '{{.InfraContainerID}}',
    ]);
    const networks = await podmanJson<Record<string, { IPAddress?: string }>>([
      'inspect',
      '--type',
      'container',
      '--format',
      '{{json .NetworkSettings.Networks}}',
      infra.stdout.trim(),
    ]);
    pod.podIP = Object.values(networks).find((network) => network.IPAddress)?.IPAddress ?? '';
  }

  async deletePod(namespace: string, name: string): Promise<Json> {
    const key = this.key(namespace, name);
    const pod = this.pods.get(key);
    if (!pod) {
      throw ApiError.notFound('pods', name);
    }
    if (!pod.deletionTimestamp) {
      pod.deletionTimestamp = now();
      await this.savePod(pod);
      this.removal.set(
        pod.podmanName,
        (async () => {
          try {
            await removePodmanPods([pod.podmanName]);
          } finally {
            this.removal.delete(pod.podmanName);
            await this.forget(pod);
          }
        })(),
      );
    }
    return this.updatePod(pod);
  }

  /**
   * The status a kubelet reports for a container whose image cannot be pulled (the sandbox has no
   * registry): ErrImagePull at first, ImagePullBackOff once the first retry would have failed.
   */
  private pullFailure(podmanName: string, image: string): { state: Json; ready: boolean } {
    const since = this.pullFailedAt.get(podmanName);
    const reference = image.includes('/') ? image : `docker.io/library/${image}`;
    const waiting =
      since !== undefined && Date.now() - since < PULL_BACKOFF_AFTER_MS
        ? {
            reason: 'ErrImagePull',
            message:
              `rpc error: code = NotFound desc = failed to pull and unpack image "${reference}": ` +
              `failed to resolve reference "${reference}": ${reference}: not found`,
          }
        : { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` };
    return { state: { waiting }, ready: false };
  }

  /**
   * The status of a container podman does not have: why a kubelet would not have created it (its
   * image cannot be pulled; runAsNonRoot refuses its image), else on its way.
   */
  private notCreatedState(pod: StoredPod, spec: ContainerSpec): { state: Json; ready: boolean } {
    if (!mapImage(this.images, spec.image)) {
      return this.pullFailure(`${pod.podmanName}-${spec.name}`, spec.image);
    }
    const refusal = this.configRefusal(pod, spec);
    if (refusal !== undefined) {
      return {
        state: { waiting: { reason: 'CreateContainerConfigError', message: refusal } },
        ready: false,
      };
    }
    return containerState(undefined);
  }

  /** Adds the ephemeral containers a patch names that the pod does not have yet. */
  async addEphemeralContainers(namespace: string, name: string, wanted: unknown): Promise<Json> {
    const pod = this.pods.get(this.key(namespace, name));
    if (!pod) {
      throw ApiError.notFound('pods', name);
    }
    if (!Array.isArray(wanted)) {
      throw ApiError.badRequest('spec.ephemeralContainers must be a list');
    }
    const existing = pod.spec.ephemeralContainers ?? [];
    const names = new Set([...pod.spec.containers, ...existing].map((c) => c.name));
    const added = (wanted as PodSpec['ephemeralContainers'] & object).filter(
      (container) => !existing.some((c) => c.name === container.name),
    );
    // Checked like an API server's validation: a bad field refuses the whole patch, before any change.
    const contexts: EffectiveSecurityContext[] = [];
    for (const [index, container] of added.entries()) {
      const where = `spec.ephemeralContainers[${existing.length + index}]`;
      checkName(container.name, 'container');
      if (names.has(container.name)) {
        throw ApiError.invalid(
          `Pod "${name}" is invalid: ${where}.name: Duplicate value: "${container.name}"`,
        );
      }
      const target = container.targetContainerName;
      if (target !== undefined && !pod.spec.containers.some((c) => c.name === target)) {
        throw ApiError.invalid(
          `Pod "${name}" is invalid: ${where}.targetContainerName: Not found: "${target}"`,
        );
      }
      if (typeof container.image !== 'string' || container.image === '') {
        throw ApiError.invalid(`Pod "${name}" is invalid: ${where}.image: Required value`);
      }
      try {
        contexts.push(
          effectiveSecurityContext(pod.spec.securityContext, container.securityContext, where),
        );
      } catch (error) {
        throw error instanceof ApiError
          ? ApiError.invalid(`Pod "${name}" is invalid: ${error.message}`)
          : error;
      }
    }
    for (const [index, container] of added.entries()) {
      pod.spec.ephemeralContainers = [
        ...(pod.spec.ephemeralContainers ?? []),
        {
          ...container,
          imagePullPolicy: container.imagePullPolicy ?? 'IfNotPresent',
          terminationMessagePath: container.terminationMessagePath ?? '/dev/termination-log',
          terminationMessagePolicy: container.terminationMessagePolicy ?? 'File',
          resources: container.resources ?? {},
        },
      ];
      const image = mapImage(this.images, container.image);
      if (!image) {
        // Accepted, as an API server accepts any image name; the kubelet then fails to pull it.
        this.pullFailedAt.set(`${pod.podmanName}-${container.name}`, Date.now());
        await this.savePod(pod);
        this.updatePod(pod);
        continue;
      }
      const context = contexts[index];
      const user = await this.imageUser(image);
      await this.savePod(pod);
      this.updatePod(pod);
      if (runAsNonRootRefusal(context, user, pod, container.name) !== undefined) {
        // Never created, as by a kubelet: its status says why (configRefusal).
        continue;
      }
      try {
        await podman(
          this.ephemeralRunArgs(pod, container, image, podmanSecurityArgs(context, user)),
        );
      } catch (error) {
        throw error instanceof PodmanError ? ApiError.internal(error.message) : error;
      }
    }
    await this.refresh();
    return this.getPod(namespace, name);
  }

  /** `podman run` for an ephemeral container: in the pod, labelled, with its securityContext applied. */
  private ephemeralRunArgs(
    pod: StoredPod,
    container: ContainerSpec & { targetContainerName?: string },
    image: string,
    securityArgs: readonly string[],
  ): string[] {
    const args = [
      'run',
      '-d',
      '--pod',
      pod.podmanName,
      '--name',
      `${pod.podmanName}-${container.name}`,
    ];
    for (const [key, value] of Object.entries(this.labelsFor(pod))) {
      args.push('--label', `${key}=${value}`);
    }
    args.push('--label', `${LABEL}.ephemeral=1`);
    if (container.targetContainerName !== undefined) {
      // As `kubectl debug --target`: join the target's PID namespace.
      args.push('--pid', `container:${pod.podmanName}-${container.targetContainerName}`);
    }
    if (container.stdin === true) {
      args.push('-i');
    }
    if (container.tty === true) {
      args.push('-t');
    }
    args.push(...securityArgs);
    if (typeof container.workingDir === 'string') {
      args.push('--workdir', container.workingDir);
    }
    for (const env of (container.env as { name: string; value?: string }[] | undefined) ?? []) {
      args.push('--env', `${env.name}=${env.value ?? ''}`);
    }
    const command = (container.command as string[] | undefined) ?? [];
    if (command.length) {
      args.push('--entrypoint', JSON.stringify(command));
    }
    args.push('--', image, ...((container.args as string[] | undefined) ?? []));
    return args;
  }

  /** A local image's USER as its config names it ('' for none), cached: a tag names its content. */
  private async imageUser(image: string): Promise<string> {
    const known = this.imageUsers.get(image);
    if (known !== undefined) {
      return known;
    }
    const { stdout } = await podman(['image', 'inspect', '--format', '{{.Config.User}}', image]);
    const user = stdout.trim();
    this.imageUsers.set(image, user);
    return user;
  }

  /**
   * The kubelet's CreateContainerConfigError message for a container it would not create
   * (runAsNonRoot, and an image that runs as root); undefined for one it creates.
   */
  private configRefusal(pod: StoredPod, spec: ContainerSpec): string | undefined {
    const image = mapImage(this.images, spec.image);
    const user = image === undefined ? undefined : this.imageUsers.get(image);
    if (user === undefined) {
      return undefined;
    }
    const context = effectiveSecurityContext(
      pod.spec.securityContext,
      spec.securityContext,
      spec.name,
    );
    return runAsNonRootRefusal(context, user, pod, spec.name);
  }

  // ---- synthetic pods ----

  /** Synthetic pod `index`'s namespace and name, for the current spread. */
  private syntheticKey(index: number): string {
    return this.key(syntheticNamespace(index, this.syntheticNamespaceCount), syntheticName(index));
  }

  /**
   * A pod as a Deployment's ReplicaSet makes it and the kubelet reports it: managed fields, owner,
   * environment, probes, the service-account volume, tolerations and conditions, so that what a
   * client keeps of each pod weighs what it would on a real cluster (about 7 KB of JSON).
   */
  private syntheticPod(index: number): Json {
    const name = syntheticName(index);
    const namespace = syntheticNamespace(index, this.syntheticNamespaceCount);
    const started = now();
    const fakeId = (container: string) =>
      `podman://${Buffer.from(`${name}/${container}`).toString('hex').padEnd(64, '0').slice(0, 64)}`;
    const hash = (index % 997).toString(16).padStart(4, '0');
    const containerSpec = (container: string, image: string, port: number) => ({
      name: container,
      image,
      imagePullPolicy: 'IfNotPresent',
      ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
      env: [
        {
          name: 'POD_NAME',
          valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
        },
        {
          name: 'POD_NAMESPACE',
          valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
        },
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'LISTEN_ADDRESS', value: `0.0.0.0:${port}` },
        { name: 'UPSTREAM_URL', value: `http://backend.${namespace}.svc.cluster.local:8080` },
        {
          name: 'DATABASE_PASSWORD',
          valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } },
        },
      ],
      resources: {
        limits: { cpu: '500m', memory: '256Mi' },
        requests: { cpu: '100m', memory: '128Mi' },
      },
      livenessProbe: {
        httpGet: { path: '/healthz', port, scheme: 'HTTP' },
        initialDelaySeconds: 10,
        periodSeconds: 10,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
      },
      readinessProbe: {
        httpGet: { path: '/ready', port, scheme: 'HTTP' },
        periodSeconds: 5,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
      },
      volumeMounts: [
        {
          name: `kube-api-access-${hash}`,
          readOnly: true,
          mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
        },
      ],
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });
    const specFields = (container: string) => ({
      [`k:{"name":"${container}"}`]: {
        '.': {},
        'f:env': { '.': {}, 'k:{"name":"LOG_LEVEL"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
        'f:image': {},
        'f:imagePullPolicy': {},
        'f:livenessProbe': { '.': {}, 'f:httpGet': { '.': {}, 'f:path': {}, 'f:port': {} } },
        'f:name': {},
        'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {} } },
        'f:readinessProbe': { '.': {}, 'f:httpGet': { '.': {}, 'f:path': {}, 'f:port': {} } },
        'f:resources': { '.': {}, 'f:limits': {}, 'f:requests': {} },
        'f:terminationMessagePath': {},
        'f:terminationMessagePolicy': {},
      },
    });
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        generateName: `web-${hash}-`,
        namespace,
        uid: randomUUID(),
        creationTimestamp: started,
        labels: { app: 'synthetic', shard: String(index % 10), 'pod-template-hash': hash },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: `web-${hash}`,
            uid: '6f1c2a4e-0000-4000-8000-000000000000',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        managedFields: [
          {
            manager: 'kube-controller-manager',
            operation: 'Update',
            apiVersion: 'v1',
            time: started,
            fieldsType: 'FieldsV1',
            fieldsV1: {
              'f:metadata': {
                'f:generateName': {},
                'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} },
                'f:ownerReferences': { '.': {}, 'k:{"uid":"6f1c2a4e"}': {} },
              },
              'f:spec': {
                'f:containers': { ...specFields('app'), ...specFields('sidecar') },
                'f:dnsPolicy': {},
                'f:enableServiceLinks': {},
                'f:restartPolicy': {},
                'f:schedulerName': {},
                'f:securityContext': {},
                'f:shareProcessNamespace': {},
                'f:terminationGracePeriodSeconds': {},
              },
            },
          },
          {
            manager: 'kubelet',
            operation: 'Update',
            apiVersion: 'v1',
            time: started,
            fieldsType: 'FieldsV1',
            fieldsV1: {
              'f:status': {
                'f:conditions': {
                  'k:{"type":"ContainersReady"}': { '.': {}, 'f:status': {}, 'f:type': {} },
                  'k:{"type":"Initialized"}': { '.': {}, 'f:status': {}, 'f:type': {} },
                  'k:{"type":"PodReadyToStartContainers"}': { '.': {}, 'f:status': {} },
                  'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} },
                },
                'f:containerStatuses': {},
                'f:hostIP': {},
                'f:hostIPs': {},
                'f:phase': {},
                'f:podIP': {},
                'f:podIPs': { '.': {}, 'k:{"ip":"10.90.0.1"}': { '.': {}, 'f:ip': {} } },
                'f:startTime': {},
              },
            },
            subresource: 'status',
          },
        ],
      },
      spec: {
        // Half of each namespace's pods (every other one there).
        shareProcessNamespace: Math.floor(index / this.syntheticNamespaceCount) % 2 === 0,
        nodeName: NODE_NAME,
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        serviceAccountName: 'default',
        serviceAccount: 'default',
        securityContext: {},
        schedulerName: 'default-scheduler',
        enableServiceLinks: true,
        priority: 0,
        preemptionPolicy: 'PreemptLowerPriority',
        containers: [containerSpec('app', 'nginx', 80), containerSpec('sidecar', 'busybox', 9090)],
        volumes: [
          {
            name: `kube-api-access-${hash}`,
            projected: {
              defaultMode: 420,
              sources: [
                { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
                {
                  configMap: {
                    name: 'kube-root-ca.crt',
                    items: [{ key: 'ca.crt', path: 'ca.crt' }],
                  },
                },
                {
                  downwardAPI: {
                    items: [
                      {
                        path: 'namespace',
                        fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' },
                      },
                    ],
                  },
                },
              ],
            },
          },
        ],
        tolerations: [
          {
            key: 'node.kubernetes.io/not-ready',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 300,
          },
          {
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 300,
          },
        ],
      },
      status: {
        phase: 'Running',
        conditions: [
          'PodReadyToStartContainers',
          'Initialized',
          'Ready',
          'ContainersReady',
          'PodScheduled',
        ].map((type) => ({
          type,
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: started,
        })),
        hostIP: '127.0.0.1',
        hostIPs: [{ ip: '127.0.0.1' }],
        podIP: `10.${90 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`,
        podIPs: [{ ip: `10.${90 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}` }],
        startTime: started,
        qosClass: 'Burstable',
        containerStatuses: ['app', 'sidecar'].map((container) => ({
          name: container,
          image: container === 'app' ? 'nginx' : 'busybox',
          imageID: '',
          containerID: fakeId(container),
          state: { running: { startedAt: started } },
          lastState: {},
          ready: true,
          restartCount: 0,
          started: true,
        })),
      },
    };
  }

  /**
   * Grows or shrinks the synthetic pods to `count`, spread over `namespaces` namespaces (made and
   * removed with them); a new spread removes every synthetic pod first.
   */
  setSyntheticPods(count: number, namespaces = 1): void {
    const spread = Math.min(Math.max(namespaces, 1), MAX_SYNTHETIC_NAMESPACES);
    if (spread !== this.syntheticNamespaceCount) {
      this.setSyntheticPods(0, this.syntheticNamespaceCount);
      this.syntheticNamespaceCount = spread;
    }
    const target = Math.min(Math.max(count, 0), MAX_SYNTHETIC_PODS);
    const wanted = new Set<string>();
    for (let index = 0; index < Math.min(target, spread); index++) {
      wanted.add(syntheticNamespace(index, spread));
    }
    for (const name of wanted) {
      if (!this.namespaceObjects.has(name)) {
        const ns = { name, uid: randomUUID(), creationTimestamp: now() };
        const object = this.namespaceObject(ns, 'Active');
        this.namespaceObjects.set(name, object);
        this.emit('namespaces', 'ADDED', object);
      }
    }
    for (let index = this.syntheticCount; index < target; index++) {
      const pod = this.bump(this.syntheticPod(index));
      this.podObjects.set(this.syntheticKey(index), pod);
      this.emit('pods', 'ADDED', pod);
    }
    for (let index = this.syntheticCount - 1; index >= target; index--) {
      const key = this.syntheticKey(index);
      const pod = this.podObjects.get(key);
      this.podObjects.delete(key);
      if (pod) {
        this.emit('pods', 'DELETED', this.bump(structuredClone(pod)));
      }
    }
    for (let index = 0; index < Math.min(this.syntheticCount, spread); index++) {
      const name = syntheticNamespace(index, spread);
      if (!wanted.has(name) && !this.namespaces.has(name)) {
        const ns = this.namespaceObjects.get(name);
        this.namespaceObjects.delete(name);
        if (ns) {
          this.emit('namespaces', 'DELETED', this.bump(structuredClone(ns)));
        }
      }
    }
    this.syntheticCount = target;
  }

  /**
   * Modifies the next `count` synthetic pods, round-robin: `sandbox/churn` becomes the sequence
   * number of the modification (1, 2, … over the API process's life), `sandbox/churned-at` its time
   * in ms since the epoch, and the resourceVersion rises; watchers get MODIFIED.
   */
  churnSynthetic(count: number): void {
    for (let done = 0; done < count && this.syntheticCount > 0; done++) {
      const index = this.churnNext % this.syntheticCount;
      this.churnNext = index + 1;
      const key = this.syntheticKey(index);
      const pod = this.podObjects.get(key);
      if (!pod) {
        continue;
      }
      this.churnCount += 1;
      const metadata = pod.metadata as Json;
      // A new object: the event history keeps the old one.
      const next = this.bump({
        ...pod,
        metadata: {
          ...metadata,
          annotations: {
            ...(metadata.annotations as Record<string, string> | undefined),
            [CHURN_ANNOTATION]: String(this.churnCount),
            [CHURNED_AT_ANNOTATION]: String(Date.now()),
          },
        },
      });
      this.podObjects.set(key, next);
      this.emit('pods', 'MODIFIED', next);
    }
  }

  /** Waits for pending pod removals (used before the API exits). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.removal.values()]);
  }
}
