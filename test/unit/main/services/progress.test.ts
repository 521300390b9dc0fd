import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressModel } from '../../../../main/services/jobs/progress-model';
import { ThrottledPublisher, type TimerApi } from '../../../../main/services/jobs/publisher';

describe('ProgressModel', () => {
  it('weights the phases of an export into one overall fraction', () => {
    let now = 0;
    const model = new ProgressModel('export', () => now, ['a:1', 'b:1']);
    assert.equal(model.state().progress, undefined);
    model.apply({ type: 'phase', phase: 'resolve', total: 2 });
    model.apply({ type: 'progress', phase: 'resolve', done: 2, total: 2 });
    assert.equal(model.state().progress?.overall, 0.05);
    model.apply({ type: 'phase', phase: 'pull', total: 1000 });
    model.apply({ type: 'progress', phase: 'pull', done: 500, total: 1000 });
    assert.ok(Math.abs((model.state().progress?.overall ?? 0) - 0.275) < 1e-9);
    model.apply({ type: 'phase', phase: 'write', total: 1000 });
    model.apply({ type: 'progress', phase: 'write', done: 1000, total: 1000 });
    assert.ok(Math.abs((model.state().progress?.overall ?? 0) - 0.85) < 1e-9);
    assert.equal(model.state().progress?.unit, 'bytes');
    now = 1;
  });

  it('measures rate and time left over the last seconds of a phase', () => {
    let now = 10_000;
    const model = new ProgressModel('export', () => now);
    model.apply({ type: 'phase', phase: 'pull', total: 10_000_000 });
    assert.equal(model.state().progress?.rate, undefined, 'no rate from a single sample');
    for (let i = 1; i <= 10; i++) {
      now += 1000;
      model.apply({ type: 'progress', phase: 'pull', done: i * 100_000, total: 10_000_000 });
    }
    const p = model.state().progress;
    assert.equal(p?.rate, 100_000);
    assert.equal(p?.etaSeconds, 90);
  });

  it('tracks images, errors and warnings', () => {
    const model = new ProgressModel('import', () => 0, ['a:1', 'b:1']);
    model.apply({ type: 'image', source: 'a:1', status: 'pushed' });
    model.apply({ type: 'image', source: 'b:1', status: 'failed', message: 'denied' });
    model.apply({ type: 'warning', message: 'slow registry' });
    model.apply({ type: 'log', level: 'debug', message: 'ignored' });
    const s = model.state();
    assert.deepEqual(s.images, [{ source: 'a:1', status: 'pushed' }, { source: 'b:1', status: 'failed', message: 'denied' }]);
    assert.deepEqual(s.errors, ['b:1: denied']);
    assert.deepEqual(s.warnings, ['slow registry']);
  });

  it("keeps each image's bytes beside its status, and adds an image first seen moving", () => {
    const model = new ProgressModel('export', () => 0, ['a:1']);
    model.apply({ type: 'image', source: 'a:1', status: 'resolved' });
    model.apply({ type: 'image-progress', phase: 'pull', source: 'a:1', done: 10, total: 40 });
    assert.deepEqual(model.state().images, [{ source: 'a:1', status: 'resolved', bytes: { phase: 'pull', done: 10, total: 40 } }]);
    model.apply({ type: 'image-progress', phase: 'pull', source: 'a:1', done: 40, total: 40 });
    model.apply({ type: 'image', source: 'a:1', status: 'pulled' });
    assert.deepEqual(model.state().images, [{ source: 'a:1', status: 'pulled', bytes: { phase: 'pull', done: 40, total: 40 } }], 'the status keeps the bytes');

    const importing = new ProgressModel('import', () => 0);
    importing.apply({ type: 'image-progress', phase: 'push', source: 'b:2', done: 0, total: 5 });
    importing.apply({ type: 'image-progress', phase: 'push', source: 'c:3', done: 9, total: 5 });
    assert.deepEqual(importing.state().images, [
      { source: 'b:2', status: 'pending', bytes: { phase: 'push', done: 0, total: 5 } },
      { source: 'c:3', status: 'pending', bytes: { phase: 'push', done: 5, total: 5 } },
    ]);
    assert.equal(importing.state().progress, undefined, 'image bytes are not the overall progress');
  });

  it('starts with the warnings known before the job (registries.d)', () => {
    const model = new ProgressModel('export', () => 0, [], ['registries.d/a.yaml:3: unknown key "x" is ignored']);
    model.apply({ type: 'warning', message: 'slow registry' });
    assert.deepEqual(model.state().warnings, ['registries.d/a.yaml:3: unknown key "x" is ignored', 'slow registry']);
  });

  it('counts items while resolving', () => {
    const model = new ProgressModel('export-plan', () => 0);
    model.apply({ type: 'progress', phase: 'resolve', done: 1, total: 4, item: 'a:1' });
    assert.deepEqual(model.state().progress, { phase: 'resolve', done: 1, total: 4, unit: 'items', overall: 0.25, item: 'a:1' });
  });
});

function fakeTimers(): { timers: TimerApi; fire: () => void; pending: () => number } {
  const queue = new Map<number, () => void>();
  let next = 1;
  return {
    timers: {
      setTimeout: (fn) => {
        queue.set(next, fn);
        return next++;
      },
      clearTimeout: (handle) => queue.delete(handle as number),
    },
    fire: () => {
      const due = [...queue.values()];
      queue.clear();
      due.forEach((fn) => fn());
    },
    pending: () => queue.size,
  };
}

describe('ThrottledPublisher', () => {
  it('publishes at most ten times a second, however many events arrive', () => {
    let now = 0;
    const times: number[] = [];
    const { timers, fire, pending } = fakeTimers();
    const publisher = new ThrottledPublisher(() => times.push(now), 100, () => now, timers);
    for (let ms = 0; ms < 2000; ms++) {
      now = ms;
      publisher.changed();
      publisher.changed();
      if (pending() > 0 && ms % 100 === 99) {
        now = ms + 1;
        fire();
      }
    }
    for (let i = 1; i < times.length; i++) assert.ok((times[i] ?? 0) - (times[i - 1] ?? 0) >= 100, `published at ${times[i - 1]} and ${times[i]}`);
    assert.ok(times.length >= 19 && times.length <= 21, `${times.length} publications in two seconds`);
  });

  it('publishes at once on flush, cancelling what was pending', () => {
    let published = 0;
    const { timers, pending } = fakeTimers();
    const publisher = new ThrottledPublisher(() => published++, 100, () => 0, timers);
    publisher.changed();
    publisher.changed();
    assert.equal(published, 1);
    assert.equal(pending(), 1);
    publisher.flush();
    assert.equal(published, 2);
    assert.equal(pending(), 0);
  });
});
