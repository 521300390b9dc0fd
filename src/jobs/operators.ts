import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { BlobCache } from '../cache/blob-cache';
import {
  bundleCompleteness,
  bundleKey,
  catalogTarget,
  MAX_TEMPLATE_BYTES,
  rebuildCatalog,
  rebuiltAsResolvedImage,
  withoutBundles,
  type OperatorCatalogRecord,
} from '../catalog';
import type { WantedImage } from '../collect/additional';
import { allOperatorImages, collectOperatorCatalogs, operatorContext, type CollectedCatalog } from '../collect/operators';
import type { ImageSetConfig, OperatorCatalog } from '../config';
import { AirlockError, describeError } from '../errors';
import type { FailedImage, PullLocation, PullSources, ResolvedImage } from '../plan/resolve';
import { formatReference } from '../reference';
import type { RegistryClient } from '../registry/client';
import { parseCatalogSourceTemplate } from '../resources/catalog-sources';
import type { EventSink } from './events';

/**
 * The operator part of the jobs (mirror.operators): reading and filtering the catalogs before the
 * resolve phase, then, once the images are pulled, leaving out the bundles that lost an image (a
 * bundle travels whole or not at all), rebuilding the filtered catalogs into the cache and writing
 * the records transfer.json carries for the CatalogSources of the import. The catalog modules
 * themselves live in src/catalog and src/collect/operators.ts.
 */

const NO_DIGEST = `sha256:${'0'.repeat(64)}`;

export interface OperatorCollection {
  readonly catalogs: readonly CollectedCatalog[];
  /** Catalogs that could not be read, as failed images (the others go on). */
  readonly failed: readonly FailedImage[];
  /** Every operator image and every catalog mirrored as it is (not rebuilt): what to resolve. */
  readonly images: readonly WantedImage[];
  /** Operator images mirror.blockedImages blocks. */
  readonly blocked: ReadonlyArray<{ readonly source: string; readonly by: string }>;
  /** Dependency warnings, notes, invalid image references. Also emitted as warning events. */
  readonly warnings: readonly string[];
  /** targetCatalogSourceTemplate of each catalog entry, read here on the connected side. */
  readonly templates: ReadonlyMap<OperatorCatalog, { readonly file: string; readonly text: string }>;
}

export interface OperatorJobAccess {
  readonly sources: PullSources;
  readonly cache: BlobCache;
  readonly emit: EventSink;
  readonly signal?: AbortSignal;
}

/** Reads every targetCatalogSourceTemplate (relative to the configuration file) and checks it is a CatalogSource template. */
async function readTemplates(config: ImageSetConfig): Promise<Map<OperatorCatalog, { file: string; text: string }>> {
  const out = new Map<OperatorCatalog, { file: string; text: string }>();
  for (const entry of config.mirror.operators) {
    if (entry.targetCatalogSourceTemplate === undefined) continue;
    const file = isAbsolute(entry.targetCatalogSourceTemplate) ? entry.targetCatalogSourceTemplate : resolve(dirname(config.file), entry.targetCatalogSourceTemplate);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new AirlockError('CATALOG_SOURCE_TEMPLATE_INVALID', `${config.file}:${entry.line}:${entry.column}: targetCatalogSourceTemplate ${file} cannot be read: ${describeError(err)}`, {
        context: { file: config.file, line: entry.line, column: entry.column },
        hint: 'give the path of a CatalogSource YAML file, absolute or relative to the configuration file',
        cause: err,
      });
    }
    if (Buffer.byteLength(text) > MAX_TEMPLATE_BYTES) {
      throw new AirlockError('CATALOG_SOURCE_TEMPLATE_INVALID', `targetCatalogSourceTemplate ${file} is larger than ${MAX_TEMPLATE_BYTES} bytes`, { context: { file } });
    }
    // Checked now, so a bad template stops the export rather than the import on the other side.
    parseCatalogSourceTemplate(text, file);
    out.set(entry, { file, text });
  }
  return out;
}

