import * as vscode from 'vscode';
import type { ExtensionDeps } from '../common/deps';
import { runShowingErrors } from '../common/errors';
import { inspectorCandidates, podContainers } from '../processes/podContainers';
import { containerTargetOf, pickPod, type ContainerTarget } from '../tree/targets';
import type { PodTreeNode } from '../tree/treeNodes';
import { ExecPseudoterminal, type TerminalKind } from './execPseudoterminal';

/**
 * "Attach Terminal" and "Open Shell", on a container of the tree or, from the command palette, on
 * a pod and container picked there. Each returns the terminal it opened (undefined when none).
 */
export function register(context: vscode.ExtensionContext, deps: ExtensionDeps): void {
  const attachTitle = vscode.l10n.t('Attach Terminal');
  const shellTitle = vscode.l10n.t('Open Shell');
  context.subscriptions.push(
    vscode.commands.registerCommand(
      'podProcessExplorer.attachTerminal',
      (node?: PodTreeNode): Promise<vscode.Terminal | undefined> =>
        runShowingErrors(deps.log, attachTitle, async () => {
          const target = containerTargetOf(node) ?? (await pickContainer(deps, attachTitle));
          if (!target) {
            return undefined;
          }
          if (!target.container.stdin) {
            void offerShell(deps, target, shellTitle);
            return undefined;
          }
          return openTerminal(deps, target, 'attach', attachTitle);
        }),
    ),
    vscode.commands.registerCommand(
      'podProcessExplorer.openShell',
      (node?: PodTreeNode): Promise<vscode.Terminal | undefined> =>
        runShowingErrors(deps.log, shellTitle, async () => {
          const target = containerTargetOf(node) ?? (await pickContainer(deps, shellTitle));
          return target && openTerminal(deps, target, 'shell', shellTitle);
        }),
    ),
  );
}

/** Opens a terminal attached to (`attach`) or running a shell in (`shell`) the container. */
export function openTerminal(
  deps: ExtensionDeps,
  target: ContainerTarget,
  kind: TerminalKind,
  title: string,
): vscode.Terminal {
  const { pod, container } = target;
  const { cluster, settings } = deps;
  // A session of the terminal's own: the shared one is replaced (and its channels cut) whenever
  // the tree refreshes or the context changes. The shared one still says why there is none.
  const contextName = cluster.session().contextName;
  const session = new cluster.layer.ClusterSession(cluster.kubeconfig(), contextName, {
    requestTimeoutMs: settings.get('cluster.requestTimeout') * 1000,
  });
  const pty = new ExecPseudoterminal(
    session,
    {
      kind,
      namespace: pod.metadata?.namespace ?? 'default',
      pod: pod.metadata?.name ?? '',
      container: container.name,
      tty: kind === 'shell' || container.tty,
    },
    deps.log,
    title,
    () => void runShowingErrors(deps.log, title, () => openTerminal(deps, target, kind, title)),
  );
  const terminal = vscode.window.createTerminal({
    name: pty.name,
    pty,
    iconPath: new vscode.ThemeIcon(kind === 'attach' ? 'plug' : 'terminal'),
    // A restored terminal would have no session behind it.
    isTransient: true,
  });
  terminal.show();
  return terminal;
}

/** Attach needs the container's stdin: say why there is none, and offer a shell instead. */
async function offerShell(
  deps: ExtensionDeps,
  target: ContainerTarget,
  shellTitle: string,
): Promise<void> {
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t(
      'Cannot attach to container {0} of pod {1}: it was not started with stdin: true, so its main process reads no input. A shell in the container can.',
      target.container.name,
      target.pod.metadata?.name ?? '',
    ),
    shellTitle,
  );
  if (choice === shellTitle) {
    await runShowingErrors(deps.log, shellTitle, () =>
      openTerminal(deps, target, 'shell', shellTitle),
    );
  }
}

/**
 * A running container of a picked pod: the ones a person types into (stdin and tty) first, then
 * those that can trace other processes; a pod with one running container needs no pick.
 */
async function pickContainer(
  deps: ExtensionDeps,
  title: string,
): Promise<ContainerTarget | undefined> {
  const pod = await pickPod(deps);
  if (!pod) {
    return undefined;
  }
  const podName = pod.metadata?.name ?? '';
  const containers = podContainers(pod);
  const running = inspectorCandidates(containers).flatMap(
    (name) => containers.find((container) => container.name === name) ?? [],
  );
  if (running.length === 0) {
    throw new Error(vscode.l10n.t('No container of pod {0} is running.', podName));
  }
  if (running.length === 1) {
    return { pod, container: running[0] };
  }
  const picked = await vscode.window.showQuickPick(
    running.map((container) => ({
      label: container.name,
      description: [container.image, container.stdin && 'stdin', container.tty && 'tty']
        .filter(Boolean)
        .join(' · '),
      container,
    })),
    { title: vscode.l10n.t('{0}: container of {1}', title, podName) },
  );
  return picked && { pod, container: picked.container };
}
