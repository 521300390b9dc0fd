import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import { ensureRealDirectory, replaceFile } from '../util/safe-dir';
import { hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { AirlockError } from '../errors';
import { loadConfigFile, unsupportedSections, type ImageSetConfig } from '../config';
import { collectAdditionalImages, type WantedImage } from '../collect/additional';
import { checkDestinations } from '../plan/destination';
import { isResolved, pullSourcesFrom, resolveImage, type FailedImage, type ResolvedImage } from '../plan/resolve';
import { BlobCache } from '../cache/blob-cache';
import { ClientPool } from '../registry/pool';
import { AuthFileStore, defaultAuthFiles, type CredentialStore } from '../registry/credentials';
import { EMPTY_REGISTRIES_CONF, type RegistriesConf } from '../registry/registries-conf';
import type { RetryPolicy } from '../registry/transport';
import { mapLimit } from '../util/limit';
import { historyFile } from '../paths';
import { openHistory } from '../store';
import { loadOrCreateStationKey, sign } from '../keys';
import { AIRLOCK_VERSION } from '../version';
import { pullToCache } from './pull';
import type { EventSink } from './events';
import { writeSet, type SetImage } from './write-set';
import { SUMS_FILE, type BlobSource, type MediaFileSystem } from '../media';
import { CorruptDownloads } from '../media/live-parts';
import { digestMismatch } from '../digest';
import type { OperatorCatalogRecord } from '../catalog/records';
import { BlobArrivals, isPlanChanged } from './blob-arrivals';
import { releaseFailure, type ReleaseCollection } from '../releases';
import { collectPlatformReleases, prepareGraphImage, releasesReport, type ReleasesReport } from './releases';
import { catalogDestinations, collectOperators, finishOperators, operatorSuffix, type OperatorCollection } from './operators';
import { signaturePolicy, type SignatureSettings } from '../signatures';
import { collectSignatures, type SignatureJobOptions } from './signatures';

export interface ExportOptions extends SignatureSettings {
  readonly configFile: string;
  /** The directory the transfer set is written to (`file://<dir>`); working-dir/ goes inside it. */
  readonly workspace: string;
  readonly cacheDir: string;
  readonly dataDir: string;
  readonly dryRun?: boolean;
  /** Only sets created on or after this date count as already shipped (oc-mirror's --since). */
  readonly since?: Date;
  /** Ship every blob, whatever earlier sets carried. */
  readonly full?: boolean;
  readonly strictArchive?: boolean;
  /** Overrides the configuration's archiveSize (GiB), e.g. for FAT32 media. */
  readonly archiveSizeBytes?: number;
  readonly parallelImages?: number;
  readonly parallelLayers?: number;
  readonly imageTimeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly authFile?: string;
  /** Credentials from the app's vault; take precedence over auth files. */
  readonly credentials?: CredentialStore;
  readonly srcTlsVerify?: boolean;
  readonly caFiles?: readonly string[];
  readonly registriesConf?: RegistriesConf;
  readonly operator?: string;
  /** The seam onto the drive (tests inject a failing or corrupting drive here). */
  readonly mediaFs?: MediaFileSystem;
  readonly signal?: AbortSignal;
  readonly onEvent?: EventSink;
  readonly now?: () => Date;
  /**
   * Where the release services are named (mirror.platform): UPDATE_URL_OVERRIDE, OCP_SIGNATURE_URL,
   * OCP_SIGNATURE_VERIFICATION_PK, AIRLOCK_GRAPH_DATA_URL. Default process.env.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** The graph-data tarball for `graph: true`; overrides AIRLOCK_GRAPH_DATA_URL. */
  readonly graphDataUrl?: string;
}

export interface ExportedImageReport {
  readonly source: string;
  readonly destination: string;
  readonly status: 'ok' | 'failed' | 'blocked';
  readonly digest?: string;
  readonly error?: string;
}

export interface ExportReport {
  readonly dryRun: boolean;
  readonly setId?: string;
  readonly workspace: string;
  readonly images: readonly ExportedImageReport[];
  readonly totals: {
    readonly images: number;
    readonly blobs: number;
    readonly bytes: number;
    /** Blobs (and bytes) this set carries; the rest were shipped by its base sets. */
    readonly shippedBlobs: number;
    readonly shippedBytes: number;
    readonly parts: number;
  };
  readonly baseSets: readonly string[];
  readonly failed: number;
  readonly warnings: readonly string[];
  readonly errorLog?: string;
  readonly mappingFile?: string;
  readonly missingFile?: string;
  readonly missingImages?: number;
  /** mirror.platform: the releases chosen and why, and the graph-data image. */
  readonly releases?: ReleasesReport;
  /** --remove-signatures=false: how many cosign attachments the set carries beside their images. */
  readonly signatures?: number;
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '_');
}

