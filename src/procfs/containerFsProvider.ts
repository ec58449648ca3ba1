import * as vscode from 'vscode';
import type { ClusterSession } from '../cluster';
import type { ExtensionDeps } from '../common/deps';
import { toFileSystemError } from '../common/errors';
import { ContainerFs } from './containerFs';
import { parseRootAuthority, type ProcessRoot } from './procfsUri';
import { RemoteFsError } from './remoteOutput';

/**
 * `pod-root:` URIs as a filesystem: each operation is an exec in the URI's inspecting container
 * (see containerFs.ts), on a session of the URI's own context, so a folder keeps working when the
 * tree switches to another cluster.
 */
export class ContainerFsProvider implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  private readonly sessions = new Map<string, ClusterSession>();
  /**
   * Our own changes per URI. `stat` gives whole seconds; VS Code refreshes an editor only when the
   * mtime advances, so each change of ours adds a millisecond within the second.
   */
  private readonly generations = new Map<string, number>();
  private readonly subscription: vscode.Disposable;
  /** Files the user agreed to save in place (bind mounts), this session. */
  private readonly inPlace = new Set<string>();

  constructor(
    private readonly deps: ExtensionDeps,
    /** Called when an operation found the root's process gone (ESRCH). */
    private readonly onProcessExited: (root: ProcessRoot) => void,
  ) {
    // A changed kubeconfig may have changed a context's server or credentials.
    this.subscription = deps.cluster.onDidChange(() => this.dropSessions());
  }

  /** No remote watching: the container has no inotify bridge; VS Code's own changes are fired. */
  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    return this.run(uri, async (fs, path) => {
      const stat = await fs.stat(path);
      return {
        type: stat.type,
        size: stat.size,
        ctime: 0,
        mtime: this.mtime(uri, stat.mtimeSeconds),
        permissions: stat.writable ? undefined : vscode.FilePermission.Readonly,
      };
    });
  }

  readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    return this.run(uri, async (fs, path) =>
      (await fs.list(path)).map((entry): [string, vscode.FileType] => [entry.name, entry.type]),
    );
  }

  readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.run(uri, (fs, path) => fs.read(path));
  }

  writeFile(
    uri: vscode.Uri,
    content: Uint8Array,
    options: { readonly create: boolean; readonly overwrite: boolean },
  ): Promise<void> {
    return this.run(uri, async (fs, path) => {
      const inPlace = this.inPlace.has(uri.toString());
      try {
        await fs.write(path, content, { ...options, inPlace });
      } catch (error) {
        if (inPlace || !(error instanceof RemoteFsError && error.code === 'EBUSY')) {
          throw error;
        }
        if (!(await this.askToSaveInPlace(path))) {
          throw error;
        }
        this.inPlace.add(uri.toString());
        await fs.write(path, content, { ...options, inPlace: true });
      }
      this.changedBy(uri, vscode.FileChangeType.Changed);
    });
  }

  /** Asked once per file: a bind-mounted file can only be overwritten, not replaced whole. */
  private async askToSaveInPlace(path: string): Promise<boolean> {
    const saveInPlace = vscode.l10n.t('Save in Place');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t(
        '{0} is mounted on its own in the container, so it cannot be replaced whole.',
        path,
      ),
      {
        modal: true,
        detail: vscode.l10n.t(
          'A ConfigMap or Secret subPath, /etc/hosts and /etc/resolv.conf are bind mounts: the usual save (a complete temporary file renamed over the old one) fails on them. Saving in place overwrites the file itself, which is not atomic: a reader may see it half written, and a cut connection leaves it cut. A ConfigMap or Secret file is also replaced by the kubelet when its source changes.',
        ),
      },
      saveInPlace,
    );
    return answer === saveInPlace;
  }

  delete(uri: vscode.Uri, options: { readonly recursive: boolean }): Promise<void> {
    return this.run(uri, async (fs, path) => {
      await fs.delete(path, options.recursive);
      this.changedBy(uri, vscode.FileChangeType.Deleted);
    });
  }

  rename(
    oldUri: vscode.Uri,
    newUri: vscode.Uri,
    options: { readonly overwrite: boolean },
  ): Promise<void> {
    return this.run(oldUri, async (fs, path) => {
      await fs.rename(path, this.pathIn(oldUri, newUri), options.overwrite);
      this.changedBy(oldUri, vscode.FileChangeType.Deleted);
      this.changedBy(newUri, vscode.FileChangeType.Created);
    });
  }

  copy(
    source: vscode.Uri,
    destination: vscode.Uri,
    options: { readonly overwrite: boolean },
  ): Promise<void> {
    return this.run(source, async (fs, path) => {
      await fs.copy(path, this.pathIn(source, destination), options.overwrite);
      this.changedBy(destination, vscode.FileChangeType.Created);
    });
  }

  createDirectory(uri: vscode.Uri): Promise<void> {
    return this.run(uri, async (fs, path) => {
      await fs.createDirectory(path);
      this.changedBy(uri, vscode.FileChangeType.Created);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.dropSessions();
    this.changed.dispose();
  }

  /** The path of `other` within the root of `uri`; a move between two roots is not one exec. */
  private pathIn(uri: vscode.Uri, other: vscode.Uri): string {
    if (
      other.scheme !== uri.scheme ||
      other.authority.toLowerCase() !== uri.authority.toLowerCase()
    ) {
      throw vscode.FileSystemError.NoPermissions(
        vscode.l10n.t('Files move only within the filesystem of one process.'),
      );
    }
    return other.path || '/';
  }

  private async run<T>(
    uri: vscode.Uri,
    operation: (fs: ContainerFs, path: string) => Promise<T>,
  ): Promise<T> {
    const root = parseRootAuthority(uri.authority);
    if (!root) {
      throw vscode.FileSystemError.FileNotFound(uri);
    }
    try {
      return await operation(this.filesOf(root), uri.path || '/');
    } catch (error) {
      if (error instanceof RemoteFsError && error.code === 'ESRCH') {
        this.onProcessExited(root);
      }
      throw toFileSystemError(error, uri, root);
    }
  }

  /** The filesystem of a root, for operations beyond FileSystemProvider's (find, search). */
  filesOf(root: ProcessRoot): ContainerFs {
    const session = this.session(root.context);
    return new ContainerFs(
      (request) =>
        session.exec({
          namespace: root.namespace,
          pod: root.pod,
          container: root.inspector,
          command: request.command,
          stdin: request.stdin,
          onStdout: request.onStdout,
          timeoutMs: request.timeoutMs,
          signal: request.signal,
          maxOutputBytes: request.maxOutputBytes,
        }),
      `/proc/${root.pid}/root`,
      this.deps.settings.get('cluster.requestTimeout') * 1000,
    );
  }

  /** The session of a context, shared by every folder of that context. */
  session(contextName: string): ClusterSession {
    let session = this.sessions.get(contextName);
    if (!session) {
      const { cluster } = this.deps;
      session = new cluster.layer.ClusterSession(cluster.kubeconfig(), contextName, {
        requestTimeoutMs: this.deps.settings.get('cluster.requestTimeout') * 1000,
      });
      this.sessions.set(contextName, session);
    }
    return session;
  }

  private dropSessions(): void {
    for (const session of this.sessions.values()) {
      session.dispose();
    }
    this.sessions.clear();
  }

  private mtime(uri: vscode.Uri, seconds: number): number {
    return seconds * 1000 + ((this.generations.get(uri.toString()) ?? 0) % 1000);
  }

  private changedBy(uri: vscode.Uri, type: vscode.FileChangeType): void {
    const key = uri.toString();
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    this.changed.fire([{ type, uri }]);
  }
}
