// The one place that turns whatever the cluster layer meets (client-node, undici, ws, Node, Status
// bodies, exec status frames) into a ClusterError whose message a person can act on.
import * as l10n from '@vscode/l10n';

export type ClusterErrorKind =
  | 'noKubeconfig'
  | 'badKubeconfig'
  | 'unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'noShell'
  | 'timeout'
  | 'cancelled'
  | 'truncated'
  | 'tooLarge'
  | 'gone'
  | 'conflict'
  | 'invalid'
  | 'imagePull'
  | 'notRunning'
  | 'other';

export interface ClusterErrorDetails {
  server?: string;
  user?: string;
  context?: string;
  verb?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** The container of an exec or attach. */
  container?: string;
  exitCode?: number;
  httpStatus?: number;
  /** The kubeconfig file a noKubeconfig/badKubeconfig error is about. */
  file?: string;
}

/** What the caller was doing, so a message can say it when the error itself does not. */
export type ClusterErrorContext = Omit<ClusterErrorDetails, 'exitCode' | 'httpStatus' | 'file'>;

export class ClusterError extends Error {
  override readonly name = 'ClusterError';

  constructor(
    readonly kind: ClusterErrorKind,
    message: string,
    readonly details: ClusterErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Loads the extension's l10n bundle into this bundle's copy of @vscode/l10n. */
export function configureClusterL10n(contents: string | Record<string, string>): void {
  l10n.config({ contents });
}

/** A non-2xx answer from the API server, with its body (usually a metav1.Status) as text. */
export class ApiResponseError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly body: string,
  ) {
    super(`HTTP ${httpStatus}`);
  }
}

/** The parts of a metav1.Status the mapper reads. */
export interface StatusObject {
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
}

const REASON_CODES: Record<string, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  Invalid: 422,
  Timeout: 504,
  ServerTimeout: 504,
};

// What container runtimes say when the command's executable does not exist in the image
// (containerd/runc: `exec: "sh": executable file not found in $PATH`; crun: "executable file `sh`
// not found in $PATH"; a missing absolute path: "no such file or directory").
const NOT_FOUND_EXECUTABLE =
  /executable file .{0,200}not found in \$PATH|exec: "[^"]*": (?:stat [^:]*: )?no such file or directory|OCI runtime attempt(?:ed)? to invoke a command that was not found/;

const DEFAULT_TIMEOUT_SECONDS = 30;

export function parseStatus(text: string): StatusObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isStatusObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isStatusObject(value: unknown): value is StatusObject {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const candidate = value as Record<string, unknown>;
  return (
    candidate.kind === 'Status' ||
    ((candidate.status === 'Failure' || candidate.status === 'Success') &&
      ('reason' in candidate || 'message' in candidate || 'code' in candidate))
  );
}

/** True when a runtime's message says the command's executable does not exist in the container. */
export function isMissingExecutableMessage(text: string): boolean {
  return NOT_FOUND_EXECUTABLE.test(text);
}

interface HttpFailure {
  httpStatus?: number;
  status?: StatusObject;
  /** A body that is not a Status (a proxy's HTML page, plain text). */
  text?: string;
}

function httpFailureOf(error: unknown): HttpFailure | undefined {
  if (error instanceof ApiResponseError) {
    const status = parseStatus(error.body);
    return { httpStatus: error.httpStatus, status, text: status ? undefined : error.body };
  }
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  if (isStatusObject(error)) {
    return { httpStatus: error.code, status: error };
  }
  const record = error as Record<string, unknown>;
  // client-node's ApiException: `code` is the HTTP status, `body` the response text (or undefined).
  if (typeof record.code === 'number' && record.code >= 100 && record.code < 600) {
    const body = record.body;
    const status =
      typeof body === 'string'
        ? parseStatus(body)
        : isStatusObject(body)
          ? body
          : Buffer.isBuffer(body)
            ? parseStatus(body.toString('utf8'))
            : undefined;
    return { httpStatus: record.code, status, text: typeof body === 'string' ? body : undefined };
  }
  // client-node's Watch and other HTTP clients put the status on `statusCode`.
  if (typeof record.statusCode === 'number') {
    return { httpStatus: record.statusCode };
  }
  // ws without an 'unexpected-response' listener.
  const match = /^Unexpected server response: (\d{3})$/.exec(String(record.message));
  if (match) {
    return { httpStatus: Number(match[1]) };
  }
  return undefined;
}

