import { constants, readSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * Direct I/O (O_DIRECT) for the bulk bytes: the parts on the drive and their read-back.
 *
 * Why: through the page cache every byte written is first copied into freshly allocated cache
 * pages, which on small stations (and VMs) costs more CPU than hashing it, and then pushes out
 * what the station was actually using. Worse for a verify, a buffered read-back after writing is
 * served from those same pages and proves nothing about the drive. Etcher writes and verifies
 * with O_DIRECT for the same reasons. Where a file system refuses O_DIRECT (tmpfs, some FUSE
 * drivers), or the platform has none, everything falls back to ordinary buffered I/O.
 *
 * O_DIRECT wants the memory address, the file offset and the length aligned to the device's
 * logical block size. Offsets and lengths here are multiples of ALIGN; Node cannot ask for
 * aligned memory, so a buffer is over-allocated and the aligned start found by probing: the
 * kernel refuses a misaligned transfer with EINVAL before touching the file.
 */

/** Every direct transfer's offset and length is a multiple of this (covers 512 and 4096-byte sectors). */
export const ALIGN = 4096;
/** Bytes per direct write or read, unless the caller asks for less (each file holds two such buffers). */
export const DIRECT_CHUNK = 4 * 1024 * 1024;
/** Buffered writes smaller than this are gathered first. */
const GATHER = 1024 * 1024;
/** Smaller files go through the page cache: for them the two aligned buffers would cost more than they save. */
export const DIRECT_MIN = 256 * 1024;

const O_DIRECT: number | undefined = (constants as { O_DIRECT?: number }).O_DIRECT;
export const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** Set AIRLOCK_DIRECT_IO=0 to use buffered I/O everywhere (e.g. to compare, or on an odd driver). */
function directWanted(): boolean {
  return O_DIRECT !== undefined && process.env.AIRLOCK_DIRECT_IO !== '0';
}

/**
 * A `size`-byte view whose start the kernel accepts for direct transfers on `fd`, or undefined
 * when none is found (then the caller uses buffered I/O). `probe` is 'write' only on a file about
 * to be overwritten from offset 0: it writes ALIGN bytes there.
 */
function alignedView(fd: number, size: number, probe: 'read' | 'write'): Buffer | undefined {
  const raw = Buffer.allocUnsafeSlow(size + ALIGN);
  for (let at = 0; at < ALIGN; at += 16) {
    try {
      if (probe === 'write') writeSync(fd, raw, at, ALIGN, 0);
      else readSync(fd, raw, at, ALIGN, 0);
      return raw.subarray(at, at + size);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') return undefined;
    }
  }
  return undefined;
}

/**
 * Aligned buffers kept for the next file on the same device: a transfer opens hundreds of blob
 * files, and fresh multi-megabyte buffers each time would cost page faults and RSS churn. Keyed by
 * device (its sector size decides what counts as aligned) and size.
 */
const spareBuffers = new Map<string, Buffer[]>();
/** Spare bytes kept per key: enough for every file a pull writes at once (parallel images x layers). */
const SPARE_BYTES_PER_KEY = 48 * 1024 * 1024;

export function takeAligned(fd: number, dev: number, size: number, probe: 'read' | 'write'): Buffer | undefined {
  const spare = spareBuffers.get(`${dev}:${size}`)?.pop();
  return spare ?? alignedView(fd, size, probe);
}

export function giveBack(dev: number, buffers: readonly Buffer[]): void {
  for (const buffer of buffers) {
    const key = `${dev}:${buffer.byteLength}`;
    const list = spareBuffers.get(key) ?? [];
    if ((list.length + 1) * buffer.byteLength <= SPARE_BYTES_PER_KEY) list.push(buffer);
    spareBuffers.set(key, list);
  }
}

export async function openDirect(path: string, flags: number, mode?: number): Promise<FileHandle | undefined> {
  if (!directWanted() || O_DIRECT === undefined) return undefined;
  try {
    return await open(path, flags | O_DIRECT, mode);
  } catch (err) {
    // The file system does not do direct I/O; anything else is a real error for the buffered open to report.
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') return undefined;
    throw err;
  }
}

export async function writeFully(fh: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.byteLength) {
    const { bytesWritten } = await fh.write(data, done, data.byteLength - done, position + done);
    if (bytesWritten <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += bytesWritten;
  }
}

/** A file written front to back; bytes are on the device once sync() resolves. */
export interface SequentialFile {
  /** Takes `data` (copied or written before the promise resolves; the caller may reuse it then). */
  write(data: Uint8Array): Promise<void>;
  /** Writes what is staged, sets the file's length, and fsyncs. */
  sync(): Promise<void>;
  close(): Promise<void>;
  /** True when writes bypass the page cache. */
  readonly direct: boolean;
}

export interface SequentialFileOptions {
  readonly mode?: number;
  /** Bytes per direct write (a multiple of ALIGN); default DIRECT_CHUNK. */
  readonly chunkSize?: number;
  /** The size the file will have, when known: small files are written buffered. */
  readonly sizeHint?: number;
  /**
   * false: one staging buffer, each write waited for, for half the memory. For files fed slower
   * than the disk takes them (a download), where overlapping gains nothing. Default true.
   */
  readonly overlap?: boolean;
}

/** Creates (truncating) `path` for sequential writing, directly when the file system allows. */
export async function createSequentialFile(path: string, options: SequentialFileOptions = {}): Promise<SequentialFile> {
  const mode = options.mode ?? 0o644;
  const chunkSize = options.chunkSize ?? DIRECT_CHUNK;
  if (chunkSize <= 0 || chunkSize % ALIGN !== 0) throw new RangeError(`chunkSize ${chunkSize} is not a positive multiple of ${ALIGN}`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | O_NOFOLLOW;
  const small = options.sizeHint !== undefined && options.sizeHint < DIRECT_MIN;
  const direct = small ? undefined : await openDirect(path, flags, mode);
  if (direct) {
    const dev = (await direct.stat()).dev;
    // The write probe leaves a block at offset 0, which the first real write covers; a file
    // shorter than that is cut back at sync(). A pooled buffer needs no probe.
    const first = takeAligned(direct.fd, dev, chunkSize, 'write');
    if (first && options.overlap === false) return plain(new DirectFile(path, direct, [first], () => giveBack(dev, [first])));
    const second = first ? takeAligned(direct.fd, dev, chunkSize, 'write') : undefined;
    if (first && second) return plain(new DirectFile(path, direct, [first, second], () => giveBack(dev, [first, second])));
    if (first) giveBack(dev, [first]);
    await direct.close();
  }
  return plain(new BufferedFile(await open(path, flags, mode)));
}

/** Own properties only, so callers (and tests wrapping the drive) can spread it like a record. */
function plain(file: SequentialFile): SequentialFile {
  return { direct: file.direct, write: (data) => file.write(data), sync: () => file.sync(), close: () => file.close() };
}

/** Gathers small writes (tar headers, padding) into one before they go to the kernel. */
class BufferedFile implements SequentialFile {
  readonly direct = false;
  private position = 0;
  private readonly gather = Buffer.allocUnsafe(GATHER);
  private used = 0;

  constructor(private readonly fh: FileHandle) {}

  async write(data: Uint8Array): Promise<void> {
    const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (this.used + buffer.byteLength <= GATHER) {
      buffer.copy(this.gather, this.used);
      this.used += buffer.byteLength;
      if (this.used === GATHER) await this.flush();
      return;
    }
    await this.flush();
    if (buffer.byteLength >= GATHER) {
      await writeFully(this.fh, buffer, this.position);
      this.position += buffer.byteLength;
    } else {
      buffer.copy(this.gather, 0);
      this.used = buffer.byteLength;
    }
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    await writeFully(this.fh, this.gather.subarray(0, this.used), this.position);
    this.position += this.used;
    this.used = 0;
  }

  async sync(): Promise<void> {
    await this.flush();
    await this.fh.sync();
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/**
 * Stages bytes in two aligned buffers: one fills while the other is written (or in one, each
 * write waited for). The tail that does not fill a whole ALIGN block goes through a second,
 * buffered descriptor at the end.
 */
class DirectFile implements SequentialFile {
  readonly direct = true;
  private stage: Buffer;
  private spare: Buffer | undefined;
  private readonly chunk: number;
  private used = 0;
  /** File offset of the staging buffer's first byte. */
  private position = 0;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly path: string,
    private readonly fh: FileHandle,
    buffers: [Buffer, Buffer] | [Buffer],
    private readonly release: () => void,
  ) {
    [this.stage, this.spare] = buffers;
    this.chunk = this.stage.byteLength;
  }

  async write(data: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < data.byteLength) {
      const n = Math.min(this.chunk - this.used, data.byteLength - offset);
      this.stage.set(data.subarray(offset, offset + n), this.used);
      this.used += n;
      offset += n;
      if (this.used === this.chunk) await this.submit();
    }
  }

  /** Hands the full staging buffer to the kernel once the previous one is down. */
  private async submit(): Promise<void> {
    const full = this.stage;
    const at = this.position;
    if (!this.spare) {
      await writeFully(this.fh, full, at);
      this.position += this.chunk;
      this.used = 0;
      return;
    }
    await this.inflight;
    const write = writeFully(this.fh, full, at);
    // Observed so a failure is never "unhandled"; the next await of `inflight` throws it.
    write.catch(() => undefined);
    this.inflight = write;
    [this.stage, this.spare] = [this.spare, full];
    this.position += this.chunk;
    this.used = 0;
  }

  async sync(): Promise<void> {
    await this.inflight;
    this.inflight = undefined;
    const aligned = this.used - (this.used % ALIGN);
    if (aligned > 0) await writeFully(this.fh, this.stage.subarray(0, aligned), this.position);
    const length = this.position + this.used;
    if (this.used > aligned) {
      const tail = await open(this.path, constants.O_WRONLY | O_NOFOLLOW);
      try {
        await writeFully(tail, this.stage.subarray(aligned, this.used), this.position + aligned);
        await tail.sync();
      } finally {
        await tail.close();
      }
    }
    // The alignment probe wrote a block at offset 0; a file shorter than that is cut back.
    await this.fh.truncate(length);
    await this.fh.sync();
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.inflight?.catch(() => undefined);
    await this.fh.close();
    // Only now nothing can write from the buffers any more: the next file may have them.
    this.release();
  }
}

export interface ReadOptions {
  /** false: through the page cache. Default: directly where the file system allows. */
  readonly direct?: boolean;
  /** Bytes per read (a multiple of ALIGN for direct reads); default DIRECT_CHUNK. */
  readonly chunkSize?: number;
  readonly signal?: AbortSignal;
}

/**
 * Reads a whole file in pieces, each valid only until the next one is asked for (two buffers in
 * turn: the next read is in flight while the caller works on the current one).
 */
export function readChunks(path: string, options: ReadOptions = {}): AsyncGenerator<Buffer> {
  return readRange(path, 0, Number.POSITIVE_INFINITY, options);
}

/**
 * Reads `length` bytes from `start` (fewer when the file ends first) as readChunks does. Direct
 * reads start at the ALIGN boundary below `start`; what lies outside the range is not yielded.
 */
export async function* readRange(path: string, start: number, length: number, options: ReadOptions = {}): AsyncGenerator<Buffer> {
  const chunkSize = options.chunkSize ?? DIRECT_CHUNK;
  const end = start + length;
  const flags = constants.O_RDONLY | O_NOFOLLOW;
  let fh = options.direct === false || chunkSize % ALIGN !== 0 || length < DIRECT_MIN ? undefined : await openDirect(path, flags);
  let buffers: Buffer[] | undefined;
  let dev = 0;
  if (fh) {
    const st = await fh.stat();
    dev = st.dev;
    const first = st.size >= DIRECT_MIN ? takeAligned(fh.fd, dev, chunkSize, 'read') : undefined;
    const second = first ? takeAligned(fh.fd, dev, chunkSize, 'read') : undefined;
    if (first && second) buffers = [first, second];
    else {
      if (first) giveBack(dev, [first]);
      await fh.close();
      fh = undefined;
    }
  }
  const direct = fh !== undefined;
  const handle = fh ?? (await open(path, flags));
  buffers ??= [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
  let turn = 0;
  const read = async (position: number): Promise<Buffer> => {
    const buffer = buffers[turn++ % 2] as Buffer;
    const want = direct ? chunkSize : Math.min(chunkSize, end - position);
    let filled = 0;
    // Direct reads come back short only at the end of the file.
    while (filled < want) {
      const { bytesRead } = await handle.read(buffer, filled, want - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (direct && filled % ALIGN !== 0) break;
    }
    return buffer.subarray(0, filled);
  };
  let pending: Promise<Buffer> | undefined;
  try {
    let position = direct ? start - (start % ALIGN) : start;
    pending = position < end ? read(position) : undefined;
    while (pending) {
      const chunk: Buffer = await pending;
      if (chunk.byteLength === 0) break;
      const at = position;
      position += chunk.byteLength;
      const whole = chunk.byteLength === (direct ? chunkSize : Math.min(chunkSize, end - at));
      pending = whole && position < end ? read(position) : undefined;
      options.signal?.throwIfAborted();
      const from = Math.max(start, at) - at;
      const to = Math.min(end, position) - at;
      if (to > from) yield from === 0 && to === chunk.byteLength ? chunk : chunk.subarray(from, to);
    }
  } finally {
    // Never close the file under a read still in flight (abort mid-way).
    await pending?.catch(() => undefined);
    await handle.close();
    if (direct) giveBack(dev, buffers);
  }
}
