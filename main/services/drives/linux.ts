/**
 * Removable drives on Linux: lsblk for the block devices, /sys/block/<disk>/removable for the
 * kernel's view, /proc/mounts for read-only mounts, statfs for free and total space.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { AirlockError } from '../../../src/errors';
import type { Drive } from '../../ipc/contract';
import { parseLsblk, parseProcMounts } from './lsblk';

export const LSBLK_ARGS: readonly string[] = ['--json', '-b', '-o', 'NAME,LABEL,MOUNTPOINT,FSTYPE,SIZE,RM,HOTPLUG,TRAN'];

export interface LinuxProbe {
  lsblk(): Promise<string>;
  sysRemovable(): Promise<ReadonlyMap<string, boolean>>;
  procMounts(): Promise<string>;
  space(mountPoint: string): Promise<{ readonly free: number; readonly total: number }>;
}

export const nodeLinuxProbe: LinuxProbe = {
  lsblk: () =>
    new Promise((resolve, reject) => {
      execFile('lsblk', [...LSBLK_ARGS], { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => {
        if (error) {
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
          reject(
            new AirlockError('DRIVES_UNAVAILABLE', missing ? 'lsblk is not installed, so removable drives cannot be listed' : `lsblk failed: ${error.message}`, {
              hint: missing ? 'install util-linux, or choose a folder on the drive instead' : 'choose a folder on the drive instead',
              cause: error,
            }),
          );
        } else resolve(stdout);
      });
    }),
  async sysRemovable() {
    const map = new Map<string, boolean>();
    let names: string[] = [];
    try {
      names = await readdir('/sys/block');
    } catch {
      return map;
    }
    await Promise.all(
      names.map(async (name) => {
        const value = await readFile(join('/sys/block', name, 'removable'), 'utf8').catch(() => '0');
        map.set(name, value.trim() === '1');
      }),
    );
    return map;
  },
  procMounts: () => readFile('/proc/mounts', 'utf8').catch(() => ''),
  async space(mountPoint) {
    const st = await statfs(mountPoint);
    return { free: st.bavail * st.bsize, total: st.blocks * st.bsize };
  },
};

export async function listLinuxDrives(probe: LinuxProbe = nodeLinuxProbe): Promise<Drive[]> {
  const [json, sysRemovable, mountsText] = await Promise.all([probe.lsblk(), probe.sysRemovable(), probe.procMounts()]);
  const candidates = parseLsblk(json, { sysRemovable, mounts: parseProcMounts(mountsText) });
  const drives: Drive[] = [];
  for (const c of candidates) {
    // A volume that vanished between lsblk and statfs is simply not listed this round.
    const space = await probe.space(c.mountPoint).catch(() => undefined);
    if (!space) continue;
    drives.push({
      id: c.device,
      device: c.device,
      disk: c.disk,
      label: c.label,
      mountPoint: c.mountPoint,
      fsType: c.fsType,
      freeBytes: space.free,
      totalBytes: space.total || c.sizeBytes,
      readOnly: c.readOnly,
      transport: c.transport,
    });
  }
  return drives;
}
