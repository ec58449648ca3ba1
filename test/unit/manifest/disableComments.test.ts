import assert from 'node:assert/strict';
import { CodeActionKind, type Diagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { quickFixes } from '../../../src/manifest/server/codeActions';
import { DIAGNOSTIC_SOURCE, toDiagnostics } from '../../../src/manifest/server/diagnostics';
import { DisableComments } from '../../../src/manifest/server/disableComments';
import { ManifestChecker } from '../../../src/manifest/server/manifestChecker';
import { DEFAULT_SETTINGS } from '../../../src/manifest/server/settings';
import { diagnose } from './manifestTestSupport';

/** A shared pod whose spec has hostPID and a container that kills PID 1, with `comments` above. */
const pod = (aboveShare: string[], aboveKill: string[] = []) =>
  [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: p',
    'spec:',
    ...aboveShare.map((line) => `  ${line}`),
    '  shareProcessNamespace: true',
    '  hostPID: true',
    '  containers:',
    '    - name: app',
    '      image: busybox',
    ...aboveKill.map((line) => `      ${line}`),
    '      command: ["sh", "-c", "kill -HUP 1"]',
    '',
  ].join('\n');

const found = (text: string) => diagnose(text).map((d) => d.code);

describe('disable comments', () => {
  it('turns off the codes they name, separated by spaces or commas', () => {
    assert.deepEqual(found(pod([])), ['ppe-host-pid-conflict', 'ppe-kill-pid1']);
    assert.deepEqual(found(pod(['# pod-process-explorer-disable ppe-host-pid-conflict'])), [
      'ppe-kill-pid1',
    ]);
    assert.deepEqual(
      found(pod([], ['# pod-process-explorer-disable ppe-yaml-syntax,ppe-kill-pid1'])),
      ['ppe-host-pid-conflict'],
    );
    assert.deepEqual(
      found(pod([], ['#pod-process-explorer-disable   ppe-secret-volume ,  ppe-kill-pid1  '])),
      ['ppe-host-pid-conflict'],
    );
  });

  it('leaves other codes on, and turns every code off without a list', () => {
    assert.deepEqual(found(pod([], ['# pod-process-explorer-disable ppe-secret-volume'])), [
      'ppe-host-pid-conflict',
      'ppe-kill-pid1',
    ]);
    assert.deepEqual(found(pod([], ['# pod-process-explorer-disable'])), ['ppe-host-pid-conflict']);
    // Codes on one comment line, every code on the next: every code is off.
    assert.deepEqual(
      found(
        pod(
          [],
          ['# pod-process-explorer-disable ppe-secret-volume', '# pod-process-explorer-disable'],
        ),
      ),
      ['ppe-host-pid-conflict'],
    );
  });

  it('reads the whole block of comment lines right above, and nothing past it', () => {
    assert.deepEqual(
      found(pod([], ['# pod-process-explorer-disable ppe-kill-pid1', '# reloads the config'])),
      ['ppe-host-pid-conflict'],
    );
    // A line that is not a comment ends the block.
    const text = pod([]).replace(
      '    - name: app\n      image: busybox\n',
      '    - name: app\n      # pod-process-explorer-disable\n      image: busybox\n',
    );
    assert.deepEqual(found(text), ['ppe-host-pid-conflict', 'ppe-kill-pid1']);
  });

  it('are comments with the exact marker only', () => {
    for (const comment of [
      '# pod-process-explorer-disabled ppe-kill-pid1',
      '# see pod-process-explorer-disable ppe-kill-pid1',
      '# podprocessexplorer-disable ppe-kill-pid1',
      '# pod-process-explorer-disable ppe-kill-pid',
    ]) {
      assert.deepEqual(
        found(pod([], [comment])),
        ['ppe-host-pid-conflict', 'ppe-kill-pid1'],
        comment,
      );
    }
  });

  it('finds the line of any offset, first and last lines included', () => {
    const text =
      '# pod-process-explorer-disable a\nkind: Pod\n\n# pod-process-explorer-disable b, c\nx';
    const comments = new DisableComments(text);
    assert.equal(comments.disables('a', 0), false, 'nothing is above the first line');
    assert.equal(comments.disables('a', text.indexOf('kind')), true);
    assert.equal(comments.disables('a', text.indexOf('Pod')), true);
    assert.equal(comments.disables('b', text.indexOf('Pod')), false);
    assert.equal(comments.disables('a', text.indexOf('\n\n') + 1), false, 'the blank line');
    assert.equal(comments.disables('b', text.length - 1), true);
    assert.equal(comments.disables('c', text.length), true);
    assert.equal(comments.disables('a', text.length - 1), false);
    // Asked again, from the cache.
    assert.equal(comments.disables('b', text.length - 1), true);
    assert.equal(comments.disables('a', text.indexOf('kind') + 1), true);
  });

  it('says nothing is disabled in a text without the marker', () => {
    const comments = new DisableComments('# disable\nkind: Pod\n');
    assert.equal(comments.disables('ppe-kill-pid1', 12), false);
  });
});

/** The code actions offered for every diagnostic of `code` in a document. */
function actionsFor(text: string, code: string, languageId = 'yaml') {
  const document = TextDocument.create('file:///p.yaml', languageId, 1, text);
  const checker = new ManifestChecker();
  const diagnostics = toDiagnostics(
    document,
    checker.check(document.uri, text, DEFAULT_SETTINGS.maxFileSize),
    DEFAULT_SETTINGS,
  ).filter((diagnostic: Diagnostic) => diagnostic.code === code);
  const placed = checker.findings(document.uri, text, DEFAULT_SETTINGS.maxFileSize);
  return { document, diagnostics, actions: quickFixes(document, placed, diagnostics) };
}

describe('the quick fix menu', () => {
  it('offers each fix with its diagnostic, preferred or not, then the disable comment', () => {
    const { document, diagnostics, actions } = actionsFor(
      pod([]).replace('hostPID: true', 'hostPID: yes'),
      'ppe-host-pid-conflict',
    );
    assert.equal(diagnostics.length, 1);
    assert.deepEqual(
      actions.map((action) => [action.title, action.isPreferred, action.kind]),
      [
        ['Remove hostPID', false, CodeActionKind.QuickFix],
        ['Remove shareProcessNamespace', false, CodeActionKind.QuickFix],
        ['Disable ppe-host-pid-conflict for this line', undefined, CodeActionKind.QuickFix],
      ],
    );
    for (const action of actions) {
      assert.deepEqual(action.diagnostics, diagnostics);
      assert.deepEqual(Object.keys(action.edit?.changes ?? {}), [document.uri]);
    }
    const preferred = actionsFor(
      pod([]).replace('hostPID: true', 'hostPID: "no"'),
      'ppe-not-boolean',
    );
    assert.deepEqual(
      preferred.actions.map((action) => [action.title, action.isPreferred]),
      [
        ['Change hostPID to false', true],
        ['Disable ppe-not-boolean for this line', undefined],
      ],
    );
  });

  it('writes the disable comment above the line, at its indentation, with its line break', () => {
    const text = pod([]);
    const { document, actions } = actionsFor(text, 'ppe-kill-pid1');
    const disable = actions.find((action) => action.title.startsWith('Disable'));
    assert.equal(disable?.title, 'Disable ppe-kill-pid1 for this line');
    const line = text.split('\n').findIndex((l) => l.includes('kill -HUP 1'));
    assert.deepEqual(disable?.edit?.changes?.[document.uri], [
      {
        range: { start: { line, character: 0 }, end: { line, character: 0 } },
        newText: '      # pod-process-explorer-disable ppe-kill-pid1\n',
      },
    ]);
    const crlf = text.replace(/\n/g, '\r\n');
    const windows = actionsFor(crlf, 'ppe-kill-pid1');
    const edit = windows.actions.at(-1)?.edit?.changes?.[windows.document.uri];
    assert.equal(edit?.[0].newText, '      # pod-process-explorer-disable ppe-kill-pid1\r\n');
    const disabled = TextDocument.applyEdits(windows.document, edit ?? []);
    assert.deepEqual(found(disabled), ['ppe-host-pid-conflict']);
  });

  it('offers no disable comment in JSON, which has no comments', () => {
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        shareProcessNamespace: true,
        hostPID: true,
        containers: [{ name: 'app', image: 'nginx' }],
      },
    });
    const { actions } = actionsFor(json, 'ppe-host-pid-conflict', 'json');
    assert.deepEqual(
      actions.map((action) => action.title),
      ['Remove hostPID', 'Remove shareProcessNamespace'],
    );
  });

  it('offers nothing for a diagnostic of another source or with a code that is no rule', () => {
    const { document, diagnostics } = actionsFor(pod([]), 'ppe-kill-pid1');
    const placed = new ManifestChecker().findings(document.uri, pod([]), 1e6);
    const [diagnostic] = diagnostics;
    assert.equal(diagnostic.source, DIAGNOSTIC_SOURCE);
    assert.deepEqual(
      quickFixes(document, placed, [
        { ...diagnostic, source: 'yaml' },
        { ...diagnostic, code: 'kill-pid1' },
        { ...diagnostic, code: 'ppe-host-pid-conflict' },
        {
          ...diagnostic,
          range: { start: diagnostic.range.start, end: { ...diagnostic.range.end, character: 1 } },
        },
        { ...diagnostic, range: { start: diagnostic.range.end, end: diagnostic.range.end } },
      ]),
      [],
    );
    assert.equal(quickFixes(document, placed, [diagnostic]).length, 1);
  });
});
