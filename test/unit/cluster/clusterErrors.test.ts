import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import {
  ApiResponseError,
  ClusterError,
  containerStartTimeoutError,
  imagePullError,
  podNotRunningError,
  toClusterError,
  type ClusterErrorContext,
  type ClusterErrorKind,
} from '../../../src/cluster/clusterErrors';

const SERVER = 'https://10.0.0.1:6443';
const CONTEXT: ClusterErrorContext = { server: SERVER, user: 'jane@dev', context: 'dev' };

function status(code: number, reason: string, message: string, details?: object): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

function nodeError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

function classify(error: unknown, context: ClusterErrorContext = CONTEXT): ClusterError {
  const mapped = toClusterError(error, context);
  assert.ok(mapped instanceof ClusterError);
  assert.equal(mapped.name, 'ClusterError');
  return mapped;
}

function assertKind(error: unknown, kind: ClusterErrorKind, context?: ClusterErrorContext) {
  const mapped = classify(error, context);
  assert.equal(mapped.kind, kind, mapped.message);
  return mapped;
}

describe('cluster: error classification', () => {
  describe('Status bodies', () => {
    it('401: unauthorized, naming the server and the kubeconfig user', () => {
      const error = assertKind(
        new ApiResponseError(401, status(401, 'Unauthorized', 'Unauthorized')),
        'unauthorized',
      );
      assert.match(error.message, /https:\/\/10\.0\.0\.1:6443/);
      assert.match(error.message, /"jane@dev"/);
      assert.match(error.message, /credentials expired or rejected/);
      assert.equal(error.details.httpStatus, 401);
    });

    it("403 from RBAC: forbidden, with the Status's verb, resource/subresource and namespace", () => {
      const body = status(
        403,
        'Forbidden',
        'pods "nginx" is forbidden: User "jane" cannot create resource "pods/exec" in API group "" in the namespace "default"',
        { name: 'nginx', kind: 'pods' },
      );
      const error = assertKind(new ApiResponseError(403, body), 'forbidden', {
        ...CONTEXT,
        verb: 'get',
      });
      assert.match(error.message, /create pods\/exec in namespace default/);
      assert.match(error.message, /"jane"/);
      assert.match(error.message, /get and create/);
      assert.deepEqual(
        [error.details.verb, error.details.resource, error.details.subresource],
        ['create', 'pods', 'exec'],
      );
      assert.equal(error.details.namespace, 'default');
      assert.equal(error.details.name, 'nginx');
    });

    it('403 at the cluster scope, and 403 without a Status, from the context', () => {
      const clusterScope = assertKind(
        new ApiResponseError(
          403,
          status(
            403,
            'Forbidden',
            'namespaces is forbidden: User "jane" cannot list resource "namespaces" in API group "" at the cluster scope',
          ),
        ),
        'forbidden',
      );
      assert.match(clusterScope.message, /may not list namespaces\./);
      const bare = assertKind(new ApiResponseError(403, 'Forbidden'), 'forbidden', {
        ...CONTEXT,
        verb: 'watch',
        resource: 'pods',
        namespace: 'web',
      });
      assert.match(bare.message, /"jane@dev" may not watch pods in namespace web/);
    });

    it('404, 409, 410, 422, 400, 504 and 500 by their codes', () => {
      const notFound = assertKind(
        new ApiResponseError(404, status(404, 'NotFound', 'pods "gone" not found')),
        'notFound',
      );
      assert.match(notFound.message, /pods "gone" not found/);
      assertKind(
        new ApiResponseError(409, status(409, 'AlreadyExists', 'pods "x" already exists')),
        'conflict',
      );
      const gone = assertKind(
        new ApiResponseError(410, status(410, 'Expired', 'too old resource version: 1 (2)')),
        'gone',
      );
      assert.match(gone.message, /too old resource version/);
      assertKind(new ApiResponseError(422, status(422, 'Invalid', 'spec: Invalid')), 'invalid');
      assertKind(
        new ApiResponseError(400, status(400, 'BadRequest', 'container shell is not valid')),
        'invalid',
      );
      assertKind(new ApiResponseError(504, status(504, 'Timeout', 'Timeout: request')), 'timeout');
      const internal = assertKind(
        new ApiResponseError(500, status(500, 'InternalError', 'Internal error occurred: etcd')),
        'other',
      );
      assert.match(internal.message, /HTTP 500: Internal error occurred: etcd/);
    });

    it('a watch ERROR event (a Status object) with 410: gone', () => {
      assertKind(JSON.parse(status(410, 'Expired', 'too old resource version')), 'gone');
    });

    it("an exec's InternalError saying the executable is missing: noShell", () => {
      const error = assertKind(
        {
          metadata: {},
          status: 'Failure',
          message:
            'Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "1f2e": OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown',
          reason: 'InternalError',
          details: { causes: [{ message: 'OCI runtime exec failed' }] },
          code: 500,
        },
        'noShell',
        { ...CONTEXT, container: 'distroless' },
      );
      assert.match(error.message, /Container "distroless" cannot run "sh"/);
    });

    it("client-node's ApiException: by code, with or without a body", () => {
      assertKind(new ApiException(401, 'Unauthorized', undefined, {}), 'unauthorized');
      const forbidden = assertKind(
        new ApiException(
          403,
          'Unknown API Status Code!',
          status(
            403,
            'Forbidden',
            'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "kube-system"',
          ),
          {},
        ),
        'forbidden',
      );
      assert.match(forbidden.message, /list pods in namespace kube-system/);
      assertKind(new ApiException(404, 'Not found', undefined, {}), 'notFound');
    });

    it("client-node's Watch error (statusCode) and ws's bare upgrade error", () => {
      assertKind(Object.assign(new Error('Gone'), { statusCode: 410 }), 'gone');
      assertKind(new Error('Unexpected server response: 403'), 'forbidden');
    });

    it('never copies request headers or tokens into the message', () => {
      const error = classify(
        new ApiException(401, 'Unauthorized', undefined, {
          authorization: 'Bearer secret-token-value',
        }),
      );
      assert.doesNotMatch(error.message, /secret-token-value/);
    });
  });

  describe('Node, undici and ws errors', () => {
    it('connection failures: unreachable, naming the server', () => {
      const cases: [string, RegExp][] = [
        ['ECONNREFUSED', /connection refused/],
        ['ENOTFOUND', /host name not found/],
        ['EAI_AGAIN', /host name not found/],
        ['ETIMEDOUT', /timed out/],
        ['ECONNRESET', /closed unexpectedly/],
        ['EHOSTUNREACH', /network unreachable/],
        ['UND_ERR_CONNECT_TIMEOUT', /timed out/],
      ];
      for (const [code, reason] of cases) {
        const error = assertKind(nodeError(code), 'unreachable');
        assert.match(error.message, /Cannot reach the cluster at https:\/\/10\.0\.0\.1:6443/);
        assert.match(error.message, reason, code);
      }
    });

    it('TLS failures: unreachable with the reason', () => {
      assert.match(
        assertKind(nodeError('DEPTH_ZERO_SELF_SIGNED_CERT'), 'unreachable').message,
        /not trusted.*certificate-authority/,
      );
      assert.match(
        assertKind(nodeError('CERT_HAS_EXPIRED'), 'unreachable').message,
        /certificate has expired/,
      );
      assert.match(
        assertKind(nodeError('ERR_TLS_CERT_ALTNAME_INVALID'), 'unreachable').message,
        /does not match its host name/,
      );
      assert.match(
        assertKind(nodeError('ERR_SSL_WRONG_VERSION_NUMBER'), 'unreachable').message,
        /TLS handshake failed/,
      );
    });

    it("undici's fetch failed, and AggregateError from trying several addresses", () => {
      assertKind(
        new TypeError('fetch failed', { cause: nodeError('ECONNREFUSED') }),
        'unreachable',
      );
      assertKind(
        new AggregateError([nodeError('ECONNREFUSED'), nodeError('ENETUNREACH')], 'connect'),
        'unreachable',
      );
    });

    it('AbortError: cancelled; TimeoutError (also as an abort cause): timeout', () => {
      assertKind(new DOMException('aborted', 'AbortError'), 'cancelled');
      assertKind(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }), 'cancelled');
      assertKind(new DOMException('timed out', 'TimeoutError'), 'timeout');
      const abortedByTimeout = Object.assign(new Error('aborted'), {
        name: 'AbortError',
        cause: new DOMException('timed out', 'TimeoutError'),
      });
      assertKind(abortedByTimeout, 'timeout');
    });

    it('keeps a ClusterError as it is, and calls anything else other', () => {
      const original = new ClusterError('truncated', 'cut');
      assert.equal(toClusterError(original, CONTEXT), original);
      const other = assertKind(new Error('something odd'), 'other');
      assert.match(other.message, /something odd/);
      assertKind('a string', 'other');
    });
  });
  describe('debug containers (pods/ephemeralcontainers)', () => {
    const patch: ClusterErrorContext = {
      ...CONTEXT,
      verb: 'patch',
      resource: 'pods',
      subresource: 'ephemeralcontainers',
      namespace: 'shop',
      name: 'web-1',
    };

    it('403: names patch pods/ephemeralcontainers and the attach it also needs', () => {
      const error = assertKind(
        new ApiResponseError(
          403,
          status(
            403,
            'Forbidden',
            'pods "web-1" is forbidden: User "jane" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "shop"',
          ),
        ),
        'forbidden',
        patch,
      );
      assert.match(error.message, /may not patch pods\/ephemeralcontainers in namespace shop/);
      assert.match(error.message, /patch verb on pods\/ephemeralcontainers .*pods\/attach/);
    });

    it('404 without a named object: the cluster does not serve the subresource', () => {
      const error = assertKind(
        new ApiResponseError(
          404,
          status(404, 'NotFound', 'the server could not find the requested resource'),
        ),
        'notFound',
        patch,
      );
      assert.match(error.message, /does not serve pods\/ephemeralcontainers/);
      assert.match(error.message, new RegExp(SERVER.replace(/[.]/g, '\\.')));
    });

    it('404 naming the pod: the pod is gone', () => {
      const error = assertKind(
        new ApiResponseError(
          404,
          status(404, 'NotFound', 'pods "web-1" not found', { name: 'web-1', kind: 'pods' }),
        ),
        'notFound',
        patch,
      );
      assert.match(error.message, /pods "web-1" not found/);
    });

    it('409: the pod changed or was recreated since it was shown', () => {
      const error = assertKind(
        new ApiResponseError(
          409,
          status(
            409,
            'Conflict',
            'Operation cannot be fulfilled on pods "web-1": the object has been modified; please apply your changes to the latest version and try again',
          ),
        ),
        'conflict',
        patch,
      );
      assert.match(error.message, /Pod web-1 changed or was recreated since it was shown/);
    });

    it('image pull, pod not running and start timeout read as what to do', () => {
      const context = { ...patch, container: 'debugger-x2b4c' };
      const pull = imagePullError(
        context,
        'no-such:1',
        'ErrImagePull',
        'failed to pull and unpack image "docker.io/library/no-such:1": not found',
      );
      assert.equal(pull.kind, 'imagePull');
      assert.match(
        pull.message,
        /"debugger-x2b4c" cannot start: image "no-such:1" cannot be pulled \(ErrImagePull: failed to pull/,
      );
      const pending = podNotRunningError(context, 'Pending');
      assert.equal(pending.kind, 'notRunning');
      assert.match(
        pending.message,
        /Pod web-1 is Pending: a debug container can be added only to a running pod/,
      );
      const late = containerStartTimeoutError(context, 120_000, 'ContainerCreating');
      assert.equal(late.kind, 'timeout');
      assert.match(late.message, /not running after 120 seconds \(last state: ContainerCreating\)/);
    });
  });
});
