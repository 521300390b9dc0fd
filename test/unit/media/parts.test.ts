import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrangePart, planParts, partPrologue, type PlanBlob } from '../../../src/media/parts';
import { tarEntrySize, TAR_TRAILER } from '../../../src/media/tar';

const d = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const blobs = (...sizes: number[]): PlanBlob[] => sizes.map((size, i) => ({ digest: d(i + 1), size }));

// oci-layout (30 bytes) and index.json (300 bytes) as in a small set.
const LAYOUT = 30;
const INDEX = 300;
/** First part's fixed bytes: 4 headers, the two small files padded, no blobs, no trailer. */
const FIRST = 512 + 512 + 512 + 512 + 512 + 512; // oci-layout h+d, index.json h+d, blobs/ h, blobs/sha256/ h
/** Any other part's fixed bytes: the two directory headers. */
const OTHER = 1024;

describe('planParts', () => {
  it('lays out the prologue of the first part and of the others', () => {
    const first = partPrologue(true, LAYOUT, INDEX);
    assert.deepEqual(
      first.map((e) => [e.name, e.type, e.size, e.offset]),
      [
        ['oci-layout', 'file', 30, 512],
        ['index.json', 'file', 300, 1536],
        ['blobs/', 'directory', 0, 2560],
        ['blobs/sha256/', 'directory', 0, 3072],
      ],
    );
    assert.deepEqual(
      partPrologue(false, LAYOUT, INDEX).map((e) => [e.name, e.offset]),
      [
        ['blobs/', 512],
        ['blobs/sha256/', 1024],
      ],
    );
  });

  // [name, blob sizes, archive size, expected blob counts per part, expected warnings]
  const table: readonly (readonly [string, number[], number, number[], number])[] = [
    ['no blobs: one part with the layout only', [], 1 << 20, [0], 0],
    ['everything fits one part', [1000, 2000, 3000], 1 << 20, [3], 0],
    ['exact fit: header + data + padding + trailer', [512 * 10], FIRST + tarEntrySize(5120) + TAR_TRAILER, [1], 0],
    ['one byte short of an exact fit moves the blob to a new part', [1, 512 * 10], FIRST + tarEntrySize(1) + tarEntrySize(5120) + TAR_TRAILER - 1, [1, 1], 0],
    ['padding counts: 513 bytes take 1024 + 512', [513, 513], FIRST + 2 * tarEntrySize(513) + TAR_TRAILER, [2], 0],
    ['padding counts (one byte less)', [513, 513], FIRST + 2 * tarEntrySize(513) + TAR_TRAILER - 1, [1, 1], 0],
    ['splits in order, never reorders', [3000, 3000, 100, 3000], FIRST + 2 * tarEntrySize(3000) + TAR_TRAILER, [2, 2], 0],
    ['an oversized blob goes alone, with a warning', [100, 50_000, 100], 10_000, [1, 1, 1], 1],
    ['an oversized first blob shares the first part with the layout files only', [50_000, 100], 10_000, [1, 1], 1],
    ['two oversized blobs in a row: one part each', [50_000, 60_000], 10_000, [1, 1], 2],
    ['zero-byte blobs cost a header', [0, 0, 0], FIRST + 3 * 512 + TAR_TRAILER, [3], 0],
  ];

  for (const [name, sizes, archiveSize, counts, warnings] of table) {
    it(name, () => {
      const plan = planParts({ blobs: blobs(...sizes), ociLayoutSize: LAYOUT, indexSize: INDEX, archiveSize, strictArchive: false });
      assert.deepEqual(
        plan.parts.map((p) => p.blobs.length),
        counts,
      );
      assert.equal(plan.warnings.length, warnings);
      // Every blob exactly once, in order; names numbered without gaps; sizes add up.
      assert.deepEqual(
        plan.parts.flatMap((p) => p.blobs),
        blobs(...sizes).map((b) => b.digest),
      );
      plan.parts.forEach((p, i) => {
        assert.equal(p.name, `mirror_${String(i + 1).padStart(6, '0')}.tar`);
        const entriesBytes = p.entries.reduce((sum, e) => sum + tarEntrySize(e.size), 0);
        assert.equal(p.size, entriesBytes + TAR_TRAILER);
        if (p.blobs.length > 1 || (p.blobs.length === 1 && !plan.warnings.some((w) => w.code === 'BLOB_EXCEEDS_ARCHIVE_SIZE' && w.part === p.name))) {
          assert.ok(p.size <= archiveSize, `${p.name} is ${p.size} > ${archiveSize}`);
        }
        // Offsets are contiguous: each entry's data follows the previous entry's padded data.
        let position = 0;
        for (const e of p.entries) {
          assert.equal(e.offset, position + 512);
          position += tarEntrySize(e.size);
        }
        assert.equal(p.entries[0]?.name, i === 0 ? 'oci-layout' : 'blobs/');
      });
      assert.equal(plan.totalSize, plan.parts.reduce((s, p) => s + p.size, 0));
      assert.equal(plan.parts[0]?.size, plan.parts[0]!.entries.reduce((s, e) => s + tarEntrySize(e.size), 0) + TAR_TRAILER);
    });
  }

  it('other parts start with just the directories', () => {
    const plan = planParts({ blobs: blobs(3000, 3000), ociLayoutSize: LAYOUT, indexSize: INDEX, archiveSize: FIRST + tarEntrySize(3000) + TAR_TRAILER, strictArchive: false });
    assert.equal(plan.parts.length, 2);
    assert.equal(plan.parts[1]?.size, OTHER + tarEntrySize(3000) + TAR_TRAILER);
    assert.equal(plan.parts[1]?.entries[2]?.offset, OTHER + 512);
  });

  it('warns with the part, blob and sizes', () => {
    const plan = planParts({ blobs: blobs(100, 50_000), ociLayoutSize: LAYOUT, indexSize: INDEX, archiveSize: 10_000, strictArchive: false });
    assert.deepEqual(plan.warnings, [
      { code: 'BLOB_EXCEEDS_ARCHIVE_SIZE', part: 'mirror_000002.tar', blob: d(2), blobSize: 50_000, partSize: OTHER + tarEntrySize(50_000) + TAR_TRAILER, archiveSize: 10_000 },
    ]);
  });

  it('strictArchive refuses oversized blobs, naming them', () => {
    assert.throws(
      () => planParts({ blobs: blobs(100, 50_000, 70_000), ociLayoutSize: LAYOUT, indexSize: INDEX, archiveSize: 10_000, strictArchive: true }),
      (err: Error & { code?: string }) => err.code === 'MEDIA_BLOB_TOO_LARGE' && err.message.includes(d(2)) && err.message.includes(d(3)) && err.message.startsWith('2 blobs'),
    );
  });

  it('strictArchive refuses an archive size too small for the layout files', () => {
    assert.throws(() => planParts({ blobs: [], ociLayoutSize: LAYOUT, indexSize: 100_000, archiveSize: 10_000, strictArchive: true }), { code: 'MEDIA_ARCHIVE_SIZE_TOO_SMALL' } as object);
    const plan = planParts({ blobs: [], ociLayoutSize: LAYOUT, indexSize: 100_000, archiveSize: 10_000, strictArchive: false });
    assert.equal(plan.warnings[0]?.code, 'LAYOUT_EXCEEDS_ARCHIVE_SIZE');
  });

  it('refuses a non-positive archive size', () => {
    for (const archiveSize of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => planParts({ blobs: [], ociLayoutSize: LAYOUT, indexSize: INDEX, archiveSize, strictArchive: false }), { code: 'MEDIA_ARCHIVE_SIZE_INVALID' } as object);
    }
  });

  it('plans GiB-sized blobs without building anything large', () => {
    const GiB = 1024 ** 3;
    const plan = planParts({ blobs: blobs(3 * GiB, 2 * GiB, 9 * GiB, 1), ociLayoutSize: LAYOUT, indexSize: INDEX, archiveSize: 4 * GiB, strictArchive: false });
    assert.deepEqual(
      plan.parts.map((p) => p.blobs.length),
      [1, 1, 1, 1],
    );
    // 3 GiB alone (3 + 2 > 4); 2 GiB alone (the 9 GiB one cannot join it); 9 GiB alone, oversized,
    // with a warning; the 1-byte blob in a fresh part after it.
    assert.equal(plan.warnings.length, 1);
    assert.equal(plan.parts[2]?.size, 1024 + tarEntrySize(9 * GiB) + TAR_TRAILER);
  });
});

