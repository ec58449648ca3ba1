import * as l10n from '@vscode/l10n';
import type { Finding, Fix } from './manifestModel';
import { containerList, type RuleFinding, type RuleFix } from './rules/ruleSupport';

/**
 * One finding per rule and place in the text. Rules check containers one by one, on the document
 * as kubectl reads it, so what several containers share through a YAML anchor, alias or merge key
 * is found once per container, always at the one place it is written. Those findings become one
 * that names every container, with each distinct fix once: an edit of the shared place fixes
 * every container that uses it. Findings also lose what only this merge needs (their container
 * and wordings), so they stay plain data a worker thread can send.
 */
export function oneFindingPerPlace(findings: readonly RuleFinding[]): Finding[] {
  // Most documents share nothing: told by start alone, a number (string keys for every finding
  // would cost more than the rest of this on a script of 50,000 kills).
  if (new Set(findings.map((finding) => finding.span.start)).size === findings.length) {
    return findings.map(plainFinding);
  }
  const places = new Map<string, RuleFinding[]>();
  for (const finding of findings) {
    const key = `${finding.code} ${finding.span.start} ${finding.span.end}`;
    const samePlace = places.get(key);
    if (samePlace) {
      samePlace.push(finding);
    } else {
      places.set(key, [finding]);
    }
  }
  return Array.from(places.values(), (samePlace) =>
    samePlace.length === 1 ? plainFinding(samePlace[0]) : merged(samePlace),
  );
}

function plainFinding({ code, message, span, related, fixes }: RuleFinding): Finding {
  return { code, message, span, related, fixes: fixes.map((fix) => plainFix(fix, fix.title)) };
}

function plainFix({ edits, preferred }: RuleFix, title: string): Fix {
  return { title, edits, ...(preferred ? { preferred } : {}) };
}

function merged(samePlace: readonly RuleFinding[]): Finding {
  const [first] = samePlace;
  const related = new Map<string, Finding['related'][number]>();
  for (const info of samePlace.flatMap((finding) => finding.related)) {
    related.set(`${info.span.start} ${info.span.end} ${info.message}`, info);
  }
  return {
    code: first.code,
    message: mergedMessage(samePlace, containersOf(samePlace)),
    span: first.span,
    related: [...related.values()],
    fixes: mergedFixes(samePlace),
  };
}

/** The containers the findings are about, each once, in the order they were found. */
function containersOf(findings: readonly RuleFinding[]): string[] {
  return [...new Set(findings.flatMap((finding) => finding.container ?? []))];
}

function mergedMessage(samePlace: readonly RuleFinding[], containers: readonly string[]): string {
  const [first] = samePlace;
  if (first.messageFor && containers.length > 0) {
    return first.messageFor(containers);
  }
  // Findings of a rule at one place that differ for another reason than their container (two
  // fields aliasing one value) each keep their own words.
  const message = [...new Set(samePlace.map((finding) => finding.message))].join('\n');
  return containers.length > 1
    ? l10n.t(
        '{0} It applies to the containers {1}, which share this part of the manifest through a YAML anchor, alias or merge key.',
        message,
        containerList(containers),
      )
    : message;
}

/**
 * Fixes that make the same edits are one fix (the shared place edited once), titled for every
 * container it fixes; fixes that edit each container's own text stay apart.
 */
function mergedFixes(samePlace: readonly RuleFinding[]): Fix[] {
  const byEdits = new Map<string, { fix: RuleFix; findings: RuleFinding[] }>();
  for (const finding of samePlace) {
    for (const fix of finding.fixes) {
      const key = JSON.stringify(
        fix.edits.map(({ span, newText }) => [span.start, span.end, newText]),
      );
      const same = byEdits.get(key);
      if (same) {
        same.findings.push(finding);
      } else {
        byEdits.set(key, { fix, findings: [finding] });
      }
    }
  }
  return Array.from(byEdits.values(), ({ fix, findings }) => {
    const containers = containersOf(findings);
    return plainFix(
      fix,
      fix.titleFor && containers.length > 0 ? fix.titleFor(containers) : fix.title,
    );
  });
}
