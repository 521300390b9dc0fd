import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AirlockError } from '../errors';
import { renderClusterResourceFiles } from './render';
import type { ClusterResource } from './types';
import { syncDir } from '../util/sync-dir';

/** Temp files are hidden and end in neither .yaml nor .json, so `oc apply -f <dir>` skips them. */
const TEMP_SUFFIX = '.airlock-tmp';
const TEMP_NAME = /^\..+\.[0-9a-f]{8}\.airlock-tmp$/;

function tempName(name: string): string {
  return `.${name}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`;
}

function writeFailed(file: string, err: unknown): AirlockError {
  const message = err instanceof Error ? err.message : String(err);
  return new AirlockError('CLUSTER_RESOURCES_WRITE_FAILED', `writing cluster resource file ${file} failed: ${message}`, {
    context: { file },
    hint: 'check that the workspace directory is writable and has free space, then run the import again',
    cause: err,
  });
}

async function removeStaleTemps(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (TEMP_NAME.test(name)) await unlink(join(dir, name)).catch(() => undefined);
  }
}

async function writeAtomically(dir: string, name: string, content: string): Promise<string> {
  const target = join(dir, name);
  const temp = join(dir, tempName(name));
  try {
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw writeFailed(target, err);
  }
  return target;
}


/**
 * Writes cluster resources into `dir`, which is `workingDir(workspace).clusterResources`
 * (`<workspace>/working-dir/cluster-resources/`): every file goes to a hidden temp name first, is
 * fsynced, then renamed over the old one, so `oc apply -f` never sees half a file. Temp files left
 * by a run that was killed are removed first. Files of earlier runs that this run does not write
 * are left alone. Returns the paths written, sorted. Throws CLUSTER_RESOURCE_INVALID before
 * writing anything when a resource is invalid, CLUSTER_RESOURCES_WRITE_FAILED when the disk fails.
 */
export async function writeClusterResources(dir: string, resources: readonly ClusterResource[]): Promise<string[]> {
  const files = renderClusterResourceFiles(resources);
  try {
    await mkdir(dir, { recursive: true });
    await removeStaleTemps(dir);
  } catch (err) {
    throw writeFailed(dir, err);
  }
  const written: string[] = [];
  for (const file of files) written.push(await writeAtomically(dir, file.name, file.content));
  const keep = new Set(files.map((f) => f.name));
  try {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isFile() && !keep.has(entry.name)) await rm(join(dir, entry.name), { force: true });
    }
  } catch (err) {
    throw writeFailed(dir, err);
  }
  await syncDir(dir);
  return written;
}
