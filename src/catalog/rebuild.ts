import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import type { BlobCache } from '../cache/blob-cache';
import type { WantedImage } from '../collect/additional';
import { digestHex, sha256Digest } from '../digest';
import { AirlockError } from '../errors';
import type { OperatorCatalog } from '../config/types';
import { destinationName } from '../plan/destination';
import type { BlobRef, ManifestBlob, PullLocation, ResolvedImage } from '../plan/resolve';
import { withSelector } from '../reference';
import { MediaType, isIndexMediaType } from '../registry/media-types';
import type { Descriptor } from '../registry/manifest';
import { compareText } from '../resources/order';
import type { FbcCatalog } from './types';
import type { FilterResult } from './filter';
import { dirPrefix, WHITEOUT_PREFIX } from './layers';
import { cacheBlobSource, type BlobSource, type CatalogImage, type CatalogPlatform, type JsonObject } from './source';
import { CONFIGS_LABEL, DEFAULT_CONFIGS_DIR } from './types';
import { writeFilteredCatalog } from './write';

/**
 * The filtered catalog image: every platform image of the original catalog, plus two layers shared
 * by all of them — one whiting out the original FBC directory, one holding the filtered catalog at
 * /configs — with the configs label set to /configs and CMD `serve /configs` (no pre-built cache:
 * the original one describes the unfiltered catalog). Everything it consists of ends up in the
 * blob cache (new configs, layers and manifests, and the original layers it reuses), so the
 * transfer-set writer carries it like any pulled image. The same catalog filtered the same way
 * always gives the same digest, so incremental exports ship it once.
 */

export const REBUILT_CONFIGS_DIR = DEFAULT_CONFIGS_DIR;
export const REBUILT_CMD: readonly string[] = ['serve', REBUILT_CONFIGS_DIR];
/** A fixed time in the tar headers keeps the layers (and so the digests) reproducible. */
const LAYER_MTIME = new Date(0);

export interface RebuildOptions {
  readonly image: CatalogImage;
  readonly model: FbcCatalog;
  readonly result: FilterResult;
  readonly cache: BlobCache;
  /**
   * Where the original blobs are read from; default: the cache, else the image's own source. Blobs
   * not in the cache are copied into it first (see copyOriginalBlobs).
   */
  readonly blobs?: BlobSource;
  /** Copy the original layers into the cache when missing (default true), so the set can carry them. */
  readonly copyOriginalBlobs?: boolean;
  /** Scratch space for the filtered FBC and the new layer; default the system temp dir. Cleaned up. */
  readonly workDir?: string;
  readonly signal?: AbortSignal;
}

export interface RebuiltPlatform {
  readonly platform?: CatalogPlatform['platform'];
  readonly manifest: ManifestBlob;
  readonly config: BlobRef;
}

export interface RebuiltCatalog {
  /** The top-level manifest (an index when the original is one). */
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  /** Children first, the top-level manifest last: the order they are pushed in. */
  readonly manifests: readonly ManifestBlob[];
  /** Configs and layers, each digest once: the original layers and the new ones. */
  readonly blobs: readonly BlobRef[];
  readonly platforms: readonly RebuiltPlatform[];
  /** The two new layers, shared by every platform. */
  readonly whiteoutLayer: BlobRef;
  readonly catalogLayer: BlobRef;
  /** The FBC files of the new layer, relative to /configs. */
  readonly files: readonly string[];
}

class Hashing extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

interface BuiltLayer {
  readonly digest: string;
  readonly size: number;
  readonly diffId: string;
}

async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => compareText(a.name, b.name));
    for (const e of entries) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out.push(`${path}/`);
        await walk(path);
      } else if (e.isFile()) {
        out.push(path);
      }
    }
  };
  await walk('');
  return out;
}

