import { hostname } from 'node:os';
import { setMaxListeners } from 'node:events';
import { resolve } from 'node:path';
import { AirlockError, describeError, isAirlockError } from '../errors';
import { loadConfigFile } from '../config';
import { collectAdditionalImages } from '../collect/additional';
import { formatReference } from '../reference';
import { openSetBlob, type TransferImageOk, type TransferManifest } from '../media';
import { ClientPool } from '../registry/pool';
import type { RegistryClient, UploadOutcome } from '../registry/client';
import { AuthFileStore, defaultAuthFiles, type CredentialStore } from '../registry/credentials';
import { parseManifest, blobsOf } from '../registry/manifest';
import type { RetryPolicy } from '../registry/transport';
import { generateClusterResources, writeClusterResources, type MirrorCategory } from '../resources';
import { openHistory } from '../store';
import { historyFile, workingDir } from '../paths';
import { mapLimit } from '../util/limit';
import { ensureRealDirectory } from '../util/safe-dir';
import { countBytes } from '../util/count-bytes';
import { AIRLOCK_VERSION } from '../version';
import type { EventSink } from './events';
import { ImageByteProgress } from './image-progress';
import { currentOperator, runVerify, type VerifyJobReport } from './verify';
import { destinationFor, parseTarget, type Target } from './target';
import { GRAPH_IMAGE_DESTINATION } from '../releases/graph-image';
import { releaseResourceInputs } from './releases';
import { catalogImageNames, catalogResourceInputs } from '../catalog/records';
import { signaturePolicy, signaturesToPush, type SignatureSettings } from '../signatures';
import { reportSetSignatures } from './signatures';

export interface ImportOptions extends SignatureSettings {
  /** The transfer set directory (`--from file://<dir>`). */
  readonly from: string;
  /** `registry[/prefix]` (`docker://…`). */
  readonly target: string;
  readonly dataDir: string;
  /** Where working-dir/ (cluster resources) is written; the set directory by default, as oc-mirror. */
  readonly workspace?: string;
  /** Import only what this ImageSetConfiguration asks for (the enclave flow). */
  readonly configFile?: string;
  readonly destTlsVerify?: boolean;
  readonly authFile?: string;
  readonly credentials?: CredentialStore;
  readonly caFiles?: readonly string[];
  readonly parallelImages?: number;
  readonly parallelLayers?: number;
  readonly retry?: RetryPolicy;
  readonly maxNestedPaths?: number;
  readonly insecureAcceptUntrusted?: boolean;
  readonly operator?: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: EventSink;
}

export interface ImportedImage {
  readonly source: string;
  readonly destination: string;
  readonly digest?: string;
  readonly status: 'pushed' | 'failed' | 'skipped';
  readonly error?: string;
}

export interface ImportReport {
  readonly setId: string;
  readonly registry: string;
  readonly images: readonly ImportedImage[];
  readonly bytesPushed: number;
  readonly blobsPushed: number;
  readonly blobsSkipped: number;
  readonly clusterResources: readonly string[];
  readonly verify: VerifyJobReport;
}

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export function categoryOf(origin: string | undefined): MirrorCategory {
  if (origin === 'release') return 'release';
  if (origin === 'operator') return 'operator';
  return 'generic';
}

