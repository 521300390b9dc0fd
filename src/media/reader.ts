import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { AirlockError } from '../errors';
import { readRange } from '../util/direct-io';
import { VerifyStream } from '../digest';
import { PART_NAME_PATTERN, SIGNATURE_FILE, TRANSFER_MANIFEST_FILE } from './layout';
import { parseTransferManifest, type TransferBlob, type TransferManifest } from './transfer-manifest';

/** transfer.json larger than this is refused unread (100k blobs take about 25 MiB). */
export const MAX_TRANSFER_MANIFEST_BYTES = 128 * 1024 * 1024;
/** transfer.json.sig is a raw ed25519 signature. */
export const SIGNATURE_LENGTH = 64;
/** Read size for blobs streamed out of parts. */
export const BLOB_READ_CHUNK = 2 * 1024 * 1024;

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Reads a whole small file of the set, refusing symlinks, non-regular files and anything over
 * `max` bytes before reading it (media are untrusted: a 40 GB "transfer.json" must not be buffered).
 */
export async function readSetFile(dir: string, name: string, max: number): Promise<Buffer> {
  const path = join(dir, name);
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new AirlockError('MEDIA_FILE_MISSING', `${name} is missing from ${dir}`, { context: { file: name }, hint: 'the transfer set is incomplete; copy it again from the exporting station', cause: err });
    }
    if (code === 'ELOOP') {
      throw new AirlockError('MEDIA_FILE_NOT_REGULAR', `${name} in ${dir} is a symbolic link; a transfer set holds regular files only`, { context: { file: name }, cause: err });
    }
    throw new AirlockError('MEDIA_FILE_UNREADABLE', `cannot read ${name} in ${dir}: ${(err as Error).message}`, { context: { file: name }, cause: err });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      throw new AirlockError('MEDIA_FILE_NOT_REGULAR', `${name} in ${dir} is not a regular file`, { context: { file: name } });
    }
    if (st.size > max) {
      throw new AirlockError('MEDIA_FILE_TOO_LARGE', `${name} in ${dir} has ${st.size} bytes, more than the ${max} a transfer set's ${name} may have`, {
        context: { file: name, expected: String(max), actual: String(st.size) },
        hint: 'this is not a transfer set written by Airlock, or it was tampered with',
      });
    }
    const bytes = await handle.readFile();
    if (bytes.byteLength > max) {
      throw new AirlockError('MEDIA_FILE_TOO_LARGE', `${name} in ${dir} grew past ${max} bytes while being read`, { context: { file: name } });
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

/** Reads and strictly validates `<dir>/transfer.json`. */
export async function readTransferManifest(dir: string): Promise<TransferManifest> {
  return parseTransferManifest(await readSetFile(dir, TRANSFER_MANIFEST_FILE, MAX_TRANSFER_MANIFEST_BYTES));
}

export interface SignedTransferManifest {
  readonly manifest: TransferManifest;
  /** The exact bytes parsed: verify the signature over these, never over a second read. */
  readonly bytes: Buffer;
  /** The raw 64-byte ed25519 signature from transfer.json.sig. */
  readonly signature: Buffer;
}

/** transfer.json, validated, with its bytes and signature for the caller's check against trusted keys. */
export async function readSignedTransferManifest(dir: string): Promise<SignedTransferManifest> {
  const bytes = await readSetFile(dir, TRANSFER_MANIFEST_FILE, MAX_TRANSFER_MANIFEST_BYTES);
  const signature = await readSetFile(dir, SIGNATURE_FILE, 4096);
  if (signature.byteLength !== SIGNATURE_LENGTH) {
    throw new AirlockError('SIGNATURE_INVALID', `${SIGNATURE_FILE} has ${signature.byteLength} bytes; an ed25519 signature has ${SIGNATURE_LENGTH}`, {
      context: { file: SIGNATURE_FILE, expected: String(SIGNATURE_LENGTH), actual: String(signature.byteLength) },
      hint: 'the media is damaged or the set was tampered with; do not import it',
    });
  }
  return { manifest: parseTransferManifest(bytes), bytes, signature };
}

const blobIndexes = new WeakMap<TransferManifest, Map<string, TransferBlob>>();

/** The blob entry of `digest` in the set (O(1) after the first call per manifest). */
export function findSetBlob(manifest: TransferManifest, digest: string): TransferBlob | undefined {
  let index = blobIndexes.get(manifest);
  if (!index) {
    index = new Map(manifest.blobs.map((b) => [b.digest, b]));
    blobIndexes.set(manifest, index);
  }
  return index.get(digest);
}

export interface OpenSetBlobOptions {
  readonly highWaterMark?: number;
  readonly signal?: AbortSignal;
}

/**
 * The bytes of one blob, read straight from its recorded offset in its part (no tar parsing) and
 * checked against its digest and size as they stream: the stream errors (DIGEST_MISMATCH /
 * SIZE_MISMATCH, with the part named) instead of ending when the content is wrong, so a consumer
 * that commits only on a clean end never commits bad bytes.
 */
export function openSetBlob(dir: string, manifest: TransferManifest, digest: string, options: OpenSetBlobOptions = {}): Readable {
  const blob = findSetBlob(manifest, digest);
  if (!blob) {
    throw new AirlockError('BLOB_NOT_IN_SET', `blob ${digest} is not in transfer set ${manifest.setId}`, {
      context: { blob: digest },
      hint: manifest.baseSets.length > 0 ? `it may have been carried by an earlier set (${manifest.baseSets.join(', ')})` : 'the set is incomplete for this image',
    });
  }
  if (!PART_NAME_PATTERN.test(blob.part)) {
    // parseTransferManifest never lets this through; a hand-built manifest might.
    throw new AirlockError('TRANSFER_MANIFEST_INVALID', `blob ${digest} points at "${blob.part}", which is not a part name`, { context: { blob: digest } });
  }
  const verify = new VerifyStream({ digest: blob.digest, size: blob.size, context: { blob: blob.digest, part: blob.part, file: blob.part } });
  if (blob.size === 0) {
    return pipeline(Readable.from([]), verify, () => undefined);
  }
  const path = join(dir, blob.part);
  const chunkSize = options.highWaterMark ?? BLOB_READ_CHUNK;
  const readOptions = { chunkSize, ...(options.signal ? { signal: options.signal } : {}) };
  // Past the page cache where the drive allows (util/direct-io.ts): each byte is read once, after
  // the verify; populating the cache with gigabytes costs more CPU than the push itself. The
  // consumer (an upload) may hold on to chunks, and readRange reuses its buffers: copy.
  const source = Readable.from(
    (async function* copies() {
      for await (const chunk of readRange(path, blob.offset, blob.size, readOptions)) yield Buffer.from(chunk);
    })(),
    { objectMode: false },
  );
  // pipeline() destroys `verify` with the source's error (a missing part, say), so readers see it.
  return pipeline(source, verify, () => undefined);
}
