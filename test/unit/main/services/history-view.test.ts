import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { csvCell, historyCsv, historyDetail, listHistory, matchesFilter } from '../../../../main/services/history-view';
import { historyFile } from '../../../../src/paths';
import { openHistory } from '../../../../src/store';
import { isAirlockError } from '../../../../src/errors';

describe('history view', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-history-view-'));
    const store = openHistory(historyFile(dir));
    store.recordExport({
      setId: 'set-1',
      createdAt: '2025-03-01T10:00:00.000Z',
      workspace: '/media/op/AIRLOCK',
      configYaml: 'kind: ImageSetConfiguration\n',
      operator: 'alice',
      host: 'connected',
      toolVersion: '0.1.0',
      status: 'complete',
      totalBytes: 4096,
      baseSetIds: [],
      manifestSha256: 'f'.repeat(64),
      keyFingerprint: 'SHA256:abc',
      images: [
        { sourceRef: 'quay.io/a:1', destinationRef: 'a:1', digest: `sha256:${'1'.repeat(64)}`, status: 'ok' },
        { sourceRef: 'quay.io/b:1', destinationRef: 'b:1', status: 'failed', error: 'gone' },
      ],
      blobs: [{ digest: `sha256:${'2'.repeat(64)}`, size: 10, part: 'mirror_000001.tar' }],
      parts: [{ name: 'mirror_000001.tar', size: 4096, sha256: '3'.repeat(64) }],
    });
    store.recordEvent({ kind: 'import', setId: 'set-1', startedAt: '2025-03-02T10:00:00.000Z', finishedAt: '2025-03-02T10:05:00.000Z', registry: 'r.example/m', operator: 'bob', host: 'enclave', result: 'ok', details: { bytesPushed: 4000, images: [{ source: 'quay.io/a:1', destination: 'r.example/m/a:1', status: 'pushed', digest: `sha256:${'1'.repeat(64)}` }] }, insecureAccepted: true });
    store.close();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('lists exports and events together, newest first, filtered', () => {
    const all = listHistory(dir, {});
    assert.deepEqual(all.map((e) => [e.id, e.kind, e.status, e.images, e.bytes]), [
      ['event:1', 'import', 'ok', 1, 4000],
      ['export:set-1', 'export', 'complete', 1, 4096],
    ]);
    assert.equal(all[0]?.insecureAccepted, true);
    assert.deepEqual(listHistory(dir, { kind: 'export' }).map((e) => e.id), ['export:set-1']);
    assert.deepEqual(listHistory(dir, { text: 'R.EXAMPLE' }).map((e) => e.id), ['event:1']);
    assert.equal(matchesFilter(all[0]!, { kind: 'verify' }), false);
  });

  it('does not create a database where there is none', () => {
    assert.deepEqual(listHistory(join(dir, 'empty'), {}), []);
  });

  it('details an export and an event', () => {
    const exp = historyDetail(dir, 'export:set-1');
    assert.equal(exp.fields.find((f) => f.label === 'Manifest SHA-256')?.value, 'f'.repeat(64));
    assert.equal(exp.images.length, 2);
    assert.equal(exp.configYaml, 'kind: ImageSetConfiguration\n');
    const event = historyDetail(dir, 'event:1');
    assert.deepEqual(event.images.map((i) => i.destination), ['r.example/m/a:1']);
    assert.ok(event.fields.some((f) => f.label === 'Finished'));
    assert.throws(() => historyDetail(dir, 'event:99'), (err: unknown) => isAirlockError(err, 'HISTORY_NOT_FOUND'));
  });

  it('writes CSV that a spreadsheet reads as data, never as formulas', () => {
    const table: ReadonlyArray<readonly [unknown, string]> = [
      ['plain', 'plain'],
      ['a,b', '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ['line\nbreak', '"line\nbreak"'],
      ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
      ['+1', "'+1"],
      ['-2', "'-2"],
      ['@SUM(A1)', "'@SUM(A1)"],
      [undefined, ''],
      [42, '42'],
    ];
    for (const [value, cell] of table) assert.equal(csvCell(value), cell, String(value));
    const csv = historyCsv(listHistory(dir, {}));
    assert.equal(csv.split('\r\n')[0], 'kind,setId,time,status,operator,host,registry,images,bytes,insecureAccepted');
    assert.match(csv, /\r\nexport,set-1,2025-03-01T10:00:00\.000Z,complete,alice,connected,,1,4096,\r\n/);
  });
});
