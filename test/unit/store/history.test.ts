import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { isAirlockError } from '../../../src/errors';
import { applyMigrations, MIGRATIONS, openDatabase, openHistory, type ExportRecord, type HistoryStore, type Migration } from '../../../src/store';

const run = promisify(execFile);
const digest = (c: string): string => `sha256:${c.repeat(64)}`;

function exportRecord(overrides: Partial<ExportRecord> = {}): ExportRecord {
  return {
    setId: 'set-1',
    createdAt: '2025-03-01T12:00:00.000Z',
    workspace: 'ocp-4.16',
    configYaml: 'kind: ImageSetConfiguration\n',
    operator: 'alice',
    host: 'connected-1',
    toolVersion: '0.1.0',
    status: 'complete',
    totalBytes: 3000,
    baseSetIds: [],
    manifestSha256: 'f'.repeat(64),
    keyFingerprint: 'SHA256:abc',
    images: [
      { sourceRef: 'quay.io/org/app:1', destinationRef: 'registry.enclave.local:5000/org/app:1', digest: digest('a'), mediaType: 'application/vnd.oci.image.index.v1+json', size: 500, status: 'ok' },
      { sourceRef: 'quay.io/org/gone:1', destinationRef: 'registry.enclave.local:5000/org/gone:1', status: 'failed', error: 'manifest unknown' },
    ],
    blobs: [
      { digest: digest('b'), size: 1000, part: 'part-0001.tar' },
      { digest: digest('c'), size: 2000, part: 'part-0002.tar' },
    ],
    parts: [
      { name: 'part-0001.tar', size: 1500, sha256: '1'.repeat(64) },
      { name: 'part-0002.tar', size: 2500, sha256: '2'.repeat(64) },
    ],
    ...overrides,
  };
}

