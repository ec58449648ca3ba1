import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { checkText } from '../../../src/manifest/server/diagnostics';
import { ManifestChecker } from '../../../src/manifest/server/manifestChecker';
import { DEFAULT_SETTINGS } from '../../../src/manifest/server/settings';
import { fixture } from './manifestTestSupport';

/** How many Errors of each code a text has. */
function errors(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const diagnostic of checkText(text)) {
    if (diagnostic.severity === DiagnosticSeverity.Error) {
      const code = String(diagnostic.code);
      counts.set(code, (counts.get(code) ?? 0) + 1);
    }
  }
  return counts;
}

const pod = (spec: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n${spec}  containers:\n    - name: app\n      image: nginx\n      stdin: true\n`;

/** Cases where a careless fix would enable both hostPID and shareProcessNamespace. */
const CONFLICT_TRAPS = [
  pod('  shareProcessNamespace: true\n  hostPID: "true"\n'),
  pod('  shareProcessNamespace: true\n  hostPID: 1\n'),
  pod('  shareProcessNamespace: "yes"\n  hostPID: true\n'),
  pod('  shareProcessNamespace: y\n  hostPID: "on"\n'),
  pod('  hostPID: true\n  share_process_namespace: true\n'),
  pod('  shareProcessNamespace: true\n  HostPid: true\n'),
  pod('  hostPID: true\n').replace('  name: p\n', '  name: p\n  shareProcessNamespace: true\n'),
];

describe('quick fixes', () => {
  const fixtures = readdirSync(path.resolve(__dirname, '../../fixtures/manifests'));
  const texts = [
    ...fixtures.map((name) => [name, fixture(name)]),
    ...CONFLICT_TRAPS.map((text, index) => [`trap ${index}`, text]),
  ];

  it('never create an Error: no fix of any fixture or trap adds one', () => {
    let applied = 0;
    for (const [name, text] of texts) {
      const before = errors(text);
      for (const { finding, offset } of new ManifestChecker().findings(
        name,
        text,
        DEFAULT_SETTINGS.maxFileSize,
      )) {
        for (const fix of finding.fixes) {
          const edits = [...fix.edits].sort((a, b) => b.span.start - a.span.start);
          let fixed = text;
          for (const edit of edits) {
            fixed =
              fixed.slice(0, offset + edit.span.start) +
              edit.newText +
              fixed.slice(offset + edit.span.end);
          }
          applied++;
          for (const [code, count] of errors(fixed)) {
            assert.ok(
              count <= (before.get(code) ?? 0),
              `${name}: "${fix.title}" for ${finding.code} adds ${code}`,
            );
          }
        }
      }
    }
    // The property is only worth something if fixes were tried.
    assert.ok(applied >= 30, `only ${applied} fixes applied`);
  });
});
