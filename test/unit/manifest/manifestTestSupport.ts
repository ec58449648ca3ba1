import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { checkText } from '../../../src/manifest/server/diagnostics';
import { ManifestChecker } from '../../../src/manifest/server/manifestChecker';
import { DEFAULT_SETTINGS, type ManifestSettings } from '../../../src/manifest/server/settings';
import type { Fix } from '../../../src/manifest/server/manifestModel';
import type { RuleCode } from '../../../src/manifest/server/ruleCatalog';

const FIXTURES = path.resolve(__dirname, '../../fixtures/manifests');

export function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

export interface Found {
  readonly code: string;
  /** The text the diagnostic's range covers. */
  readonly text: string;
  readonly line: number;
  readonly message: string;
}

/** Diagnostics as code, covered text and line: what a reader of the editor sees. */
export function diagnose(text: string, settings: ManifestSettings = DEFAULT_SETTINGS): Found[] {
  const lines = text.split('\n');
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  return checkText(text, settings).map((diagnostic) => ({
    code: String(diagnostic.code),
    text: text.slice(
      starts[diagnostic.range.start.line] + diagnostic.range.start.character,
      starts[diagnostic.range.end.line] + diagnostic.range.end.character,
    ),
    line: diagnostic.range.start.line,
    message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
  }));
}

export function codes(text: string): string[] {
  return diagnose(text).map((found) => found.code);
}

/** Applies the fix whose title matches, of the `index`-th finding with `code`. */
export function applyFix(text: string, code: RuleCode, title: RegExp, index = 0): string {
  const placed = new ManifestChecker()
    .findings('test', text, DEFAULT_SETTINGS.maxFileSize)
    .filter(({ finding }) => finding.code === code);
  const target = placed[index];
  if (!target) {
    throw new Error(`no ${code} finding #${index}`);
  }
  const fix: Fix | undefined = target.finding.fixes.find((candidate) =>
    title.test(candidate.title),
  );
  if (!fix) {
    throw new Error(
      `no fix ${String(title)} in ${target.finding.fixes.map((f) => f.title).join(', ')}`,
    );
  }
  const edits = [...fix.edits].sort((a, b) => b.span.start - a.span.start);
  let result = text;
  for (const edit of edits) {
    result =
      result.slice(0, target.offset + edit.span.start) +
      edit.newText +
      result.slice(target.offset + edit.span.end);
  }
  return result;
}

/** Whether a text still parses as YAML (or JSON) without errors. */
export function parsesCleanly(text: string): boolean {
  return parseAllDocuments(text).every(
    (document) => 'errors' in document && document.errors.length === 0,
  );
}
