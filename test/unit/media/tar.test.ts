import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extract, type Header } from 'tar-stream';
import { TAR_BLOCK, TAR_MTIME, TAR_TRAILER, tarEntrySize, tarHeader, tarPadding } from '../../../src/media/tar';

/** Headers as tar-stream (an independent parser) reads them back. */
async function parse(archive: Buffer): Promise<(Header & { byteOffset: number })[]> {
  const headers: (Header & { byteOffset: number })[] = [];
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    headers.push(header as Header & { byteOffset: number });
    stream.on('end', () => next());
    stream.resume();
  });
  const done = new Promise<void>((resolve, reject) => {
    ex.on('finish', () => resolve());
    ex.on('error', reject);
  });
  ex.end(archive);
  await done;
  return headers;
}

describe('tar headers', () => {
  it('computes padding and entry sizes', () => {
    assert.deepEqual(
      [0, 1, 511, 512, 513, 1024].map(tarPadding),
      [0, 511, 1, 0, 511, 0],
    );
    assert.deepEqual(
      [0, 1, 512, 513].map(tarEntrySize),
      [512, 1024, 1024, 1536],
    );
  });

  it('writes deterministic ustar headers that tar-stream reads back', async () => {
    const data = Buffer.from('{"imageLayoutVersion":"1.0.0"}');
    const archive = Buffer.concat([
      tarHeader('oci-layout', 'file', data.byteLength),
      data,
      Buffer.alloc(tarPadding(data.byteLength)),
      tarHeader('blobs/', 'directory', 0),
      tarHeader(`blobs/sha256/${'ab'.repeat(32)}`, 'file', 0),
      Buffer.alloc(TAR_TRAILER),
    ]);
    const headers = await parse(archive);
    assert.deepEqual(
      headers.map((h) => [h.name, h.type, h.size, h.mode, h.uid, h.gid, h.uname, h.gname, h.mtime.getTime() / 1000, h.byteOffset, h.pax ?? null]),
      [
        ['oci-layout', 'file', 30, 0o644, 0, 0, '', '', TAR_MTIME, 512, null],
        ['blobs/', 'directory', 0, 0o755, 0, 0, '', '', TAR_MTIME, 1536, null],
        [`blobs/sha256/${'ab'.repeat(32)}`, 'file', 0, 0o644, 0, 0, '', '', TAR_MTIME, 2048, null],
      ],
    );
    // Same input, same bytes.
    assert.deepEqual(tarHeader('oci-layout', 'file', 30), tarHeader('oci-layout', 'file', 30));
    assert.equal(tarHeader('x', 'file', 1).byteLength, TAR_BLOCK);
  });

  it('encodes sizes of 8 GiB and more in base-256', async () => {
    const size = 9 * 1024 ** 3 + 5;
    const header = tarHeader(`blobs/sha256/${'cd'.repeat(32)}`, 'file', size);
    assert.equal(header[124], 0x80);
    // tar-stream decodes the header before it wants the data: feed the header alone and read it back.
    const ex = extract();
    const seen = new Promise<Header>((resolve) => ex.on('entry', (h) => resolve(h)));
    ex.write(header);
    assert.equal((await seen).size, size);
    ex.destroy();
    // Just below the octal limit stays octal.
    assert.equal(tarHeader('x', 'file', 0o77777777777)[124], 0x37);
  });

  it('refuses what a plain ustar header cannot say', () => {
    assert.throws(() => tarHeader('x'.repeat(101), 'file', 1), RangeError);
    assert.throws(() => tarHeader('with space', 'file', 1), RangeError);
    assert.throws(() => tarHeader('x', 'file', -1), RangeError);
    assert.throws(() => tarHeader('d/', 'directory', 5), RangeError);
  });
});
