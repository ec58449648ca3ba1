import assert from 'node:assert/strict';
import {
  displayWidth,
  escapeControls,
  parseProcessDetails,
  renderProcessDetails,
  type DetailsContext,
  type DetailsStrings,
  type ProcessDetails,
} from '../../../src/processes/processDetails';
import { DETAILS_STRINGS } from './processTestSupport';

// Cases the nginx worker of processDetails.test.ts does not show: a setuid program, a kernel
// thread seen from the host, old kernels, refused and failed reads, odd framing.

const NONCE = '09af18be-27cd-36de-45ef-5a6b7c8d9e0f';
const READ_AT = Date.UTC(2026, 10, 23, 14, 0, 0);

function framed(sections: Record<string, string | Buffer>, nonce = NONCE): Buffer {
  return Buffer.concat([
    Buffer.from(`ppe-details ${nonce}\n`),
    ...Object.entries(sections).flatMap(([name, content]) => [
      Buffer.from(`\n${nonce} ${name}\n`),
      Buffer.from(content),
    ]),
    Buffer.from(`\n${nonce} end\n`),
  ]);
}

/** `passwd` run by alice: setuid root, so the effective, saved and filesystem UIDs are 0. */
const PASSWD_STATUS = `Name:\tpasswd
Umask:\t0022
State:\tS (sleeping)
Tgid:\t4242
Pid:\t4242
PPid:\t4100
Uid:\t1000\t0\t0\t0
Gid:\t1000\t1000\t1000\t1000
Groups:\t27 1000
Threads:\t1
VmRSS:\t    3712 kB
CapInh:\t0000000000000000
CapPrm:\t000001ffffffffff
CapEff:\t000001ffffffffff
CapBnd:\t000001ffffffffff
CapAmb:\t0000000000000000
`;

const SETUID = {
  stat: '4242 (passwd) S 4100 4242 4100 34816 4242 4194560 120 0 0 0 1 0 0 0 20 0 1 0 500000 9306112 928 18446744073709551615\n',
  status: PASSWD_STATUS,
  cmdline: 'passwd\0',
  cgroup: '0::/user.slice/user-1000.slice/session-3.scope\n',
  environ: 'HOME=/home/alice\0LANG=C.UTF-8\0',
  ns: [
    '4026531835 1/ns/cgroup',
    '4026531836 1/ns/pid',
    '4026531840 1/ns/mnt',
    '4026531992 1/ns/net',
    '4026531839 1/ns/ipc',
    '4026531838 1/ns/uts',
    '4026531837 1/ns/user',
    '4026531834 1/ns/time',
    '4026531835 4242/ns/cgroup',
    '4026531836 4242/ns/pid',
    '4026531836 4242/ns/pid_for_children',
    '4026531840 4242/ns/mnt',
    '4026532600 4242/ns/net',
    '4026531839 4242/ns/ipc',
    '4026531838 4242/ns/uts',
    '4026531837 4242/ns/user',
    '4026531834 4242/ns/time',
    '4026531834 4242/ns/time_for_children',
    '',
  ].join('\n'),
  fd: '0\n1\n2\n',
  uptime: '6000.00 11000.00\n',
  reader: 'Name:\tcat\nUid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n',
  passwd: [
    'root:x:0:0:root:/root:/bin/bash',
    // A second name for UID 0: getpwuid() answers the first.
    'toor:x:0:0:root:/root:/bin/sh',
    '+::::::',
    'broken:x:10a:10::/:/bin/false',
    'alice:x:1000:1000:Alice:/home/alice:/bin/bash',
    '',
  ].join('\n'),
  group: 'root:x:0:\nsudo:x:27:alice\nalice:x:1000:\nalumni:x:1000:\n',
};

const STRINGS: DetailsStrings = {
  ...DETAILS_STRINGS,
  openFilesUnreadable: (readFrom) => `files not readable from ${readFrom}`,
  environmentGone: 'the process ended',
};

const CONTEXT: DetailsContext = {
  namespace: 'default',
  pod: 'node-debugger',
  container: 'debugger',
  isSandbox: false,
  isMain: false,
  shared: false,
  readFrom: 'debugger',
};

function read(sections: Record<string, string | Buffer>, pid = 4242): ProcessDetails {
  const reading = parseProcessDetails(framed(sections), pid, READ_AT);
  assert.equal(reading.kind, 'details');
  return reading.details;
}

