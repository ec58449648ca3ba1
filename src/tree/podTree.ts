import * as vscode from 'vscode';
import type { ExtensionDeps } from '../common/deps';
import { errorMessage, runShowingErrors } from '../common/errors';
import { PodTreeProvider } from './podTreeProvider';
import type { PodNode, PodTreeNode } from './treeNodes';

const VIEW_ID = 'podProcessExplorer.pods';

/**
 * The Pod Processes view: its provider, its title-bar actions (context, namespace, all pods,
 * refresh) and the optional process refresh interval. Nothing here loads the cluster layer
 * until the view asks for its first children or a command runs.
 */
export function register(
  context: vscode.ExtensionContext,
  deps: ExtensionDeps,
): { provider: PodTreeProvider; view: vscode.TreeView<PodTreeNode> } {
  const { cluster, settings, log, processes } = deps;
  const provider = new PodTreeProvider(cluster, settings, processes);
  const view = vscode.window.createTreeView<PodTreeNode>(VIEW_ID, {
    treeDataProvider: provider,
    showCollapseAll: true,
  });
  const expandedPods = new Set<PodNode>();
  const setShowAllContext = () =>
    vscode.commands.executeCommand(
      'setContext',
      'podProcessExplorer.showAllPods',
      cluster.showAllPods,
    );
  void setShowAllContext();

  const run =
    (what: string, action: (...args: never[]) => unknown) =>
    (...args: never[]) =>
      runShowingErrors(log, what, () => action(...args));

  let interval: NodeJS.Timeout | undefined;
  const applyInterval = () => {
    clearInterval(interval);
    interval = undefined;
    const seconds = settings.get('processes.refreshInterval');
    if (seconds > 0) {
      interval = setInterval(() => {
        if (view.visible) {
          for (const node of expandedPods) {
            // A pod deleted while expanded is no longer shown: stop listing it.
            if (provider.podNode(node.uid) !== node) {
              expandedPods.delete(node);
              continue;
            }
            void processes.refresh(node.pod);
          }
        }
      }, seconds * 1000);
    }
  };
  applyInterval();

  context.subscriptions.push(
    provider,
    view,
    { dispose: () => clearInterval(interval) },
    settings.onDidChange(['processes.refreshInterval'], applyInterval),
    view.onDidExpandElement(({ element }) => {
      if (element.kind === 'pod') {
        expandedPods.add(element);
      }
    }),
    view.onDidCollapseElement(({ element }) => {
      if (element.kind === 'pod') {
        expandedPods.delete(element);
      }
    }),
    cluster.onDidChange(() => {
      expandedPods.clear();
      processes.clear();
      void setShowAllContext();
    }),
    vscode.commands.registerCommand(
      'podProcessExplorer.refresh',
      run(vscode.l10n.t('Refresh'), () => {
        cluster.reload();
      }),
    ),
    vscode.commands.registerCommand(
      'podProcessExplorer.refreshProcesses',
      run(vscode.l10n.t('Refresh Processes'), async (node?: PodNode) => {
        const target = node ?? selectedPod(view);
        if (target) {
          await processes.refresh(target.pod);
        }
      }),
    ),
    vscode.commands.registerCommand(
      'podProcessExplorer.showAllPods',
      run(vscode.l10n.t('Show All Pods'), () => cluster.setShowAllPods(true)),
    ),
    vscode.commands.registerCommand(
      'podProcessExplorer.showSharedPods',
      run(vscode.l10n.t('Show Shared Pods Only'), () => cluster.setShowAllPods(false)),
    ),
    vscode.commands.registerCommand(
      'podProcessExplorer.selectContext',
      run(vscode.l10n.t('Select Context'), () => selectContext(deps)),
    ),
    vscode.commands.registerCommand(
      'podProcessExplorer.selectNamespace',
      run(vscode.l10n.t('Select Namespace'), (namespace?: unknown) =>
        selectNamespace(deps, namespace),
      ),
    ),
    vscode.commands.registerCommand(
      'podProcessExplorer.selectKubeconfig',
      run(vscode.l10n.t('Select Kubeconfig'), () => selectKubeconfig(deps)),
    ),
  );
  return { provider, view };
}

