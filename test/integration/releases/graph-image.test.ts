import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import { BlobCache } from '../../../src/cache/blob-cache';
import { isAirlockError } from '../../../src/errors';
import type { ResolvedImage } from '../../../src/plan/resolve';
import { parseReference } from '../../../src/reference';
import { RegistryClient } from '../../../src/registry/client';
import { buildGraphImage, GRAPH_IMAGE_CMD, GRAPH_IMAGE_DESTINATION } from '../../../src/releases/graph-image';
import { buildImage, buildIndex, type BuiltArtifact, type ImageManifestInfo } from '../../fixtures/images';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { skopeoCopy, skopeoEndpointFor, skopeoInspectRaw } from '../../fixtures/skopeo';

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function tarGz(entries: ReadonlyArray<{ name: string; content?: string; type?: 'directory' }>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const e of entries) {
    if (e.type === 'directory') p.entry({ name: e.name, type: 'directory', uid: 1000, gid: 1000 });
    else p.entry({ name: e.name, uid: 1000, gid: 1000, uname: 'dev' }, e.content ?? '');
  }
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

async function tarEntries(layer: Buffer): Promise<Array<{ name: string; uid: number; uname: string; content: string }>> {
  const out: Array<{ name: string; uid: number; uname: string; content: string }> = [];
  const x = extract();
  x.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      out.push({ name: header.name, uid: header.uid, uname: header.uname, content: Buffer.concat(chunks).toString('utf8') });
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    x.on('finish', () => resolve());
    x.on('error', reject);
  });
  x.end(gunzipSync(layer));
  await done;
  return out;
}

