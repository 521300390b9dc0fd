import { AirlockError } from '../errors';
import { isSha256Digest } from '../digest';
import { isManifestMediaType, type ManifestMediaType } from '../registry/media-types';
import { parseSignatureRecords, type ReleaseSignatureRecord } from '../releases/signature-records';
import { parseCatalogRecords, type OperatorCatalogRecord } from '../catalog/records';
import { partName, PART_NAME_PATTERN, TRANSFER_MANIFEST_FILE } from './layout';
import { isValidRefName } from './ref-name';
import { attachmentOf } from '../signatures/tags';
import { TAR_BLOCK, TAR_TRAILER, tarPadding } from './tar';

/**
 * transfer.json: the description of a transfer set that travels beside its parts, signed by the
 * station that wrote it. Everything the enclave side does is driven by it, and it arrives on media
 * from across the air gap, so reading it back goes through a strict validator (parseTransferManifest).
 */
export const TRANSFER_SCHEMA_VERSION = 1;

export type BlobKind = 'manifest' | 'config' | 'layer';
export const BLOB_KINDS: readonly BlobKind[] = ['manifest', 'config', 'layer'];

export interface TransferTool {
  readonly name: string;
  readonly version: string;
}

interface TransferImageBase {
  /** Where the image was pulled from, e.g. `quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64`. */
  readonly source: string;
  /** Its name in the layout's index.json and at the destination, e.g. `openshift/release:4.19.0-x86_64`. */
  readonly name: string;
  /** Which part of the image set config asked for it; groups the mirror sets written on import. */
  readonly origin?: ImageOrigin;
  /** The config named it by digest (IDMS on import) rather than by tag (ITMS). */
  readonly byDigest?: boolean;
}

/** `signature`: a cosign attachment (`repo:sha256-<digest>.sig/.att/.sbom`) of another image of the set. */
export type ImageOrigin = 'additional' | 'operator' | 'release' | 'helm' | 'signature';
export const IMAGE_ORIGINS: readonly ImageOrigin[] = ['additional', 'operator', 'release', 'helm', 'signature'];

export interface TransferImageOk extends TransferImageBase {
  readonly status: 'ok';
  /** The top-level manifest (image manifest or index), stored byte-exact as a blob. */
  readonly digest: string;
  readonly mediaType: ManifestMediaType;
  readonly size: number;
}

export interface TransferImageFailed extends TransferImageBase {
  readonly status: 'failed';
  readonly error: string;
  readonly digest?: string;
  readonly mediaType?: ManifestMediaType;
  readonly size?: number;
}

export type TransferImage = TransferImageOk | TransferImageFailed;

export interface MissingImage {
  readonly source: string;
  readonly name: string;
  readonly error: string;
}

export interface TransferPart {
  /** `mirror_NNNNNN.tar`, numbered from 000001 without gaps. */
  readonly name: string;
  readonly size: number;
  /** Lowercase hex, as in SHA256SUMS. */
  readonly sha256: string;
}

export interface TransferBlob {
  readonly digest: string;
  readonly size: number;
  /** The part whose tar holds `blobs/sha256/<hex>`. */
  readonly part: string;
  /** Byte offset of the blob's data inside the part (its tar header is the 512 bytes before). */
  readonly offset: number;
  readonly kind?: BlobKind;
  /** For manifests: their media type, as the registry will need it on push. */
  readonly mediaType?: string;
}

