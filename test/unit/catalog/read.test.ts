import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAirlockError } from '../../../src/errors';
import { CatalogBuilder, openOciLayoutCatalog, readCatalogDirectory, readCatalogImage, type FbcCatalog } from '../../../src/catalog';
import { buildCatalogImage, catalogFiles, catalogLayer, packageBlob, channelBlob, bundleBlob, SMALL_CATALOG, writeCatalogDirectory, type Blob } from '../../fixtures/catalogs';

function summary(catalog: FbcCatalog): Record<string, string[]> {
  return Object.fromEntries([...catalog.packages.values()].map((p) => [p.name, [...p.bundles.keys()].sort()]));
}

function blobsOf(pkg: string): Blob[] {
  return SMALL_CATALOG.filter((b) => (b.schema === 'olm.package' ? b.name : b.package) === pkg);
}

const EXPECTED = {
  'cluster-logging': ['cl.v5.8.0', 'cl.v5.8.1'],
  'compliance-operator': ['co.v5.5.0', 'co.v5.5.1', 'co.v5.5.2', 'co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0', 'co.v6.1.0'],
  'elasticsearch-operator': ['es.v0.1.0', 'es.v0.2.0', 'es.v5.8.0', 'es.v5.8.1'],
  'file-integrity-operator': ['fio.v1.0.0', 'fio.v1.0.1', 'fio.v1.1.0', 'fio.v1.2.0'],
};

