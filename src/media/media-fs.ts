import { constants } from 'node:fs';
import { open, statfs } from 'node:fs/promises';

/**
 * The writer's seam onto the drive: everything that puts bytes on the media goes through here, so
 * tests can inject failures (ENOSPC halfway through a part) and a future drive layer can swap in
 * its own (e.g. O_DIRECT) implementation. Renames, unlinks and reads use node:fs directly.
 */
export interface WritableMediaFile {
  /** Writes all of `data` at the current end of the file, or throws (e.g. ENOSPC). */
  write(data: Uint8Array): Promise<void>;
  /** fsync: returns once the bytes are on the device. */
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
  /** Creates (or truncates) a file for writing. */
  createFile(path: string): Promise<WritableMediaFile>;
  freeSpace(dir: string): Promise<FreeSpace>;
}

export const nodeMediaFileSystem: MediaFileSystem = {
  async createFile(path) {
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0), 0o644);
    return {
      async write(data) {
        let offset = 0;
        // A write may be short (typically just before ENOSPC); keep going until all bytes are down.
        while (offset < data.byteLength) {
          const { bytesWritten } = await handle.write(data, offset, data.byteLength - offset);
          if (bytesWritten <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
          offset += bytesWritten;
        }
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  async freeSpace(dir) {
    const st = await statfs(dir);
    return { available: st.bavail * st.bsize, blockSize: st.bsize };
  },
};
