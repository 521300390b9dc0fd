import { hostname } from 'node:os';
import { setMaxListeners } from 'node:events';
import { join, resolve } from 'node:path';
import { AirlockError, describeError } from '../errors';
import { loadConfigFile } from '../config';
import { collectAdditionalImages } from '../collect/additional';
import { checkDestinations } from '../plan/destination';
import { isResolved, pullSourcesFrom, resolveImage, type FailedImage, type ResolvedImage } from '../plan/resolve';
import { BlobCache } from '../cache/blob-cache';
import { catalogImageNames, catalogResourceInputs } from '../catalog/records';
import type { RegistryClient } from '../registry/client';
import { catalogDestinations, collectOperators, finishOperators, type OperatorCollection } from './operators';
import { ClientPool } from '../registry/pool';
import { copyImage } from '../registry/copy';
import { AuthFileStore, defaultAuthFiles, type CredentialStore } from '../registry/credentials';
import { EMPTY_REGISTRIES_CONF, type RegistriesConf } from '../registry/registries-conf';
import type { RetryPolicy } from '../registry/transport';
import { generateClusterResources, writeClusterResources } from '../resources';
import { openHistory } from '../store';
import { historyFile, workingDir } from '../paths';
import { mapLimit } from '../util/limit';
import { AIRLOCK_VERSION } from '../version';
import type { EventSink } from './events';
import type { ImportedImage } from './import';
import { categoryOf } from './import';
import { destinationFor, parseTarget } from './target';
import { currentOperator } from './verify';
import { refuseUnsupported } from './export';
import { releaseFailure, type ReleaseCollection } from '../releases';
import type { WantedImage } from '../collect/additional';
import { collectPlatformReleases, prepareGraphImage, releaseResourceInputs, releasesReport, type ReleasesReport } from './releases';
import { GRAPH_IMAGE_DESTINATION } from '../releases/graph-image';
import { signaturePolicy, type SignatureSettings } from '../signatures';
import { mirrorSignatures } from './signatures';

export interface MirrorToMirrorOptions extends SignatureSettings {
  readonly configFile: string;
  readonly workspace: string;
  readonly target: string;
  readonly dataDir: string;
  readonly srcTlsVerify?: boolean;
  readonly destTlsVerify?: boolean;
  readonly authFile?: string;
  readonly credentials?: CredentialStore;
  readonly caFiles?: readonly string[];
  readonly registriesConf?: RegistriesConf;
  readonly parallelImages?: number;
  readonly parallelLayers?: number;
  readonly retry?: RetryPolicy;
  readonly maxNestedPaths?: number;
  readonly imageTimeoutMs?: number;
  readonly dryRun?: boolean;
  readonly operator?: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: EventSink;
  readonly now?: () => Date;
  /** Where UPDATE_URL_OVERRIDE, OCP_SIGNATURE_URL and OCP_SIGNATURE_VERIFICATION_PK are read; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** The blob cache the filtered operator catalogs are built in; default working-dir/cache in the workspace. */
  readonly cacheDir?: string;
}

export interface MirrorToMirrorReport {
  readonly registry: string;
  readonly images: readonly ImportedImage[];
  readonly bytesCopied: number;
  readonly clusterResources: readonly string[];
  /** mirror.platform: the releases chosen and why. */
  readonly releases?: ReleasesReport;
  readonly warnings?: readonly string[];
}

/**
 * mirror-to-mirror (partially disconnected sites): the same resolution as an export, then each
 * image copied straight from its source to the target, then the same cluster resources an import
 * of the same images would write.
 */
