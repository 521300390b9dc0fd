import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestAccumulator, digestHex, VerifyStream } from '../digest';
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
/**
 * Temp and pending files are named `<hex>.<pid>.<random>`: one whose process still runs belongs to
 * another export using the same cache right now, and is left alone.
 */
function ownerRunning(name: string): boolean {
  const pid = Number(name.split('.')[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A blob stored but not yet proven: its bytes came unhashed (see RegistryClient.openBlob's
 * `unchecked`) because a part on the drive holds the same bytes and the read-back of that part
 * checks them. It becomes an entry once they are proven (commit), or is dropped.
 */
export interface PendingEntry {
  readonly digest: string;
  /** Renames it into the cache: only once the same bytes have been checked against the digest. */
  commit(): Promise<void>;
  /**
   * Hashes it (for when nothing else proved it) and commits it when it matches, else drops it.
   * Returns the digest it hashed to.
   */
  prove(): Promise<string>;
  discard(): Promise<void>;
}

export class BlobCache {
  private readonly blobsDir: string;
  private readonly tmpDir: string;
  private readonly pendingDir: string;
  private ready: Promise<void> | undefined;

  constructor(readonly root: string) {
    this.blobsDir = join(root, 'blobs', 'sha256');
    this.tmpDir = join(root, 'tmp');
    this.pendingDir = join(root, 'pending');
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.blobsDir, { recursive: true });
      await mkdir(this.tmpDir, { recursive: true });
      await mkdir(this.pendingDir, { recursive: true });
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
    for (const name of await readdir(this.tmpDir)) {
      if (!ownerRunning(name)) await rm(join(this.tmpDir, name), { force: true });
    }
  }

  /**
   * Blobs a killed run left pending (downloaded completely, never proven): each is hashed, and
   * kept when it matches its digest, so nothing downloaded is fetched again. Returns how many.
   */
  async adoptPending(signal?: AbortSignal): Promise<{ adopted: number; dropped: number }> {
    await this.init();
    let adopted = 0;
    let dropped = 0;
    for (const name of await readdir(this.pendingDir)) {
      signal?.throwIfAborted();
      if (ownerRunning(name)) continue;
      const hex = name.split('.')[0] ?? '';
      const entry = this.pendingEntry(`sha256:${hex}`, join(this.pendingDir, name));
      if (/^[a-f0-9]{64}$/.test(hex) && (await entry.prove().catch(() => '')) === entry.digest) adopted++;
      else {
        await entry.discard();
        dropped++;
      }
    }
    return { adopted, dropped };
  }

  private pendingEntry(digest: string, path: string): PendingEntry {
    const commit = async (): Promise<void> => {
      await rename(path, this.path(digest));
    };
    const discard = async (): Promise<void> => {
      await rm(path, { force: true });
    };
    return {
      digest,
      commit,
      discard,
      prove: async () => {
        const acc = new DigestAccumulator();
        for await (const chunk of readChunks(path, { chunkSize: CACHE_CHUNK })) acc.update(chunk);
        const actual = acc.digest();
        if (actual === digest) await commit();
        else await discard();
        return actual;
      },
    };
  }

  /**
   * Stores bytes whose digest is checked elsewhere (only the size is known to be right): see
   * PendingEntry. The bytes are on disk (fsynced) when this resolves.
   */
  async putPending(digest: string, size: number, source: Readable, signal?: AbortSignal): Promise<PendingEntry> {
    await this.init();
    const name = `${digestHex(digest)}.${process.pid}.${randomBytes(4).toString('hex')}`;
    // Written in tmp/ and moved once complete: pending/ only ever holds whole downloads.
    const tmp = join(this.tmpDir, name);
    await this.store(tmp, size, source, signal, undefined, digest);
    const path = join(this.pendingDir, name);
    await rename(tmp, path).catch(async (err: unknown) => {
      await rm(tmp, { force: true });
      throw err;
    });
    return this.pendingEntry(digest, path);
  }

  /**
   * Stores content under its digest, verifying digest and size while it streams to disk.
   * `sourceVerifies`: the source itself fails before its end when its bytes are wrong (as
   * RegistryClient.openBlob does), so hashing again here would only cost time.
   */
  async put(digest: string, size: number, source: Readable | Buffer, signal?: AbortSignal, options: { sourceVerifies?: boolean } = {}): Promise<void> {
    await this.init();
    const tmp = join(this.tmpDir, `${digestHex(digest).slice(0, 16)}.${process.pid}.${randomBytes(4).toString('hex')}`);
    const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
    await this.store(tmp, size, input, signal, options.sourceVerifies ? undefined : digest, digest);
    await rename(tmp, this.path(digest)).catch(async (err: unknown) => {
      await rm(tmp, { force: true });
      throw err;
    });
  }

  /** Writes `path` from `input` and fsyncs it, checking `verify`'s digest and the size when given; removes it on failure. */
  private async store(path: string, size: number, input: Readable, signal: AbortSignal | undefined, verify: string | undefined, digest: string): Promise<void> {
    let file: SequentialFile | undefined;
    try {
      // Past the page cache for large blobs (see util/direct-io.ts): the writer reads them once, soon.
      // One staging buffer per download: many run at once, each fed slower than the disk writes.
      const out = await createSequentialFile(path, { chunkSize: CACHE_CHUNK, sizeHint: size, overlap: false });
      file = out;
      const sink = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
        for await (const chunk of chunks) await out.write(chunk);
      };
      if (verify === undefined) await pipeline(input, sink, ...(signal ? [{ signal }] : []));
      else await pipeline(input, new VerifyStream({ digest: verify, size, context: { blob: verify } }), sink, ...(signal ? [{ signal }] : []));
      await out.sync();
      file = undefined;
      await out.close();
    } catch (err) {
      input.destroy();
      await file?.close().catch(() => undefined);
      await rm(path, { force: true });
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
