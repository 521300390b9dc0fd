import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';

const MEDIA = join(__dirname, '..', '..', '..', 'src', 'media', 'index.ts');

describe('the engine inside another worker thread', () => {
  // The app runs jobs in a worker thread that loads the engine; the engine's own worker modules
  // must not answer on (or listen to) that thread's port.
  it('leaves the host thread\'s port alone', async () => {
    const source = `require('tsx/cjs'); require(${JSON.stringify(MEDIA)}); require('node:worker_threads').parentPort.postMessage('loaded');`;
    const worker = new Worker(source, { eval: true });
    const messages: unknown[] = [];
    worker.on('message', (m) => messages.push(m));
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m) => {
        if (m === 'loaded') resolve();
      });
      worker.on('error', reject);
    });
    // A message the engine's workers would take as a command if they were listening.
    worker.postMessage({ type: 'job', id: 1, job: { path: '/nonexistent', part: 'x', deep: false } });
    worker.postMessage({ type: 'open', path: '/nonexistent/x', part: 'x', size: 1 });
    await new Promise((r) => setTimeout(r, 300));
    await worker.terminate();
    assert.deepEqual(messages, ['loaded']);
  });
});
