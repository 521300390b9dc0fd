import { isSha256Digest } from '../digest';
import { AirlockError } from '../errors';
import { parseCatalogSourceTemplate, type MirroredCatalog } from '../resources/catalog-sources';

/**
 * Operator catalog records: how the catalogs of a set travel in transfer.json (an
 * `operatorCatalogs` list the station signature covers), so the import knows which image is a
 * catalog (CatalogSource/ClusterCatalog, no mirror-set rule), with which template, and which
 * bundles were left out as incomplete. Read back strictly: it arrives across the air gap.
 */

/** A template is a few hundred bytes; a bigger one is not a CatalogSource template. */
export const MAX_TEMPLATE_BYTES = 64 * 1024;
const MAX_LIST = 100_000;

export interface OperatorCatalogRecord {
  /** `mirror.operators[].catalog` as written. */
  readonly catalog: string;
  /** The image's name in the set (transfer.json images[].name): `repo:tag`. */
  readonly name: string;
  /** The top-level manifest of the catalog image in the set (the rebuilt one, or the original). */
  readonly digest: string;
  /** False when the catalog travels unchanged (`full: true` without packages). */
  readonly rebuilt: boolean;
  /** The targetCatalogSourceTemplate, read on the connected side: `{file, text}`. */
  readonly catalogSourceTemplate?: { readonly file: string; readonly text: string };
  /** `package/bundle` of bundles left out because one of their images failed, sorted. */
  readonly incompleteBundles?: readonly string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates records read from media; throws CATALOG_RECORD_INVALID naming the first problem. */
export function parseCatalogRecords(value: unknown, where: string): OperatorCatalogRecord[] {
  const bad = (path: string, why: string): AirlockError =>
    new AirlockError('CATALOG_RECORD_INVALID', `${where}: ${path} ${why}`, { context: { file: where }, hint: 'the transfer set was altered or written by an incompatible Airlock' });
  if (!Array.isArray(value)) throw bad('operatorCatalogs', 'is not a list');
  if (value.length > 1000) throw bad('operatorCatalogs', 'has more than 1000 catalogs');
  return value.map((raw, i): OperatorCatalogRecord => {
    const path = `operatorCatalogs[${i}]`;
    if (!isObject(raw)) throw bad(path, 'is not an object');
    for (const key of Object.keys(raw)) {
      if (!['catalog', 'name', 'digest', 'rebuilt', 'catalogSourceTemplate', 'incompleteBundles'].includes(key)) throw bad(path, `has an unknown field "${key}"`);
    }
    if (typeof raw.catalog !== 'string' || raw.catalog === '' || raw.catalog.length > 4096) throw bad(`${path}.catalog`, 'is not a catalog reference');
    if (typeof raw.name !== 'string' || raw.name === '' || raw.name.length > 4096 || /\s/.test(raw.name)) throw bad(`${path}.name`, 'is not an image name');
    if (typeof raw.digest !== 'string' || !isSha256Digest(raw.digest)) throw bad(`${path}.digest`, 'is not a sha256 digest');
    if (typeof raw.rebuilt !== 'boolean') throw bad(`${path}.rebuilt`, 'is not a boolean');
    let template: OperatorCatalogRecord['catalogSourceTemplate'];
    if (raw.catalogSourceTemplate !== undefined) {
      const t = raw.catalogSourceTemplate;
      if (!isObject(t) || Object.keys(t).some((k) => k !== 'file' && k !== 'text') || typeof t.file !== 'string' || typeof t.text !== 'string') throw bad(`${path}.catalogSourceTemplate`, 'is not {file, text}');
      if (Buffer.byteLength(t.text) > MAX_TEMPLATE_BYTES) throw bad(`${path}.catalogSourceTemplate`, `is larger than ${MAX_TEMPLATE_BYTES} bytes`);
      template = { file: t.file, text: t.text };
    }
    let incomplete: string[] | undefined;
    if (raw.incompleteBundles !== undefined) {
      if (!Array.isArray(raw.incompleteBundles) || raw.incompleteBundles.length > MAX_LIST || raw.incompleteBundles.some((b) => typeof b !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(b))) {
        throw bad(`${path}.incompleteBundles`, 'is not a list of package/bundle names');
      }
      incomplete = raw.incompleteBundles as string[];
    }
    return {
      catalog: raw.catalog,
      name: raw.name,
      digest: raw.digest,
      rebuilt: raw.rebuilt,
      ...(template ? { catalogSourceTemplate: template } : {}),
      ...(incomplete ? { incompleteBundles: incomplete } : {}),
    };
  });
}

/** An image the import pushed: its name in the set, its digest and where it now is (`host/path:tag`). */
export interface PushedCatalogImage {
  readonly name: string;
  readonly digest: string;
  readonly reference: string;
}

/**
 * The CatalogSource/ClusterCatalog inputs for the catalogs that were pushed: the catalog's
 * reference in the target registry, by tag, and its template. Catalogs that did not arrive get
 * none. Throws CATALOG_SOURCE_TEMPLATE_INVALID for a template that is not a CatalogSource.
 */
export function catalogResourceInputs(records: readonly OperatorCatalogRecord[], pushed: readonly PushedCatalogImage[]): MirroredCatalog[] {
  const out: MirroredCatalog[] = [];
  for (const record of records) {
    const image = pushed.find((p) => p.name === record.name && p.digest === record.digest);
    if (!image) continue;
    const template = record.catalogSourceTemplate ? parseCatalogSourceTemplate(record.catalogSourceTemplate.text, record.catalogSourceTemplate.file) : undefined;
    out.push({ image: image.reference, ...(template ? { template } : {}) });
  }
  return out;
}

/** The set image names of the catalogs: these get a CatalogSource, not an IDMS/ITMS rule (as oc-mirror). */
export function catalogImageNames(records: readonly OperatorCatalogRecord[]): Set<string> {
  return new Set(records.map((r) => r.name));
}
