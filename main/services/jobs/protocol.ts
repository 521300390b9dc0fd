/** Messages between the job runner (main) and the job worker. Plain data, structured-clonable. */
import type { JobEvent } from '../../../src/jobs/events';
import type { EngineReport, WorkerJobSpec } from './engine';

export type ToWorker = { readonly type: 'run'; readonly spec: WorkerJobSpec } | { readonly type: 'cancel' };

export interface WorkerError {
  readonly code: string;
  readonly message: string;
  readonly context?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly hint?: string;
  /** Non-AirlockError failures: the stack, for main's log only (never sent to the renderer). */
  readonly internal?: string;
}

export type FromWorker =
  | { readonly type: 'event'; readonly event: JobEvent }
  | { readonly type: 'done'; readonly report: EngineReport }
  | { readonly type: 'failed'; readonly error: WorkerError }
  | { readonly type: 'cancelled' };
