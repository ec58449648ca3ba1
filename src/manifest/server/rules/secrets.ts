import * as l10n from '@vscode/l10n';
import { isMap, isScalar, type YAMLMap } from 'yaml';
import { basename, invocationsOf, type Invocation, type Word } from '../commandLine';
import { longRunningContainerCount, type ContainerView, type Workload } from '../manifestModel';
import {
  hasSecretShape,
  isLiteralSecretValue,
  isSecretAssignment,
} from '../../../secrets/secretPatterns';
import { replacePair } from '../yamlEdits';
import { findPair, keyNode, mapValue, nodeSpan, seqValue, stringValue } from '../yamlNodes';
import { finding, fix, sharedHere, type RuleFinding } from './ruleSupport';

/** Secrets that every container of a shared pod can read through /proc. */
export function checkSecrets(workload: Workload): RuleFinding[] {
  if (!workload.shared) {
    return [];
  }
  const findings: RuleFinding[] = [];
  for (const container of workload.containers) {
    for (const item of seqValue(container.map, 'env')?.items ?? []) {
      if (isMap(item)) {
        const found = checkEnvEntry(workload, container, item);
        if (found) {
          findings.push(found);
        }
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
            { related: sharedHere(workload), container },
          ),
        );
      }
    }
    for (const invocation of invocationsOf(workload.text, container)) {
      checkArguments(workload, container, invocation, findings);
    }
  }
  checkVolumes(workload, findings);
  return findings;
}

