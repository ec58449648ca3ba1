// Adding an ephemeral debug container to a running pod, and waiting until it runs.
import type { V1Pod } from '@kubernetes/client-node';
import {
  ephemeralContainerPatch,
  ephemeralContainerSpec,
  ephemeralStartState,
  unchangedForDebugging,
  type DebugContainerRequest,
  type StartState,
} from '../processes/debugContainer';
import {
  cancelledError,
  ClusterError,
  containerNotStartedError,
  containerStartTimeoutError,
  imagePullError,
  podNotRunningError,
  toClusterError,
  type ClusterErrorContext,
} from './clusterErrors';
import type { ClusterSession } from './clusterSession';

/**
 * Asks the API server (SelfSubjectAccessReview) whether the user may add a debug container and
 * attach to it: patch pods/ephemeralcontainers and create pods/attach. A "no" is a forbidden
 * ClusterError naming the verb and resource; an API that cannot answer lets the calls say.
 */
export async function checkDebugAccess(
  session: ClusterSession,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<void> {
  const needed: [verb: string, subresource: string][] = [
    ['patch', 'ephemeralcontainers'],
    ['create', 'attach'],
  ];
  for (const [verb, subresource] of needed) {
    const allowed = await session
      .canI(namespace, verb, 'pods', subresource, signal)
      .catch((error: unknown) => {
        if (error instanceof ClusterError && error.kind === 'cancelled') {
          throw error;
        }
        return true;
      });
    if (!allowed) {
      throw toClusterError(
        { kind: 'Status', code: 403, reason: 'Forbidden', status: 'Failure' },
        {
          server: session.server,
          user: session.userName,
          context: session.contextName,
          verb,
          resource: 'pods',
          subresource,
          namespace,
          name,
        },
      );
    }
  }
}

export interface AddDebugContainerRequest {
  /** The pod as the user saw it: its uid and resourceVersion guard the patch. */
  readonly pod: V1Pod;
  readonly container: DebugContainerRequest;
  /** How long to wait for the container to run, in ms. */
  readonly startTimeoutMs: number;
  readonly signal?: AbortSignal;
  /** Each state change on the way (for a progress notification). */
  readonly onProgress?: (state: StartState) => void;
}

/**
 * Checks that the pod runs, patches its ephemeralcontainers subresource with the new container
 * and waits until the container runs. Fails with a ClusterError: forbidden (403), notFound (no
 * such subresource), conflict (the pod changed), notRunning, imagePull, timeout, cancelled.
 */
export async function addDebugContainer(
  session: ClusterSession,
  request: AddDebugContainerRequest,
): Promise<V1Pod> {
  const namespace = request.pod.metadata?.namespace ?? 'default';
  const name = request.pod.metadata?.name ?? '';
  const context: ClusterErrorContext = {
    server: session.server,
    context: session.contextName,
    namespace,
    name,
    container: request.container.name,
  };
  const phase = request.pod.status?.phase ?? 'Unknown';
  if (phase !== 'Running' || request.pod.metadata?.deletionTimestamp) {
    throw podNotRunningError(
      context,
      request.pod.metadata?.deletionTimestamp ? 'Terminating' : phase,
    );
  }
  // Watched before the patch, so no status change between the two is missed.
  const started = waitUntilRunning(session, namespace, name, request, context);
  // Handled below once the patch is in; a failure meanwhile must not count as unhandled.
  started.done.catch(() => undefined);
  try {
    await patchShownPod(session, namespace, name, request);
  } catch (error) {
    started.cancel();
    throw error;
  }
  return started.done;
}

/** client-go's DefaultRetry makes as many attempts. */
const CONFLICT_ATTEMPTS = 5;

/**
 * The patch, guarded by the shown pod's uid and resourceVersion. A conflict that a status update
 * alone caused (the pod, read again, is unchanged for debugging) is retried with the new
 * resourceVersion, as client-go's RetryOnConflict does; a pod recreated or changed meanwhile
 * stays a conflict.
 */
async function patchShownPod(
  session: ClusterSession,
  namespace: string,
  name: string,
  request: AddDebugContainerRequest,
): Promise<void> {
  const container = ephemeralContainerSpec(request.container);
  let guard: V1Pod = request.pod;
  for (let attempt = 1; ; attempt++) {
    try {
      await session.patchEphemeralContainers(
        namespace,
        name,
        ephemeralContainerPatch(guard, container),
        request.signal,
      );
      return;
    } catch (error) {
      if (!(error instanceof ClusterError && error.kind === 'conflict')) {
        throw error;
      }
      const current = await session.readPod(namespace, name, request.signal).catch(() => undefined);
      if (
        attempt === CONFLICT_ATTEMPTS ||
        !current ||
        !unchangedForDebugging(request.pod, current)
      ) {
        throw error;
      }
      guard = current;
    }
  }
}

function waitUntilRunning(
  session: ClusterSession,
  namespace: string,
  name: string,
  request: AddDebugContainerRequest,
  context: ClusterErrorContext,
): { done: Promise<V1Pod>; cancel(): void } {
  let cancel = () => {};
  const done = new Promise<V1Pod>((resolve, reject) => {
    let lastReason: string | undefined;
    let lastKind: StartState['kind'] | undefined;
    let settled = false;
    const finish = (result: { pod: V1Pod } | { error: ClusterError }) => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      // The listener runs inside the watch: dispose it once this call has returned.
      setImmediate(() => watch.dispose());
      if ('pod' in result) {
        resolve(result.pod);
      } else {
        reject(result.error);
      }
    };
    const timer = setTimeout(
      () =>
        finish({ error: containerStartTimeoutError(context, request.startTimeoutMs, lastReason) }),
      request.startTimeoutMs,
    );
    const onAbort = () => finish({ error: cancelledError(context) });
    request.signal?.addEventListener('abort', onAbort, { once: true });
    cancel = () => {
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      setImmediate(() => watch.dispose());
    };
    const seen = (pod: V1Pod) => {
      if (pod.metadata?.uid !== request.pod.metadata?.uid) {
        return;
      }
      if (!pod.spec?.ephemeralContainers?.some((c) => c.name === request.container.name)) {
        // Not patched yet (the watch's first list comes before the patch).
        return;
      }
      const state = ephemeralStartState(pod, request.container.name);
      if (state.kind !== lastKind || (state.kind === 'waiting' && state.reason !== lastReason)) {
        request.onProgress?.(state);
      }
      lastKind = state.kind;
      switch (state.kind) {
        case 'running':
          finish({ pod });
          return;
        case 'pullFailed':
          finish({
            error: imagePullError(context, request.container.image, state.reason, state.message),
          });
          return;
        case 'failed':
          finish({ error: containerNotStartedError(context, state.reason, state.message) });
          return;
        case 'terminated':
          finish({
            error: containerNotStartedError(
              context,
              state.reason ?? 'Terminated',
              state.exitCode === undefined ? '' : `exit code ${state.exitCode}`,
            ),
          });
          return;
        case 'waiting':
          lastReason = state.reason ?? lastReason;
      }
    };
    const watch = session.watchPod(namespace, name, {
      onSnapshot: (pods) => pods.forEach(seen),
      onChange: (type, pod) => {
        if (type === 'DELETED' && pod.metadata?.uid === request.pod.metadata?.uid) {
          finish({ error: podNotRunningError(context, 'deleted') });
        } else {
          seen(pod);
        }
      },
      // The watch retries by itself; a lasting failure ends in the timeout, which names it.
      onError: (error) => {
        lastReason = error.message;
      },
    });
  });
  return { done, cancel: () => cancel() };
}
