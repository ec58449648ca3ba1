// The sandbox's programmatic API: start it (images, TLS, token, API process), change its fault and
// scale switches, restart its API without losing pods, and stop it (removing its pods).
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { request } from 'node:https';
import type { Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { NO_FAULTS, mergeFaults, type Faults } from './faults';
import { ensureSystemPackages } from '../../scripts/systemPackages.mjs';
import { ensureImages, SANDBOX_PACKAGES } from './images';
import { LABEL, LABEL_INSTANCE, LABEL_STATE_DIR, podmanJson, removePodmanPods } from './podman';
import {
  defaultStateDir,
  instanceId,
  prepareState,
  readJson,
  REPO_ROOT,
  statePaths,
  writeJson,
  type ServerRecord,
  type StatePaths,
} from './stateDir';
import { waitUntil } from '../polling';

const API_MAIN_IN_CHECKOUT = join('test', 'sandbox', 'apiMain.ts');
const API_MAIN = join(REPO_ROOT, API_MAIN_IN_CHECKOUT);
export const SEED_MANIFEST = join(
  REPO_ROOT,
  'test',
  'fixtures',
  'sandbox',
  'share-process-namespace.yaml',
);
const START_TIMEOUT_MS = 60_000;

export type { Faults } from './faults';

export interface SandboxOptions {
  /** State dir (TLS, token, kubeconfig, manifests); default `.sandbox/` or `PPE_SANDBOX_DIR`. */
  stateDir?: string;
  /** Loopback port; default: that of the API this replaces (an `up` while up), else a free one. */
  port?: number;
  faults?: Partial<Faults>;
  /** Create the seed pod (the task page's nginx + shell) in `default`. */
  seed?: boolean;
  /**
   * Leave the API running after this process exits (the CLI's `up`). Otherwise the API process
   * ends with this one.
   */
  detached?: boolean;
  log?: (line: string) => void;
}

export interface Sandbox {
  stateDir: string;
  kubeconfigPath: string;
  /** The API's URL (https://127.0.0.1:PORT). */
  url: string;
  /** Same as `url`, the kubeconfig's `server`. */
  server: string;
  token: string;
  caCert: string;
  /** The API process id. */
  pid: number;
  /** Calls the API with the sandbox's token; returns status code and parsed JSON (or text). */
  call(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ status: number; body: unknown }>;
  setFaults(faults: Partial<Faults>): Promise<Faults>;
  /** Stops and starts the API process on the same port; pods keep running in podman. */
  restartApi(): Promise<void>;
  /** Stops the API process only (clients see connection refused); `restartApi()` brings it back. */
  stopApi(): Promise<void>;
  /**
   * Compacts the watch history and ends open watches: watching again from any resourceVersion
   * handed out before gets 410 Expired, so clients must list again.
   */
  compactWatchHistory(): Promise<void>;
  /** Stops the API and removes every pod this sandbox made. */
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The recorded API process, if it is still running (and is still our API, not a reused pid). */
async function runningApi(paths: StatePaths): Promise<ServerRecord | undefined> {
  const record = await readJson<ServerRecord>(paths.server);
  if (!record || !alive(record.pid)) {
    return undefined;
  }
  try {
    const args = (await readFile(`/proc/${record.pid}/cmdline`, 'utf8')).split('\0');
    // Any checkout's API counts: a sandbox started from another clone or worktree of this
    // project runs its own apiMain.ts, and its pods must not look like a crashed run's leftovers.
    const stateDir = args[args.indexOf('--state-dir') + 1];
    return stateDir === paths.dir && args.some((arg) => arg.endsWith(API_MAIN_IN_CHECKOUT))
      ? record
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An API that recorded itself and died. A state dir without a record is not a leftover: its API
 * is being restarted (stopApi removes the record first) or was stopped on purpose, and another
 * sandbox starting meanwhile must not take its pods.
 */
async function crashedApi(paths: StatePaths): Promise<boolean> {
  return existsSync(paths.server) && !(await runningApi(paths));
}

async function stopApi(paths: StatePaths): Promise<void> {
  const record = await runningApi(paths);
  if (record) {
    process.kill(record.pid, 'SIGTERM');
    await waitUntil(
      () => (alive(record.pid) ? undefined : true),
      'the sandbox API to stop',
      15_000,
      50,
    ).catch(() => {
      process.kill(record.pid, 'SIGKILL');
    });
  }
  await rm(paths.server, { force: true });
}

async function removePods(filter: string): Promise<void> {
  const pods = await podmanJson<{ Name: string }[]>([
    'pod',
    'ps',
    '--filter',
    `label=${filter}`,
    '--format',
    'json',
  ]);
  if (pods.length) {
    await removePodmanPods(pods.map((pod) => pod.Name));
  }
}

/**
 * Removes pods of this state dir, and of other sandboxes whose state dir is gone or whose API
 * crashed (leftovers of crashed runs). Never touches pods without the sandbox label.
 */
async function cleanLeftovers(paths: StatePaths): Promise<void> {
  await removePods(`${LABEL_INSTANCE}=${instanceId(paths.dir)}`);
  await rm(paths.pods, { recursive: true, force: true });
  const pods = await podmanJson<{ Name: string; Labels?: Record<string, string> }[]>([
    'pod',
    'ps',
    '--filter',
    `label=${LABEL}=1`,
    '--format',
    'json',
  ]);
  const stale: string[] = [];
  for (const pod of pods) {
    const dir = pod.Labels?.[LABEL_STATE_DIR];
    if (!dir || !existsSync(dir) || (await crashedApi(statePaths(dir)))) {
      stale.push(pod.Name);
    }
  }
  if (stale.length) {
    await removePodmanPods(stale);
  }
}

function callApi(
  url: string,
  token: string,
  ca: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      new URL(path, url),
      {
        method,
        ca,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(text ? { 'Content-Type': contentType } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = raw;
          try {
            parsed = JSON.parse(raw);
          } catch {
            // Plain text (healthz) stays text.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(text);
  });
}

async function spawnApi(
  paths: StatePaths,
  port: number,
  detached: boolean,
  token: string,
  ca: string,
): Promise<ServerRecord> {
  await rm(paths.server, { force: true });
  const logFd = openSync(paths.log, 'a');
  const args = ['--import', 'tsx', API_MAIN, '--state-dir', paths.dir, '--port', String(port)];
  const child = spawn(process.execPath, detached ? args : [...args, '--attached'], {
    cwd: REPO_ROOT,
    detached,
    stdio: [detached ? 'ignore' : 'pipe', logFd, logFd],
  });
  closeSync(logFd);
  let exit: string | undefined;
  child.on('exit', (code, signal) => (exit = `exited with ${String(code ?? signal)}`));
  const record = await waitUntil(
    async () => {
      if (exit) {
        const log = await readFile(paths.log, 'utf8').catch(() => '');
        throw new Error(
          `the sandbox API ${exit}; its log (${paths.log}) ends:\n${log.split('\n').slice(-15).join('\n')}`,
        );
      }
      const written = await readJson<ServerRecord>(paths.server);
      if (!written || written.pid !== child.pid) {
        return undefined;
      }
      const health = await callApi(written.url, token, ca, 'GET', '/healthz').catch(
        () => undefined,
      );
      return health?.status === 200 ? written : undefined;
    },
    'the sandbox API to listen',
    START_TIMEOUT_MS,
    50,
  );
  child.unref();
  // Attached, the stdin pipe stays open (the API ends when it closes) without keeping this
  // process alive.
  (child.stdin as Socket | null)?.unref();
  return record;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const log = options.log ?? (() => {});
  ensureSystemPackages(SANDBOX_PACKAGES);
  const prepared = await prepareState(options.stateDir ?? defaultStateDir());
  const { paths, token } = prepared;
  const previous = await readJson<ServerRecord>(paths.server);
  await stopApi(paths);
  await ensureImages(log);
  await cleanLeftovers(paths);
  await rm(paths.namespaces, { force: true });
  await writeJson(paths.faults, mergeFaults(NO_FAULTS, options.faults ?? {}));
  const ca = await readFile(paths.caCert, 'utf8');
  const detached = options.detached ?? false;
  const record = await spawnApi(paths, options.port ?? previous?.port ?? 0, detached, token, ca);

  const sandbox = makeSandbox(paths, token, ca, record, detached);
  if (options.seed) {
    const manifest = parseYaml(await readFile(SEED_MANIFEST, 'utf8')) as unknown;
    const created = await sandbox.call('POST', '/api/v1/namespaces/default/pods', manifest);
    if (created.status !== 201) {
      throw new Error(`creating the seed pod failed: ${JSON.stringify(created.body)}`);
    }
  }
  return sandbox;
}

function makeSandbox(
  paths: StatePaths,
  token: string,
  ca: string,
  first: ServerRecord,
  detached: boolean,
): Sandbox {
  let record = first;
  const call = (method: string, path: string, body?: unknown, contentType?: string) =>
    callApi(record.url, token, ca, method, path, body, contentType);
  const sandbox: Sandbox = {
    stateDir: paths.dir,
    kubeconfigPath: paths.kubeconfig,
    url: record.url,
    server: record.url,
    token,
    caCert: ca,
    pid: record.pid,
    call,
    async setFaults(faults) {
      const result = await call('POST', '/sandbox/faults', faults);
      if (result.status !== 200) {
        throw new Error(`setting faults failed: ${JSON.stringify(result.body)}`);
      }
      return result.body as Faults;
    },
    async restartApi() {
      await stopApi(paths);
      record = await spawnApi(paths, record.port, detached, token, ca);
      sandbox.pid = record.pid;
    },
    async stopApi() {
      await stopApi(paths);
    },
    async compactWatchHistory() {
      const result = await call('POST', '/sandbox/compact');
      if (result.status !== 200) {
        throw new Error(`compacting failed: ${JSON.stringify(result.body)}`);
      }
    },
    async stop() {
      await stopSandbox(paths.dir);
    },
  };
  return sandbox;
}

/** The sandbox already running from `stateDir` (started by `up`), or undefined. */
export async function connectSandbox(
  stateDir: string = defaultStateDir(),
): Promise<Sandbox | undefined> {
  const paths = statePaths(resolve(stateDir));
  const record = await runningApi(paths);
  if (!record) {
    return undefined;
  }
  const token = (await readFile(paths.token, 'utf8')).trim();
  const ca = await readFile(paths.caCert, 'utf8');
  return makeSandbox(paths, token, ca, record, true);
}

/** Stops the API recorded in the state dir and removes every pod that sandbox made. */
export async function stopSandbox(stateDir: string = defaultStateDir()): Promise<void> {
  const paths = statePaths(resolve(stateDir));
  await stopApi(paths);
  await removePods(`${LABEL_INSTANCE}=${instanceId(paths.dir)}`);
  if (existsSync(paths.pods)) {
    for (const file of await readdir(paths.pods)) {
      await rm(join(paths.pods, file), { force: true });
    }
  }
}
