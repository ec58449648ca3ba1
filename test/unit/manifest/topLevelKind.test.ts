import assert from 'node:assert/strict';
import { contentStart, hasTopLevelKind } from '../../../src/manifest/server/topLevelKind';
import { fixture } from './manifestTestSupport';

describe('top-level kind, from the text', () => {
  it('finds kind in block mappings, after comments, directives and the document marker', () => {
    assert.ok(hasTopLevelKind('apiVersion: v1\nkind: Pod\n'));
    assert.ok(hasTopLevelKind('# a pod\n%YAML 1.1\n---\napiVersion: v1\n"kind": Pod\n'));
    assert.ok(hasTopLevelKind("--- # first\n'kind' : Pod\n"));
    assert.ok(hasTopLevelKind('  apiVersion: v1\n  kind: Pod\n'), 'an indented mapping');
  });

  it('finds kind in JSON and YAML flow mappings at their own level only', () => {
    assert.ok(hasTopLevelKind(fixture('deployment.json')));
    assert.ok(hasTopLevelKind('{"apiVersion": "v1", "kind": "Pod"}'));
    assert.ok(hasTopLevelKind('--- {apiVersion: v1, kind: Pod}'));
    assert.ok(hasTopLevelKind("{'a': 'it''s', kind: Pod}"));
    assert.ok(!hasTopLevelKind('{"items": [{"kind": "Pod"}], "meta": {"kind": "x"}}'));
    assert.ok(!hasTopLevelKind('{"a": "\\"kind\\": \\"Pod\\"", "kind-of": 1, "b": {}}'));
    assert.ok(!hasTopLevelKind('{"packages": {"node_modules/kind-of": {"version": "6.0.3"}}}'));
  });

  it('tells data files apart: nested kind keys, sequences, comments, empty documents', () => {
    assert.ok(!hasTopLevelKind('records:\n  - id: 1\n    kind: reading\n'));
    assert.ok(!hasTopLevelKind('- kind: Pod\n'));
    assert.ok(!hasTopLevelKind('[{"kind": "Pod"}]'));
    assert.ok(!hasTopLevelKind('# kind: Pod\n---\n'));
    assert.ok(!hasTopLevelKind(''));
    assert.ok(!hasTopLevelKind('data: |\n  kind: Pod\n'));
  });

  it('says yes to what it cannot tell: the parser reports it', () => {
    assert.ok(hasTopLevelKind('{"kind": "Pod"'));
    assert.ok(hasTopLevelKind('{"apiVersion": "v1", "spec": {'));
  });
});

