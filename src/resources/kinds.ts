import { catalogResourceFileName, catalogSourceIssues, clusterCatalogIssues } from './catalog-sources';
import { imageMirrorsIssues } from './mirror-sets';
import { objectMetaIssues } from './meta';
import { SIGNATURE_CONFIGMAP_JSON_FILE, SIGNATURE_CONFIGMAP_YAML_FILE, signatureConfigMapIssues, UPDATE_SERVICE_FILE, updateServiceIssues } from './release-resources';
import { CONFIG_OPENSHIFT_V1, CORE_V1, OLM_OPERATORFRAMEWORK_V1, OPERATORS_COREOS_V1ALPHA1, UPDATE_SERVICE_V1, type ClusterResource, type ClusterResourceKind, type ResourceOfKind } from './types';

/**
 * What the writer needs to know about each kind of cluster resource. The mapped type makes the
 * compiler insist on an entry for every member of ClusterResource, so a new kind cannot be
 * generated without saying where it is written and how it is checked.
 */
export interface ResourceKindSpec<R extends ClusterResource> {
  readonly apiVersion: R['apiVersion'];
  readonly namespaced: boolean;
  /**
   * The file in cluster-resources/ the object goes to. Objects that map to the same file share it,
   * one YAML document each (all mirror sets of a kind in one file, as oc-mirror does).
   */
  readonly fileName: (resource: R) => string;
  /** Also written as JSON to this file, one object per file (oc-mirror's signature-configmap.json). */
  readonly jsonFileName?: (resource: R) => string;
  /** Problems specific to the kind, beyond the metadata checks every kind gets. */
  readonly issues: (resource: R) => string[];
}

export const IDMS_FILE = 'idms-airlock.yaml';
export const ITMS_FILE = 'itms-airlock.yaml';

export const RESOURCE_KINDS: { readonly [K in ClusterResourceKind]: ResourceKindSpec<ResourceOfKind<K>> } = {
  ImageDigestMirrorSet: {
    apiVersion: CONFIG_OPENSHIFT_V1,
    namespaced: false,
    fileName: () => IDMS_FILE,
    issues: (r) => imageMirrorsIssues(r.spec.imageDigestMirrors, 'spec.imageDigestMirrors'),
  },
  ImageTagMirrorSet: {
    apiVersion: CONFIG_OPENSHIFT_V1,
    namespaced: false,
    fileName: () => ITMS_FILE,
    issues: (r) => imageMirrorsIssues(r.spec.imageTagMirrors, 'spec.imageTagMirrors'),
  },
  ConfigMap: {
    apiVersion: CORE_V1,
    namespaced: true,
    fileName: () => SIGNATURE_CONFIGMAP_YAML_FILE,
    jsonFileName: () => SIGNATURE_CONFIGMAP_JSON_FILE,
    issues: signatureConfigMapIssues,
  },
  UpdateService: {
    apiVersion: UPDATE_SERVICE_V1,
    namespaced: true,
    fileName: () => UPDATE_SERVICE_FILE,
    issues: updateServiceIssues,
  },
  CatalogSource: {
    apiVersion: OPERATORS_COREOS_V1ALPHA1,
    namespaced: true,
    fileName: catalogResourceFileName,
    issues: catalogSourceIssues,
  },
  ClusterCatalog: {
    apiVersion: OLM_OPERATORFRAMEWORK_V1,
    namespaced: false,
    fileName: catalogResourceFileName,
    issues: clusterCatalogIssues,
  },
};

/** The spec of a resource's kind, or undefined for a kind this Airlock does not know. */
export function resourceKindSpec(resource: ClusterResource): ResourceKindSpec<ClusterResource> | undefined {
  // The mapped type above pairs each kind with the spec for exactly that kind; TypeScript cannot
  // follow the correlation through an index with a union key, hence the widening.
  const specs = RESOURCE_KINDS as Readonly<Record<string, ResourceKindSpec<ClusterResource>>>;
  return Object.hasOwn(specs, resource.kind) ? specs[resource.kind] : undefined;
}

/** Everything wrong with a resource, as `<Kind>/<name>: <problem>` lines; empty when it is valid. */
export function clusterResourceIssues(resource: ClusterResource): string[] {
  const label = `${String(resource.kind)}/${String(resource.metadata?.name)}`;
  const spec = resourceKindSpec(resource);
  if (!spec) return [`${label}: unknown kind`];
  const issues: string[] = [];
  if (resource.apiVersion !== spec.apiVersion) issues.push(`apiVersion is ${JSON.stringify(resource.apiVersion)}, not ${spec.apiVersion}`);
  issues.push(...objectMetaIssues(resource.metadata, { namespaced: spec.namespaced }));
  issues.push(...spec.issues(resource));
  return issues.map((issue) => `${label}: ${issue}`);
}