/** The first Node/undici error code in the error, its causes, or an AggregateError's errors. */
function systemCodeOf(error: unknown, depth = 0): { code: string; message: string } | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) {
    return undefined;
  }
  const record = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === 'string' && record.code !== '') {
    return {
      code: record.code,
      message: typeof record.message === 'string' ? record.message : '',
    };
  }
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) {
      const found = systemCodeOf(inner, depth + 1);
      if (found) {
        return found;
      }
    }
  }
  return systemCodeOf(record.cause, depth + 1);
}

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' &&
    error !== null &&
    'name' in error &&
    typeof error.name === 'string'
    ? error.name
    : undefined;
}

function isTimeoutError(error: unknown): boolean {
  if (errorName(error) === 'TimeoutError') {
    return true;
  }
  return (
    errorName(error) === 'AbortError' &&
    typeof error === 'object' &&
    error !== null &&
    errorName((error as { cause?: unknown }).cause) === 'TimeoutError'
  );
}

function isAbortError(error: unknown): boolean {
  return (
    errorName(error) === 'AbortError' ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { code?: unknown }).code === 'ABORT_ERR')
  );
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
}

function unreachableReason(code: string, message: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return l10n.t('connection refused');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return l10n.t('host name not found');
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return l10n.t('connection timed out');
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return l10n.t('the connection was closed unexpectedly');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
    case 'EHOSTDOWN':
      return l10n.t('network unreachable');
    case 'CERT_HAS_EXPIRED':
      return l10n.t("the server's certificate has expired");
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return l10n.t("the server's certificate does not match its host name");
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_UNTRUSTED':
    case 'CERT_SIGNATURE_FAILURE':
      return l10n.t(
        "the server's certificate is not trusted ({0}); check certificate-authority in the kubeconfig",
        code,
      );
    default:
      if (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code.startsWith('ERR_TLS_')) {
        return l10n.t('the TLS handshake failed ({0})', code);
      }
      return message || code;
  }
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

function isUnreachableCode(code: string): boolean {
  return (
    UNREACHABLE_CODES.has(code) ||
    code.startsWith('UND_ERR_') ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_')
  );
}

function unreachableError(reason: string, context: ClusterErrorContext, cause: unknown) {
  const message = context.server
    ? l10n.t('Cannot reach the cluster at {0}: {1}', context.server, reason)
    : l10n.t('Cannot reach the cluster: {0}', reason);
  return new ClusterError('unreachable', message, { ...context }, { cause });
}

export function timeoutError(context: ClusterErrorContext, timeoutMs?: number): ClusterError {
  const seconds = Math.max(1, Math.round((timeoutMs ?? DEFAULT_TIMEOUT_SECONDS * 1000) / 1000));
  const message = context.server
    ? l10n.t('The cluster at {0} did not answer within {1} seconds.', context.server, seconds)
    : l10n.t('The cluster did not answer within {0} seconds.', seconds);
  return new ClusterError('timeout', message, { ...context });
}

export function cancelledError(context: ClusterErrorContext): ClusterError {
  return new ClusterError('cancelled', l10n.t('The operation was cancelled.'), { ...context });
}

export function truncatedError(context: ClusterErrorContext, cause?: unknown): ClusterError {
  return new ClusterError(
    'truncated',
    l10n.t(
      'The connection to the container ended before the command reported its exit status: output may be truncated.',
    ),
    { ...context },
    { cause },
  );
}

/** An exec whose output passed its budget: it was stopped, and nothing of it is used. */
export function outputTooLargeError(context: ClusterErrorContext, maxBytes: number): ClusterError {
  return new ClusterError(
    'tooLarge',
    l10n.t(
      'The command in container {0} sent more than {1} MB, its limit for this operation, and was stopped: its output is not used.',
      context.container ?? '',
      Math.round((maxBytes / 1024 / 1024) * 10) / 10,
    ),
    { ...context },
  );
}

function resourceText(resource: string | undefined, subresource: string | undefined): string {
  if (!resource) {
    return '';
  }
  return subresource ? `${resource}/${subresource}` : resource;
}

// RBAC's denial: `pods "nginx" is forbidden: User "jane" cannot get resource "pods/exec" in API
// group "" in the namespace "default"` (or "at the cluster scope").
const FORBIDDEN_MESSAGE =
  /User "([^"]*)" cannot (\S+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]*)")?/;

