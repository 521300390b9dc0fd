/**
 * The cluster resources Airlock writes for the administrator to `oc apply` after an import, as plain
 * readonly data shaped exactly like the Kubernetes objects (they are serialised as they are).
 *
 * `ClusterResource` is the union of every kind; a kind added here must also get an entry in
 * RESOURCE_KINDS (kinds.ts), which the compiler enforces. CatalogSource, ClusterCatalog,
 * UpdateService and the release signature ConfigMap join the union with their issues.
 */

/** The metadata Airlock sets: a name, maybe a namespace, labels, and the Airlock annotations. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** One `source` -> `mirrors` rule of an ImageDigestMirrorSet or ImageTagMirrorSet. */
export interface ImageMirrors {
  /** host[:port][/namespace...][/repo]. */
  readonly source: string;
  /** The same forms as source, sorted and without duplicates. */
  readonly mirrors: readonly string[];
}

export const CONFIG_OPENSHIFT_V1 = 'config.openshift.io/v1';

export interface ImageDigestMirrorSet {
  readonly apiVersion: typeof CONFIG_OPENSHIFT_V1;
  readonly kind: 'ImageDigestMirrorSet';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly imageDigestMirrors: readonly ImageMirrors[] };
}

export interface ImageTagMirrorSet {
  readonly apiVersion: typeof CONFIG_OPENSHIFT_V1;
  readonly kind: 'ImageTagMirrorSet';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly imageTagMirrors: readonly ImageMirrors[] };
}

export const CORE_V1 = 'v1';
export const UPDATE_SERVICE_V1 = 'updateservice.operator.openshift.io/v1';

/**
 * A ConfigMap carrying binary data only: the release signature ConfigMap the cluster-version
 * operator reads (label release.openshift.io/verification-signatures, keys sha256-<hex>-<n>).
 */
export interface ConfigMap {
  readonly apiVersion: typeof CORE_V1;
  readonly kind: 'ConfigMap';
  readonly metadata: ObjectMeta;
  /** Base64 values, as the API carries binaryData. */
  readonly binaryData: Readonly<Record<string, string>>;
}

/** The OpenShift Update Service application (updateservice.operator.openshift.io/v1). */
export interface UpdateService {
  readonly apiVersion: typeof UPDATE_SERVICE_V1;
  readonly kind: 'UpdateService';
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** The graph-data image in the target registry. */
    readonly graphDataImage: string;
    /** The repository the release payloads are tagged in, e.g. registry.enclave:5000/openshift/release-images. */
    readonly releases: string;
    readonly replicas: number;
  };
}

export const OPERATORS_COREOS_V1ALPHA1 = 'operators.coreos.com/v1alpha1';
export const OLM_OPERATORFRAMEWORK_V1 = 'olm.operatorframework.io/v1';

/**
 * OLM v0 CatalogSource for a mirrored operator catalog (catalog-sources.ts). `spec` also holds what
 * a targetCatalogSourceTemplate adds (updateStrategy, displayName, grpcPodConfig ...).
 */
export interface CatalogSourceResource {
  readonly apiVersion: typeof OPERATORS_COREOS_V1ALPHA1;
  readonly kind: 'CatalogSource';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly sourceType: 'grpc'; readonly image: string; readonly [field: string]: unknown };
}

/** OLM v1 ClusterCatalog for a mirrored operator catalog (catalog-sources.ts). */
export interface ClusterCatalogResource {
  readonly apiVersion: typeof OLM_OPERATORFRAMEWORK_V1;
  readonly kind: 'ClusterCatalog';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly source: { readonly type: 'Image'; readonly image: { readonly ref: string } } };
}

export type ClusterResource = ImageDigestMirrorSet | ImageTagMirrorSet | ConfigMap | UpdateService | CatalogSourceResource | ClusterCatalogResource;

export type ClusterResourceKind = ClusterResource['kind'];

export type ResourceOfKind<K extends ClusterResourceKind> = Extract<ClusterResource, { kind: K }>;

/** Which images a mirror set entry came from, as oc-mirror groups them. */
export type MirrorCategory = 'release' | 'operator' | 'generic';

/** The order objects of the different categories are generated in. */
export const MIRROR_CATEGORIES: readonly MirrorCategory[] = ['release', 'operator', 'generic'];

/**
 * What every generated object records about its origin. Both values come from the caller, never
 * from a clock inside the generator, so the same transfer set always gives the same bytes.
 */
export interface ResourceMeta {
  /** ISO 8601 UTC, e.g. the transfer set's createdAt or the import time: 2025-03-01T12:00:00Z. */
  readonly createdAt: string;
  /** The Airlock version that generated the objects (AIRLOCK_VERSION). */
  readonly version: string;
}
