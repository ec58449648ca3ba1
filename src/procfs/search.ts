import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionDeps } from '../common/deps';
import { errorMessage, showError, toFileSystemError } from '../common/errors';
import type { ContainerFsProvider } from './containerFsProvider';
import { PROCFS_SCHEME, parseRootAuthority, rootFolderName, type ProcessRoot } from './procfsUri';
import type { TextMatch } from './remoteOutput';

/*
 * "Find File in Container…" and "Search Text in Container…". VS Code's Quick Open and Search view
 * reach a non-file scheme only through FileSearchProvider and TextSearchProvider, which are still
 * proposed API (microsoft/vscode#73524, #59921) and cannot ship in a released extension. These
 * commands are the stable-API equivalent: one exec of `find` (and `grep`) in the container, the
 * results in a quick pick, each opening in the editor.
 */

/** At most this much of names or of matching lines per search (one exec's output, in memory). */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Longer lines are cut in the pick: the editor shows them whole. */
const MAX_LINE_CHARS = 200;

interface SearchScope {
  readonly root: ProcessRoot;
  /** The folder searched: a `pod-root:` URI. */
  readonly folder: vscode.Uri;
}

/** The folder a command was run on, else the active editor's root, else a container folder. */
async function scopeOf(
  uri: vscode.Uri | undefined,
  title: string,
): Promise<SearchScope | undefined> {
  const candidate =
    uri ??
    (vscode.window.activeTextEditor?.document.uri.scheme === PROCFS_SCHEME
      ? vscode.window.activeTextEditor.document.uri.with({ path: '/' })
      : undefined);
  if (candidate) {
    const root = candidate.scheme === PROCFS_SCHEME && parseRootAuthority(candidate.authority);
    if (!root) {
      throw new Error(vscode.l10n.t('{0} is not a container filesystem.', candidate.toString()));
    }
    return { root, folder: candidate };
  }
  const folders = (vscode.workspace.workspaceFolders ?? []).flatMap((folder) => {
    const root =
      folder.uri.scheme === PROCFS_SCHEME ? parseRootAuthority(folder.uri.authority) : undefined;
    return root ? [{ label: folder.name, scope: { root, folder: folder.uri } }] : [];
  });
  if (folders.length <= 1) {
    if (!folders[0]) {
      throw new Error(
        vscode.l10n.t(
          'No container filesystem is open: run Browse Container Filesystem on a process first.',
        ),
      );
    }
    return folders[0].scope;
  }
  return (await vscode.window.showQuickPick(folders, { title }))?.scope;
}

/** A remote failure in the words the folder's other operations use. */
function explained(error: unknown, scope: SearchScope): Error {
  return new Error(errorMessage(toFileSystemError(error, scope.folder, scope.root)));
}

/** Runs a search's exec; its failure reads as the folder's other operations' would. */
async function explaining<T>(scope: SearchScope, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw explained(error, scope);
  }
}

function where(scope: SearchScope): string {
  return `${rootFolderName(scope.root)}: ${scope.folder.path || '/'}`;
}

function fileUnder(folder: vscode.Uri, relative: string): vscode.Uri {
  return folder.with({ path: path.posix.join(folder.path || '/', relative) });
}

/**
 * Shows a busy quick pick while `load` runs, then its items; hiding it cancels the exec. Resolves
 * when the pick closes; a failed load is shown as an error.
 */
function busyPick<T extends vscode.QuickPickItem>(
  deps: ExtensionDeps,
  options: { title: string; placeholder: string; scope: SearchScope },
  load: (signal: AbortSignal) => Promise<{ items: T[]; note: string }>,
  onAccept: (item: T) => Promise<void>,
): Promise<void> {
  const pick = vscode.window.createQuickPick<T>();
  pick.title = options.title;
  pick.placeholder = vscode.l10n.t('Running in the container…');
  pick.matchOnDescription = true;
  pick.busy = true;
  const abort = new AbortController();
  return new Promise<void>((resolve) => {
    const done = () => {
      abort.abort();
      pick.dispose();
      resolve();
    };
    pick.onDidHide(done);
    pick.onDidAccept(() => {
      const [item] = pick.selectedItems;
      if (item) {
        pick.hide();
        void onAccept(item).catch((error: unknown) => showError(deps.log, error, options.title));
      }
    });
    pick.show();
    load(abort.signal).then(
      ({ items, note }) => {
        pick.items = items;
        pick.placeholder = `${options.placeholder}${note ? ` (${note})` : ''}`;
        pick.busy = false;
      },
      (error: unknown) => {
        if (abort.signal.aborted) {
          return;
        }
        pick.hide();
        void showError(deps.log, explained(error, options.scope), options.title);
      },
    );
  });
}

/** Where the command shows its results; `none` only returns them (for callers and tests). */
export type ResultsPlacement = 'pick' | 'none';

