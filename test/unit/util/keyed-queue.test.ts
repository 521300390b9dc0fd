import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedQueue } from '../../../src/util/keyed-queue';

describe('KeyedQueue', () => {
  it('runs tasks of one key one at a time, in call order', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    let running = 0;
    const task = (name: string, ms: number) => async (): Promise<string> => {
      running++;
      assert.equal(running, 1, `${name} overlapped another task of its key`);
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([queue.run('k', task('a', 20)), queue.run('k', task('b', 1)), queue.run('k', task('c', 5))]);
    assert.deepEqual(results, ['a', 'b', 'c']);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    assert.equal(queue.size, 0);
  });

  it('runs different keys in parallel', async () => {
    const queue = new KeyedQueue();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = queue.run('a', () => gate.then(() => 'a'));
    // 'b' must finish while 'a' is still waiting on the gate.
    assert.equal(await queue.run('b', async () => 'b'), 'b');
    release();
    assert.equal(await first, 'a');
  });

  it('keeps going after a failed task, and reports the failure to its caller only', async () => {
    const queue = new KeyedQueue();
    const failed = queue.run('k', async () => {
      throw new Error('boom');
    });
    const next = queue.run('k', async () => 'after');
    await assert.rejects(failed, /boom/);
    assert.equal(await next, 'after');
    assert.equal(queue.size, 0);
  });
});
