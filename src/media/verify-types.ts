import type { TransferManifest } from './transfer-manifest';

/** Every way a transfer set on the media can be wrong. Stable: the UI maps them to text. */
export type VerifyProblemCode =
  /** The set directory does not exist or cannot be listed. */
  | 'SET_UNREADABLE'
  /** SHA256SUMS is absent: the set was never completed (or it was removed). */
  | 'SUMS_MISSING'
  | 'SUMS_INVALID'
  /** A file of the set is not listed in SHA256SUMS. */
  | 'SUMS_INCOMPLETE'
  /** SHA256SUMS lists a file that is not part of the set. */
  | 'SUMS_UNKNOWN_ENTRY'
  /** SHA256SUMS and transfer.json give different hashes for a part. */
  | 'SUMS_DISAGREE'
  | 'MANIFEST_MISSING'
  | 'MANIFEST_INVALID'
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  /** A file of the set is absent. */
  | 'FILE_MISSING'
  /** A file in the set directory is not part of the set. */
  | 'FILE_EXTRA'
  /** A name of the set is something other than a regular file (directory, symlink, device). */
  | 'FILE_NOT_REGULAR'
  | 'FILE_UNREADABLE'
  /** A file does not hash to what SHA256SUMS or transfer.json says. */
  | 'HASH_MISMATCH'
  /** A part has a different size than transfer.json says (typically truncated). */
  | 'SIZE_MISMATCH'
  /** The tar structure of a part is broken (bad header checksum, unknown format, truncated). */
  | 'TAR_INVALID'
  /** An entry no transfer set may contain: link, device, absolute or `..` path, pax header, odd mode. */
  | 'TAR_ENTRY_FORBIDDEN'
  | 'TAR_ENTRY_DUPLICATE'
  /** An entry that is not where transfer.json places it, or not in transfer.json at all. */
  | 'TAR_ENTRY_UNEXPECTED'
  /** An entry whose data is not at the offset transfer.json records (something was inserted before it). */
  | 'TAR_ENTRY_MISPLACED'
  | 'TAR_ENTRY_SIZE'
  /** An expected non-blob entry (oci-layout, index.json, blobs/ directories) is absent. */
  | 'TAR_ENTRY_MISSING'
  /** The archive does not end with exactly the two zero blocks after its last entry. */
  | 'TAR_TRAILER_INVALID'
  /** oci-layout or index.json do not have the content transfer.json implies. */
  | 'LAYOUT_MISMATCH'
  | 'BLOB_MISSING'
  | 'BLOB_DIGEST_MISMATCH';

export interface VerifyProblem {
  readonly code: VerifyProblemCode;
  readonly message: string;
  /** A file of the set directory. */
  readonly file?: string;
  readonly part?: string;
  readonly blob?: string;
  readonly expected?: string;
  readonly actual?: string;
}

export type VerifyProgress =
  | { readonly type: 'start'; readonly files: number; readonly totalBytes: number }
  | { readonly type: 'bytes'; readonly file: string; readonly bytesVerified: number; readonly totalBytes: number }
  | { readonly type: 'file-done'; readonly file: string; readonly ok: boolean };

export interface VerifyReport {
  readonly ok: boolean;
  readonly problems: readonly VerifyProblem[];
  readonly bytesVerified: number;
  /** The validated transfer.json, when it could be read and is valid. */
  readonly manifest?: TransferManifest;
  /**
   * The exact transfer.json bytes that were checked and parsed, and transfer.json.sig's bytes, for
   * the caller's signature check against its trusted keys (verify the signature over these bytes,
   * not over a second read of the file).
   */
  readonly manifestBytes?: Buffer;
  readonly signature?: Buffer;
}
