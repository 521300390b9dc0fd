/**
 * Folds a job's engine events into the snapshot the renderer shows: phase, bytes or items done,
 * the whole job's fraction across its phases, rate and time left over a sliding window, per-image
 * status and bytes, warnings and errors. Pure, with an injected clock.
 */
import type { ImageBytesPhase, JobEvent, Phase } from '../../../src/jobs/events';
import type { ImageProgress, ImageProgressStatus, JobKind, JobProgress } from '../../ipc/contract';

/** The share of the whole job each phase takes, by job. Phases not listed share what is left. */
export const PHASE_WEIGHTS: Readonly<Record<JobKind, Partial<Record<Phase, number>>>> = {
  'export-plan': { resolve: 1 },
  export: { resolve: 0.05, pull: 0.45, write: 0.35, verify: 0.1, record: 0.05 },
  verify: { verify: 1 },
  import: { verify: 0.3, push: 0.7 },
};

export function phaseUnit(phase: Phase): 'bytes' | 'items' {
  return phase === 'resolve' || phase === 'record' ? 'items' : 'bytes';
}

const RATE_WINDOW_MS = 5000;
const MIN_RATE_SPAN_MS = 500;
const MAX_LIST = 200;

interface Sample {
  readonly t: number;
  readonly done: number;
}

export interface ProgressState {
  readonly progress?: JobProgress;
  readonly images: readonly ImageProgress[];
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
}

export class ProgressModel {
  private phase: Phase | undefined;
  private readonly finishedPhases: Phase[] = [];
  private done = 0;
  private total = 0;
  private item: string | undefined;
  private samples: Sample[] = [];
  private readonly images = new Map<string, ImageProgress>();
  private readonly warnings: string[] = [];
  private readonly errors: string[] = [];

  constructor(
    private readonly kind: JobKind,
    private readonly now: () => number = Date.now,
    seedImages: readonly string[] = [],
    seedWarnings: readonly string[] = [],
  ) {
    for (const source of seedImages) this.images.set(source, { source, status: 'pending' });
    for (const message of seedWarnings.slice(0, MAX_LIST)) this.warnings.push(message);
  }

  apply(event: JobEvent): void {
    switch (event.type) {
      case 'phase':
        this.enter(event.phase, event.total ?? 0);
        return;
      case 'progress':
        if (event.phase !== this.phase) this.enter(event.phase, event.total);
        this.done = event.done;
        this.total = event.total;
        this.item = event.item;
        this.sample();
        return;
      case 'image':
        this.image(event.source, event.status, event.message);
        return;
      case 'image-progress':
        this.imageBytes(event.source, event.phase, event.done, event.total);
        return;
      case 'warning':
        if (this.warnings.length < MAX_LIST) this.warnings.push(event.message);
        return;
      case 'log':
        return;
      default: {
        const never: never = event;
        throw new Error(`unknown job event ${JSON.stringify(never)}`);
      }
    }
  }

  private enter(phase: Phase, total: number): void {
    if (this.phase !== undefined && this.phase !== phase && !this.finishedPhases.includes(this.phase)) this.finishedPhases.push(this.phase);
    this.phase = phase;
    this.done = 0;
    this.total = total;
    this.item = undefined;
    this.samples = [];
    this.sample();
  }

  private sample(): void {
    const t = this.now();
    this.samples.push({ t, done: this.done });
    while (this.samples.length > 2 && (this.samples[0] as Sample).t < t - RATE_WINDOW_MS) this.samples.shift();
  }

  private image(source: string, status: ImageProgressStatus, message: string | undefined): void {
    const bytes = this.images.get(source)?.bytes;
    this.images.set(source, { source, status, ...(message === undefined ? {} : { message }), ...(bytes ? { bytes } : {}) });
    if (status === 'failed' && this.errors.length < MAX_LIST) this.errors.push(message ? `${source}: ${message}` : source);
  }

  /** An image not seen before (an import has no seed list) joins as pending: its bytes say it is moving. */
  private imageBytes(source: string, phase: ImageBytesPhase, done: number, total: number): void {
    const image = this.images.get(source) ?? { source, status: 'pending' as const };
    this.images.set(source, { ...image, bytes: { phase, done: Math.max(0, Math.min(done, total)), total: Math.max(0, total) } });
  }

  private weight(phase: Phase): number {
    const weights = PHASE_WEIGHTS[this.kind];
    const listed = weights[phase];
    if (listed !== undefined) return listed;
    const knownTotal = Object.values(weights).reduce((n, w) => n + (w ?? 0), 0);
    return Math.max(0, 1 - knownTotal);
  }

  private overall(): number {
    if (this.phase === undefined) return 0;
    const before = this.finishedPhases.reduce((n, p) => n + this.weight(p), 0);
    const fraction = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    return Math.min(1, before + this.weight(this.phase) * fraction);
  }

  private rate(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t - first.t < MIN_RATE_SPAN_MS) return undefined;
    return ((last.done - first.done) * 1000) / (last.t - first.t);
  }

  state(): ProgressState {
    let progress: JobProgress | undefined;
    if (this.phase !== undefined) {
      const rate = this.rate();
      const left = this.total - this.done;
      progress = {
        phase: this.phase,
        done: this.done,
        total: this.total,
        unit: phaseUnit(this.phase),
        overall: this.overall(),
        ...(rate === undefined ? {} : { rate }),
        ...(rate !== undefined && rate > 0 && left > 0 ? { etaSeconds: Math.ceil(left / rate) } : {}),
        ...(this.item === undefined ? {} : { item: this.item }),
      };
    }
    return {
      ...(progress ? { progress } : {}),
      images: [...this.images.values()],
      warnings: [...this.warnings],
      errors: [...this.errors],
    };
  }
}
