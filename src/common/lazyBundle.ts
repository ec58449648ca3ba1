import * as vscode from 'vscode';

/**
 * Loads one of the extension's own bundles from dist/ on first use. A runtime require of a path
 * esbuild cannot see keeps that code out of extension.js, so activation does not pay for it.
 */
export function loadBundle<T>(extensionUri: vscode.Uri, name: string): T {
  const path = vscode.Uri.joinPath(extensionUri, 'dist', `${name}.js`).fsPath;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path) as T;
}
