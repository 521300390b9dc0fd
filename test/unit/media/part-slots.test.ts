import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { extract } from 'tar-stream';
import { sha256Digest } from '../../../src/digest';
import { indexJsonBytes, ociLayoutBytes } from '../../../src/media/layout';
import { PartSlots } from '../../../src/media/part-slots';
import { planParts, type PlannedPart } from '../../../src/media/parts';
import { expectedEntries, verifyPartFile, type ExpectedEntry } from '../../../src/media/verify-part';
import { seededBytes } from '../../fixtures/seeded-bytes';

const ociLayout = ociLayoutBytes();
const indexJson = indexJsonBytes([{ name: 'example.com/app:v1', digest: `sha256:${'a'.repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 100 }]);

/** Sizes around every boundary that matters: tar blocks, direct-I/O blocks, chunk sizes. */
const SIZES = [1, 300, 511, 512, 513, 4095, 4096, 4097, 10_000, 1_572_871, 3 * 1024 * 1024];
const blobs = SIZES.map((size, i) => {
  const bytes = seededBytes(`slot-${i}`, size);
  return { digest: sha256Digest(bytes), size, bytes };
});
const byDigest = new Map(blobs.map((b) => [b.digest, b]));

const expected = (part: PlannedPart): ExpectedEntry[] => expectedEntries(part.entries, { ociLayout: sha256Digest(ociLayout), index: sha256Digest(indexJson) });

/** What an independent tar reader finds in the file: entry name, header offset and content. */
async function listTar(path: string): Promise<Array<{ name: string; content: Buffer }>> {
  const found: Array<{ name: string; content: Buffer }> = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        found.push({ name: header.name, content: Buffer.concat(chunks) });
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(await readFile(path));
  await done;
  return found;
}

describe('PartSlots', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-slots-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes blobs streamed into their slots at once, in any order, into a part that reads back whole', async () => {
    // Small parts: the first has the layout files in its prologue, the others only the directories.
    const plan = planParts({ blobs, ociLayoutSize: ociLayout.byteLength, indexSize: indexJson.byteLength, archiveSize: 4 * 1024 * 1024, strictArchive: false });
    assert.ok(plan.parts.length >= 2, `${plan.parts.length} part(s)`);
    let seed = 1;
    const next = (): number => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (const part of plan.parts) {
      const path = join(dir, part.name);
      const slots = await PartSlots.open(path, part, { ociLayout, indexJson });
      // Claimed in shuffled order, all streaming at once in uneven pieces.
      const order = [...part.blobs].sort(() => next() - 0.5);
      await Promise.all(
        order.map(async (digest) => {
          await tick();
          assert.ok(slots.wants(digest));
          const slot = slots.claim(digest);
          assert.equal(slots.wants(digest), false);
          const { bytes } = byDigest.get(digest) as { bytes: Buffer };
          for (let at = 0; at < bytes.length; ) {
            const n = Math.min(bytes.length - at, 1 + Math.floor(next() * 200_000));
            await slot.write(bytes.subarray(at, at + n));
            at += n;
            if (next() < 0.5) await tick();
          }
          await slot.end();
        }),
      );
      assert.ok(slots.full);
      const arranged = await slots.finish();
      await slots.close();
      assert.deepEqual(arranged.blobs, slots.order);

      // Read back as the export does (byte by byte against the layout), and by tar-stream, an independent reader.
      const result = await verifyPartFile({ path, part: part.name, deep: false, layout: true, entries: expected(arranged), direct: true }, () => undefined);
      assert.deepEqual(result.problems, []);
      const parsed = await verifyPartFile({ path, part: part.name, deep: true, entries: expected(arranged), direct: true }, () => undefined);
      assert.deepEqual(parsed.problems, []);
      assert.equal(parsed.sha256, result.sha256);
      const file = await readFile(path);
      assert.equal(file.length, part.size);
      assert.equal(result.sha256, createHash('sha256').update(file).digest('hex'));
      // And an independent reader sees every blob, in slot order, byte-exact.
      const listed = (await listTar(path)).filter((e) => e.name.startsWith('blobs/sha256/') && e.name.length > 'blobs/sha256/'.length);
      assert.deepEqual(
        listed.map((e) => e.name),
        arranged.blobs.map((d) => `blobs/sha256/${d.slice('sha256:'.length)}`),
      );
      for (const e of listed) assert.ok(e.content.equals((byDigest.get(`sha256:${e.name.slice('blobs/sha256/'.length)}`) as { bytes: Buffer }).bytes), e.name);
    }
  });

  it('refuses a blob the part does not hold or has already placed, and a slot given the wrong byte count', async () => {
    const plan = planParts({ blobs: blobs.slice(0, 3), ociLayoutSize: ociLayout.byteLength, indexSize: indexJson.byteLength, archiveSize: 1 << 30, strictArchive: false });
    const part = plan.parts[0] as PlannedPart;
    const slots = await PartSlots.open(join(dir, 'misuse.tar'), part, { ociLayout, indexJson });
    try {
      assert.throws(() => slots.claim(`sha256:${'f'.repeat(64)}`), /no free slot/);
      const [a, b] = part.blobs as [string, string];
      const slot = slots.claim(a);
      assert.throws(() => slots.claim(a), /no free slot/);
      await assert.rejects(slot.write(Buffer.alloc((byDigest.get(a)?.size ?? 0) + 1)), /was given \d+ bytes for its slot in mirror_000001\.tar, not \d+/);
      const short = slots.claim(b);
      await short.write(Buffer.alloc(1));
      await assert.rejects(short.end(), /was given 1 bytes/);
      await assert.rejects(slots.finish(), /is not full/);
    } finally {
      await slots.close();
    }
  });

  it('cannot be finished once a slot is abandoned', async () => {
    const plan = planParts({ blobs: blobs.slice(0, 2), ociLayoutSize: ociLayout.byteLength, indexSize: indexJson.byteLength, archiveSize: 1 << 30, strictArchive: false });
    const part = plan.parts[0] as PlannedPart;
    const slots = await PartSlots.open(join(dir, 'abandoned.tar'), part, { ociLayout, indexJson });
    try {
      const [a, b] = part.blobs as [string, string];
      const ok = slots.claim(a);
      await ok.write(byDigest.get(a)?.bytes as Buffer);
      await ok.end();
      const failed = slots.claim(b);
      await failed.write(Buffer.alloc(1));
      await failed.abandon();
      assert.equal(slots.wants(b), false);
      await assert.rejects(slots.finish(), /is not full|abandoned/);
    } finally {
      await slots.close();
    }
  });

  it('the layout read-back names what differs from what was written: a blob, a header, padding, the trailer, a cut', async () => {
    const plan = planParts({ blobs: blobs.slice(0, 4), ociLayoutSize: ociLayout.byteLength, indexSize: indexJson.byteLength, archiveSize: 1 << 30, strictArchive: false });
    const part = plan.parts[0] as PlannedPart;
    const path = join(dir, 'layout.tar');
    const slots = await PartSlots.open(path, part, { ociLayout, indexJson });
    for (const digest of part.blobs) {
      const slot = slots.claim(digest);
      await slot.write(byDigest.get(digest)?.bytes as Buffer);
      await slot.end();
    }
    const arranged = await slots.finish();
    await slots.close();
    const good = await readFile(path);
    const check = async (bytes: Buffer): Promise<string[]> => {
      await writeFile(path, bytes);
      const r = await verifyPartFile({ path, part: part.name, deep: false, layout: true, entries: expected(arranged) }, () => undefined);
      return r.problems.map((p) => `${p.code} ${p.message}`);
    };
    assert.deepEqual(await check(good), []);
    const flip = (at: number): Buffer => {
      const copy = Buffer.from(good);
      copy[at] = (copy[at] ?? 0) ^ 0x40;
      return copy;
    };
    // blobs[1] is 300 bytes: its data, then 212 bytes of padding.
    const entry = arranged.entries.find((e) => e.content.kind === 'blob' && e.content.digest === blobs[1]?.digest);
    assert.ok(entry);
    assert.deepEqual(await check(flip(entry.offset + 7)), [`BLOB_DIGEST_MISMATCH ${part.name}: blob ${blobs[1]?.digest} is corrupt: its content hashes to ${sha256Digest(flip(entry.offset + 7).subarray(entry.offset, entry.offset + 300))}`]);
    assert.match((await check(flip(entry.offset - 300))).join(), new RegExp(`TAR_INVALID ${part.name}: the header of blobs/sha256/${blobs[1]?.digest.slice(7)} at byte ${entry.offset - 512} is not what was written`));
    assert.match((await check(flip(entry.offset + 400))).join(), /TAR_INVALID .*: the padding of blobs\/sha256\/[a-f0-9]{64} at byte \d+ is not what was written/);
    assert.match((await check(flip(good.length - 10))).join(), /TAR_TRAILER_INVALID .*: the end-of-archive marker at byte \d+ is not what was written/);
    const last = arranged.entries[arranged.entries.length - 1];
    assert.ok(last?.content.kind === 'blob');
    assert.deepEqual(await check(good.subarray(0, last.offset + 10)), [
      `BLOB_MISSING ${part.name}: blob ${last.content.digest} is cut off: the part ends at byte ${last.offset + 10}`,
      `SIZE_MISMATCH ${part.name}: has ${last.offset + 10} bytes, ${good.length} were written`,
    ]);
  });
});
