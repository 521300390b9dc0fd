import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AirlockError, isAirlockError } from '../errors';
import { isSha256Digest, sha256Digest, VerifyStream } from '../digest';
import { inThreadSink, type PartSink, type SinkBlobs } from './part-output';
import { PartWorker } from './part-sink';
import { writePartsLive, type BlobTaker, type LiveSource } from './live-parts';
import { prologueBytes } from './part-slots';
import { isManifestMediaType } from '../registry/media-types';
import { parseManifest } from '../registry/manifest';
import { mapLimit } from '../util/limit';
import type { ReleaseSignatureRecord } from '../releases/signature-records';
import type { OperatorCatalogRecord } from '../catalog/records';
import {
  blobEntryName,
  indexJsonBytes,
  ociLayoutBytes,
  PART_NAME_PATTERN,
  PARTIAL_SUFFIX,
  SIGNATURE_FILE,
  SUMS_FILE,
  TRANSFER_MANIFEST_FILE,
  WORKING_DIR,
} from './layout';
import { nodeMediaFileSystem, writesAnywhere, type MediaFileSystem, type WritableMediaFile } from './media-fs';
import { arrangePart, planParts, type PartPlan, type PlannedPart, type PlanWarning } from './parts';
import { isValidRefName } from './ref-name';
import { partPlanDigest, readWriterState, writeWriterState, type FinishedPart } from './state';
import { formatSums } from './sums';
import { TAR_ZEROS, tarHeader, tarPadding } from './tar';
import {
  isSetId,
  serializeTransferManifest,
  TRANSFER_SCHEMA_VERSION,
  type BlobKind,
  type TransferBlob,
  type TransferImage,
  type TransferImageOk,
  type TransferManifest,
  type TransferPart,
} from './transfer-manifest';
import { verifyPartFile, type PartResult } from './verify-part';
import { PartChecker, type PartOutcome } from './verify-pool';
import { isSystemEntry, verifyTransferSet } from './verify';
import type { VerifyProgress, VerifyReport } from './verify-types';
import { syncDir } from '../util/sync-dir';

/** The name written into transfer.json's `tool`. */
export const TOOL_NAME = 'airlock';
/** Manifests read for the completeness check are refused above this (registries cap them at 4 MiB). */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export interface WriteBlob {
  readonly digest: string;
  readonly size: number;
  /** When known; the writer works out manifests, configs and layers reachable from the images itself. */
  readonly kind?: BlobKind;
}

/** The caller's content-addressed cache. Manifests are blobs too (their exact bytes). */
export interface BlobSource {
  open(digest: string): Readable | Promise<Readable>;
  /** The same bytes as chunks each valid only until the next is asked for (saves a copy per chunk). */
  chunks?(digest: string): AsyncIterable<Buffer>;
  /**
   * A file holding exactly the blob's bytes, once it is there: lets a worker thread read it (the
   * writer still checks size and digest). Only used when the parts go to the real file system.
   */
  path?(digest: string): string | Promise<string>;
  /**
   * Of `candidates` (a part's blobs still to write, in planned order), one that can be read now,
   * waiting for the first to be there. Lets the writer follow the pull within a part instead of
   * waiting for the planned next blob; without it the blobs go in planned order.
   */
  next?(candidates: readonly string[]): Promise<string>;
  /**
   * Called once the writer knows how it writes: from now on each blob download that starts is
   * handed to `take`, which may give it a slot in its part to stream into as well
   * (live-parts.ts); undefined when the writer reads every blob from the cache. Returns a function
   * that stops the handing over.
   */
  live?(take: BlobTaker | undefined): () => void;
}

export interface Signer {
  /** The raw 64-byte ed25519 signature of `data`. */
  sign(data: Buffer): Buffer | Promise<Buffer>;
  readonly fingerprint: string;
}

/** What a transfer set is made of: enough to plan it without touching the media. */
export interface TransferSetInput {
  readonly setId: string;
  readonly createdAt: Date;
  readonly toolVersion: string;
  /** The image set configuration text, recorded verbatim. */
  readonly configText: string;
  readonly baseSets: readonly string[];
  /** Every image, in the order index.json lists them; failed ones go to `missing`. */
  readonly images: readonly TransferImage[];
  /** Every blob to ship (manifests included), in the order they go into the parts. */
  readonly blobs: readonly WriteBlob[];
  /** The most bytes one part may have. */
  readonly archiveSize: number;
  /** Fail (before writing anything) rather than put an oversized blob in a part of its own. */
  readonly strictArchive?: boolean;
  /** Verified release signatures, carried in transfer.json (left out when empty or absent). */
  readonly releaseSignatures?: readonly ReleaseSignatureRecord[];
  /** The operator catalogs of the set, carried in transfer.json (left out when empty or absent). */
  readonly operatorCatalogs?: readonly OperatorCatalogRecord[];
}

