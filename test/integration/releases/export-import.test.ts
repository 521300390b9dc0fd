import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { runExport } from '../../../src/jobs/export';
import { runImport } from '../../../src/jobs/import';
import { runMirrorToMirror } from '../../../src/jobs/mirror-to-mirror';
import type { JobEvent } from '../../../src/jobs/events';
import { loadOrCreateStationKey, publicKeyPem, trustKey } from '../../../src/keys';
import { readTransferManifest } from '../../../src/media';
import { isAirlockError } from '../../../src/errors';
import { loadRegistriesConf, type RegistriesConf } from '../../../src/registry/registries-conf';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { seedRegistry, type PushedImage } from '../../fixtures/images';
import { seedRelease, tarOf, writeReleaseRegistriesConf, type SeededRelease } from '../../fixtures/release-images';
import { makeFixtureKey, signPayload, startSignatureStore, type FixtureKey, type SignatureStore } from '../../fixtures/signature-store';
import { startUpdateGraphServer, type UpdateGraphServer } from '../../fixtures/update-graph';
import { skopeoEndpointFor, skopeoInspectRawDigest } from '../../fixtures/skopeo';
import { loadCrd, isDnsSubdomain } from '../../unit/resources/crd-schema';
import { writeConfig } from '../export/helpers';

/**
 * mirror.platform end to end, on loopback only: a fixture update graph (UPDATE_URL_OVERRIDE), a
 * fixture signature store and key (OCP_SIGNATURE_URL, OCP_SIGNATURE_VERIFICATION_PK), release
 * payloads and components in a real registry reached through a registries.conf that sends
 * quay.io/openshift-release-dev and registry.access.redhat.com/ubi9 to it, a graph-data tarball
 * served locally. Export, then import into a second registry, then check the registry with skopeo
 * and the cluster resources against the CRDs.
 */

const COMPONENTS = ['cli', 'etcd', 'installer'];
const STABLE = 'stable-4.19\nminVersion: 4.19.0';

