import { catalogResourcesFor, type MirroredCatalog } from './catalog-sources';
import { mirrorSetsFor, type MirroredImage } from './mirror-sets';
import { signatureConfigMap, updateService, type ReleaseSignatureInput, type UpdateServiceInput } from './release-resources';
import type { ClusterResource, ResourceMeta } from './types';

/**
 * The registry of generators: each one turns what the import knows into some of the cluster
 * resources. Mirror sets today; CatalogSource, ClusterCatalog, UpdateService and the signature
 * ConfigMap are added here (with what they need added to the input) as their issues land.
 */
export interface ClusterResourceInput {
  /** The images that were mirrored successfully (failed ones get no rules, as in oc-mirror). */
  readonly images: readonly MirroredImage[];
  readonly meta: ResourceMeta;
  /** The --max-nested-paths the destinations were computed with; 0 or absent for none. */
  readonly maxNestedPaths?: number;
  /** Verified signatures of the release payloads that were imported: the signature ConfigMap. */
  readonly releaseSignatures?: readonly ReleaseSignatureInput[];
  /** `graph: true`: the UpdateService for the imported graph-data image and release repository. */
  readonly updateService?: UpdateServiceInput;
  /** Operator catalogs the import pushed: a CatalogSource and a ClusterCatalog each (cs-*.yaml, cc-*.yaml). */
  readonly catalogs?: readonly MirroredCatalog[];
}

export interface ClusterResourceGenerator {
  readonly name: string;
  generate(input: ClusterResourceInput): readonly ClusterResource[];
}

export const mirrorSetGenerator: ClusterResourceGenerator = {
  name: 'mirror-sets',
  generate(input) {
    const sets = mirrorSetsFor(input.images, input.meta, { maxNestedPaths: input.maxNestedPaths ?? 0 });
    return [...sets.digestMirrorSets, ...sets.tagMirrorSets];
  },
};

export const signatureConfigMapGenerator: ClusterResourceGenerator = {
  name: 'signature-configmap',
  generate(input) {
    const cm = input.releaseSignatures ? signatureConfigMap(input.releaseSignatures, input.meta) : undefined;
    return cm ? [cm] : [];
  },
};

export const updateServiceGenerator: ClusterResourceGenerator = {
  name: 'update-service',
  generate(input) {
    return input.updateService ? [updateService(input.updateService, input.meta)] : [];
  },
};

export const catalogSourceGenerator: ClusterResourceGenerator = {
  name: 'catalog-sources',
  generate(input) {
    return catalogResourcesFor(input.catalogs ?? [], input.meta);
  },
};

export const CLUSTER_RESOURCE_GENERATORS: readonly ClusterResourceGenerator[] = [mirrorSetGenerator, signatureConfigMapGenerator, updateServiceGenerator, catalogSourceGenerator];

/** Runs every generator, in registry order. */
export function generateClusterResources(
  input: ClusterResourceInput,
  generators: readonly ClusterResourceGenerator[] = CLUSTER_RESOURCE_GENERATORS,
): ClusterResource[] {
  return generators.flatMap((generator) => [...generator.generate(input)]);
}
