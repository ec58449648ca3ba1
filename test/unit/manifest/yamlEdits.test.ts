import assert from 'node:assert/strict';
import { isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import type { TextEditSpan } from '../../../src/manifest/server/manifestModel';
import {
  insertIntoMap,
  insertIntoSeq,
  lineEnd,
  lineStart,
  removePair,
  replacePair,
} from '../../../src/manifest/server/yamlEdits';
import { findPair } from '../../../src/manifest/server/yamlNodes';

/** The node at a path of keys and indexes. */
function at(text: string, ...path: (string | number)[]): unknown {
  let node: unknown = parseDocument(text).contents;
  for (const step of path) {
    if (typeof step === 'number' && isSeq(node)) {
      node = node.items[step];
    } else if (typeof step === 'string' && isMap(node)) {
      node = findPair(node, step)?.value;
    } else {
      throw new Error(`no ${String(step)}`);
    }
  }
  return node;
}

const mapAt = (text: string, ...path: (string | number)[]) => at(text, ...path) as YAMLMap;
const seqAt = (text: string, ...path: (string | number)[]) => at(text, ...path) as YAMLSeq;

function apply(text: string, edit: TextEditSpan | undefined): string {
  assert.ok(edit, 'an edit');
  return text.slice(0, edit.span.start) + edit.newText + text.slice(edit.span.end);
}

function remove(text: string, key: string, ...path: (string | number)[]): string {
  const map = mapAt(text, ...path);
  const pair = findPair(map, key);
  assert.ok(pair);
  return apply(text, removePair(text, map, pair));
}

describe('YAML edits that keep the layout', () => {
  describe('lineStart and lineEnd', () => {
    it('find the line around an offset, without its CR', () => {
      const text = 'a: 1\r\nb: 2\nc: 3';
      assert.equal(lineStart(text, 0), 0);
      assert.equal(lineStart(text, 7), 6);
      assert.equal(lineStart(text, 6), 6);
      assert.equal(lineEnd(text, 0), 4);
      assert.equal(lineEnd(text, 7), 10);
      assert.equal(lineEnd(text, 11), 15);
      assert.equal(lineEnd('', 0), 0);
      assert.equal(lineEnd('\n', 0), 0);
    });
  });

  describe('removePair', () => {
    it('removes a block pair with its line, a block value included', () => {
      assert.equal(remove('a: 1\nb: 2\nc: 3\n', 'b'), 'a: 1\nc: 3\n');
      assert.equal(remove('a: 1\nb: 2', 'b'), 'a: 1\n');
      assert.equal(remove('a: 1\nb:\n  x: 1\nc: 3\n', 'b'), 'a: 1\nc: 3\n');
      assert.equal(remove('a: 1\r\nb: 2\r\nc: 3\r\n', 'b'), 'a: 1\r\nc: 3\r\n');
    });

    it('lets the next pair of a sequence item take the place of its first', () => {
      const text = 'items:\n  - a: 1\n    b: 2\n';
      assert.equal(remove(text, 'a', 'items', 0), 'items:\n  - b: 2\n');
      assert.equal(remove('items:\n  - a: 1\n', 'a', 'items', 0), 'items:\n  - {}\n');
    });

    it('removes a flow pair with the comma after it, or else before it', () => {
      assert.equal(remove('{"a": 1, "b": 2, "c": 3}', 'a'), '{"b": 2, "c": 3}');
      assert.equal(remove('{"a": 1, "b": 2, "c": 3}', 'b'), '{"a": 1, "c": 3}');
      assert.equal(remove('{"a": 1, "b": 2, "c": 3}', 'c'), '{"a": 1, "b": 2}');
      assert.equal(remove('{\n  "a": 1,\n  "b": 2\n}', 'b'), '{\n  "a": 1\n}');
      assert.equal(remove('{\n  "a": 1 ,\n  "b": 2\n}', 'a'), '{\n  "b": 2\n}');
      assert.equal(remove('{"a": 1}', 'a'), '{}');
    });
  });

  describe('insertIntoMap', () => {
    const lines = ['capabilities:', '  add:', '    - SYS_PTRACE'];
    const flow = '"capabilities": {"add": ["SYS_PTRACE"]}';

    it('inserts block lines above the first key, at its indentation', () => {
      const text = 'securityContext:\n  runAsUser: 1\n';
      assert.equal(
        apply(text, insertIntoMap(text, mapAt(text, 'securityContext'), lines, flow)),
        'securityContext:\n  capabilities:\n    add:\n      - SYS_PTRACE\n  runAsUser: 1\n',
      );
      const crlf = text.replace(/\n/g, '\r\n');
      assert.equal(
        apply(crlf, insertIntoMap(crlf, mapAt(crlf, 'securityContext'), lines, flow)),
        'securityContext:\r\n  capabilities:\r\n    add:\r\n      - SYS_PTRACE\r\n  runAsUser: 1\r\n',
      );
    });

    it('inserts after the last pair of a map that starts a sequence item', () => {
      const text = 'containers:\n  - name: a\n    image: x\n';
      assert.equal(
        apply(text, insertIntoMap(text, mapAt(text, 'containers', 0), ['stdin: true'], '')),
        'containers:\n  - name: a\n    image: x\n    stdin: true\n',
      );
      const unterminated = 'containers:\n  - name: a\n    image: x';
      assert.equal(
        apply(
          unterminated,
          insertIntoMap(unterminated, mapAt(unterminated, 'containers', 0), ['stdin: true'], ''),
        ),
        'containers:\n  - name: a\n    image: x\n    stdin: true',
      );
      const blockValue = 'containers:\n  - name: a\n    env:\n      - name: X\nnext: 1\n';
      assert.equal(
        apply(
          blockValue,
          insertIntoMap(blockValue, mapAt(blockValue, 'containers', 0), ['stdin: true'], ''),
        ),
        'containers:\n  - name: a\n    env:\n      - name: X\n    stdin: true\nnext: 1\n',
      );
    });

    it('inserts a flow entry first, on its own line where the keys are', () => {
      const text = '{"a": 1, "b": 2}';
      assert.equal(
        apply(text, insertIntoMap(text, mapAt(text), lines, flow)),
        '{"capabilities": {"add": ["SYS_PTRACE"]}, "a": 1, "b": 2}',
      );
      const pretty = '{\n    "a": 1\n}';
      assert.equal(
        apply(pretty, insertIntoMap(pretty, mapAt(pretty), lines, flow)),
        '{\n    "capabilities": {"add": ["SYS_PTRACE"]},\n    "a": 1\n}',
      );
      const empty = 'securityContext: {}';
      assert.equal(
        apply(empty, insertIntoMap(empty, mapAt(empty, 'securityContext'), lines, flow)),
        'securityContext: {"capabilities": {"add": ["SYS_PTRACE"]}}',
      );
    });
  });

  describe('insertIntoSeq', () => {
    it('inserts a block item after the one asked, or after the last, at the dash', () => {
      const text = 'command:\n  - tini\n  - --\n  - app\n';
      assert.equal(
        apply(text, insertIntoSeq(text, seqAt(text, 'command'), '-s', '"-s"', 0)),
        'command:\n  - tini\n  - -s\n  - --\n  - app\n',
      );
      assert.equal(
        apply(text, insertIntoSeq(text, seqAt(text, 'command'), 'x', '"x"')),
        'command:\n  - tini\n  - --\n  - app\n  - x\n',
      );
      const unterminated = 'add:\n- A';
      assert.equal(
        apply(unterminated, insertIntoSeq(unterminated, seqAt(unterminated, 'add'), 'B', '"B"')),
        'add:\n- A\n- B',
      );
    });

    it('inserts after a block item that holds a block value', () => {
      const text = 'items:\n  - a: 1\n    b: 2\nnext: 1\n';
      assert.equal(
        apply(text, insertIntoSeq(text, seqAt(text, 'items'), 'c: 3', '')),
        'items:\n  - a: 1\n    b: 2\n  - c: 3\nnext: 1\n',
      );
    });

    it('inserts a flow item after the one asked, or into an empty sequence', () => {
      const text = 'command: ["tini", "--", "app"]';
      assert.equal(
        apply(text, insertIntoSeq(text, seqAt(text, 'command'), '-s', '"-s"', 0)),
        'command: ["tini", "-s", "--", "app"]',
      );
      const empty = 'add: []';
      assert.equal(
        apply(empty, insertIntoSeq(empty, seqAt(empty, 'add'), 'SYS_PTRACE', '"SYS_PTRACE"')),
        'add: ["SYS_PTRACE"]',
      );
    });
  });

  describe('replacePair', () => {
    it('replaces a block pair with lines at its indentation, keeping its line break', () => {
      const text = 'env:\n  - name: A\n    value: x\n  - name: B\n';
      const map = mapAt(text, 'env', 0);
      const pair = findPair(map, 'value');
      assert.ok(pair);
      assert.equal(
        apply(text, replacePair(text, map, pair, ['valueFrom:', '  secretKeyRef: {}'], '')),
        'env:\n  - name: A\n    valueFrom:\n      secretKeyRef: {}\n  - name: B\n',
      );
      const block = 'env:\n  - name: A\n    value: |\n      x\n  - name: B\n';
      const blockMap = mapAt(block, 'env', 0);
      const blockPair = findPair(blockMap, 'value');
      assert.ok(blockPair);
      assert.equal(
        apply(block, replacePair(block, blockMap, blockPair, ['valueFrom: {}'], '')),
        'env:\n  - name: A\n    valueFrom: {}\n  - name: B\n',
      );
    });

    it('replaces a flow pair with the flow entry', () => {
      const text = '{"name": "A", "value": "x"}';
      const map = mapAt(text);
      const pair = findPair(map, 'value');
      assert.ok(pair);
      assert.equal(
        apply(text, replacePair(text, map, pair, [], '"valueFrom": {}')),
        '{"name": "A", "valueFrom": {}}',
      );
    });
  });
});
