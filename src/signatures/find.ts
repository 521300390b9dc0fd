import { parseReference, withSelector } from '../reference';
import type { WantedImage } from '../collect/additional';
import { isResolved, resolveImage, type ResolvedImage } from '../plan/resolve';
import { mapLimit } from '../util/limit';
import type { SignaturePolicy } from './policy';
import { ATTACHMENT_KINDS, attachmentTag, splitName } from './tags';

export interface FoundSignature {
  /** The attachment, resolved like any image (origin `signature`), to be pushed under the same tag. */
  readonly signature: ResolvedImage;
  /** The source of the image it belongs to. */
  readonly of: string;
}

export interface FoundSignatures {
  readonly found: readonly FoundSignature[];
  /** One per image whose look-up hit a registry error (the image itself is not affected). */
  readonly warnings: readonly string[];
  /** Images looked at, and images registries.d left out. */
  readonly looked: number;
  readonly excluded: number;
}

export interface FindSignaturesOptions {
  readonly policy: SignaturePolicy;
  /** Destinations already taken by carried images: an attachment never replaces one of them. */
  readonly taken?: ReadonlySet<string>;
  readonly parallel: number;
  readonly signal?: AbortSignal;
}

interface Candidate {
  readonly image: ResolvedImage;
  readonly wanted: WantedImage;
  readonly tag: string;
}

/** The digests an attachment may name: the image's own, then each manifest of an index. */
function subjectDigests(image: ResolvedImage): string[] {
  return [image.digest, ...image.manifests.map((m) => m.digest).filter((d) => d !== image.digest)];
}

/**
 * Looks for the cosign attachments of each image in the repository it was pulled from (a tag per
 * digest and kind) and resolves those present. Absence (404) is the normal case and says nothing;
 * any other answer becomes one warning naming the image, never a failure of the image.
 */
export async function findSignatures(images: readonly ResolvedImage[], options: FindSignaturesOptions): Promise<FoundSignatures> {
  const taken = options.taken ?? new Set<string>();
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  let excluded = 0;
  let looked = 0;
  for (const image of images) {
    // registries.d scopes are matched against the name the configuration gave, as containers/image does.
    if (!options.policy(image.wanted.source)) {
      excluded++;
      continue;
    }
    const repository = splitName(image.destination)?.repository;
    if (repository === undefined) continue;
    looked++;
    for (const digest of subjectDigests(image)) {
      for (const kind of ATTACHMENT_KINDS) {
        const tag = attachmentTag(digest, kind);
        const destination = `${repository}:${tag}`;
        if (taken.has(destination) || seen.has(destination)) continue;
        seen.add(destination);
        candidates.push({ image, tag, wanted: { source: withSelector(image.wanted.source, { tag }), destination, origin: 'signature' } });
      }
    }
  }

  const errors = new Map<ResolvedImage, string>();
  const results = await mapLimit(candidates, options.parallel, async (c) => {
    // Attachments live beside the image where it was actually found (a registries.conf mirror, say).
    const at = { client: c.image.from.client, reference: withSelector(parseReference(c.image.from.reference), { tag: c.tag }) };
    const r = await resolveImage(c.wanted, () => [at], options.signal);
    if (isResolved(r)) return { signature: r, of: c.image.source };
    if (r.error.code !== 'REGISTRY_NOT_FOUND' && !errors.has(c.image)) errors.set(c.image, r.error.message);
    return undefined;
  });
  const warnings = [...errors].map(([image, error]) => `could not look for the cosign signatures of ${image.source}; the image is carried without them: ${error}`);
  return { found: results.filter((r): r is FoundSignature => r !== undefined), warnings, looked, excluded };
}
