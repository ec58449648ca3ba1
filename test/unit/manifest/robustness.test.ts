import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { checkText } from '../../../src/manifest/server/diagnostics';
import { hoverAt } from '../../../src/manifest/server/hover';
import { fixture } from './manifestTestSupport';

function assertInside(
  text: string,
  range: { start: { line: number; character: number }; end: { line: number; character: number } },
) {
  const lines = text.split(/\r?\n|\r/);
  for (const position of [range.start, range.end]) {
    assert.ok(position.line >= 0 && position.line < lines.length, `line ${position.line}`);
    assert.ok(position.character >= 0 && position.character <= lines[position.line].length);
  }
  assert.ok(
    range.start.line < range.end.line ||
      (range.start.line === range.end.line && range.start.character <= range.end.character),
  );
}

function checkAll(text: string): void {
  for (const diagnostic of checkText(text)) {
    assertInside(text, diagnostic.range);
    for (const related of diagnostic.relatedInformation ?? []) {
      assertInside(text, related.location.range);
    }
  }
  hoverAt(text, Math.floor(text.length / 2));
}

const FIXTURES = [
  'pod-shared.yaml',
  'pid-one.yaml',
  'secrets.yaml',
  'fields.yaml',
  'debug.yaml',
  'deployment.json',
  'broken.yaml',
];

/** Pieces of manifests, so random texts reach the rules and not only the parser's error paths. */
const FRAGMENTS = [
  'apiVersion: v1\n',
  'kind: Pod\n',
  'spec:\n',
  '  shareProcessNamespace: true\n',
  '  hostPID: yes\n',
  '  containers:\n',
  '    - name: a\n',
  '      command: ["kill", "-HUP", "1"]\n',
  '      stdin: true\n',
  '      env:\n',
  '        - name: DB_PASSWORD\n',
  '          value: "x{{y"\n',
  '---\n',
  '...\n',
  '%YAML 1.2\n',
  '  - ',
  ': ',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  ',',
  '#',
  '|\n',
  '>-\n',
  '&a ',
  '*a',
  '!!str ',
  '\t',
  '\r\n',
  ' ',
];

describe('robustness (property tests)', () => {
  it('never throws and never yields a range outside the document, on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), checkAll), {
      numRuns: 300,
    });
  });

  it('holds on texts assembled from manifest fragments', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }), (parts) =>
        checkAll(parts.join('')),
      ),
      { numRuns: 500 },
    );
  });

  it('holds on fixtures cut or spliced at random places', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.nat(),
        fc.nat(),
        fc.string({ maxLength: 8 }),
        (name, a, b, insert) => {
          const text = fixture(name);
          const start = a % (text.length + 1);
          const end = start + (b % 40);
          checkAll(text.slice(0, start) + insert + text.slice(end));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('holds on random YAML values serialized as documents', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 4 }), (values) => {
        const text = values
          .map((value) => stringify({ apiVersion: 'v1', kind: 'Pod', spec: value }))
          .join('---\n');
        checkAll(text);
      }),
      { numRuns: 300 },
    );
  });
});
