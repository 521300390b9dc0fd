// Synthetic images, an in-memory blob source, a throwaway ed25519 signer and small process helpers
// for the transfer-set tests. Everything is generated here: no registry, no network.
import { execFile } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { BlobSource, Signer, TransferImage, WriteBlob, WriteTransferSetOptions } from '../../../src/media';
import { MediaType, type ManifestMediaType } from '../../../src/registry/media-types';

export function digestOf(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export class BlobStore implements BlobSource {
  readonly blobs = new Map<string, Buffer>();
  opened = 0;

  add(data: Buffer): { digest: string; size: number } {
    const digest = digestOf(data);
    this.blobs.set(digest, data);
    return { digest, size: data.byteLength };
  }

  open(digest: string): Readable {
    const data = this.blobs.get(digest);
    if (!data) throw new Error(`no blob ${digest} in the test store`);
    this.opened++;
    // Odd-sized chunks, so nothing depends on chunks lining up with tar blocks.
    const chunks: Buffer[] = [];
    for (let i = 0; i < data.byteLength; i += 70_001) chunks.push(data.subarray(i, i + 70_001));
    return Readable.from(chunks);
  }
}

export interface SyntheticImage {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: ManifestMediaType;
  /** Every blob of the image, manifest(s) last, in shipping order. */
  readonly blobs: WriteBlob[];
}

/** An image manifest with a config and layers of the given sizes (random content). */
export function makeImage(store: BlobStore, layerSizes: readonly number[], docker = false): SyntheticImage {
  const config = store.add(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, created: '2024-01-01T00:00:00Z', nonce: randomBytes(8).toString('hex') })));
  const layers = layerSizes.map((size) => store.add(randomBytes(size)));
  const layerType = docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip';
  const mediaType = docker ? MediaType.DockerManifest : MediaType.OciManifest;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: docker ? MediaType.DockerConfig : MediaType.OciConfig, digest: config.digest, size: config.size },
      layers: layers.map((l) => ({ mediaType: layerType, digest: l.digest, size: l.size })),
    }),
  );
  const m = store.add(manifest);
  return {
    digest: m.digest,
    size: m.size,
    mediaType,
    blobs: [{ ...config, kind: 'config' }, ...layers.map((l) => ({ ...l, kind: 'layer' as const })), { ...m, kind: 'manifest' }],
  };
}

/** An OCI index over the given images (amd64, arm64, ...). */
export function makeIndex(store: BlobStore, images: readonly SyntheticImage[]): SyntheticImage {
  const archs = ['amd64', 'arm64', 'ppc64le', 's390x'];
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciIndex,
      manifests: images.map((image, i) => ({ mediaType: image.mediaType, digest: image.digest, size: image.size, platform: { architecture: archs[i % archs.length], os: 'linux' } })),
    }),
  );
  const m = store.add(index);
  return { digest: m.digest, size: m.size, mediaType: MediaType.OciIndex, blobs: [...images.flatMap((i) => i.blobs), { ...m, kind: 'manifest' }] };
}

export function okImage(image: SyntheticImage, name: string, source = `quay.example/${name}`): TransferImage {
  return { source, name, status: 'ok', digest: image.digest, mediaType: image.mediaType, size: image.size };
}

export interface TestSigner extends Signer {
  readonly publicKey: KeyObject;
  readonly publicPem: string;
}

export function testSigner(): TestSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(12);
  return {
    publicKey,
    publicPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: `SHA256:${createHash('sha256').update(raw).digest('base64').replace(/=+$/, '')}`,
    sign: (data: Buffer) => sign(null, data, privateKey),
  };
}

/** A fresh directory removed when the test ends. */
export async function tempDir(t: { after(fn: () => Promise<void>): void }, prefix: string): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), `airlock-media-${prefix}-`));
  t.after(() => rm(path, { recursive: true, force: true }));
  return path;
}

export function run(command: string, args: readonly string[], cwd?: string, env?: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: env ?? process.env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`, { cause: error }));
      else resolve({ stdout, stderr });
    });
  });
}

/** A dedup'd, ordered blob list for a set of images (shared blobs once). */
export function blobsOf(images: readonly SyntheticImage[]): WriteBlob[] {
  const seen = new Set<string>();
  return images.flatMap((i) => i.blobs).filter((b) => !seen.has(b.digest) && seen.add(b.digest));
}

export type BaseOptions = Omit<WriteTransferSetOptions, 'dir'>;

/** Options for a set of three images (one OCI image, one Docker image, one OCI index over two images). */
export function sampleSet(overrides: Partial<Omit<BaseOptions, 'signer'>> = {}): BaseOptions & { store: BlobStore; signer: TestSigner; images3: SyntheticImage[] } {
  const store = new BlobStore();
  const a = makeImage(store, [40_000, 130_000, 3]);
  const b = makeImage(store, [64_000, 0], true);
  const c = makeIndex(store, [makeImage(store, [20_000]), makeImage(store, [25_000, 1])]);
  const signer = testSigner();
  const images: TransferImage[] = [
    okImage(a, 'ubi9/ubi:latest'),
    okImage(b, 'openshift/release:4.19.0-x86_64'),
    okImage(c, 'multi/arch@sha256:' + c.digest.slice(7)),
    { source: 'quay.example/gone:1', name: 'gone:1', status: 'failed', error: 'manifest unknown' },
  ];
  return {
    store,
    signer,
    images3: [a, b, c],
    setId: 'set-0001',
    createdAt: new Date('2025-06-01T12:00:00Z'),
    toolVersion: '0.1.0',
    configText: 'kind: ImageSetConfiguration\napiVersion: mirror.openshift.io/v2alpha1\n',
    baseSets: [],
    images,
    blobs: blobsOf([a, b, c]),
    source: store,
    archiveSize: 10 * 1024 * 1024,
    useWorkers: true,
    ...overrides,
  };
}
