import type * as vscode from 'vscode';
import type { ProcessStore } from '../tree/processStore';
import type { ClusterSelection } from './clusterSelection';
import type { Settings } from './settings';

/** What every feature module's `register(context, deps)` receives from activation. */
export interface ExtensionDeps {
  /** The extension's one log for its own role; the language server logs through its connection. */
  readonly log: vscode.LogOutputChannel;
  readonly settings: Settings;
  /** The kubeconfig, context and namespace in use; loads the cluster layer on first use. */
  readonly cluster: ClusterSelection;
  /** The processes of each pod looked into: the tree, signals and details share one listing. */
  readonly processes: ProcessStore;
}
