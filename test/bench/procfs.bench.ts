// Prints how fast the container filesystem lists and reads through /proc/<pid>/root of the nginx
// master, side by side in one run on a sandbox cluster: listing a directory of 2,000 entries with
// ContainerFs.list (what the provider runs) vs one exec per entry (how per-entry tools do it) vs
// one raw exec of the listing command (the floor); reading a 64 MiB file with ContainerFs.read vs
// `kubectl cp` vs a raw exec of `cat` (the floor), in MB/s, each checked byte for byte. Medians of
// ROUNDS interleaved rounds; it prints, it never asserts timings.
// Run: node scripts/withTestNode.mjs tsx test/bench/procfs.bench.ts [--rounds N]
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { ClusterSession } from '../../src/cluster/clusterSession';
import { loadKubeconfig } from '../../src/cluster/kubeconfig';
import { ContainerFs, type FsExec } from '../../src/procfs/containerFs';
import { startSandbox, type Sandbox } from '../sandbox';
import { median } from './benchStats';

const execFileAsync = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const POD = 'nginx';
const INSPECTOR = 'shell';
const ENTRIES = 2000;
const PER_ENTRY_SAMPLE = 200;
const FILE_MIB = 64;

function numberArg(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const ROUNDS = numberArg('--rounds', 5);

async function timed<T>(action: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await action();
  return [performance.now() - start, value];
}

/** This process's CPU time (user + system, ms) while `action` ran. */
async function cpuOf<T>(action: () => Promise<T>): Promise<[number, T]> {
  const start = process.cpuUsage();
  const value = await action();
  const used = process.cpuUsage(start);
  return [(used.user + used.system) / 1000, value];
}

/** A command's wall time and its own CPU time (user + system, ms), as /usr/bin/time reports. */
async function timedCommand(command: string, args: string[]): Promise<[number, number]> {
  const start = performance.now();
  const { stderr } = await execFileAsync(
    '/usr/bin/time',
    ['-f', 'ppe-cpu %U %S', command, ...args],
    {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const wall = performance.now() - start;
  const cpu = /ppe-cpu ([\d.]+) ([\d.]+)/.exec(stderr);
  return [wall, cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN];
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'ppe-bench-procfs-'));
  let sandbox: Sandbox | undefined;
  let session: ClusterSession | undefined;
  try {
    process.stderr.write('starting the sandbox…\n');
    sandbox = await startSandbox({ stateDir: join(scratch, 'sandbox'), seed: true });
    const kubeconfig = sandbox.kubeconfigPath;
    const kubectl = (...args: string[]) =>
      execFileAsync(KUBECTL, ['--kubeconfig', kubeconfig, ...args], {
        encoding: 'buffer',
        maxBuffer: 256 * 1024 * 1024,
      });
    await kubectl('wait', '--for=condition=Ready', `pod/${POD}`, '--timeout=120s');
    session = new ClusterSession(loadKubeconfig([kubeconfig]), 'sandbox', {
      requestTimeoutMs: 120_000,
    });
    const execIn = session.exec.bind(session);
    const pid = (
      await kubectl(
        'exec',
        POD,
        '-c',
        INSPECTOR,
        '--',
        'sh',
        '-c',
        'for d in /proc/[0-9]*; do case $(tr "\\0" " " <$d/cmdline) in "nginx: master"*) echo ${d#/proc/};; esac; done',
      )
    ).stdout
      .toString()
      .trim();
    const root = `/proc/${pid}/root`;
    process.stderr.write(
      `nginx master: PID ${pid}; making ${ENTRIES} files and ${FILE_MIB} MiB…\n`,
    );
    // The nginx image has no shell: everything is done from the shell container, through the root.
    await kubectl(
      'exec',
      POD,
      '-c',
      INSPECTOR,
      '--',
      'sh',
      '-c',
      `rm -rf "$1" && mkdir -p "$1/many" && cd "$1/many" && i=0; while [ $i -lt ${ENTRIES} ]; do echo $i > "file $i"; i=$((i+1)); done; head -c ${FILE_MIB * 1024 * 1024} /dev/urandom > "$1/big.bin"`,
      'sh',
      `${root}/tmp/bench`,
    );
    const expected = (
      await kubectl('exec', POD, '-c', INSPECTOR, '--', 'cat', `${root}/tmp/bench/big.bin`)
    ).stdout;
    const expectedHash = createHash('sha256').update(expected).digest('hex');
    let execCalls = 0;
    const exec: FsExec = (request) => {
      execCalls++;
      return execIn({ namespace: 'default', pod: POD, container: INSPECTOR, ...request });
    };
    const fs = new ContainerFs(exec, root, 120_000);
    const names = (await fs.list('/tmp/bench/many')).map((entry) => entry.name);
    if (names.length !== ENTRIES) {
      throw new Error(`listed ${names.length} entries, not ${ENTRIES}`);
    }

    const ours: number[] = [];
    const perEntry: number[] = [];
    const floor: number[] = [];
    const trips: number[] = [];
    process.stderr.write(`listing: ${ROUNDS} rounds…\n`);
    for (let round = 0; round < ROUNDS; round++) {
      execCalls = 0;
      ours.push((await timed(() => fs.list('/tmp/bench/many')))[0]);
      trips.push(execCalls);
      floor.push(
        (
          await timed(() =>
            execIn({
              namespace: 'default',
              pod: POD,
              container: INSPECTOR,
              command: [
                'sh',
                '-c',
                'cd "$1" && find . -mindepth 1 -maxdepth 1 -exec stat -c "%f %s %Y %n" {} +',
                'sh',
                `${root}/tmp/bench/many`,
              ],
            }),
          )
        )[0],
      );
      // One exec per entry, as per-entry tools do: timed on a sample, scaled to all entries.
      const [sampleMs] = await timed(async () => {
        for (const name of names.slice(0, PER_ENTRY_SAMPLE)) {
          await execIn({
            namespace: 'default',
            pod: POD,
            container: INSPECTOR,
            command: ['stat', '-c', '%f %s %Y %n', `${root}/tmp/bench/many/${name}`],
          });
        }
      });
      perEntry.push((sampleMs * ENTRIES) / PER_ENTRY_SAMPLE);
    }

    const readOurs: number[] = [];
    const readCp: number[] = [];
    const readFloor: number[] = [];
    const cpuOurs: number[] = [];
    const cpuCp: number[] = [];
    const cpuFloor: number[] = [];
    const exact = { ours: true, cp: true, floor: true };
    process.stderr.write(`reading ${FILE_MIB} MiB: ${ROUNDS} rounds…\n`);
    const same = (bytes: Uint8Array) =>
      createHash('sha256').update(bytes).digest('hex') === expectedHash;
    for (let round = 0; round < ROUNDS; round++) {
      const [oursCpu, [oursMs, data]] = await cpuOf(() =>
        timed(() => fs.read('/tmp/bench/big.bin')),
      );
      readOurs.push(oursMs);
      cpuOurs.push(oursCpu);
      exact.ours &&= same(data);
      const target = join(scratch, `cp-${round}.bin`);
      const [cpMs, cpCpu] = await timedCommand(KUBECTL, [
        ...['--kubeconfig', kubeconfig, 'cp', '-c', INSPECTOR],
        ...[`${POD}:${root}/tmp/bench/big.bin`, target],
      ]);
      readCp.push(cpMs);
      cpuCp.push(cpCpu);
      exact.cp &&= same(readFileSync(target));
      rmSync(target);
      const [floorCpu, [floorMs, raw]] = await cpuOf(() =>
        timed(() =>
          execIn({
            namespace: 'default',
            pod: POD,
            container: INSPECTOR,
            command: ['cat', `${root}/tmp/bench/big.bin`],
            timeoutMs: 120_000,
          }),
        ),
      );
      readFloor.push(floorMs);
      cpuFloor.push(floorCpu);
      exact.floor &&= same(raw.stdout);
    }

    const mbps = (ms: number) => (FILE_MIB * 1.048576) / (ms / 1000);
    console.log(
      `Container filesystem on the sandbox (PID ${pid}'s root, read from ${INSPECTOR}); medians of ${ROUNDS} rounds`,
    );
    console.log(
      `list ${ENTRIES} entries: ours ${median(ours).toFixed(0)} ms (${Math.min(...trips)}..${Math.max(...trips)} exec round trips); ` +
        `one raw exec (floor) ${median(floor).toFixed(0)} ms; one exec per entry ${median(perEntry).toFixed(0)} ms ` +
        `(timed on ${PER_ENTRY_SAMPLE}, scaled) → ${(median(ours) / median(floor)).toFixed(2)}× floor, ` +
        `${(median(perEntry) / median(ours)).toFixed(1)}× faster than per entry (goals ≤ 1.3×, ≥ 5×)`,
    );
    console.log(
      `read ${FILE_MIB} MiB: ours ${mbps(median(readOurs)).toFixed(1)} MB/s (exact: ${exact.ours}); ` +
        `kubectl cp ${mbps(median(readCp)).toFixed(1)} MB/s (exact: ${exact.cp}); ` +
        `raw exec cat (floor) ${mbps(median(readFloor)).toFixed(1)} MB/s (exact: ${exact.floor}) → ` +
        `${(median(readFloor) / median(readOurs)).toFixed(2)}× floor, ${(median(readCp) / median(readOurs)).toFixed(2)}× kubectl cp (goals ≥ 0.8×, ≥ 1×)`,
    );
    // Where the time goes: the client's own CPU per read. The rest of the wall time is the
    // cluster side (here: the sandbox API relaying podman exec's output) and the machine's load.
    console.log(
      `client CPU per ${FILE_MIB} MiB read (user + system): ours ${median(cpuOurs).toFixed(0)} ms; ` +
        `kubectl cp ${median(cpuCp).toFixed(0)} ms; raw exec cat ${median(cpuFloor).toFixed(0)} ms ` +
        `(wall: ours ${median(readOurs).toFixed(0)} ms, kubectl cp ${median(readCp).toFixed(0)} ms)`,
    );
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
