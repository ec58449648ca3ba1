// The real single-node cluster's programmatic API: start it (build once, certificates, containerd,
// etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, the seed pod), report on
// it, and stop it, undoing everything it did to the machine.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureSystemPackages } from '../../scripts/systemPackages.mjs';
import { SEED_MANIFEST } from '../sandbox';
import { builtBinaries, ClusterSetupError, ensureBinaries, type Binaries } from './build';
import { commandLines, componentKubeconfig, writeConfigs } from './configs';
import { importImages, nodeImages, saveImages } from './images';
import {
  defaultStateDir,
  ETCD_VERSION,
  KUBERNETES_VERSION,
  NODE_NAME,
  PORTS,
  REPO_ROOT,
  statePaths,
  type StatePaths,
} from './layout';
import { addNodeLink, foreignKubelet, killShims, noteMachine, restoreMachine } from './machine';
import type { MachineBefore } from './machine';
import { ensurePki, USERS, writeKubeconfig, type Pki } from './pki';
import { isRunning, logTail, startProcess, stopProcess, type ProcessRecord } from './processes';
import { waitUntil } from '../polling';

const execFileAsync = promisify(execFile);

/** Debian packages the node runs on, besides the sandbox's (its images come from there). */
export const CLUSTER_PACKAGES: readonly string[] = [
  'containerd',
  'runc',
  'containernetworking-plugins',
  'catatonit',
  'busybox-static',
  'nginx-light',
  'podman',
  'openssl',
  'iproute2',
  'iptables',
];

const NODE_READY_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 90_000;
const SEED_TIMEOUT_MS = 120_000;

export { ClusterSetupError } from './build';
export { SEED_MANIFEST };

/** cluster.json: what `up` started and changed, so `down` and `status` find it. */
export interface ClusterRecord {
  kubernetesVersion: string;
  etcdVersion: string;
  stateDir: string;
  checkout: string;
  startedAt: string;
  server: string;
  adminKubeconfig: string;
  restrictedKubeconfig: string;
  kubectl: string;
  processes: ProcessRecord[];
  machine?: MachineBefore;
}

export interface Cluster {
  stateDir: string;
  server: string;
  kubeconfigPath: string;
  restrictedKubeconfigPath: string;
  /** containerd's socket (for `ctr --namespace k8s.io`, the CRI's namespace). */
  containerdSocket: string;
  /** The kubectl built with the node (same version as the API server). */
  kubectl: string;
  record: ClusterRecord;
}

export interface ClusterOptions {
  stateDir?: string;
  /** Apply the task page's nginx + shell pod in `default` and wait until it runs. */
  seed?: boolean;
  log?: (line: string) => void;
}

async function readRecord(paths: StatePaths): Promise<ClusterRecord | undefined> {
  try {
    return JSON.parse(await readFile(paths.record, 'utf8')) as ClusterRecord;
  } catch {
    return undefined;
  }
}

/** Written whole or not at all: a cut write must not leave a record `down` cannot read. */
async function saveRecord(paths: StatePaths, record: ClusterRecord): Promise<void> {
  await writeFile(`${paths.record}.new`, `${JSON.stringify(record, null, 2)}\n`);
  await rename(`${paths.record}.new`, paths.record);
}

function asCluster(record: ClusterRecord): Cluster {
  return {
    stateDir: record.stateDir,
    server: record.server,
    kubeconfigPath: record.adminKubeconfig,
    restrictedKubeconfigPath: record.restrictedKubeconfig,
    containerdSocket: statePaths(record.stateDir).containerdSocket,
    kubectl: record.kubectl,
    record,
  };
}

/** kubectl (the built one) as the admin: argv only, never shell text. */
export async function adminKubectl(
  record: Pick<ClusterRecord, 'kubectl' | 'adminKubeconfig'>,
  args: readonly string[],
  input?: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      record.kubectl,
      ['--kubeconfig', record.adminKubeconfig, ...args],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`kubectl ${args.join(' ')}: ${stderr.trim() || error.message}`));
        } else {
          resolve(stdout);
        }
      },
    );
    child.stdin?.end(input ?? '');
  });
}

/** Who holds a loopback port, from `ss`, or undefined when it is free. */
async function portHolder(port: number, host = '127.0.0.1'): Promise<string | undefined> {
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
  if (free) {
    return undefined;
  }
  const { stdout } = await execFileAsync('ss', ['-ltnpH', `sport = :${port}`]).catch(() => ({
    stdout: '',
  }));
  const users = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout);
  return users ? `${users[1]} (pid ${users[2]})` : 'another process';
}

