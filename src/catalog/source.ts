import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { BlobCache } from '../cache/blob-cache';
import { digestHex, sha256Digest, VerifyStream } from '../digest';
import { AirlockError, describeError } from '../errors';
import { formatReference, manifestSelector, type ImageReference } from '../reference';
import { MAX_MANIFEST_BYTES, type RegistryClient } from '../registry/client';
import { parseManifest, type Descriptor, type ImageManifest, type IndexManifest, type Platform } from '../registry/manifest';
import type { ManifestBlob, PullSources } from '../plan/resolve';
import { CONFIGS_LABEL, DEFAULT_CONFIGS_DIR } from './types';

/**
 * Where a catalog image's manifests and blobs come from: a registry (the tag pinned to a digest
 * first), an OCI image layout on disk (`oci:///path`), or the blob cache. Every blob is checked
 * against its digest while it streams; nothing here writes the image to disk unless asked to
 * (teeToCache), and no layer is ever held in memory as a whole.
 */

export interface BlobDescriptor {
  readonly digest: string;
  readonly size: number;
}

export interface BlobSource {
  /** For messages: where the blobs come from. */
  readonly name: string;
  /** Streams one blob; the stream errors with DIGEST_MISMATCH / SIZE_MISMATCH instead of ending when it is wrong. */
  open(blob: BlobDescriptor, signal?: AbortSignal): Readable;
}

/** Config blobs are small; one that is not is not an image config. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

export function registryBlobSource(client: RegistryClient, repository: string, image: string): BlobSource {
  return {
    name: `${client.registry}/${repository}`,
    open: (blob, signal) => client.openBlob(repository, blob.digest, { size: blob.size, image, ...(signal ? { signal } : {}) }),
  };
}

function verified(stream: Readable, blob: BlobDescriptor, where: string): Readable {
  const verify = new VerifyStream({ digest: blob.digest, size: blob.size, context: { file: where, blob: blob.digest } });
  stream.on('error', (err) => verify.destroy(err));
  return stream.pipe(verify);
}

export function ociLayoutBlobSource(dir: string): BlobSource {
  return {
    name: `oci://${dir}`,
    open: (blob) => {
      const file = join(dir, 'blobs', 'sha256', digestHex(blob.digest));
      return verified(createReadStream(file, { highWaterMark: 1 << 20 }), blob, file);
    },
  };
}

/** The cache first (verified again as it is read); the fallback for what the cache does not hold. */
export function cacheBlobSource(cache: BlobCache, fallback?: BlobSource): BlobSource {
  return {
    name: fallback ? `${cache.root} (else ${fallback.name})` : cache.root,
    open: (blob, signal) =>
      Readable.from(
        (async function* () {
          if (await cache.has(blob.digest, blob.size)) {
            yield* verified(cache.open(blob.digest), blob, cache.path(blob.digest));
            return;
          }
          if (!fallback) {
            throw new AirlockError('CACHE_MISSING', `blob ${blob.digest} is not in the cache ${cache.root}`, {
              context: { blob: blob.digest, file: cache.root },
              hint: 'this is a bug in Airlock: the blob should have been pulled first',
            });
          }
          yield* fallback.open(blob, signal);
        })(),
        { objectMode: false, highWaterMark: 1 << 20 },
      ),
  };
}

/**
 * Reads through `source` and stores what it reads in the cache at the same time, so a catalog read
 * once (to filter it) need not be downloaded again to rebuild and ship it. A blob read only in part
 * is not stored.
 */
export function teeToCache(source: BlobSource, cache: BlobCache): BlobSource {
  return {
    name: `${source.name} (kept in ${cache.root})`,
    open: (blob, signal) =>
      Readable.from(
        (async function* () {
          if (await cache.has(blob.digest, blob.size)) {
            yield* verified(cache.open(blob.digest), blob, cache.path(blob.digest));
            return;
          }
          const upstream = source.open(blob, signal);
          const toCache = new PassThrough({ highWaterMark: 1 << 20 });
          const toReader = new PassThrough({ highWaterMark: 1 << 20 });
          upstream.on('error', (err) => {
            toCache.destroy(err);
            toReader.destroy(err);
          });
          upstream.pipe(toCache);
          upstream.pipe(toReader);
          const stored = cache.put(blob.digest, blob.size, toCache, signal);
          stored.catch(() => undefined);
          let complete = false;
          try {
            yield* toReader;
            complete = true;
          } finally {
            if (!complete) {
              upstream.destroy();
              toCache.destroy(new Error('read stopped early'));
            }
          }
          await stored;
        })(),
        { objectMode: false, highWaterMark: 1 << 20 },
      ),
  };
}

