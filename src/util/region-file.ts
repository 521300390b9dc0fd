import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ALIGN, giveBack, O_NOFOLLOW, openDirect, takeAligned, writeFully } from './direct-io';

/**
 * A file of known size written as disjoint regions, several at once and in any order: a part whose
 * blobs go onto the drive straight from their downloads, each at its own offset.
 *
 * Direct writes (see direct-io.ts) must cover whole ALIGN blocks, but regions start and end on
 * 512-byte tar blocks, so two neighbours can share an ALIGN block. Writing a shared block directly
 * from both sides would lose one side's bytes (each write covers the whole block), so a region
 * writes only the whole blocks it owns directly; the bytes it has in a shared block are gathered in
 * memory, and each shared block is written once every byte of it is known.
 */

/**
 * Bytes per direct write of a region's own blocks. Each region being written holds one such
 * buffer, and a pull writes some twenty at once, beside as many cache entries in 2 MiB buffers of
 * their own: a size of its own keeps the two from taking each other's pooled buffers.
 */
const REGION_CHUNK = 1024 * 1024;
/** Shared blocks that are complete and adjacent are written together, up to this many bytes. */
const BOUNDARY_RUN = 256 * 1024;

export interface RegionWriter {
  /** Takes the region's next bytes (the caller may reuse `data` once this resolves). */
  write(data: Uint8Array): Promise<void>;
  /** All the region's bytes were given: writes what is staged. Throws when some are missing. */
  end(): Promise<void>;
  /** Gives up on the region (its source failed): the file can no longer be finished. */
  abandon(): Promise<void>;
}

export interface RegionFileOptions {
  readonly mode?: number;
  /** false: through the page cache. Default: directly where the file system allows. */
  readonly direct?: boolean;
  /** Bytes per direct write (a multiple of ALIGN); default 1 MiB. */
  readonly chunkSize?: number;
}

interface Region {
  readonly start: number;
  readonly end: number;
  ended: boolean;
}

interface SharedBlock {
  readonly data: Buffer;
  /** Bytes of the file in this block (less than ALIGN only for the file's last block). */
  readonly need: number;
  filled: number;
}

function rangeError(path: string, message: string): Error {
  return Object.assign(new Error(`${basename(path)}: ${message}`), { code: 'EREGION' });
}

export class RegionFile {
  private readonly regions: Region[] = [];
  private readonly shared = new Map<number, SharedBlock>();
  private readonly complete = new Set<number>();
  private flushing: Promise<void> = Promise.resolve();
  private failure: unknown;
  private abandoned = false;
  private closed = false;

  private constructor(
    readonly path: string,
    readonly size: number,
    private readonly fh: FileHandle,
    /** Direct mode: an unlinked scratch file aligned buffers are probed on, and the device. */
    private readonly direct: { readonly probe: FileHandle; readonly dev: number; readonly boundary: Buffer } | undefined,
    private readonly chunkSize: number,
  ) {}

