import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { extract as tarExtract } from 'tar-stream';
import { BlobCache } from '../../../src/cache/blob-cache';
import {
  catalogTarget,
  channelProblem,
  filterCatalog,
  keptBundleNames,
  openOciLayoutCatalog,
  readCatalogDirectory,
  readCatalogImage,
  rebuildCatalog,
  writeFilteredCatalog,
  type FbcCatalog,
  type FilterResult,
  type RebuiltCatalog,
} from '../../../src/catalog';
import { buildCatalogImage, catalogLayer, SMALL_CATALOG, writeCatalogDirectory } from '../../fixtures/catalogs';
import { operatorCatalog } from './helpers';

const CATALOG = '- catalog: registry.redhat.io/redhat/redhat-operator-index:v4.15';

/** Copies the rebuilt image out of the cache into an OCI layout, to read it back like any catalog. */
async function toLayout(cache: BlobCache, rebuilt: RebuiltCatalog, dir: string): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const b of [...rebuilt.manifests, ...rebuilt.blobs]) await copyFile(cache.path(b.digest), join(dir, 'blobs', 'sha256', b.digest.slice(7)));
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: rebuilt.mediaType, digest: rebuilt.digest, size: rebuilt.size }] }));
}

async function tarNames(gz: Buffer): Promise<string[]> {
  const names: string[] = [];
  const ex = tarExtract();
  const done = (async () => {
    for await (const entry of ex) {
      names.push(entry.header.name);
      entry.resume();
    }
  })();
  ex.end(gunzipSync(gz));
  await done;
  return names;
}

function summary(catalog: FbcCatalog): Record<string, { defaultChannel?: string; channels: Record<string, string[]>; bundles: string[] }> {
  return Object.fromEntries(
    [...catalog.packages.values()].map((p) => [
      p.name,
      {
        ...(p.defaultChannel ? { defaultChannel: p.defaultChannel } : {}),
        channels: Object.fromEntries([...p.channels.values()].map((c) => [c.name, c.entries.map((e) => e.name)])),
        bundles: [...p.bundles.keys()].sort(),
      },
    ]),
  );
}

function expectedSummary(result: FilterResult): ReturnType<typeof summary> {
  return Object.fromEntries(
    result.packages.map((p) => [
      p.name,
      { ...(p.defaultChannel ? { defaultChannel: p.defaultChannel } : {}), channels: Object.fromEntries(p.channels.map((c) => [c.name, c.entries.map((e) => e.name)])), bundles: p.bundles.map((b) => b.name) },
    ]),
  );
}

