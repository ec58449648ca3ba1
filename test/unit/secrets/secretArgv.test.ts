import assert from 'node:assert/strict';
import { MASK, maskArgv } from '../../../src/secrets/secretPatterns';

describe('secrets: masking a command line', () => {
  it('masks the value of a secret flag given in the next item', () => {
    assert.deepEqual(maskArgv(['app', '--password', 'hunter2', '--port', '8080']), [
      'app',
      '--password',
      MASK,
      '--port',
      '8080',
    ]);
    assert.deepEqual(maskArgv(['redis-server', '-requirepass', 'Rk9pLx2q']), [
      'redis-server',
      '-requirepass',
      MASK,
    ]);
    assert.deepEqual(maskArgv(['app', '--db.password', 'x1y2z3']), ['app', '--db.password', MASK]);
  });

  it('masks the value of a secret flag or assignment in the same item', () => {
    assert.deepEqual(
      maskArgv([
        'app',
        '--token=abc123',
        '-Dssl.keyStorePassword=KsPw-5521',
        'DB_PASSWORD=hunter2',
        'db.password=hunter2',
        '_SECRET=hunter2',
        '--session-cookie=c00k1e',
        '-Dredis.auth=hunter2',
        'DB_PASS=hunter2',
        'REDIS_AUTH=x',
      ]),
      [
        'app',
        `--token=${MASK}`,
        `-Dssl.keyStorePassword=${MASK}`,
        `DB_PASSWORD=${MASK}`,
        `db.password=${MASK}`,
        `_SECRET=${MASK}`,
        `--session-cookie=${MASK}`,
        `-Dredis.auth=${MASK}`,
        `DB_PASS=${MASK}`,
        `REDIS_AUTH=${MASK}`,
      ],
    );
  });

  it('masks a whole value that holds newlines or an = of its own', () => {
    assert.deepEqual(maskArgv(['app', '--password=line1\nline2']), ['app', `--password=${MASK}`]);
    assert.deepEqual(maskArgv(['app', '--token=a=b']), ['app', `--token=${MASK}`]);
  });

  it('leaves switches, empty values and flags that follow a secret flag', () => {
    for (const argv of [
      ['app', '--auth', 'none', '--listen', ':80'],
      ['app', '--password=', '--auth=none', 'DB_PASS=off', '--cookie=disabled', 'DB_PASSWORD=  '],
      ['app', '--token', '--verbose'],
      ['app', '--password', '-'],
      ['app', '--token', ' '],
      ['app', '--auth', 'none '],
      ['app', '--password=', 'positional'],
      ['app', '--password', ''],
    ]) {
      assert.deepEqual(maskArgv(argv), argv);
    }
  });

  it('masks only after a flag, not after a bare word that names a secret', () => {
    for (const argv of [
      ['echo', 'PASSWORD', 'hello'],
      ['app', 'x--auth', 'hunter2'],
      ['vault', 'read', 'secret', 'kv/app'],
      ['app', '--password-file', '/run/pw', 'next'],
    ]) {
      assert.deepEqual(maskArgv(argv), argv);
    }
    // The program itself is never a flag's value.
    assert.deepEqual(maskArgv(['--password', '--password', 'x1y2z3']), [
      '--password',
      '--password',
      MASK,
    ]);
  });

  it('is not fooled by names that only look like assignments or flags', () => {
    for (const argv of [
      ['app', '1DB_PASS=hunter2'],
      ['app', 'MY-AUTH=hunter2'],
      ['app', 'x--auth=hunter2'],
      ['app', '+auth=hunter2'],
    ]) {
      assert.deepEqual(maskArgv(argv), argv);
    }
  });

  it('masks secret-shaped values wherever they are', () => {
    assert.deepEqual(
      maskArgv(['curl', 'https://u:pw1@h/x', '-H', 'Authorization: Bearer abcdef12']),
      ['curl', `https://u:${MASK}@h/x`, '-H', `Authorization: Bearer ${MASK}`],
    );
  });
});

describe('secrets: masking inside a script', () => {
  it('masks flag values and assignments word by word, keeping quotes and spacing', () => {
    assert.deepEqual(
      maskArgv([
        'sh',
        '-c',
        'export  DB_PASSWORD=pw-1;\texec app --token \'tok-2\'; app2 --password "pw-3";',
      ]),
      [
        'sh',
        '-c',
        `export  DB_PASSWORD=${MASK};\texec app --token '${MASK}'; app2 --password "${MASK}";`,
      ],
    );
  });

  it('masks a quoted flag and its quoted value', () => {
    assert.deepEqual(maskArgv(['sh', '-c', `exec app "--password" "pw-4"`]), [
      'sh',
      '-c',
      `exec app "--password" "${MASK}"`,
    ]);
    assert.deepEqual(maskArgv(['sh', '-c', `exec app '--token=tok-5'`]), [
      'sh',
      '-c',
      `exec app '--token=${MASK}'`,
    ]);
  });

  it('leaves references, switches and flags after a secret flag', () => {
    for (const script of [
      'exec app --password $DB_PASSWORD --x 1',
      'exec app --password "$DB_PASSWORD" --x 1',
      'exec app --token "${TOKEN}"',
      'exec app --auth none --password --verbose',
      'exec app --auth "" --port 80',
    ]) {
      assert.deepEqual(maskArgv(['sh', '-c', script]), ['sh', '-c', script], script);
    }
  });

  it('masks the word after a secret flag at the end of a line and a multi-line script', () => {
    assert.deepEqual(maskArgv(['sh', '-c', 'set -e\nredis-server --requirepass\nRk9pLx2q\nwait']), [
      'sh',
      '-c',
      `set -e\nredis-server --requirepass\n${MASK}\nwait`,
    ]);
  });

  it('masks secret-shaped values in a string of options', () => {
    assert.deepEqual(maskArgv(['java', '-Xmx1g -Ddb.url=postgres://app:pw9@db/app -jar app.jar']), [
      'java',
      `-Xmx1g -Ddb.url=postgres://app:${MASK}@db/app -jar app.jar`,
    ]);
  });
});