function render(details: ProcessDetails, context: Partial<DetailsContext> = {}, revealed = false) {
  return renderProcessDetails(details, { ...CONTEXT, ...context }, revealed, STRINGS);
}

/** The lines of one `## heading` section, without the heading and the blank line after. */
function section(text: string, heading: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  assert.ok(start >= 0, `section ${heading}`);
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end < 0 ? lines.length : end);
}

describe('processes: process details of other kinds of process', () => {
  describe('a setuid program on a host, read with every capability', () => {
    const details = read(SETUID);

    it('parses ids, names (the first entry of each), and every namespace in order', () => {
      assert.deepEqual(details.uids, [1000, 0, 0, 0]);
      assert.deepEqual(details.gids, [1000, 1000, 1000, 1000]);
      assert.deepEqual(
        [...details.userNames],
        [
          [0, 'root'],
          [1000, 'alice'],
        ],
      );
      assert.deepEqual(
        [...details.groupNames],
        [
          [0, 'root'],
          [27, 'sudo'],
          [1000, 'alice'],
        ],
      );
      assert.deepEqual(details.namespaces, [
        { type: 'pid', inode: '4026531836', pid1Inode: '4026531836' },
        { type: 'mnt', inode: '4026531840', pid1Inode: '4026531840' },
        { type: 'net', inode: '4026532600', pid1Inode: '4026531992' },
        { type: 'ipc', inode: '4026531839', pid1Inode: '4026531839' },
        { type: 'uts', inode: '4026531838', pid1Inode: '4026531838' },
        { type: 'user', inode: '4026531837', pid1Inode: '4026531837' },
        { type: 'cgroup', inode: '4026531835', pid1Inode: '4026531835' },
        { type: 'time', inode: '4026531834', pid1Inode: '4026531834' },
      ]);
      assert.equal(details.ageSeconds, 1000);
      assert.equal(details.startedAt, READ_AT - 1_000_000);
      assert.deepEqual(details.reader, { uid: 0, canTrace: true });
    });

    it('shows the effective, saved and filesystem users where they differ from the real one', () => {
      assert.deepEqual(section(render(details), 'Process'), [
        '  PID                   4242',
        '  Parent PID            4100',
        '  State                 S (sleeping)',
        '  User                  1000 (alice)',
        '  Effective user        0 (root)',
        '  Saved user            0 (root)',
        '  Filesystem user       0 (root)',
        '  Group                 1000 (alice)',
        '  Supplementary groups  27 (sudo), 1000 (alice)',
        '  Started               2026-11-23 13:43:20 UTC · running for 16:40',
        '  Threads               1',
        '  Memory (RSS)          3.6 MiB',
        '  Open files            3',
      ]);
    });

    it('shows only the namespace that differs from PID 1’s, and full capability sets by count', () => {
      const text = render(details);
      assert.deepEqual(section(text, 'Namespaces'), [
        '  pid     4026531836',
        '  mnt     4026531840',
        '  net     4026532600  ≠ PID 1: 4026531992',
        '  ipc     4026531839',
        '  uts     4026531838',
        '  user    4026531837',
        '  cgroup  4026531835',
        '  time    4026531834',
      ]);
      assert.deepEqual(section(text, 'Capabilities'), [
        '  Effective     all 41',
        '  Permitted     all 41',
        '  Inheritable   none',
        '  Bounding set  all 41',
        '  Ambient       none',
      ]);
      assert.deepEqual(section(text, 'Control group'), [
        '  /user.slice/user-1000.slice/session-3.scope  (v2)',
      ]);
    });

    it('names an unplaced process’s container as unknown, and a main process as such', () => {
      assert.match(
        render(details, { container: undefined }),
        /^ {2}Container {12}unknown container$/m,
      );
      assert.match(
        render(details, { isMain: true }),
        /^ {2}Container {12}debugger · main process$/m,
      );
      assert.match(render(details), /^ {2}Container {12}debugger$/m);
    });

    it('lists an environment without secrets with no note, and counts its variables', () => {
      assert.deepEqual(section(render(details), 'Environment · 2'), [
        '  HOME=/home/alice',
        '  LANG=C.UTF-8',
      ]);
    });

    it('flags nothing when PID 1’s namespaces could not be read', () => {
      const own = read({ ...SETUID, ns: '4026531836 4242/ns/pid\n4026532600 4242/ns/net\n' });
      assert.deepEqual(own.namespaces, [
        { type: 'pid', inode: '4026531836', pid1Inode: undefined },
        { type: 'net', inode: '4026532600', pid1Inode: undefined },
      ]);
      assert.deepEqual(section(render(own), 'Namespaces'), [
        '  pid  4026531836',
        '  net  4026532600',
      ]);
    });

    it('pads an inode shorter than the others so the notes line up', () => {
      const text = render(
        read({
          ...SETUID,
          ns: '4026531836 1/ns/pid\n4026531840 1/ns/mnt\n402653 4242/ns/pid\n4026532777 4242/ns/mnt\n',
        }),
      );
      assert.deepEqual(section(text, 'Namespaces'), [
        '  pid  402653      ≠ PID 1: 4026531836',
        '  mnt  4026532777  ≠ PID 1: 4026531840',
      ]);
    });
  });

  describe('a kernel thread seen from the host', () => {
    const kthreadd = read(
      {
        stat: '2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 3 0 0 20 0 1 0 2 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n',
        status:
          'Name:\tkthreadd\nState:\tS (sleeping)\nPPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\nThreads:\t1\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n',
        cmdline: '',
        cgroup: '0::/\n',
        environ: '',
        ns: '4026531836 1/ns/pid\n4026531836 2/ns/pid\n',
        fd: '',
        uptime: '6000.00 11000.00\n',
        reader: 'Uid:\t0\t0\t0\t0\nCapEff:\t000001ffffffffff\n',
        passwd: 'root:x:0:0:root:/root:/bin/bash\n',
        group: 'root:x:0:\n',
      },
      2,
    );

    it('has no arguments, memory or open files, and an empty environment', () => {
      assert.deepEqual(kthreadd.argv, []);
      assert.equal(kthreadd.rssKiB, undefined);
      assert.equal(kthreadd.openFiles, 0);
      assert.deepEqual(kthreadd.groups, []);
      assert.deepEqual(kthreadd.environment, { kind: 'empty' });
      assert.equal(kthreadd.cgroup, '0::/');
    });

    it('is titled [comm] and says so where a process has arguments and variables', () => {
      const text = render(kthreadd, { container: undefined });
      assert.match(text, /^# PID 2 · \[kthreadd\]\n/);
      assert.deepEqual(section(text, 'Command line'), ['  (no arguments)']);
      assert.deepEqual(section(text, 'Process'), [
        '  PID                   2',
        '  Parent PID            0 · outside',
        '  State                 S (sleeping)',
        '  User                  0 (root)',
        '  Group                 0 (root)',
        '  Supplementary groups  none',
        '  Started               2026-11-23 12:20:00 UTC · running for 01:39:59',
        '  Threads               1',
        '  Open files            0',
      ]);
      assert.deepEqual(section(text, 'Environment'), ['ℹ no variables']);
    });
  });

  describe('what an old or odd /proc leaves out', () => {
    it('shows ? for a capability set the kernel does not report (no CapAmb before 4.3)', () => {
      const text = render(read({ ...SETUID, status: PASSWD_STATUS.replace(/^CapAmb:.*\n/m, '') }));
      assert.match(text, /^ {2}Ambient {7}\?$/m);
      assert.equal(
        read({ ...SETUID, status: PASSWD_STATUS.replace(/^CapAmb:.*\n/m, '') }).capabilities
          .ambient,
        undefined,
      );
    });

    it('leaves out the state name, threads and memory rows when status lacks them', () => {
      const status = PASSWD_STATUS.replace('S (sleeping)', 'S')
        .replace(/^Threads:.*\n/m, '')
        .replace(/^VmRSS:.*\n/m, 'VmRSS:\t3712 MB\n');
      const details = read({ ...SETUID, status });
      assert.equal(details.stateName, undefined);
      assert.equal(details.threads, undefined);
      assert.equal(details.rssKiB, undefined);
      const rows = section(render(details), 'Process');
      assert.ok(rows.includes('  State                 S'), rows.join('\n'));
      assert.ok(!rows.some((row) => /Threads|Memory/.test(row)), rows.join('\n'));
      assert.equal(
        read({ ...SETUID, status: status.replace('Groups:', 'Threads:\tmany\nGroups:') }).threads,
        undefined,
      );
    });

    it('shows ? for a group and no names when status was cut after Uid', () => {
      const cut = PASSWD_STATUS.slice(0, PASSWD_STATUS.indexOf('Gid:'));
      const details = read({ ...SETUID, status: cut, passwd: '', group: '' });
      assert.deepEqual(details.gids, []);
      assert.equal(details.userNames.size, 0);
      const rows = section(render(details), 'Process');
      assert.ok(rows.includes('  User                  1000'), rows.join('\n'));
      assert.ok(rows.includes('  Group                 ?'), rows.join('\n'));
    });

    it('gives no start time without uptime, and no negative age when the clocks disagree', () => {
      const noUptime = read({ ...SETUID, uptime: '' });
      assert.equal(noUptime.ageSeconds, undefined);
      assert.equal(noUptime.startedAt, undefined);
      assert.ok(!section(render(noUptime), 'Process').some((row) => row.includes('Started')));
      assert.equal(read({ ...SETUID, uptime: '0.00 0.00\n' }).ageSeconds, undefined);
      assert.equal(read({ ...SETUID, uptime: 'unknown\n' }).ageSeconds, undefined);
      // Started 5000 s after boot, by an uptime of 4000 s.
      const skewed = read({ ...SETUID, uptime: '4000.00 8000.00\n' });
      assert.equal(skewed.ageSeconds, 0);
      assert.equal(skewed.startedAt, READ_AT);
    });

    it('knows no reader without its status, and no names without passwd and group', () => {
      const details = read({ ...SETUID, reader: '', passwd: '', group: '' });
      assert.deepEqual(details.reader, { uid: undefined, canTrace: false });
      assert.equal(details.userNames.size, 0);
      assert.equal(details.groupNames.size, 0);
      // The reader's own files stand in only for an empty one.
      const own = read({ ...SETUID, 'reader-passwd': 'daemon:x:1:1::/:/bin/false\n' });
      assert.equal(own.userNames.get(0), 'root');
      assert.equal(own.userNames.get(1), undefined);
      const fallback = read({ ...SETUID, group: '', 'reader-group': 'wheel:x:27:\n' });
      assert.deepEqual([...fallback.groupNames], [[27, 'wheel']]);
    });

    it('renders no cgroup as none, and a cgroup v1 line per path with its hierarchies', () => {
      assert.deepEqual(section(render(read({ ...SETUID, cgroup: '' })), 'Control group'), [
        '  none',
      ]);
      assert.deepEqual(
        section(
          render(
            read({ ...SETUID, cgroup: '12:pids:/system.slice/ssh.service\n11:cpu,cpuacct:/\n' }),
          ),
          'Control group',
        ),
        ['  /system.slice/ssh.service  (pids)', '  /  (cpu,cpuacct)'],
      );
    });

    it('wraps capability names before a line passes 72 columns, not at it', () => {
      // Docker's default set with DAC_READ_SEARCH and NET_ADMIN added.
      const status = PASSWD_STATUS.replace(
        'CapEff:\t000001ffffffffff',
        'CapEff:\t00000000a80435ff',
      );
      const rows = section(render(read({ ...SETUID, status })), 'Capabilities');
      assert.deepEqual(rows.slice(0, 3), [
        '  Effective     CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, KILL, SETGID,',
        // 72 columns of names, then the comma.
        '                SETUID, SETPCAP, NET_BIND_SERVICE, NET_ADMIN, NET_RAW, SYS_CHROOT, MKNOD,',
        '                AUDIT_WRITE, SETFCAP',
      ]);
    });
  });

  describe('an environment that could not be read', () => {
    const refused = (error: string) =>
      read({ ...SETUID, environ: '', 'environ-error': error }).environment;

    it('tells permission, a process gone meanwhile, and other errors apart', () => {
      assert.equal(
        (refused("cat: can't open '4242/environ': Operation not permitted\n") as { reason: string })
          .reason,
        'permission',
      );
      assert.equal(
        (refused('cat: 4242/environ: permission denied\n') as { reason: string }).reason,
        'permission',
      );
      assert.deepEqual(refused("cat: can't open '4242/environ': No such file or directory\n"), {
        kind: 'unreadable',
        reason: 'gone',
        detail: "cat: can't open '4242/environ': No such file or directory",
      });
      assert.deepEqual(refused('cat: 4242/environ: No such process\n'), {
        kind: 'unreadable',
        reason: 'gone',
        detail: 'cat: 4242/environ: No such process',
      });
      assert.deepEqual(refused('cat: read error: Input/output error\ncat: second line\n'), {
        kind: 'unreadable',
        reason: 'other',
        detail: 'cat: read error: Input/output error',
      });
    });

    it('says why under the heading', () => {
      const gone = render(
        read({ ...SETUID, environ: '', 'environ-error': 'cat: No such process\n' }),
      );
      assert.deepEqual(section(gone, 'Environment'), ['⚠ the process ended']);
      const failed = render(
        read({ ...SETUID, environ: '', 'environ-error': 'cat: read error: Input/output error\n' }),
        { shared: true },
      );
      assert.deepEqual(section(failed, 'Environment'), [
        '⚠ every container can read /proc/4242/environ',
        'ℹ keep secrets in files',
        '⚠ error: cat: read error: Input/output error',
      ]);
    });
  });

  describe('an environment with odd entries', () => {
    const details = read({ ...SETUID, environ: 'HOME=/\0\0\0leftover title\0API_TOKEN=abc123\0' });

    it('masks an entry that is not NAME=VALUE until revealed', () => {
      assert.deepEqual(section(render(details), 'Environment · 3'), [
        'ℹ 2 masked',
        '  HOME=/',
        '  ••••••',
        '  API_TOKEN=••••••',
      ]);
      assert.deepEqual(section(render(details, {}, true), 'Environment · 3'), [
        '⚠ 2 shown',
        '  HOME=/',
        '  leftover title',
        '  API_TOKEN=abc123',
      ]);
    });

    it('escapes control characters in a value, an argument and the title', () => {
      const odd = read({ ...SETUID, environ: 'A=1\x1b[0m\0', cmdline: 'a\tb\0c\rd\0' });
      const text = render(odd);
      assert.deepEqual(section(text, 'Environment · 1'), ['  A=1\\x1b[0m']);
      assert.deepEqual(section(text, 'Command line'), ['  [0] a\\tb', '  [1] c\\rd']);
      assert.match(text, /^# PID 4242 · a\\tb c\\rd\n/);
    });
  });

  describe('a command line holding a secret', () => {
    const details = read({ ...SETUID, cmdline: 'mysql\0--user=app\0--password=hunter2\0orders\0' });

    it('masks it in the title always, and in the arguments until revealed', () => {
      const masked = render(details);
      assert.doesNotMatch(masked, /hunter2/);
      assert.deepEqual(section(masked, 'Command line').slice(0, 2), [
        '  [0] mysql',
        '  [1] --user=app',
      ]);
      assert.doesNotMatch(section(masked, 'Command line')[2], /hunter2/);
      const revealed = render(details, {}, true);
      assert.deepEqual(section(revealed, 'Command line'), [
        '  [0] mysql',
        '  [1] --user=app',
        '  [2] --password=hunter2',
        '  [3] orders',
      ]);
      assert.doesNotMatch(revealed.split('\n')[0], /hunter2/);
    });
  });

  it('writes every other control character as two hex digits', () => {
    assert.equal(escapeControls('\x00\x07\x1f\x85'), '\\x00\\x07\\x1f\\x85');
  });

  describe('framing', () => {
    it('accepts any nonce the kernel makes, in either case', () => {
      for (const nonce of [
        '09af09af-09af-09af-09af-09af09af09af',
        '0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0',
      ]) {
        assert.equal(parseProcessDetails(framed(SETUID, nonce), 4242, READ_AT).kind, 'details');
      }
    });

    it('takes nothing but a UUID as the nonce', () => {
      for (const nonce of [
        '',
        'x09af18be-27cd-36de-45ef-5a6b7c8d9e0f',
        '09af18be-27cd-36de-45ef-5a6b7c8d9e0fx',
        '09af18b-27cd-36de-45ef-5a6b7c8d9e0f',
        '09af18bee-27cd-36de-45ef-5a6b7c8d9e0f',
        '09af18be-27c-36de-45ef-5a6b7c8d9e0f',
        '09af18be-27cdd-36de-45ef-5a6b7c8d9e0f',
        '09af18be-27cd-36d-45ef-5a6b7c8d9e0f',
        '09af18be-27cd-36dee-45ef-5a6b7c8d9e0f',
        '09af18be-27cd-36de-45e-5a6b7c8d9e0f',
        '09af18be-27cd-36de-45eff-5a6b7c8d9e0f',
        '09af18be-27cd-36de-45ef-5a6b7c8d9e0',
        '09af18be-27cd-36de-45ef-5a6b7c8d9e0ff',
        '09ag18be-27cd-36de-45ef-5a6b7c8d9e0f',
        '09af18be-27cg-36de-45ef-5a6b7c8d9e0f',
        '09af18be-27cd-36dg-45ef-5a6b7c8d9e0f',
        '09af18be-27cd-36de-45eg-5a6b7c8d9e0f',
        '09af18be-27cd-36de-45ef-5a6b7c8d9e0g',
        '09af18be 27cd 36de 45ef 5a6b7c8d9e0f',
      ]) {
        assert.deepEqual(
          parseProcessDetails(framed(SETUID, nonce), 4242, READ_AT),
          { kind: 'incomplete' },
          nonce,
        );
      }
      // The listing's fallback frames carry a nonce too, under another header.
      const listing = framed(SETUID).toString('latin1').replace('ppe-details ', 'ppe-cmdline ');
      assert.deepEqual(parseProcessDetails(Buffer.from(listing, 'latin1'), 4242, READ_AT), {
        kind: 'incomplete',
      });
    });

    it('is whole when only the newline after the end marker is missing', () => {
      const whole = framed(SETUID);
      assert.equal(parseProcessDetails(whole.subarray(0, -1), 4242, READ_AT).kind, 'details');
      // Cut inside a section name: not whole.
      const cut = whole.subarray(0, whole.indexOf(`\n${NONCE} status\n`) + NONCE.length + 5);
      assert.deepEqual(parseProcessDetails(cut, 4242, READ_AT), { kind: 'incomplete' });
    });

    it('calls a process gone when stat is cut or status has no Uid', () => {
      const gone = { kind: 'gone' };
      assert.deepEqual(
        parseProcessDetails(framed({ ...SETUID, stat: '4242 (pass' }), 4242, 0),
        gone,
      );
      assert.deepEqual(
        parseProcessDetails(framed({ ...SETUID, stat: '4242 (passwd) S 4100 4242 4100' }), 4242, 0),
        gone,
      );
      assert.deepEqual(
        parseProcessDetails(framed({ ...SETUID, status: 'Name:\tpasswd\n' }), 4242, 0),
        gone,
      );
      // Twenty fields after comm reach the start time; nineteen do not.
      const twenty =
        '4242 (passwd) S 4100 4242 4100 34816 4242 4194560 120 0 0 0 1 0 0 0 20 0 1 0 500000';
      assert.equal(read({ ...SETUID, stat: twenty }).startTicks, 500000);
      assert.deepEqual(
        parseProcessDetails(framed({ ...SETUID, stat: twenty.replace(/ \d+$/, '') }), 4242, 0),
        gone,
      );
      // A comm holding ") (" ends at the last ')'.
      const odd = read({
        ...SETUID,
        stat: SETUID.stat.replace('(passwd)', '(pass) (wd)'),
      });
      assert.equal(odd.comm, 'pass) (wd');
      assert.equal(odd.ppid, 4100);
      assert.equal(odd.startTicks, 500000);
    });
  });
});

describe('processes: display width of translated labels', () => {
  // The first and last character of each wide block, and the narrow ones beside them.
  const blocks: [number, number][] = [
    [0x1100, 0x115f],
    [0x2e80, 0x303e],
    [0x3041, 0x33ff],
    [0x3400, 0x4dbf],
    [0x4e00, 0x9fff],
    [0xa000, 0xa4cf],
    [0xac00, 0xd7a3],
    [0xf900, 0xfaff],
    [0xfe30, 0xfe4f],
    [0xff00, 0xff60],
    [0xffe0, 0xffe6],
  ];

  it('counts two columns for each character of the East Asian wide blocks', () => {
    for (const [first, last] of blocks) {
      for (const code of [first, last]) {
        const char = String.fromCharCode(code);
        assert.equal(displayWidth(`${char}a${char}`), 5, code.toString(16));
      }
    }
  });

  it('counts one column for the characters just outside them', () => {
    const wide = new Set(blocks.flatMap(([first, last]) => [first, last]));
    for (const [first, last] of blocks) {
      for (const code of [first - 1, last + 1]) {
        if (!wide.has(code) && !blocks.some(([from, to]) => code >= from && code <= to)) {
          assert.equal(displayWidth(String.fromCharCode(code)), 1, code.toString(16));
        }
      }
    }
    assert.equal(displayWidth('Conteneur lu'), 12);
    assert.equal(displayWidth('容器 (读取)'), 11);
  });
});
