/**
 * The job worker: runs one engine job off the main thread and reports back over a message port.
 * The same file serves as a worker_threads worker (plain Node: tests, the e2e harness) and as an
 * Electron utilityProcess (the app), whichever port it finds. Cancellation arrives as a message and
 * becomes the job's AbortSignal.
 */
import { parentPort } from 'node:worker_threads';
import { AirlockError } from '../../../src/errors';
import { throttleProgress, type JobEvent } from '../../../src/jobs/events';
import { runExport } from '../../../src/jobs/export';
import { runImport } from '../../../src/jobs/import';
import { runVerify } from '../../../src/jobs/verify';
import { StaticCredentialStore } from '../../../src/registry/credentials';
import type { EngineReport, WorkerJobSpec } from './engine';
import type { FromWorker, ToWorker, WorkerError } from './protocol';

interface Port {
  post(message: FromWorker): void;
  onMessage(listener: (message: ToWorker) => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function findPort(): Port | undefined {
  if (parentPort) {
    const port = parentPort;
    return { post: (m) => port.postMessage(m), onMessage: (l) => port.on('message', (m: ToWorker) => l(m)) };
  }
  const electron = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electron) {
    return { post: (m) => electron.postMessage(m), onMessage: (l) => electron.on('message', (e) => l(e.data as ToWorker)) };
  }
  return undefined;
}

/**
 * Engine progress reaches main at most 20 times a second, and each image's bytes as often at most
 * (the engine itself sends those a few times a second); main throttles again for the renderer.
 */
const WORKER_PROGRESS_PER_SECOND = 20;

export function toWorkerError(err: unknown): WorkerError {
  if (err instanceof AirlockError) {
    return { code: err.code, message: err.message, context: err.context, ...(err.hint === undefined ? {} : { hint: err.hint }) };
  }
  return { code: 'INTERNAL', message: 'the job failed unexpectedly', internal: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}

export async function runJob(spec: WorkerJobSpec, signal: AbortSignal, onEvent: (event: JobEvent) => void): Promise<EngineReport> {
  switch (spec.kind) {
    case 'export':
      return runExport({ ...spec.options, signal, onEvent });
    case 'verify':
      return runVerify({ ...spec.options, signal, onEvent });
    case 'import': {
      const credentials = new StaticCredentialStore(new Map(spec.credentials.map((c) => [c.registry, { username: c.username, password: c.password }])), 'credentials saved in Airlock');
      return runImport({ ...spec.options, credentials, signal, onEvent });
    }
    default: {
      const never: never = spec;
      throw new Error(`unknown job ${JSON.stringify(never)}`);
    }
  }
}

function serve(port: Port): void {
  const controller = new AbortController();
  let started = false;
  port.onMessage((message) => {
    if (message.type === 'cancel') {
      controller.abort(new AirlockError('CANCELLED', 'the job was cancelled'));
      return;
    }
    if (started) return;
    started = true;
    const emit = throttleProgress((event) => port.post({ type: 'event', event }), WORKER_PROGRESS_PER_SECOND);
    runJob(message.spec, controller.signal, emit).then(
      (report) => port.post({ type: 'done', report }),
      (err: unknown) => port.post(controller.signal.aborted ? { type: 'cancelled' } : { type: 'failed', error: toWorkerError(err) }),
    );
  });
}

const port = findPort();
if (port) serve(port);
