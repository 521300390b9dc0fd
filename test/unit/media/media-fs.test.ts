import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writesAnywhere } from '../../../src/media/media-fs';

describe('writesAnywhere', () => {
  it('says yes for the file systems that keep holes (the temp dir here), no for a directory it cannot look at', async () => {
    const type = (await statfs(tmpdir())).type;
    assert.equal(await writesAnywhere(tmpdir()), true, `temp dir on file system 0x${type.toString(16)}`);
    assert.equal(await writesAnywhere(join(tmpdir(), 'airlock-no-such-dir', 'x')), false);
  });
});
