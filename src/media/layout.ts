import { digestHex } from '../digest';
import { MediaType } from '../registry/media-types';
import { REF_NAME_ANNOTATION } from './ref-name';

/** The files of a transfer set, beside the parts. SHA256SUMS is written last: its presence marks a complete set. */
export const TRANSFER_MANIFEST_FILE = 'transfer.json';
export const SIGNATURE_FILE = 'transfer.json.sig';
export const SUMS_FILE = 'SHA256SUMS';
/** Logs and resumable state live here; never part of the set, never in the parts or SHA256SUMS. */
export const WORKING_DIR = 'working-dir';

/** The entries of the OCI image layout inside the parts. */
export const OCI_LAYOUT_FILE = 'oci-layout';
export const INDEX_FILE = 'index.json';
export const BLOBS_DIR = 'blobs/';
export const BLOBS_SHA256_DIR = 'blobs/sha256/';

export const PART_NAME_PATTERN = /^mirror_(\d{6})\.tar$/;
/** A set file being written is named `<name>.partial` until it is complete. */
export const PARTIAL_SUFFIX = '.partial';
export const MAX_PARTS = 999_999;

/** `mirror_000001.tar` for 1. */
export function partName(number: number): string {
  if (!Number.isSafeInteger(number) || number < 1 || number > MAX_PARTS) {
    throw new RangeError(`part number ${number} is outside 1..${MAX_PARTS}`);
  }
  return `mirror_${String(number).padStart(6, '0')}.tar`;
}

/** The 1-based number of a part name, or undefined when the name is not `mirror_NNNNNN.tar`. */
export function partNumber(name: string): number | undefined {
  const match = PART_NAME_PATTERN.exec(name);
  const n = match?.[1] === undefined ? 0 : Number(match[1]);
  return n >= 1 ? n : undefined;
}

export function blobEntryName(digest: string): string {
  return `${BLOBS_SHA256_DIR}${digestHex(digest)}`;
}

export function ociLayoutBytes(): Buffer {
  return Buffer.from('{"imageLayoutVersion":"1.0.0"}');
}

/** One image of index.json. */
export interface IndexImage {
  readonly name: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

/**
 * index.json of the layout, one descriptor per image in the given order. Deterministic (fixed key
 * order, compact), so the verifier can rebuild it from transfer.json and compare bytes.
 */
export function indexJsonBytes(images: readonly IndexImage[]): Buffer {
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: images.map((image) => ({
      mediaType: image.mediaType,
      digest: image.digest,
      size: image.size,
      annotations: { [REF_NAME_ANNOTATION]: image.name },
    })),
  };
  return Buffer.from(`${JSON.stringify(index)}\n`);
}
