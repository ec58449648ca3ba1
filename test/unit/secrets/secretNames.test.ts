import assert from 'node:assert/strict';
import {
  isLiteralSecretValue,
  isLiveSecretName,
  isSecretAssignment,
  isSecretName,
} from '../../../src/secrets/secretPatterns';

/** Every name must give `expected`; the failure names the ones that did not. */
function assertEach(check: (name: string) => boolean, names: string[], expected: boolean): void {
  assert.deepEqual(
    names.filter((name) => check(name) !== expected),
    [],
    `expected ${String(expected)} for these`,
  );
}

describe('secrets: secret names', () => {
  it('recognises each secret word, also inside a longer word', () => {
    assertEach(
      isSecretName,
      [
        'MYSQL_ROOT_PASSWORD',
        'PGPASSWORD',
        'FTP_PASSWD',
        'GPG_PASSPHRASE',
        'OAUTH_CLIENTSECRET',
        'GITHUBTOKEN',
        'STRIPE_APIKEY',
        'GOOGLE_APPLICATION_CREDENTIALS',
        '--requirepass',
        '--masterauth',
      ],
      true,
    );
  });

  it('recognises the short words only on their own', () => {
    assertEach(isSecretName, ['DB_PASS', 'REDIS_AUTH', 'SENTRY_DSN', 'pass'], true);
    assertEach(isSecretName, ['PASSENGER_COUNT', 'AUTHOR', 'GIT_AUTHOR_EMAIL', 'DSNLOOKUP'], false);
  });

  it('takes a KEY for a secret only after a word that makes it one', () => {
    assertEach(
      isSecretName,
      [
        'API_KEY',
        'AWS_ACCESS_KEY',
        'PRIVATE_KEY',
        'SECRET_KEY',
        'DB_ENCRYPTION_KEY',
        'JWT_SIGNING_KEY',
        'MASTER_KEY',
        'stripeApiKey',
        '--private-key',
      ],
      true,
    );
    assertEach(isSecretName, ['KEY', 'SORT_KEY', 'CACHE_KEY', 'KEY_API', 'KEYS'], false);
    // The qualifiers make only a KEY a secret.
    assertEach(
      isSecretName,
      ['ACCESS_LOG', 'MASTER_NODES', 'PRIVATE_REGISTRY', 'API_VERSION'],
      false,
    );
  });

  it('leaves the working directory alone, not a password abbreviated PWD', () => {
    assertEach(isSecretName, ['PWD', 'pwd', 'OLDPWD'], false);
    assertEach(isSecretName, ['DB_PWD', 'mysql-pwd', 'rootPwd', 'PWD_ADMIN'], true);
  });

  it('leaves names about a secret alone, whatever ends them', () => {
    const suffixes = [
      'FILE',
      'PATH',
      'DIR',
      'NAME',
      'ID',
      'ENABLED',
      'TTL',
      'EXPIRY',
      'EXPIRATION',
      'TIMEOUT',
      'LENGTH',
      'URL',
      'HEADER',
      'TYPE',
      'MODE',
      'ENDPOINT',
      'ISSUER',
      'AUDIENCE',
      'REF',
      'VERSION',
      'PREFIX',
      'FIELD',
      'LOCATION',
      'USER',
      'USERNAME',
      'METHOD',
      'PORT',
      'HOST',
      'SIZE',
    ];
    assertEach(
      isSecretName,
      suffixes.map((suffix) => `DB_PASSWORD_${suffix}`),
      false,
    );
    assertEach(isSecretName, ['passwordFile', 'token-url', 'apiKeyId', 'vault.token.ttl'], false);
    // Only the last word counts: these hold the secret.
    assertEach(isSecretName, ['FILE_PASSWORD', 'TOKEN_ID_TOKEN', 'USER_PASSWORD'], true);
  });

  it('splits a name at _, -, . and a lower-to-upper case change, in any case', () => {
    assertEach(
      isSecretName,
      ['db.password', 'db-password', 'dbPassword', 'db__password', 'Db_Pass', 'v2Token', '-p-auth'],
      true,
    );
    // One word, not split: TOKENURL is a token, tokenURL a URL.
    assert.equal(isSecretName('TOKENURL'), true);
    assert.equal(isSecretName('tokenURL'), false);
  });

  it('finds no secret in an empty name or one of dashes', () => {
    assertEach(isSecretName, ['', '-', '--', '_', '...'], false);
  });
});

