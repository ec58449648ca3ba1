// The scale benchmark's in-editor half, loaded by VS Code's extension host as extensionTestsPath
// (runScaleBench.ts starts the sandbox and the editor, and prints the table). Against 20,000
// synthetic pods spread over 200 namespaces, shown with all namespaces (or, with --namespaces 1,
// 5,000 in namespace `synthetic`, the kubeconfig's namespace, so the tree shows it alone):
// (a) expand: after a Refresh, the first render (the namespaces' items), then every pod item of
//     every namespace read (all pages), against the same list through the cluster layer alone and
//     `kubectl get -o json`; and what the extension host's heap holds once every pod is shown;
// (b) stall: the extension host's event-loop delay with the view's data live (a stand-in for VS
//     Code's tree view, below) while the sandbox modifies 100 pods/s, against the same with no churn;
// (c) lost updates: once the churn stops, what the view shows of each pod against the API's pods.
// It measures and reports; it never asserts timings.
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { homedir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { format } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
// This half runs in VS Code's extension host (the extensionTestsPath), unlike the rest of test/bench.
import * as vscode from 'vscode';
import { parse as parseYaml } from 'yaml';
import type * as ClusterModule from '../../../src/cluster';
import type { PodProcessExplorerApi } from '../../../src/extension';
import type { PodNode, PodTreeNode } from '../../../src/tree/treeNodes';
import {
  CHURN,
  CHURNED_AT,
  isSyntheticNamespace,
  NAMESPACE,
  parseOptions,
  type ScaleOptions,
  type ExpandSample,
  type ScaleResults,
  type StallWindow,
} from './shared';

const EXTENSION_ID = 'pod-process-explorer.pod-process-explorer';
const KUBECTL = '/usr/bin/kubectl';
/** VS Code's ExtHostTreeView debounces onDidChangeTreeData by 200 ms (leading edge, reset on each event). */
const VIEW_DEBOUNCE_MS = 200;
const HISTOGRAM_RESOLUTION_MS = 10;
const SETTLE_DEADLINE_MS = 60_000;
/** A namespace every cluster has and no pod of the bench's is in: the heap's baseline. */
const EMPTY_NAMESPACE = 'kube-public';

function report(...args: unknown[]): void {
  const file = process.env.PPE_TEST_REPORT;
  const line = `[scale bench] ${format(...args)}\n`;
  if (file) {
    appendFileSync(file, line);
  } else {
    process.stdout.write(line);
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the bench with test/bench/scale/runScaleBench.ts`);
  }
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// ---- the cluster, read independently of the extension ----

interface ApiPod {
  readonly name: string;
  readonly namespace: string;
  readonly resourceVersion: string;
  readonly churn: string | undefined;
  readonly shared: boolean;
}

/** Runs kubectl; resolves with its stdout and how long it took. */
function kubectl(args: readonly string[]): Promise<{ stdout: string; ms: number }> {
  const kubeconfig = required('KUBECONFIG');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(KUBECTL, ['--kubeconfig', kubeconfig, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: kubeconfig },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - started;
      if (code === 0) {
        resolve({ stdout: Buffer.concat(out).toString('utf8'), ms });
      } else {
        reject(
          new Error(`kubectl ${args.join(' ')}: ${String(code)} ${Buffer.concat(err).toString()}`),
        );
      }
    });
  });
}

/** `kubectl get pods` of the synthetic namespace, or of all namespaces. */
function kubectlGetPods(options: ScaleOptions): string[] {
  return ['get', 'pods', ...(options.namespaces > 1 ? ['-A'] : ['-n', NAMESPACE]), '-o', 'json'];
}

/** The synthetic pods as the API has them, by name (names are unique across their namespaces). */
async function apiPods(options: ScaleOptions): Promise<Map<string, ApiPod>> {
  const { stdout } = await kubectl(kubectlGetPods(options));
  const list = JSON.parse(stdout) as { items: V1Pod[] };
  return new Map(
    list.items
      .filter((pod) => isSyntheticNamespace(pod.metadata?.namespace ?? ''))
      .map((pod) => {
        const name = pod.metadata?.name ?? '';
        return [
          name,
          {
            name,
            namespace: pod.metadata?.namespace ?? '',
            resourceVersion: pod.metadata?.resourceVersion ?? '',
            churn: pod.metadata?.annotations?.[CHURN],
            shared: pod.spec?.shareProcessNamespace === true,
          },
        ];
      }),
  );
}

function maxChurn(pods: ReadonlyMap<string, ApiPod>): number {
  let max = 0;
  for (const pod of pods.values()) {
    max = Math.max(max, Number(pod.churn ?? 0));
  }
  return max;
}

interface KubeconfigYaml {
  clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[];
  users?: { user?: { token?: string } }[];
}

/** The sandbox's switches, set through its admin endpoint with the kubeconfig's credentials. */
function setFaults(faults: Record<string, number>): Promise<void> {
  const config = parseYaml(readFileSync(required('KUBECONFIG'), 'utf8')) as KubeconfigYaml;
  const cluster = config.clusters?.[0]?.cluster;
  const token = config.users?.[0]?.user?.token;
  if (!cluster?.server || !token) {
    throw new Error('the kubeconfig has no server or token');
  }
  const ca = Buffer.from(cluster['certificate-authority-data'] ?? '', 'base64').toString();
  const body = JSON.stringify(faults);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL('/sandbox/faults', cluster.server),
      {
        method: 'POST',
        ca,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.once('end', () =>
          res.statusCode === 200
            ? resolve()
            : reject(new Error(`setting ${body} answered ${String(res.statusCode)}`)),
        );
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

// ---- the tree, read as VS Code reads it ----

type Tree = vscode.TreeDataProvider<PodTreeNode>;

interface Rendered {
  readonly namespace: string;
  readonly resourceVersion: string;
  readonly churn: string | undefined;
}

/** The provider's own methods, so that the stand-in's calls are not counted as the real view's. */
interface Direct {
  getChildren(node?: PodTreeNode): Promise<PodTreeNode[]>;
  getTreeItem(node: PodTreeNode): vscode.TreeItem;
}

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/**
 * Root → context → the synthetic namespaces: the one the kubeconfig names, or (all namespaces
 * shown) every one of them; their items read, as the view's first render does.
 */
async function namespaceNodes(direct: Direct, expected: number): Promise<PodTreeNode[]> {
  const [context] = await direct.getChildren();
  if (context?.kind !== 'context') {
    throw new Error(`the root is not a context: ${context ? context.kind : 'nothing'}`);
  }
  direct.getTreeItem(context);
  const nodes = await direct.getChildren(context);
  const labels = nodes.map((node) => labelOf(direct.getTreeItem(node)));
  const synthetic = nodes.filter(
    (node, index) => node.kind === 'namespace' && isSyntheticNamespace(labels[index]),
  );
  if (synthetic.length !== expected) {
    throw new Error(
      `the context shows ${synthetic.length} synthetic namespaces, not ${expected}: ${labels.slice(0, 5).join(', ')}…`,
    );
  }
  return synthetic;
}

/** The namespaces' children with their items, then every page's pods with theirs. */
async function expandAll(
  direct: Direct,
  namespaces: readonly PodTreeNode[],
): Promise<{ pages: number; pods: PodNode[]; messages: string[]; itemsMs: number }> {
  let itemsMs = 0;
  const item = (node: PodTreeNode) => {
    const started = performance.now();
    const result = direct.getTreeItem(node);
    itemsMs += performance.now() - started;
    return result;
  };
  const children = (
    await Promise.all(namespaces.map((namespace) => direct.getChildren(namespace)))
  ).flat();
  const messages: string[] = [];
  const pods: PodNode[] = [];
  const pages: PodTreeNode[] = [];
  for (const child of children) {
    const childItem = item(child);
    if (child.kind === 'podPage') {
      pages.push(child);
    } else if (child.kind === 'pod') {
      pods.push(child);
    } else if (child.kind === 'message') {
      messages.push(labelOf(childItem));
    }
  }
  const pagePods = await Promise.all(pages.map((page) => direct.getChildren(page)));
  for (const nodes of pagePods) {
    for (const node of nodes) {
      item(node);
      if (node.kind === 'pod') {
        pods.push(node);
      }
    }
  }
  return { pages: pages.length, pods, messages, itemsMs };
}

/**
 * A stand-in for VS Code's tree view with the namespace and every page expanded: it listens to
 * onDidChangeTreeData through the same 200 ms debounce as ExtHostTreeView (leading edge, timer reset
 * by each event), then reads again what changed, one refresh at a time, and remembers what it shows
 * of each pod. It times each pod update from the API's change (`sandbox/churned-at`) to being shown.
 */
class ViewStandIn implements vscode.Disposable {
  readonly shown = new Map<string, Rendered>();
  private readonly subscription: vscode.Disposable;
  private pending: (PodTreeNode | undefined)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private eventsInWindow = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();
  refreshes: number[] = [];
  /** When each refresh finished (all of them, not reset). */
  readonly refreshesDone: number[] = [];
  lagsMs: number[] = [];
  treeEvents = 0;
  failures: string[] = [];

  constructor(
    tree: Tree,
    private readonly direct: Direct,
    private readonly namespaces: () => Promise<PodTreeNode[]>,
  ) {
    const onDidChange = tree.onDidChangeTreeData;
    if (!onDidChange) {
      throw new Error('the provider has no onDidChangeTreeData');
    }
    this.subscription = onDidChange((element) => this.announce(element));
  }

  /** Clears the counters (not what is shown). */
  resetCounters(): void {
    this.refreshes = [];
    this.lagsMs = [];
    this.treeEvents = 0;
  }

  /** Resolves after the next refresh in which `check` holds, or rejects at the deadline. */
  whenShown(check: () => boolean, deadlineMs: number, what: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const listener = () => {
        if (check()) {
          this.listeners.delete(listener);
          clearTimeout(deadline);
          resolve();
        }
      };
      const deadline = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`not within ${deadlineMs} ms: ${what()}`));
      }, deadlineMs);
      this.listeners.add(listener);
      listener();
    });
  }

  /** Reads the whole tree now (as when the view first shows it). */
  async renderAll(): Promise<number> {
    const run = this.queue.then(async () => {
      const namespaces = await this.namespaces();
      const { pods } = await expandAll(this.direct, namespaces);
      this.showAll(namespaces, pods);
      return pods.length;
    });
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private announce(element: PodTreeNode | PodTreeNode[] | undefined | null | void): void {
    this.treeEvents += 1;
    if (Array.isArray(element)) {
      if (element.length === 0) {
        return;
      }
      this.pending.push(...element);
    } else {
      this.pending.push(element ?? undefined);
    }
    this.eventsInWindow += 1;
    // Event.debounce(…, 200, leading: true): the first event of a quiet spell is passed on at once;
    // later ones wait until 200 ms pass without an event.
    if (!this.timer) {
      this.flush();
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.eventsInWindow > 1 && this.pending.length > 0) {
        this.flush();
      }
      this.eventsInWindow = 0;
    }, VIEW_DEBOUNCE_MS);
  }

  private flush(): void {
    const elements = this.pending;
    this.pending = [];
    this.queue = this.queue.then(() =>
      this.refresh(elements).catch((error: unknown) => {
        this.failures.push(String(error));
      }),
    );
  }

  private async refresh(elements: readonly (PodTreeNode | undefined)[]): Promise<void> {
    this.refreshes.push(performance.now());
    if (elements.some((element) => element === undefined)) {
      const namespaces = await this.namespaces();
      this.showAll(namespaces, (await expandAll(this.direct, namespaces)).pods);
    } else {
      for (const element of new Set(elements)) {
        if (element?.kind === 'pod') {
          this.direct.getTreeItem(element);
          this.show(element);
        } else if (element?.kind === 'namespace') {
          this.direct.getTreeItem(element);
          this.showAll([element], (await expandAll(this.direct, [element])).pods);
        } else if (element?.kind === 'podPage') {
          for (const node of await this.direct.getChildren(element)) {
            this.direct.getTreeItem(node);
            if (node.kind === 'pod') {
              this.show(node);
            }
          }
        }
      }
    }
    this.refreshesDone.push(performance.now());
    for (const listener of [...this.listeners]) {
      listener();
    }
  }

  /** Namespaces read again: every pod of theirs shown, and no other. */
  private showAll(namespaces: readonly PodTreeNode[], pods: readonly PodNode[]): void {
    const names = new Set<string>();
    for (const pod of pods) {
      this.show(pod);
      names.add(pod.name);
    }
    const read = new Set(
      namespaces.map((node) => (node.kind === 'namespace' ? node.namespace : undefined)),
    );
    for (const [name, rendered] of [...this.shown]) {
      if (read.has(rendered.namespace) && !names.has(name)) {
        this.shown.delete(name);
      }
    }
  }

  /** Remembers what the view shows of a pod; a new churn value shown is an update, timed. */
  private show(node: PodNode): void {
    const metadata = node.pod.metadata;
    const churn = metadata?.annotations?.[CHURN];
    const before = this.shown.get(node.name);
    if (before && churn !== undefined && before.churn !== churn) {
      const at = Number(metadata?.annotations?.[CHURNED_AT]);
      if (Number.isFinite(at)) {
        this.lagsMs.push(Date.now() - at);
      }
    }
    this.shown.set(node.name, {
      namespace: node.namespace,
      resourceVersion: metadata?.resourceVersion ?? '',
      churn,
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
    this.listeners.clear();
  }
}

/** Calls that did not come from this bench: VS Code's own tree view of the Pod Processes view. */
interface ForeignCalls {
  getChildren: number;
  getTreeItem: number;
}

function interceptForeignCalls(tree: Tree): { direct: Direct; calls: ForeignCalls } {
  const getChildren = tree.getChildren?.bind(tree);
  const getTreeItem = tree.getTreeItem.bind(tree);
  if (!getChildren) {
    throw new Error('the provider has no getChildren');
  }
  const calls: ForeignCalls = { getChildren: 0, getTreeItem: 0 };
  tree.getChildren = (node?: PodTreeNode) => {
    calls.getChildren += 1;
    return getChildren(node);
  };
  tree.getTreeItem = (node: PodTreeNode) => {
    calls.getTreeItem += 1;
    return getTreeItem(node);
  };
  return {
    direct: {
      getChildren: async (node) => (await getChildren(node)) ?? [],
      getTreeItem: (node) => getTreeItem(node) as vscode.TreeItem,
    },
    calls,
  };
}

// ---- the measurements ----

type ClusterLayer = typeof ClusterModule;

/** The pod list through the cluster layer alone (the extension's own dist/cluster.js): list → snapshot. */
async function rawList(
  layer: ClusterLayer,
  options: ScaleOptions,
): Promise<{ ms: number; pods: V1Pod[] }> {
  const started = performance.now();
  const loaded = layer.loadKubeconfig(
    layer.kubeconfigPaths({ envKubeconfig: required('KUBECONFIG'), homeDir: homedir() }),
  );
  const session = new layer.ClusterSession(loaded, loaded.currentContext ?? 'sandbox');
  try {
    const pods = await new Promise<V1Pod[]>((resolve, reject) => {
      const watch = session.watchPods(options.namespaces > 1 ? undefined : NAMESPACE, {
        onSnapshot: (snapshot) => {
          watch.dispose();
          resolve(snapshot);
        },
        onChange: () => undefined,
        onError: (error) => {
          watch.dispose();
          reject(error);
        },
      });
    });
    return { ms: performance.now() - started, pods };
  } finally {
    session.dispose();
  }
}

async function treeExpand(
  direct: Direct,
  options: ScaleOptions,
): Promise<{
  firstRenderMs: number;
  allMs: number;
  cachedMs: number;
  cachedItemsMs: number;
  pages: number;
  pods: number;
}> {
  await vscode.commands.executeCommand('podProcessExplorer.refresh');
  const started = performance.now();
  const namespaces = await namespaceNodes(direct, options.namespaces);
  if (options.namespaces === 1) {
    // The one namespace is expanded from the start: its children are part of the first render.
    for (const child of await direct.getChildren(namespaces[0])) {
      direct.getTreeItem(child);
    }
  }
  const firstRenderMs = performance.now() - started;
  const { pages, pods, messages } = await expandAll(direct, namespaces);
  const allMs = performance.now() - started;
  if (messages.length > 0) {
    throw new Error(`the namespaces show ${messages.slice(0, 3).join('; ')}`);
  }
  // The same reads again, the pods known: what the tree itself costs (each added or removed pod
  // makes the view read its namespace again).
  const again = performance.now();
  const cached = await expandAll(direct, namespaces);
  const cachedMs = performance.now() - again;
  return {
    firstRenderMs,
    allMs,
    cachedMs,
    cachedItemsMs: cached.itemsMs,
    pages,
    pods: pods.length,
  };
}

/** V8's gc(), which the extension host does not expose: so heap figures count live objects only. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** The extension host's live heap after a full collection, MB. */
function liveHeapMb(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function stallOf(histogram: IntervalHistogram): Omit<StallWindow, 'seconds' | 'churnEvents'> {
  return {
    maxMs: histogram.max / 1e6,
    p99Ms: histogram.percentile(99) / 1e6,
    meanMs: histogram.mean / 1e6,
    samples: histogram.count,
  };
}

async function measure(): Promise<ScaleResults> {
  const options = parseOptions(process.env.PPE_SCALE_BENCH);
  const extension = vscode.extensions.getExtension<PodProcessExplorerApi>(EXTENSION_ID);
  if (!extension) {
    throw new Error(`${EXTENSION_ID} is not loaded`);
  }
  const tree = (await extension.activate()).podTree as Tree;
  const { direct, calls } = interceptForeignCalls(tree);
  if (options.view) {
    // Show the real view too: its tree (context → namespace expanded, pages collapsed) reads the
    // provider in this same extension host during every measurement.
    try {
      await vscode.commands.executeCommand('podProcessExplorer.pods.focus');
    } catch (error) {
      report(`could not show the Pod Processes view: ${String(error)}`);
    }
  }
  if (options.namespaces > 1) {
    // As a keybinding with `"args": "*"` does.
    await vscode.commands.executeCommand('podProcessExplorer.selectNamespace', '*');
  }
  // Loads the cluster layer (as the view's first read does); the raw baseline uses the same module.
  await namespaceNodes(direct, options.namespaces);
  const gc = collectGarbage();
  const clusterJs = join(extension.extensionPath, 'dist', 'cluster.js');
  // The extension's own copy (already loaded), not a second bundle of client-node.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const layer = require(clusterJs) as ClusterLayer;

  const histogram = monitorEventLoopDelay({ resolution: HISTOGRAM_RESOLUTION_MS });
  histogram.enable();
  await sleep(HISTOGRAM_RESOLUTION_MS * 10);
  const longestDelay = () => histogram.max / 1e6;

  // (a) expand, interleaved with its baselines; the first round warms up and is not counted.
  const expand: ExpandSample[] = [];
  const foreignBeforeExpand = { ...calls };
  let visible = 0;
  let total = 0;
  let shared = 0;
  for (let round = 0; round <= options.runs; round++) {
    const sample: { -readonly [K in keyof ExpandSample]?: ExpandSample[K] } = {};
    const steps: (() => Promise<void>)[] = [
      async () => {
        histogram.reset();
        const raw = await rawList(layer, options);
        sample.rawStallMs = longestDelay();
        sample.rawListMs = raw.ms;
        const synthetic = raw.pods.filter((pod) =>
          isSyntheticNamespace(pod.metadata?.namespace ?? ''),
        );
        total = synthetic.length;
        shared = synthetic.filter((pod) => pod.spec?.shareProcessNamespace === true).length;
      },
      async () => {
        sample.kubectlMs = (await kubectl(kubectlGetPods(options))).ms;
      },
      async () => {
        histogram.reset();
        const result = await treeExpand(direct, options);
        sample.treeStallMs = longestDelay();
        sample.treeCachedItemsMs = result.cachedItemsMs;
        sample.treeFirstRenderMs = result.firstRenderMs;
        sample.treeAllMs = result.allMs;
        sample.treeCachedMs = result.cachedMs;
        sample.pages = result.pages;
        visible = result.pods;
      },
    ];
    // A different order each round, so no step always runs right after the same other one.
    for (let step = 0; step < steps.length; step++) {
      await steps[(step + round) % steps.length]();
    }
    report(
      `expand ${round === 0 ? 'warm-up' : `run ${round}/${options.runs}`}: tree ${sample.treeAllMs?.toFixed(0)} ms ` +
        `(first render ${sample.treeFirstRenderMs?.toFixed(0)} ms, ${sample.pages} pages, ${visible} pods), ` +
        `cluster layer list ${sample.rawListMs?.toFixed(0)} ms, kubectl ${sample.kubectlMs?.toFixed(0)} ms`,
    );
    if (round > 0) {
      expand.push(sample as ExpandSample);
    }
  }
  const foreignDuringExpand = {
    getChildren: calls.getChildren - foreignBeforeExpand.getChildren,
    getTreeItem: calls.getTreeItem - foreignBeforeExpand.getTreeItem,
  };
  if (total !== options.pods || visible !== shared) {
    throw new Error(
      `expected ${options.pods} pods (${shared} shared shown): the API has ${total}, the tree shows ${visible}`,
    );
  }

  // (b) the view's data live: the stand-in reads everything once, then follows the change events.
  // The heap with a namespace without pods shown, then with every pod: what showing them holds.
  await vscode.commands.executeCommand('podProcessExplorer.selectNamespace', EMPTY_NAMESPACE);
  for (const node of await direct.getChildren((await direct.getChildren())[0])) {
    await direct.getChildren(node);
  }
  const heapBeforeMb = liveHeapMb(gc);
  await vscode.commands.executeCommand(
    'podProcessExplorer.selectNamespace',
    options.namespaces > 1 ? '*' : NAMESPACE,
  );
  const view = new ViewStandIn(tree, direct, () => namespaceNodes(direct, options.namespaces));
  try {
    const shown = await view.renderAll();
    const memory = {
      heapBeforeMb,
      heapShownMb: liveHeapMb(gc),
      rssShownMb: process.memoryUsage().rss / 2 ** 20,
    };
    report(
      `view stand-in shows ${shown} pods; heap ${memory.heapBeforeMb.toFixed(0)} → ${memory.heapShownMb.toFixed(0)} MB; ` +
        `measuring ${options.seconds} s without churn…`,
    );
    const window = async (churn: boolean) => {
      const before = await apiPods(options);
      if (churn) {
        await setFaults({ syntheticChurnPerSecond: options.rate });
      }
      view.resetCounters();
      const foreignBefore = { ...calls };
      histogram.reset();
      const started = performance.now();
      // A fixed span of time is what is measured here; nothing is waited for.
      await sleep(options.seconds * 1000);
      const stall = stallOf(histogram);
      const ended = performance.now();
      if (churn) {
        await setFaults({ syntheticChurnPerSecond: 0 });
      }
      const stopped = performance.now();
      const refreshes = view.refreshes.filter((time) => time >= started && time <= ended);
      const points = [started, ...refreshes, ended];
      const gaps = points.slice(1).map((time, index) => time - points[index]);
      return {
        before,
        stopped,
        stall,
        refreshes: refreshes.length,
        longestGapMs: Math.max(...gaps),
        lags: [...view.lagsMs],
        treeEvents: view.treeEvents,
        foreign: {
          getChildren: calls.getChildren - foreignBefore.getChildren,
          getTreeItem: calls.getTreeItem - foreignBefore.getTreeItem,
        },
      };
    };

    const idle = await window(false);
    report(
      `no churn: longest event-loop delay ${idle.stall.maxMs.toFixed(1)} ms, p99 ${idle.stall.p99Ms.toFixed(1)} ms`,
    );
    report(`measuring ${options.seconds} s with ${options.rate} modifications/s…`);
    const busy = await window(true);

    // (c) once the churn stopped: does the view come to show what the API has?
    const after = await apiPods(options);
    const churnEvents = maxChurn(after) - maxChurn(busy.before);
    const expected = [...after.values()].filter((pod) => pod.shared);
    const differences = () =>
      expected.filter((pod) => {
        const seen = view.shown.get(pod.name);
        return seen?.resourceVersion !== pod.resourceVersion || seen.churn !== pod.churn;
      });
    let settleMs: number | undefined;
    try {
      await view.whenShown(
        () => differences().length === 0 && view.shown.size === expected.length,
        SETTLE_DEADLINE_MS,
        () => `${differences().length} pods differ from the API`,
      );
      // The view changes only in refreshes: the last one before the check held made it equal.
      settleMs = Math.max(0, (view.refreshesDone.at(-1) ?? busy.stopped) - busy.stopped);
    } catch (error) {
      report(String(error));
    }
    const lost = differences();
    const extra = [...view.shown.keys()].filter((name) => !after.get(name)?.shared);
    const lagsAfter = view.lagsMs.slice(busy.lags.length);
    histogram.disable();
    report(
      `churn: ${churnEvents} modifications; longest event-loop delay ${busy.stall.maxMs.toFixed(1)} ms, ` +
        `p99 ${busy.stall.p99Ms.toFixed(1)} ms; lost updates: ${lost.length}`,
    );
    return {
      options,
      extensionHostNode: process.version,
      pods: { total, shared, shown: visible },
      expand,
      foreignDuringExpand,
      memory,
      idle: {
        seconds: options.seconds,
        churnEvents: 0,
        ...idle.stall,
        viewRefreshes: idle.refreshes,
        longestRefreshGapMs: idle.longestGapMs,
        treeEvents: idle.treeEvents,
        foreign: idle.foreign,
      },
      churn: {
        seconds: options.seconds,
        churnEvents,
        ...busy.stall,
        viewRefreshes: busy.refreshes,
        longestRefreshGapMs: busy.longestGapMs,
        treeEvents: busy.treeEvents,
        foreign: busy.foreign,
      },
      lag: {
        duringChurn: {
          count: busy.lags.length,
          p50Ms: median(busy.lags),
          p99Ms: percentile(busy.lags, 99),
          maxMs: Math.max(0, ...busy.lags),
        },
        afterChurn: {
          count: lagsAfter.length,
          p50Ms: median(lagsAfter),
          maxMs: Math.max(0, ...lagsAfter),
        },
        all: {
          count: busy.lags.length + lagsAfter.length,
          p50Ms: median([...busy.lags, ...lagsAfter]),
          p99Ms: percentile([...busy.lags, ...lagsAfter], 99),
          maxMs: Math.max(0, ...busy.lags, ...lagsAfter),
        },
      },
      lostUpdates: lost.length,
      lostExamples: lost.slice(0, 5).map((pod) => {
        const seen = view.shown.get(pod.name);
        return `${pod.name}: API rv ${pod.resourceVersion} churn ${pod.churn ?? '-'}, view ${seen ? `rv ${seen.resourceVersion} churn ${seen.churn ?? '-'}` : 'missing'}`;
      }),
      extraPods: extra.length,
      settleMs,
      standInFailures: view.failures.slice(0, 5),
    };
  } finally {
    view.dispose();
    await setFaults({ syntheticChurnPerSecond: 0 }).catch(() => undefined);
  }
}

/** The extensionTestsPath contract: resolves when done, rejects to fail the run. */
export async function run(): Promise<void> {
  const results = await measure();
  const out = process.env.PPE_SCALE_BENCH_RESULT;
  if (out) {
    writeFileSync(out, JSON.stringify(results, null, 2));
  } else {
    report(JSON.stringify(results, null, 2));
  }
}
