import * as vscode from 'vscode';
import type * as ClusterModule from '../cluster';
import { loadBundle } from './lazyBundle';

/** The cluster layer's API: dist/cluster.js, a bundle of its own around @kubernetes/client-node. */
export type ClusterLayer = typeof ClusterModule;

let layer: ClusterLayer | undefined;

/**
 * Loads the cluster layer on first use (the view shown, a command run), never at activation:
 * @kubernetes/client-node is large, and opening a YAML file must not pay for it.
 */
export function loadClusterLayer(extensionUri: vscode.Uri): ClusterLayer {
  if (!layer) {
    layer = loadBundle<ClusterLayer>(extensionUri, 'cluster');
    layer.configureClusterL10n(vscode.l10n.bundle ?? {});
  }
  return layer;
}
