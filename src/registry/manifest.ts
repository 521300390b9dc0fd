import { AirlockError } from '../errors';
import { isSha256Digest } from '../digest';
import { isIndexMediaType, isManifestMediaType, type ManifestMediaType } from './media-types';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly urls?: readonly string[];
}

export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
}

export interface ImageManifest {
  readonly kind: 'image';
  readonly mediaType: ManifestMediaType;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

export interface IndexManifest {
  readonly kind: 'index';
  readonly mediaType: ManifestMediaType;
  readonly manifests: readonly Descriptor[];
}

export type ParsedManifest = ImageManifest | IndexManifest;

function malformed(where: string, why: string): AirlockError {
  return new AirlockError('MANIFEST_INVALID', `manifest of ${where} is malformed: ${why}`, {
    context: { image: where },
    hint: 'the registry (or the media) returned something that is not an OCI or Docker schema2 manifest',
  });
}

function descriptor(value: unknown, where: string, field: string): Descriptor {
  if (typeof value !== 'object' || value === null) throw malformed(where, `${field} is not an object`);
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== 'string') throw malformed(where, `${field}.mediaType is missing`);
  if (typeof d.digest !== 'string' || !isSha256Digest(d.digest)) throw malformed(where, `${field}.digest is not a sha256 digest`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw malformed(where, `${field}.size is not a non-negative integer`);
  return d as unknown as Descriptor;
}

/**
 * Reads the parts of a manifest that drive a copy. Media type comes from the body when it says,
 * else from the Content-Type it was served with (Docker schema2 always says; OCI may not).
 */
export function parseManifest(bytes: Uint8Array, declaredType: string | undefined, where: string): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw malformed(where, 'it is not JSON');
  }
  if (typeof json !== 'object' || json === null) throw malformed(where, 'it is not a JSON object');
  const m = json as Record<string, unknown>;
  if (m.schemaVersion !== 2) throw malformed(where, `schemaVersion ${String(m.schemaVersion)} is not 2 (schema1 images are not supported)`);
  let mediaType = typeof m.mediaType === 'string' ? m.mediaType : declaredType;
  if (mediaType === undefined || mediaType === '' || mediaType === 'application/json') {
    mediaType = Array.isArray(m.manifests) ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json';
  }
  if (!isManifestMediaType(mediaType)) throw malformed(where, `media type "${mediaType}" is not one Airlock carries`);
  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(m.manifests)) throw malformed(where, 'an index without "manifests"');
    return {
      kind: 'index',
      mediaType,
      manifests: m.manifests.map((d, i) => descriptor(d, where, `manifests[${i}]`)),
    };
  }
  if (!Array.isArray(m.layers)) throw malformed(where, 'an image manifest without "layers"');
  return {
    kind: 'image',
    mediaType,
    config: descriptor(m.config, where, 'config'),
    layers: m.layers.map((d, i) => descriptor(d, where, `layers[${i}]`)),
  };
}

/** Every blob an image manifest references, config first, each digest once. */
export function blobsOf(manifest: ImageManifest): Descriptor[] {
  const seen = new Set<string>();
  const out: Descriptor[] = [];
  for (const d of [manifest.config, ...manifest.layers]) {
    if (seen.has(d.digest)) continue;
    seen.add(d.digest);
    out.push(d);
  }
  return out;
}