function checkEnvEntry(
  workload: Workload,
  container: ContainerView,
  entry: YAMLMap,
): RuleFinding | undefined {
  const name = stringValue(entry, 'name') ?? '';
  const valuePair = findPair(entry, 'value');
  const value = valuePair?.value;
  if (valuePair && isScalar(value) && value.range && typeof value.value === 'string') {
    const literal = value.value;
    const looksSecret = isSecretAssignment(name, literal) || hasSecretShape(literal);
    if (!looksSecret) {
      return undefined;
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
    return finding(
      'ppe-secret-env-literal',
      l10n.t(
        'The environment variable {0} holds a literal value that looks like a secret. It is written in the manifest, and in a pod that shares its process namespace other containers can read it from /proc/<pid>/environ. Keep it in a Secret.',
        name,
      ),
      nodeSpan(value),
      {
        related: sharedHere(workload),
        fixes: [fix(l10n.t('Read {0} from a Secret (secretKeyRef)', name), [skeleton], true)],
        container,
      },
    );
  }
  const secretKeyRef = findPair(mapValue(entry, 'valueFrom'), 'secretKeyRef');
  const key = secretKeyRef && keyNode(secretKeyRef);
  if (!key) {
    return undefined;
  }
  return finding(
    'ppe-secret-env-reference',
    l10n.t(
      "The Secret value in {0} becomes part of the process environment. In a pod that shares its process namespace, other containers can read /proc/<pid>/environ, protected only by user IDs and the ptrace access check. Consider mounting the Secret as a file readable only by this container's user.",
      name,
    ),
    nodeSpan(key),
    { related: sharedHere(workload), container },
  );
}

function checkArguments(
  workload: Workload,
  container: ContainerView,
  invocation: Invocation,
  findings: RuleFinding[],
): void {
  const { words, assignments } = invocation;
  const program = basename(words[invocation.program]?.value ?? '');
  const report = (target: Word, name: string) =>
    findings.push(
      finding(
        'ppe-secret-arg-literal',
        l10n.t(
          'A literal secret is passed on the command line ({0}). In a pod that shares its process namespace, every container can read it from /proc/<pid>/cmdline. Pass it in a file mounted from a Secret instead.',
          name,
        ),
        target.span,
        { related: sharedHere(workload), container },
      ),
    );
  // A script's assignments and here-documents are on the shell's command line too.
  for (const word of [...assignments, ...invocation.hereDocumentLines]) {
    const label = secretArgumentLabel(program, word, undefined);
    if (label) {
      report(word, label.name);
    }
  }
  for (let index = 0; index < words.length; index++) {
    // A script's own commands are checked one by one.
    if (index === invocation.script) {
      continue;
    }
    const word = words[index];
    const label = secretArgumentLabel(program, word, words[index + 1]);
    if (label) {
      report(label.inNext ? words[index + 1] : word, label.name);
    }
  }
}

/** Clients whose `-p` takes the password glued to it (`mysql -psecret`): `-p` alone prompts. */
const GLUED_PASSWORD = new Set([
  'mysql',
  'mysqldump',
  'mysqladmin',
  'mysqlimport',
  'mysqlcheck',
  'mysqlshow',
  'mysqlpump',
  'mariadb',
  'mariadb-dump',
  'mariadb-admin',
  'mariadb-import',
  'mariadb-check',
]);

/** Programs whose short option takes a password as its value (glued or the next word). */
const PASSWORD_OPTIONS: Readonly<Record<string, string>> = {
  'redis-cli': '-a',
  'valkey-cli': '-a',
  'keydb-cli': '-a',
  sshpass: '-p',
};

const HEADER = /^([A-Za-z][\w-]*):\s*(\S.*)$/s;

/** The flag or variable a secret-looking word belongs to, and whether the value is the next word. */
function secretArgumentLabel(
  program: string,
  word: Word,
  next: Word | undefined,
): { name: string; inNext: boolean } | undefined {
  const assignment = /^(--?[\w.-]+|[A-Za-z_]\w*)=(.*)$/s.exec(word.value);
  if (assignment && isSecretAssignment(assignment[1], assignment[2])) {
    return { name: assignment[1], inNext: false };
  }
  if (
    /^--?[A-Za-z][\w.-]*$/.test(word.value) &&
    next &&
    isSecretAssignment(word.value, next.value)
  ) {
    return { name: word.value, inNext: true };
  }
  const option = PASSWORD_OPTIONS[program] ?? (GLUED_PASSWORD.has(program) ? '-p' : undefined);
  if (option && word.value.startsWith(option)) {
    if (
      word.value.length > option.length &&
      isLiteralSecretValue(word.value.slice(option.length))
    ) {
      return { name: option, inNext: false };
    }
    if (
      word.value === option &&
      !GLUED_PASSWORD.has(program) &&
      next &&
      isLiteralSecretValue(next.value)
    ) {
      return { name: option, inNext: true };
    }
  }
  // `-H "X-Api-Key: …"`, `--header=Private-Token: …`
  const header = HEADER.exec(assignment?.[2] ?? word.value);
  if (header && isSecretAssignment(header[1], header[2])) {
    return { name: header[1], inNext: false };
  }
  if (hasSecretShape(word.value)) {
    const name = /authorization:/i.test(word.value) ? 'Authorization' : assignment?.[1];
    return { name: name ?? l10n.t('a value shaped like a credential'), inNext: false };
  }
  return undefined;
}

function checkVolumes(workload: Workload, findings: RuleFinding[]): void {
  if (longRunningContainerCount(workload) < 2) {
    return;
  }
  for (const volume of seqValue(workload.podSpec, 'volumes')?.items ?? []) {
    if (!isMap(volume)) {
      continue;
    }
    const name = stringValue(volume, 'name') ?? '';
    const secret = findPair(volume, 'secret');
    const projected = findPair(volume, 'projected');
    const held = secret ? 'secret' : projectedCredentials(mapValue(volume, 'projected'));
    const pair = secret ?? projected;
    const key = pair && keyNode(pair);
    if (!key || !held) {
      continue;
    }
    findings.push(
      finding(
        'ppe-secret-volume',
        held === 'secret'
          ? l10n.t(
              'The volume {0} holds Secret data. In a pod that shares its process namespace, other containers can reach it through /proc/<pid>/root of any process that mounts it; only file permissions and the ptrace access check protect it.',
              name,
            )
          : l10n.t(
              'The volume {0} holds a service account token. In a pod that shares its process namespace, other containers can reach it through /proc/<pid>/root of any process that mounts it; only file permissions and the ptrace access check protect it.',
              name,
            ),
        nodeSpan(key),
        { related: sharedHere(workload) },
      ),
    );
  }
}

/** What a projected volume's sources hold that is a credential: a Secret, a token, or nothing. */
function projectedCredentials(projected: YAMLMap | undefined): 'secret' | 'token' | undefined {
  let held: 'secret' | 'token' | undefined;
  for (const source of seqValue(projected, 'sources')?.items ?? []) {
    if (isMap(source) && findPair(source, 'secret')) {
      return 'secret';
    }
    if (isMap(source) && findPair(source, 'serviceAccountToken')) {
      held = 'token';
    }
  }
  return held;
}
