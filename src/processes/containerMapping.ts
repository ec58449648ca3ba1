import type {
  ContainerIdentity,
  ListerProcess,
  PlacedProcesses,
  PlacementEvidence,
  PodContainersInput,
  ProcessInfo,
  ProcessListing,
  ProcessNode,
} from './types';

const HEX_ID = /^[0-9a-f]+$/;

/**
 * The bare ID of `status.containerStatuses[].containerID` (`containerd://<id>`, `cri-o://<id>`,
 * `docker://<id>`, `podman://<id>`…), lower-cased; undefined when there is none or it is not hex.
 */
export function containerIdFromStatus(containerID: string | undefined): string | undefined {
  if (!containerID) {
    return undefined;
  }
  const scheme = containerID.indexOf('://');
  const id = (scheme >= 0 ? containerID.slice(scheme + 3) : containerID).trim().toLowerCase();
  return HEX_ID.test(id) ? id : undefined;
}

/*
 * Runtimes put the ID into one path segment: bare (`…/pod<uid>/<id>` on cgroup v1 and cgroupfs
 * v2), after a prefix (`cri-containerd-`, `crio-`, `docker-`, `libpod-`, `libpod-payload-`) and
 * before `.scope` on systemd. Taking the hex after the segment's last '-' covers all of them
 * while comparing whole tokens, so neither a prefix of an ID nor an ID inside a longer hex run
 * matches.
 */
function idTokens(cgroupText: string): string[] {
  const tokens: string[] = [];
  for (const line of cgroupText.split('\n')) {
    // `hierarchy:controllers:path`; the path may itself hold ':' only in theory, so keep it all.
    const second = line.indexOf(':', line.indexOf(':') + 1);
    if (second < 0) {
      continue;
    }
    for (const segment of line.slice(second + 1).split('/')) {
      const name = segment.endsWith('.scope') ? segment.slice(0, -'.scope'.length) : segment;
      const token = name.slice(name.lastIndexOf('-') + 1).toLowerCase();
      if (token !== '' && HEX_ID.test(token)) {
        tokens.push(token);
      }
    }
  }
  return tokens;
}

/**
 * Which of `ids` names the cgroup in `/proc/<pid>/cgroup` text. Undefined when none does, or
 * when two different ones do (the file contradicts itself; guessing would mislead).
 */
export function containerIdInCgroup(
  cgroupText: string,
  ids: ReadonlySet<string>,
): string | undefined {
  let found: string | undefined;
  for (const token of idTokens(cgroupText)) {
    if (!ids.has(token)) {
      continue;
    }
    if (found !== undefined && found !== token) {
      return undefined;
    }
    found = token;
  }
  return found;
}

/**
 * Places each process under its container: by the container ID in its cgroup (or by sharing the
 * cgroup of the listing's own shell, whose container is known), else by a mount namespace that
 * only processes of one container so placed have; the rest is unknown, never guessed.
 */
export function placeProcesses(
  listing: Pick<ProcessListing, 'processes'> & Partial<Pick<ProcessListing, 'lister'>>,
  pod: PodContainersInput,
): PlacedProcesses {
  const containerById = new Map<string, ContainerIdentity>();
  for (const container of pod.containers) {
    if (container.containerId) {
      containerById.set(container.containerId.toLowerCase(), container);
    }
  }
  const ids = new Set(containerById.keys());
  const containerOf = new Map<number, string>();
  const evidence = new Map<number, PlacementEvidence>();
  const namespaceOwners = new Map<string, Set<string>>();
  const ownNamespace = (namespace: string | undefined, name: string) => {
    if (namespace !== undefined) {
      const owners = namespaceOwners.get(namespace) ?? new Set<string>();
      owners.add(name);
      namespaceOwners.set(namespace, owners);
    }
  };

  const anchor = listerAnchor(listing.lister, pod, ids, containerById);
  if (anchor) {
    ownNamespace(anchor.mountNamespace, anchor.container);
  }
  for (const process of listing.processes) {
    const id = containerIdInCgroup(process.cgroup, ids);
    let name = id === undefined ? undefined : containerById.get(id)?.name;
    if (name === undefined && anchor && process.cgroup === anchor.cgroup) {
      name = anchor.container;
    }
    if (name !== undefined) {
      containerOf.set(process.pid, name);
      evidence.set(process.pid, 'cgroup');
      ownNamespace(process.mountNamespace, name);
    }
  }

  for (const process of listing.processes) {
    if (containerOf.has(process.pid) || process.mountNamespace === undefined) {
      continue;
    }
    const owners = namespaceOwners.get(process.mountNamespace);
    if (owners?.size === 1) {
      const [name] = owners;
      containerOf.set(process.pid, name);
      evidence.set(process.pid, 'mountNamespace');
    }
  }

  const byContainer = new Map<string, ProcessInfo[]>(pod.containers.map((c) => [c.name, []]));
  const unknown: ProcessInfo[] = [];
  let sandbox: ProcessInfo | undefined;
  const sorted = [...listing.processes].sort((a, b) => a.pid - b.pid);
  for (const process of sorted) {
    const name = containerOf.get(process.pid);
    if (name !== undefined) {
      byContainer.get(name)?.push(process);
    } else if (pod.shareProcessNamespace && process.pid === 1) {
      // In a shared PID namespace the runtime's sandbox process is PID 1.
      sandbox = process;
    } else {
      unknown.push(process);
    }
  }

  const mainPid = new Map<string, number>();
  for (const [name, processes] of byContainer) {
    // Sorted by PID, so the first process whose parent lies outside the container is the lowest.
    const main = processes.find((process) => containerOf.get(process.ppid) !== name);
    if (main) {
      mainPid.set(name, main.pid);
    }
  }

  return { ...(sandbox ? { sandbox } : {}), byContainer, unknown, mainPid, evidence };
}

