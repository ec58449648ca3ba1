import assert from 'node:assert/strict';
import { isSecretName } from '../../../src/manifest/server/secretPatterns';
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