function failedCatalog(config: ImageSetConfig, entry: OperatorCatalog, error: AirlockError): FailedImage {
  const pinned = entry.source.kind === 'registry' ? (entry.source.reference.digest ?? NO_DIGEST) : NO_DIGEST;
  const source = entry.source.kind === 'registry' ? entry.source.reference : { registry: 'localhost', repository: catalogTarget(entry, pinned).repository, tag: 'latest' };
  const wanted: WantedImage = { source, destination: catalogTarget(entry, pinned).name, origin: 'operator', at: { file: config.file, line: entry.line, column: entry.column } };
  return { wanted, source: entry.catalog, destination: wanted.destination, error };
}

/**
 * Before the resolve phase: reads and filters every catalog (CatalogFilterError propagates: the
 * configuration contradicts the catalog), keeping the catalog layers in the cache for the rebuild.
 */
export async function collectOperators(config: ImageSetConfig, access: OperatorJobAccess): Promise<OperatorCollection> {
  const { emit } = access;
  const templates = await readTemplates(config);
  const ops = await collectOperatorCatalogs(config, { sources: access.sources, cache: access.cache, ...(access.signal ? { signal: access.signal } : {}) });
  const failed = ops.failed.map((f) => {
    emit({ type: 'image', source: f.config.catalog, status: 'failed', message: f.error.message });
    return failedCatalog(config, f.config, f.error);
  });
  const warnings: string[] = [];
  const blocked: Array<{ source: string; by: string }> = [];
  for (const c of ops.catalogs) {
    const kept = c.result.packages.reduce((n, p) => n + p.bundles.length, 0);
    emit({ type: 'log', level: 'info', message: `catalog ${c.config.catalog} (${c.image.digest}): ${c.result.packages.length} package(s), ${kept} bundle(s), ${c.images.images.length} image(s)${c.result.rebuild ? '' : ', mirrored in full'}` });
    for (const w of c.result.dependencyWarnings) warnings.push(`catalog ${c.config.catalog}: ${w.message}`);
    for (const n of c.result.notes) warnings.push(`catalog ${c.config.catalog}: ${n}`);
    for (const inv of c.images.invalid) warnings.push(`catalog ${c.config.catalog}: ${inv.reference} is not an image reference (${inv.error}); bundle(s) ${inv.bundles.map(bundleKey).join(', ')} are left out`);
    for (const b of c.images.blocked) {
      if (blocked.some((x) => x.source === b.source)) continue;
      blocked.push({ source: b.source, by: b.by });
      emit({ type: 'image', source: b.source, status: 'blocked', message: `blocked by "${b.by}" ${operatorContext(b.source, ops.catalogs) ?? ''}`.trimEnd() });
    }
  }
  for (const w of warnings) emit({ type: 'warning', message: w });
  const images: WantedImage[] = [...allOperatorImages(ops.catalogs), ...ops.catalogs.filter((c) => !c.result.rebuild).map((c) => c.catalogImage)];
  return { catalogs: ops.catalogs, failed, images, blocked, warnings, templates };
}

/** Every wanted image a catalog adds, the rebuilt catalogs included: for checkDestinations. */
export function catalogDestinations(collection: OperatorCollection): WantedImage[] {
  return [...collection.images, ...collection.catalogs.filter((c) => c.result.rebuild).map((c) => c.catalogImage)];
}

export interface FinishedOperators {
  /** The pulled images, less those only incomplete bundles need, plus the rebuilt catalogs. */
  readonly ok: ResolvedImage[];
  /** Rebuilds that failed, catalogs left with nothing. */
  readonly failed: FailedImage[];
  readonly records: OperatorCatalogRecord[];
  readonly warnings: string[];
}

export interface FinishOptions extends OperatorJobAccess {
  /** A client for the PullLocation of catalogs read from an OCI layout (never used: the rebuilt image is all in the cache). */
  readonly localClient: () => RegistryClient;
}

/**
 * After the pull: a bundle one of whose images failed is left out of its catalog (and the images
 * only such bundles need are left out of the set); each filtered catalog is rebuilt into the cache;
 * the records say which set image is which catalog.
 */
