/**
 * What a running job tells the CLI and the app. The engine owns job truth; front ends only render
 * these (the CLI as a progress bar or JSON lines, the app through IPC).
 */
export type Phase = 'resolve' | 'pull' | 'write' | 'verify' | 'record' | 'push';

/** The phases that move an image's own bytes: downloading it, or uploading it into the target. */
export type ImageBytesPhase = Extract<Phase, 'pull' | 'push'>;

export type JobEvent =
  | { readonly type: 'phase'; readonly phase: Phase; readonly total?: number }
  | { readonly type: 'progress'; readonly phase: Phase; readonly done: number; readonly total: number; readonly item?: string }
  | { readonly type: 'image'; readonly source: string; readonly status: 'resolved' | 'pulled' | 'failed' | 'blocked' | 'pushed'; readonly message?: string }
  /**
   * One image's bytes in the pull or the push: sent when it starts, a few times a second while it
   * moves, and when it has them all. A blob several images share counts for one of them only, so
   * the images' totals add up to the phase's.
   */
  | { readonly type: 'image-progress'; readonly phase: ImageBytesPhase; readonly source: string; readonly done: number; readonly total: number }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'log'; readonly level: 'info' | 'debug'; readonly message: string };

export type EventSink = (event: JobEvent) => void;

/**
 * Limits how often progress events reach a sink: at most `perSecond` overall progress events, and
 * as many per image for image progress. An image's first and last events, and every other kind of
 * event, always pass.
 */
export function throttleProgress(sink: EventSink, perSecond = 10, now: () => number = Date.now): EventSink {
  const interval = 1000 / perSecond;
  let last = 0;
  const lastByImage = new Map<string, number>();
  return (event) => {
    if (event.type === 'progress' && event.done < event.total) {
      const t = now();
      if (t - last < interval) return;
      last = t;
    } else if (event.type === 'image-progress') {
      const key = `${event.phase}\u0000${event.source}`;
      if (event.done >= event.total) {
        lastByImage.delete(key);
      } else {
        const t = now();
        const before = lastByImage.get(key);
        if (before !== undefined && t - before < interval) return;
        lastByImage.set(key, t);
      }
    }
    sink(event);
  };
}
