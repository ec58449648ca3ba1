import assert from 'node:assert/strict';
import {
  MASK,
  hasSecretShape,
  maskSecretShapes,
  urlForDisplay,
} from '../../../src/secrets/secretPatterns';

/** `length` characters cycling through `alphabet`: a token body of the shape's own characters. */
const body = (length: number, alphabet = 'aZ0zA9mQ7') =>
  Array.from({ length }, (_, index) => alphabet[index % alphabet.length]).join('');

describe('secrets: the mask', () => {
  it('is six bullets whatever the secret, so it tells nothing of its length', () => {
    assert.equal(MASK, '••••••');
    assert.equal(maskSecretShapes('AKIAIOSFODNN7EXAMPLE'), MASK);
    assert.equal(maskSecretShapes(`ghp_${body(80)}`), MASK);
  });
});

describe('secrets: well-known token shapes', () => {
  const tokens: [string, string][] = [
    ['an AWS access key', 'AKIAIOSFODNN7EXAMPLE'],
    ['an AWS session key', 'ASIAY34FZKBOKMUTVV7A'],
    ['a GitHub personal token', `ghp_${body(36)}`],
    ['a GitHub OAuth token', `gho_${body(40)}`],
    ['a GitHub user token', `ghu_${body(36)}`],
    ['a GitHub server token', `ghs_${body(36)}`],
    ['a GitHub refresh token', `ghr_${body(36)}`],
    ['a fine-grained GitHub token', `github_pat_${body(22)}_${body(59)}`],
    ['a GitLab token', `glpat-${body(18)}_-x`],
    ['a GitLab token ending in a dash', `glpat-${body(23)}-`],
    ['a Slack bot token', `xoxb-${body(10, '0123456789')}-${body(24)}`],
    ['a Slack user token', `xoxp-${body(12)}`],
    ['a Slack token ending in a dash', `xoxb-${body(12)}-`],
    ['a Stripe live key', `sk_live_${body(24)}`],
    ['a Stripe test key', `sk_test_${body(16)}`],
    ['a Stripe restricted key', `rk_live_${body(24)}`],
    ['an OpenAI key', `sk-${body(48)}`],
    ['an OpenAI project key', `sk-proj-${body(20, 'aZ0_-')}`],
    ['an Anthropic key', `sk-ant-${body(40, 'aZ0_-')}`],
    ['a Google API key', `AIza${body(35, 'aZ0_-9m')}`],
    ['a Google API key ending in a dash', `AIza${body(34)}-`],
    ['an npm token', `npm_${body(36)}`],
    [
      'a JSON web token',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ],
  ];

  for (const [what, token] of tokens) {
    it(`masks ${what} as a whole, and nothing around it`, () => {
      assert.equal(maskSecretShapes(`token: ${token} (expires)`), `token: ${MASK} (expires)`);
      assert.equal(maskSecretShapes(`"${token}"`), `"${MASK}"`);
      assert.equal(hasSecretShape(token), true);
    });
  }

  it('leaves text that only looks like the start of a token', () => {
    for (const text of [
      'AKIAIOSFODNN7EXAMPL', // 15 characters after AKIA
      'AKIAIOSFODNN7EXAMPLES',
      'AKIAiosfodnn7example',
      'XAKIAIOSFODNN7EXAMPLE',
      `ghp_${body(35)}`,
      `ghx_${body(36)}`,
      `github_pat_${body(39)}`,
      `glpat-${body(19)}`,
      `xoxb-${body(9)}`,
      `sk_live_${body(15)}`,
      `pk_live_${body(24)}`,
      `sk-${body(19)}`,
      `AIza${body(34)}`,
      `npm_${body(35)}`,
      'eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl', // parts shorter than eight
      'task-1234567890abcdefghij',
    ]) {
      assert.equal(maskSecretShapes(`id ${text} end`), `id ${text} end`, text);
      assert.equal(hasSecretShape(text), false, text);
    }
  });
});

