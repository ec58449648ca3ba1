import assert from 'node:assert/strict';
import {
  containerIdFromStatus,
  containerIdInCgroup,
  cpuPercent,
  nestProcesses,
  placeProcesses,
} from '../../../src/processes/containerMapping';
import type { ContainerIdentity, ProcessNode } from '../../../src/processes/types';
import { pids, processInfo } from './processTestSupport';

// Written cases beside containerMapping.test.ts's recorded pods: the rules one at a time.

const APP = 'bf3b6e142ac32394f05cc8afec86e02d7e7a3fa3867dc44352cdb3c01588c75f';
const SIDECAR = '142c889b0ec126d5253a4c966c2ac7ac1447fccb840f3d231bc241c3fcfeedc0';
const POD_PATH = '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6f1c2a9e.slice';

const containers: ContainerIdentity[] = [
  { name: 'app', kind: 'container', containerId: APP },
  { name: 'sidecar', kind: 'sidecar', containerId: SIDECAR },
  { name: 'shell', kind: 'container' },
];

const scope = (id: string) => `0::${POD_PATH}/cri-containerd-${id}.scope`;

function shape(nodes: readonly ProcessNode[]): string[] {
  return nodes.map((node) =>
    node.children.length === 0
      ? String(node.process.pid)
      : `${node.process.pid}(${shape(node.children).join(' ')})`,
  );
}

