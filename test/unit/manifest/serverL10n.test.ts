// The language server in the user's language: started as a process over stdio, as the client
// starts it, with the bundle the client hands over in initializationOptions.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  StreamMessageReader,
  StreamMessageWriter,
  createMessageConnection,
  type CodeAction,
  type Diagnostic,
  type Hover,
  type LogMessageParams,
  type MarkupContent,
  type MessageConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';

const ROOT = path.resolve(__dirname, '../../..');
const JA_BUNDLE = path.join(ROOT, 'l10n/bundle.l10n.ja.json');
const ja = JSON.parse(readFileSync(JA_BUNDLE, 'utf8')) as Record<string, string>;

/** The task page's pod with hostPID added: an Error with a related location and two fixes. */
const CONFLICT = readFileSync(
  path.join(ROOT, 'test/fixtures/manifests/host-pid-conflict.yaml'),
  'utf8',
);

/** Japanese kana or kanji: what an untranslated English message never contains. */
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

const text = (diagnostic: Diagnostic): string =>
  typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;

/** Is `text` the translation `template` with its placeholders filled in? */
function isFilledIn(template: string, message: string): boolean {
  const pattern = template
    .split(/\{[^{}\s]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+?');
  return new RegExp(`^${pattern}$`, 's').test(message);
}

interface RunningServer {
  readonly connection: MessageConnection;
  readonly logs: LogMessageParams[];
  readonly initialized: boolean;
  diagnostics(uri: string, text: string): Promise<Diagnostic[]>;
  stop(): Promise<void>;
}

async function startServer(initializationOptions: object): Promise<RunningServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/manifest/server/server.ts', '--stdio'],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  const logs: LogMessageParams[] = [];
  const published = new Map<string, (params: PublishDiagnosticsParams) => void>();
  connection.onNotification('window/logMessage', (params: LogMessageParams) => {
    logs.push(params);
  });
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) =>
    published.get(params.uri)?.(params),
  );
  connection.listen();
  const result: { capabilities?: object } = await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
    initializationOptions,
  });
  await connection.sendNotification('initialized', {});
  return {
    connection,
    logs,
    initialized: result.capabilities !== undefined,
    async diagnostics(uri, text) {
      const arrived = new Promise<PublishDiagnosticsParams>((resolve) =>
        published.set(uri, resolve),
      );
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'yaml', version: 1, text },
      });
      return (await arrived).diagnostics;
    },
    async stop() {
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
      connection.dispose();
      child.kill();
    },
  };
}

describe('manifest language server in Japanese (stdio)', function () {
  this.timeout(30_000);
  let server: RunningServer;
  const uri = 'file:///work/conflict.yaml';
  let diagnostics: Diagnostic[];

  before(async () => {
    server = await startServer({ l10nBundlePath: JA_BUNDLE });
    diagnostics = await server.diagnostics(uri, CONFLICT);
  });

  after(() => server.stop());

  it('publishes diagnostics and their related information in Japanese', () => {
    const conflict = diagnostics.find((diagnostic) => diagnostic.code === 'ppe-host-pid-conflict');
    assert.ok(conflict, JSON.stringify(diagnostics));
    assert.equal(
      text(conflict),
      ja[
        'shareProcessNamespace and hostPID cannot both be enabled: the API server rejects this pod ("ShareProcessNamespace and HostPID cannot both be enabled"). Share the pod\'s own process namespace or use the node\'s, not both.'
      ],
    );
    assert.equal(conflict.relatedInformation?.[0].message, ja['hostPID is enabled here.']);
    for (const diagnostic of diagnostics) {
      assert.match(text(diagnostic), JAPANESE);
      assert.ok(
        Object.values(ja).some((template) => isFilledIn(template, text(diagnostic))),
        `a Japanese translation: ${text(diagnostic)}`,
      );
    }
  });

  it('answers hovers in Japanese', async () => {
    const hover: Hover = await server.connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 5, character: 6 },
    });
    const markdown = (hover.contents as MarkupContent).value;
    assert.ok(
      markdown.includes(ja['all containers of the pod share one process (PID) namespace.']),
      markdown,
    );
    assert.ok(markdown.includes(ja['Share Process Namespace between Containers in a Pod']));
  });

  it('titles quick fixes in Japanese', async () => {
    const conflict = diagnostics.find((diagnostic) => diagnostic.code === 'ppe-host-pid-conflict');
    assert.ok(conflict);
    const actions: CodeAction[] = await server.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: conflict.range,
      context: { diagnostics: [conflict] },
    });
    assert.deepEqual(
      actions.map((action) => action.title),
      [
        ja['Remove hostPID'],
        ja['Remove shareProcessNamespace'],
        ja['Disable {0} for this line'].replace('{0}', 'ppe-host-pid-conflict'),
      ],
    );
    for (const action of actions) {
      assert.match(action.title, JAPANESE);
    }
  });
});

describe('manifest language server with an unusable l10n bundle (stdio)', function () {
  this.timeout(30_000);
  const english =
    'shareProcessNamespace and hostPID cannot both be enabled: the API server rejects this pod';
  let scratch: string;

  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'ppe-l10n-server-'));
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  const cases: [string, () => string][] = [
    ['missing', () => path.join(scratch, 'bundle.l10n.ja.json')],
    [
      'not JSON',
      () => {
        const file = path.join(scratch, 'broken.json');
        writeFileSync(file, '{ "Remove hostPID": "hostPID を削除",');
        return file;
      },
    ],
    [
      'not a map of strings',
      () => {
        const file = path.join(scratch, 'numbers.json');
        writeFileSync(file, JSON.stringify({ 'Remove hostPID': 42 }));
        return file;
      },
    ],
  ];
  for (const [what, bundle] of cases) {
    it(`starts in English and logs why when the bundle is ${what}`, async () => {
      const bundlePath = bundle();
      const server = await startServer({ l10nBundlePath: bundlePath });
      try {
        assert.ok(server.initialized);
        const diagnostics = await server.diagnostics('file:///work/conflict.yaml', CONFLICT);
        assert.ok(diagnostics.some((diagnostic) => text(diagnostic).startsWith(english)));
        assert.ok(
          server.logs.some((log) => log.message.includes(bundlePath)),
          JSON.stringify(server.logs),
        );
      } finally {
        await server.stop();
      }
    });
  }
});