describe('secrets: secret names in a live process', () => {
  it('also masks keys, certificates, cookies and salts', () => {
    assertEach(
      isLiveSecretName,
      [
        'SORT_KEY',
        'SSH_KEYS',
        'TLS_CERT',
        'CA_CERTS',
        'SERVER_CERTIFICATE',
        'PRIVATE',
        'GPG_PRIVATE',
        'SESSION_COOKIE',
        'HASH_SALT',
        'KEY',
        'tls.key',
        'tls-cert',
        'ssl_certificate',
        'cookie.secure.salt',
      ],
      true,
    );
  });

  it('keeps every ordinary secret name', () => {
    assertEach(isLiveSecretName, ['DB_PASSWORD', 'GITHUB_TOKEN', 'API_KEY', 'DB_PWD'], true);
    assertEach(isLiveSecretName, ['PWD', 'PATH', 'HOME', 'HOSTNAME'], false);
  });

  it('leaves those words alone inside longer words, and names of files and paths', () => {
    assertEach(
      isLiveSecretName,
      [
        'MONKEY',
        'KEYBOARD_LAYOUT',
        'KEYCLOAK_REALM',
        'CERTMANAGER_NAMESPACE',
        'PRIVATEER',
        'COOKIES_MAX',
        'SALTSTACK_MASTER',
        'TLS_CERT_FILE',
        'SIGNING_KEY_PATH',
        'SSH_KEYS_DIR',
        'COOKIE_NAME',
      ],
      false,
    );
  });
});

describe('secrets: literal secret values', () => {
  it('counts a value of three characters or more that is no switch', () => {
    assertEach(isLiteralSecretValue, ['abc', ' hunter2 ', 'Rk9pLx2q', '123456', 'token123'], true);
    assertEach(isLiteralSecretValue, ['', 'ab', '  ab  ', '   '], false);
  });

  it('does not count a switch or a mechanism, in any case', () => {
    assertEach(
      isLiteralSecretValue,
      [
        'true',
        'FALSE',
        'yes',
        'no',
        'on',
        'Off',
        'null',
        'none',
        'disable',
        'disabled',
        'enable',
        'enabled',
        'required',
        'optional',
        'basic',
        'Bearer',
        'token',
        'oauth',
        'oauth2',
        'jwt',
        'x509',
        'tls',
        'anonymous',
      ],
      false,
    );
    // Only whole words: a value that merely starts or ends like one is a secret.
    assertEach(isLiteralSecretValue, ['mytoken', 'tokenvalue', 'none-such', 'trueblue'], true);
  });

  it('does not count references, paths, flags and port numbers', () => {
    assertEach(
      isLiteralSecretValue,
      [
        '$(DB_PASSWORD)',
        '${DB_PASSWORD}',
        '$DB_PASSWORD',
        '/run/secrets/db',
        './secret.txt',
        '~/.pgpass',
        'file:/etc/pw',
        '-v',
        '--verbose',
        '8',
        '8080',
        '65535',
      ],
      false,
    );
    assertEach(isLiteralSecretValue, ['a/b/c', 'x$y', 'pass-word', '808080', 'file', '~pw'], true);
  });
});

describe('secrets: secret assignments', () => {
  it('takes a literal value under a secret name', () => {
    assert.equal(isSecretAssignment('DB_PASSWORD', 'hunter2hunter2'), true);
    assert.equal(isSecretAssignment('DB_PASSWORD', '$(DB_PASSWORD)'), false);
    assert.equal(isSecretAssignment('DB_PASSWORD', 'none'), false);
    assert.equal(isSecretAssignment('DB_HOST', 'hunter2hunter2'), false);
  });

  it('takes key material under any name ending in KEY', () => {
    for (const name of ['COOKIE_KEY', '--session-key', 'hmacKey', 'aes256Key', 'app.key']) {
      assert.equal(isSecretAssignment(name, '3f9a0c2e7b1d4f6a'), true, name);
    }
    assert.equal(isSecretAssignment('APP_KEY', 'base64:q2Vn0a9y3tXbS4k8LmP1rQ=='), true);
    assert.equal(isSecretAssignment('APP_KEY', 'base64:q2Vn0a9y3tXbS4k8LmP1rQ'), true);
    assert.equal(isSecretAssignment('APP_KEY', 'base64:q2Vn+a9y/tXbS4k8LmP1rQ='), true);
    assert.equal(isSecretAssignment('APP_KEY', ' 0x3F9A0C2E7B1D4F6A '), true);
  });

  it('takes no other value under a KEY name, nor key material under another name', () => {
    for (const value of [
      'created_at',
      '42',
      '3f9a0c2e7b1d4f6', // 60 bits: too short for a key
      'base64:q2Vn0a9y3tXbS4k', // 15 characters
      'base64:q2Vn0a9y3tXbS4k8LmP1rQ===',
      'key=3f9a0c2e7b1d4f6a',
      '3f9a0c2e7b1d4f6a.bak',
      '3f9a0c2e7b1d4g6a',
      '0x',
      'base64:',
    ]) {
      assert.equal(isSecretAssignment('PARTITION_KEY', value), false, value);
    }
    // A KEY alone is no key name, and KEYS is not KEY.
    assert.equal(isSecretAssignment('KEY', '3f9a0c2e7b1d4f6a'), false);
    assert.equal(isSecretAssignment('_KEY', '3f9a0c2e7b1d4f6a'), false);
    assert.equal(isSecretAssignment('--key', '3f9a0c2e7b1d4f6a'), false);
    assert.equal(isSecretAssignment('SORT_KEYS', '3f9a0c2e7b1d4f6a'), false);
    assert.equal(isSecretAssignment('COMMIT_SHA', '3f9a0c2e7b1d4f6a'), false);
  });
});
