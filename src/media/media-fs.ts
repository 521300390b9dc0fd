import { statfs } from 'node:fs/promises';
import { createSequentialFile } from '../util/direct-io';

/**
 * The writer's seam onto the drive: everything that puts bytes on the media goes through here, so
 * tests can inject failures (ENOSPC halfway through a part) and a future drive layer can swap in
 * its own implementation. Renames, unlinks and reads use node:fs directly.
 */
export interface WritableMediaFile {
  /**
   * Takes all of `data` for the end of the file (the caller may reuse it once this resolves), or
   * throws (e.g. ENOSPC). The bytes are on the device once sync() resolves.
   */
  write(data: Uint8Array): Promise<void>;
  /** Writes anything staged, then fsync: returns once the bytes are on the device. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface FreeSpace {
  /** Bytes an unprivileged writer may still use. */
  readonly available: number;
  /** Allocation unit; each file occupies a multiple of it. */
  readonly blockSize: number;
}

export interface MediaFileSystem {
  /** Creates (or truncates) a file for writing; `sizeHint` is the size it will have, when known. */
  createFile(path: string, sizeHint?: number): Promise<WritableMediaFile>;
  freeSpace(dir: string): Promise<FreeSpace>;
}

export const nodeMediaFileSystem: MediaFileSystem = {
  // Parts bypass the page cache where the drive's file system allows (see util/direct-io.ts).
  createFile: (path, sizeHint) => createSequentialFile(path, sizeHint === undefined ? {} : { sizeHint }),
  async freeSpace(dir) {
    const st = await statfs(dir);
    return { available: st.bavail * st.bsize, blockSize: st.bsize };
  },
};

/**
 * File systems (statfs magic numbers) that take writes at any offset of a file without filling the
 * gap before it: ext2/3/4, XFS, Btrfs, F2FS, ZFS, tmpfs, the kernel's NTFS driver, and overlayfs
 * (which passes them to one of those, in containers). FAT and exFAT
 * (most USB sticks) are not among them: a write past the end makes the driver write zeros up to it
 * first, so there parts are written front to back.
 */
const SPARSE_FILE_SYSTEMS = new Set([0xef53, 0x58465342, 0x9123683e, 0xf2f52010, 0x2fc12fc1, 0x01021994, 0x7366746e, 0x794c7630]);

/** True when parts in `dir` can be written as slots, several places at once (see live-parts.ts). */
export async function writesAnywhere(dir: string): Promise<boolean> {
  try {
    return SPARSE_FILE_SYSTEMS.has((await statfs(dir)).type);
  } catch {
    return false;
  }
}
