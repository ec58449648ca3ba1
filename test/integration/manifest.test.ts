import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { quickFixesWhen } from './quickFixes';

const EXTENSION_ID = 'pod-process-explorer.pod-process-explorer';
const SOURCE = 'Pod Process Explorer';
const DEADLINE_MS = 20_000;

function fixtureUri(name: string): vscode.Uri {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return vscode.Uri.joinPath(extension.extensionUri, 'test/fixtures/manifests', name);
}

let opened = 0;

/**
 * Opens a copy of a fixture under a file name no other test uses, so fixes never touch the
 * fixture and no test sees a document, or diagnostics, that an earlier one left under a reused
 * name (VS Code reuses untitled names such as Untitled-1 after a close).
 */
async function openFixture(name: string, language: 'yaml' | 'json'): Promise<vscode.TextDocument> {
  const copy = vscode.Uri.file(join(scratch, `${++opened}-${name}`));
  await vscode.workspace.fs.copy(fixtureUri(name), copy);
  const document = await vscode.workspace.openTextDocument(copy);
  assert.equal(document.languageId, language);
  await vscode.window.showTextDocument(document);
  return document;
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === SOURCE);
}

/** Resolves once the document's diagnostics satisfy `ready`; fails at the deadline. */
function diagnosticsWhen(
  uri: vscode.Uri,
  ready: (diagnostics: vscode.Diagnostic[]) => boolean,
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      const diagnostics = ours(uri);
      if (ready(diagnostics)) {
        listener.dispose();
        clearTimeout(deadline);
        resolve(diagnostics);
      }
    };
    const listener = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((changed) => changed.toString() === uri.toString())) {
        settle();
      }
    });
    const deadline = setTimeout(() => {
      listener.dispose();
      const codes = ours(uri).map((diagnostic) => codeOf(diagnostic));
      reject(
        new Error(
          `diagnostics of ${uri.toString()} not as expected by the deadline: ${codes.join(', ')}`,
        ),
      );
    }, DEADLINE_MS);
    settle();
  });
}

function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return typeof code === 'object' ? String(code.value) : String(code);
}

function withCode(code: string) {
  return (diagnostics: vscode.Diagnostic[]) => diagnostics.some((d) => codeOf(d) === code);
}

async function applyQuickFix(
  document: vscode.TextDocument,
  diagnostic: vscode.Diagnostic,
  title: RegExp,
): Promise<void> {
  const actions = await quickFixesWhen(document, diagnostic.range, (offered) =>
    offered.some((action) => title.test(action.title) && action.edit),
  );
  const action = actions.find((candidate) => title.test(candidate.title));
  assert.ok(
    action?.edit,
    `a quick fix ${String(title)} among ${actions.map((a) => a.title).join(', ')}`,
  );
  assert.ok(await vscode.workspace.applyEdit(action.edit));
}

