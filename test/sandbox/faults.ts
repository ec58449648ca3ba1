// Fault and scale switches: set by CLI flags at `up`, or at runtime through
// `POST /sandbox/faults` (token-authenticated) or `Sandbox.setFaults()`.

export interface Faults {
  /** Answer exec and attach with 403 Forbidden, as RBAC without pods/exec or pods/attach would. */
  forbidExec: boolean;
  /** More subresources or resources to forbid for every verb, e.g. "pods/ephemeralcontainers". */
  forbiddenResources: string[];
  /**
   * Resources or subresources the API does not serve (404 NotFound), as an older cluster lacks
   * "pods/ephemeralcontainers" (before Kubernetes 1.23, or with the feature off).
   */
  missingResources: string[];
  /** Cut an exec/attach stream (no status) once it has sent this many output bytes; 0 is off. */
  dropExecAfterBytes: number;
  /**
   * Cut an exec stream (no status) once the client has sent this many stdin bytes: the bytes up to
   * the mark reach the command, then the connection dies. Only uploads send stdin, so this cuts
   * them mid-transfer and leaves every other exec alone; 0 is off.
   */
  dropExecAfterStdinBytes: number;
  /** Delay every API response by this many milliseconds. */
  delayMs: number;
  /**
   * Serve this many status-only pods (no containers), shaped like a Deployment's pods (managed
   * fields, environment, volumes, probes): in the namespace `synthetic`, or spread round-robin over
   * `syntheticNamespaces` namespaces `synthetic-000`, `synthetic-001`, … when that is above 1.
   */
  syntheticPods: number;
  /** How many namespaces the synthetic pods are spread over (1 to 200). */
  syntheticNamespaces: number;
  /**
   * Modify this many synthetic pods per second, round-robin (a `sandbox/churn` annotation and the
   * resourceVersion), so their watchers get a steady stream of MODIFIED events; 0 is off.
   */
  syntheticChurnPerSecond: number;
}

export const NO_FAULTS: Faults = {
  forbidExec: false,
  forbiddenResources: [],
  missingResources: [],
  dropExecAfterBytes: 0,
  dropExecAfterStdinBytes: 0,
  delayMs: 0,
  syntheticPods: 0,
  syntheticNamespaces: 1,
  syntheticChurnPerSecond: 0,
};

export const MAX_SYNTHETIC_PODS = 20_000;
export const MAX_SYNTHETIC_NAMESPACES = 200;
export const MAX_SYNTHETIC_CHURN_PER_SECOND = 10_000;

/**
 * Whether the switches forbid a core-group resource (with its subresource), as missing RBAC rules
 * would: requests get 403 and SelfSubjectAccessReviews answer "no".
 */
export function forbids(faults: Faults, resource: string, subresource?: string): boolean {
  const streaming = resource === 'pods' && (subresource === 'exec' || subresource === 'attach');
  const full = subresource ? `${resource}/${subresource}` : resource;
  return (streaming && faults.forbidExec) || faults.forbiddenResources.includes(full);
}

/** Whether the switches make a resource (with its subresource) one the API does not serve. */
export function isMissing(faults: Faults, resource: string, subresource?: string): boolean {
  return faults.missingResources.includes(subresource ? `${resource}/${subresource}` : resource);
}

function count(value: unknown, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`${name} must be an integer from 0 to ${max}`);
  }
  return value;
}

/** Applies a partial update after checking every field; throws on anything unknown or invalid. */
export function mergeFaults(current: Faults, update: unknown): Faults {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) {
    throw new Error('faults must be a JSON object');
  }
  const next: Faults = {
    ...current,
    forbiddenResources: [...current.forbiddenResources],
    missingResources: [...current.missingResources],
  };
  for (const [key, value] of Object.entries(update)) {
    switch (key) {
      case 'forbidExec':
        if (typeof value !== 'boolean') {
          throw new Error('forbidExec must be a boolean');
        }
        next.forbidExec = value;
        break;
      case 'forbiddenResources':
        if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
          throw new Error('forbiddenResources must be an array of strings');
        }
        next.forbiddenResources = value;
        break;
      case 'missingResources':
        if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
          throw new Error('missingResources must be an array of strings');
        }
        next.missingResources = value;
        break;
      case 'dropExecAfterBytes':
        next.dropExecAfterBytes = count(value, key);
        break;
      case 'dropExecAfterStdinBytes':
        next.dropExecAfterStdinBytes = count(value, key);
        break;
      case 'delayMs':
        next.delayMs = count(value, key, 60_000);
        break;
      case 'syntheticPods':
        next.syntheticPods = count(value, key, MAX_SYNTHETIC_PODS);
        break;
      case 'syntheticNamespaces':
        next.syntheticNamespaces = Math.max(1, count(value, key, MAX_SYNTHETIC_NAMESPACES));
        break;
      case 'syntheticChurnPerSecond':
        next.syntheticChurnPerSecond = count(value, key, MAX_SYNTHETIC_CHURN_PER_SECOND);
        break;
      default:
        throw new Error(`unknown fault switch: ${key}`);
    }
  }
  return next;
}
