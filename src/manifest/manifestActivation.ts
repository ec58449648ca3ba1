import * as vscode from 'vscode';
import { loadBundle } from '../common/lazyBundle';
import type { ExtensionDeps } from '../common/deps';
import type * as ManifestClient from './client';
import { isManifestDocument } from './manifestDocuments';

/**
 * Starts the manifest language client once a YAML or JSON file is open, and not before: VS Code
 * opens JSON documents of its own at startup (which activates the extension), and the client
 * stack is most of what activation would otherwise load.
 */
export function register(context: vscode.ExtensionContext, deps: ExtensionDeps): void {
  let started = false;
  const start = () => {
    if (started) {
      return;
    }
    started = true;
    listener.dispose();
    loadBundle<typeof ManifestClient>(context.extensionUri, 'manifestClient').startManifestClient(
      context,
      deps,
    );
  };
  const listener = vscode.workspace.onDidOpenTextDocument((document) => {
    if (isManifestDocument(document)) {
      start();
    }
  });
  context.subscriptions.push(listener);
  if (vscode.workspace.textDocuments.some(isManifestDocument)) {
    start();
  }
}
