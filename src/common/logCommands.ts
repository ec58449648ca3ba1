import * as vscode from 'vscode';
import type { ExtensionDeps } from './deps';

/** Commands about the extension itself rather than the cluster. */
export function register(context: vscode.ExtensionContext, deps: ExtensionDeps): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('podProcessExplorer.showLog', () => deps.log.show(true)),
  );
}
