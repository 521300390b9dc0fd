import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scanForTransferSets } from '../../../../main/services/transfer-sets';

describe('scanForTransferSets', () => {
  let drive: string;
  before(async () => {
    drive = await mkdtemp(join(tmpdir(), 'airlock-scan-'));
    await writeFile(join(drive, 'transfer.json'), '{"schemaVersion": 99}');
    await mkdir(join(drive, 'second'));
    await writeFile(join(drive, 'second', 'transfer.json'), 'not json at all');
    await mkdir(join(drive, 'a', 'deeper'), { recursive: true });
    await writeFile(join(drive, 'a', 'deeper', 'transfer.json'), '{}');
    await mkdir(join(drive, 'linked'));
    await symlink('/etc/hostname', join(drive, 'linked', 'transfer.json'));
    await mkdir(join(drive, 'working-dir'));
    await writeFile(join(drive, 'working-dir', 'transfer.json'), '{}');
  });
  after(() => rm(drive, { recursive: true, force: true }));

  it('looks at the root and one level down, reports sets it cannot read, follows no links', async () => {
    const scan = await scanForTransferSets(drive, join(drive, 'data'));
    assert.deepEqual(scan.sets, []);
    assert.deepEqual(scan.unreadable.map((u) => [u.dir.slice(drive.length), u.error.code]), [
      ['', 'TRANSFER_MANIFEST_INVALID'],
      ['/second', 'TRANSFER_MANIFEST_INVALID'],
    ]);
  });

  it('finds nothing on an empty or missing drive', async () => {
    await mkdir(join(drive, 'empty'));
    assert.deepEqual(await scanForTransferSets(join(drive, 'empty'), drive), { sets: [], unreadable: [] });
    assert.deepEqual(await scanForTransferSets(join(drive, 'gone'), drive), { sets: [], unreadable: [] });
  });
});
