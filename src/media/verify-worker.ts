import { isMainThread, parentPort } from 'node:worker_threads';
import { verifyPartFile, type PartJob, type PartResult } from './verify-part';

/** Messages between verify-pool.ts and this worker. */
export interface WorkerJobMessage {
  readonly type: 'job';
  readonly id: number;
  readonly job: PartJob;
}

export type WorkerReplyMessage =
  | { readonly type: 'bytes'; readonly id: number; readonly bytes: number }
  | { readonly type: 'result'; readonly id: number; readonly result: PartResult }
  | { readonly type: 'error'; readonly id: number; readonly message: string; readonly code?: string };

// Only does anything when loaded as a worker thread; importing it elsewhere is inert.
const port = isMainThread ? null : parentPort;
if (port) {
  port.on('message', (message: WorkerJobMessage) => {
    if (message.type !== 'job') return;
    const { id, job } = message;
    verifyPartFile(job, (bytes) => port.postMessage({ type: 'bytes', id, bytes } satisfies WorkerReplyMessage)).then(
      (result) => port.postMessage({ type: 'result', id, result } satisfies WorkerReplyMessage),
      (err: unknown) => {
        const code = (err as NodeJS.ErrnoException).code;
        port.postMessage({ type: 'error', id, message: (err as Error).message ?? String(err), ...(typeof code === 'string' ? { code } : {}) } satisfies WorkerReplyMessage);
      },
    );
  });
}
