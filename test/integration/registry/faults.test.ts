import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../../src/digest';
import { createHash } from 'node:crypto';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { startFaultProxy, type FaultProxy } from '../../fixtures/fault-proxy';
import { seedRegistry, type PushedImage } from '../../fixtures/images';
import { copyImage, RegistryClient } from '../../../src/registry';
import { isAirlockError } from '../../../src/errors';

const LAYER = 2 * 1024 * 1024;

async function drain(stream: AsyncIterable<Buffer>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

describe('faults between client and registry', () => {
  let registry: RegistryFixture;
  let proxy: FaultProxy;
  let image: PushedImage;
  let layer: { digest: string; size: number };
  let sleeps: number[];
  const client = (times = 2): RegistryClient =>
    new RegistryClient({
      registry: proxy.host,
      tlsVerify: false,
      retry: { times, delayMs: 5 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

  before(async () => {
    registry = await startRegistry();
    [image] = (await seedRegistry(registry, [{ repo: 'flaky/app', tag: 'v1', spec: { seed: 'faults', format: 'oci', layers: [{ size: LAYER, compression: 'none' }] } }])) as [PushedImage];
    const big = image.blobs.reduce((m, b) => (b.size > m.size ? b : m));
    layer = { digest: big.digest, size: big.size };
    proxy = await startFaultProxy(registry.url);
  });
  after(async () => {
    await proxy.stop();
    await registry.stop();
  });
  beforeEach(() => {
    proxy.clearFaults();
    proxy.clearRequests();
    sleeps = [];
  });

  it('catches a flipped byte as a digest mismatch naming the blob', async () => {
    proxy.flipByteInBlob(layer.digest, 12345, 10);
    const c = client();
    await assert.rejects(drain(c.openBlob('flaky/app', layer.digest, { size: layer.size, image: 'flaky/app:v1' })), (err: unknown) => {
      assert.ok(isAirlockError(err, 'DIGEST_MISMATCH'));
      assert.equal(err.context.blob, layer.digest);
      assert.equal(err.context.expected, layer.digest);
      assert.notEqual(err.context.actual, layer.digest);
      assert.match(err.message, new RegExp(`${layer.digest}.*expected ${layer.digest}, got sha256:`));
      return true;
    });
    await c.close();
  });

  it('unchecked, hands over the bytes as they come (a flipped byte too) but still checks the size', async () => {
    proxy.flipByteInBlob(layer.digest, 12345, 10);
    const c = client();
    const chunks: Buffer[] = [];
    for await (const chunk of c.openBlob('flaky/app', layer.digest, { size: layer.size, unchecked: true })) chunks.push(chunk as Buffer);
    const got = Buffer.concat(chunks);
    assert.equal(got.length, layer.size);
    assert.notEqual(sha256Digest(got), layer.digest);
    await assert.rejects(drain(c.openBlob('flaky/app', layer.digest, { size: layer.size - 1, unchecked: true })), (err: unknown) => isAirlockError(err, 'SIZE_MISMATCH'));
    await c.close();
  });

  it('fails a copy on a corrupted blob without writing the bad blob to the destination', async () => {
    proxy.flipByteInBlob(layer.digest, 1, 10);
    // Source through the proxy, destination straight to the registry: two hosts, so no mount.
    const c = client();
    const direct = new RegistryClient({ registry: registry.host, tlsVerify: false, retry: { times: 0, delayMs: 1 } });
    await assert.rejects(copyImage({ source: { client: c, repository: 'flaky/app' }, destination: { client: direct, repository: 'flaky/copy' }, selector: 'v1', destinationTag: 'v1' }), /does not match its digest/);
    assert.equal(await direct.headBlob('flaky/copy', layer.digest), undefined);
    assert.equal(await direct.headManifest('flaky/copy', 'v1'), undefined);
    await Promise.all([c.close(), direct.close()]);
  });

  it('retries injected 503s with backoff', async () => {
    proxy.failNext(2, 503, '/manifests/');
    const c = client();
    assert.equal((await c.getManifest('flaky/app', 'v1')).digest, image.digest);
    assert.deepEqual(proxy.requests.filter((r) => r.path.includes('/manifests/')).map((r) => r.status), [503, 503, 200]);
    assert.deepEqual(sleeps, [5, 10]);
    await c.close();
  });

  it('honours Retry-After on 429', async () => {
    proxy.failNext(1, 429, '/manifests/', { retryAfter: 2 });
    const c = client();
    await c.getManifest('flaky/app', 'v1');
    assert.deepEqual(sleeps, [2000]);
    await c.close();
  });

  it('gives up after --retry-times with the status and registry named', async () => {
    proxy.failNext(5, 503, '/manifests/');
    const c = client(2);
    await assert.rejects(c.getManifest('flaky/app', 'v1'), (err: unknown) => {
      assert.ok(isAirlockError(err, 'REGISTRY_HTTP'));
      assert.equal(err.context.status, 503);
      assert.match(err.message, new RegExp(`GET manifest ${proxy.host}/flaky/app:v1 on ${proxy.host} failed with HTTP 503`));
      return true;
    });
    assert.equal(proxy.requests.filter((r) => r.path.includes('/manifests/')).length, 3);
    await c.close();
  });

  it('resumes a blob with Range after the connection drops mid-way', async () => {
    proxy.resetAfter(700_000, '/blobs/', 2);
    const c = client();
    assert.equal(await drain(c.openBlob('flaky/app', layer.digest, { size: layer.size })), layer.digest);
    const gets = proxy.requests.filter((r) => r.method === 'GET' && r.path.includes(layer.digest));
    assert.equal(gets.length, 3);
    assert.equal(gets[0]?.range, undefined);
    assert.match(gets[1]?.range ?? '', /^bytes=\d+-$/);
    assert.ok(Number(/\d+/.exec(gets[2]?.range ?? '')?.[0]) > Number(/\d+/.exec(gets[1]?.range ?? '')?.[0]));
    await c.close();
  });

  it('resumes during a copy and keeps the digest', async () => {
    proxy.resetAfter(1_000_000, (r) => r.method === 'GET' && r.path.includes(layer.digest), 1);
    const c = client();
    const direct = new RegistryClient({ registry: registry.host, tlsVerify: false });
    const result = await copyImage({ source: { client: c, repository: 'flaky/app' }, destination: { client: direct, repository: 'flaky/resumed' }, selector: 'v1', destinationTag: 'v1' });
    assert.equal(result.digest, image.digest);
    assert.equal(result.bytesTransferred, image.blobs.reduce((n, b) => n + b.size, 0));
    assert.ok(proxy.requests.some((r) => r.range !== undefined));
    assert.equal((await direct.headBlob('flaky/resumed', layer.digest))?.size, layer.size);
    await Promise.all([c.close(), direct.close()]);
  });
});
