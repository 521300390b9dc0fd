import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { constants, existsSync, statfsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALIGN, createSequentialFile, DIRECT_CHUNK, readChunks, readRange, type SequentialFileOptions } from '../../../src/util/direct-io';

/** Deterministic bytes: a counter hashed into 32-byte blocks. */
function bytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0, block = 0; i < size; i += 32, block++) createHash('sha256').update(`${seed}:${block}`).digest().copy(out, i);
  return out;
}

/** Whether this file system takes O_DIRECT at all, asked independently of the code under test. */
async function supportsDirect(dir: string): Promise<boolean> {
  const flag = (constants as { O_DIRECT?: number }).O_DIRECT;
  if (flag === undefined) return false;
  try {
    const fh = await open(join(dir, 'probe'), constants.O_WRONLY | constants.O_CREAT | flag);
    await fh.close();
    return true;
  } catch {
    return false;
  }
}

async function writeInPieces(path: string, data: Buffer, piece: (i: number) => number, options: SequentialFileOptions = {}): Promise<boolean> {
  const file = await createSequentialFile(path, options);
  try {
    for (let at = 0, i = 0; at < data.byteLength; i++) {
      const n = Math.min(piece(i), data.byteLength - at);
      // A reused source buffer: the file must have taken the bytes when write() resolves.
      const scratch = Buffer.from(data.subarray(at, at + n));
      await file.write(scratch);
      scratch.fill(0xee);
      at += n;
    }
    await file.sync();
    return file.direct;
  } finally {
    await file.close();
  }
}

describe('direct I/O files', () => {
  let dir: string;
  let direct: boolean;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-direct-'));
    direct = await supportsDirect(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const sizes = [0, 1, 511, ALIGN, 3 * ALIGN + 7, DIRECT_CHUNK, 2 * DIRECT_CHUNK + 4097];
  for (const size of sizes) {
    it(`writes and reads back ${size} bytes exactly`, async () => {
      const data = bytes(size, size);
      const path = join(dir, `f-${size}`);
      // Odd piece sizes so staging buffers fill across write() calls.
      const usedDirect = await writeInPieces(path, data, (i) => [1, 4095, 70_000, 1 << 20, 3][i % 5] as number);
      assert.equal(usedDirect, direct, 'direct I/O is used exactly where the file system allows it');
      assert.ok((await readFile(path)).equals(data), 'file content equals what was written');

      for (const viaDirect of [true, false]) {
        const chunks: Buffer[] = [];
        for await (const chunk of readChunks(path, { direct: viaDirect })) chunks.push(Buffer.from(chunk));
        assert.ok(Buffer.concat(chunks).equals(data), `readChunks (direct ${viaDirect}) returns the file`);
        assert.ok(chunks.slice(0, -1).every((c) => c.byteLength === DIRECT_CHUNK), 'every chunk but the last is whole');
      }
    });
  }

  it('writes through a single staging buffer (overlap: false) just as exactly', async () => {
    for (const size of [ALIGN - 1, 5 * 64 * 1024 + 3, 3 * DIRECT_CHUNK + 1]) {
      const data = bytes(size, size + 1);
      const path = join(dir, `single-${size}`);
      const usedDirect = await writeInPieces(path, data, (i) => [70_000, 1 << 20, 4095][i % 3] as number, { chunkSize: 64 * 1024, overlap: false });
      assert.equal(usedDirect, direct);
      assert.ok((await readFile(path)).equals(data), `file of ${size} bytes equals what was written`);
    }
  });

  it('reads any range, aligned or not, directly and buffered', async () => {
    const data = bytes(3 * DIRECT_CHUNK + 12_345, 7);
    const path = join(dir, 'ranges');
    await writeFile(path, data);
    const ranges: Array<[number, number]> = [
      [0, data.byteLength],
      [512, DIRECT_CHUNK],
      [4095, 300_000],
      [DIRECT_CHUNK - 1, 2],
      [DIRECT_CHUNK + 7, 2 * DIRECT_CHUNK],
      [data.byteLength - 100, 100],
      [data.byteLength - 100, 1000],
      [10, 0],
    ];
    for (const [start, length] of ranges) {
      for (const direct of [true, false]) {
        const chunks: Buffer[] = [];
        for await (const chunk of readRange(path, start, length, { direct, chunkSize: 1 << 20 })) chunks.push(Buffer.from(chunk));
        assert.ok(Buffer.concat(chunks).equals(data.subarray(start, start + length)), `range ${start}+${length} (direct ${direct})`);
      }
    }
  });

  it('keeps files written and read at the same time apart (buffers are reused between files)', async () => {
    const files = Array.from({ length: 6 }, (_, i) => ({ path: join(dir, `together-${i}`), data: bytes(DIRECT_CHUNK + 70_000 * (i + 1), 100 + i) }));
    for (let round = 0; round < 2; round++) {
      await Promise.all(files.map((f, i) => writeInPieces(f.path, f.data, () => 65_536 + i * 4099)));
      await Promise.all(
        files.map(async (f) => {
          const chunks: Buffer[] = [];
          for await (const chunk of readChunks(f.path, { chunkSize: 1 << 20 })) {
            chunks.push(Buffer.from(chunk));
            await new Promise((r) => setImmediate(r));
          }
          assert.ok(Buffer.concat(chunks).equals(f.data), `${f.path} round ${round}`);
        }),
      );
    }
  });

  it('overwrites a longer file completely (truncates)', async () => {
    const path = join(dir, 'shrink');
    await writeFile(path, bytes(3 * DIRECT_CHUNK, 1));
    const data = bytes(ALIGN + 100, 2);
    await writeInPieces(path, data, () => 1000);
    assert.ok((await readFile(path)).equals(data));
  });

  it('falls back to buffered I/O when AIRLOCK_DIRECT_IO=0', async () => {
    process.env.AIRLOCK_DIRECT_IO = '0';
    try {
      const data = bytes(DIRECT_CHUNK + 5, 3);
      const path = join(dir, 'buffered');
      assert.equal(await writeInPieces(path, data, () => 9999), false);
      assert.ok((await readFile(path)).equals(data));
    } finally {
      delete process.env.AIRLOCK_DIRECT_IO;
    }
  });

  // tmpfs refuses O_DIRECT before Linux 6.6 and takes it since: either way the bytes must be right.
  it('works on tmpfs, directly or buffered as it allows', { skip: !existsSync('/dev/shm') || statfsSync('/dev/shm').type !== 0x01021994 ? 'no tmpfs at /dev/shm' : false }, async () => {
    const shm = await mkdtemp('/dev/shm/airlock-direct-');
    try {
      const data = bytes(2 * ALIGN + 3, 4);
      const path = join(shm, 'f');
      assert.equal(await writeInPieces(path, data, () => 3000), await supportsDirect(shm));
      assert.ok((await readFile(path)).equals(data));
      const chunks: Buffer[] = [];
      for await (const chunk of readChunks(path, { direct: true })) chunks.push(Buffer.from(chunk));
      assert.ok(Buffer.concat(chunks).equals(data));
    } finally {
      await rm(shm, { recursive: true, force: true });
    }
  });

  it('reports a write error (a directory in the way) instead of writing elsewhere', async () => {
    await assert.rejects(createSequentialFile(dir), (err: NodeJS.ErrnoException) => err.code === 'EISDIR');
  });
});
