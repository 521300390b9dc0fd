import type { ImageReference } from '../reference/parse';
import type { BlockPattern } from './blocked';

/**
 * The normalised, validated form of an oc-mirror v2 `ImageSetConfiguration` (and of its sibling
 * `DeleteImageSetConfiguration`). Field names follow the YAML; defaults from the OpenShift 4.19
 * parameter tables (5.3, 5.4) are filled in, so consumers never test for absence of a boolean or
 * a list. Every entry keeps the 1-based line and column of its first YAML key (additional and
 * blocked images: of their `name`), so later stages can report problems with it where the
 * operator wrote it (see configEntryError). Results of parseConfig are deeply frozen.
 */

export const API_VERSION = 'mirror.openshift.io/v2alpha1';
export const LEGACY_API_VERSION = 'mirror.openshift.io/v1alpha2';
export const IMAGE_SET_KIND = 'ImageSetConfiguration';
export const DELETE_IMAGE_SET_KIND = 'DeleteImageSetConfiguration';

/** oc-mirror v2 cuts archives at 500 GiB when `archiveSize` is absent. */
export const DEFAULT_ARCHIVE_SIZE_GIB = 500;

export const ARCHITECTURES = ['amd64', 'arm64', 'ppc64le', 's390x', 'multi'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export const PLATFORM_TYPES = ['ocp', 'okd'] as const;
export type PlatformType = (typeof PLATFORM_TYPES)[number];

/** 1-based line and column in the configuration file. */
export interface Located {
  readonly line: number;
  readonly column: number;
}

export interface PlatformChannel extends Located {
  readonly name: string;
  /** Default `ocp`. */
  readonly type: PlatformType;
  /** When true, minVersion/maxVersion become the first and last release of the channel. */
  readonly full: boolean;
  readonly shortestPath: boolean;
  readonly minVersion?: string;
  readonly maxVersion?: string;
}

export interface PlatformSpec extends Located {
  /** Default `[amd64]`. */
  readonly architectures: readonly Architecture[];
  readonly channels: readonly PlatformChannel[];
  /** Add the OSUS graph-data image. */
  readonly graph: boolean;
  /** Include the HyperShift KubeVirt CoreOS container (ImageSetConfiguration only). */
  readonly kubeVirtContainer: boolean;
}

export interface OperatorChannel extends Located {
  readonly name: string;
  readonly minVersion?: string;
  readonly maxVersion?: string;
}

export interface OperatorPackage extends Located {
  readonly name: string;
  readonly channels: readonly OperatorChannel[];
  readonly minVersion?: string;
  readonly maxVersion?: string;
  /** Must be set when the filter leaves out the package's default channel (ImageSetConfiguration only). */
  readonly defaultChannel?: string;
}

/** Where a catalog comes from: a registry reference, or an OCI layout on disk (`oci:///abs/path`). */
export type CatalogSource =
  | { readonly kind: 'registry'; readonly reference: ImageReference }
  | { readonly kind: 'oci'; readonly path: string };

export interface OperatorCatalog extends Located {
  /** As written. */
  readonly catalog: string;
  readonly source: CatalogSource;
  readonly full: boolean;
  readonly packages: readonly OperatorPackage[];
  /** ImageSetConfiguration only: alternative name (and namespace path) for the mirrored catalog. */
  readonly targetCatalog?: string;
  readonly targetTag?: string;
  readonly targetCatalogSourceTemplate?: string;
}

/** Positioned at its `name` key, where configuration problems with it are reported too. */
export interface AdditionalImage extends Located {
  /** As written. */
  readonly name: string;
  readonly reference: ImageReference;
}

/** Positioned at its `name` key, or at the item when written as a plain string. */
export interface BlockedImage extends Located {
  /** The pattern as written. */
  readonly name: string;
  readonly pattern: BlockPattern;
}

export interface HelmChart extends Located {
  readonly name: string;
  readonly version?: string;
  readonly imagePaths: readonly string[];
}

export interface HelmRepository extends Located {
  readonly name: string;
  readonly url: string;
  readonly charts: readonly HelmChart[];
}

export interface HelmLocalChart extends Located {
  readonly name: string;
  readonly path: string;
}

export interface HelmSpec extends Located {
  readonly repositories: readonly HelmRepository[];
  readonly local: readonly HelmLocalChart[];
}

export interface MirrorSpec {
  readonly platform?: PlatformSpec;
  readonly operators: readonly OperatorCatalog[];
  readonly additionalImages: readonly AdditionalImage[];
  readonly blockedImages: readonly BlockedImage[];
  readonly helm?: HelmSpec;
}

export interface ImageSetConfig {
  readonly kind: typeof IMAGE_SET_KIND;
  readonly apiVersion: typeof API_VERSION;
  /** The file name used in messages. */
  readonly file: string;
  /** Maximum size of one archive file, GiB; DEFAULT_ARCHIVE_SIZE_GIB when the file sets none. */
  readonly archiveSizeGiB: number;
  readonly mirror: MirrorSpec;
}

export interface DeleteSpec {
  readonly platform?: PlatformSpec;
  readonly operators: readonly OperatorCatalog[];
  readonly additionalImages: readonly AdditionalImage[];
}

export interface DeleteImageSetConfig {
  readonly kind: typeof DELETE_IMAGE_SET_KIND;
  readonly apiVersion: typeof API_VERSION;
  readonly file: string;
  readonly delete: DeleteSpec;
}

export type AnyImageSetConfig = ImageSetConfig | DeleteImageSetConfig;

/** One thing wrong with a configuration file. */
export interface ConfigProblem extends Located {
  readonly file: string;
  /** Dotted path of the offending field, e.g. `mirror.additionalImages[2].name`; empty for the document. */
  readonly path: string;
  /** What is wrong and what was expected, without the location prefix. */
  readonly message: string;
  readonly hint?: string;
}
