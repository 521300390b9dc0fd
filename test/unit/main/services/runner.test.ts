import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { JobSnapshot } from '../../../../main/ipc/contract';
import type { JobChannel, JobHost } from '../../../../main/services/jobs/host';
import { workerThreadHost } from '../../../../main/services/jobs/host';
import { planVerify } from '../../../../main/services/jobs/plans';
import type { FromWorker, ToWorker } from '../../../../main/services/jobs/protocol';
import { JobRunner, type JobPlan } from '../../../../main/services/jobs/runner';
import type { TimerApi } from '../../../../main/services/jobs/publisher';

/** A worker the test plays: it sees what main posts and answers when told. */
class FakeWorker implements JobChannel {
  readonly received: ToWorker[] = [];
  terminated = false;
  private listener: ((m: FromWorker) => void) | undefined;
  private exit: ((code: number) => void) | undefined;
  post(message: ToWorker): void {
    this.received.push(message);
  }
  onMessage(listener: (m: FromWorker) => void): void {
    this.listener = listener;
  }
  onExit(listener: (code: number) => void): void {
    this.exit = listener;
  }
  async terminate(): Promise<void> {
    this.terminated = true;
  }
  send(message: FromWorker): void {
    this.listener?.(message);
  }
  die(code: number): void {
    this.exit?.(code);
  }
}

function setup(timers?: TimerApi) {
  const workers: FakeWorker[] = [];
  const host: JobHost = {
    spawn() {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
  };
  const notified: JobSnapshot[] = [];
  let id = 0;
  const runner = new JobRunner({ host, notify: (s) => notified.push(s), newId: () => `job-${++id}`, log: () => undefined, ...(timers ? { timers } : {}) });
  return { runner, workers, notified };
}

const PLAN: JobPlan = {
  kind: 'verify',
  spec: { kind: 'verify', options: { dir: '/media/x', dataDir: '/data', deep: true } },
  finish: async () => ({ kind: 'verify', verify: { ok: true, signature: { trusted: true }, problems: [], bytesVerified: 10, images: 1 } }),
};

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('JobRunner', () => {
  it('starts a worker with the spec, follows its events and ends with the outcome', async () => {
    const { runner, workers, notified } = setup();
    const id = runner.start(PLAN);
    const worker = workers[0] as FakeWorker;
    assert.deepEqual(worker.received, [{ type: 'run', spec: PLAN.spec }]);
    assert.equal(runner.snapshot(id).status, 'running');
    worker.send({ type: 'event', event: { type: 'phase', phase: 'verify', total: 10 } });
    worker.send({ type: 'done', report: { ok: true, signature: { trusted: true }, insecureAccepted: false, problems: [], bytesVerified: 10, images: 1 } });
    await tick();
    const end = runner.snapshot(id);
    assert.equal(end.status, 'succeeded');
    assert.equal(end.status === 'succeeded' && end.outcome.kind, 'verify');
    assert.equal(worker.terminated, true);
    assert.equal(notified.at(-1)?.status, 'succeeded', 'the end is always published');
  });

  it('carries an engine error to the renderer, and hides an unexpected one', () => {
    const { runner, workers } = setup();
    const a = runner.start(PLAN);
    workers[0]?.send({ type: 'failed', error: { code: 'MEDIA_NO_SPACE', message: 'full', context: { file: '/media/x' }, hint: 'use a bigger drive' } });
    assert.deepEqual(runner.snapshot(a).status === 'failed' && runner.snapshot(a), { ...runner.snapshot(a), error: { code: 'MEDIA_NO_SPACE', message: 'full', details: { context: { file: '/media/x' }, hint: 'use a bigger drive' } } });
    const b = runner.start(PLAN);
    workers[1]?.send({ type: 'failed', error: { code: 'INTERNAL', message: 'the job failed unexpectedly', internal: 'TypeError at /home/alice/x.js:1' } });
    const snap = runner.snapshot(b);
    assert.deepEqual(snap.status === 'failed' && snap.error, { code: 'INTERNAL', message: 'the job failed unexpectedly' });
  });

  it('cancels through the worker, and terminates it when it does not stop in time', () => {
    const handles: Array<() => void> = [];
    const timers: TimerApi = { setTimeout: (fn) => handles.push(fn), clearTimeout: () => undefined };
    const { runner, workers } = setup(timers);
    const id = runner.start(PLAN);
    assert.equal(runner.cancel(id), true);
    assert.equal(runner.snapshot(id).status, 'cancelling');
    assert.deepEqual(workers[0]?.received.at(-1), { type: 'cancel' });
    assert.equal(runner.cancel(id), false, 'once is enough');
    handles.forEach((fn) => fn());
    assert.equal(runner.snapshot(id).status, 'cancelled');
    assert.equal(workers[0]?.terminated, true);
  });

  it('fails a job whose worker dies without a word', () => {
    const { runner, workers } = setup();
    const id = runner.start(PLAN);
    workers[0]?.die(134);
    const snap = runner.snapshot(id);
    assert.equal(snap.status === 'failed' && snap.error.code, 'JOB_WORKER_EXITED');
  });

  it('answers JOB_NOT_FOUND for a job it does not know', () => {
    assert.throws(() => setup().runner.snapshot('nope'), /there is no job nope/);
  });

  it('runs a real engine job in a worker thread', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'airlock-runner-'));
    try {
      const notified: JobSnapshot[] = [];
      const done = new Promise<JobSnapshot>((resolve) => {
        const runner = new JobRunner({
          host: workerThreadHost(),
          notify: (s) => {
            notified.push(s);
            if (s.status === 'succeeded' || s.status === 'failed') resolve(s);
          },
        });
        void planVerify({ kind: 'verify', dir, deep: true }, { settings: { dataDir: join(dir, 'data'), cacheDir: join(dir, 'cache'), parallelImages: 1, parallelLayers: 1, retryTimes: 0, retryDelayMs: 0, operator: 'test', registriesDir: '' }, operator: 'test', credentialFor: async () => undefined }).then((plan) => runner.start(plan));
      });
      const end = await done;
      // An empty folder is no transfer set: the engine reports it, the app shows it.
      assert.equal(end.status, 'succeeded', JSON.stringify(end));
      assert.equal(end.status === 'succeeded' && end.outcome.kind === 'verify' && end.outcome.verify.ok, false);
      assert.ok(end.status === 'succeeded' && end.outcome.kind === 'verify' && end.outcome.verify.problems.some((p) => p.code === 'SUMS_MISSING' || p.code === 'MANIFEST_MISSING'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