describe('secrets: private keys', () => {
  const pem = (kind: string, lines: string) =>
    `-----BEGIN ${kind}-----\n${lines}\n-----END ${kind}-----`;

  it('masks a private key from its BEGIN line to its END line', () => {
    for (const kind of [
      'PRIVATE KEY',
      'RSA PRIVATE KEY',
      'EC PRIVATE KEY',
      'ENCRYPTED PRIVATE KEY',
      'OPENSSH PRIVATE KEY',
      'PGP PRIVATE KEY BLOCK',
    ]) {
      const key = pem(kind, 'MIIEowIBAAKCAQEAx4\nQ2xvc2Vk+/==');
      assert.equal(maskSecretShapes(`tls.key: |\n${key}\nnext: 1`), `tls.key: |\n${MASK}\nnext: 1`);
    }
  });

  it('masks each of two keys on its own, and a key cut before its end to the end', () => {
    const key = pem('RSA PRIVATE KEY', 'MIIEow');
    assert.equal(maskSecretShapes(`${key}\nmiddle\n${key}`), `${MASK}\nmiddle\n${MASK}`);
    assert.equal(
      maskSecretShapes('key: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B'),
      `key: ${MASK}`,
    );
  });

  it('leaves public keys and certificates', () => {
    for (const kind of ['PUBLIC KEY', 'CERTIFICATE', 'PGP PUBLIC KEY BLOCK']) {
      const text = pem(kind, 'MIIBIjANBgkqhkiG9w0BAQEF');
      assert.equal(maskSecretShapes(text), text);
      assert.equal(hasSecretShape(text), false);
    }
  });
});

describe('secrets: passwords in URLs', () => {
  it('masks the password only, with or without a user name', () => {
    const cases: [string, string][] = [
      ['postgres://app:s3cr3t@db:5432/app', `postgres://app:${MASK}@db:5432/app`],
      ['redis://:pa$$w/rd@cache:6379/0', `redis://:${MASK}@cache:6379/0`],
      ['amqp+ssl://guest:gu3st-pw@rabbit', `amqp+ssl://guest:${MASK}@rabbit`],
      ['MONGODB://Admin:Pw@mongo', `MONGODB://Admin:${MASK}@mongo`],
      ['--db=mysql://u:p4ss@h/db --x', `--db=mysql://u:${MASK}@h/db --x`],
    ];
    for (const [text, masked] of cases) {
      assert.equal(maskSecretShapes(text), masked, text);
      assert.equal(hasSecretShape(text), true, text);
    }
  });

  it('leaves URLs without a password', () => {
    for (const text of [
      'https://example.com:8443/path',
      'postgres://app@db/app',
      'redis://cache:6379/0',
      'mail to: user@example.com',
      'git@github.com:org/repo.git',
      'https://h/a:b c@d',
    ]) {
      assert.equal(maskSecretShapes(text), text);
    }
  });
});

describe('secrets: authorization headers and bearer tokens', () => {
  it('masks the credentials of an Authorization header, its scheme kept', () => {
    const cases: [string, string][] = [
      ['Authorization: Bearer abcdef123456', `Authorization: Bearer ${MASK}`],
      ['authorization:basic dXNlcjpwYXNz', `authorization:basic ${MASK}`],
      ['Authorization:   Token  9f2c7a1b5d', `Authorization:   Token  ${MASK}`],
      ['Proxy-Authorization: Basic dXNlcjpwYXNz', `Proxy-Authorization: Basic ${MASK}`],
      ['Authorization: Bot MTk4NjIyNDgzNDcxOTI1MjQ4', `Authorization: Bot ${MASK}`],
      ['-H "Authorization: Digest abc123def"', `-H "Authorization: Digest ${MASK}"`],
    ];
    for (const [text, masked] of cases) {
      assert.equal(maskSecretShapes(text), masked, text);
    }
  });

  it('leaves a header whose credentials are a reference or too short to be one', () => {
    for (const text of [
      'Authorization: Bearer $TOKEN',
      "Authorization: Basic '$(cat /run/pw)'",
      'Authorization: Basic abcde',
      'Authorization: Negotiate abcdef123456',
    ]) {
      assert.equal(maskSecretShapes(text), text);
    }
  });

  it('masks a bearer token on its own, not the word bearer in a sentence', () => {
    assert.equal(
      maskSecretShapes('401: Bearer  k8s-aws-v1.aHR0cHM6Ly9z~+/= rejected'),
      `401: Bearer  ${MASK} rejected`,
    );
    assert.equal(maskSecretShapes('Bearer abcdefg'), 'Bearer abcdefg');
    assert.equal(
      maskSecretShapes('send a bearer token in every request'),
      'send a bearer token in every request',
    );
  });
});