export async function runMirrorToMirror(options: MirrorToMirrorOptions): Promise<MirrorToMirrorReport> {
  const emit = options.onEvent ?? (() => undefined);
  const { signal } = options;
  if (signal) setMaxListeners(0, signal);
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const target = parseTarget(options.target);
  const maxNestedPaths = options.maxNestedPaths ?? 0;
  const config = await loadConfigFile(options.configFile);
  refuseUnsupported(config);
  const { wanted: collected } = collectAdditionalImages(config);
  checkDestinations(collected);
  const platform = config.mirror.platform;
  const credentials = options.credentials ?? new AuthFileStore(options.authFile ? [options.authFile] : defaultAuthFiles(), options.authFile !== undefined);
  const sourcesPool = new ClientPool({ tlsVerify: options.srcTlsVerify ?? true, credentials, tlsFlag: '--src-tls-verify', ...(options.retry ? { retry: options.retry } : {}), ...(options.caFiles ? { caFiles: options.caFiles } : {}) });
  const targetPool = new ClientPool({ tlsVerify: options.destTlsVerify ?? true, credentials, tlsFlag: '--dest-tls-verify', ...(options.retry ? { retry: options.retry } : {}), ...(options.caFiles ? { caFiles: options.caFiles } : {}) });
  const conf = options.registriesConf ?? EMPTY_REGISTRIES_CONF;
  const sources = pullSourcesFrom(conf, sourcesPool);
  const destination = targetPool.get(target.registry);
  try {
    // Releases first: graphs, selection, verified signatures, payloads. Any failure stops before a copy.
    let rel: ReleaseCollection | undefined;
    const warnings: string[] = [];
    if (platform) {
      rel = await collectPlatformReleases(platform, sources, {
        emit,
        blocked: config.mirror.blockedImages,
        ...(options.env ? { env: options.env } : {}),
        ...(options.caFiles ? { caFiles: options.caFiles } : {}),
        ...(options.srcTlsVerify === undefined ? {} : { tlsVerify: options.srcTlsVerify }),
        ...(options.retry ? { retry: options.retry } : {}),
        ...(signal ? { signal } : {}),
      });
      warnings.push(...rel.warnings);
    }
    // Operators: catalogs read and filtered; the filtered catalogs are built after the copies, in the cache.
    let ops: OperatorCollection | undefined;
    const cache = new BlobCache(options.cacheDir ?? join(resolve(options.workspace), 'working-dir', 'cache'));
    if (config.mirror.operators.length > 0) {
      ops = await collectOperators(config, { sources, cache, emit, ...(signal ? { signal } : {}) });
      warnings.push(...ops.warnings);
    }
    const rebuiltCatalogs = new Set<WantedImage>(ops?.catalogs.filter((c) => c.result.rebuild).map((c) => c.catalogImage) ?? []);
    const wanted: WantedImage[] = checkDestinations([...collected, ...(rel?.images ?? []), ...(ops ? catalogDestinations(ops) : [])]).filter((w) => !rebuiltCatalogs.has(w));
    emit({ type: 'phase', phase: 'resolve', total: wanted.length });
    let resolvedCount = 0;
    const resolved = await mapLimit(wanted, options.parallelImages ?? 4, async (w) => {
      const r = await resolveImage(w, sources, signal);
      emit({ type: 'progress', phase: 'resolve', done: ++resolvedCount, total: wanted.length, item: r.source });
      return r;
    });
    // A release is mirrored whole or not at all: one of its images that does not resolve stops the job.
    const unresolvedRelease = releaseFailure(resolved.filter((r): r is FailedImage => !isResolved(r)));
    if (unresolvedRelease) throw unresolvedRelease;
    const total = resolved.filter(isResolved).reduce((n, r) => n + r.blobs.reduce((m, b) => m + b.size, 0), 0);
    emit({ type: 'phase', phase: 'push', total });
    let done = 0;
    let bytesCopied = 0;
    const copied = await mapLimit(resolved, options.parallelImages ?? 4, async (r): Promise<ImportedImage> => {
      const dest = destinationFor(target, r.destination, maxNestedPaths);
      if (!isResolved(r)) {
        emit({ type: 'image', source: r.source, status: 'failed', message: r.error.message });
        return { source: r.source, destination: dest.reference, status: 'failed', error: r.error.message };
      }
      if (options.dryRun) return { source: r.source, destination: dest.reference, digest: r.digest, status: 'skipped' };
      try {
        const result = await copyImage({
          source: { client: r.from.client, repository: r.from.repository },
          destination: { client: destination, repository: dest.repository },
          selector: r.digest,
          destinationTag: dest.tag,
          parallelLayers: options.parallelLayers ?? 5,
          ...(options.imageTimeoutMs ? { timeoutMs: options.imageTimeoutMs } : {}),
          ...(signal ? { signal } : {}),
          onEvent: (e) => {
            if (e.type === 'blob-bytes') done += e.bytes;
            else if (e.type === 'blob-done' && e.outcome !== 'uploaded') done += e.size;
            else return;
            emit({ type: 'progress', phase: 'push', done: Math.min(done, total), total });
          },
        });
        bytesCopied += result.bytesTransferred;
        emit({ type: 'image', source: r.source, status: 'pushed' });
        return { source: r.source, destination: dest.reference, digest: result.digest, status: 'pushed' };
      } catch (err) {
        if (signal?.aborted) throw err;
        if (err instanceof AirlockError && (err.code === 'REGISTRY_AUTH' || err.code === 'REGISTRY_TLS' || err.code === 'REGISTRY_UNREACHABLE') && err.context.registry === target.registry) throw err;
        emit({ type: 'image', source: r.source, status: 'failed', message: describeError(err) });
        return { source: r.source, destination: dest.reference, status: 'failed', error: describeError(err) };
      }
    });
    const images: ImportedImage[] = [
      ...(ops?.failed ?? []).map((f) => ({ source: f.source, destination: destinationFor(target, f.destination, maxNestedPaths).reference, status: 'failed' as const, error: f.error.message })),
      ...copied,
    ];
    let ok: ResolvedImage[] = resolved.filter((r, i): r is ResolvedImage => isResolved(r) && copied[i]?.status === 'pushed');
    // The filtered catalogs: built into the cache once the bundles are known to be complete, then pushed.
    let catalogs: ReturnType<typeof catalogResourceInputs> = [];
    let catalogNames = new Set<string>();
    if (ops && !options.dryRun) {
      const failedImages: FailedImage[] = resolved.flatMap((r, i) => (isResolved(r) ? (copied[i]?.status === 'failed' ? [{ wanted: r.wanted, source: r.source, destination: r.destination, error: new AirlockError('COPY_FAILED', copied[i]?.error ?? 'copy failed') }] : []) : [r]));
      const finished = await finishOperators(ops, ok, failedImages, { sources, cache, emit, localClient: () => sourcesPool.get('localhost'), ...(signal ? { signal } : {}) });
      warnings.push(...finished.warnings);
      for (const f of finished.failed) images.push({ source: f.source, destination: destinationFor(target, f.destination, maxNestedPaths).reference, status: 'failed', error: f.error.message });
      for (const r of finished.ok.filter((x) => !ok.includes(x))) {
        const dest = destinationFor(target, r.destination, maxNestedPaths);
        try {
          await pushFromCache(destination, cache, r, dest.repository, dest.tag, signal);
          emit({ type: 'image', source: r.source, status: 'pushed' });
          images.push({ source: r.source, destination: dest.reference, digest: r.digest, status: 'pushed' });
          ok = [...ok, r];
        } catch (err) {
          if (signal?.aborted) throw err;
          emit({ type: 'image', source: r.source, status: 'failed', message: describeError(err) });
          images.push({ source: r.source, destination: dest.reference, status: 'failed', error: describeError(err) });
        }
      }
      catalogNames = catalogImageNames(finished.records);
      catalogs = catalogResourceInputs(
        finished.records,
        ok.map((r) => ({ name: r.destination, digest: r.digest, reference: destinationFor(target, r.destination, maxNestedPaths).reference })),
      );
    }
    // graph: true: the graph-data image, built (or in an enclave reused) into the cache as the export does, then pushed.
    let graph: ResolvedImage | undefined;
    if (platform?.graph && !options.dryRun) {
      graph = await prepareGraphImage({
        sources,
        cache,
        created: now(),
        emit,
        releaseImages: ok,
        parallelLayers: options.parallelLayers ?? 5,
        ...(options.env ? { env: options.env } : {}),
        ...(options.caFiles ? { caFiles: options.caFiles } : {}),
        ...(options.srcTlsVerify === undefined ? {} : { tlsVerify: options.srcTlsVerify }),
        ...(options.retry ? { retry: options.retry } : {}),
        ...(signal ? { signal } : {}),
      });
      const dest = destinationFor(target, graph.destination, maxNestedPaths);
      await pushFromCache(destination, cache, graph, dest.repository, dest.tag, signal);
      emit({ type: 'image', source: graph.source, status: 'pushed' });
      images.push({ source: graph.source, destination: dest.reference, digest: graph.digest, status: 'pushed' });
      ok = [...ok, graph];
    }
    // --remove-signatures=false: the cosign attachments of the images copied, beside them in the target.
    const policy = signaturePolicy(options);
    if (policy) {
      const fromSource = resolved.filter((r, i): r is ResolvedImage => isResolved(r) && copied[i]?.status !== 'failed');
      const signed = await mirrorSignatures(fromSource, {
        policy,
        taken: new Set([...fromSource, ...ok].map((r) => r.destination)),
        destination,
        target,
        maxNestedPaths,
        dryRun: options.dryRun ?? false,
        parallelImages: options.parallelImages ?? 4,
        parallelLayers: options.parallelLayers ?? 5,
        emit,
        ...(options.imageTimeoutMs ? { imageTimeoutMs: options.imageTimeoutMs } : {}),
        ...(signal ? { signal } : {}),
      });
      images.push(...signed.images);
      warnings.push(...signed.warnings);
    }
    // The signatures were verified by collectPlatformReleases; those of payloads that arrived are written.
    const release = releaseResourceInputs(
      ok.filter(isResolved).map((r) => ({ name: r.destination, origin: r.wanted.origin, digest: r.digest, reference: destinationFor(target, r.destination, maxNestedPaths).reference })),
      rel?.signatureRecords ?? [],
      target,
      maxNestedPaths,
      GRAPH_IMAGE_DESTINATION,
    );
    const resources = generateClusterResources({
      // The graph-data image has no upstream to mirror: it gets the UpdateService, not a mirror rule.
      images: ok.filter((r) => r !== graph && !catalogNames.has(r.destination)).map((r) => ({ source: r.source, destination: destinationFor(target, r.destination, maxNestedPaths).reference, category: categoryOf(r.wanted.origin), byDigest: r.wanted.source.digest !== undefined })),
      meta: { createdAt: startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'), version: AIRLOCK_VERSION },
      maxNestedPaths,
      releaseSignatures: release.releaseSignatures,
      ...(release.updateService ? { updateService: release.updateService } : {}),
      ...(catalogs.length > 0 ? { catalogs } : {}),
    });
    const wd = workingDir(resolve(options.workspace));
    const files = options.dryRun ? [] : await writeClusterResources(wd.clusterResources, resources);
    if (!options.dryRun) {
      const history = openHistory(historyFile(options.dataDir));
      try {
        history.recordEvent({
          kind: 'import',
          setId: 'mirror-to-mirror',
          startedAt: startedAt.toISOString(),
          finishedAt: now().toISOString(),
          registry: options.target,
          operator: options.operator ?? currentOperator(),
          host: hostname(),
          result: images.some((i) => i.status === 'failed') ? 'failed' : 'ok',
          details: { mode: 'mirror-to-mirror', images, bytesCopied, clusterResources: files },
        });
      } finally {
        history.close();
      }
    }
    return { registry: options.target, images, bytesCopied, clusterResources: files, ...(rel ? { releases: releasesReport(rel, graph) } : {}), ...(rel || ops || warnings.length > 0 ? { warnings } : {}) };
  } finally {
    await Promise.all([sourcesPool.close(), targetPool.close()]);
  }
}

/** Pushes an image whose blobs and manifests are all in the cache (a rebuilt catalog): blobs, children, then the tag. */
async function pushFromCache(client: RegistryClient, cache: BlobCache, image: ResolvedImage, repository: string, tag: string, signal?: AbortSignal): Promise<void> {
  await mapLimit(image.blobs, 4, (b) => client.uploadBlob(repository, b.digest, b.size, () => cache.open(b.digest), { image: `${repository}:${tag}`, ...(signal ? { signal } : {}) }));
  for (const m of image.manifests) await client.putManifest(repository, m.digest === image.digest ? tag : m.digest, m.bytes, m.mediaType, signal);
  const served = await client.headManifest(repository, tag, signal);
  if (served?.digest !== image.digest) {
    throw new AirlockError('DIGEST_MISMATCH', `${repository}:${tag} resolves to ${served?.digest ?? 'nothing'} after the push, expected ${image.digest}`, { context: { image: `${repository}:${tag}`, expected: image.digest, actual: served?.digest ?? '' } });
  }
}
