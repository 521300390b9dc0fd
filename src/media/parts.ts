import { AirlockError } from '../errors';
import { blobEntryName, BLOBS_DIR, BLOBS_SHA256_DIR, INDEX_FILE, MAX_PARTS, OCI_LAYOUT_FILE, partName } from './layout';
import { TAR_BLOCK, TAR_TRAILER, tarEntrySize, type TarEntryType } from './tar';

/**
 * Pure planning of which blob goes into which part, and where every tar entry lands. A part is
 * `prologue + blobs + trailer`: the first part's prologue is oci-layout, index.json and the blobs/
 * and blobs/sha256/ directories; the others' prologue is the two directories. Blobs keep the caller's
 * order and are never split; each costs its 512-byte header plus its data padded to 512 bytes.
 */

export interface PlanBlob {
  readonly digest: string;
  readonly size: number;
}

export type PlannedContent =
  | { readonly kind: 'oci-layout' }
  | { readonly kind: 'index' }
  | { readonly kind: 'directory' }
  | { readonly kind: 'blob'; readonly digest: string };

export interface PlannedEntry {
  readonly name: string;
  readonly type: TarEntryType;
  readonly size: number;
  /** Offset of the entry's data in the part; its header is the 512 bytes before. */
  readonly offset: number;
  readonly content: PlannedContent;
}

export interface PlannedPart {
  /** 1-based. */
  readonly number: number;
  readonly name: string;
  /** Exact size of the tar file, trailer included. */
  readonly size: number;
  readonly entries: readonly PlannedEntry[];
  /** Digests of the blobs in this part, in order. */
  readonly blobs: readonly string[];
}

export type PlanWarning =
  | {
      readonly code: 'BLOB_EXCEEDS_ARCHIVE_SIZE';
      readonly part: string;
      readonly blob: string;
      readonly blobSize: number;
      readonly partSize: number;
      readonly archiveSize: number;
    }
  | {
      readonly code: 'LAYOUT_EXCEEDS_ARCHIVE_SIZE';
      readonly part: string;
      readonly partSize: number;
      readonly archiveSize: number;
    };

export interface PartPlan {
  readonly parts: readonly PlannedPart[];
  readonly warnings: readonly PlanWarning[];
  /** Sum of the part sizes. */
  readonly totalSize: number;
}

export interface PlanPartsInput {
  readonly blobs: readonly PlanBlob[];
  /** Size of the oci-layout file. */
  readonly ociLayoutSize: number;
  /** Size of index.json. */
  readonly indexSize: number;
  /** The most bytes one part may have. */
  readonly archiveSize: number;
  /** Refuse (throw) rather than warn when something cannot fit a part of archiveSize. */
  readonly strictArchive: boolean;
}

/** The entries every part starts with, at their offsets. The verifier rebuilds them the same way. */
export function partPrologue(first: boolean, ociLayoutSize: number, indexSize: number): PlannedEntry[] {
  const entries: PlannedEntry[] = [];
  let position = 0;
  const add = (name: string, type: TarEntryType, size: number, content: PlannedContent): void => {
    entries.push({ name, type, size, offset: position + TAR_BLOCK, content });
    position += tarEntrySize(size);
  };
  if (first) {
    add(OCI_LAYOUT_FILE, 'file', ociLayoutSize, { kind: 'oci-layout' });
    add(INDEX_FILE, 'file', indexSize, { kind: 'index' });
  }
  add(BLOBS_DIR, 'directory', 0, { kind: 'directory' });
  add(BLOBS_SHA256_DIR, 'directory', 0, { kind: 'directory' });
  return entries;
}

function entriesEnd(entries: readonly PlannedEntry[]): number {
  const last = entries[entries.length - 1];
  return last === undefined ? 0 : last.offset - TAR_BLOCK + tarEntrySize(last.size);
}

/**
 * The same part with its blobs in `order` (the part's own blobs, in any order): same prologue, same
 * size, each blob's offset following the one before. The writer records the order it wrote.
 */
export function arrangePart(part: PlannedPart, order: readonly string[]): PlannedPart {
  const planned = new Map(part.entries.flatMap((e) => (e.content.kind === 'blob' ? [[e.content.digest, e] as const] : [])));
  if (order.length !== planned.size || new Set(order).size !== order.length) throw new RangeError(`the blob order given for ${part.name} is not an order of its ${planned.size} blobs`);
  const entries = part.entries.filter((e) => e.content.kind !== 'blob');
  for (const digest of order) {
    const entry = planned.get(digest);
    if (!entry) throw new RangeError(`${part.name} does not hold blob ${digest}`);
    entries.push({ ...entry, offset: entriesEnd(entries) + TAR_BLOCK });
  }
  return { ...part, entries, blobs: [...order] };
}