describe('secrets: connection strings and options', () => {
  it('masks the value after a secret word and =, quoted or not', () => {
    const cases: [string, string][] = [
      ['password=Jdbc-Pw-771', `password=${MASK}`],
      ['user=sa;password=Jdbc-Pw-771;encrypt=true', `user=sa;password=${MASK};encrypt=true`],
      [
        'jdbc:mysql://db/app?user=app&password=MyPw&ssl=1',
        `jdbc:mysql://db/app?user=app&password=${MASK}&ssl=1`,
      ],
      ['Server=x;Uid=app;Pwd=AdoPw-9981;', `Server=x;Uid=app;Pwd=${MASK};`],
      ['AccountName=acct;AccountKey=QWNj/b3Vu+dA==;', `AccountName=acct;AccountKey=${MASK};`],
      [
        'SharedAccessKeyName=Root;SharedAccessKey=U2hh',
        `SharedAccessKeyName=Root;SharedAccessKey=${MASK}`,
      ],
      ['SharedAccessSignature=sv%3D2022', `SharedAccessSignature=${MASK}`],
      ['username="u" password="Jaas Pw;4412";', `username="u" password=${MASK};`],
      ["username='u' password='Jaas Pw';", `username='u' password=${MASK};`],
      [
        '-Xmx1g -Dssl.keyStorePassword=KsPw-5521 -Dfoo=bar',
        `-Xmx1g -Dssl.keyStorePassword=${MASK} -Dfoo=bar`,
      ],
      ['connect(password = s3cr3t, host)', `connect(password = ${MASK}, host)`],
      ['"api_key=Zz81kQxx"', `"api_key=${MASK}"`],
      ["'client_secret=Zz81kQxx'", `'client_secret=${MASK}'`],
      ['access.token=Zz81kQxx', `access.token=${MASK}`],
      ['APIKEY=Zz81kQxx', `APIKEY=${MASK}`],
      ['passwd=Zz81kQxx', `passwd=${MASK}`],
    ];
    for (const [text, masked] of cases) {
      assert.equal(maskSecretShapes(text), masked, text);
    }
  });

  it('leaves other settings of a connection string', () => {
    for (const text of [
      'Server=tcp:db;Database=app;Encrypt=true;',
      'user=sa;passwordless=true',
      'TokenLifetime 3600',
    ]) {
      assert.equal(maskSecretShapes(text), text);
    }
  });
});