export interface TransferManifest {
  readonly schemaVersion: typeof TRANSFER_SCHEMA_VERSION;
  readonly setId: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly tool: TransferTool;
  /** Fingerprint of the station key that signed transfer.json (`transfer.json.sig`). */
  readonly stationKeyFingerprint: string;
  /** Ids of the transfer sets this one builds on (blobs they carried are not repeated here). */
  readonly baseSets: readonly string[];
  /** The image set configuration text the set was made from, verbatim. */
  readonly config: string;
  readonly images: readonly TransferImage[];
  /** The failed images again, as the operator's to-do list. */
  readonly missing: readonly MissingImage[];
  readonly parts: readonly TransferPart[];
  readonly blobs: readonly TransferBlob[];
  /**
   * The verified signatures of the release payloads the set carries (mirror.platform), for the
   * signature ConfigMap written on import. Covered by the station signature. Absent in sets
   * without releases (and in sets of older versions).
   */
  readonly releaseSignatures?: readonly ReleaseSignatureRecord[];
  /**
   * The operator catalogs the set carries (mirror.operators): which image is a catalog, whether it
   * was rebuilt, its CatalogSource template and the bundles left out as incomplete, for the
   * CatalogSource/ClusterCatalog written on import. Covered by the station signature. Absent in
   * sets without catalogs (and in sets of older versions).
   */
  readonly operatorCatalogs?: readonly OperatorCatalogRecord[];
}

export const SET_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const CREATED_AT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const SHA256_HEX = /^[a-f0-9]{64}$/;
const MEDIA_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
const FINGERPRINT_PATTERN = /^[\x21-\x7e]{1,256}$/;
const MAX_TEXT = 64 * 1024;
const MAX_REPORTED_ISSUES = 12;

export function isSetId(value: string): boolean {
  return SET_ID_PATTERN.test(value);
}

/** Pretty JSON with a trailing newline: the exact bytes that get signed. */
export function serializeTransferManifest(manifest: TransferManifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
}

type Json = Record<string, unknown>;

class Issues {
  readonly list: string[] = [];
  add(path: string, why: string): void {
    this.list.push(`${path} ${why}`);
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function onlyKeys(obj: Json, path: string, allowed: readonly string[], issues: Issues): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) issues.add(path, `has an unknown field "${key}"`);
  }
}

function text(obj: Json, key: string, path: string, issues: Issues, options: { max?: number; pattern?: RegExp; optional?: boolean } = {}): string | undefined {
  const value = obj[key];
  if (value === undefined && options.optional) return undefined;
  if (typeof value !== 'string') {
    issues.add(`${path}.${key}`, value === undefined ? 'is missing' : `is not a string: ${describe(value)}`);
    return undefined;
  }
  if (value.length > (options.max ?? MAX_TEXT)) {
    issues.add(`${path}.${key}`, `is longer than ${options.max ?? MAX_TEXT} characters`);
    return undefined;
  }
  if (options.pattern && !options.pattern.test(value)) {
    issues.add(`${path}.${key}`, `is not valid: ${describe(value)}`);
    return undefined;
  }
  return value;
}

function size(obj: Json, key: string, path: string, issues: Issues, optional = false): number | undefined {
  const value = obj[key];
  if (value === undefined && optional) return undefined;
  if (!isSize(value)) {
    issues.add(`${path}.${key}`, value === undefined ? 'is missing' : `is not a non-negative integer: ${describe(value)}`);
    return undefined;
  }
  return value;
}

function digest(obj: Json, key: string, path: string, issues: Issues, optional = false): string | undefined {
  const value = obj[key];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || !isSha256Digest(value)) {
    issues.add(`${path}.${key}`, value === undefined ? 'is missing' : `is not a sha256 digest: ${describe(value)}`);
    return undefined;
  }
  return value;
}

function array(obj: Json, key: string, path: string, issues: Issues): unknown[] {
  const value = obj[key];
  if (!Array.isArray(value)) {
    issues.add(`${path}.${key}`, value === undefined ? 'is missing' : 'is not an array');
    return [];
  }
  return value;
}

