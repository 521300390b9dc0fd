import { createHash } from 'node:crypto';
import type { BlobCache } from '../cache/blob-cache';
import { AirlockError } from '../errors';
import type { FailedImage, ResolvedImage } from '../plan/resolve';
import { isManifestMediaType } from '../registry/media-types';
import { writeTransferSet, type BlobSource, type MediaFileSystem, type PlanWarning, type Signer, type TransferImage, type WriteBlob } from '../media';
import type { ReleaseSignatureRecord } from '../releases/signature-records';
import type { OperatorCatalogRecord } from '../catalog/records';
import { AIRLOCK_VERSION } from '../version';
import type { EventSink } from './events';

export type SetImage = { readonly resolved: ResolvedImage } | { readonly failed: FailedImage };

export interface WriteSetOptions {
  readonly dir: string;
  readonly setId: string;
  readonly createdAt: Date;
  readonly configText: string;
  readonly images: readonly SetImage[];
  /** Blobs earlier sets carried: left out (manifests always travel). */
  readonly shipped: ReadonlySet<string>;
  readonly baseSets: readonly string[];
  readonly cache: BlobCache;
  /** Where the blobs are read from, when not straight from the cache (e.g. waiting for the pull). */
  readonly source?: BlobSource;
  readonly signer: Signer;
  readonly archiveSizeBytes: number;
  readonly strictArchive: boolean;
  readonly emit: EventSink;
  readonly mediaFs?: MediaFileSystem;
  readonly signal?: AbortSignal;
  /** Verified release signatures, carried in transfer.json for the signature ConfigMap on import. */
  readonly releaseSignatures?: readonly ReleaseSignatureRecord[];
  /** The operator catalogs the set carries, in transfer.json for the CatalogSources on import. */
  readonly operatorCatalogs?: readonly OperatorCatalogRecord[];
}

export interface WrittenSet {
  readonly parts: ReadonlyArray<{ name: string; size: number; sha256: string }>;
  readonly blobs: ReadonlyArray<{ digest: string; size: number; part: string }>;
  readonly manifestSha256: string;
  readonly warnings: readonly string[];
}

function describeWarning(w: PlanWarning): string {
  switch (w.code) {
    case 'BLOB_EXCEEDS_ARCHIVE_SIZE':
      return `blob ${w.blob} (${w.blobSize} bytes) is larger than the archive size (${w.archiveSize} bytes) and goes alone into ${w.part} (${w.partSize} bytes); use --strict-archive to refuse this`;
    case 'LAYOUT_EXCEEDS_ARCHIVE_SIZE':
      return `${w.part} holds the layout index and is ${w.partSize} bytes, more than the archive size (${w.archiveSize} bytes)`;
  }
}

/** The set's image list and blob order: each image's manifests, then the blobs it adds. */
export function setContents(images: readonly SetImage[], shipped: ReadonlySet<string>): { images: TransferImage[]; blobs: WriteBlob[] } {
  const out: TransferImage[] = [];
  const blobs = new Map<string, WriteBlob>();
  for (const entry of images) {
    if ('failed' in entry) {
      out.push({ status: 'failed', source: entry.failed.source, name: entry.failed.destination, origin: entry.failed.wanted.origin, byDigest: entry.failed.wanted.source.digest !== undefined, error: entry.failed.error.message });
      continue;
    }
    const r = entry.resolved;
    if (!isManifestMediaType(r.mediaType)) throw new AirlockError('MANIFEST_INVALID', `${r.source} has media type ${r.mediaType}`, { context: { image: r.source } });
    out.push({ status: 'ok', source: r.source, name: r.destination, origin: r.wanted.origin, byDigest: r.wanted.source.digest !== undefined, digest: r.digest, mediaType: r.mediaType, size: r.size });
    for (const m of r.manifests) if (!blobs.has(m.digest)) blobs.set(m.digest, { digest: m.digest, size: m.size, kind: 'manifest' });
    for (const b of r.blobs) if (!shipped.has(b.digest) && !blobs.has(b.digest)) blobs.set(b.digest, { digest: b.digest, size: b.size, kind: b.kind });
  }
  return { images: out, blobs: [...blobs.values()] };
}

/** Writes the signed transfer set from the cache and reads it back, reporting progress as job events. */
export async function writeSet(options: WriteSetOptions): Promise<WrittenSet> {
  const { images, blobs } = setContents(options.images, options.shipped);
  const { emit } = options;
  const result = await writeTransferSet({
    dir: options.dir,
    setId: options.setId,
    createdAt: options.createdAt,
    toolVersion: AIRLOCK_VERSION,
    configText: options.configText,
    baseSets: options.baseSets,
    images,
    blobs,
    archiveSize: options.archiveSizeBytes,
    strictArchive: options.strictArchive,
    ...(options.releaseSignatures && options.releaseSignatures.length > 0 ? { releaseSignatures: options.releaseSignatures } : {}),
    ...(options.operatorCatalogs && options.operatorCatalogs.length > 0 ? { operatorCatalogs: options.operatorCatalogs } : {}),
    source: options.source ?? { open: (digest) => options.cache.open(digest), chunks: (digest) => options.cache.chunks(digest), path: (digest) => options.cache.path(digest) },
    signer: options.signer,
    ...(options.mediaFs ? { fs: options.mediaFs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (e) => {
      switch (e.type) {
        case 'plan':
          emit({ type: 'phase', phase: 'write', total: e.bytesToWrite });
          if (e.reusedParts > 0) emit({ type: 'log', level: 'info', message: `${e.reusedParts} part(s) from an earlier run are complete and kept` });
          break;
        case 'warning':
          emit({ type: 'warning', message: describeWarning(e.warning) });
          break;
        case 'bytes':
          emit({ type: 'progress', phase: 'write', done: e.written, total: e.toWrite, item: e.part });
          break;
        case 'verify':
          if (e.progress.type === 'start') {
            emit({ type: 'phase', phase: 'verify', total: e.progress.totalBytes });
          } else if (e.progress.type === 'bytes') {
            emit({ type: 'progress', phase: 'verify', done: e.progress.bytesVerified, total: e.progress.totalBytes });
          }
          break;
        default:
          break;
      }
    },
  }).catch(async (err: unknown) => {
    // A cache entry that no longer matches its digest is evicted so the next run fetches it again.
    if (err instanceof AirlockError && err.code === 'DIGEST_MISMATCH' && typeof err.context.blob === 'string' && !err.context.part) {
      await options.cache.evict(err.context.blob);
    }
    throw err;
  });
  const partOf = new Map(result.manifest.blobs.map((b) => [b.digest, b.part]));
  return {
    parts: result.manifest.parts.map((p) => ({ name: p.name, size: p.size, sha256: p.sha256 })),
    blobs: blobs.map((b) => ({ digest: b.digest, size: b.size, part: partOf.get(b.digest) ?? '' })),
    manifestSha256: createHash('sha256').update(result.manifestBytes).digest('hex'),
    warnings: result.warnings.map(describeWarning),
  };
}
