import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { extract as tarExtract, pack as tarPack, type Header } from 'tar-stream';
import type { BlobCache } from '../cache/blob-cache';
import type { WantedImage } from '../collect/additional';
import { DigestAccumulator, sha256Digest } from '../digest';
import { AirlockError, describeError, isAirlockError } from '../errors';
import type { BlobRef, ManifestBlob, ResolvedImage } from '../plan/resolve';
import { parseReference } from '../reference';
import { parseManifest, type ImageManifest } from '../registry/manifest';
import { GRAPH_IMAGE_REPOSITORY, RELEASE_IMAGES_REPOSITORY } from './arch';
import { describeUrl, HttpSource, type HttpOptions } from './http';

/**
 * The graph-data image an OpenShift Update Service in the enclave serves its graph from, built as
 * oc-mirror builds it: the graph-data tarball (the cincinnati-graph-data repository as
 * api.openshift.com publishes it) unpacked as one layer under /var/lib/cincinnati-graph-data, owned
 * by root, on top of a base image (UBI 9, pulled like any other image, so registries.conf applies),
 * with a CMD that copies the data to where the service reads it. Manifest, config and the new layer
 * are written into the blob cache, so the transfer set writer carries the image like a pulled one.
 */

export const GRAPH_DATA_URL = 'https://api.openshift.com/api/upgrades_info/graph-data';
export const GRAPH_BASE_IMAGE = 'registry.access.redhat.com/ubi9/ubi:latest';
export const GRAPH_DATA_DIR = '/var/lib/cincinnati-graph-data';
export const GRAPH_DATA_MOUNT_PATH = '/var/lib/cincinnati/graph-data';
export const GRAPH_IMAGE_CMD: readonly string[] = ['/bin/bash', '-c', `exec cp -rp ${GRAPH_DATA_DIR}/* ${GRAPH_DATA_MOUNT_PATH}`];
/** Where the image lands in the target (oc-mirror's name). */
export const GRAPH_IMAGE_DESTINATION = `${GRAPH_IMAGE_REPOSITORY}:latest`;
/**
 * The graph image has no upstream; this name stands for it in transfer.json. `.invalid` can never
 * resolve, so nothing can ever try to pull it.
 */
export const GRAPH_IMAGE_SOURCE = `graph-data.airlock.invalid/${GRAPH_IMAGE_REPOSITORY}:latest`;
/** Airlock's own: the existing graph image an enclave reuses, where it is not beside the payloads. */
export const GRAPH_IMAGE_ENV = 'AIRLOCK_GRAPH_IMAGE';
/** The graph data is tens of MB; refuse a download that is far larger. */
export const MAX_GRAPH_DATA_BYTES = 1024 * 1024 * 1024;

