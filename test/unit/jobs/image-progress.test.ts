import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { throttleProgress, type JobEvent } from '../../../src/jobs/events';
import { ImageByteProgress, type ImageBytes } from '../../../src/jobs/image-progress';

function meter(perSecond = 4): { progress: ImageByteProgress; reports: ImageBytes[]; at: (ms: number) => void } {
  let now = 0;
  const reports: ImageBytes[] = [];
  return { progress: new ImageByteProgress((p) => reports.push(p), { perSecond, now: () => now }), reports, at: (ms) => void (now = ms) };
}

const blob = (digest: string, size: number) => ({ digest, size });

describe('ImageByteProgress', () => {
  it('reports an image at its start, at most a few times a second while its bytes move, and at its end', () => {
    const { progress, reports, at } = meter(4);
    progress.start('a', [blob('x', 1000)]);
    for (let ms = 0; ms < 1000; ms += 10) {
      at(ms);
      progress.add('a', 9);
    }
    at(1000);
    progress.finish('a');
    assert.deepEqual(reports[0], { source: 'a', done: 0, total: 1000 });
    assert.deepEqual(reports.at(-1), { source: 'a', done: 1000, total: 1000 });
    const moving = reports.slice(1, -1);
    assert.ok(moving.length >= 3 && moving.length <= 4, `${moving.length} reports in a second at 4 a second`);
    assert.deepEqual(moving.map((r) => r.done), [234, 459, 684], 'the start counts as the first report');
  });

  it('always reports the byte that completes an image, and never counts past its total', () => {
    const { progress, reports } = meter(1);
    progress.start('a', [blob('x', 10)]);
    progress.add('a', 4);
    progress.add('a', 4);
    progress.add('a', 8);
    assert.deepEqual(reports.map((r) => r.done), [0, 10], 'the bytes in between wait for the next report');
    progress.finish('a');
    assert.equal(reports.length, 2, 'nothing new to say at the end');
  });

  it('counts a shared blob for the first image to start, so the totals add up to the phase', () => {
    const { progress, reports, at } = meter();
    progress.start('a', [blob('base', 100), blob('a-own', 10)]);
    progress.start('b', [blob('base', 100), blob('b-own', 20)]);
    assert.deepEqual(reports, [
      { source: 'a', done: 0, total: 110 },
      { source: 'b', done: 0, total: 20 },
    ]);
    // b's request happens to bring the shared blob: its bytes still count for a.
    const owner = progress.claimant('base', 100, 'b');
    assert.equal(owner, 'a');
    at(1000);
    progress.add(owner, 100);
    assert.deepEqual(reports.at(-1), { source: 'a', done: 100, total: 110 });
  });

  it('hands a failed image\'s blobs to the image that brings them', () => {
    const { progress, reports, at } = meter();
    progress.start('a', [blob('base', 100)]);
    progress.start('b', [blob('base', 100), blob('b-own', 20)]);
    progress.fail('a');
    at(1000);
    const owner = progress.claimant('base', 100, 'b');
    assert.equal(owner, 'b');
    progress.add(owner, 50);
    assert.deepEqual(reports.at(-1), { source: 'b', done: 50, total: 120 });
  });

  it('reports an image whose blobs all come with other images as complete at once', () => {
    const { progress, reports } = meter();
    progress.start('a', [blob('x', 5)]);
    progress.start('a-by-digest', [blob('x', 5)]);
    progress.finish('a-by-digest');
    assert.deepEqual(reports.filter((r) => r.source === 'a-by-digest'), [{ source: 'a-by-digest', done: 0, total: 0 }]);
  });
});

describe('throttleProgress', () => {
  it('limits image progress per image, passing each image\'s first and last event', () => {
    let now = 0;
    const seen: JobEvent[] = [];
    const sink = throttleProgress((e) => seen.push(e), 10, () => now);
    const bytes = (source: string, done: number): JobEvent => ({ type: 'image-progress', phase: 'pull', source, done, total: 100 });
    for (let ms = 0; ms < 500; ms += 5) {
      now = ms;
      sink(bytes('a', Math.min(99, ms / 5)));
      sink(bytes('b', Math.min(99, ms / 5)));
    }
    sink(bytes('a', 100));
    const of = (source: string) => seen.filter((e) => e.type === 'image-progress' && e.source === source);
    for (const source of ['a', 'b']) {
      const events = of(source);
      assert.ok(events.length >= 5 && events.length <= 6, `${source}: ${events.length} events in half a second at 10 a second`);
    }
    assert.deepEqual(of('a').at(-1), bytes('a', 100), 'the end always passes');
  });

  it('leaves the other events alone', () => {
    const seen: JobEvent[] = [];
    const sink = throttleProgress((e) => seen.push(e), 10, () => 1000);
    sink({ type: 'image', source: 'a', status: 'pulled' });
    sink({ type: 'image', source: 'a', status: 'pulled' });
    sink({ type: 'progress', phase: 'pull', done: 1, total: 10 });
    sink({ type: 'progress', phase: 'pull', done: 2, total: 10 });
    assert.equal(seen.length, 3);
  });
});
