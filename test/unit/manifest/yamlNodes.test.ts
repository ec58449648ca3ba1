import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Scalar, isMap, parseDocument, stringify, type YAMLMap } from 'yaml';
import { resolveAsKubectl } from '../../../src/manifest/server/kubectlYaml';
import {
  allPairs,
  findPair,
  isOwnPair,
  isYaml12Boolean,
  kubernetesTrue,
  mapValue,
  nodeSpan,
  pairSpan,
  plainSource,
  scalarOffsets,
  seqValue,
  stringValue,
  yaml11Boolean,
  yaml11OnlyBoolean,
} from '../../../src/manifest/server/yamlNodes';

const STYLES = [
  Scalar.PLAIN,
  Scalar.QUOTE_SINGLE,
  Scalar.QUOTE_DOUBLE,
  Scalar.BLOCK_LITERAL,
  Scalar.BLOCK_FOLDED,
] as const;

describe('scalarOffsets', () => {
  it('maps every character of a value to where it is written, in every scalar style', () => {
    const text = fc.array(
      fc.constantFrom('a', 'b', ' ', "'", '"', '\\', ';', '\n', '\t', 'é', '😀', '#', ':'),
      {
        minLength: 1,
        maxLength: 60,
      },
    );
    fc.assert(
      fc.property(
        text,
        fc.constantFrom(...STYLES),
        fc.integer({ min: 10, max: 40 }),
        (chars, type, lineWidth) => {
          const value = chars.join('');
          const source = stringify(
            { key: value },
            { defaultStringType: type, lineWidth, minContentWidth: 0 },
          );
          const document = parseDocument(source);
          const root = document.contents;
          assert.ok(isMap(root));
          const node = root.items[0].value;
          assert.ok(node instanceof Scalar);
          // Some values do not survive a style (spaces alone in a block scalar): not this test's matter.
          fc.pre(node.value === value);
          const offsetOf = scalarOffsets(source, node);
          for (let index = 0; index < value.length; index++) {
            const written = source[offsetOf(index)];
            // Escapes and folded line breaks stand where they start; every other character is itself.
            if (!/\s/.test(value[index])) {
              assert.ok(
                written === value[index] || (node.type === 'QUOTE_DOUBLE' && written === '\\'),
                `${JSON.stringify(source)} [${index}] ${JSON.stringify(value[index])} at ${JSON.stringify(written)}`,
              );
            }
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/** The root map of a YAML text. */
function rootOf(text: string): YAMLMap {
  const root = parseDocument(text).contents;
  assert.ok(isMap(root));
  return root;
}

function scalarOf(text: string, key: string): Scalar {
  const value = findPair(rootOf(text), key)?.value;
  assert.ok(value instanceof Scalar);
  return value;
}

describe('scalarOffsets, value by value', () => {
  /** Where each character that is not white space is written, and where the value ends. */
  const offsets = (text: string) => {
    const node = scalarOf(text, 'k');
    const offsetOf = scalarOffsets(text, node);
    const value = String(node.value);
    const placed: [string, number][] = [];
    for (let index = 0; index < value.length; index++) {
      if (!/\s/.test(value[index])) {
        placed.push([value[index], offsetOf(index)]);
      }
    }
    placed.push(['end', offsetOf(value.length)]);
    return placed;
  };

  it('maps a plain or quoted value written as it is, and clamps past its end', () => {
    assert.deepEqual(offsets('k: abc'), [
      ['a', 3],
      ['b', 4],
      ['c', 5],
      ['end', 6],
    ]);
    assert.deepEqual(offsets('k: "abc"'), [
      ['a', 4],
      ['b', 5],
      ['c', 6],
      ['end', 7],
    ]);
    assert.deepEqual(offsets("k: 'ab'"), [
      ['a', 4],
      ['b', 5],
      ['end', 6],
    ]);
    const text = 'k: "a\\tb"';
    const offsetOf = scalarOffsets(text, scalarOf(text, 'k'));
    assert.equal(offsetOf(10), 8);
    assert.equal(scalarOffsets('k: abc', scalarOf('k: abc', 'k'))(10), 6);
  });

  it('maps the escapes of a double-quoted value to where they start', () => {
    assert.deepEqual(offsets('k: "a\\tb"'), [
      ['a', 4],
      ['b', 7],
      ['end', 8],
    ]);
    assert.deepEqual(offsets('k: "\\x41\\u0042\\U00000043d"'), [
      ['A', 4],
      ['B', 8],
      ['C', 14],
      ['d', 24],
      ['end', 25],
    ]);
    assert.deepEqual(offsets('k: "\\\\\\"x"'), [
      ['\\', 4],
      ['"', 6],
      ['x', 8],
      ['end', 9],
    ]);
    // Outside the BMP: two UTF-16 units, both at the escape.
    const emoji = 'k: "\\U0001F600x"';
    const offsetOf = scalarOffsets(emoji, scalarOf(emoji, 'k'));
    assert.deepEqual([offsetOf(0), offsetOf(1), offsetOf(2), offsetOf(3)], [4, 4, 14, 15]);
  });

  it('joins the lines of an escaped line break, whatever the break and the indentation', () => {
    assert.deepEqual(offsets('k: "a\\\n   b"'), [
      ['a', 4],
      ['b', 10],
      ['end', 11],
    ]);
    assert.deepEqual(offsets('k: "a\\\r\n b"'), [
      ['a', 4],
      ['b', 9],
      ['end', 10],
    ]);
  });

  it('maps a doubled single quote to its first quote', () => {
    assert.deepEqual(offsets("k: 'it''s'"), [
      ['i', 4],
      ['t', 5],
      ["'", 6],
      ['s', 8],
      ['end', 9],
    ]);
  });

  it('maps block scalars past their header and indentation', () => {
    assert.deepEqual(offsets('k: |\n  ab\n  c\n'), [
      ['a', 7],
      ['b', 8],
      ['c', 12],
      ['end', 14],
    ]);
    assert.deepEqual(offsets('k: >-\n  ab\n  c\n'), [
      ['a', 8],
      ['b', 9],
      ['c', 13],
      ['end', 14],
    ]);
    assert.deepEqual(offsets('k: |-\n  a\n\n  b'), [
      ['a', 8],
      ['b', 13],
      ['end', 14],
    ]);
  });

  it('maps folded plain and quoted lines', () => {
    assert.deepEqual(offsets('k: a\n  b'), [
      ['a', 3],
      ['b', 7],
      ['end', 8],
    ]);
    assert.deepEqual(offsets('k: "a\n\n  b"'), [
      ['a', 4],
      ['b', 9],
      ['end', 10],
    ]);
  });

  it('maps an empty value to its start', () => {
    assert.deepEqual(offsets('k: ""'), [['end', 4]]);
    assert.deepEqual(offsets('k: |\n'), [['end', 5]]);
  });
});

describe('YAML nodes as kubectl reads them', () => {
  it('reads true as Kubernetes does: YAML 1.1 words, plain and untagged only', () => {
    const isTrue = (value: string) => {
      const text = `k: ${value}`;
      return kubernetesTrue(text, findPair(rootOf(text), 'k')?.value);
    };
    for (const value of ['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'y', 'Y', 'on', 'On', 'ON']) {
      assert.equal(isTrue(value), true, value);
    }
    for (const value of [
      'false',
      'no',
      'off',
      '"yes"',
      "'on'",
      '!!str yes',
      'tRue',
      'yess',
      '1',
      '',
    ]) {
      assert.equal(isTrue(value), false, value);
    }
    assert.equal(kubernetesTrue('', undefined), false);
    assert.equal(kubernetesTrue('', new Scalar(true)), false, 'a node not from the text');
  });

  it('tells YAML 1.2 booleans from YAML 1.1-only words', () => {
    assert.equal(isYaml12Boolean('False'), true);
    assert.equal(isYaml12Boolean('no'), false);
    assert.equal(yaml11OnlyBoolean('true'), undefined);
    assert.equal(yaml11OnlyBoolean('FALSE'), undefined);
    assert.equal(yaml11OnlyBoolean('Y'), true);
    assert.equal(yaml11OnlyBoolean('OFF'), false);
    assert.equal(yaml11OnlyBoolean('n'), false);
    assert.equal(yaml11OnlyBoolean('nope'), undefined);
    assert.equal(yaml11Boolean('true'), true);
    assert.equal(yaml11Boolean('No'), false);
    assert.equal(yaml11Boolean('maybe'), undefined);
  });

  it('gives the plain source of untagged plain scalars only', () => {
    const text = 'a: yes\nb: "yes"\nc: !!str yes\nd: |\n  yes\n';
    assert.equal(plainSource(text, scalarOf(text, 'a')), 'yes');
    assert.equal(plainSource(text, scalarOf(text, 'b')), undefined);
    assert.equal(plainSource(text, scalarOf(text, 'c')), undefined);
    assert.equal(plainSource(text, scalarOf(text, 'd')), undefined);
  });

  it('finds own pairs before merged ones, and tells which are written in the map', () => {
    const text = 'base: &b {x: merged, y: merged}\nm:\n  <<: *b\n  x: own\n';
    const document = parseDocument(text);
    resolveAsKubectl(document, text, false);
    const root = document.contents;
    assert.ok(isMap(root));
    const map = findPair(root, 'm')?.value;
    assert.ok(isMap(map));
    assert.equal(stringValue(map, 'x'), 'own');
    assert.equal(stringValue(map, 'y'), 'merged');
    assert.equal(isOwnPair(map, findPair(map, 'x')), true);
    assert.equal(isOwnPair(map, findPair(map, 'y')), false);
    assert.equal(isOwnPair(map, undefined), false);
    assert.deepEqual(
      allPairs(map).map((pair) => String(pair.key)),
      ['<<', 'x', 'y'],
    );
    assert.equal(findPair(undefined, 'x'), undefined);
    assert.equal(findPair(map, 'z'), undefined);
    assert.equal(mapValue(map, 'x'), undefined);
    assert.equal(seqValue(map, 'x'), undefined);
    assert.equal(stringValue(root, 'm'), undefined);
  });

  it('spans a pair from its key to the end of its value, or of its key', () => {
    const text = 'a: 1\nb:\nc: [x, y]  # note\n';
    const root = rootOf(text);
    const span = (key: string) => {
      const pair = findPair(root, key);
      assert.ok(pair);
      const found = pairSpan(pair);
      return found && text.slice(found.start, found.end);
    };
    assert.equal(span('a'), 'a: 1');
    assert.equal(span('b'), 'b:');
    assert.equal(span('c'), 'c: [x, y]');
    const key = findPair(root, 'c')?.key;
    assert.ok(key instanceof Scalar);
    assert.deepEqual(nodeSpan(key), { start: 8, end: 9 });
    assert.deepEqual(nodeSpan(new Scalar('x')), { start: 0, end: 0 });
  });
});
