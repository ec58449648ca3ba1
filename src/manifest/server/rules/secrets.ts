import * as l10n from '@vscode/l10n';
import { isMap, isScalar, type YAMLMap } from 'yaml';
import { invocationsOf, type Word } from '../commandLine';
import { longRunningContainerCount, type Finding, type Workload } from '../manifestModel';
import { hasSecretShape, isLiteralSecretValue, isSecretName } from '../secretPatterns';
import { replacePair } from '../yamlEdits';
import { findPair, keyNode, mapValue, nodeSpan, seqValue, stringValue } from '../yamlNodes';
import { finding, fix, sharedHere } from './ruleSupport';

/** Secrets that every container of a shared pod can read through /proc. */
export function checkSecrets(workload: Workload): Finding[] {
  if (!workload.shared) {
    return [];
  }
  const findings: Finding[] = [];
  for (const container of workload.containers) {
    for (const item of seqValue(container.map, 'env')?.items ?? []) {
      if (isMap(item)) {
        findings.push(...checkEnvEntry(workload, item));
      }
    }
    for (const item of seqValue(container.map, 'envFrom')?.items ?? []) {
      const secretRef = isMap(item) ? findPair(item, 'secretRef') : undefined;
      const key = secretRef && keyNode(secretRef);
      if (key) {
        findings.push(
          finding(
            'ppe-secret-env-reference',
            l10n.t(
              "Every key of this Secret becomes an environment variable. In a pod that shares its process namespace, other containers can read /proc/<pid>/environ of this container's processes, protected only by user IDs and the ptrace access check.",
            ),
            nodeSpan(key),
            { related: sharedHere(workload) },
          ),
        );
      }
    }
    for (const invocation of invocationsOf(workload.text, container)) {
      findings.push(...checkArguments(workload, invocation.words));
    }
  }
  findings.push(...checkVolumes(workload));
  return findings;
}

function checkEnvEntry(workload: Workload, entry: YAMLMap): Finding[] {
  const name = stringValue(entry, 'name') ?? '';
  const valuePair = findPair(entry, 'value');
  const value = valuePair?.value;
  if (valuePair && isScalar(value) && value.range && typeof value.value === 'string') {
    const literal = value.value;
    const looksSecret =
      (isSecretName(name) && isLiteralSecretValue(literal)) || hasSecretShape(literal);
    if (!looksSecret) {
      return [];
    }
    const secretName = `${workload.name ?? 'app'}-secrets`;
    const secretKey = name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-') || 'value';
    const skeleton = replacePair(
      workload.text,
      entry,
      valuePair,
      ['valueFrom:', '  secretKeyRef:', `    name: ${secretName}`, `    key: ${secretKey}`],
      `"valueFrom": {"secretKeyRef": {"name": "${secretName}", "key": "${secretKey}"}}`,
    );
    return [
      finding(
        'ppe-secret-env-literal',
        l10n.t(
          'The environment variable {0} holds a literal value that looks like a secret. It is written in the manifest, and in a pod that shares its process namespace other containers can read it from /proc/<pid>/environ. Keep it in a Secret.',
          name,
        ),
        nodeSpan(value),
        {
          related: sharedHere(workload),
          fixes: [fix(l10n.t('Read {0} from a Secret (secretKeyRef)', name), [skeleton], true)],
        },
      ),
    ];
  }
  const secretKeyRef = findPair(mapValue(entry, 'valueFrom'), 'secretKeyRef');
  const key = secretKeyRef && keyNode(secretKeyRef);
  if (!key) {
    return [];
  }
  return [
    finding(
      'ppe-secret-env-reference',
      l10n.t(
        "The Secret value in {0} becomes part of the process environment. In a pod that shares its process namespace, other containers can read /proc/<pid>/environ, protected only by user IDs and the ptrace access check. Consider mounting the Secret as a file readable only by this container's user.",
        name,
      ),
      nodeSpan(key),
      { related: sharedHere(workload) },
    ),
  ];
}

function checkArguments(workload: Workload, words: readonly Word[]): Finding[] {
  const findings: Finding[] = [];
  words.forEach((word, index) => {
    const label = secretArgumentLabel(word, words[index + 1]);
    if (label === undefined) {
      return;
    }
    const target = label.inNext ? words[index + 1] : word;
    findings.push(
      finding(
        'ppe-secret-arg-literal',
        l10n.t(
          'A literal secret is passed on the command line ({0}). In a pod that shares its process namespace, every container can read it from /proc/<pid>/cmdline. Pass it in a file mounted from a Secret instead.',
          label.name,
        ),
        target.span,
        { related: sharedHere(workload) },
      ),
    );
  });
  return findings;
}

/** The flag or variable a secret-looking word belongs to, and whether the value is the next word. */
function secretArgumentLabel(
  word: Word,
  next: Word | undefined,
): { name: string; inNext: boolean } | undefined {
  const assignment = /^(--?[\w.-]+|[A-Za-z_]\w*)=(.*)$/s.exec(word.value);
  if (assignment && isSecretName(assignment[1]) && isLiteralSecretValue(assignment[2])) {
    return { name: assignment[1], inNext: false };
  }
  if (
    /^--?[A-Za-z][\w.-]*$/.test(word.value) &&
    isSecretName(word.value) &&
    next &&
    isLiteralSecretValue(next.value)
  ) {
    return { name: word.value, inNext: true };
  }
  if (hasSecretShape(word.value)) {
    return { name: assignment?.[1] ?? l10n.t('a value shaped like a credential'), inNext: false };
  }
  return undefined;
}

function checkVolumes(workload: Workload): Finding[] {
  if (longRunningContainerCount(workload) < 2) {
    return [];
  }
  const findings: Finding[] = [];
  for (const volume of seqValue(workload.podSpec, 'volumes')?.items ?? []) {
    if (!isMap(volume)) {
      continue;
    }
    const name = stringValue(volume, 'name') ?? '';
    for (const source of ['secret', 'projected']) {
      const pair = findPair(volume, source);
      const key = pair && keyNode(pair);
      if (key) {
        findings.push(
          finding(
            'ppe-secret-volume',
            l10n.t(
              'The volume {0} holds Secret data. In a pod that shares its process namespace, other containers can reach it through /proc/<pid>/root of any process that mounts it; only file permissions and the ptrace access check protect it.',
              name,
            ),
            nodeSpan(key),
            { related: sharedHere(workload) },
          ),
        );
      }
    }
  }
  return findings;
}
