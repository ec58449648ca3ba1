import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DebugContainerOutcome } from '../../src/debug/addDebugContainer';
import type { SignalOutcome } from '../../src/processActions/sendSignal';
import { parseRootAuthority } from '../../src/procfs/procfsUri';
import type { PodTreeNode } from '../../src/tree/treeNodes';
import { kubectl, sandboxCli } from './sandboxControl';
import {
  children,
  newWorkerOf,
  nginxMaster,
  podNamed,
  podTree,
  whenProcess,
  whenTree,
} from './treeTestSupport';

const DEADLINE_MS = 30_000;
const POD = 'distroless';
const SOLO_POD = 'distroless-solo';

/**
 * A pod as most are: no shared process namespace. Its app container's image (the sandbox's nginx)
 * has no shell; its sidecar has one, but sees only its own PID namespace.
 */
const ISOLATED_POD = `apiVersion: v1
kind: Pod
metadata:
  name: ${POD}
spec:
  containers:
    - name: web
      image: nginx
    - name: sidecar
      image: busybox
      command: ["sleep", "3600"]
`;

/** No container with a shell at all: nothing can list its processes until a debug container joins. */
const SOLO_POD_MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: ${SOLO_POD}
spec:
  containers:
    - name: web
      image: nginx
`;

interface PodJson {
  spec: {
    ephemeralContainers?: {
      name: string;
      image: string;
      stdin?: boolean;
      tty?: boolean;
      targetContainerName?: string;
      env?: { name: string; value?: string }[];
      securityContext?: {
        runAsNonRoot?: boolean;
        allowPrivilegeEscalation?: boolean;
        capabilities?: { add?: string[]; drop?: string[] };
        seccompProfile?: { type: string };
      };
    }[];
  };
}

async function podNode(): Promise<PodTreeNode> {
  return whenTree(`pod ${POD}`, () => podNamed(POD));
}

// eslint-disable-next-line no-control-regex -- a prompt may be followed by escape sequences
const PROMPT_AT_END = /[#$] (\x1b\[[0-9;]*[A-Za-z])*$/;

/** Resolves with the text the terminal has shown once it matches, typing `command` until then. */
function typeUntil(terminal: vscode.Terminal, command: string, answer: RegExp): Promise<string> {
  const pty = (terminal.creationOptions as vscode.ExtensionTerminalOptions).pty;
  return new Promise((resolve, reject) => {
    let text = '';
    const subscription = pty.onDidWrite((data) => {
      text += data;
      if (answer.test(text)) {
        finish();
        resolve(text);
      } else if (PROMPT_AT_END.test(text)) {
        // A prompt without the answer: the attach's resize redraw swallowed what was typed.
        terminal.sendText(command);
      }
    });
    const deadline = setTimeout(() => {
      finish();
      reject(new Error(`no ${String(answer)} on ${terminal.name}: ${JSON.stringify(text)}`));
    }, DEADLINE_MS);
    const finish = () => {
      clearTimeout(deadline);
      subscription.dispose();
    };
    terminal.sendText(command);
  });
}

describe('debug containers against the sandbox cluster', function () {
  this.timeout(DEADLINE_MS * 6);
  let scratch: string;
  let debuggerName = '';

  before(async () => {
    await podTree();
    scratch = mkdtempSync(join(tmpdir(), 'ppe-debug-test-'));
    writeFileSync(join(scratch, 'distroless.yaml'), ISOLATED_POD);
    writeFileSync(join(scratch, 'solo.yaml'), SOLO_POD_MANIFEST);
    await kubectl(
      'apply',
      '-f',
      join(scratch, 'distroless.yaml'),
      '-f',
      join(scratch, 'solo.yaml'),
    );
    await vscode.commands.executeCommand('podProcessExplorer.showAllPods');
  });

  after(async () => {
    await vscode.commands.executeCommand('podProcessExplorer.showSharedPods');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await kubectl('delete', 'pod', POD, SOLO_POD, '--wait=false');
    rmSync(scratch, { recursive: true, force: true });
  });

  it('offers Add Debug Container on a container whose PID namespace has no shell', async () => {
    const web = await whenTree('web marked shell-less', async () => {
      const pod = await podNamed(SOLO_POD);
      const nodes = pod ? await children(pod) : [];
      return nodes.find(
        (node) => node.kind === 'container' && node.container.name === 'web' && node.noShell,
      );
    });
    const [message] = await children(web);
    assert.ok(message?.kind === 'message', 'web says why it shows no processes');
    assert.equal(message.key, 'processes-error');
    assert.match(message.message, /No container in the PID namespace of web has a shell/);
    assert.equal(message.action?.command, 'podProcessExplorer.addDebugContainer');
    assert.equal(message.action?.arguments?.[0], web, 'the action targets web');
  });

  it('lists what the sidecar sees in its own namespace, and offers a debug container on web, which has no shell', async () => {
    const web = await whenTree('web marked shell-less', async () => {
      const pod = await podNamed(POD);
      const nodes = pod ? await children(pod) : [];
      return nodes.find(
        (node) => node.kind === 'container' && node.container.name === 'web' && node.noShell,
      );
    });
    const [message] = await children(web);
    assert.ok(message?.kind === 'message', 'web says why it shows no processes');
    assert.match(message.message, /No container in the PID namespace of web has a shell/);
    assert.equal(message.action?.command, 'podProcessExplorer.addDebugContainer');
    assert.equal(message.action?.arguments?.[0], web, 'the action targets web');
    // The sidecar's own PID namespace: its sleep is PID 1 there.
    const sleep = await whenProcess(POD, 'sidecar', 'sleep in sidecar', (processes) =>
      processes.find((node) => node.process.commandLine === 'sleep 3600'),
    );
    assert.equal(sleep.process.pid, 1);
  });

  it('adds a busybox debug container targeting web and attaches a terminal to it', async () => {
    // Run on the web container, as its inline action does: web is the target.
    const web = (await children(await podNode())).find(
      (node) => node.kind === 'container' && node.container.name === 'web',
    );
    const outcome = await vscode.commands.executeCommand<DebugContainerOutcome>(
      'podProcessExplorer.addDebugContainer',
      web,
      { image: 'busybox', profile: 'general' },
    );
    assert.equal(outcome.status, 'added', 'message' in outcome ? outcome.message : '');
    assert.ok(outcome.status === 'added');
    debuggerName = outcome.container;
    assert.match(debuggerName, /^debugger-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    // kubectl, an independent client, sees it as `kubectl debug -it --target web` would add it.
    const pod = JSON.parse(await kubectl('get', 'pod', POD, '-o', 'json')) as PodJson;
    const added = pod.spec.ephemeralContainers?.find((c) => c.name === debuggerName);
    assert.ok(added, JSON.stringify(pod.spec.ephemeralContainers));
    assert.equal(added.image, 'busybox');
    assert.equal(added.targetContainerName, 'web');
    assert.equal(added.stdin, true);
    assert.equal(added.tty, true);
    assert.deepEqual(added.securityContext?.capabilities?.add, ['SYS_PTRACE']);
    assert.ok(added.env?.some((env) => env.name === 'POD_PROCESS_EXPLORER_DEBUG'));

    // The terminal is attached to the debug shell, in web's PID namespace: nginx is PID 1 there.
    const terminal = outcome.terminal;
    assert.ok(terminal, 'a terminal was attached');
    await typeUntil(terminal, 'cat /proc/1/cmdline; echo', /nginx: master process/);
    terminal.dispose();
  });

  it('shows the debug container in the tree and lists nginx master and worker through it', async () => {
    const node = await whenTree('the debug container', async () => {
      const pod = await podNamed(POD);
      const nodes = pod ? await children(pod) : [];
      return nodes.find(
        (child) =>
          child.kind === 'container' &&
          child.container.name === debuggerName &&
          child.container.state === 'running',
      );
    });
    assert.ok(node.kind === 'container');
    assert.equal(node.container.kind, 'ephemeral');
    assert.equal(node.container.addedForDebugging, true);
    const master = await whenProcess(POD, 'web', 'the nginx master under web', nginxMaster);
    const workers = (await children(master)).filter(
      (child) => child.kind === 'process' && child.process.commandLine === 'nginx: worker process',
    );
    assert.ok(workers.length > 0, 'a worker under the master');
    assert.equal(master.process.pid, 1, 'nginx is PID 1 of web’s namespace');
    const inspectors = (await children(await podNode())).flatMap((child) =>
      child.kind === 'container' && child.inspector ? [child.container.name] : [],
    );
    assert.deepEqual(inspectors, [debuggerName], 'web’s processes are listed through it');
    // The sidecar's namespace is still listed, beside web's: PID 1 there is its sleep.
    const sleep = await whenProcess(POD, 'sidecar', 'sleep in sidecar', (processes) =>
      processes.find((process) => process.process.commandLine === 'sleep 3600'),
    );
    assert.equal(sleep.process.pid, 1);
  });

  it('shows the sidecar’s PID 1 read from the sidecar, not from web’s namespace', async () => {
    const sleep = await whenProcess(POD, 'sidecar', 'sleep in sidecar', (processes) =>
      processes.find((process) => process.process.commandLine === 'sleep 3600'),
    );
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'podProcessExplorer.showProcessDetails',
      sleep,
    );
    assert.ok(uri, 'the details document opened');
    const text = (await vscode.workspace.openTextDocument(uri)).getText();
    assert.match(text, /^# PID 1 · sleep 3600/m);
    assert.match(text, /^ {2}Read from container +sidecar$/m);
  });

  it('reads nginx.conf through /proc/<pid>/root of the master', async () => {
    const master = await whenProcess(POD, 'web', 'the nginx master', nginxMaster);
    const root = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'podProcessExplorer.browseContainerFilesystem',
      master,
      'none',
    );
    assert.ok(root, 'the command returned the root');
    const authority = parseRootAuthority(root.authority);
    assert.equal(authority?.pid, master.process.pid);
    const conf = await vscode.workspace.fs.readFile(root.with({ path: '/etc/nginx/nginx.conf' }));
    assert.match(Buffer.from(conf).toString('utf8'), /^user nginx;/m);
  });

  it('shows the master’s details read through it', async () => {
    const master = await whenProcess(POD, 'web', 'the nginx master', nginxMaster);
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'podProcessExplorer.showProcessDetails',
      master,
    );
    assert.ok(uri, 'the details document opened');
    const document = await vscode.workspace.openTextDocument(uri);
    const text = document.getText();
    assert.match(text, /^# PID 1 · nginx: master process/m);
    assert.match(text, new RegExp(`^ {2}Read from container +${debuggerName}$`, 'm'));
  });

  it('sends HUP to the master through it, and the tree shows a new worker', async () => {
    const master = await whenProcess(POD, 'web', 'the nginx master', nginxMaster);
    const workers = (await children(master)).flatMap((node) =>
      node.kind === 'process' ? [node.process.pid] : [],
    );
    const outcome = await vscode.commands.executeCommand<SignalOutcome>(
      'podProcessExplorer.sendSignal',
      master,
      'HUP',
    );
    assert.equal(outcome.status, 'sent', outcome.message);
    assert.equal(outcome.from, debuggerName);
    await whenProcess(POD, 'web', 'a new worker', newWorkerOf(master, workers));
  });

  it('reuses the running debug container instead of adding another', async () => {
    const outcome = await vscode.commands.executeCommand<DebugContainerOutcome>(
      'podProcessExplorer.addDebugContainer',
      await podNode(),
      { target: 'web', reuse: true, attach: false },
    );
    assert.equal(outcome.status, 'reused', 'message' in outcome ? outcome.message : '');
    assert.ok(outcome.status === 'reused');
    assert.equal(outcome.container, debuggerName);
    const pod = JSON.parse(await kubectl('get', 'pod', POD, '-o', 'json')) as PodJson;
    assert.equal(pod.spec.ephemeralContainers?.length, 1);
  });

  it('says RBAC forbids it (patch pods/ephemeralcontainers) before asking anything @sandbox', async () => {
    await sandboxCli('faults', '--forbid', 'pods/ephemeralcontainers');
    try {
      // A new session: access answers are cached per session.
      await vscode.commands.executeCommand('podProcessExplorer.refresh');
      const outcome = await vscode.commands.executeCommand<DebugContainerOutcome>(
        'podProcessExplorer.addDebugContainer',
        await podNode(),
        { reuse: false },
      );
      assert.equal(outcome.status, 'failed');
      assert.ok(outcome.status === 'failed');
      assert.match(
        outcome.message,
        /Forbidden: user "sandbox" may not patch pods\/ephemeralcontainers in namespace default/,
      );
    } finally {
      await sandboxCli('faults', '--forbid', '');
      await vscode.commands.executeCommand('podProcessExplorer.refresh');
    }
  });

  it('says an image that cannot be pulled cannot be pulled, with the kubelet’s message', async () => {
    const outcome = await vscode.commands.executeCommand<DebugContainerOutcome>(
      'podProcessExplorer.addDebugContainer',
      await podNode(),
      {
        image: 'no-such-image:1.0',
        target: 'web',
        profile: 'baseline',
        addPtrace: false,
        reuse: false,
        attach: false,
      },
    );
    assert.equal(outcome.status, 'failed');
    assert.ok(outcome.status === 'failed');
    assert.match(
      outcome.message,
      /image "no-such-image:1.0" cannot be pulled \((ErrImagePull|ImagePullBackOff): .*(failed to pull and unpack image|Back-off pulling image)/,
    );
  });

  it('says a restricted busybox runs as root, which the profile forbids, and does not wait on it', async () => {
    const outcome = await vscode.commands.executeCommand<DebugContainerOutcome>(
      'podProcessExplorer.addDebugContainer',
      await podNode(),
      { image: 'busybox', target: 'web', profile: 'restricted', reuse: false, attach: false },
    );
    // Failed at once with the kubelet's refusal, not after the start timeout.
    assert.equal(outcome.status, 'failed');
    assert.ok(outcome.status === 'failed');
    assert.match(
      outcome.message,
      /^Debug container (debugger-\w{5}) did not start: image busybox runs as root, and the restricted profile requires a non-root user \(runAsNonRoot\)\. Choose an image that runs as a non-root user .*, or another profile \(general or baseline\)\./,
    );
    const name = /^Debug container (debugger-\w{5})/.exec(outcome.message)?.[1] ?? '';
    assert.match(
      outcome.message,
      new RegExp(
        `The kubelet said: CreateContainerConfigError: container has runAsNonRoot and image will run as root \\(pod: "${POD}_default\\(.+\\)", container: ${name}\\)$`,
      ),
    );
    // The container stays in the pod (ephemeral containers cannot be removed), and the tree says why.
    const node = await whenTree('the refused debug container', async () => {
      const pod = await podNamed(POD);
      const nodes = pod ? await children(pod) : [];
      return nodes.find(
        (child) =>
          child.kind === 'container' &&
          child.container.name === name &&
          child.container.stateReason === 'CreateContainerConfigError',
      );
    });
    assert.ok(node.kind === 'container');
    assert.equal(node.container.state, 'waiting');
    const pod = JSON.parse(await kubectl('get', 'pod', POD, '-o', 'json')) as PodJson;
    const added = pod.spec.ephemeralContainers?.find((c) => c.name === name);
    assert.deepEqual(added?.securityContext, {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });
});
