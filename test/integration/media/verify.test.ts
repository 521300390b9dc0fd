// verifyTransferSet, openSetBlob and readSignedTransferManifest against sets damaged after writing,
// and against hand-built hostile tars (tar-stream's pack writes what our writer never would).
import assert from 'node:assert/strict';
import { createHash, verify as cryptoVerify } from 'node:crypto';
import { appendFile, readFile, rm, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { pack, type Header } from 'tar-stream';

type HeaderArgument = Partial<Header> & { name: string };
import {
  formatSums,
  indexJsonBytes,
  ociLayoutBytes,
  openSetBlob,
  readSignedTransferManifest,
  serializeTransferManifest,
  verifyTransferSet,
  writeTransferSet,
  type TransferBlob,
  type TransferManifest,
  type VerifyProblem,
  type VerifyReport,
} from '../../../src/media';
import { tarHeader } from '../../../src/media/tar';
import { digestOf, sampleSet, tempDir, testSigner } from './helpers';

/** A header with another typeflag and name (checksum recomputed): what GNU tar writes for long names. */
function gnuLongNameHeader(length: number): Buffer {
  const block = tarHeader('././@LongLink', 'file', length);
  block[156] = 0x4c; // 'L'
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, '0'), 148, 6, 'ascii');
  block[154] = 0;
  return block;
}

const pad = (data: Buffer): Buffer => Buffer.concat([data, Buffer.alloc((512 - (data.byteLength % 512)) % 512)]);

const hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function writtenSet(t: { after(fn: () => Promise<void>): void }, name: string, archiveSize = 150_000): Promise<{ dir: string; manifest: TransferManifest; options: ReturnType<typeof sampleSet> }> {
  const dir = join(await tempDir(t, name), 'set');
  const options = sampleSet({ archiveSize });
  const result = await writeTransferSet({ ...options, dir });
  return { dir, manifest: result.manifest, options };
}

function codes(report: VerifyReport): string[] {
  return report.problems.map((p) => p.code).sort();
}

function find(report: VerifyReport, code: string): VerifyProblem | undefined {
  return report.problems.find((p) => p.code === code);
}

