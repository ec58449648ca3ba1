import assert from 'node:assert/strict';
import { hasTopLevelKind } from '../../../src/manifest/server/topLevelKind';
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
