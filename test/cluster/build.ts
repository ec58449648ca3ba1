// Builds etcd and the Kubernetes binaries from the Go module proxy, each from a go.mod of ours under
// test/cluster/go, into the cache (outside the checkout). A build goes to a scratch folder renamed
// into place at the end, so a failed or cut build never counts as done.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { clusterCacheDir, ETCD_VERSION, GO_MODULES, KUBERNETES_VERSION } from './layout';

const execFileAsync = promisify(execFile);

export const KUBERNETES_COMMANDS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kubectl',
] as const;

export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubelet: string;
  kubectl: string;
}

interface GoModule {
  name: string;
  folder: string;
  version: string;
  packages: readonly string[];
  ldflags: string;
}

function versionFlags(version: string): string {
  const [major, minor] = version.replace(/^v/, '').split('.');
  // Without these every binary (and kubectl version) says v0.0.0-master.
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']
    .flatMap((pkg) => [
      `-X ${pkg}.gitVersion=${version}`,
      `-X ${pkg}.gitMajor=${major}`,
      `-X ${pkg}.gitMinor=${minor}`,
      `-X ${pkg}.gitTreeState=clean`,
    ])
    .join(' ');
}

const MODULES: readonly GoModule[] = [
  {
    name: 'etcd',
    folder: join(GO_MODULES, 'etcd'),
    version: ETCD_VERSION,
    packages: ['go.etcd.io/etcd/server/v3'],
    ldflags: '-s -w',
  },
  {
    name: 'kubernetes',
    folder: join(GO_MODULES, 'kubernetes'),
    version: KUBERNETES_VERSION,
    packages: KUBERNETES_COMMANDS.map((command) => `k8s.io/kubernetes/cmd/${command}`),
    ldflags: `-s -w ${versionFlags(KUBERNETES_VERSION)}`,
  },
];

export class ClusterSetupError extends Error {}

