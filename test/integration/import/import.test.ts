import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, truncate, open, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { seedRegistry, type PushedImage, type SeedEntry } from '../../fixtures/images';
import { skopeoEndpointFor, skopeoInspectRawDigest } from '../../fixtures/skopeo';
import { runExport } from '../../../src/jobs/export';
import { runImport } from '../../../src/jobs/import';
import { runVerify } from '../../../src/jobs/verify';
import { runMirrorToMirror } from '../../../src/jobs/mirror-to-mirror';
import { loadOrCreateStationKey, publicKeyPem, trustKey } from '../../../src/keys';
import { readTransferManifest } from '../../../src/media';
import { isAirlockError } from '../../../src/errors';
import { openHistory } from '../../../src/store';
import { iscLines, writeConfig } from '../export/helpers';

const KiB = 1024;
const BASE = { size: 200 * KiB, seed: 'import-base' };
const ENTRIES: SeedEntry[] = [
  { repo: 'team/oci', tag: '1.0', spec: { seed: 'i-oci', format: 'oci', layers: [BASE, 100 * KiB] } },
  { repo: 'team/multi', tag: '2.0', spec: { kind: 'index', seed: 'i-multi', format: 'oci', layers: [60 * KiB] } },
  { repo: 'team/docker', tag: '3.0', spec: { seed: 'i-docker', format: 'docker', layers: [BASE, 80 * KiB] } },
  { repo: 'team/list', tag: '4.0', spec: { kind: 'index', seed: 'i-list', format: 'docker', layers: [40 * KiB] } },
  { repo: 'team/later', tag: '5.0', spec: { seed: 'i-later', format: 'oci', layers: [BASE, 70 * KiB] } },
];

async function catalog(registry: RegistryFixture): Promise<string[]> {
  const res = await fetch(`${registry.url}/v2/_catalog`);
  return ((await res.json()) as { repositories: string[] }).repositories;
}

