import * as l10n from '@vscode/l10n';
import { parseChunk, splitDocuments, type Finding } from './manifestModel';
import { checkDebugContainers } from './rules/debugContainer';
import { checkPidOne } from './rules/pidOne';
import { checkPodSpecFields } from './rules/podSpecFields';
import type { Rule } from './rules/ruleSupport';
import { checkSecrets } from './rules/secrets';
import { DisableComments } from './disableComments';
import { contentStart, hasTopLevelKind } from './topLevelKind';

const RULE_FAMILIES: readonly Rule[] = [
  checkPodSpecFields,
  checkPidOne,
  checkSecrets,
  checkDebugContainers,
];

/** A finding placed in its file: `offset` is where its document starts. */
export interface PlacedFinding {
  readonly finding: Finding;
  readonly offset: number;
}

/** The findings of one document of a file; `offset` is where the document starts. */
export interface CheckedDocument {
  readonly offset: number;
  readonly findings: readonly Finding[];
}

const KUBERNETES_HINT = /^\s*"?kind"?\s*:/m;

/**
 * Checks manifest files. Results are cached per file and per document source text, so an edit
 * re-checks only the documents it changed.
 */
export class ManifestChecker {
  private readonly cache = new Map<string, Map<string, readonly Finding[]>>();

  constructor(
    private readonly checkOne: (text: string) => readonly Finding[] = checkDocument,
    /** Told about a document the checks threw on (the server logs it). */
    private readonly onError?: (error: unknown) => void,
  ) {}

  /**
   * The findings of each document of a file, before settings are applied (disable comments
   * already are). A document whose text did not change since the last check of the file keeps
   * the very same findings array, which the LSP conversion caches on.
   */
  check(fileKey: string, text: string, maxFileSize: number): CheckedDocument[] {
    if (text.length > maxFileSize) {
      this.cache.delete(fileKey);
      return KUBERNETES_HINT.test(text.slice(0, 65_536))
        ? [{ offset: 0, findings: [tooLarge(text, maxFileSize)] }]
        : [];
    }
    const previous = this.cache.get(fileKey);
    const current = new Map<string, readonly Finding[]>();
    const checked: CheckedDocument[] = [];
    for (const chunk of splitDocuments(text)) {
      let findings = current.get(chunk.text) ?? previous?.get(chunk.text);
      findings ??= this.checkSafely(chunk.text);
      current.set(chunk.text, findings);
      checked.push({ offset: chunk.offset, findings });
    }
    this.cache.set(fileKey, current);
    return checked;
  }

  /** Every finding of a file, placed in it. */
  findings(fileKey: string, text: string, maxFileSize: number): PlacedFinding[] {
    return this.check(fileKey, text, maxFileSize).flatMap(({ offset, findings }) =>
      findings.map((finding) => ({ finding, offset })),
    );
  }

  /**
   * A document that throws (the parser's recursion overflows the stack on thousands of nested
   * sequences on one line) still gets an answer: a diagnostic saying it was not checked when it
   * looks like a Kubernetes object, nothing otherwise; never the previous results left standing.
   */
  private checkSafely(text: string): readonly Finding[] {
    try {
      return this.checkOne(text);
    } catch (error) {
      this.onError?.(error);
      return hasTopLevelKind(text) ? [unreadable(text, error)] : [];
    }
  }

  forget(fileKey: string): void {
    this.cache.delete(fileKey);
  }

  clear(): void {
    this.cache.clear();
  }
}

/** Checks one YAML document (its own source text); spans are relative to that text. */
export function checkDocument(text: string): readonly Finding[] {
  // Data files (a 20 MB package-lock.json) are told apart from the text, without a parse.
  if (!hasTopLevelKind(text)) {
    return [];
  }
  const parsed = parseChunk(text);
  let findings: Finding[];
  if (parsed.type === 'syntax-error') {
    findings = [
      {
        code: 'ppe-yaml-syntax',
        message: l10n.t(
          'This manifest is not valid YAML ({0}), so Pod Process Explorer did not check it.',
          parsed.errorCode,
        ),
        span: parsed.span,
        related: [],
        fixes: [],
      },
    ];
  } else if (parsed.type === 'workloads') {
    findings = parsed.workloads.flatMap((workload) =>
      RULE_FAMILIES.flatMap((rule) => rule(workload)),
    );
  } else {
    return [];
  }
  const disableComments = new DisableComments(text);
  return findings.filter((finding) => !disableComments.disables(finding.code, finding.span.start));
}

function unreadable(text: string, error: unknown): Finding {
  const start = contentStart(text) ?? 0;
  const lineEnd = text.indexOf('\n', start);
  return {
    code: 'ppe-yaml-syntax',
    message: l10n.t(
      'Pod Process Explorer could not read this manifest ({0}), so it did not check it.',
      error instanceof Error ? error.message : String(error),
    ),
    span: { start, end: lineEnd === -1 ? text.length : lineEnd },
    related: [],
    fixes: [],
  };
}

function tooLarge(text: string, maxFileSize: number): Finding {
  const firstLineEnd = text.indexOf('\n');
  return {
    code: 'ppe-file-too-large',
    message: l10n.t(
      'This file has more than {0} characters, so Pod Process Explorer did not check it. Raise podProcessExplorer.manifest.maxFileSize to check it.',
      maxFileSize,
    ),
    span: { start: 0, end: firstLineEnd === -1 ? text.length : firstLineEnd },
    related: [],
    fixes: [],
  };
}
