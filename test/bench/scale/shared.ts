// What the scale benchmark's runner (runScaleBench.ts) and its in-editor half (scaleBench.ts)
// share: the options handed over in PPE_SCALE_BENCH, and the results written back as JSON.

/** The synthetic pods' namespace when they are not spread (`--namespaces 1`). */
export const NAMESPACE = 'synthetic';

/** `synthetic`, or one of the spread namespaces `synthetic-000`… (test/sandbox/store.ts). */
export function isSyntheticNamespace(name: string): boolean {
  return /^synthetic(-\d{3})?$/.test(name);
}
/** Set by the sandbox's syntheticChurnPerSecond switch (test/sandbox/store.ts). */
export const CHURN = 'sandbox/churn';
export const CHURNED_AT = 'sandbox/churned-at';

export interface ScaleOptions {
  /** Measured expand rounds (after one warm-up round). */
  readonly runs: number;
  /** Length of each event-loop window (no churn, then churn). */
  readonly seconds: number;
  /** Synthetic pod modifications per second during the churn window. */
  readonly rate: number;
  /** Synthetic pods the sandbox serves. */
  readonly pods: number;
  /** Namespaces they are spread over; above 1 the tree shows all namespaces. */
  readonly namespaces: number;
  /** Show the real Pod Processes view as well (its reads run in the same extension host). */
  readonly view: boolean;
}

export const DEFAULT_OPTIONS: ScaleOptions = {
  runs: 7,
  seconds: 30,
  rate: 100,
  pods: 20_000,
  namespaces: 200,
  view: true,
};

export function parseOptions(text: string | undefined): ScaleOptions {
  return { ...DEFAULT_OPTIONS, ...(text ? (JSON.parse(text) as Partial<ScaleOptions>) : {}) };
}

export interface ExpandSample {
  /**
   * From a Refresh until the view has its first screen: the context and the namespaces' items (and
   * with one namespace, expanded from the start, its page items).
   */
  readonly treeFirstRenderMs: number;
  /** …until every pod item of every page is read (each page expanded). */
  readonly treeAllMs: number;
  /** The same reads again with the pods known (no list): the tree's own cost. */
  readonly treeCachedMs: number;
  /** …of which getTreeItem calls. */
  readonly treeCachedItemsMs: number;
  /** Longest event-loop delay while the tree expanded (list included), and while the baseline listed. */
  readonly treeStallMs: number;
  readonly rawStallMs: number;
  readonly pages: number;
  /** The same list through the extension's cluster layer alone (list → snapshot). */
  readonly rawListMs: number;
  /** `kubectl get pods -n synthetic -o json`, a process of its own. */
  readonly kubectlMs: number;
}

export interface StallWindow {
  readonly seconds: number;
  readonly churnEvents: number;
  /** Event-loop delay (monitorEventLoopDelay, 10 ms sampling), ms. */
  readonly maxMs: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly samples: number;
}

export interface ViewWindow extends StallWindow {
  /** Refreshes of the stand-in view (after VS Code's 200 ms debounce). */
  readonly viewRefreshes: number;
  /** Longest time without a refresh of the stand-in view in the window. */
  readonly longestRefreshGapMs: number;
  /** onDidChangeTreeData events the provider fired. */
  readonly treeEvents: number;
  /** Reads by VS Code's real tree view (when shown) in the window. */
  readonly foreign: { readonly getChildren: number; readonly getTreeItem: number };
}

export interface LagSummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms?: number;
  readonly maxMs: number;
}

export interface ScaleResults {
  readonly options: ScaleOptions;
  readonly extensionHostNode: string;
  readonly pods: { readonly total: number; readonly shared: number; readonly shown: number };
  readonly expand: readonly ExpandSample[];
  /** The extension host's live heap (after full collections) before the pods are listed and once every pod is shown, and its RSS then, MB. */
  readonly memory: {
    readonly heapBeforeMb: number;
    readonly heapShownMb: number;
    readonly rssShownMb: number;
  };
  /** Reads by VS Code's real tree view (when shown) during the expand rounds. */
  readonly foreignDuringExpand: { readonly getChildren: number; readonly getTreeItem: number };
  readonly idle: ViewWindow;
  readonly churn: ViewWindow;
  /** From a pod's modification in the API to the stand-in view showing it. */
  readonly lag: {
    /** Updates shown while the churn ran, and those first shown after it stopped. */
    readonly duringChurn: LagSummary;
    readonly afterChurn: LagSummary;
    readonly all: LagSummary;
  };
  readonly lostUpdates: number;
  readonly lostExamples: readonly string[];
  /** Pods the view shows that the API does not have (or does not share). */
  readonly extraPods: number;
  /** From stopping the churn until the view showed the API's state. */
  readonly settleMs: number | undefined;
  readonly standInFailures: readonly string[];
}
