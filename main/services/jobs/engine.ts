/**
 * The engine jobs the worker runs, and the plain-data form their options take to cross into the
 * worker. Functions (signal, onEvent, credentials) are added inside the worker.
 */
import type { ExportOptions, ExportReport } from '../../../src/jobs/export';
import type { ImportOptions, ImportReport } from '../../../src/jobs/import';
import type { VerifyJobOptions, VerifyJobReport } from '../../../src/jobs/verify';

export type { ExportReport, ImportReport, VerifyJobReport };

/** What crosses into the worker: plain data only. */
type Plain<T> = Omit<T, 'signal' | 'onEvent' | 'mediaFs' | 'now' | 'credentials'>;

export interface PlainCredential {
  readonly registry: string;
  readonly username: string;
  readonly password: string;
}

export type WorkerJobSpec =
  | { readonly kind: 'export'; readonly options: Plain<ExportOptions> }
  | { readonly kind: 'verify'; readonly options: Plain<VerifyJobOptions> }
  | { readonly kind: 'import'; readonly options: Plain<ImportOptions>; readonly credentials: readonly PlainCredential[] };

export type EngineReport = ExportReport | VerifyJobReport | ImportReport;