function forbiddenError(
  status: StatusObject | undefined,
  context: ClusterErrorContext,
  cause: unknown,
): ClusterError {
  const parsed = FORBIDDEN_MESSAGE.exec(status?.message ?? '');
  const [parsedResource, parsedSubresource] = parsed ? parsed[3].split('/', 2) : [];
  const details: ClusterErrorDetails = {
    ...context,
    httpStatus: 403,
    user: parsed?.[1] || context.user,
    verb: parsed?.[2] ?? context.verb,
    resource: parsedResource ?? context.resource,
    subresource: parsed ? parsedSubresource : context.subresource,
    namespace: parsed ? (parsed[5] ?? context.namespace) : context.namespace,
    name: status?.details?.name || context.name,
  };
  const what = resourceText(details.resource, details.subresource);
  let message: string;
  if (details.verb && what) {
    message = details.namespace
      ? l10n.t(
          'Forbidden: user "{0}" may not {1} {2} in namespace {3}.',
          details.user ?? '?',
          details.verb,
          what,
          details.namespace,
        )
      : l10n.t('Forbidden: user "{0}" may not {1} {2}.', details.user ?? '?', details.verb, what);
  } else {
    message = l10n.t(
      'Forbidden: {0}',
      status?.message ?? l10n.t('the cluster refused the request.'),
    );
  }
  if (
    details.resource === 'pods' &&
    (details.subresource === 'exec' || details.subresource === 'attach')
  ) {
    message +=
      ' ' +
      l10n.t(
        'Running commands in a container needs the get and create verbs on {0} (Kubernetes 1.35 checks both).',
        `pods/${details.subresource}`,
      );
  }
  if (details.resource === 'pods' && details.subresource === 'ephemeralcontainers') {
    message +=
      ' ' +
      l10n.t(
        'Adding a debug container needs the patch verb on pods/ephemeralcontainers (and get and create on pods/attach to attach to it).',
      );
  }
  return new ClusterError('forbidden', message, details, { cause });
}

function unauthorizedError(context: ClusterErrorContext, cause: unknown): ClusterError {
  const where = context.server ?? '?';
  const message = context.user
    ? l10n.t(
        'The cluster at {0} did not accept the credentials of kubeconfig user "{1}" (credentials expired or rejected). Log in again or update the kubeconfig.',
        where,
        context.user,
      )
    : l10n.t(
        'The cluster at {0} did not accept the credentials (credentials expired or rejected). Log in again or update the kubeconfig.',
        where,
      );
  return new ClusterError('unauthorized', message, { ...context, httpStatus: 401 }, { cause });
}

function notFoundError(
  status: StatusObject | undefined,
  context: ClusterErrorContext,
  cause: unknown,
): ClusterError {
  const details: ClusterErrorDetails = {
    ...context,
    httpStatus: 404,
    name: status?.details?.name || context.name,
  };
  let message: string;
  if (context.subresource === 'ephemeralcontainers' && !status?.details?.name) {
    // The pod exists (the tree showed it) but the API has no such subresource.
    message = l10n.t(
      'The cluster at {0} does not serve pods/ephemeralcontainers (Kubernetes before 1.23, or the EphemeralContainers feature is off), so debug containers cannot be added.',
      context.server ?? '?',
    );
  } else if (status?.message) {
    message = l10n.t('Not found: {0}', status.message);
  } else if (details.resource && details.name) {
    message = details.namespace
      ? l10n.t(
          '{0} "{1}" was not found in namespace {2}.',
          details.resource,
          details.name,
          details.namespace,
        )
      : l10n.t('{0} "{1}" was not found.', details.resource, details.name);
  } else {
    message = l10n.t('The cluster does not know the requested resource.');
  }
  return new ClusterError('notFound', message, details, { cause });
}

/** The exec's command could not start: its executable is not in the container's image. */
export function noShellError(
  context: ClusterErrorContext,
  runtimeMessage: string,
  command?: readonly string[],
  exitCode?: number,
  cause?: unknown,
): ClusterError {
  const program =
    command?.[0] ??
    /exec: "([^"]*)"|executable file `([^`]*)`/.exec(runtimeMessage)?.slice(1).find(Boolean) ??
    '?';
  const message = l10n.t(
    'Container "{0}" cannot run "{1}": the executable is not in its image ({2}). Minimal images have no shell: use another container of the pod or a debug container.',
    context.container ?? '?',
    program,
    runtimeMessage.trim().split('\n')[0].slice(0, 300),
  );
  return new ClusterError('noShell', message, { ...context, exitCode }, { cause });
}

/** A container's image cannot be pulled: the kubelet's reason and message from its status. */
export function imagePullError(
  context: ClusterErrorContext,
  image: string,
  reason: string,
  message: string,
): ClusterError {
  return new ClusterError(
    'imagePull',
    message.trim()
      ? l10n.t(
          'Container "{0}" cannot start: image "{1}" cannot be pulled ({2}: {3}).',
          context.container ?? '?',
          image,
          reason,
          message.trim().slice(0, 500),
        )
      : l10n.t(
          'Container "{0}" cannot start: image "{1}" cannot be pulled ({2}).',
          context.container ?? '?',
          image,
          reason,
        ),
    { ...context },
  );
}

/** The pod is not running (pending, finished, terminating): no container can be added or reached. */
export function podNotRunningError(context: ClusterErrorContext, phase: string): ClusterError {
  return new ClusterError(
    'notRunning',
    l10n.t(
      'Pod {0} is {1}: a debug container can be added only to a running pod.',
      context.name ?? '?',
      phase,
    ),
    { ...context },
  );
}

