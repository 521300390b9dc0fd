import { createHash, type Hash } from 'node:crypto';
import { AirlockError, isAirlockError } from '../errors';
import { DigestAccumulator, digestMismatch, sizeMismatch } from '../digest';
import type { MediaFileSystem, WritableMediaFile } from './media-fs';

/** Progress is reported in steps of about this many bytes. */
const PROGRESS_STEP = 1024 * 1024;

/**
 * Hashes every byte on its way to the part. The file stages, aligns and overlaps the writes itself
 * (util/direct-io.ts); progress is reported about every MiB.
 */
export class PartOutput {
  private readonly hash: Hash = createHash('sha256');
  private unreported = 0;
  bytes = 0;

  constructor(
    private readonly file: WritableMediaFile,
    private readonly onFlushed: (bytes: number) => void,
  ) {}

  /** Resolves once the file has taken `data`: the caller may reuse the buffer then. */
  async write(data: Uint8Array): Promise<void> {
    this.hash.update(data);
    this.bytes += data.byteLength;
    await this.file.write(data);
    this.unreported += data.byteLength;
    if (this.unreported >= PROGRESS_STEP) this.report();
  }

  report(): void {
    if (this.unreported === 0) return;
    const n = this.unreported;
    this.unreported = 0;
    this.onFlushed(n);
  }

  sha256(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Copies one blob into the part, checking size and digest as it goes: the blob is only as good as
 * the cache that held it, and the part hash covers whatever was written.
 */
export async function copyBlob(open: () => AsyncIterable<Buffer> | Promise<AsyncIterable<Buffer>>, digest: string, size: number, part: string, output: PartOutput, signal?: AbortSignal): Promise<void> {
  const context = { blob: digest, part };
  const failed = (err: unknown): unknown =>
    isAirlockError(err) || signal?.aborted
      ? err
      : new AirlockError('MEDIA_SOURCE_FAILED', `cannot read blob ${digest} from the cache: ${(err as Error).message}`, { context, cause: err });
  let chunks: AsyncIterable<Buffer>;
  try {
    chunks = await open();
  } catch (err) {
    throw failed(err);
  }
  const iterator = chunks[Symbol.asyncIterator]();
  const acc = new DigestAccumulator();
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await iterator.next();
      } catch (err) {
        throw failed(err);
      }
      if (next.done) break;
      signal?.throwIfAborted();
      acc.update(next.value);
      if (acc.bytes > size) throw sizeMismatch(digest, size, acc.bytes, context);
      await output.write(next.value);
    }
  } finally {
    await iterator.return?.();
  }
  if (acc.bytes !== size) throw sizeMismatch(digest, size, acc.bytes, context);
  const actual = acc.digest();
  if (actual !== digest) throw digestMismatch(digest, actual, context);
}

/**
 * Where the bytes of one part go while it is written (writer.ts decides what they are): a file
 * through the MediaFileSystem seam (inThreadSink, also what the part writer thread runs), or a
 * part writer thread (part-sink.ts).
 */
export interface PartSink {
  bytes(data: Buffer): Promise<void>;
  blob(digest: string, size: number): Promise<void>;
  /** Everything is on the device: the part's sha256 and length. */
  finish(): Promise<{ sha256: string; bytes: number }>;
  /** After a failure: close without finishing (the caller removes the file). */
  abandon(): Promise<void>;
}

export interface SinkBlobs {
  /** Chunks each valid until the next is asked for, or a stream. */
  chunks(digest: string): AsyncIterable<Buffer> | Promise<AsyncIterable<Buffer>>;
  /** A file holding exactly the blob, once it is there (only for the worker). */
  path?(digest: string): string | Promise<string>;
}

/** Writes the part here: through `fs`, checking each blob and hashing the part on this thread. */
export async function inThreadSink(fs: MediaFileSystem, path: string, part: string, size: number, blobs: SinkBlobs, onBytes: (n: number) => void, signal?: AbortSignal): Promise<PartSink> {
  let file: WritableMediaFile | undefined = await fs.createFile(path, size);
  const output = new PartOutput(file, onBytes);
  return {
    bytes: (data) => output.write(data),
    blob: (digest, blobSize) => copyBlob(() => blobs.chunks(digest), digest, blobSize, part, output, signal),
    async finish() {
      output.report();
      const f = file as WritableMediaFile;
      file = undefined;
      await f.sync();
      await f.close();
      return { sha256: output.sha256(), bytes: output.bytes };
    },
    async abandon() {
      await file?.close().catch(() => undefined);
      file = undefined;
    },
  };
}
