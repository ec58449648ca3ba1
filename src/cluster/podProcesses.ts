import { placeProcesses } from '../processes/containerMapping';
import { podContainers, isSharedPod, type PodLike } from '../processes/podContainers';
import { parseProcessListing, processListingCommand } from '../processes/processListing';
import type { PlacedProcesses, ProcessListing } from '../processes/types';
import type { ClusterSession } from './clusterSession';
import * as l10n from '@vscode/l10n';
import { ClusterError, truncatedError, type ClusterErrorContext } from './clusterErrors';

export interface PodProcessesRequest {
  readonly pod: PodLike;
  /** The container whose view of /proc is read (it needs a shell). */
  readonly container: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export interface PodProcesses {
  readonly listing: ProcessListing;
  readonly placed: PlacedProcesses;
  /** The container the listing ran in. */
  readonly container: string;
  /** When the listing was read (ms since the epoch), for CPU % between two samples. */
  readonly sampledAt: number;
}

/** About 2 KB a process (status, stat, cgroup, command line) for 30,000 processes. */
const MAX_LISTING_BYTES = 64 * 1024 * 1024;

/**
 * Every process of a pod, each placed under its container, in ONE exec round trip: a POSIX sh
 * script that reads /proc in `request.container` (see processListing.ts).
 */
export async function listPodProcesses(
  session: ClusterSession,
  request: PodProcessesRequest,
): Promise<PodProcesses> {
  const namespace = request.pod.metadata?.namespace ?? 'default';
  const name = request.pod.metadata?.name ?? '';
  const context: ClusterErrorContext = { namespace, name, container: request.container };
  const result = await session.exec({
    namespace,
    pod: name,
    container: request.container,
    command: processListingCommand(),
    signal: request.signal,
    timeoutMs: request.timeoutMs,
    maxOutputBytes: MAX_LISTING_BYTES,
  });
  const listing = parseProcessListing(result.stdout);
  if (!listing.complete) {
    throw truncatedError(context);
  }
  if (listing.failure !== undefined) {
    throw new ClusterError(
      'other',
      l10n.t(
        'The process listing in container {0} is not whole: {1} failed (status {2}). A status of 126 means the pod has more processes than one command line can name.',
        request.container,
        listing.failure.split(' ')[0] ?? '',
        listing.failure.split(' ')[1] ?? '',
      ),
      { ...context, exitCode: Number(listing.failure.split(' ')[1]) },
    );
  }
  return {
    listing,
    placed: placeProcesses(listing, {
      shareProcessNamespace: isSharedPod(request.pod),
      containers: podContainers(request.pod),
      // The listing's own shell anchors its container where cgroups name no container ID.
      listedFrom: request.container,
    }),
    container: request.container,
    sampledAt: Date.now(),
  };
}