describe('history store', () => {
  let dir: string;
  let file: string;
  let store: HistoryStore | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-history-'));
    file = join(dir, 'data', 'history.db');
  });
  afterEach(() => {
    store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  describe('migrations', () => {
    it('apply once, set user_version, and are idempotent on reopen', () => {
      openHistory(file).close();
      const db = new Database(file);
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
      assert.deepEqual(tables, ['events', 'set_blobs', 'set_images', 'set_parts', 'transfer_sets']);
      db.close();
      // A second open must not try to create the tables again.
      store = openHistory(file);
      store.recordExport(exportRecord());
      store.close();
      store = openHistory(file);
      assert.equal(store.listSets().length, 1);
    });

    it('migrates once when several processes open a new database at the same moment', async () => {
      const module = resolve('src/store/history.ts');
      const script = `require(${JSON.stringify(module)}).openHistory(${JSON.stringify(file)}).close()`;
      await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', '-e', script])));
      store = openHistory(file);
      assert.deepEqual(store.listSets(), []);
    });

    it('runs only the steps a database has not seen, each with its version', () => {
      const steps: Migration[] = [
        { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER)' },
        { version: 2, name: 'two', sql: 'CREATE TABLE b (y INTEGER)' },
      ];
      const db = new Database(':memory:');
      applyMigrations(db, ':memory:', steps.slice(0, 1));
      assert.equal(db.pragma('user_version', { simple: true }), 1);
      applyMigrations(db, ':memory:', steps);
      assert.equal(db.pragma('user_version', { simple: true }), 2);
      applyMigrations(db, ':memory:', steps);
      db.close();
    });

    it('rolls a failing step back entirely, version included', () => {
      const steps: Migration[] = [{ version: 1, name: 'broken', sql: 'CREATE TABLE a (x INTEGER); CREATE TABLE a (x INTEGER);' }];
      const db = new Database(':memory:');
      assert.throws(() => applyMigrations(db, ':memory:', steps), /already exists/);
      assert.equal(db.pragma('user_version', { simple: true }), 0);
      assert.equal(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'a'").pluck().get(), 0);
      db.close();
    });

    it('refuses a database newer than the code, naming the file', () => {
      openHistory(file).close();
      const db = new Database(file);
      db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
      db.close();
      assert.throws(
        () => openHistory(file),
        (err: unknown) =>
          isAirlockError(err, 'HISTORY_TOO_NEW') && err.context.file === file && err.message.includes(file) && /newer Airlock/.test(err.hint ?? ''),
      );
    });

    it('refuses a file that is not a database, naming the file', () => {
      const bogus = join(dir, 'bogus.db');
      writeFileSync(bogus, 'this is not a SQLite database, just some text that is long enough '.repeat(100));
      assert.throws(() => openDatabase(bogus), (err: unknown) => isAirlockError(err, 'HISTORY_CORRUPT') && err.context.file === bogus && err.message.includes(bogus));
    });
  });

  describe('transfer sets', () => {
    it('round-trip through recordExport, listSets and getSet', () => {
      store = openHistory(file);
      const record = exportRecord();
      store.recordExport(record);
      const { images, blobs, parts, ...summary } = record;
      assert.deepEqual(store.listSets(), [{ ...summary, kind: 'export' }]);
      assert.deepEqual(store.getSet('set-1'), { ...record, kind: 'export' });
      assert.equal(store.getSet('nope'), undefined);
      assert.equal(images.length + blobs.length + parts.length, 6);
    });

    it('normalises timestamps and refuses ones that are not UTC', () => {
      store = openHistory(file);
      store.recordExport(exportRecord({ createdAt: '2025-03-01T12:00:00Z' }));
      assert.equal(store.getSet('set-1')?.createdAt, '2025-03-01T12:00:00.000Z');
      assert.throws(() => store?.recordExport(exportRecord({ setId: 'x', createdAt: '2025-03-01 12:00' })), (err: unknown) => isAirlockError(err, 'HISTORY_INVALID_RECORD'));
      assert.throws(() => store?.recordExport(exportRecord({ setId: 'y', createdAt: '2025-03-01T12:00:00+02:00' })), (err: unknown) => isAirlockError(err, 'HISTORY_INVALID_RECORD'));
    });

    it('filters listSets by workspace and since, newest first', () => {
      store = openHistory(file);
      store.recordExport(exportRecord({ setId: 'a', createdAt: '2025-01-01T00:00:00.000Z' }));
      store.recordExport(exportRecord({ setId: 'b', createdAt: '2025-02-01T00:00:00.000Z', workspace: 'other' }));
      store.recordExport(exportRecord({ setId: 'c', createdAt: '2025-03-01T00:00:00.000Z', baseSetIds: ['a'] }));
      assert.deepEqual(store.listSets().map((s) => s.setId), ['c', 'b', 'a']);
      assert.deepEqual(store.listSets({ workspace: 'ocp-4.16' }).map((s) => s.setId), ['c', 'a']);
      assert.deepEqual(store.listSets({ since: new Date('2025-02-01T00:00:00Z') }).map((s) => s.setId), ['c', 'b']);
      assert.deepEqual(store.listSets({ workspace: 'ocp-4.16', since: new Date('2025-01-15T00:00:00Z') }).map((s) => s.setId), ['c']);
      assert.deepEqual(store.getSet('c')?.baseSetIds, ['a']);
    });

    it('leaves nothing behind when recordExport fails part-way (duplicate set id)', () => {
      store = openHistory(file);
      store.recordExport(exportRecord());
      const again = exportRecord({ workspace: 'w2', blobs: [{ digest: digest('d'), size: 1, part: 'p' }] });
      assert.throws(() => store?.recordExport(again), (err: unknown) => isAirlockError(err, 'HISTORY_DUPLICATE_SET') && err.context.setId === 'set-1');
      assert.equal(store.blobsShippedTo('w2').size, 0);
      assert.deepEqual(store.getSet('set-1'), { ...exportRecord(), kind: 'export' });
    });

    it('rolls back the set row when a later row fails (duplicate blob in one set)', () => {
      store = openHistory(file);
      const broken = exportRecord({ blobs: [{ digest: digest('b'), size: 1, part: 'p' }, { digest: digest('b'), size: 1, part: 'p' }] });
      assert.throws(() => store?.recordExport(broken), (err: unknown) => isAirlockError(err, 'HISTORY_INVALID_RECORD'));
      assert.deepEqual(store.listSets(), []);
      const db = new Database(file, { readonly: true });
      for (const table of ['transfer_sets', 'set_images', 'set_blobs', 'set_parts']) {
        assert.equal(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), 0, table);
      }
      db.close();
    });

    it('refuses a status the schema does not know', () => {
      store = openHistory(file);
      const bad = { ...exportRecord(), status: 'done' } as unknown as ExportRecord;
      assert.throws(() => store?.recordExport(bad), (err: unknown) => isAirlockError(err, 'HISTORY_INVALID_RECORD'));
    });
  });

  describe('incremental export queries', () => {
    beforeEach(() => {
      store = openHistory(file);
      const blob = (c: string): { digest: string; size: number; part: string } => ({ digest: digest(c), size: 10, part: 'part-0001.tar' });
      store.recordExport(exportRecord({ setId: 'jan', createdAt: '2025-01-01T00:00:00.000Z', blobs: [blob('1'), blob('2')] }));
      store.recordExport(exportRecord({ setId: 'feb', createdAt: '2025-02-01T00:00:00.000Z', blobs: [blob('2'), blob('3')] }));
      store.recordExport(exportRecord({ setId: 'mar-partial', createdAt: '2025-03-01T00:00:00.000Z', status: 'partial', blobs: [blob('4')] }));
      store.recordExport(exportRecord({ setId: 'mar-failed', createdAt: '2025-03-02T00:00:00.000Z', status: 'failed', blobs: [blob('5')] }));
      store.recordExport(exportRecord({ setId: 'other-ws', workspace: 'other', blobs: [blob('6')] }));
    });

    const cases: Array<[string, string, Date | undefined, string[]]> = [
      ['all written sets of the workspace, partial ones included', 'ocp-4.16', undefined, ['1', '2', '3', '4']],
      ['only sets on or after since', 'ocp-4.16', new Date('2025-02-01T00:00:00.000Z'), ['2', '3', '4']],
      ['nothing after the last written set', 'ocp-4.16', new Date('2025-03-01T00:00:01.000Z'), []],
      ['another workspace', 'other', undefined, ['6']],
      ['an unknown workspace', 'none', undefined, []],
    ];
    for (const [name, workspace, since, expected] of cases) {
      it(`blobsShippedTo: ${name}`, () => {
        const shipped = store?.blobsShippedTo(workspace, since === undefined ? {} : { since });
        assert.deepEqual([...(shipped ?? [])].sort(), expected.map(digest).sort());
      });
    }

    it('setsContainingBlobs picks the newest written set per digest and lists what is missing', () => {
      const deps = store?.setsContainingBlobs('ocp-4.16', [digest('1'), digest('2'), digest('4'), digest('5'), digest('6'), digest('1')]);
      assert.deepEqual(deps?.setIds, ['jan', 'feb', 'mar-partial']);
      assert.deepEqual(Object.fromEntries(deps?.byDigest ?? []), { [digest('1')]: 'jan', [digest('2')]: 'feb', [digest('4')]: 'mar-partial' });
      assert.deepEqual(deps?.missing, [digest('5'), digest('6')]);
      assert.deepEqual(store?.setsContainingBlobs('ocp-4.16', []), { setIds: [], byDigest: new Map(), missing: [] });
    });
  });

  describe('events', () => {
    it('record and list imports and verifications', () => {
      store = openHistory(file);
      const first = store.recordEvent({
        kind: 'verify',
        setId: 'set-1',
        startedAt: '2025-03-02T08:00:00.000Z',
        finishedAt: '2025-03-02T08:01:00.000Z',
        operator: 'bob',
        host: 'enclave-1',
        result: 'ok',
      });
      const second = store.recordEvent({
        kind: 'import',
        setId: 'set-1',
        startedAt: '2025-03-02T09:00:00.000Z',
        registry: 'registry.enclave.local:5000',
        operator: 'bob',
        host: 'enclave-1',
        result: 'failed',
        details: { failedImages: 2, reason: 'manifest unknown' },
        insecureAccepted: true,
      });
      assert.ok(second > first);
      const events = store.listEvents();
      assert.deepEqual(
        events.map((e) => [e.id, e.kind, e.result, e.insecureAccepted]),
        [
          [second, 'import', 'failed', true],
          [first, 'verify', 'ok', false],
        ],
      );
      assert.deepEqual(events[0]?.details, { failedImages: 2, reason: 'manifest unknown' });
      assert.equal(events[0]?.registry, 'registry.enclave.local:5000');
      assert.equal(events[1]?.finishedAt, '2025-03-02T08:01:00.000Z');
      assert.deepEqual(store.listEvents({ kind: 'verify' }).map((e) => e.id), [first]);
      assert.deepEqual(store.listEvents({ setId: 'other' }), []);
      assert.deepEqual(store.listEvents({ since: new Date('2025-03-02T08:30:00Z') }).map((e) => e.id), [second]);
      assert.deepEqual(store.listEvents({ limit: 1 }).map((e) => e.id), [second]);
    });
  });
});
