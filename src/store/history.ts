import { AirlockError } from '../errors';
import { historyError, openDatabase, type SqliteDatabase } from './database';

export type SetStatus = 'complete' | 'partial' | 'failed';
export type ImageStatus = 'ok' | 'failed' | 'blocked';
export type EventKind = 'import' | 'verify';
export type EventResult = 'ok' | 'failed';

export interface ExportedImage {
  readonly sourceRef: string;
  readonly destinationRef: string;
  /** Absent when the image failed or was blocked before its manifest was resolved. */
  readonly digest?: string;
  readonly mediaType?: string;
  readonly size?: number;
  readonly status: ImageStatus;
  readonly error?: string;
}

export interface ShippedBlob {
  readonly digest: string;
  readonly size: number;
  /** Name of the tar part that carries the blob. */
  readonly part: string;
}

export interface SetPart {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

/** The summary row of a transfer set, as `listSets` returns it. */
export interface TransferSetSummary {
  readonly setId: string;
  readonly kind: 'export';
  /** ISO-8601 UTC, e.g. 2025-03-01T12:00:00.000Z. */
  readonly createdAt: string;
  readonly workspace: string;
  readonly configYaml: string;
  readonly operator: string;
  readonly host: string;
  readonly toolVersion: string;
  readonly status: SetStatus;
  readonly totalBytes: number;
  /** Sets the enclave must already have imported for this (delta) set to be complete there. */
  readonly baseSetIds: readonly string[];
  readonly manifestSha256?: string;
  readonly keyFingerprint?: string;
}

/** Everything recorded about one export, written in one transaction. */
export interface ExportRecord extends Omit<TransferSetSummary, 'kind'> {
  readonly images: readonly ExportedImage[];
  readonly blobs: readonly ShippedBlob[];
  readonly parts: readonly SetPart[];
}

export interface TransferSet extends TransferSetSummary {
  readonly images: readonly ExportedImage[];
  readonly blobs: readonly ShippedBlob[];
  readonly parts: readonly SetPart[];
}

export interface EventInput {
  readonly kind: EventKind;
  readonly setId: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** The registry imported into; absent for a verification of the media alone. */
  readonly registry?: string;
  readonly operator: string;
  readonly host: string;
  readonly result: EventResult;
  readonly details?: Readonly<Record<string, unknown>>;
  /** The operator chose to go on although the signature or TLS could not be verified. */
  readonly insecureAccepted?: boolean;
}

export interface EventRecord extends Omit<EventInput, 'details' | 'insecureAccepted'> {
  readonly id: number;
  readonly details: Readonly<Record<string, unknown>>;
  readonly insecureAccepted: boolean;
}

/** What a delta export depends on: for each blob it leaves out, the set that shipped it. */
export interface SetDependencies {
  /** The sets the delta depends on, oldest first: its `baseSetIds`. */
  readonly setIds: readonly string[];
  /** digest -> the newest written set of the workspace that carries it. */
  readonly byDigest: ReadonlyMap<string, string>;
  /** Digests no written set of the workspace carries: the delta has to ship these itself. */
  readonly missing: readonly string[];
}

interface SetRow {
  set_id: string;
  kind: 'export';
  created_at: string;
  workspace: string;
  config_yaml: string;
  operator: string;
  host: string;
  tool_version: string;
  status: SetStatus;
  total_bytes: number;
  base_set_ids: string;
  manifest_sha256: string | null;
  key_fingerprint: string | null;
}

interface ImageRow {
  source_ref: string;
  destination_ref: string;
  digest: string | null;
  media_type: string | null;
  size: number | null;
  status: ImageStatus;
  error: string | null;
}

interface EventRow {
  id: number;
  kind: EventKind;
  set_id: string;
  started_at: string;
  finished_at: string | null;
  registry: string | null;
  operator: string;
  host: string;
  result: EventResult;
  details: string;
  insecure_accepted: number;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/**
 * Every timestamp is stored as Date#toISOString() output, so that text comparison in SQL is time
 * order; a caller's "2025-03-01T12:00:00Z" and "...00.000Z" must not sort differently.
 */
function normaliseTimestamp(value: string, field: string, file: string): string {
  const date = new Date(value);
  if (!ISO_UTC.test(value) || Number.isNaN(date.getTime())) {
    throw new AirlockError('HISTORY_INVALID_RECORD', `${field} "${value}" is not an ISO-8601 UTC timestamp`, {
      context: { file, field },
      hint: 'pass Date#toISOString() output, e.g. 2025-03-01T12:00:00.000Z',
    });
  }
  return date.toISOString();
}

function optional<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

function toSummary(row: SetRow): TransferSetSummary {
  return {
    setId: row.set_id,
    kind: row.kind,
    createdAt: row.created_at,
    workspace: row.workspace,
    configYaml: row.config_yaml,
    operator: row.operator,
    host: row.host,
    toolVersion: row.tool_version,
    status: row.status,
    totalBytes: row.total_bytes,
    baseSetIds: JSON.parse(row.base_set_ids) as string[],
    ...(row.manifest_sha256 === null ? {} : { manifestSha256: row.manifest_sha256 }),
    ...(row.key_fingerprint === null ? {} : { keyFingerprint: row.key_fingerprint }),
  };
}

function toImage(row: ImageRow): ExportedImage {
  const digest = optional(row.digest);
  const mediaType = optional(row.media_type);
  const size = optional(row.size);
  const error = optional(row.error);
  return {
    sourceRef: row.source_ref,
    destinationRef: row.destination_ref,
    ...(digest === undefined ? {} : { digest }),
    ...(mediaType === undefined ? {} : { mediaType }),
    ...(size === undefined ? {} : { size }),
    status: row.status,
    ...(error === undefined ? {} : { error }),
  };
}

function toEvent(row: EventRow): EventRecord {
  return {
    id: row.id,
    kind: row.kind,
    setId: row.set_id,
    startedAt: row.started_at,
    ...(row.finished_at === null ? {} : { finishedAt: row.finished_at }),
    ...(row.registry === null ? {} : { registry: row.registry }),
    operator: row.operator,
    host: row.host,
    result: row.result,
    details: JSON.parse(row.details) as Record<string, unknown>,
    insecureAccepted: row.insecure_accepted === 1,
  };
}

/**
 * The station's record of what it exported, imported and verified. On the connected side it also
 * answers the question an incremental export asks: which blobs has this workspace already shipped?
 */
export class HistoryStore {
  constructor(
    private readonly db: SqliteDatabase,
    /** The database file, named in every error. */
    readonly file: string,
  ) {}

