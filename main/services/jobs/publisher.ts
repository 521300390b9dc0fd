/**
 * Throttles what reaches the renderer: a job's snapshot is published at most once per interval
 * (100 ms: ten times a second), the latest state always wins, and flush() publishes at once (a job's
 * end is never held back).
 */
export interface TimerApi {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const NODE_TIMER_API: TimerApi = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class ThrottledPublisher {
  private last = Number.NEGATIVE_INFINITY;
  private pending: unknown;

  constructor(
    private readonly publish: () => void,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
    private readonly timers: TimerApi = NODE_TIMER_API,
  ) {}

  /** Something changed: publish now if the interval has passed, else once it has. */
  changed(): void {
    if (this.pending !== undefined) return;
    const wait = this.last + this.intervalMs - this.now();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.pending = this.timers.setTimeout(() => {
      this.pending = undefined;
      this.fire();
    }, wait);
  }

  flush(): void {
    if (this.pending !== undefined) {
      this.timers.clearTimeout(this.pending);
      this.pending = undefined;
    }
    this.fire();
  }

  private fire(): void {
    this.last = this.now();
    this.publish();
  }
}
