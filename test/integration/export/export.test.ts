import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, mkdir, open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { seedRegistry, type PushedImage, type SeedEntry } from '../../fixtures/images';
import { skopeoCopy, skopeoEndpointFor, skopeoInspectRawDigest } from '../../fixtures/skopeo';
import { runExport, type ExportOptions } from '../../../src/jobs/export';
import { nodeMediaFileSystem, openSetBlob, readTransferManifest, verifyTransferSet, type MediaFileSystem } from '../../../src/media';
import { parseManifest } from '../../../src/registry/manifest';
import { isAirlockError } from '../../../src/errors';
import { loadRegistriesConf } from '../../../src/registry/registries-conf';
import { airlock, iscLines, writeConfig } from './helpers';

const exec = promisify(execFile);
const KiB = 1024;

const BASE = { size: 300 * KiB, seed: 'export-shared-base' };
const ENTRIES: SeedEntry[] = [
  { repo: 'org/oci', tag: 'v1', spec: { seed: 'x-oci', format: 'oci', layers: [BASE, 200 * KiB] } },
  { repo: 'org/multi', tag: 'v2', spec: { kind: 'index', seed: 'x-multi', format: 'oci', layers: [150 * KiB] } },
  { repo: 'org/docker', tag: 'v3', spec: { seed: 'x-docker', format: 'docker', layers: [BASE, 100 * KiB] } },
  { repo: 'org/list', tag: 'v4', spec: { kind: 'index', seed: 'x-list', format: 'docker', layers: [50 * KiB] } },
  { repo: 'org/blocked', tag: 'v5', spec: { seed: 'x-blocked', format: 'oci' } },
  { repo: 'org/extra', tag: 'v6', spec: { seed: 'x-extra', format: 'oci', layers: [BASE, 250 * KiB] } },
];

async function sums(dir: string): Promise<string> {
  const { stdout } = await exec('sha256sum', ['--strict', '-c', 'SHA256SUMS'], { cwd: dir });
  return stdout;
}

