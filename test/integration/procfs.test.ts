import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Runs `script` in the shell container (the nginx image has no shell), with `args` as $1…. */
function inShell(script: string, ...args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/kubectl',
      [
        ...['--kubeconfig', process.env.KUBECONFIG ?? '', 'exec', 'nginx', '-c', 'shell', '--'],
        ...['sh', '-c', script, 'sh', ...args],
      ],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr.toString()}`)) : resolve(stdout),
    );
  });
}

/**
 * Runs `script` with each path as an argument, inside the nginx master's root: kubectl's view,
 * the independent check of ours.
 */
function inRoot(script: string, ...paths: string[]): Promise<Buffer> {
  return inShell(script, ...paths.map((path) => `${processRoot}${path}`));
}

async function rejectsWithCode(
  promise: Thenable<unknown>,
  code: string,
  message?: RegExp,
  what = '',
): Promise<void> {
  await assert.rejects(Promise.resolve(promise), (error: unknown) => {
    assert.ok(error instanceof vscode.FileSystemError, `${what} ${String(error)}`);
    assert.equal(error.code, code, `${what} ${error.message}`);
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
      await sandboxCli(
        'faults',
        '--drop-exec-after-bytes',
        '0',
        '--drop-exec-after-stdin-bytes',
        '0',
      );
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

  it('copies a folder in from the local disk and back out, as drag-and-drop does', async () => {
    // The Explorer's drag-and-drop between a local folder and this one is the file service's
    // copy across two providers: stat, readDirectory, createDirectory, readFile and writeFile.
    const local = mkdtempSync(join(tmpdir(), 'ppe-dnd-'));
    try {
      const blob = randomBytes(300 * 1024);
      mkdirSync(join(local, 'site', 'css'), { recursive: true });
      writeFileSync(join(local, 'site', 'index.html'), '<h1>dropped</h1>\n');
      writeFileSync(join(local, 'site', 'css', 'blob.bin'), blob);
      const dropped = at(`${WORK_DIR}/site`);
      await vscode.workspace.fs.copy(vscode.Uri.file(join(local, 'site')), dropped);
      assert.equal(
        (await inRoot('cat "$1"', `${WORK_DIR}/site/index.html`)).toString(),
        '<h1>dropped</h1>\n',
      );
      assert.deepEqual(await inRoot('cat "$1"', `${WORK_DIR}/site/css/blob.bin`), blob);
      await rejectsWithCode(
        vscode.workspace.fs.copy(vscode.Uri.file(join(local, 'site')), dropped),
        'FileExists',
      );

      await inRoot('printf changed > "$1"', `${WORK_DIR}/site/index.html`);
      const out = vscode.Uri.file(join(local, 'out'));
      await vscode.workspace.fs.copy(dropped, out);
      assert.equal(readFileSync(join(local, 'out', 'index.html'), 'utf8'), 'changed');
      assert.deepEqual(readFileSync(join(local, 'out', 'css', 'blob.bin')), blob);
      await vscode.workspace.fs.delete(dropped, { recursive: true });
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
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

  it('finds files and searches text in the container (Quick Open and Search stand-ins)', async () => {
    const everything = await vscode.commands.executeCommand<vscode.Uri[]>(
      'podProcessExplorer.findFileInContainer',
      root,
      'none',
    );
    assert.ok(
      everything.some((uri) => uri.toString() === at('/etc/nginx/nginx.conf').toString()),
      'nginx.conf is found from the root',
    );
    assert.ok(
      !everything.some((uri) => uri.path.startsWith('/proc/')),
      "the container's /proc is left out",
    );
    const folder = `${WORK_DIR}/search`;
    await vscode.workspace.fs.writeFile(
      at(`${folder}/conf/app.conf`),
      Buffer.from('a\nlisten 8080;\n'),
    );
    await vscode.workspace.fs.writeFile(at(`${folder}/a:1:b.txt`), Buffer.from('Listen here\n'));
    const files = await vscode.commands.executeCommand<vscode.Uri[]>(
      'podProcessExplorer.findFileInContainer',
      at(folder),
      'none',
    );
    assert.deepEqual(files.map((uri) => uri.path).sort(), [
      `${folder}/a:1:b.txt`,
      `${folder}/conf/app.conf`,
    ]);
    const found = await vscode.commands.executeCommand<
      { uri: vscode.Uri; line: number; text: string }[]
    >('podProcessExplorer.searchTextInContainer', at(folder), 'listen', 'none');
    assert.deepEqual(found.map(({ uri, line, text }) => `${uri.path}:${line}:${text}`).sort(), [
      `${folder}/a:1:b.txt:1:Listen here`,
      `${folder}/conf/app.conf:2:listen 8080;`,
    ]);
    // Each result opens: the URI is the file's.
    const document = await vscode.workspace.openTextDocument(found[0].uri);
    assert.equal(document.lineAt(found[0].line - 1).text, found[0].text);
    const exact = await vscode.commands.executeCommand<unknown[]>(
      'podProcessExplorer.searchTextInContainer',
      at(folder),
      'Listen',
      'none',
    );
    assert.equal(exact.length, 1, 'a capital letter makes the search match case');
  });

  it('leaves the original byte-identical and no temporary file when the connection drops mid-upload (20 times) @sandbox', async () => {
    const uri = at(`${WORK_DIR}/atomic.bin`);
    const size = 256 * 1024;
    const original = randomBytes(size);
    await vscode.workspace.fs.writeFile(uri, original);
    for (let attempt = 0; attempt < 20; attempt++) {
      // The stdin fault cuts only execs that upload, so it lands inside the staging exec, after
      // 1 byte, then every ~13 KiB up to the last byte of the new content.
      const cutAfter = attempt === 19 ? size - 1 : 1 + attempt * 13_000;
      await sandboxCli('faults', '--drop-exec-after-stdin-bytes', String(cutAfter));
      try {
        await rejectsWithCode(
          vscode.workspace.fs.writeFile(uri, randomBytes(size)),
          'Unavailable',
          /truncated|cut|closed|connection/i,
        );
      } finally {
        await sandboxCli('faults', '--drop-exec-after-stdin-bytes', '0');
      }
      assert.deepEqual(
        await inRoot('cat "$1"', `${WORK_DIR}/atomic.bin`),
        original,
        `attempt ${attempt}: cut after ${cutAfter} bytes`,
      );
    }
    // With the fault off, the same write goes through.
    const replacement = randomBytes(size);
    await vscode.workspace.fs.writeFile(uri, replacement);
    assert.deepEqual(await inRoot('cat "$1"', `${WORK_DIR}/atomic.bin`), replacement);
    // Each cut upload removed its temporary file (a whole write since then made sure it ended).
    const left = (await inRoot('ls -A "$1"', WORK_DIR)).toString('utf8');
    assert.doesNotMatch(left, /\.ppe-/, 'no temporary file is left beside the file');
  });

  it('gives an error, never short data, when the connection drops during a read @sandbox', async () => {
    const size = 1024 * 1024;
    await vscode.workspace.fs.writeFile(at(`${WORK_DIR}/read.bin`), randomBytes(size));
    // VS Code stats the file first (under 100 bytes of output): each cut lands in the read, from
    // early in the content to a few bytes before its end.
    for (const cutAfter of [200, 100_000, size - 100, size + 20]) {
      await sandboxCli('faults', '--drop-exec-after-bytes', String(cutAfter));
      try {
        await rejectsWithCode(
          vscode.workspace.fs.readFile(at(`${WORK_DIR}/read.bin`)),
          'Unavailable',
          undefined,
          `cut after ${cutAfter} bytes`,
        );
      } finally {
        await sandboxCli('faults', '--drop-exec-after-bytes', '0');
      }
    }
  });

  it('says the process has exited, and reopens the folder on the container’s main process', async () => {
    const pid = Number((await inShell('sleep 600 >/dev/null 2>&1 & echo $!')).toString().trim());
    const parsed = parseRootAuthority(root.authority);
    assert.ok(parsed && pid > 0);
    const gone = root.with({
      authority: rootAuthority({ ...parsed, container: 'shell', pid }),
      path: '/etc',
    });
    // The PID was echoed after the fork: its root is there before the kill, and gone after it.
    assert.ok((await vscode.workspace.fs.readDirectory(gone)).length > 0);
    await vscode.window.showTextDocument(gone.with({ path: '/etc/passwd' }));
    // Returns once the kernel no longer shows the process's root (it may linger as a zombie).
    await inShell(
      'kill "$1" && while ls "/proc/$1/root/" >/dev/null 2>&1; do usleep 20000; done',
      String(pid),
    );
    await rejectsWithCode(vscode.workspace.fs.readDirectory(gone), 'Unavailable', /has exited/);
    // What the notification's action runs: the open editor moves to the new root, same path.
    const reopened = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'podProcessExplorer.reopenContainerFilesystem',
      gone,
    );
    assert.ok(reopened, 'a root for the current main process');
    const editor = vscode.window.activeTextEditor?.document.uri;
    assert.equal(editor?.toString(), reopened.with({ path: '/etc/passwd' }).toString());
    assert.ok(
      !vscode.window.tabGroups.all.some((group) =>
        group.tabs.some(
          (tab) =>
            tab.input instanceof vscode.TabInputText && tab.input.uri.authority === gone.authority,
        ),
      ),
      'no editor is left on the exited process',
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    const next = parseRootAuthority(reopened.authority);
    assert.ok(next);
    assert.equal(next.container, 'shell');
    assert.notEqual(next.pid, pid);
    const entries = new Map(
      await vscode.workspace.fs.readDirectory(reopened.with({ path: '/etc' })),
    );
    assert.equal(entries.get('passwd'), vscode.FileType.File);
  });
});