export interface TransferSetPlan {
  readonly input: TransferSetInput;
  readonly ociLayout: Buffer;
  readonly indexJson: Buffer;
  readonly parts: PartPlan;
  readonly warnings: readonly PlanWarning[];
}

export type WriteProgress =
  | { readonly type: 'plan'; readonly parts: number; readonly totalBytes: number; readonly reusedParts: number; readonly bytesToWrite: number }
  | { readonly type: 'warning'; readonly warning: PlanWarning }
  /** A part left by an earlier run of the same plan is being re-hashed. */
  | { readonly type: 'part-check'; readonly part: string; readonly size: number }
  | { readonly type: 'part-reused'; readonly part: string; readonly size: number }
  | { readonly type: 'part-start'; readonly part: string; readonly index: number; readonly size: number }
  /** Bytes handed to the drive: `written` of `toWrite` over the whole run, `partBytes` of `partSize` in this part. */
  | { readonly type: 'bytes'; readonly part: string; readonly partBytes: number; readonly partSize: number; readonly written: number; readonly toWrite: number }
  | { readonly type: 'part-done'; readonly part: string; readonly size: number; readonly sha256: string }
  /** transfer.json, its signature and SHA256SUMS are being written. */
  | { readonly type: 'finalize' }
  /** Reading the set back from the drive. */
  | { readonly type: 'verify'; readonly progress: VerifyProgress };

export interface WriteTransferSetOptions extends TransferSetInput {
  /** The set directory on the drive; created if needed. */
  readonly dir: string;
  readonly source: BlobSource;
  readonly signer: Signer;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: WriteProgress) => void;
  /** The seam onto the drive (tests inject failures here). */
  readonly fs?: MediaFileSystem;
  /** Parts read back at once (default 2) and whether in worker threads (default true). */
  readonly verifyParallelism?: number;
  readonly useWorkers?: boolean;
}

export interface WriteTransferSetResult {
  readonly manifest: TransferManifest;
  /** The exact transfer.json bytes written and signed, and the signature. */
  readonly manifestBytes: Buffer;
  readonly signature: Buffer;
  readonly warnings: readonly PlanWarning[];
  readonly partsWritten: readonly string[];
  /** Parts a previous run of the same plan had finished, kept as they were. */
  readonly partsReused: readonly string[];
  readonly bytesWritten: number;
  /**
   * Where the parts were written: straight from the downloads into their slots ('live'), by a
   * worker thread reading the blobs from their files, or by this thread.
   */
  readonly partWriter: 'live' | 'worker' | 'thread';
  /** The read-back verification (always ok: a failed one throws TransferSetVerifyError). */
  readonly verify: VerifyReport;
}

/** Thrown when the set just written does not read back intact from the drive. */
export class TransferSetVerifyError extends AirlockError {
  override readonly name = 'TransferSetVerifyError';
  constructor(
    readonly dir: string,
    readonly report: VerifyReport,
  ) {
    const first = report.problems.slice(0, 3).map((p) => p.message);
    super(
      'MEDIA_READBACK_FAILED',
      `the transfer set in ${dir} did not read back intact (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}): ${first.join('; ')}${report.problems.length > 3 ? '; ...' : ''}`,
      {
        context: { file: dir, ...(report.problems[0]?.part ? { part: report.problems[0].part } : {}), ...(report.problems[0]?.blob ? { blob: report.problems[0].blob } : {}) },
        hint: 'the drive returned different bytes than were written: it may be failing or counterfeit. Run the export again (finished parts that are still good are kept), or use another drive',
      },
    );
  }
}

function invalid(issues: readonly string[]): AirlockError {
  const shown = issues.slice(0, 10);
  return new AirlockError('MEDIA_PLAN_INVALID', `the transfer set cannot be written as planned: ${shown.join('; ')}${issues.length > shown.length ? `; and ${issues.length - shown.length} more` : ''}`, {
    context: { problems: issues.length },
    hint: 'this is a bug in what was handed to the writer; nothing was written',
  });
}

function okImages(images: readonly TransferImage[]): TransferImageOk[] {
  return images.filter((i): i is TransferImageOk => i.status === 'ok');
}

/**
 * Validates what the set is made of and plans its parts. Pure: nothing is read or written, so the
 * CLI and the UI can show the part count and the space needed before anything starts.
 */
