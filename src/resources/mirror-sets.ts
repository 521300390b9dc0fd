import { AirlockError } from '../errors';
import type { ImageOrigin } from '../media/transfer-manifest';
import { parseReference, type ImageReference } from '../reference';
import { airlockAnnotations, checkResourceMeta } from './meta';
import { compareText } from './order';
import {
  CONFIG_OPENSHIFT_V1,
  MIRROR_CATEGORIES,
  type ImageDigestMirrorSet,
  type ImageMirrors,
  type ImageTagMirrorSet,
  type MirrorCategory,
  type ResourceMeta,
} from './types';

/**
 * ImageDigestMirrorSet and ImageTagMirrorSet objects for a set of mirrored images, grouped the way
 * oc-mirror v2 groups them (v2/internal/pkg/clusterresources): one object per category and kind,
 * named `idms-<category>-0` / `itms-<category>-0`, each rule namespace-scoped when the destination
 * path ends with the source path and repository-scoped otherwise. Unlike oc-mirror, the order is
 * stable: categories in MIRROR_CATEGORIES order, rules sorted by source, mirrors sorted.
 */
export interface MirroredImage {
  /** Where the image was pulled from, e.g. quay.io/org/app:1.0 or quay.io/org/app@sha256:... */
  readonly source: string;
  /** Its full reference in the target registry, e.g. registry.enclave:5000/mirror/org/app:1.0. */
  readonly destination: string;
  readonly category: MirrorCategory;
  /**
   * True when the image set configuration (or the release payload, or the operator bundle) refers
   * to the image by digest: it goes into the IDMS. False when it refers to it by tag: the ITMS.
   */
  readonly byDigest: boolean;
}

export interface MirrorSetOptions {
  /**
   * The `--max-nested-paths` the destinations were computed with. Above 0 every rule is
   * repository-scoped, as in oc-mirror: flattened paths no longer mirror the source namespaces,
   * so a namespace rule would send pulls of other repositories to paths that do not exist.
   */
  readonly maxNestedPaths?: number;
  /** Repository-scoped rules even without --max-nested-paths. */
  readonly forceRepositoryScope?: boolean;
}

export interface MirrorSets {
  /** Non-empty objects only, in MIRROR_CATEGORIES order. */
  readonly digestMirrorSets: readonly ImageDigestMirrorSet[];
  readonly tagMirrorSets: readonly ImageTagMirrorSet[];
}

export type MirrorScope = 'namespace' | 'repository';

export interface MirrorRule {
  readonly scope: MirrorScope;
  readonly source: string;
  readonly mirror: string;
}

export const IDMS_NAME_PREFIX = 'idms-';
export const ITMS_NAME_PREFIX = 'itms-';

/**
 * The `mirrors` pattern of the ImageDigestMirrorSet/ImageTagMirrorSet CRDs (config.openshift.io/v1):
 * host[:port][/namespace...][/repo]. No IPv6 literals.
 */
export const MIRROR_PATTERN = new RegExp(
  '^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?)(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$',
);

/** The CRDs' `source` pattern: the mirror forms, or a `*.host` wildcard. */
export const SOURCE_PATTERN = new RegExp(
  '^\\*(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+$|^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?)(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$',
);

/**
 * The category of an image by the part of the image set configuration that asked for it (the
 * `origin` transfer.json records): oc-mirror puts additional images and Helm chart images under
 * `generic`.
 */
export function mirrorCategoryOf(origin: ImageOrigin): MirrorCategory {
  switch (origin) {
    case 'release':
      return 'release';
    case 'operator':
      return 'operator';
    case 'additional':
    case 'helm':
      return 'generic';
    // A cosign attachment sits in its image's repository, which the image's own rule already maps.
    case 'signature':
      return 'generic';
    default: {
      const unknown: never = origin;
      throw new AirlockError('CLUSTER_RESOURCE_INPUT_INVALID', `unknown image origin ${JSON.stringify(unknown)}`, { hint: 'this is a bug in Airlock' });
    }
  }
}