/** The FBC directory as a gzip tar layer under `configs/`, written to `file` while both digests are computed. */
async function buildCatalogLayer(fbcDir: string, file: string, signal?: AbortSignal): Promise<BuiltLayer & { files: string[] }> {
  const entries = await listTree(fbcDir);
  const prefix = dirPrefix(REBUILT_CONFIGS_DIR);
  const tar = tarPack();
  const diff = new Hashing();
  const blob = new Hashing();
  // The pack is a streamx stream: hand it to Node's pipeline as the async iterable it also is.
  const writing = pipeline(tar as AsyncIterable<unknown> as AsyncIterable<Buffer>, diff, createGzip({ level: 6 }), blob, createWriteStream(file), ...(signal ? [{ signal }] : []));
  writing.catch(() => undefined);
  const parents = prefix.split('/').map((_, i, all) => `${all.slice(0, i + 1).join('/')}/`);
  const entry = (header: Parameters<typeof tar.entry>[0], content?: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      tar.entry({ mtime: LAYER_MTIME, uid: 0, gid: 0, uname: '', gname: '', ...header }, content ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  for (const dir of parents) await entry({ name: dir, type: 'directory', mode: 0o755 });
  const files: string[] = [];
  for (const rel of entries) {
    if (rel.endsWith('/')) {
      await entry({ name: `${prefix}/${rel}`, type: 'directory', mode: 0o755 });
      continue;
    }
    files.push(rel);
    const size = (await stat(join(fbcDir, rel))).size;
    let done!: Promise<void>;
    const sink = await new Promise<ReturnType<typeof tar.entry>>((ready) => {
      done = new Promise<void>((resolve, reject) => {
        ready(tar.entry({ name: `${prefix}/${rel}`, type: 'file', mode: 0o644, size, mtime: LAYER_MTIME, uid: 0, gid: 0, uname: '', gname: '' }, (err) => (err ? reject(err) : resolve())));
      });
    });
    for await (const chunk of createReadStream(join(fbcDir, rel), { highWaterMark: 1 << 20 })) {
      if (!sink.write(chunk as Buffer)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
    }
    sink.end(undefined);
    await done;
  }
  tar.finalize();
  await writing;
  return { digest: blob.digest(), size: blob.bytes, diffId: diff.digest(), files };
}

/** `.wh.<name>` entries deleting each directory in `dirs` (and so what lower layers put there). */
function buildWhiteoutLayer(dirs: readonly string[]): Promise<BuiltLayer & { bytes: Buffer }> {
  const tar = tarPack();
  const chunks: Buffer[] = [];
  tar.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    tar.on('end', () => resolve());
    tar.on('error', reject);
  });
  const seen = new Set<string>();
  for (const dir of [...dirs].map(dirPrefix).sort(compareText)) {
    if (seen.has(dir)) continue;
    seen.add(dir);
    const slash = dir.lastIndexOf('/');
    const parent = slash < 0 ? '' : dir.slice(0, slash);
    const base = slash < 0 ? dir : dir.slice(slash + 1);
    tar.entry({ name: `${parent === '' ? '' : `${parent}/`}${WHITEOUT_PREFIX}${base}`, type: 'file', mode: 0o644, size: 0, mtime: LAYER_MTIME, uid: 0, gid: 0, uname: '', gname: '' }, Buffer.alloc(0));
  }
  tar.finalize();
  return done.then(() => {
    const raw = Buffer.concat(chunks);
    // gzip with a zero mtime and a fixed OS byte: the same input always gives the same bytes.
    const bytes = gzipSync(raw, { level: 6 });
    return { digest: sha256Digest(bytes), size: bytes.length, diffId: sha256Digest(raw), bytes };
  });
}

function layerMediaType(manifestMediaType: string): string {
  return manifestMediaType === MediaType.DockerManifest ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip';
}

function asObject(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}

function rebuiltConfig(original: JsonObject, whiteout: BuiltLayer, catalog: BuiltLayer): Buffer {
  const config = structuredClone(original);
  const inner = asObject(config.config);
  config.config = inner;
  inner.Labels = { ...asObject(inner.Labels), [CONFIGS_LABEL]: REBUILT_CONFIGS_DIR };
  inner.Cmd = [...REBUILT_CMD];
  if (!Array.isArray(inner.Entrypoint) || inner.Entrypoint.length === 0) inner.Entrypoint = ['/bin/opm'];
  const rootfs = asObject(config.rootfs);
  config.rootfs = { ...rootfs, type: 'layers', diff_ids: [...(Array.isArray(rootfs.diff_ids) ? rootfs.diff_ids : []), whiteout.diffId, catalog.diffId] };
  const created = typeof config.created === 'string' ? config.created : LAYER_MTIME.toISOString();
  const history = Array.isArray(config.history) ? config.history : [];
  config.history = [
    ...history,
    { created, created_by: `airlock: remove the unfiltered catalog (${WHITEOUT_PREFIX}*)`, comment: 'airlock catalog rebuild' },
    { created, created_by: `airlock: add the filtered catalog at ${REBUILT_CONFIGS_DIR}; CMD ${JSON.stringify(REBUILT_CMD)}`, comment: 'airlock catalog rebuild' },
  ];
  return Buffer.from(JSON.stringify(config), 'utf8');
}

function descriptorOf(blob: { digest: string; size: number }, mediaType: string): Descriptor {
  return { mediaType, digest: blob.digest, size: blob.size };
}

async function ensureCached(cache: BlobCache, source: BlobSource, blob: { digest: string; size: number }, signal?: AbortSignal): Promise<void> {
  if (await cache.has(blob.digest, blob.size)) return;
  await cache.put(blob.digest, blob.size, source.open(blob, signal), signal);
}

/** Builds the filtered catalog image into the cache. Throws CATALOG_REBUILD_NOT_NEEDED for `full: true` without packages. */
export async function rebuildCatalog(options: RebuildOptions): Promise<RebuiltCatalog> {
  const { image, model, result, cache, signal } = options;
  if (!result.rebuild) {
    throw new AirlockError('CATALOG_REBUILD_NOT_NEEDED', `catalog ${image.name} is mirrored in full and is not rebuilt`, { context: { image: image.name }, hint: 'this is a bug in the caller' });
  }
  const original = options.blobs ?? image.blobs;
  if (options.copyOriginalBlobs ?? true) {
    for (const p of image.platforms) for (const layer of p.parsed.layers) if (!layer.urls?.length) await ensureCached(cache, original, layer, signal);
  }
  const blobs = cacheBlobSource(cache, original);
  const work = await mkdtemp(join(options.workDir ?? tmpdir(), 'airlock-catalog-'));
  try {
    const fbcDir = join(work, 'fbc');
    await writeFilteredCatalog({ kind: 'image', image, blobs }, model.files, result, fbcDir, signal ? { signal } : {});
    const layerFile = join(work, 'catalog-layer.tar.gz');
    const catalog = await buildCatalogLayer(fbcDir, layerFile, signal);
    await cache.put(catalog.digest, catalog.size, createReadStream(layerFile, { highWaterMark: 1 << 20 }), signal);
    const whiteout = await buildWhiteoutLayer([...new Set([...image.platforms.map((p) => p.configsDir), REBUILT_CONFIGS_DIR])]);
    await cache.put(whiteout.digest, whiteout.size, whiteout.bytes, signal);

    const manifests: ManifestBlob[] = [];
    const blobRefs = new Map<string, BlobRef>();
    const platforms: RebuiltPlatform[] = [];
    const replaced = new Map<string, ManifestBlob>();
    for (const p of image.platforms) {
      const layerType = layerMediaType(p.parsed.mediaType);
      const configBytes = rebuiltConfig(p.configJson, whiteout, catalog);
      const config: BlobRef = { digest: sha256Digest(configBytes), size: configBytes.length, mediaType: p.parsed.config.mediaType, kind: 'config' };
      await cache.put(config.digest, config.size, configBytes, signal);
      const json = asObject(JSON.parse(p.manifest.bytes.toString('utf8')));
      const layers = [...p.parsed.layers, descriptorOf(whiteout, layerType), descriptorOf(catalog, layerType)];
      json.config = { ...asObject(json.config), mediaType: config.mediaType, digest: config.digest, size: config.size };
      json.layers = [...(Array.isArray(json.layers) ? json.layers : []), descriptorOf(whiteout, layerType), descriptorOf(catalog, layerType)];
      const bytes = Buffer.from(JSON.stringify(json), 'utf8');
      const manifest: ManifestBlob = { digest: sha256Digest(bytes), mediaType: p.parsed.mediaType, size: bytes.length, bytes };
      await cache.put(manifest.digest, manifest.size, bytes, signal);
      if (!manifests.some((m) => m.digest === manifest.digest)) manifests.push(manifest);
      replaced.set(p.manifest.digest, manifest);
      platforms.push({ ...(p.platform ? { platform: p.platform } : {}), manifest, config });
      if (!blobRefs.has(config.digest)) blobRefs.set(config.digest, config);
      for (const l of layers) {
        if (l.urls && l.urls.length > 0) continue;
        if (!blobRefs.has(l.digest)) blobRefs.set(l.digest, { digest: l.digest, size: l.size, mediaType: l.mediaType, kind: 'layer' });
      }
    }

    let top: ManifestBlob;
    if (image.index) {
      const json = structuredClone(image.index.json);
      const entries = Array.isArray(json.manifests) ? json.manifests : [];
      json.manifests = entries.flatMap((entry) => {
        const d = asObject(entry);
        const replacement = typeof d.digest === 'string' ? replaced.get(d.digest) : undefined;
        // Attestations and other artifacts describe the original images: they are dropped.
        return replacement ? [{ ...d, mediaType: replacement.mediaType, digest: replacement.digest, size: replacement.size }] : [];
      });
      const bytes = Buffer.from(JSON.stringify(json), 'utf8');
      top = { digest: sha256Digest(bytes), mediaType: isIndexMediaType(image.top.mediaType) ? image.top.mediaType : MediaType.OciIndex, size: bytes.length, bytes };
      await cache.put(top.digest, top.size, bytes, signal);
      manifests.push(top);
    } else {
      const only = manifests[0];
      if (!only) throw new AirlockError('CATALOG_IMAGE_INVALID', `catalog ${image.name} has no platform image`, { context: { image: image.name } });
      top = only;
    }
    return {
      digest: top.digest,
      mediaType: top.mediaType,
      size: top.size,
      manifests,
      blobs: [...blobRefs.values()],
      platforms,
      whiteoutLayer: { digest: whiteout.digest, size: whiteout.size, mediaType: layerMediaType(image.platforms[0]?.parsed.mediaType ?? ''), kind: 'layer' },
      catalogLayer: { digest: catalog.digest, size: catalog.size, mediaType: layerMediaType(image.platforms[0]?.parsed.mediaType ?? ''), kind: 'layer' },
      files: catalog.files,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Where the (rebuilt or full) catalog lands: `targetCatalog` / `targetTag` when given, as oc-mirror. */
export function catalogTarget(config: OperatorCatalog, pinnedDigest: string): { repository: string; tag: string; name: string } {
  let repository: string;
  let tag: string | undefined;
  if (config.source.kind === 'registry') {
    repository = config.source.reference.repository;
    tag = config.source.reference.tag;
  } else {
    // oci:///a/b/My_Catalog -> a/b/my-catalog: the layout's path as a repository path.
    const parts = config.source.path
      .split(/[\\/]+/)
      .map((p) => p.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, ''))
      .filter((p) => p !== '');
    repository = parts.length > 0 ? parts.join('/') : 'catalog';
    tag = 'latest';
  }
  if (config.targetCatalog !== undefined) repository = config.targetCatalog;
  tag = config.targetTag ?? tag ?? `sha256-${digestHex(pinnedDigest)}`;
  const name = destinationName(withSelector({ registry: 'x', repository }, { tag }));
  return { repository, tag, name };
}

/**
 * The rebuilt catalog as an image the export job resolves, pulls (nothing left to pull: it is all in
 * the cache) and writes into the set. `from` is only consulted for blobs missing from the cache.
 */
export function rebuiltAsResolvedImage(rebuilt: RebuiltCatalog, wanted: WantedImage, from: PullLocation, source: string): ResolvedImage {
  return {
    wanted,
    source,
    destination: wanted.destination,
    digest: rebuilt.digest,
    mediaType: rebuilt.mediaType,
    size: rebuilt.size,
    manifests: rebuilt.manifests,
    blobs: rebuilt.blobs,
    from,
  };
}

