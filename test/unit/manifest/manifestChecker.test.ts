import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CodeActionKind } from 'vscode-languageserver';
import { quickFixes } from '../../../src/manifest/server/codeActions';
import {
  DIAGNOSTIC_SOURCE,
  checkText,
  toDiagnostics,
} from '../../../src/manifest/server/diagnostics';
import { ManifestChecker, checkDocument } from '../../../src/manifest/server/manifestChecker';
import { RULES, RULE_CODES } from '../../../src/manifest/server/ruleCatalog';
import { DEFAULT_SETTINGS, parseSettings } from '../../../src/manifest/server/settings';
import { codes, diagnose, fixture } from './manifestTestSupport';

describe('manifest checker', () => {
  it('publishes source, code, severity, docs link and related information', () => {
    const [diagnostic] = checkText(fixture('every-kind.yaml'), DEFAULT_SETTINGS, 'file:///m.yaml');
    assert.equal(diagnostic.source, DIAGNOSTIC_SOURCE);
    assert.equal(diagnostic.code, 'ppe-host-pid-conflict');
    assert.equal(diagnostic.severity, RULES['ppe-host-pid-conflict'].severity);
    assert.equal(
      diagnostic.codeDescription?.href,
      'https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/',
    );
    assert.deepEqual(diagnostic.relatedInformation?.[0].location, {
      uri: 'file:///m.yaml',
      range: { start: { line: 8, character: 2 }, end: { line: 8, character: 9 } },
    });
  });

  it('honours disable comments with and without codes', () => {
    assert.deepEqual(
      diagnose(fixture('disabled.yaml')).map((d) => [d.code, d.line]),
      [['ppe-secret-env-literal', 18]],
    );
  });

  it('turns rules off by setting, and everything off with enable: false', () => {
    const text = fixture('pod-shared.yaml');
    const settings = parseSettings({ rules: { 'ppe-kill-pid1': false, 'not-a-rule': false } });
    assert.ok(codes(text).includes('ppe-kill-pid1'));
    assert.ok(!diagnose(text, settings).some((d) => d.code === 'ppe-kill-pid1'));
    assert.equal(diagnose(text, settings).length, codes(text).length - 1);
    assert.deepEqual(diagnose(text, parseSettings({ enable: false })), []);
  });

  it('falls back to defaults for malformed settings', () => {
    assert.deepEqual(parseSettings(null), DEFAULT_SETTINGS);
    assert.deepEqual(
      parseSettings({ maxFileSize: -1, enable: 'yes', rules: [] }),
      DEFAULT_SETTINGS,
    );
  });

  it('skips a file over the size limit with one information message, only for Kubernetes files', () => {
    const text = fixture('every-kind.yaml');
    const found = diagnose(text, { ...DEFAULT_SETTINGS, maxFileSize: 100 });
    assert.deepEqual(
      found.map((d) => [d.code, d.line]),
      [['ppe-file-too-large', 0]],
    );
    assert.deepEqual(diagnose('x'.repeat(200), { ...DEFAULT_SETTINGS, maxFileSize: 100 }), []);
  });

  it('has a severity and a docs link for every code', () => {
    for (const code of RULE_CODES) {
      assert.match(RULES[code].href, /^https:\/\/kubernetes\.io\/docs\//, code);
    }
  });

  it('re-checks only the documents an edit changed', () => {
    const checked: string[] = [];
    const checker = new ManifestChecker((text) => {
      checked.push(text);
      return checkDocument(text);
    });
    const text = fixture('every-kind.yaml');
    const first = checker.findings('file:///a.yaml', text, DEFAULT_SETTINGS.maxFileSize);
    assert.equal(checked.length, 10);
    checked.length = 0;
    const edited = text.replace('name: job-example', 'name: job-renamed\n  labels: {}');
    const second = checker.findings('file:///a.yaml', edited, DEFAULT_SETTINGS.maxFileSize);
    assert.equal(checked.length, 1);
    assert.match(checked[0], /job-renamed/);
    assert.equal(second.length, first.length);
    // Findings after the edited document move down by the line the edit added.
    const lastBefore = first[first.length - 1];
    const lastAfter = second[second.length - 1];
    assert.equal(
      lastAfter.offset - lastBefore.offset,
      '\n  labels: {}'.length + 'renamed'.length - 'example'.length,
    );
    assert.equal(
      checker.findings('file:///a.yaml', edited, DEFAULT_SETTINGS.maxFileSize).length,
      first.length,
    );
    assert.equal(checked.length, 1);
  });

  it('offers the quick fixes of a published diagnostic as code actions, plus a disable comment', () => {
    const text = fixture('every-kind.yaml');
    const document = TextDocument.create('file:///a.yaml', 'yaml', 1, text);
    const checker = new ManifestChecker();
    const placed = checker.findings(document.uri, text, DEFAULT_SETTINGS.maxFileSize);
    const diagnostics = toDiagnostics(
      document,
      checker.check(document.uri, text, DEFAULT_SETTINGS.maxFileSize),
      DEFAULT_SETTINGS,
    );
    const actions = quickFixes(document, placed, [diagnostics[3]]);
    assert.deepEqual(
      actions.map((action) => action.title),
      [
        'Remove hostPID',
        'Remove shareProcessNamespace',
        'Disable ppe-host-pid-conflict for this line',
      ],
    );
    assert.ok(actions.every((action) => action.kind === CodeActionKind.QuickFix));
    const edits = actions[0].edit?.changes?.[document.uri] ?? [];
    assert.deepEqual(edits, [
      {
        range: { start: { line: 55, character: 0 }, end: { line: 56, character: 0 } },
        newText: '',
      },
    ]);
    const disable = actions[2].edit?.changes?.[document.uri] ?? [];
    const disabled = TextDocument.applyEdits(document, disable);
    assert.ok(!diagnose(disabled).some((d) => d.line === 55));
  });

  it('offers nothing for a stale or foreign diagnostic', () => {
    const text = fixture('every-kind.yaml');
    const document = TextDocument.create('file:///a.yaml', 'yaml', 1, text);
    const checker = new ManifestChecker();
    const placed = checker.findings(document.uri, text, DEFAULT_SETTINGS.maxFileSize);
    const [diagnostic] = toDiagnostics(
      document,
      checker.check(document.uri, text, DEFAULT_SETTINGS.maxFileSize),
      DEFAULT_SETTINGS,
    );
    const moved = {
      ...diagnostic,
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } },
    };
    assert.deepEqual(quickFixes(document, placed, [moved, { ...diagnostic, source: 'yaml' }]), []);
  });

  it('answers a document the checks throw on, and still checks the others', () => {
    const errors: unknown[] = [];
    const checker = new ManifestChecker(
      (text) => {
        if (text.includes('name: job-example')) {
          throw new RangeError('Maximum call stack size exceeded');
        }
        return checkDocument(text);
      },
      (error) => errors.push(error),
    );
    const text = fixture('every-kind.yaml');
    const placed = checker.findings('file:///a.yaml', text, DEFAULT_SETTINGS.maxFileSize);
    const unreadable = placed.filter(({ finding }) => finding.code === 'ppe-yaml-syntax');
    assert.equal(unreadable.length, 1);
    assert.match(unreadable[0].finding.message, /could not read .*Maximum call stack size/);
    assert.match(
      text.slice(unreadable[0].offset + unreadable[0].finding.span.start),
      /^apiVersion: batch\/v1\n/,
    );
    assert.ok(placed.some(({ finding }) => finding.code === 'ppe-host-pid-conflict'));
    assert.equal(errors.length, 1);
  });

  it('answers nothing for a data document the checks throw on', () => {
    const checker = new ManifestChecker(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    assert.deepEqual(checker.findings('file:///data.yaml', 'items:\n  - kind: x\n', 100), []);
  });

  it('publishes a syntax error for the parser giving up on thousands of nested sequences', () => {
    const text = `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    ${'- '.repeat(3000)}x\n`;
    assert.deepEqual(codes(text), ['ppe-yaml-syntax']);
  });

  it('honours disable comments on a line with thousands of findings', () => {
    const script = 'kill -HUP 1; '.repeat(2_000);
    const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: reload\nspec:\n  shareProcessNamespace: true\n  containers:\n    - name: app\n      image: busybox\n      # pod-process-explorer-disable ppe-kill-pid1\n      command: ["sh", "-c", "${script}"]\n`;
    assert.ok(!codes(text).includes('ppe-kill-pid1'));
    const enabled = text.replace('# pod-process-explorer-disable ppe-kill-pid1', '# reload');
    assert.ok(codes(enabled).includes('ppe-kill-pid1'));
  });

  it('publishes the same diagnostics after an edit as a fresh check, for moved documents too', () => {
    const text = fixture('every-kind.yaml');
    const checker = new ManifestChecker();
    const uri = 'file:///moved.yaml';
    const first = TextDocument.create(uri, 'yaml', 1, text);
    toDiagnostics(first, checker.check(uri, text, 1e6), DEFAULT_SETTINGS);
    const edited = text.replace('name: pod-example', 'name: pod-example\n  labels:\n    a: b');
    const second = TextDocument.create(uri, 'yaml', 2, edited);
    assert.deepEqual(
      toDiagnostics(second, checker.check(uri, edited, 1e6), DEFAULT_SETTINGS),
      checkText(edited, DEFAULT_SETTINGS, uri),
    );
    const quiet = { ...DEFAULT_SETTINGS, rules: { 'ppe-host-pid-conflict': false } };
    assert.deepEqual(
      toDiagnostics(second, checker.check(uri, edited, 1e6), quiet),
      checkText(edited, quiet, uri),
    );
  });
});
