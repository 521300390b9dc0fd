import { parentPort, workerData } from 'node:worker_threads';
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

/** Marks the threads started as verifiers (workerData), so this module stays inert elsewhere. */
export const VERIFY_WORKER_MARK = 'airlock-part-verifier';

// Only does anything in a thread started by verify-pool.ts: importing it anywhere else, including
// another worker thread (the app's job worker loads the engine), must not touch that thread's port.
const port = (workerData as { role?: unknown } | null)?.role === VERIFY_WORKER_MARK ? parentPort : null;
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
