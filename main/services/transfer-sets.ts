/**
 * Finding transfer sets on a drive: a set is a directory holding transfer.json. The drive's root and
 * the directories directly under it are looked at (an operator may keep several sets side by side),
 * nothing deeper, and symbolic links are not followed: the media come from across the air gap.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isAirlockError } from '../../src/errors';
import { verifySignature } from '../../src/keys';
import { MAX_TRANSFER_MANIFEST_BYTES, parseTransferManifest, readSetFile, SIGNATURE_FILE, SUMS_FILE, TRANSFER_MANIFEST_FILE } from '../../src/media';
import { toIpcError } from '../ipc/dispatch';
import type { MediaScan, SignatureStatus, TransferSetInfo, UnreadableSet } from '../ipc/contract';

/** Directories under the root looked into; a drive with thousands of folders is not a set archive. */
const MAX_SUBDIRS = 200;

async function isFile(path: string): Promise<boolean> {
  const st = await lstat(path).catch(() => undefined);
  return st?.isFile() === true;
}

async function candidateDirs(root: string): Promise<string[]> {
  const dirs: string[] = [];
  if (await isFile(join(root, TRANSFER_MANIFEST_FILE))) dirs.push(root);
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return dirs;
  }
  const subdirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'working-dir').slice(0, MAX_SUBDIRS);
  for (const entry of subdirs.sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = join(root, entry.name);
    if (await isFile(join(dir, TRANSFER_MANIFEST_FILE))) dirs.push(dir);
  }
  return dirs;
}

/** Reads one set's manifest and checks its signature against this station's trusted keys. */
export async function describeTransferSet(dir: string, dataDir: string): Promise<TransferSetInfo> {
  // The signature is checked over exactly the bytes parsed, never over a second read.
  const bytes = await readSetFile(dir, TRANSFER_MANIFEST_FILE, MAX_TRANSFER_MANIFEST_BYTES);
  const manifest = parseTransferManifest(bytes);
  let status: SignatureStatus;
  try {
    const signature = await readSetFile(dir, SIGNATURE_FILE, 4096);
    const verdict = await verifySignature(dataDir, bytes, signature, { fingerprint: manifest.stationKeyFingerprint });
    status = verdict.trusted
      ? { trusted: true, fingerprint: verdict.fingerprint, label: verdict.label }
      : { trusted: false, fingerprint: manifest.stationKeyFingerprint, reason: verdict.reason, message: verdict.message };
  } catch (err) {
    if (!isAirlockError(err, 'MEDIA_FILE_MISSING')) throw err;
    status = { trusted: false, fingerprint: manifest.stationKeyFingerprint, reason: 'unsigned', message: `${SIGNATURE_FILE} is missing` };
  }
  return {
    dir,
    setId: manifest.setId,
    createdAt: manifest.createdAt,
    stationFingerprint: manifest.stationKeyFingerprint,
    toolVersion: `${manifest.tool.name} ${manifest.tool.version}`,
    images: manifest.images.filter((i) => i.status === 'ok').length,
    failedImages: manifest.images.filter((i) => i.status !== 'ok').length,
    parts: manifest.parts.length,
    totalBytes: manifest.parts.reduce((n, p) => n + p.size, 0),
    baseSets: manifest.baseSets,
    complete: await isFile(join(dir, SUMS_FILE)),
    signature: status,
  };
}

export async function scanForTransferSets(root: string, dataDir: string): Promise<MediaScan> {
  const sets: TransferSetInfo[] = [];
  const unreadable: UnreadableSet[] = [];
  for (const dir of await candidateDirs(root)) {
    try {
      sets.push(await describeTransferSet(dir, dataDir));
    } catch (err) {
      if (!isAirlockError(err)) throw err;
      unreadable.push({ dir, error: toIpcError(err) });
    }
  }
  sets.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { sets, unreadable };
}
