import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { RegionFile } from '../../../src/util/region-file';
import { seededBytes } from '../../fixtures/seeded-bytes';

const TMPFS_MAGIC = 0x01021994;

/** A small deterministic generator, so a failing layout can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** Cuts [0, size) into regions: tar-like 512-multiples, odd sizes, single bytes and large spans. */
function layout(size: number, next: () => number): Array<{ start: number; length: number }> {
  const regions: Array<{ start: number; length: number }> = [];
  for (let start = 0; start < size; ) {
    const pick = next();
    const want = pick < 0.2 ? 1 + Math.floor(next() * 40) : pick < 0.5 ? 512 * (1 + Math.floor(next() * 12)) : pick < 0.8 ? 1 + Math.floor(next() * 9000) : Math.floor(next() * 700_000);
    const length = Math.max(1, Math.min(want, size - start));
    regions.push({ start, length });
    start += length;
  }
  return regions;
}

/** Writes every region at once, each in chunks of random size, the regions started in random order. */
async function writeAll(file: RegionFile, bytes: Buffer, regions: Array<{ start: number; length: number }>, next: () => number): Promise<void> {
  const order = regions.map((r, i) => ({ r, key: next(), i })).sort((a, b) => a.key - b.key);
  await Promise.all(
    order.map(async ({ r }) => {
      await tick();
      const writer = file.region(r.start, r.length);
      for (let at = r.start; at < r.start + r.length; ) {
        const n = Math.min(r.start + r.length - at, 1 + Math.floor(next() * 300_000));
        // A copy the writer may keep only until the write resolves: scribbled over afterwards.
        const chunk = Buffer.from(bytes.subarray(at, at + n));
        await writer.write(chunk);
        chunk.fill(0xee);
        at += n;
        if (next() < 0.3) await tick();
      }
      await writer.end();
    }),
  );
}

describe('RegionFile', () => {
  let dir: string;
  let directExpected: boolean;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-region-'));
    directExpected = process.platform === 'linux' && process.env.AIRLOCK_DIRECT_IO !== '0' && (await statfs(dir)).type !== TMPFS_MAGIC;
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const [name, options] of [
    ['directly', {}],
    ['directly, with small chunks', { chunkSize: 8192 }],
    ['through the page cache', { direct: false }],
  ] as const) {
    it(`writes regions given at once, in any order and any pieces, byte-exact (${name})`, async () => {
      for (const seed of [1, 2, 3]) {
        const next = random(seed * 7919);
        // Not a multiple of the 4096-byte block: the last block is shared with the end of the file.
        const size = 3 * 1024 * 1024 + 1536 + seed * 512;
        const bytes = seededBytes(`region-${seed}`, size);
        const path = join(dir, `part-${name.replace(/\W+/g, '-')}-${seed}.tar`);
        const file = await RegionFile.create(path, size, options);
        assert.equal(file.isDirect, 'direct' in options ? false : directExpected);
        try {
          await writeAll(file, bytes, layout(size, next), next);
          await file.finish();
        } finally {
          await file.close();
        }
        const written = await readFile(path);
        assert.equal(written.length, size);
        assert.ok(written.equals(bytes), `seed ${seed}: content differs at byte ${written.findIndex((b, i) => b !== bytes[i])}`);
      }
      // The scratch file used to find aligned buffers never stays behind.
      assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.align')), []);
    });
  }

  it('refuses regions outside the file or overlapping another, and more bytes than a region holds', async () => {
    const file = await RegionFile.create(join(dir, 'misuse.tar'), 10_240);
    try {
      assert.throws(() => file.region(10_000, 512), /outside the file's 10240 bytes/);
      assert.throws(() => file.region(0, 0), /outside/);
      file.region(1024, 2048);
      assert.throws(() => file.region(512, 1024), /overlaps another/);
      assert.throws(() => file.region(3000, 100), /overlaps another/);
      assert.throws(() => file.region(1024, 1), /overlaps another/);
      const w = file.region(4096, 512);
      await assert.rejects(w.write(Buffer.alloc(513)), /was given more bytes than it holds/);
      await w.write(Buffer.alloc(100));
      await assert.rejects(w.end(), /ended after 100 bytes/);
    } finally {
      await file.close();
    }
  });

  it('will not finish with bytes no region was given, a region not ended, or a region abandoned', async () => {
    const size = 8192;
    const gap = await RegionFile.create(join(dir, 'gap.tar'), size);
    try {
      for (const [start, length] of [
        [0, 1000],
        [1500, size - 1500],
      ] as const) {
        const w = gap.region(start, length);
        await w.write(Buffer.alloc(length, 1));
        await w.end();
      }
      await assert.rejects(gap.finish(), /gap\.tar: bytes 1000-1500 were never given to a region/);
    } finally {
      await gap.close();
    }

    const open = await RegionFile.create(join(dir, 'open.tar'), size);
    try {
      const w = open.region(0, size);
      await w.write(Buffer.alloc(size - 1));
      await assert.rejects(open.finish(), /region 0\+8192 did not end/);
    } finally {
      await open.close();
    }

    const dropped = await RegionFile.create(join(dir, 'dropped.tar'), size);
    try {
      const a = dropped.region(0, 4000);
      const b = dropped.region(4000, size - 4000);
      await a.write(Buffer.alloc(4000, 2));
      await a.end();
      await b.write(Buffer.alloc(10, 3));
      await b.abandon();
      await assert.rejects(dropped.finish(), /a region was abandoned/);
    } finally {
      await dropped.close();
    }
  });
});
