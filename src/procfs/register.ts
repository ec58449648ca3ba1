import * as vscode from 'vscode';
import type { ExtensionDeps } from '../common/deps';
import { runShowingErrors } from '../common/errors';
import { pidNamespaceKey, podUid } from '../processes/podContainers';
import {
  containerTargetOf,
  pickProcess,
  processTargetOf,
  type ProcessTarget,
} from '../tree/targets';
import type { PodTreeNode } from '../tree/treeNodes';
import { ContainerFsProvider } from './containerFsProvider';
import {
  PROCFS_SCHEME,
  parseRootAuthority,
  rootAuthority,
  rootFolderName,
  type ProcessRoot,
} from './procfsUri';
import { currentMainProcessRoot, replaceRoot, rootUri } from './reopen';
import { findFileInContainer, searchTextInContainer, type ResultsPlacement } from './search';

/** Where the command opens the folder; `none` only returns its URI (for callers and tests). */
export type FolderPlacement = 'workspace' | 'window' | 'none';

/**
 * "Browse Container Filesystem": `/proc/<pid>/root` of a process (or of a container's main
 * process) as a workspace folder or a new window, served by the `pod-root:` provider, which the
 * `filesystem.readOnly` setting registers read-only.
 */
export function register(context: vscode.ExtensionContext, deps: ExtensionDeps): void {
  const provider = new ContainerFsProvider(deps, (root) => offerReopen(root));
  const registerProvider = () =>
    vscode.workspace.registerFileSystemProvider(PROCFS_SCHEME, provider, {
      isCaseSensitive: true,
      isReadonly: deps.settings.get('filesystem.readOnly'),
    });
  let registration = registerProvider();
  const title = vscode.l10n.t('Browse Container Filesystem');
  const reopenTitle = vscode.l10n.t('Reopen for Current Main Process');
  /** Roots whose offer is showing: the Explorer retries, the user sees one notification. */
  const offered = new Set<string>();
  const offerReopen = (root: ProcessRoot) => {
    const key = rootAuthority(root);
    if (offered.has(key)) {
      return;
    }
    offered.add(key);
    void vscode.window
      .showWarningMessage(
        vscode.l10n.t(
          'PID {0} of container {1} in pod {2} has exited: its files are no longer reachable through /proc/{0}/root. Reopen the folder for the container’s current main process?',
          root.pid,
          root.container,
          root.pod,
        ),
        reopenTitle,
      )
      .then(async (answer) => {
        offered.delete(key);
        if (answer === reopenTitle) {
          await vscode.commands.executeCommand(
            'podProcessExplorer.reopenContainerFilesystem',
            rootUri(root),
          );
        }
      });
  };
  context.subscriptions.push(
    provider,
    {
      dispose: () => {
        registration.dispose();
      },
    },
    deps.settings.onDidChange(['filesystem.readOnly'], () => {
      registration.dispose();
      registration = registerProvider();
    }),
    vscode.commands.registerCommand(
      'podProcessExplorer.browseContainerFilesystem',
      (node?: PodTreeNode, placement?: FolderPlacement): Promise<vscode.Uri | undefined> =>
        runShowingErrors(deps.log, title, async () => {
          const target = await targetOf(deps, node);
          if (!target) {
            return undefined;
          }
          const root = processRoot(deps, target);
          const uri = rootUri(root);
          await open(uri, rootFolderName(root), placement);
          return uri;
        }),
    ),
    vscode.commands.registerCommand(
      'podProcessExplorer.findFileInContainer',
      (uri?: vscode.Uri, placement?: ResultsPlacement) =>
        runShowingErrors(deps.log, vscode.l10n.t('Find File in Container'), () =>
          findFileInContainer(deps, provider, uri, placement),
        ),
    ),
    vscode.commands.registerCommand(
      'podProcessExplorer.searchTextInContainer',
      (uri?: vscode.Uri, text?: string, placement?: ResultsPlacement) =>
        runShowingErrors(deps.log, vscode.l10n.t('Search Text in Container'), () =>
          searchTextInContainer(deps, provider, uri, text, placement),
        ),
    ),
    vscode.commands.registerCommand(
      'podProcessExplorer.reopenContainerFilesystem',
      (uri?: vscode.Uri, placement?: 'replace' | 'none'): Promise<vscode.Uri | undefined> =>
        runShowingErrors(deps.log, reopenTitle, async () => {
          const root = await rootToReopen(uri);
          if (!root) {
            return undefined;
          }
          const next = await vscode.window.withProgress(
            {
              location: vscode.ProgressLocation.Notification,
              title: vscode.l10n.t('Finding the main process of container {0}…', root.container),
            },
            () => currentMainProcessRoot(deps, provider.session(root.context), root),
          );
          if (placement !== 'none') {
            await replaceRoot(root, next);
          }
          return rootUri(next);
        }),
    ),
  );
}

