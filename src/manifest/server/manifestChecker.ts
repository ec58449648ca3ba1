import * as l10n from '@vscode/l10n';
import { parseChunk, splitDocuments, type Finding } from './manifestModel';
import { checkDebugContainers } from './rules/debugContainer';
import { checkPidOne } from './rules/pidOne';
import { checkPodSpecFields } from './rules/podSpecFields';
import type { Rule } from './rules/ruleSupport';
import { checkSecrets } from './rules/secrets';
import { lineStart } from './yamlEdits';

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

const KUBERNETES_HINT = /^\s*"?kind"?\s*:/m;

/**
 * Checks manifest files. Results are cached per file and per document source text, so an edit
 * re-checks only the documents it changed.
 */
export class ManifestChecker {
  private readonly cache = new Map<string, Map<string, readonly Finding[]>>();

  constructor(private readonly checkOne: (text: string) => readonly Finding[] = checkDocument) {}

  /** Every finding of a file, before settings are applied (disable comments already are). */
  findings(fileKey: string, text: string, maxFileSize: number): PlacedFinding[] {
    if (text.length > maxFileSize) {
      this.cache.delete(fileKey);
      return KUBERNETES_HINT.test(text.slice(0, 65_536)) ? [tooLarge(text, maxFileSize)] : [];
    }
    const previous = this.cache.get(fileKey);
    const current = new Map<string, readonly Finding[]>();
    const placed: PlacedFinding[] = [];
    for (const chunk of splitDocuments(text)) {
      let findings = current.get(chunk.text) ?? previous?.get(chunk.text);
      if (!findings) {
        findings = this.checkOne(chunk.text);
      }
      current.set(chunk.text, findings);
      for (const finding of findings) {
        placed.push({ finding, offset: chunk.offset });
      }
    }
    this.cache.set(fileKey, current);
    return placed;
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
  return findings.filter((finding) => !isDisabledByComment(text, finding));
}

const DISABLE_COMMENT = /^#\s*pod-process-explorer-disable\b(.*)$/;

/** `# pod-process-explorer-disable [code…]` in the comment lines right above the finding. */
function isDisabledByComment(text: string, finding: Finding): boolean {
  let begin = lineStart(text, finding.span.start);
  while (begin > 0) {
    const previous = lineStart(text, begin - 1);
    const line = text.slice(previous, begin).trim();
    if (!line.startsWith('#')) {
      return false;
    }
    const disable = DISABLE_COMMENT.exec(line);
    if (disable) {
      const codes = disable[1].split(/[\s,]+/).filter((code) => code !== '');
      if (codes.length === 0 || codes.includes(finding.code)) {
        return true;
      }
    }
    begin = previous;
  }
  return false;
}

function tooLarge(text: string, maxFileSize: number): PlacedFinding {
  const firstLineEnd = text.indexOf('\n');
  return {
    offset: 0,
    finding: {
      code: 'ppe-file-too-large',
      message: l10n.t(
        'This file has more than {0} characters, so Pod Process Explorer did not check it. Raise podProcessExplorer.manifest.maxFileSize to check it.',
        maxFileSize,
      ),
      span: { start: 0, end: firstLineEnd === -1 ? text.length : firstLineEnd },
      related: [],
      fixes: [],
    },
  };
}
