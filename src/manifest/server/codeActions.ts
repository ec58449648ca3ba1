import * as l10n from '@vscode/l10n';
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DIAGNOSTIC_SOURCE, rangeOf } from './diagnostics';
import type { PlacedFinding } from './manifestChecker';
import { isRuleCode } from './ruleCatalog';

/**
 * Quick fixes for the diagnostics the client sends back. Each diagnostic is matched to the
 * current finding with the same code and range, so a fix is never computed from stale text.
 */
export function quickFixes(
  document: TextDocument,
  placed: readonly PlacedFinding[],
  diagnostics: readonly Diagnostic[],
): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE || !isRuleCode(diagnostic.code)) {
      continue;
    }
    const start = document.offsetAt(diagnostic.range.start);
    const end = document.offsetAt(diagnostic.range.end);
    const match = placed.find(
      ({ finding, offset }) =>
        finding.code === diagnostic.code &&
        offset + finding.span.start === start &&
        offset + finding.span.end === end,
    );
    if (!match) {
      continue;
    }
    for (const fix of match.finding.fixes) {
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: fix.preferred ?? false,
        edit: {
          changes: {
            [document.uri]: fix.edits.map((edit) => ({
              range: rangeOf(document, match.offset, edit.span),
              newText: edit.newText,
            })),
          },
        },
      });
    }
    if (document.languageId !== 'json') {
      actions.push(disableComment(document, diagnostic, diagnostic.code));
    }
  }
  return actions;
}

/** Inserts `# pod-process-explorer-disable <code>` above the diagnostic's line, at its indentation. */
function disableComment(document: TextDocument, diagnostic: Diagnostic, code: string): CodeAction {
  const line = diagnostic.range.start.line;
  const lineText = document.getText({
    start: { line, character: 0 },
    end: { line: line + 1, character: 0 },
  });
  const indent = /^[ \t]*/.exec(lineText)?.[0] ?? '';
  const eol = lineText.endsWith('\r\n') ? '\r\n' : '\n';
  return {
    title: l10n.t('Disable {0} for this line', code),
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    edit: {
      changes: {
        [document.uri]: [
          {
            range: { start: { line, character: 0 }, end: { line, character: 0 } },
            newText: `${indent}# pod-process-explorer-disable ${code}${eol}`,
          },
        ],
      },
    },
  };
}
