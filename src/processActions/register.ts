import * as vscode from 'vscode';
import type { ExtensionDeps } from '../common/deps';
import { errorMessage, runShowingErrors } from '../common/errors';
import { isSharedPod, podUid } from '../processes/podContainers';
import { pickProcess, processTargetOf, type ProcessTarget } from '../tree/targets';
import type { PodTreeNode } from '../tree/treeNodes';
import {
  DETAILS_LANGUAGE,
  DETAILS_SCHEME,
  ProcessDetailsDocuments,
  detailsUri,
} from './detailsDocument';
import { sendSignal, type SignalOutcome } from './sendSignal';

/**
 * The actions on a process: Send Signal…, Show Process Details (with Reveal and Mask Secrets) and
 * Copy PID, from the tree's items or, without one, from the palette through quick picks.
 */
export function register(context: vscode.ExtensionContext, deps: ExtensionDeps): void {
  const documents = new ProcessDetailsDocuments(deps);
  context.subscriptions.push(
    documents,
    vscode.workspace.registerTextDocumentContentProvider(DETAILS_SCHEME, documents),
    vscode.commands.registerCommand(
      'podProcessExplorer.sendSignal',
      (node?: PodTreeNode, signal?: unknown): Promise<SignalOutcome | undefined> =>
        runShowingErrors(
          deps.log,
          vscode.l10n.t('Send Signal'),
          async (): Promise<SignalOutcome> => {
            const target = await targetOf(deps, node);
            return target ? sendSignal(deps, target, signal) : { status: 'cancelled' };
          },
          (error) => ({ status: 'failed', message: errorMessage(error) }),
        ),
    ),
    vscode.commands.registerCommand(
      'podProcessExplorer.showProcessDetails',
      (node?: PodTreeNode): Promise<vscode.Uri | undefined> =>
        runShowingErrors(deps.log, vscode.l10n.t('Show Process Details'), async () => {
          const target = await targetOf(deps, node);
          return target ? showDetails(deps, documents, target) : undefined;
        }),
    ),
    vscode.commands.registerCommand(
      'podProcessExplorer.copyPid',
      (node?: PodTreeNode): Promise<string | undefined> =>
        runShowingErrors(deps.log, vscode.l10n.t('Copy PID'), async () => {
          const target = await targetOf(deps, node);
          if (!target) {
            return undefined;
          }
          const pid = String(target.process.pid);
          await vscode.env.clipboard.writeText(pid);
          vscode.window.setStatusBarMessage(vscode.l10n.t('Copied PID {0}', pid), 3000);
          return pid;
        }),
    ),
    vscode.commands.registerCommand('podProcessExplorer.revealSecrets', (uri?: vscode.Uri) =>
      revealIn(documents, uri, true),
    ),
    vscode.commands.registerCommand('podProcessExplorer.maskSecrets', (uri?: vscode.Uri) =>
      revealIn(documents, uri, false),
    ),
  );
}

/** The process a command acts on: its tree item, or one picked from the palette. */
function targetOf(
  deps: ExtensionDeps,
  node: PodTreeNode | undefined,
): Promise<ProcessTarget | undefined> {
  const target = processTargetOf(node);
  return target ? Promise.resolve(target) : pickProcess(deps);
}

/** Of the given details document, else the active editor's; false when neither is one. */
async function revealIn(
  documents: ProcessDetailsDocuments,
  uri: vscode.Uri | undefined,
  reveal: boolean,
): Promise<boolean> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  return target ? documents.setRevealed(target, reveal) : false;
}

/** Reads the process's details afresh and shows them in their document (masked). */
async function showDetails(
  deps: ExtensionDeps,
  documents: ProcessDetailsDocuments,
  target: ProcessTarget,
): Promise<vscode.Uri | undefined> {
  const { pod, process } = target;
  // The container its PID namespace was listed from has a shell, and sees this PID.
  const readFrom = deps.processes.inspectorFor(pod, target.pidNamespace);
  if (!readFrom) {
    throw new Error(
      vscode.l10n.t(
        'No container of pod {0} is running to read the process from.',
        pod.metadata?.name ?? '',
      ),
    );
  }
  const uri = detailsUri({
    contextName: deps.cluster.contextName() ?? '',
    namespace: pod.metadata?.namespace ?? 'default',
    pod: pod.metadata?.name ?? '',
    podUid: podUid(pod),
    pid: process.pid,
    startTicks: process.startTicks,
    comm: process.comm,
    container: target.container,
    readFrom,
    isSandbox: target.isSandbox,
    isMain: target.isMain,
    shared: isSharedPod(pod),
  });
  const reading = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Window,
      title: vscode.l10n.t('Reading the details of PID {0}…', process.pid),
    },
    () => documents.load(uri),
  );
  if (reading.kind === 'gone') {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        'PID {0} ({1}) has exited: there is no such process any more.',
        process.pid,
        process.commandLine,
      ),
    );
    void deps.processes.refresh(pod);
    return undefined;
  }
  const opened = await vscode.workspace.openTextDocument(uri);
  const document =
    opened.languageId === DETAILS_LANGUAGE
      ? opened
      : await vscode.languages.setTextDocumentLanguage(opened, DETAILS_LANGUAGE);
  await vscode.window.showTextDocument(document, { preview: false });
  return uri;
}
