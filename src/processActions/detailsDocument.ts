import * as vscode from 'vscode';
import type { ExtensionDeps } from '../common/deps';
import { errorMessage } from '../common/errors';
import {
  parseProcessDetails,
  processDetailsCommand,
  renderProcessDetails,
  type DetailsContext,
  type ProcessDetailsReading,
} from '../processes/processDetails';
import { detailsStrings } from './detailsStrings';

export const DETAILS_SCHEME = 'pod-process-details';
export const DETAILS_LANGUAGE = 'pod-process-details';
/** True while the active editor shows a details document with its secrets revealed. */
const REVEALED_CONTEXT = 'podProcessExplorer.secretsRevealed';

/**
 * Everything a details document needs, kept in its URI: a document restored after a reload, or
 * reopened from history, reads the same process again from the same container.
 */
export interface DetailsRequest extends DetailsContext {
  readonly contextName: string;
  readonly podUid: string;
  readonly pid: number;
  readonly startTicks: number;
  readonly comm: string;
}

export function detailsUri(request: DetailsRequest): vscode.Uri {
  const query = new URLSearchParams({
    context: request.contextName,
    uid: request.podUid,
    pid: String(request.pid),
    start: String(request.startTicks),
    container: request.container ?? '',
    from: request.readFrom,
    sandbox: String(request.isSandbox),
    main: String(request.isMain),
    shared: String(request.shared),
  });
  // The editor tab shows the last segment: the command name and PID.
  const name = `${request.comm.replace(/[/\\]/g, '_')} (${request.pid})`;
  return vscode.Uri.from({
    scheme: DETAILS_SCHEME,
    path: `/${request.namespace}/${request.pod}/${name}`,
    query: query.toString(),
  });
}

function requestOf(uri: vscode.Uri): DetailsRequest | undefined {
  const query = new URLSearchParams(uri.query);
  const [, namespace, pod, name] = uri.path.split('/');
  const pid = Number(query.get('pid'));
  const startTicks = Number(query.get('start'));
  const readFrom = query.get('from');
  if (!namespace || !pod || !name || !Number.isSafeInteger(pid) || !readFrom) {
    return undefined;
  }
  return {
    contextName: query.get('context') ?? '',
    namespace,
    pod,
    podUid: query.get('uid') ?? '',
    pid,
    startTicks,
    comm: name.replace(/ \(\d+\)$/, ''),
    container: query.get('container') || undefined,
    readFrom,
    isSandbox: query.get('sandbox') === 'true',
    isMain: query.get('main') === 'true',
    shared: query.get('shared') === 'true',
  };
}

type Loaded =
  | { readonly kind: 'reading'; readonly reading: ProcessDetailsReading }
  | { readonly kind: 'error'; readonly message: string };

/**
 * The read-only details documents: each read with one exec when shown, rendered again (without a
 * new exec) when its secrets are revealed or masked. What was read is forgotten when its last tab
 * closes.
 */
