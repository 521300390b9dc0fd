import type { WantedImage } from '../collect/additional';
import { isBlocked, type BlockedImage } from '../config';
import { describeError } from '../errors';
import { destinationName } from '../plan/destination';
import { formatReference, parseReference } from '../reference';
import { compareText } from '../resources/order';
import type { FilterResult } from './filter';

/**
 * The images a filtered catalog needs: every kept bundle's image and all of its relatedImages, each
 * reference once, with the bundles and operators that need it (for the error file's
 * "(Operator bundles: [...] - Operators: [...])" and to tell which bundles a failure leaves
 * incomplete).
 */

export interface BundleRef {
  readonly package: string;
  readonly bundle: string;
}

export interface OperatorImage extends WantedImage {
  readonly origin: 'operator';
  /** The bundle or catalog named it by digest: IDMS on import (by tag: ITMS). */
  readonly byDigest: boolean;
  /** Whether some kept bundle has it as its bundle image (else only as a related image). */
  readonly bundleImage: boolean;
  /** The catalog as the configuration names it. */
  readonly catalog: string;
  /** Every kept bundle that needs it, sorted by package then bundle. */
  readonly bundles: readonly BundleRef[];
}

export interface InvalidOperatorImage {
  readonly reference: string;
  readonly bundles: readonly BundleRef[];
  readonly error: string;
}

export interface BlockedOperatorImage {
  readonly source: string;
  readonly by: string;
  readonly bundles: readonly BundleRef[];
}

export interface OperatorImages {
  /** Sorted by source reference. */
  readonly images: readonly OperatorImage[];
  /** References a bundle names that are not image references: their bundles are incomplete. */
  readonly invalid: readonly InvalidOperatorImage[];
  readonly blocked: readonly BlockedOperatorImage[];
  /** Canonical source reference of each image a bundle needs, by `package/bundle`. */
  readonly byBundle: ReadonlyMap<string, readonly string[]>;
}

export function bundleKey(ref: BundleRef): string {
  return `${ref.package}/${ref.bundle}`;
}

function sortRefs(refs: Iterable<BundleRef>): BundleRef[] {
  return [...refs].sort((a, b) => compareText(a.package, b.package) || compareText(a.bundle, b.bundle));
}

export interface OperatorImageOptions {
  /** mirror.blockedImages: matched against the source and the destination, as for additional images. */
  readonly blocked?: readonly BlockedImage[];
  /** Where the catalog entry is in the configuration. */
  readonly at?: { readonly file: string; readonly line: number; readonly column: number };
}

