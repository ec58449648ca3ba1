import assert from 'node:assert/strict';
import { parseProcessListing } from '../../../src/processes/processListing';
import type { ProcessInfo, ProcessListing } from '../../../src/processes/types';
import { pids } from './processTestSupport';

// Small listings written line by line in the format the script's grep prints (`<file>:<line>`),
// for what the recorded fixtures of processListing.test.ts do not show.

interface Proc {
  readonly pid: number;
  readonly ppid?: number;
  readonly comm?: string;
  readonly uid?: number;
  readonly state?: string;
  /** `utime stime`, in ticks. */
  readonly times?: [number, number];
  readonly threads?: number;
  readonly start?: number;
  readonly rss?: string;
  readonly cgroup?: string;
  readonly argv?: string[];
  /** Status lines to use instead of the usual ones. */
  readonly status?: string[];
}

function statLine({
  pid,
  ppid = 1,
  comm = 'sleep',
  times = [0, 0],
  threads = 1,
  start = 5000,
}: Proc) {
  return `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 100 0 0 0 ${times[0]} ${times[1]} 0 0 20 0 ${threads} 0 ${start} 1000000 200 18446744073709551615`;
}

function lines(proc: Proc): string[] {
  const status = proc.status ?? [
    `State:\t${proc.state ?? 'S (sleeping)'}`,
    `Uid:\t${proc.uid ?? 0}\t${proc.uid ?? 0}\t${proc.uid ?? 0}\t${proc.uid ?? 0}`,
    `Threads:\t${proc.threads ?? 1}`,
    ...(proc.rss === undefined ? [] : [`VmRSS:\t${proc.rss}`]),
  ];
  return [
    `${proc.pid}/stat:${statLine(proc)}`,
    ...status.map((line) => `${proc.pid}/status:${line}`),
    ...(proc.cgroup ?? '0::/kubepods/pod1/abc')
      .split('\n')
      .map((line) => `${proc.pid}/cgroup:${line}`),
  ];
}

function cmdlines(processes: readonly Proc[]): string[] {
  return processes
    .filter((proc) => proc.argv !== undefined)
    .flatMap((proc) =>
      `${(proc.argv ?? []).join('\0')}\0`.split('\n').map((part) => `${proc.pid}/cmdline:${part}`),
    );
}

const PASSWD = [
  '/etc/passwd:root:x:0:0:root:/root:/bin/sh',
  '/etc/passwd:daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  // A second name for UID 0: the first one wins.
  '/etc/passwd:toor:x:0:0::/root:/bin/sh',
  '/etc/passwd:',
  '/etc/passwd:+::::::',
  '/etc/passwd::x:7:7::/:/bin/false',
  '/etc/passwd:odd:x:x7:7::/:/bin/false',
  '/etc/passwd:app:x:1000:1000::/app:/bin/sh',
];

interface Around {
  /** What the header says the listing shell's PID is. */
  readonly lister?: string;
  readonly mountNamespaces?: readonly string[];
  /** Lines before the command lines, and after them. */
  readonly before?: readonly string[];
  readonly after?: readonly string[];
}

/** A whole grep-branch listing, as the script prints it. */
function listing(
  processes: readonly Proc[],
  { lister = '900', mountNamespaces = [], before = [], after = [] }: Around = {},
): ProcessListing {
  const text = [
    `ppe-listing ${lister}`,
    'uptime:6000.25 11000.00',
    ...processes.flatMap(lines),
    ...PASSWD,
    ...before,
    ...cmdlines(processes),
    ...after,
    'ppe-mountns',
    ...mountNamespaces,
    'ppe-end',
    '',
  ].join('\n');
  return parseProcessListing(Buffer.from(text, 'utf8'));
}

function byPid(result: ProcessListing, pid: number): ProcessInfo {
  const found = result.processes.find((process) => process.pid === pid);
  assert.ok(found, `process ${pid} listed`);
  return found;
}

