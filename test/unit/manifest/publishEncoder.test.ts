import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { toDiagnostics } from '../../../src/manifest/server/diagnostics';
import { ManifestChecker } from '../../../src/manifest/server/manifestChecker';
import { messageBytes, publishEncoder } from '../../../src/manifest/server/publishEncoder';
import { DEFAULT_SETTINGS } from '../../../src/manifest/server/settings';
import { fixture } from './manifestTestSupport';

const URI = 'file:///m.yaml';

function publish(version: number, diagnostics: unknown[]) {
  return {
    jsonrpc: '2.0' as const,
    method: 'textDocument/publishDiagnostics',
    params: { uri: URI, version, diagnostics },
  };
}

const messageJson = (message: Parameters<typeof messageBytes>[0]) =>
  messageBytes(message).toString('utf8');

describe('manifest server: message encoder', () => {
  const text = fixture('every-kind.yaml');
  const checker = new ManifestChecker();
  const diagnosticsOf = (source: string, version: number) =>
    toDiagnostics(
      TextDocument.create(URI, 'yaml', version, source),
      checker.check(URI, source, DEFAULT_SETTINGS.maxFileSize),
      DEFAULT_SETTINGS,
    );

  it('writes a publishDiagnostics message as the JSON of the message itself', () => {
    const message = publish(1, diagnosticsOf(text, 1));
    assert.ok(message.params.diagnostics.length > 1);
    assert.deepEqual(JSON.parse(messageJson(message)), JSON.parse(JSON.stringify(message)));
  });

  it('writes an edited file’s list as it is now, unchanged diagnostics from the cache', () => {
    const first = publish(1, diagnosticsOf(text, 1));
    messageJson(first);
    // The last document changes: the others keep their very diagnostic objects.
    const appended = `${text}# edited\n`;
    const second = publish(2, diagnosticsOf(appended, 2));
    assert.ok(second.params.diagnostics.some((d) => first.params.diagnostics.includes(d)));
    assert.deepEqual(JSON.parse(messageJson(second)), JSON.parse(JSON.stringify(second)));
    // A line above every document: all of them move, their diagnostics with them.
    const prefixed = `# edited\n${appended}`;
    const third = publish(3, diagnosticsOf(prefixed, 3));
    const thirdJson: unknown = JSON.parse(messageJson(third));
    assert.deepEqual(thirdJson, JSON.parse(JSON.stringify(third)));
    assert.notDeepEqual(thirdJson, JSON.parse(messageJson(second)));
  });

  it('writes an empty list, a list without a version and any other message as JSON.stringify does', () => {
    for (const message of [
      publish(3, []),
      {
        jsonrpc: '2.0' as const,
        method: 'textDocument/publishDiagnostics',
        params: { uri: URI, diagnostics: [] },
      },
      { jsonrpc: '2.0' as const, id: 7, result: { contents: 'x' } },
      { jsonrpc: '2.0' as const, method: 'window/logMessage', params: { type: 4, message: 'm' } },
    ]) {
      assert.deepEqual(JSON.parse(messageJson(message)), message);
    }
  });

  it('writes messages that are not ASCII in UTF-8, from the cache as on the first publish', () => {
    const diagnostic = {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } },
      message: 'プロセス名前空間を共有しています。',
    };
    const message = publish(5, [diagnostic, { ...diagnostic, message: 'ß → ✓' }]);
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(JSON.parse(messageJson(message)), message);
    }
  });

  it('encodes in the charset the connection asks for', async () => {
    const message = publish(4, diagnosticsOf(text, 4));
    const bytes = await publishEncoder.encode(message, { charset: 'utf-8' });
    assert.deepEqual(
      JSON.parse(Buffer.from(bytes).toString('utf8')),
      JSON.parse(JSON.stringify(message)),
    );
  });
});