export function planTransferSet(input: TransferSetInput): TransferSetPlan {
  const issues: string[] = [];
  if (!isSetId(input.setId)) issues.push(`set id ${JSON.stringify(input.setId)} is not [A-Za-z0-9][A-Za-z0-9._-]{0,127}`);
  if (!(input.createdAt instanceof Date) || !Number.isFinite(input.createdAt.getTime())) issues.push('createdAt is not a valid date');
  if (typeof input.toolVersion !== 'string' || input.toolVersion.length === 0 || input.toolVersion.length > 100) issues.push('the tool version is empty or too long');
  input.baseSets.forEach((id) => {
    if (!isSetId(id)) issues.push(`base set id ${JSON.stringify(id)} is not a set id`);
    if (id === input.setId) issues.push('the set lists itself as a base set');
  });
  if (new Set(input.baseSets).size !== input.baseSets.length) issues.push('a base set is listed twice');

  const blobs = new Map<string, WriteBlob>();
  for (const blob of input.blobs) {
    if (!isSha256Digest(blob.digest)) issues.push(`blob digest ${JSON.stringify(blob.digest)} is not a sha256 digest`);
    else if (blobs.has(blob.digest)) issues.push(`blob ${blob.digest} is listed twice`);
    if (!Number.isSafeInteger(blob.size) || blob.size < 0) issues.push(`blob ${blob.digest} has an invalid size ${blob.size}`);
    blobs.set(blob.digest, blob);
  }
  const names = new Set<string>();
  for (const image of input.images) {
    const what = `image ${image.source || '(no source)'}`;
    if (typeof image.source !== 'string' || image.source.length === 0 || image.source.length > 4096) issues.push(`${what} has no usable source reference`);
    if (typeof image.name !== 'string' || image.name.length === 0 || image.name.length > 4096) issues.push(`${what} has no usable name`);
    if (image.status === 'failed') {
      if (typeof image.error !== 'string' || image.error.length === 0) issues.push(`${what} failed without an error message`);
      continue;
    }
    if (!isValidRefName(image.name)) {
      issues.push(`${what}: "${image.name}" cannot be an OCI layout reference name (allowed: components of letters and digits joined by one of - . _ : @ + or "--", separated by /)`);
    }
    if (names.has(image.name)) issues.push(`${what}: the name "${image.name}" is used by two images`);
    names.add(image.name);
    if (!isManifestMediaType(image.mediaType)) issues.push(`${what}: ${JSON.stringify(image.mediaType)} is not a manifest media type`);
    const blob = blobs.get(image.digest);
    if (!blob) issues.push(`${what}: its manifest ${image.digest} is not among the blobs to ship`);
    else if (blob.size !== image.size) issues.push(`${what}: its manifest size ${image.size} disagrees with the blob's ${blob.size}`);
  }
  if (issues.length > 0) throw invalid(issues);

  const ociLayout = ociLayoutBytes();
  const indexJson = indexJsonBytes(okImages(input.images));
  const parts = planParts({
    blobs: input.blobs,
    ociLayoutSize: ociLayout.byteLength,
    indexSize: indexJson.byteLength,
    archiveSize: input.archiveSize,
    strictArchive: input.strictArchive ?? false,
  });
  return { input, ociLayout, indexJson, parts, warnings: parts.warnings };
}

async function readAll(stream: Readable, digest: string, size: number, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(
    stream,
    new VerifyStream({ digest, size, context: { blob: digest } }),
    async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) chunks.push(chunk);
    },
    signal ? { signal } : {},
  );
  return Buffer.concat(chunks);
}

interface BlobMeta {
  kind?: BlobKind;
  mediaType?: string;
}

/**
 * Reads every manifest reachable from the images (small, from the cache), checks each against its
 * digest, and checks that everything they reference is shipped with the right size, so that the
 * extracted layout is complete. Sets built on base sets may leave out what those carried. Returns
 * what it learnt about each blob: kind, and the media type of manifests.
 */