const LAYER_TYPES = {
  docker: { manifest: 'application/vnd.docker.distribution.manifest.v2+json', config: 'application/vnd.docker.container.image.v1+json', layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip' },
  oci: { manifest: 'application/vnd.oci.image.manifest.v1+json', config: 'application/vnd.oci.image.config.v1+json', layer: 'application/vnd.oci.image.layer.v1.tar+gzip' },
} as const;

function buildError(why: string, cause?: unknown, hint?: string): AirlockError {
  return new AirlockError('GRAPH_IMAGE_BUILD_FAILED', `cannot build the graph-data image: ${why}`, {
    hint: hint ?? 'check the graph-data URL and the base image; graph: true needs both',
    ...(cause === undefined ? {} : { cause }),
  });
}

export interface GraphDataLayer {
  readonly digest: string;
  readonly size: number;
  /** sha256 of the uncompressed tar, for the config's rootfs.diff_ids. */
  readonly diffId: string;
  readonly files: number;
}

function entryName(name: string): string | undefined {
  const clean = name.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  if (clean === '' || clean === '.') return undefined;
  if (clean.split('/').some((part) => part === '..')) throw buildError(`the graph-data tarball has an entry that climbs out of its directory: ${name}`);
  return clean;
}

/**
 * Re-packs the graph-data tarball (gzip) under GRAPH_DATA_DIR, root-owned, into `out` as a gzip
 * layer, hashing both the compressed and uncompressed streams as they flow.
 */
export async function writeGraphDataLayer(tarball: Readable, out: string, signal?: AbortSignal): Promise<GraphDataLayer> {
  const prefix = GRAPH_DATA_DIR.replace(/^\//, '');
  const packer = tarPack();
  const extractor = tarExtract();
  let files = 0;
  const diff = new DigestAccumulator();
  const blob = new DigestAccumulator();
  const hashing = (acc: DigestAccumulator): Transform =>
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        acc.update(chunk);
        done(null, chunk);
      },
    });
  // The directories the files need, root first, as a container runtime expects them.
  const dirs = prefix.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  for (const dir of dirs) packer.entry({ name: `${dir}/`, type: 'directory', mode: 0o755, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: new Date(0) });
  // A bad entry is remembered and the rest drained, so the streams end in order and the error is ours.
  let failure: unknown;
  extractor.on('entry', (header, stream, next) => {
    const skip = (): void => {
      stream.on('end', () => next());
      stream.resume();
    };
    let name: string | undefined;
    try {
      name = failure === undefined ? entryName(header.name) : undefined;
    } catch (err) {
      failure = err;
    }
    const keep = name !== undefined && (header.type === 'file' || header.type === 'directory' || header.type === 'symlink');
    if (!keep || name === undefined) {
      skip();
      return;
    }
    const target: Partial<Header> & Pick<Header, 'name'> = {
      name: `${prefix}/${name}`,
      type: header.type,
      mode: header.mode ?? (header.type === 'directory' ? 0o755 : 0o644),
      uid: 0,
      gid: 0,
      uname: 'root',
      gname: 'root',
      mtime: header.mtime ?? new Date(0),
      ...(header.type === 'file' ? { size: header.size } : {}),
      ...(header.type === 'symlink' && header.linkname ? { linkname: header.linkname } : {}),
    };
    if (header.type === 'file') {
      files++;
      stream.pipe(packer.entry(target, (err) => next(err ?? undefined)));
    } else {
      // Directories and links have no body; tar-stream closes such entries itself.
      stream.resume();
      packer.entry(target, (err) => next(err ?? undefined));
    }
  });
  const opts = signal ? { signal } : {};
  const packing = pipeline(packer as unknown as Readable, hashing(diff), createGzip(), hashing(blob), createWriteStream(out), opts);
  try {
    await pipeline(tarball, createGunzip(), extractor as unknown as NodeJS.WritableStream, opts);
    if (failure !== undefined) throw failure;
    packer.finalize();
    await packing;
  } catch (err) {
    packer.destroy();
    await packing.catch(() => undefined);
    if (isAirlockError(err) || signal?.aborted) throw err;
    throw buildError(`the graph-data tarball is not a readable tar.gz: ${describeError(err)}`, err);
  }
  if (files === 0) throw buildError('the graph-data tarball holds no files');
  return { digest: blob.digest(), size: blob.bytes, diffId: diff.digest(), files };
}

export interface GraphDataSourceOptions extends HttpOptions {
  /** Default GRAPH_DATA_URL. */
  readonly url?: string;
}

/** Downloads the graph-data tarball (buffered: it is tens of MB and must be complete before use). */
export async function downloadGraphData(options: GraphDataSourceOptions = {}, signal?: AbortSignal): Promise<Buffer> {
  const url = new URL(options.url ?? GRAPH_DATA_URL);
  const http = new HttpSource(options);
  try {
    const res = await http.get(url, { maxBytes: MAX_GRAPH_DATA_BYTES, what: 'graph-data tarball', accept: 'application/gzip, application/octet-stream', ...(signal ? { signal } : {}) });
    if (res.body.length === 0) throw buildError(`${describeUrl(url)} answered an empty body`);
    return res.body;
  } finally {
    await http.close();
  }
}

export interface BuildGraphImageOptions {
  /** The graph-data tarball (tar.gz). */
  readonly graphData: Readable | Buffer;
  /** The base image, resolved and already pulled into `cache` (its manifests and blobs). */
  readonly base: ResolvedImage;
  readonly cache: BlobCache;
  /** The config's `created` and history time (the caller's clock). */
  readonly created: Date;
  /** Where the layer is staged before it enters the cache; default a fresh temp dir. */
  readonly workDir?: string;
  readonly signal?: AbortSignal;
}

function readCached(cache: BlobCache, digest: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    cache
      .open(digest)
      .on('data', (c: Buffer) => chunks.push(c))
      .on('error', reject)
      .on('end', () => {
        const data = Buffer.concat(chunks);
        if (sha256Digest(data) !== digest) reject(buildError(`cached blob ${digest} of the base image is damaged`));
        else resolve(data);
      });
  });
}

/** The linux/amd64 image of the base (an index is the usual case for UBI). */
function baseImageManifest(base: ResolvedImage): { manifest: ImageManifest; blob: ManifestBlob } {
  const top = base.manifests[base.manifests.length - 1];
  if (!top) throw buildError(`base image ${base.source} has no manifest`);
  const parsed = parseManifest(top.bytes, top.mediaType, base.source);
  if (parsed.kind === 'image') return { manifest: parsed, blob: top };
  const child = parsed.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ?? parsed.manifests[0];
  const blob = base.manifests.find((m) => m.digest === child?.digest);
  if (!child || !blob) throw buildError(`base image ${base.source} has no linux/amd64 image`);
  const image = parseManifest(blob.bytes, blob.mediaType, base.source);
  if (image.kind !== 'image') throw buildError(`base image ${base.source} nests indexes`);
  return { manifest: image, blob };
}