/** "go1.26.8" → [1, 26, 8]. */
function parseGoVersion(text: string): number[] | undefined {
  const match = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

function atLeast(have: readonly number[], need: readonly number[]): boolean {
  for (let i = 0; i < need.length; i++) {
    if ((have[i] ?? 0) !== need[i]) {
      return (have[i] ?? 0) > need[i];
    }
  }
  return true;
}

/** The newest `go` directive among our go.mod files: the oldest Go that builds them. */
export async function requiredGo(): Promise<string> {
  let newest = [0, 0, 0];
  for (const module of MODULES) {
    const text = await readFile(join(module.folder, 'go.mod'), 'utf8');
    const version = parseGoVersion(`go${/^go (\S+)$/m.exec(text)?.[1] ?? '0'}`) ?? [0, 0, 0];
    if (atLeast(version, newest)) {
      newest = version;
    }
  }
  return newest.join('.');
}

export function goCommand(): string {
  return process.env.PPE_GO ?? 'go';
}

/** Checks Go is there and new enough; returns its `go version` word (e.g. go1.26.8). */
export async function checkGo(): Promise<string> {
  const need = await requiredGo();
  let output: string;
  try {
    output = (await execFileAsync(goCommand(), ['version'], { env: goEnv() })).stdout;
  } catch {
    throw new ClusterSetupError(
      `Go ${need} or newer is needed to build the test cluster, and "${goCommand()}" was not found ` +
        '(put go on PATH, or set PPE_GO to its path). Its module proxy must be reachable.',
    );
  }
  const have = parseGoVersion(output);
  if (!have || !atLeast(have, parseGoVersion(`go${need}`) ?? [])) {
    throw new ClusterSetupError(
      `Go ${need} or newer is needed to build the test cluster; ${goCommand()} is ${output.trim()}.`,
    );
  }
  return /go\d+\.\d+(\.\d+)?/.exec(output)?.[0] ?? output.trim();
}

function goEnv(): NodeJS.ProcessEnv {
  const cache = clusterCacheDir();
  return {
    ...process.env,
    GOMODCACHE: join(cache, 'go', 'mod'),
    GOCACHE: join(cache, 'go', 'build'),
    GOFLAGS: '-mod=readonly -buildvcs=false',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
  };
}

/** The cache folder of one module's binaries: its version plus a hash of what builds them. */
async function binFolder(module: GoModule, goVersion: string): Promise<string> {
  const hash = createHash('sha256').update(goVersion).update(module.ldflags);
  for (const file of ['go.mod', 'go.sum']) {
    hash.update(await readFile(join(module.folder, file)));
  }
  return join(
    clusterCacheDir(),
    `${module.name}-${module.version}-${hash.digest('hex').slice(0, 10)}`,
  );
}

function commandName(pkg: string): string {
  return pkg === 'go.etcd.io/etcd/server/v3' ? 'etcd' : pkg.split('/').pop()!;
}

async function build(module: GoModule, folder: string, log: (line: string) => void): Promise<void> {
  const scratch = `${folder}.building`;
  const logPath = `${folder}.build.log`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(join(scratch, 'bin'), { recursive: true });
  const started = Date.now();
  log(
    `building ${module.name} ${module.version} with Go (first time only: 15-30 minutes on 2 cores); log: ${logPath}`,
  );
  const args = ['-n', '10', goCommand(), 'build'];
  if (process.env.PPE_GO_BUILD_JOBS) {
    args.push('-p', process.env.PPE_GO_BUILD_JOBS);
  }
  // One package: name the binary (go would call etcd's "server", after its module path).
  const output =
    module.packages.length === 1
      ? join(scratch, 'bin', commandName(module.packages[0]))
      : join(scratch, 'bin') + '/';
  args.push('-ldflags', module.ldflags, '-o', output);
  args.push(...module.packages);
  const out = openSync(logPath, 'w');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('nice', args, {
        cwd: module.folder,
        env: goEnv(),
        stdio: ['ignore', out, out],
      });
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) {
      const tail = (await readFile(logPath, 'utf8')).trim().split('\n').slice(-15).join('\n');
      throw new ClusterSetupError(
        `building ${module.name} ${module.version} failed (exit ${String(code)}); full log: ${logPath}\n${tail}`,
      );
    }
  } finally {
    closeSync(out);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  await writeFile(
    join(scratch, 'build.json'),
    `${JSON.stringify({ seconds, finished: new Date().toISOString() })}\n`,
  );
  await rm(folder, { recursive: true, force: true });
  await rename(scratch, folder);
  log(`built ${module.name} ${module.version} in ${seconds} s`);
}

interface Planned {
  module: GoModule;
  folder: string;
  commands: string[];
  built: boolean;
}

async function plan(goVersion: string): Promise<Planned[]> {
  return Promise.all(
    MODULES.map(async (module) => {
      const folder = await binFolder(module, goVersion);
      const commands = module.packages.map(commandName);
      const built = commands.every((command) => existsSync(join(folder, 'bin', command)));
      return { module, folder, commands, built };
    }),
  );
}

function binaries(planned: readonly Planned[]): Binaries {
  const paths: Record<string, string> = {};
  for (const { folder, commands } of planned) {
    for (const command of commands) {
      paths[command] = join(folder, 'bin', command);
    }
  }
  return {
    etcd: paths.etcd,
    kubeApiserver: paths['kube-apiserver'],
    kubeControllerManager: paths['kube-controller-manager'],
    kubeScheduler: paths['kube-scheduler'],
    kubelet: paths.kubelet,
    kubectl: paths.kubectl,
  };
}

/** Returns the binaries, building those the cache does not hold yet. */
export async function ensureBinaries(log: (line: string) => void): Promise<Binaries> {
  const planned = await plan(await checkGo());
  for (const { module, folder, built } of planned) {
    if (!built) {
      await build(module, folder, log);
    }
  }
  return binaries(planned);
}

/** The binaries if the cache holds them all (status, tests), without building anything. */
export async function builtBinaries(): Promise<Binaries | undefined> {
  const planned = await plan(await checkGo());
  return planned.every((entry) => entry.built) ? binaries(planned) : undefined;
}
