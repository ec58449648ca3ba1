import type * as vscode from 'vscode';

/** What every feature module's `register(context, deps)` receives from activation. */
export interface ExtensionDeps {
  /** The extension's one log for its own role; the language server logs through its connection. */
  readonly log: vscode.LogOutputChannel;
}
