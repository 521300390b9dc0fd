import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { channelProblem, openRegistryCatalog, readCatalogImage } from '../../../src/catalog';
import type { JobEvent } from '../../../src/jobs/events';
import { runExport } from '../../../src/jobs/export';
import { runImport } from '../../../src/jobs/import';
import { runMirrorToMirror } from '../../../src/jobs/mirror-to-mirror';
import { loadOrCreateStationKey, publicKeyPem, trustKey } from '../../../src/keys';
import { readTransferManifest } from '../../../src/media';
import { parseReference } from '../../../src/reference';
import { RegistryClient } from '../../../src/registry';
import { bundleBlob, buildCatalogImage, catalogLayer, channelBlob, packageBlob, pushCatalogImage, type Blob } from '../../fixtures/catalogs';
import { seedRegistry, type PushedImage } from '../../fixtures/images';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { skopeoEndpointFor, skopeoInspectRawDigest } from '../../fixtures/skopeo';
import { loadCrd } from '../../unit/resources/crd-schema';
import { writeConfig } from '../export/helpers';

/**
 * mirror.operators end to end, on loopback only: a small catalog image in a registry fixture whose
 * bundles name bundle and related images pushed to the same registry (one related image never
 * pushed), an ImageSetConfiguration with a package filter, export, import into a second registry.
 * The filtered catalog read back from the target holds exactly the kept bundles; the kept images
 * are there; the CatalogSource and ClusterCatalog validate against the CRDs.
 */

const FAST = { times: 1, delayMs: 1 };

