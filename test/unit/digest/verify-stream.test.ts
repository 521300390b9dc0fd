import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sha256Digest, VerifyStream, digestHex } from '../../../src/digest';

async function run(data: Buffer, digest: string, size?: number): Promise<number> {
  let n = 0;
  await pipeline(Readable.from([data.subarray(0, 3), data.subarray(3)]), new VerifyStream({ digest, ...(size === undefined ? {} : { size }), context: { file: 'f.tar' } }), new Writable({ write(c: Buffer, _e, cb) { n += c.length; cb(); } }));
  return n;
}

describe('VerifyStream', () => {
  const data = Buffer.from('hello, airlock');
  it('passes matching content', async () => assert.equal(await run(data, sha256Digest(data), data.length), data.length));
  it('fails on a flipped byte, naming both digests', async () => {
    const flipped = Buffer.from(data);
    flipped[2] = (flipped[2] ?? 0) ^ 1;
    await assert.rejects(run(flipped, sha256Digest(data)), (err: Error & { code?: string }) => err.code === 'DIGEST_MISMATCH' && err.message.includes(sha256Digest(data)) && err.message.includes(sha256Digest(flipped)) && err.message.includes('f.tar'));
  });
  it('fails on a short or long stream', async () => {
    await assert.rejects(run(data, sha256Digest(data), data.length + 1), /expected 15/);
    await assert.rejects(run(data, sha256Digest(data), data.length - 1), /expected 13/);
  });
  it('accepts only sha256', () => {
    assert.equal(digestHex(`sha256:${'0'.repeat(64)}`), '0'.repeat(64));
    assert.throws(() => digestHex('sha512:00'), /not a sha256 digest/);
  });
});