export function refuseUnsupported(config: ImageSetConfig): void {
  const sections = unsupportedSections(config);
  if (sections.length === 0) return;
  throw new AirlockError(
    'CONFIG_UNSUPPORTED',
    `${config.file}: mirror.${sections.join(', mirror.')} ${sections.length > 1 ? 'are' : 'is'} not supported by this version of Airlock yet`,
    {
      context: { file: config.file },
      hint: 'helm charts are coming; for now carry their images as mirror.additionalImages, or remove those sections',
    },
  );
}

/** mirror-to-disk: ImageSetConfiguration -> resolved plan -> cache -> signed transfer set -> history. */
/** The pull's outcome with the images that hold a download found wrong moved to the failed ones. */
function withCorrupt(pull: { pulled: ResolvedImage[]; failed: FailedImage[] }, corrupt: ReadonlyMap<string, string>): { pulled: ResolvedImage[]; failed: FailedImage[] } {
  if (corrupt.size === 0) return pull;
  const failed = [...pull.failed];
  const pulled = pull.pulled.filter((image) => {
    const bad = image.blobs.find((b) => corrupt.has(b.digest));
    if (!bad) return true;
    const error = digestMismatch(bad.digest, corrupt.get(bad.digest) ?? '', { registry: image.from.client.registry, image: image.source });
    failed.push({ wanted: image.wanted, source: image.source, destination: image.destination, error });
    return false;
  });
  return { pulled, failed };
}

