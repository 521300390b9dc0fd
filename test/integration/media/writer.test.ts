// The transfer-set writer against real files in temp directories, checked with independent tools:
// coreutils sha256sum, GNU tar, skopeo and openssl.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  nodeMediaFileSystem,
  planTransferSet,
  SUMS_FILE,
  TRANSFER_MANIFEST_FILE,
  verifyTransferSet,
  writeTransferSet,
  type MediaFileSystem,
  type WriteProgress,
} from '../../../src/media';
import { CorruptDownloads } from '../../../src/media/live-parts';
import { BlobStore, blobsOf, digestOf, makeImage, okImage, run, sampleSet, tempDir } from './helpers';

const sha256File = async (path: string): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex');

async function tarList(file: string): Promise<string[]> {
  return (await run('tar', ['-tf', file])).stdout.split('\n').filter((l) => l.length > 0);
}

describe('writeTransferSet', () => {
  it('splits into parts of at most archiveSize, never splitting a blob, and reads back clean', async (t) => {
    const dir = join(await tempDir(t, 'split'), 'set');
    const options = sampleSet({ archiveSize: 150_000 });
    const events: WriteProgress[] = [];
    const result = await writeTransferSet({ ...options, dir, onProgress: (e) => events.push(e) });

    assert.ok(result.manifest.parts.length >= 3, `expected several parts, got ${result.manifest.parts.length}`);
    assert.deepEqual(result.warnings, []);
    assert.equal(result.verify.ok, true);
    assert.deepEqual(result.partsReused, []);
    assert.deepEqual(
      result.partsWritten,
      result.manifest.parts.map((p) => p.name),
    );
    const seen = new Map<string, string>();
    for (const part of result.manifest.parts) {
      const st = await stat(join(dir, part.name));
      assert.equal(st.size, part.size);
      assert.ok(part.size <= 150_000, `${part.name} has ${part.size} bytes`);
      assert.equal(await sha256File(join(dir, part.name)), part.sha256);
      for (const entry of await tarList(join(dir, part.name))) {
        if (!entry.startsWith('blobs/sha256/') || entry.endsWith('/')) continue;
        assert.ok(!seen.has(entry), `${entry} is in ${seen.get(entry)} and ${part.name}`);
        seen.set(entry, part.name);
      }
    }
    // Every blob in exactly the part transfer.json names, and nothing else.
    assert.equal(seen.size, options.blobs.length);
    for (const blob of result.manifest.blobs) assert.equal(seen.get(`blobs/sha256/${blob.digest.slice(7)}`), blob.part);
    // oci-layout and index.json lead the first part.
    assert.deepEqual((await tarList(join(dir, 'mirror_000001.tar'))).slice(0, 4), ['oci-layout', 'index.json', 'blobs/', 'blobs/sha256/']);

    // Kinds and manifest media types are worked out from the manifests.
    const kinds = new Map(result.manifest.blobs.map((b) => [b.digest, b]));
    const [a, , c] = options.images3;
    assert.equal(kinds.get(a!.digest)?.kind, 'manifest');
    assert.equal(kinds.get(c!.digest)?.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(result.manifest.missing, [{ source: 'quay.example/gone:1', name: 'gone:1', error: 'manifest unknown' }]);

    // Progress: plan, then per part start/done, finalize, verify.
    const types = events.filter((e) => e.type !== 'bytes' && e.type !== 'verify').map((e) => e.type);
    assert.equal(types[0], 'plan');
    assert.equal(types.filter((x) => x === 'part-done').length, result.manifest.parts.length);
    assert.equal(types[types.length - 1], 'finalize');
    const lastBytes = events.filter((e) => e.type === 'bytes').at(-1);
    assert.ok(lastBytes?.type === 'bytes' && lastBytes.written === lastBytes.toWrite && lastBytes.written === result.bytesWritten);
    assert.ok(events.some((e) => e.type === 'verify' && e.progress.type === 'file-done'));
  });

  it('passes sha256sum -c, and signs transfer.json so that openssl verifies it', async (t) => {
    const root = await tempDir(t, 'sums');
    const dir = join(root, 'set');
    const options = sampleSet({ archiveSize: 200_000 });
    await mkdir(join(dir, 'working-dir', 'logs'), { recursive: true });
    await writeFile(join(dir, 'working-dir', 'logs', 'export.log'), 'not part of the set\n');
    const result = await writeTransferSet({ ...options, dir });

    const check = await run('sha256sum', ['--strict', '-c', SUMS_FILE], dir);
    const lines = check.stdout.trim().split('\n');
    assert.deepEqual(lines, [...result.manifest.parts.map((p) => `${p.name}: OK`), 'transfer.json: OK', 'transfer.json.sig: OK']);
    assert.ok(!(await readFile(join(dir, SUMS_FILE), 'utf8')).includes('working-dir'));

    const pub = join(root, 'pub.pem');
    await writeFile(pub, options.signer.publicPem);
    const verified = await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', join(dir, 'transfer.json'), '-sigfile', join(dir, 'transfer.json.sig')]);
    assert.match(verified.stdout, /Signature Verified Successfully/);
    assert.equal(JSON.parse(await readFile(join(dir, TRANSFER_MANIFEST_FILE), 'utf8')).stationKeyFingerprint, options.signer.fingerprint);
  });

  it('extracts into a valid OCI layout that skopeo copies by name with digests intact', async (t) => {
    const root = await tempDir(t, 'skopeo');
    const dir = join(root, 'set');
    const store = new BlobStore();
    const release = makeImage(store, [90_000, 1200]);
    const ubi = makeImage(store, [50_000]);
    const options = sampleSet({
      archiveSize: 100_000,
      source: store,
      images: [okImage(release, 'openshift/release:4.19.0-x86_64'), okImage(ubi, 'ubi9/ubi:latest')],
      blobs: blobsOf([release, ubi]),
    });
    const result = await writeTransferSet({ ...options, dir });
    assert.ok(result.manifest.parts.length > 1);

    const layout = join(root, 'layout');
    await mkdir(layout);
    for (const part of result.manifest.parts) await run('tar', ['-xf', join(dir, part.name), '-C', layout]);
    assert.deepEqual(JSON.parse(await readFile(join(layout, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    assert.deepEqual(
      index.manifests.map((m) => m.annotations['org.opencontainers.image.ref.name']),
      ['openshift/release:4.19.0-x86_64', 'ubi9/ubi:latest'],
    );
    const files = await readdir(join(layout, 'blobs', 'sha256'));
    assert.equal(files.length, options.blobs.length);
    for (const blob of options.blobs) {
      const data = await readFile(join(layout, 'blobs', 'sha256', blob.digest.slice(7)));
      assert.equal(data.byteLength, blob.size);
      assert.equal(digestOf(data), blob.digest);
    }

    const home = join(root, 'home');
    await mkdir(home);
    const env = { ...process.env, HOME: home, XDG_RUNTIME_DIR: home, XDG_CONFIG_HOME: join(home, '.config') };
    for (const [name, image] of [
      ['openshift/release:4.19.0-x86_64', release],
      ['ubi9/ubi:latest', ubi],
    ] as const) {
      const out = join(root, `copy-${image.digest.slice(7, 19)}`);
      await run('skopeo', ['copy', '--preserve-digests', `oci:${layout}:${name}`, `dir:${out}`], undefined, env);
      assert.equal(digestOf(await readFile(join(out, 'manifest.json'))), image.digest);
    }
  });

  it('writes byte-identical parts for the same plan', async (t) => {
    const root = await tempDir(t, 'determinism');
    const options = sampleSet({ archiveSize: 150_000 });
    const one = await writeTransferSet({ ...options, dir: join(root, 'one') });
    const two = await writeTransferSet({ ...options, dir: join(root, 'two'), createdAt: new Date('2030-01-01T00:00:00Z'), setId: 'set-0002' });
    assert.deepEqual(one.manifest.parts, two.manifest.parts);
    assert.notDeepEqual(one.manifestBytes, two.manifestBytes);
  });

  it('strictArchive refuses an oversized blob before writing anything', async (t) => {
    const dir = join(await tempDir(t, 'strict'), 'set');
    const store = new BlobStore();
    const image = makeImage(store, [300_000, 1000]);
    const options = sampleSet({ archiveSize: 100_000, strictArchive: true, source: store, images: [okImage(image, 'big:1')], blobs: image.blobs });
    await assert.rejects(writeTransferSet({ ...options, dir }), (err: Error & { code?: string }) => err.code === 'MEDIA_BLOB_TOO_LARGE' && err.message.includes(image.blobs[1]!.digest));
    await assert.rejects(stat(dir), { code: 'ENOENT' });
    assert.equal(store.opened, 0);

    // Without strictArchive the blob gets a part of its own, and a warning.
    const relaxed = await writeTransferSet({ ...options, strictArchive: false, dir });
    assert.equal(relaxed.warnings.length, 1);
    const warning = relaxed.warnings[0]!;
    assert.ok(warning.code === 'BLOB_EXCEEDS_ARCHIVE_SIZE' && warning.blob === image.blobs[1]!.digest);
    const part = relaxed.manifest.parts.find((p) => p.name === warning.part)!;
    assert.ok(part.size > 100_000);
    assert.equal(relaxed.manifest.blobs.filter((b) => b.part === part.name).length, 1);
  });

  it('recognises finished parts on a re-run and does not rewrite them', async (t) => {
    const dir = join(await tempDir(t, 'rerun'), 'set');
    const options = sampleSet({ archiveSize: 150_000 });
    const first = await writeTransferSet({ ...options, dir });
    const before = new Map(await Promise.all(first.manifest.parts.map(async (p) => [p.name, await stat(join(dir, p.name))] as const)));
    const state = JSON.parse(await readFile(join(dir, 'working-dir', 'state', 'parts.json'), 'utf8')) as { parts: { name: string; sha256: string }[] };
    assert.deepEqual(
      state.parts.map((p) => [p.name, p.sha256]),
      first.manifest.parts.map((p) => [p.name, p.sha256]),
    );

    const opened = options.store.opened;
    const again = await writeTransferSet({ ...options, dir });
    assert.deepEqual(again.partsWritten, []);
    assert.deepEqual(
      again.partsReused,
      first.manifest.parts.map((p) => p.name),
    );
    assert.equal(again.bytesWritten, 0);
    for (const part of first.manifest.parts) {
      const st = await stat(join(dir, part.name));
      assert.equal(st.ino, before.get(part.name)?.ino);
      assert.equal(st.mtimeMs, before.get(part.name)?.mtimeMs);
    }
    // Only the manifests were read again (the completeness check); no layer left the cache.
    const manifests = options.blobs.filter((b) => b.kind === 'manifest').length;
    assert.equal(options.store.opened - opened, manifests);
    assert.deepEqual(again.manifest.parts, first.manifest.parts);

    // A part damaged since is not trusted: it is rewritten.
    const victim = first.manifest.parts[1]!;
    const bytes = await readFile(join(dir, victim.name));
    bytes[bytes.byteLength - 2000] = (bytes[bytes.byteLength - 2000] ?? 0) ^ 0xff;
    await writeFile(join(dir, victim.name), bytes);
    const repaired = await writeTransferSet({ ...options, dir });
    assert.deepEqual(repaired.partsWritten, [victim.name]);
    assert.equal(repaired.verify.ok, true);
  });

  it('writes a part\'s blobs in the order the source has them ready, and keeps that order on a re-run', async (t) => {
    const dir = join(await tempDir(t, 'order'), 'set');
    const options = sampleSet({ archiveSize: 150_000 });
    const plan = planTransferSet(options);
    // A source whose blobs land back to front: the writer takes whichever is there.
    const offered: string[][] = [];
    const store = options.store;
    const source = Object.assign(Object.create(store) as BlobStore, {
      next: async (candidates: readonly string[]) => {
        offered.push([...candidates]);
        return candidates[candidates.length - 1] as string;
      },
    });
    const first = await writeTransferSet({ ...options, source, dir });
    assert.ok(offered.length > 0);
    for (const part of plan.parts.parts) {
      const written = first.manifest.blobs.filter((b) => b.part === part.name).map((b) => b.digest);
      assert.deepEqual(written, [...part.blobs].reverse(), part.name);
    }
    // Offsets in transfer.json are where the blobs really are: the deep verify walks the tar.
    const deep = await verifyTransferSet(dir, { deep: true });
    assert.deepEqual(deep.problems, []);
    assert.equal((await run('sha256sum', ['-c', SUMS_FILE], dir)).stdout.split('\n').filter((l) => l.endsWith(': OK')).length, first.manifest.parts.length + 2);
    const state = JSON.parse(await readFile(join(dir, 'working-dir', 'state', 'parts.json'), 'utf8')) as { parts: { name: string; blobs: string[] }[] };
    assert.deepEqual(
      state.parts.map((p) => p.blobs),
      plan.parts.parts.map((p) => [...p.blobs].reverse()),
    );

    // A re-run in planned order keeps the parts, and transfer.json says where their blobs are.
    const again = await writeTransferSet({ ...options, dir });
    assert.deepEqual(again.partsWritten, []);
    assert.deepEqual(again.manifest.blobs, first.manifest.blobs);
    assert.deepEqual((await verifyTransferSet(dir, { deep: true })).problems, []);

    // A recorded order that is not one of the part's blobs is not trusted: that part is rewritten.
    const statePath = join(dir, 'working-dir', 'state', 'parts.json');
    const recorded = JSON.parse(await readFile(statePath, 'utf8')) as { parts: { name: string; blobs: string[] }[] };
    const victim = recorded.parts[0]!;
    victim.blobs = victim.blobs.slice(1);
    await writeFile(statePath, JSON.stringify(recorded));
    const repaired = await writeTransferSet({ ...options, dir });
    assert.deepEqual(repaired.partsWritten, [victim.name]);
    assert.deepEqual((await verifyTransferSet(dir, { deep: true })).problems, []);
  });

  describe('live: blobs streamed into their parts as they download', () => {
    /**
     * A source standing in for the export's pull: once the writer says it takes downloads, half the
     * blobs "download" at once, in pieces, into the slots it hands out; the rest are in the cache.
     */
    function liveSource(store: BlobStore, downloads: readonly string[], fail?: string, garble?: { digest: string; cacheCopy: 'right' | 'wrong'; proofs: string[] }) {
      const cached = new Set<string>();
      let waiting: Array<() => void> = [];
      const wake = (): void => {
        const now = waiting;
        waiting = [];
        for (const w of now) w();
      };
      let decided: 'live' | 'cache' | undefined;
      const taken: string[] = [];
      const source = Object.assign(Object.create(store) as BlobStore, {
        chunks: (digest: string) => store.open(digest),
        next: async (candidates: readonly string[]): Promise<string> => {
          for (;;) {
            const ready = candidates.find((d) => cached.has(d) || !downloads.includes(d));
            if (ready) return ready;
            await new Promise<void>((r) => waiting.push(r));
          }
        },
        live: (take: ((digest: string, size: number) => Promise<{ write(d: Uint8Array): Promise<void>; end(proof?: { digest: string; commit(): Promise<void>; prove(): Promise<string> }): Promise<void>; abandon(): Promise<void> } | undefined>) | undefined) => {
          decided = take ? 'live' : 'cache';
          if (take) {
            void Promise.all(
              downloads.map(async (digest, i) => {
                const original = store.blobs.get(digest) as Buffer;
                // A blob that comes wrong over the wire: one byte flipped on its way into the part.
                const data = garble?.digest === digest ? Buffer.from(original) : original;
                if (garble?.digest === digest) data[data.length >> 1] = (data[data.length >> 1] ?? 0) ^ 1;
                const slot = await take(digest, data.byteLength);
                if (slot) taken.push(digest);
                for (let at = 0; at < data.byteLength; at += 9_973) {
                  if (digest === fail && at > data.byteLength / 2) {
                    await slot?.abandon();
                    return;
                  }
                  await slot?.write(data.subarray(at, at + 9_973));
                  if ((at / 9_973 + i) % 3 === 0) await new Promise((r) => setImmediate(r));
                }
                // Its cache copy, which the writer commits once the part reads back right, or hashes when it does not.
                const proof = garble
                  ? {
                      digest,
                      commit: async () => undefined,
                      prove: async () => {
                        garble.proofs.push(digest);
                        return garble.digest === digest && garble.cacheCopy === 'wrong' ? `sha256:${'0'.repeat(64)}` : digest;
                      },
                    }
                  : undefined;
                await slot?.end(proof);
                cached.add(digest);
                wake();
              }),
            );
          }
          return () => undefined;
        },
      });
      return { source, taken, decided: () => decided };
    }

    it('writes every blob into its slot as it comes, and the set reads back and passes sha256sum -c', async (t) => {
      const dir = join(await tempDir(t, 'live'), 'set');
      const options = sampleSet({ archiveSize: 150_000 });
      const downloads = options.blobs.filter((_, i) => i % 2 === 0).map((b) => b.digest);
      const live = liveSource(options.store, downloads);
      const events: WriteProgress[] = [];
      const result = await writeTransferSet({ ...options, source: live.source, dir, onProgress: (e) => events.push(e) });
      assert.equal(result.partWriter, 'live');
      assert.equal(live.decided(), 'live');
      assert.deepEqual([...live.taken].sort(), [...downloads].sort());
      assert.equal(result.verify.ok, true);
      // transfer.json's offsets are where the slots put the blobs: an independent tar reader agrees.
      assert.deepEqual((await verifyTransferSet(dir, { deep: true })).problems, []);
      assert.equal((await run('sha256sum', ['-c', SUMS_FILE], dir)).stdout.split('\n').filter((l) => l.endsWith(': OK')).length, result.manifest.parts.length + 2);
      assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.partial')), []);
      // Progress adds up to every byte of every part.
      const lastBytes = events.filter((e) => e.type === 'bytes').at(-1);
      assert.ok(lastBytes?.type === 'bytes' && lastBytes.written === lastBytes.toWrite, JSON.stringify(lastBytes));
      // A re-run keeps the parts, in the order they were written.
      const again = await writeTransferSet({ ...options, dir });
      assert.deepEqual(again.partsWritten, []);
      assert.deepEqual(again.manifest.blobs, result.manifest.blobs);
    });

    it('reads back a part a download put wrong bytes into: the images fail when its cache copy is wrong too, the drive is blamed when not', async (t) => {
      for (const cacheCopy of ['wrong', 'right'] as const) {
        const dir = join(await tempDir(t, `live-${cacheCopy}`), 'set');
        const options = sampleSet({ archiveSize: 10_000_000 });
        const downloads = options.blobs.map((b) => b.digest).filter((d) => (options.store.blobs.get(d)?.byteLength ?? 0) > 20_000);
        const victim = downloads[0] as string;
        const garble = { digest: victim, cacheCopy, proofs: [] as string[] };
        const live = liveSource(options.store, downloads, undefined, garble);
        await assert.rejects(writeTransferSet({ ...options, source: live.source, dir }), (err: unknown) => {
          if (cacheCopy === 'wrong') {
            // The registry sent it wrong: the export fails the images holding it and plans again.
            assert.ok(err instanceof CorruptDownloads, String(err));
            assert.deepEqual([...err.blobs.keys()], [victim]);
          } else {
            assert.ok(err instanceof Error && (err as { code?: string }).code === 'MEDIA_READBACK_FAILED', String(err));
            assert.match(err.message, new RegExp(`blob ${victim} is corrupt`));
          }
          return true;
        });
        // Every cache copy in the part was hashed (none can be taken on the read-back's word), and no part looks written.
        assert.deepEqual([...garble.proofs].sort(), [...downloads].sort());
        assert.deepEqual((await readdir(dir)).filter((n) => /^mirror_\d+\.tar/.test(n)), []);
      }
    });

    it('stops on abort and removes the parts being written', async (t) => {
      const dir = join(await tempDir(t, 'live-abort'), 'set');
      const options = sampleSet({ archiveSize: 150_000 });
      const downloads = options.blobs.filter((_, i) => i % 2 === 0).map((b) => b.digest);
      const live = liveSource(options.store, downloads);
      const controller = new AbortController();
      let started = 0;
      await assert.rejects(
        writeTransferSet({
          ...options,
          source: live.source,
          dir,
          signal: controller.signal,
          onProgress: (e) => {
            if (e.type === 'part-start' && ++started === 2) controller.abort();
          },
        }),
        { name: 'AbortError' },
      );
      const left = await readdir(dir);
      assert.deepEqual(left.filter((n) => n.endsWith('.partial') || n === SUMS_FILE), []);
    });

    // A real file system that fills up: a small tmpfs, which needs root to mount (as CI runs).
    const asRoot = process.getuid?.() === 0;
    it('stops cleanly when the drive fills up mid-part, and a re-run completes', { skip: asRoot ? false : 'mounting a small tmpfs needs root' }, async (t) => {
      const root = await tempDir(t, 'live-enospc');
      const mount = join(root, 'drive');
      await mkdir(mount);
      await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
      // Unmounted here, before the temp dir is removed.
      try {
        const dir = join(mount, 'set');
        const options = sampleSet({ archiveSize: 150_000 });
        const downloads = options.blobs.filter((_, i) => i % 2 === 0).map((b) => b.digest);
        const filler = join(mount, 'filler');
        // Once the writer has checked free space and started, something else takes what is left.
        let filled = false;
        const onProgress = (e: WriteProgress): void => {
          if (e.type !== 'part-start' || filled) return;
          filled = true;
          try {
            writeFileSync(filler, Buffer.alloc(1024 * 1024));
          } catch {
            // ENOSPC once the drive is full: what it wrote stays.
          }
        };
        await assert.rejects(writeTransferSet({ ...options, source: liveSource(options.store, downloads).source, dir, onProgress }), (err: Error & { code?: string; context?: Record<string, unknown> }) => {
          assert.equal(err.code, 'MEDIA_NO_SPACE', String(err));
          assert.match(err.message, /ran out of space writing mirror_00000\d\.tar/);
          return true;
        });
        const left = await readdir(dir);
        assert.deepEqual(left.filter((n) => n.endsWith('.partial') || n === SUMS_FILE), []);

        await rm(filler);
        const resumed = await writeTransferSet({ ...options, source: liveSource(options.store, downloads).source, dir });
        assert.equal(resumed.verify.ok, true);
        assert.equal((await run('sha256sum', ['-c', SUMS_FILE], dir)).stdout.split('\n').filter((l) => l.endsWith(': OK')).length, resumed.manifest.parts.length + 2);
      } finally {
        await run('umount', [mount]);
      }
    });

    it('gives up when a download stops part-way, so the export plans again, and leaves no partial part', async (t) => {
      const dir = join(await tempDir(t, 'live-fail'), 'set');
      const options = sampleSet({ archiveSize: 10_000_000 });
      const downloads = options.blobs.map((b) => b.digest).filter((d) => (options.store.blobs.get(d)?.byteLength ?? 0) > 20_000);
      assert.ok(downloads.length > 1);
      const live = liveSource(options.store, downloads, downloads[1]);
      await assert.rejects(writeTransferSet({ ...options, source: live.source, dir }), (err: unknown) => {
        assert.ok(err instanceof Error && (err as { code?: string }).code === 'EXPORT_PLAN_CHANGED', String(err));
        assert.match(err.message, new RegExp(`blob ${downloads[1]} stopped arriving part-way`));
        return true;
      });
      assert.deepEqual((await readdir(dir)).filter((n) => /^mirror_\d+\.tar/.test(n)), []);
    });
  });

  it('replaces an earlier, different set in the same directory', async (t) => {
    const dir = join(await tempDir(t, 'replace'), 'set');
    const big = sampleSet({ archiveSize: 100_000 });
    const first = await writeTransferSet({ ...big, dir });
    const store = new BlobStore();
    const image = makeImage(store, [1000]);
    const small = sampleSet({ setId: 'set-0002', source: store, images: [okImage(image, 'small:1')], blobs: image.blobs, archiveSize: 100_000 });
    const second = await writeTransferSet({ ...small, dir });
    assert.ok(first.manifest.parts.length > second.manifest.parts.length);
    const names = (await readdir(dir)).sort();
    assert.deepEqual(names, [SUMS_FILE, ...second.manifest.parts.map((p) => p.name), 'transfer.json', 'transfer.json.sig', 'working-dir'].sort());
    assert.equal((await verifyTransferSet(dir, { deep: true })).ok, true);
  });

  it('refuses a directory holding other files, before writing', async (t) => {
    const dir = await tempDir(t, 'foreign');
    await writeFile(join(dir, 'holiday.jpg'), 'x');
    await assert.rejects(writeTransferSet({ ...sampleSet(), dir }), { code: 'MEDIA_DIR_NOT_EMPTY' } as object);
    assert.deepEqual(await readdir(dir), ['holiday.jpg']);
  });

  it('checks free space against the plan before the first byte', async (t) => {
    const dir = join(await tempDir(t, 'space'), 'set');
    const options = sampleSet({ archiveSize: 150_000 });
    const fs: MediaFileSystem = { ...nodeMediaFileSystem, freeSpace: async () => ({ available: 100_000, blockSize: 4096 }) };
    await assert.rejects(writeTransferSet({ ...options, dir, fs }), (err: Error & { code?: string; context?: Record<string, unknown> }) => {
      assert.equal(err.code, 'MEDIA_NO_SPACE');
      assert.ok(err.message.includes(dir));
      assert.ok(Number(err.context?.needed) > 300_000);
      assert.equal(err.context?.available, 100_000);
      return true;
    });
    assert.deepEqual(await readdir(dir), []);
  });

  it('stops cleanly when the drive fills up mid-part, keeps finished parts, and a re-run completes', async (t) => {
    const dir = join(await tempDir(t, 'enospc'), 'set');
    const options = sampleSet({ archiveSize: 150_000 });
    // A drive that takes 200 000 bytes and then fails with ENOSPC (after a short write, as a kernel does).
    let budget = 200_000;
    const full: MediaFileSystem = {
      ...nodeMediaFileSystem,
      async createFile(path) {
        const file = await nodeMediaFileSystem.createFile(path);
        return {
          ...file,
          async write(data) {
            if (data.byteLength > budget) {
              await file.write(data.subarray(0, budget));
              budget = 0;
              throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
            }
            budget -= data.byteLength;
            await file.write(data);
          },
        };
      },
    };
    await assert.rejects(writeTransferSet({ ...options, dir, fs: full }), (err: Error & { code?: string; context?: Record<string, unknown> }) => {
      assert.equal(err.code, 'MEDIA_NO_SPACE');
      assert.match(err.message, /ran out of space writing mirror_00000\d\.tar/);
      assert.match(String(err.context?.part), /^mirror_00000\d\.tar$/);
      assert.ok(Number(err.context?.needed) > 0);
      return true;
    });
    const left = await readdir(dir);
    assert.ok(!left.some((n) => n.endsWith('.partial')), `partial file left: ${left.join(', ')}`);
    assert.ok(!left.includes(SUMS_FILE));
    const finished = left.filter((n) => n.startsWith('mirror_')).sort();
    assert.ok(finished.length >= 1, 'the first part fit and should be kept');

    const resumed = await writeTransferSet({ ...options, dir });
    assert.deepEqual(resumed.partsReused, finished);
    assert.equal(resumed.partsWritten.length + finished.length, resumed.manifest.parts.length);
    assert.equal(resumed.verify.ok, true);
    await run('sha256sum', ['-c', SUMS_FILE], dir);
  });

  it('fails on a cache blob that does not match its digest, leaving no partial file and no SHA256SUMS', async (t) => {
    const dir = join(await tempDir(t, 'badcache'), 'set');
    const options = sampleSet({ archiveSize: 1 << 20 });
    const layer = options.images3[0]!.blobs[1]!;
    const data = options.store.blobs.get(layer.digest)!;
    const corrupt = Buffer.from(data);
    corrupt[5] = (corrupt[5] ?? 0) ^ 1;
    options.store.blobs.set(layer.digest, corrupt);
    await assert.rejects(writeTransferSet({ ...options, dir }), (err: Error & { code?: string; context?: Record<string, unknown> }) => err.code === 'DIGEST_MISMATCH' && err.context?.blob === layer.digest && err.context?.part === 'mirror_000001.tar');
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n !== 'working-dir'),
      [],
    );
  });

  it('refuses a plan whose images are incomplete, before writing', async (t) => {
    const dir = join(await tempDir(t, 'incomplete'), 'set');
    const options = sampleSet();
    const layer = options.images3[0]!.blobs[1]!;
    const blobs = options.blobs.filter((b) => b.digest !== layer.digest);
    await assert.rejects(writeTransferSet({ ...options, blobs, dir }), (err: Error & { code?: string }) => err.code === 'MEDIA_PLAN_INVALID' && err.message.includes(layer.digest));
    await assert.rejects(stat(dir), { code: 'ENOENT' });
    // A set built on base sets may leave out what they carried.
    const incremental = await writeTransferSet({ ...options, blobs, baseSets: ['set-0000'], dir });
    assert.equal(incremental.verify.ok, true);
  });

  it('refuses names skopeo could not resolve, and duplicate names', async (t) => {
    const dir = join(await tempDir(t, 'names'), 'set');
    const options = sampleSet();
    const [first] = options.images;
    await assert.rejects(writeTransferSet({ ...options, images: [{ ...first!, name: 'a__b:1' }], dir }), /cannot be an OCI layout reference name/);
    await assert.rejects(writeTransferSet({ ...options, images: [first!, { ...first!, source: 'other' }], dir }), /used by two images/);
  });

  describe('with blobs in files (a worker thread writes the parts)', () => {
    /** The sample set's blobs as files, as the blob cache holds them. */
    async function fileSource(root: string, store: BlobStore): Promise<BlobStore & { path(digest: string): string }> {
      const blobDir = join(root, 'blobs');
      await mkdir(blobDir, { recursive: true });
      for (const [digest, data] of store.blobs) await writeFile(join(blobDir, digest.slice(7)), data);
      return Object.assign(store, { path: (digest: string) => join(blobDir, digest.slice(7)) });
    }

    it('writes the same bytes as writing in this thread, and reads back clean', async (t) => {
      const root = await tempDir(t, 'worker');
      const options = sampleSet({ archiveSize: 150_000 });
      const source = await fileSource(root, options.store);
      const inWorker = await writeTransferSet({ ...options, source, dir: join(root, 'a') });
      const inThread = await writeTransferSet({ ...options, source, dir: join(root, 'b'), useWorkers: false });
      assert.equal(inWorker.partWriter, 'worker');
      assert.equal(inThread.partWriter, 'thread');
      assert.equal(inWorker.verify.ok, true);
      assert.ok(inWorker.manifest.parts.length >= 3);
      assert.deepEqual(inWorker.manifest.parts, inThread.manifest.parts);
      for (const part of inWorker.manifest.parts) assert.equal(await sha256File(join(root, 'a', part.name)), part.sha256);
    });

    it('catches a blob file that does not match its digest, leaving no partial file and no SHA256SUMS', async (t) => {
      const root = await tempDir(t, 'worker-bad');
      const options = sampleSet({ archiveSize: 1 << 20 });
      const source = await fileSource(root, options.store);
      const layer = options.images3[0]!.blobs[1]!;
      const bytes = await readFile(source.path(layer.digest));
      bytes[5] = (bytes[5] ?? 0) ^ 1;
      await writeFile(source.path(layer.digest), bytes);
      const dir = join(root, 'set');
      await assert.rejects(writeTransferSet({ ...options, source, dir }), (err: Error & { code?: string; context?: Record<string, unknown> }) => err.code === 'DIGEST_MISMATCH' && err.context?.blob === layer.digest && err.context?.part === 'mirror_000001.tar');
      assert.deepEqual((await readdir(dir)).filter((n) => n !== 'working-dir'), []);
    });

    it('stops on abort and removes the partial file', async (t) => {
      const root = await tempDir(t, 'worker-abort');
      const options = sampleSet({ archiveSize: 150_000 });
      const source = await fileSource(root, options.store);
      const dir = join(root, 'set');
      const controller = new AbortController();
      await assert.rejects(writeTransferSet({ ...options, source, dir, signal: controller.signal, onProgress: (e) => e.type === 'part-start' && e.index === 2 && controller.abort() }), { name: 'AbortError' });
      const left = await readdir(dir);
      assert.ok(!left.some((n) => n.endsWith('.partial')));
      assert.ok(left.includes('mirror_000001.tar') && !left.includes('mirror_000002.tar') && !left.includes(SUMS_FILE));
    });
  });

  it('stops on abort and removes the partial file', async (t) => {
    const dir = join(await tempDir(t, 'abort'), 'set');
    const options = sampleSet({ archiveSize: 150_000 });
    const controller = new AbortController();
    await assert.rejects(
      writeTransferSet({
        ...options,
        dir,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.type === 'part-start' && e.index === 2) controller.abort();
        },
      }),
      { name: 'AbortError' },
    );
    const left = await readdir(dir);
    assert.ok(!left.some((n) => n.endsWith('.partial')));
    assert.ok(left.includes('mirror_000001.tar') && !left.includes('mirror_000002.tar') && !left.includes(SUMS_FILE));
  });
});
