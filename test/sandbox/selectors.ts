// Label and field selectors as the API server parses them (the subset kubectl and client-node send).

export type Matcher = (labels: Readonly<Record<string, string>>) => boolean;

export class SelectorError extends Error {}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') {
      depth++;
    } else if (char === ')') {
      depth--;
    }
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter(Boolean);
}

function requirement(text: string): Matcher {
  let match = /^(\S+?)\s+(in|notin)\s+\((.*)\)$/.exec(text);
  if (match) {
    const [, key, op, list] = match;
    const values = new Set(list.split(',').map((value) => value.trim()));
    return op === 'in'
      ? (labels) => key in labels && values.has(labels[key])
      : (labels) => !(key in labels) || !values.has(labels[key]);
  }
  match = /^([^=!\s]+)\s*(==|!=|=)\s*(\S*)$/.exec(text);
  if (match) {
    const [, key, op, value] = match;
    return op === '!='
      ? (labels) => labels[key] !== value
      : (labels) => key in labels && labels[key] === value;
  }
  match = /^(!?)([^=!\s()]+)$/.exec(text);
  if (match) {
    const [, not, key] = match;
    return not ? (labels) => !(key in labels) : (labels) => key in labels;
  }
  throw new SelectorError(`unable to parse requirement: ${text}`);
}

/** Parses a selector; every requirement must hold. An empty selector matches everything. */
export function parseSelector(text: string | null): Matcher {
  const requirements = splitTopLevel(text ?? '').map(requirement);
  return (labels) => requirements.every((matches) => matches(labels));
}

/** The fields a pod can be selected by, flattened the way the API server exposes them. */
export const POD_FIELDS = [
  'metadata.name',
  'metadata.namespace',
  'spec.nodeName',
  'spec.restartPolicy',
  'status.phase',
  'status.podIP',
];

export function parseFieldSelector(text: string | null, supported: readonly string[]): Matcher {
  const matcher = parseSelector(text);
  for (const part of splitTopLevel(text ?? '')) {
    const key = /^[^=!]+/.exec(part)?.[0].trim() ?? part;
    if (!supported.includes(key)) {
      throw new SelectorError(`field label not supported: ${key}`);
    }
  }
  return matcher;
}
