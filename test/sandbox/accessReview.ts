// SelfSubjectAccessReview (authorization.k8s.io/v1), answered from the fault switches: everything
// is allowed unless forbidExec or forbiddenResources forbids it, the same rule that makes the
// requests themselves get 403.
import { forbids, type Faults } from './faults';
import { ApiError } from './status';
import type { Json } from './store';

export const AUTHORIZATION_GROUP = 'authorization.k8s.io';
export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

export const AUTHORIZATION_API_GROUP = {
  kind: 'APIGroup',
  apiVersion: 'v1',
  name: AUTHORIZATION_GROUP,
  versions: [{ groupVersion: `${AUTHORIZATION_GROUP}/v1`, version: 'v1' }],
  preferredVersion: { groupVersion: `${AUTHORIZATION_GROUP}/v1`, version: 'v1' },
};

export const AUTHORIZATION_RESOURCES = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: `${AUTHORIZATION_GROUP}/v1`,
  resources: [
    {
      name: 'selfsubjectaccessreviews',
      singularName: 'selfsubjectaccessreview',
      namespaced: false,
      kind: 'SelfSubjectAccessReview',
      verbs: ['create'],
    },
  ],
};

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The review with its status filled in, as the API server answers a create (201). */
export function reviewAccess(body: Json, faults: Faults): Json {
  if (body.kind !== undefined && body.kind !== 'SelfSubjectAccessReview') {
    throw ApiError.badRequest(`expected a SelfSubjectAccessReview, got ${text(body.kind)}`);
  }
  const spec = (body.spec ?? {}) as Json;
  const resource = spec.resourceAttributes as Json | undefined;
  const nonResource = spec.nonResourceAttributes as Json | undefined;
  if ((resource === undefined) === (nonResource === undefined)) {
    throw ApiError.invalid(
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  }
  // The switches name core-group resources; other groups and non-resource URLs are allowed.
  const allowed =
    resource === undefined ||
    text(resource.group) !== '' ||
    !forbids(faults, text(resource.resource), text(resource.subresource) || undefined);
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: `${AUTHORIZATION_GROUP}/v1`,
    metadata: { creationTimestamp: null },
    spec,
    status: { allowed },
  };
}

/** The fields of a protobuf message: field number → values (varints as numbers, the rest bytes). */
function protobufFields(bytes: Buffer): Map<number, (number | Buffer)[]> {
  const fields = new Map<number, (number | Buffer)[]>();
  let offset = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (offset >= bytes.length) {
        throw ApiError.badRequest('truncated protobuf body');
      }
      const byte = bytes[offset++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) {
        return value;
      }
    }
  };
  while (offset < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    let value: number | Buffer;
    switch (key & 7) {
      case 0:
        value = varint();
        break;
      case 1:
        value = bytes.subarray(offset, (offset += 8));
        break;
      case 2: {
        const length = varint();
        value = bytes.subarray(offset, (offset += length));
        break;
      }
      case 5:
        value = bytes.subarray(offset, (offset += 4));
        break;
      default:
        throw ApiError.badRequest(`unsupported protobuf wire type ${key & 7}`);
    }
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

function message(fields: Map<number, (number | Buffer)[]>, field: number) {
  const value = fields.get(field)?.[0];
  return Buffer.isBuffer(value) ? protobufFields(value) : undefined;
}

function strings(fields: Map<number, (number | Buffer)[]> | undefined, names: string[]): Json {
  const result: Json = {};
  names.forEach((name, index) => {
    const value = fields?.get(index + 1)?.[0];
    if (Buffer.isBuffer(value) && value.length > 0) {
      result[name] = value.toString('utf8');
    }
  });
  return result;
}

/**
 * Reads a SelfSubjectAccessReview sent as Kubernetes protobuf: the "k8s\0" magic, a
 * runtime.Unknown (1 typeMeta, 2 raw), and in raw the review (2 spec: 1 resourceAttributes,
 * 2 nonResourceAttributes).
 */
export function decodeAccessReview(bytes: Buffer): Json {
  if (bytes.subarray(0, 4).toString('latin1') !== 'k8s\0') {
    throw ApiError.badRequest('a protobuf body starts with k8s\\0');
  }
  const unknown = protobufFields(bytes.subarray(4));
  const typeMeta = strings(message(unknown, 1), ['apiVersion', 'kind']);
  const raw = unknown.get(2)?.[0];
  const review = protobufFields(Buffer.isBuffer(raw) ? raw : Buffer.alloc(0));
  const spec = message(review, 2);
  const resource = spec && message(spec, 1);
  const nonResource = spec && message(spec, 2);
  return {
    ...typeMeta,
    spec: {
      ...(resource
        ? {
            resourceAttributes: strings(resource, [
              'namespace',
              'verb',
              'group',
              'version',
              'resource',
              'subresource',
              'name',
            ]),
          }
        : {}),
      ...(nonResource ? { nonResourceAttributes: strings(nonResource, ['path', 'verb']) } : {}),
    },
  };
}
