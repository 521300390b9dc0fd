import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { startFaultProxy, type FaultProxy } from '../../fixtures/fault-proxy';
import { seedRegistry, type PushedImage } from '../../fixtures/images';
import { pushCosignSignature, type PushedSignature } from '../../fixtures/cosign-signatures';
import { skopeoInspectRawDigest } from '../../fixtures/skopeo';
import { runExport, type ExportOptions } from '../../../src/jobs/export';
import { runImport } from '../../../src/jobs/import';
import { runMirrorToMirror } from '../../../src/jobs/mirror-to-mirror';
import { loadOrCreateStationKey, publicKeyPem, trustKey } from '../../../src/keys';
import { readTransferManifest } from '../../../src/media';
import { loadRegistriesD } from '../../../src/registry/registries-d';
import type { JobEvent } from '../../../src/jobs/events';
import { airlock, iscLines, writeConfig } from '../export/helpers';

const KiB = 1024;
const HTTP = { tlsVerify: false };

/** What the registry serves under a reference, or undefined when it has nothing there. */
async function servedDigest(ref: string): Promise<string | undefined> {
  try {
    return await skopeoInspectRawDigest(`docker://${ref}`, HTTP);
  } catch (err) {
    if (/manifest unknown|not found|404/i.test(String((err as Error).message))) return undefined;
    throw err;
  }
}