  private run<T>(action: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw historyError(err, this.file, action);
    }
  }

  /** Records a whole export, its images, blobs and parts; either all of it is stored or none. */
  recordExport(set: ExportRecord): void {
    const createdAt = normaliseTimestamp(set.createdAt, 'createdAt', this.file);
    this.run(`recording transfer set ${set.setId}`, () => {
      const insertSet = this.db.prepare(
        `INSERT INTO transfer_sets (set_id, kind, created_at, workspace, config_yaml, operator, host, tool_version, status,
           total_bytes, base_set_ids, manifest_sha256, key_fingerprint)
         VALUES (?, 'export', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const insertImage = this.db.prepare(
        `INSERT INTO set_images (set_id, source_ref, destination_ref, digest, media_type, size, status, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const insertBlob = this.db.prepare('INSERT INTO set_blobs (set_id, digest, size, part) VALUES (?, ?, ?, ?)');
      const insertPart = this.db.prepare('INSERT INTO set_parts (set_id, name, size, sha256) VALUES (?, ?, ?, ?)');
      try {
        this.db.transaction(() => {
          insertSet.run(
            set.setId,
            createdAt,
            set.workspace,
            set.configYaml,
            set.operator,
            set.host,
            set.toolVersion,
            set.status,
            set.totalBytes,
            JSON.stringify(set.baseSetIds),
            set.manifestSha256 ?? null,
            set.keyFingerprint ?? null,
          );
          for (const image of set.images) {
            insertImage.run(set.setId, image.sourceRef, image.destinationRef, image.digest ?? null, image.mediaType ?? null, image.size ?? null, image.status, image.error ?? null);
          }
          for (const blob of set.blobs) insertBlob.run(set.setId, blob.digest, blob.size, blob.part);
          for (const part of set.parts) insertPart.run(set.setId, part.name, part.size, part.sha256);
        })();
      } catch (err) {
        throw this.recordError(err, set);
      }
    });
  }

  private recordError(err: unknown, set: ExportRecord): unknown {
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
      const exists = this.db.prepare('SELECT 1 FROM transfer_sets WHERE set_id = ?').get(set.setId) !== undefined;
      if (exists) {
        return new AirlockError('HISTORY_DUPLICATE_SET', `transfer set ${set.setId} is already in the history ${this.file}`, {
          context: { file: this.file, setId: set.setId },
          hint: 'every export gets a new set id; this one was recorded before',
          cause: err,
        });
      }
      return new AirlockError('HISTORY_INVALID_RECORD', `transfer set ${set.setId} lists the same blob or part twice: ${(err as Error).message}`, {
        context: { file: this.file, setId: set.setId },
        cause: err,
      });
    }
    if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
      return new AirlockError('HISTORY_INVALID_RECORD', `transfer set ${set.setId} has a value the history does not accept: ${(err as Error).message}`, {
        context: { file: this.file, setId: set.setId },
        cause: err,
      });
    }
    return err;
  }

