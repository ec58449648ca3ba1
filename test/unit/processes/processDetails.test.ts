import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  escapeControls,
  parseProcessDetails,
  processDetailsCommand,
  displayWidth,
  renderProcessDetails,
  type DetailsContext,
  type DetailsStrings,
  type ProcessDetails,
} from '../../../src/processes/processDetails';
import { DETAILS_STRINGS } from './processTestSupport';

const NONCE = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const READ_AT = Date.UTC(2026, 10, 23, 14, 0, 0);

/** Output as the script frames it: `\n<nonce> <section>\n<bytes>` … `\n<nonce> end\n`. */
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

const STATUS = `Name:\tnginx
State:\tS (sleeping)
PPid:\t0
Uid:\t101\t101\t101\t101
Gid:\t101\t101\t101\t101
Groups:\t101 4
Threads:\t1
VmRSS:\t    2048 kB
CapInh:\t0000000000000000
CapPrm:\t0000000000000000
CapEff:\t0000000000000000
CapBnd:\t00000000a80425fb
CapAmb:\t0000000000000000
`;

/** The nginx worker of the task page's pod, as the shell container reads it. */
const WORKER = {
  stat: '16 (nginx) S 11 11 11 0 -1 4194624 130 0 0 0 0 0 0 0 20 0 1 0 299020 10825728 512 18446744073709551615\n',
  status: STATUS,
  cmdline: 'nginx: worker process\0',
  cgroup: '0::/libpod_parent/abc/libpod-ef86\n',
  environ: 'PATH=/usr/sbin:/usr/bin\0DB_PASSWORD=hunter2\0NOTE=line1\nline2\x1b[31m\0',
  ns: [
    '4026531835 1/ns/cgroup',
    '4026532326 1/ns/mnt',
    '4026532329 1/ns/pid',
    '4026531835 16/ns/cgroup',
    '4026532331 16/ns/mnt',
    '4026532329 16/ns/pid',
    '4026532329 16/ns/pid_for_children',
    '',
  ].join('\n'),
  fd: '0\n1\n2\n3\n',
  uptime: '3020.00 5000.00\n',
  reader: 'Name:\tcat\nUid:\t0\t0\t0\t0\nCapEff:\t00000000a80c25fb\n',
  passwd: 'root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101::/var/lib/nginx:/bin/false\n',
  group: 'root:x:0:\nadm:x:4:nginx\nnginx:x:101:\n',
};

const CONTEXT: DetailsContext = {
  namespace: 'default',
  pod: 'nginx',
  container: 'nginx',
  isSandbox: false,
  isMain: false,
  shared: true,
  readFrom: 'shell',
};

function details(sections: Record<string, string | Buffer>, pid = 16): ProcessDetails {
  const reading = parseProcessDetails(framed(sections), pid, READ_AT);
  assert.equal(reading.kind, 'details');
  return reading.details;
}

