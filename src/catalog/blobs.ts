import { parse as parseYaml } from 'yaml';
import { AirlockError } from '../errors';
import { splitJsonValues, splitYamlDocuments } from './json-stream';
import {
  PROPERTY_GVK,
  PROPERTY_GVK_REQUIRED,
  PROPERTY_PACKAGE,
  PROPERTY_PACKAGE_REQUIRED,
  type ChannelEntry,
  type FbcBundle,
  type FbcChannel,
  type Gvk,
  type PackageRequirement,
  type RelatedImage,
} from './types';

/**
 * Decoding one FBC file into its blobs (`{schema, package, name, ...}` objects), and reading the
 * few fields Airlock needs out of the `olm.package`, `olm.channel` and `olm.bundle` blobs.
 */

export type JsonObject = Record<string, unknown>;

export interface DecodedBlob {
  readonly value: JsonObject;
  /** The blob's bytes exactly as they are in a JSON file (undefined for YAML). */
  readonly raw?: Buffer;
}

export type FbcFileKind = 'json' | 'yaml';

/** opm reads every file; Airlock reads the FBC formats: `*.json`, `*.yaml`, `*.yml`. */
export function fbcFileKind(path: string): FbcFileKind | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return undefined;
}

function invalid(where: string, why: string): AirlockError {
  return new AirlockError('CATALOG_FBC_INVALID', `${where} is not a valid file-based catalog file: ${why}`, {
    context: { file: where },
    hint: 'the catalog image is damaged or not an FBC catalog; `opm validate` on it would say the same',
  });
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The blobs of one file, one at a time. Throws CATALOG_FBC_INVALID for malformed content. */
export async function* decodeFbcFile(source: AsyncIterable<Buffer | Uint8Array | string>, where: string, kind: FbcFileKind): AsyncGenerator<DecodedBlob> {
  if (kind === 'json') {
    let index = 0;
    for await (const raw of splitJsonValues(source, where)) {
      let value: unknown;
      try {
        value = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        throw invalid(where, `value ${index + 1} is not JSON: ${(err as Error).message}`);
      }
      if (!isObject(value)) throw invalid(where, `value ${index + 1} is not a JSON object`);
      index++;
      yield { value, raw };
    }
    return;
  }
  let index = 0;
  for await (const text of splitYamlDocuments(source, where)) {
    let value: unknown;
    try {
      value = parseYaml(text, { maxAliasCount: 100 });
    } catch (err) {
      throw invalid(where, `YAML document ${index + 1} does not parse: ${(err as Error).message}`);
    }
    index++;
    if (value === null || value === undefined) continue;
    if (!isObject(value)) throw invalid(where, `YAML document ${index} is not a mapping`);
    yield { value };
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `schema`, `package` and `name` of any blob (strings or undefined). */
export function blobKey(blob: JsonObject): { schema?: string; package?: string; name?: string } {
  const schema = str(blob.schema);
  const pkg = str(blob.package);
  const name = str(blob.name);
  return { ...(schema === undefined ? {} : { schema }), ...(pkg === undefined ? {} : { package: pkg }), ...(name === undefined ? {} : { name }) };
}

export function readPackageBlob(blob: JsonObject, where: string): { name: string; defaultChannel?: string } {
  const name = str(blob.name);
  if (name === undefined) throw invalid(where, 'an olm.package blob has no name');
  const defaultChannel = str(blob.defaultChannel);
  return { name, ...(defaultChannel === undefined ? {} : { defaultChannel }) };
}

export function readChannelBlob(blob: JsonObject, where: string): FbcChannel {
  const name = str(blob.name);
  const pkg = str(blob.package);
  if (name === undefined || pkg === undefined) throw invalid(where, `an olm.channel blob lacks ${name === undefined ? 'name' : 'package'}`);
  const entries: ChannelEntry[] = [];
  const list = Array.isArray(blob.entries) ? blob.entries : [];
  for (const e of list) {
    if (!isObject(e) || str(e.name) === undefined) throw invalid(where, `channel ${pkg}/${name} has an entry without a name`);
    const replaces = str(e.replaces);
    const skips = Array.isArray(e.skips) ? e.skips.filter((s): s is string => typeof s === 'string' && s !== '') : [];
    const skipRange = str(e.skipRange);
    entries.push({
      name: e.name as string,
      ...(replaces === undefined ? {} : { replaces }),
      ...(skips.length === 0 ? {} : { skips }),
      ...(skipRange === undefined ? {} : { skipRange }),
    });
  }
  return { package: pkg, name, entries };
}

function gvkOf(value: unknown): Gvk | undefined {
  if (!isObject(value)) return undefined;
  const group = typeof value.group === 'string' ? value.group : undefined;
  const version = str(value.version);
  const kind = str(value.kind);
  if (group === undefined || version === undefined || kind === undefined) return undefined;
  return { group, version, kind };
}

/** The light form of an `olm.bundle` blob; `warn` hears about properties it had to ignore. */
export function readBundleBlob(blob: JsonObject, where: string, warn: (message: string) => void): FbcBundle {
  const name = str(blob.name);
  const pkg = str(blob.package);
  if (name === undefined || pkg === undefined) throw invalid(where, `an olm.bundle blob lacks ${name === undefined ? 'name' : 'package'}`);
  let version: string | undefined;
  const providedGvks: Gvk[] = [];
  const requiredPackages: PackageRequirement[] = [];
  const requiredGvks: Gvk[] = [];
  for (const p of Array.isArray(blob.properties) ? blob.properties : []) {
    if (!isObject(p)) continue;
    const value = p.value;
    switch (p.type) {
      case PROPERTY_PACKAGE:
        if (isObject(value) && typeof value.version === 'string') version = value.version;
        break;
      case PROPERTY_GVK: {
        const gvk = gvkOf(value);
        if (gvk) providedGvks.push(gvk);
        break;
      }
      case PROPERTY_GVK_REQUIRED: {
        const gvk = gvkOf(value);
        if (gvk) requiredGvks.push(gvk);
        else warn(`bundle ${name}: an ${PROPERTY_GVK_REQUIRED} property is incomplete and was ignored`);
        break;
      }
      case PROPERTY_PACKAGE_REQUIRED:
        if (isObject(value) && str(value.packageName) !== undefined) {
          requiredPackages.push({ packageName: value.packageName as string, versionRange: typeof value.versionRange === 'string' ? value.versionRange : '' });
        } else {
          warn(`bundle ${name}: an ${PROPERTY_PACKAGE_REQUIRED} property has no packageName and was ignored`);
        }
        break;
      default:
        break;
    }
  }
  const relatedImages: RelatedImage[] = [];
  for (const r of Array.isArray(blob.relatedImages) ? blob.relatedImages : []) {
    if (!isObject(r)) continue;
    const image = str(r.image);
    if (image === undefined) continue;
    const imageName = str(r.name);
    relatedImages.push({ image, ...(imageName === undefined ? {} : { name: imageName }) });
  }
  return {
    package: pkg,
    name,
    image: str(blob.image) ?? '',
    ...(version === undefined ? {} : { version }),
    relatedImages,
    providedGvks,
    requiredPackages,
    requiredGvks,
  };
}
