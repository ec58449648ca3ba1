import * as l10n from '@vscode/l10n';
import type { Node } from 'yaml';
import type { Finding, Fix, TextEditSpan, Workload } from '../manifestModel';
import type { RuleCode } from '../ruleCatalog';
import { findPair, nodeSpan, type TextSpan } from '../yamlNodes';

/** A rule family: reads one workload document, returns its findings. */
export type Rule = (workload: Workload) => Finding[];

export function finding(
  code: RuleCode,
  message: string,
  span: TextSpan,
  extras: { related?: Finding['related']; fixes?: readonly (Fix | undefined)[] } = {},
): Finding {
  return {
    code,
    message,
    span,
    related: extras.related ?? [],
    fixes: (extras.fixes ?? []).filter((fix): fix is Fix => fix !== undefined),
  };
}

/** A fix from edits that could all be computed; undefined when one could not. */
export function fix(
  title: string,
  edits: readonly (TextEditSpan | undefined)[],
  preferred = false,
): Fix | undefined {
  if (edits.length === 0 || edits.some((edit) => edit === undefined)) {
    return undefined;
  }
  return { title, edits: edits as TextEditSpan[], ...(preferred ? { preferred } : {}) };
}

export function pathText(path: readonly string[]): string {
  return path.join('.');
}

const sharedHereOf = new WeakMap<Workload, Finding['related']>();

/**
 * Related information pointing at the `shareProcessNamespace` that makes the pod shared; one
 * array per workload, however many findings point there.
 */
export function sharedHere(workload: Workload): Finding['related'] {
  let related = sharedHereOf.get(workload);
  if (!related) {
    const key = findPair(workload.podSpec, 'shareProcessNamespace')?.key as Node | undefined;
    related = key?.range
      ? [{ span: nodeSpan(key), message: l10n.t('The pod shares one process namespace here.') }]
      : [];
    sharedHereOf.set(workload, related);
  }
  return related;
}
