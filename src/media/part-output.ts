import { createHash, type Hash } from 'node:crypto';
import { AirlockError, isAirlockError } from '../errors';
import { DigestAccumulator, digestMismatch, sizeMismatch } from '../digest';

/** What a part is written to: util/direct-io's files, or a test's seam (media-fs.ts). */
export interface PartFile {
  /** Resolves once the file has taken `data`: the caller may reuse the buffer then. */
  write(data: Uint8Array): Promise<void>;
}

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
    private readonly file: PartFile,
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

