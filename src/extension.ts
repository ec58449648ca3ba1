import * as vscode from 'vscode';
import type { ExtensionDeps } from './extensionDeps';
import * as logCommands from './logCommands';
import * as manifestClient from './manifest/client';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel(vscode.l10n.t('Pod Process Explorer'), {
    log: true,
  });
  context.subscriptions.push(log);
  const deps: ExtensionDeps = { log };

  logCommands.register(context, deps);
  manifestClient.register(context, deps);
}
