import * as vscode from 'vscode';
import type { ExtensionDeps } from '../common/deps';
import { isClusterError } from '../common/errors';
import { pidNamespaces, podUid } from '../processes/podContainers';
import {
  COMMON_SIGNALS,
  guardedKillCommand,
  statCommand,
  statShowsStart,
  killCommand,
  parseKillResult,
  parseSignal,
  signalByName,
  signalConsequence,
  signalLabel,
  signalSenders,
  standardSignalName,
  type CommonSignalName,
  type KillResult,
  type Signal,
  type SignalConsequence,
} from '../processes/signals';
import type { ProcessTarget } from '../tree/targets';

/** What Send Signal did, as the user was told it; returned by the command. */
export interface SignalOutcome {
  readonly status: 'sent' | 'gone' | 'notPermitted' | 'failed' | 'cancelled';
  /** The message shown. */
  readonly message?: string;
  /** The container kill ran in, when the signal was sent. */
  readonly from?: string;
}

function describe(name: CommonSignalName): string {
  switch (name) {
    case 'HUP':
      return vscode.l10n.t(
        'Hang up: many daemons reload their configuration (nginx starts new workers)',
      );
    case 'INT':
      return vscode.l10n.t('Interrupt, as Ctrl+C: most programs end');
    case 'QUIT':
      return vscode.l10n.t(
        'Quit, as Ctrl+\\: ends the process, some dump core or shut down gracefully',
      );
    case 'KILL':
      return vscode.l10n.t('Kill: ends the process at once; it cannot be caught');
    case 'USR1':
      return vscode.l10n.t('User signal 1: its meaning is the program’s (nginx reopens its logs)');
    case 'USR2':
      return vscode.l10n.t('User signal 2: its meaning is the program’s');
    case 'TERM':
      return vscode.l10n.t('Terminate: asks the process to shut down cleanly');
    case 'STOP':
      return vscode.l10n.t('Stop: freezes the process until CONT; it cannot be caught');
    case 'CONT':
      return vscode.l10n.t('Continue a stopped process');
  }
}

interface SignalItem extends vscode.QuickPickItem {
  readonly signal: Signal;
}

/** A signal typed into the filter: a number shows the name x86 and arm give it. */
function typedItem(typed: Signal): SignalItem {
  const standard = standardSignalName(typed.number);
  return {
    label: signalLabel(typed),
    description: typed.name
      ? `SIG${typed.name} · ${typed.number}`
      : standard === undefined
        ? undefined
        : `SIG${standard}`,
    detail: vscode.l10n.t('Send signal {0}', signalLabel(typed)),
    alwaysShow: true,
    signal: typed,
  };
}