  /** Transfer sets, newest first; `since` keeps those created at or after it. */
  listSets(filter: { readonly workspace?: string; readonly since?: Date } = {}): readonly TransferSetSummary[] {
    return this.run('listing transfer sets', () => {
      const rows = this.db
        .prepare(
          `SELECT * FROM transfer_sets
           WHERE (@workspace IS NULL OR workspace = @workspace) AND (@since IS NULL OR created_at >= @since)
           ORDER BY created_at DESC, set_id`,
        )
        .all({ workspace: filter.workspace ?? null, since: filter.since?.toISOString() ?? null }) as SetRow[];
      return rows.map(toSummary);
    });
  }

  /** One transfer set with its images, blobs and parts, or undefined when the history has no such set. */
  getSet(setId: string): TransferSet | undefined {
    return this.run(`reading transfer set ${setId}`, () => {
      const row = this.db.prepare('SELECT * FROM transfer_sets WHERE set_id = ?').get(setId) as SetRow | undefined;
      if (row === undefined) return undefined;
      const images = this.db
        .prepare('SELECT source_ref, destination_ref, digest, media_type, size, status, error FROM set_images WHERE set_id = ? ORDER BY rowid')
        .all(setId) as ImageRow[];
      const blobs = this.db.prepare('SELECT digest, size, part FROM set_blobs WHERE set_id = ? ORDER BY rowid').all(setId) as ShippedBlob[];
      const parts = this.db.prepare('SELECT name, size, sha256 FROM set_parts WHERE set_id = ? ORDER BY rowid').all(setId) as SetPart[];
      return { ...toSummary(row), images: images.map(toImage), blobs: blobs.map((b) => ({ ...b })), parts: parts.map((p) => ({ ...p })) };
    });
  }

  /**
   * Digests of the blobs that earlier sets of the workspace shipped (optionally only sets created at
   * or after `since`): what an incremental export may leave out. A partial set (some images failed)
   * still carried every blob it lists, so it counts; a failed set was never written.
   */
  blobsShippedTo(workspace: string, options: { readonly since?: Date } = {}): Set<string> {
    return this.run(`reading the blobs shipped to workspace ${workspace}`, () => {
      const rows = this.db
        .prepare(
          `SELECT DISTINCT b.digest FROM set_blobs b JOIN transfer_sets s ON s.set_id = b.set_id
           WHERE s.workspace = @workspace AND s.status IN ('complete', 'partial') AND (@since IS NULL OR s.created_at >= @since)`,
        )
        .pluck()
        .all({ workspace, since: options.since?.toISOString() ?? null }) as string[];
      return new Set(rows);
    });
  }

