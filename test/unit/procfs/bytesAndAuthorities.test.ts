// The pod-root URI's authority, file names as bytes, and the argv of the remote script.
import assert from 'node:assert/strict';
import {
  PROCFS_SCHEME,
  bytesToName,
  nameToBytes,
  parseRootAuthority,
  rootAuthority,
  type ProcessRoot,
} from '../../../src/procfs/procfsUri';
import { newNonce, pathArgument, remoteCommand } from '../../../src/procfs/remoteScript';

const ROOT: ProcessRoot = {
  context: 'kind-sandbox',
  namespace: 'default',
  pod: 'web-0',
  container: 'nginx',
  pid: 8,
  inspector: 'shell',
};

/** The escape code point standing for one byte that is not part of valid UTF-8. */
const escaped = (byte: number) => String.fromCodePoint(0x10ff00 + byte);

describe('procfs authorities', () => {
  it('writes a Kubernetes name as itself and any other byte as ~XX, in lower case', () => {
    assert.equal(PROCFS_SCHEME, 'pod-root');
    assert.equal(rootAuthority(ROOT), 'kind-sandbox+default+web-0+nginx+8+shell');
    assert.equal(
      rootAuthority({ ...ROOT, context: 'Admin@Prod/eu+1_\t~é', pid: 31337 }),
      '~41dmin~40~50rod~2feu~2b1~5f~09~7e~c3~a9+default+web-0+nginx+31337+shell',
    );
  });

  it('reads each field back, escapes in either case', () => {
    assert.deepEqual(parseRootAuthority('kind-sandbox+default+web-0+nginx+8+shell'), ROOT);
    assert.deepEqual(parseRootAuthority('~41dmin~2B1~c3~A9+default+web-0+nginx+8+shell'), {
      ...ROOT,
      context: 'Admin+1é',
    });
    assert.deepEqual(parseRootAuthority('KIND-SANDBOX+DEFAULT+WEB-0+NGINX+8+SHELL'), ROOT);
  });

  it('round-trips any context, however odd', () => {
    for (const context of ['', 'ctx~41', '~', '~~7e', 'a+b+c', '日本', 'UPPER', '\0x', '%41']) {
      const root = { ...ROOT, context };
      assert.deepEqual(parseRootAuthority(rootAuthority(root)), root, context);
    }
  });

  it('refuses a missing field, a bad escape or PID, and empty names', () => {
    for (const authority of [
      'kind-sandbox+default+web-0+nginx+8',
      'kind-sandbox+default+web-0+nginx+8+shell+x',
      'kind_sandbox+default+web-0+nginx+8+shell',
      'kind-sandbox+default+web-0+nginx+8+sh~ll',
      'kind-sandbox+default+web-0+nginx+8+shell~4',
      'kind-sandbox+default+web-0+nginx+8+~g1',
      'kind-sandbox+default+web-0+nginx+0+shell',
      'kind-sandbox+default+web-0+nginx+08+shell',
      'kind-sandbox+default+web-0+nginx+-8+shell',
      'kind-sandbox+default+web-0+nginx+8a+shell',
      'kind-sandbox+default+web-0+nginx++shell',
      'kind-sandbox++web-0+nginx+8+shell',
      'kind-sandbox+default++nginx+8+shell',
      'kind-sandbox+default+web-0++8+shell',
      'kind-sandbox+default+web-0+nginx+8+',
      ' kind-sandbox+default+web-0+nginx+8+shell',
    ]) {
      assert.equal(parseRootAuthority(authority), undefined, authority);
    }
    assert.deepEqual(parseRootAuthority('+default+web-0+nginx+8+shell'), { ...ROOT, context: '' });
    assert.equal(parseRootAuthority('c+default+web-0+nginx+10+shell')?.pid, 10);
  });
});

