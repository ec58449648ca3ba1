import * as vscode from 'vscode';
import { loadBundle } from '../common/lazyBundle';
import type { ExtensionDeps } from '../common/deps';
import type * as ManifestClientBundle from './client';
import { isManifestDocument } from './manifestDocuments';

let client: ManifestClientBundle.ManifestClient | undefined;

/**
 * Starts the manifest language client once a YAML or JSON file is open, and not before: VS Code
 * opens JSON documents of its own at startup (which activates the extension), and the client
 * stack is most of what activation would otherwise load.
 */
export function register(context: vscode.ExtensionContext, deps: ExtensionDeps): void {
  const start = () => {
    if (client) {
      return;
    }
    listener.dispose();
    client = loadBundle<typeof ManifestClientBundle>(
      context.extensionUri,
      'manifestClient',
    ).startManifestClient(context, deps);
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

/**
 * Stops the language server: VS Code awaits the extension's `deactivate`, so the server gets its
 * `shutdown` and `exit` instead of being left to notice that its parent went away.
 */
export async function deactivate(): Promise<void> {
  const running = client;
  client = undefined;
  await running?.stop();
}
