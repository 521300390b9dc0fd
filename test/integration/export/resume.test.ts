import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { startFaultProxy, type FaultProxy } from '../../fixtures/fault-proxy';
import { seedRegistry, type PushedImage } from '../../fixtures/images';
import { readTransferManifest } from '../../../src/media';
import { airlock, iscLines, listCache, listDownloaded, startAirlock, writeConfig } from './helpers';

const KiB = 1024;

describe('an export killed mid-way', () => {
  let registry: RegistryFixture;
  let proxy: FaultProxy;
  let images: PushedImage[];
  let work: string;
  before(async () => {
    registry = await startRegistry();
    images = await seedRegistry(registry, [
      { repo: 'kill/a', tag: '1', spec: { seed: 'kill-a', format: 'oci', layers: [300 * KiB, 20 * KiB] } },
      { repo: 'kill/b', tag: '1', spec: { seed: 'kill-b', format: 'docker', layers: [200 * KiB] } },
      { repo: 'kill/c', tag: '1', spec: { seed: 'kill-c', format: 'oci', layers: [1024 * KiB] } },
    ]);
    proxy = await startFaultProxy(registry.url);
    work = await mkdtemp(join(tmpdir(), 'airlock-resume-'));
  });
  after(async () => {
    await proxy.stop();
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('resumes on the next run without downloading again what it already had', async () => {
    const refs = images.map((i) => `${proxy.host}/${i.repo}:${i.tag}`);
    const config = await writeConfig(work, 'isc.yaml', iscLines(refs));
    const cache = join(work, 'cache');
    const drive = join(work, 'drive');
    const args = ['mirror', '-c', config, `file://${drive}`, '--cache-dir', cache, '--data-dir', join(work, 'data'), '--src-tls-verify=false', '--parallel-images', '3'];
    const frozen = images[2]?.blobs.reduce((m, b) => (b.size > m.size ? b : m));
    assert.ok(frozen && frozen.size > 1000 * KiB);
    proxy.stallAfter(100 * KiB, (r) => r.path.includes(frozen.digest));

    // Every other blob and manifest is downloaded while one layer hangs mid-transfer; then the power
    // goes. Blobs streamed into a part are still pending (unproven) in the cache at that point.
    const everything = new Set(images.flatMap((i) => [i.digest, ...i.blobs.map((b) => b.digest)]));
    const child = startAirlock(args);
    const deadline = Date.now() + 60_000;
    let cached: string[] = [];
    while (Date.now() < deadline) {
      cached = await listDownloaded(cache);
      if (cached.length >= everything.size - 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(child.exitCode, null, 'the export must still be running, stuck on the frozen layer');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.equal(cached.length, everything.size - 1);
    assert.ok(!cached.includes(frozen.digest));

    proxy.clearFaults();
    proxy.clearRequests();
    const r = await airlock(args);
    assert.equal(r.code, 0, r.stderr);
    // The pending ones were checked against their digests and kept.
    assert.ok((await listCache(cache)).length >= everything.size);
    assert.deepEqual((await readdir(join(cache, 'pending'))).length, 0);
    const fetched = proxy.requests.filter((q) => q.method === 'GET' && q.path.includes('/blobs/')).map((q) => q.path.split('/blobs/')[1]);
    assert.deepEqual(fetched, [frozen.digest], 'only the blob that never finished is downloaded again');
    const manifest = await readTransferManifest(drive);
    assert.deepEqual(manifest.images.map((i) => (i.status === 'ok' ? i.digest : 'failed')), images.map((i) => i.digest));
  });

  it('writes the parts while the pull is still running', async () => {
    proxy.clearFaults();
    const refs = images.map((i) => `${proxy.host}/${i.repo}:${i.tag}`);
    const config = await writeConfig(join(work, 'overlap'), 'isc.yaml', iscLines(refs));
    const cache = join(work, 'overlap', 'cache');
    const drive = join(work, 'overlap', 'drive');
    // kill/c's 1 MiB layer comes last in the plan and goes into a part of its own; it hangs mid-transfer.
    const frozen = images[2]?.blobs.reduce((m, b) => (b.size > m.size ? b : m));
    assert.ok(frozen && frozen.size >= 1024 * KiB);
    proxy.stallAfter(100 * KiB, (r) => r.path.includes(frozen.digest));
    const child = startAirlock(['mirror', '-c', config, `file://${drive}`, '--cache-dir', cache, '--data-dir', join(work, 'overlap', 'data'), '--src-tls-verify=false', '--archive-size', '1M']);
    try {
      const deadline = Date.now() + 60_000;
      let parts: string[] = [];
      while (Date.now() < deadline && child.exitCode === null) {
        parts = (await readdir(drive).catch(() => [] as string[])).filter((n) => /^mirror_\d{6}\.tar$/.test(n));
        if (parts.length > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(child.exitCode, null, 'the export is still pulling the frozen layer');
      assert.deepEqual(parts, ['mirror_000001.tar'], 'the first part is finished before the pull is');
      assert.ok(!(await listCache(cache)).includes(frozen.digest));
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
      proxy.clearFaults();
    }
  });

  it('fails only the image that exceeds --image-timeout, and finishes the others', async () => {
    proxy.clearFaults();
    const frozen = images[0]?.blobs.reduce((m, b) => (b.size > m.size ? b : m));
    assert.ok(frozen);
    proxy.stallAfter(10 * KiB, (r) => r.path.includes(frozen.digest));
    const refs = images.map((i) => `${proxy.host}/${i.repo}:${i.tag}`);
    const config = await writeConfig(join(work, 'timeout'), 'isc.yaml', iscLines(refs));
    const drive = join(work, 'timeout', 'drive');
    const r = await airlock(['mirror', '-c', config, `file://${drive}`, '--cache-dir', join(work, 'timeout', 'cache'), '--data-dir', join(work, 'data'), '--src-tls-verify=false', '--image-timeout', '1s']);
    proxy.clearFaults();
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${images[0]?.repo}:1: pulling .* took longer than the image timeout \\(1 s\\)`));
    const manifest = await readTransferManifest(drive);
    assert.deepEqual(manifest.images.map((i) => i.status), ['ok', 'ok', 'failed']);
  });

  it('never caches a blob that arrives corrupted, and fails only that image', async () => {
    proxy.clearFaults();
    const victim = images[1]?.blobs.reduce((m, b) => (b.size > m.size ? b : m));
    assert.ok(victim);
    proxy.flipByteInBlob(victim.digest, 1000, 10);
    const refs = images.map((i) => `${proxy.host}/${i.repo}:${i.tag}`);
    const config = await writeConfig(join(work, 'flip'), 'isc.yaml', iscLines(refs));
    const cache = join(work, 'flip', 'cache');
    const r = await airlock(['mirror', '-c', config, `file://${join(work, 'flip', 'drive')}`, '--cache-dir', cache, '--data-dir', join(work, 'flip', 'data'), '--src-tls-verify=false', '--retry-delay', '10ms']);
    proxy.clearFaults();
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${images[1]?.repo}:1: content of ${victim.digest} .* does not match its digest`));
    assert.ok(!(await listCache(cache)).includes(victim.digest));
  });
});
