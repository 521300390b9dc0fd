import type { BlockedImage, PlatformSpec } from '../config/types';
import { AirlockError } from '../errors';
import type { BlobCache } from '../cache/blob-cache';
import { isResolved, resolveImage, type PullSources, type ResolvedImage } from '../plan/resolve';
import { parseReference } from '../reference';
import type { RetryPolicy } from '../registry/transport';
import {
  buildGraphImage,
  collectReleases,
  describeSelection,
  downloadGraphData,
  existingGraphImageReference,
  GRAPH_BASE_IMAGE,
  GRAPH_DATA_URL,
  GRAPH_IMAGE_DESTINATION,
  GRAPH_IMAGE_ENV,
  isReleaseWanted,
  loadReleaseKeys,
  SignatureStoreClient,
  UPDATE_URL_OVERRIDE_ENV,
  UpdateGraphClient,
  type ReleaseCollection,
  type SelectionReason,
} from '../releases';
import { RELEASE_IMAGES_REPOSITORY } from '../releases/arch';
import type { ReleaseSignatureRecord } from '../releases/signature-records';
import type { ReleaseSignatureInput, UpdateServiceInput } from '../resources/release-resources';
import type { EventSink } from './events';
import { pullToCache } from './pull';
import { destinationFor, type Target } from './target';

/**
 * The release part of the jobs (mirror.platform): collecting the releases with the services the
 * environment names, building the graph-data image, and the cluster resource inputs a release
 * brings on import. The release modules themselves live in src/releases.
 */

/** Overrides the graph-data tarball URL (Airlock's own; oc-mirror has none). */
export const GRAPH_DATA_URL_ENV = 'AIRLOCK_GRAPH_DATA_URL';

export interface ReleaseServiceOptions {
  /**
   * Where UPDATE_URL_OVERRIDE, OCP_SIGNATURE_URL, OCP_SIGNATURE_VERIFICATION_PK, AIRLOCK_GRAPH_DATA_URL
   * and AIRLOCK_GRAPH_IMAGE are read; default process.env.
   */
  readonly env?: NodeJS.ProcessEnv;
  readonly caFiles?: readonly string[];
  readonly tlsVerify?: boolean;
  readonly retry?: RetryPolicy;
  readonly signal?: AbortSignal;
  readonly emit: EventSink;
}

export interface CollectPlatformOptions extends ReleaseServiceOptions {
  /** mirror.blockedImages, applied to the release images too. */
  readonly blocked?: readonly BlockedImage[];
}

/** One chosen release, as reports show it. */
export interface ReleaseReportEntry {
  readonly version: string;
  readonly arch: string;
  readonly digest: string;
  /** Which rule chose it, in which channel. */
  readonly reasons: readonly SelectionReason[];
  /** Payload, components and KubeVirt container. */
  readonly images: number;
  readonly signatures: number;
}

export interface ReleasesReport {
  readonly releases: readonly ReleaseReportEntry[];
  /** One line per release: `4.19.2 (amd64): range in stable-4.19`. */
  readonly summary: readonly string[];
  /** The graph-data image the set carries (graph: true), by digest. */
  readonly graphImage?: string;
}

/**
 * Fetches the graphs, selects the releases, verifies their signatures and reads their payloads
 * (src/releases/collect.ts), reporting what it does as job events. Throws on the first problem.
 */
export async function collectPlatformReleases(platform: PlatformSpec, sources: PullSources, options: CollectPlatformOptions): Promise<ReleaseCollection> {
  const { emit, signal } = options;
  const env = options.env ?? process.env;
  const http = { ...(options.caFiles ? { caFiles: options.caFiles } : {}), ...(options.tlsVerify === undefined ? {} : { tlsVerify: options.tlsVerify }), ...(options.retry ? { retry: options.retry } : {}) };
  const keys = await loadReleaseKeys({ env });
  const graphs = new UpdateGraphClient({ env, ...http });
  const signatures = new SignatureStoreClient({ env, ...http });
  try {
    const rel = await collectReleases({
      platform,
      sources,
      graphs,
      signatures,
      keys,
      ...(options.blocked ? { blocked: options.blocked } : {}),
      ...(signal ? { signal } : {}),
      onEvent: (e) => {
        if (e.type === 'graph') emit({ type: 'log', level: 'info', message: `update graph of channel ${e.channel} (${e.arch}): ${e.releases} release(s)` });
        else if (e.type === 'selected') for (const line of describeSelection(e.selection)) emit({ type: 'log', level: 'info', message: `release ${line}` });
        else emit({ type: 'log', level: 'info', message: `release ${e.version} (${e.arch}): ${e.images} image(s), ${e.signatures} verified signature(s)` });
      },
    });
    // Reported as the other sections report blocked images; the warnings name the incomplete releases.
    for (const b of rel.blocked) emit({ type: 'image', source: b.source, status: 'blocked', message: `blocked by "${b.by}" (release ${b.usedBy.join(', ')})` });
    for (const w of rel.warnings) emit({ type: 'warning', message: w });
    return rel;
  } finally {
    await Promise.all([graphs.close(), signatures.close()]);
  }
}

