import { open } from 'node:fs/promises';

/**
 * Makes a new or renamed directory entry durable. Best effort: Windows, and some FUSE file systems,
 * cannot fsync a directory (EISDIR/EPERM/EINVAL); NTFS journals the rename itself.
 */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // See above: nothing more can be done here.
  }
}