async function readSetManifest(dir: string, manifest: TransferManifest, digest: string, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of openSetBlob(dir, manifest, digest, signal ? { signal } : {})) {
    total += (chunk as Buffer).length;
    if (total > MAX_MANIFEST_BYTES) throw new AirlockError('MANIFEST_TOO_LARGE', `manifest ${digest} in the set is larger than ${MAX_MANIFEST_BYTES} bytes`, { context: { blob: digest } });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Creates `<workspace>/working-dir/cluster-resources/`, refusing to pass through a symbolic link (or
 * anything else that is not a directory) at either level. By default the workspace is the set
 * directory on the media, which is untrusted and not covered by the signature: a planted
 * `working-dir` or `cluster-resources` symlink would otherwise make the import write its resources
 * into, and delete the other files of, whatever directory it points at.
 */
async function prepareClusterResourcesDir(workspace: string): Promise<void> {
  try {
    await ensureRealDirectory(workspace, ['working-dir', 'cluster-resources']);
  } catch (err) {
    if (isAirlockError(err, 'WORKSPACE_UNSAFE')) {
      throw new AirlockError('IMPORT_REFUSED', `${err.message}; nothing was pushed`, {
        context: err.context,
        hint: 'the set directory may have been tampered with: remove that entry, or pass --workspace file://<local dir> for the cluster resources',
      });
    }
    if (isAirlockError(err, 'WORKSPACE_UNWRITABLE')) {
      throw new AirlockError('WORKSPACE_UNWRITABLE', err.message, { context: err.context, hint: 'the media may be read-only: pass --workspace file://<writable dir> for the cluster resources' });
    }
    throw err;
  }
}

interface ImagePlan {
  readonly image: TransferImageOk;
  readonly repository: string;
  readonly tag: string;
  readonly reference: string;
  /** Children first, then the image's own manifest. */
  readonly manifests: ReadonlyArray<{ digest: string; mediaType: string; bytes: Buffer }>;
  readonly blobs: ReadonlyArray<{ digest: string; size: number }>;
}

/** Reads an image's manifest tree out of the set (every manifest always travels). */
async function planImage(dir: string, manifest: TransferManifest, image: TransferImageOk, target: Target, maxNestedPaths: number, signal?: AbortSignal): Promise<ImagePlan> {
  const manifests: Array<{ digest: string; mediaType: string; bytes: Buffer }> = [];
  const blobs = new Map<string, { digest: string; size: number }>();
  const visit = async (digest: string, mediaType: string | undefined, depth: number): Promise<void> => {
    if (depth > 3) throw new AirlockError('MANIFEST_INVALID', `${image.name}: indexes nested more than 3 deep`, { context: { image: image.source } });
    const bytes = await readSetManifest(dir, manifest, digest, signal);
    const parsed = parseManifest(bytes, mediaType, image.name);
    if (parsed.kind === 'index') {
      for (const child of parsed.manifests) await visit(child.digest, child.mediaType, depth + 1);
    } else {
      for (const b of blobsOf(parsed)) if (!(b.urls && b.urls.length > 0)) blobs.set(b.digest, { digest: b.digest, size: b.size });
    }
    if (!manifests.some((m) => m.digest === digest)) manifests.push({ digest, mediaType: parsed.mediaType, bytes });
  };
  await visit(image.digest, image.mediaType, 0);
  const dest = destinationFor(target, image.name, maxNestedPaths);
  return { image, repository: dest.repository, tag: dest.tag, reference: dest.reference, manifests, blobs: [...blobs.values()] };
}

/**
 * disk-to-mirror: verify the set first (nothing is pushed from a set that fails), check that a delta
 * set's base blobs are in the registry, stream blobs out of the parts straight into the registry,
 * push children before indexes, compare every pushed digest, write the cluster resources and record
 * the import.
 */
export async function runImport(options: ImportOptions): Promise<ImportReport> {
  const emit = options.onEvent ?? (() => undefined);
  const { signal } = options;
  if (signal) setMaxListeners(0, signal);
  const dir = resolve(options.from);
  const target = parseTarget(options.target);
  const maxNestedPaths = options.maxNestedPaths ?? 0;
  const startedAt = new Date();
  const operator = options.operator ?? currentOperator();
  const history = openHistory(historyFile(options.dataDir));
  const record = (result: 'ok' | 'failed', setId: string, details: Record<string, unknown>, insecureAccepted: boolean): void => {
    history.recordEvent({ kind: 'import', setId, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), registry: options.target, operator, host: hostname(), result, details, insecureAccepted });
  };
  const pool = new ClientPool({
    tlsVerify: options.destTlsVerify ?? true,
    tlsFlag: '--dest-tls-verify',
    credentials: options.credentials ?? new AuthFileStore(options.authFile ? [options.authFile] : defaultAuthFiles(), options.authFile !== undefined),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.caFiles ? { caFiles: options.caFiles } : {}),
  });
  try {
    // 1. Verify every byte, and the signature, before anything touches the registry.
    const verify = await runVerify({
      dir,
      dataDir: options.dataDir,
      deep: true,
      record: false,
      operator,
      ...(options.insecureAcceptUntrusted ? { insecureAcceptUntrusted: true } : {}),
      ...(signal ? { signal } : {}),
      onEvent: emit,
    });
    const manifest = verify.manifest;
    if (!verify.ok || !manifest) {
      record('failed', verify.setId ?? 'unknown', { reason: 'verification failed', problems: verify.problems.slice(0, 100) }, verify.insecureAccepted);
      const shown = verify.problems.slice(0, 5).map((p) => `  ${p.message}`);
      throw Object.assign(
        new AirlockError('IMPORT_REFUSED', `the transfer set in ${dir} failed verification; nothing was pushed:\n${shown.join('\n')}${verify.problems.length > 5 ? `\n  ... and ${verify.problems.length - 5} more` : ''}`, {
          context: { file: dir, problems: verify.problems.length },
          hint: verify.problems.some((p) => p.code === 'SIGNATURE_UNTRUSTED')
            ? 'trust the exporting station with `airlock keys trust station.pem`, or pass --insecure-accept-untrusted if you accept the risk'
            : 'the media is damaged or was altered: export the set again on the connected side',
        }),
        { report: verify },
      );
    }

    // The resources are written after the push; find out now, not then, that the place is not writable.
    const workspace = options.workspace ? resolve(options.workspace) : dir;
    const wd = workingDir(workspace);
    try {
      await prepareClusterResourcesDir(workspace);
    } catch (err) {
      if (isAirlockError(err, 'IMPORT_REFUSED')) record('failed', manifest.setId, { reason: 'unsafe working-dir', file: err.context.file }, verify.insecureAccepted);
      throw err;
    }

    // 2. What to import: everything, or what the configuration selects.
    const carried = manifest.images.filter((i): i is TransferImageOk => i.status === 'ok');
    // Cosign attachments follow the images they belong to (below), never a selection of their own.
    const available = carried.filter((i) => i.origin !== 'signature');
    const setSignatures = carried.filter((i) => i.origin === 'signature');
    let selected = available;
    const notOnDrive: ImportedImage[] = [];
    if (options.configFile) {
      const config = await loadConfigFile(options.configFile);
      const { wanted } = collectAdditionalImages(config);
      selected = [];
      // The releases were chosen on the connected side (the graph is not reachable here): with a
      // platform section every release image the set carries is imported, the graph image included.
      if (config.mirror.platform) selected.push(...available.filter((i) => i.origin === 'release'));
      // The catalogs were read and filtered on the connected side too: with operators every operator
      // image the set carries is imported, the (rebuilt) catalogs included.
      if (config.mirror.operators.length > 0) selected.push(...available.filter((i) => i.origin === 'operator' && !selected.includes(i)));
      for (const w of wanted) {
        const source = formatReference(w.source);
        const found = available.find((i) => i.source === source || i.name === w.destination);
        if (found) {
          if (!selected.includes(found)) selected.push(found);
        } else {
          notOnDrive.push({ source, destination: destinationFor(target, w.destination, maxNestedPaths).reference, status: 'failed', error: `not in transfer set ${manifest.setId}` });
        }
      }
    }
    const client = pool.get(target.registry);
    const imagePlans = await mapLimit(selected, 8, (image) => planImage(dir, manifest, image, target, maxNestedPaths, signal));
    const policy = signaturePolicy(options);
    const signatures = signaturesToPush(setSignatures, imagePlans.map((p) => ({ name: p.image.name, digests: p.manifests.map((m) => m.digest) })), policy);
    reportSetSignatures(setSignatures.length, signatures.length, policy === undefined, emit);
    const plans = [...imagePlans, ...(await mapLimit(signatures, 8, (image) => planImage(dir, manifest, image, target, maxNestedPaths, signal)))];

    // 3. A delta set needs its base blobs in the registry already: check before pushing anything.
    const inSet = new Set(manifest.blobs.map((b) => b.digest));
    const presentAt = new Map<string, string>();
    const absent: string[] = [];
    const repos = [...new Set(plans.map((p) => p.repository))];
    for (const plan of plans) {
      for (const blob of plan.blobs) {
        if (inSet.has(blob.digest) || presentAt.has(blob.digest) || absent.includes(blob.digest)) continue;
        let where: string | undefined;
        for (const repo of [plan.repository, ...repos.filter((r) => r !== plan.repository)]) {
          if (await client.headBlob(repo, blob.digest, signal)) {
            where = repo;
            break;
          }
        }
        if (where) presentAt.set(blob.digest, where);
        else absent.push(blob.digest);
      }
    }
    if (absent.length > 0) {
      const bases = manifest.baseSets.join(', ');
      record('failed', manifest.setId, { reason: 'base blobs missing', missing: absent.slice(0, 50), baseSets: manifest.baseSets }, verify.insecureAccepted);
      throw new AirlockError(
        'IMPORT_BASE_MISSING',
        manifest.baseSets.length > 0
          ? `transfer set ${manifest.setId} builds on set(s) ${bases}, but ${target.registry} lacks ${absent.length} blob(s) they carried (e.g. ${absent[0]}); nothing was pushed`
          : `transfer set ${manifest.setId} does not carry ${absent.length} blob(s) its images need (e.g. ${absent[0]}) and ${target.registry} does not have them; nothing was pushed`,
        {
          context: { registry: target.registry, blob: absent[0], ...(bases ? { expected: bases } : {}) },
          hint: manifest.baseSets.length > 0 ? `import the base set(s) ${bases} into ${options.target} first, or export this set again with --full` : 'the set is incomplete: export it again on the connected side',
        },
      );
    }

    // 4. Push: blobs streamed from the parts, then manifests children-first, then the tag.
    const toPush = new Map<string, number>();
    for (const plan of plans) for (const b of plan.blobs) if (inSet.has(b.digest)) toPush.set(b.digest, b.size);
    const totalBytes = [...toPush.values()].reduce((n, s) => n + s, 0);
    emit({ type: 'phase', phase: 'push', total: totalBytes });
    // Progress counts each digest once, up to its size, whether it was uploaded, mounted or already there;
    // per image, for the image that owns the digest (the first to start of those that push it).
    const progressOf = new Map<string, number>();
    const perImage = new ImageByteProgress((p) => emit({ type: 'image-progress', phase: 'push', ...p }));
    let done = 0;
    const advance = (plan: ImagePlan, digest: string, size: number, to: number): void => {
      const before = progressOf.get(digest) ?? 0;
      const after = Math.min(size, Math.max(before, to));
      if (after === before) return;
      progressOf.set(digest, after);
      done += after - before;
      emit({ type: 'progress', phase: 'push', done: Math.min(done, totalBytes), total: totalBytes });
      perImage.add(perImage.claimant(digest, size, plan.image.source), after - before);
    };
    let bytesPushed = 0;
    let blobsPushed = 0;
    let blobsSkipped = 0;
    // A blob is pushed once per run; images sharing it mount it from the first repository.
    const pushed = new Map<string, Promise<string>>();
    const pushBlob = (plan: ImagePlan, blob: { digest: string; size: number }): Promise<string> => {
      const known = presentAt.get(blob.digest);
      if (!inSet.has(blob.digest)) {
        return known === plan.repository || !known ? Promise.resolve(plan.repository) : client.mountBlob(plan.repository, blob.digest, known, signal).then((ok) => {
          if (!ok) throw new AirlockError('IMPORT_BASE_MISSING', `${target.registry} would not mount base blob ${blob.digest} from ${known} into ${plan.repository}`, { context: { registry: target.registry, blob: blob.digest } });
          return plan.repository;
        });
      }
      let first = pushed.get(blob.digest);
      if (!first) {
        first = upload(client, plan, blob, []);
        pushed.set(blob.digest, first);
        return first;
      }
      return first.then((repo) => (repo === plan.repository ? repo : upload(client, plan, blob, [repo])));
    };
    const upload = async (c: RegistryClient, plan: ImagePlan, blob: { digest: string; size: number }, mountFrom: string[]): Promise<string> => {
      let counted = 0;
      const outcome: UploadOutcome = await c.uploadBlob(
        plan.repository,
        blob.digest,
        blob.size,
        () => {
          // A retried upload starts over: count from zero again, never past what was counted before.
          counted = 0;
          return countBytes(openSetBlob(dir, manifest, blob.digest, signal ? { signal } : {}), (n) => {
            counted += n;
            advance(plan, blob.digest, blob.size, counted);
          });
        },
        { image: plan.reference, mountFrom, ...(signal ? { signal } : {}) },
      );
      if (outcome === 'uploaded') {
        bytesPushed += blob.size;
        blobsPushed++;
      } else {
        blobsSkipped++;
      }
      advance(plan, blob.digest, blob.size, blob.size);
      return plan.repository;
    };

    const results = await mapLimit(plans, options.parallelImages ?? 4, async (plan): Promise<ImportedImage> => {
      perImage.start(plan.image.source, plan.blobs.filter((b) => inSet.has(b.digest)));
      try {
        await mapLimit(plan.blobs, options.parallelLayers ?? 5, (b) => pushBlob(plan, b));
        perImage.finish(plan.image.source);
        for (const m of plan.manifests) await client.putManifest(plan.repository, m.digest, m.bytes, m.mediaType, signal);
        await client.putManifest(plan.repository, plan.tag, plan.manifests[plan.manifests.length - 1]?.bytes ?? Buffer.alloc(0), plan.image.mediaType, signal);
        // Trust, but check: the registry must now serve exactly the digest the set carries.
        const served = await client.headManifest(plan.repository, plan.tag, signal);
        if (served?.digest !== plan.image.digest) {
          throw new AirlockError('DIGEST_MISMATCH', `${plan.reference} resolves to ${served?.digest ?? 'nothing'} after the push, expected ${plan.image.digest}`, {
            context: { image: plan.reference, expected: plan.image.digest, actual: served?.digest ?? '' },
            hint: 'something else wrote to that tag during the import, or the registry changed the manifest',
          });
        }
        emit({ type: 'image', source: plan.image.source, status: 'pushed' });
        return { source: plan.image.source, destination: plan.reference, digest: plan.image.digest, status: 'pushed' };
      } catch (err) {
        perImage.fail(plan.image.source);
        if (signal?.aborted) throw err;
        // Registry-wide problems are not one image's: stop rather than fail every image the same way.
        if (err instanceof AirlockError && (err.code === 'REGISTRY_AUTH' || err.code === 'REGISTRY_TLS' || err.code === 'REGISTRY_UNREACHABLE')) throw err;
        emit({ type: 'image', source: plan.image.source, status: 'failed', message: describeError(err) });
        return { source: plan.image.source, destination: plan.reference, status: 'failed', error: describeError(err) };
      }
    });
    const images = [...results, ...notOnDrive];

    // 5. Cluster resources for what arrived, byte-identical for the same set.
    const ok = plans.filter((p, i) => results[i]?.status === 'pushed');
    // The graph-data image has no upstream to mirror: it gets the UpdateService, not a mirror rule.
    const graph = ok.find((p) => p.image.name === GRAPH_IMAGE_DESTINATION && p.image.origin === 'release');
    const release = releaseResourceInputs(
      ok.map((p) => ({ name: p.image.name, ...(p.image.origin ? { origin: p.image.origin } : {}), digest: p.image.digest, reference: p.reference })),
      manifest.releaseSignatures ?? [],
      target,
      maxNestedPaths,
      GRAPH_IMAGE_DESTINATION,
    );
    // Catalogs get a CatalogSource and a ClusterCatalog, not a mirror-set rule (as oc-mirror).
    const catalogRecords = manifest.operatorCatalogs ?? [];
    const catalogNames = catalogImageNames(catalogRecords);
    const catalogs = catalogResourceInputs(catalogRecords, ok.map((p) => ({ name: p.image.name, digest: p.image.digest, reference: p.reference })));
    const resources = generateClusterResources({
      images: ok.filter((p) => p !== graph && !catalogNames.has(p.image.name) && p.image.origin !== 'signature').map((p) => ({ source: p.image.source, destination: p.reference, category: categoryOf(p.image.origin), byDigest: p.image.byDigest ?? p.image.source.includes('@') })),
      meta: { createdAt: manifest.createdAt.replace(/\.\d{3}Z$/, 'Z'), version: AIRLOCK_VERSION },
      maxNestedPaths,
      releaseSignatures: release.releaseSignatures,
      ...(release.updateService ? { updateService: release.updateService } : {}),
      ...(catalogs.length > 0 ? { catalogs } : {}),
    });
    const files = await writeClusterResources(wd.clusterResources, resources);

    const failed = images.filter((i) => i.status === 'failed').length;
    record(failed > 0 ? 'failed' : 'ok', manifest.setId, { images, bytesPushed, blobsPushed, blobsSkipped, clusterResources: files, signature: verify.signature }, verify.insecureAccepted);
    return { setId: manifest.setId, registry: options.target, images, bytesPushed, blobsPushed, blobsSkipped, clusterResources: files, verify };
  } finally {
    history.close();
    await pool.close();
  }
}