async function checkCompleteness(input: TransferSetInput, source: BlobSource, signal?: AbortSignal): Promise<Map<string, BlobMeta>> {
  const blobs = new Map(input.blobs.map((b) => [b.digest, b]));
  const meta = new Map<string, BlobMeta>(input.blobs.map((b) => [b.digest, b.kind ? { kind: b.kind } : {}]));
  const issues: string[] = [];
  const incremental = input.baseSets.length > 0;
  const visited = new Set<string>();
  let level = okImages(input.images).map((image) => ({ digest: image.digest, mediaType: image.mediaType as string, where: image.source }));

  const note = (digest: string, kind: BlobKind, mediaType?: string): void => {
    const m = meta.get(digest);
    if (!m) return;
    m.kind = kind;
    if (mediaType !== undefined) m.mediaType = mediaType;
  };
  const child = (d: { digest: string; size: number }, where: string, what: string): boolean => {
    const blob = blobs.get(d.digest);
    if (!blob) {
      if (!incremental) issues.push(`${where}: ${what} ${d.digest} is not among the blobs to ship`);
      return false;
    }
    if (blob.size !== d.size) {
      issues.push(`${where}: ${what} ${d.digest} is ${d.size} bytes in the manifest but ${blob.size} in the plan`);
      return false;
    }
    return true;
  };

  while (level.length > 0) {
    const todo = level.filter((m) => !visited.has(m.digest) && blobs.has(m.digest));
    todo.forEach((m) => visited.add(m.digest));
    const next: typeof level = [];
    await mapLimit(todo, 8, async (m) => {
      signal?.throwIfAborted();
      const blob = blobs.get(m.digest) as WriteBlob;
      note(m.digest, 'manifest', m.mediaType);
      if (blob.size > MAX_MANIFEST_BYTES) {
        issues.push(`${m.where}: manifest ${m.digest} has ${blob.size} bytes, more than ${MAX_MANIFEST_BYTES}`);
        return;
      }
      const bytes = await readAll(await source.open(m.digest), m.digest, blob.size, signal);
      const parsed = parseManifest(bytes, m.mediaType, m.where);
      // A descriptor's media type must be the manifest's own, or skopeo and registries refuse it.
      if (parsed.mediaType !== m.mediaType) {
        issues.push(`${m.where}: manifest ${m.digest} is a ${parsed.mediaType}, but is referenced as a ${m.mediaType}`);
      }
      if (parsed.kind === 'index') {
        for (const d of parsed.manifests) {
          if (!child(d, m.where, 'manifest')) continue;
          if (isManifestMediaType(d.mediaType)) next.push({ digest: d.digest, mediaType: d.mediaType, where: m.where });
          else note(d.digest, 'manifest', d.mediaType);
        }
      } else {
        if (child(parsed.config, m.where, 'config')) note(parsed.config.digest, 'config');
        for (const layer of parsed.layers) {
          if (child(layer, m.where, 'layer') && meta.get(layer.digest)?.kind !== 'manifest') note(layer.digest, 'layer');
        }
      }
    });
    level = next;
  }
  if (issues.length > 0) throw invalid(issues);
  return meta;
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

function gib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB (${bytes} bytes)` : `${bytes} bytes`;
}

async function writeError(err: unknown, dir: string, file: string, needed: number, fs: MediaFileSystem, signal?: AbortSignal): Promise<unknown> {
  if (signal?.aborted) return signal.reason;
  if (isAirlockError(err)) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const part = PART_NAME_PATTERN.test(file) ? { part: file } : {};
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    const available = await fs.freeSpace(dir).then((s) => s.available, () => undefined);
    return new AirlockError(
      'MEDIA_NO_SPACE',
      `the drive ran out of space writing ${file} in ${dir}: ${gib(needed)} are still needed from this file on${available === undefined ? '' : `, ${gib(available)} are free`}`,
      {
        context: { file, ...part, needed, ...(available === undefined ? {} : { available }) },
        hint: 'free space on the drive or use a larger one, then run the export again: the parts already finished are kept',
        cause: err,
      },
    );
  }
  if (code === 'EFBIG') {
    return new AirlockError('MEDIA_FILE_TOO_LARGE', `the drive's filesystem cannot hold a file as large as ${file} in ${dir}`, {
      context: { file, ...part },
      hint: 'FAT32 drives cannot hold files of 4 GiB or more: set archiveSize below 4, or format the drive as exFAT',
      cause: err,
    });
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new AirlockError('MEDIA_NOT_WRITABLE', `cannot write ${file} in ${dir}: ${(err as Error).message}`, {
      context: { file, ...part },
      hint: 'the drive is read-only (write-protect switch?) or the directory is not writable',
      cause: err,
    });
  }
  return new AirlockError('MEDIA_WRITE_FAILED', `writing ${file} in ${dir} failed: ${(err as Error).message}`, {
    context: { file, ...part },
    hint: 'the drive may have been removed or be failing; run the export again to continue',
    cause: err,
  });
}

/** Writes a small file the same way as a part: temp name, fsync, rename. */
async function writeSmallFile(dir: string, name: string, bytes: Buffer, fs: MediaFileSystem, signal?: AbortSignal): Promise<void> {
  const temp = join(dir, `${name}${PARTIAL_SUFFIX}`);
  let file: WritableMediaFile | undefined;
  try {
    file = await fs.createFile(temp, bytes.byteLength);
    await file.write(bytes);
    await file.sync();
    const f = file;
    file = undefined;
    await f.close();
    await rename(temp, join(dir, name));
  } catch (err) {
    await file?.close().catch(() => undefined);
    await removeQuietly(temp);
    throw await writeError(err, dir, name, bytes.byteLength, fs, signal);
  }
}

interface DirScan {
  /** Parts a previous run of this plan finished and that still hash right. */
  readonly reusable: Map<string, FinishedPart>;
  /** Files to remove before writing (stale set files, leftovers). */
  readonly stale: readonly { name: string; size: number }[];
}

/** Names the writer owns in a set directory; anything else makes the directory "not ours". */
function isSetOwnedName(name: string): boolean {
  const base = name.endsWith(PARTIAL_SUFFIX) ? name.slice(0, -PARTIAL_SUFFIX.length) : name;
  return PART_NAME_PATTERN.test(base) || base === TRANSFER_MANIFEST_FILE || base === SIGNATURE_FILE || base === SUMS_FILE;
}

