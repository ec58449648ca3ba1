import * as vscode from 'vscode';
import type { ClusterError } from '../cluster';
import type { RemoteFsError } from '../procfs/remoteOutput';

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
/**
 * Runs a command's action: a failure is logged and shown, and the command returns what
 * `onFailure` makes of it (undefined without one). The command does not wait for the notification
 * to be dismissed.
 */
export async function runShowingErrors<T>(
  log: vscode.LogOutputChannel,
  title: string,
  action: () => T | Promise<T>,
  onFailure?: (error: unknown) => T,
): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    void showError(log, error, title);
    return onFailure?.(error);
  }
}

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

/** Whose `/proc/<pid>/root` a filesystem operation was about, for its error messages. */
export interface ProcessRootContext {
  readonly pid: number;
  /** The container the process runs in. */
  readonly container: string;
  /** The container the exec ran in. */
  readonly inspector: string;
}

/** Duck-typed like isClusterError: the procfs error crosses no bundle, but stays one shape. */
function isRemoteFsError(error: unknown): error is RemoteFsError {
  return (
    error instanceof Error &&
    error.name === 'RemoteFsError' &&
    typeof (error as Partial<RemoteFsError>).code === 'string'
  );
}

/** A special file's kind, as the script names it, in the user's words. */
function specialKind(kind: string): string {
  switch (kind) {
    case 'fifo':
      return vscode.l10n.t('named pipe (FIFO)');
    case 'char':
      return vscode.l10n.t('character device');
    case 'block':
      return vscode.l10n.t('block device');
    case 'socket':
      return vscode.l10n.t('socket');
    default:
      return vscode.l10n.t('special file');
  }
}

/**
 * A container filesystem operation's failure as the FileSystemError VS Code expects (its Explorer
 * and editors act on the code), with a sentence that says why where the code alone does not.
 */
export function toFileSystemError(
  error: unknown,
  uri: vscode.Uri,
  root: ProcessRootContext,
): vscode.FileSystemError {
  if (error instanceof vscode.FileSystemError) {
    return error;
  }
  if (isClusterError(error)) {
    return error.kind === 'forbidden' || error.kind === 'unauthorized'
      ? vscode.FileSystemError.NoPermissions(error.message)
      : vscode.FileSystemError.Unavailable(error.message);
  }
  if (!isRemoteFsError(error)) {
    return new vscode.FileSystemError(errorMessage(error));
  }
  const path = uri.path || '/';
  switch (error.code) {
    case 'ENOENT':
      return vscode.FileSystemError.FileNotFound(uri);
    case 'EEXIST':
      return vscode.FileSystemError.FileExists(uri);
    case 'ENOTDIR':
      return vscode.FileSystemError.FileNotADirectory(uri);
    case 'EISDIR':
      return vscode.FileSystemError.FileIsADirectory(uri);
    case 'EACCES':
      return vscode.FileSystemError.NoPermissions(
        vscode.l10n.t(
          'The permissions of {0} in container {1} do not allow this.',
          path,
          root.container,
        ),
      );
    case 'EROFS':
      return vscode.FileSystemError.NoPermissions(
        vscode.l10n.t('{0} is on a read-only filesystem in container {1}.', path, root.container),
      );
    case 'EPTRACE':
      return vscode.FileSystemError.NoPermissions(
        vscode.l10n.t(
          'Container {0} may not read /proc/{1}/root: that needs the SYS_PTRACE capability in {0} (or the same user as the process). Add SYS_PTRACE to the securityContext of {0}.',
          root.inspector,
          root.pid,
        ),
      );
    case 'ESRCH':
      return vscode.FileSystemError.Unavailable(
        vscode.l10n.t(
          'PID {0} of container {1} has exited, so its files are gone from /proc. Browse the container again to open its current main process.',
          root.pid,
          root.container,
        ),
      );
    case 'ETOOL':
      return vscode.FileSystemError.Unavailable(
        vscode.l10n.t(
          'Container {0} has no "{1}", which browsing container files needs. Browse from a container with busybox or GNU coreutils and findutils.',
          root.inspector,
          error.detail,
        ),
      );
    case 'ESHORT':
      return vscode.FileSystemError.Unavailable(
        vscode.l10n.t('The transfer of {0} was cut short: {1}', path, error.detail),
      );
    case 'ELOOP':
      return new vscode.FileSystemError(
        vscode.l10n.t('{0}: too many levels of symbolic links (a loop).', path),
      );
    case 'ENOTEMPTY':
      return new vscode.FileSystemError(
        vscode.l10n.t('{0} is a directory that is not empty.', path),
      );
    case 'ENOSPC':
      return new vscode.FileSystemError(
        vscode.l10n.t('No space is left on the filesystem of {0}.', path),
      );
    case 'ERACE':
      return vscode.FileSystemError.NoPermissions(
        vscode.l10n.t(
          '{0} changed while it was being opened (a folder or file was swapped for a link), so nothing was done: a process in container {1} may be interfering. Try again.',
          path,
          root.container,
        ),
      );
    case 'ESPECIAL':
      return new vscode.FileSystemError(
        vscode.l10n.t(
          '{0} is not a regular file but a {1}: reading it could block or never end, so it is not opened.',
          path,
          specialKind(error.detail),
        ),
      );
    case 'EFBIG':
      return new vscode.FileSystemError(
        vscode.l10n.t(
          '{0} is too large to open in the editor ({1} MB).',
          path,
          Math.ceil(Number(error.detail) / 1024 / 1024),
        ),
      );
    case 'EXDEV':
      return new vscode.FileSystemError(
        vscode.l10n.t(
          '{0} and its destination are on different volumes of container {1}: copy it, then delete the original.',
          path,
          root.container,
        ),
      );
    case 'EBUSY':
      return new vscode.FileSystemError(
        vscode.l10n.t(
          '{0} is a mount point or a file mounted on its own (a ConfigMap subPath, /etc/hosts) in container {1}, which cannot be replaced.',
          path,
          root.container,
        ),
      );
    case 'EINVAL':
      return new vscode.FileSystemError(vscode.l10n.t('{0} cannot be copied into itself.', path));
    case 'EIO':
      return new vscode.FileSystemError(vscode.l10n.t('{0}: {1}', path, error.detail));
  }
}