describe('top-level kind: where content starts and how strings end', () => {
  it('starts past blank lines, CRs, tabs, comments, directives and the marker', () => {
    assert.equal(contentStart('kind: Pod'), 0);
    assert.equal(contentStart('\n\n  kind: Pod'), 4);
    assert.equal(contentStart('\r\n\t kind: Pod'), 4);
    assert.equal(contentStart('# c\n%YAML 1.2\n--- \nkind: Pod'), 19);
    assert.equal(contentStart('---\tkind: Pod'), 4);
    assert.equal(contentStart('--- # c\nkind: Pod'), 8);
    assert.equal(contentStart('---'), undefined);
    assert.equal(contentStart('----\n'), 0, 'four dashes are content');
    assert.equal(contentStart('---x'), 0);
    assert.equal(contentStart('%TAG ! tag:x,2000:\n'), undefined);
    assert.equal(contentStart('  # only a comment\n\t\n'), undefined);
    assert.equal(contentStart(''), undefined);
  });

  it('reads block and indented mappings by the indentation of their first key', () => {
    assert.ok(hasTopLevelKind('apiVersion: v1\nkind : Pod\n'));
    assert.ok(hasTopLevelKind('apiVersion: v1\nkind\t: Pod\n'));
    assert.ok(!hasTopLevelKind('apiVersion: v1\n  kind: Pod\n'), 'kind nested under apiVersion');
    assert.ok(!hasTopLevelKind('apiVersion: v1\nkinds: Pod\n'));
    assert.ok(!hasTopLevelKind('apiVersion: v1\nkind Pod\n'));
    assert.ok(hasTopLevelKind('\n  apiVersion: v1\n  kind: Pod\n'));
    assert.ok(hasTopLevelKind('---\n  kind: Pod\n'));
    assert.ok(!hasTopLevelKind('  apiVersion: v1\n  kinds: Pod\n'));
  });

  it('reads JSON strings with escaped quotes and backslashes to their real end', () => {
    assert.ok(
      hasTopLevelKind('{"a": "x\\\\", "kind": "Pod"}'),
      'an escaped backslash ends a string',
    );
    assert.ok(!hasTopLevelKind('{"a": "x\\", kind: Pod"}'), 'an escaped quote does not');
    assert.ok(hasTopLevelKind('{"a": "x\\\\\\"", "kind": "Pod"}'));
    assert.ok(hasTopLevelKind("{'a': 'x''', 'kind': Pod}"));
    assert.ok(!hasTopLevelKind("{'a': 'x'', kind: Pod'}"));
    assert.ok(hasTopLevelKind('{"a": "unterminated'), 'an unterminated string: the parser says');
  });

  it('takes kind as a key only at the first level, in key position, followed by a colon', () => {
    assert.ok(hasTopLevelKind('{\n  "apiVersion": "v1",\n  "kind": "Pod"\n}'));
    assert.ok(hasTopLevelKind('{"kind"  : "Pod"}'));
    assert.ok(hasTopLevelKind('{\t"kind":"Pod"}'));
    assert.ok(!hasTopLevelKind('{"kind" "Pod"}'));
    assert.ok(!hasTopLevelKind('{"kinds": "Pod"}'));
    assert.ok(!hasTopLevelKind('{"a": "kind", "b": 1}'), 'a value, not a key');
    assert.ok(!hasTopLevelKind('{a: kind: x}'));
    assert.ok(!hasTopLevelKind('{"a": [1, "kind", {"kind": 1}], "b": 2}'));
    assert.ok(hasTopLevelKind('{"a": [1, 2], "kind": "Pod"}'));
    assert.ok(hasTopLevelKind('{"a": {"b": 1}, kind: Pod}'));
    assert.ok(hasTopLevelKind('{a: 1, kind:Pod}'));
    assert.ok(!hasTopLevelKind('{a: 1, kindly: Pod}'));
    assert.ok(!hasTopLevelKind('{}\nkind: Pod'), 'the mapping ends before');
  });

  it('reads flow sequences and keys that contain kind as no top-level kind key', () => {
    assert.ok(!hasTopLevelKind('[\nkind: Pod]'));
    assert.ok(!hasTopLevelKind('{xkind: 1}'));
    assert.ok(!hasTopLevelKind('{a#kind: 1}'));
    assert.ok(hasTopLevelKind('{kind : Pod}'));
    assert.ok(hasTopLevelKind('{a: 1, #note\n kind: Pod}'));
    assert.ok(!hasTopLevelKind('{"a": "x\\\\", "kinds": "Pod", "b": 1}'));
    assert.ok(hasTopLevelKind('{"a": "x\\\\", "kind": 1, "b": 1}'));
  });

  it('skips YAML comments in flow mappings, but not a # inside a word', () => {
    assert.ok(!hasTopLevelKind('{a: 1, # kind: Pod\n b: 2}'));
    assert.ok(hasTopLevelKind('{a: 1, # note\n kind: Pod}'));
    // Read as a comment, the # would hide the closing brace: unbalanced, so yes.
    assert.ok(!hasTopLevelKind('{a: x#y, b: 1}'));
    assert.ok(hasTopLevelKind('{a: 1 # no closing line'));
  });
});
