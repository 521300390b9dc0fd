// Our tar headers read by GNU tar, including the base-256 size of blobs of 8 GiB and more (a sparse
// file, so the test writes a few KiB whatever the size it claims).
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { TAR_TRAILER, tarHeader, tarPadding } from '../../../src/media/tar';
import { run, tempDir } from './helpers';

it('GNU tar lists a 9 GiB entry with a base-256 size', async (t) => {
  const file = join(await tempDir(t, 'base256'), 'big.tar');
  const size = 9 * 1024 ** 3 + 5;
  const name = `blobs/sha256/${'ab'.repeat(32)}`;
  const handle = await open(file, 'w');
  try {
    await handle.write(tarHeader(name, 'file', size));
    await handle.truncate(512 + size + tarPadding(size) + TAR_TRAILER);
  } finally {
    await handle.close();
  }
  const { stdout } = await run('tar', ['-tvf', file]);
  const fields = stdout.trim().split(/\s+/);
  assert.deepEqual([fields[0], fields[1], fields[2], fields[5]], ['-rw-r--r--', '0/0', String(size), name]);
});
