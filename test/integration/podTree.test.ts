import * as assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { PodProcessExplorerApi } from '../../src/extension';
import type { PodTreeNode } from '../../src/tree/treeNodes';
import { kubectl, sandboxCli } from './sandboxControl';
import {
  children,
  extensionApi,
  label,
  listedInside,
  namespaceNode,
  podNamed,
  podTree,
  whenTree,
} from './treeTestSupport';

const DEADLINE_MS = 30_000;

/** Resolves after `count` listings of the nginx pod's processes (the interval refresh's ticks). */
function nginxTicks(api: PodProcessExplorerApi, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const deadline = setTimeout(() => {
      subscription?.dispose();
      reject(new Error(`${count} refreshes of nginx not within ${DEADLINE_MS} ms (${seen})`));
    }, DEADLINE_MS);
    const subscription = api.podTree.onDidChangeTreeData?.((changed) => {
      const nodes = (Array.isArray(changed) ? changed : [changed]) as (PodTreeNode | undefined)[];
      if (nodes.some((node) => node?.kind === 'pod' && node.name === 'nginx')) {
        seen += 1;
        if (seen >= count) {
          clearTimeout(deadline);
          subscription?.dispose();
          resolve();
        }
      }
    });
  });
}

/** A figure for the suite's report (PPE_TEST_REPORT), beside mocha's output. */
function report(line: string): void {
  const file = process.env.PPE_TEST_REPORT;
  if (file) {
    appendFileSync(file, `      ${line}\n`);
  }
}

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

  it('a pod deleted while its processes and files are shown: gone from the tree, no more execs on refresh ticks, its files say why @sandbox', async () => {
    const manifest = join(scratch, 'doomed.yaml');
    writeFileSync(
      manifest,
      `apiVersion: v1
kind: Pod
metadata:
  name: doomed
spec:
  shareProcessNamespace: true
  terminationGracePeriodSeconds: 0
  containers:
    - name: app
      image: busybox
      command: ["sleep", "3600"]
`,
    );
    await kubectl('apply', '-f', manifest);
    const api = await extensionApi();
    const nginx = await whenTree('the nginx pod', () => podNamed('nginx'));
    const doomed = await whenTree('the created pod', () => podNamed('doomed'));
    const inside = await listedInside(doomed);
    const app = inside.find((node) => node.kind === 'container' && node.container.name === 'app');
    assert.ok(app, 'container app is listed');
    const root = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'podProcessExplorer.browseContainerFilesystem',
      app,
      'none',
    );
    assert.ok(root, 'the command returned the root');
    assert.ok((await vscode.workspace.fs.readDirectory(root.with({ path: '/etc' }))).length > 0);
    // Both pods expanded in the real view, listed again every second.
    await vscode.commands.executeCommand('podProcessExplorer.pods.focus');
    await api.podView.reveal(nginx, { expand: true });
    await api.podView.reveal(doomed, { expand: true });
    const settings = vscode.workspace.getConfiguration('podProcessExplorer');
    await settings.update('processes.refreshInterval', 1, vscode.ConfigurationTarget.Global);
    try {
      await kubectl('delete', 'pod', 'doomed', '--wait=false');
      await whenTree('the pod gone', async () => ((await podNamed('doomed')) ? undefined : true));
      const execsOf = async () =>
        (JSON.parse(await sandboxCli('streams')) as Record<string, { exec: number }>)[
          'default/doomed'
        ]?.exec ?? 0;
      await nginxTicks(api, 1);
      const before = await execsOf();
      await nginxTicks(api, 3);
      assert.equal(await execsOf(), before, 'no exec into the deleted pod on three refresh ticks');
      await assert.rejects(
        Promise.resolve(vscode.workspace.fs.readDirectory(root.with({ path: '/etc' }))),
        (error: unknown) => {
          assert.ok(error instanceof vscode.FileSystemError, String(error));
          assert.match(error.message, /doomed/);
          assert.match(error.message, /not found|deleted|no longer/i);
          return true;
        },
      );
    } finally {
      await settings.update(
        'processes.refreshInterval',
        undefined,
        vscode.ConfigurationTarget.Global,
      );
    }
  });

  it('shows the error through an API outage, retries every 4 s at most, recovers, and leaves no promise unhandled @sandbox', async () => {
    const namespace = await whenTree('the namespace', () => namespaceNode());
    await whenTree('the nginx pod', () => podNamed('nginx'));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const retries = new Set<number>();
    try {
      let back: number | undefined;
      const outage = sandboxCli('restart', '--down-seconds', '12').then(() => {
        back = Date.now();
      });
      let sawError = false;
      await whenTree('the error, then the pods again', async () => {
        const nodes = await children(namespace);
        const error = nodes.find((node) => node.kind === 'message' && node.severity === 'error');
        if (error?.kind === 'message') {
          sawError = true;
          const retry = /Retrying in (\d+) s/.exec(error.message);
          assert.ok(retry, `the error says when it retries: ${error.message}`);
          retries.add(Number(retry[1]));
          return undefined;
        }
        return sawError && nodes.some((node) => node.kind === 'pod' && node.name === 'nginx')
          ? true
          : undefined;
      });
      await outage;
      report(
        `API outage of 12 s: retries announced in ${[...retries].sort().join(', ')} s; ` +
          `pods shown again ${back === undefined ? '?' : Date.now() - back} ms after the API's return`,
      );
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.ok(
      [...retries].every((seconds) => seconds <= 4),
      `a retry at most every 4 s while the API is down, so the tree is back within 5 s of it: ${[...retries].join(', ')}`,
    );
    assert.deepEqual(unhandled.map(String), [], 'no unhandled promise rejection');
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