/** Reverts and closes every editor a test left, so the next test starts from an empty window. */
async function closeEditors(): Promise<void> {
  for (let left = 20; left > 0 && vscode.window.tabGroups.all.some((g) => g.tabs.length); left--) {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
}

let scratch: string;

describe('manifest language server in the editor', function () {
  this.timeout(DEADLINE_MS * 2);

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'ppe-manifest-test-'));
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  afterEach(closeEditors);

  it('publishes diagnostics with codes, ranges and docs links for every workload kind', async () => {
    const document = await openFixture('every-kind.yaml', 'yaml');
    const diagnostics = await diagnosticsWhen(document.uri, (found) => found.length === 9);
    for (const diagnostic of diagnostics) {
      assert.equal(codeOf(diagnostic), 'ppe-host-pid-conflict');
      assert.equal(document.getText(diagnostic.range), 'shareProcessNamespace');
      assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
      const code = diagnostic.code as { target: vscode.Uri };
      assert.match(code.target.toString(), /^https:\/\/kubernetes\.io\/docs\//);
      assert.equal(document.getText(diagnostic.relatedInformation?.[0].location.range), 'hostPID');
    }
  });

  it('shows every document’s diagnostics in a file of hundreds of documents', async () => {
    // Large enough to be spread over the server's check workers (over 200,000 characters).
    const documents = (await vscode.workspace.fs.readFile(fixtureUri('every-kind.yaml')))
      .toString()
      .split(/^---\n/m);
    const copies = Array.from({ length: 100 }, (_, copy) =>
      documents.map((text) => text.replace(/name: (\S+)/, `name: $1-${copy}`)).join('---\n'),
    );
    const uri = vscode.Uri.file(join(scratch, `${++opened}-large.yaml`));
    await vscode.workspace.fs.writeFile(uri, Buffer.from(copies.join('---\n')));
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const diagnostics = await diagnosticsWhen(uri, (found) => found.length === 900);
    for (const diagnostic of diagnostics) {
      assert.equal(codeOf(diagnostic), 'ppe-host-pid-conflict');
      assert.equal(document.getText(diagnostic.range), 'shareProcessNamespace');
    }
    assert.equal(new Set(diagnostics.map((d) => d.range.start.line)).size, 900);
  });

  it('says nothing about a Helm template', async () => {
    const helm = await openFixture('helm-template.yaml', 'yaml');
    // A manifest opened after the template is checked after it: once its diagnostics are in,
    // the template has had its turn.
    const manifest = await openFixture('task-page.yaml', 'yaml');
    await diagnosticsWhen(manifest.uri, withCode('ppe-ptrace-breaks-baseline'));
    assert.deepEqual(ours(helm.uri), []);
  });

  it('explains shareProcessNamespace, hostPID and SYS_PTRACE on hover', async () => {
    const document = await openFixture('task-page.yaml', 'yaml');
    // Diagnostics mean the server has the document.
    await diagnosticsWhen(document.uri, withCode('ppe-ptrace-breaks-baseline'));
    const hoverText = async (word: string) => {
      const position = document.positionAt(document.getText().indexOf(word) + 1);
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        document.uri,
        position,
      );
      return hovers
        .flatMap((hover) => hover.contents)
        .map((content) => (typeof content === 'string' ? content : content.value))
        .join('\n');
    };
    const share = await hoverText('shareProcessNamespace');
    assert.match(share, /PID 1/);
    assert.match(share, /\/proc\/&lt;pid&gt;\/root/);
    assert.match(
      share,
      /https:\/\/kubernetes\.io\/docs\/tasks\/configure-pod-container\/share-process-namespace\//,
    );
    assert.match(await hoverText('SYS_PTRACE'), /baseline/);
  });

  it('removes hostPID for the conflict', async () => {
    const document = await openFixture('every-kind.yaml', 'yaml');
    const [first] = await diagnosticsWhen(document.uri, (found) => found.length === 9);
    await applyQuickFix(document, first, /^Remove hostPID$/);
    assert.ok(!document.getText().split('---')[1].includes('hostPID'));
    await diagnosticsWhen(document.uri, (found) => found.length === 8);
  });

  it('unquotes the boolean in JSON, and removes a misplaced hostPID that moving would make a conflict', async () => {
    const document = await openFixture('quoted.json', 'json');
    const diagnostics = await diagnosticsWhen(document.uri, withCode('ppe-misplaced-field'));
    const quoted = diagnostics.find((d) => codeOf(d) === 'ppe-not-boolean');
    assert.ok(quoted);
    await applyQuickFix(document, quoted, /true/);
    assert.match(document.getText(), /"shareProcessNamespace": true,/);
    const [misplaced] = (
      await diagnosticsWhen(
        document.uri,
        (found) => !found.some((d) => codeOf(d) === 'ppe-not-boolean'),
      )
    ).filter((d) => codeOf(d) === 'ppe-misplaced-field');
    // Moving hostPID into the PodSpec of a shared pod would create the hostPID conflict (an
    // Error): the fix offered removes it.
    await applyQuickFix(document, misplaced, /^Remove hostPID$/);
    assert.equal(
      document.getText(),
      `{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": { "name": "json-pod" },
  "spec": {
    "shareProcessNamespace": true,
    "containers": [{ "name": "app", "image": "nginx" }]
  }
}
`,
    );
    await diagnosticsWhen(document.uri, (found) => found.length === 0);
  });

  it('adds SYS_PTRACE to the debug container and -s to tini', async () => {
    const document = await openFixture('pod-shared.yaml', 'yaml');
    const diagnostics = await diagnosticsWhen(document.uri, withCode('ppe-debug-without-ptrace'));
    const debug = diagnostics.find((d) => codeOf(d) === 'ppe-debug-without-ptrace');
    assert.ok(debug);
    await applyQuickFix(document, debug, /SYS_PTRACE/);
    assert.ok(
      document
        .getText()
        .includes(
          '      tty: true\n      securityContext:\n        capabilities:\n          add:\n            - SYS_PTRACE\n',
        ),
    );
    const [tini] = (
      await diagnosticsWhen(document.uri, withCode('ppe-ptrace-breaks-baseline'))
    ).filter((d) => codeOf(d) === 'ppe-tini-without-subreaper');
    await applyQuickFix(document, tini, /-s/);
    assert.ok(document.getText().includes('        - tini\n        - -s\n        - --\n'));
  });

  it('turns a literal secret into a secretKeyRef skeleton', async () => {
    const document = await openFixture('pod-shared.yaml', 'yaml');
    const diagnostics = await diagnosticsWhen(document.uri, withCode('ppe-secret-env-literal'));
    const secret = diagnostics.find((d) => codeOf(d) === 'ppe-secret-env-literal');
    assert.ok(secret);
    assert.ok(!secret.message.includes(document.getText(secret.range)));
    await applyQuickFix(document, secret, /secretKeyRef/);
    assert.ok(
      document
        .getText()
        .includes(
          '        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: nginx-secrets\n              key: db-password\n',
        ),
    );
    await diagnosticsWhen(
      document.uri,
      (found) => !found.some((d) => codeOf(d) === 'ppe-secret-env-literal'),
    );
  });
});
