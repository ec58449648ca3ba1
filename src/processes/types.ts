/** One process as read from `/proc/<pid>` in a single listing. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Real UID (first value of `Uid:` in `/proc/<pid>/status`). */
  readonly uid: number;
  /** From the listing container's `/etc/passwd`; undefined when that file does not name the UID. */
  readonly user: string | undefined;
  /** The kernel's state letter (`R`, `S`, `D`, `Z`, `T`, `t`, `I`, …). */
  readonly state: string;
  /** The kernel's own word for the state (`sleeping`, `zombie`, …), undefined when it gave none. */
  readonly stateName: string | undefined;
  readonly threads: number;
  /** Resident set size; 0 when the kernel reports none (kernel threads, zombies). */
  readonly rssKiB: number;
  /** User plus system CPU time, in clock ticks. */
  readonly cpuTicks: number;
  /** Start time in clock ticks after boot; with the PID it tells a reused PID apart. */
  readonly startTicks: number;
  readonly comm: string;
  /** Arguments as the process shows them; empty for kernel threads and zombies. */
  readonly argv: readonly string[];
  /** `argv` joined by spaces, or `[comm]` when there are no arguments (as ps shows it). */
  readonly commandLine: string;
  /**
   * The command line could not be read in time (a process in D state holds its memory lock):
   * `commandLine` is then the `[comm]` name alone.
   */
  readonly commandLineUnread?: boolean;
  /** The raw text of `/proc/<pid>/cgroup`. */
  readonly cgroup: string;
  /** Inode number of `/proc/<pid>/ns/mnt`; undefined when the lister may not read it. */
  readonly mountNamespace?: string;
}

/**
 * The listing's own shell: it runs in the container that was exec'd into, so its cgroup and
 * mount namespace are that container's (the anchor when cgroup paths carry no ID, as in a
 * private cgroup namespace on cgroup v2, where the container's own processes show `0::/`).
 */
export interface ListerProcess {
  readonly pid: number;
  readonly cgroup: string;
  readonly mountNamespace?: string;
}

export interface ProcessListing {
  /** Sorted by PID; the lister's own shell and its children are left out. */
  readonly processes: readonly ProcessInfo[];
  readonly uptimeSeconds: number | undefined;
  readonly clockTicksPerSecond: number;
  /** PID of the shell that ran the listing (in the pod's PID namespace), when it said. */
  readonly listerPid: number | undefined;
  /** That shell as /proc showed it, when it could be read. */
  readonly lister: ListerProcess | undefined;
  /** False when the output stopped before the script's end marker (a cut stream). */
  readonly complete: boolean;
  /**
   * The tool that failed and its status (`grep 126`) when the script ran to its end but a read
   * it depends on did not: the listing is not whole, though it looks it.
   */
  readonly failure: string | undefined;
}

export type ContainerKind = 'container' | 'init' | 'sidecar' | 'ephemeral';

export interface ContainerIdentity {
  readonly name: string;
  readonly kind: ContainerKind;
  /** The bare runtime ID (see `containerIdFromStatus`); absent while the container has none. */
  readonly containerId?: string;
}

export interface PodContainersInput {
  readonly shareProcessNamespace: boolean;
  readonly containers: readonly ContainerIdentity[];
  /** Name of the container the listing was exec'd in, which places the listing's own shell. */
  readonly listedFrom?: string;
}

/** Why a process was placed under its container. */
export type PlacementEvidence = 'cgroup' | 'mountNamespace';

export interface PlacedProcesses {
  /** PID 1 of a shared pod when no container claims it: the pod sandbox (pause, catatonit). */
  readonly sandbox?: ProcessInfo;
  /** Every container of the input, in input order, with its processes sorted by PID. */
  readonly byContainer: Map<string, ProcessInfo[]>;
  /** Processes no evidence places; never assigned by guess. */
  readonly unknown: ProcessInfo[];
  /** Per container: its lowest-PID process whose parent is not in the same container. */
  readonly mainPid: Map<string, number>;
  /** How each placed process (by PID) was placed. */
  readonly evidence: Map<number, PlacementEvidence>;
}

export interface ProcessNode {
  readonly process: ProcessInfo;
  readonly children: ProcessNode[];
}