function namespaceOf(ref: ImageReference): string {
  const slash = ref.repository.lastIndexOf('/');
  return slash < 0 ? ref.registry : `${ref.registry}/${ref.repository.slice(0, slash)}`;
}

function repositoryOf(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/**
 * The rule one image contributes. Namespace scope (`quay.io/org` -> `enclave:5000/mirror/org`)
 * when the destination path ends with the whole source path, compared component by component;
 * repository scope (`quay.io/org/app` -> `enclave:5000/flat/app`) otherwise.
 *
 * oc-mirror compares the two paths as plain strings, so `mirror/myorg/app` "ends with" `org/app`
 * and it maps the whole of quay.io/org to .../mirror/myorg; comparing components avoids that.
 */
export function mirrorRule(source: ImageReference, destination: ImageReference, forceRepositoryScope = false): MirrorRule {
  const src = source.repository;
  const dst = destination.repository;
  if (!forceRepositoryScope && (dst === src || dst.endsWith(`/${src}`))) {
    return { scope: 'namespace', source: namespaceOf(source), mirror: namespaceOf(destination) };
  }
  return { scope: 'repository', source: repositoryOf(source), mirror: repositoryOf(destination) };
}

function inputError(image: MirroredImage, why: string, hint: string): AirlockError {
  return new AirlockError('CLUSTER_RESOURCE_INPUT_INVALID', `cannot write a mirror set rule for ${String(image.source)}: ${why}`, {
    context: { image: String(image.source) },
    hint,
  });
}

function parseImage(image: MirroredImage): { source: ImageReference; destination: ImageReference } {
  if (!(MIRROR_CATEGORIES as readonly string[]).includes(image.category)) {
    throw inputError(image, `category ${JSON.stringify(image.category)} is not one of ${MIRROR_CATEGORIES.join(', ')}`, 'this is a bug in the caller');
  }
  const source = parseReference(image.source);
  const destination = parseReference(image.destination, { requireRegistry: true });
  if (image.byDigest && source.digest === undefined) {
    throw inputError(image, 'it is marked as pulled by digest but its reference has no digest', 'an ImageDigestMirrorSet only applies to pulls by digest');
  }
  if (!image.byDigest && source.digest !== undefined && source.tag === undefined) {
    throw inputError(image, 'it is marked as pulled by tag but its reference is by digest only', 'an ImageTagMirrorSet only applies to pulls by tag');
  }
  return { source, destination };
}

type Rules = Map<MirrorCategory, Map<string, Set<string>>>;

function addRule(rules: Rules, category: MirrorCategory, rule: MirrorRule): void {
  let bySource = rules.get(category);
  if (!bySource) {
    bySource = new Map();
    rules.set(category, bySource);
  }
  let mirrors = bySource.get(rule.source);
  if (!mirrors) {
    mirrors = new Set();
    bySource.set(rule.source, mirrors);
  }
  mirrors.add(rule.mirror);
}

function sortedEntries(bySource: Map<string, Set<string>> | undefined): ImageMirrors[] {
  if (!bySource) return [];
  return [...bySource.keys()].sort(compareText).map((source) => ({
    source,
    mirrors: [...(bySource.get(source) ?? [])].sort(compareText),
  }));
}

function checkRuleText(image: MirroredImage, rule: MirrorRule): void {
  if (!SOURCE_PATTERN.test(rule.source)) {
    throw inputError(image, `"${rule.source}" does not match the source pattern of the mirror set CRDs`, 'use a host name or IPv4 address for the registry; IPv6 literals are not accepted in mirror sets');
  }
  if (!MIRROR_PATTERN.test(rule.mirror)) {
    throw inputError(image, `mirror "${rule.mirror}" does not match the mirrors pattern of the mirror set CRDs`, 'use a host name or IPv4 address for the target registry; IPv6 literals are not accepted in mirror sets');
  }
}

/**
 * The IDMS and ITMS objects for `images`. By-digest images go into the IDMS and by-tag images into
 * the ITMS; a release image pulled by tag (the release payload) goes into both, as in oc-mirror
 * (CLID-205), so the installer finds the payload mirror in the IDMS. Callers leave out what
 * oc-mirror leaves out: operator catalog images (their CatalogSource points at the mirror) and the
 * generated update graph image. Throws REFERENCE_INVALID or CLUSTER_RESOURCE_INPUT_INVALID.
 */
export function mirrorSetsFor(images: readonly MirroredImage[], meta: ResourceMeta, options: MirrorSetOptions = {}): MirrorSets {
  checkResourceMeta(meta);
  const maxNestedPaths = options.maxNestedPaths ?? 0;
  if (!Number.isSafeInteger(maxNestedPaths) || maxNestedPaths < 0) {
    throw new AirlockError('MAX_NESTED_PATHS_INVALID', `--max-nested-paths ${String(maxNestedPaths)} is not a whole number of 0 or more`, {
      context: { actual: String(maxNestedPaths) },
    });
  }
  const forceRepositoryScope = options.forceRepositoryScope === true || maxNestedPaths > 0;

  const byDigest: Rules = new Map();
  const byTag: Rules = new Map();
  for (const image of images) {
    const { source, destination } = parseImage(image);
    const rule = mirrorRule(source, destination, forceRepositoryScope);
    checkRuleText(image, rule);
    if (image.byDigest || image.category === 'release') addRule(byDigest, image.category, rule);
    if (!image.byDigest) addRule(byTag, image.category, rule);
  }

  const annotations = airlockAnnotations(meta);
  const digestMirrorSets: ImageDigestMirrorSet[] = [];
  const tagMirrorSets: ImageTagMirrorSet[] = [];
  for (const category of MIRROR_CATEGORIES) {
    const digestEntries = sortedEntries(byDigest.get(category));
    if (digestEntries.length > 0) {
      digestMirrorSets.push({
        apiVersion: CONFIG_OPENSHIFT_V1,
        kind: 'ImageDigestMirrorSet',
        metadata: { name: `${IDMS_NAME_PREFIX}${category}-0`, annotations },
        spec: { imageDigestMirrors: digestEntries },
      });
    }
    const tagEntries = sortedEntries(byTag.get(category));
    if (tagEntries.length > 0) {
      tagMirrorSets.push({
        apiVersion: CONFIG_OPENSHIFT_V1,
        kind: 'ImageTagMirrorSet',
        metadata: { name: `${ITMS_NAME_PREFIX}${category}-0`, annotations },
        spec: { imageTagMirrors: tagEntries },
      });
    }
  }
  return { digestMirrorSets, tagMirrorSets };
}

/** What the CRDs (and our own rules: non-empty, sorted, no duplicates) say about a list of rules. */
export function imageMirrorsIssues(entries: readonly ImageMirrors[], field: string): string[] {
  const issues: string[] = [];
  if (entries.length === 0) issues.push(`${field} is empty; an empty mirror set is not written`);
  const sources = new Set<string>();
  entries.forEach((entry, i) => {
    const path = `${field}[${i}]`;
    if (!SOURCE_PATTERN.test(entry.source)) issues.push(`${path}.source ${JSON.stringify(entry.source)} does not match the CRD pattern`);
    if (sources.has(entry.source)) issues.push(`${path}.source ${entry.source} appears more than once`);
    sources.add(entry.source);
    if (entry.mirrors.length === 0) issues.push(`${path}.mirrors is empty`);
    entry.mirrors.forEach((mirror, j) => {
      if (!MIRROR_PATTERN.test(mirror)) issues.push(`${path}.mirrors[${j}] ${JSON.stringify(mirror)} does not match the CRD pattern`);
    });
    if (new Set(entry.mirrors).size !== entry.mirrors.length) issues.push(`${path}.mirrors lists a mirror more than once (the CRD makes it a set)`);
  });
  return issues;
}
