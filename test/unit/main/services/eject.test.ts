import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Drive } from '../../../../main/ipc/contract';
import { DriveWatcher, platformDriveService, type Timers } from '../../../../main/services/drives';
import { ejectLinux, type CommandResult, type CommandRunner } from '../../../../main/services/drives/eject';
import { isAirlockError } from '../../../../src/errors';

const DRIVE: Drive = { id: '/dev/sdb1', device: '/dev/sdb1', disk: '/dev/sdb', label: 'AIRLOCK', mountPoint: '/media/op/AIRLOCK', fsType: 'vfat', freeBytes: 1, totalBytes: 2, readOnly: false, transport: 'usb' };

function scripted(answers: Record<string, CommandResult | 'missing'>): { run: CommandRunner; ran: string[] } {
  const ran: string[] = [];
  const run: CommandRunner = async (command, args) => {
    const line = [command, ...args].join(' ');
    ran.push(line);
    const key = Object.keys(answers).find((k) => line.startsWith(k));
    const answer = key === undefined ? { code: 0, stdout: '', stderr: '' } : answers[key];
    if (answer === 'missing') throw Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT' });
    return answer ?? { code: 0, stdout: '', stderr: '' };
  };
  return { run, ran };
}

describe('ejectLinux', () => {
  it('flushes, unmounts the volume and powers off the disk', async () => {
    const { run, ran } = scripted({});
    assert.deepEqual(await ejectLinux(DRIVE, run), { ejected: '/dev/sdb1', poweredOff: true });
    assert.deepEqual(ran, [
      'sync -f /media/op/AIRLOCK',
      'udisksctl unmount --block-device /dev/sdb1 --no-user-interaction',
      'udisksctl power-off --block-device /dev/sdb --no-user-interaction',
    ]);
  });

  it('still counts as ejected when the device cannot power off', async () => {
    const { run } = scripted({ 'udisksctl power-off': { code: 1, stdout: '', stderr: 'Error powering off drive: not supported' } });
    assert.deepEqual(await ejectLinux(DRIVE, run), { ejected: '/dev/sdb1', poweredOff: false });
  });

  it('falls back to a plain sync', async () => {
    const { run, ran } = scripted({ 'sync -f': { code: 1, stdout: '', stderr: 'sync: unrecognized option' } });
    await ejectLinux(DRIVE, run);
    assert.equal(ran[1], 'sync');
  });

  const failures: ReadonlyArray<readonly [string, Record<string, CommandResult | 'missing'>, string, RegExp]> = [
    ['udisksctl is not installed', { udisksctl: 'missing' }, 'DRIVE_EJECT_UNAVAILABLE', /umount \/media\/op\/AIRLOCK/],
    ['the volume is busy', { 'udisksctl unmount': { code: 1, stdout: '', stderr: 'Error unmounting /dev/sdb1: target is busy\nmore' } }, 'DRIVE_BUSY', /close any window/],
    ['the unmount is refused', { 'udisksctl unmount': { code: 1, stdout: '', stderr: 'Not authorized to perform operation' } }, 'DRIVE_EJECT_FAILED', /file manager/],
  ];
  for (const [name, answers, code, hint] of failures) {
    it(`says so clearly when ${name}`, async () => {
      await assert.rejects(ejectLinux(DRIVE, scripted(answers).run), (err: unknown) => isAirlockError(err, code) && hint.test(err.hint ?? '') && !err.message.includes('more'));
    });
  }
});

describe('platformDriveService', () => {
  it('lists nothing and refuses eject where the platform is not implemented', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const service = platformDriveService(platform);
      assert.deepEqual(await service.list(), []);
      await assert.rejects(service.eject(DRIVE), (err: unknown) => isAirlockError(err, 'DRIVE_EJECT_UNSUPPORTED'));
    }
  });
});

describe('DriveWatcher', () => {
  it('reports when drives come and go, not when free space moves a little', async () => {
    let drives: Drive[] = [];
    const seen: number[] = [];
    const timers: Timers = { setInterval: () => 1, clearInterval: () => undefined };
    const watcher = new DriveWatcher(async () => drives, (d) => seen.push(d.length), 1000, timers);
    await watcher.poll();
    drives = [DRIVE];
    await watcher.poll();
    drives = [{ ...DRIVE, freeBytes: DRIVE.freeBytes + 1000 }];
    await watcher.poll();
    drives = [{ ...DRIVE, freeBytes: DRIVE.freeBytes + 50 * 1024 * 1024 }];
    await watcher.poll();
    drives = [];
    await watcher.poll();
    assert.deepEqual(seen, [0, 1, 1, 0]);
    assert.deepEqual(watcher.current(), []);
  });

  it('keeps the last list when listing fails', async () => {
    let fail = false;
    const watcher = new DriveWatcher(async () => {
      if (fail) throw new Error('lsblk crashed');
      return [DRIVE];
    }, () => undefined, 1000, { setInterval: () => 1, clearInterval: () => undefined });
    await watcher.poll();
    fail = true;
    await watcher.poll();
    assert.equal(watcher.current().length, 1);
  });
});
