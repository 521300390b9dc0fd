import type { PlatformSpec } from '../config/types';
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
  GRAPH_BASE_IMAGE,
  GRAPH_DATA_URL,
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
  /** Where UPDATE_URL_OVERRIDE, OCP_SIGNATURE_URL and OCP_SIGNATURE_VERIFICATION_PK are read; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly caFiles?: readonly string[];
  readonly tlsVerify?: boolean;
  readonly retry?: RetryPolicy;
  readonly signal?: AbortSignal;
  readonly emit: EventSink;
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
export async function collectPlatformReleases(platform: PlatformSpec, sources: PullSources, options: ReleaseServiceOptions): Promise<ReleaseCollection> {
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
      ...(signal ? { signal } : {}),
      onEvent: (e) => {
        if (e.type === 'graph') emit({ type: 'log', level: 'info', message: `update graph of channel ${e.channel} (${e.arch}): ${e.releases} release(s)` });
        else if (e.type === 'selected') for (const line of describeSelection(e.selection)) emit({ type: 'log', level: 'info', message: `release ${line}` });
        else emit({ type: 'log', level: 'info', message: `release ${e.version} (${e.arch}): ${e.images} image(s), ${e.signatures} verified signature(s)` });
      },
    });
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
  readonly parallelLayers?: number;
}

/**
 * `graph: true`: pulls the base image (through `sources`, so registries.conf applies) into the
 * cache, downloads the graph data and builds the graph-data image into the cache. With
 * UPDATE_URL_OVERRIDE set (an enclave with its own update service) and no graph-data URL given,
 * oc-mirror reuses a graph image it built before; Airlock has no such image to reuse yet, so this
 * warns and returns undefined (the set then carries no graph image and the import writes no
 * UpdateService).
 */
export async function prepareGraphImage(options: GraphImageOptions): Promise<ResolvedImage | undefined> {
  const { emit, signal } = options;
  const env = options.env ?? process.env;
  const explicitUrl = options.graphDataUrl ?? (env[GRAPH_DATA_URL_ENV] || undefined);
  if (env[UPDATE_URL_OVERRIDE_ENV] && explicitUrl === undefined) {
    emit({
      type: 'warning',
      message: `graph: true with ${UPDATE_URL_OVERRIDE_ENV} set: reusing an existing graph-data image is not implemented, so this set carries none and no UpdateService will be written; set ${GRAPH_DATA_URL_ENV} to a graph-data tarball to build one`,
    });
    return undefined;
  }
  const base = await resolveImage({ source: parseReference(GRAPH_BASE_IMAGE), destination: 'ubi9/ubi:latest', origin: 'release' }, options.sources, signal);
  if (!isResolved(base)) {
    throw new AirlockError('GRAPH_IMAGE_BUILD_FAILED', `cannot build the graph-data image: its base image ${GRAPH_BASE_IMAGE} could not be resolved: ${base.error.message}`, {
      context: { image: GRAPH_BASE_IMAGE },
      hint: base.error.hint ?? `graph: true needs ${GRAPH_BASE_IMAGE}, or a registries.conf mirror of it`,
      cause: base.error,
    });
  }
  const pulled = await pullToCache([base], options.cache, { parallelImages: 1, parallelLayers: options.parallelLayers ?? 5, ...(signal ? { signal } : {}) });
  const failure = pulled.failed[0];
  if (failure) {
    throw new AirlockError('GRAPH_IMAGE_BUILD_FAILED', `cannot build the graph-data image: pulling its base image ${GRAPH_BASE_IMAGE} failed: ${failure.error.message}`, {
      context: { image: GRAPH_BASE_IMAGE },
      ...(failure.error.hint ? { hint: failure.error.hint } : {}),
      cause: failure.error,
    });
  }
  const url = explicitUrl ?? GRAPH_DATA_URL;
  emit({ type: 'log', level: 'info', message: `graph: true: building the graph-data image from ${url} on ${GRAPH_BASE_IMAGE}` });
  const graphData = await downloadGraphData(
    { url, ...(options.caFiles ? { caFiles: options.caFiles } : {}), ...(options.tlsVerify === undefined ? {} : { tlsVerify: options.tlsVerify }), ...(options.retry ? { retry: options.retry } : {}) },
    signal,
  );
  return buildGraphImage({ graphData, base, cache: options.cache, created: options.created, ...(options.signal ? { signal: options.signal } : {}) });
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
