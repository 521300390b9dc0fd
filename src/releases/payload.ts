import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import { parse as parseYaml } from 'yaml';
import type { Architecture } from '../config/types';
import type { WantedImage } from '../collect/additional';
import { AirlockError, describeError, isAirlockError } from '../errors';
import type { FailedImage, PullSources } from '../plan/resolve';
import { formatReference, parseReference, type ImageReference } from '../reference';
import { parseManifest, type Descriptor, type ImageManifest } from '../registry/manifest';
import { architectureNames, releaseTag, RELEASE_COMPONENTS_REPOSITORY, RELEASE_IMAGES_REPOSITORY } from './arch';

/**
 * A release payload and what it pulls in. The payload image carries the list of its component
 * images in `release-manifests/image-references`, an ImageStream whose `spec.tags[].from.name` are
 * the components by digest (about 190 per release); `release-manifests/0000_50_installer_coreos-bootimages.yaml`
 * names the KubeVirt CoreOS container for `kubeVirtContainer: true`. Both are read by streaming the
 * payload's layers (last first, where they live) through gunzip and tar, keeping only those two
 * files, and are trusted only once the layer's digest has been checked at its end.
 *
 * Destinations follow oc-mirror, so install configs and mirror sets written for it keep working:
 * `openshift/release-images:<version>-<arch>` for the payload, `openshift/release:<version>-<arch>-<component>`
 * for each component, `openshift/release:<version>-<arch>-kube-virt-container` for KubeVirt.
 */

export const IMAGE_REFERENCES_PATH = 'release-manifests/image-references';
export const BOOT_IMAGES_PATH = 'release-manifests/0000_50_installer_coreos-bootimages.yaml';
/** oc-mirror's component name for the KubeVirt CoreOS container. */
export const KUBEVIRT_COMPONENT = 'kube-virt-container';
/** image-references is a few hundred KB; refuse to hold more than this of one file in memory. */
export const MAX_MANIFEST_FILE_BYTES = 16 * 1024 * 1024;

/** A release the selection chose (a SelectedRelease is one). */
export interface ReleaseRef {
  readonly version: string;
  readonly arch: Architecture;
  /** The payload by digest, e.g. quay.io/openshift-release-dev/ocp-release@sha256:... */
  readonly payload: string;
}

export interface ReleaseComponent {
  /** The tag name in image-references, e.g. `etcd`. */
  readonly name: string;
  readonly reference: ImageReference & { readonly digest: string };
}

export interface ReleaseManifests {
  /** metadata.name of the ImageStream: the version the payload says it is. */
  readonly name: string;
  readonly components: readonly ReleaseComponent[];
  /** The KubeVirt container for the architecture, when asked for and present. */
  readonly kubeVirt?: ImageReference & { readonly digest: string };
}

export type ReleaseImageKind = 'payload' | 'component' | 'kubevirt';

/** A WantedImage of a release, with what it belongs to, for errors and plans. */
export interface ReleaseWantedImage extends WantedImage {
  readonly origin: 'release';
  /** Always by digest: goes into the IDMS (`idms-release-0`). */
  readonly byDigest: true;
  readonly kind: ReleaseImageKind;
  readonly release: { readonly version: string; readonly arch: Architecture };
  /** The image-references tag name for components; `kube-virt-container` for KubeVirt. */
  readonly component?: string;
}

function where(release: ReleaseRef): string {
  return `release ${release.version} (${release.arch}, ${release.payload})`;
}