export class ProcessDetailsDocuments
  implements vscode.TextDocumentContentProvider, vscode.Disposable
{
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly loaded = new Map<string, Loaded>();
  private readonly revealed = new Set<string>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly deps: ExtensionDeps) {
    this.subscriptions = [
      this.changed,
      vscode.window.tabGroups.onDidChangeTabs(({ closed }) => this.forgetClosed(closed)),
      vscode.window.onDidChangeActiveTextEditor(() => void this.updateContext()),
    ];
  }

  /** Reads the process again, masked; an open document of it shows the new reading. */
  async load(uri: vscode.Uri): Promise<ProcessDetailsReading> {
    const key = uri.toString();
    const request = requestOf(uri);
    if (!request) {
      throw new Error(vscode.l10n.t('This is not a process details address: {0}', key));
    }
    const reading = await this.read(request);
    this.loaded.set(key, { kind: 'reading', reading });
    this.revealed.delete(key);
    this.changed.fire(uri);
    await this.updateContext();
    return reading;
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const key = uri.toString();
    const request = requestOf(uri);
    if (!request) {
      return `⚠ ${vscode.l10n.t('This is not a process details address: {0}', key)}\n`;
    }
    let loaded = this.loaded.get(key);
    if (!loaded) {
      try {
        loaded = { kind: 'reading', reading: await this.read(request) };
      } catch (error) {
        loaded = { kind: 'error', message: errorMessage(error) };
      }
      this.loaded.set(key, loaded);
    }
    return this.render(request, loaded, this.revealed.has(key));
  }

  /** Shows or masks the secrets of one open document; false when it is not a details document. */
  async setRevealed(uri: vscode.Uri, reveal: boolean): Promise<boolean> {
    if (uri.scheme !== DETAILS_SCHEME) {
      return false;
    }
    if (reveal) {
      this.revealed.add(uri.toString());
    } else {
      this.revealed.delete(uri.toString());
    }
    this.changed.fire(uri);
    await this.updateContext();
    return true;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
  }

  private async read(request: DetailsRequest): Promise<ProcessDetailsReading> {
    const { cluster, settings } = this.deps;
    const current = cluster.contextName();
    if (current !== request.contextName) {
      throw new Error(
        vscode.l10n.t(
          'This document is about a process in context "{0}"; Pod Process Explorer now uses context "{1}".',
          request.contextName,
          current ?? '',
        ),
      );
    }
    const result = await cluster.session().exec({
      namespace: request.namespace,
      pod: request.pod,
      container: request.readFrom,
      command: processDetailsCommand(request.pid),
      timeoutMs: settings.get('cluster.requestTimeout') * 1000,
      // Status, environment, limits, mounts and /etc/passwd: a hostile target can link the last
      // to /dev/zero, so a budget well past any real one.
      maxOutputBytes: 8 * 1024 * 1024,
    });
    const reading = parseProcessDetails(result.stdout, request.pid, Date.now());
    // The same PID with another start time is a later process: the one asked about is gone.
    return reading.kind === 'details' && reading.details.startTicks !== request.startTicks
      ? { kind: 'gone' }
      : reading;
  }

  private render(request: DetailsRequest, loaded: Loaded, revealed: boolean): string {
    if (loaded.kind === 'reading' && loaded.reading.kind === 'details') {
      return renderProcessDetails(loaded.reading.details, request, revealed, detailsStrings());
    }
    const problem =
      loaded.kind === 'error'
        ? loaded.message
        : loaded.reading.kind === 'gone'
          ? vscode.l10n.t('Process {0} has exited.', request.pid)
          : vscode.l10n.t(
              'The details of process {0} could not be read: the output from container "{1}" ended early.',
              request.pid,
              request.readFrom,
            );
    return `# ${vscode.l10n.t('PID {0} · {1}', request.pid, request.comm)}\n\n⚠ ${problem}\n`;
  }

  private forgetClosed(closed: readonly vscode.Tab[]): void {
    const open = new Set(
      vscode.window.tabGroups.all
        .flatMap((group) => group.tabs)
        .flatMap((tab) =>
          tab.input instanceof vscode.TabInputText ? [tab.input.uri.toString()] : [],
        ),
    );
    for (const tab of closed) {
      if (tab.input instanceof vscode.TabInputText && tab.input.uri.scheme === DETAILS_SCHEME) {
        const key = tab.input.uri.toString();
        if (!open.has(key)) {
          this.loaded.delete(key);
          this.revealed.delete(key);
        }
      }
    }
  }

  private async updateContext(): Promise<void> {
    const uri = vscode.window.activeTextEditor?.document.uri;
    await vscode.commands.executeCommand(
      'setContext',
      REVEALED_CONTEXT,
      uri?.scheme === DETAILS_SCHEME && this.revealed.has(uri.toString()),
    );
  }
}
