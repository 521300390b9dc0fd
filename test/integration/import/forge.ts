// Forging hostile transfer sets out of a real exported one, the way a compromised or buggy exporting
// station would: the parts are rewritten with tar-stream's packer (an implementation independent of
// our writer), transfer.json is updated to match the new parts and re-signed with the station's own
// key, and SHA256SUMS is rewritten, so that only the structural checks of the importing side can
// tell anything is wrong. Plus a snapshot of a directory tree, to prove an import wrote nothing
// where it must not.
import { createHash, createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { lstat, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { extract, pack, type Header } from 'tar-stream';
import { stationKeyPath } from '../../../src/keys';
import {
  blobEntryName,
  formatSums,
  indexJsonBytes,
  serializeTransferManifest,
  SIGNATURE_FILE,
  SUMS_FILE,
  TAR_BLOCK,
  TAR_MTIME,
  TRANSFER_MANIFEST_FILE,
  type TransferImageOk,
  type TransferManifest,
} from '../../../src/media';

type DeepMutable<T> = T extends Buffer ? T : T extends object ? { -readonly [K in keyof T]: DeepMutable<T[K]> } : T;

/** transfer.json as the forger edits it. */
export type ForgedManifest = DeepMutable<TransferManifest>;

export type TarHeader = Partial<Header> & { name: string; pax?: Record<string, string> | null; byteOffset?: number };

export interface TarEntry {
  header: TarHeader;
  data: Buffer;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function digestOf(data: Uint8Array): string {
  return `sha256:${sha256Hex(data)}`;
}

/** Every entry of a tar archive as tar-stream reads it, headers (data offset included) and content. */
export function readTar(bytes: Buffer): Promise<TarEntry[]> {
  return new Promise((resolve, reject) => {
    const entries: TarEntry[] = [];
    const tar = extract();
    tar.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        entries.push({ header: { ...(header as TarHeader) }, data: Buffer.concat(chunks) });
        next();
      });
      stream.on('error', reject);
    });
    tar.on('finish', () => resolve(entries));
    tar.on('error', reject);
    tar.end(bytes);
  });
}

/**
 * The archive tar-stream's packer makes of these entries: one plain ustar header per entry (a pax
 * record first only when the header asks for one), the data, padding, and, unless `trailer` is
 * false, the two zero blocks. Entries re-emitted from `readTar` keep their offsets.
 */
export function packTar(entries: readonly TarEntry[], options: { trailer?: boolean } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = pack();
    const chunks: Buffer[] = [];
    p.on('data', (c: unknown) => chunks.push(c as Buffer));
    p.on('end', () => {
      const all = Buffer.concat(chunks);
      // finalize() appends exactly the 1024-byte end marker.
      resolve(options.trailer === false ? all.subarray(0, all.byteLength - 2 * TAR_BLOCK) : all);
    });
    p.on('error', reject);
    for (const { header, data } of entries) {
      const { byteOffset: _offset, ...rest } = header;
      void _offset;
      // A file entry always gets its (maybe empty) content; other entries have none.
      if (rest.type === 'file' || rest.type === undefined) p.entry({ ...rest, size: data.byteLength }, data);
      else p.entry({ ...rest, size: 0 });
    }
    p.finalize();
  });
}

const MTIME = new Date(TAR_MTIME * 1000);

/** A header the way our writer makes them (uid/gid 0, fixed mtime, 0644/0755), with `extra` on top. */
export function header(name: string, extra: Partial<TarHeader> = {}): TarHeader {
  const type = extra.type ?? 'file';
  return { name, type, mode: type === 'directory' ? 0o755 : 0o644, uid: 0, gid: 0, mtime: MTIME, ...extra };
}

export function fileEntry(name: string, data: Buffer, extra: Partial<TarHeader> = {}): TarEntry {
  return { header: header(name, { ...extra, type: 'file', size: data.byteLength }), data };
}