async function checkPorts(): Promise<void> {
  const wanted: [string, number][] = [
    ['kube-apiserver (PPE_CLUSTER_PORT)', PORTS.api],
    ['etcd', PORTS.etcdClient],
    ['etcd peer', PORTS.etcdPeer],
    ['image registry', PORTS.registry],
  ];
  const taken: string[] = [];
  for (const [what, port] of wanted) {
    const holder = await portHolder(port);
    if (holder) {
      taken.push(`127.0.0.1:${port} (${what}) is in use by ${holder}`);
    }
  }
  if (taken.length) {
    throw new ClusterSetupError(`cannot start the cluster: ${taken.join('; ')}`);
  }
}

function httpsGet(
  url: string,
  ca: string,
  token: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { Authorization: `Bearer ${token}` }, timeout: 5000 });
    req.on('response', (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Fails at once, with its log, if a started process exits while we wait for it. */
function exitedProcess(record: ClusterRecord): ProcessRecord | undefined {
  return record.processes.find((entry) => !isRunning(entry));
}

async function waitReady(
  record: ClusterRecord,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = START_TIMEOUT_MS,
): Promise<void> {
  let died: ProcessRecord | undefined;
  await waitUntil(
    async () => {
      died = exitedProcess(record);
      if (died) {
        return true;
      }
      return (await check().catch(() => false)) ? true : undefined;
    },
    `${what} to be ready (${timeoutMs / 1000} s)`,
    timeoutMs,
    250,
  );
  if (died) {
    throw new ClusterSetupError(
      `${died.name} exited while starting; log ${died.log}:\n${await logTail(died.log)}`,
    );
  }
}

interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

async function nodeConditions(record: ClusterRecord): Promise<NodeCondition[] | undefined> {
  try {
    const node = JSON.parse(
      await adminKubectl(record, ['get', 'node', NODE_NAME, '-o', 'json']),
    ) as { status?: { conditions?: NodeCondition[] } };
    return node.status?.conditions ?? [];
  } catch {
    return undefined;
  }
}

async function waitNodeReady(record: ClusterRecord): Promise<void> {
  const kubelet = record.processes.find((entry) => entry.name === 'kubelet')!;
  try {
    await waitReady(
      record,
      'the node',
      async () =>
        (await nodeConditions(record))?.some((c) => c.type === 'Ready' && c.status === 'True') ??
        false,
      NODE_READY_TIMEOUT_MS,
    );
  } catch (error) {
    const conditions = await nodeConditions(record);
    const said =
      conditions === undefined
        ? `node ${NODE_NAME} was never registered`
        : conditions
            .filter((c) => (c.type === 'Ready') !== (c.status === 'False'))
            .map((c) => `${c.type}=${c.status} ${c.reason ?? ''}: ${c.message ?? ''}`)
            .join('\n');
    throw new ClusterSetupError(
      `the kubelet did not become Ready within ${NODE_READY_TIMEOUT_MS / 1000} s ` +
        `(${error instanceof Error ? error.message : String(error)}).\n${said}\n` +
        `kubelet log ${kubelet.log}:\n${await logTail(kubelet.log)}`,
    );
  }
}

function start(
  record: ClusterRecord,
  paths: StatePaths,
  name: string,
  [file, ...args]: readonly string[],
  env?: NodeJS.ProcessEnv,
): void {
  record.processes.push(startProcess(name, file, args, join(paths.logs, `${name}.log`), env));
}

/** Leftovers: ours (a record in the state dir) are removed; anything else in the way is named. */
async function clearTheWay(paths: StatePaths, log: (line: string) => void): Promise<void> {
  const previous = await readRecord(paths);
  if (previous && previous.checkout !== REPO_ROOT && previous.processes.some(isRunning)) {
    // One node per machine: never take down the running node of another checkout.
    throw new ClusterSetupError(
      `a node of ${previous.checkout} runs (state dir ${paths.dir}); ` +
        'stop it there (npm run cluster -- down), or wait for it',
    );
  }
  if (previous) {
    log(`removing what an earlier run left (${previous.startedAt})`);
    await stopCluster(paths.dir);
  } else if (existsSync(paths.dir)) {
    throw new ClusterSetupError(
      `${paths.dir} exists but holds no cluster record: not ours to remove. ` +
        'Move it away, or set PPE_CLUSTER_DIR to another folder.',
    );
  }
  const foreign = foreignKubelet();
  if (foreign) {
    throw new ClusterSetupError(
      `cannot start the cluster: ${foreign}. Another kubelet runs (or ran) on this machine; ` +
        'stop it and remove its /sys/fs/cgroup/*/kubepods folders.',
    );
  }
  await checkPorts();
}

/** Starts the node (building its binaries the first time) and returns it once it is Ready. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const log = options.log ?? (() => {});
  if (process.getuid?.() !== 0) {
    throw new ClusterSetupError(
      'the real test cluster needs root (containerd, the kubelet, cgroups, network namespaces)',
    );
  }
  ensureSystemPackages(CLUSTER_PACKAGES);
  const binaries = await ensureBinaries(log);
  const paths = statePaths(options.stateDir ?? defaultStateDir());
  await clearTheWay(paths, log);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await mkdir(paths.logs, { recursive: true });
  const record: ClusterRecord = {
    kubernetesVersion: KUBERNETES_VERSION,
    etcdVersion: ETCD_VERSION,
    stateDir: paths.dir,
    checkout: REPO_ROOT,
    startedAt: new Date().toISOString(),
    server: `https://127.0.0.1:${PORTS.api}`,
    adminKubeconfig: paths.adminKubeconfig,
    restrictedKubeconfig: paths.restrictedKubeconfig,
    kubectl: binaries.kubectl,
    processes: [],
  };
  try {
    await bringUp(record, paths, binaries, log);
  } catch (error) {
    await saveRecord(paths, record);
    const message = error instanceof Error ? error.message : String(error);
    throw new ClusterSetupError(
      `${message}\nThe node's state and logs are in ${paths.dir}; ` +
        '`npm run cluster -- down` (or the next up) removes them.',
    );
  }
  if (options.seed) {
    await applySeed(record, log);
  }
  return asCluster(record);
}

async function bringUp(
  record: ClusterRecord,
  paths: StatePaths,
  binaries: Binaries,
  log: (line: string) => void,
): Promise<void> {
  record.machine = await noteMachine();
  await saveRecord(paths, record);
  const pki = await ensurePki(paths);
  await writeKubeconfigs(record, paths, pki);
  await writeConfigs(paths, pki);
  await addNodeLink();

  log('saving the images');
  const saved = await saveImages(paths, await nodeImages(log));
  const cmd = commandLines(paths, pki, binaries);
  start(record, paths, 'registry', [
    process.execPath,
    '--import',
    'tsx',
    join(REPO_ROOT, 'test', 'cluster', 'registry.ts'),
    String(PORTS.registry),
    ...saved.map(({ image, layout }) => `${image.repository}=${layout}`),
  ]);
  start(record, paths, 'containerd', ['containerd', '--config', paths.containerdConfig]);
  await saveRecord(paths, record);
  log('starting containerd and etcd');
  await waitReady(record, 'containerd', async () => {
    await execFileAsync('ctr', ['--address', paths.containerdSocket, 'version']);
    return true;
  });
  await importImages(paths.containerdSocket, saved);

  start(record, paths, 'etcd', cmd.etcd);
  await saveRecord(paths, record);
  await waitReady(record, 'etcd', async () => {
    const response = await fetch(`http://127.0.0.1:${PORTS.etcdClient}/health`);
    return response.ok;
  });

  log('starting kube-apiserver');
  start(record, paths, 'kube-apiserver', cmd.kubeApiserver);
  await saveRecord(paths, record);
  const ca = await readFile(pki.caCert, 'utf8');
  await waitReady(record, 'kube-apiserver', async () => {
    const response = await httpsGet(`${record.server}/readyz`, ca, pki.tokens.admin);
    return response.status === 200;
  });
  // The restricted user reads everything `view` allows: no exec, attach or port-forward.
  await adminKubectl(record, [
    'create',
    'clusterrolebinding',
    'ppe-restricted-view',
    '--clusterrole=view',
    `--user=${USERS.restricted.name}`,
  ]);

  log('starting the controller manager, the scheduler and the kubelet');
  start(record, paths, 'kube-controller-manager', cmd.kubeControllerManager);
  start(record, paths, 'kube-scheduler', cmd.kubeScheduler);
  start(record, paths, 'kubelet', cmd.kubelet);
  await saveRecord(paths, record);
  await waitNodeReady(record);
  // Pods need their namespace's default service account, which the controller manager makes.
  await waitReady(record, 'the default service account', async () => {
    await adminKubectl(record, ['get', 'serviceaccount', 'default', '--namespace', 'default']);
    return true;
  });
}

async function writeKubeconfigs(record: ClusterRecord, paths: StatePaths, pki: Pki) {
  await mkdir(paths.componentKubeconfigs, { recursive: true, mode: 0o700 });
  const server = record.server;
  await writeKubeconfig(paths.adminKubeconfig, {
    server,
    caCert: pki.caCert,
    user: USERS.admin.name,
    token: pki.tokens.admin,
    context: 'ppe-cluster',
  });
  await writeKubeconfig(paths.restrictedKubeconfig, {
    server,
    caCert: pki.caCert,
    user: USERS.restricted.name,
    token: pki.tokens.restricted,
    context: 'ppe-cluster-restricted',
  });
  const components = [
    ['kubelet', 'kubelet'],
    ['kube-controller-manager', 'controllerManager'],
    ['kube-scheduler', 'scheduler'],
  ] as const;
  for (const [component, user] of components) {
    await writeKubeconfig(componentKubeconfig(paths, component), {
      server,
      caCert: pki.caCert,
      user: USERS[user].name,
      token: pki.tokens[user],
      context: component,
    });
  }
}

/** Applies the task page's pod (as a user would, with kubectl) and waits until it is Ready. */
export async function applySeed(record: ClusterRecord, log: (line: string) => void) {
  log('applying the seed pod (the task page’s nginx + shell)');
  await adminKubectl(record, ['apply', '--namespace', 'default', '-f', SEED_MANIFEST]);
  try {
    await adminKubectl(record, [
      'wait',
      '--namespace',
      'default',
      '--for=condition=Ready',
      'pod/nginx',
      `--timeout=${SEED_TIMEOUT_MS / 1000}s`,
    ]);
  } catch (error) {
    const events = await adminKubectl(record, [
      'get',
      'events',
      '--namespace',
      'default',
      '--field-selector',
      'involvedObject.name=nginx',
    ]).catch(() => '');
    throw new ClusterSetupError(
      `the seed pod did not become Ready: ${error instanceof Error ? error.message : String(error)}\n${events}`,
    );
  }
}

/** The running cluster of this state dir, or undefined when none runs. */
export async function connectCluster(stateDir = defaultStateDir()): Promise<Cluster | undefined> {
  const record = await readRecord(statePaths(stateDir));
  if (!record || record.processes.length === 0 || exitedProcess(record)) {
    return undefined;
  }
  return asCluster(record);
}

export interface ClusterStatus {
  record?: ClusterRecord;
  processes: { name: string; pid: number; running: boolean; log: string }[];
  nodeReady?: string;
  binaries?: Binaries;
}

export async function clusterStatus(stateDir = defaultStateDir()): Promise<ClusterStatus> {
  const record = await readRecord(statePaths(stateDir));
  const binaries = await builtBinaries().catch(() => undefined);
  if (!record) {
    return { processes: [], binaries };
  }
  const conditions = isRunning(record.processes.find((p) => p.name === 'kube-apiserver')!)
    ? await nodeConditions(record)
    : undefined;
  const ready = conditions?.find((c) => c.type === 'Ready');
  return {
    record,
    binaries,
    processes: record.processes.map((entry) => ({
      name: entry.name,
      pid: entry.pid,
      running: isRunning(entry),
      log: entry.log,
    })),
    nodeReady: ready
      ? `${ready.status} (${ready.reason ?? ''}: ${ready.message ?? ''})`
      : undefined,
  };
}

const STOP_ORDER = [
  'kubelet',
  'kube-scheduler',
  'kube-controller-manager',
  'kube-apiserver',
  'etcd',
  'containerd',
  'registry',
];

/**
 * Deletes every pod through the API (so the kubelet stops them and tears their networks down),
 * stops every process, removes what containerd still runs, and undoes the machine changes.
 * Returns what could not be undone.
 */
export async function stopCluster(
  stateDir = defaultStateDir(),
  log: (line: string) => void = () => {},
): Promise<string[]> {
  const paths = statePaths(stateDir);
  const record = await readRecord(paths);
  if (!record) {
    return [];
  }
  const running = (name: string) => {
    const entry = record.processes.find((p) => p.name === name);
    return entry !== undefined && isRunning(entry);
  };
  if (running('kube-apiserver') && running('kubelet') && running('containerd')) {
    log('deleting every pod (the kubelet stops them)');
    await adminKubectl(record, [
      'delete',
      'pods',
      '--all',
      '--all-namespaces',
      '--grace-period=1',
      '--wait=true',
      '--timeout=60s',
    ]).catch((error: unknown) => log(`deleting the pods: ${String(error)}`));
  }
  const byOrder = [...record.processes].sort(
    (a, b) => STOP_ORDER.indexOf(a.name) - STOP_ORDER.indexOf(b.name),
  );
  for (const entry of byOrder) {
    if (entry.name === 'containerd') {
      await removeContainers(paths).catch((error: unknown) => log(`containers: ${String(error)}`));
    }
    await stopProcess(entry);
  }
  killShims(paths.containerdSocket);
  log('undoing the machine changes');
  return restoreMachine(record.machine, paths.dir);
}

/** Kills and removes whatever containerd still runs (pods the API could not delete). */
async function removeContainers(paths: StatePaths): Promise<void> {
  const ctr = (...args: string[]) =>
    execFileAsync('ctr', ['--address', paths.containerdSocket, '--namespace', 'k8s.io', ...args]);
  const { stdout } = await ctr('containers', 'list', '--quiet');
  for (const id of stdout.split('\n').filter(Boolean)) {
    await ctr('tasks', 'kill', '--signal', 'SIGKILL', id).catch(() => undefined);
    await ctr('tasks', 'delete', '--force', id).catch(() => undefined);
    await ctr('containers', 'delete', id).catch(() => undefined);
  }
}
