import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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

/**
 * The registries.conf of an enterprise station exporting for an enclave (section 5.8): the release
 * repositories sent to where an import into `mirror` (host/path) put them, upstream blocked.
 */
async function writeEnterpriseRegistriesConf(dir: string, mirror: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'registries.conf');
  const entry = (prefix: string, location: string): string[] => ['[[registry]]', `prefix = "${prefix}"`, `location = "${prefix}"`, 'blocked = true', '', '[[registry.mirror]]', `location = "${location}"`, 'insecure = true', ''];
  await writeFile(file, [...entry('quay.io/openshift-release-dev/ocp-release', `${mirror}/openshift/release-images`), ...entry('quay.io/openshift-release-dev/ocp-v4.0-art-dev', `${mirror}/openshift/release`)].join('\n'));
  return file;
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

  it("no OCP_SIGNATURE_VERIFICATION_PK: Red Hat's release key is trusted, so releases signed by the fixture key stop the export, naming the release", async () => {
    const config = await writeConfig(join(work, 'nokey'), 'isc.yaml', platformConfig(STABLE));
    const drive = join(work, 'nokey', 'drive');
    await assert.rejects(
      runExport({ configFile: config, workspace: drive, cacheDir: join(work, 'cache'), dataDir: exportData, srcTlsVerify: false, registriesConf: conf, env: { UPDATE_URL_OVERRIDE: graphServer.url, OCP_SIGNATURE_URL: store.url }, retry: FAST }),
      (err: unknown) => {
        assert.ok(isAirlockError(err, 'RELEASE_SIGNATURE_UNTRUSTED'), String(err));
        assert.match(err.message, /^no signature of release 4\.19\.[01] \(amd64, sha256:[a-f0-9]{64}\) is by the trusted Red Hat release key \(567E347AD0044ADE55BA8A5F199E2F91FD431D51, built in\)/);
        assert.ok(err.message.includes(key.publicKey.getKeyID().toHex().toUpperCase()), 'names the key that did sign');
        assert.match(err.hint ?? '', /OCP_SIGNATURE_VERIFICATION_PK/);
        return true;
      },
    );
    assert.equal(await exists(join(drive, 'SHA256SUMS')), false);
    assert.equal(await exists(join(drive, 'transfer.json')), false);
  });

  it('mirror.blockedImages blocks a release component: it is left out and reported blocked, and a warning names the incomplete release', async () => {
    const etcd = seeded.get('4.19.1')?.components.find((c) => c.name === 'etcd');
    assert.ok(etcd);
    const config = await writeConfig(join(work, 'blocked'), 'isc.yaml', [...platformConfig(STABLE), '  blockedImages:', `    - name: ${etcd.quayReference}`]);
    const drive = join(work, 'blocked', 'drive');
    const events: JobEvent[] = [];
    const report = await runExport({ configFile: config, workspace: drive, cacheDir: join(work, 'cache'), dataDir: exportData, srcTlsVerify: false, registriesConf: conf, env: env(), retry: FAST, onEvent: (e) => events.push(e) });
    assert.equal(report.failed, 0);
    assert.deepEqual(report.images.filter((i) => i.status === 'blocked').map((i) => [i.source, i.error]), [[etcd.quayReference, `blocked by "${etcd.quayReference}"`]]);
    assert.ok(events.some((e) => e.type === 'image' && e.status === 'blocked' && e.source === etcd.quayReference && /release 4\.19\.1 \(amd64\) component etcd/.test(e.message ?? '')));
    const incomplete = report.warnings.filter((w) => /is incomplete/.test(w));
    assert.equal(incomplete.length, 1, JSON.stringify(report.warnings));
    assert.match(incomplete[0] ?? '', /^release 4\.19\.1 \(amd64\) is incomplete: mirror\.blockedImages leaves out its component etcd /);
    assert.ok(events.some((e) => e.type === 'warning' && e.message === incomplete[0]));
    const manifest = await readTransferManifest(drive);
    const names = manifest.images.map((i) => i.name);
    assert.ok(!names.includes('openshift/release:4.19.1-x86_64-etcd'));
    assert.ok(names.includes('openshift/release:4.19.0-x86_64-etcd'));
    assert.ok(names.includes('openshift/release-images:4.19.1-x86_64'), 'the rest of the release still travels');
    assert.equal(manifest.images.length, 7);
  });

  it('graph: true in an enclave (UPDATE_URL_OVERRIDE, no graph-data URL) with no graph image beside the payloads: the export stops, naming where it looked', async () => {
    const config = await writeConfig(join(work, 'reuse-missing'), 'isc.yaml', platformConfig(STABLE, ['graph: true']));
    const drive = join(work, 'reuse-missing', 'drive');
    await assert.rejects(
      runExport({ configFile: config, workspace: drive, cacheDir: join(work, 'cache'), dataDir: exportData, srcTlsVerify: false, registriesConf: conf, env: env(), retry: FAST }),
      (err: unknown) => {
        assert.ok(isAirlockError(err, 'GRAPH_IMAGE_NOT_FOUND'), String(err));
        // The payloads come from <source>/openshift-release-dev/ocp-release, not an import layout: the registry root.
        assert.match(err.message, new RegExp(`the existing graph image ${source.host.replace(/\./g, '\\.')}/openshift/graph-image:latest cannot be used`));
        assert.equal(err.context.image, `${source.host}/openshift/graph-image:latest`);
        assert.match(err.hint ?? '', /AIRLOCK_GRAPH_IMAGE/);
        assert.match(err.hint ?? '', /AIRLOCK_GRAPH_DATA_URL/);
        return true;
      },
    );
    assert.equal(await exists(join(drive, 'SHA256SUMS')), false);
    assert.equal(await exists(join(drive, 'transfer.json')), false);
    // AIRLOCK_GRAPH_IMAGE names it outright; absent there, that is the reference the error names.
    const named = `${source.host}/elsewhere/graph-image:v1`;
    await assert.rejects(
      runExport({ configFile: config, workspace: drive, cacheDir: join(work, 'cache'), dataDir: exportData, srcTlsVerify: false, registriesConf: conf, env: { ...env(), AIRLOCK_GRAPH_IMAGE: named }, retry: FAST }),
      (err: unknown) => isAirlockError(err, 'GRAPH_IMAGE_NOT_FOUND') && err.context.image === named,
    );
  });

  it('mirror-to-mirror with graph: true pushes the same graph image and writes the same updateService.yaml as export + import', async () => {
    const a = await startRegistry();
    const b = await startRegistry();
    try {
      const now = (): Date => new Date('2026-03-04T05:06:07Z');
      const config = await writeConfig(join(work, 'graph-m2m'), 'isc.yaml', platformConfig(STABLE, ['graph: true']));
      const drive = join(work, 'graph-m2m', 'drive');
      const exported = await runExport({ configFile: config, workspace: drive, cacheDir: join(work, 'cache'), dataDir: exportData, srcTlsVerify: false, registriesConf: conf, env: env(), graphDataUrl, retry: FAST, now });
      await runImport({ from: drive, target: `${a.host}/mirror`, dataDir: enclaveData, destTlsVerify: false });
      const workspace = join(work, 'graph-m2m', 'ws');
      const m2m = await runMirrorToMirror({
        configFile: config,
        workspace,
        target: `${b.host}/mirror`,
        dataDir: join(work, 'graph-m2m-data'),
        srcTlsVerify: false,
        destTlsVerify: false,
        registriesConf: conf,
        env: { ...env(), AIRLOCK_GRAPH_DATA_URL: graphDataUrl },
        retry: FAST,
        now,
      });
      assert.ok(m2m.images.every((i) => i.status === 'pushed'), JSON.stringify(m2m.images));
      assert.equal(m2m.images.length, 9, 'payloads, components and the graph image');
      assert.ok(!(m2m.warnings ?? []).some((w) => /graph/.test(w)), JSON.stringify(m2m.warnings));
      const graph = exported.releases?.graphImage;
      assert.ok(graph);
      assert.equal(m2m.releases?.graphImage, graph);
      assert.equal(await skopeoInspectRawDigest(`docker://${a.host}/mirror/openshift/graph-image:latest`, skopeoEndpointFor(a)), graph);
      assert.equal(await skopeoInspectRawDigest(`docker://${b.host}/mirror/openshift/graph-image:latest`, skopeoEndpointFor(b)), graph);

      const viaImport = join(drive, 'working-dir', 'cluster-resources');
      const viaM2m = join(workspace, 'working-dir', 'cluster-resources');
      assert.deepEqual((await readdir(viaM2m)).sort(), ['idms-airlock.yaml', 'signature-configmap.json', 'signature-configmap.yaml', 'updateService.yaml']);
      // The hosts differ, and the createdAt annotation is written with milliseconds by the import
      // (the set's createdAt) and without by mirror-to-mirror; everything else must be the same.
      const normalised = async (dir: string, host: string, file: string): Promise<string> =>
        (await readFile(join(dir, file), 'utf8')).replaceAll(host, '<registry>').replace(/"2026-03-04T05:06:07(\.000)?Z"/g, '<now>');
      for (const file of await readdir(viaM2m)) {
        assert.equal(await normalised(viaM2m, b.host, file), await normalised(viaImport, a.host, file), `${file} is the same either way`);
        assert.doesNotMatch(await readFile(join(viaM2m, file), 'utf8'), /airlock\.invalid|registry\.access\.redhat\.com/, `${file} names no placeholder and no graph base`);
      }
      assert.doesNotMatch(await readFile(join(viaM2m, 'idms-airlock.yaml'), 'utf8'), /graph-image/, 'the graph image gets no mirror rule');
      const [us] = parseAllDocuments(await readFile(join(viaM2m, 'updateService.yaml'), 'utf8')).map((d) => d.toJSON() as { spec: unknown });
      assert.deepEqual(us?.spec, { graphDataImage: `${b.host}/mirror/openshift/graph-image:latest`, releases: `${b.host}/mirror/openshift/release-images`, replicas: 2 });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('graph: true in an enclave reuses the graph image beside the release payloads in the enterprise registry; the import pushes it and writes updateService.yaml', async () => {
    const enterprise = await startRegistry();
    const enclave = await startRegistry();
    try {
      const config = await writeConfig(join(work, 'enclave'), 'isc.yaml', platformConfig(STABLE, ['graph: true']));
      // Flow 1 of section 5.8 in short: the enterprise registry holds the releases and the graph image.
      const seededEnterprise = await runMirrorToMirror({
        configFile: config,
        workspace: join(work, 'enclave', 'enterprise-ws'),
        target: `${enterprise.host}/mirror`,
        dataDir: join(work, 'enclave', 'enterprise-data'),
        srcTlsVerify: false,
        destTlsVerify: false,
        registriesConf: conf,
        env: { ...env(), AIRLOCK_GRAPH_DATA_URL: graphDataUrl },
        retry: FAST,
      });
      const graph = seededEnterprise.releases?.graphImage;
      assert.ok(graph);

      // Flow 2: the enterprise station exports for the enclave from its registry, with its own update service.
      const enterpriseConf = await loadRegistriesConf({ file: await writeEnterpriseRegistriesConf(join(work, 'enclave', 'conf'), `${enterprise.host}/mirror`) });
      const drive = join(work, 'enclave', 'drive');
      const events: JobEvent[] = [];
      const exported = await runExport({ configFile: config, workspace: drive, cacheDir: join(work, 'enclave', 'cache'), dataDir: exportData, srcTlsVerify: false, registriesConf: enterpriseConf, env: env(), retry: FAST, onEvent: (e) => events.push(e) });
      const reused = `${enterprise.host}/mirror/openshift/graph-image:latest`;
      assert.equal(exported.failed, 0);
      assert.equal(exported.releases?.graphImage, graph, 'the very image the enterprise registry holds');
      assert.ok(events.some((e) => e.type === 'log' && e.message.includes(`reusing the existing graph image ${reused} (${graph})`)));
      assert.ok(!events.some((e) => e.type === 'log' && /building the graph-data image/.test(e.message)), 'nothing is downloaded or built');
      const manifest = await readTransferManifest(drive);
      const entry = manifest.images.find((i) => i.name === 'openshift/graph-image:latest');
      assert.equal(entry?.origin, 'release');
      assert.equal(entry?.source, reused);
      assert.equal(manifest.images.length, 9);

      // Flow 3: the enclave imports it and gets the UpdateService.
      const imported = await runImport({ from: drive, target: `${enclave.host}/mirror`, dataDir: enclaveData, destTlsVerify: false });
      assert.ok(imported.images.every((i) => i.status === 'pushed'), JSON.stringify(imported.images));
      assert.equal(await skopeoInspectRawDigest(`docker://${enclave.host}/mirror/openshift/graph-image:latest`, skopeoEndpointFor(enclave)), graph);
      const dir = join(drive, 'working-dir', 'cluster-resources');
      const [us] = parseAllDocuments(await readFile(join(dir, 'updateService.yaml'), 'utf8')).map((d) => d.toJSON() as { spec: unknown });
      assert.deepEqual(us?.spec, { graphDataImage: `${enclave.host}/mirror/openshift/graph-image:latest`, releases: `${enclave.host}/mirror/openshift/release-images`, replicas: 2 });
      assert.doesNotMatch(await readFile(join(dir, 'idms-airlock.yaml'), 'utf8'), /graph-image/, 'the graph image gets no mirror rule');
    } finally {
      await Promise.all([enterprise.stop(), enclave.stop()]);
    }
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