/** Reads a small blob (a config) into memory, refusing anything larger than `limit`. */
export async function readSmallBlob(source: BlobSource, blob: BlobDescriptor, limit = MAX_CONFIG_BYTES, signal?: AbortSignal): Promise<Buffer> {
  if (blob.size > limit) {
    throw new AirlockError('CATALOG_IMAGE_INVALID', `blob ${blob.digest} of ${source.name} is ${blob.size} bytes, more than a config can be (${limit})`, {
      context: { blob: blob.digest },
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of source.open(blob, signal)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export type JsonObject = Record<string, unknown>;

/** One platform image of the catalog: its manifest, its config and where its FBC lives. */
export interface CatalogPlatform {
  /** The index entry naming it; undefined when the catalog is a single image. */
  readonly descriptor?: Descriptor;
  readonly platform?: Platform;
  readonly manifest: ManifestBlob;
  readonly parsed: ImageManifest;
  readonly config: ManifestBlob;
  readonly configJson: JsonObject;
  /** From the configs label, e.g. `/configs`. */
  readonly configsDir: string;
}

export interface CatalogImage {
  /** What the configuration named: a reference or `oci:///path`. */
  readonly name: string;
  /** The top-level manifest's digest: the catalog pinned. */
  readonly digest: string;
  /** `registry/repo@sha256:...`, or `oci:///path@sha256:...`. */
  readonly pinned: string;
  readonly top: ManifestBlob;
  /** Set when the catalog is a multi-platform index. */
  readonly index?: { readonly parsed: IndexManifest; readonly json: JsonObject };
  /** Every platform image (index entries that are attestations or other artifacts are in `skipped`). */
  readonly platforms: readonly CatalogPlatform[];
  readonly skipped: readonly Descriptor[];
  readonly blobs: BlobSource;
  /** Registry catalogs: where they were read from (for pulling the rest of the image). */
  readonly registry?: { readonly client: RegistryClient; readonly reference: ImageReference };
}

export type CatalogLocation =
  | { readonly kind: 'registry'; readonly client: RegistryClient; readonly reference: ImageReference }
  | { readonly kind: 'oci'; readonly path: string };

/** Provides the manifests of an image by digest (or by tag for the first request). */
type ManifestReader = (selector: string, signal?: AbortSignal) => Promise<{ bytes: Buffer; mediaType: string | undefined; digest: string }>;

function imageInvalid(name: string, why: string, hint?: string): AirlockError {
  return new AirlockError('CATALOG_IMAGE_INVALID', `catalog ${name} ${why}`, {
    context: { image: name },
    hint: hint ?? 'the catalog must be an operator index image holding a file-based catalog',
  });
}

function isPlatformEntry(d: Descriptor): boolean {
  // Attestation manifests (BuildKit) carry platform unknown/unknown and a reference-type annotation.
  if (d.annotations?.['vnd.docker.reference.type'] !== undefined) return false;
  if (d.platform && (d.platform.os === 'unknown' || d.platform.architecture === 'unknown')) return false;
  return true;
}

function parseJson(bytes: Buffer, name: string, what: string): JsonObject {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as JsonObject;
  } catch {
    // reported below
  }
  throw imageInvalid(name, `has a ${what} that is not a JSON object`);
}

/** The FBC directory a config names, normalised to `/dir`; `/configs` when the label is absent. */
export function configsDirOf(configJson: JsonObject): string {
  const config = configJson.config;
  const labels = typeof config === 'object' && config !== null ? (config as JsonObject).Labels : undefined;
  const label = typeof labels === 'object' && labels !== null ? (labels as JsonObject)[CONFIGS_LABEL] : undefined;
  const raw = typeof label === 'string' && label.trim() !== '' ? label.trim() : DEFAULT_CONFIGS_DIR;
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..') || parts.length === 0) return DEFAULT_CONFIGS_DIR;
  return `/${parts.join('/')}`;
}

async function loadImage(name: string, pinned: (digest: string) => string, selector: string, read: ManifestReader, blobs: BlobSource, signal?: AbortSignal): Promise<Omit<CatalogImage, 'name' | 'registry'>> {
  const top = await read(selector, signal);
  const topParsed = parseManifest(top.bytes, top.mediaType, name);
  const topBlob: ManifestBlob = { digest: top.digest, mediaType: topParsed.mediaType, size: top.bytes.length, bytes: top.bytes };
  const loadPlatform = async (descriptor: Descriptor | undefined, fetched: { bytes: Buffer; digest: string; mediaType: string | undefined }): Promise<CatalogPlatform> => {
    const parsed = parseManifest(fetched.bytes, fetched.mediaType, name);
    if (parsed.kind !== 'image') throw imageInvalid(name, 'nests an index inside its index', 'Airlock reads catalogs that are an image or an index of images');
    const configBytes = await readSmallBlob(blobs, parsed.config, MAX_CONFIG_BYTES, signal);
    const configJson = parseJson(configBytes, name, 'config');
    return {
      ...(descriptor ? { descriptor } : {}),
      ...(descriptor?.platform ? { platform: descriptor.platform } : {}),
      manifest: { digest: fetched.digest, mediaType: parsed.mediaType, size: fetched.bytes.length, bytes: fetched.bytes },
      parsed,
      config: { digest: parsed.config.digest, mediaType: parsed.config.mediaType, size: configBytes.length, bytes: configBytes },
      configJson,
      configsDir: configsDirOf(configJson),
    };
  };
  if (topParsed.kind === 'image') {
    const platform = await loadPlatform(undefined, top);
    return { digest: top.digest, pinned: pinned(top.digest), top: topBlob, platforms: [platform], skipped: [], blobs };
  }
  const platforms: CatalogPlatform[] = [];
  const skipped: Descriptor[] = [];
  for (const d of topParsed.manifests) {
    if (!isPlatformEntry(d)) {
      skipped.push(d);
      continue;
    }
    const child = await read(d.digest, signal);
    if (child.bytes.length !== d.size) throw imageInvalid(name, `has an index entry ${d.digest} of ${d.size} bytes whose manifest has ${child.bytes.length}`);
    platforms.push(await loadPlatform(d, { ...child, mediaType: child.mediaType || d.mediaType }));
  }
  if (platforms.length === 0) throw imageInvalid(name, 'has an index without any platform image');
  return {
    digest: top.digest,
    pinned: pinned(top.digest),
    top: topBlob,
    index: { parsed: topParsed, json: parseJson(top.bytes, name, 'index') },
    platforms,
    skipped,
    blobs,
  };
}

/** Opens a catalog in a registry: the tag is resolved to a digest once, every later read is by digest. */
export async function openRegistryCatalog(client: RegistryClient, reference: ImageReference, signal?: AbortSignal): Promise<CatalogImage> {
  const name = formatReference(reference);
  const read: ManifestReader = async (selector, s) => {
    const m = await client.getManifest(reference.repository, selector, s);
    return { bytes: m.bytes, mediaType: m.mediaType, digest: m.digest };
  };
  const image = await loadImage(name, (d) => `${reference.registry}/${reference.repository}@${d}`, manifestSelector(reference), read, registryBlobSource(client, reference.repository, name), signal);
  if (reference.digest && image.digest !== reference.digest) {
    throw new AirlockError('DIGEST_MISMATCH', `catalog ${name} resolved to ${image.digest}, not the digest asked for`, {
      context: { image: name, expected: reference.digest, actual: image.digest },
    });
  }
  return { ...image, name, registry: { client, reference } };
}

/** Tries each pull source in order (registries.conf mirrors first), as image resolution does. */
export async function openCatalogFromSources(reference: ImageReference, sources: PullSources, signal?: AbortSignal): Promise<CatalogImage> {
  let lastError: unknown;
  for (const { client, reference: ref } of sources(reference)) {
    try {
      const image = await openRegistryCatalog(client, ref, signal);
      return { ...image, name: formatReference(reference) };
    } catch (err) {
      if (signal?.aborted) throw err;
      lastError = err;
    }
  }
  if (lastError instanceof AirlockError) throw lastError;
  throw new AirlockError('CATALOG_UNAVAILABLE', `cannot read catalog ${formatReference(reference)}: ${describeError(lastError)}`, {
    context: { image: formatReference(reference) },
    cause: lastError,
  });
}

/**
 * Opens a catalog stored as an OCI image layout (`oci:///path`). The layout's index.json must name
 * one image or index; a layout whose index.json lists platform images directly is read as an index.
 */
export async function openOciLayoutCatalog(dir: string, signal?: AbortSignal): Promise<CatalogImage> {
  const name = `oci://${dir}`;
  let indexBytes: Buffer;
  try {
    indexBytes = await readFile(join(dir, 'index.json'));
  } catch (err) {
    throw new AirlockError('CATALOG_UNAVAILABLE', `cannot read the OCI layout ${dir}: ${(err as Error).message}`, {
      context: { file: join(dir, 'index.json') },
      hint: 'oci:// must name a directory holding an OCI image layout (oci-layout, index.json, blobs/)',
      cause: err,
    });
  }
  const layoutIndex = parseManifest(indexBytes, 'application/vnd.oci.image.index.v1+json', name);
  if (layoutIndex.kind !== 'index') throw imageInvalid(name, 'has an index.json that is not an index');
  const blobs = ociLayoutBlobSource(dir);
  /** Manifests are small: read whole, size-capped, and checked against their digest. */
  const readManifestBlob = async (digest: string): Promise<Buffer> => {
    const file = join(dir, 'blobs', 'sha256', digestHex(digest));
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (err) {
      throw imageInvalid(name, `lacks the manifest blob ${digest}`, `the layout is incomplete: ${(err as Error).message}`);
    }
    if (size > MAX_MANIFEST_BYTES) throw imageInvalid(name, `has a manifest ${digest} of ${size} bytes, more than ${MAX_MANIFEST_BYTES}`);
    const raw = await readFile(file);
    if (sha256Digest(raw) !== digest) throw imageInvalid(name, `has a manifest blob ${digest} whose content does not match its digest`, 'the layout is damaged');
    return raw;
  };
  const entries = layoutIndex.manifests;
  let top: { bytes: Buffer; mediaType: string | undefined; digest: string };
  const one = entries.length === 1 ? entries[0] : undefined;
  if (one) {
    top = { bytes: await readManifestBlob(one.digest), mediaType: one.mediaType, digest: one.digest };
  } else if (entries.length > 1 && entries.every((e) => e.platform !== undefined)) {
    top = { bytes: indexBytes, mediaType: layoutIndex.mediaType, digest: sha256Digest(indexBytes) };
  } else {
    const names = entries.map((e) => e.annotations?.['org.opencontainers.image.ref.name'] ?? e.digest);
    throw imageInvalid(name, entries.length === 0 ? 'is an empty OCI layout' : `holds ${entries.length} images (${names.join(', ')}); Airlock needs exactly one`);
  }
  const read: ManifestReader = async (selector) => {
    if (selector === top.digest) return top;
    return { bytes: await readManifestBlob(selector), mediaType: undefined, digest: selector };
  };
  const image = await loadImage(name, (d) => `${name}@${d}`, top.digest, read, blobs, signal);
  return { ...image, name };
}

/** The platform whose FBC is read: linux/amd64 when there is one, else the first. */
export function readingPlatform(image: CatalogImage): CatalogPlatform {
  const amd64 = image.platforms.find((p) => p.platform?.os === 'linux' && p.platform.architecture === 'amd64');
  const first = image.platforms[0];
  if (!first) throw imageInvalid(image.name, 'has no platform image');
  return amd64 ?? first;
}
