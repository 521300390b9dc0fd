import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AirlockError } from '../errors';
import { MIGRATIONS, type Migration } from './migrations';

export type SqliteDatabase = Database.Database;

/** Long enough to wait out a CLI `airlock history` reading while the app is writing, short enough to report a stuck lock. */
const BUSY_TIMEOUT_MS = 5000;

function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns a better-sqlite3 failure into an AirlockError that names the database file. SQLite only
 * discovers that a file is not a database (or is damaged) when it first reads a page, so this is
 * used around every statement, not just around the open.
 */
export function historyError(err: unknown, file: string, action: string): AirlockError {
  if (err instanceof AirlockError) return err;
  const code = sqliteCode(err) ?? '';
  const detail = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new AirlockError('HISTORY_CORRUPT', `the history database ${file} is damaged or is not an Airlock history database (${detail})`, {
      context: { file },
      hint: `move ${file} aside (Airlock then starts a new, empty history) or restore it from a backup; incremental exports need the old history to know what the enclave already has`,
      cause: err,
    });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new AirlockError('HISTORY_LOCKED', `the history database ${file} stayed locked by another Airlock process while ${action}`, {
      context: { file },
      hint: 'wait for the other export or import to finish, then try again',
      cause: err,
    });
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL') {
    return new AirlockError('HISTORY_UNAVAILABLE', `cannot use the history database ${file} while ${action}: ${detail}`, {
      context: { file },
      hint: 'check that the data directory exists, is writable by this user and that the disk is not full',
      cause: err,
    });
  }
  return new AirlockError('HISTORY_FAILED', `the history database ${file} failed while ${action}: ${detail}`, {
    context: { file },
    cause: err,
  });
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    // A gap or a reordering would make user_version lie about what has run; that is a bug in the
    // list, not something an operator can fix.
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
}

/** Runs the steps the database has not seen yet, each in its own transaction with its version bump. */
export function applyMigrations(db: SqliteDatabase, file: string, migrations: readonly Migration[] = MIGRATIONS): void {
  checkMigrationList(migrations);
  const latest = migrations.length;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new AirlockError(
      'HISTORY_TOO_NEW',
      `the history database ${file} has schema version ${current}, but this Airlock only knows versions up to ${latest}`,
      {
        context: { file, expected: String(latest), actual: String(current) },
        hint: 'it was written by a newer Airlock; upgrade Airlock on this station, or point it at another data directory',
      },
    );
  }
  for (const migration of migrations.slice(current)) {
    // user_version is stored in the database header, which SQLite writes inside the transaction:
    // a crash leaves either the step and its number, or neither. IMMEDIATE takes the write lock
    // before the version is read again, so when the app and the CLI open a new database at the same
    // moment the second one sees the step done instead of running it twice.
    db.transaction(() => {
      if ((db.pragma('user_version', { simple: true }) as number) >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}

/**
 * Opens (creating if needed) a SQLite database in WAL mode with foreign keys on and brings its schema
 * up to date. Every failure is an AirlockError naming the file.
 */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): SqliteDatabase {
  if (file !== ':memory:') {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (err) {
      throw historyError(err, file, 'creating its directory');
    }
  }
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(file);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // WAL lets the UI read history while an export writes to it.
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, file, migrations);
    return db;
  } catch (err) {
    db?.close();
    throw historyError(err, file, 'opening it');
  }
}
