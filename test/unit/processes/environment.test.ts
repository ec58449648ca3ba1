import assert from 'node:assert/strict';
import { MASK, looksSecret, parseEnviron } from '../../../src/processes/environment';

const environ = (...entries: string[]) =>
  Buffer.from(entries.map((entry) => `${entry}\0`).join(''));

describe('processes: environment', () => {
  it('parses NUL-separated KEY=VALUE pairs, values with =, newlines and spaces intact', () => {
    assert.deepEqual(
      parseEnviron(environ('PATH=/usr/bin:/bin', 'OPTS=-Xmx=1g a=b', 'MULTI=a\nb', 'EMPTY=')),
      {
        kind: 'variables',
        variables: [
          { name: 'PATH', value: '/usr/bin:/bin', secret: false },
          { name: 'OPTS', value: '-Xmx=1g a=b', secret: false },
          { name: 'MULTI', value: 'a\nb', secret: false },
          { name: 'EMPTY', value: '', secret: false },
        ],
      },
    );
    assert.deepEqual(parseEnviron(Buffer.alloc(0)), { kind: 'empty' });
    // The last variable without its NUL (a process that wrote its own environ).
    assert.deepEqual(parseEnviron(Buffer.from('A=1\0B=2')), {
      kind: 'variables',
      variables: [
        { name: 'A', value: '1', secret: false },
        { name: 'B', value: '2', secret: false },
      ],
    });
  });

  it('says a rewritten process title is not an environment (nginx’s master, as the sandbox shows)', () => {
    // /proc/<master>/environ on the sandbox: the title's tail, then NUL padding.
    const nginx = Buffer.concat([Buffer.from(' nginx -g daemon off;'), Buffer.alloc(71)]);
    assert.deepEqual(parseEnviron(nginx), { kind: 'overwritten', text: ' nginx -g daemon off;' });
    assert.deepEqual(parseEnviron(Buffer.alloc(64)), { kind: 'overwritten', text: '' });
    // postgres: a title with `=` in it, but no name a variable has.
    assert.equal(parseEnviron(environ('postgres: app db=orders idle')).kind, 'overwritten');
    // Real variables, then padding and text: the variables stay, the text is kept and masked.
    assert.deepEqual(parseEnviron(Buffer.from('HOME=/\0\0\0\0title\0')), {
      kind: 'variables',
      variables: [
        { name: 'HOME', value: '/', secret: false },
        { name: '', value: 'title', secret: true },
      ],
    });
    assert.equal(parseEnviron(environ('=value')).kind, 'overwritten');
  });

  it('masks entry by entry: one malformed entry leaves the others parsed and masked', () => {
    for (const odd of ['BAD NAME=x', '', 'no-equals-sign', '=value-only']) {
      const parsed = parseEnviron(environ('PATH=/bin', odd, 'DB_PASSWORD=hunter2', 'TOKEN=abc123'));
      if (parsed.kind !== 'variables') {
        assert.fail(`not parsed as variables around ${JSON.stringify(odd)}`);
      }
      const byName = new Map(parsed.variables.map((variable) => [variable.name, variable]));
      assert.equal(byName.get('DB_PASSWORD')?.secret, true);
      assert.equal(byName.get('TOKEN')?.secret, true);
      assert.equal(byName.get('PATH')?.secret, false);
      for (const variable of parsed.variables.filter((one) => one.name === '')) {
        assert.equal(variable.secret, true, 'an entry that is not NAME=VALUE is masked');
      }
    }
  });

  it('masks a rewritten title’s secrets', () => {
    const parsed = parseEnviron(environ('worker --db=postgres://app:s3cr$t/x@db/app'));
    assert.equal(parsed.kind, 'overwritten');
    assert.ok(!JSON.stringify(parsed).includes('s3cr$t'));
  });

  it('marks names and values that look like secrets', () => {
    for (const name of [
      'DB_PASSWORD',
      'PGPASSWORD',
      'MYSQL_ROOT_PASSWD',
      'API_TOKEN',
      'GITHUB_TOKEN',
      'CLIENT_SECRET',
      'AWS_SECRET_ACCESS_KEY',
      'API_KEY',
      'SIGNING_KEY',
      'TLS_KEY',
      'TLS_CERT',
      'PRIVATE_KEY',
      'GOOGLE_APPLICATION_CREDENTIALS_JSON',
      'REDIS_AUTH',
      'SESSION_COOKIE',
      'apiKey',
    ]) {
      assert.equal(looksSecret(name, 'x'), true, name);
    }
    for (const name of [
      'PATH',
      'HOME',
      'HOSTNAME',
      'DB_USER',
      'PASSWORD_FILE',
      'TLS_CERT_FILE',
      'SIGNING_KEY_PATH',
      'KEYCLOAK_URL',
      'AUTHOR',
      'KUBERNETES_SERVICE_PORT',
    ]) {
      assert.equal(looksSecret(name, 'x'), false, name);
    }
    // By shape, whatever the name.
    assert.equal(looksSecret('DATABASE_URL', 'postgres://app:hunter2@db:5432/app'), true);
    assert.equal(looksSecret('DATABASE_URL', 'postgres://db:5432/app'), false);
    assert.equal(MASK, '••••••');
  });
});
