import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobCache } from '../../../src/cache/blob-cache';
import {
  channelProblem,
  keptBundleNames,
  openRegistryCatalog,
  readCatalogImage,
  rebuildCatalog,
  rebuiltAsResolvedImage,
  type RebuiltCatalog,
} from '../../../src/catalog';
import { collectOperatorCatalog, collectOperatorCatalogs, operatorContext } from '../../../src/collect/operators';
import { parseConfig } from '../../../src/config';
import { isAirlockError } from '../../../src/errors';
import type { PullSources } from '../../../src/plan/resolve';
import { parseReference } from '../../../src/reference';
import { RegistryClient } from '../../../src/registry';
import { catalogResourcesFor } from '../../../src/resources';
import { buildCatalogImage, catalogFiles, catalogLayer, pushCatalogImage, SMALL_CATALOG, type BuiltCatalogImage } from '../../fixtures/catalogs';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { skopeoEndpointFor, skopeoInspectRawDigest } from '../../fixtures/skopeo';

const FAST = { times: 2, delayMs: 10 };

/** Pushes the rebuilt image from the cache, children first, as the import job pushes from a set. */
async function pushRebuilt(client: RegistryClient, cache: BlobCache, rebuilt: RebuiltCatalog, repository: string, tag: string): Promise<void> {
  for (const b of rebuilt.blobs) await client.uploadBlob(repository, b.digest, b.size, () => cache.open(b.digest));
  for (const m of rebuilt.manifests) await client.putManifest(repository, m.digest === rebuilt.digest ? tag : m.digest, m.bytes, m.mediaType);
}

