import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestHex, VerifyStream } from '../digest';
import { AirlockError } from '../errors';
import { createSequentialFile, readChunks, type SequentialFile } from '../util/direct-io';

/**
 * Bytes per direct write or read of a cache entry: several entries stream at once, so smaller than a
 * part's, but not much: each direct transfer has a fixed cost, which at 512 KiB was half the CPU of the I/O.
 */
const CACHE_CHUNK = 2 * 1024 * 1024;

/**
 * A content-addressed store of blobs and manifests (`blobs/sha256/<hex>`). Entries appear only by
 * rename after their digest and size were verified and their data flushed, so an entry that exists
 * is complete: an export killed at any point re-downloads nothing the cache already has.
 */
export class BlobCache {
  private readonly blobsDir: string;
  private readonly tmpDir: string;
  private ready: Promise<void> | undefined;

  constructor(readonly root: string) {
    this.blobsDir = join(root, 'blobs', 'sha256');
    this.tmpDir = join(root, 'tmp');
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.blobsDir, { recursive: true });
      await mkdir(this.tmpDir, { recursive: true });
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw new AirlockError('CACHE_UNWRITABLE', `cannot create the blob cache in ${this.root}: ${(err as Error).message}`, {
        context: { file: this.root },
        hint: 'choose a writable --cache-dir',
        cause: err,
      });
    });
    return this.ready;
  }

  path(digest: string): string {
    return join(this.blobsDir, digestHex(digest));
  }

  /** True when the entry exists with the expected size (digest was checked when it was stored). */
  async has(digest: string, size?: number): Promise<boolean> {
    try {
      const st = await stat(this.path(digest));
      return st.isFile() && (size === undefined || st.size === size);
    } catch {
      return false;
    }
  }

  /** Removes temp files left by runs that were killed; entries themselves are never partial. */
  async removeStaleTemp(): Promise<void> {
    await this.init();
    for (const name of await readdir(this.tmpDir)) await rm(join(this.tmpDir, name), { force: true });
  }

  /**
   * Stores content under its digest, verifying digest and size while it streams to disk.
   * `sourceVerifies`: the source itself fails before its end when its bytes are wrong (as
   * RegistryClient.openBlob does), so hashing again here would only cost time.
   */
  async put(digest: string, size: number, source: Readable | Buffer, signal?: AbortSignal, options: { sourceVerifies?: boolean } = {}): Promise<void> {
    await this.init();
    const final = this.path(digest);
    const tmp = join(this.tmpDir, `${digestHex(digest).slice(0, 16)}.${process.pid}.${randomBytes(4).toString('hex')}`);
    const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
    let file: SequentialFile | undefined;
    try {
      // Past the page cache for large blobs (see util/direct-io.ts): the writer reads them once, soon.
      // One staging buffer per download: many run at once, each fed slower than the disk writes.
      const out = await createSequentialFile(tmp, { chunkSize: CACHE_CHUNK, sizeHint: size, overlap: false });
      file = out;
      const sink = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
        for await (const chunk of chunks) await out.write(chunk);
      };
      if (options.sourceVerifies) await pipeline(input, sink, ...(signal ? [{ signal }] : []));
      else await pipeline(input, new VerifyStream({ digest, size, context: { blob: digest } }), sink, ...(signal ? [{ signal }] : []));
      await out.sync();
      file = undefined;
      await out.close();
      await rename(tmp, final);
    } catch (err) {
      input.destroy();
      await file?.close().catch(() => undefined);
      await rm(tmp, { force: true });
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
        throw new AirlockError('CACHE_FULL', `the blob cache in ${this.root} ran out of space while storing ${digest} (${size} bytes)`, {
          context: { file: this.root, blob: digest },
          hint: 'free space on that disk or choose another --cache-dir; what was stored completely is kept',
          cause: err,
        });
      }
      throw err;
    }
  }

  /** The stored bytes; the consumer verifies them (a damaged entry is then evicted). */
  open(digest: string): Readable {
    const path = this.path(digest);
    // The consumer may hold on to chunks (streams buffer), and readChunks reuses its buffers: copy.
    return Readable.from(
      (async function* copies() {
        for await (const chunk of readChunks(path, { chunkSize: CACHE_CHUNK })) yield Buffer.from(chunk);
      })(),
      { objectMode: false },
    );
  }

  /** The stored bytes as chunks, each valid only until the next is asked for; the consumer verifies them. */
  chunks(digest: string): AsyncGenerator<Buffer> {
    return readChunks(this.path(digest), { chunkSize: CACHE_CHUNK });
  }

  /** Drops an entry found to be damaged so the next run fetches it again. */
  async evict(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }
}
