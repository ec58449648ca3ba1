import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClusterError } from '../../../src/cluster/clusterErrors';
import {
  kubeconfigPaths,
  kubeConfigForContext,
  loadKubeconfig,
  mergeKubeconfigs,
} from '../../../src/cluster/kubeconfig';

function cluster(name: string, server: string, extra: Record<string, unknown> = {}) {
  return { name, cluster: { server, ...extra } };
}

function context(name: string, clusterName: string, user: string, namespace?: string) {
  return { name, context: { cluster: clusterName, user, ...(namespace ? { namespace } : {}) } };
}

function assertClusterError(kind: string, file: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ClusterError, String(error));
    assert.equal(error.kind, kind);
    assert.equal(error.details.file, file);
    assert.ok(error.message.includes(file), error.message);
    return true;
  };
}

describe('cluster: kubeconfig', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ppe-kubeconfig-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function file(name: string, text = 'apiVersion: v1\nkind: Config\n'): string {
    const full = path.join(dir, name);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
    return full;
  }

  describe('kubeconfigPaths', () => {
    it('takes the setting first, with ~ expanded, even when KUBECONFIG is set', () => {
      assert.deepEqual(
        kubeconfigPaths({
          setting: '~/clusters/dev.yaml',
          envKubeconfig: '/x',
          homeDir: '/home/me',
        }),
        [path.join('/home/me', 'clusters/dev.yaml')],
      );
      assert.deepEqual(kubeconfigPaths({ setting: '/etc/kube.yaml', homeDir: '/home/me' }), [
        '/etc/kube.yaml',
      ]);
    });

    it('splits KUBECONFIG on the platform delimiter, dropping empty, repeated and missing entries', () => {
      const first = file('a.yaml');
      const second = file('b.yaml');
      const missing = path.join(dir, 'missing.yaml');
      const env = ['', first, missing, second, first, ''].join(path.delimiter);
      assert.deepEqual(kubeconfigPaths({ envKubeconfig: env, homeDir: '/home/me' }), [
        first,
        second,
      ]);
      assert.deepEqual(kubeconfigPaths({ setting: '  ', envKubeconfig: env, homeDir: '/h' }), [
        first,
        second,
      ]);
    });

    it('falls back to ~/.kube/config', () => {
      assert.deepEqual(kubeconfigPaths({ homeDir: '/home/me' }), ['/home/me/.kube/config']);
      assert.deepEqual(kubeconfigPaths({ envKubeconfig: '', homeDir: '/home/me' }), [
        '/home/me/.kube/config',
      ]);
    });
  });

  describe('mergeKubeconfigs', () => {
    it('keeps the first definition of each name and the first current-context, as kubectl', () => {
      const merged = mergeKubeconfigs([
        {
          path: '/a/config',
          config: {
            clusters: [cluster('shared', 'https://first')],
            users: [{ name: 'admin', user: { token: 'first' } }],
            contexts: [context('dev', 'shared', 'admin')],
          },
        },
        {
          path: '/b/config',
          config: {
            'current-context': 'prod',
            clusters: [cluster('shared', 'https://second'), cluster('other', 'https://other')],
            users: [{ name: 'admin', user: { token: 'second' } }],
            contexts: [context('dev', 'other', 'admin'), context('prod', 'other', 'admin', 'web')],
          },
        },
        { path: '/c/config', config: { 'current-context': 'dev' } },
      ]);
      assert.equal(merged.currentContext, 'prod');
      assert.deepEqual(
        merged.clusters.map((c) => [c.name, c.value.server, c.file]),
        [
          ['shared', 'https://first', '/a/config'],
          ['other', 'https://other', '/b/config'],
        ],
      );
      assert.equal(merged.users[0].value.token, 'first');
      assert.deepEqual(
        merged.contexts.map((c) => [c.name, c.value.cluster, c.value.namespace]),
        [
          ['dev', 'shared', undefined],
          ['prod', 'other', 'web'],
        ],
      );
    });

    it('resolves relative paths against the directory of the file that names them', () => {
      const merged = mergeKubeconfigs([
        {
          path: '/home/me/.kube/config',
          config: {
            clusters: [cluster('a', 'https://a', { 'certificate-authority': 'certs/ca.crt' })],
            users: [
              {
                name: 'cert',
                user: {
                  'client-certificate': 'certs/me.crt',
                  'client-key': '/abs/me.key',
                  tokenFile: '../token',
                },
              },
              { name: 'plugin', user: { exec: { command: './bin/get-token', args: ['x'] } } },
              { name: 'on-path', user: { exec: { command: 'aws' } } },
            ],
          },
        },
        {
          path: '/srv/team/kubeconfig',
          config: {
            clusters: [cluster('b', 'https://b', { 'certificate-authority': 'ca.pem' })],
          },
        },
      ]);
      assert.equal(
        merged.clusters[0].value['certificate-authority'],
        '/home/me/.kube/certs/ca.crt',
      );
      assert.equal(merged.clusters[1].value['certificate-authority'], '/srv/team/ca.pem');
      const [cert, plugin, onPath] = merged.users.map((u) => u.value);
      assert.equal(cert['client-certificate'], '/home/me/.kube/certs/me.crt');
      assert.equal(cert['client-key'], '/abs/me.key');
      assert.equal(cert.tokenFile, '/home/me/token');
      assert.deepEqual(plugin.exec, { command: '/home/me/.kube/bin/get-token', args: ['x'] });
      // A bare command is looked up on PATH, not next to the file.
      assert.deepEqual(onPath.exec, { command: 'aws' });
    });

    it('treats an empty file as an empty config', () => {
      const merged = mergeKubeconfigs([
        { path: '/empty', config: null },
        { path: '/a', config: { 'current-context': 'x', contexts: [context('x', 'c', 'u')] } },
      ]);
      assert.equal(merged.currentContext, 'x');
      assert.equal(merged.contexts.length, 1);
    });

    it('rejects a malformed file, naming it', () => {
      assert.throws(
        () => mergeKubeconfigs([{ path: '/bad/list', config: { clusters: { name: 'x' } } }]),
        assertClusterError('badKubeconfig', '/bad/list'),
      );
      assert.throws(
        () => mergeKubeconfigs([{ path: '/bad/name', config: { users: [{ user: {} }] } }]),
        assertClusterError('badKubeconfig', '/bad/name'),
      );
      assert.throws(
        () => mergeKubeconfigs([{ path: '/bad/scalar', config: 'just text' }]),
        assertClusterError('badKubeconfig', '/bad/scalar'),
      );
    });
  });

  describe('loadKubeconfig', () => {
    it('merges files in order into contexts, current context and a KubeConfig', () => {
      const first = file(
        'one/config',
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- name: dev',
          '  cluster: {server: "https://dev.example:6443/"}',
          'users:',
          '- name: dev-user',
          '  user: {token: abc}',
          'contexts:',
          '- name: dev',
          '  context: {cluster: dev, user: dev-user, namespace: team}',
          '',
        ].join('\n'),
      );
      const second = file(
        'two/config',
        [
          'current-context: prod',
          'clusters:',
          '- name: prod',
          '  cluster: {server: "https://prod.example"}',
          '- name: broken',
          '  cluster: {}',
          'contexts:',
          '- name: prod',
          '  context: {cluster: prod, user: dev-user}',
          '- name: dev',
          '  context: {cluster: prod, user: nobody}',
          '',
        ].join('\n'),
      );
      const loaded = loadKubeconfig([first, second]);
      assert.deepEqual(loaded.paths, [first, second]);
      assert.equal(loaded.currentContext, 'prod');
      assert.deepEqual(loaded.contexts, [
        { name: 'dev', cluster: 'dev', user: 'dev-user', namespace: 'team' },
        { name: 'prod', cluster: 'prod', user: 'dev-user' },
      ]);
      assert.equal(loaded.kubeConfig.getCurrentContext(), 'prod');
      assert.equal(loaded.kubeConfig.getCluster('dev')?.server, 'https://dev.example:6443');
      // A cluster client-node cannot use is left out, not fatal for the others.
      assert.equal(loaded.kubeConfig.getCluster('broken'), null);
    });

    it('reports a missing file as noKubeconfig and bad YAML as badKubeconfig, naming the file', () => {
      const missing = path.join(dir, 'nope');
      assert.throws(() => loadKubeconfig([missing]), assertClusterError('noKubeconfig', missing));
      const bad = file('bad.yaml', 'clusters: [\n  - name: x\n');
      assert.throws(() => loadKubeconfig([bad]), assertClusterError('badKubeconfig', bad));
      assert.throws(
        () => loadKubeconfig([]),
        (error: unknown) => error instanceof ClusterError && error.kind === 'noKubeconfig',
      );
    });

    it('reads a tokenFile (relative to its kubeconfig) on each request, trimmed', async () => {
      const token = file('secrets/token', 'first-token\n');
      const config = file(
        'config',
        [
          'current-context: c',
          'clusters: [{name: c, cluster: {server: "https://c.example"}}]',
          'users: [{name: u, user: {tokenFile: secrets/token}}]',
          'contexts: [{name: c, context: {cluster: c, user: u}}]',
          '',
        ].join('\n'),
      );
      const kubeConfig = kubeConfigForContext(loadKubeconfig([config]), 'c');
      const authorization = async () => {
        const options: RequestOptions = {};
        await kubeConfig.applyToHTTPSOptions(options);
        return (options.headers as Record<string, string>).Authorization;
      };
      assert.equal(await authorization(), 'Bearer first-token');
      writeFileSync(token, 'rotated\n');
      assert.equal(await authorization(), 'Bearer rotated');
    });
  });
});
