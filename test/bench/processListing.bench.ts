// Prints how long listing a pod's processes takes through the module the tree uses
// (listPodProcesses), side by side with what a user does today (`kubectl exec … -- ps ax`) and
// with the floor (a raw exec of `true` through the same exec helper), on a sandbox cluster: the
// seed pod `nginx` as it starts (4 processes on the sandbox), then with EXTRA_PROCESSES more.
// Medians over ROUNDS interleaved rounds (the order of the three rotates each round); ratios are
// against baselines measured in the same run. It prints; it never asserts timings.
// Run: node scripts/withTestNode.mjs tsx test/bench/processListing.bench.ts [--rounds N]
// (needs what the sandbox needs, see test/sandbox/README.md, and /usr/bin/kubectl).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { ClusterSession } from '../../src/cluster/clusterSession';
import type { ExecRequest, ExecResult } from '../../src/cluster/exec';
import { loadKubeconfig } from '../../src/cluster/kubeconfig';
import { listPodProcesses, type PodProcesses } from '../../src/cluster/podProcesses';
import type { PodLike } from '../../src/processes/podContainers';
import { startSandbox, type Sandbox } from '../sandbox';
import { median } from './benchStats';

const execFileAsync = promisify(execFile);

const KUBECTL = '/usr/bin/kubectl';
const NAMESPACE = 'default';
const POD = 'nginx';
const CONTAINER = 'shell';
const EXTRA_PROCESSES = 490;
const WARMUP = 3;