describe('processes: container mapping rules', () => {
  describe('container IDs', () => {
    it('takes an ID without a scheme, and trims the status’s', () => {
      assert.equal(containerIdFromStatus(APP), APP);
      assert.equal(containerIdFromStatus(` containerd://${APP}\n`), APP);
      assert.equal(containerIdFromStatus(`cri-o://${APP.toUpperCase()}`), APP);
    });

    it('refuses an ID with anything but hex before or after', () => {
      assert.equal(containerIdFromStatus(`containerd://${APP}-init`), undefined);
      assert.equal(containerIdFromStatus(`containerd://sha-${APP}`), undefined);
      assert.equal(containerIdFromStatus('containerd://g'), undefined);
    });

    it('reads an ID in capitals in a cgroup path', () => {
      assert.equal(containerIdInCgroup(scope(APP.toUpperCase()), new Set([APP])), APP);
    });

    it('reads the last line’s path whatever the controllers, and skips lines without one', () => {
      const ids = new Set([APP, SIDECAR]);
      assert.equal(containerIdInCgroup(`1:name=systemd:${POD_PATH}/${APP}`, ids), APP);
      assert.equal(containerIdInCgroup(`${APP}\n0::/`, ids), undefined);
      assert.equal(containerIdInCgroup(`0:${APP}`, ids), undefined);
      // The same ID on every v1 hierarchy is no contradiction.
      assert.equal(
        containerIdInCgroup(`3:memory:/kubepods/${APP}\n2:cpu:/kubepods/${APP}\n1:pids:/`, ids),
        APP,
      );
      assert.equal(containerIdInCgroup(`0::/kubepods/${APP}.scope-`, ids), undefined);
    });
  });

  describe('placing by cgroup and through the listing shell', () => {
    it('places by a capitalised ID in the pod’s status', () => {
      const placed = placeProcesses(
        { processes: [processInfo({ pid: 7, cgroup: scope(APP) })] },
        {
          shareProcessNamespace: false,
          containers: [{ name: 'app', kind: 'container', containerId: APP.toUpperCase() }],
        },
      );
      assert.deepEqual(pids(placed.byContainer.get('app')), [7]);
      assert.equal(placed.evidence.get(7), 'cgroup');
    });

    it('places the shell container’s processes by the listing shell’s cgroup and namespace', () => {
      const processes = [
        processInfo({ pid: 1, ppid: 0, cgroup: '0::/', mountNamespace: '10' }),
        processInfo({ pid: 7, ppid: 0, cgroup: scope(APP), mountNamespace: '20' }),
        processInfo({ pid: 30, ppid: 0, cgroup: '0::/shell', mountNamespace: '30' }),
        processInfo({ pid: 31, ppid: 30, cgroup: '0::/shell/sub', mountNamespace: '30' }),
        processInfo({ pid: 32, ppid: 30, cgroup: '0::/other', mountNamespace: '40' }),
      ];
      const placed = placeProcesses(
        { processes, lister: { pid: 99, cgroup: '0::/shell', mountNamespace: '30' } },
        { shareProcessNamespace: true, containers, listedFrom: 'shell' },
      );
      assert.equal(placed.sandbox?.pid, 1);
      assert.deepEqual(pids(placed.byContainer.get('app')), [7]);
      assert.deepEqual(pids(placed.byContainer.get('shell')), [30, 31]);
      assert.deepEqual(pids(placed.byContainer.get('sidecar')), []);
      assert.deepEqual(pids(placed.unknown), [32]);
      assert.deepEqual(
        [...placed.evidence],
        [
          [7, 'cgroup'],
          [30, 'cgroup'],
          [31, 'mountNamespace'],
        ],
      );
      assert.deepEqual(
        [...placed.mainPid],
        [
          ['app', 7],
          ['shell', 30],
        ],
      );
    });

    it('places by the listing shell’s mount namespace alone when its cgroup file was empty', () => {
      const processes = [
        processInfo({ pid: 30, cgroup: '', mountNamespace: '30' }),
        processInfo({ pid: 40, cgroup: '', mountNamespace: '40' }),
      ];
      const placed = placeProcesses(
        { processes, lister: { pid: 99, cgroup: '', mountNamespace: '30' } },
        { shareProcessNamespace: false, containers, listedFrom: 'shell' },
      );
      assert.deepEqual(pids(placed.byContainer.get('shell')), [30]);
      assert.equal(placed.evidence.get(30), 'mountNamespace');
      assert.deepEqual(pids(placed.unknown), [40]);
    });

    it('takes a listing shell whose cgroup names its own container', () => {
      const processes = [processInfo({ pid: 8, cgroup: '0::/', mountNamespace: '20' })];
      const placed = placeProcesses(
        { processes, lister: { pid: 99, cgroup: scope(APP), mountNamespace: '20' } },
        { shareProcessNamespace: false, containers, listedFrom: 'app' },
      );
      assert.deepEqual(pids(placed.byContainer.get('app')), [8]);
    });

    it('takes no listing shell from a container the pod does not have, or without one', () => {
      const processes = [processInfo({ pid: 30, cgroup: '0::/shell', mountNamespace: '30' })];
      const lister = { pid: 99, cgroup: '0::/shell', mountNamespace: '30' };
      for (const listedFrom of ['debugger', undefined]) {
        const placed = placeProcesses(
          { processes, lister },
          { shareProcessNamespace: false, containers, ...(listedFrom ? { listedFrom } : {}) },
        );
        assert.deepEqual(pids(placed.unknown), [30], String(listedFrom));
      }
      const noLister = placeProcesses(
        { processes },
        { shareProcessNamespace: false, containers, listedFrom: 'shell' },
      );
      assert.deepEqual(pids(noLister.unknown), [30]);
    });

    it('leaves a namespace two containers hold unplaced, and lists every container in order', () => {
      const processes = [
        processInfo({ pid: 5, cgroup: scope(APP), mountNamespace: '50' }),
        processInfo({ pid: 6, cgroup: scope(SIDECAR), mountNamespace: '50' }),
        processInfo({ pid: 9, cgroup: '0::/', mountNamespace: '50' }),
      ];
      const placed = placeProcesses({ processes }, { shareProcessNamespace: false, containers });
      assert.deepEqual([...placed.byContainer.keys()], ['app', 'sidecar', 'shell']);
      assert.deepEqual(pids(placed.unknown), [9]);
      assert.equal(placed.evidence.has(9), false);
    });

    it('sorts each container’s processes and the unknown ones by PID', () => {
      const processes = [
        processInfo({ pid: 20, ppid: 0, cgroup: scope(APP) }),
        processInfo({ pid: 8, ppid: 20, cgroup: scope(APP) }),
        processInfo({ pid: 15, cgroup: '0::/' }),
        processInfo({ pid: 3, cgroup: '0::/' }),
      ];
      const placed = placeProcesses({ processes }, { shareProcessNamespace: false, containers });
      assert.deepEqual(pids(placed.byContainer.get('app')), [8, 20]);
      assert.deepEqual(pids(placed.unknown), [3, 15]);
      // 8 is the lower PID, but its parent is in the container: 20 is the main process.
      assert.equal(placed.mainPid.get('app'), 20);
      assert.equal(placed.mainPid.has('sidecar'), false);
      assert.equal('sandbox' in placed, false);
    });
  });

  describe('nesting', () => {
    it('keeps the first of two samples of one PID', () => {
      const tree = nestProcesses([
        processInfo({ pid: 2, ppid: 1, comm: 'first' }),
        processInfo({ pid: 1, ppid: 0 }),
        processInfo({ pid: 2, ppid: 1, comm: 'second' }),
      ]);
      assert.deepEqual(shape(tree), ['1(2)']);
      assert.equal(tree[0].children[0].process.comm, 'first');
    });

    it('roots a process whose parent is outside the set, children in PID order', () => {
      const tree = nestProcesses([
        processInfo({ pid: 40, ppid: 10 }),
        processInfo({ pid: 12, ppid: 10 }),
        processInfo({ pid: 10, ppid: 3 }),
        processInfo({ pid: 50, ppid: 7 }),
      ]);
      assert.deepEqual(shape(tree), ['10(12 40)', '50']);
    });

    it('cuts a two-process cycle once, keeping the rest of the tree', () => {
      const tree = nestProcesses([
        processInfo({ pid: 8, ppid: 9 }),
        processInfo({ pid: 9, ppid: 8 }),
        processInfo({ pid: 10, ppid: 9 }),
      ]);
      assert.deepEqual(shape(tree), ['8(9(10))']);
    });
  });

  describe('CPU use', () => {
    const before = processInfo({ pid: 10, startTicks: 500, cpuTicks: 1000 });

    it('is 0 % for a process that used no CPU between the samples', () => {
      assert.equal(cpuPercent(before, { ...before }, 2, 100), 0);
      assert.equal(cpuPercent(before, { ...before, cpuTicks: 1001 }, 0.5, 100), 2);
      assert.equal(cpuPercent(before, { ...before, cpuTicks: 1100 }, 1, 250), 40);
    });

    it('is undefined for no clock ticks or an interval that is not a positive number', () => {
      const after = { ...before, cpuTicks: 1150 };
      assert.equal(cpuPercent(before, after, 2, 0), undefined);
      assert.equal(cpuPercent(before, after, 2, Number.NaN), undefined);
      assert.equal(cpuPercent(before, after, Number.NaN, 100), undefined);
      assert.equal(cpuPercent(before, after, -1, 100), undefined);
    });
  });
});
