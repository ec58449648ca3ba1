import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { ExtensionDeps } from '../common/deps';
import {
  MANIFEST_LANGUAGES,
  MANIFEST_SERVER_EXEC_ARGV,
  MANIFEST_SCHEMES,
  SETTINGS_SECTION,
  type InitializationOptions,
} from './manifestProtocol';

/** The running client, for the extension's `deactivate` to stop. */
export interface ManifestClient {
  /** Resolves once the server has shut down and exited. */
  stop(): Promise<void>;
}

/**
 * Starts the manifest language server (dist/server.js) for YAML and JSON documents. This module
 * is a bundle of its own (dist/manifestClient.js), loaded once a manifest is open.
 */
export function startManifestClient(
  context: vscode.ExtensionContext,
  deps: ExtensionDeps,
): ManifestClient {
  const serverModule = context.asAbsolutePath('dist/server.js');
  // stdio: the server writes its messages itself (publishEncoder.ts), which IPC would not let it.
  const server = {
    module: serverModule,
    transport: TransportKind.stdio,
    options: { execArgv: [...MANIFEST_SERVER_EXEC_ARGV] },
  };
  const serverOptions: ServerOptions = { run: server, debug: server };
  const serverLog = vscode.window.createOutputChannel(
    vscode.l10n.t('Pod Process Explorer Manifests'),
    { log: true },
  );
  context.subscriptions.push(serverLog);
  const initializationOptions: InitializationOptions = {
    l10nBundlePath: vscode.l10n.uri?.fsPath,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: MANIFEST_LANGUAGES.flatMap((language) =>
      MANIFEST_SCHEMES.map((scheme) => ({ scheme, language })),
    ),
    // The server is a role of its own: its log is a channel of its own, fed through the connection.
    outputChannel: serverLog,
    initializationOptions,
  };
  // The id is the settings section: the client reads `<id>.trace.server` itself.
  const client = new LanguageClient(
    SETTINGS_SECTION,
    vscode.l10n.t('Pod Process Explorer Manifests'),
    serverOptions,
    clientOptions,
  );
  const started = client.start().catch((error: unknown) => {
    deps.log.error(vscode.l10n.t('The manifest language server did not start: {0}', String(error)));
  });
  return {
    async stop() {
      await started;
      if (client.needsStop()) {
        await client.stop();
      }
    },
  };
}