  /**
   * For each digest, the newest written (complete or partial) set of the workspace that shipped it. The newest is picked
   * because it is the set the enclave most likely imported last, which keeps the dependency list
   * short.
   */
  setsContainingBlobs(workspace: string, digests: Iterable<string>): SetDependencies {
    const wanted = [...new Set(digests)];
    return this.run(`finding the sets that carry blobs for workspace ${workspace}`, () => {
      // json_each keeps it one statement however many digests there are (no bound-parameter limit).
      const rows = this.db
        .prepare(
          `SELECT b.digest AS digest, s.set_id AS setId, s.created_at AS createdAt
           FROM set_blobs b JOIN transfer_sets s ON s.set_id = b.set_id
           WHERE s.workspace = ? AND s.status IN ('complete', 'partial') AND b.digest IN (SELECT value FROM json_each(?))
           ORDER BY s.created_at DESC, s.set_id`,
        )
        .all(workspace, JSON.stringify(wanted)) as Array<{ digest: string; setId: string; createdAt: string }>;
      const byDigest = new Map<string, string>();
      const createdAt = new Map<string, string>();
      for (const row of rows) {
        if (!byDigest.has(row.digest)) byDigest.set(row.digest, row.setId);
        createdAt.set(row.setId, row.createdAt);
      }
      const setIds = [...new Set(byDigest.values())].sort((a, b) => (createdAt.get(a) ?? '').localeCompare(createdAt.get(b) ?? '') || a.localeCompare(b));
      return { setIds, byDigest, missing: wanted.filter((d) => !byDigest.has(d)) };
    });
  }

  /** Records an import or verification; returns its id. */
  recordEvent(event: EventInput): number {
    const startedAt = normaliseTimestamp(event.startedAt, 'startedAt', this.file);
    const finishedAt = event.finishedAt === undefined ? null : normaliseTimestamp(event.finishedAt, 'finishedAt', this.file);
    return this.run(`recording the ${event.kind} of set ${event.setId}`, () => {
      const info = this.db
        .prepare(
          `INSERT INTO events (kind, set_id, started_at, finished_at, registry, operator, host, result, details, insecure_accepted)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          event.kind,
          event.setId,
          startedAt,
          finishedAt,
          event.registry ?? null,
          event.operator,
          event.host,
          event.result,
          JSON.stringify(event.details ?? {}),
          event.insecureAccepted === true ? 1 : 0,
        );
      return Number(info.lastInsertRowid);
    });
  }

  /** Imports and verifications, newest first. */
  listEvents(filter: { readonly setId?: string; readonly kind?: EventKind; readonly since?: Date; readonly limit?: number } = {}): readonly EventRecord[] {
    return this.run('listing events', () => {
      const rows = this.db
        .prepare(
          `SELECT * FROM events
           WHERE (@setId IS NULL OR set_id = @setId) AND (@kind IS NULL OR kind = @kind) AND (@since IS NULL OR started_at >= @since)
           ORDER BY started_at DESC, id DESC
           LIMIT @limit`,
        )
        .all({ setId: filter.setId ?? null, kind: filter.kind ?? null, since: filter.since?.toISOString() ?? null, limit: filter.limit ?? -1 }) as EventRow[];
      return rows.map(toEvent);
    });
  }

  close(): void {
    this.run('closing it', () => this.db.close());
  }
}

/** Opens (creating and migrating as needed) the history database at `file`. */
export function openHistory(file: string): HistoryStore {
  return new HistoryStore(openDatabase(file), file);
}
