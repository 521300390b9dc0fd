import { parentPort, workerData } from 'node:worker_threads';
import { AirlockError } from '../errors';
import { readChunks } from '../util/direct-io';
import { nodeMediaFileSystem } from './media-fs';
import { inThreadSink, type PartSink, type SinkBlobs } from './part-output';

/**
 * A worker thread that writes parts (see part-sink.ts): the same inThreadSink the writer uses, fed
 * by messages, reading the blobs from their cache files, so the main thread is left to the pull.
 * Commands are carried out in order, one part at a time.
 */

export type PartWorkerCommand =
  | { readonly type: 'open'; readonly path: string; readonly part: string; readonly size: number }
  | { readonly type: 'bytes'; readonly data: Uint8Array }
  | { readonly type: 'blob'; readonly path: string; readonly digest: string; readonly size: number }
  | { readonly type: 'finish' };

export type SerializedError =
  | { readonly kind: 'airlock'; readonly code: string; readonly message: string; readonly context: Record<string, string | number | boolean>; readonly hint?: string }
  | { readonly kind: 'error'; readonly message: string; readonly code?: string };

export type PartWorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly bytes: number }
  | { readonly type: 'done'; readonly sha256: string; readonly bytes: number }
  | { readonly type: 'error'; readonly error: SerializedError };

/** Bytes per read of a blob file: one file at a time here, so larger than the cache's own reads. */
const READ_CHUNK = 4 * 1024 * 1024;

export function serializeError(err: unknown): SerializedError {
  if (err instanceof AirlockError) {
    return { kind: 'airlock', code: err.code, message: err.message, context: { ...err.context } as Record<string, string | number | boolean>, ...(err.hint === undefined ? {} : { hint: err.hint }) };
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return { kind: 'error', message: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' ? { code } : {}) };
}

export function deserializeError(error: SerializedError): Error {
  if (error.kind === 'airlock') return new AirlockError(error.code, error.message, { context: error.context, ...(error.hint === undefined ? {} : { hint: error.hint }) });
  return Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code });
}

/** Marks the threads started as part writers (workerData), so this module stays inert elsewhere. */
export const PART_WORKER_MARK = 'airlock-part-writer';

// Only does anything in a thread started by part-sink.ts: importing it anywhere else, including
// another worker thread (the app's job worker loads the engine), must not touch that thread's port.
const port = (workerData as { role?: unknown } | null)?.role === PART_WORKER_MARK ? parentPort : null;
if (port) {
  let sink: PartSink | undefined;
  // The blob command names the file it is read from; the sink asks for it by digest.
  const files = new Map<string, string>();
  const blobs: SinkBlobs = { chunks: (digest) => readChunks(files.get(digest) ?? '', { chunkSize: READ_CHUNK }) };
  // After a failure the rest of that part's commands are dropped; the next 'open' starts afresh.
  let failed = false;
  const reply = (message: PartWorkerReply): void => port.postMessage(message);
  const current = (): PartSink => {
    if (!sink) throw new Error('no part is open in the part writer thread');
    return sink;
  };

  const run = async (command: PartWorkerCommand): Promise<void> => {
    switch (command.type) {
      case 'open':
        failed = false;
        sink = await inThreadSink(nodeMediaFileSystem, command.path, command.part, command.size, blobs, (bytes) => reply({ type: 'progress', bytes }));
        return;
      case 'bytes':
        // Structured cloning hands over a plain Uint8Array.
        await current().bytes(Buffer.from(command.data.buffer, command.data.byteOffset, command.data.byteLength));
        return;
      case 'blob':
        files.set(command.digest, command.path);
        try {
          await current().blob(command.digest, command.size);
        } finally {
          files.delete(command.digest);
        }
        return;
      case 'finish': {
        const done = await current().finish();
        sink = undefined;
        reply({ type: 'done', ...done });
        return;
      }
    }
  };

  let queue: Promise<void> = Promise.resolve();
  port.on('message', (command: PartWorkerCommand) => {
    queue = queue.then(async () => {
      if (failed && command.type !== 'open') return;
      try {
        await run(command);
      } catch (err) {
        failed = true;
        await sink?.abandon();
        sink = undefined;
        reply({ type: 'error', error: serializeError(err) });
      }
    });
  });
  reply({ type: 'ready' });
}
