/**
 * The file-based catalog (FBC) as Airlock holds it in memory: only what filtering, image collection
 * and dependency hints need. The heavy parts of a bundle (`olm.bundle.object`, `olm.csv.metadata`,
 * icons, descriptions) are never kept: the rebuilt catalog copies blobs from the source a second
 * time (see rebuild.ts), so the model stays small even for the real redhat-operator-index.
 */

/** The label a catalog image names its FBC directory with; `/configs` when it is absent. */
export const CONFIGS_LABEL = 'operators.operatorframework.io.index.configs.v1';
export const DEFAULT_CONFIGS_DIR = '/configs';

export const SCHEMA_PACKAGE = 'olm.package';
export const SCHEMA_CHANNEL = 'olm.channel';
export const SCHEMA_BUNDLE = 'olm.bundle';
export const SCHEMA_DEPRECATIONS = 'olm.deprecations';

export const PROPERTY_PACKAGE = 'olm.package';
export const PROPERTY_PACKAGE_REQUIRED = 'olm.package.required';
export const PROPERTY_GVK = 'olm.gvk';
export const PROPERTY_GVK_REQUIRED = 'olm.gvk.required';

/** One entry of an `olm.channel`: the upgrade edges into this bundle. */
export interface ChannelEntry {
  readonly name: string;
  readonly replaces?: string;
  readonly skips?: readonly string[];
  readonly skipRange?: string;
}

export interface FbcChannel {
  readonly package: string;
  readonly name: string;
  /** In catalog order. */
  readonly entries: readonly ChannelEntry[];
}

export interface RelatedImage {
  readonly name?: string;
  readonly image: string;
}

export interface Gvk {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface PackageRequirement {
  readonly packageName: string;
  readonly versionRange: string;
}

export interface FbcBundle {
  readonly package: string;
  readonly name: string;
  /** The bundle image; empty for bundles that have none (rare, but the schema allows it). */
  readonly image: string;
  /** From the `olm.package` property; undefined when the bundle does not say. */
  readonly version?: string;
  readonly relatedImages: readonly RelatedImage[];
  readonly providedGvks: readonly Gvk[];
  readonly requiredPackages: readonly PackageRequirement[];
  readonly requiredGvks: readonly Gvk[];
}

export interface FbcPackage {
  readonly name: string;
  readonly defaultChannel?: string;
  readonly channels: ReadonlyMap<string, FbcChannel>;
  readonly bundles: ReadonlyMap<string, FbcBundle>;
}

/** A file of the FBC directory that survived the layering of the image (or the directory walk). */
export interface CatalogFile {
  /** Index of the image layer it comes from; 0 for a directory. */
  readonly layer: number;
  /** Path relative to the image root (or to the directory), `/`-separated, without a leading `/`. */
  readonly path: string;
}

export interface FbcCatalog {
  /** Sorted by name. */
  readonly packages: ReadonlyMap<string, FbcPackage>;
  /** The FBC directory inside the image, e.g. `/configs`. */
  readonly configsDir: string;
  /** The files the model was read from, in reading order: the rebuild reads exactly these again. */
  readonly files: readonly CatalogFile[];
  /** Things that were odd but not fatal (blobs without a package, unparsable versions ...). */
  readonly warnings: readonly string[];
  readonly stats: { readonly blobs: number; readonly bytes: number };
}