describe('verifyTransferSet', () => {
  it('passes a good set, deep and shallow, with and without workers', async (t) => {
    const { dir, manifest } = await writtenSet(t, 'good');
    for (const deep of [true, false]) {
      for (const useWorkers of [true, false]) {
        const progress: string[] = [];
        const report = await verifyTransferSet(dir, { deep, useWorkers, onProgress: (e) => progress.push(e.type) });
        assert.deepEqual(report.problems, []);
        assert.equal(report.ok, true);
        const partBytes = manifest.parts.reduce((s, p) => s + p.size, 0);
        assert.ok(report.bytesVerified > partBytes);
        assert.deepEqual(report.manifest, manifest);
        assert.equal(report.signature?.byteLength, 64);
        assert.equal(progress[0], 'start');
        assert.equal(progress.filter((p) => p === 'file-done').length, manifest.parts.length + 2);
      }
    }
  });

  it('names the part and the blob when a byte of a part is flipped', async (t) => {
    const { dir, manifest } = await writtenSet(t, 'flip');
    const blob = manifest.blobs.find((b) => b.kind === 'layer' && b.size > 10_000) as TransferBlob;
    const path = join(dir, blob.part);
    const bytes = await readFile(path);
    bytes[blob.offset + 1234] = (bytes[blob.offset + 1234] ?? 0) ^ 0x01;
    await writeFile(path, bytes);

    const deep = await verifyTransferSet(dir, { deep: true });
    assert.equal(deep.ok, false);
    assert.deepEqual(codes(deep), ['BLOB_DIGEST_MISMATCH', 'HASH_MISMATCH']);
    const mismatch = find(deep, 'BLOB_DIGEST_MISMATCH')!;
    assert.equal(mismatch.part, blob.part);
    assert.equal(mismatch.blob, blob.digest);
    assert.ok(mismatch.message.includes(blob.part) && mismatch.message.includes(blob.digest));
    assert.equal(find(deep, 'HASH_MISMATCH')?.part, blob.part);

    const shallow = await verifyTransferSet(dir, { deep: false });
    assert.deepEqual(codes(shallow), ['HASH_MISMATCH']);

    // Streaming that blob out of the part fails too, naming the part.
    await assert.rejects(text(openSetBlob(dir, manifest, blob.digest)), (err: Error & { code?: string; context?: Record<string, unknown> }) => err.code === 'DIGEST_MISMATCH' && err.context?.part === blob.part);
  });

  it('reports a truncated part, a missing part, an extra file and a leftover partial', async (t) => {
    const { dir, manifest } = await writtenSet(t, 'damage');
    const [first, second, third] = manifest.parts;
    await truncate(join(dir, second!.name), second!.size - 700);
    await unlink(join(dir, third!.name));
    await writeFile(join(dir, 'notes.txt'), 'hello');
    await writeFile(join(dir, 'mirror_000009.tar.partial'), 'x');
    await writeFile(join(dir, '.DS_Store'), 'ignored');

    const report = await verifyTransferSet(dir, { deep: true });
    const byCode = (code: string): VerifyProblem[] => report.problems.filter((p) => p.code === code);
    assert.equal(byCode('SIZE_MISMATCH')[0]?.part, second!.name);
    assert.match(byCode('SIZE_MISMATCH')[0]!.message, /truncated/);
    assert.equal(byCode('HASH_MISMATCH')[0]?.part, second!.name);
    assert.ok(byCode('TAR_INVALID').some((p) => p.part === second!.name));
    assert.deepEqual(
      byCode('FILE_MISSING').map((p) => p.file),
      [third!.name],
    );
    assert.deepEqual(byCode('FILE_EXTRA').map((p) => p.file).sort(), ['mirror_000009.tar.partial', 'notes.txt']);
    assert.ok(!report.problems.some((p) => p.file === first!.name));
  });

  it('reports a tampered transfer.json and a missing SHA256SUMS', async (t) => {
    const { dir } = await writtenSet(t, 'tamper');
    const path = join(dir, 'transfer.json');
    const original = await readFile(path, 'utf8');
    // Still valid JSON and a valid manifest, but not what was signed and summed.
    await writeFile(path, original.replace('"config": "kind', '"config": "KIND'));
    let report = await verifyTransferSet(dir, { deep: true });
    assert.deepEqual(codes(report), ['HASH_MISMATCH']);
    assert.equal(find(report, 'HASH_MISMATCH')?.file, 'transfer.json');
    // The caller's signature check sees it too: the report hands over the exact bytes.
    assert.ok(report.manifestBytes?.toString().includes('"config": "KIND'));

    await writeFile(path, original.replace('"schemaVersion": 1', '"schemaVersion": 7'));
    report = await verifyTransferSet(dir, { deep: true });
    assert.ok(codes(report).includes('MANIFEST_INVALID'));
    assert.match(find(report, 'MANIFEST_INVALID')!.message, /schema version 1 only/);

    await writeFile(path, original);
    await unlink(join(dir, 'SHA256SUMS'));
    report = await verifyTransferSet(dir, { deep: false });
    assert.deepEqual(codes(report), ['SUMS_MISSING']);
  });

  it('reports a SHA256SUMS that lists a stranger or misses a file, and a symlinked part', async (t) => {
    const { dir, manifest } = await writtenSet(t, 'sums');
    const sums = await readFile(join(dir, 'SHA256SUMS'), 'utf8');
    const lines = sums.trim().split('\n');
    await writeFile(join(dir, 'SHA256SUMS'), `${lines.slice(1).join('\n')}\n${'0'.repeat(64)}  stranger.bin\n`);
    const last = manifest.parts[manifest.parts.length - 1]!;
    await rm(join(dir, last.name));
    await symlink('/etc/passwd', join(dir, last.name));
    const report = await verifyTransferSet(dir, { deep: true });
    assert.ok(report.problems.some((p) => p.code === 'SUMS_INCOMPLETE' && p.file === manifest.parts[0]!.name));
    assert.ok(report.problems.some((p) => p.code === 'SUMS_UNKNOWN_ENTRY' && p.file === 'stranger.bin'));
    assert.ok(report.problems.some((p) => p.code === 'FILE_NOT_REGULAR' && p.part === last.name));
  });

  it('reports a missing directory', async () => {
    const report = await verifyTransferSet('/nonexistent/airlock-set', { deep: true });
    assert.deepEqual(codes(report), ['SET_UNREADABLE']);
  });

  it('can be cancelled', async (t) => {
    const { dir } = await writtenSet(t, 'cancel');
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(verifyTransferSet(dir, { deep: true, signal: controller.signal }), { name: 'AbortError' });
  });
});