/** `channel` may carry its settings: `stable-4.19\n  minVersion: 4.19.0`. */
function platformConfig(channel: string, extra: readonly string[] = [], images: readonly string[] = []): string[] {
  const [name, ...settings] = channel.split('\n');
  return [
    'kind: ImageSetConfiguration',
    'apiVersion: mirror.openshift.io/v2alpha1',
    'mirror:',
    '  platform:',
    ...extra.map((l) => `    ${l}`),
    '    channels:',
    `      - name: ${name ?? ''}`,
    ...settings.map((l) => `        ${l.trim()}`),
    ...(images.length > 0 ? ['  additionalImages:', ...images.map((i) => `    - name: ${i}`)] : []),
  ];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe('releases: export with mirror.platform, then import', () => {
  let work: string;
  let source: RegistryFixture;
  let graphServer: UpdateGraphServer;
  let store: SignatureStore;
  let key: FixtureKey;
  let keyFile: string;
  let conf: RegistriesConf;
  let graphData: Server;
  let graphDataUrl: string;
  let app: PushedImage;
  let exportData: string;
  let enclaveData: string;
  const seeded = new Map<string, SeededRelease>();
  const env = (): NodeJS.ProcessEnv => ({ UPDATE_URL_OVERRIDE: graphServer.url, OCP_SIGNATURE_URL: store.url, OCP_SIGNATURE_VERIFICATION_PK: keyFile });
  const FAST = { times: 1, delayMs: 1 };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'airlock-releases-e2e-'));
    source = await startRegistry();
    // Two good releases sharing `cli` (same digest, as z-streams share unchanged images), one with a
    // component that was never pushed, one whose signature is for another payload.
    for (const version of ['4.19.0', '4.19.1', '4.19.2', '4.19.3']) {
      seeded.set(
        version,
        await seedRelease(source, {
          version,
          arch: 'amd64',
          components: COMPONENTS,
          componentSeed: (n) => (n === 'cli' ? 'e2e/shared-cli' : `e2e/${version}/${n}`),
          missing: version === '4.19.2' ? ['etcd'] : [],
        }),
      );
    }
    const release = (v: string): SeededRelease => seeded.get(v) as SeededRelease;
    const node = (v: string): { version: string; payload: string } => ({ version: v, payload: release(v).payload });
    [app] = await seedRegistry(source, [
      { repo: 'team/app', tag: '1.0', spec: { seed: 'e2e-app', format: 'oci', layers: [4096] } },
      { repo: 'ubi9/ubi', tag: 'latest', spec: { kind: 'index', seed: 'e2e-ubi9', format: 'docker', layers: [2048] } },
    ]) as [PushedImage, PushedImage];
    graphServer = await startUpdateGraphServer({
      'stable-4.19': { kind: 'graph', byArch: { amd64: { nodes: ['4.19.0', '4.19.1'].map(node), edges: [['4.19.0', '4.19.1']] } } },
      'broken-4.19': { kind: 'graph', byArch: { amd64: { nodes: [node('4.19.2')] } } },
      'badsig-4.19': { kind: 'graph', byArch: { amd64: { nodes: [node('4.19.3')] } } },
    });
    store = await startSignatureStore();
    key = await makeFixtureKey();
    for (const v of ['4.19.0', '4.19.1', '4.19.2']) {
      const r = release(v);
      store.put(r.digest, 1, await signPayload(key, { digest: r.digest, reference: `quay.io/openshift-release-dev/ocp-release:${r.tag}` }));
    }
    // A valid signature by the trusted key, but for 4.19.0's payload.
    store.put(release('4.19.3').digest, 1, await signPayload(key, { digest: release('4.19.0').digest, reference: 'quay.io/openshift-release-dev/ocp-release:4.19.3-x86_64' }));
    keyFile = join(work, 'release-key.asc');
    await writeFile(keyFile, key.armoredPublicKey);
    conf = await loadRegistriesConf({ file: await writeReleaseRegistriesConf(join(work, 'conf'), source.host, ['registry.access.redhat.com/ubi9']) });

    const tarball = gzipSync(
      tarOf([
        { path: 'channels/stable-4.19.yaml', content: 'name: stable-4.19\nversions:\n- 4.19.0\n- 4.19.1\n' },
        { path: 'version', content: '1.0.0\n' },
      ]),
    );
    graphData = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': tarball.length });
      res.end(tarball);
    });
    await new Promise<void>((resolve) => graphData.listen(0, '127.0.0.1', resolve));
    graphDataUrl = `http://127.0.0.1:${(graphData.address() as AddressInfo).port}/api/upgrades_info/graph-data`;

    exportData = join(work, 'connected-data');
    enclaveData = join(work, 'enclave-data');
    await trustKey(enclaveData, publicKeyPem(await loadOrCreateStationKey(exportData)), 'connected station');
  });

  after(async () => {
    graphData?.closeAllConnections();
    await new Promise<void>((resolve) => (graphData ? graphData.close(() => resolve()) : resolve()));
    await graphServer?.stop();
    await store?.stop();
    await source?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('carries every payload and component, the graph image and the signatures; the import pushes them and writes IDMS, UpdateService and signature ConfigMap', async () => {
    const target = await startRegistry();
    try {
      const config = await writeConfig(join(work, 'good'), 'isc.yaml', platformConfig(STABLE, ['graph: true'], [app.reference]));
      const drive = join(work, 'good', 'drive');
      const events: JobEvent[] = [];
      const exported = await runExport({
        configFile: config,
        workspace: drive,
        cacheDir: join(work, 'cache'),
        dataDir: exportData,
        srcTlsVerify: false,
        registriesConf: conf,
        env: env(),
        graphDataUrl,
        retry: FAST,
        onEvent: (e) => events.push(e),
      });
      assert.equal(exported.failed, 0, JSON.stringify(exported.images.filter((i) => i.status !== 'ok')));
      // 2 payloads + 2 x 3 components + the additional image + the graph image.
      assert.equal(exported.images.length, 10);
      assert.deepEqual(exported.releases?.releases.map((r) => [r.version, r.images, r.signatures, r.reasons.map((x) => `${x.rule} in ${x.channel}`)]), [
        ['4.19.0', 4, 1, ['min-to-latest in stable-4.19']],
        ['4.19.1', 4, 1, ['min-to-latest in stable-4.19']],
      ]);
      assert.deepEqual(exported.releases?.summary, ['4.19.0 (amd64): min-to-latest in stable-4.19', '4.19.1 (amd64): min-to-latest in stable-4.19']);
      assert.ok(exported.releases?.graphImage);
      assert.ok(events.some((e) => e.type === 'log' && /^release 4\.19\.1 \(amd64\): /.test(e.message)), 'the selection is reported as job events');
      assert.ok(await exists(join(drive, 'SHA256SUMS')));

      const manifest = await readTransferManifest(drive);
      assert.deepEqual(
        manifest.releaseSignatures?.map((r) => [r.version, r.digest, r.signatures.map((s) => s.index)]),
        ['4.19.0', '4.19.1'].map((v) => [v, seeded.get(v)?.digest, [1]]),
      );
      const graphEntry = manifest.images.find((i) => i.name === 'openshift/graph-image:latest');
      assert.equal(graphEntry?.origin, 'release');
      assert.ok(manifest.images.filter((i) => i.name.startsWith('openshift/release')).every((i) => i.origin === 'release' && i.byDigest === true));
      assert.ok(!manifest.images.some((i) => i.source.startsWith('registry.access.redhat.com/')), 'the graph base image is not shipped on its own');

      const imported = await runImport({ from: drive, target: `${target.host}/mirror`, dataDir: enclaveData, destTlsVerify: false });
      assert.ok(imported.images.every((i) => i.status === 'pushed'), JSON.stringify(imported.images.filter((i) => i.status !== 'pushed')));
      const endpoint = skopeoEndpointFor(target);
      for (const v of ['4.19.0', '4.19.1']) {
        const r = seeded.get(v) as SeededRelease;
        assert.equal(await skopeoInspectRawDigest(`docker://${target.host}/mirror/openshift/release-images:${r.tag}`, endpoint), r.digest, `payload ${v}`);
        for (const c of r.components) {
          assert.equal(await skopeoInspectRawDigest(`docker://${target.host}/mirror/openshift/release:${r.tag}-${c.name}`, endpoint), c.digest, `${v} ${c.name}`);
        }
      }
      assert.equal(await skopeoInspectRawDigest(`docker://${target.host}/mirror/openshift/graph-image:latest`, endpoint), exported.releases?.graphImage);
      assert.equal(await skopeoInspectRawDigest(`docker://${target.host}/mirror/team/app:1.0`, endpoint), app.digest);

      const dir = join(drive, 'working-dir', 'cluster-resources');
      assert.deepEqual((await readdir(dir)).sort(), ['idms-airlock.yaml', 'itms-airlock.yaml', 'signature-configmap.json', 'signature-configmap.yaml', 'updateService.yaml']);
      const docs = async (file: string): Promise<Array<Record<string, unknown>>> => parseAllDocuments(await readFile(join(dir, file), 'utf8')).map((d) => d.toJSON() as Record<string, unknown>);

      const idmsCrd = loadCrd('imagedigestmirrorset.crd.yaml', 'config.openshift.io/v1');
      const idms = await docs('idms-airlock.yaml');
      for (const d of idms) assert.deepEqual(idmsCrd.errors(d), [], JSON.stringify(d));
      const release0 = idms.find((d) => (d.metadata as { name: string }).name === 'idms-release-0') as { spec: { imageDigestMirrors: unknown } } | undefined;
      assert.ok(release0, 'idms-release-0 is written');
      assert.deepEqual(release0.spec.imageDigestMirrors, [
        { source: 'quay.io/openshift-release-dev/ocp-release', mirrors: [`${target.host}/mirror/openshift/release-images`] },
        { source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', mirrors: [`${target.host}/mirror/openshift/release`] },
      ]);
      const itmsCrd = loadCrd('imagetagmirrorset.crd.yaml', 'config.openshift.io/v1');
      for (const d of await docs('itms-airlock.yaml')) assert.deepEqual(itmsCrd.errors(d), []);
      for (const file of await readdir(dir)) assert.doesNotMatch(await readFile(join(dir, file), 'utf8'), /airlock\.invalid|registry\.access\.redhat\.com/, `${file} names no placeholder and no graph base`);

      const usCrd = loadCrd('updateservice.crd.yaml', 'updateservice.operator.openshift.io/v1');
      const [us] = await docs('updateService.yaml');
      assert.deepEqual(usCrd.errors(us), []);
      assert.deepEqual((us as { spec: unknown }).spec, { graphDataImage: `${target.host}/mirror/openshift/graph-image:latest`, releases: `${target.host}/mirror/openshift/release-images`, replicas: 2 });

      // The ConfigMap has no CRD: checked by shape, as the cluster-version operator reads it.
      const [cm] = await docs('signature-configmap.yaml');
      const cmJson = JSON.parse(await readFile(join(dir, 'signature-configmap.json'), 'utf8')) as unknown;
      assert.deepEqual(cmJson, cm);
      const shaped = cm as { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> }; binaryData: Record<string, string>; data?: unknown };
      assert.equal(shaped.apiVersion, 'v1');
      assert.equal(shaped.kind, 'ConfigMap');
      assert.equal(shaped.metadata.name, 'mirrored-release-signatures');
      assert.ok(isDnsSubdomain(shaped.metadata.name));
      assert.equal(shaped.metadata.namespace, 'openshift-config-managed');
      assert.equal(shaped.metadata.labels['release.openshift.io/verification-signatures'], '');
      assert.equal(shaped.data, undefined);
      const expected: Record<string, string> = {};
      for (const record of manifest.releaseSignatures ?? []) for (const s of record.signatures) expected[`${record.digest.replace('sha256:', 'sha256-')}-${s.index}`] = s.data;
      assert.deepEqual(shaped.binaryData, expected);
      assert.equal(Object.keys(shaped.binaryData).length, 2);
      for (const [k, v] of Object.entries(shaped.binaryData)) {
        assert.match(k, /^sha256-[a-f0-9]{64}-1$/);
        assert.ok(Buffer.from(v, 'base64').length > 50, 'binaryData holds the signature bytes, base64');
      }
      // The YAML file parses as one object.
      assert.equal(typeof parseYaml((await readFile(join(dir, 'signature-configmap.yaml'), 'utf8')).replace(/^---\n/, '')), 'object');
    } finally {
      await target.stop();
    }
  });

  it('a release with a missing component stops the export before the set is written, naming release and component', async () => {
    const config = await writeConfig(join(work, 'broken'), 'isc.yaml', platformConfig('broken-4.19'));
    const drive = join(work, 'broken', 'drive');
    await assert.rejects(
      runExport({ configFile: config, workspace: drive, cacheDir: join(work, 'cache'), dataDir: exportData, srcTlsVerify: false, registriesConf: conf, env: env(), retry: FAST }),
      (err: unknown) => {
        assert.ok(isAirlockError(err, 'RELEASE_INCOMPLETE'), String(err));
        assert.match(err.message, /release 4\.19\.2 \(amd64\) component etcd/);
        assert.match(err.message, /nothing was written/);
        return true;
      },
    );
    assert.equal(await exists(join(drive, 'SHA256SUMS')), false);
    assert.equal(await exists(join(drive, 'transfer.json')), false);
  });

  it('a signature for another payload stops the export before anything is pulled or written', async () => {
    const config = await writeConfig(join(work, 'badsig'), 'isc.yaml', platformConfig('badsig-4.19'));
    const drive = join(work, 'badsig', 'drive');
    await assert.rejects(
      runExport({ configFile: config, workspace: drive, cacheDir: join(work, 'cache-badsig'), dataDir: exportData, srcTlsVerify: false, registriesConf: conf, env: env(), retry: FAST }),
      (err: unknown) => {
        assert.ok(isAirlockError(err, 'RELEASE_SIGNATURE_MISMATCH'), String(err));
        assert.match(err.message, /4\.19\.3/);
        return true;
      },
    );
    assert.equal(await exists(join(drive, 'SHA256SUMS')), false);
    assert.equal(await exists(join(work, 'cache-badsig')), false);
  });

  it('no release key configured: the export stops with a clear error', async () => {
    const config = await writeConfig(join(work, 'nokey'), 'isc.yaml', platformConfig(STABLE));
    await assert.rejects(
      runExport({ configFile: config, workspace: join(work, 'nokey', 'drive'), cacheDir: join(work, 'cache'), dataDir: exportData, srcTlsVerify: false, registriesConf: conf, env: { UPDATE_URL_OVERRIDE: graphServer.url, OCP_SIGNATURE_URL: store.url }, retry: FAST }),
      (err: unknown) => isAirlockError(err, 'RELEASE_KEY_MISSING'),
    );
  });

  it('graph: true with UPDATE_URL_OVERRIDE and no graph-data URL: a warning, no graph image', async () => {
    const config = await writeConfig(join(work, 'reuse'), 'isc.yaml', platformConfig(STABLE, ['graph: true']));
    const drive = join(work, 'reuse', 'drive');
    const events: JobEvent[] = [];
    const report = await runExport({ configFile: config, workspace: drive, cacheDir: join(work, 'cache'), dataDir: exportData, srcTlsVerify: false, registriesConf: conf, env: env(), retry: FAST, onEvent: (e) => events.push(e) });
    assert.ok(events.some((e) => e.type === 'warning' && /reusing an existing graph-data image is not implemented/.test(e.message)));
    assert.equal(report.releases?.graphImage, undefined);
    const manifest = await readTransferManifest(drive);
    assert.ok(!manifest.images.some((i) => i.name === 'openshift/graph-image:latest'));
    assert.equal(manifest.images.length, 8);
  });

  it('mirror-to-mirror carries the releases too, with the release IDMS and the signature ConfigMap', async () => {
    const target = await startRegistry();
    try {
      const config = await writeConfig(join(work, 'm2m'), 'isc.yaml', platformConfig(STABLE));
      const workspace = join(work, 'm2m', 'ws');
      const report = await runMirrorToMirror({ configFile: config, workspace, target: `${target.host}/m2m`, dataDir: join(work, 'm2m-data'), srcTlsVerify: false, destTlsVerify: false, registriesConf: conf, env: env(), retry: FAST });
      assert.ok(report.images.every((i) => i.status === 'pushed'), JSON.stringify(report.images));
      assert.equal(report.images.length, 8);
      const r = seeded.get('4.19.1') as SeededRelease;
      assert.equal(await skopeoInspectRawDigest(`docker://${target.host}/m2m/openshift/release-images:${r.tag}`, skopeoEndpointFor(target)), r.digest);
      const dir = join(workspace, 'working-dir', 'cluster-resources');
      assert.deepEqual((await readdir(dir)).sort(), ['idms-airlock.yaml', 'signature-configmap.json', 'signature-configmap.yaml']);
      const cm = JSON.parse(await readFile(join(dir, 'signature-configmap.json'), 'utf8')) as { binaryData: Record<string, string> };
      assert.deepEqual(Object.keys(cm.binaryData).sort(), ['4.19.0', '4.19.1'].map((v) => `${(seeded.get(v)?.digest ?? '').replace('sha256:', 'sha256-')}-1`).sort());
    } finally {
      await target.stop();
    }
  });
});
