import * as l10n from '@vscode/l10n';
import { parseChunk, splitDocuments, type DocumentChunk, type Finding } from './manifestModel';
import { checkDebugContainers } from './rules/debugContainer';
import { checkPidOne } from './rules/pidOne';
import { checkPodSpecFields } from './rules/podSpecFields';
import type { Rule } from './rules/ruleSupport';
import { checkSecrets } from './rules/secrets';
import { DisableComments } from './disableComments';
import { oneFindingPerPlace } from './samePlace';
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

/** How checking one document went: its findings, and what it threw if it threw. */
export interface DocumentCheck {
  readonly findings: readonly Finding[];
  readonly error?: unknown;
}

/** Checks documents one by one, each with `checkHere` unless it has other threads to use. */
export type CheckDocuments = (
  texts: readonly string[],
  checkHere: (text: string) => DocumentCheck,
) => Promise<DocumentCheck[]>;

/** A file split into its documents, with those the cache already holds. */
interface CheckPlan {
  readonly chunks: readonly DocumentChunk[];
  readonly known: Map<string, readonly Finding[]>;
  /** Texts of the documents to check, each once. */
  readonly unchecked: readonly string[];
}

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
    /** Spreads a large file's documents over threads (checkWorkers.ts); here, one by one. */
    private readonly checkDocuments: CheckDocuments = (texts, checkHere) =>
      Promise.resolve(texts.map(checkHere)),
  ) {}

  /**
   * The findings of each document of a file, before settings are applied (disable comments
   * already are). A document whose text did not change since the last check of the file keeps
   * the very same findings array, which the LSP conversion caches on.
   */
  check(fileKey: string, text: string, maxFileSize: number): CheckedDocument[] {
    const plan = this.plan(fileKey, text, maxFileSize);
    if (!('chunks' in plan)) {
      return plan;
    }
    return this.finish(fileKey, plan, plan.unchecked.map(this.checkHere));
  }

  /** As `check`, with the documents to check spread over the threads `checkDocuments` has. */
  async checkSpread(
    fileKey: string,
    text: string,
    maxFileSize: number,
  ): Promise<CheckedDocument[]> {
    const plan = this.plan(fileKey, text, maxFileSize);
    if (!('chunks' in plan)) {
      return plan;
    }
    return this.finish(fileKey, plan, await this.checkDocuments(plan.unchecked, this.checkHere));
  }

  /** Every finding of a file, placed in it. */
  findings(fileKey: string, text: string, maxFileSize: number): PlacedFinding[] {
    return this.check(fileKey, text, maxFileSize).flatMap(({ offset, findings }) =>
      findings.map((finding) => ({ finding, offset })),
    );
  }

  private plan(fileKey: string, text: string, maxFileSize: number): CheckPlan | CheckedDocument[] {
    if (text.length > maxFileSize) {
      this.cache.delete(fileKey);
      return KUBERNETES_HINT.test(text.slice(0, 65_536))
        ? [{ offset: 0, findings: [tooLarge(text, maxFileSize)] }]
        : [];
    }
    const previous = this.cache.get(fileKey);
    const chunks = splitDocuments(text);
    const known = new Map<string, readonly Finding[]>();
    const unchecked = new Set<string>();
    for (const chunk of chunks) {
      const findings = previous?.get(chunk.text);
      if (findings) {
        known.set(chunk.text, findings);
      } else {
        unchecked.add(chunk.text);
      }
    }
    return { chunks, known, unchecked: [...unchecked] };
  }

  private finish(
    fileKey: string,
    { chunks, known, unchecked }: CheckPlan,
    checks: readonly DocumentCheck[],
  ): CheckedDocument[] {
    checks.forEach(({ findings, error }, index) => {
      if (error !== undefined) {
        this.onError?.(error);
      }
      known.set(unchecked[index], findings);
    });
    this.cache.set(fileKey, known);
    return chunks.map((chunk) => ({ offset: chunk.offset, findings: known.get(chunk.text)! }));
  }

  private readonly checkHere = (text: string): DocumentCheck => checkSafely(text, this.checkOne);

  forget(fileKey: string): void {
    this.cache.delete(fileKey);
  }

  clear(): void {
    this.cache.clear();
  }
}

/**
 * A document that throws (the parser's recursion overflows the stack on thousands of nested
 * sequences on one line) still gets an answer: a diagnostic saying it was not checked when it
 * looks like a Kubernetes object, nothing otherwise; never the previous results left standing.
 */
export function checkSafely(
  text: string,
  checkOne: (text: string) => readonly Finding[] = checkDocument,
): DocumentCheck {
  try {
    return { findings: checkOne(text) };
  } catch (error) {
    return { findings: hasTopLevelKind(text) ? [unreadable(text, error)] : [], error };
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
    findings = oneFindingPerPlace(
      parsed.workloads.flatMap((workload) => RULE_FAMILIES.flatMap((rule) => rule(workload))),
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
