import assert from 'node:assert/strict';
import { maskArgv, maskSecretShapes, urlForDisplay } from '../../../src/secrets/secretPatterns';
import { looksSecret, parseEnviron } from '../../../src/processes/environment';
import { NAMED_VALUES, SECRET_ARGVS, SHAPED_VALUES } from '../../fixtures/secrets/secretShapes';

describe('processes: secret masking', () => {
  it('has forty secret shapes to check', () => {
    assert.equal(SHAPED_VALUES.length + NAMED_VALUES.length + SECRET_ARGVS.length, 40);
  });

  for (const { text, secret } of SHAPED_VALUES) {
    it(`masks ${JSON.stringify(text.slice(0, 40))}… wherever it sits`, () => {
      assert.ok(looksSecret('SETTING', text), 'its variable is masked');
      const masked = maskSecretShapes(`before ${text} after`);
      assert.ok(!masked.includes(secret), masked);
      assert.ok(masked.startsWith('before ') && masked.endsWith(' after'), masked);
      const argv = maskArgv(['app', `--setting=${text}`, text]).join(' ');
      assert.ok(!argv.includes(secret), argv);
      const parsed = parseEnviron(Buffer.from(`PATH=/bin\0SETTING=${text}\0`));
      assert.equal(parsed.kind, 'variables');
    });
  }

  it('masks values under secret names, and the values of secret flags', () => {
    for (const { name, text } of NAMED_VALUES) {
      assert.ok(looksSecret(name, text), name);
      assert.equal(maskArgv([`${name}=${text}`])[0], `${name}=••••••`);
    }
    for (const { argv, secret } of SECRET_ARGVS) {
      const shown = maskArgv(argv).join(' ');
      assert.ok(!shown.includes(secret), shown);
      assert.ok(shown.startsWith(argv[0]), 'the program is still shown');
    }
  });

  it('masks secret flags and assignments inside a script or a string of options', () => {
    const masked = maskArgv([
      'sh',
      '-c',
      'export DB_PASSWORD=scr-pw-1; exec app --token "scr-tok-2" --auth none --key $KEY_FROM_ENV',
      '-Xmx1g -Dssl.keyStorePassword=scr-ks-3 -jar app.jar',
    ]);
    assert.deepEqual(masked, [
      'sh',
      '-c',
      'export DB_PASSWORD=••••••; exec app --token "••••••" --auth none --key $KEY_FROM_ENV',
      '-Xmx1g -Dssl.keyStorePassword=•••••• -jar app.jar',
    ]);
  });

  it('masks a bearer token quoted without its header', () => {
    const masked = maskSecretShapes('401: Bearer k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdz rejected');
    assert.equal(masked, '401: Bearer •••••• rejected');
  });

  it('shows a URL without its user information, its signed query masked', () => {
    assert.equal(
      urlForDisplay('https://admin:s3cr%24t@10.0.0.1:6443/k8s'),
      'https://10.0.0.1:6443/k8s',
    );
    assert.equal(urlForDisplay('https://ghp_token@git.example'), 'https://git.example');
    assert.equal(urlForDisplay('https://h:6443/?sig=abc&x=1'), 'https://h:6443/?sig=••••••&x=1');
    assert.equal(urlForDisplay('https://10.0.0.1:6443'), 'https://10.0.0.1:6443');
  });

  it('leaves ordinary command lines alone', () => {
    for (const argv of [
      ['nginx', '-g', 'daemon off;'],
      ['sleep', '3600'],
      ['app', '--auth', 'none', '--password-file=/run/pw', '--listen=0.0.0.0:8080'],
      ['curl', 'https://example.com/a?b=c&d=e'],
      ['java', '-Dfile.encoding=UTF-8', '-jar', 'app.jar'],
    ]) {
      assert.deepEqual(maskArgv(argv), argv);
    }
  });
});
