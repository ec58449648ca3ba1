// npm run cluster -- up|down|status|build   (see README.md beside this file)
import { parseArgs } from 'node:util';
import { ensureBinaries } from './build';
import { clusterStatus, startCluster, stopCluster } from './index';
import { defaultStateDir } from './layout';

const USAGE = `usage: npm run cluster -- <command> [options]

commands:
  up        start the real single-node cluster (building its binaries the first time) with the
            task page's nginx + shell pod; prints the kubeconfig paths
  down      delete every pod, stop every process, undo every change up made to the machine
  status    show the processes, the node's Ready condition and the kubeconfig paths
  build     only build (or find in the cache) etcd and the Kubernetes binaries

options:
  --empty   (up) do not create the seed pod

The state dir is /var/lib/ppe-cluster, or $PPE_CLUSTER_DIR.`;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      empty: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    say(USAGE);
    return command || values.help ? 0 : 2;
  }
  const log = (line: string) => process.stderr.write(`cluster: ${line}\n`);
  const dir = defaultStateDir();
  switch (command) {
    case 'up': {
      const started = Date.now();
      const cluster = await startCluster({ stateDir: dir, seed: !values.empty, log });
      say(
        `cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${cluster.server} ` +
          `(Kubernetes ${cluster.record.kubernetesVersion})\n` +
          `kubeconfig (admin): ${cluster.kubeconfigPath}\n` +
          `kubeconfig (restricted, no exec/attach): ${cluster.restrictedKubeconfigPath}\n` +
          `kubectl ${cluster.record.kubernetesVersion}: ${cluster.kubectl}\n` +
          `try: KUBECONFIG=${cluster.kubeconfigPath} kubectl get pods`,
      );
      return 0;
    }
    case 'down': {
      if (!(await clusterStatus(dir)).record) {
        say(`no cluster in ${dir}: nothing to do`);
        return 0;
      }
      const started = Date.now();
      const problems = await stopCluster(dir, log);
      for (const problem of problems) {
        log(`could not undo: ${problem}`);
      }
      say(`cluster down in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return problems.length ? 1 : 0;
    }
    case 'status':
      return status(dir);
    case 'build': {
      const binaries = await ensureBinaries(log);
      for (const [name, path] of Object.entries(binaries)) {
        say(`${name}: ${path}`);
      }
      return 0;
    }
    default:
      process.stderr.write(`unknown command: ${command}\n${USAGE}\n`);
      return 2;
  }
}

async function status(dir: string): Promise<number> {
  const { record, processes, nodeReady, binaries } = await clusterStatus(dir);
  say(
    binaries
      ? `binaries: built (${binaries.kubectl.replace(/\/bin\/kubectl$/, '')})`
      : 'binaries: not built yet (up builds them)',
  );
  if (!record) {
    say(`no cluster in ${dir} (npm run cluster -- up)`);
    return 1;
  }
  say(
    `cluster of ${record.checkout}, started ${record.startedAt}, Kubernetes ${record.kubernetesVersion}`,
  );
  say(`API ${record.server}`);
  say(`kubeconfig (admin): ${record.adminKubeconfig}`);
  say(`kubeconfig (restricted): ${record.restrictedKubeconfig}`);
  for (const entry of processes) {
    say(
      `  ${entry.name.padEnd(24)} pid ${String(entry.pid).padEnd(8)} ${entry.running ? 'running' : 'NOT RUNNING'}  log ${entry.log}`,
    );
  }
  say(`node Ready: ${nodeReady ?? 'unknown (API not answering)'}`);
  return processes.every((entry) => entry.running) && nodeReady?.startsWith('True') ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`cluster: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
