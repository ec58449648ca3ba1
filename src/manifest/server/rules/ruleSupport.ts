import * as l10n from '@vscode/l10n';
import type { Node } from 'yaml';
import type { ContainerView, Finding, Fix, TextEditSpan, Workload } from '../manifestModel';
import type { RuleCode } from '../ruleCatalog';
import { findPair, nodeSpan, type TextSpan } from '../yamlNodes';

/** A rule family: reads one workload document, returns its findings. */
export type Rule = (workload: Workload) => RuleFinding[];

/**
 * Words a message or a fix title for the containers it is about: one, or several that share the
 * finding's place in the text through a YAML anchor, alias or merge key.
 */
export type ContainerWording = (containers: readonly string[]) => string;

/** A fix as a rule reports it; `titleFor` words the title of one that names its container. */
export interface RuleFix extends Fix {
  readonly titleFor?: ContainerWording;
}

/**
 * A finding as a rule reports it, before the findings of one rule at one place are merged
 * (samePlace.ts): rules check containers one by one, and containers may share what they check.
 */
export interface RuleFinding extends Finding {
  /** The container a rule found it in, when the rule checks containers one by one. */
  readonly container?: string;
  /** For a message that names its container: the message for several. */
  readonly messageFor?: ContainerWording;
  readonly fixes: readonly RuleFix[];
}

interface FindingExtras {
  related?: Finding['related'];
  fixes?: readonly (RuleFix | undefined)[];
  /** The container it was found in: a merged finding names every container it is about. */
  container?: ContainerView;
}

export function finding(
  code: RuleCode,
  message: string,
  span: TextSpan,
  extras: FindingExtras = {},
): RuleFinding {
  return {
    code,
    message,
    span,
    related: extras.related ?? [],
    fixes: (extras.fixes ?? []).filter((fix): fix is RuleFix => fix !== undefined),
    ...(extras.container ? { container: extras.container.name } : {}),
  };
}

/** A finding whose message names its container, worded by `messageFor`. */
export function containerFinding(
  code: RuleCode,
  container: ContainerView,
  messageFor: ContainerWording,
  span: TextSpan,
  extras: Omit<FindingExtras, 'container'> = {},
): RuleFinding {
  return {
    ...finding(code, messageFor([container.name]), span, { ...extras, container }),
    messageFor,
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

/** A fix whose title names the container it fixes, worded by `titleFor`. */
export function containerFix(
  container: ContainerView,
  titleFor: ContainerWording,
  edits: readonly (TextEditSpan | undefined)[],
): RuleFix | undefined {
  const made = fix(titleFor([container.name]), edits);
  return made && { ...made, titleFor };
}

/** Container names as the messages list them. */
export function containerList(containers: readonly string[]): string {
  return containers.join(', ');
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