describe('graph-data image', () => {
  let work: string;
  let cache: BlobCache;
  let registry: RegistryFixture;
  let client: RegistryClient;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'airlock-graph-image-'));
    cache = new BlobCache(join(work, 'cache'));
    registry = await startRegistry();
    client = new RegistryClient({ registry: '127.0.0.1:1' });
  });

  after(async () => {
    await client.close();
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  /** Puts a built image (or index) into the cache as a pull would, and describes it as resolved. */
  async function cached(artifact: BuiltArtifact, source: string): Promise<ResolvedImage> {
    const images: ImageManifestInfo[] = artifact.kind === 'index' ? [...artifact.children] : [artifact];
    const blobPath = (d: string): string => (artifact.source.transport === 'oci' ? join(artifact.source.dir, 'blobs', 'sha256', d.slice(7)) : join(artifact.source.dir, d.slice(7)));
    const blobs = new Map<string, { digest: string; size: number; mediaType: string; kind: 'config' | 'layer' }>();
    for (const image of images) {
      await cache.put(image.config.digest, image.config.size, image.configBytes);
      blobs.set(image.config.digest, { ...image.config, kind: 'config' });
      for (const l of image.layers) {
        await cache.put(l.digest, l.size, await readFile(blobPath(l.digest)));
        blobs.set(l.digest, { digest: l.digest, size: l.size, mediaType: l.mediaType, kind: 'layer' });
      }
      await cache.put(image.digest, image.size, image.manifestBytes);
    }
    const manifests = [...images, ...(artifact.kind === 'index' ? [artifact] : [])].map((m) => ({ digest: m.digest, mediaType: m.mediaType, size: m.size, bytes: m.manifestBytes }));
    if (artifact.kind === 'index') await cache.put(artifact.digest, artifact.size, artifact.manifestBytes);
    return {
      wanted: { source: parseReference(source), destination: 'ubi9/ubi:latest', origin: 'additional' },
      source,
      destination: 'ubi9/ubi:latest',
      digest: artifact.digest,
      mediaType: artifact.mediaType,
      size: artifact.size,
      manifests,
      blobs: [...blobs.values()],
      from: { client, repository: 'ubi9/ubi', reference: source },
    };
  }

  const graphData = (): Promise<Buffer> =>
    tarGz([
      { name: 'channels/', type: 'directory' },
      { name: 'channels/stable-4.19.yaml', content: 'name: stable-4.19\nversions:\n- 4.19.0\n' },
      { name: './blocked-edges/4.19.1.yaml', content: 'to: 4.19.1\nfrom: .*\n' },
      { name: 'version', content: '1.2.0\n' },
    ]);

  it('adds the graph data as a root-owned layer with the copying CMD, and the registry takes it as is', async () => {
    const base = await cached(await buildImage({ seed: 'ubi9', format: 'docker', layers: [1024] }, join(work, 'ubi-docker')), 'registry.access.redhat.com/ubi9/ubi:latest');
    const image = await buildGraphImage({ graphData: await graphData(), base, cache, created: new Date('2026-01-02T03:04:05Z'), workDir: join(work, 'stage') });
    assert.equal(image.destination, GRAPH_IMAGE_DESTINATION);
    assert.equal(image.wanted.origin, 'release');
    const manifest = JSON.parse((await readFile(cache.path(image.digest))).toString('utf8')) as { mediaType: string; config: { digest: string }; layers: Array<{ digest: string; mediaType: string }> };
    assert.equal(manifest.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(manifest.layers.length, 2);
    assert.equal(manifest.layers[0]?.digest, base.blobs.find((b) => b.kind === 'layer')?.digest, 'base layers are kept');
    const layer = await readFile(cache.path(manifest.layers[1]?.digest ?? ''));
    const config = JSON.parse((await readFile(cache.path(manifest.config.digest))).toString('utf8')) as { created: string; config: { Cmd: string[] }; rootfs: { diff_ids: string[] } };
    assert.deepEqual(config.config.Cmd, GRAPH_IMAGE_CMD);
    assert.equal(config.created, '2026-01-02T03:04:05.000Z');
    assert.equal(config.rootfs.diff_ids[1], sha256(gunzipSync(layer)));
    const entries = await tarEntries(layer);
    assert.deepEqual(
      entries.map((e) => e.name),
      ['var/', 'var/lib/', 'var/lib/cincinnati-graph-data/', 'var/lib/cincinnati-graph-data/channels/', 'var/lib/cincinnati-graph-data/channels/stable-4.19.yaml', 'var/lib/cincinnati-graph-data/blocked-edges/4.19.1.yaml', 'var/lib/cincinnati-graph-data/version'],
    );
    assert.ok(entries.every((e) => e.uid === 0 && e.uname === 'root'));
    assert.equal(entries.find((e) => e.name.endsWith('version'))?.content, '1.2.0\n');
    // Every blob the set would carry is in the cache.
    for (const b of [...image.manifests, ...image.blobs]) assert.ok(await cache.has(b.digest, b.size), b.digest);

    // skopeo, independently, pushes it from a dir: layout; the registry checks every digest.
    const dir = join(work, 'graph-dir');
    await mkdir(dir);
    await writeFile(join(dir, 'version'), 'Directory Transport Version: 1.1\n');
    await writeFile(join(dir, 'manifest.json'), image.manifests[0]?.bytes ?? Buffer.alloc(0));
    for (const b of image.blobs) await copyFile(cache.path(b.digest), join(dir, b.digest.slice(7)));
    await skopeoCopy(`dir:${dir}`, `docker://${registry.host}/openshift/graph-image:latest`, { dest: skopeoEndpointFor(registry) });
    assert.equal(sha256(await skopeoInspectRaw(`docker://${registry.host}/openshift/graph-image:latest`, skopeoEndpointFor(registry))), image.digest);
  });

  it('on a multi-arch base takes the linux/amd64 image, OCI in, OCI out', async () => {
    const index = await buildIndex({ kind: 'index', seed: 'ubi9-multi', format: 'oci', layers: [512] }, join(work, 'ubi-oci'));
    const base = await cached(index, 'registry.access.redhat.com/ubi9/ubi:latest');
    const image = await buildGraphImage({ graphData: await graphData(), base, cache, created: new Date('2026-01-02T03:04:05Z') });
    const manifest = JSON.parse(image.manifests[0]?.bytes.toString('utf8') ?? '{}') as { mediaType: string; layers: Array<{ digest: string }> };
    assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    const amd64 = index.kind === 'index' ? index.children.find((c) => c.platform.architecture === 'amd64') : undefined;
    assert.equal(manifest.layers[0]?.digest, amd64?.layers[0]?.digest);
  });

  it('refuses a tarball that is not one, or that climbs out of its directory', async () => {
    const base = await cached(await buildImage({ seed: 'ubi9', format: 'docker', layers: [1024] }, join(work, 'ubi-docker-2')), 'registry.access.redhat.com/ubi9/ubi:latest');
    await assert.rejects(buildGraphImage({ graphData: Buffer.from('not gzip'), base, cache, created: new Date() }), (err: unknown) => isAirlockError(err, 'GRAPH_IMAGE_BUILD_FAILED'));
    await assert.rejects(
      buildGraphImage({ graphData: await tarGz([{ name: '../../etc/passwd', content: 'x' }]), base, cache, created: new Date() }),
      (err: unknown) => isAirlockError(err, 'GRAPH_IMAGE_BUILD_FAILED') && /climbs out/.test(err.message),
    );
    await assert.rejects(buildGraphImage({ graphData: await tarGz([]), base, cache, created: new Date() }), (err: unknown) => isAirlockError(err, 'GRAPH_IMAGE_BUILD_FAILED') && /no files/.test(err.message));
  });
});