describe('import from media into the enclave registry', () => {
  let source: RegistryFixture;
  let work: string;
  let pushed: PushedImage[];
  let exportData: string;
  let enclaveData: string;
  let stationPem: string;
  const byRepo = (repo: string): PushedImage => pushed.find((p) => p.repo === repo) as PushedImage;
  const refs = (...repos: string[]): string[] => repos.map((r) => byRepo(r).reference);

  async function exportSet(name: string, repos: string[], extra: { full?: boolean; dataDir?: string; workspace?: string } = {}): Promise<string> {
    const config = await writeConfig(join(work, name), 'isc.yaml', iscLines(refs(...repos)));
    const drive = extra.workspace ?? join(work, name, 'drive');
    await runExport({ configFile: config, workspace: drive, cacheDir: join(work, 'cache'), dataDir: extra.dataDir ?? exportData, srcTlsVerify: false, ...(extra.full ? { full: true } : {}) });
    return drive;
  }

  before(async () => {
    source = await startRegistry();
    pushed = await seedRegistry(source, ENTRIES);
    work = await mkdtemp(join(tmpdir(), 'airlock-import-'));
    exportData = join(work, 'connected-data');
    enclaveData = join(work, 'enclave-data');
    stationPem = publicKeyPem(await loadOrCreateStationKey(exportData));
    await trustKey(enclaveData, stationPem, 'connected station');
  });
  after(async () => {
    await source.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('imports every image with its digest, writes valid deterministic mirror sets, and re-imports nothing', async () => {
    const target = await startRegistry({ auth: 'htpasswd' });
    try {
      const drive = await exportSet('round', ['team/oci', 'team/multi', 'team/docker', 'team/list']);
      const credentials = { lookup: async () => ({ username: target.username ?? '', password: target.password ?? '', source: 'test' }), describe: () => 'test' };
      const first = await runImport({ from: drive, target: `${target.host}/mirror`, dataDir: enclaveData, destTlsVerify: false, credentials });
      assert.deepEqual(first.images.map((i) => i.status), ['pushed', 'pushed', 'pushed', 'pushed'], JSON.stringify(first.images));
      assert.ok(first.bytesPushed > 400 * KiB);
      const endpoint = skopeoEndpointFor(target);
      for (const repo of ['team/oci', 'team/multi', 'team/docker', 'team/list']) {
        const image = byRepo(repo);
        assert.equal(await skopeoInspectRawDigest(`docker://${target.host}/mirror/${repo}:${image.tag}`, endpoint), image.digest, repo);
        for (const child of image.children ?? []) assert.equal(await skopeoInspectRawDigest(`docker://${target.host}/mirror/${repo}@${child.digest}`, endpoint), child.digest);
      }
      const itms = await readFile(join(drive, 'working-dir', 'cluster-resources', 'itms-airlock.yaml'), 'utf8');
      const doc = parseYaml(itms.replace(/^---\n/, '')) as { kind: string; spec: { imageTagMirrors: Array<{ source: string; mirrors: string[] }> } };
      assert.equal(doc.kind, 'ImageTagMirrorSet');
      assert.deepEqual(doc.spec.imageTagMirrors, [{ source: `${source.host}/team`, mirrors: [`${target.host}/mirror/team`] }]);

      // Idempotent: the same set again pushes nothing and writes the same bytes.
      const again = await runImport({ from: drive, target: `${target.host}/mirror`, dataDir: enclaveData, destTlsVerify: false, credentials });
      assert.equal(again.bytesPushed, 0);
      assert.equal(again.blobsPushed, 0);
      assert.equal(await readFile(join(drive, 'working-dir', 'cluster-resources', 'itms-airlock.yaml'), 'utf8'), itms);

      const events = openHistory(join(enclaveData, 'history.db')).listEvents({ kind: 'import' });
      assert.equal(events.length, 2);
      assert.equal(events[0]?.registry, `${target.host}/mirror`);
    } finally {
      await target.stop();
    }
  });

  it('imports only what -c selects and names what the drive does not carry', async () => {
    const target = await startRegistry();
    try {
      const drive = await exportSet('subset', ['team/oci', 'team/docker']);
      const config = await writeConfig(join(work, 'subset'), 'enclave.yaml', iscLines([...refs('team/docker'), `${source.host}/team/absent:1`]));
      const report = await runImport({ from: drive, target: target.host, dataDir: enclaveData, destTlsVerify: false, configFile: config });
      assert.deepEqual(report.images.map((i) => [i.destination, i.status]), [
        [`${target.host}/team/docker:3.0`, 'pushed'],
        [`${target.host}/team/absent:1`, 'failed'],
      ]);
      assert.match(report.images[1]?.error ?? '', /not in transfer set/);
      assert.deepEqual(await catalog(target), ['team/docker']);
    } finally {
      await target.stop();
    }
  });

  it('refuses a delta set whose base is not in the registry, naming the base set, before pushing anything', async () => {
    const target = await startRegistry();
    try {
      const data = join(work, 'delta-data');
      await loadOrCreateStationKey(data);
      await trustKey(enclaveData, publicKeyPem(await loadOrCreateStationKey(data)), 'delta station');
      const drive = join(work, 'delta', 'drive');
      await exportSet('delta', ['team/oci'], { dataDir: data, workspace: drive });
      const base = (await readTransferManifest(drive)).setId;
      await exportSet('delta', ['team/oci', 'team/later'], { dataDir: data, workspace: drive });
      const delta = await readTransferManifest(drive);
      assert.deepEqual(delta.baseSets, [base]);
      await assert.rejects(runImport({ from: drive, target: target.host, dataDir: enclaveData, destTlsVerify: false }), (err: unknown) => {
        assert.ok(isAirlockError(err, 'IMPORT_BASE_MISSING'), String(err));
        assert.match(err.message, new RegExp(`builds on set\\(s\\) ${base}`));
        return true;
      });
      assert.deepEqual(await catalog(target), []);
    } finally {
      await target.stop();
    }
  });

  it('verify catches a flipped byte, a truncated part, a missing part, a tampered transfer.json and an untrusted key', async () => {
    const good = await exportSet('verify', ['team/oci', 'team/docker']);
    assert.equal((await runVerify({ dir: good, dataDir: enclaveData })).ok, true);
    const manifest = await readTransferManifest(good);
    const part = manifest.parts[0]?.name ?? '';
    const layer = manifest.blobs.find((b) => b.kind === 'layer' && b.size > 50 * KiB);
    assert.ok(layer);
    const copy = async (name: string): Promise<string> => {
      const dir = join(work, 'verify-cases', name);
      await cp(good, dir, { recursive: true });
      return dir;
    };

    const flipped = await copy('flipped');
    const fh = await open(join(flipped, part), 'r+');
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, layer.offset + 100);
    b[0] = (b[0] ?? 0) ^ 0x80;
    await fh.write(b, 0, 1, layer.offset + 100);
    await fh.close();
    const r1 = await runVerify({ dir: flipped, dataDir: enclaveData });
    assert.equal(r1.ok, false);
    assert.ok(r1.problems.some((p) => p.code === 'BLOB_DIGEST_MISMATCH' && p.part === part && p.blob === layer.digest), JSON.stringify(r1.problems));

    const truncated = await copy('truncated');
    await truncate(join(truncated, part), 4096);
    const r2 = await runVerify({ dir: truncated, dataDir: enclaveData });
    assert.ok(r2.problems.some((p) => p.code === 'SIZE_MISMATCH' && p.part === part), JSON.stringify(r2.problems));

    const missing = await copy('missing');
    await unlink(join(missing, part));
    const r3 = await runVerify({ dir: missing, dataDir: enclaveData });
    assert.ok(r3.problems.some((p) => p.code === 'FILE_MISSING' && p.file === part), JSON.stringify(r3.problems));

    // Tampering that keeps SHA256SUMS consistent is still caught by the signature.
    const tampered = await copy('tampered');
    const text = (await readFile(join(tampered, 'transfer.json'), 'utf8')).replace(byRepo('team/oci').reference, `${source.host}/evil/oci:1.0`);
    await writeFile(join(tampered, 'transfer.json'), text);
    const sums = (await readFile(join(tampered, 'SHA256SUMS'), 'utf8')).replace(/^[a-f0-9]{64}(  transfer\.json)$/m, `${createHash('sha256').update(text).digest('hex')}$1`);
    await writeFile(join(tampered, 'SHA256SUMS'), sums);
    const r4 = await runVerify({ dir: tampered, dataDir: enclaveData });
    assert.ok(r4.problems.some((p) => p.code === 'SIGNATURE_UNTRUSTED' && /changed/.test(p.message)), JSON.stringify(r4.problems));
    const r4b = await runVerify({ dir: tampered, dataDir: enclaveData, insecureAcceptUntrusted: true });
    assert.equal(r4b.ok, false, 'a tampered manifest is never accepted, whatever the flag');

    const stranger = join(work, 'stranger-data');
    const r5 = await runVerify({ dir: good, dataDir: stranger });
    assert.ok(r5.problems.some((p) => p.code === 'SIGNATURE_UNTRUSTED'));
    const r5b = await runVerify({ dir: good, dataDir: stranger, insecureAcceptUntrusted: true });
    assert.equal(r5b.ok, true);
    assert.equal(r5b.insecureAccepted, true);
    const events = openHistory(join(stranger, 'history.db')).listEvents({ kind: 'verify' });
    assert.deepEqual(events.map((e) => [e.result, e.insecureAccepted]), [['ok', true], ['failed', false]]);

    // And an import from a damaged set pushes nothing.
    const target = await startRegistry();
    try {
      await assert.rejects(runImport({ from: flipped, target: target.host, dataDir: enclaveData, destTlsVerify: false }), (err: unknown) => isAirlockError(err, 'IMPORT_REFUSED'));
      assert.deepEqual(await catalog(target), []);
    } finally {
      await target.stop();
    }
  });

  it('mirror to mirror gives the same registry contents and resources as export then import', async () => {
    const [viaDisk, direct] = await Promise.all([startRegistry(), startRegistry()]);
    try {
      const repos = ['team/oci', 'team/multi', 'team/docker', 'team/list'];
      const drive = await exportSet('m2m', repos);
      const imported = await runImport({ from: drive, target: `${viaDisk.host}/m`, dataDir: enclaveData, destTlsVerify: false, workspace: join(work, 'm2m', 'ws-import') });
      const config = await writeConfig(join(work, 'm2m'), 'isc.yaml', iscLines(refs(...repos)));
      const mirrored = await runMirrorToMirror({ configFile: config, workspace: join(work, 'm2m', 'ws'), target: `${direct.host}/m`, dataDir: enclaveData, srcTlsVerify: false, destTlsVerify: false });
      assert.deepEqual(mirrored.images.map((i) => i.status), ['pushed', 'pushed', 'pushed', 'pushed']);
      assert.deepEqual(await catalog(viaDisk), await catalog(direct));
      for (const repo of repos) {
        const image = byRepo(repo);
        const a = await skopeoInspectRawDigest(`docker://${viaDisk.host}/m/${repo}:${image.tag}`, { tlsVerify: false });
        const b = await skopeoInspectRawDigest(`docker://${direct.host}/m/${repo}:${image.tag}`, { tlsVerify: false });
        assert.equal(a, image.digest);
        assert.equal(b, image.digest);
      }
      const docs = async (files: readonly string[]): Promise<unknown[]> =>
        (await Promise.all(files.map(async (f) => parseAllDocuments(await readFile(f, 'utf8')).map((d) => d.toJS() as { spec: unknown })))).flat().map((d) => (d as { spec: unknown }).spec);
      const specA = JSON.stringify(await docs(imported.clusterResources)).replaceAll(viaDisk.host, 'TARGET');
      const specB = JSON.stringify(await docs(mirrored.clusterResources)).replaceAll(direct.host, 'TARGET');
      assert.equal(specA, specB);
      assert.deepEqual((await readdir(join(work, 'm2m', 'ws', 'working-dir', 'cluster-resources'))).sort(), ['itms-airlock.yaml']);
    } finally {
      await Promise.all([viaDisk.stop(), direct.stop()]);
    }
  });
});