/** A one-part set around a hand-made tar: transfer.json, signature and SHA256SUMS all consistent with it. */
async function handMadeSet(dir: string, entries: readonly { header: HeaderArgument; data?: Buffer }[], blobs: readonly TransferBlob[]): Promise<void> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const ended = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const e of entries) p.entry({ mtime: new Date(946_684_800_000), mode: e.header.type === 'directory' ? 0o755 : 0o644, ...e.header }, e.data ?? Buffer.alloc(0));
  p.finalize();
  await ended;
  await rawSet(dir, Buffer.concat(chunks), blobs);
}

async function rawSet(dir: string, tar: Buffer, blobs: readonly TransferBlob[]): Promise<void> {
  const manifest: TransferManifest = {
    schemaVersion: 1,
    setId: 'hostile',
    createdAt: '2025-01-01T00:00:00.000Z',
    tool: { name: 'airlock', version: '0.1.0' },
    stationKeyFingerprint: 'SHA256:test',
    baseSets: [],
    config: '',
    images: [],
    missing: [],
    parts: [{ name: 'mirror_000001.tar', size: tar.byteLength, sha256: hex(tar) }],
    blobs,
  };
  const bytes = serializeTransferManifest(manifest);
  const signature = testSigner().sign(bytes) as Buffer;
  await writeFile(join(dir, 'mirror_000001.tar'), tar);
  await writeFile(join(dir, 'transfer.json'), bytes);
  await writeFile(join(dir, 'transfer.json.sig'), signature);
  await writeFile(
    join(dir, 'SHA256SUMS'),
    formatSums([
      { name: 'mirror_000001.tar', sha256: hex(tar) },
      { name: 'transfer.json', sha256: hex(bytes) },
      { name: 'transfer.json.sig', sha256: hex(signature) },
    ]),
  );
}