async function scanDir(
  dir: string,
  plan: TransferSetPlan,
  planDigests: ReadonlyMap<string, string>,
  emit: (e: WriteProgress) => void,
  signal?: AbortSignal,
): Promise<DirScan> {
  const entries = await readdir(dir, { withFileTypes: true });
  const foreign = entries.filter((e) => !isSetOwnedName(e.name) && e.name !== WORKING_DIR && !isSystemEntry(e.name)).map((e) => e.name);
  if (foreign.length > 0) {
    throw new AirlockError('MEDIA_DIR_NOT_EMPTY', `${dir} holds files that are not part of a transfer set (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', ...' : ''}); nothing was written`, {
      context: { file: dir },
      hint: 'write the transfer set to an empty directory (or one holding an earlier transfer set, which is replaced)',
    });
  }
  const state = await readWriterState(dir);
  const recorded = new Map(state.parts.map((p) => [p.name, p]));
  const planned = new Map(plan.parts.parts.map((p) => [p.name, p]));
  const reusable = new Map<string, FinishedPart>();
  const stale: { name: string; size: number }[] = [];
  for (const entry of entries) {
    if (!isSetOwnedName(entry.name)) continue;
    const path = join(dir, entry.name);
    const st = await lstat(path);
    const part = planned.get(entry.name);
    const record = recorded.get(entry.name);
    // The recorded blob order must be one of this part's: transfer.json's offsets are derived from it.
    if (part && record && isOrderOf(record.blobs, part.blobs) && entry.isFile() && record.plan === planDigests.get(part.name) && record.size === part.size && st.size === part.size) {
      emit({ type: 'part-check', part: part.name, size: part.size });
      const check = await verifyPartFile({ path, part: part.name, deep: false, direct: true }, () => undefined, signal).catch(() => undefined);
      if (check?.sha256 === record.sha256 && check.size === part.size) {
        reusable.set(part.name, record);
        continue;
      }
    }
    stale.push({ name: entry.name, size: entry.isFile() ? st.size : 0 });
  }
  return { reusable, stale };
}

function isOrderOf(order: readonly string[], blobs: readonly string[]): boolean {
  const ordered = new Set(order);
  return order.length === blobs.length && ordered.size === blobs.length && blobs.every((d) => ordered.has(d));
}

function roundUp(size: number, block: number): number {
  return Math.ceil(size / block) * block;
}

/**
 * Writes a transfer set into `dir` and reads it back before returning (format: src/media/README.md).
 * In order: plan and validate (strictArchive refusals happen here), check
 * that the shipped blobs make every image complete, keep parts an earlier run of the same plan
 * finished, check free space, remove stale files (SHA256SUMS first), write each remaining part as
 * `<name>.partial` (verifying every blob against its digest as it streams, hashing the part),
 * fsync and rename it, then transfer.json, transfer.json.sig and SHA256SUMS (last), then verify
 * everything from the drive.
 */
