// What a kubelet makes of a container's securityContext, for the containers the sandbox runs with
// `podman run` (ephemeral ones): the pod-level fields a container does not override, the
// runAsNonRoot check it makes before creating the container, and the podman flags for the rest.
import { ApiError } from './status';

type Json = Record<string, unknown>;

/** The fields of a pod's or container's securityContext the sandbox acts on. */
export interface EffectiveSecurityContext {
  privileged?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities: { add: string[]; drop: string[] };
  seccompProfile?: 'RuntimeDefault' | 'Unconfined';
  /** The pod's supplementalGroups and fsGroup: the kubelet adds both to the process's groups. */
  supplementalGroups: number[];
}

/** Who the pod is in the kubelet's messages: `name_namespace(uid)`. */
export interface PodIdentity {
  name: string;
  namespace: string;
  uid: string;
}

function object(value: unknown, what: string): Json {
  if (value === undefined || value === null) {
    return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw ApiError.invalid(`${what}: must be an object`);
  }
  return value as Json;
}

function optionalBoolean(value: unknown, what: string): boolean | undefined {
  if (value === undefined || value === null || typeof value === 'boolean') {
    return value ?? undefined;
  }
  throw ApiError.invalid(`${what}: Invalid value: ${JSON.stringify(value)}: must be a boolean`);
}

function optionalId(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2147483647) {
    return value;
  }
  throw ApiError.invalid(
    `${what}: Invalid value: ${JSON.stringify(value)}: must be between 0 and 2147483647, inclusive`,
  );
}

function ids(value: unknown, what: string): number[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw ApiError.invalid(`${what}: must be a list`);
  }
  return value.map((item, index) => optionalId(item, `${what}[${index}]`) ?? 0);
}

function capabilityNames(value: unknown, what: string): string[] {
  if (value === undefined || value === null) {
    return [];
  }
  // Names only: they become podman arguments, one per argv entry.
  if (
    !Array.isArray(value) ||
    !value.every((item) => typeof item === 'string' && /^\w+$/.test(item))
  ) {
    throw ApiError.invalid(`${what}: must be a list of capability names`);
  }
  return value as string[];
}

function seccompType(
  value: unknown,
  what: string,
): EffectiveSecurityContext['seccompProfile'] | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const type = object(value, what).type;
  if (type === 'RuntimeDefault' || type === 'Unconfined') {
    return type;
  }
  if (type === 'Localhost') {
    throw ApiError.invalid(
      `${what}.type: Unsupported value: "Localhost": the sandbox has no node profiles (RuntimeDefault and Unconfined are supported)`,
    );
  }
  throw ApiError.invalid(
    `${what}.type: Unsupported value: ${JSON.stringify(type)}: supported values: "Localhost", "RuntimeDefault", "Unconfined"`,
  );
}

/**
 * The container's securityContext over the pod's, as the kubelet merges them (the container's
 * field wins where both set one). Throws 422 Invalid for a field of the wrong type, and for a
 * Localhost seccomp profile, which the sandbox cannot provide.
 */
export function effectiveSecurityContext(
  podContext: unknown,
  containerContext: unknown,
  where: string,
): EffectiveSecurityContext {
  const pod = object(podContext, 'spec.securityContext');
  const container = object(containerContext, `${where}.securityContext`);
  const field = <T>(
    name: string,
    read: (value: unknown, what: string) => T | undefined,
  ): T | undefined =>
    read(container[name], `${where}.securityContext.${name}`) ??
    read(pod[name], `spec.securityContext.${name}`);
  const capabilities = object(container.capabilities, `${where}.securityContext.capabilities`);
  const fsGroup = optionalId(pod.fsGroup, 'spec.securityContext.fsGroup');
  return {
    privileged: optionalBoolean(container.privileged, `${where}.securityContext.privileged`),
    runAsUser: field('runAsUser', optionalId),
    runAsGroup: field('runAsGroup', optionalId),
    runAsNonRoot: field('runAsNonRoot', optionalBoolean),
    allowPrivilegeEscalation: optionalBoolean(
      container.allowPrivilegeEscalation,
      `${where}.securityContext.allowPrivilegeEscalation`,
    ),
    readOnlyRootFilesystem: optionalBoolean(
      container.readOnlyRootFilesystem,
      `${where}.securityContext.readOnlyRootFilesystem`,
    ),
    capabilities: {
      add: capabilityNames(capabilities.add, `${where}.securityContext.capabilities.add`),
      drop: capabilityNames(capabilities.drop, `${where}.securityContext.capabilities.drop`),
    },
    seccompProfile: field('seccompProfile', seccompType),
    supplementalGroups: [
      ...ids(pod.supplementalGroups, 'spec.securityContext.supplementalGroups'),
      ...(fsGroup === undefined ? [] : [fsGroup]),
    ],
  };
}

