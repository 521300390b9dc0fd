import { lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AirlockError } from '../errors';

/**
 * Creates `base/seg1/seg2/...` one level at a time and insists that each level is a real directory,
 * not a symbolic link. working-dir/ lives on removable media that crossed the air gap: a link
 * planted there must not redirect (or delete) files anywhere else on this machine.
 * `base` itself is the operator's own choice and may be a link.
 */
export async function ensureRealDirectory(base: string, segments: readonly string[]): Promise<string> {
  await mkdir(base, { recursive: true }).catch((err: unknown) => {
    throw unwritable(base, err);
  });
  let path = base;
  for (const segment of segments) {
    path = join(path, segment);
    await mkdir(path).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(path, err);
    });
    const st = await lstat(path).catch((err: unknown) => {
      throw unwritable(path, err);
    });
    if (!st.isDirectory()) {
      throw new AirlockError('WORKSPACE_UNSAFE', `${path} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}; Airlock writes its working files only into real directories`, {
        context: { file: path },
        hint: 'the media may have been tampered with: remove that entry, or choose another workspace',
      });
    }
  }
  return path;
}

function unwritable(path: string, err: unknown): AirlockError {
  return new AirlockError('WORKSPACE_UNWRITABLE', `cannot create ${path}: ${(err as Error).message}`, {
    context: { file: path },
    hint: 'the media may be read-only or full: choose a writable workspace',
    cause: err,
  });
}

/**
 * Replaces a file without following a link planted in its place: the old entry (file or link) is
 * removed, and the new one is created exclusively.
 */
export async function replaceFile(path: string, data: string | Uint8Array): Promise<void> {
  await rm(path, { force: true });
  await writeFile(path, data, { flag: 'wx' });
}
