import { DEBUG_MARKER_ENV } from './debugMarker';
import {
  isSharedPod,
  podContainers,
  type ContainerStatusLike,
  type PodLike,
} from './podContainers';
import type { PodContainer } from './podContainers';

/** The profiles of `kubectl debug --profile`, as they apply to an ephemeral container. */
export type DebugProfile = 'general' | 'baseline' | 'restricted' | 'netadmin' | 'sysadmin';

export const DEBUG_PROFILES: readonly DebugProfile[] = [
  'general',
  'baseline',
  'restricted',
  'netadmin',
  'sysadmin',
];

/** kubectl's prefix for generated debug container names. */
export const DEBUG_NAME_PREFIX = 'debugger-';

// The alphabet of apimachinery's utilrand.String, which kubectl uses for `debugger-xxxxx`:
// no vowels (no words), no 0, 1 or 3 (no look-alikes).
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const NAME_SUFFIX_LENGTH = 5;

/** The securityContext an ephemeral container gets from the profile (kubectl debug's rules). */
export interface DebugSecurityContext {
  readonly privileged?: boolean;
  readonly runAsNonRoot?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  readonly seccompProfile?: { readonly type: string };
}

/** What the profile says about SYS_PTRACE, so the question is asked only where it means something. */
export type PtraceChoice = 'implied' | 'optional' | 'impossible';

export function ptraceChoice(profile: DebugProfile): PtraceChoice {
  switch (profile) {
    case 'general':
    case 'sysadmin':
      // general adds SYS_PTRACE; privileged holds every capability.
      return 'implied';
    case 'restricted':
      // Drops every capability: adding one would break the restricted Pod Security Standard.
      return 'impossible';
    case 'baseline':
    case 'netadmin':
      return 'optional';
  }
}

/**
 * The securityContext of `kubectl debug --profile=<profile>` for an ephemeral container, with
 * SYS_PTRACE added when asked and the profile allows it; undefined for none (baseline).
 */
export function debugSecurityContext(
  profile: DebugProfile,
  addPtrace: boolean,
): DebugSecurityContext | undefined {
  const withPtrace = (add: readonly string[]) =>
    addPtrace && !add.includes('SYS_PTRACE') ? [...add, 'SYS_PTRACE'] : add;
  switch (profile) {
    case 'general':
      return { capabilities: { add: ['SYS_PTRACE'] } };
    case 'baseline': {
      const add = withPtrace([]);
      return add.length > 0 ? { capabilities: { add } } : undefined;
    }
    case 'restricted':
      return {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      };
    case 'netadmin':
      return { capabilities: { add: withPtrace(['NET_ADMIN', 'NET_RAW']) } };
    case 'sysadmin':
      return { privileged: true };
  }
}

/** `debugger-xxxxx`, not yet used by any container of the pod. */
export function debugContainerName(
  taken: ReadonlySet<string>,
  randomIndex: (size: number) => number,
): string {
  for (;;) {
    let suffix = '';
    for (let i = 0; i < NAME_SUFFIX_LENGTH; i += 1) {
      suffix += NAME_ALPHABET[randomIndex(NAME_ALPHABET.length)];
    }
    const name = DEBUG_NAME_PREFIX + suffix;
    if (!taken.has(name)) {
      return name;
    }
  }
}

export interface DebugContainerRequest {
  readonly name: string;
  readonly image: string;
  /** The container whose PID namespace it joins; undefined in a pod that shares one. */
  readonly target: string | undefined;
  readonly profile: DebugProfile;
  readonly addPtrace: boolean;
}

/** The EphemeralContainer to add: interactive (stdin and tty, like `kubectl debug -it`) and marked. */
export function ephemeralContainerSpec(request: DebugContainerRequest): Record<string, unknown> {
  const securityContext = debugSecurityContext(request.profile, request.addPtrace);
  return {
    name: request.name,
    image: request.image,
    stdin: true,
    tty: true,
    terminationMessagePolicy: 'File',
    env: [{ name: DEBUG_MARKER_ENV, value: request.profile }],
    ...(request.target === undefined ? {} : { targetContainerName: request.target }),
    ...(securityContext ? { securityContext } : {}),
  };
}

/**
 * The strategic merge patch of the pods/ephemeralcontainers subresource that adds `container`.
 * The uid and resourceVersion make the API server refuse it (409) when the pod was recreated or
 * changed since it was shown.
 */
export function ephemeralContainerPatch(
  pod: PodLike & { readonly metadata?: { readonly resourceVersion?: string } },
  container: Record<string, unknown>,
): Record<string, unknown> {
  return {
    metadata: {
      ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}),
      ...(pod.metadata?.resourceVersion ? { resourceVersion: pod.metadata.resourceVersion } : {}),
    },
    spec: { ephemeralContainers: [container] },
  };
}

/**
 * Whether `current` is still the pod `shown` as far as adding a debug container goes: the same
 * pod (uid), still running, with the same containers and images and no ephemeral container added
 * meanwhile. A resourceVersion moves with every status update (a restart count, an image pull's
 * back-off), which alone is no reason to refuse what the user chose.
 */