export async function finishOperators(collection: OperatorCollection, pulled: readonly ResolvedImage[], failed: readonly FailedImage[], options: FinishOptions): Promise<FinishedOperators> {
  const { emit, cache, signal } = options;
  const failedSources = new Set(failed.map((f) => f.source));
  const warnings: string[] = [];
  const failedOut: FailedImage[] = [];
  const records: OperatorCatalogRecord[] = [];
  const withhold = new Set<string>();
  const needed = new Set<string>();
  const rebuilt: ResolvedImage[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    emit({ type: 'warning', message });
  };
  for (const c of collection.catalogs) {
    const comp = bundleCompleteness(c.images, failedSources);
    const withheldHere = new Set(comp.withhold);
    for (const s of comp.withhold) withhold.add(s);
    // An image another catalog's complete bundle needs still travels.
    for (const img of c.images.images) {
      const source = formatReference(img.source);
      if (!withheldHere.has(source)) needed.add(source);
    }
    const { result, dropped } = withoutBundles(c.result, new Set(comp.incomplete.map(bundleKey)));
    for (const b of comp.incomplete) warn(`catalog ${c.config.catalog}: bundle ${b.bundle} of ${b.package} is left out, ${b.failed.length} of its image(s) could not be mirrored: ${b.failed.join(', ')}`);
    for (const d of dropped) warn(`catalog ${c.config.catalog}: ${d}`);
    const template = collection.templates.get(c.config);
    const record = (digest: string): OperatorCatalogRecord => ({
      catalog: c.config.catalog,
      name: c.target.name,
      digest,
      rebuilt: c.result.rebuild,
      ...(template ? { catalogSourceTemplate: template } : {}),
      ...(comp.incomplete.length > 0 ? { incompleteBundles: comp.incomplete.map(bundleKey) } : {}),
    });
    if (!c.result.rebuild) {
      const image = pulled.find((p) => p.destination === c.target.name);
      if (image) records.push(record(image.digest));
      continue;
    }
    if (result.packages.length === 0) {
      const error = new AirlockError('CATALOG_EMPTY', `catalog ${c.config.catalog}: no bundle is left once the incomplete ones are removed; the catalog is not carried`, {
        context: { image: c.config.catalog },
        hint: 'see the failed operator images in the error log',
      });
      emit({ type: 'image', source: c.catalogSource, status: 'failed', message: error.message });
      failedOut.push({ wanted: c.catalogImage, source: c.catalogSource, destination: c.target.name, error });
      continue;
    }
    try {
      emit({ type: 'log', level: 'info', message: `catalog ${c.config.catalog}: building the filtered catalog ${c.target.name}` });
      const built = await rebuildCatalog({ image: c.image, model: c.model, result, cache, ...(signal ? { signal } : {}) });
      const from: PullLocation = c.image.registry
        ? { client: c.image.registry.client, repository: c.image.registry.reference.repository, reference: c.image.pinned }
        : { client: options.localClient(), repository: c.target.repository, reference: c.image.pinned };
      rebuilt.push(rebuiltAsResolvedImage(built, c.catalogImage, from, c.catalogSource));
      records.push(record(built.digest));
    } catch (err) {
      if (signal?.aborted) throw err;
      const error = err instanceof AirlockError ? err : new AirlockError('CATALOG_REBUILD_FAILED', `catalog ${c.config.catalog}: building the filtered catalog failed: ${describeError(err)}`, { context: { image: c.config.catalog }, cause: err });
      emit({ type: 'image', source: c.catalogSource, status: 'failed', message: error.message });
      failedOut.push({ wanted: c.catalogImage, source: c.catalogSource, destination: c.target.name, error });
    }
  }
  const left = pulled.filter((p) => !(p.wanted.origin === 'operator' && withhold.has(p.source) && !needed.has(p.source)));
  const withheldCount = pulled.length - left.length;
  if (withheldCount > 0) warn(`${withheldCount} operator image(s) needed only by incomplete bundles are left out of the set`);
  return { ok: [...left, ...rebuilt], failed: failedOut, records, warnings };
}

/** The error log suffix for an operator image: which bundles and operators need it. */
export function operatorSuffix(source: string, collection: OperatorCollection | undefined): string {
  if (!collection) return '';
  const context = operatorContext(source, collection.catalogs);
  return context ? ` ${context}` : '';
}