export function releasesReport(rel: ReleaseCollection, graphImage?: ResolvedImage): ReleasesReport {
  return {
    releases: rel.releases.map((r) => ({
      version: r.release.version,
      arch: r.release.arch,
      digest: r.release.digest,
      reasons: r.release.reasons,
      images: r.payload.images.length,
      signatures: r.signatures.signatures.length,
    })),
    summary: rel.selections.flatMap(describeSelection),
    ...(graphImage ? { graphImage: graphImage.digest } : {}),
  };
}

export interface GraphImageOptions extends ReleaseServiceOptions {
  readonly sources: PullSources;
  readonly cache: BlobCache;
  readonly created: Date;
  /** The graph-data tarball; default AIRLOCK_GRAPH_DATA_URL from env, else api.openshift.com. */
  readonly graphDataUrl?: string;
  /** The resolved images of the job: in an enclave the existing graph image is looked up beside their payloads. */
  readonly releaseImages?: readonly ResolvedImage[];
  readonly parallelLayers?: number;
}

/**
 * `graph: true`: the graph-data image, complete in the cache (export writes it from there,
 * mirror-to-mirror pushes it from there). Built from the graph-data tarball on the base image, or,
 * with UPDATE_URL_OVERRIDE set (an enclave: the graph data is out of reach) and no graph-data URL
 * given, the existing graph image is reused as oc-mirror does: the one AIRLOCK_GRAPH_IMAGE names,
 * else the one beside the release payloads (existingGraphImageReference). Without it the job stops:
 * oc-mirror fails the release collection in that case too.
 */
export async function prepareGraphImage(options: GraphImageOptions): Promise<ResolvedImage> {
  const env = options.env ?? process.env;
  const explicitUrl = options.graphDataUrl ?? (env[GRAPH_DATA_URL_ENV] || undefined);
  if (env[UPDATE_URL_OVERRIDE_ENV] && explicitUrl === undefined) return reuseGraphImage(options, env);
  return buildGraphImageFrom(explicitUrl ?? GRAPH_DATA_URL, options);
}

async function pullGraphInputs(image: ResolvedImage, what: string, code: 'GRAPH_IMAGE_BUILD_FAILED' | 'GRAPH_IMAGE_NOT_FOUND', options: GraphImageOptions): Promise<void> {
  const { signal } = options;
  const pulled = await pullToCache([image], options.cache, { parallelImages: 1, parallelLayers: options.parallelLayers ?? 5, ...(signal ? { signal } : {}) });
  const failure = pulled.failed[0];
  if (failure) {
    throw new AirlockError(code, `cannot ${what}: pulling ${image.source} failed: ${failure.error.message}`, {
      context: { image: image.source },
      ...(failure.error.hint ? { hint: failure.error.hint } : {}),
      cause: failure.error,
    });
  }
}