  /** Creates (truncating) `path`, which will hold exactly `size` bytes. */
  static async create(path: string, size: number, options: RegionFileOptions = {}): Promise<RegionFile> {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size ${size} is not a byte count`);
    const chunkSize = options.chunkSize ?? REGION_CHUNK;
    if (chunkSize <= 0 || chunkSize % ALIGN !== 0) throw new RangeError(`chunkSize ${chunkSize} is not a positive multiple of ${ALIGN}`);
    const mode = options.mode ?? 0o644;
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | O_NOFOLLOW;
    const fh = options.direct === false ? undefined : await openDirect(path, flags, mode);
    if (fh) {
      // Finding an aligned buffer means writing a probe block; that must not land in the file
      // itself once regions have written to it, so probes go to a scratch file beside it.
      const scratch = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.align`);
      const probe = await openDirect(scratch, flags | constants.O_EXCL, 0o600);
      if (probe) {
        await unlink(scratch);
        const dev = (await fh.stat()).dev;
        const boundary = takeAligned(probe.fd, dev, BOUNDARY_RUN, 'write');
        if (boundary) return new RegionFile(path, size, fh, { probe, dev, boundary }, chunkSize);
        await probe.close();
      }
      await fh.close();
    }
    return new RegionFile(path, size, await open(path, flags, mode), undefined, chunkSize);
  }

  /** True when the bytes bypass the page cache. */
  get isDirect(): boolean {
    return this.direct !== undefined;
  }

  /** A writer for bytes [offset, offset + length) (not empty), which no other region may overlap. */
  region(offset: number, length: number): RegionWriter {
    const end = offset + length;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length <= 0 || end > this.size) {
      throw rangeError(this.path, `region ${offset}+${length} is outside the file's ${this.size} bytes`);
    }
    // Kept sorted by start; a new region must fit between its neighbours.
    let lo = 0;
    let hi = this.regions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.regions[mid] as Region).start < offset) lo = mid + 1;
      else hi = mid;
    }
    const before = this.regions[lo - 1];
    const after = this.regions[lo];
    if ((before && before.end > offset) || (after && after.start < end)) {
      throw rangeError(this.path, `region ${offset}+${length} overlaps another`);
    }
    const region: Region = { start: offset, end, ended: false };
    this.regions.splice(lo, 0, region);
    return this.direct ? this.directWriter(region) : this.bufferedWriter(region);
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.abandoned) throw rangeError(this.path, 'a region was abandoned');
  }

  private bufferedWriter(region: Region): RegionWriter {
    let position = region.start;
    return {
      write: async (data) => {
        this.check();
        if (position + data.byteLength > region.end) throw rangeError(this.path, `region ${region.start}+${region.end - region.start} was given more bytes than it holds`);
        const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        await writeFully(this.fh, buffer, position);
        position += buffer.byteLength;
      },
      end: async () => {
        this.check();
        if (position !== region.end) throw rangeError(this.path, `region ${region.start}+${region.end - region.start} ended after ${position - region.start} bytes`);
        region.ended = true;
      },
      abandon: async () => {
        this.abandoned = true;
      },
    };
  }

  private directWriter(region: Region): RegionWriter {
    const direct = this.direct as NonNullable<RegionFile['direct']>;
    // [ownStart, ownEnd): the whole blocks only this region touches, written directly.
    const ownStart = Math.ceil(region.start / ALIGN) * ALIGN;
    const ownEnd = Math.max(ownStart, Math.floor(region.end / ALIGN) * ALIGN);
    let position = region.start;
    let stage: Buffer | undefined;
    let used = 0;
    /** File offset of stage[0]. */
    let stageAt = ownStart;
    let inflight: Promise<void> | undefined;
    const release = (): void => {
      const buffer = stage;
      stage = undefined;
      // Only once no write reads from it may another file have the buffer.
      if (buffer) void (inflight ?? Promise.resolve()).catch(() => undefined).then(() => giveBack(direct.dev, [buffer]));
    };
    const submit = async (): Promise<void> => {
      const write = writeFully(this.fh, (stage as Buffer).subarray(0, used), stageAt);
      inflight = write;
      await write;
      inflight = undefined;
      stageAt += used;
      used = 0;
    };
    return {
      write: async (data) => {
        this.check();
        if (position + data.byteLength > region.end) throw rangeError(this.path, `region ${region.start}+${region.end - region.start} was given more bytes than it holds`);
        let offset = 0;
        while (offset < data.byteLength) {
          if (position < ownStart || position >= ownEnd) {
            const limit = position < ownStart ? Math.min(ownStart, region.end) : region.end;
            const n = Math.min(limit - position, data.byteLength - offset);
            this.share(position, data.subarray(offset, offset + n));
            position += n;
            offset += n;
            continue;
          }
          stage ??= takeAligned(direct.probe.fd, direct.dev, this.chunkSize, 'write') ?? Buffer.alloc(0);
          if (stage.byteLength === 0) throw rangeError(this.path, 'no aligned buffer could be found for a direct write');
          const n = Math.min(this.chunkSize - used, ownEnd - position, data.byteLength - offset);
          stage.set(data.subarray(offset, offset + n), used);
          used += n;
          position += n;
          offset += n;
          if (used === this.chunkSize || position === ownEnd) await submit();
        }
      },
      end: async () => {
        this.check();
        if (position !== region.end) throw rangeError(this.path, `region ${region.start}+${region.end - region.start} ended after ${position - region.start} bytes`);
        release();
        region.ended = true;
      },
      abandon: async () => {
        this.abandoned = true;
        release();
      },
    };
  }

  /** Bytes at `position` that lie in blocks other regions may share. */
  private share(position: number, data: Uint8Array): void {
    let offset = 0;
    while (offset < data.byteLength) {
      const index = Math.floor((position + offset) / ALIGN);
      const within = (position + offset) % ALIGN;
      const n = Math.min(ALIGN - within, data.byteLength - offset);
      let block = this.shared.get(index);
      if (!block) {
        block = { data: Buffer.alloc(ALIGN), need: Math.min(ALIGN, this.size - index * ALIGN), filled: 0 };
        this.shared.set(index, block);
      }
      block.data.set(data.subarray(offset, offset + n), within);
      block.filled += n;
      offset += n;
      if (block.filled === block.need) this.complete.add(index);
    }
    if (this.complete.size > 0) this.flushShared();
  }

  /** Writes the complete shared blocks, adjacent ones together, one batch at a time. */
  private flushShared(): void {
    const direct = this.direct as NonNullable<RegionFile['direct']>;
    this.flushing = this.flushing.then(async () => {
      if (this.failure !== undefined || this.complete.size === 0) return;
      const indexes = [...this.complete].sort((a, b) => a - b);
      this.complete.clear();
      const most = BOUNDARY_RUN / ALIGN;
      try {
        for (let i = 0; i < indexes.length; ) {
          const first = indexes[i] as number;
          let count = 0;
          while (i < indexes.length && indexes[i] === first + count && count < most) {
            const block = this.shared.get(indexes[i] as number) as SharedBlock;
            // The file's last block is written whole (zeros past the end); finish() cuts the file back.
            block.data.copy(direct.boundary, count * ALIGN);
            this.shared.delete(indexes[i] as number);
            count++;
            i++;
          }
          await writeFully(this.fh, direct.boundary.subarray(0, count * ALIGN), first * ALIGN);
        }
      } catch (err) {
        this.failure ??= err;
      }
    });
  }

  /**
   * Every region ended and together they cover the file: writes what is left, sets the length
   * and fsyncs. The bytes are on the device once this resolves.
   */
  async finish(): Promise<void> {
    this.check();
    let covered = 0;
    for (const region of this.regions) {
      if (region.start !== covered) throw rangeError(this.path, `bytes ${covered}-${region.start} were never given to a region`);
      if (!region.ended) throw rangeError(this.path, `region ${region.start}+${region.end - region.start} did not end`);
      covered = region.end;
    }
    if (covered !== this.size) throw rangeError(this.path, `bytes ${covered}-${this.size} were never given to a region`);
    await this.flushing;
    this.check();
    if (this.shared.size > 0) throw rangeError(this.path, `${this.shared.size} shared block(s) were left incomplete`);
    await this.fh.truncate(this.size);
    await this.fh.sync();
  }

  /** Closes the file (finished or not); the caller removes an unfinished one. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing.catch(() => undefined);
    await this.fh.close();
    if (this.direct) {
      await this.direct.probe.close();
      giveBack(this.direct.dev, [this.direct.boundary]);
    }
  }
}
