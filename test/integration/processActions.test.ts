import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SignalOutcome } from '../../src/processActions/sendSignal';
import type { ProcessTreeNode } from '../../src/tree/treeNodes';
import { kubectl } from './sandboxControl';
import {
  children,
  newWorkerOf,
  nginxMaster,
  podTree,
  whenDocument,
  whenProcess,
} from './treeTestSupport';

const DEADLINE_MS = 30_000;
const SECRET = 'hunter2-s3cret';

/**
 * A pod of our own: `app` runs nginx as root (an image with neither shell nor kill), `worker` runs
 * as UID 1000 with a password in its environment, and `debug`, the shell the extension lists
 * processes from (stdin and tty), runs as UID 1000 without CAP_KILL and without SYS_PTRACE.
 */
const SIGNALS_POD = `apiVersion: v1
kind: Pod
metadata:
  name: signals
spec:
  shareProcessNamespace: true
  containers:
    - name: app
      image: nginx
    - name: worker
      image: busybox
      command: ["sleep", "3600"]
      env:
        - name: DB_PASSWORD
          value: ${SECRET}
        - name: DB_USER
          value: app
      securityContext:
        runAsUser: 1000
    - name: debug
      image: busybox
      stdin: true
      tty: true
      securityContext:
        runAsUser: 1000
        capabilities:
          drop: [KILL]
`;

const byArgv =
  (...argv: string[]) =>
  (processes: ProcessTreeNode[]) =>
    processes.find((node) => node.process.argv.join('\0') === argv.join('\0'));

describe('process actions against the sandbox cluster', function () {
  this.timeout(DEADLINE_MS * 4);
  let scratch: string;

  before(async () => {
    await podTree();
    scratch = mkdtempSync(join(tmpdir(), 'ppe-actions-test-'));
    writeFileSync(join(scratch, 'signals.yaml'), SIGNALS_POD);
    await kubectl('apply', '-f', join(scratch, 'signals.yaml'));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await kubectl('delete', 'pod', 'signals', '--wait=false');
    rmSync(scratch, { recursive: true, force: true });
  });

  it('sends HUP to the nginx master, and the tree shows the new worker’s PID', async () => {
    const master = await whenProcess('nginx', 'nginx', 'the nginx master', nginxMaster);
    const workers = (await children(master)).flatMap((node) =>
      node.kind === 'process' ? [node.process.pid] : [],
    );
    assert.ok(workers.length > 0);
    const outcome = await vscode.commands.executeCommand<SignalOutcome>(
      'podProcessExplorer.sendSignal',
      master,
      'HUP',
    );
    assert.equal(outcome.status, 'sent', outcome.message);
    assert.equal(outcome.from, 'shell', 'sent from the container the processes are listed from');
    assert.match(outcome.message ?? '', /Sent HUP to PID \d+ \(nginx: master process/);
    await whenProcess('nginx', 'nginx', 'a new worker', newWorkerOf(master, workers));
  });

  it('says a process that has exited is gone (ESRCH)', async () => {
    await whenProcess('signals', 'worker', 'the worker', byArgv('sleep', '3600'));
    await kubectl(
      'exec',
      'signals',
      '-c',
      'worker',
      '--',
      'sh',
      '-c',
      'sleep 1000 </dev/null >/dev/null 2>&1 &',
    );
    const sleeper = await whenProcess('signals', 'worker', 'sleep 1000', byArgv('sleep', '1000'));
    const killed = await vscode.commands.executeCommand<SignalOutcome>(
      'podProcessExplorer.sendSignal',
      sleeper,
      'KILL',
    );
    assert.equal(killed.status, 'sent', killed.message);
    assert.equal(killed.from, 'debug', 'the same user (UID 1000) needs no CAP_KILL');
    await whenProcess('signals', 'worker', 'sleep 1000 gone', (processes) =>
      byArgv('sleep', '1000')(processes) ? undefined : processes[0],
    );
    const again = await vscode.commands.executeCommand<SignalOutcome>(
      'podProcessExplorer.sendSignal',
      sleeper,
      'TERM',
    );
    assert.equal(again.status, 'gone');
    assert.match(again.message ?? '', /PID \d+ \(sleep 1000\) has exited/);
  });

  it('explains EPERM: another user’s process from a container without CAP_KILL', async () => {
    const master = await whenProcess('signals', 'app', 'nginx in app', nginxMaster);
    assert.equal(master.process.uid, 0);
    const outcome = await vscode.commands.executeCommand<SignalOutcome>(
      'podProcessExplorer.sendSignal',
      master,
      'HUP',
    );
    assert.equal(outcome.status, 'notPermitted', outcome.message);
    const message = outcome.message ?? '';
    assert.match(message, /not permitted from container "debug"/);
    assert.match(message, /UID 0\) or CAP_KILL/);
    assert.match(
      message,
      /Container "app" runs as that user or as root but has no shell, and not both kill and cat/,
    );
  });

  it('masks DB_PASSWORD in the details, and reveals and masks it on the commands', async () => {
    const sleeper = await whenProcess('signals', 'worker', 'the worker', byArgv('sleep', '3600'));
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'podProcessExplorer.showProcessDetails',
      sleeper,
    );
    assert.ok(uri, 'the details document opened');
    const document = vscode.workspace.textDocuments.find(
      (candidate) => candidate.uri.toString() === uri.toString(),
    );
    assert.equal(document?.languageId, 'pod-process-details');
    const masked = document.getText();
    assert.match(masked, /^# PID \d+ · sleep 3600$/m);
    assert.match(masked, /^ {2}Container +worker · main process$/m);
    assert.match(masked, /^ {2}Read from container +debug$/m);
    assert.match(masked, /^ {2}DB_PASSWORD=••••••$/m);
    assert.match(masked, /^ {2}DB_USER=app$/m);
    assert.match(masked, /^⚠ Every container of this pod can read this environment/m);
    assert.doesNotMatch(masked, new RegExp(SECRET));

    assert.equal(
      await vscode.commands.executeCommand('podProcessExplorer.revealSecrets', uri),
      true,
    );
    await whenDocument(uri, 'the password', (text) => text.includes(`DB_PASSWORD=${SECRET}\n`));
    assert.equal(await vscode.commands.executeCommand('podProcessExplorer.maskSecrets', uri), true);
    await whenDocument(uri, 'the password masked', (text) => !text.includes(SECRET));
  });

  it('says nginx rewrote its environment, instead of showing its title as variables', async () => {
    const master = await whenProcess('nginx', 'nginx', 'the nginx master', nginxMaster);
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'podProcessExplorer.showProcessDetails',
      master,
    );
    assert.ok(uri);
    const text = await whenDocument(uri, 'the details', (content) => content.includes('## '));
    assert.match(text, /^ℹ The process rewrote its title over its environment/m);
    assert.doesNotMatch(text, /daemon off;=/);
    assert.match(text, /^ {2}Effective +CHOWN, DAC_OVERRIDE, .*\bKILL\b/m);
  });
});
