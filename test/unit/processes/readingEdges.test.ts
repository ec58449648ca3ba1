import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { nestProcesses, placeProcesses } from '../../../src/processes/containerMapping';
import { ephemeralStartState, unchangedForDebugging } from '../../../src/processes/debugContainer';
import { isSharedPod, podContainers } from '../../../src/processes/podContainers';
import { parseProcessDetails, processDetailsCommand } from '../../../src/processes/processDetails';
import { parseProcessListing } from '../../../src/processes/processListing';
import { parseSignal, signalSenders } from '../../../src/processes/signals';
import { pids, processInfo } from './processTestSupport';

// Inputs at the edge of what the readers accept: sections or fields missing, headers and
// prefixes that are almost right, pods without spec, status or metadata.

const NONCE = '09af18be-27cd-36de-45ef-5a6b7c8d9e0f';
const STAT =
  '4242 (passwd) S 4100 4242 4100 34816 4242 4194560 120 0 0 0 1 0 0 0 20 0 1 0 500000 9306112 928 0';

function framed(sections: Record<string, string>): Buffer {
  return Buffer.from(
    [
      `ppe-details ${NONCE}\n`,
      ...Object.entries(sections).map(([name, content]) => `\n${NONCE} ${name}\n${content}`),
      `\n${NONCE} end\n`,
    ].join(''),
  );
}

function listing(lines: string[]): ReturnType<typeof parseProcessListing> {
  return parseProcessListing(Buffer.from([...lines, 'ppe-mountns', 'ppe-end', ''].join('\n')));
}

function statLine(pid: number | string, ppid = 1): string {
  return `${pid} (sleep) S ${ppid} 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 5000 1000000 200 0`;
}

