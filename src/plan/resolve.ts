import { AirlockError, describeError } from '../errors';
import { formatReference, manifestSelector, parseReference, type ImageReference } from '../reference';
import type { ClientPool } from '../registry/pool';
import { pullSources, type RegistriesConf } from '../registry/registries-conf';
import type { RegistryClient } from '../registry/client';
import { blobsOf, parseManifest } from '../registry/manifest';
import type { WantedImage } from '../collect/additional';

/** A manifest (image manifest or index) kept byte-exact: it travels in every set. */
export interface ManifestBlob {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly bytes: Buffer;
}

export interface BlobRef {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
  readonly kind: 'config' | 'layer';
}

/** Where an image's content is read from: the first of its pull sources that had it. */
export interface PullLocation {
  readonly client: RegistryClient;
  readonly repository: string;
  readonly reference: string;
}

export interface ResolvedImage {
  readonly wanted: WantedImage;
  readonly source: string;
  readonly destination: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  /** Children first, the top-level manifest last: the order they must be pushed in. */
  readonly manifests: readonly ManifestBlob[];
  /** Configs and layers, each digest once. */
  readonly blobs: readonly BlobRef[];
  readonly from: PullLocation;
}

export interface FailedImage {
  readonly wanted: WantedImage;
  readonly source: string;
  readonly destination: string;
  readonly error: AirlockError;
}

/** The ordered places to try for one image: registries.conf mirrors first, then the image's own registry. */
export type PullSources = (ref: ImageReference) => ReadonlyArray<{ readonly client: RegistryClient; readonly reference: ImageReference }>;

/** PullSources from a registries.conf and a pool of clients (one per registry and TLS mode). */
export function pullSourcesFrom(conf: RegistriesConf, pool: ClientPool): PullSources {
  return (ref) =>
    pullSources(conf, formatReference(ref)).map((s) => {
      const reference = parseReference(s.reference);
      return { client: pool.get(reference.registry, s.insecure), reference };
    });
}

async function fetchTree(location: PullLocation, selector: string, signal?: AbortSignal): Promise<{ manifests: ManifestBlob[]; blobs: BlobRef[] }> {
  const manifests: ManifestBlob[] = [];
  const blobs = new Map<string, BlobRef>();
  const visit = async (sel: string, depth: number): Promise<ManifestBlob> => {
    const fetched = await location.client.getManifest(location.repository, sel, signal);
    const parsed = parseManifest(fetched.bytes, fetched.mediaType, location.reference);
    if (parsed.kind === 'index') {
      // Nested indexes exist (attestations, multi-level lists) but never deeper than this.
      if (depth > 3) throw new AirlockError('MANIFEST_INVALID', `${location.reference} nests indexes more than 3 deep`, { context: { image: location.reference } });
      for (const child of parsed.manifests) {
        const got = await visit(child.digest, depth + 1);
        if (got.size !== child.size) {
          throw new AirlockError('SIZE_MISMATCH', `${location.reference}: child manifest ${child.digest} has ${got.size} bytes, the index says ${child.size}`, {
            context: { image: location.reference, blob: child.digest, expected: String(child.size), actual: String(got.size) },
          });
        }
      }
    } else {
      for (const d of blobsOf(parsed)) {
        if (d.urls && d.urls.length > 0) continue; // non-distributable layers are fetched by the cluster itself
        if (!blobs.has(d.digest)) blobs.set(d.digest, { digest: d.digest, size: d.size, mediaType: d.mediaType, kind: d.digest === parsed.config.digest ? 'config' : 'layer' });
      }
    }
    const blob: ManifestBlob = { digest: fetched.digest, mediaType: parsed.mediaType, size: fetched.bytes.length, bytes: fetched.bytes };
    if (!manifests.some((m) => m.digest === blob.digest)) manifests.push(blob);
    return blob;
  };
  await visit(selector, 0);
  return { manifests, blobs: [...blobs.values()] };
}

/**
 * Resolves one wanted image to its digest and full content list, trying each pull source in order.
 * A source that does not have the image (404) or cannot be reached falls through to the next;
 * the error of the last one is what the operator sees.
 */
export async function resolveImage(wanted: WantedImage, sources: PullSources, signal?: AbortSignal): Promise<ResolvedImage | FailedImage> {
  const source = formatReference(wanted.source);
  let lastError: unknown;
  for (const { client, reference } of sources(wanted.source)) {
    const location: PullLocation = { client, repository: reference.repository, reference: formatReference(reference) };
    try {
      const { manifests, blobs } = await fetchTree(location, manifestSelector(reference), signal);
      const top = manifests[manifests.length - 1];
      if (!top) throw new AirlockError('MANIFEST_INVALID', `${source} has no manifest`, { context: { image: source } });
      if (wanted.source.digest && top.digest !== wanted.source.digest) {
        throw new AirlockError('DIGEST_MISMATCH', `${location.reference} resolved to ${top.digest}, not the digest asked for`, {
          context: { image: source, expected: wanted.source.digest, actual: top.digest },
        });
      }
      return { wanted, source, destination: wanted.destination, digest: top.digest, mediaType: top.mediaType, size: top.size, manifests, blobs, from: location };
    } catch (err) {
      if (signal?.aborted) throw err;
      // A broken auth file is the operator's setup, not this image's problem: stop with it.
      if (err instanceof AirlockError && (err.code === 'AUTHFILE_UNREADABLE' || err.code === 'AUTHFILE_INVALID')) throw err;
      lastError = err;
    }
  }
  const error =
    lastError instanceof AirlockError
      ? lastError
      : new AirlockError('IMAGE_UNAVAILABLE', `cannot resolve ${source}: ${describeError(lastError)}`, { context: { image: source }, cause: lastError });
  return { wanted, source, destination: wanted.destination, error };
}

export function isResolved(image: ResolvedImage | FailedImage): image is ResolvedImage {
  return !('error' in image);
}
