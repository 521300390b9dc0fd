import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { BlobCache } from '../../../src/cache/blob-cache';
import { cacheBlobSource, configsDirOf, openOciLayoutCatalog, teeToCache, type BlobSource } from '../../../src/catalog';
import { isAirlockError } from '../../../src/errors';
import { buildCatalogImage, catalogLayer, SMALL_CATALOG } from '../../fixtures/catalogs';

const data = Buffer.alloc(3 * 1024 * 1024, 9);
const blob = { digest: `sha256:${createHash('sha256').update(data).digest('hex')}`, size: data.length };

function memorySource(opened: { count: number }): BlobSource {
  return {
    name: 'memory',
    open: () => {
      opened.count++;
      return Readable.from((function* () {
        for (let i = 0; i < data.length; i += 65536) yield data.subarray(i, i + 65536);
      })());
    },
  };
}

async function drain(stream: Readable, limit = Infinity): Promise<number> {
  let n = 0;
  for await (const chunk of stream) {
    n += (chunk as Buffer).length;
    if (n >= limit) break;
  }
  return n;
}

describe('blob sources', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'airlock-catalog-source-'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it('teeToCache keeps a blob read to its end, and serves it from the cache afterwards', async () => {
    const cache = new BlobCache(join(tmp, 'tee'));
    const opened = { count: 0 };
    const source = teeToCache(memorySource(opened), cache);
    assert.equal(await drain(source.open(blob)), data.length);
    assert.ok(await cache.has(blob.digest, blob.size));
    assert.equal(await drain(source.open(blob)), data.length);
    assert.equal(opened.count, 1, 'the second read came from the cache');
  });

  it('teeToCache stores nothing when the reader stops early', async () => {
    const cache = new BlobCache(join(tmp, 'tee-partial'));
    const source = teeToCache(memorySource({ count: 0 }), cache);
    assert.ok((await drain(source.open(blob), 100_000)) >= 100_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await cache.has(blob.digest), false);
  });

  it('cacheBlobSource reads the cache, falls back, and says when neither has the blob', async () => {
    const cache = new BlobCache(join(tmp, 'plain'));
    await assert.rejects(drain(cacheBlobSource(cache).open(blob)), (err: unknown) => isAirlockError(err, 'CACHE_MISSING'));
    const opened = { count: 0 };
    assert.equal(await drain(cacheBlobSource(cache, memorySource(opened)).open(blob)), data.length);
    assert.equal(opened.count, 1);
    await cache.put(blob.digest, blob.size, data);
    assert.equal(await drain(cacheBlobSource(cache, memorySource(opened)).open(blob)), data.length);
    assert.equal(opened.count, 1);
  });

  it('an OCI layout must name exactly one catalog image', async () => {
    const built = await buildCatalogImage(join(tmp, 'layout'), { layers: [catalogLayer(SMALL_CATALOG)] });
    const index = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: built.digest, size: 1, annotations: { 'org.opencontainers.image.ref.name': 'a' } }] };
    await writeFile(join(built.dir, 'index.json'), JSON.stringify({ ...index, manifests: [...index.manifests, { ...index.manifests[0], annotations: { 'org.opencontainers.image.ref.name': 'b' } }] }));
    await assert.rejects(openOciLayoutCatalog(built.dir), (err: unknown) => isAirlockError(err, 'CATALOG_IMAGE_INVALID') && /holds 2 images \(a, b\)/.test(err.message));
    await assert.rejects(openOciLayoutCatalog(join(tmp, 'nothing-here')), (err: unknown) => isAirlockError(err, 'CATALOG_UNAVAILABLE'));
  });

  it('the configs label is normalised, and /configs when absent or unusable', () => {
    const cfg = (label?: string) => ({ config: { Labels: label === undefined ? {} : { 'operators.operatorframework.io.index.configs.v1': label } } });
    assert.equal(configsDirOf(cfg()), '/configs');
    assert.equal(configsDirOf(cfg('/configs/')), '/configs');
    assert.equal(configsDirOf(cfg('opt//catalog')), '/opt/catalog');
    assert.equal(configsDirOf(cfg('../../etc')), '/configs');
    assert.equal(configsDirOf({}), '/configs');
  });
});
