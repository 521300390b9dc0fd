import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { AirlockError } from '../errors';
import type { CatalogSource as ConfigCatalogSource } from '../config/types';
import type { PullSources } from '../plan/resolve';
import { compareText } from '../resources/order';
import { decodeFbcFile, fbcFileKind, type DecodedBlob } from './blobs';
import { fileKey, walkCatalogLayers } from './layers';
import { CatalogBuilder } from './model';
import { openCatalogFromSources, openOciLayoutCatalog, readingPlatform, type BlobSource, type CatalogImage } from './source';
import type { CatalogFile, FbcCatalog } from './types';

/**
 * Reading a file-based catalog: from a directory tree (`*.json`, `*.yaml`), or from a catalog
 * image (registry or OCI layout), streaming object by object. The result is the light model of
 * types.ts plus the list of files it came from, which `forEachCatalogBlob` reads a second time.
 */

export interface ReadOptions {
  readonly signal?: AbortSignal;
}

export interface ImageReadOptions extends ReadOptions {
  /** Read the blobs through this source instead of the image's own (e.g. teeToCache(image.blobs, cache)). */
  readonly blobs?: BlobSource;
}

/** Every file below `dir`, sorted, `/`-separated relative paths. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true });
    entries.sort((a, b) => compareText(a.name, b.name));
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  try {
    await walk(dir);
  } catch (err) {
    throw new AirlockError('CATALOG_UNAVAILABLE', `cannot read the catalog directory ${dir}: ${(err as Error).message}`, {
      context: { file: dir },
      cause: err,
    });
  }
  return out;
}

async function feed(builder: CatalogBuilder, layer: number, path: string, content: AsyncIterable<Buffer | string>, signal?: AbortSignal): Promise<void> {
  const kind = fbcFileKind(path);
  if (kind === undefined) return;
  const sink = builder.file(layer, path);
  for await (const blob of decodeFbcFile(content, path, kind)) {
    if (signal?.aborted) throw signal.reason;
    sink.add(blob);
  }
}

/** Reads every `*.json` / `*.yaml` / `*.yml` file below `dir`. */
export async function readCatalogDirectory(dir: string, options: ReadOptions = {}): Promise<FbcCatalog> {
  const builder = new CatalogBuilder();
  for (const path of await listFiles(dir)) {
    if (fbcFileKind(path) === undefined) continue;
    await feed(builder, 0, path, createReadStream(join(dir, path), { highWaterMark: 1 << 20 }), options.signal);
  }
  return builder.build(dir);
}

/** Reads the FBC directory of a catalog image (of its linux/amd64 image, or its first), layer by layer. */
export async function readCatalogImage(image: CatalogImage, options: ImageReadOptions = {}): Promise<FbcCatalog> {
  const platform = readingPlatform(image);
  const builder = new CatalogBuilder();
  const warnings: string[] = [];
  await walkCatalogLayers(
    platform.parsed.layers,
    options.blobs ?? image.blobs,
    platform.configsDir,
    {
      file: (layer, path, content) => feed(builder, layer, path, content, options.signal),
      whiteout: (layer, path) => builder.whiteout(layer, path),
      opaque: (layer, dir) => builder.opaque(layer, dir),
      shadow: (layer, path, isDirectory) => builder.shadow(layer, path, isDirectory),
      warn: (message) => warnings.push(message),
    },
    { image: image.name, ...(options.signal ? { signal: options.signal } : {}) },
  );
  const catalog = builder.build(platform.configsDir, warnings);
  if (catalog.files.length === 0) {
    throw new AirlockError('CATALOG_EMPTY', `catalog ${image.name} has no file-based catalog in ${platform.configsDir}`, {
      context: { image: image.name, file: platform.configsDir },
      hint: 'Airlock reads file-based catalogs (OpenShift 4.11 and later); SQLite-based index images are not supported',
    });
  }
  return catalog;
}

/** Where the catalog of an OperatorCatalog entry is read from. */
export interface CatalogAccess {
  /** Registry access in the order registries.conf gives (mirrors first); required for registry catalogs. */
  readonly sources?: PullSources;
  readonly signal?: AbortSignal;
}

/** Opens the catalog named by `mirror.operators[].catalog`: pinned to a digest, not read yet. */
export async function openCatalog(source: ConfigCatalogSource, access: CatalogAccess): Promise<CatalogImage> {
  if (source.kind === 'oci') return openOciLayoutCatalog(source.path, access.signal);
  if (!access.sources) throw new AirlockError('CATALOG_UNAVAILABLE', 'no registry access was given to read a registry catalog', { hint: 'this is a bug in the caller' });
  return openCatalogFromSources(source.reference, access.sources, access.signal);
}

/**
 * The second reading: every blob of the files the model was built from, in the same order, for
 * the rebuild to copy what the filter kept. `raw` is the blob's exact bytes for JSON files.
 */
export async function forEachCatalogBlob(
  from: { readonly kind: 'directory'; readonly dir: string } | { readonly kind: 'image'; readonly image: CatalogImage; readonly blobs?: BlobSource },
  files: readonly CatalogFile[],
  visit: (blob: DecodedBlob, file: CatalogFile) => void | Promise<void>,
  options: ReadOptions = {},
): Promise<void> {
  const decode = async (file: CatalogFile, content: AsyncIterable<Buffer | string>): Promise<void> => {
    const kind = fbcFileKind(file.path);
    if (kind === undefined) return;
    for await (const blob of decodeFbcFile(content, file.path, kind)) {
      if (options.signal?.aborted) throw options.signal.reason;
      await visit(blob, file);
    }
  };
  if (from.kind === 'directory') {
    for (const file of files) await decode(file, createReadStream(join(from.dir, file.path), { highWaterMark: 1 << 20 }));
    return;
  }
  const platform = readingPlatform(from.image);
  const only = new Set(files.map((f) => fileKey(f.layer, f.path)));
  await walkCatalogLayers(platform.parsed.layers, from.blobs ?? from.image.blobs, platform.configsDir, { file: (layer, path, content) => decode({ layer, path }, content) }, {
    only,
    image: from.image.name,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
