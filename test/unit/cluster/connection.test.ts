import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClusterError, type ClusterErrorKind } from '../../../src/cluster/clusterErrors';
import { ClusterSession } from '../../../src/cluster/clusterSession';
import { loadKubeconfig } from '../../../src/cluster/kubeconfig';

function isClusterError(kind: ClusterErrorKind, pattern?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ClusterError, String(error));
    assert.equal(error.kind, kind, error.message);
    if (pattern) {
      assert.match(error.message, pattern);
    }
    return true;
  };
}

describe('cluster: API requests', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let answer: (res: ServerResponse) => void;
  const seenAuthorization: (string | undefined)[] = [];

  before(async () => {
    server = createServer((req, res) => {
      seenAuthorization.push(req.headers.authorization);
      answer(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ppe-connection-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function session(user: string, cluster = `{server: "${url}", insecure-skip-tls-verify: true}`) {
    const file = path.join(dir, 'config');
    writeFileSync(
      file,
      [
        'current-context: c',
        `clusters: [{name: c, cluster: ${cluster}}]`,
        `users: [{name: me, user: ${user}}]`,
        'contexts: [{name: c, context: {cluster: c, user: me, namespace: team}}]',
        '',
      ].join('\n'),
    );
    return new ClusterSession(loadKubeconfig([file]), 'c', { requestTimeoutMs: 500 });
  }

  function json(code: number, body: unknown) {
    return (res: ServerResponse) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
  }

  it('sends the token and reads the answer', async () => {
    answer = json(200, {
      items: [{ metadata: { name: 'zeta' } }, { metadata: { name: 'alpha' } }],
    });
    const clusterSession = session('{token: abc}');
    assert.equal(clusterSession.server, url);
    assert.equal(clusterSession.userName, 'me');
    assert.equal(clusterSession.namespace, 'team');
    assert.deepEqual(await clusterSession.listNamespaces(), ['alpha', 'zeta']);
    assert.equal(seenAuthorization.at(-1), 'Bearer abc');
  });

  it('maps a 403 Status to forbidden, naming verb and resource', async () => {
    answer = json(403, {
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      message:
        'namespaces is forbidden: User "me" cannot list resource "namespaces" in API group "" at the cluster scope',
    });
    await assert.rejects(
      session('{token: abc}').listNamespaces(),
      isClusterError('forbidden', /"me" may not list namespaces/),
    );
  });

  it('times out a server that does not answer, and cancels on abort', async () => {
    answer = () => undefined;
    await assert.rejects(
      session('{token: abc}').listNamespaces(),
      isClusterError('timeout', new RegExp(`${url.replace(/[.]/g, '\\.')} did not answer`)),
    );
    const controller = new AbortController();
    const listing = session('{token: abc}').listNamespaces(controller.signal);
    controller.abort();
    await assert.rejects(listing, isClusterError('cancelled'));
  });

  it('fails every call once the session is disposed', async () => {
    answer = json(200, { items: [] });
    const clusterSession = session('{token: abc}');
    clusterSession.dispose();
    await assert.rejects(clusterSession.listNamespaces(), isClusterError('cancelled'));
  });

  it('reports an answer that is not JSON', async () => {
    answer = (res) => res.end('<html>proxy login</html>');
    await assert.rejects(session('{token: abc}').listNamespaces(), isClusterError('other', /JSON/));
  });

  it('reports credential plugins that cannot start or that fail', async () => {
    answer = json(200, { items: [] });
    await assert.rejects(
      session(
        '{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./no-such-plugin}}',
      ).listNamespaces(),
      isClusterError(
        'unauthorized',
        /credential plugin .*no-such-plugin.* of kubeconfig user "me"/,
      ),
    );
    const plugin = path.join(dir, 'failing-plugin');
    writeFileSync(plugin, '#!/bin/sh\necho "please run: cloud login" >&2\nexit 1\n', {
      mode: 0o755,
    });
    await assert.rejects(
      session(
        `{exec: {apiVersion: client.authentication.k8s.io/v1, command: ${plugin}}}`,
      ).listNamespaces(),
      isClusterError('unauthorized', /user "me": please run: cloud login/),
    );
  });

  it('masks a token or a password that a credential plugin quotes in its error', async () => {
    answer = json(200, { items: [] });
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06YWRtaW4ifQ.c2lnbmF0dXJlLXBhcnQ';
    const plugin = path.join(dir, 'quoting-plugin');
    writeFileSync(
      plugin,
      `#!/bin/sh\necho "refresh failed for Bearer ${token} at https://u:hunter2@sso.example/x" >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    const error = await session(
      `{exec: {apiVersion: client.authentication.k8s.io/v1, command: ${plugin}}}`,
    )
      .listNamespaces()
      .then(
        () => assert.fail('the plugin failed'),
        (failure: unknown) => failure,
      );
    assert.ok(error instanceof ClusterError, String(error));
    assert.match(error.message, /refresh failed for Bearer ••••••/);
    assert.ok(!error.message.includes(token.slice(0, 20)), error.message);
    assert.ok(!error.message.includes('hunter2'), error.message);
  });

  it('names the server without its user information in messages', async () => {
    const withUserinfo = url.replace('http://', 'http://admin:pa$$w0rd@');
    const shown = session(
      '{token: abc}',
      `{server: "${withUserinfo}", insecure-skip-tls-verify: true}`,
    );
    assert.equal(shown.server, url);
    answer = (res) => res.end('<html>proxy login</html>');
    await assert.rejects(
      shown.listNamespaces(),
      (error: unknown) =>
        error instanceof ClusterError &&
        error.message.includes(url) &&
        !error.message.includes('pa$$w0rd') &&
        !error.message.includes('admin'),
    );
  });

  it('reports a certificate file the kubeconfig names but that is missing', async () => {
    await assert.rejects(
      session('{token: abc}', `{server: "${url}", certificate-authority: ca.crt}`).listNamespaces(),
      isClusterError('badKubeconfig', /ca\.crt.*context "c"/),
    );
  });

  it('rejects a context, or a context whose cluster, the kubeconfig does not define', () => {
    const file = path.join(dir, 'config');
    writeFileSync(file, 'contexts: [{name: lost, context: {cluster: nowhere, user: me}}]\n');
    const loaded = loadKubeconfig([file]);
    assert.throws(() => new ClusterSession(loaded, 'other'), isClusterError('badKubeconfig'));
    assert.throws(
      () => new ClusterSession(loaded, 'lost'),
      isClusterError('badKubeconfig', /"nowhere"/),
    );
  });
});