/** A new container did not run: it failed to start, or it ended before it could be used. */
export function containerNotStartedError(
  context: ClusterErrorContext,
  reason: string,
  detail: string,
): ClusterError {
  return new ClusterError(
    'notRunning',
    detail
      ? l10n.t(
          'Container "{0}" did not start ({1}: {2}).',
          context.container ?? '?',
          reason,
          detail,
        )
      : l10n.t('Container "{0}" did not start ({1}).', context.container ?? '?', reason),
    { ...context },
  );
}

/** A new container was still not running when the wait for it ended. */
export function containerStartTimeoutError(
  context: ClusterErrorContext,
  timeoutMs: number,
  lastReason: string | undefined,
): ClusterError {
  return new ClusterError(
    'timeout',
    l10n.t(
      'Container "{0}" was not running after {1} seconds (last state: {2}). It may still start: it stays in the pod and shows in the tree.',
      context.container ?? '?',
      Math.max(1, Math.round(timeoutMs / 1000)),
      lastReason ?? l10n.t('no status yet'),
    ),
    { ...context },
  );
}

function fromHttpFailure(
  failure: HttpFailure,
  context: ClusterErrorContext,
  cause: unknown,
): ClusterError {
  const { status } = failure;
  const httpStatus =
    failure.httpStatus ??
    status?.code ??
    (status?.reason ? REASON_CODES[status.reason] : undefined);
  const serverMessage =
    status?.message?.trim() || failure.text?.trim().slice(0, 300) || `HTTP ${httpStatus ?? '?'}`;
  const details: ClusterErrorDetails = { ...context, httpStatus };
  if (status?.message && isMissingExecutableMessage(status.message)) {
    return noShellError(context, status.message, undefined, undefined, cause);
  }
  if (status?.reason === 'Timeout' || status?.reason === 'ServerTimeout') {
    return new ClusterError(
      'timeout',
      l10n.t('The cluster gave up waiting: {0}', serverMessage),
      details,
      { cause },
    );
  }
  switch (httpStatus) {
    case 401:
      return unauthorizedError(context, cause);
    case 403:
      return forbiddenError(status, context, cause);
    case 404:
      return notFoundError(status, context, cause);
    case 409:
      return new ClusterError(
        'conflict',
        context.subresource === 'ephemeralcontainers'
          ? l10n.t(
              'Pod {0} changed or was recreated since it was shown, so no debug container was added ({1}). Try again on the pod as it is now.',
              context.name ?? '?',
              serverMessage,
            )
          : l10n.t('Conflict: {0}', serverMessage),
        details,
        { cause },
      );
    case 410:
      return new ClusterError(
        'gone',
        l10n.t('The cluster no longer has the requested version: {0}', serverMessage),
        details,
        { cause },
      );
    case 400:
    case 422:
      return new ClusterError(
        'invalid',
        l10n.t('The cluster refused the request: {0}', serverMessage),
        details,
        { cause },
      );
    case 408:
    case 504:
      return new ClusterError(
        'timeout',
        l10n.t('The cluster gave up waiting: {0}', serverMessage),
        details,
        { cause },
      );
    default:
      return new ClusterError(
        'other',
        httpStatus
          ? l10n.t('The cluster answered with HTTP {0}: {1}', httpStatus, serverMessage)
          : l10n.t('The cluster reported a failure: {0}', serverMessage),
        details,
        { cause },
      );
  }
}

/**
 * Classifies any error thrown while talking to a cluster. `context` names what was being done
 * (server, kubeconfig user, verb, resource, namespace, name) for messages the error cannot fill in.
 */
export function toClusterError(error: unknown, context: ClusterErrorContext = {}): ClusterError {
  if (error instanceof ClusterError) {
    return error;
  }
  if (isTimeoutError(error)) {
    return timeoutError(context);
  }
  if (isAbortError(error)) {
    return cancelledError(context);
  }
  const failure = httpFailureOf(error);
  if (failure) {
    return fromHttpFailure(failure, context, error);
  }
  const system = systemCodeOf(error);
  if (system && isUnreachableCode(system.code)) {
    return unreachableError(unreachableReason(system.code, system.message), context, error);
  }
  // undici's fetch wraps the network error: TypeError('fetch failed', { cause }).
  if (error instanceof TypeError && error.message === 'fetch failed') {
    return unreachableError(messageOf(error.cause ?? error), context, error);
  }
  return new ClusterError(
    'other',
    l10n.t('Unexpected error while talking to the cluster: {0}', messageOf(error)),
    { ...context },
    { cause: error },
  );
}
