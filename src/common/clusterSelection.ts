import { homedir } from 'node:os';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { ClusterSession, LoadedKubeconfig } from '../cluster';
import { loadClusterLayer, type ClusterLayer } from './clusterLayer';
import type { Settings } from './settings';

const CONTEXT_KEY = 'podProcessExplorer.context';
const NAMESPACE_KEY = 'podProcessExplorer.namespace';
const SHOW_ALL_KEY = 'podProcessExplorer.showAllPods';
/** Stored for "all namespaces"; no Kubernetes namespace can be named so. */
const ALL_NAMESPACES = '*';

/**
 * Which kubeconfig, context and namespace the user works in. The choice is remembered per
 * workspace and never written into the kubeconfig (other tools share that file). A change of a
 * kubeconfig file or of the setting is picked up without a reload.
 */
export class ClusterSelection implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private loaded: LoadedKubeconfig | Error | undefined;
  private current: ClusterSession | undefined;
  private watchers: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly settings: Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [settings.onDidChange(['kubeconfig'], () => this.reload()), this.changed];
  }

  get layer(): ClusterLayer {
    return loadClusterLayer(this.context.extensionUri);
  }

  /** The merged kubeconfig; throws the cluster layer's error when there is none or it is broken. */
  kubeconfig(): LoadedKubeconfig {
    // A failed load is kept too: every tree request would otherwise read the files again and
    // replace their watchers, until one changes (or the setting, or Refresh) and reload() runs.
    this.loaded ??= this.load();
    if (this.loaded instanceof Error) {
      throw this.loaded;
    }
    return this.loaded;
  }

  private load(): LoadedKubeconfig | Error {
    const { kubeconfigPaths, loadKubeconfig } = this.layer;
    const paths = kubeconfigPaths({
      setting: this.settings.get('kubeconfig') || undefined,
      envKubeconfig: process.env.KUBECONFIG,
      homeDir: homedir(),
    });
    this.watch(paths);
    try {
      const loaded = loadKubeconfig(paths);
      this.log.info(`Kubeconfig: ${loaded.paths.join(', ')}`);
      return loaded;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** The chosen context when it still exists, else the kubeconfig's current context. */
  contextName(): string | undefined {
    const loaded = this.kubeconfig();
    const chosen = this.context.workspaceState.get<string>(CONTEXT_KEY);
    if (chosen && loaded.contexts.some((context) => context.name === chosen)) {
      return chosen;
    }
    return loaded.currentContext ?? loaded.contexts[0]?.name;
  }

  /** The namespace to show, or undefined for all namespaces. */
  namespace(): string | undefined {
    const chosen = this.context.workspaceState.get<string>(NAMESPACE_KEY);
    if (chosen === ALL_NAMESPACES) {
      return undefined;
    }
    if (chosen) {
      return chosen;
    }
    const name = this.contextName();
    return (
      this.kubeconfig().contexts.find((context) => context.name === name)?.namespace ?? 'default'
    );
  }

  get showAllPods(): boolean {
    return this.context.workspaceState.get<boolean>(SHOW_ALL_KEY, false);
  }

  /** The session for the chosen context; one per kubeconfig load and context. */
  session(): ClusterSession {
    const name = this.contextName();
    if (!name) {
      throw new this.layer.ClusterError(
        'badKubeconfig',
        vscode.l10n.t(
          'The kubeconfig ({0}) defines no context.',
          this.kubeconfig().paths.join(', '),
        ),
      );
    }
    if (!this.current || this.current.contextName !== name) {
      this.current?.dispose();
      this.current = new this.layer.ClusterSession(this.kubeconfig(), name);
    }
    return this.current;
  }

  async selectContext(name: string): Promise<void> {
    await this.context.workspaceState.update(CONTEXT_KEY, name);
    // A namespace chosen in another cluster means nothing here.
    await this.context.workspaceState.update(NAMESPACE_KEY, undefined);
    this.changed.fire();
  }

  async selectNamespace(namespace: string | undefined): Promise<void> {
    await this.context.workspaceState.update(NAMESPACE_KEY, namespace ?? ALL_NAMESPACES);
    this.changed.fire();
  }

  async setShowAllPods(showAll: boolean): Promise<void> {
    await this.context.workspaceState.update(SHOW_ALL_KEY, showAll);
    this.changed.fire();
  }

  /** Forgets the loaded kubeconfig and session; the next use reads the files again. */
  reload(): void {
    this.current?.dispose();
    this.current = undefined;
    this.loaded = undefined;
    this.changed.fire();
  }

  private watch(paths: readonly string[]): void {
    this.watchers.forEach((watcher) => {
      watcher.dispose();
    });
    this.watchers = paths.map((path) => {
      const watcher = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(vscode.Uri.file(dirname(path)), basename(path)),
      );
      const reload = () => {
        this.log.info(`Kubeconfig ${path} changed; reading it again.`);
        this.reload();
      };
      return vscode.Disposable.from(
        watcher,
        watcher.onDidChange(reload),
        watcher.onDidCreate(reload),
        watcher.onDidDelete(reload),
      );
    });
  }

  dispose(): void {
    this.current?.dispose();
    this.watchers.forEach((watcher) => {
      watcher.dispose();
    });
    this.subscriptions.forEach((subscription) => {
      subscription.dispose();
    });
  }
}