/** The common signals, or a name or number (1–64) typed into the filter. */
function pickSignal(target: ProcessTarget): Promise<Signal | undefined> {
  const common: SignalItem[] = COMMON_SIGNALS.map((name) => {
    const signal = signalByName(name);
    return {
      label: name,
      description: `SIG${name} · ${signal.number}`,
      detail: describe(name),
      signal,
    };
  });
  const pick = vscode.window.createQuickPick<SignalItem>();
  pick.title = vscode.l10n.t(
    'Send Signal to PID {0} ({1})',
    target.process.pid,
    target.process.commandLine,
  );
  pick.placeholder = vscode.l10n.t('Pick a signal, or type a signal name or number (1–64)');
  pick.matchOnDescription = true;
  pick.items = common;
  pick.onDidChangeValue((value) => {
    const typed = parseSignal(value);
    const known = typed?.name !== undefined && common.some((item) => item.label === typed.name);
    pick.items = typed && !known ? [typedItem(typed), ...common] : common;
  });
  return new Promise((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]?.signal);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

function restartPolicyOf(target: ProcessTarget): string {
  const sidecar = target.pod.spec?.initContainers?.find(
    (container) => container.name === target.container,
  );
  return sidecar?.restartPolicy ?? target.pod.spec?.restartPolicy ?? 'Always';
}

/** A modal warning that says what ends with the process; true to send anyway. */
async function confirm(
  target: ProcessTarget,
  signal: Signal,
  consequence: Exclude<SignalConsequence, undefined>,
): Promise<boolean> {
  const label = signalLabel(signal);
  const pod = target.pod.metadata?.name ?? '';
  const policy = restartPolicyOf(target);
  const [message, detail] =
    consequence === 'stopsPod'
      ? [
          vscode.l10n.t('Send {0} to the pod sandbox of {1}? The whole pod stops.', label, pod),
          vscode.l10n.t(
            'PID 1 of a pod that shares its process namespace is the pod sandbox. If it exits, every container of the pod stops with it; Kubernetes starts them again only as the pod’s restartPolicy ({0}) allows.',
            policy,
          ),
        ]
      : [
          vscode.l10n.t(
            'Send {0} to the main process of container "{1}"? The container stops.',
            label,
            target.container ?? '',
          ),
          vscode.l10n.t(
            'PID {0} is the main process of container "{1}" in pod {2}: when it exits, the container stops. Its restartPolicy is {3}: Always restarts it, OnFailure restarts it only after a failure, Never leaves it stopped.',
            target.process.pid,
            target.container ?? '',
            pod,
            policy,
          ),
        ];
  const send = vscode.l10n.t('Send {0}', label);
  return (await vscode.window.showWarningMessage(message, { modal: true, detail }, send)) === send;
}

/**
 * kill from one container: the guarded script where there is a shell, else kill itself after cat
 * saw the same start time (see statCommand).
 */
async function killFrom(
  deps: ExtensionDeps,
  target: ProcessTarget,
  signal: Signal,
  container: string,
): Promise<KillResult | 'noKill'> {
  const session = deps.cluster.session();
  const { pid, startTicks } = target.process;
  const run = (command: string[]) =>
    session.exec({
      namespace: target.pod.metadata?.namespace ?? 'default',
      pod: target.pod.metadata?.name ?? '',
      container,
      command,
      timeoutMs: deps.settings.get('cluster.requestTimeout') * 1000,
      maxOutputBytes: 64 * 1024,
    });
  try {
    const result = await run(guardedKillCommand(signal, pid, startTicks));
    return parseKillResult(result.exitCode, result.stderr.toString('utf8'));
  } catch (error) {
    // No shell: the guard by hand with cat and kill, or the next container.
    if (!(isClusterError(error) && error.kind === 'noShell')) {
      throw error;
    }
  }
  try {
    const stat = await run(statCommand(pid));
    if (stat.exitCode !== 0 || !statShowsStart(stat.stdout.toString('latin1'), startTicks)) {
      return { kind: 'gone' };
    }
    const result = await run(killCommand(signal, pid));
    return parseKillResult(result.exitCode, result.stderr.toString('utf8'));
  } catch (error) {
    if (!(isClusterError(error) && error.kind === 'noShell')) {
      throw error;
    }
  }
  return 'noKill';
}

/** The UID each container's main process runs as: the user an exec there runs as. */
function containerUids(deps: ExtensionDeps, target: ProcessTarget): Map<string, number> {
  const uids = new Map<string, number>();
  // Each container's main process is in the listing of its PID namespace.
  for (const state of deps.processes.listings(podUid(target.pod)).values()) {
    const listed = state.status === 'ready' ? state.current : state.previous;
    for (const [container, pid] of listed?.placed.mainPid ?? []) {
      const main = listed?.listing.processes.find((process) => process.pid === pid);
      if (main) {
        uids.set(container, main.uid);
      }
    }
  }
  return uids;
}

/** Why no container could send it, naming the containers that could. */
function notPermittedMessage(
  target: ProcessTarget,
  signal: Signal,
  refused: readonly string[],
  withoutKill: readonly string[],
  uids: ReadonlyMap<string, number>,
): string {
  const { pid, uid, commandLine } = target.process;
  const quoted = (names: readonly string[]) => names.map((name) => `"${name}"`).join(', ');
  const parts = [
    vscode.l10n.t(
      'Sending {0} to PID {1} ({2}) was not permitted from container {3}: a signal needs the process’s user (UID {4}) or CAP_KILL.',
      signalLabel(signal),
      pid,
      commandLine,
      refused
        .map((name) => (uids.has(name) ? `"${name}" (UID ${uids.get(name)})` : `"${name}"`))
        .join(', '),
      uid,
    ),
  ];
  if (withoutKill.length > 0) {
    parts.push(
      vscode.l10n.t(
        'Container {0} runs as that user or as root but has no shell, and not both kill and cat (cat checks first that the PID still names that process).',
        quoted(withoutKill),
      ),
    );
  }
  const sameUser = [...uids]
    .filter(([name, id]) => id === uid && !refused.includes(name) && !withoutKill.includes(name))
    .map(([name]) => name);
  parts.push(
    sameUser.length > 0
      ? vscode.l10n.t(
          'Container {0} runs as UID {1} and could send it once it is running.',
          quoted(sameUser),
          uid,
        )
      : vscode.l10n.t(
          'A debug container with a shell that runs as UID {0}, or keeps CAP_KILL, can send it.',
          uid,
        ),
  );
  return parts.join(' ');
}

/** Sends the signal from the first container that may, and says what happened. */
async function deliver(
  deps: ExtensionDeps,
  target: ProcessTarget,
  signal: Signal,
): Promise<SignalOutcome> {
  const uids = containerUids(deps, target);
  const senders = signalSenders({
    inspector: deps.processes.inspectorFor(target.pod, target.pidNamespace),
    processContainer: target.container,
    targetUid: target.process.uid,
    containers: (pidNamespaces(target.pod).get(target.pidNamespace) ?? []).map((container) => ({
      name: container.name,
      running: container.state === 'running',
      uid: uids.get(container.name),
    })),
  });
  const { pid, commandLine } = target.process;
  const label = signalLabel(signal);
  const refused: string[] = [];
  const withoutKill: string[] = [];
  for (const container of senders) {
    const result = await killFrom(deps, target, signal, container);
    if (result === 'noKill') {
      withoutKill.push(container);
      continue;
    }
    switch (result.kind) {
      case 'notPermitted':
        refused.push(container);
        continue;
      case 'sent':
        return {
          status: 'sent',
          from: container,
          // pause exits on TERM and INT; the kernel drops signals a namespace init has no handler for.
          message:
            target.isSandbox && !signalConsequence(signal, target)
              ? vscode.l10n.t(
                  'Sent {0} to PID 1, the pod sandbox (from container "{1}"). It ignores signals it has no handler for.',
                  label,
                  container,
                )
              : vscode.l10n.t(
                  'Sent {0} to PID {1} ({2}) from container "{3}".',
                  label,
                  pid,
                  commandLine,
                  container,
                ),
        };
      case 'gone':
        return {
          status: 'gone',
          message: vscode.l10n.t(
            'PID {0} ({1}) has exited: there is no such process any more.',
            pid,
            commandLine,
          ),
        };
      case 'badSignal':
        return {
          status: 'failed',
          message: vscode.l10n.t(
            'The kill of container "{0}" does not know signal {1}: {2}',
            container,
            label,
            result.detail,
          ),
        };
      case 'failed':
        return {
          status: 'failed',
          message: vscode.l10n.t(
            'kill in container "{0}" failed: {1}',
            container,
            result.detail || vscode.l10n.t('exit code {0}', result.exitCode),
          ),
        };
    }
  }
  if (refused.length > 0) {
    return {
      status: 'notPermitted',
      message: notPermittedMessage(target, signal, refused, withoutKill, uids),
    };
  }
  return {
    status: 'failed',
    message:
      withoutKill.length > 0
        ? vscode.l10n.t(
            'No container of pod {0} that may signal PID {1} has kill or a shell. A debug container with a shell (such as busybox) can send it.',
            target.pod.metadata?.name ?? '',
            pid,
          )
        : vscode.l10n.t(
            'No container of pod {0} is running to send the signal from.',
            target.pod.metadata?.name ?? '',
          ),
  };
}

/**
 * Send Signal…: asks for the signal unless given (a keybinding's argument), confirms one that ends
 * the pod or a container, sends it, tells the outcome and lists the pod's processes again.
 */
export async function sendSignal(
  deps: ExtensionDeps,
  target: ProcessTarget,
  signalArgument: unknown,
): Promise<SignalOutcome> {
  let signal: Signal | undefined;
  if (typeof signalArgument === 'string' || typeof signalArgument === 'number') {
    signal = parseSignal(String(signalArgument));
    if (!signal) {
      throw new Error(
        vscode.l10n.t('"{0}" is not a signal name or number.', String(signalArgument)),
      );
    }
  } else {
    signal = await pickSignal(target);
  }
  if (!signal) {
    return { status: 'cancelled' };
  }
  const consequence = signalConsequence(signal, target);
  if (consequence && !(await confirm(target, signal, consequence))) {
    return { status: 'cancelled' };
  }
  let outcome: SignalOutcome;
  try {
    outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Window,
        title: vscode.l10n.t('Sending {0} to PID {1}…', signalLabel(signal), target.process.pid),
      },
      () => deliver(deps, target, signal),
    );
  } catch (error) {
    // The exec failing may mean the pod or the process changed: show what is there now.
    void deps.processes.refresh(target.pod);
    throw error;
  }
  const message = outcome.message ?? '';
  if (outcome.status === 'sent') {
    void vscode.window.showInformationMessage(message);
  } else if (outcome.status === 'gone') {
    void vscode.window.showWarningMessage(message);
  } else {
    deps.log.warn(message);
    void vscode.window.showErrorMessage(message);
  }
  // Returns once the tree lists what the signal changed (a new worker, a process gone).
  await deps.processes.refresh(target.pod);
  return outcome;
}
