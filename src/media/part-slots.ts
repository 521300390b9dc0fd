import { AirlockError } from '../errors';
import { RegionFile, type RegionFileOptions, type RegionWriter } from '../util/region-file';
import { blobEntryName } from './layout';
import { arrangePart, type PlannedPart } from './parts';
import { TAR_TRAILER, TAR_ZEROS, tarEntrySize, tarHeader, tarPadding } from './tar';

/**
 * One part written as slots in a RegionFile: the prologue at once, each blob's entry (header,
 * data, padding) at the next free offset when the blob is claimed, the trailer once every blob
 * has its slot. Several blobs stream into the part at the same time, each straight from wherever
 * its bytes come from (a download), so none has to be read back from the cache to be written.
 * The order of the claims is the part's blob order (parts.ts arrangePart lays it out the same way).
 *
 * Nothing here hashes: the part is read back whole from the drive afterwards, byte by byte against
 * this layout and every blob against its digest (verify-part.ts, `layout`), which is what proves it
 * and gives its sha256.
 */

export interface BlobSlot {
  /** The blob's next bytes (the caller may reuse `data` once this resolves). */
  write(data: Uint8Array): Promise<void>;
  /** Every byte was given: pads the entry. Throws when the count is off. */
  end(): Promise<void>;
  /** The source failed: the part cannot be finished. */
  abandon(): Promise<void>;
}

export interface PartPrologueBytes {
  readonly ociLayout: Buffer;
  readonly indexJson: Buffer;
}

/** The tar entries before a part's blobs (oci-layout, index.json, the blobs/ directories), as bytes. */
export function prologueBytes(part: PlannedPart, bytes: PartPrologueBytes): Buffer {
  const prologue: Buffer[] = [];
  for (const entry of part.entries) {
    if (entry.content.kind === 'blob') continue;
    const content = entry.content.kind === 'oci-layout' ? bytes.ociLayout : entry.content.kind === 'index' ? bytes.indexJson : Buffer.alloc(0);
    if (content.byteLength !== entry.size) throw new AirlockError('MEDIA_INTERNAL', `${entry.name} has ${content.byteLength} bytes, ${part.name} was planned with ${entry.size}`, { context: { part: part.name } });
    prologue.push(tarHeader(entry.name, entry.type, entry.size), content, TAR_ZEROS.subarray(0, tarPadding(entry.size)));
  }
  return Buffer.concat(prologue);
}

export class PartSlots {
  private readonly sizes: ReadonlyMap<string, number>;
  private readonly claimed: string[] = [];
  private ended = 0;
  private next: number;
  private failed = false;

  private constructor(
    readonly part: PlannedPart,
    private readonly file: RegionFile,
    prologueEnd: number,
  ) {
    this.sizes = new Map(part.entries.flatMap((e) => (e.content.kind === 'blob' ? [[e.content.digest, e.size] as const] : [])));
    this.next = prologueEnd;
  }

  /** Creates `path` for `part` and writes its prologue. */
  static async open(path: string, part: PlannedPart, bytes: PartPrologueBytes, options: RegionFileOptions = {}): Promise<PartSlots> {
    const head = prologueBytes(part, bytes);
    const file = await RegionFile.create(path, part.size, options);
    try {
      if (head.byteLength > 0) {
        const region = file.region(0, head.byteLength);
        await region.write(head);
        await region.end();
      }
    } catch (err) {
      await file.close();
      throw err;
    }
    return new PartSlots(part, file, head.byteLength);
  }

  /** True when `digest` is a blob of this part that has no slot yet. */
  wants(digest: string): boolean {
    return !this.failed && this.sizes.has(digest) && !this.claimed.includes(digest);
  }

  /** Every blob has its slot and all of them have ended. */
  get full(): boolean {
    return this.ended === this.sizes.size;
  }

  /** The blobs in the order of their slots. */
  get order(): readonly string[] {
    return this.claimed;
  }

  /** The next slot, for `digest`; its header is written before the first data byte. */
  claim(digest: string): BlobSlot {
    const size = this.sizes.get(digest);
    if (size === undefined || this.claimed.includes(digest)) {
      throw new AirlockError('MEDIA_INTERNAL', `${this.part.name} has no free slot for blob ${digest}`, { context: { part: this.part.name, blob: digest } });
    }
    const region: RegionWriter = this.file.region(this.next, tarEntrySize(size));
    this.next += tarEntrySize(size);
    this.claimed.push(digest);
    let started: Promise<void> | undefined;
    const start = (): Promise<void> => (started ??= region.write(tarHeader(blobEntryName(digest), 'file', size)));
    let given = 0;
    const miscount = (): AirlockError =>
      new AirlockError('MEDIA_INTERNAL', `blob ${digest} was given ${given} bytes for its slot in ${this.part.name}, not ${size}`, { context: { part: this.part.name, blob: digest } });
    return {
      write: async (data) => {
        given += data.byteLength;
        if (given > size) throw miscount();
        await start();
        await region.write(data);
      },
      end: async () => {
        if (given !== size) throw miscount();
        await start();
        const padding = tarPadding(size);
        if (padding > 0) await region.write(TAR_ZEROS.subarray(0, padding));
        await region.end();
        this.ended++;
      },
      abandon: async () => {
        this.failed = true;
        await region.abandon();
      },
    };
  }

  /**
   * Writes the trailer and puts the part on the device (fsync). Returns the part laid out in the
   * order its blobs were written: what the read-back checks and transfer.json records.
   */
  async finish(): Promise<PlannedPart> {
    if (!this.full) throw new AirlockError('MEDIA_INTERNAL', `${this.part.name} is not full: ${this.sizes.size - this.ended} blob(s) still to write`, { context: { part: this.part.name } });
    const trailer = this.file.region(this.part.size - TAR_TRAILER, TAR_TRAILER);
    await trailer.write(TAR_ZEROS);
    await trailer.end();
    await this.file.finish();
    return arrangePart(this.part, this.claimed);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
