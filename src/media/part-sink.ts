import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PartSink, SinkBlobs } from './part-output';
import { deserializeError, PART_WORKER_MARK, type PartWorkerCommand, type PartWorkerReply } from './part-worker';

function workerSource(): string {
  const file = join(__dirname, `part-worker${extname(__filename)}`);
  // Running from TypeScript sources (tests, `npm run airlock`): the worker needs tsx's hooks too.
  const preload = file.endsWith('.ts') ? "require('tsx/cjs');" : '';
  return `${preload}require(${JSON.stringify(file)});`;
}

/**
 * One worker thread writing the parts of one transfer set, one after the other: it reads the blobs
 * from their cache files itself. Hashing every byte twice (blob, part) is most of an export's CPU;
 * in a worker it runs beside the pull instead of taking turns with it.
 */
export class PartWorker {
  private current: { resolve: (r: { sha256: string; bytes: number }) => void; reject: (e: Error) => void; onBytes: (n: number) => void } | undefined;
  /** The first failure of the part being written; later commands throw it at once. */
  private failure: Error | undefined;
  private finished: Promise<{ sha256: string; bytes: number }> | undefined;
  private dead = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: PartWorkerReply) => {
      const current = this.current;
      if (message.type === 'progress') current?.onBytes(message.bytes);
      else if (message.type === 'done') current?.resolve({ sha256: message.sha256, bytes: message.bytes });
      else if (message.type === 'error') this.fail(deserializeError(message.error));
    });
    const died = (err: Error): void => {
      this.dead = true;
      this.fail(err);
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`the part writer thread stopped (exit code ${code})`)));
  }

  /** Starts a worker; undefined when none can run here (then parts are written in this thread). */
  static async start(): Promise<PartWorker | undefined> {
    let worker: Worker;
    try {
      // A streaming job: a small heap is plenty, and every thread's heap counts against the RSS goal.
      worker = new Worker(workerSource(), { eval: true, workerData: { role: PART_WORKER_MARK }, resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 } });
    } catch {
      return undefined;
    }
    const ready = await new Promise<boolean>((resolve) => {
      worker.once('message', (m: PartWorkerReply) => resolve(m.type === 'ready'));
      worker.once('error', () => resolve(false));
      worker.once('exit', () => resolve(false));
    });
    if (!ready) {
      await worker.terminate();
      return undefined;
    }
    return new PartWorker(worker);
  }

  get usable(): boolean {
    return !this.dead;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.current?.reject(err);
  }

  private send(command: PartWorkerCommand): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(command);
  }

  sink(path: string, part: string, size: number, blobs: SinkBlobs, onBytes: (n: number) => void): PartSink {
    this.failure = undefined;
    this.finished = new Promise((resolve, reject) => {
      this.current = { resolve, reject, onBytes };
    });
    // Observed so a failure before finish() is never "unhandled"; finish() returns it.
    this.finished.catch(() => undefined);
    this.send({ type: 'open', path, part, size });
    return {
      bytes: async (data) => this.send({ type: 'bytes', data }),
      blob: async (digest, blobSize) => {
        if (!blobs.path) throw new Error('the part writer thread needs blob files');
        const file = await blobs.path(digest);
        this.send({ type: 'blob', path: file, digest, size: blobSize });
      },
      finish: async () => {
        this.send({ type: 'finish' });
        try {
          return await (this.finished as Promise<{ sha256: string; bytes: number }>);
        } finally {
          this.current = undefined;
        }
      },
      // The worker may be in the middle of a large blob: stop it rather than wait for it.
      abandon: async () => {
        this.current = undefined;
        this.dead = true;
        await this.worker.terminate();
      },
    };
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}
