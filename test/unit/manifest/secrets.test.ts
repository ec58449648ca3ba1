import assert from 'node:assert/strict';
import { isSecretName } from '../../../src/secrets/secretPatterns';
import { applyFix, codes, diagnose, fixture } from './manifestTestSupport';

const SECRET_VALUES = [
  'hunter2hunter2',
  'AKIAABCDEFGHIJKLMNOP',
  's3cretpass',
  'topsecretvalue',
  'correct-horse',
];

describe('rules: secrets', () => {
  it('flags literal env values by name or by shape, never a reference', () => {
    const found = diagnose(fixture('secrets.yaml')).filter(
      (d) => d.code === 'ppe-secret-env-literal',
    );
    assert.deepEqual(
      found.map((d) => d.text),
      ['hunter2hunter2', 'AKIAABCDEFGHIJKLMNOP'],
    );
    assert.match(found[0].message, /PGPASSWORD/);
  });

  it('flags secrets on command lines: --flag=value, --flag value, NAME=value in scripts, URLs with passwords', () => {
    const found = diagnose(fixture('secrets.yaml')).filter(
      (d) => d.code === 'ppe-secret-arg-literal',
    );
    assert.deepEqual(
      found.map((d) => d.text),
      [
        '"--dbname=postgres://backup:s3cretpass@db/app"',
        '"hunter2hunter2"',
        'RCLONE_PASS=topsecretvalue',
      ],
    );
  });

  it('leaves switches and references on command lines alone', () => {
    const text = fixture('pod-shared.yaml').replace(
      'command: ["/bin/sh", "-c", "nginx -g \'daemon off;\' & sleep 5; kill -HUP 1; wait"]',
      'command: ["app", "--auth", "none", "--token=$(API_TOKEN)", "--password-file=/run/pw"]',
    );
    assert.ok(text.includes('--auth'));
    assert.ok(!codes(text).includes('ppe-secret-arg-literal'));
  });

  describe('wider detection', () => {
    const sharedPod = (container: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  shareProcessNamespace: true\n  containers:\n    - name: app\n      image: x\n${container}`;
    const argFindings = (command: string) =>
      diagnose(sharedPod(`      command: ${command}\n`))
        .filter((d) => d.code === 'ppe-secret-arg-literal')
        .map((d) => d.text);

    it('flags URLs with a password and an empty user name', () => {
      assert.deepEqual(argFindings('["app", "--cache=redis://:Rk9pLx2q@redis:6379/0"]'), [
        '"--cache=redis://:Rk9pLx2q@redis:6379/0"',
      ]);
      assert.deepEqual(argFindings('["app", "--cache=redis://redis:6379/0"]'), []);
      assert.deepEqual(argFindings('["app", "--cache=redis://:$(REDIS_PASSWORD)@redis"]'), []);
    });

    it('flags redis --requirepass and --masterauth, mysql -p<pw>, redis-cli -a and sshpass -p', () => {
      assert.deepEqual(
        argFindings('["redis-server", "--requirepass", "Rk9pLx2q", "--masterauth", "Zz81kQ"]'),
        ['"Rk9pLx2q"', '"Zz81kQ"'],
      );
      assert.deepEqual(argFindings('["sh", "-c", "mysqldump -u root -pRk9pLx2q app > /b"]'), [
        '-pRk9pLx2q',
      ]);
      assert.deepEqual(argFindings('["sh", "-c", "redis-cli -a Rk9pLx2q ping"]'), ['Rk9pLx2q']);
      assert.deepEqual(argFindings('["sshpass", "-p", "Rk9pLx2q", "ssh", "host"]'), ['"Rk9pLx2q"']);
    });

    it('leaves -p alone where it is not a password: ports, prompts and other programs', () => {
      assert.deepEqual(argFindings('["app", "-p8080"]'), []);
      assert.deepEqual(argFindings('["mysql", "-p", "app"]'), []);
      assert.deepEqual(argFindings('["ssh", "-p", "2222", "host"]'), []);
    });

    it('flags Authorization headers and secret-named headers with literal credentials', () => {
      assert.deepEqual(
        argFindings(
          '["sh", "-c", "curl -H \'Authorization: Bearer eyJhbGciOi.x.y\' https://api/reload"]',
        ),
        ["'Authorization: Bearer eyJhbGciOi.x.y'"],
      );
      assert.deepEqual(argFindings('["curl", "--header=X-Api-Key: 9f2c7a1b5d", "https://api"]'), [
        '"--header=X-Api-Key: 9f2c7a1b5d"',
      ]);
      assert.deepEqual(
        argFindings('["sh", "-c", "curl -H \\"Authorization: Bearer $TOKEN\\" https://api"]'),
        [],
      );
    });

    it('flags hex and base64 keys under any *_KEY name, not other values there', () => {
      const env = (name: string, value: string) =>
        codes(sharedPod(`      env:\n        - name: ${name}\n          value: "${value}"\n`));
      assert.deepEqual(env('COOKIE_KEY', '3f9a0c2e7b1d4f6a8c0e2b4d6f8a1c3e'), [
        'ppe-secret-env-literal',
      ]);
      assert.deepEqual(env('APP_KEY', 'base64:q2Vn0a9y3tXbS4k8LmP1rQ=='), [
        'ppe-secret-env-literal',
      ]);
      assert.deepEqual(env('SORT_KEY', 'created_at'), []);
      assert.deepEqual(env('PARTITION_KEY', '42'), []);
      assert.deepEqual(argFindings('["app", "--session-key=0x3f9a0c2e7b1d4f6a"]'), [
        '"--session-key=0x3f9a0c2e7b1d4f6a"',
      ]);
    });

    it('flags secrets in script assignments and in trap handlers', () => {
      assert.deepEqual(
        argFindings(
          '["sh", "-c", "DB_PASSWORD=Rk9pLx2q exec app; trap \'curl -u x:Zz81kQ http://a:Zz81kQ@h\' TERM"]',
        ),
        ['DB_PASSWORD=Rk9pLx2q', 'http://a:Zz81kQ@h'],
      );
    });

    it('flags secrets in here-documents a script writes', () => {
      const script =
        'cat > /etc/app.conf <<EOF\n[db]\n  password=Rk9pLx2q\n  token: Zz81kQxx\n  user=app\nEOF\nexec app';
      assert.deepEqual(argFindings(`["sh", "-c", ${JSON.stringify(script)}]`), [
        'password=Rk9pLx2q',
        'token: Zz81kQxx',
      ]);
    });

    it('never repeats any of these values in a message', () => {
      const text = sharedPod(
        [
          '      command: ["sh", "-c", "redis-server --requirepass Rk9pLx2q; mysql -pZz81kQxx; curl -H \'Authorization: Bearer Q1w2e3r4t5\' redis://:Pw0rdPw0rd@h"]',
          '      env:',
          '        - name: COOKIE_KEY',
          '          value: "3f9a0c2e7b1d4f6a8c0e2b4d6f8a1c3e"',
          '',
        ].join('\n'),
      );
      const found = diagnose(text);
      assert.equal(found.length, 5);
      for (const value of ['Rk9pLx2q', 'Zz81kQxx', 'Q1w2e3r4t5', 'Pw0rdPw0rd', '3f9a0c2e']) {
        assert.ok(
          found.every((d) => !d.message.includes(value)),
          value,
        );
      }
    });
  });

  it('informs about env from Secrets and Secret or projected volumes', () => {
    const found = diagnose(fixture('secrets.yaml'));
    assert.deepEqual(
      found.filter((d) => d.code === 'ppe-secret-env-reference').map((d) => d.text),
      ['secretKeyRef', 'secretRef'],
    );
    assert.deepEqual(
      found.filter((d) => d.code === 'ppe-secret-volume').map((d) => d.text),
      ['secret', 'projected'],
    );
  });

  it('never repeats a secret value in a message', () => {
    const messages = [
      fixture('secrets.yaml'),
      fixture('pod-shared.yaml'),
      fixture('deployment.json'),
    ]
      .flatMap((text) => diagnose(text))
      .map((d) => d.message);
    for (const value of SECRET_VALUES) {
      assert.ok(
        messages.every((message) => !message.includes(value)),
        value,
      );
    }
  });

  it('says nothing about secrets when the pod does not share its namespace', () => {
    assert.deepEqual(
      codes(
        fixture('secrets.yaml').replace(
          'shareProcessNamespace: true',
          'shareProcessNamespace: false',
        ),
      ),
      [],
    );
  });

  it('skips volumes when only one container runs', () => {
    const text = fixture('pod-shared.yaml').replace(/ {4}- name: shell[\s\S]*?tty: true\n/, '');
    assert.ok(!codes(text).includes('ppe-secret-volume'));
    assert.ok(codes(text).includes('ppe-secret-env-literal'));
  });

  it('turns a literal value into a secretKeyRef skeleton', () => {
    const fixed = applyFix(fixture('pod-shared.yaml'), 'ppe-secret-env-literal', /secretKeyRef/);
    assert.ok(
      fixed.includes(
        [
          '        - name: DB_PASSWORD',
          '          valueFrom:',
          '            secretKeyRef:',
          '              name: nginx-secrets',
          '              key: db-password',
          '        - name: API_TOKEN',
        ].join('\n'),
      ),
    );
    assert.ok(!fixed.includes('hunter2'));
    assert.ok(!codes(fixed).includes('ppe-secret-env-literal'));
  });

  it('turns a literal JSON value into a secretKeyRef skeleton', () => {
    const fixed = applyFix(fixture('deployment.json'), 'ppe-secret-env-literal', /secretKeyRef/);
    const parsed = JSON.parse(fixed) as {
      spec: { template: { spec: { containers: { env?: unknown[] }[] } } };
    };
    assert.deepEqual(parsed.spec.template.spec.containers[0].env, [
      {
        name: 'ADMIN_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'json-web-secrets', key: 'admin-password' } },
      },
    ]);
  });

  describe('isSecretName', () => {
    it('recognises secret-like names', () => {
      for (const name of [
        'DB_PASSWORD',
        'PGPASSWORD',
        'apiKey',
        'API_KEY',
        'GITHUB_TOKEN',
        'client-secret',
        '--password',
        'REDIS_AUTH',
        'DB_PWD',
      ]) {
        assert.ok(isSecretName(name), name);
      }
    });

    it('leaves names about secrets alone', () => {
      for (const name of [
        'PWD',
        'PASSWORD_FILE',
        'SECRET_NAME',
        'TOKEN_URL',
        'AWS_ACCESS_KEY_ID',
        'AUTHOR',
        'PASSENGER',
        'SORT_KEY',
        '--password-file',
      ]) {
        assert.ok(!isSecretName(name), name);
      }
    });
  });
});