describe('procfs file names as bytes', () => {
  const cases: [string, number[], string][] = [
    ['ASCII', [0x61, 0x2e, 0x74], 'a.t'],
    ['two-byte UTF-8', [0xc3, 0xa9], 'é'],
    ['the first and last two-byte leads', [0xc2, 0x80, 0xdf, 0xbf], '\u0080\u07ff'],
    ['three-byte UTF-8', [0xe6, 0x97, 0xa5], '日'],
    ['the first three-byte code point', [0xe0, 0xa0, 0x80], '\u0800'],
    ['the last one before the surrogates', [0xed, 0x9f, 0xbf], '\ud7ff'],
    ['the last three-byte lead', [0xef, 0xbf, 0xbd], '\ufffd'],
    ['four-byte UTF-8', [0xf0, 0x9f, 0x98, 0x80], '😀'],
    ['the first four-byte code point', [0xf0, 0x90, 0x80, 0x80], '\u{10000}'],
    ['the last code point before the escapes', [0xf4, 0x8f, 0xbd, 0xbf], '\u{10ff7f}'],
    ['Latin-1', [0x63, 0xe9], `c${escaped(0xe9)}`],
    ['a lone continuation byte', [0x80, 0x41], `${escaped(0x80)}A`],
    [
      'overlong two-byte forms',
      [0xc0, 0xaf, 0xc1, 0xbf],
      [0xc0, 0xaf, 0xc1, 0xbf].map(escaped).join(''),
    ],
    ['an overlong three-byte form', [0xe0, 0x9f, 0xbf], [0xe0, 0x9f, 0xbf].map(escaped).join('')],
    ['a surrogate', [0xed, 0xa0, 0x80], [0xed, 0xa0, 0x80].map(escaped).join('')],
    [
      'an overlong four-byte form',
      [0xf0, 0x8f, 0xbf, 0xbf],
      [0xf0, 0x8f, 0xbf, 0xbf].map(escaped).join(''),
    ],
    [
      'a code point above U+10FFFF',
      [0xf4, 0x90, 0x80, 0x80],
      [0xf4, 0x90, 0x80, 0x80].map(escaped).join(''),
    ],
    ['bytes that never start UTF-8', [0xf5, 0xff, 0xfe], [0xf5, 0xff, 0xfe].map(escaped).join('')],
    [
      'an old five-byte form',
      [0xf8, 0x88, 0x80, 0x80, 0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80].map(escaped).join(''),
    ],
    [
      'continuation bytes alone',
      [0x80, 0x80, 0x80, 0x80],
      [0x80, 0x80, 0x80, 0x80].map(escaped).join(''),
    ],
    ['a sequence cut by the end', [0x61, 0xe6, 0x97], `a${escaped(0xe6)}${escaped(0x97)}`],
    ['a sequence cut by ASCII', [0xe6, 0x41, 0x42], `${escaped(0xe6)}AB`],
    [
      'a four-byte sequence cut late',
      [0xf0, 0x9f, 0x98, 0x41],
      `${escaped(0xf0)}${escaped(0x9f)}${escaped(0x98)}A`,
    ],
    [
      'the escape code points themselves',
      [0xf4, 0x8f, 0xbe, 0x80],
      [0xf4, 0x8f, 0xbe, 0x80].map(escaped).join(''),
    ],
    [
      'the last escape code point',
      [0xf4, 0x8f, 0xbf, 0xbf],
      [0xf4, 0x8f, 0xbf, 0xbf].map(escaped).join(''),
    ],
    ['NUL and newline', [0x00, 0x0a], '\0\n'],
  ];

  for (const [what, bytes, name] of cases) {
    it(`reads ${what} as one name, and back`, () => {
      assert.equal(bytesToName(Buffer.from(bytes)), name);
      assert.deepEqual(nameToBytes(name), Buffer.from(bytes));
    });
  }

  it('writes a name without escapes as its UTF-8', () => {
    assert.deepEqual(nameToBytes('naïve 日本 😀'), Buffer.from('naïve 日本 😀', 'utf8'));
    assert.deepEqual(nameToBytes(''), Buffer.alloc(0));
  });
});

describe('procfs remote argv', () => {
  it('passes a path as itself when it is UTF-8, else as octal escapes of its bytes', () => {
    assert.equal(pathArgument('/srv/data/a b.txt'), 'r/srv/data/a b.txt');
    assert.equal(pathArgument('/日本'), 'r/日本');
    assert.equal(pathArgument(`/caf${escaped(0xe9)}`), 'o/caf\\351');
    assert.equal(
      pathArgument(`/A-Z_a.z/0 9\t%${escaped(0x80)}`),
      'o/A-Z_a.z/0\\0409\\011\\045\\200',
    );
    // A real escape code point in a name travels as its four bytes.
    const name = bytesToName(Buffer.from('\u{10ff80}'));
    assert.equal(pathArgument(`/${name}`), 'o/\\364\\217\\276\\200');
  });

  it('builds each operation’s argv after the script', () => {
    const argv = (operation: Parameters<typeof remoteCommand>[2]) => {
      const [sh, dashC, script, ...rest] = remoteCommand('/proc/7/root', 'ppe1', operation);
      assert.deepEqual([sh, dashC], ['sh', '-c']);
      assert.ok(script.length > 1000);
      return rest;
    };
    const head = ['sh', '/proc/7/root', 'ppe1'];
    assert.deepEqual(argv({ op: 'stat', path: '/a' }), [...head, 'stat', 'r/a']);
    assert.deepEqual(argv({ op: 'list', path: '/a' }), [...head, 'list', 'r/a']);
    assert.deepEqual(argv({ op: 'mkdir', path: '/a' }), [...head, 'mkdir', 'r/a']);
    assert.deepEqual(argv({ op: 'read', path: '/a', maxBytes: 10, maxStreamBytes: 5 }), [
      ...head,
      'read',
      'r/a',
      '10',
      '5',
    ]);
    assert.deepEqual(argv({ op: 'stage', path: '/a', overwrite: true, create: false, size: 12 }), [
      ...head,
      'stage',
      'r/a',
      '1',
      '0',
      '12',
    ]);
    assert.deepEqual(argv({ op: 'stage', path: '/a', overwrite: false, create: true, size: 0 }), [
      ...head,
      'stage',
      'r/a',
      '0',
      '1',
      '0',
    ]);
    for (const op of ['commit', 'discard', 'inplace'] as const) {
      assert.deepEqual(argv({ op, path: '/a', stagedAs: 'ppe2' }), [...head, op, 'r/a', 'ppe2']);
    }
    assert.deepEqual(argv({ op: 'delete', path: '/a', recursive: true }), [
      ...head,
      'delete',
      'r/a',
      '1',
    ]);
    assert.deepEqual(argv({ op: 'files', path: '/a', maxBytes: 99 }), [
      ...head,
      'files',
      'r/a',
      '99',
    ]);
    assert.deepEqual(
      argv({ op: 'grep', path: '/a', maxBytes: 99, text: '-e x', ignoreCase: false }),
      [...head, 'grep', 'r/a', '99', '-e x', '0'],
    );
    for (const op of ['rename', 'copy'] as const) {
      assert.deepEqual(argv({ op, path: '/a', target: `/b${escaped(0xff)}`, overwrite: false }), [
        ...head,
        op,
        'r/a',
        'o/b\\377',
        '0',
      ]);
    }
  });

  it('makes a fresh nonce each time, which no name can guess', () => {
    const nonces = new Set(Array.from({ length: 20 }, () => newNonce()));
    assert.equal(nonces.size, 20);
    for (const nonce of nonces) {
      assert.match(nonce, /^ppe[0-9a-f]{24}$/);
    }
  });
});
