import { AirlockError } from '../errors';
import { mapLimit } from '../util/limit';
import { countBytes } from '../util/count-bytes';
import type { RegistryClient, UploadOutcome } from './client';
import { blobsOf, parseManifest, type Descriptor } from './manifest';

export interface CopyEndpoint {
  readonly client: RegistryClient;
  readonly repository: string;
}

export type CopyEvent =
  | { readonly type: 'manifest'; readonly digest: string; readonly mediaType: string; readonly image: string }
  | { readonly type: 'blob-start'; readonly digest: string; readonly size: number }
  | { readonly type: 'blob-bytes'; readonly digest: string; readonly bytes: number }
  | { readonly type: 'blob-done'; readonly digest: string; readonly size: number; readonly outcome: UploadOutcome };

export interface CopyImageOptions {
  readonly source: CopyEndpoint;
  readonly destination: CopyEndpoint;
  /** Tag or digest at the source. */
  readonly selector: string;
  /** Tag at the destination; without it the image is stored by digest only. */
  readonly destinationTag?: string;
  readonly parallelLayers?: number;
  readonly signal?: AbortSignal;
  /** Overall deadline for this image (all children and blobs). */
  readonly timeoutMs?: number;
  readonly onEvent?: (event: CopyEvent) => void;
}

export interface CopyResult {
  readonly digest: string;
  readonly mediaType: string;
  readonly manifests: number;
  readonly blobs: number;
  readonly bytesTransferred: number;
}

/**
 * Copies one image, or an index with every child, between repositories (on one registry or two).
 * Manifests are pushed byte-exact, children before their index, so every digest is kept; blobs
 * stream from source to destination without touching disk.
 */
export async function copyImage(options: CopyImageOptions): Promise<CopyResult> {
  const signal = options.timeoutMs === undefined ? options.signal : AbortSignal.any([AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])]);
  const { source, destination } = options;
  const sameRegistry = source.client.registry === destination.client.registry;
  const done = new Set<string>();
  let manifests = 0;
  let blobs = 0;
  let bytesTransferred = 0;
  const image = `${source.client.registry}/${source.repository}${options.selector.startsWith('sha256:') ? '@' : ':'}${options.selector}`;

  const copyBlob = async (d: Descriptor): Promise<void> => {
    if (done.has(d.digest)) return;
    done.add(d.digest);
    if (d.urls && d.urls.length > 0) return; // foreign (non-distributable) layers stay where they are
    options.onEvent?.({ type: 'blob-start', digest: d.digest, size: d.size });
    const outcome = await destination.client.uploadBlob(
      destination.repository,
      d.digest,
      d.size,
      () => {
        const stream = source.client.openBlob(source.repository, d.digest, { size: d.size, image, ...(signal ? { signal } : {}) });
        return options.onEvent ? countBytes(stream, (bytes) => options.onEvent?.({ type: 'blob-bytes', digest: d.digest, bytes })) : stream;
      },
      { image, mountFrom: sameRegistry ? [source.repository] : [], ...(signal ? { signal } : {}) },
    );
    blobs++;
    if (outcome === 'uploaded') bytesTransferred += d.size;
    options.onEvent?.({ type: 'blob-done', digest: d.digest, size: d.size, outcome });
  };

  const copyManifest = async (selector: string, tag: string | undefined): Promise<{ digest: string; mediaType: string }> => {
    const fetched = await source.client.getManifest(source.repository, selector, signal);
    const parsed = parseManifest(fetched.bytes, fetched.mediaType, image);
    if (parsed.kind === 'index') {
      for (const child of parsed.manifests) await copyManifest(child.digest, undefined);
    } else {
      await mapLimit(blobsOf(parsed), options.parallelLayers ?? 5, copyBlob);
    }
    // Push by digest first so an index's children exist before it; then the tag, if any.
    await destination.client.putManifest(destination.repository, fetched.digest, fetched.bytes, parsed.mediaType, signal);
    if (tag) await destination.client.putManifest(destination.repository, tag, fetched.bytes, parsed.mediaType, signal);
    manifests++;
    options.onEvent?.({ type: 'manifest', digest: fetched.digest, mediaType: parsed.mediaType, image });
    return { digest: fetched.digest, mediaType: parsed.mediaType };
  };

  try {
    const top = await copyManifest(options.selector, options.destinationTag);
    return { ...top, manifests, blobs, bytesTransferred };
  } catch (err) {
    if (signal?.aborted && !options.signal?.aborted && !(err instanceof AirlockError)) {
      throw new AirlockError('IMAGE_TIMEOUT', `copying ${image} took longer than ${options.timeoutMs} ms`, {
        context: { image },
        hint: 'raise the per-image timeout or check the network',
        cause: err,
      });
    }
    throw err;
  }
}
