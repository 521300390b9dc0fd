/**
 * The station's history as the History page shows it: exports (transfer sets) and imports and
 * verifications (events) in one list, a detail view of each, and CSV / JSON exports of the list.
 * Reads the history database through src/store; never writes it (the engine jobs do).
 */
import { existsSync } from 'node:fs';
import { AirlockError } from '../../src/errors';
import { historyFile } from '../../src/paths';
import { openHistory, type EventRecord, type HistoryStore, type TransferSetSummary } from '../../src/store';
import type { HistoryDetail, HistoryEntry, HistoryFilter } from '../ipc/contract';

/** Enough for years of transfers; the page filters and sorts in the renderer. */
const MAX_ENTRIES = 2000;

export function withHistory<T>(dataDir: string, fn: (store: HistoryStore) => T): T | undefined {
  const file = historyFile(dataDir);
  // Reading must not create an empty database in a data directory the operator merely pointed at.
  if (!existsSync(file)) return undefined;
  const store = openHistory(file);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function exportEntry(set: TransferSetSummary, images: number): HistoryEntry {
  return {
    id: `export:${set.setId}`,
    kind: 'export',
    setId: set.setId,
    time: set.createdAt,
    status: set.status,
    operator: set.operator,
    host: set.host,
    bytes: set.totalBytes,
    images,
  };
}

function eventEntry(event: EventRecord): HistoryEntry {
  const images = event.details.images;
  const bytes = event.details.bytesPushed ?? event.details.bytesVerified;
  return {
    id: `event:${event.id}`,
    kind: event.kind,
    setId: event.setId,
    time: event.startedAt,
    status: event.result,
    operator: event.operator,
    host: event.host,
    ...(event.registry === undefined ? {} : { registry: event.registry }),
    ...(typeof bytes === 'number' ? { bytes } : {}),
    ...(typeof images === 'number' ? { images } : Array.isArray(images) ? { images: images.length } : {}),
    insecureAccepted: event.insecureAccepted,
  };
}

export function matchesFilter(entry: HistoryEntry, filter: HistoryFilter): boolean {
  if (filter.kind !== undefined && entry.kind !== filter.kind) return false;
  const text = filter.text?.trim().toLowerCase();
  if (!text) return true;
  return [entry.setId, entry.operator, entry.host, entry.registry ?? '', entry.status].some((v) => v.toLowerCase().includes(text));
}

export function listHistory(dataDir: string, filter: HistoryFilter): readonly HistoryEntry[] {
  const entries =
    withHistory(dataDir, (store) => {
      const sets = filter.kind === undefined || filter.kind === 'export' ? store.listSets().map((s) => exportEntry(s, store.getSet(s.setId)?.images.filter((i) => i.status === 'ok').length ?? 0)) : [];
      const events = filter.kind === 'export' ? [] : store.listEvents({ ...(filter.kind ? { kind: filter.kind } : {}), limit: MAX_ENTRIES }).map(eventEntry);
      return [...sets, ...events];
    }) ?? [];
  return entries
    .filter((e) => matchesFilter(e, filter))
    .sort((a, b) => b.time.localeCompare(a.time) || a.id.localeCompare(b.id))
    .slice(0, MAX_ENTRIES);
}

function notFound(id: string): AirlockError {
  return new AirlockError('HISTORY_NOT_FOUND', `the history has no entry ${id}`, { context: { id }, hint: 'refresh the history list' });
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function historyDetail(dataDir: string, id: string): HistoryDetail {
  const detail = withHistory(dataDir, (store): HistoryDetail | undefined => {
    if (id.startsWith('export:')) {
      const set = store.getSet(id.slice('export:'.length));
      if (!set) return undefined;
      return {
        entry: exportEntry(set, set.images.filter((i) => i.status === 'ok').length),
        fields: [
          { label: 'Workspace', value: set.workspace },
          { label: 'Manifest SHA-256', value: set.manifestSha256 ?? '' },
          { label: 'Signing key', value: set.keyFingerprint ?? '' },
          { label: 'Base sets', value: set.baseSetIds.join(', ') },
          { label: 'Parts', value: set.parts.map((p) => `${p.name} (${p.size} bytes, sha256 ${p.sha256})`).join('\n') },
          { label: 'Blobs', value: String(set.blobs.length) },
          { label: 'Airlock version', value: set.toolVersion },
        ],
        images: set.images.map((i) => ({
          source: i.sourceRef,
          destination: i.destinationRef,
          status: i.status,
          ...(i.digest === undefined ? {} : { digest: i.digest }),
          ...(i.error === undefined ? {} : { error: i.error }),
        })),
        configYaml: set.configYaml,
      };
    }
    const eventId = Number(id.slice('event:'.length));
    const event = store.listEvents({}).find((e) => e.id === eventId);
    if (!event) return undefined;
    const rawImages = Array.isArray(event.details.images) ? (event.details.images as unknown[]) : [];
    const images = rawImages
      .filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null)
      .map((i) => ({
        source: stringify(i.source ?? ''),
        destination: stringify(i.destination ?? ''),
        status: stringify(i.status ?? ''),
        ...(typeof i.digest === 'string' ? { digest: i.digest } : {}),
        ...(typeof i.error === 'string' ? { error: i.error } : {}),
      }));
    return {
      entry: eventEntry(event),
      fields: [
        ...(event.finishedAt ? [{ label: 'Finished', value: event.finishedAt }] : []),
        ...Object.entries(event.details)
          .filter(([key]) => key !== 'images')
          .map(([key, value]) => ({ label: key, value: stringify(value) })),
      ],
      images,
    };
  });
  if (!detail) throw notFound(id);
  return detail;
}

const CSV_COLUMNS: ReadonlyArray<keyof HistoryEntry> = ['kind', 'setId', 'time', 'status', 'operator', 'host', 'registry', 'images', 'bytes', 'insecureAccepted'];

/**
 * One CSV cell (RFC 4180). Cells a spreadsheet would read as a formula (= + - @ and tab/CR at the
 * start) get a leading apostrophe: history text comes partly from media and registries.
 */
export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function historyCsv(entries: readonly HistoryEntry[]): string {
  const lines = [CSV_COLUMNS.join(','), ...entries.map((e) => CSV_COLUMNS.map((c) => csvCell(e[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

export function historyJson(entries: readonly HistoryEntry[]): string {
  return `${JSON.stringify(entries, null, 2)}\n`;
}
