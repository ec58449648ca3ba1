import * as vscode from 'vscode';
import type * as ClusterModule from '../cluster';

/** The cluster layer's API: dist/cluster.js, a bundle of its own around @kubernetes/client-node. */
export type ClusterLayer = typeof ClusterModule;

let layer: ClusterLayer | undefined;

/**
 * Loads the cluster layer on first use (the view shown, a command run), never at activation:
 * @kubernetes/client-node is large, and opening a YAML file must not pay for it.
 */
export function loadClusterLayer(extensionUri: vscode.Uri): ClusterLayer {
  if (!layer) {
    const path = vscode.Uri.joinPath(extensionUri, 'dist', 'cluster.js').fsPath;
    // A runtime require of a path esbuild cannot see, so the layer stays out of extension.js.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    layer = require(path) as ClusterLayer;
    layer.configureClusterL10n(vscode.l10n.bundle ?? {});
  }
  return layer;
}