/** A process node as it is; a container node as its main process; else a process picked. */
async function targetOf(
  deps: ExtensionDeps,
  node: PodTreeNode | undefined,
): Promise<ProcessTarget | undefined> {
  const processTarget = processTargetOf(node);
  if (processTarget) {
    return processTarget;
  }
  const containerTarget = containerTargetOf(node);
  if (!containerTarget) {
    return pickProcess(deps);
  }
  const { pod, container } = containerTarget;
  await deps.processes.ensure(pod);
  const pidNamespace = pidNamespaceKey(pod, container);
  const state = deps.processes.get(podUid(pod), pidNamespace);
  const listing = state?.status === 'ready' ? state.current : undefined;
  const mainPid = listing?.placed.mainPid.get(container.name);
  const process = listing?.listing.processes.find((candidate) => candidate.pid === mainPid);
  if (!process) {
    throw new Error(
      vscode.l10n.t(
        'No process of container {0} is listed, so it has no root to browse.',
        container.name,
      ),
    );
  }
  return {
    pod,
    process,
    container: container.name,
    isSandbox: false,
    isMain: true,
    pidNamespace,
  };
}

function processRoot(deps: ExtensionDeps, target: ProcessTarget): ProcessRoot {
  const { pod } = target;
  // The container that lists the processes of its PID namespace sees this PID, and is chosen for
  // SYS_PTRACE.
  const inspector = deps.processes.inspectorFor(pod, target.pidNamespace);
  if (!inspector) {
    throw new Error(
      vscode.l10n.t(
        'No container of pod {0} is running to read files from.',
        pod.metadata?.name ?? '',
      ),
    );
  }
  return {
    context: deps.cluster.contextName() ?? '',
    namespace: pod.metadata?.namespace ?? 'default',
    pod: pod.metadata?.name ?? '',
    container: target.container ?? inspector,
    pid: target.process.pid,
    inspector,
  };
}

async function open(uri: vscode.Uri, name: string, placement?: FolderPlacement): Promise<void> {
  const chosen = placement ?? (await pickPlacement());
  if (chosen === 'workspace') {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const existing = folders.find((folder) => folder.uri.toString() === uri.toString());
    if (!existing) {
      vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri, name });
    }
    await vscode.commands.executeCommand('workbench.view.explorer');
  } else if (chosen === 'window') {
    await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
  }
}

/** The root of `uri`; from the palette, the container filesystem folder picked (or the only one). */
async function rootToReopen(uri: vscode.Uri | undefined): Promise<ProcessRoot | undefined> {
  if (uri) {
    return uri.scheme === PROCFS_SCHEME ? parseRootAuthority(uri.authority) : undefined;
  }
  const roots = (vscode.workspace.workspaceFolders ?? []).flatMap((folder) => {
    const root =
      folder.uri.scheme === PROCFS_SCHEME ? parseRootAuthority(folder.uri.authority) : undefined;
    return root ? [{ label: folder.name, root }] : [];
  });
  if (roots.length <= 1) {
    if (!roots[0]) {
      throw new Error(vscode.l10n.t('No container filesystem folder is open.'));
    }
    return roots[0].root;
  }
  return (
    await vscode.window.showQuickPick(roots, {
      title: vscode.l10n.t('Reopen Container Filesystem'),
    })
  )?.root;
}

async function pickPlacement(): Promise<FolderPlacement | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      {
        label: `$(root-folder) ${vscode.l10n.t('Add to Workspace')}`,
        placement: 'workspace' as const,
      },
      {
        label: `$(empty-window) ${vscode.l10n.t('Open in New Window')}`,
        placement: 'window' as const,
      },
    ],
    { title: vscode.l10n.t('Browse Container Filesystem') },
  );
  return picked?.placement;
}
