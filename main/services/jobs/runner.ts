/**
 * Runs engine jobs off the main thread: one worker per job (see host.ts), cancellation forwarded
 * as a message and enforced by terminating the worker after a grace period, events folded into a
 * snapshot (progress-model.ts) and pushed to the renderer at most ten times a second.
 */
import { randomUUID } from 'node:crypto';
import { AirlockError } from '../../../src/errors';
import { toIpcError } from '../../ipc/dispatch';
import type { IpcError, JobKind, JobOutcome, JobSnapshot } from '../../ipc/contract';
import type { EngineReport, WorkerJobSpec } from './engine';
import type { JobChannel, JobHost } from './host';
import { ProgressModel } from './progress-model';
import type { FromWorker, WorkerError } from './protocol';
import { NODE_TIMER_API, ThrottledPublisher, type TimerApi } from './publisher';

export interface JobPlan {
  readonly kind: JobKind;
  readonly spec: WorkerJobSpec;
  /** Images known before the job starts (from the configuration or the set), shown as pending. */
  readonly seedImages?: readonly string[];
  /** Warnings known before the job starts (e.g. about registries.d), shown with the job's own. */
  readonly seedWarnings?: readonly string[];
  /** Turns the engine's report into what the renderer sees; may read the history. */
  finish(report: EngineReport): Promise<JobOutcome>;
  /** Runs once the job has ended, whatever the outcome (e.g. removes a dry run's scratch dir). */
  cleanup?(): Promise<void>;
}

export interface JobRunnerOptions {
  readonly host: JobHost;
  readonly notify: (snapshot: JobSnapshot) => void;
  readonly log?: (line: string) => void;
  readonly now?: () => number;
  readonly newId?: () => string;
  /** How long a cancelled job may take to stop before its worker is terminated. */
  readonly cancelGraceMs?: number;
  readonly timers?: TimerApi;
  /** Finished jobs kept for jobs:get. */
  readonly keepFinished?: number;
}

type Status = JobSnapshot['status'];

interface Job {
  readonly id: string;
  readonly kind: JobKind;
  readonly startedAt: string;
  readonly model: ProgressModel;
  readonly publisher: ThrottledPublisher;
  readonly channel: JobChannel;
  readonly plan: JobPlan;
  status: Status;
  finishedAt?: string;
  outcome?: JobOutcome;
  error?: IpcError;
  graceTimer?: unknown;
}

function fromWorkerError(error: WorkerError, log: (line: string) => void, jobId: string): IpcError {
  if (error.internal !== undefined) {
    log(`airlock: job ${jobId} failed: ${error.internal}`);
    return { code: 'INTERNAL', message: error.message };
  }
  const context = error.context && Object.keys(error.context).length > 0 ? { context: error.context } : {};
  const hint = error.hint === undefined ? {} : { hint: error.hint };
  return { code: error.code, message: error.message, ...(Object.keys(context).length + Object.keys(hint).length > 0 ? { details: { ...context, ...hint } } : {}) };
}