describe('export to removable media (mirror to disk)', () => {
  let registry: RegistryFixture;
  let pushed: PushedImage[];
  let work: string;
  const byRepo = (repo: string): PushedImage => {
    const p = pushed.find((i) => i.repo === repo);
    assert.ok(p, repo);
    return p;
  };
  const ref = (repo: string): string => `${byRepo(repo).reference}`;
  const options = (name: string, config: string, extra: Partial<ExportOptions> = {}): ExportOptions => ({
    configFile: config,
    workspace: join(work, name, 'drive'),
    cacheDir: join(work, name, 'cache'),
    dataDir: join(work, name, 'data'),
    srcTlsVerify: false,
    retry: { times: 1, delayMs: 10 },
    ...extra,
  });

  before(async () => {
    registry = await startRegistry();
    pushed = await seedRegistry(registry, ENTRIES);
    work = await mkdtemp(join(tmpdir(), 'airlock-export-'));
  });
  after(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('writes a signed, checksummed set whose parts form an OCI layout skopeo and Airlock can read', async () => {
    const config = await writeConfig(join(work, 'full'), 'isc.yaml', iscLines(['org/oci', 'org/multi', 'org/docker', 'org/list', 'org/blocked'].map(ref), [`${registry.host}/org/blocked`]));
    const report = await runExport(options('full', config));
    const drive = join(work, 'full', 'drive');
    assert.equal(report.failed, 0);
    assert.equal(report.totals.images, 4);

    // Anyone can check the set without Airlock.
    assert.match(await sums(drive), /mirror_000001\.tar: OK/);
    const { stdout: pem } = await exec(process.execPath, [join(__dirname, '..', '..', '..', 'bin', 'airlock.js'), 'keys', 'export', '--data-dir', join(work, 'full', 'data')]);
    const pemFile = join(work, 'full', 'station.pem');
    await writeFile(pemFile, pem);
    await exec('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pemFile, '-rawin', '-in', join(drive, 'transfer.json'), '-sigfile', join(drive, 'transfer.json.sig')]);

    // Every digest kept, the blocked image absent.
    const manifest = await readTransferManifest(drive);
    const digests = Object.fromEntries(manifest.images.map((i) => [i.name, i.status === 'ok' ? i.digest : i.status]));
    assert.deepEqual(digests, {
      'org/oci:v1': byRepo('org/oci').digest,
      'org/multi:v2': byRepo('org/multi').digest,
      'org/docker:v3': byRepo('org/docker').digest,
      'org/list:v4': byRepo('org/list').digest,
    });
    assert.ok(!manifest.images.some((i) => i.source.includes('org/blocked')));
    assert.ok(!manifest.blobs.some((b) => byRepo('org/blocked').blobs.some((x) => x.digest === b.digest)));

    // Extracting every part into one directory gives a layout skopeo copies from with digests intact.
    const layout = join(work, 'full', 'layout');
    await mkdir(layout);
    for (const part of manifest.parts) await exec('tar', ['-xf', join(drive, part.name), '-C', layout]);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ annotations: Record<string, string> }> };
    assert.equal(index.manifests.length, 4);
    for (const repo of ['org/oci', 'org/multi']) {
      const image = byRepo(repo);
      const name = `${repo}:${image.tag}`;
      await skopeoCopy(`oci:${layout}:${name}`, `docker://${registry.host}/copied/${name}`, { dest: skopeoEndpointFor(registry) });
      assert.equal(await skopeoInspectRawDigest(`docker://${registry.host}/copied/${name}`, skopeoEndpointFor(registry)), image.digest);
    }
    // Airlock's own reader reaches every blob of every image, Docker media types included.
    for (const image of manifest.images) {
      if (image.status !== 'ok') continue;
      const pending = [image.digest];
      while (pending.length > 0) {
        const digest = pending.pop() as string;
        let bytes = Buffer.alloc(0);
        for await (const chunk of openSetBlob(drive, manifest, digest)) bytes = Buffer.concat([bytes, chunk as Buffer]);
        const parsed = parseManifest(bytes, undefined, image.name);
        if (parsed.kind === 'index') pending.push(...parsed.manifests.map((m) => m.digest));
        else for (const b of [parsed.config, ...parsed.layers]) assert.ok(manifest.blobs.some((x) => x.digest === b.digest), `${image.name} needs ${b.digest}`);
      }
    }
    assert.equal((await verifyTransferSet(drive, { deep: true })).ok, true);
  });

  it('splits into parts of at most archiveSize without splitting a blob, and --strict-archive refuses an oversized blob', async () => {
    const config = await writeConfig(join(work, 'split'), 'isc.yaml', iscLines(['org/oci', 'org/docker', 'org/extra'].map(ref)));
    const limit = 400 * KiB;
    const report = await runExport(options('split', config, { archiveSizeBytes: limit }));
    const drive = join(work, 'split', 'drive');
    const manifest = await readTransferManifest(drive);
    assert.ok(manifest.parts.length >= 3, `${manifest.parts.length} parts`);
    assert.equal(report.totals.parts, manifest.parts.length);
    for (const part of manifest.parts) {
      const holds = manifest.blobs.filter((b) => b.part === part.name);
      // A part over the limit holds exactly one blob that alone is larger than the limit.
      if (part.size > limit) assert.ok(holds.length === 1 && (holds[0]?.size ?? 0) > limit - 4 * KiB, `${part.name} is ${part.size} bytes`);
    }
    assert.equal(new Set(manifest.blobs.map((b) => b.digest)).size, manifest.blobs.length);
    await sums(drive);

    const strict = options('strict', config, { archiveSizeBytes: 200 * KiB, strictArchive: true });
    await assert.rejects(runExport(strict), (err: unknown) => isAirlockError(err) && /cannot fit a part of 204800 bytes and strictArchive forbids/.test(err.message));
    const left = await readdir(strict.workspace).catch(() => [] as string[]);
    assert.deepEqual(left.filter((f) => f !== 'working-dir'), []);
  });

  it('carries only the new blobs of an added image in the next export, naming its base set', async () => {
    const first = await writeConfig(join(work, 'inc'), 'isc1.yaml', iscLines(['org/oci', 'org/docker'].map(ref)));
    const one = await runExport(options('inc', first));
    const second = await writeConfig(join(work, 'inc'), 'isc2.yaml', iscLines(['org/oci', 'org/docker', 'org/extra'].map(ref)));
    const two = await runExport(options('inc', second));
    assert.deepEqual(two.baseSets, [one.setId]);
    const manifest = await readTransferManifest(join(work, 'inc', 'drive'));
    const extra = byRepo('org/extra');
    const carried = new Set(manifest.blobs.filter((b) => b.kind !== 'manifest').map((b) => b.digest));
    const expected = new Set(extra.blobs.map((b) => b.digest).filter((d) => !byRepo('org/oci').blobs.some((b) => b.digest === d)));
    assert.deepEqual([...carried].sort(), [...expected].sort());
    // Manifests always travel, so the enclave can re-tag everything.
    for (const repo of ['org/oci', 'org/docker', 'org/extra']) assert.ok(manifest.blobs.some((b) => b.digest === byRepo(repo).digest));
    assert.deepEqual(manifest.baseSets, [one.setId]);
    await sums(join(work, 'inc', 'drive'));

    const full = await runExport(options('inc', second, { full: true }));
    assert.deepEqual(full.baseSets, []);
    assert.equal(full.totals.shippedBlobs, full.totals.blobs);

    // --since: sets older than the date do not count as being in the enclave.
    const tomorrow = new Date(Date.now() + 86_400_000);
    const since = await runExport(options('inc', second, { since: tomorrow }));
    assert.equal(since.totals.shippedBlobs, since.totals.blobs);
    const sinceEarlier = await runExport(options('inc', second, { since: new Date(Date.now() - 86_400_000) }));
    assert.equal(sinceEarlier.totals.shippedBlobs, 3, 'only the three manifests travel once everything was shipped');
  });

  it('pulls through registries.conf mirrors, as the enclave chaining flow does', async () => {
    const dir = join(work, 'mirrors');
    await mkdir(dir, { recursive: true });
    const confFile = join(dir, 'registries.conf');
    // The configured source host does not exist; its mirror (our registry) serves the images by digest and tag.
    await writeFile(confFile, ['[[registry]]', 'location = "quay.invalid.example"', '', '[[registry.mirror]]', `location = "${registry.host}"`, 'insecure = true', ''].join('\n'));
    const config = await writeConfig(dir, 'isc.yaml', iscLines(['quay.invalid.example/org/oci:v1', `quay.invalid.example/org/docker@${byRepo('org/docker').digest}`]));
    const report = await runExport(options('mirrors', config, { registriesConf: await loadRegistriesConf({ file: confFile }), srcTlsVerify: true }));
    assert.equal(report.failed, 0, JSON.stringify(report.images));
    const manifest = await readTransferManifest(join(work, 'mirrors', 'drive'));
    assert.deepEqual(
      manifest.images.map((i) => [i.source, i.name, i.status === 'ok' ? i.digest : '']),
      [
        ['quay.invalid.example/org/oci:v1', 'org/oci:v1', byRepo('org/oci').digest],
        [`quay.invalid.example/org/docker@${byRepo('org/docker').digest}`, `org/docker:sha256-${byRepo('org/docker').digest.slice(7)}`, byRepo('org/docker').digest],
      ],
    );
  });

  it('catches a byte flipped on the drive after writing in the read-back verify', async () => {
    const config = await writeConfig(join(work, 'flip'), 'isc.yaml', iscLines([ref('org/oci')]));
    // A drive that corrupts one byte of each part once it has been written and closed.
    const corrupting: MediaFileSystem = {
      freeSpace: (dir) => nodeMediaFileSystem.freeSpace(dir),
      async createFile(path) {
        const file = await nodeMediaFileSystem.createFile(path);
        return {
          write: (data) => file.write(data),
          sync: () => file.sync(),
          async close() {
            await file.close();
            if (!/mirror_\d+\.tar/.test(path)) return;
            const fh = await open(path, 'r+');
            const at = 8 * KiB;
            const b = Buffer.alloc(1);
            await fh.read(b, 0, 1, at);
            b[0] = (b[0] ?? 0) ^ 0x01;
            await fh.write(b, 0, 1, at);
            await fh.close();
          },
        };
      },
    };
    await assert.rejects(runExport(options('flip', config, { mediaFs: corrupting })), (err: unknown) => {
      assert.ok(isAirlockError(err, 'MEDIA_READBACK_FAILED'), String(err));
      assert.equal(err.context.part, 'mirror_000001.tar');
      assert.match(err.message, /sha256:[a-f0-9]{64}/);
      return true;
    });
    // A set that failed its read-back never looks complete.
    const files = await readdir(join(work, 'flip', 'drive'));
    assert.ok(!files.includes('SHA256SUMS'), files.join(','));
  });

  it('writes mapping.txt and missing.txt on a dry run, and nothing else', async () => {
    const config = await writeConfig(join(work, 'dry'), 'isc.yaml', iscLines(['org/oci', 'org/multi'].map(ref)));
    const o = options('dry', config, { dryRun: true });
    const report = await runExport(o);
    assert.equal(report.dryRun, true);
    const mapping = await readFile(join(o.workspace, 'working-dir', 'dry-run', 'mapping.txt'), 'utf8');
    assert.equal(mapping, `docker://${ref('org/oci')}=docker://org/oci:v1\ndocker://${ref('org/multi')}=docker://org/multi:v2\n`);
    assert.equal(await readFile(join(o.workspace, 'working-dir', 'dry-run', 'missing.txt'), 'utf8'), mapping);
    assert.deepEqual((await readdir(o.workspace)).sort(), ['working-dir']);
    // Once the images are in the cache nothing is missing.
    await runExport({ ...o, dryRun: false });
    await runExport(o);
    assert.equal(await readFile(join(o.workspace, 'working-dir', 'dry-run', 'missing.txt'), 'utf8'), '');
  });
});