/**
 * Builds the graph image into the cache and returns it as a ResolvedImage (origin `release`,
 * destination `openshift/graph-image:latest`) for the transfer set writer. Base blobs stay as
 * they are: only the config, the new layer and the manifest are new.
 */
export async function buildGraphImage(options: BuildGraphImageOptions): Promise<ResolvedImage> {
  const { base, cache, signal } = options;
  const { manifest } = baseImageManifest(base);
  const types = manifest.mediaType.includes('docker') ? LAYER_TYPES.docker : LAYER_TYPES.oci;
  const ownDir = options.workDir === undefined;
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'airlock-graph-image-')));
  await mkdir(workDir, { recursive: true });
  const staged = join(workDir, `graph-data-layer.${process.pid}.tar.gz`);
  try {
    const input = Buffer.isBuffer(options.graphData) ? new PassThrough().end(options.graphData) : options.graphData;
    const layer = await writeGraphDataLayer(input, staged, signal);
    await cache.put(layer.digest, layer.size, createReadStream(staged), signal);

    let baseConfig: Record<string, unknown>;
    try {
      baseConfig = JSON.parse((await readCached(cache, manifest.config.digest)).toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      if (isAirlockError(err)) throw err;
      throw buildError(`the config of base image ${base.source} is not JSON`, err);
    }
    const rootfs = (baseConfig.rootfs ?? {}) as { diff_ids?: unknown };
    const diffIds = Array.isArray(rootfs.diff_ids) ? (rootfs.diff_ids as string[]) : [];
    if (diffIds.length !== manifest.layers.length) throw buildError(`base image ${base.source} has ${manifest.layers.length} layers but ${diffIds.length} diff_ids`);
    const created = options.created.toISOString();
    const containerConfig: Record<string, unknown> = { ...((baseConfig.config ?? {}) as Record<string, unknown>), Cmd: [...GRAPH_IMAGE_CMD] };
    delete containerConfig.Entrypoint;
    const config = {
      ...baseConfig,
      created,
      config: containerConfig,
      rootfs: { type: 'layers', diff_ids: [...diffIds, layer.diffId] },
      history: [...(Array.isArray(baseConfig.history) ? baseConfig.history : []), { created, created_by: `airlock: graph data under ${GRAPH_DATA_DIR}`, comment: 'OpenShift Update Service graph data' }],
    };
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDigest = sha256Digest(configBytes);
    await cache.put(configDigest, configBytes.length, configBytes, signal);

    const layers = [...manifest.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })), { mediaType: types.layer, digest: layer.digest, size: layer.size }];
    const manifestBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: types.manifest, config: { mediaType: types.config, digest: configDigest, size: configBytes.length }, layers }));
    const digest = sha256Digest(manifestBytes);
    await cache.put(digest, manifestBytes.length, manifestBytes, signal);

    const blobs: BlobRef[] = [
      { digest: configDigest, size: configBytes.length, mediaType: types.config, kind: 'config' },
      ...layers.map((l): BlobRef => ({ digest: l.digest, size: l.size, mediaType: l.mediaType, kind: 'layer' })),
    ];
    const wanted: WantedImage = { source: parseReference(GRAPH_IMAGE_SOURCE), destination: GRAPH_IMAGE_DESTINATION, origin: 'release' };
    return {
      wanted,
      source: GRAPH_IMAGE_SOURCE,
      destination: GRAPH_IMAGE_DESTINATION,
      digest,
      mediaType: types.manifest,
      size: manifestBytes.length,
      manifests: [{ digest, mediaType: types.manifest, size: manifestBytes.length, bytes: manifestBytes }],
      blobs,
      // Everything is in the cache already; the location is the base's, never used to pull.
      from: base.from,
    };
  } finally {
    await rm(ownDir ? workDir : staged, { recursive: true, force: true });
  }
}

/**
 * Where the existing graph image of an enclave is, when UPDATE_URL_OVERRIDE says the release
 * services are the enclave's own and the graph data cannot be downloaded. oc-mirror v2 then takes
 * `openshift/graph-image:latest` from its local cache registry, which its disk-to-mirror step filled
 * from the set that carried the graph image. Airlock's import fills no cache: it pushed that image
 * into the enterprise registry, beside the payloads the releases are now read from. So, from where
 * a payload was actually read (`payloadLocation`, after registries.conf): under the same path when
 * it sits in the import layout (`<path>/openshift/release-images`), else at the registry's root,
 * where an import to the bare registry puts it.
 */
export function existingGraphImageReference(payloadLocation: string): string {
  const ref = parseReference(payloadLocation);
  const repo = ref.repository;
  const prefix = repo === RELEASE_IMAGES_REPOSITORY ? '' : repo.endsWith(`/${RELEASE_IMAGES_REPOSITORY}`) ? repo.slice(0, -RELEASE_IMAGES_REPOSITORY.length) : '';
  return `${ref.registry}/${prefix}${GRAPH_IMAGE_DESTINATION}`;
}