function checkImage(value: unknown, path: string, issues: Issues): void {
  if (!isObject(value)) {
    issues.add(path, 'is not an object');
    return;
  }
  text(value, 'source', path, issues, { max: 4096 });
  if (value.origin !== undefined && !IMAGE_ORIGINS.includes(value.origin as ImageOrigin)) issues.add(`${path}.origin`, `is not one of ${IMAGE_ORIGINS.join(', ')}: ${describe(value.origin)}`);
  if (value.byDigest !== undefined && typeof value.byDigest !== 'boolean') issues.add(`${path}.byDigest`, 'is not a boolean');
  const status = value.status;
  if (status === 'ok') {
    onlyKeys(value, path, ['source', 'name', 'origin', 'byDigest', 'status', 'digest', 'mediaType', 'size'], issues);
    const name = text(value, 'name', path, issues, { max: 4096 });
    if (name !== undefined && !isValidRefName(name)) issues.add(`${path}.name`, `is not a valid OCI layout reference name: ${describe(name)}`);
    // Import pushes a signature under its name's tag, beside the image whose digest the tag names.
    else if (name !== undefined && value.origin === 'signature' && !attachmentOf(name)) issues.add(`${path}.name`, `is a signature but not named <repository>:sha256-<hex>.sig|.att|.sbom: ${describe(name)}`);
    digest(value, 'digest', path, issues);
    size(value, 'size', path, issues);
    const mediaType = text(value, 'mediaType', path, issues, { max: 255 });
    if (mediaType !== undefined && !isManifestMediaType(mediaType)) issues.add(`${path}.mediaType`, `is not a manifest media type: ${describe(mediaType)}`);
  } else if (status === 'failed') {
    onlyKeys(value, path, ['source', 'name', 'origin', 'byDigest', 'status', 'error', 'digest', 'mediaType', 'size'], issues);
    text(value, 'name', path, issues, { max: 4096 });
    text(value, 'error', path, issues);
    digest(value, 'digest', path, issues, true);
    size(value, 'size', path, issues, true);
    const mediaType = text(value, 'mediaType', path, issues, { max: 255, optional: true });
    if (mediaType !== undefined && !isManifestMediaType(mediaType)) issues.add(`${path}.mediaType`, `is not a manifest media type: ${describe(mediaType)}`);
  } else {
    issues.add(`${path}.status`, `is not "ok" or "failed": ${describe(status)}`);
  }
}

