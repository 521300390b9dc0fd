import { createGunzip } from 'node:zlib';
import { extract as tarExtract, type Header } from 'tar-stream';
import { AirlockError } from '../errors';
import type { Descriptor } from '../registry/manifest';
import { fbcFileKind } from './blobs';
import { isAtOrBelow } from './model';
import type { BlobSource } from './source';

/**
 * Streams the layers of a catalog image, bottom to top, through gunzip and a tar parser, and reports
 * what concerns the FBC directory: its files, and the whiteouts that delete lower-layer content.
 * A layer is never held in memory or written to disk; entries outside the directory are skipped
 * as they stream past.
 */

export interface LayerVisitor {
  /** A regular `*.json` / `*.yaml` file inside the FBC directory. Whatever `content` is not read is drained. */
  file(layer: number, path: string, content: AsyncIterable<Buffer>): Promise<void>;
  /** `.wh.<name>`: `path` (and what is below it) is deleted from the layers under `layer`. */
  whiteout?(layer: number, path: string): void;
  /** `.wh..wh..opq`: what lower layers put in `dir` is deleted. */
  opaque?(layer: number, dir: string): void;
  /** Anything else inside the FBC directory (directories, links, other files). */
  shadow?(layer: number, path: string, isDirectory: boolean): void;
  warn?(message: string): void;
}

export interface WalkOptions {
  readonly signal?: AbortSignal;
  /** Read only these files (`fileKey(layer, path)`), and only the layers holding them. */
  readonly only?: ReadonlySet<string>;
  /** For messages. */
  readonly image?: string;
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

export function fileKey(layer: number, path: string): string {
  return `${layer}\u0000${path}`;
}

/** `./a//b/` -> `a/b`; undefined for paths that climb out of the root. */
export function normaliseEntryPath(name: string): string | undefined {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return undefined;
  return parts.join('/');
}

/** `/configs` -> `configs`. */
export function dirPrefix(configsDir: string): string {
  return normaliseEntryPath(configsDir) ?? 'configs';
}

type Compression = 'gzip' | 'none';

function compressionOf(layer: Descriptor, image: string): Compression {
  const type = layer.mediaType;
  if (type.endsWith('+zstd') || type.endsWith('.zstd')) {
    throw new AirlockError('CATALOG_LAYER_UNSUPPORTED', `catalog ${image} has a zstd-compressed layer ${layer.digest}, which this Node.js cannot decompress`, {
      context: { image, blob: layer.digest },
      hint: 'mirror a gzip variant of the catalog, or rebuild it with gzip layers',
    });
  }
  if (type.endsWith('+gzip') || type.endsWith('.gzip') || type.endsWith('tar.gzip')) return 'gzip';
  if (type.endsWith('.tar') || type.endsWith('tar')) return 'none';
  // Unknown layer types: gzip is what every catalog builder writes.
  return 'gzip';
}

function layerError(image: string, layer: Descriptor, err: unknown): AirlockError {
  if (err instanceof AirlockError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AirlockError('CATALOG_LAYER_INVALID', `layer ${layer.digest} of catalog ${image} could not be read as a tar archive: ${message}`, {
    context: { image, blob: layer.digest },
    hint: 'the layer is damaged or is not a (gzip-compressed) tar; a DIGEST_MISMATCH would have been reported if it changed in transit',
    cause: err,
  });
}

function isRegular(header: Header): boolean {
  return header.type === 'file' || header.type === 'contiguous-file';
}

async function walkLayer(index: number, layer: Descriptor, blobs: BlobSource, prefix: string, visitor: LayerVisitor, options: WalkOptions): Promise<void> {
  const image = options.image ?? blobs.name;
  const source = blobs.open(layer, options.signal);
  const extract = tarExtract();
  const fail = (err: unknown): void => {
    extract.destroy(err instanceof Error ? err : new Error(String(err)));
  };
  source.on('error', fail);
  if (compressionOf(layer, image) === 'gzip') {
    const gunzip = createGunzip();
    gunzip.on('error', fail);
    source.pipe(gunzip).pipe(extract);
  } else {
    source.pipe(extract);
  }
  const wanted = (path: string): boolean => options.only === undefined || options.only.has(fileKey(index, path));
  try {
    for await (const entry of extract) {
      const header = entry.header;
      const path = normaliseEntryPath(header.name);
      if (path === undefined || path === '') {
        entry.resume();
        continue;
      }
      const slash = path.lastIndexOf('/');
      const dir = slash < 0 ? '' : path.slice(0, slash);
      const base = slash < 0 ? path : path.slice(slash + 1);
      const touches = (p: string): boolean => isAtOrBelow(p, prefix) || isAtOrBelow(prefix, p);
      if (base === OPAQUE_WHITEOUT) {
        if (touches(dir)) visitor.opaque?.(index, dir);
        entry.resume();
        continue;
      }
      if (base.startsWith(WHITEOUT_PREFIX)) {
        const target = dir === '' ? base.slice(WHITEOUT_PREFIX.length) : `${dir}/${base.slice(WHITEOUT_PREFIX.length)}`;
        if (touches(target)) visitor.whiteout?.(index, target);
        entry.resume();
        continue;
      }
      if (!isAtOrBelow(path, prefix)) {
        entry.resume();
        continue;
      }
      if (isRegular(header) && path !== prefix && fbcFileKind(path) !== undefined) {
        // streamx yields the entry's Buffers, typed as unknown.
        if (wanted(path)) await visitor.file(index, path, entry as AsyncIterable<unknown> as AsyncIterable<Buffer>);
        entry.resume();
        continue;
      }
      if ((header.type === 'symlink' || header.type === 'link') && fbcFileKind(path) !== undefined) {
        visitor.warn?.(`${path} in layer ${layer.digest} is a link; links in the catalog directory are not followed`);
      }
      visitor.shadow?.(index, path, header.type === 'directory');
      entry.resume();
    }
  } catch (err) {
    source.destroy();
    throw layerError(image, layer, err);
  }
}

/** Walks `layers` in order (bottom first). Throws CATALOG_LAYER_INVALID / _UNSUPPORTED, or the blob's own error. */
export async function walkCatalogLayers(layers: readonly Descriptor[], blobs: BlobSource, configsDir: string, visitor: LayerVisitor, options: WalkOptions = {}): Promise<void> {
  const prefix = dirPrefix(configsDir);
  const needed = options.only ? new Set([...options.only].map((key) => Number(key.slice(0, key.indexOf('\u0000'))))) : undefined;
  for (const [index, layer] of layers.entries()) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (needed && !needed.has(index)) continue;
    if (layer.urls && layer.urls.length > 0) {
      visitor.warn?.(`layer ${layer.digest} is non-distributable (served from ${layer.urls[0] ?? 'elsewhere'}); it was not read`);
      continue;
    }
    await walkLayer(index, layer, blobs, prefix, visitor, options);
  }
}