describe('reading a file-based catalog', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'airlock-catalog-read-'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it('from a directory of JSON files and of YAML files, to the same model', async () => {
    await writeCatalogDirectory(join(tmp, 'json'), SMALL_CATALOG, 'json');
    await writeCatalogDirectory(join(tmp, 'yaml'), SMALL_CATALOG, 'yaml');
    const json = await readCatalogDirectory(join(tmp, 'json'));
    const yaml = await readCatalogDirectory(join(tmp, 'yaml'));
    assert.deepEqual(summary(json), EXPECTED);
    assert.deepEqual(summary(yaml), EXPECTED);
    assert.deepEqual([...json.packages.values()], [...yaml.packages.values()]);
    const co = json.packages.get('compliance-operator');
    assert.equal(co?.defaultChannel, 'stable');
    assert.deepEqual(co?.channels.get('stable-5.5')?.entries[2], { name: 'co.v5.5.2', replaces: 'co.v5.5.0', skips: ['co.v5.5.1'] });
    assert.deepEqual(co?.channels.get('stable')?.entries[3], { name: 'co.v6.0.0', replaces: 'co.v5.6.1', skipRange: '>=5.5.0 <6.0.0' });
    const cl = json.packages.get('cluster-logging')?.bundles.get('cl.v5.8.1');
    assert.equal(cl?.version, '5.8.1');
    assert.deepEqual(cl?.requiredPackages, [{ packageName: 'elasticsearch-operator', versionRange: '>=5.8.0' }]);
    assert.deepEqual(cl?.requiredGvks, [{ group: 'logging.openshift.io', version: 'v1', kind: 'Elasticsearch' }]);
    assert.equal(cl?.relatedImages.length, 3);
    assert.deepEqual(json.warnings, []);
    assert.equal(json.files.length, 4);
  });

  it('from an image: every layer in order, with whiteouts, opaque directories and replaced files', async () => {
    const image = await buildCatalogImage(join(tmp, 'layered'), {
      configsDir: '/configs',
      layers: [
        [
          { path: 'bin/opm', content: Buffer.alloc(70_000, 1) },
          { path: 'tmp/cache/cache.json', content: '{"not":"fbc"}' },
          ...catalogLayer([...blobsOf('compliance-operator'), ...blobsOf('elasticsearch-operator')]),
          ...catalogFiles([packageBlob('stale', 'x'), channelBlob('stale', 'x', [{ name: 'stale.v1' }]), bundleBlob({ pkg: 'stale', name: 'stale.v1', version: '1.0.0' })], 'json', 'configs/'),
          ...catalogFiles([packageBlob('old-logging', 'x'), channelBlob('old-logging', 'x', [{ name: 'old.v1' }]), bundleBlob({ pkg: 'old-logging', name: 'old.v1', version: '1.0.0' })], 'json', 'configs/cluster-logging/').map((f) => ({ ...f, path: 'configs/cluster-logging/old.json' })),
          // Overwritten in the next layer.
          { path: 'configs/file-integrity-operator/catalog.yaml', content: '---\nschema: olm.package\nname: replaced-away\n' },
          { path: 'configs/README.md', content: 'not a catalog file' },
        ],
        [{ whiteout: 'configs/stale' }, ...catalogFiles(blobsOf('file-integrity-operator'), 'yaml', 'configs/')],
        [{ opaque: 'configs/cluster-logging' }, ...catalogFiles(blobsOf('cluster-logging'), 'json', 'configs/')],
      ],
    });
    const opened = await openOciLayoutCatalog(image.dir);
    assert.equal(opened.digest, image.digest);
    assert.equal(opened.pinned, `oci://${image.dir}@${image.digest}`);
    const catalog = await readCatalogImage(opened);
    assert.deepEqual(summary(catalog), EXPECTED);
    assert.deepEqual(catalog.files.map((f) => `${f.layer}:${f.path}`), [
      '0:configs/compliance-operator/catalog.json',
      '0:configs/elasticsearch-operator/catalog.json',
      '1:configs/file-integrity-operator/catalog.yaml',
      '2:configs/cluster-logging/catalog.json',
    ]);
    assert.equal(catalog.configsDir, '/configs');
  });

  it('from the directory the configs label names, in a multi-platform index, Docker or uncompressed layers', async () => {
    for (const [name, spec] of [
      ['docker', { format: 'docker' as const, configsDir: '/opt/catalog' }],
      ['uncompressed', { uncompressed: true, configsDir: 'opt/catalog/' }],
    ] as const) {
      const image = await buildCatalogImage(join(tmp, name), {
        ...spec,
        platforms: [
          { os: 'linux', architecture: 'arm64' },
          { os: 'linux', architecture: 'amd64' },
        ],
        layers: [[...catalogLayer(SMALL_CATALOG, 'configs'), ...catalogLayer(SMALL_CATALOG, 'opt/catalog')]],
      });
      const opened = await openOciLayoutCatalog(image.dir);
      assert.equal(opened.platforms.length, 2, name);
      assert.ok(opened.index, name);
      const catalog = await readCatalogImage(opened);
      assert.equal(catalog.configsDir, '/opt/catalog', name);
      assert.deepEqual(summary(catalog), EXPECTED, name);
      assert.ok(catalog.files.every((f) => f.path.startsWith('opt/catalog/')), name);
    }
  });

  it('refuses an image without a catalog, and a damaged layer, naming the image', async () => {
    const empty = await buildCatalogImage(join(tmp, 'empty'), { layers: [[{ path: 'bin/opm', content: 'x' }]] });
    await assert.rejects(readCatalogImage(await openOciLayoutCatalog(empty.dir)), (err: unknown) => isAirlockError(err, 'CATALOG_EMPTY') && /no file-based catalog in \/configs/.test(err.message));

    const broken = await buildCatalogImage(join(tmp, 'broken'), { layers: [catalogLayer(SMALL_CATALOG)] });
    const opened = await openOciLayoutCatalog(broken.dir);
    // Same digest, other bytes: the blob check catches it while the layer streams.
    const { writeFile } = await import('node:fs/promises');
    const layer = opened.platforms[0]?.parsed.layers[0];
    assert.ok(layer);
    await writeFile(join(broken.dir, 'blobs', 'sha256', layer.digest.slice(7)), Buffer.alloc(layer.size, 0x1f));
    await assert.rejects(readCatalogImage(opened), (err: unknown) => isAirlockError(err) && ['DIGEST_MISMATCH', 'CATALOG_LAYER_INVALID'].includes(err.code));
  });

  it('keeps what a later layer does not touch and drops what it whites out (builder rules)', () => {
    const builder = new CatalogBuilder();
    const add = (layer: number, path: string, pkg: string): void => builder.file(layer, path).add({ value: packageBlob(pkg, 'stable') });
    add(0, 'configs/a/catalog.json', 'a');
    add(0, 'configs/b/catalog.json', 'b');
    add(0, 'configs/c/x.json', 'c');
    add(1, 'configs/a/catalog.json', 'a2');
    builder.whiteout(1, 'configs/b');
    builder.shadow(1, 'configs/c', false);
    add(1, 'configs/d/catalog.json', 'd');
    builder.opaque(2, 'configs');
    add(2, 'configs/e/catalog.json', 'e');
    assert.deepEqual([...builder.build('/configs').packages.keys()], ['e']);
    const again = new CatalogBuilder();
    again.file(0, 'configs/a/catalog.json').add({ value: packageBlob('a', 'stable') });
    again.file(1, 'configs/a/catalog.json').add({ value: packageBlob('a2', 'stable') });
    again.whiteout(1, 'configs/a/catalog.json');
    assert.deepEqual([...again.build('/configs').packages.keys()], ['a2'], 'a whiteout only affects lower layers');
  });
});
