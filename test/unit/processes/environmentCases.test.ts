import assert from 'node:assert/strict';
import { parseEnviron } from '../../../src/processes/environment';

const environ = (...entries: string[]) =>
  Buffer.from(entries.map((entry) => `${entry}\0`).join(''));

describe('processes: environment entries that are not variables', () => {
  it('takes no name with a control character, a space or nothing before the =', () => {
    for (const odd of ['A\x1bB=1', 'A\tB=1', 'A B=1', '=1']) {
      assert.deepEqual(
        parseEnviron(environ('HOME=/root', odd)),
        {
          kind: 'variables',
          variables: [
            { name: 'HOME', value: '/root', secret: false },
            { name: '', value: odd, secret: true },
          ],
        },
        JSON.stringify(odd),
      );
      assert.equal(
        parseEnviron(environ(odd, 'HOME=/root')).kind,
        'overwritten',
        JSON.stringify(odd),
      );
    }
  });

  it('takes names Kubernetes allows beyond letters and digits', () => {
    assert.deepEqual(parseEnviron(environ('my.app-mode_1=on', 'É=1')), {
      kind: 'variables',
      variables: [
        { name: 'my.app-mode_1', value: 'on', secret: false },
        { name: 'É', value: '1', secret: false },
      ],
    });
  });

  it('reads a title written over the environment as its words, padding left out', () => {
    const title = Buffer.concat([
      Buffer.from('postgres: checkpointer'),
      Buffer.alloc(3),
      Buffer.from('tail'),
      Buffer.alloc(40),
    ]);
    assert.deepEqual(parseEnviron(title), {
      kind: 'overwritten',
      text: 'postgres: checkpointer tail',
    });
  });

  it('reads a slice of a larger buffer, as the details parser hands it over', () => {
    const whole = Buffer.from('xxxxA=1\0B=2\0yyyy');
    assert.deepEqual(parseEnviron(whole.subarray(4, 12)), {
      kind: 'variables',
      variables: [
        { name: 'A', value: '1', secret: false },
        { name: 'B', value: '2', secret: false },
      ],
    });
  });
});
