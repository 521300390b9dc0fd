import { createHash } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { isAirlockError } from '../errors';
import { sha256Digest } from '../digest';
import { blobEntryName, indexJsonBytes, ociLayoutBytes, PART_NAME_PATTERN, SIGNATURE_FILE, SUMS_FILE, TRANSFER_MANIFEST_FILE, WORKING_DIR } from './layout';
import { partPrologue } from './parts';
import { MAX_TRANSFER_MANIFEST_BYTES, readSetFile, SIGNATURE_LENGTH } from './reader';
import { parseSums, type SumEntry } from './sums';
import { parseTransferManifest, type TransferImageOk, type TransferManifest, type TransferPart } from './transfer-manifest';
import { expectedEntries, type ExpectedEntry, type PartJob, type PartResult } from './verify-part';
import { runPartJobs, type PartOutcome } from './verify-pool';
import type { VerifyProblem, VerifyProgress, VerifyReport } from './verify-types';

export interface VerifyTransferSetOptions {
  /** Also walk every tar entry and hash every blob (else: files, sizes and hashes only). */
  readonly deep: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: VerifyProgress) => void;
  /** Parts verified at once; default 2. */
  readonly parallelism?: number;
  /** Verify parts in worker threads (default true); false keeps everything on this thread. */
  readonly useWorkers?: boolean;
  /**
   * Read the parts past the page cache where the file system allows: right after writing, and
   * whenever the parts are read only once. Off when the caller reads them again straight after.
   */
  readonly direct?: boolean;
  /**
   * Parts the caller has just read back itself (shallow: size and sha256), not read again. Used by
   * the writer, which reads each part back while writing the next; ignored when deep.
   */
  readonly readBack?: ReadonlyMap<string, PartResult>;
}

/**
 * Directory entries an operating system may put on a removable drive by itself. They are not part
 * of the set, and not reported as extra files either.
 */
const SYSTEM_ENTRIES = new Set(['System Volume Information', '$RECYCLE.BIN', '.Trashes', '.Trash-1000', '.fseventsd', '.Spotlight-V100', '.TemporaryItems', '.DS_Store', 'lost+found', 'desktop.ini', 'Thumbs.db']);

const MAX_SUMS_BYTES = 16 * 1024 * 1024;

export function isSystemEntry(name: string): boolean {
  return SYSTEM_ENTRIES.has(name) || name.startsWith('._');
}

/** The tar entries transfer.json says `part` holds, in order: the prologue, then its blobs by offset. */
export function expectedPartEntries(manifest: TransferManifest, part: TransferPart): ExpectedEntry[] {
  const first = manifest.parts[0]?.name === part.name;
  const layout = ociLayoutBytes();
  const index = indexJsonBytes(manifest.images.filter((i): i is TransferImageOk => i.status === 'ok'));
  const entries = expectedEntries(partPrologue(first, layout.byteLength, index.byteLength), { ociLayout: sha256Digest(layout), index: sha256Digest(index) });
  const blobs = manifest.blobs.filter((b) => b.part === part.name).sort((a, b) => a.offset - b.offset);
  for (const blob of blobs) {
    entries.push({ name: blobEntryName(blob.digest), type: 'file', size: blob.size, offset: blob.offset, digest: blob.digest, blob: true });
  }
  return entries;
}

type SmallFile = { readonly bytes: Buffer } | { readonly missing: true } | { readonly problem: VerifyProblem };

async function readSmall(dir: string, name: string, max: number): Promise<SmallFile> {
  try {
    return { bytes: await readSetFile(dir, name, max) };
  } catch (err) {
    if (isAirlockError(err, 'MEDIA_FILE_MISSING')) return { missing: true };
    if (isAirlockError(err, 'MEDIA_FILE_NOT_REGULAR')) return { problem: { code: 'FILE_NOT_REGULAR', message: err.message, file: name } };
    return { problem: { code: 'FILE_UNREADABLE', message: (err as Error).message, file: name } };
  }
}

function hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Checks a transfer set on the media and reports every problem it finds (it throws only on abort):
 * SHA256SUMS against the files present (missing, truncated, extra, mismatching), every part's size
 * and sha256 against transfer.json, and when deep, every tar entry of every part (see verify-part.ts).
 * Parts are read once each, in parallel. The signature is not checked here: the report carries the
 * transfer.json bytes and the signature for the caller to check against its trusted keys.
 */
