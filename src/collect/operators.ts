import type { BlobCache } from '../cache/blob-cache';
import {
  catalogTarget,
  CatalogFilterError,
  describeOperatorImage,
  filterCatalog,
  openCatalog,
  operatorImages,
  readCatalogImage,
  teeToCache,
  type CatalogImage,
  type FbcCatalog,
  type FilterResult,
  type OperatorImage,
  type OperatorImages,
} from '../catalog';
import type { ImageSetConfig, OperatorCatalog } from '../config';
import { AirlockError, describeError } from '../errors';
import type { PullSources } from '../plan/resolve';
import { formatReference, withSelector, type ImageReference } from '../reference';
import type { WantedImage } from './additional';

/**
 * `mirror.operators`: for each catalog, pin it to a digest, read its file-based catalog (streaming,
 * optionally keeping the image in the blob cache for the rebuild), filter it by table 5.2, and list
 * the images the kept bundles need. A catalog that cannot be read fails alone; a filter that the
 * catalog contradicts (unknown package, lost default channel, several heads ...) is a configuration
 * mistake and throws, before anything is pulled.
 */

export interface CollectedCatalog {
  readonly config: OperatorCatalog;
  /** The catalog image, pinned (image.digest). */
  readonly image: CatalogImage;
  readonly model: FbcCatalog;
  readonly result: FilterResult;
  /** Bundle images and related images, each once, with the bundles that need them. */
  readonly images: OperatorImages;
  /** Where the catalog lands at the destination (`repo:tag`), after targetCatalog/targetTag. */
  readonly target: { readonly repository: string; readonly tag: string; readonly name: string };
  /**
   * The catalog image as a wanted image: mirrored as it is when `result.rebuild` is false, else
   * replaced by the rebuilt image (rebuildCatalog + rebuiltAsResolvedImage) under the same name.
   */
  readonly catalogImage: WantedImage;
  /** The catalog as transfer.json records its source: the reference, or oci:///path. */
  readonly catalogSource: string;
}

export interface FailedCatalog {
  readonly config: OperatorCatalog;
  readonly error: AirlockError;
}

export interface OperatorAccess {
  /** Registry access, registries.conf mirrors first (as for additional images). */
  readonly sources: PullSources;
  /** When given, the catalog's layers are kept in the cache while they are read, for the rebuild. */
  readonly cache?: BlobCache;
  readonly signal?: AbortSignal;
}

function pinnedReference(config: OperatorCatalog, image: CatalogImage, target: CollectedCatalog['target']): ImageReference {
  if (config.source.kind === 'registry') return withSelector(config.source.reference, { ...(config.source.reference.tag ? { tag: config.source.reference.tag } : {}), digest: image.digest });
  // An OCI layout has no registry; the reference only carries the name and digest along.
  return { registry: 'localhost', repository: target.repository, tag: target.tag, digest: image.digest };
}

/** Reads and filters one catalog. Throws CatalogFilterError for filters the catalog contradicts. */
export async function collectOperatorCatalog(config: ImageSetConfig, entry: OperatorCatalog, access: OperatorAccess): Promise<CollectedCatalog> {
  const image = await openCatalog(entry.source, { sources: access.sources, ...(access.signal ? { signal: access.signal } : {}) });
  const model = await readCatalogImage(image, {
    blobs: access.cache ? teeToCache(image.blobs, access.cache) : image.blobs,
    ...(access.signal ? { signal: access.signal } : {}),
  });
  const at = { file: config.file, line: entry.line, column: entry.column };
  const result = filterCatalog(model, entry, { file: config.file });
  const images = operatorImages(result, { blocked: config.mirror.blockedImages, at });
  const target = catalogTarget(entry, image.digest);
  const source = pinnedReference(entry, image, target);
  return {
    config: entry,
    image,
    model,
    result,
    images,
    target,
    catalogImage: { source, destination: target.name, origin: 'operator', at },
    catalogSource: entry.source.kind === 'registry' ? formatReference(entry.source.reference) : entry.catalog,
  };
}

/** Every catalog of the configuration; one that cannot be read is reported and the others go on. */
export async function collectOperatorCatalogs(config: ImageSetConfig, access: OperatorAccess): Promise<{ catalogs: CollectedCatalog[]; failed: FailedCatalog[] }> {
  const catalogs: CollectedCatalog[] = [];
  const failed: FailedCatalog[] = [];
  for (const entry of config.mirror.operators) {
    try {
      catalogs.push(await collectOperatorCatalog(config, entry, access));
    } catch (err) {
      if (err instanceof CatalogFilterError || access.signal?.aborted) throw err;
      const error =
        err instanceof AirlockError
          ? err
          : new AirlockError('CATALOG_UNAVAILABLE', `cannot read catalog ${entry.catalog}: ${describeError(err)}`, { context: { image: entry.catalog, file: config.file, line: entry.line, column: entry.column }, cause: err });
      failed.push({ config: entry, error });
    }
  }
  return { catalogs, failed };
}

/** Every operator image of every catalog, each source once (a later catalog adds its bundles to an earlier one's image). */
export function allOperatorImages(catalogs: readonly CollectedCatalog[]): OperatorImage[] {
  const byRef = new Map<string, OperatorImage>();
  for (const c of catalogs) {
    for (const image of c.images.images) {
      const key = formatReference(image.source);
      const existing = byRef.get(key);
      byRef.set(key, existing ? { ...existing, bundles: [...existing.bundles, ...image.bundles] } : image);
    }
  }
  return [...byRef.values()];
}

/** The "(Operator bundles: [...] - Operators: [...])" suffix for a failed image, when operators need it. */
export function operatorContext(source: string, catalogs: readonly CollectedCatalog[]): string | undefined {
  const bundles = catalogs.flatMap((c) => c.images.images.filter((i) => formatReference(i.source) === source).flatMap((i) => i.bundles));
  return bundles.length > 0 ? describeOperatorImage(bundles) : undefined;
}
