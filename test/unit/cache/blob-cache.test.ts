import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobCache } from '../../../src/cache/blob-cache';
import { sha256Digest } from '../../../src/digest';
import { seededBytes } from '../../fixtures/seeded-bytes';

const bytes = (seed: string, size = 700_000): { data: Buffer; digest: string } => {
  const data = seededBytes(seed, size);
  return { data, digest: sha256Digest(data) };
};

describe('BlobCache pending entries (downloads proven by a part read-back)', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'airlock-cache-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('keeps a pending download out of the cache until it is committed', async () => {
    const cache = new BlobCache(join(root, 'commit'));
    const { data, digest } = bytes('commit');
    const pending = await cache.putPending(digest, data.length, Readable.from([data]));
    assert.equal(await cache.has(digest), false);
    assert.equal((await readdir(join(cache.root, 'pending'))).length, 1);
    await pending.commit();
    assert.equal(await cache.has(digest, data.length), true);
    assert.deepEqual(await readdir(join(cache.root, 'pending')), []);
  });

  it('proves a pending download by hashing it: kept when it matches, dropped when it does not', async () => {
    const cache = new BlobCache(join(root, 'prove'));
    const good = bytes('good');
    const kept = await cache.putPending(good.digest, good.data.length, Readable.from([good.data]));
    assert.equal(await kept.prove(), good.digest);
    assert.equal(await cache.has(good.digest), true);

    const claimed = bytes('claimed');
    const other = bytes('other', claimed.data.length);
    const wrong = await cache.putPending(claimed.digest, other.data.length, Readable.from([other.data]));
    assert.equal(await wrong.prove(), other.digest);
    assert.equal(await cache.has(claimed.digest), false);
    assert.deepEqual(await readdir(join(cache.root, 'pending')), []);
  });

  it('adopts what a killed run left pending: complete and right is kept, anything else dropped', async () => {
    const cache = new BlobCache(join(root, 'adopt'));
    const good = bytes('adopt-good');
    await cache.putPending(good.digest, good.data.length, Readable.from([good.data]));
    const claimed = bytes('adopt-claimed');
    await cache.putPending(claimed.digest, 10, Readable.from([Buffer.alloc(10, 1)]));
    await writeFile(join(cache.root, 'pending', 'not-a-digest'), 'x');
    assert.deepEqual(await cache.adoptPending(), { adopted: 1, dropped: 2 });
    assert.equal(await cache.has(good.digest, good.data.length), true);
    assert.equal(await cache.has(claimed.digest), false);
    assert.deepEqual(await readdir(join(cache.root, 'pending')), []);
  });

  it('leaves nothing behind when the download fails part-way', async () => {
    const cache = new BlobCache(join(root, 'fail'));
    const { data, digest } = bytes('fail');
    const source = Readable.from(
      (async function* broken() {
        yield data.subarray(0, 300_000);
        throw new Error('connection reset');
      })(),
    );
    await assert.rejects(cache.putPending(digest, data.length, source), /connection reset/);
    assert.deepEqual(await readdir(join(cache.root, 'pending')), []);
    assert.deepEqual(await readdir(join(cache.root, 'tmp')), []);
  });

  it('leaves alone the pending and temp files of another export that is running on the same cache', async () => {
    const cache = new BlobCache(join(root, 'shared'));
    const { data, digest } = bytes('shared');
    await cache.putPending(digest, data.length, Readable.from([data]));
    await cache.removeStaleTemp();
    // The test runner that started this process is running: its files are in use.
    const [mine] = await readdir(join(cache.root, 'pending'));
    const theirs = (mine as string).replace(`.${process.pid}.`, `.${process.ppid}.`);
    await rename(join(cache.root, 'pending', mine as string), join(cache.root, 'pending', theirs));
    await writeFile(join(cache.root, 'tmp', `abcdef.${process.ppid}.1234`), 'in progress');
    assert.deepEqual(await cache.adoptPending(), { adopted: 0, dropped: 0 });
    await cache.removeStaleTemp();
    assert.deepEqual(await readdir(join(cache.root, 'pending')), [theirs]);
    assert.deepEqual(await readdir(join(cache.root, 'tmp')), [`abcdef.${process.ppid}.1234`]);
    assert.equal(await cache.has(digest), false);
  });
});
