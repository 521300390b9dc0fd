export * from './types';
export { decodeFbcFile, fbcFileKind, readBundleBlob, readChannelBlob, readPackageBlob, type DecodedBlob, type JsonObject } from './blobs';
export { splitJsonValues, splitYamlDocuments, MAX_VALUE_BYTES } from './json-stream';
export { CatalogBuilder } from './model';
export { walkCatalogLayers, normaliseEntryPath, OPAQUE_WHITEOUT, WHITEOUT_PREFIX, type LayerVisitor } from './layers';
export {
  cacheBlobSource,
  configsDirOf,
  ociLayoutBlobSource,
  openCatalogFromSources,
  openOciLayoutCatalog,
  openRegistryCatalog,
  readingPlatform,
  registryBlobSource,
  teeToCache,
  type BlobSource,
  type CatalogImage,
  type CatalogLocation,
  type CatalogPlatform,
} from './source';
export { forEachCatalogBlob, openCatalog, readCatalogDirectory, readCatalogImage, type CatalogAccess } from './fbc';
export { channelHead, channelHeads, channelProblem, inSkipRange, inVersionRange, parseVersion } from './graph';
export {
  CatalogFilterError,
  combinationProblems,
  dependencyWarnings,
  filterCatalog,
  keptBundleNames,
  withoutBundles,
  type DependencyWarning,
  type FilteredChannel,
  type FilteredPackage,
  type FilterProblem,
  type FilterResult,
} from './filter';
export {
  bundleCompleteness,
  bundleKey,
  describeOperatorImage,
  operatorImages,
  type BundleRef,
  type Completeness,
  type IncompleteBundle,
  type OperatorImage,
  type OperatorImages,
} from './images';
export { filterBlob, writeFilteredCatalog, type CatalogContent, type WrittenCatalog } from './write';
export { catalogTarget, rebuildCatalog, rebuiltAsResolvedImage, REBUILT_CMD, REBUILT_CONFIGS_DIR, type RebuildOptions, type RebuiltCatalog } from './rebuild';
export { catalogImageNames, catalogResourceInputs, parseCatalogRecords, MAX_TEMPLATE_BYTES, type OperatorCatalogRecord, type PushedCatalogImage } from './records';
export { summarizeCatalog, type ChannelSummary, type PackageSummary } from './summary';
