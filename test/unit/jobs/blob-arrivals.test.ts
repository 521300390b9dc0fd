import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlobCache } from '../../../src/cache/blob-cache';
import { BlobArrivals, isPlanChanged } from '../../../src/jobs/blob-arrivals';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;

/** Just enough of a cache for the source: which digests it holds, and how often it was asked. */
function fakeCache(held: readonly string[]): { cache: BlobCache; asked: string[] } {
  const asked: string[] = [];
  const cache = {
    has: async (digest: string) => {
      asked.push(digest);
      return held.includes(digest);
    },
    path: (digest: string) => `/cache/${digest}`,
  } as unknown as BlobCache;
  return { cache, asked };
}

describe('BlobArrivals', () => {
  it('offers the writer the first of its candidates to land, in candidate order when several have', async () => {
    const arrivals = new BlobArrivals();
    const { cache } = fakeCache([]);
    const source = arrivals.source(cache);
    const waiting = source.next?.([A, B, C]);
    arrivals.arrive(C);
    assert.equal(await waiting, C);
    arrivals.arrive(B);
    arrivals.arrive(A);
    assert.equal(await source.next?.([B, A]), B);
  });

  it('counts what an earlier run left in the cache as landed, and asks the cache once per blob', async () => {
    const arrivals = new BlobArrivals();
    const { cache, asked } = fakeCache([B]);
    const source = arrivals.source(cache);
    assert.equal(await source.next?.([A, B]), B);
    const waiting = source.next?.([A, C]);
    arrivals.arrive(A);
    assert.equal(await waiting, A);
    assert.deepEqual(asked, [A, B, C]);
    assert.equal(await source.path?.(B), `/cache/${B}`);
  });

  it('fails a writer still waiting when the pull ends without its blobs, so the set is planned again', async () => {
    const arrivals = new BlobArrivals();
    const source = arrivals.source(fakeCache([]).cache);
    const waiting = source.next?.([A, B]);
    arrivals.end();
    await assert.rejects(waiting as Promise<string>, (err: unknown) => isPlanChanged(err));
    await assert.rejects(source.next?.([C]) as Promise<string>, (err: unknown) => isPlanChanged(err));
    // A blob the cache held all along is still found after the pull has ended.
    const late = new BlobArrivals();
    const lateSource = late.source(fakeCache([B]).cache);
    late.end();
    assert.equal(await lateSource.next?.([A, B]), B);
    await assert.rejects(source.path?.(C) as Promise<string>, (err: unknown) => isPlanChanged(err));
  });
});
