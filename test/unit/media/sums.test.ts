import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSums, parseSums } from '../../../src/media/sums';

const H = 'a'.repeat(64);

describe('SHA256SUMS', () => {
  it('writes coreutils text-mode lines', () => {
    assert.equal(formatSums([{ name: 'mirror_000001.tar', sha256: H }, { name: 'transfer.json', sha256: 'b'.repeat(64) }]).toString(), `${H}  mirror_000001.tar\n${'b'.repeat(64)}  transfer.json\n`);
    assert.throws(() => formatSums([{ name: '../x', sha256: H }]), RangeError);
  });

  it('reads text and binary mode, upper-case hex, CRLF', () => {
    const parsed = parseSums(Buffer.from(`${H}  a.tar\r\n${'B'.repeat(64)} *b.tar\n`));
    assert.deepEqual(parsed, { ok: true, entries: [{ name: 'a.tar', sha256: H }, { name: 'b.tar', sha256: 'b'.repeat(64) }] });
  });

  const bad: readonly (readonly [string, string])[] = [
    ['short hash', `${'a'.repeat(63)}  a.tar\n`],
    ['path outside the directory', `${H}  ../a.tar\n`],
    ['subdirectory', `${H}  sub/a.tar\n`],
    ['duplicate', `${H}  a.tar\n${H}  a.tar\n`],
    ['blank line', `${H}  a.tar\n\n`],
    ['one space', `${H} a.tar\n`],
  ];
  for (const [name, text] of bad) {
    it(`refuses ${name}`, () => assert.equal(parseSums(Buffer.from(text)).ok, false));
  }
});
