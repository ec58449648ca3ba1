import type { V1Pod } from '@kubernetes/client-node';
import * as vscode from 'vscode';
import type { ClusterSession } from '../cluster';
import type { ExtensionDeps } from '../common/deps';
import { PROCFS_SCHEME, rootAuthority, rootFolderName, type ProcessRoot } from './procfsUri';

/** How long finding the pod may take before the reopen gives up. */
const POD_LOOKUP_TIMEOUT_MS = 30_000;

/** The pod a root names, read once from the cluster; an error when it is gone. */
function currentPod(session: ClusterSession, root: ProcessRoot): Promise<V1Pod> {
  return new Promise((resolve, reject) => {
    const settle = (action: () => void) => {
      clearTimeout(timer);
      // Disposed after this call returns: the listener runs inside the watch.
      setImmediate(() => watch.dispose());
      action();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(new Error(vscode.l10n.t('The cluster did not list its pods in time.'))),
        ),
      POD_LOOKUP_TIMEOUT_MS,
    );
    const watch = session.watchPods(root.namespace, {
      onSnapshot: (pods) =>
        settle(() => {
          const pod = pods.find((candidate) => candidate.metadata?.name === root.pod);
          if (pod) {
            resolve(pod);
          } else {
            reject(
              new Error(
                vscode.l10n.t(
                  'Pod {0} no longer exists in namespace {1}.',
                  root.pod,
                  root.namespace,
                ),
              ),
            );
          }
        }),
      onChange: () => undefined,
      onError: (error) => settle(() => reject(error)),
    });
  });
}

/** The same container's root, at the PID of its main process now (one listing exec). */
export async function currentMainProcessRoot(
  deps: ExtensionDeps,
  session: ClusterSession,
  root: ProcessRoot,
): Promise<ProcessRoot> {
  const pod = await currentPod(session, root);
  const listed = await deps.cluster.layer.listPodProcesses(session, {
    pod,
    container: root.inspector,
    timeoutMs: deps.settings.get('cluster.requestTimeout') * 1000,
  });
  const pid = listed.placed.mainPid.get(root.container);
  if (pid === undefined) {
    throw new Error(
      vscode.l10n.t(
        'Container {0} of pod {1} has no running main process to browse.',
        root.container,
        root.pod,
      ),
    );
  }
  return { ...root, pid };
}

export function rootUri(root: ProcessRoot, path = '/'): vscode.Uri {
  return vscode.Uri.from({ scheme: PROCFS_SCHEME, authority: rootAuthority(root), path });
}

function sameRoot(uri: vscode.Uri, authority: string): boolean {
  return uri.scheme === PROCFS_SCHEME && uri.authority.toLowerCase() === authority.toLowerCase();
}

/**
 * Puts `next` where `previous` was: its workspace folder (the window's only folder is reopened in
 * the same window, which VS Code requires for a window's first folder) and its editors without
 * unsaved changes, each at the same path.
 */
export async function replaceRoot(previous: ProcessRoot, next: ProcessRoot): Promise<void> {
  const before = rootAuthority(previous);
  const uri = rootUri(next);
  const folders = vscode.workspace.workspaceFolders ?? [];
  const folder = folders.find((candidate) => sameRoot(candidate.uri, before));
  const tabs = vscode.window.tabGroups.all.flatMap((group) =>
    group.tabs.filter(
      (tab) =>
        tab.input instanceof vscode.TabInputText && !tab.isDirty && sameRoot(tab.input.uri, before),
    ),
  );
  for (const tab of tabs) {
    const old = (tab.input as vscode.TabInputText).uri;
    await vscode.window.tabGroups.close(tab);
    await vscode.window.showTextDocument(uri.with({ path: old.path }), {
      viewColumn: tab.group.viewColumn,
      preview: tab.isPreview,
      preserveFocus: !tab.isActive,
    });
  }
  if (!folder) {
    return;
  }
  if (folder.index === 0 && folders.length === 1 && !vscode.workspace.workspaceFile) {
    await vscode.commands.executeCommand('vscode.openFolder', uri, { forceReuseWindow: true });
  } else {
    vscode.workspace.updateWorkspaceFolders(folder.index, 1, {
      uri,
      name: rootFolderName(next),
    });
  }
}
