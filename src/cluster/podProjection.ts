// What a view keeps of each pod it lists. On a real cluster most of a pod's bytes are managed
// fields, the environment, probes, volumes and tolerations, which no view reads; a tree of 20,000
// pods that kept whole objects would hold hundreds of MB (test/bench/scale measures it).

type Json = Record<string, unknown>;

/** Kept from `metadata`: a huge last-applied annotation is dropped, other annotations kept. */
const METADATA_FIELDS = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
  'labels',
  'annotations',
] as const;

/** Kept from `spec`: what the tree, the signals and the debug containers read. */
const SPEC_FIELDS = [
  'shareProcessNamespace',
  'nodeName',
  'restartPolicy',
  'securityContext',
  'hostPID',
  'hostNetwork',
] as const;

/** Kept of each container and init container: its identity, command, ports and privileges. */
const CONTAINER_FIELDS = [
  'name',
  'image',
  'command',
  'args',
  'ports',
  'resources',
  'securityContext',
  'restartPolicy',
  'stdin',
  'tty',
] as const;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pick(source: Json, fields: readonly string[]): Json {
  const picked: Json = {};
  for (const field of fields) {
    if (source[field] !== undefined) {
      picked[field] = source[field];
    }
  }
  return picked;
}

function containers(value: unknown): unknown {
  return Array.isArray(value)
    ? (value as unknown[]).map((container) =>
        isObject(container) ? pick(container, CONTAINER_FIELDS) : container,
      )
    : value;
}

/**
 * A pod's JSON (as the API sends it, before deserialization) with only what views use: names,
 * versions, labels and annotations; sharing, node, restart policy and security context of the
 * spec; each container's name, image, command, ports, resources and security context; ephemeral
 * containers whole (their environment carries the debug marker); the whole status. Anything that
 * is not a pod object is returned as it came.
 */
export function podForView(raw: unknown): unknown {
  if (!isObject(raw)) {
    return raw;
  }
  const view: Json = { apiVersion: raw.apiVersion, kind: raw.kind };
  if (isObject(raw.metadata)) {
    const metadata = pick(raw.metadata, METADATA_FIELDS);
    if (isObject(metadata.annotations) && LAST_APPLIED in metadata.annotations) {
      const annotations = { ...metadata.annotations };
      delete annotations[LAST_APPLIED];
      metadata.annotations = annotations;
    }
    view.metadata = metadata;
  }
  if (isObject(raw.spec)) {
    const spec = pick(raw.spec, SPEC_FIELDS);
    spec.containers = containers(raw.spec.containers);
    if (raw.spec.initContainers !== undefined) {
      spec.initContainers = containers(raw.spec.initContainers);
    }
    if (raw.spec.ephemeralContainers !== undefined) {
      spec.ephemeralContainers = raw.spec.ephemeralContainers;
    }
    view.spec = spec;
  }
  if (raw.status !== undefined) {
    view.status = raw.status;
  }
  return view;
}