function checkStructure(json: unknown, issues: Issues): json is TransferManifest {
  if (!isObject(json)) {
    issues.add('transfer.json', 'is not a JSON object');
    return false;
  }
  if (json.schemaVersion !== TRANSFER_SCHEMA_VERSION) {
    issues.add('schemaVersion', `is ${describe(json.schemaVersion)}; this Airlock reads schema version ${TRANSFER_SCHEMA_VERSION} only`);
    return false;
  }
  onlyKeys(json, '(top level)', ['schemaVersion', 'setId', 'createdAt', 'tool', 'stationKeyFingerprint', 'baseSets', 'config', 'images', 'missing', 'parts', 'blobs', 'releaseSignatures', 'operatorCatalogs'], issues);
  if (json.releaseSignatures !== undefined) {
    try {
      parseSignatureRecords(json.releaseSignatures, 'transfer.json');
    } catch (err) {
      issues.add('.releaseSignatures', `is not valid: ${(err as Error).message.replace(/^transfer\.json: /, '')}`);
    }
  }
  if (json.operatorCatalogs !== undefined) {
    try {
      parseCatalogRecords(json.operatorCatalogs, 'transfer.json');
    } catch (err) {
      issues.add('.operatorCatalogs', `is not valid: ${(err as Error).message.replace(/^transfer\.json: /, '')}`);
    }
  }
  text(json, 'setId', '', issues, { pattern: SET_ID_PATTERN });
  const createdAt = text(json, 'createdAt', '', issues, { pattern: CREATED_AT_PATTERN });
  if (createdAt !== undefined && !Number.isFinite(Date.parse(createdAt))) issues.add('.createdAt', `is not a valid date: ${describe(createdAt)}`);
  if (isObject(json.tool)) {
    onlyKeys(json.tool, '.tool', ['name', 'version'], issues);
    text(json.tool, 'name', '.tool', issues, { max: 100 });
    text(json.tool, 'version', '.tool', issues, { max: 100 });
  } else {
    issues.add('.tool', 'is not an object');
  }
  text(json, 'stationKeyFingerprint', '', issues, { pattern: FINGERPRINT_PATTERN });
  if (typeof json.config !== 'string') issues.add('.config', 'is not a string');
  array(json, 'baseSets', '', issues).forEach((id, i) => {
    if (typeof id !== 'string' || !isSetId(id)) issues.add(`.baseSets[${i}]`, `is not a set id: ${describe(id)}`);
  });
  array(json, 'images', '', issues).forEach((image, i) => checkImage(image, `.images[${i}]`, issues));
  array(json, 'missing', '', issues).forEach((m, i) => {
    const path = `.missing[${i}]`;
    if (!isObject(m)) return issues.add(path, 'is not an object');
    onlyKeys(m, path, ['source', 'name', 'error'], issues);
    text(m, 'source', path, issues, { max: 4096 });
    text(m, 'name', path, issues, { max: 4096 });
    text(m, 'error', path, issues);
  });
  array(json, 'parts', '', issues).forEach((p, i) => {
    const path = `.parts[${i}]`;
    if (!isObject(p)) return issues.add(path, 'is not an object');
    onlyKeys(p, path, ['name', 'size', 'sha256'], issues);
    text(p, 'name', path, issues, { max: 64, pattern: PART_NAME_PATTERN });
    size(p, 'size', path, issues);
    text(p, 'sha256', path, issues, { max: 64, pattern: SHA256_HEX });
  });
  array(json, 'blobs', '', issues).forEach((b, i) => {
    const path = `.blobs[${i}]`;
    if (!isObject(b)) return issues.add(path, 'is not an object');
    onlyKeys(b, path, ['digest', 'size', 'part', 'offset', 'kind', 'mediaType'], issues);
    digest(b, 'digest', path, issues);
    size(b, 'size', path, issues);
    text(b, 'part', path, issues, { max: 64 });
    size(b, 'offset', path, issues);
    const kind = text(b, 'kind', path, issues, { max: 16, optional: true });
    if (kind !== undefined && !(BLOB_KINDS as readonly string[]).includes(kind)) issues.add(`${path}.kind`, `is not one of ${BLOB_KINDS.join(', ')}: ${describe(kind)}`);
    text(b, 'mediaType', path, issues, { max: 255, optional: true, pattern: MEDIA_TYPE_PATTERN });
  });
  return issues.list.length === 0;
}