export function specialEntry(name: string, type: Header['type'], extra: Partial<TarHeader> = {}): TarEntry {
  return { header: header(name, { ...extra, type, size: 0 }), data: Buffer.alloc(0) };
}

/** A blob entry, `blobs/sha256/<hex of data>`. */
export function blobEntry(data: Buffer): TarEntry {
  return fileEntry(blobEntryName(digestOf(data)), data);
}

/**
 * Sets a raw typeflag (say `g`, a pax global header, which tar-stream cannot write) on the header
 * block at `headerOffset` of `tar`, and fixes the header checksum.
 */
export function retype(tar: Buffer, headerOffset: number, typeflag: string): void {
  const block = tar.subarray(headerOffset, headerOffset + TAR_BLOCK);
  block.write(typeflag, 156, 1, 'ascii');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
}

/** A pax extended-header record set (`<len> key=value\n` lines). */
export function paxRecords(records: Record<string, string>): Buffer {
  let out = '';
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`;
    let length = body.length;
    while (String(length).length + body.length !== length) length = String(length).length + body.length;
    out += `${length}${body}`;
  }
  return Buffer.from(out);
}

export function loadStationPrivateKey(dataDir: string): Promise<KeyObject> {
  return readFile(stationKeyPath(dataDir), 'utf8').then((pem) => createPrivateKey({ key: pem, format: 'pem' }));
}

export interface SealOptions {
  /** Recompute every blob's offset in the rewritten parts from where its entry now lies. */
  readonly relocate?: boolean;
  /** Write a new transfer.json.sig over the new transfer.json (default true). */
  readonly sign?: boolean;
  /** Rewrite SHA256SUMS from the files now in the set (default true). */
  readonly sums?: boolean;
  /** Write these bytes as transfer.json instead of serializing `manifest`. */
  readonly manifestBytes?: Buffer;
}

/** A copy of a real transfer set being turned into a hostile one. */
export class ForgedSet {
  private readonly parts = new Map<string, TarEntry[]>();
  private readonly rawParts = new Map<string, Buffer>();

  private constructor(
    readonly dir: string,
    private readonly key: KeyObject,
    readonly manifest: ForgedManifest,
  ) {}

  /** `dir` is a copy of a set exported with the station key of `dataDir`. */
  static async open(dir: string, dataDir: string): Promise<ForgedSet> {
    const manifest = JSON.parse(await readFile(join(dir, TRANSFER_MANIFEST_FILE), 'utf8')) as ForgedManifest;
    return new ForgedSet(dir, await loadStationPrivateKey(dataDir), manifest);
  }

  /** The entries of a part, to be edited in place; the part is repacked on seal(). */
  async entries(part: string): Promise<TarEntry[]> {
    let entries = this.parts.get(part);
    if (!entries) {
      entries = await readTar(await readFile(join(this.dir, part)));
      this.parts.set(part, entries);
    }
    return entries;
  }

  /** Replaces a part with exactly these bytes (a truncated file, data after the end marker ...). */
  setPartBytes(part: string, bytes: Buffer): void {
    this.parts.delete(part);
    this.rawParts.set(part, bytes);
  }

  async partBytes(part: string): Promise<Buffer> {
    return this.rawParts.get(part) ?? readFile(join(this.dir, part));
  }

  blob(digest: string): ForgedManifest['blobs'][number] {
    const blob = this.manifest.blobs.find((b) => b.digest === digest);
    if (!blob) throw new Error(`forge: no blob ${digest} in the set`);
    return blob;
  }

  /** index.json of the first part rebuilt from transfer.json's images, as the writer makes it. */
  async rebuildIndexJson(): Promise<void> {
    const first = this.manifest.parts[0]?.name;
    if (!first) throw new Error('forge: the set has no parts');
    const entries = await this.entries(first);
    const index = entries.find((e) => e.header.name === 'index.json');
    if (!index) throw new Error('forge: no index.json in the first part');
    index.data = indexJsonBytes(this.manifest.images.filter((i): i is DeepMutable<TransferImageOk> => i.status === 'ok'));
    index.header.size = index.data.byteLength;
  }

  /**
   * Writes the changed parts, updates their size and sha256 in transfer.json (and every blob's
   * offset, when relocating), writes transfer.json, signs it with the station key and rewrites
   * SHA256SUMS, each unless told not to.
   */
  async seal(options: SealOptions = {}): Promise<void> {
    const written = new Map<string, Buffer>(this.rawParts);
    for (const [part, entries] of this.parts) written.set(part, await packTar(entries));
    for (const [part, bytes] of written) {
      await writeFile(join(this.dir, part), bytes);
      const listed = this.manifest.parts.find((p) => p.name === part);
      if (listed) {
        listed.size = bytes.byteLength;
        listed.sha256 = sha256Hex(bytes);
      }
      if (options.relocate) {
        for (const entry of await readTar(bytes)) {
          const blob = this.manifest.blobs.find((b) => b.part === part && blobEntryName(b.digest) === entry.header.name);
          if (blob && entry.header.byteOffset !== undefined) blob.offset = entry.header.byteOffset;
        }
      }
    }
    const manifestBytes = options.manifestBytes ?? serializeTransferManifest(this.manifest as TransferManifest);
    await writeFile(join(this.dir, TRANSFER_MANIFEST_FILE), manifestBytes);
    if (options.sign ?? true) await writeFile(join(this.dir, SIGNATURE_FILE), cryptoSign(null, manifestBytes, this.key));
    if (options.sums ?? true) {
      const names = [...this.manifest.parts.map((p) => p.name), TRANSFER_MANIFEST_FILE, SIGNATURE_FILE];
      const entries = await Promise.all(names.map(async (name) => ({ name, sha256: sha256Hex(await readFile(join(this.dir, name))) })));
      await writeFile(join(this.dir, SUMS_FILE), formatSums(entries));
    }
  }
}

/** One node of a directory tree: its type, and for files their content hash, for links their target. */
export type TreeSnapshot = Map<string, string>;

/** Files larger than this are identified by size and mtime rather than hashed (sparse giants). */
const HASH_LIMIT = 32 * 1024 * 1024;

/** Everything under `root`, without following symbolic links. */
export async function snapshotTree(root: string): Promise<TreeSnapshot> {
  const out: TreeSnapshot = new Map();
  const walk = async (path: string): Promise<void> => {
    const st = await lstat(path);
    const key = relative(root, path).split(sep).join('/') || '.';
    if (st.isSymbolicLink()) out.set(key, `symlink -> ${await readlink(path)}`);
    else if (st.isDirectory()) {
      out.set(key, `dir ${(st.mode & 0o7777).toString(8)}`);
      for (const name of (await readdir(path)).sort()) await walk(join(path, name));
    } else if (st.isFile()) {
      const content = st.size > HASH_LIMIT ? `${st.size} bytes, mtime ${st.mtimeMs}` : sha256Hex(await readFile(path));
      out.set(key, `file ${(st.mode & 0o7777).toString(8)} ${content}`);
    } else out.set(key, `special ${st.mode.toString(8)}`);
  };
  await walk(root);
  return out;
}

/** Paths that differ between two snapshots, except under the allowed prefixes (relative to the root). */
export function treeChanges(before: TreeSnapshot, after: TreeSnapshot, allowed: readonly string[]): string[] {
  const ok = (path: string): boolean => allowed.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
  const changes: string[] = [];
  for (const [path, what] of after) {
    const was = before.get(path);
    if (was === undefined) {
      if (!ok(path)) changes.push(`created ${path} (${what})`);
    } else if (was !== what && !ok(path)) {
      changes.push(`changed ${path}: ${was} -> ${what}`);
    }
  }
  for (const path of before.keys()) if (!after.has(path) && !ok(path)) changes.push(`removed ${path}`);
  return changes;
}
