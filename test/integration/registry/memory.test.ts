import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { seedRegistry, type PushedImage } from '../../fixtures/images';
import { copyImage, RegistryClient } from '../../../src/registry';

const LAYER = 160 * 1024 * 1024;

describe('memory while streaming', () => {
  let a: RegistryFixture;
  let b: RegistryFixture;
  let image: PushedImage;
  before(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    [image] = (await seedRegistry(a, [{ repo: 'big/app', tag: 'v1', spec: { seed: 'memory-big', format: 'oci', layers: [{ size: LAYER, compression: 'none' }] } }])) as [PushedImage];
  });
  after(() => Promise.all([a.stop(), b.stop()]));

  it('copies a layer much larger than the memory it uses', async () => {
    const source = new RegistryClient({ registry: a.host, tlsVerify: false });
    const destination = new RegistryClient({ registry: b.host, tlsVerify: false });
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      const result = await copyImage({ source: { client: source, repository: 'big/app' }, destination: { client: destination, repository: 'big/app' }, selector: 'v1', destinationTag: 'v1' });
      assert.equal(result.digest, image.digest);
      assert.ok(result.bytesTransferred > LAYER);
    } finally {
      clearInterval(sampler);
      await Promise.all([source.close(), destination.close()]);
    }
    const grew = peak - baseline;
    assert.ok(grew < 64 * 1024 * 1024, `RSS grew by ${(grew / 1048576).toFixed(1)} MiB while copying a ${LAYER / 1048576} MiB layer`);
  });
});