export async function findFileInContainer(
  deps: ExtensionDeps,
  provider: ContainerFsProvider,
  uri: vscode.Uri | undefined,
  placement: ResultsPlacement = 'pick',
): Promise<vscode.Uri[] | undefined> {
  const title = vscode.l10n.t('Find File in Container');
  const scope = await scopeOf(uri, title);
  if (!scope) {
    return undefined;
  }
  if (placement === 'none') {
    const files = await explaining(scope, () =>
      provider.filesOf(scope.root).findFiles(scope.folder.path || '/', MAX_OUTPUT_BYTES),
    );
    return files.paths.map((relative) => fileUnder(scope.folder, relative));
  }
  await busyPick(
    deps,
    {
      title: `${title}: ${where(scope)}`,
      placeholder: vscode.l10n.t('Type to filter the files by name or folder'),
      scope,
    },
    async (signal) => {
      const files = await provider
        .filesOf(scope.root)
        .findFiles(scope.folder.path || '/', MAX_OUTPUT_BYTES, signal);
      return {
        items: files.paths.map((relative) => ({
          label: path.posix.basename(relative),
          description: path.posix.dirname(relative) === '.' ? '' : path.posix.dirname(relative),
          uri: fileUnder(scope.folder, relative),
        })),
        note: files.truncated
          ? vscode.l10n.t(
              'the first {0} files: search a smaller folder for the rest',
              files.paths.length,
            )
          : files.incomplete
            ? vscode.l10n.t(
                '{0} files; some folders could not be read, so files may be missing',
                files.paths.length,
              )
            : vscode.l10n.t('{0} files', files.paths.length),
      };
    },
    async (item) => {
      await vscode.commands.executeCommand('vscode.open', item.uri);
    },
  );
  return undefined;
}

/** Where the text is in a line, for the selection; the line's start when it cannot be told. */
function columnOf(match: TextMatch, text: string, ignoreCase: boolean): number {
  const column = ignoreCase
    ? match.text.toLowerCase().indexOf(text.toLowerCase())
    : match.text.indexOf(text);
  return Math.max(0, column);
}

export interface TextMatchLocation {
  readonly uri: vscode.Uri;
  readonly line: number;
  readonly text: string;
}

export async function searchTextInContainer(
  deps: ExtensionDeps,
  provider: ContainerFsProvider,
  uri: vscode.Uri | undefined,
  given?: string,
  placement: ResultsPlacement = 'pick',
): Promise<TextMatchLocation[] | undefined> {
  const title = vscode.l10n.t('Search Text in Container');
  const scope = await scopeOf(uri, title);
  if (!scope) {
    return undefined;
  }
  const text =
    given ??
    (await vscode.window.showInputBox({
      title: `${title}: ${where(scope)}`,
      prompt: vscode.l10n.t(
        'Text to find in the files under {0} (exact text; case is ignored unless it has a capital letter)',
        scope.folder.path || '/',
      ),
      validateInput: (value) =>
        value.includes('\n') ? vscode.l10n.t('Search for text within one line.') : undefined,
    }));
  if (!text) {
    return undefined;
  }
  // Smart case, as in VS Code's search with ripgrep's --smart-case: lower case matches any case.
  const ignoreCase = text === text.toLowerCase();
  if (placement === 'none') {
    const found = await explaining(scope, () =>
      provider
        .filesOf(scope.root)
        .searchText(scope.folder.path || '/', { text, ignoreCase }, MAX_OUTPUT_BYTES),
    );
    return found.matches.map((match) => ({
      uri: fileUnder(scope.folder, match.path),
      line: match.line,
      text: match.text,
    }));
  }
  await busyPick(
    deps,
    {
      title: `${title}: “${text}” in ${where(scope)}`,
      placeholder: vscode.l10n.t('Type to filter the matching lines'),
      scope,
    },
    async (signal) => {
      const found = await provider
        .filesOf(scope.root)
        .searchText(scope.folder.path || '/', { text, ignoreCase }, MAX_OUTPUT_BYTES, signal);
      return {
        items: found.matches.map((match) => ({
          label: match.text.trim().slice(0, MAX_LINE_CHARS),
          description: `${match.path}:${match.line}`,
          match,
        })),
        note: found.truncated
          ? vscode.l10n.t(
              'the first {0} matches: search a smaller folder for the rest',
              found.matches.length,
            )
          : found.incomplete
            ? vscode.l10n.t(
                '{0} matches in {1} files; some folders could not be read, so matches may be missing',
                found.matches.length,
                found.paths.length,
              )
            : found.matches.length === 0
              ? vscode.l10n.t('no matches in {0} files', found.paths.length)
              : vscode.l10n.t('{0} matches in {1} files', found.matches.length, found.paths.length),
      };
    },
    async ({ match }) => {
      const column = columnOf(match, text, ignoreCase);
      const start = new vscode.Position(match.line - 1, column);
      await vscode.window.showTextDocument(fileUnder(scope.folder, match.path), {
        selection: new vscode.Range(start, start.translate(0, text.length)),
      });
    },
  );
  return undefined;
}