describe('verifyTransferSet on hostile tars', () => {
  const layout = ociLayoutBytes();
  const index = indexJsonBytes([]);
  const prologue = [
    { header: { name: 'oci-layout', size: layout.byteLength }, data: layout },
    { header: { name: 'index.json', size: index.byteLength }, data: index },
    { header: { name: 'blobs/', type: 'directory' as const } },
    { header: { name: 'blobs/sha256/', type: 'directory' as const } },
  ];
  const payload = Buffer.from('a blob');
  const digest = digestOf(payload);
  const blobName = `blobs/sha256/${digest.slice(7)}`;
  // Where the blob's data lands: after the prologue (512 + 512, 512 + 512, 512, 512) and its own header.
  const blobOffset = 3584;
  const listed: TransferBlob[] = [{ digest, size: payload.byteLength, part: 'mirror_000001.tar', offset: blobOffset }];

  it('accepts the hand-made baseline (so the refusals below are about the entries)', async (t) => {
    const dir = await tempDir(t, 'baseline');
    await handMadeSet(dir, [...prologue, { header: { name: blobName, size: payload.byteLength }, data: payload }], listed);
    const report = await verifyTransferSet(dir, { deep: true });
    assert.deepEqual(report.problems, []);
  });

  it('refuses ../ paths, symlinks and duplicates, naming each', async (t) => {
    const dir = await tempDir(t, 'evil');
    const evil = Buffer.from('owned');
    await handMadeSet(
      dir,
      [
        ...prologue,
        { header: { name: blobName, size: payload.byteLength }, data: payload },
        { header: { name: '../evil', size: evil.byteLength }, data: evil },
        { header: { name: 'blobs/sha256/link', type: 'symlink', linkname: '/etc/shadow' } },
        { header: { name: blobName, size: payload.byteLength }, data: payload },
        { header: { name: '/etc/cron.d/x', size: evil.byteLength }, data: evil },
        { header: { name: 'blobs/sha256/hard', type: 'link', linkname: 'oci-layout' } },
        { header: { name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 } },
        { header: { name: 'index.json', size: index.byteLength, mode: 0o4755 }, data: index },
      ],
      listed,
    );
    const report = await verifyTransferSet(dir, { deep: true });
    const messages = report.problems.map((p) => `${p.code} ${p.message}`);
    const has = (code: string, fragment: string): boolean => messages.some((m) => m.startsWith(code) && m.includes(fragment));
    assert.ok(has('TAR_ENTRY_FORBIDDEN', '"../evil" has a ".." component'), messages.join('\n'));
    assert.ok(has('TAR_ENTRY_FORBIDDEN', '"blobs/sha256/link" -> "/etc/shadow" is a symlink'), messages.join('\n'));
    assert.ok(has('TAR_ENTRY_DUPLICATE', blobName), messages.join('\n'));
    assert.ok(has('TAR_ENTRY_FORBIDDEN', '"/etc/cron.d/x" has an absolute path'), messages.join('\n'));
    assert.ok(has('TAR_ENTRY_FORBIDDEN', '"blobs/sha256/hard" -> "oci-layout" is a link'), messages.join('\n'));
    assert.ok(has('TAR_ENTRY_FORBIDDEN', '"dev" is a character-device'), messages.join('\n'));
    assert.ok(has('TAR_ENTRY_FORBIDDEN', 'mode 4755'), messages.join('\n'));
    assert.ok(report.problems.every((p) => p.part === 'mirror_000001.tar'));
    // The good blob itself checked out, where transfer.json says it is.
    assert.ok(!messages.some((m) => m.startsWith('BLOB_') || m.startsWith('MANIFEST_') || m.includes(`${blobName}" does not`)), messages.join('\n'));
  });

  it('refuses pax headers and entries that are not where transfer.json puts them', async (t) => {
    const dir = await tempDir(t, 'pax');
    await handMadeSet(dir, [...prologue, { header: { name: blobName, size: payload.byteLength, pax: { comment: 'hidden' } } as HeaderArgument, data: payload }], listed);
    const report = await verifyTransferSet(dir, { deep: true });
    assert.ok(report.problems.some((p) => p.code === 'TAR_ENTRY_FORBIDDEN' && p.message.includes('pax')));
    // The pax record pushed the data down: the offset no longer matches, which is what openSetBlob relies on.
    assert.ok(report.problems.some((p) => p.code === 'TAR_ENTRY_MISPLACED'));
  });

  it('refuses a GNU long-name record and a zero-block gap, which GNU tar would read differently', async (t) => {
    const prologueBytes = Buffer.concat([
      tarHeader('oci-layout', 'file', layout.byteLength),
      pad(layout),
      tarHeader('index.json', 'file', index.byteLength),
      pad(index),
      tarHeader('blobs/', 'directory', 0),
      tarHeader('blobs/sha256/', 'directory', 0),
    ]);
    // tar-stream applies the long name (a perfectly valid blob name) to the next entry ...
    const longName = Buffer.from(`${blobName}\0`);
    const renamed = Buffer.concat([prologueBytes, gnuLongNameHeader(longName.byteLength), pad(longName), tarHeader('innocent', 'file', payload.byteLength), pad(payload), Buffer.alloc(1024)]);
    const dir = await tempDir(t, 'gnulong');
    await rawSet(dir, renamed, [{ ...listed[0]!, offset: blobOffset + 1024 }]);
    let report = await verifyTransferSet(dir, { deep: true });
    assert.deepEqual(codes(report), ['TAR_ENTRY_MISPLACED']);
    assert.match(report.problems[0]!.message, /does not directly follow/);

    // ... and skips zero blocks, where GNU tar sees the end of the archive and stops extracting.
    const gap = Buffer.concat([prologueBytes, Buffer.alloc(1024), tarHeader(blobName, 'file', payload.byteLength), pad(payload), Buffer.alloc(1024)]);
    const dir2 = await tempDir(t, 'gap');
    await rawSet(dir2, gap, [{ ...listed[0]!, offset: blobOffset + 1024 }]);
    report = await verifyTransferSet(dir2, { deep: true });
    assert.deepEqual(codes(report), ['TAR_ENTRY_MISPLACED']);

    // The same bytes without the gap are fine.
    const clean = Buffer.concat([prologueBytes, tarHeader(blobName, 'file', payload.byteLength), pad(payload), Buffer.alloc(1024)]);
    const dir3 = await tempDir(t, 'clean');
    await rawSet(dir3, clean, listed);
    assert.deepEqual((await verifyTransferSet(dir3, { deep: true })).problems, []);
  });

  it('refuses a blob the part holds but transfer.json does not list, and one listed but absent', async (t) => {
    const dir = await tempDir(t, 'unlisted');
    const other = Buffer.from('another blob');
    const otherDigest = digestOf(other);
    const absent = digestOf(Buffer.from('never written'));
    await handMadeSet(
      dir,
      [...prologue, { header: { name: blobName, size: payload.byteLength }, data: payload }, { header: { name: `blobs/sha256/${otherDigest.slice(7)}`, size: other.byteLength }, data: other }],
      [...listed, { digest: absent, size: 13, part: 'mirror_000001.tar', offset: blobOffset + 1024 }],
    );
    const report = await verifyTransferSet(dir, { deep: true });
    assert.ok(report.problems.some((p) => p.code === 'TAR_ENTRY_UNEXPECTED' && p.blob === otherDigest));
    assert.ok(report.problems.some((p) => p.code === 'BLOB_MISSING' && p.blob === absent));
  });

  it('refuses a size that disagrees with transfer.json and data after the end marker', async (t) => {
    const dir = await tempDir(t, 'size');
    await handMadeSet(dir, [...prologue, { header: { name: blobName, size: payload.byteLength }, data: payload }], [{ ...listed[0]!, size: 5 }]);
    let report = await verifyTransferSet(dir, { deep: true });
    assert.ok(report.problems.some((p) => p.code === 'TAR_ENTRY_SIZE' && p.blob === digest));

    const dir2 = await tempDir(t, 'trailer');
    await handMadeSet(dir2, [...prologue, { header: { name: blobName, size: payload.byteLength }, data: payload }], listed);
    // Append 1 KiB of zeros after the end marker and make every checksum agree with it.
    await appendFile(join(dir2, 'mirror_000001.tar'), Buffer.alloc(1024));
    const tar = await readFile(join(dir2, 'mirror_000001.tar'));
    const m = JSON.parse(await readFile(join(dir2, 'transfer.json'), 'utf8')) as TransferManifest;
    const fixed = serializeTransferManifest({ ...m, parts: [{ name: 'mirror_000001.tar', size: tar.byteLength, sha256: hex(tar) }] });
    await writeFile(join(dir2, 'transfer.json'), fixed);
    const sig = await readFile(join(dir2, 'transfer.json.sig'));
    await writeFile(join(dir2, 'SHA256SUMS'), formatSums([{ name: 'mirror_000001.tar', sha256: hex(tar) }, { name: 'transfer.json', sha256: hex(fixed) }, { name: 'transfer.json.sig', sha256: hex(sig) }]));
    report = await verifyTransferSet(dir2, { deep: true });
    assert.deepEqual(codes(report), ['TAR_TRAILER_INVALID']);
  });
});