describe('cosign signatures travel with their images (--remove-signatures=false)', () => {
  let a: RegistryFixture;
  let b: RegistryFixture;
  let target: RegistryFixture;
  let work: string;
  let exportData: string;
  let enclaveData: string;
  const images = new Map<string, PushedImage>();
  const sigs = new Map<string, PushedSignature>();
  const image = (name: string): PushedImage => images.get(name) as PushedImage;
  const sig = (name: string): PushedSignature => sigs.get(name) as PushedSignature;
  const ref = (host: string, name: string): string => `${host}/${image(name).repo}:${image(name).tag}`;
  /** Every image of the scenario: signed by tag and by digest, an index signed at two levels, one unsigned, one on the other registry. */
  const everything = (): string[] => [
    ref(a.host, 'org/signed'),
    `${a.host}/org/signed@${image('org/signed').digest}`,
    ref(a.host, 'org/multi'),
    ref(a.host, 'org/plain'),
    ref(b.host, 'other/signed'),
  ];
  const exportOptions = (name: string, config: string, extra: Partial<ExportOptions> = {}): ExportOptions => ({
    configFile: config,
    workspace: join(work, name, 'drive'),
    cacheDir: join(work, 'cache'),
    dataDir: exportData,
    srcTlsVerify: false,
    retry: { times: 0, delayMs: 10 },
    ...extra,
  });

  before(async () => {
    [a, b, target] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
    work = await mkdtemp(join(tmpdir(), 'airlock-signatures-'));
    const spec = (seed: string, layer: number) => ({ seed, format: 'oci' as const, layers: [layer] });
    for (const p of await seedRegistry(a, [
      { repo: 'org/signed', tag: 'v1', spec: spec('sig-signed', 20 * KiB) },
      { repo: 'org/multi', tag: 'v2', spec: { kind: 'index', seed: 'sig-multi', format: 'oci', layers: [10 * KiB] } },
      { repo: 'org/plain', tag: 'v3', spec: spec('sig-plain', 12 * KiB) },
    ])) {
      images.set(p.repo, p);
    }
    const [other] = await seedRegistry(b, [{ repo: 'other/signed', tag: 'v1', spec: spec('sig-other', 8 * KiB) }]);
    images.set('other/signed', other as PushedImage);
    const multi = image('org/multi');
    const child = multi.children?.[0]?.digest as string;
    sigs.set('signed', await pushCosignSignature(a, 'org/signed', image('org/signed').digest, 'signed'));
    sigs.set('multi', await pushCosignSignature(a, 'org/multi', multi.digest, 'multi'));
    sigs.set('multi-child.att', await pushCosignSignature(a, 'org/multi', child, 'multi-child', 'att'));
    sigs.set('other', await pushCosignSignature(b, 'other/signed', image('other/signed').digest, 'other'));
    exportData = join(work, 'connected-data');
    enclaveData = join(work, 'enclave-data');
    await trustKey(enclaveData, publicKeyPem(await loadOrCreateStationKey(exportData)), 'connected station');
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop(), target.stop()]);
    await rm(work, { recursive: true, force: true });
  });

  it('exports the attachments beside their images and imports them under the same tags', async () => {
    const config = await writeConfig(join(work, 'keep'), 'isc.yaml', iscLines(everything()));
    const events: JobEvent[] = [];
    const report = await runExport(exportOptions('keep', config, { removeSignatures: false, onEvent: (e) => events.push(e) }));
    assert.equal(report.failed, 0);
    assert.deepEqual(report.warnings, []);
    assert.equal(report.signatures, 4);
    assert.ok(events.some((e) => e.type === 'log' && /cosign signatures: 4 attachment\(s\) carried for the 5 image\(s\)/.test(e.message)), JSON.stringify(events.filter((e) => e.type === 'log')));

    // In transfer.json like any image, with their own origin and names, once each.
    const manifest = await readTransferManifest(join(work, 'keep', 'drive'));
    const carried = manifest.images.filter((i) => i.origin === 'signature').map((i) => [i.name, i.status === 'ok' ? i.digest : i.status]);
    assert.deepEqual(carried.sort(), [
      [`org/multi:${sig('multi').tag}`, sig('multi').digest],
      [`org/multi:${sig('multi-child.att').tag}`, sig('multi-child.att').digest],
      [`org/signed:${sig('signed').tag}`, sig('signed').digest],
      [`other/signed:${sig('other').tag}`, sig('other').digest],
    ]);
    for (const s of sigs.values()) for (const blob of s.blobs) assert.ok(manifest.blobs.some((x) => x.digest === blob.digest), `${s.tag} needs ${blob.digest}`);

    // Imported with --remove-signatures=false: each attachment beside its image, digest intact.
    const kept = await runImport({ from: join(work, 'keep', 'drive'), target: `${target.host}/kept`, dataDir: enclaveData, destTlsVerify: false, workspace: join(work, 'keep', 'ws'), removeSignatures: false });
    assert.ok(kept.images.every((i) => i.status === 'pushed'), JSON.stringify(kept.images));
    for (const s of sigs.values()) assert.equal(await servedDigest(`${target.host}/kept/${s.repo}:${s.tag}`), s.digest, s.tag);
    assert.equal(await servedDigest(`${target.host}/kept/org/signed:v1`), image('org/signed').digest);
    // Attachments ride on their image's repository mapping; they get no mirror rule of their own.
    for (const file of kept.clusterResources) assert.doesNotMatch(await readFile(file, 'utf8'), /sha256-[a-f0-9]{64}\.(sig|att)/, file);

    // The same set imported with the default leaves them on the media.
    const removed = await runImport({ from: join(work, 'keep', 'drive'), target: `${target.host}/removed`, dataDir: enclaveData, destTlsVerify: false, workspace: join(work, 'keep', 'ws2') });
    assert.equal(removed.images.length, 5);
    assert.equal(await servedDigest(`${target.host}/removed/org/signed:v1`), image('org/signed').digest);
    for (const s of sigs.values()) assert.equal(await servedDigest(`${target.host}/removed/${s.repo}:${s.tag}`), undefined, s.tag);
  });

  it('carries none by default, and an unsigned image alone is simply carried', async () => {
    const config = await writeConfig(join(work, 'default'), 'isc.yaml', iscLines(everything()));
    const report = await runExport(exportOptions('default', config));
    assert.equal(report.failed, 0);
    assert.equal(report.signatures, undefined);
    const manifest = await readTransferManifest(join(work, 'default', 'drive'));
    assert.ok(!manifest.images.some((i) => i.origin === 'signature' || i.name.includes('.sig')));

    const plainOnly = await writeConfig(join(work, 'plain'), 'isc.yaml', iscLines([ref(a.host, 'org/plain')]));
    const plain = await runExport(exportOptions('plain', plainOnly, { removeSignatures: false }));
    assert.equal(plain.failed, 0);
    assert.equal(plain.signatures, 0);
    assert.deepEqual(plain.warnings, []);
  });

  it('mirror to mirror copies them too, and only with --remove-signatures=false', async () => {
    const config = await writeConfig(join(work, 'm2m'), 'isc.yaml', iscLines(everything()));
    const common = { configFile: config, workspace: join(work, 'm2m', 'ws'), dataDir: enclaveData, cacheDir: join(work, 'cache'), srcTlsVerify: false, destTlsVerify: false };
    const mirrored = await runMirrorToMirror({ ...common, target: `${target.host}/m2m`, removeSignatures: false });
    assert.ok(mirrored.images.every((i) => i.status === 'pushed'), JSON.stringify(mirrored.images));
    assert.equal(mirrored.images.length, 9);
    for (const s of sigs.values()) assert.equal(await servedDigest(`${target.host}/m2m/${s.repo}:${s.tag}`), s.digest, s.tag);
    for (const file of mirrored.clusterResources) assert.doesNotMatch(await readFile(file, 'utf8'), /\.sig\b/, file);

    const plain = await runMirrorToMirror({ ...common, target: `${target.host}/m2m-default` });
    assert.equal(plain.images.length, 5);
    for (const s of sigs.values()) assert.equal(await servedDigest(`${target.host}/m2m-default/${s.repo}:${s.tag}`), undefined, s.tag);
  });

  it('respects registries.d turning attachments off for one registry (CLI flags)', async () => {
    const dir = join(work, 'registries.d');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'off.yaml'), `docker:\n  ${b.host}:\n    use-sigstore-attachments: false\n`);
    const config = await writeConfig(join(work, 'cli'), 'isc.yaml', iscLines(everything()));
    const drive = join(work, 'cli', 'drive');
    const run = await airlock(['mirror', '-c', config, `file://${drive}`, '--src-tls-verify=false', '--remove-signatures=false', '--registries.d', dir, '--cache-dir', join(work, 'cache'), '--data-dir', exportData]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /3 of them cosign signature\(s\) carried beside their images/);
    const names = (await readTransferManifest(drive)).images.filter((i) => i.origin === 'signature').map((i) => i.name);
    assert.deepEqual(names.sort(), [`org/multi:${sig('multi').tag}`, `org/multi:${sig('multi-child.att').tag}`, `org/signed:${sig('signed').tag}`]);

    // The same directory on import keeps registry b's attachment out even of a set that carries it.
    const kept = await runImport({ from: join(work, 'keep', 'drive'), target: `${target.host}/scoped`, dataDir: enclaveData, destTlsVerify: false, workspace: join(work, 'cli', 'ws'), removeSignatures: false, registriesD: await loadRegistriesD({ dir }) });
    assert.ok(kept.images.every((i) => i.status === 'pushed'));
    assert.equal(await servedDigest(`${target.host}/scoped/other/signed:${sig('other').tag}`), undefined);
    assert.equal(await servedDigest(`${target.host}/scoped/org/signed:${sig('signed').tag}`), sig('signed').digest);
  });

  describe('a registry error while looking', () => {
    let proxy: FaultProxy;
    before(async () => {
      proxy = await startFaultProxy(a.url);
    });
    after(async () => proxy.stop());

    it('is a warning naming the image, which is carried without its signatures', async () => {
      const signed = `${proxy.host}/org/signed:v1`;
      const config = await writeConfig(join(work, 'fault'), 'isc.yaml', iscLines([signed, `${proxy.host}/org/multi:v2`]));
      proxy.failNext(100, 500, /\/org\/signed\/manifests\/sha256-/);
      const report = await runExport(exportOptions('fault', config, { removeSignatures: false, dryRun: true }));
      assert.equal(report.failed, 0);
      assert.equal(report.warnings.length, 1, JSON.stringify(report.warnings));
      assert.match(report.warnings[0] ?? '', new RegExp(`could not look for the cosign signatures of ${signed.replace(/[.:/]/g, '\\$&')}; the image is carried without them: .*HTTP 500`));
      // The dry run's mapping lists what would travel: the images, and the attachments that were found.
      const mapping = await readFile(report.mappingFile as string, 'utf8');
      assert.match(mapping, new RegExp(`org/multi:${sig('multi').tag}`));
      assert.doesNotMatch(mapping, /org\/signed:sha256-/);
      assert.match(mapping, /org\/signed:v1/);
    });
  });
});