describe('processes: process details', () => {
  it('parses every section: argv, ids with names, state, namespaces, files, capabilities', () => {
    const worker = details(WORKER);
    assert.deepEqual(
      {
        pid: worker.pid,
        ppid: worker.ppid,
        comm: worker.comm,
        state: worker.state,
        stateName: worker.stateName,
        argv: worker.argv,
        uids: worker.uids,
        groups: worker.groups,
        user: worker.userNames.get(101),
        group: worker.groupNames.get(4),
        threads: worker.threads,
        rssKiB: worker.rssKiB,
        startTicks: worker.startTicks,
        ageSeconds: worker.ageSeconds,
        startedAt: worker.startedAt,
        openFiles: worker.openFiles,
        cgroup: worker.cgroup,
        effective: worker.capabilities.effective?.names,
        bounding: worker.capabilities.bounding?.names.length,
        reader: worker.reader,
      },
      {
        pid: 16,
        ppid: 11,
        comm: 'nginx',
        state: 'S',
        stateName: 'sleeping',
        argv: ['nginx: worker process'],
        uids: [101, 101, 101, 101],
        groups: [101, 4],
        user: 'nginx',
        group: 'adm',
        threads: 1,
        rssKiB: 2048,
        startTicks: 299020,
        ageSeconds: 3020 - 2990.2,
        startedAt: READ_AT - (3020 - 2990.2) * 1000,
        openFiles: 4,
        cgroup: '0::/libpod_parent/abc/libpod-ef86',
        effective: [],
        bounding: 14,
        reader: { uid: 0, canTrace: true },
      },
    );
    assert.deepEqual(worker.namespaces, [
      { type: 'pid', inode: '4026532329', pid1Inode: '4026532329' },
      { type: 'mnt', inode: '4026532331', pid1Inode: '4026532326' },
      { type: 'cgroup', inode: '4026531835', pid1Inode: '4026531835' },
    ]);
    assert.deepEqual(
      worker.environment.kind === 'variables' &&
        worker.environment.variables.map(({ name, secret }) => [name, secret]),
      [
        ['PATH', false],
        ['DB_PASSWORD', true],
        ['NOTE', false],
      ],
    );
  });

  it('says why a reader without SYS_PTRACE sees no environment, namespaces or files', () => {
    const denied = details({
      ...WORKER,
      environ: '',
      'environ-error': "cat: can't open '16/environ': Permission denied\n",
      ns: '4026531835 1/ns/cgroup\n',
      fd: "ls: can't open '16/fd': Permission denied\n",
      reader: 'Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\n',
      passwd: '',
      'reader-passwd': 'root:x:0:0::/:/bin/sh\n',
    });
    assert.deepEqual(denied.environment, {
      kind: 'unreadable',
      reason: 'permission',
      detail: "cat: can't open '16/environ': Permission denied",
    });
    assert.deepEqual(denied.namespaces, []);
    assert.equal(denied.openFiles, undefined);
    assert.deepEqual(denied.reader, { uid: 1000, canTrace: false });
    // Names from the reader's /etc/passwd when the process's root is not readable.
    assert.equal(denied.userNames.get(0), 'root');
    assert.equal(denied.userNames.get(101), undefined);
  });

  it('tells a process that is gone from output that was cut or forged', () => {
    assert.deepEqual(parseProcessDetails(framed({ stat: '', status: '' }), 16, READ_AT), {
      kind: 'gone',
    });
    const whole = framed(WORKER);
    assert.deepEqual(parseProcessDetails(whole.subarray(0, whole.length - 10), 16, READ_AT), {
      kind: 'incomplete',
    });
    assert.deepEqual(parseProcessDetails(Buffer.from('sh: cat: not found\n'), 16, READ_AT), {
      kind: 'incomplete',
    });
    // A process cannot know the nonce: its own "sections" stay inside its environ.
    const forged = details({
      ...WORKER,
      environ: `A=1\0B=\n00000000-0000-0000-0000-000000000000 end\n\0`,
    });
    assert.equal(forged.environment.kind, 'variables');
    assert.equal(forged.openFiles, 4);
  });

  it('lines values up under labels in Japanese, where a kana or kanji takes two columns', () => {
    assert.equal(displayWidth('コンテナ'), 8);
    assert.equal(displayWidth('親 PID'), 6);
    assert.equal(displayWidth('Pod'), 3);
    const japanese: DetailsStrings = {
      ...DETAILS_STRINGS,
      labels: { ...DETAILS_STRINGS.labels, container: 'コンテナ', readFrom: '読み取り元コンテナ' },
    };
    const rows = renderProcessDetails(details(WORKER), CONTEXT, false, japanese)
      .split('\n')
      .slice(2, 5);
    assert.deepEqual(rows, [
      '  Pod                 default/nginx',
      '  コンテナ            nginx',
      '  読み取り元コンテナ  shell',
    ]);
  });

  it('renders the document with secrets masked until revealed', () => {
    const worker = details(WORKER);
    const masked = renderProcessDetails(worker, CONTEXT, false, DETAILS_STRINGS);
    assert.equal(
      masked,
      `# PID 16 · nginx: worker process

  Pod                  default/nginx
  Container            nginx
  Read from container  shell

## Command line
  [0] nginx: worker process

## Process
  PID                   16
  Parent PID            11
  State                 S (sleeping)
  User                  101 (nginx)
  Group                 101 (nginx)
  Supplementary groups  101 (nginx), 4 (adm)
  Started               2026-11-23 13:59:30 UTC · running for 00:29
  Threads               1
  Memory (RSS)          2.0 MiB
  Open files            4

## Namespaces
  pid     4026532329
  mnt     4026532331  ≠ PID 1: 4026532326
  cgroup  4026531835

## Control group
  /libpod_parent/abc/libpod-ef86  (v2)

## Capabilities
  Effective     none
  Permitted     none
  Inheritable   none
  Bounding set  CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP,
                NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP
  Ambient       none

## Environment · 3
⚠ every container can read /proc/16/environ
ℹ keep secrets in files
ℹ 1 masked
  PATH=/usr/sbin:/usr/bin
  DB_PASSWORD=••••••
  NOTE=line1\\nline2\\x1b[31m
`,
    );
    assert.doesNotMatch(masked, /hunter2/);
    const revealed = renderProcessDetails(worker, CONTEXT, true, DETAILS_STRINGS);
    assert.match(revealed, /^ {2}DB_PASSWORD=hunter2$/m);
    assert.match(revealed, /^⚠ 1 shown$/m);
  });

  it('renders the sandbox, a main process, a rewritten title and a refused environment', () => {
    const master = details(
      {
        ...WORKER,
        stat: '11 (nginx) S 0 11 11 0 -1 4194560 1470 0 1 0 1 1 0 0 20 0 1 0 298989 10502144 1693\n',
        status: STATUS.replace('Groups:\t101 4', 'Groups:\t').replace(/\t101/g, '\t0'),
        cmdline: 'nginx: master process nginx -g daemon off;\0',
        environ: Buffer.concat([Buffer.from(' nginx -g daemon off;'), Buffer.alloc(71)]),
      },
      11,
    );
    const text = renderProcessDetails(
      master,
      { ...CONTEXT, isMain: true, shared: false },
      false,
      DETAILS_STRINGS,
    );
    assert.match(text, /^ {2}Container {12}nginx · main process$/m);
    assert.match(text, /^ {2}Parent PID {12}0 · outside$/m);
    assert.match(text, /^ {2}Supplementary groups {2}none$/m);
    assert.match(text, /^ℹ PID 11 rewrote its title: " nginx -g daemon off;"$/m);
    assert.doesNotMatch(text, /every container can read/, 'no banner when nothing is shared');
    assert.doesNotMatch(text, /daemon off;=/);

    const refused = renderProcessDetails(
      details({
        ...WORKER,
        environ: '',
        'environ-error': "cat: can't open '16/environ': Permission denied\n",
        ns: '',
        reader: 'Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\n',
      }),
      { ...CONTEXT, container: undefined, isSandbox: true, readFrom: 'debug' },
      false,
      DETAILS_STRINGS,
    );
    assert.match(refused, /^ {2}Container {12}pod sandbox \(pause\)$/m);
    assert.match(refused, /^⚠ not readable from debug$/m);
    assert.match(refused, /^⚠ denied: 16 uid 101 from debug uid 1000 trace false$/m);
  });

  it('groups cgroup v1 hierarchies by path, and names a full capability set by its count', () => {
    const text = renderProcessDetails(
      details({
        ...WORKER,
        cgroup: '2:cpu,cpuacct:/kubepods/pod1/abc\n1:name=systemd:/kubepods/pod1/abc\n0::/\n',
        status: STATUS.replace('CapBnd:\t00000000a80425fb', 'CapBnd:\t000001ffffffffff'),
      }),
      CONTEXT,
      false,
      DETAILS_STRINGS,
    );
    assert.match(
      text,
      /^## Control group\n {2}\/kubepods\/pod1\/abc {2}\(cpu,cpuacct, name=systemd\)\n {2}\/ {2}\(v2\)\n/m,
    );
    assert.match(text, /^ {2}Bounding set {2}all 41$/m);
  });

  it('escapes control characters so each argument and variable stays on its line', () => {
    assert.equal(escapeControls('a\nb\tc\r\x1b\x7f'), 'a\\nb\\tc\\r\\x1b\\x7f');
    assert.equal(escapeControls('naïve ✓'), 'naïve ✓');
  });

  const shells = [['/bin/sh'], ...(existsSync('/bin/busybox') ? [['/bin/busybox', 'sh']] : [])];
  for (const shell of shells) {
    it(`reads a live process through ${shell.join(' ')}: argv, environment, namespaces, files`, async () => {
      const idle = 'setTimeout(() => undefined, 60_000)';
      const child: ChildProcess = spawn(process.execPath, ['-e', idle, 'two words'], {
        env: { PATH: process.env.PATH, DB_PASSWORD: 's3cret', ODD: 'a\nb' },
        stdio: 'ignore',
      });
      try {
        await new Promise((resolve, reject) => {
          child.once('spawn', resolve);
          child.once('error', reject);
        });
        const pid = child.pid as number;
        const [, , script, ...args] = processDetailsCommand(pid);
        const stdout = execFileSync(shell[0], [...shell.slice(1), '-c', script, ...args]);
        const reading = parseProcessDetails(stdout, pid, Date.now());
        assert.equal(reading.kind, 'details');
        const live = reading.details;
        assert.deepEqual(live.argv, [process.execPath, '-e', idle, 'two words']);
        assert.equal(live.ppid, process.pid);
        assert.equal(live.uids[0], process.getuid?.());
        assert.deepEqual(live.environment, {
          kind: 'variables',
          variables: [
            { name: 'PATH', value: process.env.PATH, secret: false },
            { name: 'DB_PASSWORD', value: 's3cret', secret: true },
            { name: 'ODD', value: 'a\nb', secret: false },
          ],
        });
        assert.ok(live.namespaces.some((ns) => ns.type === 'pid'));
        assert.ok((live.openFiles ?? 0) >= 3);
      } finally {
        child.kill();
      }
    });
  }

  it('reports a PID with no process as gone', () => {
    const [, , script, ...args] = processDetailsCommand(4194304);
    const stdout = execFileSync('/bin/sh', ['-c', script, ...args]);
    assert.deepEqual(parseProcessDetails(stdout, 4194304, READ_AT), { kind: 'gone' });
  });
});
