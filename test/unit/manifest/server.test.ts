import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import {
  StreamMessageReader,
  StreamMessageWriter,
  createMessageConnection,
  CancellationTokenSource,
  LSPErrorCodes,
  ResponseError,
  type CodeAction,
  type Hover,
  type MessageConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';
import { fixture } from './manifestTestSupport';

const ROOT = path.resolve(__dirname, '../../..');

/** The settings the test client has for a document: folders stand for the user's choices. */
function settingsFor(uri: string): object {
  if (uri.includes('/disabled/')) {
    return { enable: false };
  }
  if (uri.includes('/small/')) {
    return { maxFileSize: 200 };
  }
  return { rules: { 'ppe-secret-volume': false } };
}

/** The real server over stdio, driven the way vscode-languageclient drives it. */
describe('manifest language server (stdio)', function () {
  this.timeout(20_000);
  let child: ChildProcess;
  let connection: MessageConnection;
  const published: PublishDiagnosticsParams[] = [];
  const waiters: (() => void)[] = [];
  /** While set, `workspace/configuration` requests wait for it: settings that are slow to come. */
  let configurationGate: Promise<void> | undefined;
  const configurationRequests: string[] = [];

  function nextDiagnostics(
    uri: string,
    accept: (params: PublishDiagnosticsParams) => boolean,
    after = 0,
  ): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => {
      const check = () => {
        const found = published.slice(after).find((params) => params.uri === uri && accept(params));
        if (found) {
          resolve(found);
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  }

  const atVersion = (version: number) => (params: PublishDiagnosticsParams) =>
    params.version === version;

  /** Resolves once the server has asked for the settings of `uri` (the check is under way). */
  function configurationRequested(uri: string): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (configurationRequests.includes(uri)) {
          resolve();
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  }

  /**
   * Every check scheduled before this call has published once this resolves: a document opened
   * now is checked after them (same debounce, timers fire in order), so its diagnostics are the
   * later event to wait for instead of a sleep.
   */
  let barriers = 0;
  async function settled(): Promise<void> {
    const uri = `file:///work/barrier-${++barriers}.yaml`;
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'yaml', version: 1, text: fixture('task-page.yaml') },
    });
    await nextDiagnostics(uri, atVersion(1));
    await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  before(async () => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/manifest/server/server.ts', '--stdio'],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    connection = createMessageConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    connection.onNotification(
      'textDocument/publishDiagnostics',
      (params: PublishDiagnosticsParams) => {
        published.push(params);
        waiters.splice(0).forEach((waiter) => waiter());
      },
    );
    connection.onRequest(
      'workspace/configuration',
      async (params: { items: { scopeUri?: string }[] }) => {
        configurationRequests.push(...params.items.map((item) => item.scopeUri ?? ''));
        waiters.splice(0).forEach((waiter) => waiter());
        await configurationGate;
        return params.items.map(({ scopeUri = '' }) => settingsFor(scopeUri));
      },
    );
    connection.onRequest('client/registerCapability', () => null);
    connection.onNotification('window/logMessage', () => undefined);
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
      },
      initializationOptions: {},
    });
    await connection.sendNotification('initialized', {});
  });

  after(async () => {
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    connection.dispose();
    child.kill();
  });

  it('publishes diagnostics for an opened manifest, with settings applied', async () => {
    const uri = 'file:///work/pod-shared.yaml';
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'yaml', version: 1, text: fixture('pod-shared.yaml') },
    });
    const { diagnostics } = await nextDiagnostics(uri, atVersion(1));
    const codes = diagnostics.map((diagnostic) => diagnostic.code);
    assert.ok(codes.includes('ppe-kill-pid1'));
    assert.ok(!codes.includes('ppe-secret-volume'), 'turned off by the setting');
  });

  it('re-checks after an edit, once per burst of changes', async () => {
    const uri = 'file:///work/every-kind.yaml';
    const text = fixture('every-kind.yaml');
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'yaml', version: 1, text },
    });
    assert.equal((await nextDiagnostics(uri, atVersion(1))).diagnostics.length, 9);
    for (let version = 2; version <= 4; version++) {
      await connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [
          { text: version < 4 ? text : text.replace(/hostPID: true/g, 'hostPID: false') },
        ],
      });
    }
    assert.equal((await nextDiagnostics(uri, atVersion(4))).diagnostics.length, 0);
    // A check per change would publish after this point too; count only once they all had time.
    await settled();
    assert.deepEqual(
      published.filter((params) => params.uri === uri).map((params) => params.version),
      [1, 4],
    );
    await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  });

  it('never publishes what it found in a closed document for the one reopened under its URI', async () => {
    // VS Code reuses untitled names: Untitled-1 closed and a new Untitled-1 opened are both at
    // version 1. The first check is still waiting for its settings when the swap happens.
    const uri = 'untitled:Untitled-1';
    let release = () => {};
    configurationGate = new Promise((resolve) => (release = resolve));
    try {
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'yaml', version: 1, text: fixture('every-kind.yaml') },
      });
      await configurationRequested(uri);
      const swapped = published.length;
      await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'yaml', version: 1, text: fixture('helm-template.yaml') },
      });
      configurationGate = undefined;
      release();
      await nextDiagnostics(uri, atVersion(1), swapped);
      await settled();
      const afterSwap = published.slice(swapped).filter((params) => params.uri === uri);
      assert.ok(afterSwap.length > 0);
      for (const params of afterSwap) {
        assert.deepEqual(params.diagnostics, [], 'the Helm template has no findings');
      }
    } finally {
      configurationGate = undefined;
      release();
      await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }
  });

  it('answers hovers and code actions', async () => {
    const uri = 'file:///work/task-page.json';
    const text = fixture('deployment.json');
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'json', version: 1, text },
    });
    const { diagnostics } = await nextDiagnostics(uri, atVersion(1));
    const hover: Hover = await connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 9, character: 12 },
    });
    assert.match(JSON.stringify(hover.contents), /PID 1/);
    const conflict = diagnostics.find((diagnostic) => diagnostic.code === 'ppe-host-pid-conflict');
    assert.ok(conflict);
    const actions: CodeAction[] = await connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: conflict.range,
      context: { diagnostics: [conflict] },
    });
    assert.deepEqual(
      actions.map((action) => action.title),
      ['Remove hostPID', 'Remove shareProcessNamespace'],
    );
  });

  it('ignores other languages', async () => {
    const uri = 'file:///work/Chart.helm';
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'helm', version: 1, text: fixture('every-kind.yaml') },
    });
    const hover: Hover | null = await connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 7, character: 4 },
    });
    assert.equal(hover, null);
  });
  it('replaces the diagnostics of a document that turned unreadable, never leaves them', async () => {
    const uri = 'file:///work/turns-unreadable.yaml';
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'yaml', version: 1, text: fixture('every-kind.yaml') },
    });
    assert.equal((await nextDiagnostics(uri, atVersion(1))).diagnostics.length, 9);
    const deep = `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    ${'- '.repeat(3000)}x\n`;
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: deep }],
    });
    const { diagnostics } = await nextDiagnostics(uri, atVersion(2));
    assert.deepEqual(
      diagnostics.map((diagnostic) => diagnostic.code),
      ['ppe-yaml-syntax'],
    );
    await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  });

  it('hovers only where it checks: not in disabled or oversized files', async () => {
    const text = fixture('deployment.json');
    const position = { line: 9, character: 12 };
    for (const uri of ['file:///work/disabled/d.json', 'file:///work/small/d.json']) {
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'json', version: 1, text },
      });
      const { diagnostics } = await nextDiagnostics(uri, atVersion(1));
      assert.ok(diagnostics.every((diagnostic) => diagnostic.code === 'ppe-file-too-large'));
      const hover: Hover | null = await connection.sendRequest('textDocument/hover', {
        textDocument: { uri },
        position,
      });
      assert.equal(hover, null, uri);
      await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }
  });

  it('answers a cancelled hover with RequestCancelled, which clients drop silently', async () => {
    const uri = 'file:///work/cancelled.json';
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'json', version: 1, text: fixture('deployment.json') },
    });
    const source = new CancellationTokenSource();
    const hover = connection.sendRequest(
      'textDocument/hover',
      { textDocument: { uri }, position: { line: 9, character: 12 } },
      source.token,
    );
    source.cancel();
    await assert.rejects(
      hover,
      (error) => error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled,
    );
    await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  });
});

describe('manifest language server process', function () {
  this.timeout(20_000);

  function startServer(): ChildProcess {
    return spawn(
      process.execPath,
      ['--import', 'tsx', 'src/manifest/server/server.ts', '--stdio'],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
  }

  function exitCode(child: ChildProcess): Promise<number | null> {
    return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  it('exits with 0 after shutdown and exit', async () => {
    const child = startServer();
    const exited = exitCode(child);
    const connection = createMessageConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: null,
      rootUri: null,
      capabilities: {},
    });
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    assert.equal(await exited, 0);
    connection.dispose();
  });

  it('exits when the client goes away without a shutdown, as the pipe closes', async () => {
    const child = startServer();
    const exited = exitCode(child);
    child.stdin!.end();
    assert.equal(await exited, 1);
  });
});