export async function runExport(options: ExportOptions): Promise<ExportReport> {
  const now = options.now ?? (() => new Date());
  const emit = options.onEvent ?? (() => undefined);
  const signal = options.signal;
  // Every request in flight listens on the job's signal; hundreds at once are expected, not a leak.
  if (signal) setMaxListeners(0, signal);
  const workspace = resolve(options.workspace);
  const config = await loadConfigFile(options.configFile);
  // Carried verbatim in transfer.json and the history: what the operator wrote, comments included.
  const configText = await readFile(options.configFile, 'utf8');
  refuseUnsupported(config);

  const { wanted: collected, blocked } = collectAdditionalImages(config);
  const platform = config.mirror.platform;
  // Checked before anything is fetched: an additional image clashing with another is a config error.
  checkDestinations(collected);
  for (const b of blocked) emit({ type: 'image', source: b.source, status: 'blocked', message: `blocked by "${b.by}"` });
  if (collected.length === 0 && !platform && config.mirror.operators.length === 0) {
    throw new AirlockError('NOTHING_TO_MIRROR', `${config.file}: after blockedImages there is nothing to mirror`, {
      context: { file: config.file },
      hint: 'add images to mirror.additionalImages or loosen mirror.blockedImages',
    });
  }

  const credentials = options.credentials ?? new AuthFileStore(options.authFile ? [options.authFile] : defaultAuthFiles(), options.authFile !== undefined);
  const pool = new ClientPool({
    tlsVerify: options.srcTlsVerify ?? true,
    credentials,
    tlsFlag: '--src-tls-verify',
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.caFiles ? { caFiles: options.caFiles } : {}),
  });
  const conf = options.registriesConf ?? EMPTY_REGISTRIES_CONF;
  const sources = pullSourcesFrom(conf, pool);
  const policy = signaturePolicy(options);
  const signatureJob = (taken: readonly ResolvedImage[]): SignatureJobOptions | undefined =>
    policy && { policy, taken: new Set(taken.map((r) => r.destination)), parallelImages: options.parallelImages ?? 4, parallelLayers: options.parallelLayers ?? 5, emit, ...(signal ? { signal } : {}) };

  let history: ReturnType<typeof openHistory> | undefined;
  try {
    // 0. Releases (mirror.platform): graphs, selection, signatures, payloads. Critical: any failure stops here.
    const env = options.env ?? process.env;
    let rel: ReleaseCollection | undefined;
    if (platform) {
      rel = await collectPlatformReleases(platform, sources, {
        env,
        emit,
        blocked: config.mirror.blockedImages,
        ...(options.caFiles ? { caFiles: options.caFiles } : {}),
        ...(options.srcTlsVerify === undefined ? {} : { tlsVerify: options.srcTlsVerify }),
        ...(options.retry ? { retry: options.retry } : {}),
        ...(signal ? { signal } : {}),
      });
    }
    // Operators (mirror.operators): catalogs read and filtered, their layers kept in the cache for the rebuild.
    const cache = new BlobCache(options.cacheDir);
    let ops: OperatorCollection | undefined;
    if (config.mirror.operators.length > 0) {
      ops = await collectOperators(config, { sources, cache, emit, ...(signal ? { signal } : {}) });
    }
    // Rebuilt catalogs are built after the pull, not resolved; their destinations are checked with the rest.
    const rebuiltCatalogs = new Set<WantedImage>(ops?.catalogs.filter((c) => c.result.rebuild).map((c) => c.catalogImage) ?? []);
    const wanted: WantedImage[] = checkDestinations([...collected, ...(rel?.images ?? []), ...(ops ? catalogDestinations(ops) : [])]).filter((w) => !rebuiltCatalogs.has(w));
    const allBlocked = [...blocked, ...(ops?.blocked ?? []), ...(rel?.blocked ?? [])];
    if (wanted.length === 0 && rebuiltCatalogs.size === 0 && (ops?.failed.length ?? 0) === 0) {
      throw new AirlockError('NOTHING_TO_MIRROR', `${config.file}: after blockedImages there is nothing to mirror`, {
        context: { file: config.file },
        hint: 'add images to mirror.additionalImages or loosen mirror.blockedImages',
      });
    }
    history = options.dryRun ? undefined : openHistory(historyFile(options.dataDir));

    // 1. Resolve every image to its digest and content.
    emit({ type: 'phase', phase: 'resolve', total: wanted.length });
    let resolvedCount = 0;
    const results = await mapLimit(wanted, options.parallelImages ?? 4, async (w) => {
      const r = await resolveImage(w, sources, signal);
      emit({ type: 'progress', phase: 'resolve', done: ++resolvedCount, total: wanted.length, item: r.source });
      emit({ type: 'image', source: r.source, status: isResolved(r) ? 'resolved' : 'failed', ...(isResolved(r) ? {} : { message: r.error.message }) });
      return r;
    });
    const resolved = results.filter(isResolved);
    const failed: FailedImage[] = [...(ops?.failed ?? []), ...results.filter((r): r is FailedImage => !isResolved(r))];
    // A release is carried whole or not at all: a release image that does not resolve stops the export.
    const unresolvedRelease = releaseFailure(failed);
    if (unresolvedRelease) throw unresolvedRelease;

    // 2. What earlier sets of this workspace already carried.
    const shipped = options.full || !history ? new Set<string>() : history.blobsShippedTo(workspace, options.since ? { since: options.since } : {});

    if (options.dryRun) {
      if (platform?.graph) emit({ type: 'log', level: 'info', message: 'graph: true: the graph-data image is built (or, in an enclave, looked up) when the set is written, not in a dry run' });
      if (rebuiltCatalogs.size > 0) emit({ type: 'log', level: 'info', message: `${rebuiltCatalogs.size} filtered catalog(s) are built when the set is written, not in a dry run` });
      const job = signatureJob(resolved);
      const signed = job ? await collectSignatures(resolved, undefined, job) : undefined;
      const report = await dryRun(config, workspace, [...resolved, ...(signed?.images ?? [])], failed, allBlocked.length, shipped, cache);
      const warnings = [...(rel?.warnings ?? []), ...(ops?.warnings ?? []), ...(signed?.warnings ?? []), ...report.warnings];
      return { ...report, warnings, ...(rel ? { releases: releasesReport(rel) } : {}) };
    }

    // 3. Pull into the cache and 4. write the signed set, then read it back. When the resolve alone
    // fixes what the set holds (no catalogs to rebuild, no graph image to build, no signatures to look
    // up), the parts are written while the pull runs, so the network and the drive work at once.
    await cache.removeStaleTemp();
    const adopted = await cache.adoptPending(signal);
    if (adopted.adopted > 0) emit({ type: 'log', level: 'info', message: `${adopted.adopted} blob(s) downloaded by an earlier run were checked and kept in the cache` });
    // Manifests are already in memory; the bytes to pull are the configs and layers.
    const total = uniqueLayers(resolved).reduce((n, b) => n + b.size, 0);
    emit({ type: 'phase', phase: 'pull', total });
    const setId = randomUUID();
    const createdAt = now();
    const key = await loadOrCreateStationKey(options.dataDir);
    const writeImages = async (ok: readonly ResolvedImage[], notOk: readonly FailedImage[], source?: BlobSource, operatorCatalogs?: readonly OperatorCatalogRecord[]) => {
      const baseDeps = shipped.size > 0 ? history?.setsContainingBlobs(workspace, uniqueBlobs(ok).filter((b) => shipped.has(b.digest)).map((b) => b.digest)) : undefined;
      const images: SetImage[] = [...ok.map((r) => ({ resolved: r })), ...notOk.map((f) => ({ failed: f }))];
      const written = await writeSet({
        dir: workspace,
        setId,
        createdAt,
        configText,
        images,
        shipped,
        baseSets: baseDeps?.setIds ?? [],
        cache,
        ...(source ? { source } : {}),
        signer: { sign: (data: Buffer) => sign(key, data), fingerprint: key.fingerprint },
        archiveSizeBytes: options.archiveSizeBytes ?? config.archiveSizeGiB * 1024 ** 3,
        strictArchive: options.strictArchive ?? false,
        emit,
        ...(rel && rel.signatureRecords.length > 0 ? { releaseSignatures: rel.signatureRecords } : {}),
        ...(operatorCatalogs && operatorCatalogs.length > 0 ? { operatorCatalogs } : {}),
        ...(options.mediaFs ? { mediaFs: options.mediaFs } : {}),
        ...(signal ? { signal } : {}),
      });
      return { written, baseDeps };
    };

    const arrivals = !ops && !platform?.graph && !policy && resolved.length > 0 ? new BlobArrivals() : undefined;
    // A writer that fails for its own reasons (the drive) stops the pull too.
    const stopPull = new AbortController();
    const pullSignal = signal ? AbortSignal.any([signal, stopPull.signal]) : stopPull.signal;
    let pulledBytes = 0;
    const startPull = () =>
      pullToCache(resolved, cache, {
      ...(arrivals ? { offer: (digest: string, size: number) => arrivals.offer(digest, size) } : {}),
      parallelImages: options.parallelImages ?? 4,
      parallelLayers: options.parallelLayers ?? 5,
      ...(options.imageTimeoutMs ? { imageTimeoutMs: options.imageTimeoutMs } : {}),
      signal: pullSignal,
      onEvent: (e) => {
        if (e.type === 'pull-bytes' || e.type === 'pull-blob-cached') {
          pulledBytes += e.type === 'pull-bytes' ? e.bytes : e.size;
          emit({ type: 'progress', phase: 'pull', done: Math.min(pulledBytes, total), total });
        } else if (e.type === 'pull-image-done') {
          emit({ type: 'image', source: e.source, status: e.ok ? 'pulled' : 'failed', ...(e.error ? { message: e.error } : {}) });
        } else if (e.type === 'pull-image-progress') {
          emit({ type: 'image-progress', phase: 'pull', source: e.source, done: e.done, total: e.total });
        }
        if (e.type === 'pull-blob-cached' || e.type === 'pull-blob-done') arrivals?.arrive(e.digest);
      },
      }).finally(() => arrivals?.end());
    let pulling: ReturnType<typeof startPull> | undefined;
    /** Blobs whose downloads the writer's read-back found wrong: digest -> what they hashed to. */
    let corrupt: ReadonlyMap<string, string> = new Map();
    let early: Awaited<ReturnType<typeof writeImages>> | undefined;
    if (arrivals) {
      // The writer reads the manifests first (completeness check): they are stored before the pull
      // gets to them, many at once (each is fsynced; one after the other they held the writer back).
      const manifests = new Map(resolved.flatMap((r) => r.manifests).map((m) => [m.digest, m]));
      const writing = (async () => {
        await mapLimit([...manifests.values()], 16, async (m) => {
          if (!(await cache.has(m.digest, m.size))) await cache.put(m.digest, m.size, m.bytes, signal);
          arrivals.arrive(m.digest);
        });
        return writeImages(resolved, failed, arrivals.source(cache));
      })();
      writing.catch(() => undefined);
      // The pull starts once the writer can take the downloads' bytes into the parts (or has said it
      // will read them from the cache): a download that starts before goes to the cache only.
      await Promise.race([arrivals.writerDecided, writing.then(() => undefined, () => undefined)]);
      pulling = startPull();
      try {
        early = await writing;
      } catch (err) {
        if (err instanceof CorruptDownloads) corrupt = err.blobs;
        // An image that could not be pulled changes the plan: the set is written again below from what was pulled.
        if (!isPlanChanged(err)) {
          stopPull.abort(err);
          await pulling.catch(() => undefined);
          throw err;
        }
      }
    } else {
      pulling = startPull();
    }
    const pull = withCorrupt(await pulling, corrupt);
    // Reported as pulled when their bytes came; the read-back found them wrong.
    for (const f of pull.failed.filter((f) => f.error.code === 'DIGEST_MISMATCH' && corrupt.has(String(f.error.context.blob)))) emit({ type: 'image', source: f.source, status: 'failed', message: f.error.message });
    emit({ type: 'progress', phase: 'pull', done: total, total });
    if (early && pull.failed.length > 0) {
      // Every blob arrived, yet an image failed (its time ran out while another image fetched what it
      // shared). The set written lists it as carried: take its completion mark away and write it again.
      await rm(join(workspace, SUMS_FILE), { force: true });
      early = undefined;
    }
    const unpulledRelease = releaseFailure(pull.failed);
    if (unpulledRelease) throw unpulledRelease;
    failed.push(...pull.failed);
    // graph: true: the graph-data image, built into the cache (its base is pulled, not shipped on its own).
    const graphImage =
      platform?.graph
        ? await prepareGraphImage({
            sources,
            cache,
            created: now(),
            env,
            emit,
            releaseImages: pull.pulled,
            parallelLayers: options.parallelLayers ?? 5,
            ...(options.graphDataUrl ? { graphDataUrl: options.graphDataUrl } : {}),
            ...(options.caFiles ? { caFiles: options.caFiles } : {}),
            ...(options.srcTlsVerify === undefined ? {} : { tlsVerify: options.srcTlsVerify }),
            ...(options.retry ? { retry: options.retry } : {}),
            ...(signal ? { signal } : {}),
          })
        : undefined;
    // Operators: bundles that lost an image are left out, whole; the filtered catalogs are built into the cache.
    const finished = ops
      ? await finishOperators(ops, pull.pulled, failed, { sources, cache, emit, localClient: () => pool.get('localhost'), ...(signal ? { signal } : {}) })
      : undefined;
    if (finished) failed.push(...finished.failed);
    const pulled = finished ? finished.ok : pull.pulled;
    // --remove-signatures=false: the cosign attachments of what was pulled (built images have none).
    const fromSource = new Set(resolved);
    const job = signatureJob(graphImage ? [...pulled, graphImage] : pulled);
    const signed = job ? await collectSignatures(pulled.filter((r) => fromSource.has(r)), cache, job) : undefined;
    const ok = [...pulled, ...(graphImage ? [graphImage] : []), ...(signed?.images ?? [])];
    if (ok.length === 0) {
      const errorLog = await writeErrorLog(workspace, now(), failed, ops);
      throw new AirlockError('EXPORT_FAILED', `no image of ${config.file} could be mirrored; nothing was written (see ${errorLog})`, {
        context: { file: errorLog },
        hint: failed[0]?.error.hint ?? 'check the registry, the references and the credentials',
      });
    }
    const { written, baseDeps } = early ?? (await writeImages(ok, failed, undefined, finished?.records));

    // 5. History, error log, report.
    emit({ type: 'phase', phase: 'record' });
    history?.recordExport({
      setId,
      createdAt: createdAt.toISOString(),
      workspace,
      configYaml: configText,
      operator: options.operator ?? safeUser(),
      host: hostname(),
      toolVersion: AIRLOCK_VERSION,
      status: failed.length > 0 ? 'partial' : 'complete',
      totalBytes: written.parts.reduce((n, p) => n + p.size, 0),
      baseSetIds: baseDeps?.setIds ?? [],
      manifestSha256: written.manifestSha256,
      keyFingerprint: key.fingerprint,
      images: [
        ...ok.map((r) => ({ sourceRef: r.source, destinationRef: r.destination, digest: r.digest, mediaType: r.mediaType, size: r.size, status: 'ok' as const })),
        ...failed.map((f) => ({ sourceRef: f.source, destinationRef: f.destination, status: 'failed' as const, error: f.error.message })),
        ...allBlocked.map((b) => ({ sourceRef: b.source, destinationRef: '', status: 'blocked' as const, error: `blocked by "${b.by}"` })),
      ],
      blobs: written.blobs.map((b) => ({ digest: b.digest, size: b.size, part: b.part })),
      parts: written.parts,
    });
    const errorLog = failed.length > 0 ? await writeErrorLog(workspace, createdAt, failed, ops) : undefined;
    const everything = uniqueBlobs(ok);
    return {
      dryRun: false,
      setId,
      workspace,
      images: [
        ...ok.map((r) => ({ source: r.source, destination: r.destination, status: 'ok' as const, digest: r.digest })),
        ...failed.map((f) => ({ source: f.source, destination: f.destination, status: 'failed' as const, error: f.error.message })),
        ...allBlocked.map((b) => ({ source: b.source, destination: '', status: 'blocked' as const, error: `blocked by "${b.by}"` })),
      ],
      totals: {
        images: ok.length,
        blobs: everything.length,
        bytes: everything.reduce((n, b) => n + b.size, 0),
        shippedBlobs: written.blobs.length,
        shippedBytes: written.blobs.reduce((n, b) => n + b.size, 0),
        parts: written.parts.length,
      },
      baseSets: baseDeps?.setIds ?? [],
      failed: failed.length,
      warnings: [...(rel?.warnings ?? []), ...(ops?.warnings ?? []), ...(finished?.warnings ?? []), ...(signed?.warnings ?? []), ...written.warnings],
      ...(errorLog ? { errorLog } : {}),
      ...(rel ? { releases: releasesReport(rel, graphImage) } : {}),
      ...(signed ? { signatures: signed.images.length } : {}),
    };
  } finally {
    history?.close();
    await pool.close();
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function uniqueLayers(images: readonly ResolvedImage[]): Array<{ digest: string; size: number }> {
  const seen = new Map<string, { digest: string; size: number }>();
  for (const image of images) for (const b of image.blobs) seen.set(b.digest, b);
  return [...seen.values()];
}

/** Every distinct blob and manifest of the images, manifests included. */
export function uniqueBlobs(images: readonly ResolvedImage[]): Array<{ digest: string; size: number }> {
  const seen = new Map<string, { digest: string; size: number }>();
  for (const image of images) {
    for (const m of image.manifests) if (!seen.has(m.digest)) seen.set(m.digest, { digest: m.digest, size: m.size });
    for (const b of image.blobs) if (!seen.has(b.digest)) seen.set(b.digest, { digest: b.digest, size: b.size });
  }
  return [...seen.values()];
}

async function writeErrorLog(workspace: string, at: Date, failed: readonly FailedImage[], ops?: OperatorCollection): Promise<string> {
  const dir = await ensureRealDirectory(workspace, ['working-dir', 'logs']);
  const file = join(dir, `mirroring_errors_${timestamp(at)}.txt`);
  const lines = failed.map((f) => `error mirroring image ${f.source} (destination ${f.destination}): ${f.error.message}${f.error.hint ? ` (hint: ${f.error.hint})` : ''}${operatorSuffix(f.source, ops)}`);
  await replaceFile(file, `${lines.join('\n')}\n`);
  return file;
}

async function dryRun(
  config: ImageSetConfig,
  workspace: string,
  resolved: readonly ResolvedImage[],
  failed: readonly FailedImage[],
  blockedCount: number,
  shipped: ReadonlySet<string>,
  cache: BlobCache,
): Promise<ExportReport> {
  const dir = await ensureRealDirectory(workspace, ['working-dir', 'dry-run']);
  const mapping = resolved.map((r) => `docker://${r.source}=docker://${r.destination}`);
  const missing: string[] = [];
  for (const r of resolved) {
    const blobs = [...r.manifests, ...r.blobs];
    let complete = true;
    for (const b of blobs) {
      if (!(await cache.has(b.digest, b.size))) {
        complete = false;
        break;
      }
    }
    if (!complete) missing.push(`docker://${r.source}=docker://${r.destination}`);
  }
  const mappingFile = join(dir, 'mapping.txt');
  const missingFile = join(dir, 'missing.txt');
  await replaceFile(mappingFile, mapping.length ? `${mapping.join('\n')}\n` : '');
  await replaceFile(missingFile, missing.length ? `${missing.join('\n')}\n` : '');
  const all = uniqueBlobs(resolved);
  const toShip = all.filter((b) => !shipped.has(b.digest) || resolved.some((r) => r.manifests.some((m) => m.digest === b.digest)));
  void config;
  return {
    dryRun: true,
    workspace,
    images: [
      ...resolved.map((r) => ({ source: r.source, destination: r.destination, status: 'ok' as const, digest: r.digest })),
      ...failed.map((f) => ({ source: f.source, destination: f.destination, status: 'failed' as const, error: f.error.message })),
    ],
    totals: {
      images: resolved.length,
      blobs: all.length,
      bytes: all.reduce((n, b) => n + b.size, 0),
      shippedBlobs: toShip.length,
      shippedBytes: toShip.reduce((n, b) => n + b.size, 0),
      parts: 0,
    },
    baseSets: [],
    failed: failed.length,
    warnings: blockedCount > 0 ? [`${blockedCount} image(s) blocked by mirror.blockedImages`] : [],
    mappingFile,
    missingFile,
    missingImages: missing.length,
  };
}
