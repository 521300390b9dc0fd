// Validates objects against the upstream CustomResourceDefinitions in the shared schema directory
// (see its README.md), the way the API server would on `oc apply`, as far as JSON Schema can:
//  - the openAPIV3Schema of the version the object's apiVersion names, which must be served;
//  - Kubernetes extensions ajv does not know are ignored (`strict: false`), except
//    x-kubernetes-list-type `set` and `map`, which we enforce (uniqueness) as the server does;
//  - the server prunes fields a structural schema does not declare; we treat them as errors
//    (additionalProperties: false on every object that declares properties), so a misspelt field
//    cannot disappear silently on apply;
//  - x-kubernetes-validations (CEL rules) are not evaluated; the IDMS/ITMS CRDs have none.
// metadata is `type: object` in every CRD; the test checks names separately (DNS-1123).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { parse } from 'yaml';

// The upstream CRDs live in the shared material beside the project (../shared/schemas), in CI too.
export const CRD_DIR = process.env.AIRLOCK_CRD_DIR ?? join(__dirname, '..', '..', '..', '..', 'shared', 'schemas');

type Schema = { [key: string]: unknown };

interface CrdVersion {
  name: string;
  served: boolean;
  schema?: { openAPIV3Schema?: Schema };
}

interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Adds additionalProperties: false wherever the API server would prune unknown fields. */
function closeObjects(schema: Schema): void {
  if (isSchema(schema.properties) && schema.additionalProperties === undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
    schema.additionalProperties = false;
  }
  for (const value of Object.values(schema)) {
    if (Array.isArray(value)) value.filter(isSchema).forEach(closeObjects);
    else if (isSchema(value)) closeObjects(value);
  }
}

function listTypeHolds(listType: unknown, data: unknown, parentSchema: Schema | undefined): boolean {
  if (!Array.isArray(data)) return true;
  if (listType === 'set') return new Set(data.map((item) => JSON.stringify(item))).size === data.length;
  if (listType === 'map') {
    const keys = Array.isArray(parentSchema?.['x-kubernetes-list-map-keys']) ? (parentSchema['x-kubernetes-list-map-keys'] as string[]) : [];
    const seen = data.map((item) => JSON.stringify(keys.map((key) => (isSchema(item) ? item[key] : undefined))));
    return new Set(seen).size === seen.length;
  }
  return true;
}

export interface CrdValidator {
  readonly kind: string;
  readonly apiVersion: string;
  /** The problems with `object`, as `<instancePath> <message>` lines; empty when it validates. */
  errors(object: unknown): string[];
}

export function loadCrd(file: string, apiVersion: string): CrdValidator {
  const path = join(CRD_DIR, file);
  if (!existsSync(path)) {
    throw new Error(`CRD ${path} is missing; set AIRLOCK_CRD_DIR to the directory holding the upstream CRDs`);
  }
  const crd = parse(readFileSync(path, 'utf8')) as Crd;
  if (crd.kind !== 'CustomResourceDefinition') throw new Error(`${path} is not a CustomResourceDefinition`);
  const [group, version] = apiVersion.split('/');
  if (crd.spec.group !== group) throw new Error(`${path} defines group ${crd.spec.group}, not ${String(group)}`);
  const served = crd.spec.versions.find((v) => v.name === version);
  if (!served?.served) throw new Error(`${path} does not serve ${apiVersion}`);
  const root = served.schema?.openAPIV3Schema;
  if (!isSchema(root)) throw new Error(`${path} ${apiVersion} has no openAPIV3Schema`);
  const schema = structuredClone(root);
  closeObjects(schema);

  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('date-time', (value: string) => Number.isFinite(Date.parse(value)));
  ajv.addFormat('int', true);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    schemaType: 'string',
    validate: (listType: unknown, data: unknown, parentSchema?: Schema) => listTypeHolds(listType, data, parentSchema),
    error: { message: 'violates x-kubernetes-list-type (duplicate items or keys)' },
  });
  const validate = ajv.compile(schema);
  const kind = crd.spec.names.kind;
  return {
    kind,
    apiVersion,
    errors(object) {
      const problems: string[] = [];
      if (!validate(object)) problems.push(...(validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`));
      if (isSchema(object) && object.apiVersion !== apiVersion) problems.push(`/apiVersion is not ${apiVersion}`);
      if (isSchema(object) && object.kind !== kind) problems.push(`/kind is not ${kind}`);
      return problems;
    },
  };
}

/** Kubernetes' DNS-1123 subdomain, written out here independently of src/resources/meta.ts. */
export function isDnsSubdomain(name: unknown): boolean {
  return typeof name === 'string' && name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}
