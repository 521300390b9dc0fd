import { createHash } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { ensureRealDirectory, replaceFile } from '../util/safe-dir';
import { join } from 'node:path';
import { WORKING_DIR } from './layout';
import type { PlannedPart } from './parts';

/**
 * The writer's resumable state: `<set dir>/working-dir/state/parts.json`.
 *
 *   {
 *     "version": 1,
 *     "setId": "...",                       // the set being written (informational)
 *     "parts": [
 *       { "name": "mirror_000001.tar",
 *         "plan": "sha256:...",             // digest of that part's plan (partPlanDigest)
 *         "size": 4294966272,
 *         "sha256": "<hex>",                 // of the finished file
 *         "blobs": ["sha256:...", ...] }     // the order its blobs were written in
 *     ]
 *   }
 *
 * A part is listed once it has been written, fsynced and renamed into place. A later run of a plan
 * whose part has the same name and plan digest, whose file has that size and still hashes to that
 * sha256, keeps the file instead of writing it again. The plan digest pins what the part holds
 * (name, size, prologue, which blobs); the writer may put the blobs in the order they arrived, so
 * that order is recorded with the part and reused with it.
 */
export const STATE_DIR = join(WORKING_DIR, 'state');
export const STATE_FILE = join(STATE_DIR, 'parts.json');

export interface FinishedPart {
  readonly name: string;
  readonly plan: string;
  readonly size: number;
  readonly sha256: string;
  /** Digests of its blobs in the order they are in the file. */
  readonly blobs: readonly string[];
}

export interface WriterState {
  readonly version: 1;
  readonly setId: string;
  readonly parts: readonly FinishedPart[];
}

/** The digest that identifies what one planned part holds, whatever order its blobs are written in. */
export function partPlanDigest(part: PlannedPart, layoutDigests: { readonly ociLayout: string; readonly index: string }): string {
  const prologue = part.entries.filter((e) => e.content.kind !== 'blob');
  const blobs = part.entries.flatMap((e) => (e.content.kind === 'blob' ? [[e.content.digest, e.size] as const] : [])).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const canonical = JSON.stringify({
    v: 2,
    name: part.name,
    size: part.size,
    prologue: prologue.map((e) => [e.name, e.type, e.size, e.offset, e.content.kind === 'oci-layout' ? layoutDigests.ociLayout : e.content.kind === 'index' ? layoutDigests.index : null]),
    blobs,
  });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

function isFinishedPart(value: unknown): value is FinishedPart {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.name === 'string' &&
    typeof p.plan === 'string' &&
    typeof p.size === 'number' &&
    Number.isSafeInteger(p.size) &&
    typeof p.sha256 === 'string' &&
    /^[a-f0-9]{64}$/.test(p.sha256) &&
    Array.isArray(p.blobs) &&
    p.blobs.every((d) => typeof d === 'string')
  );
}

/** The recorded state, or an empty one when there is none or it is unreadable (state is only a hint). */
export async function readWriterState(dir: string): Promise<WriterState> {
  try {
    const json = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as Record<string, unknown>;
    if (json.version === 1 && typeof json.setId === 'string' && Array.isArray(json.parts)) {
      return { version: 1, setId: json.setId, parts: json.parts.filter(isFinishedPart) };
    }
  } catch {
    // Missing or damaged: start from nothing.
  }
  return { version: 1, setId: '', parts: [] };
}

/** Replaces the state file atomically (temp file + rename). */
export async function writeWriterState(dir: string, state: WriterState): Promise<void> {
  // working-dir/ is on the media: refuse links planted there instead of writing through them.
  await ensureRealDirectory(dir, STATE_DIR.split('/'));
  const file = join(dir, STATE_FILE);
  const temp = `${file}.tmp`;
  await replaceFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, file);
}
