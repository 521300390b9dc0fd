import { isBlocked, type BlockPatternInput } from '../config/blocked';
import { formatReference } from '../reference';
import type { ReleaseWantedImage } from './payload';

/**
 * `mirror.blockedImages` over the release images, as oc-mirror applies it to every collected
 * image: each pattern is tested against the source (quay.io/openshift-release-dev/…@sha256:…) and
 * the destination (openshift/release:<version>-<arch>-<component>). A blocked image is left out;
 * the release it belongs to then travels incomplete, which is the operator's explicit choice, so
 * it is a warning naming the release, not the error a failed release image is.
 */

export interface BlockedReleaseImage {
  /** Canonical source reference; one entry per source, whatever the releases sharing it. */
  readonly source: string;
  /** The pattern, as written, that blocked it first. */
  readonly by: string;
  /** `4.19.1 (amd64) component etcd`, one per release image it stood for. */
  readonly usedBy: readonly string[];
}

export interface ReleaseBlocking {
  readonly kept: readonly ReleaseWantedImage[];
  readonly blocked: readonly BlockedReleaseImage[];
  /** Payload digests whose payload image is blocked (their signatures are not worth carrying). */
  readonly blockedPayloads: ReadonlySet<string>;
  /** One per release made incomplete. */
  readonly warnings: readonly string[];
}

function role(image: ReleaseWantedImage): string {
  return image.kind === 'payload' ? 'payload' : `component ${image.component ?? '?'}`;
}

/** The release images minus what `patterns` blocks; pure. */
export function blockReleaseImages(images: readonly ReleaseWantedImage[], patterns: readonly BlockPatternInput[]): ReleaseBlocking {
  if (patterns.length === 0) return { kept: images, blocked: [], blockedPayloads: new Set(), warnings: [] };
  const kept: ReleaseWantedImage[] = [];
  const bySource = new Map<string, { by: string; usedBy: string[] }>();
  const byRelease = new Map<string, string[]>();
  const blockedPayloads = new Set<string>();
  for (const image of images) {
    const source = formatReference(image.source);
    const decision = isBlocked(source, patterns);
    const hit = decision.blocked ? decision : isBlocked(image.destination, patterns);
    if (!hit.blocked) {
      kept.push(image);
      continue;
    }
    const by = hit.by ?? '';
    const release = `${image.release.version} (${image.release.arch})`;
    const entry = bySource.get(source) ?? { by, usedBy: [] };
    entry.usedBy.push(`${release} ${role(image)}`);
    bySource.set(source, entry);
    byRelease.set(release, [...(byRelease.get(release) ?? []), `${role(image)} ${source} (blocked by "${by}")`]);
    if (image.kind === 'payload' && image.source.digest) blockedPayloads.add(image.source.digest);
  }
  const warnings = [...byRelease].map(([release, what]) => {
    const shown = what.slice(0, 5).join(', ');
    const more = what.length > 5 ? ` and ${what.length - 5} more` : '';
    return `release ${release} is incomplete: mirror.blockedImages leaves out its ${shown}${more}; a cluster cannot install or update to it from this mirror`;
  });
  const blocked = [...bySource].map(([source, e]) => ({ source, by: e.by, usedBy: e.usedBy }));
  return { kept, blocked, blockedPayloads, warnings };
}
