import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseProcessListing, processListingCommand } from '../../../src/processes/processListing';
import type { ProcessInfo, ProcessListing } from '../../../src/processes/types';
import { fixtureBytes, pids } from './processTestSupport';

const DASH = '/usr/bin/dash';
const BUSYBOX = '/usr/bin/busybox';

function byPid(listing: ProcessListing, pid: number): ProcessInfo {
  const found = listing.processes.find((process) => process.pid === pid);
  assert.ok(found, `process ${pid} listed`);
  return found;
}

function script(): string {
  const argv = processListingCommand();
  assert.equal(argv.length, 3);
  return argv[2];
}

describe('processes: listing script and parser', () => {
  describe('processListingCommand', () => {
    it('is sh -c with a fixed script (nothing from the cluster is pasted in)', () => {
      const argv = processListingCommand();
      assert.deepEqual(argv.slice(0, 2), ['sh', '-c']);
      assert.deepEqual(processListingCommand(), argv);
    });

    it('parses with dash and with busybox sh (sh -n)', () => {
      execFileSync(DASH, ['-n', '-c', script()]);
      execFileSync(BUSYBOX, ['sh', '-n', '-c', script()]);
    });

    it('forks no process per /proc entry when grep is there', () => {
      const withGrep = script().split('else')[0];
      assert.doesNotMatch(withGrep, /\bfor\b|\bwhile\b/);
    });
  });

  describe('recorded: busybox shell container of the task page pod (SYS_PTRACE)', () => {
    const listing = parseProcessListing(fixtureBytes('busybox-shared-pod.bin'));

    it('lists every process by PID, without the listing shell itself', () => {
      assert.deepEqual(
        pids(listing.processes),
        [1, 6, 11, 12, 51, 52, 53, 54, 55, 58, 59, 60, 70, 72, 83],
      );
      assert.equal(listing.listerPid, 1947);
      assert.equal(listing.lister?.pid, 1947);
      assert.match(listing.lister?.cgroup ?? '', /libpod-e24bcacb1afe/);
      assert.equal(listing.complete, true);
      assert.equal(listing.uptimeSeconds, 1339.53);
      assert.equal(listing.clockTicksPerSecond, 100);
    });

    it('reads the sandbox, nginx and its worker as ps shows them', () => {
      assert.deepEqual(byPid(listing, 1), {
        pid: 1,
        ppid: 0,
        uid: 0,
        user: 'root',
        state: 'S',
        stateName: 'sleeping',
        threads: 1,
        rssKiB: 680,
        cpuTicks: 4,
        startTicks: 62072,
        comm: 'catatonit',
        argv: ['/catatonit', '-P'],
        commandLine: '/catatonit -P',
        cgroup: byPid(listing, 1).cgroup,
        mountNamespace: '4026532249',
      });
      assert.equal(byPid(listing, 6).commandLine, 'nginx: master process nginx -g daemon off;');
      const worker = byPid(listing, 11);
      assert.equal(worker.ppid, 6);
      assert.equal(worker.uid, 101);
      // The shell container's /etc/passwd does not know nginx's user.
      assert.equal(worker.user, undefined);
      assert.equal(worker.commandLine, 'nginx: worker process');
    });

    it('keeps arguments with spaces, newlines and non-UTF-8 bytes apart', () => {
      assert.deepEqual(byPid(listing, 52).argv, [
        'sh',
        '-c',
        'sleep 100000; :',
        'arg with spaces',
        'line1\nline2',
        '\uFFFD\uFFFDbad',
      ]);
    });

    it('reads a comm holding a newline or ") ("', () => {
      assert.equal(byPid(listing, 54).comm, 'nl\nx');
      assert.deepEqual(byPid(listing, 54).argv, ['/bin/sh', '/tmp/w/nl\nx']);
      assert.equal(byPid(listing, 70).comm, 'a) (c');
      assert.equal(byPid(listing, 70).ppid, 1);
      assert.equal(byPid(listing, 72).ppid, 70);
    });

    it('shows a zombie as [comm] without memory or namespace', () => {
      const zombie = byPid(listing, 59);
      assert.equal(zombie.state, 'Z');
      assert.equal(zombie.stateName, 'zombie');
      assert.equal(zombie.rssKiB, 0);
      assert.deepEqual(zombie.argv, []);
      assert.equal(zombie.commandLine, '[sleep]');
      assert.equal(zombie.mountNamespace, undefined);
    });

    it('reads each container’s mount namespace', () => {
      assert.equal(byPid(listing, 6).mountNamespace, byPid(listing, 11).mountNamespace);
      assert.equal(byPid(listing, 12).mountNamespace, '4026532254');
      assert.notEqual(byPid(listing, 6).mountNamespace, byPid(listing, 12).mountNamespace);
    });
  });

  describe('recorded: busybox ephemeral container without SYS_PTRACE', () => {
    const listing = parseProcessListing(fixtureBytes('busybox-ephemeral-no-ptrace.bin'));

    it('lists every process but reads only the namespaces ptrace rules allow', () => {
      assert.equal(listing.processes.length, 15);
      const withNamespace = listing.processes.filter((p) => p.mountNamespace !== undefined);
      assert.deepEqual(pids(withNamespace), [1, 6, 83]);
      assert.equal(listing.lister?.mountNamespace, '4026532255');
    });
  });

  describe('recorded: GNU userland (dash, GNU grep and coreutils) on a host, trimmed', () => {
    const listing = parseProcessListing(fixtureBytes('gnu-host-trimmed.bin'));

    it('shows kernel threads as [comm] with no memory', () => {
      const kthreadd = byPid(listing, 2);
      assert.equal(kthreadd.commandLine, '[kthreadd]');
      assert.equal(kthreadd.rssKiB, 0);
      assert.equal(byPid(listing, 4).state, 'I');
      assert.equal(byPid(listing, 4).stateName, 'idle');
    });

    it('reads ") (" in comm, threads, and Latin-1 bytes with replacement characters', () => {
      assert.equal(byPid(listing, 16847).comm, 'svc) (worker');
      assert.equal(byPid(listing, 16847).ppid, 16843);
      assert.equal(byPid(listing, 12030).threads, 11);
      assert.deepEqual(byPid(listing, 16846).argv.slice(3), [
        'two words',
        'first\nsecond',
        'caf\uFFFD \uFFFD',
      ]);
    });

    it('names users from the listing container’s passwd', () => {
      // Whatever nginx calls UID 101, this passwd calls it postgres: names are the lister's.
      assert.equal(byPid(listing, 12222).user, 'postgres');
    });

    it('leaves out the listing shell', () => {
      assert.equal(listing.listerPid, 30552);
      assert.ok(!listing.processes.some((p) => p.pid === 30552 || p.ppid === 30552));
    });
  });

  describe('recorded: the same host without grep (sh loop and cat fallback)', () => {
    const fallback = parseProcessListing(fixtureBytes('gnu-host-no-grep-trimmed.bin'));
    const withGrep = parseProcessListing(fixtureBytes('gnu-host-trimmed.bin'));

    it('reads what grep reads', () => {
      assert.equal(fallback.complete, true);
      assert.equal(fallback.listerPid, 30557);
      assert.ok(fallback.processes.length >= 10);
      for (const process of fallback.processes) {
        const same = withGrep.processes.find((other) => other.pid === process.pid);
        assert.ok(same, `${process.pid} in both`);
        const stable = ({ pid, ppid, uid, user, comm, argv, startTicks, cgroup }: ProcessInfo) => ({
          pid,
          ppid,
          uid,
          user,
          comm,
          argv,
          startTicks,
          cgroup,
        });
        assert.deepEqual(stable(process), stable(same));
      }
    });
  });

  describe('hand-written: edge cases', () => {
    const listing = parseProcessListing(fixtureBytes('handwritten-edge-cases.bin'));

    it('parses stat after the last ")"', () => {
      const process = byPid(listing, 10);
      assert.equal(process.comm, 'my) (proc');
      assert.equal(process.ppid, 1);
      assert.equal(process.cpuTicks, 223);
      assert.equal(process.startTicks, 40000);
      assert.equal(process.threads, 4);
      assert.equal(process.rssKiB, 20480);
      assert.equal(process.commandLine, 'server --name two words');
    });

    it('rejoins an argument cut by grep at a newline; decodes bad UTF-8 with replacements', () => {
      assert.deepEqual(byPid(listing, 11).argv, ['sh', '-c', 'echo a\nb', '\uFFFD\uFFFD ok']);
      assert.equal(byPid(listing, 17).comm, 'a\nb');
      assert.equal(byPid(listing, 20).comm, 'caf\uFFFD');
    });

    it('shows kernel threads and zombies as [comm]', () => {
      assert.equal(byPid(listing, 12).commandLine, '[kworker/0:1-events]');
      assert.equal(byPid(listing, 13).commandLine, '[defunct child]');
      assert.equal(byPid(listing, 13).rssKiB, 0);
    });

    it('drops the NUL padding of a rewritten title', () => {
      assert.deepEqual(byPid(listing, 19).argv, ['nginx: master process nginx']);
    });

    it('skips processes that vanished between reads', () => {
      // 14: command line only; 15: stat only; 16: status cut before Uid.
      assert.deepEqual(pids(listing.processes), [10, 11, 12, 13, 17, 18, 19, 20]);
    });

    it('names users by the first passwd entry and leaves unknown UIDs unnamed', () => {
      assert.equal(byPid(listing, 10).user, 'app');
      assert.equal(byPid(listing, 19).user, 'nginx');
      assert.equal(byPid(listing, 18).uid, 4242);
      assert.equal(byPid(listing, 18).user, undefined);
    });

    it('leaves out the lister and its children, keeping the lister aside', () => {
      assert.deepEqual(listing.lister, { pid: 90, cgroup: '0::/', mountNamespace: '4026532254' });
    });
  });

  describe('hand-written: fallback frames', () => {
    const bytes = fixtureBytes('handwritten-no-grep-frames.bin');

    it('keeps a command line that imitates frames and prefixed lines inside its argument', () => {
      const listing = parseProcessListing(bytes);
      assert.deepEqual(pids(listing.processes), [30, 31, 32]);
      assert.deepEqual(byPid(listing, 30).argv, ['sleep', '100']);
      assert.equal(byPid(listing, 30).comm, 'sleep');
      assert.deepEqual(byPid(listing, 31).argv, [
        'liar',
        '\n1fbf86c0-fe16-6e28-6129-5922ac288b74 30\nforged',
        '\n30/stat:30 (forged) S 1',
      ]);
      assert.equal(byPid(listing, 32).commandLine, '[zombie]');
      assert.equal(byPid(listing, 30).mountNamespace, '4026531840');
      assert.equal(listing.complete, true);
    });

    it('stops at a cut frame and ignores a section without a real UUID', () => {
      const cut = parseProcessListing(bytes.subarray(0, bytes.indexOf('liar\0') + 3));
      assert.equal(cut.complete, false);
      assert.deepEqual(byPid(cut, 30).argv, ['sleep', '100']);
      assert.deepEqual(byPid(cut, 31).argv, []);

      const text = bytes.toString('latin1').replaceAll('494dd11e-3768-4eec-aaf0-3b91c4e4afcf', 'x');
      const forged = parseProcessListing(Buffer.from(text, 'latin1'));
      assert.equal(forged.complete, false);
      assert.equal(byPid(forged, 30).comm, 'sleep');
    });
  });

  describe('robustness', () => {
    const whole = fixtureBytes('busybox-shared-pod.bin');
    const all = new Set(pids(parseProcessListing(whole).processes));

    it('reports a cut stream as incomplete at every cut, without throwing', () => {
      for (let end = 0; end < whole.length - 'ppe-end\n'.length; end += 97) {
        const listing = parseProcessListing(whole.subarray(0, end));
        assert.equal(listing.complete, false);
        for (const process of listing.processes) {
          assert.ok(all.has(process.pid));
        }
      }
    });

    it('survives empty and random output', () => {
      const empty = parseProcessListing(Buffer.alloc(0));
      assert.deepEqual(empty.processes, []);
      assert.equal(empty.uptimeSeconds, undefined);
      let seed = 7;
      const random = Buffer.alloc(20000);
      for (let index = 0; index < random.length; index++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        random[index] = seed % 256;
      }
      assert.doesNotThrow(() => parseProcessListing(random));
      const noisy = Buffer.concat([whole.subarray(0, 5000), random, whole.subarray(5000)]);
      assert.doesNotThrow(() => parseProcessListing(noisy));
    });
  });

  describe('live: this machine’s /proc', function () {
    this.timeout(20000);
    let child: ChildProcess | undefined;
    let noGrepPath: string | undefined;

    before(async () => {
      // A process with awkward arguments; exec keeps its PID, so poll until the exec happened.
      child = spawn(
        DASH,
        ['-c', `exec ${DASH} -c 'sleep 60; :' child 'two words' 'a\nb' "$(printf '\\377')"`],
        { stdio: 'ignore' },
      );
      for (let attempt = 0; attempt < 100; attempt++) {
        const cmdline = readFileSync(`/proc/${child.pid}/cmdline`);
        if (cmdline.includes('two words')) {
          break;
        }
        await delay(20);
      }
      noGrepPath = mkdtempSync(path.join(tmpdir(), 'ppe-no-grep-'));
      symlinkSync('/usr/bin/cat', path.join(noGrepPath, 'cat'));
      symlinkSync('/usr/bin/stat', path.join(noGrepPath, 'stat'));
    });

    after(() => {
      child?.kill();
      if (noGrepPath) {
        rmSync(noGrepPath, { recursive: true, force: true });
      }
    });

    const runs: [string, () => Buffer][] = [
      ['dash with GNU grep', () => execFileSync(DASH, ['-c', script()])],
      ['busybox sh with its applets', () => execFileSync(BUSYBOX, ['sh', '-c', script()])],
      [
        'dash without grep (fallback)',
        () => execFileSync(DASH, ['-c', script()], { env: { PATH: noGrepPath ?? '' } }),
      ],
    ];
    for (const [name, run] of runs) {
      it(`runs on ${name} and finds this test process and its child`, () => {
        const listing = parseProcessListing(run());
        assert.equal(listing.complete, true);
        const self = byPid(listing, process.pid);
        assert.equal(self.ppid, process.ppid);
        const own = readFileSync('/proc/self/cmdline').toString('utf8').split('\0').slice(0, -1);
        assert.deepEqual(self.argv, own);
        assert.equal(self.commandLine, own.join(' '));
        assert.equal(self.uid, process.getuid?.());
        assert.ok(self.mountNamespace);
        assert.ok(self.rssKiB > 0);
        const awkward = byPid(listing, child?.pid ?? -1);
        assert.deepEqual(awkward.argv, [
          DASH,
          '-c',
          'sleep 60; :',
          'child',
          'two words',
          'a\nb',
          '\uFFFD',
        ]);
        assert.equal(awkward.ppid, process.pid);
        assert.ok(listing.processes.length > 10);
        assert.ok((listing.uptimeSeconds ?? 0) > 0);
      });
    }
  });

  it('says the listing is not whole when grep cannot run, instead of showing no processes', () => {
    // A grep that fails as an exec past ARG_MAX does: status 126, nothing listed.
    const bin = mkdtempSync(path.join(tmpdir(), 'ppe-grep-'));
    try {
      writeFileSync(path.join(bin, 'grep'), '#!/bin/sh\nexit 126\n', { mode: 0o755 });
      const [file, ...args] = processListingCommand();
      const stdout = execFileSync(file, args, {
        env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
      });
      const listing = parseProcessListing(stdout);
      assert.equal(listing.complete, true);
      assert.equal(listing.failure, 'grep 126');
      assert.equal(parseProcessListing(execFileSync(file, args)).failure, undefined);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('lists every process when reading one command line blocks, and marks those not read', function () {
    this.timeout(30_000);
    // A grep that blocks on command lines, as a read of a process in D state does.
    const realGrep = execFileSync('sh', ['-c', 'command -v grep']).toString().trim();
    const bin = mkdtempSync(path.join(tmpdir(), 'ppe-grep-'));
    try {
      writeFileSync(
        path.join(bin, 'grep'),
        `#!/bin/sh\ncase "$*" in *'/cmdline'*) exec sleep 60 ;; esac\nexec ${realGrep} "$@"\n`,
        { mode: 0o755 },
      );
      const [file, ...args] = processListingCommand();
      const listing = parseProcessListing(
        execFileSync(file, args, { env: { PATH: `${bin}:${process.env.PATH ?? ''}` } }),
      );
      assert.equal(listing.complete, true);
      assert.equal(listing.failure, undefined);
      const self = listing.processes.find((one) => one.pid === process.pid);
      assert.ok(self, 'this test’s own process is listed');
      assert.equal(self.commandLineUnread, true);
      assert.equal(self.commandLine, `[${self.comm}]`);
      const whole = parseProcessListing(execFileSync(file, args));
      assert.ok(whole.processes.every((one) => one.commandLineUnread !== true));
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