describe('operators: export with mirror.operators, then import', () => {
  let work: string;
  let source: RegistryFixture;
  let exportData: string;
  let enclaveData: string;
  let catalogRef: string;
  let catalogDigest: string;
  const images = new Map<string, PushedImage>();
  const ref = (name: string): string => {
    const image = images.get(name);
    assert.ok(image, name);
    return `${source.host}/${image.repo}@${image.digest}`;
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'airlock-operators-e2e-'));
    source = await startRegistry();
    const spec = (seed: string) => ({ seed, format: 'oci' as const, layers: [1024 + seed.length] });
    const pushed = await seedRegistry(source, [
      { repo: 'alpha/bundle', tag: 'v1.0.0', spec: spec('alpha-bundle-1.0.0') },
      { repo: 'alpha/bundle', tag: 'v1.1.0', spec: spec('alpha-bundle-1.1.0') },
      { repo: 'alpha/operator', tag: 'v1.0.0', spec: spec('alpha-operator-1.0.0') },
      { repo: 'alpha/operator', tag: 'v1.1.0', spec: spec('alpha-operator-1.1.0') },
      { repo: 'alpha/operand', tag: '1.1', spec: spec('alpha-operand-1.1') },
      { repo: 'beta/bundle', tag: 'v2.0.0', spec: spec('beta-bundle-2.0.0') },
      { repo: 'gamma/bundle', tag: 'v3.0.0', spec: spec('gamma-bundle-3.0.0') },
    ]);
    for (const p of pushed) images.set(`${p.repo}:${p.tag}`, p);

    const blobs: Blob[] = [
      packageBlob('alpha', 'stable'),
      channelBlob('alpha', 'stable', [{ name: 'alpha.v1.0.0' }, { name: 'alpha.v1.1.0', replaces: 'alpha.v1.0.0' }]),
      bundleBlob({ pkg: 'alpha', name: 'alpha.v1.0.0', version: '1.0.0', image: ref('alpha/bundle:v1.0.0'), related: [ref('alpha/operator:v1.0.0')] }),
      bundleBlob({ pkg: 'alpha', name: 'alpha.v1.1.0', version: '1.1.0', image: ref('alpha/bundle:v1.1.0'), related: [ref('alpha/operator:v1.1.0'), `${source.host}/alpha/operand:1.1`] }),
      packageBlob('beta', 'stable'),
      channelBlob('beta', 'stable', [{ name: 'beta.v2.0.0' }]),
      bundleBlob({ pkg: 'beta', name: 'beta.v2.0.0', version: '2.0.0', image: ref('beta/bundle:v2.0.0') }),
      // gamma's operator image was never pushed: its bundle is incomplete and left out, whole.
      packageBlob('gamma', 'stable'),
      channelBlob('gamma', 'stable', [{ name: 'gamma.v3.0.0' }]),
      bundleBlob({ pkg: 'gamma', name: 'gamma.v3.0.0', version: '3.0.0', image: ref('gamma/bundle:v3.0.0'), related: [`${source.host}/gamma/operator@sha256:${'e'.repeat(64)}`] }),
    ];
    const built = await buildCatalogImage(join(work, 'catalog'), { layers: [catalogLayer(blobs)], platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
    catalogRef = await pushCatalogImage(source, built, 'redhat/test-index', 'v1');
    catalogDigest = built.digest;

    exportData = join(work, 'connected-data');
    enclaveData = join(work, 'enclave-data');
    await trustKey(enclaveData, publicKeyPem(await loadOrCreateStationKey(exportData)), 'connected station');
  });

  after(async () => {
    await source?.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function config(dir: string): Promise<string> {
    await writeConfig(dir, 'template.yaml', [
      'apiVersion: operators.coreos.com/v1alpha1',
      'kind: CatalogSource',
      'metadata:',
      '  name: replaced',
      '  namespace: openshift-marketplace',
      'spec:',
      '  sourceType: grpc',
      '  displayName: Enclave operators',
      '  updateStrategy:',
      '    registryPoll:',
      '      interval: 30m',
    ]);
    return writeConfig(dir, 'isc.yaml', [
      'kind: ImageSetConfiguration',
      'apiVersion: mirror.openshift.io/v2alpha1',
      'mirror:',
      '  operators:',
      `    - catalog: ${catalogRef}`,
      '      targetCatalogSourceTemplate: template.yaml',
      '      packages:',
      '        - name: alpha',
      '          minVersion: 1.0.0',
      '        - name: gamma',
    ]);
  }

  it('carries the filtered catalog and the kept bundles; the import pushes them and writes CatalogSource, ClusterCatalog, IDMS and ITMS', async () => {
    const target = await startRegistry();
    const client = new RegistryClient({ registry: target.host, tlsVerify: false, retry: FAST });
    try {
      const dir = join(work, 'good');
      const drive = join(dir, 'drive');
      const events: JobEvent[] = [];
      const exported = await runExport({ configFile: await config(dir), workspace: drive, cacheDir: join(work, 'cache'), dataDir: exportData, srcTlsVerify: false, retry: FAST, onEvent: (e) => events.push(e) });

      // gamma's operator image failed; gamma's bundle image is withheld (only an incomplete bundle needs it).
      assert.deepEqual(
        exported.images.filter((i) => i.status !== 'ok').map((i) => [i.source, i.status]),
        [[`${source.host}/gamma/operator@sha256:${'e'.repeat(64)}`, 'failed']],
      );
      assert.deepEqual(
        exported.images.filter((i) => i.status === 'ok').map((i) => i.destination).sort(),
        [
          `alpha/bundle:sha256-${images.get('alpha/bundle:v1.0.0')?.digest.slice(7)}`,
          `alpha/bundle:sha256-${images.get('alpha/bundle:v1.1.0')?.digest.slice(7)}`,
          'alpha/operand:1.1',
          `alpha/operator:sha256-${images.get('alpha/operator:v1.0.0')?.digest.slice(7)}`,
          `alpha/operator:sha256-${images.get('alpha/operator:v1.1.0')?.digest.slice(7)}`,
          'redhat/test-index:v1',
        ].sort(),
      );
      assert.ok(exported.warnings.some((w) => /bundle gamma\.v3\.0\.0 of gamma is left out/.test(w)), exported.warnings.join('\n'));
      assert.ok(exported.warnings.some((w) => /package gamma/.test(w)), exported.warnings.join('\n'));
      assert.ok(events.some((e) => e.type === 'warning' && /gamma/.test(e.message)));
      assert.ok(exported.errorLog);
      assert.match(await readFile(exported.errorLog, 'utf8'), /gamma\/operator@sha256:e+ .*\(Operator bundles: \[gamma\.v3\.0\.0\] - Operators: \[gamma\]\)/);

      const manifest = await readTransferManifest(drive);
      const catalogEntry = manifest.images.find((i) => i.name === 'redhat/test-index:v1');
      assert.equal(catalogEntry?.status, 'ok');
      assert.equal(catalogEntry?.origin, 'operator');
      assert.notEqual(catalogEntry?.digest, catalogDigest, 'the catalog is rebuilt');
      assert.equal(manifest.operatorCatalogs?.length, 1);
      const record = manifest.operatorCatalogs?.[0];
      assert.equal(record?.catalog, catalogRef);
      assert.equal(record?.name, 'redhat/test-index:v1');
      assert.equal(record?.digest, catalogEntry?.digest);
      assert.equal(record?.rebuilt, true);
      assert.deepEqual(record?.incompleteBundles, ['gamma/gamma.v3.0.0']);
      assert.match(record?.catalogSourceTemplate?.text ?? '', /Enclave operators/);

      const imported = await runImport({ from: drive, target: `${target.host}/mirror`, dataDir: enclaveData, destTlsVerify: false, configFile: join(dir, 'isc.yaml') });
      assert.ok(imported.images.every((i) => i.status === 'pushed'), JSON.stringify(imported.images.filter((i) => i.status !== 'pushed')));
      assert.equal(imported.images.length, 6);

      // The filtered catalog in the target, read back with Airlock's own reader: exactly the kept bundles.
      const endpoint = skopeoEndpointFor(target);
      const mirroredCatalog = `${target.host}/mirror/redhat/test-index:v1`;
      assert.equal(await skopeoInspectRawDigest(`docker://${mirroredCatalog}`, endpoint), record?.digest);
      const back = await readCatalogImage(await openRegistryCatalog(client, parseReference(mirroredCatalog)));
      assert.deepEqual([...back.packages.keys()].sort(), ['alpha']);
      assert.deepEqual([...back.packages.values()].flatMap((p) => [...p.bundles.keys()]).sort(), ['alpha.v1.0.0', 'alpha.v1.1.0']);
      for (const p of back.packages.values()) for (const c of p.channels.values()) assert.equal(channelProblem(c.entries), undefined);

      // The kept bundle and related images, by digest.
      for (const name of ['alpha/bundle:v1.0.0', 'alpha/bundle:v1.1.0', 'alpha/operator:v1.0.0', 'alpha/operator:v1.1.0']) {
        const image = images.get(name) as PushedImage;
        assert.equal(await skopeoInspectRawDigest(`docker://${target.host}/mirror/${image.repo}@${image.digest}`, endpoint), image.digest, name);
      }
      assert.equal(await skopeoInspectRawDigest(`docker://${target.host}/mirror/alpha/operand:1.1`, endpoint), images.get('alpha/operand:1.1')?.digest);

      // Cluster resources: CatalogSource and ClusterCatalog valid against the CRDs, operator mirror sets.
      const resources = join(drive, 'working-dir', 'cluster-resources');
      const files = (await readdir(resources)).sort();
      assert.deepEqual(files, ['cc-test-index-v1.yaml', 'cs-test-index-v1.yaml', 'idms-airlock.yaml', 'itms-airlock.yaml']);
      const docs = async (file: string): Promise<Array<Record<string, unknown>>> => parseAllDocuments(await readFile(join(resources, file), 'utf8')).map((d) => d.toJSON() as Record<string, unknown>);
      const [cs] = await docs('cs-test-index-v1.yaml');
      assert.deepEqual(loadCrd('catalogsource.crd.yaml', 'operators.coreos.com/v1alpha1').errors(cs), []);
      const csSpec = (cs as { spec: Record<string, unknown>; metadata: { name: string; namespace: string } });
      assert.equal(csSpec.metadata.name, 'cs-test-index-v1');
      assert.equal(csSpec.metadata.namespace, 'openshift-marketplace');
      assert.equal(csSpec.spec.image, mirroredCatalog);
      assert.equal(csSpec.spec.sourceType, 'grpc');
      assert.equal(csSpec.spec.displayName, 'Enclave operators');
      const [cc] = await docs('cc-test-index-v1.yaml');
      assert.deepEqual(loadCrd('clustercatalog.crd.yaml', 'olm.operatorframework.io/v1').errors(cc), []);
      assert.deepEqual((cc as { spec: { source: unknown } }).spec.source, { type: 'Image', image: { ref: mirroredCatalog } });

      const idmsCrd = loadCrd('imagedigestmirrorset.crd.yaml', 'config.openshift.io/v1');
      const idms = await docs('idms-airlock.yaml');
      for (const d of idms) assert.deepEqual(idmsCrd.errors(d), []);
      assert.deepEqual(idms.map((d) => (d.metadata as { name: string }).name), ['idms-operator-0']);
      assert.deepEqual((idms[0] as { spec: { imageDigestMirrors: unknown } }).spec.imageDigestMirrors, [
        { source: `${source.host}/alpha`, mirrors: [`${target.host}/mirror/alpha`] },
      ]);
      const itmsCrd = loadCrd('imagetagmirrorset.crd.yaml', 'config.openshift.io/v1');
      const itms = await docs('itms-airlock.yaml');
      for (const d of itms) assert.deepEqual(itmsCrd.errors(d), []);
      assert.deepEqual(itms.map((d) => (d.metadata as { name: string }).name), ['itms-operator-0']);
      assert.deepEqual((itms[0] as { spec: { imageTagMirrors: unknown } }).spec.imageTagMirrors, [{ source: `${source.host}/alpha`, mirrors: [`${target.host}/mirror/alpha`] }]);
      for (const file of ['idms-airlock.yaml', 'itms-airlock.yaml']) assert.doesNotMatch(await readFile(join(resources, file), 'utf8'), /redhat|test-index/, `${file}: the catalog gets no mirror rule`);
    } finally {
      await client.close();
      await target.stop();
    }
  });

  it('a dry run lists the operator images and the catalog without writing a set', async () => {
    const dir = join(work, 'dry');
    const report = await runExport({ configFile: await config(dir), workspace: join(dir, 'drive'), cacheDir: join(work, 'cache'), dataDir: exportData, srcTlsVerify: false, retry: FAST, dryRun: true });
    assert.equal(report.dryRun, true);
    const mapping = await readFile(report.mappingFile ?? '', 'utf8');
    assert.match(mapping, /alpha\/operand:1\.1=docker:\/\/alpha\/operand:1\.1/);
    assert.match(mapping, /gamma\/bundle@/);
    assert.equal(report.failed, 1);
  });

  it('a package the catalog does not have stops the export before anything is pulled', async () => {
    const dir = join(work, 'unknown');
    const file = await writeConfig(dir, 'isc.yaml', ['kind: ImageSetConfiguration', 'apiVersion: mirror.openshift.io/v2alpha1', 'mirror:', '  operators:', `    - catalog: ${catalogRef}`, '      packages:', '        - name: nope']);
    await assert.rejects(runExport({ configFile: file, workspace: join(dir, 'drive'), cacheDir: join(work, 'cache'), dataDir: exportData, srcTlsVerify: false, retry: FAST }), (err: unknown) => {
      assert.match(String((err as Error).message), /nope/);
      return true;
    });
  });

  it('mirror-to-mirror pushes the filtered catalog and writes its CatalogSource', async () => {
    const target = await startRegistry();
    try {
      const dir = join(work, 'm2m');
      const workspace = join(dir, 'ws');
      const report = await runMirrorToMirror({ configFile: await config(dir), workspace, target: `${target.host}/m2m`, dataDir: join(work, 'm2m-data'), srcTlsVerify: false, destTlsVerify: false, retry: FAST });
      assert.deepEqual(report.images.filter((i) => i.status !== 'pushed').map((i) => i.source), [`${source.host}/gamma/operator@sha256:${'e'.repeat(64)}`]);
      const client = new RegistryClient({ registry: target.host, tlsVerify: false, retry: FAST });
      try {
        const back = await readCatalogImage(await openRegistryCatalog(client, parseReference(`${target.host}/m2m/redhat/test-index:v1`)));
        assert.deepEqual([...back.packages.values()].flatMap((p) => [...p.bundles.keys()]).sort(), ['alpha.v1.0.0', 'alpha.v1.1.0']);
      } finally {
        await client.close();
      }
      const files = (await readdir(join(workspace, 'working-dir', 'cluster-resources'))).sort();
      assert.deepEqual(files, ['cc-test-index-v1.yaml', 'cs-test-index-v1.yaml', 'idms-airlock.yaml', 'itms-airlock.yaml']);
    } finally {
      await target.stop();
    }
  });
});
