import { SingleBar } from 'cli-progress';
import type { JobEvent, Phase } from '../jobs/events';

export type OutputMode = 'tty' | 'plain' | 'json';

export interface Reporter {
  readonly onEvent: (event: JobEvent) => void;
  /** Stops any bar so the summary prints on a clean line. */
  stop(): void;
}

const BYTE_PHASES: ReadonlySet<Phase> = new Set(['pull', 'write', 'verify', 'push']);

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** JSON lines: one event per line on stdout, the format the app and scripts consume. */
function jsonReporter(out: NodeJS.WritableStream): Reporter {
  return {
    onEvent: (event) => out.write(`${JSON.stringify({ ...event, time: new Date().toISOString() })}\n`),
    stop: () => undefined,
  };
}

/** Plain lines for logs and pipes: phase changes, per-image results, progress every 10 %. */
function plainReporter(err: NodeJS.WritableStream, verbose: boolean): Reporter {
  let lastDecile = -1;
  return {
    onEvent: (event) => {
      switch (event.type) {
        case 'phase':
          lastDecile = -1;
          err.write(`${event.phase}${event.total !== undefined && BYTE_PHASES.has(event.phase) ? ` (${formatBytes(event.total)})` : ''}...\n`);
          break;
        case 'progress': {
          if (event.total <= 0) break;
          const decile = Math.floor((event.done / event.total) * 10);
          if (decile !== lastDecile) {
            lastDecile = decile;
            const amount = BYTE_PHASES.has(event.phase) ? `${formatBytes(event.done)} of ${formatBytes(event.total)}` : `${event.done} of ${event.total}`;
            err.write(`  ${event.phase}: ${Math.floor((event.done / event.total) * 100)}% (${amount})\n`);
          }
          break;
        }
        case 'image':
          if (event.status === 'failed' || event.status === 'blocked' || verbose) err.write(`  ${event.status}: ${event.source}${event.message ? ` (${event.message})` : ''}\n`);
          break;
        case 'warning':
          err.write(`warning: ${event.message}\n`);
          break;
        case 'log':
          if (verbose || event.level === 'info') err.write(`${event.message}\n`);
          break;
      }
    },
    stop: () => undefined,
  };
}

/** A progress bar with bytes, rate and ETA on a terminal. */
function ttyReporter(err: NodeJS.WriteStream, verbose: boolean): Reporter {
  let bar: SingleBar | undefined;
  let phase: Phase | undefined;
  let started = 0;
  const images = { done: 0, failed: 0 };
  const stopBar = (): void => {
    bar?.stop();
    bar = undefined;
  };
  const plain = plainReporter(err, verbose);
  return {
    onEvent: (event) => {
      if (event.type === 'phase') {
        stopBar();
        phase = event.phase;
        started = Date.now();
        if (event.total === undefined) {
          // A phase without a measurable amount (recording history) gets a line, not an empty bar.
          err.write(`${event.phase}...\n`);
          return;
        }
        const bytes = BYTE_PHASES.has(event.phase);
        bar = new SingleBar(
          {
            stream: err,
            format: `${event.phase.padEnd(7)} [{bar}] {percentage}% | {amount} | {rate} | ETA {eta_formatted} | images {images}`,
            hideCursor: true,
            clearOnComplete: false,
            etaBuffer: 50,
            fps: 10,
          },
        );
        bar.start(Math.max(event.total ?? 1, 1), 0, { amount: bytes ? formatBytes(0) : '0', rate: '', images: `${images.done}` });
        return;
      }
      if (event.type === 'progress' && bar && event.phase === phase) {
        const bytes = BYTE_PHASES.has(event.phase);
        const elapsed = (Date.now() - started) / 1000;
        bar.setTotal(Math.max(event.total, 1));
        bar.update(event.done, {
          amount: bytes ? `${formatBytes(event.done)}/${formatBytes(event.total)}` : `${event.done}/${event.total}`,
          rate: bytes && elapsed > 0 ? formatRate(event.done / elapsed) : '',
          images: `${images.done}${images.failed ? ` (${images.failed} failed)` : ''}`,
        });
        return;
      }
      if (event.type === 'image') {
        if (event.status === 'pulled' || event.status === 'pushed') images.done++;
        if (event.status === 'failed') images.failed++;
        if (event.status === 'failed' || event.status === 'blocked') {
          // Errors must not vanish behind the bar: print them above it.
          bar?.stop();
          err.write(`  ${event.status}: ${event.source}${event.message ? ` (${event.message})` : ''}\n`);
          bar?.start(bar.getTotal(), bar.getProgress() * bar.getTotal());
        }
        return;
      }
      if (event.type === 'warning' || event.type === 'log') {
        bar?.stop();
        plain.onEvent(event);
        bar?.start(bar.getTotal(), bar.getProgress() * bar.getTotal());
      }
    },
    stop: stopBar,
  };
}

export function createReporter(mode: OutputMode, verbose: boolean): Reporter {
  switch (mode) {
    case 'json':
      return jsonReporter(process.stdout);
    case 'tty':
      return ttyReporter(process.stderr, verbose);
    case 'plain':
      return plainReporter(process.stderr, verbose);
  }
}
