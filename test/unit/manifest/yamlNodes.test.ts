import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Scalar, isMap, parseDocument, stringify } from 'yaml';
import { scalarOffsets } from '../../../src/manifest/server/yamlNodes';

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
