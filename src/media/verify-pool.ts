import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { verifyPartFile, type PartJob, type PartResult } from './verify-part';
import { VERIFY_WORKER_MARK, type WorkerJobMessage, type WorkerReplyMessage } from './verify-worker';

/**
 * Runs part verifications `parallelism` at a time. Hashing is CPU work on the JS thread, so real
 * parallelism needs worker threads: each lane owns one worker that verifies its parts in turn. When
 * a worker cannot be started or dies (a packaging that cannot load the worker file, say), its lane
 * carries on inline, so verification never depends on workers being available.
 */

export type PartOutcome = { readonly ok: true; readonly result: PartResult } | { readonly ok: false; readonly message: string; readonly code?: string };

export interface PoolOptions {
  readonly parallelism: number;
  readonly useWorkers: boolean;
  readonly signal?: AbortSignal;
  readonly onBytes: (job: PartJob, bytes: number) => void;
}

class WorkerUnavailable extends Error {}

function workerSource(): string {
  const file = join(__dirname, `verify-worker${extname(__filename)}`);
  // Running from TypeScript sources (tests, `npm run airlock`): the worker needs tsx's hooks too.
  const preload = file.endsWith('.ts') ? "require('tsx/cjs');" : '';
  return `${preload}require(${JSON.stringify(file)});`;
}

class VerifyWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private current: { id: number; resolve: (o: PartOutcome) => void; reject: (e: Error) => void; onBytes: (n: number) => void } | undefined;

  constructor() {
    // Hashing streams through fixed buffers: a small heap is plenty, and each thread's heap counts in the RSS.
    this.worker = new Worker(workerSource(), { eval: true, workerData: { role: VERIFY_WORKER_MARK }, resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 } });
    this.worker.unref();
    this.worker.on('message', (message: WorkerReplyMessage) => {
      const current = this.current;
      if (!current || message.id !== current.id) return;
      if (message.type === 'bytes') {
        current.onBytes(message.bytes);
        return;
      }
      this.current = undefined;
      if (message.type === 'result') current.resolve({ ok: true, result: message.result });
      else current.resolve({ ok: false, message: message.message, ...(message.code === undefined ? {} : { code: message.code }) });
    });
    const fail = (err: Error): void => {
      const current = this.current;
      this.current = undefined;
      current?.reject(new WorkerUnavailable(err.message));
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`verify worker exited with code ${code}`)));
  }

  run(job: PartJob, onBytes: (bytes: number) => void): Promise<PartOutcome> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.current = { id, resolve, reject, onBytes };
      this.worker.ref();
      this.worker.postMessage({ type: 'job', id, job } satisfies WorkerJobMessage);
    }).finally(() => this.worker.unref()) as Promise<PartOutcome>;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

async function runInline(job: PartJob, onBytes: (bytes: number) => void, signal?: AbortSignal): Promise<PartOutcome> {
  try {
    return { ok: true, result: await verifyPartFile(job, onBytes, signal) };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, message: (err as Error).message, ...(typeof code === 'string' ? { code } : {}) };
  }
}

export async function runPartJobs(jobs: readonly PartJob[], options: PoolOptions): Promise<PartOutcome[]> {
  const { signal } = options;
  signal?.throwIfAborted();
  const outcomes = new Array<PartOutcome>(jobs.length);
  const lanes = Math.max(1, Math.min(options.parallelism, jobs.length));
  const workers: VerifyWorker[] = [];
  let next = 0;
  let workersWork = options.useWorkers && lanes > 1;

  let abortListener: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    if (!signal) return;
    abortListener = () => {
      for (const w of workers) void w.terminate();
      reject(signal.reason);
    };
    signal.addEventListener('abort', abortListener, { once: true });
  });
  aborted.catch(() => undefined);

  const lane = async (): Promise<void> => {
    let worker: VerifyWorker | undefined;
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index] as PartJob;
      let sent = 0;
      const onBytes = (bytes: number): void => {
        sent += bytes;
        options.onBytes(job, bytes);
      };
      if (workersWork) {
        try {
          if (!worker) {
            try {
              worker = new VerifyWorker();
            } catch (err) {
              throw new WorkerUnavailable((err as Error).message);
            }
            workers.push(worker);
          }
          outcomes[index] = await Promise.race([worker.run(job, onBytes), aborted]);
          continue;
        } catch (err) {
          if (signal?.aborted) throw signal.reason;
          if (!(err instanceof WorkerUnavailable)) throw err;
          workersWork = false;
          worker = undefined;
          // Take back the progress reported for the lost attempt; the inline run reports it again.
          if (sent > 0) options.onBytes(job, -sent);
        }
      }
      outcomes[index] = await Promise.race([runInline(job, (b) => options.onBytes(job, b), signal), aborted]);
    }
  };

  try {
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    if (abortListener) signal?.removeEventListener('abort', abortListener);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return outcomes;
}

/**
 * Verifies parts one at a time as they are handed in: the writer reads each part back while it
 * writes the next, so only the last part is left to read at the end. Falls back to this thread
 * when no worker can run, as runPartJobs does.
 */
export class PartChecker {
  private worker: VerifyWorker | undefined;
  private workersWork: boolean;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(useWorkers: boolean) {
    this.workersWork = useWorkers;
  }

  check(job: PartJob): Promise<PartOutcome> {
    const run = this.chain.then(() => this.run(job));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(job: PartJob): Promise<PartOutcome> {
    if (this.workersWork) {
      try {
        this.worker ??= new VerifyWorker();
        return await this.worker.run(job, () => undefined);
      } catch (err) {
        if (!(err instanceof WorkerUnavailable)) throw err;
        this.workersWork = false;
        this.worker = undefined;
      }
    }
    return runInline(job, () => undefined);
  }

  async close(): Promise<void> {
    this.workersWork = false;
    await this.worker?.terminate();
  }
}
