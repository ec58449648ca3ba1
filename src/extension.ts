import * as vscode from 'vscode';
import { ClusterSelection } from './common/clusterSelection';
import * as debugContainers from './debug/addDebugContainer';
import type { ExtensionDeps } from './common/deps';
import * as logCommands from './common/logCommands';
import { Settings } from './common/settings';
import * as manifestActivation from './manifest/manifestActivation';
import * as procfs from './procfs/register';
import * as processActions from './processActions/register';
import * as terminal from './terminal/terminalCommands';
import * as podTree from './tree/podTree';
import { ProcessStore } from './tree/processStore';

/** What activate() returns: the Pod Processes view's data and the view (the in-editor tests read them). */
export interface PodProcessExplorerApi {
  readonly podTree: vscode.TreeDataProvider<unknown>;
  readonly podView: vscode.TreeView<unknown>;
}

export function activate(context: vscode.ExtensionContext): PodProcessExplorerApi {
  const log = vscode.window.createOutputChannel(vscode.l10n.t('Pod Process Explorer'), {
    log: true,
  });
  const settings = new Settings();
  const cluster = new ClusterSelection(context, settings, log);
  const processes = new ProcessStore(cluster, settings, log);
  context.subscriptions.push(log, settings, cluster, processes);
  const deps: ExtensionDeps = { log, settings, cluster, processes };

  logCommands.register(context, deps);
  manifestActivation.register(context, deps);
  processActions.register(context, deps);
  procfs.register(context, deps);
  terminal.register(context, deps);
  debugContainers.register(context, deps);
  const { provider, view } = podTree.register(context, deps);
  return { podTree: provider, podView: view };
}

export function deactivate(): Promise<void> {
  return manifestActivation.deactivate();
}
