import * as l10n from '@vscode/l10n';
import type { ContainerView, Workload } from '../manifestModel';
import {
  basename,
  hasEnv,
  invocationsOf,
  killOfPid1,
  tiniOptions,
  type Invocation,
} from '../commandLine';
import { insertIntoSeq } from '../yamlEdits';
import { finding, fix, sharedHere, type RuleFinding } from './ruleSupport';

/** Programs that insist on being PID 1 (s6-overlay's `/init` and busybox's `init` included). */
const PID1_INITS = new Set(['init', 'systemd', 'runit', 'runit-init']);

/** What changes for a container's own PID 1 assumptions once the pod shares its process namespace. */
export function checkPidOne(workload: Workload): RuleFinding[] {
  if (!workload.shared) {
    return [];
  }
  const findings: RuleFinding[] = [];
  // One message per signal: a script may hold thousands of kills.
  const killMessages = new Map<string, string>();
  for (const container of workload.containers) {
    const invocations = invocationsOf(workload.text, container);
    for (const invocation of invocations) {
      const init = checkInit(workload, container, invocation);
      if (init) {
        findings.push(init);
      }
      const kill = checkKill(workload, container, invocation, killMessages);
      if (kill) {
        findings.push(kill);
      }
    }
    const main = invocations.find(
      (invocation) => invocation.origin === 'main' && !invocation.inScript,
    );
    const tini =
      main && !hasEnv(container, 'TINI_SUBREAPER') && checkTini(workload, container, main);
    if (tini) {
      findings.push(tini);
    }
  }
  return findings;
}

/**
 * An init as the program of the container's command, or of a command its script runs. A word of
 * `args` alone is what the image's entrypoint receives (`args: ["init"]` is often a
 * subcommand), so it is an init only once a script runs it.
 */
function checkInit(
  workload: Workload,
  container: ContainerView,
  invocation: Invocation,
): RuleFinding | undefined {
  const { words, program: index } = invocation;
  const program = words[index];
  if (!program || (invocation.origin !== 'main' && invocation.origin !== 'args')) {
    return undefined;
  }
  if (invocation.origin === 'args' && !invocation.inScript) {
    return undefined;
  }
  const busyboxInit =
    program.value === 'init' && basename(words[index - 1]?.value ?? '') === 'busybox';
  if (!PID1_INITS.has(basename(program.value))) {
    return undefined;
  }
  return finding(
    'ppe-init-needs-pid1',
    l10n.t(
      '{0} expects to run as PID 1, but in a pod that shares its process namespace PID 1 is the pod sandbox (pause). The init may refuse to start or fail to manage its services; run it in a pod without shareProcessNamespace.',
      busyboxInit ? 'busybox init' : program.value,
    ),
    busyboxInit ? { start: words[index - 1].span.start, end: program.span.end } : program.span,
    { related: sharedHere(workload), container },
  );
}

function checkKill(
  workload: Workload,
  container: ContainerView,
  invocation: Invocation,
  messages: Map<string, string>,
): RuleFinding | undefined {
  const kill = killOfPid1(invocation);
  if (!kill) {
    return undefined;
  }
  let message = messages.get(kill.signal);
  if (message === undefined) {
    message = killMessage(kill.signal);
    messages.set(kill.signal, message);
  }
  return finding('ppe-kill-pid1', message, kill.span, {
    related: sharedHere(workload),
    container,
  });
}

function killMessage(signal: string): string {
  const stopsPod = signal === 'TERM' || signal === 'INT';
  return stopsPod
    ? l10n.t(
        'This signals PID 1, which in a pod that shares its process namespace is the pod sandbox, not this container: SIG{0} makes the sandbox exit and stops the whole pod. Signal the intended process by its own PID.',
        signal,
      )
    : l10n.t(
        'This signals PID 1, which in a pod that shares its process namespace is the pod sandbox, not this container: the sandbox ignores SIG{0}, so nothing happens. Signal the intended process by its own PID.',
        signal,
      );
}

function checkTini(
  workload: Workload,
  container: ContainerView,
  invocation: Invocation,
): RuleFinding | undefined {
  const tini = invocation.words[0];
  if (!tini || !basename(tini.value).startsWith('tini')) {
    return undefined;
  }
  if (tiniOptions(invocation.words).some((option) => /^-[a-zA-Z]*s/.test(option))) {
    return undefined;
  }
  const argv = invocation.argv;
  const addSubreaper = argv
    ? fix(
        l10n.t('Add -s (register tini as a subreaper)'),
        [insertIntoSeq(workload.text, argv.seq, '-s', '"-s"', argv.firstIndex)],
        true,
      )
    : undefined;
  return finding(
    'ppe-tini-without-subreaper',
    l10n.t(
      'tini is not PID 1 in a pod that shares its process namespace, so orphaned processes are not re-parented to it and their zombies are not reaped. Start it with -s (or set TINI_SUBREAPER) to register it as a child subreaper.',
    ),
    tini.span,
    { related: sharedHere(workload), fixes: [addSubreaper], container },
  );
}
