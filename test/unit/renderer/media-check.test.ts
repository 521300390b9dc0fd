import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTarget, estimateSetBytes, FAT32_PART_BYTES, isFat, type TargetFacts } from '../../../renderer/state/media-check';

const GiB = 1024 ** 3;
const plan = { shippedBytes: 10 * GiB, blobs: 100, estimatedParts: 1, archiveSizeBytes: 500 * GiB };
const need = estimateSetBytes(plan);

describe('checkTarget', () => {
  const table: ReadonlyArray<readonly [string, TargetFacts, boolean, readonly string[], number | undefined]> = [
    ['plenty of space', { freeBytes: 64 * GiB, readOnly: false, fsType: 'ext4' }, true, [], undefined],
    ['exactly enough', { freeBytes: need, readOnly: false, fsType: 'xfs' }, true, [], undefined],
    ['one byte short', { freeBytes: need - 1, readOnly: false, fsType: 'ext4' }, false, ['too-small'], undefined],
    ['read-only', { freeBytes: 64 * GiB, readOnly: true, fsType: 'ext4' }, false, ['read-only'], undefined],
    ['FAT32 cuts parts below 4 GiB', { freeBytes: 64 * GiB, readOnly: false, fsType: 'vfat' }, true, ['fat32-parts'], FAT32_PART_BYTES],
    ['exFAT holds big files', { freeBytes: 64 * GiB, readOnly: false, fsType: 'exfat' }, true, [], undefined],
    ['full and read-only FAT', { freeBytes: GiB, readOnly: true, fsType: 'msdos' }, false, ['read-only', 'too-small', 'fat32-parts'], FAT32_PART_BYTES],
  ];
  for (const [name, facts, usable, kinds, archive] of table) {
    it(name, () => {
      const check = checkTarget(facts, plan);
      assert.equal(check.usable, usable);
      assert.deepEqual(check.issues.map((i) => i.kind), kinds);
      assert.equal(check.archiveSizeBytes, archive);
      assert.equal(check.needBytes, need);
    });
  }

  it('leaves small archive sizes alone on FAT32', () => {
    assert.equal(checkTarget({ freeBytes: 64 * GiB, readOnly: false, fsType: 'vfat' }, { ...plan, archiveSizeBytes: GiB }).archiveSizeBytes, undefined);
  });

  it('estimates the set a little above the bytes it carries', () => {
    assert.ok(need > plan.shippedBytes && need < plan.shippedBytes + 2 * 1024 * 1024);
    assert.equal(isFat('VFAT'), true);
    assert.equal(isFat('ntfs'), false);
  });
});