describe('operator catalogs in a registry', () => {
  let registry: RegistryFixture;
  let tmp: string;
  let client: RegistryClient;
  let pushed: BuiltCatalogImage;
  let sources: PullSources;

  before(async () => {
    registry = await startRegistry();
    tmp = await mkdtemp(join(tmpdir(), 'airlock-catalog-it-'));
    const byPackage = (pkg: string) => SMALL_CATALOG.filter((b) => (b.schema === 'olm.package' ? b.name : b.package) === pkg);
    pushed = await buildCatalogImage(join(tmp, 'catalog'), {
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
      layers: [
        [{ path: 'bin/opm', content: Buffer.alloc(200_000, 3) }, ...catalogLayer(SMALL_CATALOG.filter((b) => (b.schema === 'olm.package' ? b.name : b.package) !== 'cluster-logging'))],
        // A later layer replaces file-integrity-operator and adds cluster-logging, the way catalog builds stack.
        [{ whiteout: 'configs/file-integrity-operator' }, ...catalogFiles([...byPackage('file-integrity-operator'), ...byPackage('cluster-logging')], 'yaml', 'configs/')],
      ],
    });
    await pushCatalogImage(registry, pushed, 'redhat/redhat-operator-index', 'v4.19');
    client = new RegistryClient({ registry: registry.host, tlsVerify: false, retry: FAST });
    sources = (ref) => [{ client, reference: ref }];
  });
  after(async () => {
    await client?.close();
    await registry?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('pins the tag to a digest, reads the catalog streaming from the registry, filters it and lists its images', async () => {
    const config = parseConfig(
      [
        'kind: ImageSetConfiguration',
        'apiVersion: mirror.openshift.io/v2alpha1',
        'mirror:',
        '  operators:',
        `    - catalog: ${registry.host}/redhat/redhat-operator-index:v4.19`,
        '      targetCatalog: mirrored/redhat-operators',
        '      packages:',
        '        - name: compliance-operator',
        '          maxVersion: 6.0.0',
        '        - name: cluster-logging',
        '',
      ].join('\n'),
      'isc.yaml',
    );
    const entry = config.mirror.operators[0];
    assert.ok(entry);
    const cache = new BlobCache(join(tmp, 'cache'));
    const collected = await collectOperatorCatalog(config, entry, { sources, cache });

    assert.equal(collected.image.digest, pushed.digest);
    assert.equal(collected.image.pinned, `${registry.host}/redhat/redhat-operator-index@${pushed.digest}`);
    assert.equal(collected.image.platforms.length, 2);
    assert.deepEqual(keptBundleNames(collected.result), ['cl.v5.8.1', 'co.v5.5.0', 'co.v5.5.1', 'co.v5.5.2', 'co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0']);
    assert.equal(collected.target.name, 'mirrored/redhat-operators:v4.19');
    assert.equal(collected.catalogImage.source.digest, pushed.digest);
    assert.equal(collected.catalogSource, `${registry.host}/redhat/redhat-operator-index:v4.19`);
    assert.equal(collected.result.dependencyWarnings.length, 2);
    assert.ok(collected.images.images.length > 10);
    assert.ok(collected.images.images.every((i) => i.origin === 'operator'));
    const someImage = collected.images.images.find((i) => i.source.repository === 'cluster-logging/vector');
    assert.ok(someImage);
    assert.equal(operatorContext(`${someImage.source.registry}/${someImage.source.repository}@${someImage.source.digest ?? ''}`, [collected]), '(Operator bundles: [cl.v5.8.1] - Operators: [cluster-logging])');

    // Read once through the cache: the layers that were read are kept for the rebuild.
    const fbcLayers = collected.image.platforms[0]?.parsed.layers ?? [];
    for (const layer of fbcLayers) assert.ok(await cache.has(layer.digest, layer.size), `layer ${layer.digest} was not kept`);

    // Rebuild, push it as the import would, read it back from the registry.
    const rebuilt = await rebuildCatalog({ image: collected.image, model: collected.model, result: collected.result, cache, workDir: tmp });
    const resolved = rebuiltAsResolvedImage(rebuilt, collected.catalogImage, { client, repository: 'redhat/redhat-operator-index', reference: collected.image.pinned }, collected.catalogSource);
    assert.equal(resolved.destination, 'mirrored/redhat-operators:v4.19');
    for (const b of [...resolved.manifests, ...resolved.blobs]) assert.ok(await cache.has(b.digest, b.size));

    await pushRebuilt(client, cache, rebuilt, 'mirrored/redhat-operators', 'v4.19');
    const ref = `${registry.host}/mirrored/redhat-operators:v4.19`;
    assert.equal(await skopeoInspectRawDigest(`docker://${ref}`, skopeoEndpointFor(registry)), rebuilt.digest);
    const back = await readCatalogImage(await openRegistryCatalog(client, parseReference(ref)));
    assert.deepEqual([...back.packages.values()].flatMap((p) => [...p.bundles.keys()]).sort(), keptBundleNames(collected.result));
    for (const p of back.packages.values()) for (const c of p.channels.values()) assert.equal(channelProblem(c.entries), undefined);

    // The cluster resources for it.
    assert.deepEqual(catalogResourcesFor([{ image: ref }], { createdAt: '2026-01-01T00:00:00Z', version: '0.1.0' }).map((r) => r.metadata.name), [
      'cs-redhat-operators-v4-19',
      'cc-redhat-operators-v4-19',
    ]);
  });

  it('one catalog that cannot be read does not stop the others; a contradicted filter stops the export', async () => {
    const text = (pkg: string) =>
      [
        'kind: ImageSetConfiguration',
        'apiVersion: mirror.openshift.io/v2alpha1',
        'mirror:',
        '  operators:',
        `    - catalog: ${registry.host}/redhat/missing-index:v4.19`,
        `    - catalog: ${registry.host}/redhat/redhat-operator-index:v4.19`,
        '      packages:',
        `        - name: ${pkg}`,
        '',
      ].join('\n');
    const { catalogs, failed } = await collectOperatorCatalogs(parseConfig(text('cluster-logging'), 'isc.yaml'), { sources });
    assert.equal(catalogs.length, 1);
    assert.deepEqual(keptBundleNames(catalogs[0]?.result ?? { packages: [] } as never), ['cl.v5.8.1']);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.error.code, 'REGISTRY_NOT_FOUND');

    await assert.rejects(collectOperatorCatalogs(parseConfig(text('no-such-operator'), 'isc.yaml'), { sources }), (err: unknown) => isAirlockError(err, 'CATALOG_PACKAGE_NOT_FOUND'));
  });
});