export async function verifyTransferSet(dir: string, options: VerifyTransferSetOptions): Promise<VerifyReport> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const problems: VerifyProblem[] = [];
  const add = (problem: VerifyProblem): void => {
    problems.push(problem);
  };

  let listing: Dirent[];
  try {
    listing = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    return { ok: false, problems: [{ code: 'SET_UNREADABLE', message: `cannot read the transfer set directory ${dir}: ${(err as Error).message}`, file: dir }], bytesVerified: 0 };
  }
  const present = new Map(listing.map((d) => [d.name, d]));

  // transfer.json, its signature, SHA256SUMS: small, read whole.
  let manifest: TransferManifest | undefined;
  let manifestBytes: Buffer | undefined;
  const manifestFile = await readSmall(dir, TRANSFER_MANIFEST_FILE, MAX_TRANSFER_MANIFEST_BYTES);
  if ('bytes' in manifestFile) {
    manifestBytes = manifestFile.bytes;
    try {
      manifest = parseTransferManifest(manifestFile.bytes);
    } catch (err) {
      add({ code: 'MANIFEST_INVALID', message: (err as Error).message, file: TRANSFER_MANIFEST_FILE });
    }
  } else if ('missing' in manifestFile) {
    add({ code: 'MANIFEST_MISSING', message: `${TRANSFER_MANIFEST_FILE} is missing: this is not a complete transfer set`, file: TRANSFER_MANIFEST_FILE });
  } else {
    add(manifestFile.problem);
  }

  let signature: Buffer | undefined;
  const signatureFile = await readSmall(dir, SIGNATURE_FILE, 4096);
  if ('bytes' in signatureFile) {
    signature = signatureFile.bytes;
    if (signature.byteLength !== SIGNATURE_LENGTH) {
      add({ code: 'SIGNATURE_INVALID', message: `${SIGNATURE_FILE} has ${signature.byteLength} bytes; an ed25519 signature has ${SIGNATURE_LENGTH}`, file: SIGNATURE_FILE, expected: String(SIGNATURE_LENGTH), actual: String(signature.byteLength) });
    }
  } else if ('missing' in signatureFile) {
    add({ code: 'SIGNATURE_MISSING', message: `${SIGNATURE_FILE} is missing: the set cannot be authenticated`, file: SIGNATURE_FILE });
  } else {
    add(signatureFile.problem);
  }

  let sums: ReadonlyMap<string, SumEntry> | undefined;
  const sumsFile = await readSmall(dir, SUMS_FILE, MAX_SUMS_BYTES);
  if ('bytes' in sumsFile) {
    const parsed = parseSums(sumsFile.bytes);
    if (parsed.ok) sums = new Map(parsed.entries.map((e) => [e.name, e]));
    else add({ code: 'SUMS_INVALID', message: `${SUMS_FILE} line ${parsed.line}: ${parsed.reason}`, file: SUMS_FILE });
  } else if ('missing' in sumsFile) {
    add({ code: 'SUMS_MISSING', message: `${SUMS_FILE} is missing: writing the set did not finish (or the file was removed)`, file: SUMS_FILE });
  } else {
    add(sumsFile.problem);
  }

  // Which files make up the set: transfer.json says, else SHA256SUMS, else whatever parts are here.
  const setFiles: string[] = manifest
    ? [...manifest.parts.map((p) => p.name), TRANSFER_MANIFEST_FILE, SIGNATURE_FILE]
    : sums
      ? [...new Set([...sums.keys(), TRANSFER_MANIFEST_FILE, SIGNATURE_FILE])]
      : [...[...present.keys()].filter((n) => PART_NAME_PATTERN.test(n)).sort(), TRANSFER_MANIFEST_FILE, SIGNATURE_FILE];
  const setFileSet = new Set(setFiles);
  const partsByName = new Map(manifest?.parts.map((p) => [p.name, p]));

  for (const [name, entry] of present) {
    if (setFileSet.has(name) || name === SUMS_FILE || name === WORKING_DIR || isSystemEntry(name)) continue;
    add({ code: 'FILE_EXTRA', message: `${name} is in the set directory but not part of the set${name.endsWith('.partial') ? ' (left by an interrupted write)' : ''}`, file: name, ...(entry.isDirectory() ? { actual: 'directory' } : {}) });
  }
  if (sums) {
    for (const name of setFiles) {
      if (!sums.has(name)) add({ code: 'SUMS_INCOMPLETE', message: `${SUMS_FILE} does not list ${name}`, file: name });
    }
    if (manifest) {
      for (const name of sums.keys()) {
        if (!setFileSet.has(name)) add({ code: 'SUMS_UNKNOWN_ENTRY', message: `${SUMS_FILE} lists ${name}, which transfer.json does not have as a file of the set`, file: name });
      }
    }
  }

  // The small files against SHA256SUMS.
  const smallFiles: [string, Buffer | undefined][] = [
    [TRANSFER_MANIFEST_FILE, manifestBytes],
    [SIGNATURE_FILE, signature],
  ];
  let bytesVerified = 0;
  for (const [name, bytes] of smallFiles) {
    const expected = sums?.get(name);
    if (!bytes) {
      if (expected && !problems.some((p) => p.file === name)) add({ code: 'FILE_MISSING', message: `${name} is listed in ${SUMS_FILE} but missing`, file: name });
      continue;
    }
    bytesVerified += bytes.byteLength;
    const actual = hex(bytes);
    if (expected && expected.sha256 !== actual) {
      add({ code: 'HASH_MISMATCH', message: `${name} does not match ${SUMS_FILE}: it was changed after the set was written`, file: name, expected: expected.sha256, actual });
    }
  }

  // The parts: which are here, and what each must be.
  const jobs: PartJob[] = [];
  let totalBytes = bytesVerified;
  for (const name of setFiles) {
    if (!PART_NAME_PATTERN.test(name)) continue;
    const entry = present.get(name);
    const part = partsByName.get(name);
    if (!entry) {
      add({ code: 'FILE_MISSING', message: `part ${name} is missing${part ? ` (${part.size} bytes, ${manifest?.blobs.filter((b) => b.part === name).length ?? 0} blobs)` : ''}`, file: name, part: name });
      continue;
    }
    if (!entry.isFile()) {
      add({ code: 'FILE_NOT_REGULAR', message: `part ${name} is not a regular file`, file: name, part: name });
      continue;
    }
    try {
      totalBytes += (await lstat(join(dir, name))).size;
    } catch {
      // Reported by the job when it cannot open the file.
    }
    const deep = options.deep && manifest !== undefined && part !== undefined;
    jobs.push({ path: join(dir, name), part: name, deep, ...(options.direct ? { direct: true } : {}), ...(deep ? { entries: expectedPartEntries(manifest as TransferManifest, part as TransferPart) } : {}) });
  }

  onProgress?.({ type: 'start', files: jobs.length + smallFiles.length, totalBytes });
  for (const [name, bytes] of smallFiles) {
    if (bytes) onProgress?.({ type: 'file-done', file: name, ok: !problems.some((p) => p.file === name) });
  }
  const known = options.deep ? undefined : options.readBack;
  const toRead = jobs.filter((job) => !known?.has(job.part));
  const read = await runPartJobs(toRead, {
    parallelism: options.parallelism ?? 2,
    useWorkers: options.useWorkers ?? true,
    ...(signal ? { signal } : {}),
    onBytes: (job, bytes) => {
      bytesVerified += bytes;
      onProgress?.({ type: 'bytes', file: job.part, bytesVerified, totalBytes });
    },
  });
  const byPart = new Map(toRead.map((job, i) => [job.part, read[i]]));
  const outcomes = jobs.map((job): PartOutcome | undefined => {
    const result = known?.get(job.part);
    if (!result) return byPart.get(job.part);
    bytesVerified += result.size;
    onProgress?.({ type: 'bytes', file: job.part, bytesVerified, totalBytes });
    return { ok: true, result };
  });

  jobs.forEach((job, i) => {
    const outcome = outcomes[i];
    const name = job.part;
    const before = problems.length;
    if (!outcome) return;
    if (!outcome.ok) {
      add({ code: 'FILE_UNREADABLE', message: `cannot read part ${name}: ${outcome.message}`, file: name, part: name });
    } else {
      const { result } = outcome;
      const part = partsByName.get(name);
      const expectedSum = sums?.get(name);
      if (part) {
        if (result.size !== part.size) {
          add({
            code: 'SIZE_MISMATCH',
            message: `part ${name} has ${result.size} bytes, transfer.json says ${part.size}${result.size < part.size ? ' (truncated)' : ''}`,
            file: name,
            part: name,
            expected: String(part.size),
            actual: String(result.size),
          });
        }
        if (result.sha256 !== part.sha256) {
          add({ code: 'HASH_MISMATCH', message: `part ${name} is corrupt: its sha256 is not the one in transfer.json`, file: name, part: name, expected: part.sha256, actual: result.sha256 });
        }
        if (expectedSum && expectedSum.sha256 !== part.sha256) {
          add({ code: 'SUMS_DISAGREE', message: `${SUMS_FILE} and transfer.json give different sha256 for ${name}`, file: name, part: name, expected: part.sha256, actual: expectedSum.sha256 });
        }
      } else if (expectedSum && expectedSum.sha256 !== result.sha256) {
        add({ code: 'HASH_MISMATCH', message: `part ${name} does not match ${SUMS_FILE}`, file: name, part: name, expected: expectedSum.sha256, actual: result.sha256 });
      }
      for (const problem of result.problems) add(problem);
    }
    onProgress?.({ type: 'file-done', file: name, ok: problems.length === before });
  });

  return {
    ok: problems.length === 0,
    problems,
    bytesVerified,
    ...(manifest ? { manifest } : {}),
    ...(manifestBytes ? { manifestBytes } : {}),
    ...(signature ? { signature } : {}),
  };
}
