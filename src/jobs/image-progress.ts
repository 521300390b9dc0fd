/**
 * Per-image byte counts for the pull and the push, so a front end can draw a bar per image.
 *
 * Bytes are counted once, as the phase's overall progress counts them: a blob that several images
 * share counts for the first of them to start (its owner), whichever image's request actually
 * brings it, so the images' totals add up to the phase's total. When the owner fails before the
 * blob arrives, the image that brings it takes it over.
 *
 * Reports are throttled per image (at most `perSecond`); an image's start and its completion are
 * always reported.
 */
export interface ImageBytes {
  readonly source: string;
  readonly done: number;
  readonly total: number;
}

export interface ImageByteProgressOptions {
  /** Reports per second per image while its bytes move; default 4. */
  readonly perSecond?: number;
  readonly now?: () => number;
}

interface Counter {
  done: number;
  total: number;
  /** When it was last reported, and what; undefined before its first report. */
  reportedAt?: number;
  reported?: { readonly done: number; readonly total: number };
  failed: boolean;
}

export class ImageByteProgress {
  private readonly images = new Map<string, Counter>();
  /** blob digest -> the image its bytes count for */
  private readonly owners = new Map<string, string>();
  private readonly interval: number;
  private readonly now: () => number;

  constructor(
    private readonly report: (progress: ImageBytes) => void,
    options: ImageByteProgressOptions = {},
  ) {
    this.interval = 1000 / (options.perSecond ?? 4);
    this.now = options.now ?? Date.now;
  }

  /** An image starts: it owns those of its blobs that no image owns yet. Reported at once. */
  start(source: string, blobs: Iterable<{ readonly digest: string; readonly size: number }>): void {
    const counter = this.counter(source);
    for (const blob of blobs) {
      if (this.owners.has(blob.digest)) continue;
      this.owners.set(blob.digest, source);
      counter.total += blob.size;
    }
    this.emit(source, counter, true);
  }

  /**
   * The image a blob's bytes count for when `fetcher` brings it: its owner, unless the owner
   * failed or there is none, in which case `fetcher` takes the blob over.
   */
  claimant(digest: string, size: number, fetcher: string): string {
    const owner = this.owners.get(digest);
    if (owner !== undefined && !this.images.get(owner)?.failed) return owner;
    this.owners.set(digest, fetcher);
    this.counter(fetcher).total += size;
    return fetcher;
  }

  /** Bytes arrived (or were found in place) for `source`. Never counts past the image's total. */
  add(source: string, bytes: number): void {
    const counter = this.images.get(source);
    if (!counter || bytes <= 0) return;
    counter.done = Math.min(counter.total, counter.done + bytes);
    this.emit(source, counter, false);
  }

  /** The image has every byte it needs: reported at once, as complete. */
  finish(source: string): void {
    const counter = this.counter(source);
    counter.done = counter.total;
    this.emit(source, counter, true);
  }

  /** The image failed: blobs it owned and that have not arrived count for whichever image brings them. */
  fail(source: string): void {
    this.counter(source).failed = true;
  }

  private counter(source: string): Counter {
    let counter = this.images.get(source);
    if (!counter) {
      counter = { done: 0, total: 0, failed: false };
      this.images.set(source, counter);
    }
    return counter;
  }

  private emit(source: string, counter: Counter, force: boolean): void {
    const { done, total } = counter;
    if (counter.reported?.done === done && counter.reported.total === total) return;
    const t = this.now();
    // The last bytes of an image always show: a bar must not stop short of full.
    if (!force && done < total && counter.reportedAt !== undefined && t - counter.reportedAt < this.interval) return;
    counter.reportedAt = t;
    counter.reported = { done, total };
    this.report({ source, done, total });
  }
}