function payloadError(release: ReleaseRef, why: string, hint?: string, cause?: unknown): AirlockError {
  return new AirlockError('RELEASE_PAYLOAD_INVALID', `${where(release)}: ${why}`, {
    context: { image: release.payload, release: release.version, arch: release.arch },
    hint: hint ?? 'the payload is not an OpenShift release image; check the update graph and the registry it is pulled from',
    ...(cause === undefined ? {} : { cause }),
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const TAG = /^[\w][\w.-]{0,127}$/;

/** Reads image-references (JSON, or YAML as some tools write it). Throws RELEASE_PAYLOAD_INVALID. */
export function parseImageReferences(text: string, release: ReleaseRef): ReleaseManifests {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 0 });
  } catch (err) {
    throw payloadError(release, `${IMAGE_REFERENCES_PATH} is neither JSON nor YAML: ${describeError(err)}`, undefined, err);
  }
  if (!isObject(doc)) throw payloadError(release, `${IMAGE_REFERENCES_PATH} is not an object`);
  if (doc.kind !== 'ImageStream') throw payloadError(release, `${IMAGE_REFERENCES_PATH} is a ${JSON.stringify(doc.kind)}, not an ImageStream`);
  const name = isObject(doc.metadata) && typeof doc.metadata.name === 'string' ? doc.metadata.name : '';
  const spec = doc.spec;
  if (!isObject(spec) || !Array.isArray(spec.tags)) throw payloadError(release, `${IMAGE_REFERENCES_PATH} has no spec.tags list`);
  const components: ReleaseComponent[] = [];
  const seen = new Set<string>();
  spec.tags.forEach((tag, i) => {
    const path = `spec.tags[${i}]`;
    if (!isObject(tag) || typeof tag.name !== 'string') throw payloadError(release, `${IMAGE_REFERENCES_PATH} ${path} has no name`);
    const component = tag.name;
    if (!TAG.test(component)) throw payloadError(release, `${IMAGE_REFERENCES_PATH} ${path} name ${JSON.stringify(component)} is not a valid tag`);
    if (seen.has(component)) throw payloadError(release, `${IMAGE_REFERENCES_PATH} lists component ${component} twice`);
    seen.add(component);
    const from = tag.from;
    if (!isObject(from) || typeof from.name !== 'string') throw payloadError(release, `${IMAGE_REFERENCES_PATH} component ${component} has no from.name`);
    if (from.kind !== undefined && from.kind !== 'DockerImage') throw payloadError(release, `${IMAGE_REFERENCES_PATH} component ${component} is from a ${String(from.kind)}, not a DockerImage`);
    let reference: ImageReference;
    try {
      reference = parseReference(from.name, { requireRegistry: true });
    } catch (err) {
      throw payloadError(release, `component ${component} names ${JSON.stringify(from.name)}, which is not an image reference`, undefined, err);
    }
    if (reference.digest === undefined || !reference.digest.startsWith('sha256:')) {
      throw payloadError(release, `component ${component} is ${from.name}, not named by sha256 digest`, 'release components are always pinned by digest; this payload cannot be mirrored faithfully');
    }
    components.push({ name: component, reference: reference as ImageReference & { digest: string } });
  });
  if (components.length === 0) throw payloadError(release, `${IMAGE_REFERENCES_PATH} lists no component images`);
  return { name, components };
}

/**
 * The KubeVirt container of `coreosArch` in the coreos-bootimages ConfigMap (its data.stream is the
 * CoreOS stream metadata JSON: architectures.<arch>.images.kubevirt.digest-ref), or undefined.
 */
export function parseBootImagesKubeVirt(text: string, coreosArch: string): string | undefined {
  let stream: unknown;
  try {
    const doc = parseYaml(text, { maxAliasCount: 0 }) as unknown;
    if (!isObject(doc) || !isObject(doc.data) || typeof doc.data.stream !== 'string') return undefined;
    stream = JSON.parse(doc.data.stream);
  } catch {
    return undefined;
  }
  if (!isObject(stream) || !isObject(stream.architectures)) return undefined;
  const arch = stream.architectures[coreosArch];
  if (!isObject(arch) || !isObject(arch.images) || !isObject(arch.images.kubevirt)) return undefined;
  const ref = arch.images.kubevirt['digest-ref'];
  return typeof ref === 'string' && ref !== '' ? ref : undefined;
}

