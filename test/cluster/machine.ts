// What the node changes on the machine outside its state dir, noted before `up` so `down` undoes
// exactly that: the node's link, the CNI bridge and its leases, network namespaces, sysctls
// the kubelet sets, its /kubepods cgroups and iptables chains, /var/log/containers, shim sockets.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CNI_BRIDGE, CNI_NETWORK, NODE_IP, NODE_LINK } from './layout';

const execFileAsync = promisify(execFile);

/** Sysctls the kubelet (and the bridge plugin: ip_forward) set; restored by `down`. */
const SYSCTLS = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
  'net/ipv4/ip_forward',
];

/** iptables chains the kubelet makes (pkg/kubelet/kubelet_network_linux.go). */
const KUBELET_CHAINS: readonly { table: string; chain: string; jumpsFrom: readonly string[] }[] = [
  { table: 'mangle', chain: 'KUBE-IPTABLES-HINT', jumpsFrom: [] },
  { table: 'mangle', chain: 'KUBE-KUBELET-CANARY', jumpsFrom: [] },
  { table: 'nat', chain: 'KUBE-KUBELET-CANARY', jumpsFrom: [] },
  { table: 'filter', chain: 'KUBE-KUBELET-CANARY', jumpsFrom: [] },
  { table: 'filter', chain: 'KUBE-FIREWALL', jumpsFrom: ['INPUT', 'OUTPUT'] },
];

/**
 * Folders the kubelet, containerd or the CNI plugins make on first use whatever their config
 * says; `down` removes those that did not exist before `up`.
 */
const CREATED_ON_USE = [
  '/var/lib/cni',
  '/run/containerd',
  '/var/log/containers',
  '/var/log/pods',
  '/var/lib/kubelet',
  '/etc/kubernetes',
  '/var/run/kubernetes',
  '/run/netns',
];

const CGROUP_ROOT = '/sys/fs/cgroup';
const NETNS_DIR = '/run/netns';
const SHIM_SOCKETS = '/run/containerd/s';
const CONTAINER_LOGS = '/var/log/containers';
const CNI_LEASES = join('/var/lib/cni/networks', CNI_NETWORK);
const CNI_RESULTS = '/var/lib/cni/results';

/** The machine as it was before `up`, kept in the cluster record. */
export interface MachineBefore {
  sysctls: Record<string, string>;
  iptablesChains: string[];
  cgroups: string[];
  netns: string[];
  shimSockets: string[];
  existing: string[];
}

