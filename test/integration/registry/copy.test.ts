import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { seedRegistry, type PushedImage } from '../../fixtures/images';
import { skopeoEndpointFor, skopeoInspectRawDigest } from '../../fixtures/skopeo';
import { copyImage, RegistryClient, type CopyEvent } from '../../../src/registry';

const FAST = { times: 2, delayMs: 10 };

async function digestsAt(registry: RegistryFixture, repo: string, image: PushedImage, tag: string): Promise<string[]> {
  const endpoint = skopeoEndpointFor(registry);
  const refs = [`docker://${registry.host}/${repo}:${tag}`, ...(image.children ?? []).map((c) => `docker://${registry.host}/${repo}@${c.digest}`)];
  return Promise.all(refs.map((r) => skopeoInspectRawDigest(r, endpoint)));
}

describe('copyImage', () => {
  let a: RegistryFixture;
  let b: RegistryFixture;
  let ociIndex: PushedImage;
  let dockerList: PushedImage;
  let plain: PushedImage;
  before(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry({ auth: 'htpasswd' })]);
    [ociIndex, dockerList, plain] = (await seedRegistry(a, [
      { repo: 'src/multi', tag: 'v1', spec: { kind: 'index', seed: 'copy-oci-index', format: 'oci', layers: [{ size: 300_000, seed: 'shared-base' }, 2048] } },
      { repo: 'src/list', tag: 'v1', spec: { kind: 'index', seed: 'copy-docker-list', format: 'docker' } },
      { repo: 'src/plain', tag: '1.0', spec: { seed: 'copy-plain', format: 'docker', layers: [{ size: 300_000, seed: 'shared-base' }, 1000] } },
    ])) as [PushedImage, PushedImage, PushedImage];
  });
  after(() => Promise.all([a.stop(), b.stop()]));

  it('copies an OCI index with every child and blob within one registry, mounting blobs', async () => {
    const client = new RegistryClient({ registry: a.host, tlsVerify: false, retry: FAST });
    const events: CopyEvent[] = [];
    const result = await copyImage({
      source: { client, repository: 'src/multi' },
      destination: { client, repository: 'dst/multi' },
      selector: 'v1',
      destinationTag: 'v1',
      onEvent: (e) => events.push(e),
    });
    assert.equal(result.digest, ociIndex.digest);
    assert.equal(result.manifests, 3);
    const outcomes = events.filter((e) => e.type === 'blob-done').map((e) => (e.type === 'blob-done' ? e.outcome : ''));
    assert.ok(outcomes.length > 0 && outcomes.every((o) => o === 'mounted'), `outcomes ${outcomes.join(',')}`);
    assert.deepEqual(await digestsAt(a, 'dst/multi', ociIndex, 'v1'), [ociIndex.digest, ...(ociIndex.children ?? []).map((c) => c.digest)]);
    await client.close();
  });

  it('copies a Docker manifest list and a schema2 image across two registries, keeping digests', async () => {
    const source = new RegistryClient({ registry: a.host, tlsVerify: false, retry: FAST });
    const destination = new RegistryClient({
      registry: b.host,
      tlsVerify: false,
      retry: FAST,
      credentials: { lookup: async () => ({ username: b.username ?? '', password: b.password ?? '', source: 'test' }), describe: () => 'test' },
    });
    for (const [image, repo] of [[dockerList, 'src/list'], [plain, 'src/plain']] as const) {
      const result = await copyImage({ source: { client: source, repository: repo }, destination: { client: destination, repository: `mirror/${repo}` }, selector: image.tag, destinationTag: image.tag });
      assert.equal(result.digest, image.digest);
      assert.ok(result.bytesTransferred > 0);
      assert.deepEqual(await digestsAt(b, `mirror/${repo}`, image, image.tag), [image.digest, ...(image.children ?? []).map((c) => c.digest)]);
    }
    // Copying again moves no bytes: every blob is already there.
    const again = await copyImage({ source: { client: source, repository: 'src/plain' }, destination: { client: destination, repository: 'mirror/src/plain' }, selector: '1.0', destinationTag: '1.0' });
    assert.equal(again.bytesTransferred, 0);
    await Promise.all([source.close(), destination.close()]);
  });

  it('copies by digest only, and lists tags across pages', async () => {
    const client = new RegistryClient({ registry: a.host, tlsVerify: false, retry: FAST });
    await copyImage({ source: { client, repository: 'src/plain' }, destination: { client, repository: 'paged/app' }, selector: plain.digest });
    assert.deepEqual(await client.listTags('paged/app'), []);
    for (const tag of ['a', 'b', 'c', 'd', 'e']) await client.putManifest('paged/app', tag, plain.manifestBytes, plain.mediaType);
    assert.deepEqual((await client.listTags('paged/app', { pageSize: 2 })).sort(), ['a', 'b', 'c', 'd', 'e']);
    await client.close();
  });

  it('copies one image into one repository several times at once, by tag and by digest, without a registry error', async () => {
    // Distribution rewrites link files in place; unserialized, about one copy in eight of these fails with 400 DIGEST_INVALID.
    const images = await seedRegistry(a, Array.from({ length: 6 }, (_, i) => ({ repo: `race/app${i}`, tag: 'v1', spec: { kind: 'index' as const, seed: `copy-race-${i}`, format: 'docker' as const, layers: [1000, 2000, 3000, 4000, 5000, 6000] } })));
    const source = new RegistryClient({ registry: a.host, tlsVerify: false, retry: FAST });
    const destination = new RegistryClient({ registry: b.host, tlsVerify: false, retry: { times: 0, delayMs: 10 }, credentials: { lookup: async () => ({ username: b.username ?? '', password: b.password ?? '', source: 'test' }), describe: () => 'test' } });
    for (const [i, image] of images.entries()) {
      const copy = (selector: string, tag: string): Promise<unknown> => copyImage({ source: { client: source, repository: `race/app${i}` }, destination: { client: destination, repository: `race/app${i}` }, selector, destinationTag: tag });
      const results = await Promise.allSettled([copy('v1', 'v1'), copy(image.digest, 'by-digest'), copy('v1', 'v2'), copy(image.digest, 'by-digest-again')]);
      assert.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), [], `image ${i}`);
      assert.deepEqual(await digestsAt(b, `race/app${i}`, image, 'by-digest-again'), [image.digest, ...(image.children ?? []).map((c) => c.digest)]);
    }
    await Promise.all([source.close(), destination.close()]);
  });
});