describe('arrangePart', () => {
  it('lays a part\'s blobs out in another order: same prologue and size, offsets following each other', () => {
    const plan = planParts({ blobs: blobs(100, 7000, 1), ociLayoutSize: LAYOUT, indexSize: INDEX, archiveSize: 1 << 20, strictArchive: false });
    const part = plan.parts[0]!;
    const arranged = arrangePart(part, [d(3), d(1), d(2)]);
    assert.equal(arranged.size, part.size);
    assert.deepEqual(arranged.blobs, [d(3), d(1), d(2)]);
    const blobEntries = arranged.entries.filter((e) => e.content.kind === 'blob');
    assert.deepEqual(
      blobEntries.map((e) => [e.content.kind === 'blob' ? e.content.digest : '', e.size, e.offset]),
      [
        [d(3), 1, FIRST + 512],
        [d(1), 100, FIRST + tarEntrySize(1) + 512],
        [d(2), 7000, FIRST + tarEntrySize(1) + tarEntrySize(100) + 512],
      ],
    );
    assert.deepEqual(arrangePart(part, part.blobs).entries, part.entries);
  });

  it('refuses an order that is not one of the part\'s blobs', () => {
    const part = planParts({ blobs: blobs(100, 200), ociLayoutSize: LAYOUT, indexSize: INDEX, archiveSize: 1 << 20, strictArchive: false }).parts[0]!;
    assert.throws(() => arrangePart(part, [d(1)]), RangeError);
    assert.throws(() => arrangePart(part, [d(1), d(1)]), RangeError);
    assert.throws(() => arrangePart(part, [d(1), d(9)]), RangeError);
  });
});
