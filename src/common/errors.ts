import * as vscode from 'vscode';
import type { ClusterError } from '../cluster';

/**
 * How failures reach the user: one sentence they can act on, in a notification or a tree item. The cluster layer's error mapper (toClusterError) writes the sentence; this
 * module only presents it.
 */

/** Duck-typed: the cluster layer is a bundle of its own, so `instanceof` would not hold. */
export function isClusterError(error: unknown): error is ClusterError {
  return (
    error instanceof Error &&
    error.name === 'ClusterError' &&
    typeof (error as Partial<ClusterError>).kind === 'string'
  );
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

/** Logs a failure and shows it as a notification with a way to the log. */
export async function showError(
  log: vscode.LogOutputChannel,
  error: unknown,
  context?: string,
): Promise<void> {
  const message = context
    ? vscode.l10n.t('{0}: {1}', context, errorMessage(error))
    : errorMessage(error);
  log.error(message);
  if (isClusterError(error) && error.kind === 'cancelled') {
    return;
  }
  const showLog = vscode.l10n.t('Show Log');
  if ((await vscode.window.showErrorMessage(message, showLog)) === showLog) {
    log.show(true);
  }
}

/** `loading` is a state under way (it always ends: every remote call has a timeout). */
export type MessageSeverity = 'loading' | 'info' | 'warning' | 'error';

/** A tree item that states a failure or an empty state, with the action that helps, if any. */
export function messageTreeItem(
  message: string,
  severity: MessageSeverity,
  action?: vscode.Command,
): vscode.TreeItem {
  const item = new vscode.TreeItem(message, vscode.TreeItemCollapsibleState.None);
  item.tooltip = action ? `${message}\n\n${action.title}` : message;
  item.iconPath =
    severity === 'error'
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
      : severity === 'warning'
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'))
        : severity === 'loading'
          ? new vscode.ThemeIcon('loading~spin')
          : new vscode.ThemeIcon('info');
  if (action) {
    item.command = action;
    item.description = action.title;
  }
  item.contextValue = `message ${severity}`;
  return item;
}
