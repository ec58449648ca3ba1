// Reading the Pod Processes tree from the in-editor tests, through the extension's API (the
// tree's data provider), as VS Code reads it: children, items, and change events to wait on.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PodProcessExplorerApi } from '../../src/extension';
import type { PodTreeNode, ProcessTreeNode } from '../../src/tree/treeNodes';

const EXTENSION_ID = 'pod-process-explorer.pod-process-explorer';
const DEADLINE_MS = 30_000;

let provider: vscode.TreeDataProvider<PodTreeNode> | undefined;

/** The tree's data, once the extension is active. */
/** The extension's API (the view's data and the view), once the extension is active. */
export async function extensionApi(): Promise<PodProcessExplorerApi> {
  const extension = vscode.extensions.getExtension<PodProcessExplorerApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return extension.activate();
}

export async function podTree(): Promise<vscode.TreeDataProvider<PodTreeNode>> {
  provider ??= (await extensionApi()).podTree as vscode.TreeDataProvider<PodTreeNode>;
  return provider;
}

function tree(): vscode.TreeDataProvider<PodTreeNode> {
  assert.ok(provider, 'podTree() ran first');
  return provider;
}

export async function children(node?: PodTreeNode): Promise<PodTreeNode[]> {
  return (await tree().getChildren(node)) ?? [];
}

export function label(node: PodTreeNode): string {
  const item = tree().getTreeItem(node) as vscode.TreeItem;
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/**
 * Evaluates `check` now and again after each change the tree announces, until it returns a
 * value; fails at the deadline with the last thing it saw. No sleeps: the tree's events drive it.
 */
export function whenTree<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  return new Promise((resolve, reject) => {
    let last = '';
    let done = false;
    let running = false;
    let again = false;
    const finish = (error?: Error, value?: T) => {
      done = true;
      clearTimeout(deadline);
      listener?.dispose();
      if (error) {
        reject(error);
      } else {
        resolve(value as T);
      }
    };
    const evaluate = async (): Promise<void> => {
      if (done) {
        return;
      }
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        const value = await check();
        if (value !== undefined) {
          finish(undefined, value);
        }
      } catch (error) {
        last = String(error);
      } finally {
        running = false;
      }
      if (again && !done) {
        again = false;
        await evaluate();
      }
    };
    const listener = tree().onDidChangeTreeData?.(() => void evaluate());
    const deadline = setTimeout(
      () => finish(new Error(`the tree did not show ${what} within ${DEADLINE_MS} ms (${last})`)),
      DEADLINE_MS,
    );
    void evaluate();
  });
}

/** The namespace the sandbox's context shows: `default`. */
export async function namespaceNode(): Promise<PodTreeNode> {
  const [context] = await children();
  assert.equal(
    context?.kind,
    'context',
    `the root is the sandbox context, not ${context ? label(context) : 'nothing'}`,
  );
  const [namespace] = await children(context);
  assert.equal(namespace?.kind, 'namespace');
  assert.equal(label(namespace), 'default');
  return namespace;
}

export async function podNamed(name: string): Promise<PodTreeNode | undefined> {
  return (await children(await namespaceNode())).find(
    (node) => node.kind === 'pod' && node.name === name,
  );
}

/** The pod's children once its processes are listed (the tree shows the containers at once). */
export function listedInside(pod: PodTreeNode): Promise<PodTreeNode[]> {
  return whenTree('the pod’s processes', async () => {
    const nodes = await children(pod);
    return nodes.some((node) => node.kind === 'sandbox') ? nodes : undefined;
  });
}

/** Every process under a container of the pod, nested ones included. */
export async function processesIn(pod: PodTreeNode, container: string): Promise<ProcessTreeNode[]> {
  const node = (await children(pod)).find(
    (child) => child.kind === 'container' && child.container.name === container,
  );
  const found: ProcessTreeNode[] = [];
  const stack = node ? await children(node) : [];
  while (stack.length > 0) {
    const next = stack.pop() as PodTreeNode;
    if (next.kind === 'process') {
      found.push(next);
      stack.push(...(await children(next)));
    }
  }
  return found;
}

/**
 * The first process of the listing `matches` accepts; until one is listed, lists the pod again
 * (each listing fires a tree change, which checks again).
 */
export function whenProcess(
  podName: string,
  container: string,
  what: string,
  matches: (processes: ProcessTreeNode[]) => ProcessTreeNode | undefined,
): Promise<ProcessTreeNode> {
  return whenTree(what, async () => {
    const pod = await podNamed(podName);
    if (!pod) {
      return undefined;
    }
    const found = matches(await processesIn(pod, container));
    // Until the pod runs, its watch events drive the checks; listing it then would only fail.
    const running =
      pod.kind === 'pod' &&
      pod.pod.status?.phase === 'Running' &&
      (pod.pod.status.containerStatuses ?? []).every((status) => status.state?.running);
    if (!found && running) {
      void vscode.commands.executeCommand('podProcessExplorer.refreshProcesses', pod);
    }
    return found;
  });
}

/** The nginx master among `processes`. */
export const nginxMaster = (processes: ProcessTreeNode[]) =>
  processes.find((node) => node.process.commandLine.startsWith('nginx: master process'));

/** A worker of `master` that is not one of `workers` (the ones before a HUP). */
export const newWorkerOf =
  (master: ProcessTreeNode, workers: readonly number[]) => (processes: ProcessTreeNode[]) =>
    processes.find(
      (node) =>
        node.process.ppid === master.process.pid &&
        node.process.commandLine === 'nginx: worker process' &&
        !workers.includes(node.process.pid),
    );

/** The document's text once `check` accepts it, now or after a change to it. */
export function whenDocument(
  uri: vscode.Uri,
  what: string,
  check: (text: string) => boolean,
  deadlineMs = DEADLINE_MS,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const document = vscode.workspace.textDocuments.find(
      (candidate) => candidate.uri.toString() === uri.toString(),
    );
    if (document && check(document.getText())) {
      resolve(document.getText());
      return;
    }
    const listener = vscode.workspace.onDidChangeTextDocument(({ document: changed }) => {
      if (changed.uri.toString() === uri.toString() && check(changed.getText())) {
        clearTimeout(deadline);
        listener.dispose();
        resolve(changed.getText());
      }
    });
    const deadline = setTimeout(() => {
      listener.dispose();
      reject(new Error(`${uri.toString()} did not show ${what} within ${deadlineMs} ms`));
    }, deadlineMs);
  });
}