describe('processes: listing parser, written cases', () => {
  it('reads every field of a process as ps would show it', () => {
    const result = listing(
      [
        {
          pid: 42,
          ppid: 7,
          comm: 'java',
          uid: 1000,
          times: [1200, 34],
          threads: 3,
          start: 123456,
          rss: '  524288 kB',
          cgroup: '0::/kubepods/pod1/abc',
          argv: ['java', '-jar', 'app.jar'],
          status: [
            'State:\tR (running)',
            'Uid:\t1000\t1000\t1000\t1000',
            'Threads:\t37',
            'VmRSS:\t  524288 kB',
          ],
        },
      ],
      { mountNamespaces: ['4026532500 42/ns/mnt'] },
    );
    assert.deepEqual(byPid(result, 42), {
      pid: 42,
      ppid: 7,
      uid: 1000,
      user: 'app',
      state: 'S',
      stateName: 'running',
      threads: 37,
      rssKiB: 524288,
      cpuTicks: 1234,
      startTicks: 123456,
      comm: 'java',
      argv: ['java', '-jar', 'app.jar'],
      commandLine: 'java -jar app.jar',
      cgroup: '0::/kubepods/pod1/abc',
      mountNamespace: '4026532500',
    });
    assert.equal(result.uptimeSeconds, 6000.25);
    assert.equal(result.complete, true);
    assert.equal(result.failure, undefined);
  });

  it('sorts by PID what grep printed in the glob’s text order', () => {
    const result = listing([{ pid: 1 }, { pid: 100 }, { pid: 12 }, { pid: 2 }, { pid: 30 }]);
    assert.deepEqual(pids(result.processes), [1, 2, 12, 30, 100]);
  });

  it('names users by the first passwd entry and skips lines that are not entries', () => {
    const result = listing([
      { pid: 10, uid: 0 },
      { pid: 11, uid: 1 },
      { pid: 12, uid: 7 },
      { pid: 13, uid: 1000 },
    ]);
    assert.deepEqual(
      result.processes.map((process) => process.user),
      ['root', 'daemon', undefined, 'app'],
    );
  });

  it('masks secrets in the command line shown, keeping the real arguments', () => {
    const result = listing([
      { pid: 10, argv: ['mysql', '--user=app', '--password=hunter2', 'orders'] },
    ]);
    const process = byPid(result, 10);
    assert.deepEqual(process.argv, ['mysql', '--user=app', '--password=hunter2', 'orders']);
    assert.doesNotMatch(process.commandLine, /hunter2/);
    assert.match(process.commandLine, /^mysql --user=app --password=\S+ orders$/);
  });

  it('falls back to stat’s thread count, and to no memory, when status lacks them', () => {
    const result = listing([
      { pid: 10, threads: 4, status: ['State:\tS (sleeping)', 'Uid:\t0\t0\t0\t0'] },
      {
        pid: 11,
        threads: 5,
        status: ['State:\tS', 'Uid:\t0\t0\t0\t0', 'Threads:\tmany', 'VmRSS:\t12 MB'],
      },
    ]);
    assert.equal(byPid(result, 10).threads, 4);
    assert.equal(byPid(result, 10).rssKiB, 0);
    assert.equal(byPid(result, 11).threads, 5);
    assert.equal(byPid(result, 11).rssKiB, 0);
    assert.equal(byPid(result, 11).stateName, undefined);
  });

  it('leaves out a process whose stat is another’s, cut, or whose status has no real UID', () => {
    const result = listing(
      [
        { pid: 10 },
        { pid: 11, status: ['State:\tS (sleeping)', 'Uid:\tx\t0\t0\t0'] },
        { pid: 12, status: ['State:\tS (sleeping)', 'Uid:\t'] },
      ],
      {
        before: [
          // 20's stat names PID 21: grep's prefix is what counts.
          `20/stat:${statLine({ pid: 21 })}`,
          '20/status:Uid:\t0\t0\t0\t0',
          '22/stat:22 (cut) S 1 22 22',
          '22/status:Uid:\t0\t0\t0\t0',
          '23/stat:23 sleep S 1 23 23 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 5000 1000000 200 0',
          '23/status:Uid:\t0\t0\t0\t0',
          '24/stat:24 (sleep) S 1 24 24 0 -1 4194560 100 0 0 0 x 0 0 0 20 0 1 0 5000 1000000 200 0',
          '24/status:Uid:\t0\t0\t0\t0',
          '25/stat:x25 (sleep) S 1 25 25 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 5000 1000000 200 0',
          '25/status:Uid:\t0\t0\t0\t0',
          '26/stat:26 (sleep) S 1 26 26 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 5000 1000000 200 0',
          '26/status:Uid:\t0\t0\t0\t0',
          '26/cgroup:0::/',
          // Lines of other files, and of no file, are not a process's.
          '27/statm:1 2 3',
          '27/stat:27 (sleep) S 1 27 27 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 5000 1000000 200 0',
          '27/status:Uid:\t0\t0\t0\t0',
          'x/stat:28 (sleep) S',
        ],
      },
    );
    assert.deepEqual(pids(result.processes), [10, 26, 27]);
  });

  it('keeps the listing shell aside with its mount namespace, and leaves out its children', () => {
    const result = listing(
      [
        { pid: 1, ppid: 0, comm: 'pause' },
        { pid: 900, ppid: 0, comm: 'sh', cgroup: '0::/kubepods/pod1/shell' },
        { pid: 901, ppid: 900, comm: 'grep' },
        { pid: 902, ppid: 1, comm: 'sh' },
      ],
      { mountNamespaces: ['4026532400 900/ns/mnt', '4026532401 902/ns/mnt'] },
    );
    assert.deepEqual(pids(result.processes), [1, 902]);
    assert.equal(result.listerPid, 900);
    assert.deepEqual(result.lister, {
      pid: 900,
      cgroup: '0::/kubepods/pod1/shell',
      mountNamespace: '4026532400',
    });
    const unreadable = listing([{ pid: 900, cgroup: '0::/' }]);
    assert.deepEqual(unreadable.lister, { pid: 900, cgroup: '0::/' });
    assert.equal('mountNamespace' in (unreadable.lister ?? {}), false);
  });

  it('trusts no listing shell that claims PID 1 or no PID, and hides none of their children', () => {
    const processes = [
      { pid: 1, ppid: 0, comm: 'init' },
      { pid: 5, ppid: 1 },
    ];
    for (const header of ['1', '0', 'abc', '']) {
      const result = listing(processes, { lister: header });
      assert.equal(result.listerPid, undefined, header);
      assert.equal(result.lister, undefined, header);
      assert.deepEqual(pids(result.processes), [1, 5], header);
    }
  });

  it('reports the first failed read, and no uptime it cannot read', () => {
    const result = listing([{ pid: 10 }], {
      before: ['ppe-failed grep 126'],
      after: ['ppe-failed grep 137'],
    });
    assert.equal(result.failure, 'grep 126');
    assert.equal(result.complete, true);
    const noUptime = parseProcessListing(Buffer.from('ppe-listing 5\nppe-mountns\nppe-end\n'));
    assert.equal(noUptime.uptimeSeconds, undefined);
    assert.equal(noUptime.complete, true);
    const garbled = parseProcessListing(Buffer.from('ppe-listing 5\nuptime:up 3 days\n'));
    assert.equal(garbled.uptimeSeconds, undefined);
    assert.equal(garbled.complete, false);
  });

  it('reads mount namespace lines only after their marker, and ends at ppe-end', () => {
    const result = listing([{ pid: 10 }, { pid: 11 }], {
      // Before the marker this is not a namespace line.
      before: ['4026532999 11/ns/mnt'],
      mountNamespaces: [
        '4026532500 10/ns/mnt',
        '4026532501 10/ns/net',
        'stat: cannot stat 11/ns/mnt',
      ],
    });
    assert.equal(byPid(result, 10).mountNamespace, '4026532500');
    assert.equal(byPid(result, 11).mountNamespace, undefined);
    const cut = parseProcessListing(
      Buffer.from('ppe-listing 5\nppe-mountns\n4026532500 10/ns/mnt\n'),
    );
    assert.equal(cut.complete, false);
  });

  describe('after a command-line read that was stopped', () => {
    // grep reads in the glob's order: 1, 10, 11, 2, 3; it printed 1 and 10, then blocked on 11.
    const processes: Proc[] = [
      { pid: 1, argv: ['/pause'] },
      { pid: 2 },
      { pid: 3 },
      { pid: 10, argv: ['nginx', '-g', 'daemon off;'] },
      { pid: 11 },
    ];

    it('marks the processes grep had not reached, and no others', () => {
      const result = listing(processes, { after: ['ppe-cmdline-cut 137'] });
      assert.deepEqual(
        result.processes.map((process) => [process.pid, process.commandLineUnread === true]),
        [
          [1, false],
          [2, true],
          [3, true],
          [10, false],
          [11, true],
        ],
      );
      assert.equal(byPid(result, 11).commandLine, '[sleep]');
      assert.equal(result.failure, undefined);
    });

    it('marks nothing when the read was not stopped', () => {
      const result = listing(processes);
      assert.ok(result.processes.every((process) => process.commandLineUnread === undefined));
    });
  });

  describe('the no-grep fallback’s frames', () => {
    const uuid = '09af18be-27cd-36de-45ef-5a6b7c8d9e0f';
    const frames = (body: string) =>
      Buffer.from(
        [
          'ppe-listing 900',
          `10/stat:${statLine({ pid: 10 })}`,
          '10/status:Uid:\t0\t0\t0\t0',
          `11/stat:${statLine({ pid: 11 })}`,
          '11/status:Uid:\t0\t0\t0\t0',
          `ppe-cmdline ${uuid}`,
        ].join('\n') +
          '\n' +
          body,
        'latin1',
      );

    it('reads each frame’s bytes as the command line, then the lines after the end frame', () => {
      const result = parseProcessListing(
        frames(
          `\n${uuid} 10\nsleep\x00100\x00\n${uuid} 11\n\n${uuid} end\nppe-mountns\n4026532500 10/ns/mnt\nppe-end\n`,
        ),
      );
      assert.deepEqual(byPid(result, 10).argv, ['sleep', '100']);
      assert.deepEqual(byPid(result, 11).argv, []);
      assert.equal(byPid(result, 10).mountNamespace, '4026532500');
      assert.equal(result.complete, true);
    });

    it('accepts any UUID the kernel makes, in either case', () => {
      for (const other of [uuid.toUpperCase(), '09af09af-09af-09af-09af-09af09af09af']) {
        const bytes = Buffer.from(
          frames('').toString('latin1').replace(uuid, other) +
            `\n${other} 10\nsleep\x00100\x00\n${other} end\nppe-mountns\nppe-end\n`,
          'latin1',
        );
        const result = parseProcessListing(bytes);
        assert.deepEqual(byPid(result, 10).argv, ['sleep', '100'], other);
        assert.equal(result.complete, true, other);
      }
    });

    it('stops at a frame whose label is not a PID, or that is cut before its bytes', () => {
      for (const label of ['1x', 'x1', '']) {
        const forged = parseProcessListing(
          frames(
            `\n${uuid} 10\nsleep\x00\n${uuid} ${label}\nfake\x00\n${uuid} end\nppe-mountns\nppe-end\n`,
          ),
        );
        assert.deepEqual(byPid(forged, 10).argv, ['sleep'], label);
        assert.equal(forged.complete, false, label);
      }
      const cut = parseProcessListing(frames(`\n${uuid} 10\nsleep\x00\n${uuid} 11`));
      assert.deepEqual(byPid(cut, 10).argv, ['sleep']);
      assert.deepEqual(byPid(cut, 11).argv, []);
      assert.equal(cut.complete, false);
    });

    it('takes no frames after a header whose nonce is not a UUID', () => {
      for (const nonce of [
        `x${uuid}`,
        `${uuid}x`,
        uuid.replace('09af18be', '09af18b'),
        uuid.replace('09af18be', '09af18bee'),
        uuid.replace('27cd', '27c'),
        uuid.replace('27cd', '27cdd'),
        uuid.replace('36de', '36d'),
        uuid.replace('36de', '36dee'),
        uuid.replace('45ef', '45e'),
        uuid.replace('45ef', '45eff'),
        uuid.replace('5a6b7c8d9e0f', '5a6b7c8d9e0'),
        uuid.replace('5a6b7c8d9e0f', '5a6b7c8d9e0ff'),
        uuid.replace('09af', '09ag'),
        uuid.replace('27cd', '27cg'),
        uuid.replace('36de', '36dg'),
        uuid.replace('45ef', '45eg'),
        uuid.replace('5a6b', 'ga6b'),
        uuid.replaceAll('-', '_'),
      ]) {
        const bytes = Buffer.from(
          frames('').toString('latin1').replace(`ppe-cmdline ${uuid}`, `ppe-cmdline ${nonce}`) +
            `\n${nonce} 10\nsleep\x00\n${nonce} end\nppe-mountns\nppe-end\n`,
          'latin1',
        );
        const result = parseProcessListing(bytes);
        assert.deepEqual(byPid(result, 10).argv, [], nonce);
        assert.equal(result.complete, false, nonce);
      }
    });
  });
});