export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly timers: TimerApi;

  constructor(private readonly options: JobRunnerOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.timers = options.timers ?? NODE_TIMER_API;
  }

  start(plan: JobPlan): string {
    const id = (this.options.newId ?? randomUUID)();
    const channel = this.options.host.spawn();
    const model = new ProgressModel(plan.kind, this.now, plan.seedImages ?? [], plan.seedWarnings ?? []);
    const job: Job = {
      id,
      kind: plan.kind,
      startedAt: new Date(this.now()).toISOString(),
      model,
      channel,
      plan,
      status: 'running',
      publisher: new ThrottledPublisher(() => this.options.notify(this.snapshotOf(job)), 100, this.now, this.timers),
    };
    this.jobs.set(id, job);
    channel.onMessage((message) => this.onMessage(job, message));
    channel.onExit((code, error) => {
      if (!this.isEnded(job)) {
        if (job.status === 'cancelling') this.end(job, 'cancelled');
        else this.end(job, 'failed', { code: 'JOB_WORKER_EXITED', message: `the job's worker stopped unexpectedly (exit code ${code}${error ? `: ${error.message}` : ''})` });
      }
    });
    channel.post({ type: 'run', spec: plan.spec });
    job.publisher.flush();
    this.prune();
    return id;
  }

  private isEnded(job: Job): boolean {
    return job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled';
  }

  private onMessage(job: Job, message: FromWorker): void {
    if (this.isEnded(job)) return;
    switch (message.type) {
      case 'event':
        job.model.apply(message.event);
        job.publisher.changed();
        return;
      case 'done':
        job.plan.finish(message.report).then(
          (outcome) => {
            job.outcome = outcome;
            this.end(job, 'succeeded');
          },
          (err: unknown) => this.end(job, 'failed', toIpcError(err)),
        );
        return;
      case 'failed':
        this.end(job, 'failed', fromWorkerError(message.error, this.log, job.id));
        return;
      case 'cancelled':
        this.end(job, 'cancelled');
        return;
      default: {
        const never: never = message;
        this.log(`airlock: job ${job.id} sent an unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  private end(job: Job, status: 'succeeded' | 'failed' | 'cancelled', error?: IpcError): void {
    if (this.isEnded(job)) return;
    job.status = status;
    job.finishedAt = new Date(this.now()).toISOString();
    if (error) job.error = error;
    if (job.graceTimer !== undefined) this.timers.clearTimeout(job.graceTimer);
    job.publisher.flush();
    void job.channel.terminate().catch(() => undefined);
    void (job.plan.cleanup?.() ?? Promise.resolve()).catch((err: unknown) => this.log(`airlock: cleanup of job ${job.id} failed: ${String(err)}`));
  }

  cancel(jobId: string): boolean {
    const job = this.require(jobId);
    if (job.status !== 'running') return false;
    job.status = 'cancelling';
    job.channel.post({ type: 'cancel' });
    job.publisher.flush();
    job.graceTimer = this.timers.setTimeout(() => {
      if (!this.isEnded(job)) this.end(job, 'cancelled');
    }, this.options.cancelGraceMs ?? 15_000);
    return true;
  }

  private require(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new AirlockError('JOB_NOT_FOUND', `there is no job ${jobId}`, { context: { jobId }, hint: 'the app may have been restarted; start the job again' });
    return job;
  }

  snapshot(jobId: string): JobSnapshot {
    return this.snapshotOf(this.require(jobId));
  }

  /** The outcome of a job that succeeded, or JOB_NOT_FINISHED. */
  outcome(jobId: string): JobOutcome {
    const job = this.require(jobId);
    if (job.status !== 'succeeded' || !job.outcome) {
      throw new AirlockError('JOB_NOT_FINISHED', `job ${jobId} has not finished successfully`, { context: { jobId } });
    }
    return job.outcome;
  }

  private snapshotOf(job: Job): JobSnapshot {
    const base = { jobId: job.id, kind: job.kind, startedAt: job.startedAt, ...job.model.state() };
    switch (job.status) {
      case 'running':
      case 'cancelling':
        return { ...base, status: job.status };
      case 'succeeded':
        return { ...base, status: 'succeeded', finishedAt: job.finishedAt ?? base.startedAt, outcome: job.outcome as JobOutcome };
      case 'failed':
        return { ...base, status: 'failed', finishedAt: job.finishedAt ?? base.startedAt, error: job.error ?? { code: 'INTERNAL', message: 'the job failed' } };
      case 'cancelled':
        return { ...base, status: 'cancelled', finishedAt: job.finishedAt ?? base.startedAt };
      default: {
        const never: never = job.status;
        throw new Error(`unknown job status ${String(never)}`);
      }
    }
  }

  private prune(): void {
    const keep = this.options.keepFinished ?? 50;
    const ended = [...this.jobs.values()].filter((j) => this.isEnded(j));
    for (const job of ended.slice(0, Math.max(0, ended.length - keep))) this.jobs.delete(job.id);
  }

  /** Cancels every running job and waits for their workers to stop. */
  async shutdown(): Promise<void> {
    const running = [...this.jobs.values()].filter((j) => !this.isEnded(j));
    for (const job of running) {
      job.channel.post({ type: 'cancel' });
      this.end(job, 'cancelled');
    }
    await Promise.all(running.map((j) => j.channel.terminate().catch(() => undefined)));
  }
}