describe('the rebuilt catalog image', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'airlock-catalog-rebuild-'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it('keeps every platform and original layer, adds a whiteout and a catalog layer, and reads back as exactly the kept bundles', async () => {
    const source = await buildCatalogImage(join(tmp, 'src'), {
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ],
      layers: [[{ path: 'bin/opm', content: Buffer.alloc(10_000, 7) }], [{ path: 'tmp/cache/x', content: 'cache' }, ...catalogLayer(SMALL_CATALOG)]],
    });
    const image = await openOciLayoutCatalog(source.dir);
    const model = await readCatalogImage(image);
    const config = operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      maxVersion: 6.0.0', '    - name: elasticsearch-operator', '      defaultChannel: stable-v0', '      channels:', '        - name: stable-v0');
    const result = filterCatalog(model, config);
    const cache = new BlobCache(join(tmp, 'cache'));
    const rebuilt = await rebuildCatalog({ image, model, result, cache, workDir: tmp });

    // Structure: the index keeps both platforms; each image gets the two new layers on top.
    assert.equal(rebuilt.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.equal(rebuilt.manifests.length, 3);
    assert.equal(rebuilt.manifests[2]?.digest, rebuilt.digest);
    const index = JSON.parse(rebuilt.manifests[2]?.bytes.toString() ?? '') as { manifests: Array<{ digest: string; platform: unknown }> };
    assert.deepEqual(index.manifests.map((m) => m.platform), [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    for (const [i, platform] of rebuilt.platforms.entries()) {
      const manifest = JSON.parse(platform.manifest.bytes.toString()) as { layers: Array<{ digest: string; mediaType: string }>; config: { digest: string } };
      const original = image.platforms[i]?.parsed;
      assert.ok(original);
      assert.deepEqual(manifest.layers.map((l) => l.digest), [...original.layers.map((l) => l.digest), rebuilt.whiteoutLayer.digest, rebuilt.catalogLayer.digest]);
      assert.ok(manifest.layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip'));
      const cfg = JSON.parse(await readFile(cache.path(manifest.config.digest), 'utf8')) as {
        architecture: string;
        config: { Cmd: string[]; Entrypoint: string[]; Labels: Record<string, string> };
        rootfs: { diff_ids: string[] };
        history: unknown[];
      };
      assert.equal(cfg.architecture, i === 0 ? 'amd64' : 'arm64');
      assert.deepEqual(cfg.config.Cmd, ['serve', '/configs']);
      assert.deepEqual(cfg.config.Entrypoint, ['/bin/opm']);
      assert.equal(cfg.config.Labels['operators.operatorframework.io.index.configs.v1'], '/configs');
      assert.equal(cfg.config.Labels['dev.airlock.fixture'], 'catalog', 'other labels are kept');
      assert.equal(cfg.rootfs.diff_ids.length, manifest.layers.length);
      assert.equal(cfg.history.length, manifest.layers.length);
    }
    assert.deepEqual(await tarNames(await readFile(cache.path(rebuilt.whiteoutLayer.digest))), ['.wh.configs']);
    assert.deepEqual(await tarNames(await readFile(cache.path(rebuilt.catalogLayer.digest))), [
      'configs/',
      'configs/compliance-operator/',
      'configs/compliance-operator/catalog.json',
      'configs/elasticsearch-operator/',
      'configs/elasticsearch-operator/catalog.json',
    ]);

    // Everything the set writer needs is in the cache.
    for (const b of [...rebuilt.manifests, ...rebuilt.blobs]) assert.ok(await cache.has(b.digest, b.size), `${b.digest} is not in the cache`);

    // Read back with Airlock's own reader: exactly the kept packages, channels and bundles.
    await toLayout(cache, rebuilt, join(tmp, 'out'));
    const back = await readCatalogImage(await openOciLayoutCatalog(join(tmp, 'out')));
    assert.deepEqual(summary(back), expectedSummary(result));
    assert.deepEqual(
      [...back.packages.values()].flatMap((p) => [...p.bundles.keys()]).sort(),
      ['co.v5.5.0', 'co.v5.5.1', 'co.v5.5.2', 'co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0', 'es.v0.2.0'],
    );
    assert.equal(back.packages.get('elasticsearch-operator')?.defaultChannel, 'stable-v0');
    for (const p of back.packages.values()) for (const c of p.channels.values()) assert.equal(channelProblem(c.entries), undefined, `${p.name}/${c.name}`);
    // Filtering the rebuilt catalog with "everything" gives back the same bundles.
    assert.deepEqual(keptBundleNames(filterCatalog(back, operatorCatalog(CATALOG, '  full: true'))), keptBundleNames(result));

    // Reproducible: the same filter on the same catalog gives the same image.
    const again = await rebuildCatalog({ image, model, result, cache: new BlobCache(join(tmp, 'cache2')), workDir: tmp });
    assert.equal(again.digest, rebuilt.digest);
  });

  it('whites out the directory a label names, writes Docker layer types for Docker images, rebuilds a single image', async () => {
    const source = await buildCatalogImage(join(tmp, 'docker'), { format: 'docker', configsDir: '/opt/catalog', layers: [catalogLayer(SMALL_CATALOG, 'opt/catalog')] });
    const image = await openOciLayoutCatalog(source.dir);
    const model = await readCatalogImage(image);
    const result = filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: cluster-logging'));
    const cache = new BlobCache(join(tmp, 'docker-cache'));
    const rebuilt = await rebuildCatalog({ image, model, result, cache, workDir: tmp });
    assert.equal(rebuilt.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(rebuilt.manifests.length, 1);
    const manifest = JSON.parse(rebuilt.manifests[0]?.bytes.toString() ?? '') as { layers: Array<{ mediaType: string }> };
    assert.ok(manifest.layers.every((l) => l.mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip'));
    assert.deepEqual(await tarNames(await readFile(cache.path(rebuilt.whiteoutLayer.digest))), ['.wh.configs', 'opt/.wh.catalog']);
    await toLayout(cache, rebuilt, join(tmp, 'docker-out'));
    const back = await readCatalogImage(await openOciLayoutCatalog(join(tmp, 'docker-out')));
    assert.equal(back.configsDir, '/configs');
    assert.deepEqual(summary(back), expectedSummary(result));
  });

  it('refuses to rebuild a catalog mirrored in full', async () => {
    const source = await buildCatalogImage(join(tmp, 'full'), { layers: [catalogLayer(SMALL_CATALOG)] });
    const image = await openOciLayoutCatalog(source.dir);
    const model = await readCatalogImage(image);
    const result = filterCatalog(model, operatorCatalog(CATALOG, '  full: true'));
    await assert.rejects(rebuildCatalog({ image, model, result, cache: new BlobCache(join(tmp, 'full-cache')) }), /mirrored in full/);
  });
});

describe('the filtered FBC', () => {
  it('copies kept blobs byte for byte, rewrites channels, default channels and deprecations', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'airlock-catalog-write-'));
    try {
      await writeCatalogDirectory(join(tmp, 'src'), SMALL_CATALOG);
      const model = await readCatalogDirectory(join(tmp, 'src'));
      const result = filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      minVersion: 5.6.0'));
      const written = await writeFilteredCatalog({ kind: 'directory', dir: join(tmp, 'src') }, model.files, result, join(tmp, 'out'));
      assert.deepEqual(written.files, ['compliance-operator/catalog.json']);
      const text = await readFile(join(tmp, 'out', 'compliance-operator', 'catalog.json'), 'utf8');
      const source = await readFile(join(tmp, 'src', 'compliance-operator', 'catalog.json'), 'utf8');
      const bundle = source.slice(source.indexOf('{\n  "schema": "olm.bundle",\n  "name": "co.v6.1.0"'));
      assert.ok(text.includes(bundle.slice(0, bundle.indexOf('\n}') + 2)), 'an unchanged bundle is copied byte for byte');
      const blobs = text.trim().split(/\n(?=\{)/).map((b) => JSON.parse(b) as { schema: string; name?: string; entries?: Array<{ name: string }> });
      assert.deepEqual(blobs.map((b) => `${b.schema}:${b.name ?? ''}`), [
        'olm.package:compliance-operator',
        'olm.channel:stable',
        'olm.bundle:co.v5.6.0',
        'olm.bundle:co.v5.6.1',
        'olm.bundle:co.v6.0.0',
        'olm.bundle:co.v6.1.0',
      ]);
      assert.deepEqual(blobs[1]?.entries?.map((e) => e.name), ['co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0', 'co.v6.1.0']);
      // Both deprecation entries name content the filter left out: the deprecations blob goes.
      assert.ok(!text.includes('olm.deprecations'));
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('names the destination after targetCatalog/targetTag, else the source', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    assert.deepEqual(catalogTarget(operatorCatalog(CATALOG), digest), { repository: 'redhat/redhat-operator-index', tag: 'v4.15', name: 'redhat/redhat-operator-index:v4.15' });
    assert.deepEqual(catalogTarget(operatorCatalog(CATALOG, '  targetCatalog: my-ns/my-catalog', '  targetTag: v1'), digest).name, 'my-ns/my-catalog:v1');
    assert.deepEqual(catalogTarget(operatorCatalog(`- catalog: registry.redhat.io/redhat/redhat-operator-index@${digest}`), digest).name, `redhat/redhat-operator-index:sha256-${'ab'.repeat(32)}`);
    assert.deepEqual(catalogTarget(operatorCatalog('- catalog: oci:///home/User/My_Catalogs/redhat-index'), digest).name, 'home/user/my-catalogs/redhat-index:latest');
  });
});
