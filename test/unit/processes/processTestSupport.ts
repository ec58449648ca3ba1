import { readFileSync } from 'node:fs';
import path from 'node:path';
import { containerIdFromStatus } from '../../../src/processes/containerMapping';
import type { DetailsStrings } from '../../../src/processes/processDetails';
import type {
  ContainerIdentity,
  ContainerKind,
  PodContainersInput,
  ProcessInfo,
} from '../../../src/processes/types';

const FIXTURES = path.resolve(__dirname, '../../fixtures/processes');

export function fixtureBytes(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

export function fixtureJson<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as T;
}

interface PodJson {
  readonly spec: {
    readonly shareProcessNamespace?: boolean;
    readonly initContainers?: readonly { name: string; restartPolicy?: string }[];
    readonly containers: readonly { name: string }[];
    readonly ephemeralContainers?: readonly { name: string }[];
  };
  readonly status: {
    readonly initContainerStatuses?: readonly { name: string; containerID?: string }[];
    readonly containerStatuses?: readonly { name: string; containerID?: string }[];
    readonly ephemeralContainerStatuses?: readonly { name: string; containerID?: string }[];
  };
}

/** The mapping's input from a saved `kubectl get pod -o json`, as the tree would build it. */
export function podInput(podFile: string, listedFrom?: string): PodContainersInput {
  const pod = fixtureJson<PodJson>(podFile);
  const ids = new Map<string, string | undefined>();
  for (const status of [
    ...(pod.status.initContainerStatuses ?? []),
    ...(pod.status.containerStatuses ?? []),
    ...(pod.status.ephemeralContainerStatuses ?? []),
  ]) {
    ids.set(status.name, containerIdFromStatus(status.containerID));
  }
  const identity = (name: string, kind: ContainerKind): ContainerIdentity => {
    const containerId = ids.get(name);
    return containerId === undefined ? { name, kind } : { name, kind, containerId };
  };
  return {
    shareProcessNamespace: pod.spec.shareProcessNamespace === true,
    containers: [
      ...(pod.spec.initContainers ?? []).map((c) =>
        identity(c.name, c.restartPolicy === 'Always' ? 'sidecar' : 'init'),
      ),
      ...pod.spec.containers.map((c) => identity(c.name, 'container')),
      ...(pod.spec.ephemeralContainers ?? []).map((c) => identity(c.name, 'ephemeral')),
    ],
    ...(listedFrom === undefined ? {} : { listedFrom }),
  };
}

/** A process with every field filled, for tests that care about a few. */
export function processInfo(fields: Partial<ProcessInfo> & { pid: number }): ProcessInfo {
  return {
    ppid: 0,
    uid: 0,
    user: 'root',
    state: 'S',
    stateName: 'sleeping',
    threads: 1,
    rssKiB: 1000,
    cpuTicks: 0,
    startTicks: 100,
    comm: 'sleep',
    argv: ['sleep', '1000'],
    commandLine: 'sleep 1000',
    cgroup: '0::/',
    ...fields,
  };
}

export function pids(processes: readonly ProcessInfo[] | undefined): number[] {
  return (processes ?? []).map((process) => process.pid);
}

/** The details document's strings in English, as the extension passes them (l10n aside). */
export const DETAILS_STRINGS: DetailsStrings = {
  title: (pid, commandLine) => `PID ${pid} · ${commandLine}`,
  headings: {
    commandLine: 'Command line',
    process: 'Process',
    namespaces: 'Namespaces',
    cgroup: 'Control group',
    capabilities: 'Capabilities',
    environment: (count) => (count === undefined ? 'Environment' : `Environment · ${count}`),
  },
  labels: {
    pod: 'Pod',
    container: 'Container',
    readFrom: 'Read from container',
    pid: 'PID',
    parentPid: 'Parent PID',
    state: 'State',
    user: 'User',
    effectiveUser: 'Effective user',
    savedUser: 'Saved user',
    filesystemUser: 'Filesystem user',
    group: 'Group',
    groups: 'Supplementary groups',
    started: 'Started',
    threads: 'Threads',
    memory: 'Memory (RSS)',
    openFiles: 'Open files',
    effective: 'Effective',
    permitted: 'Permitted',
    inheritable: 'Inheritable',
    bounding: 'Bounding set',
    ambient: 'Ambient',
  },
  sandbox: 'pod sandbox (pause)',
  mainProcess: 'main process',
  unknownContainer: 'unknown container',
  outsideNamespace: 'outside',
  none: 'none',
  noArguments: '(no arguments)',
  allCapabilities: (count) => `all ${count}`,
  started: (utc, elapsed) => `${utc} · running for ${elapsed}`,
  differsFromPid1: (inode) => `PID 1: ${inode}`,
  namespacesUnreadable: (readFrom) => `not readable from ${readFrom}`,
  openFilesUnreadable: (readFrom) => `not readable from ${readFrom}`,
  sharedEnvironment: (pid) => `every container can read /proc/${pid}/environ`,
  sharedEnvironmentHint: 'keep secrets in files',
  masked: (count) => `${count} masked`,
  revealed: (count) => `${count} shown`,
  environmentEmpty: 'no variables',
  overwritten: (pid, text) => `PID ${pid} rewrote its title: "${text}"`,
  environmentDenied: ({ pid, uid, readFrom, readerUid, readerCanTrace }) =>
    `denied: ${pid} uid ${uid} from ${readFrom} uid ${readerUid} trace ${readerCanTrace}`,
  environmentGone: 'gone',
  environmentError: (detail) => `error: ${detail}`,
};
