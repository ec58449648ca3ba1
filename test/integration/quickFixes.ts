// Asking VS Code for quick fixes the way the lightbulb gets them, from the in-editor tests.
import * as vscode from 'vscode';

/**
 * The quick fixes VS Code offers at `range`, once `wanted` accepts them (or the last ones asked
 * for, after a bounded number of tries). VS Code computes a request's diagnostics from the
 * renderer's markers, which can trail the extension host's diagnostics for a moment, and cancels
 * a request when the text model changes while it runs (an edit just applied reaching the
 * renderer). A user would press Ctrl+. again: so do the tests, each try a round trip through the
 * renderer.
 */
export async function quickFixesWhen(
  document: vscode.TextDocument,
  range: vscode.Range,
  wanted: (actions: vscode.CodeAction[]) => boolean,
): Promise<vscode.CodeAction[]> {
  let actions: vscode.CodeAction[] = [];
  for (let attempt = 1; attempt <= 20; attempt++) {
    try {
      actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        document.uri,
        range,
        vscode.CodeActionKind.QuickFix.value,
      );
      if (wanted(actions)) {
        return actions;
      }
    } catch (error) {
      if (!(error instanceof Error && error.name === 'Canceled')) {
        throw error;
      }
    }
  }
  return actions;
}
