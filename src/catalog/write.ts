import { appendFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareText } from '../resources/order';
import { blobKey, type DecodedBlob, type JsonObject } from './blobs';
import { forEachCatalogBlob } from './fbc';
import type { FilterResult } from './filter';
import type { BlobSource, CatalogImage } from './source';
import { SCHEMA_BUNDLE, SCHEMA_CHANNEL, SCHEMA_DEPRECATIONS, SCHEMA_PACKAGE, type CatalogFile } from './types';

/**
 * Writes the filtered catalog as an FBC directory: `<dir>/<package>/catalog.json` per kept package
 * (and `<dir>/catalog.json` for blobs that belong to no package). Blobs are copied from the source
 * in catalog order, byte for byte where they are unchanged; `olm.package` gets the filtered default
 * channel, `olm.channel` only its kept entries, `olm.deprecations` only entries about kept content.
 * Content is buffered per package and spilled to disk, so a `full: true` package of any size fits.
 */

export type CatalogContent =
  | { readonly kind: 'directory'; readonly dir: string }
  | { readonly kind: 'image'; readonly image: CatalogImage; readonly blobs?: BlobSource };

export interface WrittenCatalog {
  /** Relative paths of the files written, sorted. */
  readonly files: readonly string[];
  readonly blobs: number;
  readonly bytes: number;
}

const SPILL_BYTES = 32 * 1024 * 1024;
const TOP_FILE = 'catalog.json';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Kept {
  readonly packages: ReadonlyMap<string, { defaultChannel?: string; channels: ReadonlyMap<string, ReadonlySet<string>>; bundles: ReadonlySet<string> }>;
}

function keptSets(result: FilterResult): Kept {
  return {
    packages: new Map(
      result.packages.map((p) => [
        p.name,
        {
          ...(p.defaultChannel === undefined ? {} : { defaultChannel: p.defaultChannel }),
          channels: new Map(p.channels.map((c) => [c.name, new Set(c.entries.map((e) => e.name))])),
          bundles: new Set(p.bundles.map((b) => b.name)),
        },
      ]),
    ),
  };
}

/** The blob as it goes into the filtered catalog: unchanged, changed, or left out. */
export function filterBlob(blob: JsonObject, kept: Kept): { keep: false } | { keep: true; changed?: JsonObject; package?: string } {
  const { schema, package: pkgField, name } = blobKey(blob);
  const pkgName = schema === SCHEMA_PACKAGE ? name : pkgField;
  if (pkgName === undefined) return schema === undefined ? { keep: false } : { keep: true };
  const pkg = kept.packages.get(pkgName);
  if (!pkg) return { keep: false };
  switch (schema) {
    case SCHEMA_PACKAGE:
      if (pkg.defaultChannel !== undefined && blob.defaultChannel !== pkg.defaultChannel) return { keep: true, changed: { ...blob, defaultChannel: pkg.defaultChannel }, package: pkgName };
      return { keep: true, package: pkgName };
    case SCHEMA_CHANNEL: {
      const entries = name === undefined ? undefined : pkg.channels.get(name);
      if (!entries) return { keep: false };
      const list = Array.isArray(blob.entries) ? blob.entries : [];
      const filtered = list.filter((e) => isObject(e) && typeof e.name === 'string' && entries.has(e.name));
      return filtered.length === list.length ? { keep: true, package: pkgName } : { keep: true, changed: { ...blob, entries: filtered }, package: pkgName };
    }
    case SCHEMA_BUNDLE:
      return name !== undefined && pkg.bundles.has(name) ? { keep: true, package: pkgName } : { keep: false };
    case SCHEMA_DEPRECATIONS: {
      const list = Array.isArray(blob.entries) ? blob.entries : [];
      const filtered = list.filter((e) => {
        if (!isObject(e) || !isObject(e.reference)) return false;
        const ref = e.reference;
        if (ref.schema === SCHEMA_BUNDLE) return typeof ref.name === 'string' && pkg.bundles.has(ref.name);
        if (ref.schema === SCHEMA_CHANNEL) return typeof ref.name === 'string' && pkg.channels.has(ref.name);
        return true;
      });
      if (filtered.length === 0) return { keep: false };
      return filtered.length === list.length ? { keep: true, package: pkgName } : { keep: true, changed: { ...blob, entries: filtered }, package: pkgName };
    }
    default:
      return { keep: true, package: pkgName };
  }
}

function fileFor(pkg: string | undefined): string {
  if (pkg === undefined) return TOP_FILE;
  // Package names are DNS-1123-like; anything that could escape the directory is flattened.
  const safe = pkg.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return `${safe === TOP_FILE ? `_${safe}` : safe}/${TOP_FILE}`;
}

/** Copies what `result` keeps from `content` into `dir` (created; must be empty or absent). */
export async function writeFilteredCatalog(content: CatalogContent, files: readonly CatalogFile[], result: FilterResult, dir: string, options: { signal?: AbortSignal } = {}): Promise<WrittenCatalog> {
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) throw new Error(`${dir} is not empty`);
  const kept = keptSets(result);
  const pending = new Map<string, Buffer[]>();
  const written = new Set<string>();
  let buffered = 0;
  let blobs = 0;
  let bytes = 0;
  const spill = async (): Promise<void> => {
    for (const [file, chunks] of pending) {
      const target = join(dir, file);
      if (!written.has(file)) {
        await mkdir(join(target, '..'), { recursive: true });
        await writeFile(target, Buffer.concat(chunks));
        written.add(file);
      } else {
        await appendFile(target, Buffer.concat(chunks));
      }
    }
    pending.clear();
    buffered = 0;
  };
  const visit = async (blob: DecodedBlob): Promise<void> => {
    const decision = filterBlob(blob.value, kept);
    if (!decision.keep) return;
    const text = decision.changed === undefined && blob.raw !== undefined ? blob.raw : Buffer.from(JSON.stringify(decision.changed ?? blob.value, null, 2), 'utf8');
    const file = fileFor(decision.package);
    const list = pending.get(file) ?? [];
    list.push(text, Buffer.from('\n'));
    pending.set(file, list);
    buffered += text.length + 1;
    blobs++;
    bytes += text.length + 1;
    if (buffered >= SPILL_BYTES) await spill();
  };
  await forEachCatalogBlob(content.kind === 'directory' ? content : { kind: 'image', image: content.image, ...(content.blobs ? { blobs: content.blobs } : {}) }, files, visit, options);
  await spill();
  return { files: [...written].sort(compareText), blobs, bytes };
}
