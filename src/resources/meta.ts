import { AirlockError } from '../errors';
import type { ObjectMeta, ResourceMeta } from './types';

/**
 * Metadata shared by every generated object: the annotations that mark it as Airlock's (the way
 * oc-mirror marks its own with `createdBy: oc-mirror v2`, so `oc get ... -o jsonpath` can select
 * them) and the Kubernetes name rules the API server would enforce on apply.
 */
export const CREATED_BY = 'airlock';

export const ANNOTATION_CREATED_BY = 'createdBy';
export const ANNOTATION_CREATED_AT = 'createdAt';
export const ANNOTATION_VERSION = 'airlock_version';

const CREATED_AT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const MAX_VERSION_LENGTH = 100;

/** Throws CLUSTER_RESOURCE_INPUT_INVALID unless createdAt is an ISO 8601 UTC time and version is sane. */
export function checkResourceMeta(meta: ResourceMeta): void {
  const { createdAt, version } = meta;
  if (typeof createdAt !== 'string' || !CREATED_AT_PATTERN.test(createdAt) || !Number.isFinite(Date.parse(createdAt))) {
    throw new AirlockError('CLUSTER_RESOURCE_INPUT_INVALID', `createdAt ${JSON.stringify(createdAt)} is not an ISO 8601 UTC time`, {
      context: { actual: String(createdAt), expected: 'YYYY-MM-DDTHH:MM:SS[.fraction]Z' },
      hint: "pass the transfer set's createdAt or the import time as Date.toISOString() gives it",
    });
  }
  if (typeof version !== 'string' || version === '' || version.length > MAX_VERSION_LENGTH || /[\u0000-\u001f\u007f]/.test(version)) {
    throw new AirlockError('CLUSTER_RESOURCE_INPUT_INVALID', `version ${JSON.stringify(version)} is not a printable version string`, {
      context: { actual: String(version) },
      hint: 'pass AIRLOCK_VERSION',
    });
  }
}

/** The annotations every generated object carries. */
export function airlockAnnotations(meta: ResourceMeta): Readonly<Record<string, string>> {
  return {
    [ANNOTATION_CREATED_AT]: meta.createdAt,
    [ANNOTATION_CREATED_BY]: CREATED_BY,
    [ANNOTATION_VERSION]: meta.version,
  };
}

const DNS1123_LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL}(?:\\.${DNS1123_LABEL})*$`);
const DNS1123_LABEL_ONLY = new RegExp(`^${DNS1123_LABEL}$`);
const MAX_SUBDOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;

/** Kubernetes' IsDNS1123Subdomain: what most object names (IDMS, ITMS, ConfigMap ...) must be. */
export function isDns1123Subdomain(name: string): boolean {
  return name.length <= MAX_SUBDOMAIN_LENGTH && DNS1123_SUBDOMAIN.test(name);
}

/** Kubernetes' IsDNS1123Label: namespaces, and names that become label values or host names. */
export function isDns1123Label(name: string): boolean {
  return name.length <= MAX_LABEL_LENGTH && DNS1123_LABEL_ONLY.test(name);
}

const QUALIFIED_NAME = /^(?:[A-Za-z0-9]|[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9])$/;

/** Kubernetes' IsQualifiedName: `[prefix/]name`, the form of annotation and label keys. */
export function isQualifiedName(key: string): boolean {
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0 && !isDns1123Subdomain(key.slice(0, slash))) return false;
  return name.length <= MAX_LABEL_LENGTH && QUALIFIED_NAME.test(name);
}

/** Problems the API server would reject in our metadata; empty when it is valid. */
export function objectMetaIssues(meta: ObjectMeta, options: { namespaced: boolean }): string[] {
  const issues: string[] = [];
  if (!isDns1123Subdomain(meta.name)) {
    issues.push(`metadata.name ${JSON.stringify(meta.name)} is not a DNS-1123 subdomain (lower case letters, digits, "-" and ".", at most ${MAX_SUBDOMAIN_LENGTH} characters)`);
  }
  if (options.namespaced && (meta.namespace === undefined || !isDns1123Label(meta.namespace))) {
    issues.push(`metadata.namespace ${JSON.stringify(meta.namespace)} is not a DNS-1123 label`);
  }
  if (!options.namespaced && meta.namespace !== undefined) issues.push('metadata.namespace is set on a cluster-scoped object');
  for (const [key, value] of Object.entries(meta.annotations)) {
    if (!isQualifiedName(key)) issues.push(`annotation key ${JSON.stringify(key)} is not a qualified name`);
    if (typeof value !== 'string') issues.push(`annotation ${key} is not a string`);
  }
  if (meta.annotations[ANNOTATION_CREATED_BY] !== CREATED_BY) issues.push(`annotation ${ANNOTATION_CREATED_BY} is not "${CREATED_BY}"`);
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    if (!isQualifiedName(key)) issues.push(`label key ${JSON.stringify(key)} is not a qualified name`);
    if (typeof value !== 'string' || (value !== '' && (value.length > MAX_LABEL_LENGTH || !QUALIFIED_NAME.test(value)))) {
      issues.push(`label ${key} has an invalid value ${JSON.stringify(value)}`);
    }
  }
  return issues;
}
