/**
 * Where a job's worker runs. The runner only sees JobChannel; worker_threads is the host in plain
 * Node (tests, the e2e harness), and main/services/jobs/utility-host.ts wraps Electron's
 * utilityProcess for the app. Both run job-worker.ts.
 */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './protocol';

export interface JobChannel {
  post(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /** The worker ended (after its last message, a crash, or terminate()). */
  onExit(listener: (code: number, error?: Error) => void): void;
  terminate(): Promise<void>;
}

export interface JobHost {
  spawn(): JobChannel;
}

/** job-worker.js beside this file (dist/main/services/jobs), or job-worker.ts when running from source. */
export function jobWorkerFile(): string {
  return join(__dirname, `job-worker${extname(__filename)}`);
}

function workerSource(file: string): string {
  // From TypeScript sources the worker needs tsx's hooks too (as src/media/verify-pool.ts does).
  const preload = file.endsWith('.ts') ? "require('tsx/cjs');" : '';
  return `${preload}require(${JSON.stringify(file)});`;
}

export function workerThreadHost(file: string = jobWorkerFile()): JobHost {
  return {
    spawn() {
      const worker = new Worker(workerSource(file), { eval: true });
      let exitError: Error | undefined;
      worker.on('error', (err) => {
        exitError = err;
      });
      return {
        post: (message) => worker.postMessage(message),
        onMessage: (listener) => worker.on('message', listener),
        onExit: (listener) => worker.on('exit', (code) => listener(code, exitError)),
        terminate: async () => {
          await worker.terminate();
        },
      };
    },
  };
}