/**
 * The image's user as a container runtime reports it to the kubelet: a numeric uid, a user name,
 * or neither (no USER in the image). The group after a colon does not count.
 */
export function imageUser(configUser: string): { uid?: number; name?: string } {
  const user = configUser.split(':')[0];
  if (user === '') {
    return {};
  }
  return /^\d+$/.test(user) ? { uid: Number(user) } : { name: user };
}

/**
 * The kubelet's refusal (its CreateContainerConfigError message) when runAsNonRoot cannot be
 * honoured: runAsUser 0, an image that runs as root (uid 0, or no USER at all, which the kubelet
 * takes for root), or an image user given by name, which it cannot check. Undefined when the
 * container may start.
 */
export function runAsNonRootRefusal(
  context: EffectiveSecurityContext,
  configUser: string,
  pod: PodIdentity,
  container: string,
): string | undefined {
  if (context.runAsNonRoot !== true) {
    return undefined;
  }
  const who = `(pod: ${JSON.stringify(`${pod.name}_${pod.namespace}(${pod.uid})`)}, container: ${container})`;
  if (context.runAsUser !== undefined) {
    return context.runAsUser === 0
      ? `container's runAsUser breaks non-root policy ${who}`
      : undefined;
  }
  const user = imageUser(configUser);
  if (user.name !== undefined) {
    return `container has runAsNonRoot and image has non-numeric user (${user.name}), cannot verify user is non-root ${who}`;
  }
  if ((user.uid ?? 0) === 0) {
    return `container has runAsNonRoot and image will run as root ${who}`;
  }
  return undefined;
}

/** The `podman run` options that apply the context, as a kubelet's runtime applies it. */
export function podmanSecurityArgs(
  context: EffectiveSecurityContext,
  configUser: string,
): string[] {
  const args: string[] = [];
  if (context.privileged === true) {
    args.push('--privileged');
  }
  if (context.runAsUser !== undefined || context.runAsGroup !== undefined) {
    // A group alone keeps the image's user (root when it names none), as the kubelet passes it.
    const user = context.runAsUser ?? configUser.split(':')[0];
    const group = context.runAsGroup === undefined ? '' : `:${context.runAsGroup}`;
    args.push('--user', `${user === '' ? 0 : user}${group}`);
  }
  for (const group of context.supplementalGroups) {
    args.push('--group-add', String(group));
  }
  // podman, like a node's runtime, leaves X of `drop: [ALL], add: [X]` whatever the order.
  for (const capability of context.capabilities.drop) {
    args.push('--cap-drop', capability);
  }
  for (const capability of context.capabilities.add) {
    args.push('--cap-add', capability);
  }
  if (context.allowPrivilegeEscalation === false) {
    args.push('--security-opt', 'no-new-privileges');
  }
  if (context.readOnlyRootFilesystem === true) {
    args.push('--read-only');
  }
  // A kubelet without --seccomp-default runs containers that name no profile unconfined;
  // RuntimeDefault is the runtime's own profile, podman's default.
  if (context.seccompProfile !== 'RuntimeDefault' && context.privileged !== true) {
    args.push('--security-opt', 'seccomp=unconfined');
  }
  return args;
}
