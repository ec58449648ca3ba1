// What clients read before they act: version, API discovery, an OpenAPI v3 index, and the
// server-side Table format that `kubectl get` prints.
import { AUTHORIZATION_API_GROUP } from './accessReview';
import { NODE_NAME, type Json } from './store';

export const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-sandbox',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(serverAddress: string): Json {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export const API_GROUPS = {
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [
    {
      name: AUTHORIZATION_API_GROUP.name,
      versions: AUTHORIZATION_API_GROUP.versions,
      preferredVersion: AUTHORIZATION_API_GROUP.preferredVersion,
    },
  ],
};

const CRUD = ['create', 'delete', 'get', 'list', 'watch'];

export const CORE_RESOURCES = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [
    {
      name: 'namespaces',
      singularName: 'namespace',
      namespaced: false,
      kind: 'Namespace',
      verbs: CRUD,
      shortNames: ['ns'],
    },
    {
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: CRUD,
      shortNames: ['po'],
      categories: ['all'],
    },
    {
      name: 'pods/attach',
      singularName: '',
      namespaced: true,
      kind: 'PodAttachOptions',
      verbs: ['create', 'get'],
    },
    {
      name: 'pods/exec',
      singularName: '',
      namespaced: true,
      kind: 'PodExecOptions',
      verbs: ['create', 'get'],
    },
    {
      name: 'pods/ephemeralcontainers',
      singularName: '',
      namespaced: true,
      kind: 'Pod',
      verbs: ['get', 'patch', 'update'],
    },
    {
      name: 'events',
      singularName: 'event',
      namespaced: true,
      kind: 'Event',
      verbs: ['get', 'list', 'watch'],
      shortNames: ['ev'],
    },
  ],
};

// kubectl validates manifests on the server (fieldValidation=Strict) when the OpenAPI v3 PATCH
// operation of the kind declares that parameter; otherwise it downloads the full schema.
const OPENAPI_V1_HASH = 'sandbox1';

export const OPENAPI_ROOT = {
  paths: { 'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${OPENAPI_V1_HASH}` } },
};

function patchOperation(kind: string): Json {
  return {
    patch: {
      operationId: `patchCoreV1${kind}`,
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': { group: '', version: 'v1', kind },
      parameters: [
        { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
      ],
      responses: { '200': { description: 'OK' } },
    },
  };
}

export const OPENAPI_V1 = {
  openapi: '3.0.0',
  info: { title: 'Kubernetes (Pod Process Explorer sandbox)', version: VERSION.gitVersion },
  paths: {
    '/api/v1/namespaces/{namespace}/pods/{name}': patchOperation('Pod'),
    '/api/v1/namespaces/{name}': patchOperation('Namespace'),
  },
  components: { schemas: {} },
};

function age(timestamp: unknown): string {
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(String(timestamp))) / 1000));
  if (seconds < 120) {
    return `${seconds}s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    return `${minutes}m${seconds % 60}s`;
  }
  if (minutes < 180) {
    return `${minutes}m`;
  }
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.floor(hours / 24)}d`;
}

interface Column {
  name: string;
  type: string;
  format?: string;
  priority: number;
}

function column(name: string, type = 'string', priority = 0, format = ''): Column {
  return { name, type, format, priority, description: '' } as Column;
}

function podRow(pod: Json): unknown[] {
  const metadata = pod.metadata as Json;
  const status = pod.status as Json;
  const statuses = (status.containerStatuses as Json[] | undefined) ?? [];
  const ready = statuses.filter((s) => s.ready === true).length;
  const total = (pod.spec as { containers: unknown[] }).containers.length;
  const waiting = statuses
    .map((s) => (s.state as Json).waiting as Json | undefined)
    .find((state) => state?.reason);
  const reason = metadata.deletionTimestamp
    ? 'Terminating'
    : ((waiting?.reason as string | undefined) ?? (status.phase as string));
  const restarts = statuses.reduce((sum, s) => sum + Number(s.restartCount ?? 0), 0);
  return [
    metadata.name,
    `${ready}/${total}`,
    reason,
    restarts,
    age(metadata.creationTimestamp),
    status.podIP || '<none>',
    (pod.spec as Json).nodeName ?? NODE_NAME,
    '<none>',
    '<none>',
  ];
}

function namespaceRow(ns: Json): unknown[] {
  const metadata = ns.metadata as Json;
  return [metadata.name, (ns.status as Json).phase, age(metadata.creationTimestamp)];
}

const POD_COLUMNS = [
  column('Name', 'string', 0, 'name'),
  column('Ready'),
  column('Status'),
  column('Restarts', 'integer'),
  column('Age'),
  column('IP', 'string', 1),
  column('Node', 'string', 1),
  column('Nominated Node', 'string', 1),
  column('Readiness Gates', 'string', 1),
];

const NAMESPACE_COLUMNS = [column('Name', 'string', 0, 'name'), column('Status'), column('Age')];

export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '');
}

/** A meta.k8s.io/v1 Table, with each row's object as `includeObject` asks (Metadata by default). */
export function table(
  kind: 'pods' | 'namespaces',
  objects: Json[],
  resourceVersion: string,
  includeObject: string | null,
): Json {
  const rowOf = kind === 'pods' ? podRow : namespaceRow;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: kind === 'pods' ? POD_COLUMNS : NAMESPACE_COLUMNS,
    rows: objects.map((object) => ({
      cells: rowOf(object),
      ...(includeObject === 'None'
        ? {}
        : {
            object:
              includeObject === 'Object'
                ? object
                : {
                    kind: 'PartialObjectMetadata',
                    apiVersion: 'meta.k8s.io/v1',
                    metadata: object.metadata,
                  },
          }),
    })),
  };
}
