import assert from 'node:assert/strict';
import {
  containerIdFromStatus,
  containerIdInCgroup,
  cpuPercent,
  nestProcesses,
  placeProcesses,
} from '../../../src/processes/containerMapping';
import { parseProcessListing } from '../../../src/processes/processListing';
import type { ProcessNode } from '../../../src/processes/types';
import { fixtureBytes, fixtureJson, pids, podInput, processInfo } from './processTestSupport';

interface CgroupForms {
  readonly ids: string[];
  readonly cases: { form: string; cgroup: string; expect: string | null }[];
}

const NGINX = 'db6f335abb2153b7d344b0294d976e589ae1af54fc7e968631d9d7f7ef02316b';
const SHELL = 'e24bcacb1afe4d114d7863cbe94a212c6bb3923241a3a760d8dd841bdd9e3d68';

/** `pid(children…)` of a tree, compact enough to compare whole. */
function shape(nodes: readonly ProcessNode[]): string[] {
  return nodes.map((node) =>
    node.children.length === 0
      ? String(node.process.pid)
      : `${node.process.pid}(${shape(node.children).join(' ')})`,
  );
}

describe('processes: container mapping', () => {
  describe('containerIdFromStatus', () => {
    it('strips every runtime scheme', () => {
      for (const scheme of ['containerd', 'cri-o', 'docker', 'podman', 'libpod']) {
        assert.equal(containerIdFromStatus(`${scheme}://${NGINX}`), NGINX);
      }
    });

    it('lower-cases and refuses what is not an ID', () => {
      assert.equal(containerIdFromStatus(`containerd://${NGINX.toUpperCase()}`), NGINX);
      assert.equal(containerIdFromStatus(''), undefined);
      assert.equal(containerIdFromStatus(undefined), undefined);
      assert.equal(containerIdFromStatus('containerd://'), undefined);
      assert.equal(containerIdFromStatus('containerd://not-an-id'), undefined);
    });
  });

  describe('containerIdInCgroup', () => {
    const forms = fixtureJson<CgroupForms>('handwritten-cgroup-forms.json');
    const ids = new Set(forms.ids);
    for (const { form, cgroup, expect } of forms.cases) {
      it(form, () => {
        assert.equal(containerIdInCgroup(cgroup, ids), expect ?? undefined);
      });
    }

    it('finds the IDs of the recorded sandbox pod (podman, hybrid cgroup v1)', () => {
      const listing = parseProcessListing(fixtureBytes('busybox-shared-pod.bin'));
      const known = new Set([NGINX, SHELL]);
      const found = listing.processes.map((p) => containerIdInCgroup(p.cgroup, known));
      assert.deepEqual(found, [
        undefined,
        NGINX,
        NGINX,
        ...Array<string>(11).fill(SHELL),
        undefined,
      ]);
    });
  });

  describe('placeProcesses', () => {
    const busybox = parseProcessListing(fixtureBytes('busybox-shared-pod.bin'));

    it('places the recorded task page pod: sandbox, nginx, shell', () => {
      const placed = placeProcesses(busybox, podInput('busybox-shared-pod.pod.json', 'shell'));
      assert.equal(placed.sandbox?.pid, 1);
      assert.equal(placed.sandbox?.commandLine, '/catatonit -P');
      assert.deepEqual([...placed.byContainer.keys()], ['nginx', 'shell', 'debugger']);
      assert.deepEqual(pids(placed.byContainer.get('debugger')), [83]);
      assert.deepEqual(pids(placed.byContainer.get('nginx')), [6, 11]);
      assert.deepEqual(
        pids(placed.byContainer.get('shell')),
        [12, 51, 52, 53, 54, 55, 58, 59, 60, 70, 72],
      );
      assert.deepEqual(placed.unknown, []);
      assert.deepEqual(
        [...placed.mainPid],
        [
          ['nginx', 6],
          ['shell', 12],
          ['debugger', 83],
        ],
      );
      assert.ok([...placed.evidence.values()].every((how) => how === 'cgroup'));
    });

    it('calls PID 1 the sandbox only in a shared pod', () => {
      const input = { ...podInput('busybox-shared-pod.pod.json'), shareProcessNamespace: false };
      const placed = placeProcesses(busybox, input);
      assert.equal(placed.sandbox, undefined);
      assert.deepEqual(pids(placed.unknown), [1]);
    });

    it('places a process in PID 1 by its cgroup, not as the sandbox', () => {
      const app = processInfo({ pid: 1, cgroup: `0::/kubepods/pod1/${NGINX}` });
      const placed = placeProcesses(
        { processes: [app] },
        {
          shareProcessNamespace: true,
          containers: [{ name: 'app', kind: 'container', containerId: NGINX }],
        },
      );
      assert.equal(placed.sandbox, undefined);
      assert.deepEqual(pids(placed.byContainer.get('app')), [1]);
    });

    it('places an ephemeral container’s processes (recorded, no SYS_PTRACE)', () => {
      const listing = parseProcessListing(fixtureBytes('busybox-ephemeral-no-ptrace.bin'));
      const input = podInput('busybox-shared-pod.pod.json', 'debugger');
      assert.deepEqual(
        input.containers.map((c) => `${c.name}:${c.kind}`),
        ['nginx:container', 'shell:container', 'debugger:ephemeral'],
      );
      const placed = placeProcesses(listing, input);
      assert.deepEqual(pids(placed.byContainer.get('debugger')), [83]);
      assert.equal(placed.mainPid.get('debugger'), 83);
      assert.equal(placed.byContainer.get('shell')?.length, 11);
      assert.deepEqual(placed.unknown, []);
    });

    it('never guesses: a container without an ID in its status leaves its processes unknown', () => {
      const input = podInput('busybox-shared-pod.pod.json');
      const withoutShellId = {
        ...input,
        containers: input.containers.map((c) =>
          c.name === 'shell' ? { name: c.name, kind: c.kind } : c,
        ),
      };
      const placed = placeProcesses(busybox, withoutShellId);
      assert.deepEqual(placed.byContainer.get('shell'), []);
      assert.deepEqual(pids(placed.unknown), [12, 51, 52, 53, 54, 55, 58, 59, 60, 70, 72]);
      assert.equal(placed.mainPid.has('shell'), false);
    });

    describe('containerd, cgroup v2, private cgroup namespace (hand-written)', () => {
      const listing = parseProcessListing(
        fixtureBytes('handwritten-containerd-v2-private-cgroupns.bin'),
      );
      const pod = 'handwritten-containerd-v2-private-cgroupns.pod.json';

      it('places the exec’d container’s own processes (0::/) through the listing shell', () => {
        const placed = placeProcesses(listing, podInput(pod, 'shell'));
        assert.equal(placed.sandbox?.commandLine, '/pause');
        assert.deepEqual(pids(placed.byContainer.get('nginx')), [7, 8]);
        assert.deepEqual(pids(placed.byContainer.get('shell')), [20, 33, 34]);
        assert.deepEqual(placed.byContainer.get('debugger'), []);
        assert.equal(placed.evidence.get(33), 'cgroup');
        // 34 sits in a sub-cgroup: only its mount namespace places it.
        assert.equal(placed.evidence.get(34), 'mountNamespace');
        // 40: a container the status does not name yet; 41: nothing readable.
        assert.deepEqual(pids(placed.unknown), [40, 41]);
        assert.deepEqual(
          [...placed.mainPid],
          [
            ['nginx', 7],
            ['shell', 20],
          ],
        );
      });

      it('leaves them unknown when the listing container is not given', () => {
        const placed = placeProcesses(listing, podInput(pod));
        assert.deepEqual(placed.byContainer.get('shell'), []);
        assert.deepEqual(pids(placed.unknown), [20, 33, 34, 40, 41]);
      });

      it('ignores a listing shell whose cgroup names another container', () => {
        const lister = {
          pid: 50,
          cgroup: `0::/../cri-containerd-${'bf3b6e142ac32394f05cc8afec86e02d7e7a3fa3867dc44352cdb3c01588c75f'}.scope`,
        };
        const placed = placeProcesses({ ...listing, lister }, podInput(pod, 'shell'));
        assert.deepEqual(placed.byContainer.get('shell'), []);
      });
    });

    describe('mount namespace fallback', () => {
      const containers = [
        { name: 'a', kind: 'container' as const, containerId: NGINX },
        { name: 'b', kind: 'sidecar' as const, containerId: SHELL },
      ];

      it('uses a namespace only when processes of exactly one container hold it', () => {
        const processes = [
          processInfo({ pid: 5, cgroup: `0::/${NGINX}`, mountNamespace: '100' }),
          processInfo({ pid: 6, cgroup: `0::/${SHELL}`, mountNamespace: '100' }),
          processInfo({ pid: 7, cgroup: `0::/${SHELL}`, mountNamespace: '200' }),
          processInfo({ pid: 8, cgroup: '0::/', mountNamespace: '100' }),
          processInfo({ pid: 9, cgroup: '0::/', mountNamespace: '200' }),
        ];
        const placed = placeProcesses({ processes }, { shareProcessNamespace: true, containers });
        assert.deepEqual(pids(placed.byContainer.get('b')), [6, 7, 9]);
        assert.deepEqual(pids(placed.unknown), [8]);
      });

      it('does not chain from a process placed by namespace alone', () => {
        const processes = [
          processInfo({ pid: 5, cgroup: `0::/${NGINX}`, mountNamespace: '100' }),
          processInfo({ pid: 6, cgroup: '0::/', mountNamespace: '100' }),
          processInfo({ pid: 7, cgroup: '0::/' }),
        ];
        const placed = placeProcesses({ processes }, { shareProcessNamespace: true, containers });
        assert.deepEqual(pids(placed.byContainer.get('a')), [5, 6]);
        assert.deepEqual(pids(placed.unknown), [7]);
      });
    });

    it('picks as main process the lowest PID whose parent is in another container', () => {
      const processes = [
        processInfo({ pid: 3, ppid: 0, cgroup: `0::/${NGINX}` }),
        processInfo({ pid: 4, ppid: 3, cgroup: `0::/${SHELL}` }),
        processInfo({ pid: 5, ppid: 4, cgroup: `0::/${SHELL}` }),
        processInfo({ pid: 9, ppid: 0, cgroup: `0::/${SHELL}` }),
      ];
      const placed = placeProcesses(
        { processes },
        {
          shareProcessNamespace: true,
          containers: [
            { name: 'a', kind: 'container', containerId: NGINX },
            { name: 'b', kind: 'container', containerId: SHELL },
          ],
        },
      );
      assert.equal(placed.mainPid.get('a'), 3);
      assert.equal(placed.mainPid.get('b'), 4);
    });

    it('maps the pod’s processes seen from the host PID namespace too (recorded GNU host)', () => {
      const listing = parseProcessListing(fixtureBytes('gnu-host-trimmed.bin'));
      const placed = placeProcesses(listing, podInput('busybox-shared-pod.pod.json'));
      assert.deepEqual(pids(placed.byContainer.get('nginx')), [12205, 12222]);
      assert.equal(placed.byContainer.get('shell')?.[0].pid, 12228);
      assert.equal(placed.sandbox, undefined);
      assert.ok(placed.unknown.some((p) => p.commandLine === '/catatonit -P'));
      assert.ok(placed.unknown.some((p) => p.commandLine === '[kthreadd]'));
    });
  });

  describe('nestProcesses', () => {
    it('nests the recorded shell container by parent, children by PID', () => {
      const busybox = parseProcessListing(fixtureBytes('busybox-shared-pod.bin'));
      const placed = placeProcesses(busybox, podInput('busybox-shared-pod.pod.json'));
      assert.deepEqual(shape(nestProcesses(placed.byContainer.get('shell') ?? [])), [
        '12',
        '51',
        '52(60)',
        '53',
        '54(58)',
        '55(59)',
        '70(72)',
      ]);
      assert.deepEqual(shape(nestProcesses(placed.byContainer.get('nginx') ?? [])), ['6(11)']);
    });

    it('cuts cycles and ignores a process that names itself its parent', () => {
      const processes = [
        processInfo({ pid: 4, ppid: 3 }),
        processInfo({ pid: 3, ppid: 5 }),
        processInfo({ pid: 5, ppid: 4 }),
        processInfo({ pid: 6, ppid: 6 }),
        processInfo({ pid: 7, ppid: 5 }),
      ];
      const tree = nestProcesses(processes);
      assert.deepEqual(shape(tree), ['3(4(5(7)))', '6']);
    });

    it('nests a parent chain 20,000 deep, each process under its parent', () => {
      const depth = 20_000;
      const chain = Array.from({ length: depth }, (_, index) =>
        processInfo({ pid: index + 2, ppid: index + 1 }),
      );
      let node = nestProcesses(chain.reverse())[0];
      let seen = 1;
      while (node.children.length > 0) {
        assert.equal(node.children[0].process.ppid, node.process.pid);
        node = node.children[0];
        seen++;
      }
      assert.equal(seen, depth);
    });

    it('returns an empty forest for no processes', () => {
      assert.deepEqual(nestProcesses([]), []);
    });
  });

  describe('cpuPercent', () => {
    const before = processInfo({ pid: 10, startTicks: 500, cpuTicks: 1000 });

    it('is the share of one CPU between two samples of one process', () => {
      const after = { ...before, cpuTicks: 1150 };
      assert.equal(cpuPercent(before, after, 2, 100), 75);
      assert.equal(cpuPercent(before, { ...before, cpuTicks: 1400 }, 2, 100), 200);
    });

    it('is undefined without a matching earlier sample', () => {
      const after = { ...before, cpuTicks: 1150 };
      assert.equal(cpuPercent(undefined, after, 2, 100), undefined);
      assert.equal(cpuPercent(before, { ...after, startTicks: 900 }, 2, 100), undefined);
      assert.equal(cpuPercent(before, { ...after, pid: 11 }, 2, 100), undefined);
      assert.equal(cpuPercent(before, after, 0, 100), undefined);
      assert.equal(cpuPercent(before, { ...after, cpuTicks: 10 }, 2, 100), undefined);
    });
  });
});
