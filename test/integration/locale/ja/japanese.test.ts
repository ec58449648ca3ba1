// The extension in an editor whose display language is Japanese (code-server --locale ja with the
// test language pack of test/host/languagePack.ts): its contributions, its runtime messages and its
// language server all speak Japanese, from the translations it ships.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { quickFixesWhen } from '../../quickFixes';
import {
  children,
  label,
  listedInside,
  namespaceNode,
  podNamed,
  podTree,
  whenDocument,
  whenTree,
} from '../../treeTestSupport';

const EXTENSION_ID = 'pod-process-explorer.pod-process-explorer';
const SOURCE = 'Pod Process Explorer';
const DEADLINE_MS = 20_000;

function extension(): vscode.Extension<unknown> {
  const found = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(found, `${EXTENSION_ID} is installed`);
  return found;
}

function shipped(path: string): Record<string, string> {
  return JSON.parse(readFileSync(join(extension().extensionPath, path), 'utf8')) as Record<
    string,
    string
  >;
}

const text = (content: vscode.MarkdownString | vscode.MarkedString): string =>
  typeof content === 'string' ? content : content.value;

function diagnosticsOf(uri: vscode.Uri): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const ours = () =>
      vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === SOURCE);
    const settle = () => {
      if (ours().length > 0) {
        listener.dispose();
        clearTimeout(deadline);
        resolve(ours());
      }
    };
    const listener = vscode.languages.onDidChangeDiagnostics(settle);
    const deadline = setTimeout(() => {
      listener.dispose();
      reject(new Error(`no diagnostics for ${uri.toString()} within ${DEADLINE_MS} ms`));
    }, DEADLINE_MS);
    settle();
  });
}

/** The task page's pod; until it is listed, what the namespace shows instead (in Japanese). */
async function nginxPod() {
  const pod = await podNamed('nginx');
  if (!pod) {
    const shown = (await children(await namespaceNode())).map(label);
    throw new Error(`the namespace shows ${shown.join(' | ') || 'nothing'}`);
  }
  return pod;
}

describe('the extension in Japanese (--locale ja)', function () {
  this.timeout(DEADLINE_MS * 3);
  const ja = () => shipped('l10n/bundle.l10n.ja.json');
  const nls = () => shipped('package.nls.ja.json');

  after(async () => {
    for (
      let left = 10;
      left > 0 && vscode.window.tabGroups.all.some((g) => g.tabs.length);
      left--
    ) {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('runs in an editor whose display language is Japanese', () => {
    assert.equal(vscode.env.language, 'ja');
  });

  it('shows its package.json contributions in Japanese', () => {
    const manifest = extension().packageJSON as {
      contributes: {
        commands: { command: string; title: string }[];
        views: { explorer: { name: string | { value: string } }[] };
      };
    };
    const attach = manifest.contributes.commands.find(
      (command) => command.command === 'podProcessExplorer.attachTerminal',
    );
    // VS Code hands a localized title over as { value, original }.
    const title = attach?.title as string | { value: string; original: string } | undefined;
    assert.deepEqual(title, {
      value: nls()['command.attachTerminal'],
      original: 'Attach Terminal',
    });
    assert.equal(nls()['command.attachTerminal'], 'ターミナルをアタッチ');
    const view = manifest.contributes.views.explorer[0].name;
    assert.equal(typeof view === 'string' ? view : view.value, 'Pod のプロセス');
  });

  it('labels the tree in Japanese', async () => {
    await podTree();
    const pod = await whenTree('the nginx pod', nginxPod);
    const inside = await listedInside(pod);
    const tree = await podTree();
    const sandbox = inside.find((node) => node.kind === 'sandbox');
    assert.ok(sandbox);
    assert.equal(
      (tree.getTreeItem(sandbox) as vscode.TreeItem).description,
      'Pod サンドボックス (pause)',
    );
    const shell = inside.find((node) => node.kind === 'container' && label(node) === 'shell');
    assert.ok(shell);
    const description = String((tree.getTreeItem(shell) as vscode.TreeItem).description);
    assert.ok(
      description.startsWith(
        `${ja()['running/The state of a container, as in status.containerStatuses[].state.']} · `,
      ),
      description,
    );
    assert.ok(description.startsWith('実行中'), description);
  });

  it('writes the process details document in Japanese', async () => {
    const pod = await whenTree('the nginx pod', nginxPod);
    const inside = await listedInside(pod);
    const nginx = inside.find((node) => node.kind === 'container' && label(node) === 'nginx');
    assert.ok(nginx);
    const [master] = await children(nginx);
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'podProcessExplorer.showProcessDetails',
      master,
    );
    assert.ok(uri, 'the details document opened');
    const details = await whenDocument(
      uri,
      'its headings',
      (content) => content.includes('## '),
      DEADLINE_MS,
    );
    assert.match(details, /^## プロセス$/m);
    assert.match(details, /^## 名前空間$/m);
    const pidRow = /^ {2}PID +(?=\d)/m.exec(details)?.[0];
    const parentRow = /^ {2}親 PID +(?=\d+ · 親プロセスは Pod の PID 名前空間の外にあります)/m.exec(
      details,
    )?.[0];
    assert.ok(pidRow && parentRow, details);
    // Values line up in the editor: 親 takes two columns, as every kana and kanji does.
    assert.equal(parentRow.length + 1, pidRow.length);
    assert.match(details, /^ {2}コンテナ +nginx · メインプロセス$/m);
  });

  it('has the language server speak Japanese: diagnostics, hovers and quick fixes', async () => {
    // Untitled, so the quick fixes below change no file: the task page's pod with hostPID added.
    const manifest = await vscode.workspace.fs.readFile(
      vscode.Uri.joinPath(
        extension().extensionUri,
        'test/fixtures/manifests/host-pid-conflict.yaml',
      ),
    );
    const document = await vscode.workspace.openTextDocument({
      language: 'yaml',
      content: Buffer.from(manifest).toString('utf8'),
    });
    await vscode.window.showTextDocument(document);
    const diagnostics = await diagnosticsOf(document.uri);
    const conflict = diagnostics.find((diagnostic) => {
      const code = diagnostic.code;
      return (typeof code === 'object' ? code.value : code) === 'ppe-host-pid-conflict';
    });
    assert.ok(conflict, diagnostics.map((diagnostic) => diagnostic.message).join('\n'));
    assert.match(conflict.message, /^shareProcessNamespace と hostPID は同時に有効にできません/);

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      document.uri,
      new vscode.Position(5, 6),
    );
    const hover = hovers.flatMap((found) => found.contents.map(text)).join('\n');
    assert.ok(
      hover.includes('Pod のすべてのコンテナが 1 つのプロセス (PID) 名前空間を共有します。'),
      hover,
    );

    const actions = await quickFixesWhen(document, conflict.range, (offered) =>
      offered.some((action) => action.title === 'hostPID を削除'),
    );
    const titles = actions.map((action) => action.title);
    assert.ok(titles.includes('hostPID を削除'), titles.join(', '));
    assert.ok(titles.includes('この行の ppe-host-pid-conflict を無効にする'), titles.join(', '));
  });
});
