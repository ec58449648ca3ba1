import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { ExtensionDeps } from '../common/deps';
import { MANIFEST_LANGUAGES, MANIFEST_SCHEMES } from './manifestDocuments';

/**
 * Starts the manifest language server (dist/server.js) for YAML and JSON documents. This module
 * is a bundle of its own (dist/manifestClient.js), loaded once a manifest is open.
 */
export function startManifestClient(context: vscode.ExtensionContext, deps: ExtensionDeps): void {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const server = { module: serverModule, transport: TransportKind.ipc };
  const serverOptions: ServerOptions = { run: server, debug: server };
  const serverLog = vscode.window.createOutputChannel(
    vscode.l10n.t('Pod Process Explorer Manifests'),
    { log: true },
  );
  context.subscriptions.push(serverLog);
  const clientOptions: LanguageClientOptions = {
    documentSelector: MANIFEST_LANGUAGES.flatMap((language) =>
      MANIFEST_SCHEMES.map((scheme) => ({ scheme, language })),
    ),
    // The server is a role of its own: its log is a channel of its own, fed through the connection.
    outputChannel: serverLog,
    initializationOptions: { l10nBundlePath: vscode.l10n.uri?.fsPath },
  };
  const client = new LanguageClient(
    'podProcessExplorer.manifest',
    vscode.l10n.t('Pod Process Explorer Manifests'),
    serverOptions,
    clientOptions,
  );
  context.subscriptions.push({ dispose: () => void client.stop() });
  client.start().catch((error: unknown) => {
    deps.log.error(vscode.l10n.t('The manifest language server did not start: {0}', String(error)));
  });
}
