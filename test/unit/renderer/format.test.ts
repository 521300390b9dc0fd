import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatDuration, formatPercent, shortDigest, shortFingerprint, shortId } from '../../../renderer/format';

describe('format', () => {
  const bytes: ReadonlyArray<readonly [number, string]> = [
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1536 * 1024, '1.50 MiB'],
    [42 * 1024 ** 3, '42.0 GiB'],
    [500 * 1024 ** 3, '500 GiB'],
    [-1, '–'],
  ];
  for (const [n, text] of bytes) it(`${n} bytes is ${text}`, () => assert.equal(formatBytes(n), text));

  it('durations', () => {
    assert.equal(formatDuration(5), '5s');
    assert.equal(formatDuration(65), '1m 05s');
    assert.equal(formatDuration(3 * 3600 + 120), '3h 02m');
  });

  it('percent, digests, fingerprints and ids', () => {
    assert.equal(formatPercent(0.456), 46);
    assert.equal(formatPercent(2), 100);
    assert.equal(shortDigest(`sha256:${'0123456789ab'.repeat(6)}`), 'sha256:0123456789ab');
    assert.equal(shortFingerprint('SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'), 'SHA256:abcdefghijkl…9ABCDEFG');
    assert.equal(shortId('7c9b4561-c325-4256-b5eb-40086bc20214'), '7c9b4561…');
  });
});
