import type { ArtifactSpec, IndexPlatformSpec, LayerSpec } from '../test/fixtures/images';

/**
 * The benchmark's image set: deterministic specs for the test fixtures' image builder. The shape is
 * what a real mirror looks like: a few large base layers shared by many images, each image adding
 * its own application layers, some images made of many small layers, Docker schema2 and OCI media
 * types, stored-gzip (and optionally uncompressed) layers, and some two-platform indexes / manifest lists whose
 * arm64 children sit on their own arm64 base. Layer content is seeded random data, so nothing
 * compresses and the same scale always gives the same digests.
 */

export type Scale = 'small' | 'full';

/**
 * `gzip`: every layer is stored-gzip, as registries mostly serve them. `mixed`: the shared runtime
 * base and some application layers are uncompressed tars, which skopeo gzips when it writes an OCI
 * layout (changing those digests too, and spending CPU on it).
 */
export type LayerMode = 'gzip' | 'mixed';

export interface WorkloadImage {
  readonly repo: string;
  readonly tag: string;
  readonly spec: ArtifactSpec;
}

export interface Workload {
  readonly scale: Scale;
  readonly layers: LayerMode;
  readonly images: readonly WorkloadImage[];
  /** Passed to `airlock mirror --archive-size`, so the set is cut into several parts. */
  readonly archiveSize: string;
}

const MiB = 1024 * 1024;

interface ScaleParams {
  readonly images: number;
  /** Multiplies every large layer size (bases and application layers). */
  readonly factor: number;
  readonly archiveSize: string;
}

const SCALES: Record<Scale, ScaleParams> = {
  // About 4.0 GB of unique bytes, 40 images, 4 parts of at most 1 GiB.
  full: { images: 40, factor: 1, archiveSize: '1G' },
  // About 0.3 GB, 16 images, 3 parts.
  small: { images: 16, factor: 0.12, archiveSize: '100M' },
};

export function isScale(value: string): value is Scale {
  return value === 'small' || value === 'full';
}

export function isLayerMode(value: string): value is LayerMode {
  return value === 'gzip' || value === 'mixed';
}

function mib(size: number, factor: number): number {
  return Math.max(4096, Math.round(size * factor * MiB));
}

/** A layer shared between images: equal seed, size and compression give byte-identical blobs. */
function base(name: string, sizeMiB: number, factor: number, compression: 'gzip' | 'none'): LayerSpec {
  return { seed: `bench/base/${name}`, size: mib(sizeMiB, factor), compression };
}

/** Small layers (not scaled): config files, certificates, entrypoints. */
function smallLayers(i: number, many: boolean): number[] {
  if (!many) return [1 * MiB + i * 4099, 64 * 1024 + i * 131];
  // Twelve layers from about 200 KiB to 3 MiB: the per-blob cost matters more than bytes here.
  return Array.from({ length: 12 }, (_, k) => 200 * 1024 + ((i * 7919 + k * 104_729) % (3 * MiB)));
}

export function workload(scale: Scale, layers: LayerMode = 'gzip'): Workload {
  const { images: count, factor, archiveSize } = SCALES[scale];
  const osAmd64 = base('os-amd64', 400, factor, 'gzip');
  const osArm64 = base('os-arm64', 300, factor, 'gzip');
  const runtime = base('runtime', 200, factor, layers === 'mixed' ? 'none' : 'gzip');

  const images: WorkloadImage[] = [];
  for (let i = 0; i < count; i++) {
    const format = i % 2 === 0 ? 'docker' : 'oci';
    // Uncompressed application layers now and then (Docker's and OCI's .tar media types).
    const compression = layers === 'mixed' && i % 7 === 3 ? 'none' : 'gzip';
    // 30 to 90 MiB of the image's own, deterministic but uneven.
    const app = mib(30 + ((i * 37) % 61), factor);
    const many = i % 4 === 1;
    const stack = (osLayer: LayerSpec): Array<number | LayerSpec> => [
      osLayer,
      ...(i % 3 === 0 ? [runtime] : []),
      app,
      ...smallLayers(i, many),
    ];
    const name = `bench/${format}-${many ? 'layers' : 'app'}-${String(i).padStart(2, '0')}`;
    if (i % 5 === 2) {
      const platforms: IndexPlatformSpec[] = [
        { architecture: 'amd64', os: 'linux', layers: stack(osAmd64) },
        { architecture: 'arm64', os: 'linux', variant: 'v8', layers: [osArm64, mib(20 + ((i * 13) % 41), factor), ...smallLayers(i + 100, false)] },
      ];
      images.push({ repo: `${name}-multi`, tag: '1.0', spec: { kind: 'index', seed: `bench/${i}`, format, compression, platforms } });
    } else {
      images.push({ repo: name, tag: '1.0', spec: { seed: `bench/${i}`, format, compression, layers: stack(osAmd64) } });
    }
  }
  return { scale, layers, images, archiveSize };
}
