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

describe('rules: secrets, at their edges', () => {
  const pod = (containers: string, metadata = 'metadata:\n  name: web\n', volumes = '') =>
    `apiVersion: v1\nkind: Pod\n${metadata}spec:\n  shareProcessNamespace: true\n  containers:\n${containers}${volumes}`;
  const app = (fields: string) => `    - name: app\n      image: x\n${fields}`;
  const found = (text: string) => diagnose(text).map((d) => [d.code, d.text]);

  it('names the Secret after the workload, and its key after the variable', () => {
    const env = (entry: string) => app(`      env:\n        - ${entry}\n`);
    const fixed = applyFix(
      pod(env('name: Db_Pass.Word\n          value: hunter2hunter2')),
      'ppe-secret-env-literal',
      /secretKeyRef/,
    );
    assert.ok(fixed.includes('              name: web-secrets\n              key: db-pass.word\n'));
    const unnamed = applyFix(
      pod(env('name: DB_PASSWORD\n          value: hunter2hunter2'), 'metadata: {}\n'),
      'ppe-secret-env-literal',
      /secretKeyRef/,
    );
    assert.ok(
      unnamed.includes('              name: app-secrets\n              key: db-password\n'),
    );
    const nameless = applyFix(
      pod(env('value: AKIAABCDEFGHIJKLMNOP')),
      'ppe-secret-env-literal',
      /secretKeyRef/,
    );
    assert.ok(nameless.includes('              key: value\n'), nameless);
  });

  it('reads only string values as literals, and a reference only under valueFrom', () => {
    assert.deepEqual(
      found(pod(app('      env:\n        - name: DB_PASSWORD\n          value: 12345678901234\n'))),
      [],
    );
    assert.deepEqual(
      found(
        pod(app('      env:\n        - name: TOKEN\n          secretKeyRef: {name: s, key: t}\n')),
      ),
      [],
    );
    assert.deepEqual(
      found(
        pod(
          app(
            '      env:\n        - name: TOKEN\n          valueFrom:\n            configMapKeyRef: {name: s, key: t}\n        - just-a-string\n',
          ),
        ),
      ),
      [],
    );
    assert.deepEqual(
      found(
        pod(app('      env:\n        - valueFrom:\n            secretKeyRef: {name: s, key: t}\n')),
      ).map(([code]) => code),
      ['ppe-secret-env-reference'],
    );
    assert.deepEqual(
      found(pod(app('      envFrom:\n        - configMapRef: {name: c}\n        - "text"\n'))),
      [],
    );
  });

  it('flags a flag whose next word is the secret, and a glued password option', () => {
    const args = (argv: string[]) =>
      found(pod(app(`      command: ${JSON.stringify(argv)}\n`))).map(([, text]) => text);
    assert.deepEqual(args(['app', '--password', 'Rk9pLx2q7']), ['"Rk9pLx2q7"']);
    assert.deepEqual(args(['app', '-password', 'Rk9pLx2q7']), ['"Rk9pLx2q7"']);
    assert.deepEqual(args(['app', '--password']), []);
    assert.deepEqual(args(['app', 'password', 'Rk9pLx2q7']), []);
    assert.deepEqual(args(['redis-cli', '-aRk9pLx2q7']), ['"-aRk9pLx2q7"']);
    assert.deepEqual(args(['redis-cli', '-a']), []);
    assert.deepEqual(args(['valkey-cli', '-a', 'Rk9pLx2q7']), ['"Rk9pLx2q7"']);
    assert.deepEqual(args(['keydb-cli', '-a', 'Rk9pLx2q7']), ['"Rk9pLx2q7"']);
    assert.deepEqual(args(['mariadb', '-pRk9pLx2q7']), ['"-pRk9pLx2q7"']);
    assert.deepEqual(args(['mysql', '-p', 'Rk9pLx2q7']), []);
    assert.deepEqual(args(['mysql', '-p']), []);
    assert.deepEqual(args(['mysql', '-p$(MYSQL_PASSWORD)']), []);
    assert.deepEqual(args(['mysqladmin', '-pRk9pLx2q7', 'ping']), ['"-pRk9pLx2q7"']);
    assert.deepEqual(args(['sshpass', '-pRk9pLx2q7', 'ssh', 'h']), ['"-pRk9pLx2q7"']);
  });

  it('names the flag, the header or Authorization in the message, never the value', () => {
    const messageOf = (argv: string[]) =>
      diagnose(pod(app(`      command: ${JSON.stringify(argv)}\n`)))
        .map((d) => /command line \((.*?)\)\./.exec(d.message)?.[1])
        .join(' ');
    assert.equal(messageOf(['app', '--password=Rk9pLx2q7']), '--password');
    assert.equal(messageOf(['app', '--password', 'Rk9pLx2q7']), '--password');
    assert.equal(messageOf(['redis-cli', '-a', 'Rk9pLx2q7']), '-a');
    assert.equal(messageOf(['curl', '-H', 'X-Auth-Token: 9f2c7a1b5d3e']), 'X-Auth-Token');
    assert.equal(
      messageOf(['curl', '-H', 'authorization: Basic dXNlcjpSazlwTHgycTc=']),
      'Authorization',
    );
    assert.equal(messageOf(['app', '--url=postgres://u:Rk9pLx2q7@db/app']), '--url');
  });

  it('informs about Secret data in projected volumes, and about nothing else there', () => {
    const twoContainers = `${app('')}    - name: sidecar\n      image: y\n`;
    const volumes = (items: string) => `  volumes:\n${items}`;
    const text = pod(
      twoContainers,
      undefined,
      volumes(
        [
          '    - name: mixed',
          '      projected:',
          '        sources:',
          '          - serviceAccountToken: {path: t}',
          '          - secret: {name: s}',
          '    - name: config',
          '      projected:',
          '        sources:',
          '          - configMap: {name: c}',
          '          - "text"',
          '    - name: empty',
          '      emptyDir: {}',
          '    - "not a volume"',
          '    - secret: {secretName: unnamed}',
          '',
        ].join('\n'),
      ),
    );
    assert.deepEqual(
      diagnose(text).map((d) => [
        d.text,
        /The volume (\S*) holds (Secret data|a service)/.exec(d.message)?.slice(1),
      ]),
      [
        ['projected', ['mixed', 'Secret data']],
        ['secret', ['', 'Secret data']],
      ],
    );
  });

  it('counts sidecars, not init containers, among the containers that can reach a volume', () => {
    const volume = '  volumes:\n    - name: creds\n      secret: {secretName: c}\n';
    const withInit = (init: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  shareProcessNamespace: true\n  initContainers:\n    - name: init\n      image: x\n${init}  containers:\n    - name: app\n      image: y\n${volume}`;
    assert.deepEqual(codes(withInit('')), []);
    assert.deepEqual(codes(withInit('      restartPolicy: Always\n')), ['ppe-secret-volume']);
  });
});
