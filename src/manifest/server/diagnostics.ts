import type { Diagnostic, DiagnosticRelatedInformation, Range } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ManifestChecker, type PlacedFinding } from './manifestChecker';
import { RULES } from './ruleCatalog';
import { DEFAULT_SETTINGS, isEnabled, type ManifestSettings } from './settings';
import type { TextSpan } from './yamlNodes';

/** Findings as LSP diagnostics: the only place engine results become protocol data. */

export const DIAGNOSTIC_SOURCE = 'Pod Process Explorer';

export function toDiagnostics(
  document: TextDocument,
  placed: readonly PlacedFinding[],
  settings: ManifestSettings,
): Diagnostic[] {
  return placed
    .filter(({ finding }) => isEnabled(settings, finding.code))
    .map(({ finding, offset }) => {
      const rule = RULES[finding.code];
      const related: DiagnosticRelatedInformation[] = finding.related.map((info) => ({
        location: { uri: document.uri, range: rangeOf(document, offset, info.span) },
        message: info.message,
      }));
      return {
        range: rangeOf(document, offset, finding.span),
        severity: rule.severity,
        code: finding.code,
        codeDescription: { href: rule.href },
        source: DIAGNOSTIC_SOURCE,
        message: finding.message,
        ...(related.length > 0 ? { relatedInformation: related } : {}),
      };
    });
}

export function rangeOf(document: TextDocument, offset: number, span: TextSpan): Range {
  return {
    start: document.positionAt(offset + span.start),
    end: document.positionAt(offset + span.end),
  };
}

/** Plain-data entry point: a file's text in, its diagnostics out. */
export function checkText(
  text: string,
  settings: ManifestSettings = DEFAULT_SETTINGS,
  uri = 'untitled:manifest.yaml',
): Diagnostic[] {
  const document = TextDocument.create(uri, 'yaml', 0, text);
  return toDiagnostics(
    document,
    new ManifestChecker().findings(uri, text, settings.maxFileSize),
    settings,
  );
}
