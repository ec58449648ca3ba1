import type * as vscode from 'vscode';
import { MANIFEST_SCHEMES, isManifestLanguage } from './manifestProtocol';

/** Whether the language server checks this document (languages and schemes: manifestProtocol.ts). */
export function isManifestDocument(document: vscode.TextDocument): boolean {
  return (
    isManifestLanguage(document.languageId) &&
    (MANIFEST_SCHEMES as readonly string[]).includes(document.uri.scheme)
  );
}