async function reuseGraphImage(options: GraphImageOptions, env: NodeJS.ProcessEnv): Promise<ResolvedImage> {
  const { emit, signal } = options;
  const named = env[GRAPH_IMAGE_ENV] || undefined;
  const payload = options.releaseImages?.find((r) => isReleaseWanted(r.wanted) && r.wanted.kind === 'payload');
  const hint = `an enclave reuses the graph image the import of a set built with graph: true pushed beside the release payloads; import such a set there first, set ${GRAPH_IMAGE_ENV} to where the graph image is, or set ${GRAPH_DATA_URL_ENV} to a graph-data tarball reachable from here to build one`;
  const where = named ?? (payload ? existingGraphImageReference(payload.from.reference) : undefined);
  if (where === undefined) {
    throw new AirlockError('GRAPH_IMAGE_NOT_FOUND', `graph: true with ${UPDATE_URL_OVERRIDE_ENV} set: no release payload is mirrored, so there is no registry to find the existing graph image in`, { hint });
  }
  let reference;
  try {
    reference = parseReference(where, { requireRegistry: true });
  } catch (err) {
    throw new AirlockError('GRAPH_IMAGE_NOT_FOUND', `${GRAPH_IMAGE_ENV}="${where}" is not an image reference`, { context: { image: where }, hint, cause: err });
  }
  const found = await resolveImage({ source: reference, destination: GRAPH_IMAGE_DESTINATION, origin: 'release' }, options.sources, signal);
  if (!isResolved(found)) {
    throw new AirlockError('GRAPH_IMAGE_NOT_FOUND', `graph: true with ${UPDATE_URL_OVERRIDE_ENV} set: the existing graph image ${found.source} cannot be used: ${found.error.message}`, {
      context: { image: found.source },
      hint,
      cause: found.error,
    });
  }
  emit({ type: 'log', level: 'info', message: `graph: true with ${UPDATE_URL_OVERRIDE_ENV} set: reusing the existing graph image ${found.source} (${found.digest})` });
  await pullGraphInputs(found, 'reuse the existing graph image', 'GRAPH_IMAGE_NOT_FOUND', options);
  return found;
}

async function buildGraphImageFrom(url: string, options: GraphImageOptions): Promise<ResolvedImage> {
  const { emit, signal } = options;
  const base = await resolveImage({ source: parseReference(GRAPH_BASE_IMAGE), destination: 'ubi9/ubi:latest', origin: 'release' }, options.sources, signal);
  if (!isResolved(base)) {
    throw new AirlockError('GRAPH_IMAGE_BUILD_FAILED', `cannot build the graph-data image: its base image ${GRAPH_BASE_IMAGE} could not be resolved: ${base.error.message}`, {
      context: { image: GRAPH_BASE_IMAGE },
      hint: base.error.hint ?? `graph: true needs ${GRAPH_BASE_IMAGE}, or a registries.conf mirror of it`,
      cause: base.error,
    });
  }
  await pullGraphInputs(base, 'build the graph-data image', 'GRAPH_IMAGE_BUILD_FAILED', options);
  emit({ type: 'log', level: 'info', message: `graph: true: building the graph-data image from ${url} on ${GRAPH_BASE_IMAGE}` });
  const graphData = await downloadGraphData(
    { url, ...(options.caFiles ? { caFiles: options.caFiles } : {}), ...(options.tlsVerify === undefined ? {} : { tlsVerify: options.tlsVerify }), ...(options.retry ? { retry: options.retry } : {}) },
    signal,
  );
  return buildGraphImage({ graphData, base, cache: options.cache, created: options.created, ...(signal ? { signal } : {}) });
}

/** The release images the images pushed into the target: payloads and components, by origin. */
export interface PushedReleaseImage {
  readonly name: string;
  readonly origin?: string;
  readonly digest?: string;
  /** Full reference in the target. */
  readonly reference: string;
}

/**
 * What a release adds to the cluster resources of an import: the signatures of the payloads
 * that arrived (records of payloads that did not are left out), and the UpdateService when the
 * graph-data image arrived.
 */
export function releaseResourceInputs(
  pushed: readonly PushedReleaseImage[],
  records: readonly ReleaseSignatureRecord[],
  target: Target,
  maxNestedPaths: number,
  graphImageName: string,
): { releaseSignatures: ReleaseSignatureInput[]; updateService?: UpdateServiceInput } {
  const graph = pushed.find((p) => p.name === graphImageName && p.origin === 'release');
  const releaseDigests = new Set(pushed.filter((p) => p.origin === 'release' && p !== graph).map((p) => p.digest));
  const releaseSignatures = records.filter((r) => releaseDigests.has(r.digest));
  if (!graph) return { releaseSignatures };
  const releases = `${target.registry}/${destinationFor(target, `${RELEASE_IMAGES_REPOSITORY}:x`, maxNestedPaths).repository}`;
  return { releaseSignatures, updateService: { graphDataImage: graph.reference, releases } };
}