function normaliseEntryName(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

interface LayerScan {
  readonly files: Map<string, Buffer>;
  /** Files a whiteout in this layer deleted (or the directory was made opaque). */
  readonly hidden: Set<string>;
}

/**
 * Streams one layer blob through gunzip and tar, keeping only `wanted` files. Resolves only after
 * the whole blob was read, so the digest check of openBlob has passed for what it returns.
 */
async function scanLayer(blob: Readable, layer: Descriptor, wanted: ReadonlySet<string>, release: ReleaseRef, signal?: AbortSignal): Promise<LayerScan> {
  const files = new Map<string, Buffer>();
  const hidden = new Set<string>();
  const tar = tarExtract();
  tar.on('entry', (header, stream, next) => {
    const name = normaliseEntryName(header.name);
    const slash = name.lastIndexOf('/');
    const dir = slash < 0 ? '' : name.slice(0, slash);
    const base = name.slice(slash + 1);
    if (base === '.wh..wh..opq') {
      for (const w of wanted) if (w.startsWith(`${dir}/`)) hidden.add(w);
    } else if (base.startsWith('.wh.')) {
      const target = `${dir ? `${dir}/` : ''}${base.slice(4)}`;
      if (wanted.has(target)) hidden.add(target);
    }
    const keep = header.type === 'file' && wanted.has(name);
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (data: unknown) => {
      if (!keep) return;
      const chunk = data as Buffer;
      size += chunk.length;
      if (size > MAX_MANIFEST_FILE_BYTES) {
        stream.destroy(payloadError(release, `${name} in layer ${layer.digest} is larger than ${MAX_MANIFEST_FILE_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (keep) files.set(name, Buffer.concat(chunks));
      next();
    });
    stream.on('error', (err: Error) => next(err));
  });
  const compression = layer.mediaType.includes('zstd') ? 'zstd' : layer.mediaType.includes('gzip') ? 'gzip' : 'none';
  if (compression === 'zstd') {
    blob.destroy();
    throw payloadError(release, `layer ${layer.digest} is zstd-compressed (${layer.mediaType}), which Airlock cannot read yet`);
  }
  try {
    // tar-stream's extract is the writable end: every entry is drained by the handler above.
    const sink = tar as unknown as Writable;
    const opts = signal ? { signal } : {};
    await (compression === 'gzip' ? pipeline(blob, createGunzip(), sink, opts) : pipeline(blob, sink, opts));
  } catch (err) {
    if (isAirlockError(err) || signal?.aborted) throw err;
    throw payloadError(release, `layer ${layer.digest} is not a readable ${compression === 'gzip' ? 'gzip ' : ''}tar archive: ${describeError(err)}`, undefined, err);
  }
  return { files, hidden };
}

export interface ReadReleaseOptions {
  readonly signal?: AbortSignal;
  /** Also look for the coreos-bootimages ConfigMap (kubeVirtContainer: true). */
  readonly kubeVirtContainer?: boolean;
}

/** The image manifest whose layers hold the release manifests: for a multi payload, its amd64 instance. */
function pickInstance(manifests: readonly Descriptor[], oci: string): Descriptor | undefined {
  return manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === oci) ?? manifests.find((m) => m.platform?.os === 'linux') ?? manifests[0];
}

/**
 * Reads image-references (and the boot images ConfigMap when asked) out of a release payload,
 * trying the payload's pull sources (registries.conf mirrors first) in order. Throws
 * RELEASE_PAYLOAD_INVALID or the registry's error, always naming the release.
 */
export async function readReleaseManifests(release: ReleaseRef, sources: PullSources, options: ReadReleaseOptions = {}): Promise<ReleaseManifests> {
  const { signal } = options;
  const ref = parseReference(release.payload, { requireRegistry: true });
  if (ref.digest === undefined) throw payloadError(release, 'the payload is not named by digest');
  let lastError: unknown;
  for (const { client, reference } of sources(ref)) {
    const image = formatReference(reference);
    try {
      const top = await client.getManifest(reference.repository, ref.digest, signal);
      let parsed = parseManifest(top.bytes, top.mediaType, image);
      if (parsed.kind === 'index') {
        const child = pickInstance(parsed.manifests, architectureNames(release.arch).oci);
        if (!child) throw payloadError(release, 'the payload is an empty manifest list');
        const fetched = await client.getManifest(reference.repository, child.digest, signal);
        parsed = parseManifest(fetched.bytes, fetched.mediaType, image);
        if (parsed.kind === 'index') throw payloadError(release, 'the payload nests manifest lists');
      }
      return await readFromLayers(release, parsed, (layer) => client.openBlob(reference.repository, layer.digest, { size: layer.size, image, ...(signal ? { signal } : {}) }), options);
    } catch (err) {
      if (signal?.aborted) throw err;
      // A payload that is there but wrong is wrong everywhere: do not mask it with a mirror's 404.
      if (isAirlockError(err, 'RELEASE_PAYLOAD_INVALID')) throw err;
      lastError = err;
    }
  }
  throw new AirlockError('RELEASE_PAYLOAD_UNAVAILABLE', `${where(release)}: cannot read the payload: ${describeError(lastError)}`, {
    context: { image: release.payload, release: release.version, arch: release.arch },
    hint: isAirlockError(lastError) ? (lastError.hint ?? 'check the registry and registries.conf mirrors') : 'check the registry and registries.conf mirrors',
    cause: lastError,
  });
}

async function readFromLayers(release: ReleaseRef, manifest: ImageManifest, open: (layer: Descriptor) => Readable, options: ReadReleaseOptions): Promise<ReleaseManifests> {
  const wanted = new Set([IMAGE_REFERENCES_PATH, ...(options.kubeVirtContainer ? [BOOT_IMAGES_PATH] : [])]);
  const found = new Map<string, Buffer>();
  const gone = new Set<string>();
  // The manifests sit in the last layers; lower layers are the base OS, read only if still needed.
  for (const layer of [...manifest.layers].reverse()) {
    const missing = new Set([...wanted].filter((w) => !found.has(w) && !gone.has(w)));
    if (missing.size === 0) break;
    if (layer.urls && layer.urls.length > 0) continue;
    const scan = await scanLayer(open(layer), layer, missing, release, options.signal);
    for (const [name, data] of scan.files) found.set(name, data);
    for (const name of scan.hidden) if (!scan.files.has(name)) gone.add(name);
  }
  const references = found.get(IMAGE_REFERENCES_PATH);
  if (!references) throw payloadError(release, `the payload has no ${IMAGE_REFERENCES_PATH}`);
  const manifests = parseImageReferences(references.toString('utf8'), release);
  if (!options.kubeVirtContainer) return manifests;
  const boot = found.get(BOOT_IMAGES_PATH);
  const kubeVirt = boot ? parseBootImagesKubeVirt(boot.toString('utf8'), architectureNames(release.arch).coreos) : undefined;
  if (kubeVirt === undefined) return manifests;
  let reference: ImageReference;
  try {
    reference = parseReference(kubeVirt, { requireRegistry: true });
  } catch {
    return manifests;
  }
  if (reference.digest === undefined) return manifests;
  return { ...manifests, kubeVirt: reference as ImageReference & { digest: string } };
}

/** The images one release contributes: payload, components, KubeVirt (when present), by digest. */
export function releaseWantedImages(release: ReleaseRef, manifests: ReleaseManifests): ReleaseWantedImage[] {
  const tag = releaseTag(release.version, release.arch);
  const ref = parseReference(release.payload, { requireRegistry: true });
  const base = { origin: 'release' as const, byDigest: true as const, release: { version: release.version, arch: release.arch } };
  const images: ReleaseWantedImage[] = [{ ...base, kind: 'payload', source: ref, destination: `${RELEASE_IMAGES_REPOSITORY}:${tag}` }];
  for (const c of manifests.components) {
    images.push({ ...base, kind: 'component', component: c.name, source: c.reference, destination: `${RELEASE_COMPONENTS_REPOSITORY}:${componentTag(tag, c.name, release)}` });
  }
  if (manifests.kubeVirt) {
    images.push({ ...base, kind: 'kubevirt', component: KUBEVIRT_COMPONENT, source: manifests.kubeVirt, destination: `${RELEASE_COMPONENTS_REPOSITORY}:${componentTag(tag, KUBEVIRT_COMPONENT, release)}` });
  }
  return images;
}

function componentTag(tag: string, component: string, release: ReleaseRef): string {
  const full = `${tag}-${component}`;
  if (!TAG.test(full)) throw payloadError(release, `component ${component} would be tagged ${full}, which is longer than a tag may be (128)`);
  return full;
}

export interface CollectedPayload {
  readonly release: ReleaseRef;
  readonly manifests: ReleaseManifests;
  readonly images: readonly ReleaseWantedImage[];
  readonly warnings: readonly string[];
}

/** Reads a payload and lists its images; a payload that says it is another version only warns. */
export async function collectReleasePayload(release: ReleaseRef, sources: PullSources, options: ReadReleaseOptions = {}): Promise<CollectedPayload> {
  const manifests = await readReleaseManifests(release, sources, options);
  const warnings: string[] = [];
  if (manifests.name !== '' && manifests.name !== release.version) {
    warnings.push(`${where(release)}: its image-references names version ${manifests.name}`);
  }
  if (options.kubeVirtContainer && !manifests.kubeVirt) {
    // oc-mirror reports this and goes on: the release is still complete without it.
    warnings.push(`${where(release)}: kubeVirtContainer is set but the payload names no KubeVirt container for ${architectureNames(release.arch).coreos}`);
  }
  return { release, manifests, images: releaseWantedImages(release, manifests), warnings };
}

export function isReleaseWanted(image: WantedImage): image is ReleaseWantedImage {
  const r = image as Partial<ReleaseWantedImage>;
  return image.origin === 'release' && typeof r.kind === 'string' && typeof r.release?.version === 'string';
}

/**
 * Release images are critical, as in oc-mirror: one that could not be resolved or pulled stops
 * the export before anything is written. Returns that error (naming release and component) for
 * the failures among `failed`, or undefined when every release image made it.
 */
export function releaseFailure(failed: readonly FailedImage[]): AirlockError | undefined {
  const releaseFailed = failed.filter((f) => f.wanted.origin === 'release');
  const first = releaseFailed[0];
  if (!first) return undefined;
  const name = (f: FailedImage): string => {
    const w = f.wanted;
    if (!isReleaseWanted(w)) return f.source;
    const what = w.kind === 'payload' ? 'payload' : `component ${w.component ?? '?'}`;
    return `release ${w.release.version} (${w.release.arch}) ${what} ${f.source}`;
  };
  const shown = releaseFailed.slice(0, 5).map((f) => `  ${name(f)}: ${f.error.message}`);
  const more = releaseFailed.length > 5 ? `\n  ... and ${releaseFailed.length - 5} more` : '';
  const w = first.wanted;
  return new AirlockError('RELEASE_INCOMPLETE', `${releaseFailed.length} release image(s) could not be mirrored; a release is carried whole or not at all, so nothing was written:\n${shown.join('\n')}${more}`, {
    context: {
      image: first.source,
      ...(isReleaseWanted(w) ? { release: w.release.version, arch: w.release.arch, ...(w.component ? { component: w.component } : {}) } : {}),
      failed: releaseFailed.length,
    },
    hint: first.error.hint ?? 'check the registry (and registries.conf mirrors) the release images are pulled from',
    cause: first.error,
  });
}