/** Cross-references, once every field has the right shape. */
function checkConsistency(m: TransferManifest, issues: Issues): void {
  if (m.baseSets.includes(m.setId)) issues.add('.baseSets', `lists the set itself (${m.setId})`);
  if (new Set(m.baseSets).size !== m.baseSets.length) issues.add('.baseSets', 'lists a set more than once');

  const parts = new Map<string, TransferPart>();
  m.parts.forEach((part, i) => {
    if (part.name !== partName(i + 1)) issues.add(`.parts[${i}].name`, `is ${part.name}; parts must be numbered from ${partName(1)} without gaps, so this one is ${partName(i + 1)}`);
    if (part.size % TAR_BLOCK !== 0 || part.size < TAR_TRAILER + TAR_BLOCK) issues.add(`.parts[${i}].size`, `${part.size} is not the size of a tar archive with at least one entry`);
    parts.set(part.name, part);
  });
  if (m.parts.length === 0) issues.add('.parts', 'is empty; a set has at least one part (the one holding index.json)');

  const blobs = new Map<string, TransferBlob>();
  const byPart = new Map<string, TransferBlob[]>();
  m.blobs.forEach((blob, i) => {
    const path = `.blobs[${i}]`;
    if (blobs.has(blob.digest)) issues.add(`${path}.digest`, `${blob.digest} is listed more than once`);
    blobs.set(blob.digest, blob);
    const part = parts.get(blob.part);
    if (!part) {
      issues.add(`${path}.part`, `"${blob.part}" is not one of the parts listed`);
      return;
    }
    if (blob.offset % TAR_BLOCK !== 0 || blob.offset < TAR_BLOCK || blob.offset + blob.size + tarPadding(blob.size) > part.size - TAR_TRAILER) {
      issues.add(`${path}.offset`, `${blob.offset} (size ${blob.size}) does not lie inside ${part.name} (${part.size} bytes) on a tar block boundary`);
      return;
    }
    const list = byPart.get(part.name) ?? [];
    list.push(blob);
    byPart.set(part.name, list);
  });
  for (const [name, list] of byPart) {
    const sorted = [...list].sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1] as TransferBlob;
      const cur = sorted[i] as TransferBlob;
      if (cur.offset < prev.offset + prev.size + tarPadding(prev.size) + TAR_BLOCK) {
        issues.add('.blobs', `${cur.digest} overlaps ${prev.digest} in ${name}`);
      }
    }
  }

  const names = new Set<string>();
  m.images.forEach((image, i) => {
    const path = `.images[${i}]`;
    if (image.status !== 'ok') return;
    if (names.has(image.name)) issues.add(`${path}.name`, `"${image.name}" is used by more than one image`);
    names.add(image.name);
    const blob = blobs.get(image.digest);
    if (!blob) issues.add(`${path}.digest`, `${image.digest} is not among the blobs of the set`);
    else if (blob.size !== image.size) issues.add(`${path}.size`, `${image.size} disagrees with the blob's size ${blob.size}`);
    else if (blob.kind !== undefined && blob.kind !== 'manifest') issues.add(`${path}.digest`, `${image.digest} is listed as a ${blob.kind}, not a manifest`);
  });

  const failed = m.images.filter((image) => image.status === 'failed');
  const key = (x: { source: string; name: string }): string => `${x.source}\u0000${x.name}`;
  const failedKeys = new Set(failed.map(key));
  const missingKeys = new Set(m.missing.map(key));
  for (const image of failed) {
    if (!missingKeys.has(key(image))) issues.add('.missing', `does not list the failed image ${image.source} (${image.name})`);
  }
  for (const entry of m.missing) {
    if (!failedKeys.has(key(entry))) issues.add('.missing', `lists ${entry.source} (${entry.name}), which is not a failed image of the set`);
  }
  (m.operatorCatalogs ?? []).forEach((record, i) => {
    if (!m.images.some((image) => image.status === 'ok' && image.name === record.name && image.digest === record.digest)) {
      issues.add(`.operatorCatalogs[${i}]`, `names ${record.name}@${record.digest}, which is not an image of the set`);
    }
  });
}

/** The validation problems of a parsed transfer.json, empty when it is valid. */
export function transferManifestIssues(json: unknown): string[] {
  const issues = new Issues();
  if (checkStructure(json, issues)) checkConsistency(json, issues);
  return issues.list;
}

/**
 * Parses and strictly validates transfer.json bytes (untrusted: they come from removable media).
 * Throws TRANSFER_MANIFEST_INVALID naming every problem (up to a dozen) otherwise.
 */
export function parseTransferManifest(bytes: Uint8Array, file: string = TRANSFER_MANIFEST_FILE): TransferManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new AirlockError('TRANSFER_MANIFEST_INVALID', `${file} is not valid JSON: ${(err as Error).message}`, {
      context: { file },
      hint: 'the media is damaged or the file was edited; re-export the transfer set',
      cause: err,
    });
  }
  const issues = transferManifestIssues(json);
  if (issues.length > 0) {
    const shown = issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => issue.trim());
    const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : '';
    throw new AirlockError('TRANSFER_MANIFEST_INVALID', `${file} is not a valid transfer manifest: ${shown.join('; ')}${more}`, {
      context: { file, problems: issues.length },
      hint: 'the media is damaged, the file was edited, or it was written by an incompatible Airlock version',
    });
  }
  return json as TransferManifest;
}