describe('secrets: signed URLs and webhooks', () => {
  it('masks the signature of a signed URL, the rest of the query kept', () => {
    const cases: [string, string][] = [
      ['https://h:6443/?sig=abc&x=1', `https://h:6443/?sig=${MASK}&x=1`],
      [
        'https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sig=SasSig%2Bx4rT9 next',
        `https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sig=${MASK} next`,
      ],
      [
        'https://b.s3.amazonaws.com/k?X-Amz-Signature=9f3a7b1c&X-Amz-Security-Token=IQoJb3&X-Amz-Date=1',
        `https://b.s3.amazonaws.com/k?X-Amz-Signature=${MASK}&X-Amz-Security-Token=${MASK}&X-Amz-Date=1`,
      ],
      [
        'https://storage.googleapis.com/b/o?X-Goog-Credential=sa%2F2024&X-Goog-Signature=0a1b2c',
        `https://storage.googleapis.com/b/o?X-Goog-Credential=${MASK}&X-Goog-Signature=${MASK}`,
      ],
      ['https://h/cb?access_token=ya29.a0Af', `https://h/cb?access_token=${MASK}`],
    ];
    for (const [text, masked] of cases) {
      assert.equal(maskSecretShapes(text), masked, text);
    }
    assert.equal(maskSecretShapes('https://h/search?q=sig=1'), 'https://h/search?q=sig=1');
  });

  it('masks the secret path of Slack and Discord webhooks', () => {
    const cases: [string, string][] = [
      [
        'https://hooks.slack.com/services/T0000000/B0000000/XXXXXXXX end',
        `https://hooks.slack.com/services/${MASK} end`,
      ],
      [
        'https://hooks.slack.com/workflows/T0000000/A0000000/123/abc',
        `https://hooks.slack.com/workflows/${MASK}`,
      ],
      [
        'https://discord.com/api/webhooks/123456789012345678/Hook_abc-123 end',
        `https://discord.com/api/webhooks/123456789012345678/${MASK} end`,
      ],
      [
        'https://canary.discordapp.com/api/webhooks/1/Hook-abc',
        `https://canary.discordapp.com/api/webhooks/1/${MASK}`,
      ],
      [
        'https://ptb.discord.com/api/webhooks/42/Hook',
        `https://ptb.discord.com/api/webhooks/42/${MASK}`,
      ],
    ];
    for (const [text, masked] of cases) {
      assert.equal(maskSecretShapes(text), masked, text);
    }
    assert.equal(
      maskSecretShapes('https://discord.com/api/webhooks/abc/Hook'),
      'https://discord.com/api/webhooks/abc/Hook',
    );
  });
});

describe('secrets: secret shapes in manifest values', () => {
  it('finds a literal secret, every time it is asked', () => {
    for (const value of [
      'redis://:Rk9pLx2q@redis:6379',
      'user=sa;password=Rk9pLx2q',
      'AKIAIOSFODNN7EXAMPLE',
    ]) {
      assert.deepEqual(
        [hasSecretShape(value), hasSecretShape(value), hasSecretShape(value)],
        [true, true, true],
        value,
      );
    }
  });

  it('does not count a reference, whichever way it is written', () => {
    for (const value of [
      'redis://:$(REDIS_PASSWORD)@redis',
      'redis://:${REDIS_PASSWORD}@redis',
      'redis://:$REDIS_PASSWORD@redis',
      'redis://:$(redis.pass-word)@redis',
      'redis://:${redis.pass-word}@redis',
      'user=sa;password=$(DB_PASSWORD)',
      'Authorization: Bearer $(TOKEN_1)',
      'Bearer ${API_TOKEN}',
    ]) {
      assert.equal(hasSecretShape(value), false, value);
    }
  });

  it('counts a literal next to a reference', () => {
    assert.equal(hasSecretShape('redis://$(USER):Rk9pLx2q@redis'), true);
    assert.equal(hasSecretShape('$(PREFIX)AKIAIOSFODNN7EXAMPLE'), true);
    assert.equal(hasSecretShape('$1password=Rk9pLx2q'), false);
  });
});

describe('secrets: URLs for display', () => {
  it('drops the user information, whatever the scheme', () => {
    const cases: [string, string][] = [
      ['https://admin:s3cr%24t@10.0.0.1:6443/k8s', 'https://10.0.0.1:6443/k8s'],
      ['HTTPS://ghp_token@api.example', 'HTTPS://api.example'],
      ['git+ssh://git@example.com/repo', 'git+ssh://example.com/repo'],
      ['https://:pw@h', 'https://h'],
    ];
    for (const [url, shown] of cases) {
      assert.equal(urlForDisplay(url), shown, url);
    }
  });

  it('keeps an @ that is not in the authority, and masks signed query values', () => {
    assert.equal(urlForDisplay('https://h/users/@me'), 'https://h/users/@me');
    assert.equal(urlForDisplay('https://h?by=a@b'), 'https://h?by=a@b');
    assert.equal(urlForDisplay('https://h#a@b'), 'https://h#a@b');
    assert.equal(urlForDisplay('https://h:6443/?sig=abc&x=1'), `https://h:6443/?sig=${MASK}&x=1`);
    assert.equal(urlForDisplay('see https://u:p@h'), 'see https://u:••••••@h');
  });
});
