import assert from 'node:assert/strict';
import type { Diagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { quickFixes } from '../../../src/manifest/server/codeActions';
import { toDiagnostics } from '../../../src/manifest/server/diagnostics';
import { ManifestChecker, checkDocument } from '../../../src/manifest/server/manifestChecker';
import { DEFAULT_SETTINGS } from '../../../src/manifest/server/settings';
import { diagnose } from './manifestTestSupport';

const sharedPod = (...lines: string[]) =>
  [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: p',
    'spec:',
    '  shareProcessNamespace: true',
    ...lines,
    '',
  ].join('\n');

/** SYS_PTRACE added in one securityContext that two more containers alias. */
const SHARED_SECURITY_CONTEXT = sharedPod(
  '  containers:',
  '    - name: app',
  '      image: registry.example/app:1',
  '      securityContext: &sc',
  '        capabilities:',
  '          add: [SYS_PTRACE]',
  '    - name: sidecar',
  '      image: registry.example/sidecar:1',
  '      securityContext: *sc',
  '    - name: debug',
  '      image: registry.example/debug-tools:1',
  '      securityContext: *sc',
);

/** A command two containers merge in from one map with `<<`. */
const MERGED_COMMAND = [
  'x-worker: &worker',
  '  image: registry.example/app:1',
  '  command: ["tini", "--", "sh", "-c", "kill -HUP 1; exec app"]',
  sharedPod(
    '  containers:',
    '    - <<: *worker',
    '      name: app',
    '    - <<: *worker',
    '      name: worker',
  ),
].join('\n');

/** Diagnostics, and code actions for those the client sends back: every one covering `at`. */
function actionsAt(text: string, at: string) {
  const document = TextDocument.create('file:///shared.yaml', 'yaml', 1, text);
  const checker = new ManifestChecker();
  const diagnostics = toDiagnostics(
    document,
    checker.check(document.uri, text, DEFAULT_SETTINGS.maxFileSize),
    DEFAULT_SETTINGS,
  );
  const offset = text.indexOf(at);
  const covering = diagnostics.filter(
    (diagnostic: Diagnostic) =>
      document.offsetAt(diagnostic.range.start) <= offset &&
      offset < document.offsetAt(diagnostic.range.end),
  );
  const placed = checker.findings(document.uri, text, DEFAULT_SETTINGS.maxFileSize);
  return { document, covering, actions: quickFixes(document, placed, covering) };
}

describe('findings at a place several containers share', () => {
  it('reports a securityContext anchor three containers alias once, at the anchor, naming all three', () => {
    const found = diagnose(SHARED_SECURITY_CONTEXT);
    assert.deepEqual(
      found.map((d) => [d.code, d.text, d.line]),
      [['ppe-ptrace-breaks-baseline', 'SYS_PTRACE', 11]],
    );
    assert.match(
      found[0].message,
      /^Adding SYS_PTRACE lets the containers app, sidecar, debug inspect every process/,
    );
  });

  it('reports what containers merge in with <<: *anchor once, naming every container', () => {
    const found = diagnose(MERGED_COMMAND);
    assert.deepEqual(
      found.map((d) => [d.code, d.text, d.line]),
      [
        ['ppe-kill-pid1', 'kill -HUP 1', 2],
        ['ppe-tini-without-subreaper', '"tini"', 2],
      ],
    );
    for (const { message } of found) {
      assert.match(
        message,
        / It applies to the containers app, worker, which share this part of the manifest through a YAML anchor, alias or merge key\.$/,
      );
    }
  });

  it('words a merged debug shell for every container, and keeps the fix each makes in its own map', () => {
    const text = [
      'x-shell: &shell',
      '  image: busybox',
      '  stdin: true',
      sharedPod(
        '  containers:',
        '    - <<: *shell',
        '      name: shell-a',
        '    - <<: *shell',
        '      name: shell-b',
      ),
    ].join('\n');
    const found = diagnose(text);
    assert.deepEqual(
      found.map((d) => [d.code, d.text, d.line]),
      [['ppe-debug-without-ptrace', 'stdin', 2]],
    );
    assert.match(found[0].message, /^The containers shell-a, shell-b look like debug shells/);
    const { actions } = actionsAt(text, 'stdin');
    assert.deepEqual(
      actions.map((action) => action.title),
      [
        'Add SYS_PTRACE to shell-a (Pod Security "baseline" forbids it)',
        'Add SYS_PTRACE to shell-b (Pod Security "baseline" forbids it)',
        'Disable ppe-debug-without-ptrace for this line',
      ],
    );
  });

  it('reports a whole container two pods alias once, with its one fix once', () => {
    const pod = (name: string, container: string[]) => [
      '  - apiVersion: v1',
      '    kind: Pod',
      `    metadata: {name: ${name}}`,
      '    spec:',
      '      shareProcessNamespace: true',
      '      containers:',
      ...container,
    ];
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      ...pod('one', [
        '        - &debug',
        '          name: debug',
        '          image: busybox',
        '          stdin: true',
      ]),
      ...pod('two', ['        - *debug']),
      '',
    ].join('\n');
    const found = diagnose(text);
    assert.deepEqual(
      found.map((d) => [d.code, d.text, d.line]),
      [['ppe-debug-without-ptrace', 'stdin', 12]],
    );
    assert.match(found[0].message, /^debug looks like a debug shell/);
    const { actions } = actionsAt(text, 'stdin');
    assert.deepEqual(
      actions.map((action) => action.title),
      [
        'Add SYS_PTRACE to debug (Pod Security "baseline" forbids it)',
        'Disable ppe-debug-without-ptrace for this line',
      ],
    );
  });

  it('keeps two rules at one place apart, each reported once', () => {
    const text = sharedPod(
      '  containers:',
      '    - name: app',
      '      image: registry.example/app:1',
      '      env:',
      '        - name: DB_PASSWORD',
      '          value: &password Zq9vLx2pRt',
      '      args: ["--password", *password]',
      '    - name: backup',
      '      image: registry.example/app:1',
      '      args: ["--password", *password]',
    );
    assert.deepEqual(
      diagnose(text).map((d) => [d.code, d.text]),
      [
        ['ppe-secret-env-literal', 'Zq9vLx2pRt'],
        ['ppe-secret-arg-literal', 'Zq9vLx2pRt'],
      ],
    );
  });

  it('offers the fix of the shared place once, and applying it edits the text once', () => {
    const { document, covering, actions } = actionsAt(MERGED_COMMAND, 'tini');
    assert.deepEqual(
      covering.map((diagnostic) => diagnostic.code),
      ['ppe-tini-without-subreaper'],
    );
    assert.deepEqual(
      actions.map((action) => action.title),
      ['Add -s (register tini as a subreaper)', 'Disable ppe-tini-without-subreaper for this line'],
    );
    const fixed = TextDocument.applyEdits(document, actions[0].edit?.changes?.[document.uri] ?? []);
    assert.ok(fixed.includes('command: ["tini", "-s", "--", "sh"'));
    assert.equal(fixed.split('"-s"').length, 2);
    assert.deepEqual(
      diagnose(fixed).map((d) => d.code),
      ['ppe-kill-pid1'],
    );
  });

  it('leaves plain data, which a check worker can send to the server', () => {
    const findings = checkDocument(SHARED_SECURITY_CONTEXT);
    assert.deepEqual(structuredClone(findings), findings);
  });

  it('is turned off at the shared place by one disable comment, offered once', () => {
    const { document, actions } = actionsAt(SHARED_SECURITY_CONTEXT, 'SYS_PTRACE');
    assert.deepEqual(
      actions.map((action) => action.title),
      ['Disable ppe-ptrace-breaks-baseline for this line'],
    );
    const disabled = TextDocument.applyEdits(
      document,
      actions[0].edit?.changes?.[document.uri] ?? [],
    );
    assert.ok(disabled.includes('# pod-process-explorer-disable ppe-ptrace-breaks-baseline\n'));
    assert.deepEqual(diagnose(disabled), []);
  });
});
