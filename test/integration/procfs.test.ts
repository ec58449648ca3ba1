import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { parseRootAuthority, rootAuthority } from '../../src/procfs/procfsUri';
import type { PodTreeNode } from '../../src/tree/treeNodes';
import { onSandbox, sandboxCli } from './sandboxControl';
import { listedInside, podNamed, podTree, whenTree } from './treeTestSupport';

const WORK_DIR = '/tmp/ppe-procfs';
const HOSTILE_NAMES = [
  'new\nline.txt',
  '$(touch CANARY)',
  '`touch CANARY`',
  '-rf',
  'a b;touch CANARY',
];

/** `/proc/<pid>/root` of the nginx master, once the command has opened it. */
let processRoot = '';

/**
 * Runs `script` in the shell container (the nginx image has no shell) with each path as an
 * argument, inside the nginx master's root: kubectl's view, the independent check of ours.
 */
function inRoot(script: string, ...paths: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/kubectl',
      [
        ...['--kubeconfig', process.env.KUBECONFIG ?? '', 'exec', 'nginx', '-c', 'shell', '--'],
        ...['sh', '-c', script, 'sh', ...paths.map((path) => `${processRoot}${path}`)],
      ],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr.toString()}`)) : resolve(stdout),
    );
  });
}

async function rejectsWithCode(
  promise: Thenable<unknown>,
  code: string,
  message?: RegExp,
): Promise<void> {
  await assert.rejects(Promise.resolve(promise), (error: unknown) => {
    assert.ok(error instanceof vscode.FileSystemError, String(error));
    assert.equal(error.code, code, error.message);
    if (message) {
      assert.match(error.message, message);
    }
    return true;
  });
}

describe('container filesystem (/proc/<pid>/root)', function () {
  this.timeout(180_000);
  let root: vscode.Uri;
  const at = (path: string) => root.with({ path });

  before(async () => {
    await podTree();
    const pod = await whenTree('pod nginx', () => podNamed('nginx'));
    const container = (await listedInside(pod)).find(
      (node): node is Extract<PodTreeNode, { kind: 'container' }> =>
        node.kind === 'container' && node.container.name === 'nginx',
    );
    assert.ok(container, 'container nginx is listed');
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'podProcessExplorer.browseContainerFilesystem',
      container,
      'none',
    );
    assert.ok(uri, 'the command returned the root');
    root = uri;
    processRoot = `/proc/${parseRootAuthority(root.authority)?.pid ?? 0}/root`;
    await inRoot('rm -rf "$1" "$2" /CANARY && mkdir -p "$1"', WORK_DIR, '/CANARY');
  });

  after(async () => {
    if (onSandbox()) {
      await sandboxCli('faults', '--drop-exec-after-bytes', '0');
    }
  });

  it('opens the nginx master’s root, through the inspecting container', () => {
    const parsed = parseRootAuthority(root.authority);
    assert.ok(parsed);
    assert.equal(parsed.pod, 'nginx');
    assert.equal(parsed.container, 'nginx');
    assert.equal(parsed.inspector, 'shell');
  });

  it('reads nginx.conf byte for byte as kubectl exec cat does', async () => {
    const ours = await vscode.workspace.fs.readFile(at('/etc/nginx/nginx.conf'));
    const theirs = await inRoot('cat "$1"', '/etc/nginx/nginx.conf');
    assert.ok(theirs.length > 0);
    assert.deepEqual(Buffer.from(ours), theirs);
    const stat = await vscode.workspace.fs.stat(at('/etc/nginx/nginx.conf'));
    assert.equal(stat.type, vscode.FileType.File);
    assert.equal(stat.size, theirs.length);
  });

  it('lists /etc with types', async () => {
    const entries = new Map(await vscode.workspace.fs.readDirectory(at('/etc')));
    assert.equal(entries.get('nginx'), vscode.FileType.Directory);
    assert.equal(entries.get('passwd'), vscode.FileType.File);
  });

  it('opens, edits and saves a file in the editor', async () => {
    const uri = at(`${WORK_DIR}/edit.conf`);
    await vscode.workspace.fs.writeFile(uri, Buffer.from('worker_processes 1;\n'));
    const before = await vscode.workspace.fs.stat(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document);
    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '# edited\n'));
    assert.ok(await document.save(), 'saved');
    assert.equal(
      (await inRoot('cat "$1"', `${WORK_DIR}/edit.conf`)).toString(),
      '# edited\nworker_processes 1;\n',
    );
    const after = await vscode.workspace.fs.stat(uri);
    assert.ok(after.mtime > before.mtime, 'the mtime advanced');
    assert.equal(after.size, 29);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('renames and deletes', async () => {
    await vscode.workspace.fs.writeFile(at(`${WORK_DIR}/a.txt`), Buffer.from('a'));
    await vscode.workspace.fs.rename(at(`${WORK_DIR}/a.txt`), at(`${WORK_DIR}/b.txt`));
    assert.equal((await inRoot('cat "$1"', `${WORK_DIR}/b.txt`)).toString(), 'a');
    await vscode.workspace.fs.createDirectory(at(`${WORK_DIR}/dir`));
    await vscode.workspace.fs.copy(at(`${WORK_DIR}/b.txt`), at(`${WORK_DIR}/dir/c.txt`));
    await rejectsWithCode(
      vscode.workspace.fs.rename(at(`${WORK_DIR}/b.txt`), at(`${WORK_DIR}/dir/c.txt`)),
      'FileExists',
    );
    await vscode.workspace.fs.delete(at(`${WORK_DIR}/b.txt`));
    await vscode.workspace.fs.delete(at(`${WORK_DIR}/dir`), { recursive: true });
    await rejectsWithCode(vscode.workspace.fs.stat(at(`${WORK_DIR}/dir`)), 'FileNotFound');
  });

  it('round-trips a 5 MiB binary file byte-exact', async () => {
    const content = randomBytes(5 * 1024 * 1024);
    const uri = at(`${WORK_DIR}/blob.bin`);
    await vscode.workspace.fs.writeFile(uri, content);
    assert.deepEqual(Buffer.from(await vscode.workspace.fs.readFile(uri)), content);
    assert.deepEqual(await inRoot('cat "$1"', `${WORK_DIR}/blob.bin`), content);
  });

  it('resolves an absolute symlink inside the process’s root', async () => {
    // The inspecting container (busybox) has no /etc/nginx: only the nginx root can answer.
    await inRoot('ln -sf /etc/nginx/nginx.conf "$1"', `${WORK_DIR}/conf-link`);
    const stat = await vscode.workspace.fs.stat(at(`${WORK_DIR}/conf-link`));
    assert.equal(stat.type, vscode.FileType.SymbolicLink | vscode.FileType.File);
    assert.deepEqual(
      Buffer.from(await vscode.workspace.fs.readFile(at(`${WORK_DIR}/conf-link`))),
      await inRoot('cat "$1"', '/etc/nginx/nginx.conf'),
    );
    const entries = new Map(await vscode.workspace.fs.readDirectory(at(WORK_DIR)));
    assert.equal(entries.get('conf-link'), vscode.FileType.SymbolicLink | vscode.FileType.File);
  });

  it('lists, reads, writes, renames and deletes hostile names, and executes none', async () => {
    for (const name of HOSTILE_NAMES) {
      const uri = at(`${WORK_DIR}/${name}`);
      await vscode.workspace.fs.writeFile(uri, Buffer.from(name));
      assert.equal(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString(), name);
    }
    const listed = (await vscode.workspace.fs.readDirectory(at(WORK_DIR))).map(([name]) => name);
    for (const name of HOSTILE_NAMES) {
      assert.ok(listed.includes(name), JSON.stringify(name));
      await vscode.workspace.fs.rename(at(`${WORK_DIR}/${name}`), at(`${WORK_DIR}/${name}.2`));
      await vscode.workspace.fs.delete(at(`${WORK_DIR}/${name}.2`));
    }
    // Where a relative `touch` would land: the shell container's cwd, the root the scripts change
    // into, and the directory they list.
    assert.equal(
      (
        await inRoot(
          'test -e /CANARY || test -e "$1" || test -e "$2" && echo executed || echo clean',
          '/CANARY',
          `${WORK_DIR}/CANARY`,
        )
      )
        .toString()
        .trim(),
      'clean',
      'no name was executed',
    );
  });

  it('leaves the original byte-identical when the connection drops during a write (20 times) @sandbox', async () => {
    const uri = at(`${WORK_DIR}/atomic.bin`);
    const original = randomBytes(256 * 1024);
    await vscode.workspace.fs.writeFile(uri, original);
    for (let attempt = 0; attempt < 20; attempt++) {
      // Cut each exec of the save after 1 to 58 bytes of output: wherever the cut lands (VS Code's
      // stat first, then the staging exec), the file must stay as it was.
      await sandboxCli('faults', '--drop-exec-after-bytes', String(1 + attempt * 3));
      try {
        await assert.rejects(
          Promise.resolve(vscode.workspace.fs.writeFile(uri, randomBytes(256 * 1024))),
        );
      } finally {
        await sandboxCli('faults', '--drop-exec-after-bytes', '0');
      }
      assert.deepEqual(
        await inRoot('cat "$1"', `${WORK_DIR}/atomic.bin`),
        original,
        `attempt ${attempt}`,
      );
    }
  });

  it('gives an error, never short data, when the connection drops during a read @sandbox', async () => {
    await vscode.workspace.fs.writeFile(at(`${WORK_DIR}/read.bin`), randomBytes(1024 * 1024));
    await sandboxCli('faults', '--drop-exec-after-bytes', '100000');
    try {
      await rejectsWithCode(
        vscode.workspace.fs.readFile(at(`${WORK_DIR}/read.bin`)),
        'Unavailable',
      );
    } finally {
      await sandboxCli('faults', '--drop-exec-after-bytes', '0');
    }
  });

  it('says the process has exited when it has', async () => {
    const pid = Number((await inRoot('sleep 600 >/dev/null 2>&1 & echo $!')).toString().trim());
    const parsed = parseRootAuthority(root.authority);
    assert.ok(parsed && pid > 0);
    const gone = root.with({
      authority: rootAuthority({ ...parsed, container: 'shell', pid }),
      path: '/etc',
    });
    await whenListed(gone);
    await inRoot(`kill ${pid}`);
    await rejectsWithCode(vscode.workspace.fs.readDirectory(gone), 'Unavailable', /has exited/);
  });
});

/** Waits until the new process's root can be read (exec returns before its child is set up). */
async function whenListed(uri: vscode.Uri): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await vscode.workspace.fs.readDirectory(uri);
      return;
    } catch (error) {
      if (attempt > 20) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
