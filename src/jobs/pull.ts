import { Readable } from 'node:stream';
import { AirlockError, describeError } from '../errors';
import type { BlobSlot } from '../media/part-slots';
import type { LiveSlot } from '../media/live-parts';
import type { BlobCache, PendingEntry } from '../cache/blob-cache';
import { digestMismatch } from '../digest';
import type { FailedImage, ResolvedImage } from '../plan/resolve';
import { mapLimit } from '../util/limit';
import { countBytes } from '../util/count-bytes';
import { ImageByteProgress } from './image-progress';

export type PullEvent =
  | { readonly type: 'pull-bytes'; readonly bytes: number }
  | { readonly type: 'pull-blob-cached'; readonly digest: string; readonly size: number }
  /** A blob was downloaded, verified and stored in the cache. */
  | { readonly type: 'pull-blob-done'; readonly digest: string; readonly size: number }
  | { readonly type: 'pull-image-done'; readonly source: string; readonly ok: boolean; readonly error?: string }
  /**
   * An image's own bytes (see ImageByteProgress: a shared blob counts for one image), at its start,
   * at most `imageProgressPerSecond` times a second while it downloads, and when it has them all.
   */
  | { readonly type: 'pull-image-progress'; readonly source: string; readonly done: number; readonly total: number };

export interface PullOptions {
  readonly parallelImages: number;
  readonly parallelLayers: number;
  readonly signal?: AbortSignal;
  /** Longest one image may take (oc-mirror's --image-timeout); its failure does not stop the others. */
  readonly imageTimeoutMs?: number;
  readonly onEvent?: (event: PullEvent) => void;
  /** How often an image's byte count may be reported while it downloads; default 4 a second. */
  readonly imageProgressPerSecond?: number;
  /**
   * Asked as each download starts: a slot of the transfer set's part the bytes go into as well as
   * into the cache (live-parts.ts). It is ended with the blob's pending cache copy once every byte
   * is stored, for the part's read-back to prove, or abandoned when the download fails.
   */
  readonly offer?: (digest: string, size: number) => Promise<LiveSlot | undefined>;
}

/** The same chunks, each written into `slot` before it is passed on. */
function teeInto(source: Readable, slot: BlobSlot): Readable {
  return Readable.from(
    (async function* tee() {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        await slot.write(chunk);
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
}

/**
 * Brings every blob and manifest of the images into the cache. Blobs shared between images are
 * downloaded once; a failure fails only the images that need that blob, the others go on.
 */
export async function pullToCache(
  images: readonly ResolvedImage[],
  cache: BlobCache,
  options: PullOptions,
): Promise<{ pulled: ResolvedImage[]; failed: FailedImage[] }> {
  const inflight = new Map<string, Promise<void>>();
  const pulled: ResolvedImage[] = [];
  const failed: FailedImage[] = [];
  const { signal, onEvent } = options;
  const perImage = onEvent
    ? new ImageByteProgress((p) => onEvent({ type: 'pull-image-progress', ...p }), options.imageProgressPerSecond === undefined ? {} : { perSecond: options.imageProgressPerSecond })
    : undefined;

  const fetchBlob = (image: ResolvedImage, digest: string, size: number, signal: AbortSignal | undefined): Promise<void> => {
    let p = inflight.get(digest);
    if (!p) {
      p = (async () => {
        const owner = perImage?.claimant(digest, size, image.source);
        if (await cache.has(digest, size)) {
          onEvent?.({ type: 'pull-blob-cached', digest, size });
          if (owner !== undefined) perImage?.add(owner, size);
          return;
        }
        // A blob that goes into a part as it downloads is not hashed here: the part's read-back
        // checks it, and its cache entry waits for that (BlobCache.putPending).
        const slot = await options.offer?.(digest, size);
        const stream = image.from.client.openBlob(image.from.repository, digest, { size, image: image.source, unchecked: slot !== undefined, ...(signal ? { signal } : {}) });
        const counted = countBytes(stream, (bytes) => {
          onEvent?.({ type: 'pull-bytes', bytes });
          if (owner !== undefined) perImage?.add(owner, bytes);
        });
        if (slot) {
          let pending: PendingEntry;
          try {
            pending = await cache.putPending(digest, size, teeInto(counted, slot), signal);
          } catch (err) {
            await slot.abandon();
            throw err;
          }
          await slot.end(pending).catch((err: unknown) => {
            // Named as a download that went wrong is named elsewhere: the image and its registry.
            throw err instanceof AirlockError && err.code === 'DIGEST_MISMATCH' ? digestMismatch(digest, String(err.context.actual), { registry: image.from.client.registry, image: image.source }) : err;
          });
        } else {
          // The stream fails before its end when the digest is wrong.
          await cache.put(digest, size, counted, signal, { sourceVerifies: true });
        }
        onEvent?.({ type: 'pull-blob-done', digest, size });
      })();
      inflight.set(digest, p);
    }
    return p;
  };

  await mapLimit(images, options.parallelImages, async (image) => {
    const deadline = options.imageTimeoutMs === undefined ? undefined : AbortSignal.timeout(options.imageTimeoutMs);
    const imageSignal = deadline ? AbortSignal.any([deadline, ...(signal ? [signal] : [])]) : signal;
    perImage?.start(image.source, image.blobs);
    try {
      for (const m of image.manifests) {
        if (!(await cache.has(m.digest, m.size))) await cache.put(m.digest, m.size, m.bytes, imageSignal);
      }
      await mapLimit(image.blobs, options.parallelLayers, (b) => fetchBlob(image, b.digest, b.size, imageSignal));
      pulled.push(image);
      perImage?.finish(image.source);
      onEvent?.({ type: 'pull-image-done', source: image.source, ok: true });
    } catch (caught) {
      if (signal?.aborted) throw caught;
      perImage?.fail(image.source);
      let err = caught;
      if (deadline?.aborted) {
        // The in-flight download of a blob another image shares must not stay poisoned by this deadline.
        for (const b of image.blobs) inflight.delete(b.digest);
        err = new AirlockError('IMAGE_TIMEOUT', `pulling ${image.source} took longer than the image timeout (${Math.round((options.imageTimeoutMs ?? 0) / 1000)} s)`, {
          context: { image: image.source },
          hint: 'raise --image-timeout, or check the network to the registry; what was downloaded completely is kept',
          cause: caught,
        });
      }
      // Space on the cache disk is not this image's fault: stop everything.
      if (err instanceof AirlockError && err.code === 'CACHE_FULL') throw err;
      const error = err instanceof AirlockError ? err : new AirlockError('PULL_FAILED', `pulling ${image.source} failed: ${describeError(err)}`, { context: { image: image.source }, cause: err });
      failed.push({ wanted: image.wanted, source: image.source, destination: image.destination, error });
      onEvent?.({ type: 'pull-image-done', source: image.source, ok: false, error: error.message });
    }
  });
  // Keep the configuration's order so sets and reports are deterministic.
  const order = new Map(images.map((img, i) => [img.source, i]));
  pulled.sort((a, b) => (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0));
  return { pulled, failed };
}