function numberArg(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const ROUNDS = numberArg('--rounds', 15);

/** A session that counts and times its exec round trips, so listings can be split by phase. */
class CountingSession extends ClusterSession {
  execCalls = 0;
  execMs = 0;

  override async exec(request: ExecRequest): Promise<ExecResult> {
    this.execCalls++;
    const start = performance.now();
    try {
      return await super.exec(request);
    } finally {
      this.execMs += performance.now() - start;
    }
  }

  reset(): void {
    this.execCalls = 0;
    this.execMs = 0;
  }
}

interface Samples {
  listing: number[];
  listingExec: number[];
  listingParse: number[];
  kubectl: number[];
  floor: number[];
  /** Exec round trips of each listing. */
  roundTrips: number[];
  processCounts: number[];
  psLines: number[];
}

function quartiles(samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `${at(0.25).toFixed(0)}–${at(0.75).toFixed(0)}`;
}

function kubectl(sandbox: Sandbox, args: string[]): Promise<{ stdout: string }> {
  return execFileAsync(KUBECTL, ['--kubeconfig', sandbox.kubeconfigPath, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
}

async function getPod(sandbox: Sandbox): Promise<PodLike> {
  const { stdout } = await kubectl(sandbox, ['get', 'pod', POD, '-n', NAMESPACE, '-o', 'json']);
  return JSON.parse(stdout) as PodLike;
}

async function waitForRunningPod(sandbox: Sandbox): Promise<PodLike> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const pod = await getPod(sandbox);
    const statuses = pod.status?.containerStatuses ?? [];
    if (
      pod.status?.phase === 'Running' &&
      statuses.length > 0 &&
      statuses.every((status) => status.state?.running && status.containerID)
    ) {
      return pod;
    }
    if (Date.now() > deadline) {
      throw new Error(`pod ${POD} is not running: ${JSON.stringify(pod.status)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function processCount(result: PodProcesses): number {
  return result.listing.processes.length;
}

/** One sample of each of the three, in the order `rotation` picks. */
async function round(
  sandbox: Sandbox,
  session: CountingSession,
  pod: PodLike,
  samples: Samples,
  rotation: number,
): Promise<void> {
  const runs: (() => Promise<void>)[] = [
    async () => {
      session.reset();
      const start = performance.now();
      const result = await listPodProcesses(session, { pod, container: CONTAINER });
      const total = performance.now() - start;
      samples.listing.push(total);
      samples.listingExec.push(session.execMs);
      samples.listingParse.push(total - session.execMs);
      samples.roundTrips.push(session.execCalls);
      samples.processCounts.push(processCount(result));
    },
    async () => {
      const start = performance.now();
      const { stdout } = await kubectl(sandbox, [
        'exec',
        POD,
        '-n',
        NAMESPACE,
        '-c',
        CONTAINER,
        '--',
        'ps',
        'ax',
      ]);
      samples.kubectl.push(performance.now() - start);
      // Minus the header, `ps` itself and nothing else (ps lists no shell here).
      samples.psLines.push(stdout.trimEnd().split('\n').length - 2);
    },
    async () => {
      const start = performance.now();
      const result = await session.exec({
        namespace: NAMESPACE,
        pod: POD,
        container: CONTAINER,
        command: ['true'],
      });
      samples.floor.push(performance.now() - start);
      if (result.exitCode !== 0) {
        throw new Error(`true exited with ${result.exitCode}`);
      }
    },
  ];
  for (let i = 0; i < runs.length; i++) {
    await runs[(i + rotation) % runs.length]();
  }
}

async function measure(sandbox: Sandbox, session: CountingSession, pod: PodLike): Promise<Samples> {
  const warmup: Samples = emptySamples();
  for (let i = 0; i < WARMUP; i++) {
    await round(sandbox, session, pod, warmup, i);
  }
  const samples = emptySamples();
  for (let i = 0; i < ROUNDS; i++) {
    await round(sandbox, session, pod, samples, i);
  }
  return samples;
}

function emptySamples(): Samples {
  return {
    listing: [],
    listingExec: [],
    listingParse: [],
    kubectl: [],
    floor: [],
    roundTrips: [],
    processCounts: [],
    psLines: [],
  };
}

/**
 * Starts `count` sleepers in the shell container that outlive the exec: each detached from the
 * exec's stdio (or the exec would wait for them) and reparented to the pod's PID 1 when the
 * starting shell ends.
 */
async function startExtraProcesses(sandbox: Sandbox, count: number): Promise<void> {
  await kubectl(sandbox, [
    'exec',
    POD,
    '-n',
    NAMESPACE,
    '-c',
    CONTAINER,
    '--',
    'sh',
    '-c',
    'i=0; while [ "$i" -lt "$1" ]; do i=$((i + 1)); sleep 3600 </dev/null >/dev/null 2>&1 & done',
    'sh',
    String(count),
  ]);
}

async function countSleepers(sandbox: Sandbox): Promise<number> {
  const { stdout } = await kubectl(sandbox, [
    'exec',
    POD,
    '-n',
    NAMESPACE,
    '-c',
    CONTAINER,
    '--',
    'sh',
    '-c',
    'n=0; for f in /proc/[0-9]*/cmdline; do case $(tr "\\0" " " < "$f" 2>/dev/null) in "sleep 3600 ") n=$((n + 1));; esac; done; echo $n',
  ]);
  return Number(stdout.trim());
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => cell.padStart(widths[i])).join('  ');
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'ppe-bench-listing-'));
  let sandbox: Sandbox | undefined;
  let session: CountingSession | undefined;
  try {
    process.stderr.write('starting the sandbox…\n');
    sandbox = await startSandbox({ stateDir: join(scratch, 'sandbox'), seed: true });
    const pod = await waitForRunningPod(sandbox);
    session = new CountingSession(loadKubeconfig([sandbox.kubeconfigPath]), 'sandbox');

    const results: { label: string; samples: Samples }[] = [];
    process.stderr.write(`seed pod: ${WARMUP} warm-up + ${ROUNDS} rounds…\n`);
    results.push({ label: 'seed', samples: await measure(sandbox, session, pod) });

    await startExtraProcesses(sandbox, EXTRA_PROCESSES);
    const sleepers = await countSleepers(sandbox);
    process.stderr.write(`started ${sleepers} sleepers (asked for ${EXTRA_PROCESSES})\n`);
    if (sleepers < EXTRA_PROCESSES) {
      throw new Error(`only ${sleepers} of ${EXTRA_PROCESSES} extra processes are running`);
    }
    process.stderr.write(`seed + ${sleepers}: ${WARMUP} warm-up + ${ROUNDS} rounds…\n`);
    results.push({ label: `+${sleepers}`, samples: await measure(sandbox, session, pod) });
    const after = await countSleepers(sandbox);
    if (after !== sleepers) {
      process.stderr.write(`warning: ${after} sleepers left after the rounds, not ${sleepers}\n`);
    }

    console.log(
      `Process listing of pod ${POD} (container ${CONTAINER}), sandbox cluster; median of ${ROUNDS} interleaved rounds (IQR in brackets)`,
    );
    console.log('(a) listPodProcesses  (b) kubectl exec -- ps ax  (c) session.exec(true)');
    const widths = [7, 9, 9, 15, 15, 15, 6, 6, 10, 11];
    console.log(
      row(
        [
          'pod',
          'processes',
          'ps lines',
          '(a) ms',
          '(b) ms',
          '(c) ms',
          'a/b',
          'a/c',
          'a: exec ms',
          'a: parse ms',
        ],
        widths,
      ),
    );
    for (const { label, samples } of results) {
      const a = median(samples.listing);
      const b = median(samples.kubectl);
      const c = median(samples.floor);
      console.log(
        row(
          [
            label,
            String(median(samples.processCounts)),
            String(median(samples.psLines)),
            `${a.toFixed(0)} [${quartiles(samples.listing)}]`,
            `${b.toFixed(0)} [${quartiles(samples.kubectl)}]`,
            `${c.toFixed(0)} [${quartiles(samples.floor)}]`,
            (a / b).toFixed(2),
            (a / c).toFixed(2),
            median(samples.listingExec).toFixed(1),
            median(samples.listingParse).toFixed(1),
          ],
          widths,
        ),
      );
    }
    const trips = results.flatMap(({ samples }) => samples.roundTrips);
    console.log(
      `exec round trips per listing: ${Math.min(...trips)}..${Math.max(...trips)} over ${trips.length} listings (must be 1)`,
    );
    console.log('goals: a/b <= 0.5, a/c <= 1.3');
  } finally {
    session?.dispose();
    if (sandbox) {
      await sandbox.stop();
    }
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