function gib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${bytes} bytes`;
}

export function planParts(input: PlanPartsInput): PartPlan {
  const { archiveSize, strictArchive } = input;
  if (!Number.isSafeInteger(archiveSize) || archiveSize <= 0) {
    throw new AirlockError('MEDIA_ARCHIVE_SIZE_INVALID', `the archive size ${archiveSize} is not a positive number of bytes`, {
      hint: 'set archiveSize in the image set configuration to a positive number of GiB',
    });
  }
  const parts: PlannedPart[] = [];
  const warnings: PlanWarning[] = [];
  const tooLarge: { digest: string; size: number }[] = [];

  let entries: PlannedEntry[] = [];
  let blobs: string[] = [];
  let open = false;

  const start = (): void => {
    entries = partPrologue(parts.length === 0, input.ociLayoutSize, input.indexSize);
    blobs = [];
    open = true;
  };
  const close = (): void => {
    const number = parts.length + 1;
    if (number > MAX_PARTS) {
      throw new AirlockError('MEDIA_TOO_MANY_PARTS', `the transfer set would need more than ${MAX_PARTS} parts of ${gib(archiveSize)}`, {
        hint: 'raise archiveSize in the image set configuration',
      });
    }
    const size = entriesEnd(entries) + TAR_TRAILER;
    parts.push({ number, name: partName(number), size, entries, blobs });
    open = false;
  };
  const sizeWith = (extra: number): number => entriesEnd(entries) + extra + TAR_TRAILER;

  start();
  if (sizeWith(0) > archiveSize) {
    if (strictArchive) {
      throw new AirlockError('MEDIA_ARCHIVE_SIZE_TOO_SMALL', `the archive size ${gib(archiveSize)} cannot hold even index.json and oci-layout (${sizeWith(0)} bytes)`, {
        context: { part: partName(1), expected: String(archiveSize), actual: String(sizeWith(0)) },
        hint: 'raise archiveSize in the image set configuration',
      });
    }
    warnings.push({ code: 'LAYOUT_EXCEEDS_ARCHIVE_SIZE', part: partName(1), partSize: sizeWith(0), archiveSize });
  }

  for (const blob of input.blobs) {
    const cost = tarEntrySize(blob.size);
    if (!open) start();
    if (blobs.length > 0 && sizeWith(cost) > archiveSize) {
      close();
      start();
    }
    const entry: PlannedEntry = {
      name: blobEntryName(blob.digest),
      type: 'file',
      size: blob.size,
      offset: entriesEnd(entries) + TAR_BLOCK,
      content: { kind: 'blob', digest: blob.digest },
    };
    const fits = sizeWith(cost) <= archiveSize;
    entries.push(entry);
    blobs.push(blob.digest);
    if (!fits) {
      // Alone in its part (the first part also keeps its small layout files), then a fresh part.
      tooLarge.push(blob);
      warnings.push({
        code: 'BLOB_EXCEEDS_ARCHIVE_SIZE',
        part: partName(parts.length + 1),
        blob: blob.digest,
        blobSize: blob.size,
        partSize: entriesEnd(entries) + TAR_TRAILER,
        archiveSize,
      });
      close();
    }
  }
  if (open && (blobs.length > 0 || parts.length === 0)) close();

  if (strictArchive && tooLarge.length > 0) {
    const first = tooLarge[0] as { digest: string; size: number };
    const listed = tooLarge.slice(0, 3).map((b) => `${b.digest} (${gib(b.size)})`).join(', ');
    throw new AirlockError(
      'MEDIA_BLOB_TOO_LARGE',
      `${tooLarge.length} blob${tooLarge.length === 1 ? '' : 's'} cannot fit a part of ${gib(archiveSize)} and strictArchive forbids larger parts: ${listed}${tooLarge.length > 3 ? ', ...' : ''}`,
      {
        context: { blob: first.digest, expected: String(archiveSize), actual: String(first.size) },
        hint: 'raise archiveSize in the image set configuration, or turn strictArchive off to let such blobs have a part of their own',
      },
    );
  }
  return { parts, warnings, totalSize: parts.reduce((sum, p) => sum + p.size, 0) };
}
