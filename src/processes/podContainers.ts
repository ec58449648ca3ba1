import { containerIdFromStatus } from './containerMapping';
import { DEBUG_MARKER_ENV } from './debugMarker';
import type { ContainerIdentity, ContainerKind } from './types';

/**
 * The parts of a Kubernetes Pod this module reads. Structural, so a client-node `V1Pod` fits
 * without this pure module importing the client.
 */
export interface PodLike {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly deletionTimestamp?: unknown;
  };
  readonly spec?: {
    readonly shareProcessNamespace?: boolean;
    readonly hostPID?: boolean;
    readonly containers: readonly ContainerSpecLike[];
    readonly initContainers?: readonly ContainerSpecLike[];
    readonly ephemeralContainers?: readonly ContainerSpecLike[];
  };
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly message?: string;
    readonly containerStatuses?: readonly ContainerStatusLike[];
    readonly initContainerStatuses?: readonly ContainerStatusLike[];
    readonly ephemeralContainerStatuses?: readonly ContainerStatusLike[];
  };
}

export interface ContainerSpecLike {
  readonly name: string;
  readonly image?: string;
  readonly stdin?: boolean;
  readonly tty?: boolean;
  readonly restartPolicy?: string;
  readonly targetContainerName?: string;
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
  readonly securityContext?: {
    readonly privileged?: boolean;
    readonly capabilities?: { readonly add?: readonly string[] };
  };
}

export interface ContainerStatusLike {
  readonly name: string;
  readonly image?: string;
  readonly containerID?: string;
  readonly ready?: boolean;
  readonly restartCount?: number;
  readonly state?: {
    readonly running?: object;
    readonly waiting?: { readonly reason?: string; readonly message?: string };
    readonly terminated?: { readonly reason?: string; readonly exitCode?: number };
  };
}

export type ContainerState = 'running' | 'waiting' | 'terminated' | 'unknown';

/** A container of a pod as the tree shows it: spec and status side by side. */
export interface PodContainer extends ContainerIdentity {
  readonly image: string;
  readonly state: ContainerState;
  /** `CrashLoopBackOff`, `Completed`, … when the runtime gave one. */
  readonly stateReason: string | undefined;
  readonly exitCode: number | undefined;
  readonly ready: boolean;
  readonly restarts: number;
  readonly stdin: boolean;
  readonly tty: boolean;
  /** SYS_PTRACE added or privileged: may read other processes' /proc/<pid>/root and environ. */
  readonly canTrace: boolean;
  /** Of an ephemeral container: the container whose PID namespace it joined. */
  readonly targetContainer: string | undefined;
  /** An ephemeral container this extension added (its marker variable), to reuse and reattach. */
  readonly addedForDebugging: boolean;
}

/**
 * The key a pod's state is kept under (watch, tree, process listings): its uid, so a pod
 * recreated under the same name is another pod.
 */
export function podUid(pod: PodLike): string {
  return pod.metadata?.uid ?? `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

export function isSharedPod(pod: PodLike): boolean {
  return pod.spec?.shareProcessNamespace === true;
}

/** Init containers (sidecars among them), then app containers, then ephemeral ones. */
export function podContainers(pod: PodLike): PodContainer[] {
  const statuses = new Map<string, ContainerStatusLike>();
  for (const status of [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.ephemeralContainerStatuses ?? []),
  ]) {
    statuses.set(status.name, status);
  }
  const describe = (spec: ContainerSpecLike, kind: ContainerKind): PodContainer => {
    const status = statuses.get(spec.name);
    const state = status?.state;
    const capabilities = spec.securityContext?.capabilities?.add ?? [];
    return {
      name: spec.name,
      kind,
      containerId: containerIdFromStatus(status?.containerID),
      image: spec.image ?? status?.image ?? '',
      state: state?.running
        ? 'running'
        : state?.terminated
          ? 'terminated'
          : state?.waiting
            ? 'waiting'
            : 'unknown',
      stateReason: state?.terminated?.reason ?? state?.waiting?.reason,
      exitCode: state?.terminated?.exitCode,
      ready: status?.ready === true,
      restarts: status?.restartCount ?? 0,
      stdin: spec.stdin === true,
      tty: spec.tty === true,
      canTrace:
        spec.securityContext?.privileged === true ||
        capabilities.some((name) => /^(CAP_)?(SYS_PTRACE|ALL)$/i.test(name)),
      targetContainer: spec.targetContainerName,
      addedForDebugging:
        kind === 'ephemeral' && (spec.env ?? []).some((env) => env.name === DEBUG_MARKER_ENV),
    };
  };
  return [
    ...(pod.spec?.initContainers ?? []).map((spec) =>
      describe(spec, spec.restartPolicy === 'Always' ? 'sidecar' : 'init'),
    ),
    ...(pod.spec?.containers ?? []).map((spec) => describe(spec, 'container')),
    ...(pod.spec?.ephemeralContainers ?? []).map((spec) => describe(spec, 'ephemeral')),
  ];
}

/**
 * The running containers to list a pod's processes from, best first: one the user attaches to
 * (stdin and tty: a debug shell), then one that may read every process (SYS_PTRACE), then the
 * rest. Whether a container has a shell shows only when exec tries it.
 */
export function inspectorCandidates(containers: readonly PodContainer[]): string[] {
  const score = (container: PodContainer) =>
    (container.stdin && container.tty ? 2 : 0) + (container.canTrace ? 1 : 0);
  return containers
    .filter((container) => container.state === 'running')
    .map((container, index) => ({ container, index }))
    .sort((a, b) => score(b.container) - score(a.container) || a.index - b.index)
    .map(({ container }) => container.name);
}

/** The key of a shared pod's one PID namespace. */
export const SHARED_PID_NAMESPACE = '';

/**
 * The key of the PID namespace a container's processes live in, as a listing sees them: the
 * pod's one namespace when it is shared, else the container's own, which an ephemeral
 * container targeting it joins (`kubectl debug --target`).
 */
export function pidNamespaceKey(pod: PodLike, container: PodContainer): string {
  return isSharedPod(pod) ? SHARED_PID_NAMESPACE : (container.targetContainer ?? container.name);
}

/**
 * The pod's PID namespaces, each with the containers in it (see pidNamespaceKey), in
 * podContainers order: one listing exec each tells what its processes are.
 */
export function pidNamespaces(pod: PodLike): Map<string, PodContainer[]> {
  const namespaces = new Map<string, PodContainer[]>();
  for (const container of podContainers(pod)) {
    const key = pidNamespaceKey(pod, container);
    namespaces.set(key, [...(namespaces.get(key) ?? []), container]);
  }
  return namespaces;
}
