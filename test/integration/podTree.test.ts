import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { kubectl, sandboxCli } from './sandboxControl';
import {
  children,
  label,
  listedInside,
  namespaceNode,
  podNamed,
  podTree,
  whenTree,
} from './treeTestSupport';

const DEADLINE_MS = 30_000;

describe('the Pod Processes tree against the sandbox cluster', function () {
  this.timeout(DEADLINE_MS * 3);
  let scratch: string;

  before(async () => {
    await podTree();
    scratch = mkdtempSync(join(tmpdir(), 'ppe-tree-test-'));
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('shows the task page pod: PID 1 as the sandbox, nginx master and worker under nginx, sh under shell', async () => {
    const pod = await whenTree('the nginx pod', () => podNamed('nginx'));
    const inside = await listedInside(pod);
    const sandbox = inside.find((node) => node.kind === 'sandbox');
    assert.ok(sandbox?.kind === 'sandbox', 'PID 1 is shown as the pod sandbox');
    assert.equal(sandbox.process.pid, 1);
    const containers = inside.filter((node) => node.kind === 'container');
    assert.deepEqual(
      containers.map((node) => label(node)),
      ['nginx', 'shell'],
    );
    const [nginx, shell] = containers;
    assert.ok(nginx.kind === 'container' && shell.kind === 'container');
    assert.ok(
      shell.inspector,
      'processes are read from the shell container (stdin, tty, SYS_PTRACE)',
    );

    const [master, ...otherRoots] = await children(nginx);
    assert.deepEqual(otherRoots, [], 'the worker is nested under the master');
    assert.ok(master.kind === 'process');
    assert.match(master.process.commandLine, /^nginx: master process/);
    assert.equal(master.process.uid, 0);
    const workers = await children(master);
    assert.ok(workers.length >= 1);
    for (const worker of workers) {
      assert.ok(worker.kind === 'process');
      assert.match(worker.process.commandLine, /^nginx: worker process/);
      assert.equal(worker.process.uid, 101);
      assert.equal(worker.process.ppid, master.process.pid);
    }

    const shellProcesses = await children(shell);
    assert.ok(
      shellProcesses.some((node) => node.kind === 'process' && node.process.argv[0] === 'sh'),
      `sh runs in shell: ${shellProcesses.map(label).join(', ')}`,
    );
    const podItem = (await podTree()).getTreeItem(pod) as vscode.TreeItem;
    assert.match(String(podItem.description), /Running · 2 containers · \d+ processes/);
  });

  it('shows a pod kubectl creates, and drops it when kubectl deletes it, without a refresh', async () => {
    const manifest = join(scratch, 'sidecar.yaml');
    writeFileSync(
      manifest,
      `apiVersion: v1
kind: Pod
metadata:
  name: tree-live
spec:
  shareProcessNamespace: true
  containers:
    - name: app
      image: busybox
      command: ["sleep", "3600"]
`,
    );
    await whenTree('the namespace', () => namespaceNode());
    await kubectl('apply', '-f', manifest);
    await whenTree('the created pod', () => podNamed('tree-live'));
    await kubectl('delete', 'pod', 'tree-live', '--wait=false');
    await whenTree('the pod gone', async () => ((await podNamed('tree-live')) ? undefined : true));
  });

  it('says exec is forbidden when RBAC forbids it, instead of offering processes @sandbox', async () => {
    await sandboxCli('faults', '--forbid-exec');
    try {
      await vscode.commands.executeCommand('podProcessExplorer.refresh');
      const pod = await whenTree('the nginx pod', () => podNamed('nginx'));
      const message = (await children(pod)).find((node) => node.kind === 'message');
      assert.ok(message?.kind === 'message', 'a message explains why there are no processes');
      assert.match(message.message, /Forbidden/);
      assert.match(message.message, /pods\/exec/);
    } finally {
      await sandboxCli('faults', '--allow-exec');
      await vscode.commands.executeCommand('podProcessExplorer.refresh');
    }
    await listedInside(await whenTree('the nginx pod', () => podNamed('nginx')));
  });

  it('shows the error while the API restarts, and recovers by itself @sandbox', async () => {
    const namespace = await whenTree('the namespace', () => namespaceNode());
    await whenTree('the nginx pod', () => podNamed('nginx'));
    let sawError = false;
    const restarted = sandboxCli('restart');
    const recovered = whenTree('the error, then the pods again', async () => {
      const nodes = await children(namespace);
      if (nodes.some((node) => node.kind === 'message' && node.severity === 'error')) {
        sawError = true;
        return undefined;
      }
      return sawError && nodes.some((node) => node.kind === 'pod' && node.name === 'nginx')
        ? true
        : undefined;
    });
    await restarted;
    await recovered;
  });
});
