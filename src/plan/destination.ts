import { AirlockError } from '../errors';
import { digestHex } from '../digest';
import { formatReference, type ImageReference } from '../reference';

/**
 * Where an image lands, relative to the target (`<registry>[/<prefix>]/` on import): the source
 * path without its host, with the source tag, or `sha256-<hex>` for a digest-only reference (a
 * tag is needed so the image stays listable). This is oc-mirror's rule, so paths in existing
 * install configs and mirror sets keep working.
 */
export function destinationName(ref: ImageReference): string {
  const tag = ref.tag ?? (ref.digest ? `sha256-${digestHex(ref.digest)}` : 'latest');
  return `${ref.repository}:${tag}`;
}

export interface Destined {
  readonly source: ImageReference;
  readonly destination: string;
}

/**
 * Drops exact duplicates and refuses two different sources that would overwrite each other at the
 * destination (`quay.io/a/b:1` and `docker.io/a/b:1` both become `a/b:1`).
 */
export function checkDestinations<T extends Destined>(images: readonly T[]): T[] {
  const byDestination = new Map<string, T>();
  const out: T[] = [];
  for (const image of images) {
    const existing = byDestination.get(image.destination);
    if (!existing) {
      byDestination.set(image.destination, image);
      out.push(image);
      continue;
    }
    const a = formatReference(existing.source);
    const b = formatReference(image.source);
    if (a === b) continue;
    throw new AirlockError('DESTINATION_COLLISION', `${a} and ${b} would both be mirrored to ${image.destination}`, {
      context: { image: b, expected: a },
      hint: 'remove one of them from the image set, or mirror one under a different tag',
    });
  }
  return out;
}