function selectedPod(view: vscode.TreeView<PodTreeNode>): PodNode | undefined {
  const [selected] = view.selection;
  if (!selected) {
    return undefined;
  }
  switch (selected.kind) {
    case 'pod':
      return selected;
    case 'container':
    case 'sandbox':
    case 'unknownContainer':
      return selected.parent;
    case 'process':
      return selected.pod;
    default:
      return undefined;
  }
}

async function selectContext({ cluster }: ExtensionDeps): Promise<void> {
  const loaded = cluster.kubeconfig();
  const current = cluster.contextName();
  const picked = await vscode.window.showQuickPick(
    loaded.contexts.map((context) => ({
      label: context.name,
      description:
        context.name === current
          ? vscode.l10n.t({
              message: 'current',
              comment: ['Marks the current context of the kubeconfig in a list of contexts.'],
            })
          : undefined,
      detail: vscode.l10n.t(
        'cluster {0} · user {1} · namespace {2}',
        context.cluster,
        context.user,
        context.namespace ?? 'default',
      ),
      iconPath: new vscode.ThemeIcon(context.name === current ? 'check' : 'cloud'),
    })),
    {
      title: vscode.l10n.t(
        'Kubernetes context (remembered for this workspace; the kubeconfig is not changed)',
      ),
      placeHolder: current,
      matchOnDetail: true,
    },
  );
  if (picked) {
    await cluster.selectContext(picked.label);
  }
}

const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** The argument (from a keybinding's `args`) that selects all namespaces. */
const ALL_NAMESPACES_ARGUMENT = '*';

/**
 * Picks the namespace the tree shows; a keybinding (or another extension) can pass it as the
 * argument: a namespace name, or "*" for all namespaces.
 */
async function selectNamespace({ cluster }: ExtensionDeps, argument?: unknown): Promise<void> {
  if (argument === ALL_NAMESPACES_ARGUMENT) {
    await cluster.selectNamespace(undefined);
    return;
  }
  if (typeof argument === 'string' && NAMESPACE_NAME.test(argument)) {
    await cluster.selectNamespace(argument);
    return;
  }
  if (argument !== undefined && !(typeof argument === 'object' && argument !== null)) {
    throw new Error(
      vscode.l10n.t(
        'Select Namespace takes a namespace name or "*" for all namespaces, not {0}.',
        JSON.stringify(argument),
      ),
    );
  }
  const current = cluster.namespace();
  const all = vscode.l10n.t('All namespaces');
  const other = vscode.l10n.t('Other namespace…');
  let names: string[] = [];
  let listError: string | undefined;
  try {
    names = await cluster.session().listNamespaces();
  } catch (error) {
    listError = errorMessage(error);
  }
  const items: vscode.QuickPickItem[] = [
    { label: all, iconPath: new vscode.ThemeIcon('globe') },
    ...names.map((name) => ({
      label: name,
      iconPath: new vscode.ThemeIcon(name === current ? 'check' : 'symbol-namespace'),
    })),
    { label: other, detail: listError, iconPath: new vscode.ThemeIcon('edit') },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t(
      'Namespace (remembered for this workspace; the kubeconfig is not changed)',
    ),
    placeHolder: current ?? all,
  });
  if (!picked) {
    return;
  }
  if (picked.label === all) {
    await cluster.selectNamespace(undefined);
  } else if (picked.label === other) {
    const typed = await vscode.window.showInputBox({
      title: vscode.l10n.t({
        message: 'Namespace',
        comment: ['A Kubernetes namespace (the resource), typed by name.'],
      }),
      value: current,
      validateInput: (value) =>
        NAMESPACE_NAME.test(value)
          ? undefined
          : vscode.l10n.t('A namespace name is lowercase letters, digits and dashes (at most 63).'),
    });
    if (typed) {
      await cluster.selectNamespace(typed);
    }
  } else {
    await cluster.selectNamespace(picked.label);
  }
}

async function selectKubeconfig({ settings }: ExtensionDeps): Promise<void> {
  const [file] =
    (await vscode.window.showOpenDialog({
      title: vscode.l10n.t('Select a kubeconfig file'),
      canSelectMany: false,
      openLabel: vscode.l10n.t('Use This Kubeconfig'),
    })) ?? [];
  if (file) {
    await settings.update('kubeconfig', file.fsPath);
  }
}