export function operatorImages(result: FilterResult, options: OperatorImageOptions = {}): OperatorImages {
  interface Acc {
    reference: string;
    bundles: Map<string, BundleRef>;
    bundleImage: boolean;
  }
  const byRaw = new Map<string, Acc>();
  const byBundle = new Map<string, Set<string>>();
  const note = (raw: string, ref: BundleRef, isBundleImage: boolean): void => {
    const acc = byRaw.get(raw) ?? { reference: raw, bundles: new Map<string, BundleRef>(), bundleImage: false };
    acc.bundles.set(bundleKey(ref), ref);
    acc.bundleImage ||= isBundleImage;
    byRaw.set(raw, acc);
  };
  for (const pkg of result.packages) {
    for (const b of pkg.bundles) {
      const ref = { package: pkg.name, bundle: b.name };
      byBundle.set(bundleKey(ref), new Set());
      if (b.image !== '') note(b.image, ref, true);
      for (const r of b.relatedImages) note(r.image, ref, false);
    }
  }

  const images = new Map<string, OperatorImage>();
  const invalid: InvalidOperatorImage[] = [];
  const blocked: BlockedOperatorImage[] = [];
  for (const acc of byRaw.values()) {
    const bundles = sortRefs(acc.bundles.values());
    let source;
    try {
      source = parseReference(acc.reference, { requireRegistry: true });
    } catch (err) {
      invalid.push({ reference: acc.reference, bundles, error: describeError(err) });
      continue;
    }
    const canonical = formatReference(source);
    for (const ref of bundles) byBundle.get(bundleKey(ref))?.add(canonical);
    const destination = destinationName(source);
    const blocks = options.blocked ?? [];
    if (blocks.length > 0) {
      const decision = isBlocked(canonical, blocks);
      const byDestination = decision.blocked ? decision : isBlocked(destination, blocks);
      if (byDestination.blocked) {
        blocked.push({ source: canonical, by: byDestination.by ?? '', bundles });
        continue;
      }
    }
    const existing = images.get(canonical);
    if (existing) {
      // The same image written two ways (e.g. docker.io/x and docker.io/library/x): merge.
      const merged = new Map([...existing.bundles, ...bundles].map((r) => [bundleKey(r), r]));
      images.set(canonical, { ...existing, bundleImage: existing.bundleImage || acc.bundleImage, bundles: sortRefs(merged.values()) });
      continue;
    }
    images.set(canonical, {
      source,
      destination,
      origin: 'operator',
      byDigest: source.digest !== undefined,
      bundleImage: acc.bundleImage,
      catalog: result.catalog,
      bundles,
      ...(options.at ? { at: options.at } : {}),
    });
  }
  return {
    images: [...images.values()].sort((a, b) => compareText(formatReference(a.source), formatReference(b.source))),
    invalid: invalid.sort((a, b) => compareText(a.reference, b.reference)),
    blocked: blocked.sort((a, b) => compareText(a.source, b.source)),
    byBundle: new Map([...byBundle].map(([k, v]) => [k, [...v].sort(compareText)])),
  };
}

/** The suffix oc-mirror puts on errors about operator images: which bundles and operators need it. */
export function describeOperatorImage(bundles: readonly BundleRef[]): string {
  const names = [...new Set(bundles.map((b) => b.bundle))].sort(compareText);
  const operators = [...new Set(bundles.map((b) => b.package))].sort(compareText);
  return `(Operator bundles: [${names.join(', ')}] - Operators: [${operators.join(', ')}])`;
}

export interface IncompleteBundle extends BundleRef {
  /** The images of the bundle that failed (or are invalid), sorted. */
  readonly failed: readonly string[];
}

export interface Completeness {
  /** Bundles with at least one image that failed: not shipped half. Sorted. */
  readonly incomplete: readonly IncompleteBundle[];
  /**
   * Images that were fine but are needed only by incomplete bundles: leave them out of the set, so
   * that a bundle travels whole or not at all. Sorted canonical references.
   */
  readonly withhold: readonly string[];
}

/**
 * Which bundles lost an image. `failed` holds canonical source references (formatReference) of
 * images that could not be resolved or pulled; blocked images count as failed for their bundles.
 */
export function bundleCompleteness(images: OperatorImages, failed: ReadonlySet<string>): Completeness {
  const bad = new Set(failed);
  for (const b of images.blocked) bad.add(b.source);
  const invalidByBundle = new Map<string, string[]>();
  for (const inv of images.invalid) {
    for (const ref of inv.bundles) invalidByBundle.set(bundleKey(ref), [...(invalidByBundle.get(bundleKey(ref)) ?? []), inv.reference]);
  }
  const incomplete: IncompleteBundle[] = [];
  const incompleteKeys = new Set<string>();
  for (const [key, refs] of images.byBundle) {
    const failedHere = [...refs.filter((r) => bad.has(r)), ...(invalidByBundle.get(key) ?? [])].sort(compareText);
    if (failedHere.length === 0) continue;
    const slash = key.indexOf('/');
    incomplete.push({ package: key.slice(0, slash), bundle: key.slice(slash + 1), failed: failedHere });
    incompleteKeys.add(key);
  }
  const withhold = images.images
    .filter((img) => !bad.has(formatReference(img.source)) && img.bundles.every((b) => incompleteKeys.has(bundleKey(b))))
    .map((img) => formatReference(img.source))
    .sort(compareText);
  return { incomplete: incomplete.sort((a, b) => compareText(a.package, b.package) || compareText(a.bundle, b.bundle)), withhold };
}
