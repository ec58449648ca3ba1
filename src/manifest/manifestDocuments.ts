import type * as vscode from 'vscode';

/** The documents the manifest language server checks. */
export const MANIFEST_LANGUAGES = ['yaml', 'json'];
export const MANIFEST_SCHEMES = ['file', 'untitled'];

export function isManifestDocument(document: vscode.TextDocument): boolean {
  return (
    MANIFEST_LANGUAGES.includes(document.languageId) &&
    MANIFEST_SCHEMES.includes(document.uri.scheme)
  );
}
