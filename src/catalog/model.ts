import { compareText } from '../resources/order';
import { readBundleBlob, readChannelBlob, readPackageBlob, blobKey, type DecodedBlob } from './blobs';
import { SCHEMA_BUNDLE, SCHEMA_CHANNEL, SCHEMA_PACKAGE, type CatalogFile, type FbcBundle, type FbcCatalog, type FbcChannel, type FbcPackage } from './types';

/**
 * Builds the catalog model file by file. What a file contributed is kept apart until the end, so
 * that a later image layer can still delete it (whiteouts) or replace it (the same path again):
 * layers are read in order, bottom to top, each exactly once.
 */

interface FileRecord {
  readonly layer: number;
  readonly path: string;
  readonly packages: Array<{ name: string; defaultChannel?: string }>;
  readonly channels: FbcChannel[];
  readonly bundles: FbcBundle[];
  readonly warnings: string[];
  blobs: number;
  bytes: number;
}

export interface FileSink {
  add(blob: DecodedBlob): void;
}

/** True when `path` is `prefix` or lies below it. */
export function isAtOrBelow(path: string, prefix: string): boolean {
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

export class CatalogBuilder {
  private readonly records = new Map<string, FileRecord>();
  private readonly perLayer = new Map<number, number>();

  /**
   * Starts the contribution of one file. A file of the same path read earlier (from a lower layer,
   * or earlier in the same one) is replaced, as the union filesystem would, and so is whatever a
   * lower layer had below that path when it was a directory there.
   */
  file(layer: number, path: string): FileSink {
    if (this.hasLayerBelow(layer)) this.remove((key, record) => key === path || (record.layer < layer && isAtOrBelow(key, path)));
    else this.delete(path);
    const record: FileRecord = { layer, path, packages: [], channels: [], bundles: [], warnings: [], blobs: 0, bytes: 0 };
    this.records.set(path, record);
    this.perLayer.set(layer, (this.perLayer.get(layer) ?? 0) + 1);
    return {
      add: (blob) => {
        record.blobs++;
        record.bytes += blob.raw?.length ?? 0;
        const where = path;
        const { schema } = blobKey(blob.value);
        switch (schema) {
          case SCHEMA_PACKAGE:
            record.packages.push(readPackageBlob(blob.value, where));
            break;
          case SCHEMA_CHANNEL:
            record.channels.push(readChannelBlob(blob.value, where));
            break;
          case SCHEMA_BUNDLE:
            record.bundles.push(readBundleBlob(blob.value, where, (m) => record.warnings.push(`${where}: ${m}`)));
            break;
          case undefined:
            record.warnings.push(`${where}: a blob without "schema" was ignored`);
            break;
          default:
            // olm.deprecations and other schemas: carried as they are by the rebuild, not modelled.
            break;
        }
      },
    };
  }

  /** `.wh.<name>`: deletes `path` (and everything below it) from the layers under `layer`. */
  whiteout(layer: number, path: string): void {
    this.remove((key, record) => record.layer < layer && isAtOrBelow(key, path));
  }

  /** `.wh..wh..opq` in `dir`: deletes what lower layers put inside `dir`. */
  opaque(layer: number, dir: string): void {
    this.remove((key, record) => record.layer < layer && key !== dir && isAtOrBelow(key, dir));
  }

  /**
   * Something that is not an FBC file at `path`: a non-FBC file or a link hides a lower file there
   * (and a lower directory's content); a directory only hides a lower file of the same name.
   */
  shadow(layer: number, path: string, isDirectory: boolean): void {
    this.remove((key, record) => key === path || (!isDirectory && record.layer < layer && isAtOrBelow(key, path)));
  }

  private remove(test: (key: string, record: FileRecord) => boolean): void {
    for (const [key, record] of this.records) if (test(key, record)) this.delete(key);
  }

  private delete(key: string): void {
    const record = this.records.get(key);
    if (!record) return;
    this.records.delete(key);
    const left = (this.perLayer.get(record.layer) ?? 1) - 1;
    if (left > 0) this.perLayer.set(record.layer, left);
    else this.perLayer.delete(record.layer);
  }

  /** Catalogs split into thousands of files in one layer must not cost a scan per file. */
  private hasLayerBelow(layer: number): boolean {
    for (const l of this.perLayer.keys()) if (l < layer) return true;
    return false;
  }

  build(configsDir: string, extraWarnings: readonly string[] = []): FbcCatalog {
    const warnings: string[] = [...extraWarnings];
    const packages = new Map<string, { name: string; defaultChannel?: string; channels: Map<string, FbcChannel>; bundles: Map<string, FbcBundle> }>();
    const records = [...this.records.values()];
    let blobs = 0;
    let bytes = 0;
    for (const record of records) {
      blobs += record.blobs;
      bytes += record.bytes;
      warnings.push(...record.warnings);
      for (const p of record.packages) {
        if (packages.has(p.name)) warnings.push(`${record.path}: package ${p.name} is declared more than once; the last declaration counts`);
        const existing = packages.get(p.name);
        packages.set(p.name, {
          name: p.name,
          ...(p.defaultChannel === undefined ? {} : { defaultChannel: p.defaultChannel }),
          channels: existing?.channels ?? new Map(),
          bundles: existing?.bundles ?? new Map(),
        });
      }
    }
    for (const record of records) {
      for (const c of record.channels) {
        const pkg = packages.get(c.package);
        if (!pkg) {
          warnings.push(`${record.path}: channel ${c.name} belongs to package ${c.package}, which has no olm.package blob; ignored`);
          continue;
        }
        if (pkg.channels.has(c.name)) warnings.push(`${record.path}: channel ${c.package}/${c.name} is declared more than once; the last declaration counts`);
        pkg.channels.set(c.name, c);
      }
      for (const b of record.bundles) {
        const pkg = packages.get(b.package);
        if (!pkg) {
          warnings.push(`${record.path}: bundle ${b.name} belongs to package ${b.package}, which has no olm.package blob; ignored`);
          continue;
        }
        if (pkg.bundles.has(b.name)) warnings.push(`${record.path}: bundle ${b.name} is declared more than once; the last declaration counts`);
        pkg.bundles.set(b.name, b);
      }
    }
    const sorted = new Map<string, FbcPackage>();
    for (const name of [...packages.keys()].sort(compareText)) {
      const p = packages.get(name);
      if (!p) continue;
      if (p.channels.size === 0) warnings.push(`package ${name} has no channels`);
      sorted.set(name, p);
    }
    const files: CatalogFile[] = records.map((r) => ({ layer: r.layer, path: r.path }));
    return { packages: sorted, configsDir, files, warnings, stats: { blobs, bytes } };
  }
}
