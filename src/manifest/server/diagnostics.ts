import type { Diagnostic, DiagnosticRelatedInformation, Range } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ManifestChecker, type CheckedDocument } from './manifestChecker';
import type { Finding } from './manifestModel';
import { RULES } from './ruleCatalog';
import { DEFAULT_SETTINGS, isEnabled, type ManifestSettings } from './settings';
import type { TextSpan } from './yamlNodes';

/** Findings as LSP diagnostics: the only place engine results become protocol data. */

export const DIAGNOSTIC_SOURCE = 'Pod Process Explorer';

/** The diagnostics of one document's findings as last converted, and where they were placed. */
interface Converted {
  readonly uri: string;
  readonly settings: ManifestSettings;
  readonly line: number;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Keyed by the findings array the checker keeps for an unchanged document, so an edit converts
 * only the documents it changed. A document starts a line, so one that moved only shifts its
 * diagnostics' line numbers.
 */
const converted = new WeakMap<readonly Finding[], Converted>();

export function toDiagnostics(
  document: TextDocument,
  checked: readonly CheckedDocument[],
  settings: ManifestSettings,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const { offset, findings } of checked) {
    if (findings.length === 0) {
      continue;
    }
    const line = document.positionAt(offset).line;
    let entry = converted.get(findings);
    if (entry?.uri !== document.uri || entry.settings !== settings) {
      entry = {
        uri: document.uri,
        settings,
        line,
        diagnostics: convert(document, offset, findings, settings),
      };
    } else if (entry.line !== line) {
      entry = {
        ...entry,
        line,
        diagnostics: entry.diagnostics.map((d) => shifted(d, line - entry!.line)),
      };
    }
    converted.set(findings, entry);
    // One by one: a document can have tens of thousands (too many for spread arguments).
    for (const diagnostic of entry.diagnostics) {
      diagnostics.push(diagnostic);
    }
  }
  return diagnostics;
}

function convert(
  document: TextDocument,
  offset: number,
  findings: readonly Finding[],
  settings: ManifestSettings,
): Diagnostic[] {
  return findings
    .filter((finding) => isEnabled(settings, finding.code))
    .map((finding) => {
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

function shifted(diagnostic: Diagnostic, lines: number): Diagnostic {
  const move = (range: Range): Range => ({
    start: { line: range.start.line + lines, character: range.start.character },
    end: { line: range.end.line + lines, character: range.end.character },
  });
  return {
    ...diagnostic,
    range: move(diagnostic.range),
    ...(diagnostic.relatedInformation
      ? {
          relatedInformation: diagnostic.relatedInformation.map((info) => ({
            ...info,
            location: { ...info.location, range: move(info.location.range) },
          })),
        }
      : {}),
  };
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
    new ManifestChecker().check(uri, text, settings.maxFileSize),
    settings,
  );
}
