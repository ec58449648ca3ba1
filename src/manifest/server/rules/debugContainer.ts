import * as l10n from '@vscode/l10n';
import { isScalar } from 'yaml';
import { isOpen } from '../kubectlYaml';
import type { ContainerView, Workload } from '../manifestModel';
import { insertIntoMap, insertIntoSeq } from '../yamlEdits';
import {
  findPair,
  isOwnPair,
  keyNode,
  kubernetesTrue,
  mapValue,
  nodeSpan,
  scalarNode,
  seqValue,
  stringValue,
} from '../yamlNodes';
import {
  containerFinding,
  containerFix,
  containerList,
  sharedHere,
  type RuleFinding,
} from './ruleSupport';

const PTRACE_NAMES = new Set(['SYS_PTRACE', 'CAP_SYS_PTRACE']);
/** `ALL` adds every capability, SYS_PTRACE among them. */
const ALL_NAMES = new Set(['ALL', 'CAP_ALL']);

/** Debug shells in a shared pod: what they can inspect, and what SYS_PTRACE costs. */
export function checkDebugContainers(workload: Workload): RuleFinding[] {
  if (!workload.shared) {
    return [];
  }
  const findings: RuleFinding[] = [];
  for (const container of workload.containers) {
    const securityContext = mapValue(container.map, 'securityContext');
    const added = seqValue(mapValue(securityContext, 'capabilities'), 'add')?.items ?? [];
    const ptrace = added.find(
      (item) =>
        isScalar(item) &&
        typeof item.value === 'string' &&
        (PTRACE_NAMES.has(item.value) || ALL_NAMES.has(item.value)),
    );
    if (isScalar(ptrace) && ptrace.range) {
      findings.push(
        containerFinding(
          'ppe-ptrace-breaks-baseline',
          container,
          ALL_NAMES.has(String(ptrace.value)) ? addsAllMessage : addsPtraceMessage,
          nodeSpan(ptrace),
        ),
      );
      continue;
    }
    // A template action among these keys may add SYS_PTRACE or privileged: nothing to say.
    const capabilities = mapValue(securityContext, 'capabilities');
    if (
      [container.map, securityContext, capabilities, seqValue(capabilities, 'add')].some(isOpen)
    ) {
      continue;
    }
    // A key written in this container comes before one merged in from an anchor (`<<: *shell`).
    const interactive = ['stdin', 'tty']
      .map((field) => findPair(container.map, field))
      .filter((pair) => pair && kubernetesTrue(workload.text, pair.value))
      .sort(
        (a, b) => Number(!isOwnPair(container.map, a)) - Number(!isOwnPair(container.map, b)),
      )[0];
    const interactiveKey = interactive && keyNode(interactive);
    const privileged = kubernetesTrue(
      workload.text,
      findPair(securityContext, 'privileged')?.value,
    );
    const privilegedValue = scalarNode(findPair(securityContext, 'privileged')?.value);
    if (privileged && privilegedValue) {
      findings.push(
        containerFinding(
          'ppe-privileged-in-shared-pod',
          container,
          privilegedMessage,
          nodeSpan(privilegedValue),
          { related: sharedHere(workload) },
        ),
      );
      continue;
    }
    if (!interactiveKey || !looksLikeShell(container)) {
      continue;
    }
    findings.push(
      containerFinding(
        'ppe-debug-without-ptrace',
        container,
        debugShellMessage,
        nodeSpan(interactiveKey),
        {
          related: sharedHere(workload),
          fixes: [containerFix(container, addPtraceTitle, [addPtrace(workload.text, container)])],
        },
      ),
    );
  }
  return findings;
}

// Worded for one container or for several that share the place of the finding (an anchor).

function addsAllMessage(containers: readonly string[]): string {
  return containers.length === 1
    ? l10n.t(
        'Adding ALL capabilities (SYS_PTRACE among them) lets {0} inspect every process in the shared namespace, but Pod Security "baseline" (and "restricted") forbid it: namespaces that enforce either level reject this pod.',
        containers[0],
      )
    : l10n.t(
        'Adding ALL capabilities (SYS_PTRACE among them) lets the containers {0} inspect every process in the shared namespace, but Pod Security "baseline" (and "restricted") forbid it: namespaces that enforce either level reject this pod.',
        containerList(containers),
      );
}

function addsPtraceMessage(containers: readonly string[]): string {
  return containers.length === 1
    ? l10n.t(
        'Adding SYS_PTRACE lets {0} inspect every process in the shared namespace, but Pod Security "baseline" (and "restricted") forbid it: namespaces that enforce either level reject this pod.',
        containers[0],
      )
    : l10n.t(
        'Adding SYS_PTRACE lets the containers {0} inspect every process in the shared namespace, but Pod Security "baseline" (and "restricted") forbid it: namespaces that enforce either level reject this pod.',
        containerList(containers),
      );
}