describe('reading a set', () => {
  it('streams every blob out of its part by offset, byte-exact', async (t) => {
    const { dir, manifest, options } = await writtenSet(t, 'read');
    for (const blob of manifest.blobs) {
      const chunks: Buffer[] = [];
      for await (const chunk of openSetBlob(dir, manifest, blob.digest, { highWaterMark: 4096 })) chunks.push(chunk as Buffer);
      assert.deepEqual(Buffer.concat(chunks), options.store.blobs.get(blob.digest));
    }
    assert.throws(() => openSetBlob(dir, manifest, digestOf(Buffer.from('nope'))), { code: 'BLOB_NOT_IN_SET' } as object);
  });

  it('reports a missing part through the stream', async (t) => {
    const { dir, manifest } = await writtenSet(t, 'readmissing');
    const blob = manifest.blobs.find((b) => b.size > 0)!;
    await unlink(join(dir, blob.part));
    await assert.rejects(text(openSetBlob(dir, manifest, blob.digest)), { code: 'ENOENT' });
  });

  it('returns transfer.json with its exact bytes and signature for the caller to check', async (t) => {
    const { dir, options } = await writtenSet(t, 'signed');
    const signed = await readSignedTransferManifest(dir);
    assert.deepEqual(signed.bytes, await readFile(join(dir, 'transfer.json')));
    assert.equal(cryptoVerify(null, signed.bytes, options.signer.publicKey, signed.signature), true);
    assert.equal(signed.manifest.setId, options.setId);
    await writeFile(join(dir, 'transfer.json.sig'), Buffer.alloc(10));
    await assert.rejects(readSignedTransferManifest(dir), { code: 'SIGNATURE_INVALID' });
    await unlink(join(dir, 'transfer.json'));
    await assert.rejects(readSignedTransferManifest(dir), { code: 'MEDIA_FILE_MISSING' });
  });
});