export async function writeTransferSet(options: WriteTransferSetOptions): Promise<WriteTransferSetResult> {
  const { dir, signal } = options;
  const fs = options.fs ?? nodeMediaFileSystem;
  const emit = (event: WriteProgress): void => options.onProgress?.(event);
  signal?.throwIfAborted();

  const plan = planTransferSet(options);
  for (const warning of plan.warnings) emit({ type: 'warning', warning });
  const meta = await checkCompleteness(options, options.source, signal);

  const layoutDigests = { ociLayout: sha256Digest(plan.ociLayout), index: sha256Digest(plan.indexJson) };
  const planDigests = new Map(plan.parts.parts.map((p) => [p.name, partPlanDigest(p, layoutDigests)]));
  const sizes = new Map(options.blobs.map((b) => [b.digest, b.size]));

  // Where each blob lands: a part's blobs follow its prologue in the order they were written.
  const blobEntriesOf = (part: PlannedPart, order: readonly string[], offsetOf?: (offset: number) => number): TransferBlob[] =>
    arrangePart(part, order).entries.flatMap((entry) => {
      if (entry.content.kind !== 'blob') return [];
      const digest = entry.content.digest;
      const m = meta.get(digest) ?? {};
      return [{ digest, size: sizes.get(digest) ?? entry.size, part: part.name, offset: offsetOf ? offsetOf(entry.offset) : entry.offset, ...(m.kind ? { kind: m.kind } : {}), ...(m.mediaType ? { mediaType: m.mediaType } : {}) }];
    });
  const buildManifest = (parts: readonly TransferPart[], orderOf: (part: PlannedPart) => readonly string[], offsetOf?: (offset: number) => number): TransferManifest => ({
    schemaVersion: TRANSFER_SCHEMA_VERSION,
    setId: options.setId,
    createdAt: options.createdAt.toISOString(),
    tool: { name: TOOL_NAME, version: options.toolVersion },
    stationKeyFingerprint: options.signer.fingerprint,
    baseSets: [...options.baseSets],
    config: options.configText,
    images: options.images.map((image) => {
      const origin = { ...(image.origin !== undefined ? { origin: image.origin } : {}), ...(image.byDigest !== undefined ? { byDigest: image.byDigest } : {}) };
      return image.status === 'ok'
        ? { source: image.source, name: image.name, ...origin, status: 'ok', digest: image.digest, mediaType: image.mediaType, size: image.size }
        : {
            source: image.source,
            name: image.name,
            ...origin,
            status: 'failed',
            error: image.error,
            ...(image.digest !== undefined ? { digest: image.digest } : {}),
            ...(image.mediaType !== undefined ? { mediaType: image.mediaType } : {}),
            ...(image.size !== undefined ? { size: image.size } : {}),
          };
    }),
    missing: options.images.filter((i) => i.status === 'failed').map((i) => ({ source: i.source, name: i.name, error: i.status === 'failed' ? i.error : '' })),
    parts,
    blobs: plan.parts.parts.flatMap((p) => blobEntriesOf(p, orderOf(p), offsetOf)),
    ...(options.releaseSignatures && options.releaseSignatures.length > 0 ? { releaseSignatures: options.releaseSignatures.map((r) => ({ version: r.version, arch: r.arch, digest: r.digest, signatures: r.signatures.map((x) => ({ index: x.index, data: x.data })) })) } : {}),
    ...(options.operatorCatalogs && options.operatorCatalogs.length > 0
      ? {
          operatorCatalogs: options.operatorCatalogs.map((r) => ({
            catalog: r.catalog,
            name: r.name,
            digest: r.digest,
            rebuilt: r.rebuilt,
            ...(r.catalogSourceTemplate ? { catalogSourceTemplate: { file: r.catalogSourceTemplate.file, text: r.catalogSourceTemplate.text } } : {}),
            ...(r.incompleteBundles && r.incompleteBundles.length > 0 ? { incompleteBundles: [...r.incompleteBundles] } : {}),
          })),
        }
      : {}),
  });
  // transfer.json before the part hashes and blob order are known: 64 hex characters each, and every
  // offset as long as it can get, so the size is an upper bound.
  const largestPart = plan.parts.parts.reduce((max, p) => Math.max(max, p.size), 0);
  const placeholder = buildManifest(
    plan.parts.parts.map((p) => ({ name: p.name, size: p.size, sha256: '0'.repeat(64) })),
    (p) => p.blobs,
    () => largestPart,
  );
  const metadataSizes = [serializeTransferManifest(placeholder).byteLength, 64, (64 + 2 + 18) * (plan.parts.parts.length + 2)];

  // The directory, and what an earlier run left in it.
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw await writeError(err, dir, dir, 0, fs, signal);
  }
  const scan = await scanDir(dir, plan, planDigests, emit, signal);
  const toWrite = plan.parts.parts.filter((p) => !scan.reusable.has(p.name));
  const bytesToWrite = toWrite.reduce((sum, p) => sum + p.size, 0);
  emit({ type: 'plan', parts: plan.parts.parts.length, totalBytes: plan.parts.totalSize, reusedParts: scan.reusable.size, bytesToWrite });

  // Free space, against the plan, before the first byte.
  const space = await fs.freeSpace(dir);
  const block = Math.max(1, space.blockSize);
  const needed = [...toWrite.map((p) => p.size), ...metadataSizes].reduce((sum, size) => sum + roundUp(size, block), 0);
  const reclaimable = scan.stale.reduce((sum, f) => sum + roundUp(f.size, block), 0);
  if (needed > space.available + reclaimable) {
    throw new AirlockError(
      'MEDIA_NO_SPACE',
      `not enough free space in ${dir}: the transfer set needs ${gib(needed)} more, ${gib(space.available + reclaimable)} are available${reclaimable > 0 ? ` (counting ${gib(reclaimable)} of stale files that would be replaced)` : ''}`,
      {
        context: { file: dir, needed, available: space.available + reclaimable },
        hint: 'use a larger drive or free space on it; nothing was written',
      },
    );
  }

  // Stale files go first, SHA256SUMS before anything else so an interrupted run never looks complete.
  const staleOrder = [...scan.stale].sort((a, b) => Number(b.name === SUMS_FILE) - Number(a.name === SUMS_FILE));
  for (const file of staleOrder) {
    try {
      await unlink(join(dir, file.name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw await writeError(err, dir, file.name, 0, fs, signal);
    }
  }
  if (staleOrder.length > 0) await syncDir(dir);
  const finished: FinishedPart[] = plan.parts.parts.flatMap((p) => {
    const record = scan.reusable.get(p.name);
    return record ? [record] : [];
  });
  const saveState = (): Promise<void> => writeWriterState(dir, { version: 1, setId: options.setId, parts: finished }).catch(() => undefined);
  await saveState();

  for (const part of plan.parts.parts) {
    if (scan.reusable.has(part.name)) emit({ type: 'part-reused', part: part.name, size: part.size });
  }

  let written = 0;
  const partsWritten: string[] = [];
  const remainingMetadata = metadataSizes.reduce((a, b) => a + b, 0);
  let remaining = bytesToWrite;
  // While the pull runs, blobs go into the parts from their downloads (live-parts.ts). Otherwise a
  // worker thread writes the parts when the blobs are files and the parts go to the real file system.
  const { source } = options;
  const live: LiveSource | undefined =
    toWrite.length > 0 && fs === nodeMediaFileSystem && source.live && source.next && source.chunks && (await writesAnywhere(dir))
      ? { live: source.live.bind(source), next: source.next.bind(source), chunks: source.chunks.bind(source) }
      : undefined;
  // A source that asks (a pull waiting to start) learns at once that nothing is taken from it.
  if (!live) source.live?.(undefined)();
  const worker = !live && toWrite.length > 0 && options.useWorkers !== false && options.source.path && fs === nodeMediaFileSystem ? await PartWorker.start() : undefined;
  const usedWorker = worker !== undefined;
  // Each part is read back from the drive while the next is written (see readBack below).
  const checker = new PartChecker(options.useWorkers !== false);
  const checks = new Map<string, Promise<PartOutcome>>();
  const readEarly = new Map<string, PartResult>();
  /** A part is on the drive under its final name: it is recorded (a re-run keeps it) and reported. */
  const partDone = async (record: FinishedPart): Promise<void> => {
    finished.push(record);
    finished.sort((a, b) => a.name.localeCompare(b.name));
    await saveState();
    partsWritten.push(record.name);
    emit({ type: 'part-done', part: record.name, size: record.size, sha256: record.sha256 });
  };
  try {
    try {
      if (live) {
        const partBytes = new Map<string, number>();
        await writePartsLive({
          dir,
          parts: toWrite,
          prologue: { ociLayout: plan.ociLayout, indexJson: plan.indexJson },
          layoutDigests,
          planDigests,
          source: live,
          useWorkers: options.useWorkers !== false,
          ...(signal ? { signal } : {}),
          onPartStart: (part) => emit({ type: 'part-start', part: part.name, index: part.number, size: part.size }),
          onBytes: (part, bytes) => {
            written += bytes;
            const inPart = (partBytes.get(part.name) ?? 0) + bytes;
            partBytes.set(part.name, inPart);
            emit({ type: 'bytes', part: part.name, partBytes: inPart, partSize: part.size, written, toWrite: bytesToWrite });
          },
          onPartDone: async (record, result) => {
            readEarly.set(record.name, result);
            await partDone(record);
          },
          describe: (err, part) => writeError(err, dir, part.name, part.size, fs, signal),
          readBackFailed: (problems) => new TransferSetVerifyError(dir, { ok: false, problems, bytesVerified: 0 }),
        });
      }
      for (const part of live ? [] : toWrite) {
        signal?.throwIfAborted();
        emit({ type: 'part-start', part: part.name, index: part.number, size: part.size });
        const { sha256, blobs } = await writePart(dir, part, plan, options, fs, worker, remaining + remainingMetadata, (bytes, partBytes) => {
          written += bytes;
          emit({ type: 'bytes', part: part.name, partBytes, partSize: part.size, written, toWrite: bytesToWrite });
        });
        remaining -= part.size;
        await partDone({ name: part.name, plan: planDigests.get(part.name) as string, size: part.size, sha256, blobs });
        const check = checker.check({ path: join(dir, part.name), part: part.name, deep: false, direct: true });
        check.catch(() => undefined);
        checks.set(part.name, check);
      }
    } finally {
      await worker?.terminate();
    }
    for (const [name, check] of checks) {
      const outcome = await check.catch(() => undefined);
      // A part that could not be read early is simply read again with the rest.
      if (outcome?.ok) readEarly.set(name, outcome.result);
    }
  } finally {
    await checker.close();
  }

  // transfer.json, its signature, then SHA256SUMS: the set is complete once that exists.
  signal?.throwIfAborted();
  emit({ type: 'finalize' });
  const records = new Map(finished.map((p) => [p.name, p]));
  const manifest = buildManifest(
    plan.parts.parts.map((p) => ({ name: p.name, size: p.size, sha256: records.get(p.name)?.sha256 as string })),
    (p) => records.get(p.name)?.blobs ?? p.blobs,
  );
  const manifestBytes = serializeTransferManifest(manifest);
  const signature = Buffer.from(await options.signer.sign(manifestBytes));
  if (signature.byteLength !== 64) {
    throw new AirlockError('SIGNATURE_INVALID', `the station key produced a ${signature.byteLength}-byte signature; an ed25519 signature has 64`, {
      hint: 'the station key is not an ed25519 key',
    });
  }
  await writeSmallFile(dir, TRANSFER_MANIFEST_FILE, manifestBytes, fs, signal);
  await writeSmallFile(dir, SIGNATURE_FILE, signature, fs, signal);
  const hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
  const sums = formatSums([
    ...manifest.parts.map((p) => ({ name: p.name, sha256: p.sha256 })),
    { name: TRANSFER_MANIFEST_FILE, sha256: hex(manifestBytes) },
    { name: SIGNATURE_FILE, sha256: hex(signature) },
  ]);
  await writeSmallFile(dir, SUMS_FILE, sums, fs, signal);
  await syncDir(dir);

  // Read everything back from the drive. Each part's sha256 was computed over the bytes as they were
  // written, every blob among them checked against its digest; the same hash read back from the
  // drive therefore proves every byte on it, at one hash per byte. Parts were read back as each was
  // finished, while the next one was written; the rest is read now. Only when a part does not match
  // is it read again entry by entry, to name the blob that went bad.
  const readBack = (deep: boolean): Promise<VerifyReport> =>
    verifyTransferSet(dir, {
      deep,
      readBack: readEarly,
      // From the device, not from the page cache the writes just went through.
      direct: true,
      ...(signal ? { signal } : {}),
      onProgress: (progress) => emit({ type: 'verify', progress }),
      ...(options.verifyParallelism !== undefined ? { parallelism: options.verifyParallelism } : {}),
      ...(options.useWorkers !== undefined ? { useWorkers: options.useWorkers } : {}),
    });
  let report = await readBack(false);
  if (!report.ok) report = await readBack(true);
  if (!report.ok) {
    // Not complete after all: take away the completion marker, and forget parts that read back wrong.
    await removeQuietly(join(dir, SUMS_FILE));
    const bad = new Set(report.problems.map((p) => p.part).filter((p): p is string => p !== undefined));
    const keep = finished.filter((p) => !bad.has(p.name));
    await writeWriterState(dir, { version: 1, setId: options.setId, parts: keep }).catch(() => undefined);
    throw new TransferSetVerifyError(dir, report);
  }

  return {
    manifest,
    manifestBytes,
    signature,
    warnings: plan.warnings,
    partsWritten,
    partsReused: [...scan.reusable.keys()],
    bytesWritten: written,
    partWriter: live ? 'live' : usedWorker ? 'worker' : 'thread',
    verify: report,
  };
}

async function writePart(
  dir: string,
  part: PlannedPart,
  plan: TransferSetPlan,
  options: WriteTransferSetOptions,
  fs: MediaFileSystem,
  worker: PartWorker | undefined,
  neededFromHere: number,
  onBytes: (bytes: number, partBytes: number) => void,
): Promise<{ sha256: string; blobs: string[] }> {
  const { signal, source } = options;
  const temp = join(dir, `${part.name}${PARTIAL_SUFFIX}`);
  let partBytes = 0;
  const progress = (bytes: number): void => {
    partBytes += bytes;
    onBytes(bytes, partBytes);
  };
  const { path } = source;
  const blobs: SinkBlobs = {
    // Borrowed chunks where the source has them (no copy per chunk); a stream otherwise.
    chunks: (digest) => source.chunks?.(digest) ?? source.open(digest),
    ...(path ? { path: (digest: string) => path.call(source, digest) } : {}),
  };
  const blobSizes = new Map(part.entries.flatMap((e) => (e.content.kind === 'blob' ? [[e.content.digest, e.size] as const] : [])));
  const order: string[] = [];
  let sink: PartSink | undefined;
  try {
    sink = worker?.usable ? worker.sink(temp, part.name, part.size, blobs, progress) : await inThreadSink(fs, temp, part.name, part.size, blobs, progress, signal);
    const out = sink;
    // The prologue, then the blobs in the order the source has them ready.
    signal?.throwIfAborted();
    await out.bytes(prologueBytes(part, plan));
    const remaining = [...part.blobs];
    while (remaining.length > 0) {
      const digest = remaining.length > 1 && source.next ? await source.next(remaining) : (remaining[0] as string);
      const at = remaining.indexOf(digest);
      if (at < 0) throw new AirlockError('MEDIA_INTERNAL', `the blob source offered ${digest}, which ${part.name} does not hold or already has`, { context: { part: part.name, blob: digest } });
      remaining.splice(at, 1);
      const size = blobSizes.get(digest) as number;
      signal?.throwIfAborted();
      await out.bytes(tarHeader(blobEntryName(digest), 'file', size));
      await out.blob(digest, size);
      const padding = tarPadding(size);
      if (padding > 0) await out.bytes(TAR_ZEROS.subarray(0, padding));
      order.push(digest);
    }
    await out.bytes(TAR_ZEROS);
    signal?.throwIfAborted();
    const done = await out.finish();
    sink = undefined;
    if (done.bytes !== part.size) {
      throw new AirlockError('MEDIA_INTERNAL', `${part.name} came out at ${done.bytes} bytes instead of the planned ${part.size}`, { context: { part: part.name } });
    }
    await rename(temp, join(dir, part.name));
    await syncDir(dir);
    return { sha256: done.sha256, blobs: order };
  } catch (err) {
    await sink?.abandon();
    await removeQuietly(temp);
    throw await writeError(err, dir, part.name, neededFromHere, fs, signal);
  }
}
