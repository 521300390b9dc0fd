import type { Readable } from 'node:stream';
import type { BlobCache } from '../cache/blob-cache';
import { AirlockError } from '../errors';
import type { BlobSource } from '../media';
import type { BlobSlot } from '../media/part-slots';
import type { BlobTaker } from '../media/live-parts';

/**
 * Lets the transfer set be written while its blobs are still being pulled: the writer asks for
 * blobs in part order and waits for each to land in the cache. When the pull ends without a blob
 * (an image failed), the wait fails with EXPORT_PLAN_CHANGED: the set planned from everything
 * resolved cannot be written, and the export plans it again from what was pulled.
 */
export class BlobArrivals {
  private readonly arrived = new Set<string>();
  private readonly waiting = new Map<string, Array<{ resolve: () => void; reject: (err: unknown) => void }>>();
  /** Waits for whichever of several blobs comes first. */
  private readonly anyWaiters = new Set<{ digests: ReadonlySet<string>; resolve: (digest: string) => void; reject: (err: unknown) => void }>();
  private ended = false;
  /** The writer's, while it writes parts from the downloads (BlobSource.live). */
  private taker: BlobTaker | undefined;
  private decide!: () => void;
  /** Resolves once the writer has said whether it takes the downloads' bytes (BlobSource.live). */
  readonly writerDecided = new Promise<void>((resolve) => (this.decide = resolve));

  /** A download is starting: the slot its bytes should stream into as well, if the writer has one. */
  offer(digest: string, size: number): Promise<BlobSlot | undefined> {
    return this.taker ? this.taker(digest, size) : Promise.resolve(undefined);
  }

  arrive(digest: string): void {
    this.arrived.add(digest);
    const waiters = this.waiting.get(digest);
    if (waiters) {
      this.waiting.delete(digest);
      for (const w of waiters) w.resolve();
    }
    for (const w of this.anyWaiters) {
      if (!w.digests.has(digest)) continue;
      this.anyWaiters.delete(w);
      w.resolve(digest);
    }
  }

  /** The pull is over: whatever has not arrived will not. */
  end(): void {
    this.ended = true;
    for (const [digest, waiters] of this.waiting) for (const w of waiters) w.reject(planChanged(digest));
    this.waiting.clear();
    for (const w of this.anyWaiters) w.reject(planChanged([...w.digests][0] ?? ''));
    this.anyWaiters.clear();
  }

  wait(digest: string): Promise<void> {
    if (this.arrived.has(digest)) return Promise.resolve();
    if (this.ended) return Promise.reject(planChanged(digest));
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(digest) ?? [];
      list.push({ resolve, reject });
      this.waiting.set(digest, list);
    });
  }

  /** The first of `digests` to have arrived, waiting for one when none has. */
  waitAny(digests: readonly string[]): Promise<string> {
    const ready = digests.find((d) => this.arrived.has(d));
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.ended) return Promise.reject(planChanged(digests[0] ?? ''));
    return new Promise((resolve, reject) => {
      this.anyWaiters.add({ digests: new Set(digests), resolve, reject });
    });
  }

  /** A BlobSource over the cache that waits for blobs still on their way. */
  source(cache: BlobCache): BlobSource {
    // Entries from earlier runs (and the manifests, stored first) need no wait. A blob found in the
    // cache counts as arrived; one not found is only looked for again when it arrives.
    const lookedFor = new Set<string>();
    const inCache = async (digest: string): Promise<boolean> => {
      if (this.arrived.has(digest)) return true;
      if (lookedFor.has(digest)) return false;
      lookedFor.add(digest);
      if (!(await cache.has(digest))) return false;
      this.arrive(digest);
      return true;
    };
    const landed = async (digest: string): Promise<void> => {
      if (!(await inCache(digest))) await this.wait(digest);
    };
    return {
      open: async (digest: string): Promise<Readable> => {
        await landed(digest);
        return cache.open(digest);
      },
      chunks: async function* chunks(digest: string): AsyncGenerator<Buffer> {
        await landed(digest);
        yield* cache.chunks(digest);
      },
      path: async (digest: string): Promise<string> => {
        await landed(digest);
        return cache.path(digest);
      },
      live: (take: BlobTaker | undefined): (() => void) => {
        this.taker = take;
        this.decide();
        return () => {
          if (this.taker === take) this.taker = undefined;
        };
      },
      // The writer takes a part's blobs as they land rather than in planned order. Candidates not
      // seen yet are looked for in the cache all at once, racing the pull: one by one, each lookup
      // waits behind the downloads' disk writes in the thread pool, and a part has hundreds.
      next: async (candidates: readonly string[]): Promise<string> => {
        const ready = candidates.find((d) => this.arrived.has(d));
        if (ready !== undefined) return ready;
        const lookups = candidates.map((digest) => inCache(digest).catch(() => false));
        try {
          return await this.waitAny(candidates);
        } catch (err) {
          // The pull is over: what the cache held all along still counts.
          await Promise.all(lookups);
          const found = candidates.find((d) => this.arrived.has(d));
          if (found !== undefined) return found;
          throw err;
        }
      },
    };
  }
}

export function isPlanChanged(err: unknown): boolean {
  return err instanceof AirlockError && err.code === 'EXPORT_PLAN_CHANGED';
}

function planChanged(digest: string): AirlockError {
  return new AirlockError('EXPORT_PLAN_CHANGED', `blob ${digest} was not pulled, so the set planned before the pull cannot be written`, {
    context: { blob: digest },
    hint: 'the export plans the set again from the images that were pulled',
  });
}