async function run(file: string, args: readonly string[]): Promise<string> {
  return (await execFileAsync(file, [...args])).stdout;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Cgroup folders the kubelet makes: <controller>/kubepods. */
function kubepodsCgroups(): string[] {
  return list(CGROUP_ROOT)
    .map((controller) => join(CGROUP_ROOT, controller, 'kubepods'))
    .filter((path) => existsSync(path));
}

async function chains(): Promise<string[]> {
  const found: string[] = [];
  for (const tool of ['iptables', 'ip6tables']) {
    for (const table of new Set(KUBELET_CHAINS.map((entry) => entry.table))) {
      const text = await run(tool, ['-w', '-t', table, '-S']).catch(() => '');
      for (const match of text.matchAll(/^-N (\S+)$/gm)) {
        found.push(`${tool}/${table}/${match[1]}`);
      }
    }
  }
  return found;
}

export async function noteMachine(): Promise<MachineBefore> {
  const sysctls: Record<string, string> = {};
  for (const name of SYSCTLS) {
    try {
      sysctls[name] = readFileSync(join('/proc/sys', name), 'utf8').trim();
    } catch {
      // Not on this kernel: nothing to restore.
    }
  }
  return {
    sysctls,
    iptablesChains: await chains(),
    cgroups: kubepodsCgroups(),
    netns: list(NETNS_DIR),
    shimSockets: list(SHIM_SOCKETS),
    existing: CREATED_ON_USE.filter((path) => existsSync(path)),
  };
}

async function linkExists(name: string): Promise<boolean> {
  return run('ip', ['link', 'show', 'dev', name]).then(
    () => true,
    () => false,
  );
}

/** What of ours or in our way is on the machine, for `up` to refuse with names. */
export function foreignKubelet(): string | undefined {
  const cgroups = kubepodsCgroups();
  if (cgroups.length) {
    return `cgroups of another kubelet exist (${cgroups[0]}, …)`;
  }
  return undefined;
}

export async function addNodeLink(): Promise<void> {
  if (!(await linkExists(NODE_LINK))) {
    // A bridge without ports: these kernels have no dummy links, and the address only has to be
    // local to this machine.
    await run('ip', ['link', 'add', NODE_LINK, 'type', 'bridge']);
  }
  await run('ip', ['addr', 'replace', `${NODE_IP}/32`, 'dev', NODE_LINK]);
  await run('ip', ['link', 'set', NODE_LINK, 'up']);
}

/** Removes cgroup folders depth-first (a cgroup folder goes with rmdir once its children do). */
async function removeCgroup(path: string): Promise<void> {
  for (const entry of await readdir(path, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) {
      await removeCgroup(join(path, entry.name));
    }
  }
  await rmdir(path).catch(() => undefined);
}

async function unmountUnder(dir: string): Promise<void> {
  const text = await run('findmnt', ['-rn', '-o', 'TARGET']).catch(() => '');
  // findmnt escapes blanks as \x20; our paths have none.
  const targets = text
    .split('\n')
    .filter((target) => target === dir || target.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const target of targets) {
    await run('umount', [target]).catch(() => run('umount', ['-l', target]).catch(() => undefined));
  }
}

/** Kills containerd shims (and so their containers) that serve our containerd. */
export function killShims(containerdSocket: string): void {
  for (const pid of list('/proc').filter((name) => /^\d+$/.test(name))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!readlinkSync(`/proc/${pid}/exe`).includes('containerd-shim')) {
        continue;
      }
    } catch {
      continue;
    }
    if (args.includes(containerdSocket)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}

/** Undoes what `up` changed outside the state dir, then removes the state dir. */
export async function restoreMachine(before: MachineBefore | undefined, stateDir: string) {
  const problems: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await unmountUnder(stateDir);
  for (const name of list(NETNS_DIR)) {
    if (before && !before.netns.includes(name) && name.startsWith('cni-')) {
      const path = join(NETNS_DIR, name);
      await run('umount', [path]).catch(() => undefined);
      await attempt(`network namespace ${name}`, () => rm(path, { force: true }));
    }
  }
  for (const link of [CNI_BRIDGE, NODE_LINK]) {
    if (await linkExists(link)) {
      await attempt(`link ${link}`, () => run('ip', ['link', 'delete', link]));
    }
  }
  await attempt('CNI leases', () => rm(CNI_LEASES, { recursive: true, force: true }));
  for (const name of list(CNI_RESULTS).filter((file) => file.startsWith(`${CNI_NETWORK}-`))) {
    await attempt(`CNI result ${name}`, () => rm(join(CNI_RESULTS, name), { force: true }));
  }
  if (before) {
    for (const path of kubepodsCgroups().filter((cgroup) => !before.cgroups.includes(cgroup))) {
      await removeCgroup(path);
      if (existsSync(path)) {
        problems.push(`cgroup ${path} still has processes`);
      }
    }
    const now = await chains();
    for (const tool of ['iptables', 'ip6tables']) {
      for (const { table, chain, jumpsFrom } of KUBELET_CHAINS) {
        const key = `${tool}/${table}/${chain}`;
        if (!now.includes(key) || before.iptablesChains.includes(key)) {
          continue;
        }
        for (const from of jumpsFrom) {
          // The kubelet may have added the jump more than once; -D removes one at a time.
          while (
            await run(tool, ['-w', '-t', table, '-D', from, '-j', chain]).then(
              () => true,
              () => false,
            )
          ) {
            // Removed one.
          }
        }
        await attempt(`${key}`, () => run(tool, ['-w', '-t', table, '-F', chain]));
        await attempt(`${key}`, () => run(tool, ['-w', '-t', table, '-X', chain]));
      }
    }
    for (const [name, value] of Object.entries(before.sysctls)) {
      await attempt(`sysctl ${name}`, () => writeFile(join('/proc/sys', name), value));
    }
    for (const name of list(SHIM_SOCKETS).filter(
      (socket) => !before.shimSockets.includes(socket),
    )) {
      await attempt(`shim socket ${name}`, () => rm(join(SHIM_SOCKETS, name), { force: true }));
    }
    for (const name of list(CONTAINER_LOGS)) {
      const path = join(CONTAINER_LOGS, name);
      try {
        if (readlinkSync(path).startsWith(`${stateDir}/`)) {
          await rm(path, { force: true });
        }
      } catch {
        // Not a link of ours.
      }
    }
    for (const path of CREATED_ON_USE.filter((made) => !before.existing.includes(made))) {
      await unmountUnder(path);
      await attempt(path, () => rm(path, { recursive: true, force: true }));
    }
  }
  await attempt(`state dir ${stateDir}`, () => rm(stateDir, { recursive: true, force: true }));
  return problems;
}