export function unchangedForDebugging(shown: PodLike, current: PodLike): boolean {
  const containers = (pod: PodLike) =>
    [
      ...(pod.spec?.initContainers ?? []),
      ...(pod.spec?.containers ?? []),
      ...(pod.spec?.ephemeralContainers ?? []),
    ].map((container) => `${container.name}=${container.image ?? ''}`);
  return (
    shown.metadata?.uid !== undefined &&
    current.metadata?.uid === shown.metadata.uid &&
    current.status?.phase === 'Running' &&
    current.metadata.deletionTimestamp === undefined &&
    containers(current).join('\n') === containers(shown).join('\n')
  );
}

/** Whether a target container must be chosen: without a shared namespace it decides what is seen. */
export function targetRequired(pod: PodLike): boolean {
  return !isSharedPod(pod);
}

/** The containers a debug container may target: the pod's regular containers. */
export function targetCandidates(pod: PodLike): PodContainer[] {
  return podContainers(pod).filter((container) => container.kind === 'container');
}

/**
 * Running debug containers this extension added that serve for `target`: in a shared pod any of
 * them sees every process; otherwise one that joined the target's PID namespace. Most capable first.
 */
export function reusableDebugContainers(pod: PodLike, target: string | undefined): PodContainer[] {
  const shared = isSharedPod(pod);
  return podContainers(pod)
    .filter(
      (container) =>
        container.kind === 'ephemeral' &&
        container.addedForDebugging &&
        container.state === 'running' &&
        container.stdin &&
        (shared || target === undefined || container.targetContainer === target),
    )
    .sort((a, b) => Number(b.canTrace) - Number(a.canTrace));
}

/** Where a new container stands on its way to running, read from its status. */
export type StartState =
  | { readonly kind: 'running' }
  | { readonly kind: 'waiting'; readonly reason: string | undefined }
  | { readonly kind: 'pullFailed'; readonly reason: string; readonly message: string }
  | { readonly kind: 'failed'; readonly reason: string; readonly message: string }
  | {
      readonly kind: 'terminated';
      readonly reason: string | undefined;
      readonly exitCode: number | undefined;
    };

const PULL_FAILURES = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
]);
// Waiting reasons that do not pass by themselves.
const START_FAILURES = new Set([
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** The state of the ephemeral container `name` in `pod`'s status. */
export function ephemeralStartState(pod: PodLike, name: string): StartState {
  const status: ContainerStatusLike | undefined = pod.status?.ephemeralContainerStatuses?.find(
    (candidate) => candidate.name === name,
  );
  const state = status?.state;
  if (state?.running) {
    return { kind: 'running' };
  }
  if (state?.terminated) {
    return {
      kind: 'terminated',
      reason: state.terminated.reason,
      exitCode: state.terminated.exitCode,
    };
  }
  const reason = state?.waiting?.reason;
  if (reason && PULL_FAILURES.has(reason)) {
    return { kind: 'pullFailed', reason, message: state?.waiting?.message ?? '' };
  }
  if (reason && START_FAILURES.has(reason)) {
    return { kind: 'failed', reason, message: state?.waiting?.message ?? '' };
  }
  return { kind: 'waiting', reason };
}

/**
 * Why a kubelet would not run a container as non-root (runAsNonRoot): its image runs as root (a
 * USER of 0, or none), or names its user, which the kubelet cannot check is not root.
 */
export type NonRootRefusal =
  | { readonly kind: 'imageRunsAsRoot' }
  | { readonly kind: 'imageUserByName'; readonly user: string };

/**
 * The runAsNonRoot refusal a failed start reports, read from the kubelet's
 * CreateContainerConfigError message (verifyRunAsNonRoot's wording, stable across releases).
 */
export function nonRootRefusal(state: StartState): NonRootRefusal | undefined {
  if (state.kind !== 'failed' || state.reason !== 'CreateContainerConfigError') {
    return undefined;
  }
  if (/\bcontainer has runAsNonRoot and image will run as root\b/.test(state.message)) {
    return { kind: 'imageRunsAsRoot' };
  }
  const named = /\bcontainer has runAsNonRoot and image has non-numeric user \(([^)]*)\)/.exec(
    state.message,
  );
  return named ? { kind: 'imageUserByName', user: named[1] } : undefined;
}

/** Images offered: recently used first, then the configured list, each once. */
export function offeredImages(
  recent: readonly string[],
  configured: readonly string[],
  fallback: string,
): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const image of [...recent, fallback, ...configured]) {
    const trimmed = image.trim();
    if (trimmed !== '' && !seen.has(trimmed)) {
      seen.add(trimmed);
      result.push(trimmed);
    }
  }
  return result;
}

/** The recently used list after using `image`: it first, at most `limit` entries. */
export function rememberImage(recent: readonly string[], image: string, limit = 10): string[] {
  return [image, ...recent.filter((item) => item !== image)].slice(0, limit);
}

// An image reference: [registry[:port]/]path[:tag][@digest], no spaces or shell characters.
const IMAGE_REFERENCE =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[a-z0-9]+(?::[a-f0-9]{32,}))?$/i;

/** Whether `text` reads as an image reference (a typo with a space or a scheme is caught early). */
export function isImageReference(text: string): boolean {
  return text.length <= 255 && IMAGE_REFERENCE.test(text);
}
