// A strict JSON schema for the workload kinds, generated offline from the model metadata of
// @kubernetes/client-node (each model class lists its fields and their types), so that
// yaml-language-server validates Kubernetes manifests without fetching a schema.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const MODELS = path.resolve(
  __dirname,
  '../../node_modules/@kubernetes/client-node/dist/gen/models',
);

interface Attribute {
  readonly baseName: string;
  readonly type: string;
  readonly format: string;
}

interface ModelClass {
  getAttributeTypeMap(): readonly Attribute[];
}

type Schema = Record<string, unknown>;

/** apiVersion and kind of every kind whose documents the schema validates, by model name. */
const WORKLOADS: Readonly<Record<string, readonly [string, string]>> = {
  V1Pod: ['v1', 'Pod'],
  V1PodTemplate: ['v1', 'PodTemplate'],
  V1ReplicationController: ['v1', 'ReplicationController'],
  V1Deployment: ['apps/v1', 'Deployment'],
  V1ReplicaSet: ['apps/v1', 'ReplicaSet'],
  V1StatefulSet: ['apps/v1', 'StatefulSet'],
  V1DaemonSet: ['apps/v1', 'DaemonSet'],
  V1Job: ['batch/v1', 'Job'],
  V1CronJob: ['batch/v1', 'CronJob'],
  V1ConfigMap: ['v1', 'ConfigMap'],
  V1Secret: ['v1', 'Secret'],
  V1Service: ['v1', 'Service'],
};

async function loadModel(name: string): Promise<ModelClass> {
  const module = (await import(pathToFileURL(path.join(MODELS, `${name}.js`)).href)) as Record<
    string,
    ModelClass
  >;
  return module[name];
}

export async function kubernetesSchema(): Promise<Schema> {
  const definitions: Record<string, Schema> = {};
  const queue = Object.keys(WORKLOADS);

  function typeSchema(type: string): Schema {
    const array = /^Array<(.+)>$/.exec(type);
    if (array) {
      return { type: 'array', items: typeSchema(array[1]) };
    }
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) {
      return { type: 'object', additionalProperties: typeSchema(map[1]) };
    }
    switch (type) {
      case 'string':
      case 'Date':
        return { type: 'string' };
      case 'number':
        return { type: 'number' };
      case 'boolean':
        return { type: 'boolean' };
      case 'IntOrString':
        return { type: ['integer', 'string'] };
      case 'any':
      case 'object':
        return {};
      default:
        queue.push(type);
        return { $ref: `#/definitions/${type}` };
    }
  }

  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (definitions[name]) {
      continue;
    }
    definitions[name] = {};
    const properties: Record<string, Schema> = {};
    for (const attribute of (await loadModel(name)).getAttributeTypeMap()) {
      properties[attribute.baseName] = typeSchema(attribute.type);
    }
    definitions[name] = { type: 'object', properties, additionalProperties: false };
  }
  for (const [name, [apiVersion, kind]] of Object.entries(WORKLOADS)) {
    const properties = (definitions[name].properties ?? {}) as Record<string, Schema>;
    properties.apiVersion = { const: apiVersion };
    properties.kind = { const: kind };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    definitions,
    type: 'object',
    required: ['apiVersion', 'kind'],
    allOf: Object.entries(WORKLOADS).map(([name, [, kind]]) => ({
      if: { properties: { kind: { const: kind } }, required: ['kind'] },
      then: { $ref: `#/definitions/${name}` },
    })),
  };
}