interface ListerAnchor {
  readonly container: string;
  /** Undefined when the shell's cgroup file was empty: equal emptiness proves nothing. */
  readonly cgroup: string | undefined;
  readonly mountNamespace: string | undefined;
}

/*
 * The listing's shell runs in the container exec'd into: a fact, not a guess. Its cgroup text
 * stands for that container only when it names no other known container (else the input
 * contradicts itself).
 */
function listerAnchor(
  lister: ListerProcess | undefined,
  pod: PodContainersInput,
  ids: ReadonlySet<string>,
  containerById: ReadonlyMap<string, ContainerIdentity>,
): ListerAnchor | undefined {
  const container = pod.containers.find((candidate) => candidate.name === pod.listedFrom);
  if (!lister || !container) {
    return undefined;
  }
  const id = containerIdInCgroup(lister.cgroup, ids);
  if (id !== undefined && containerById.get(id)?.name !== container.name) {
    return undefined;
  }
  return {
    container: container.name,
    cgroup: lister.cgroup.trim() === '' ? undefined : lister.cgroup,
    mountNamespace: lister.mountNamespace,
  };
}

/** Nests processes under their parents within the given set; roots and children by PID. */
export function nestProcesses(processes: readonly ProcessInfo[]): ProcessNode[] {
  const nodes = new Map<number, ProcessNode>();
  for (const process of [...processes].sort((a, b) => a.pid - b.pid)) {
    if (!nodes.has(process.pid)) {
      nodes.set(process.pid, { process, children: [] });
    }
  }
  const parentOf = new Map<number, number>();
  for (const { process } of nodes.values()) {
    if (process.ppid !== process.pid && nodes.has(process.ppid)) {
      parentOf.set(process.pid, process.ppid);
    }
  }
  // The kernel cannot produce a cycle, but two samples merged or a reused PID could: cut it where
  // the walk met it again. Each process is walked once (an 8,000-deep chain would otherwise cost
  // 32 million steps on every refresh).
  const state = new Map<number, 'walking' | 'done'>();
  for (const pid of nodes.keys()) {
    const path: number[] = [];
    let current: number | undefined = pid;
    while (current !== undefined && !state.has(current)) {
      state.set(current, 'walking');
      path.push(current);
      current = parentOf.get(current);
    }
    if (current !== undefined && state.get(current) === 'walking') {
      parentOf.delete(current);
    }
    for (const walked of path) {
      state.set(walked, 'done');
    }
  }
  const roots: ProcessNode[] = [];
  for (const node of nodes.values()) {
    const parent = parentOf.get(node.process.pid);
    if (parent === undefined) {
      roots.push(node);
    } else {
      nodes.get(parent)?.children.push(node);
    }
  }
  return roots;
}

/**
 * CPU use between two samples of one process, in percent of one CPU (above 100 for several busy
 * threads, as top shows it). Undefined unless both samples are of the same process.
 */
export function cpuPercent(
  previous: ProcessInfo | undefined,
  current: ProcessInfo,
  elapsedSeconds: number,
  clockTicks: number,
): number | undefined {
  if (
    !previous ||
    previous.pid !== current.pid ||
    previous.startTicks !== current.startTicks ||
    !(elapsedSeconds > 0) ||
    !(clockTicks > 0)
  ) {
    return undefined;
  }
  const ticks = current.cpuTicks - previous.cpuTicks;
  if (ticks < 0) {
    return undefined;
  }
  return (ticks / clockTicks / elapsedSeconds) * 100;
}