describe('the mirror command', () => {
  let registry: RegistryFixture;
  let work: string;
  let image: PushedImage;
  before(async () => {
    registry = await startRegistry();
    [image] = (await seedRegistry(registry, [ENTRIES[0] as SeedEntry])) as [PushedImage];
    work = await mkdtemp(join(tmpdir(), 'airlock-cli-'));
  });
  after(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });
  const common = (name: string): string[] => ['--cache-dir', join(work, name, 'cache'), '--data-dir', join(work, name, 'data'), '--src-tls-verify=false', '--retry-delay', '10ms'];

  it('names the file, line and column of a malformed config and exits non-zero', async () => {
    const config = await writeConfig(join(work, 'bad'), 'isc.yaml', [
      'kind: ImageSetConfiguration',
      'apiVersion: mirror.openshift.io/v2alpha1',
      'mirror:',
      '  additionalImages:',
      `    - name: ${image.reference}`,
      '    - name: ubi9/ubi:latest',
    ]);
    const r = await airlock(['mirror', '-c', config, `file://${join(work, 'bad', 'drive')}`, ...common('bad')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /isc\.yaml:6:7: mirror\.additionalImages\[1\]\.name: .*ubi9\/ubi:latest.* registry host/);
    assert.deepEqual(await readdir(join(work, 'bad', 'drive')).catch(() => []), []);
  });

  it('exports, lists a failed image in the error log and exits non-zero, keeping the set consistent', async () => {
    const config = await writeConfig(join(work, 'partial'), 'isc.yaml', iscLines([image.reference, `${registry.host}/org/missing:v1`]));
    const drive = join(work, 'partial', 'drive');
    const r = await airlock(['mirror', '-c', config, `file://${drive}`, ...common('partial')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /1 image\(s\) failed, details in .*mirroring_errors_\d{8}_\d{6}\.txt/);
    const logs = await readdir(join(drive, 'working-dir', 'logs'));
    const log = await readFile(join(drive, 'working-dir', 'logs', logs[0] ?? ''), 'utf8');
    assert.match(log, /org\/missing:v1.*not found/);
    const manifest = await readTransferManifest(drive);
    assert.deepEqual(manifest.missing.map((m) => m.source), [`${registry.host}/org/missing:v1`]);
    await sums(drive);
  });

  it('refuses sections it does not carry yet instead of ignoring them', async () => {
    const config = await writeConfig(join(work, 'ops'), 'isc.yaml', [
      'kind: ImageSetConfiguration',
      'apiVersion: mirror.openshift.io/v2alpha1',
      'mirror:',
      '  helm:',
      '    repositories:',
      '      - name: podinfo',
      '        url: https://stefanprodan.github.io/podinfo',
    ]);
    const r = await airlock(['mirror', '-c', config, `file://${join(work, 'ops', 'drive')}`, ...common('ops')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /mirror\.helm is not supported by this version of Airlock yet/);
  });

  it('prints JSON events and the report with --json', async () => {
    const config = await writeConfig(join(work, 'json'), 'isc.yaml', iscLines([image.reference]));
    const r = await airlock(['mirror', '-c', config, `file://${join(work, 'json', 'drive')}`, ...common('json'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; phase?: string; report?: { setId: string } });
    assert.deepEqual([...new Set(events.filter((e) => e.type === 'phase').map((e) => e.phase))], ['resolve', 'pull', 'write', 'verify', 'record']);
    assert.match(events.at(-1)?.report?.setId ?? '', /^[0-9a-f-]{36}$/);
  });
});

describe('export from a registry that needs credentials', () => {
  let registry: RegistryFixture;
  let image: PushedImage;
  let work: string;
  before(async () => {
    registry = await startRegistry({ auth: 'htpasswd', username: 'exporter', password: 'vault-secret' });
    [image] = (await seedRegistry(registry, [ENTRIES[0] as SeedEntry])) as [PushedImage];
    work = await mkdtemp(join(tmpdir(), 'airlock-creds-'));
  });
  after(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('uses credentials handed to the job (the app vault) and keeps them off the media', async () => {
    const config = await writeConfig(work, 'isc.yaml', iscLines([image.reference]));
    const base = { configFile: config, workspace: join(work, 'drive'), cacheDir: join(work, 'cache'), dataDir: join(work, 'data'), srcTlsVerify: false, retry: { times: 0, delayMs: 1 } };
    await assert.rejects(runExport({ ...base, authFile: join(work, 'no-such-auth.json') }), /cannot read auth file/);
    const credentials = { lookup: async (host: string) => (host === registry.host ? { username: 'exporter', password: 'vault-secret', source: 'the app vault' } : undefined), describe: () => 'the app vault' };
    const report = await runExport({ ...base, credentials });
    assert.equal(report.failed, 0);
    for (const name of await readdir(join(work, 'drive'))) {
      if (name === 'working-dir') continue;
      const fh = await open(join(work, 'drive', name), 'r');
      const text = (await fh.readFile()).toString('latin1');
      await fh.close();
      assert.ok(!text.includes('vault-secret'), `${name} holds the password`);
    }
  });
});