describe('processes: reading at the edges', () => {
  describe('process details', () => {
    it('runs as the argv it gives, with the PID as the script’s argument', () => {
      const stdout = execFileSync(
        processDetailsCommand(4194304)[0],
        processDetailsCommand(4194304).slice(1),
      );
      assert.deepEqual(parseProcessDetails(stdout, 4194304, 0), { kind: 'gone' });
    });

    it('reads stat and status alone, and calls no sections at all gone', () => {
      assert.deepEqual(parseProcessDetails(framed({}), 4242, 0), { kind: 'gone' });
      const reading = parseProcessDetails(
        framed({ stat: STAT, status: 'Uid:\t1000\t1000\t1000\t1000\nThreads:\t12\n' }),
        4242,
        0,
      );
      assert.equal(reading.kind, 'details');
      const details = reading.details;
      assert.deepEqual(
        [details.comm, details.uids, details.threads, details.argv, details.cgroup],
        ['passwd', [1000, 1000, 1000, 1000], 12, [], ''],
      );
      assert.equal(details.ageSeconds, undefined);
      assert.deepEqual(details.namespaces, []);
      assert.equal(details.userNames.size, 0);
      assert.deepEqual(details.reader, { uid: undefined, canTrace: false });
      assert.deepEqual(details.environment, { kind: 'empty' });
    });

    it('takes no name whose id is not a number', () => {
      const reading = parseProcessDetails(
        framed({
          stat: STAT,
          status: 'Uid:\t1000\t1000\t1000\t1000\n',
          passwd:
            'a10:x:a10:1::/:/bin/false\nb11:x:11b:1::/:/bin/false\nalice:x:1000:1000::/:/bin/sh\n',
        }),
        4242,
        0,
      );
      assert.equal(reading.kind, 'details');
      assert.deepEqual([...reading.details.userNames], [[1000, 'alice']]);
    });
  });

  describe('process listing', () => {
    const process10 = [`10/stat:${statLine(10)}`, '10/status:Uid:\t0\t0\t0\t0'];

    it('takes no lines under a name that is not `<pid>/<file>`', () => {
      const result = listing([
        'ppe-listing 900',
        ...process10,
        `a11/stat:${statLine(11)}`,
        'a11/status:Uid:\t0\t0\t0\t0',
        `12/stat.old:${statLine(12)}`,
        '12/status.old:Uid:\t0\t0\t0\t0',
      ]);
      assert.deepEqual(pids(result.processes), [10]);
    });

    it('trusts no listing shell PID that is not a whole number', () => {
      for (const header of ['12.5', '99999999999999999999', '-5']) {
        const result = listing([`ppe-listing ${header}`, ...process10]);
        assert.equal(result.listerPid, undefined, header);
      }
    });

    it('takes no user or process whose number has letters after it', () => {
      const result = listing([
        'ppe-listing 900',
        ...process10,
        `25/stat:${statLine('25x')}`,
        '25/status:Uid:\t0\t0\t0\t0',
        `26/stat:${statLine(26)}`,
        '26/status:Uid:\t7x\t0\t0\t0',
        '/etc/passwd:svc:x:7x:7::/:/bin/false',
        '/etc/passwd:root:x:0:0::/root:/bin/sh',
      ]);
      assert.deepEqual(pids(result.processes), [10]);
      assert.equal(result.processes[0].user, 'root');
    });

    it('marks no command line unread for a stray line, nor for a kernel thread grep passed', () => {
      const stray = listing(['ppe-listing 900', ...process10, 'Killed']);
      assert.equal(stray.processes[0].commandLineUnread, undefined);
      // Glob order 1, 12, 15, 2: 12 (a kernel thread) was read and empty, 2 was not reached.
      const cut = listing([
        'ppe-listing 900',
        ...[1, 12, 15, 2].flatMap((pid) => [
          `${pid}/stat:${statLine(pid, 0)}`,
          `${pid}/status:Uid:\t0\t0\t0\t0`,
        ]),
        '1/cmdline:/sbin/init\0',
        '15/cmdline:sleep\x001000\0',
        'ppe-cmdline-cut 137',
      ]);
      assert.deepEqual(
        cut.processes.map((process) => [process.pid, process.commandLineUnread === true]),
        [
          [1, false],
          [2, true],
          [12, false],
          [15, false],
        ],
      );
    });

    it('gives a process no mount namespace key when it could not be read', () => {
      const result = listing(['ppe-listing 900', ...process10]);
      assert.equal('mountNamespace' in result.processes[0], false);
    });
  });

  describe('placing and nesting', () => {
    it('takes no mount namespace from a listing shell whose cgroup names another container', () => {
      const app = 'bf3b6e142ac32394f05cc8afec86e02d7e7a3fa3867dc44352cdb3c01588c75f';
      const placed = placeProcesses(
        {
          processes: [processInfo({ pid: 30, cgroup: '0::/', mountNamespace: '30' })],
          lister: { pid: 99, cgroup: `0::/kubepods/pod1/${app}`, mountNamespace: '30' },
        },
        {
          shareProcessNamespace: false,
          containers: [
            { name: 'app', kind: 'container', containerId: app },
            { name: 'shell', kind: 'container' },
          ],
          listedFrom: 'shell',
        },
      );
      assert.deepEqual(pids(placed.unknown), [30]);
    });

    it('nests three generations, each under its parent', () => {
      const tree = nestProcesses([
        processInfo({ pid: 3, ppid: 2 }),
        processInfo({ pid: 2, ppid: 1 }),
        processInfo({ pid: 1, ppid: 0 }),
      ]);
      assert.equal(tree.length, 1);
      assert.equal(tree[0].children[0].process.pid, 2);
      assert.equal(tree[0].children[0].children[0].process.pid, 3);
    });
  });

  describe('pods without spec, status or metadata', () => {
    it('reads as no containers, not shared, and not the pod that was shown', () => {
      assert.deepEqual(podContainers({}), []);
      assert.equal(isSharedPod({}), false);
      assert.equal(unchangedForDebugging({ metadata: { uid: 'u1' } }, {}), false);
      assert.equal(unchangedForDebugging({}, { metadata: { uid: 'u1' } }), false);
      const running: { metadata: { uid: string }; status: { phase: string } } = {
        metadata: { uid: 'u1' },
        status: { phase: 'Running' },
      };
      assert.equal(unchangedForDebugging(running, { ...running }), true);
    });

    it('finds the named container’s state among several, and waits on a state not yet set', () => {
      const pod = {
        status: {
          ephemeralContainerStatuses: [
            { name: 'debugger-aaaaa', state: { running: {} } },
            { name: 'debugger-bbbbb', state: {} },
          ],
        },
      };
      assert.deepEqual(ephemeralStartState(pod, 'debugger-bbbbb'), {
        kind: 'waiting',
        reason: undefined,
      });
      assert.deepEqual(ephemeralStartState(pod, 'debugger-aaaaa'), { kind: 'running' });
    });

    it('knows the containers earlier versions added, by their marker variable', () => {
      const [added] = podContainers({
        spec: {
          containers: [],
          ephemeralContainers: [
            {
              name: 'debugger-aaaaa',
              env: [{ name: 'POD_PROCESS_EXPLORER_DEBUG', value: 'general' }],
            },
          ],
        },
      });
      assert.equal(added.addedForDebugging, true);
    });
  });

  describe('signals', () => {
    it('refuses a signal with a dash or SIG inside it', () => {
      assert.equal(parseSignal('1-5'), undefined);
      assert.equal(parseSignal('HUPSIG'), undefined);
    });

    it('sends as the target’s user from its own container first', () => {
      const containers = [
        { name: 'sidecar', running: true, uid: 1000 },
        { name: 'app', running: true, uid: 1000 },
        { name: 'tools', running: true, uid: 1000 },
      ];
      assert.deepEqual(
        signalSenders({
          inspector: undefined,
          processContainer: 'app',
          targetUid: 1000,
          containers,
        }),
        ['app', 'sidecar', 'tools'],
      );
      assert.deepEqual(
        signalSenders({
          inspector: undefined,
          processContainer: 'tools',
          targetUid: 1000,
          containers,
        }),
        ['tools', 'sidecar', 'app'],
      );
    });
  });
});
