import * as l10n from '@vscode/l10n';
import type { Finding, Workload } from '../manifestModel';
import {
  basename,
  hasEnv,
  invocationsOf,
  killOfPid1,
  launchedProgram,
  tiniOptions,
  type Invocation,
} from '../commandLine';
import { insertIntoSeq } from '../yamlEdits';
import { finding, fix, sharedHere } from './ruleSupport';

/** Programs that insist on being PID 1 (s6-overlay's `/init` and busybox's `init` included). */
const PID1_INITS = new Set(['init', 'systemd', 'runit', 'runit-init']);

/** What changes for a container's own PID 1 assumptions once the pod shares its process namespace. */
export function checkPidOne(workload: Workload): Finding[] {
  if (!workload.shared) {
    return [];
  }
  const findings: Finding[] = [];
  for (const container of workload.containers) {
    const invocations = invocationsOf(workload.text, container);
    for (const invocation of invocations) {
      if (invocation.origin === 'main') {
        findings.push(...checkInit(workload, invocation));
      }
      findings.push(...checkKill(workload, invocation));
    }
    const main = invocations.find((invocation) => invocation.origin === 'main');
    if (main && !hasEnv(container, 'TINI_SUBREAPER')) {
      findings.push(...checkTini(workload, main));
    }
  }
  return findings;
}

function checkInit(workload: Workload, invocation: Invocation): Finding[] {
  const index = launchedProgram(invocation.words);
  const program = invocation.words[index];
  if (!program) {
    return [];
  }
  const name = basename(program.value);
  const busyboxInit = name === 'busybox' && invocation.words[index + 1]?.value === 'init';
  if (!PID1_INITS.has(name) && !busyboxInit) {
    return [];
  }
  return [
    finding(
      'ppe-init-needs-pid1',
      l10n.t(
        '{0} expects to run as PID 1, but in a pod that shares its process namespace PID 1 is the pod sandbox (pause). The init may refuse to start or fail to manage its services; run it in a pod without shareProcessNamespace.',
        busyboxInit ? 'busybox init' : program.value,
      ),
      busyboxInit
        ? { start: program.span.start, end: invocation.words[index + 1].span.end }
        : program.span,
      { related: sharedHere(workload) },
    ),
  ];
}

function checkKill(workload: Workload, invocation: Invocation): Finding[] {
  const kill = killOfPid1(invocation.words);
  if (!kill) {
    return [];
  }
  const stopsPod = kill.signal === 'TERM' || kill.signal === 'INT';
  return [
    finding(
      'ppe-kill-pid1',
      stopsPod
        ? l10n.t(
            'This signals PID 1, which in a pod that shares its process namespace is the pod sandbox, not this container: SIG{0} makes the sandbox exit and stops the whole pod. Signal the intended process by its own PID.',
            kill.signal,
          )
        : l10n.t(
            'This signals PID 1, which in a pod that shares its process namespace is the pod sandbox, not this container: the sandbox ignores SIG{0}, so nothing happens. Signal the intended process by its own PID.',
            kill.signal,
          ),
      kill.span,
      { related: sharedHere(workload) },
    ),
  ];
}

function checkTini(workload: Workload, invocation: Invocation): Finding[] {
  const tini = invocation.words[0];
  if (!tini || !basename(tini.value).startsWith('tini')) {
    return [];
  }
  if (tiniOptions(invocation.words).some((option) => /^-[a-zA-Z]*s/.test(option))) {
    return [];
  }
  const argv = invocation.argv;
  const addSubreaper = argv
    ? fix(
        l10n.t('Add -s (register tini as a subreaper)'),
        [insertIntoSeq(workload.text, argv.seq, '-s', '"-s"', argv.firstIndex)],
        true,
      )
    : undefined;
  return [
    finding(
      'ppe-tini-without-subreaper',
      l10n.t(
        'tini is not PID 1 in a pod that shares its process namespace, so orphaned processes are not re-parented to it and their zombies are not reaped. Start it with -s (or set TINI_SUBREAPER) to register it as a child subreaper.',
      ),
      tini.span,
      { related: sharedHere(workload), fixes: [addSubreaper] },
    ),
  ];
}
