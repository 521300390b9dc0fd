/**
 * What a running job tells the CLI and the app. The engine owns job truth; front ends only render
 * these (the CLI as a progress bar or JSON lines, the app through IPC).
 */
export type Phase = 'resolve' | 'pull' | 'write' | 'verify' | 'record' | 'push';

export type JobEvent =
  | { readonly type: 'phase'; readonly phase: Phase; readonly total?: number }
  | { readonly type: 'progress'; readonly phase: Phase; readonly done: number; readonly total: number; readonly item?: string }
  | { readonly type: 'image'; readonly source: string; readonly status: 'resolved' | 'pulled' | 'failed' | 'blocked' | 'pushed'; readonly message?: string }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'log'; readonly level: 'info' | 'debug'; readonly message: string };

export type EventSink = (event: JobEvent) => void;

/** Limits how often progress events reach a sink (at most `perSecond`), always passing other events. */
export function throttleProgress(sink: EventSink, perSecond = 10, now: () => number = Date.now): EventSink {
  let last = 0;
  return (event) => {
    if (event.type === 'progress' && event.done < event.total) {
      const t = now();
      if (t - last < 1000 / perSecond) return;
      last = t;
    }
    sink(event);
  };
}