function privilegedMessage(containers: readonly string[]): string {
  return containers.length === 1
    ? l10n.t(
        '{0} is privileged in a pod that shares its process namespace: it can read the memory, environment and files of every process of the pod and trace them, more than SYS_PTRACE allows, and reach the node\'s devices. Pod Security "baseline" forbids it.',
        containers[0],
      )
    : l10n.t(
        'The containers {0} are privileged in a pod that shares its process namespace: they can read the memory, environment and files of every process of the pod and trace them, more than SYS_PTRACE allows, and reach the node\'s devices. Pod Security "baseline" forbids it.',
        containerList(containers),
      );
}

function debugShellMessage(containers: readonly string[]): string {
  return containers.length === 1
    ? l10n.t(
        '{0} looks like a debug shell (stdin/tty). Without the SYS_PTRACE capability it cannot read /proc/<pid>/root or /proc/<pid>/environ of processes that run as another user (nginx workers, for example). Sending signals does not need it: the same user or CAP_KILL is enough.',
        containers[0],
      )
    : l10n.t(
        'The containers {0} look like debug shells (stdin/tty). Without the SYS_PTRACE capability they cannot read /proc/<pid>/root or /proc/<pid>/environ of processes that run as another user (nginx workers, for example). Sending signals does not need it: the same user or CAP_KILL is enough.',
        containerList(containers),
      );
}

/** One edit that adds SYS_PTRACE to a shared securityContext fixes every container using it. */
function addPtraceTitle(containers: readonly string[]): string {
  return l10n.t(
    'Add SYS_PTRACE to {0} (Pod Security "baseline" forbids it)',
    containerList(containers),
  );
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'fish']);
const INIT_WRAPPERS = new Set(['tini', 'dumb-init', 'catatonit', 'env', 'exec']);
/** Images people run as a debug shell; any other image with stdin/tty is a program (nginx -i). */
const SHELL_IMAGES =
  /^(?:[\w.-]+(?::\d+)?\/)*(?:busybox|alpine|ubuntu|debian|fedora|centos|rockylinux|almalinux|amazonlinux|archlinux|opensuse[\w/-]*|bash|netshoot|toolbox|debug[\w-]*|[\w-]*-debug|[\w-]*shell[\w-]*)(?::[\w.-]+)?(?:@sha256:[0-9a-f]+)?$/i;

/**
 * Whether the container is a shell to exec into: a shell image (busybox, alpine, netshoot…,
 * whatever it runs: often `sleep infinity`), or a command (or, without one, args as kubectl
 * debug writes them) that starts a shell. stdin and tty alone do not tell: nginx may have them.
 */
function looksLikeShell(container: ContainerView): boolean {
  const words = (field: string) =>
    (seqValue(container.map, field)?.items ?? []).map((item) =>
      isScalar(item) && typeof item.value === 'string' ? item.value : '',
    );
  if (SHELL_IMAGES.test(stringValue(container.map, 'image') ?? '')) {
    return true;
  }
  const command = words('command');
  // An init in front (`tini -- sh`, `dumb-init sh`) runs the shell after it.
  const program = (command.length > 0 ? command : words('args'))
    .map((word) => word.slice(word.lastIndexOf('/') + 1))
    .find((word) => !INIT_WRAPPERS.has(word) && !word.startsWith('-'));
  return program !== undefined && SHELLS.has(program);
}

function addPtrace(text: string, container: ContainerView) {
  const securityContextPair = findPair(container.map, 'securityContext');
  if (!securityContextPair) {
    return insertIntoMap(
      text,
      container.map,
      ['securityContext:', '  capabilities:', '    add:', '      - SYS_PTRACE'],
      '"securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}',
    );
  }
  const securityContext = mapValue(container.map, 'securityContext');
  if (!securityContext) {
    return undefined;
  }
  if (!findPair(securityContext, 'capabilities')) {
    return insertIntoMap(
      text,
      securityContext,
      ['capabilities:', '  add:', '    - SYS_PTRACE'],
      '"capabilities": {"add": ["SYS_PTRACE"]}',
    );
  }
  const capabilities = mapValue(securityContext, 'capabilities');
  if (!capabilities) {
    return undefined;
  }
  const add = seqValue(capabilities, 'add');
  if (!findPair(capabilities, 'add')) {
    return insertIntoMap(text, capabilities, ['add:', '  - SYS_PTRACE'], '"add": ["SYS_PTRACE"]');
  }
  return add ? insertIntoSeq(text, add, 'SYS_PTRACE', '"SYS_PTRACE"') : undefined;
}
