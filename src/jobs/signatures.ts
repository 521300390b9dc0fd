import { describeError } from '../errors';
import type { BlobCache } from '../cache/blob-cache';
import type { ResolvedImage } from '../plan/resolve';
import type { RegistryClient } from '../registry/client';
import { copyImage } from '../registry/copy';
import { findSignatures, type FoundSignatures, type SignaturePolicy } from '../signatures';
import { mapLimit } from '../util/limit';
import type { EventSink } from './events';
import type { ImportedImage } from './import';
import { pullToCache } from './pull';
import { destinationFor, type Target } from './target';

/**
 * The cosign attachments (--remove-signatures=false) in each workflow: found beside the images a
 * job carries, then pulled into the cache (export) or copied to the target (mirror to mirror).
 * Everything that goes wrong with an attachment is a warning: the images travel regardless.
 */

export interface SignatureJobOptions {
  readonly policy: SignaturePolicy;
  /** Destinations of the carried images, which an attachment must not take over. */
  readonly taken: ReadonlySet<string>;
  readonly parallelImages: number;
  readonly parallelLayers: number;
  readonly emit: EventSink;
  readonly signal?: AbortSignal;
}

function report(found: FoundSignatures, carried: number, emit: EventSink): void {
  for (const message of found.warnings) emit({ type: 'warning', message });
  const excluded = found.excluded > 0 ? `; ${found.excluded} image(s) left out by registries.d (use-sigstore-attachments: false)` : '';
  emit({ type: 'log', level: 'info', message: `cosign signatures: ${carried} attachment(s) carried for the ${found.looked} image(s) looked at${excluded}` });
}

async function find(images: readonly ResolvedImage[], options: SignatureJobOptions): Promise<FoundSignatures> {
  return findSignatures(images, { policy: options.policy, taken: options.taken, parallel: options.parallelImages, ...(options.signal ? { signal: options.signal } : {}) });
}

/**
 * Export: the attachments of `images`, in the cache when `cache` is given (a dry run only
 * resolves them). They join the set as images of origin `signature`.
 */
export async function collectSignatures(images: readonly ResolvedImage[], cache: BlobCache | undefined, options: SignatureJobOptions): Promise<{ images: ResolvedImage[]; warnings: string[] }> {
  const found = await find(images, options);
  const warnings = [...found.warnings];
  let carried = found.found.map((f) => f.signature);
  if (cache && carried.length > 0) {
    const pulled = await pullToCache(carried, cache, { parallelImages: options.parallelImages, parallelLayers: options.parallelLayers, ...(options.signal ? { signal: options.signal } : {}) });
    for (const f of pulled.failed) {
      const of = found.found.find((x) => x.signature.source === f.source)?.of ?? f.source;
      const message = `the cosign signature ${f.source} of ${of} could not be pulled and is left out: ${f.error.message}`;
      options.emit({ type: 'warning', message });
      warnings.push(message);
    }
    carried = pulled.pulled;
  }
  report(found, carried.length, options.emit);
  return { images: carried, warnings };
}

export interface MirrorSignaturesOptions extends SignatureJobOptions {
  readonly destination: RegistryClient;
  readonly target: Target;
  readonly maxNestedPaths: number;
  readonly dryRun: boolean;
  readonly imageTimeoutMs?: number;
}

/** Mirror to mirror: each attachment copied beside its image in the target, under the same tag. */
export async function mirrorSignatures(images: readonly ResolvedImage[], options: MirrorSignaturesOptions): Promise<{ images: ImportedImage[]; warnings: string[] }> {
  const found = await find(images, options);
  const warnings = [...found.warnings];
  const results = await mapLimit(found.found, options.parallelImages, async ({ signature, of }): Promise<ImportedImage | undefined> => {
    const dest = destinationFor(options.target, signature.destination, options.maxNestedPaths);
    if (options.dryRun) return { source: signature.source, destination: dest.reference, digest: signature.digest, status: 'skipped' };
    try {
      const copied = await copyImage({
        source: { client: signature.from.client, repository: signature.from.repository },
        destination: { client: options.destination, repository: dest.repository },
        selector: signature.digest,
        destinationTag: dest.tag,
        parallelLayers: options.parallelLayers,
        ...(options.imageTimeoutMs ? { timeoutMs: options.imageTimeoutMs } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      options.emit({ type: 'image', source: signature.source, status: 'pushed' });
      return { source: signature.source, destination: dest.reference, digest: copied.digest, status: 'pushed' };
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const message = `the cosign signature ${signature.source} of ${of} could not be copied to ${dest.reference}: ${describeError(err)}`;
      options.emit({ type: 'warning', message });
      warnings.push(message);
      return undefined;
    }
  });
  const pushed = results.filter((r): r is ImportedImage => r !== undefined);
  report(found, pushed.length, options.emit);
  return { images: pushed, warnings };
}

/** Import: says how many of a set's attachments are pushed, and why the others are not. */
export function reportSetSignatures(inSet: number, pushed: number, removed: boolean, emit: EventSink): void {
  if (inSet === 0) return;
  const message = removed
    ? `${inSet} cosign signature(s) in the set are not pushed: signatures are removed unless --remove-signatures=false`
    : `cosign signatures: ${pushed} of the ${inSet} in the set are pushed (the others belong to images not imported or left out by registries.d)`;
  emit({ type: 'log', level: 'info', message });
}
