import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listLinuxDrives, type LinuxProbe } from '../../../../main/services/drives/linux';
import { parseLsblk, parseProcMounts, unescapeMountField, type MountEntry, type VolumeCandidate } from '../../../../main/services/drives/lsblk';

/** util-linux 2.38 (Debian 12): booleans, numbers, one `mountpoint`. A laptop with a USB stick. */
const LSBLK_238 = JSON.stringify({
  blockdevices: [
    { name: 'loop0', label: null, mountpoint: '/snap/core/1', fstype: 'squashfs', size: 58_200_000, rm: false, hotplug: false, tran: null },
    {
      name: 'nvme0n1', label: null, mountpoint: null, fstype: null, size: 512_110_190_592, rm: false, hotplug: false, tran: 'nvme',
      children: [
        { name: 'nvme0n1p1', label: 'EFI', mountpoint: '/boot/efi', fstype: 'vfat', size: 536_870_912, rm: false, hotplug: false, tran: null },
        { name: 'nvme0n1p2', label: null, mountpoint: '/', fstype: 'ext4', size: 511_571_345_408, rm: false, hotplug: false, tran: null },
      ],
    },
    {
      name: 'sda', label: null, mountpoint: null, fstype: null, size: 32_015_679_488, rm: true, hotplug: true, tran: 'usb',
      children: [{ name: 'sda1', label: 'AIRLOCK', mountpoint: '/media/op/AIRLOCK', fstype: 'vfat', size: 32_014_630_912, rm: true, hotplug: true, tran: null }],
    },
    { name: 'sr0', label: 'DVD', mountpoint: '/media/op/DVD', fstype: 'iso9660', size: 4_000_000_000, rm: true, hotplug: false, tran: 'sata' },
  ],
});

/** util-linux 2.32 (RHEL 8): every value a string. A USB SSD with no RM flag, mounted with a space in its label. */
const LSBLK_232 = JSON.stringify({
  blockdevices: [
    { name: 'sda', label: null, mountpoint: null, fstype: null, size: '500107862016', rm: '0', hotplug: '0', tran: 'sata', children: [{ name: 'sda1', label: null, mountpoint: '/', fstype: 'xfs', size: '500106813440', rm: '0', hotplug: '0', tran: null }] },
    { name: 'sdb', label: null, mountpoint: null, fstype: null, size: '1000204886016', rm: '0', hotplug: '1', tran: 'usb', children: [{ name: 'sdb1', label: 'Transfer Disk', mountpoint: '/run/media/op/Transfer Disk', fstype: 'exfat', size: '1000203837440', rm: '0', hotplug: '1', tran: null }] },
  ],
});

/** util-linux 2.39: `mountpoints` arrays; a card reader (mmc) with no flags but /sys says removable; a LUKS volume inside a USB disk. */
const LSBLK_239 = JSON.stringify({
  blockdevices: [
    { name: 'mmcblk0', label: null, mountpoints: [null], fstype: null, size: 63_864_569_856, rm: false, hotplug: false, tran: null, children: [{ name: 'mmcblk0p1', label: 'SD', mountpoints: ['/media/op/SD'], fstype: 'exfat', size: 63_863_521_280, rm: false, hotplug: false, tran: null }] },
    {
      name: 'sdc', label: null, mountpoints: [null], fstype: null, size: 256_060_514_304, rm: true, hotplug: true, tran: 'usb',
      children: [{ name: 'sdc1', label: null, mountpoints: [null], fstype: 'crypto_LUKS', size: 256_059_465_728, rm: true, hotplug: true, tran: null, children: [{ name: 'luks-1f2e', label: 'SECURE', mountpoints: ['/media/op/SECURE'], fstype: 'ext4', size: 256_042_688_512, rm: false, hotplug: false, tran: null }] }],
    },
    { name: 'sdd', label: null, mountpoints: [null], fstype: null, size: 64_000_000_000, rm: true, hotplug: true, tran: 'usb', children: [{ name: 'sdd1', label: 'LIVE', mountpoints: ['/'], fstype: 'ext4', size: 63_000_000_000, rm: true, hotplug: true, tran: null }, { name: 'sdd2', label: 'DATA', mountpoints: ['/data'], fstype: 'ext4', size: 1_000_000, rm: true, hotplug: true, tran: null }] },
    { name: 'sde', label: null, mountpoints: [null], fstype: null, size: 16_000_000_000, rm: true, hotplug: true, tran: 'usb', children: [{ name: 'sde1', label: 'NOTMOUNTED', mountpoints: [null], fstype: 'vfat', size: 16_000_000_000, rm: true, hotplug: true, tran: null }] },
  ],
});

const PROC_MOUNTS = [
  '/dev/nvme0n1p2 / ext4 rw,relatime 0 0',
  '/dev/sda1 /media/op/AIRLOCK vfat ro,nosuid,nodev,relatime,uid=1000 0 0',
  '/dev/sdb1 /run/media/op/Transfer\\040Disk exfat rw,nosuid 0 0',
  'tmpfs /run tmpfs rw 0 0',
  '',
].join('\n');

describe('parseProcMounts', () => {
  it('reads device, mount point, type and read-only, unescaping octal', () => {
    const mounts = parseProcMounts(PROC_MOUNTS);
    assert.deepEqual(mounts[2], { device: '/dev/sdb1', mountPoint: '/run/media/op/Transfer Disk', fsType: 'exfat', readOnly: false });
    assert.equal(mounts[1]?.readOnly, true);
    assert.equal(unescapeMountField('a\\011b\\134c'), 'a\tb\\c');
  });
});

describe('parseLsblk', () => {
  const mounts: MountEntry[] = parseProcMounts(PROC_MOUNTS);
  const table: ReadonlyArray<readonly [string, string, Map<string, boolean>, ReadonlyArray<Partial<VolumeCandidate>>]> = [
    [
      'util-linux 2.38: only the USB stick, not the system disk, loop devices or the optical drive',
      LSBLK_238,
      new Map(),
      [{ device: '/dev/sda1', disk: '/dev/sda', label: 'AIRLOCK', mountPoint: '/media/op/AIRLOCK', fsType: 'vfat', sizeBytes: 32_014_630_912, readOnly: true, transport: 'usb' }],
    ],
    [
      'util-linux 2.32: string values, hotplug without RM, a label with a space',
      LSBLK_232,
      new Map(),
      [{ device: '/dev/sdb1', disk: '/dev/sdb', label: 'Transfer Disk', mountPoint: '/run/media/op/Transfer Disk', fsType: 'exfat', sizeBytes: 1_000_203_837_440, readOnly: false, transport: 'usb' }],
    ],
    [
      'util-linux 2.39: mountpoints arrays, a card reader /sys calls removable, a LUKS volume; a live USB holding / and unmounted volumes are left out',
      LSBLK_239,
      new Map([['mmcblk0', true]]),
      [
        { device: '/dev/mmcblk0p1', disk: '/dev/mmcblk0', label: 'SD', mountPoint: '/media/op/SD', fsType: 'exfat', transport: '' },
        { device: '/dev/luks-1f2e', disk: '/dev/sdc', label: 'SECURE', mountPoint: '/media/op/SECURE', fsType: 'ext4', transport: 'usb' },
      ],
    ],
    ['nothing removable', JSON.stringify({ blockdevices: [{ name: 'vda', mountpoint: '/', size: 1, rm: false, hotplug: false, tran: null }] }), new Map(), []],
    ['not JSON', 'lsblk: failed to access sysfs directory', new Map(), []],
    ['no blockdevices', '{}', new Map(), []],
  ];
  for (const [name, json, sys, expected] of table) {
    it(name, () => {
      const found = parseLsblk(json, { sysRemovable: sys, mounts });
      assert.equal(found.length, expected.length, JSON.stringify(found));
      expected.forEach((want, i) => {
        for (const [key, value] of Object.entries(want)) assert.equal(found[i]?.[key as keyof VolumeCandidate], value, `${i}.${key}`);
      });
    });
  }

  it('takes the mount point from /proc/mounts when lsblk has none', () => {
    const json = JSON.stringify({ blockdevices: [{ name: 'sdf', rm: true, tran: 'usb', size: 10, children: [{ name: 'sdf1', mountpoint: null, fstype: null, size: 9 }] }] });
    const found = parseLsblk(json, { mounts: [{ device: '/dev/sdf1', mountPoint: '/mnt/usb', fsType: 'ext4', readOnly: false }] });
    assert.deepEqual(found.map((f) => [f.mountPoint, f.fsType]), [['/mnt/usb', 'ext4']]);
  });
});

describe('listLinuxDrives', () => {
  it('adds free and total space from statfs, skipping volumes that vanished', async () => {
    const probe: LinuxProbe = {
      lsblk: async () => LSBLK_239,
      sysRemovable: async () => new Map([['mmcblk0', true]]),
      procMounts: async () => '',
      space: async (mountPoint) => {
        if (mountPoint === '/media/op/SD') throw new Error('ENOENT');
        return { free: 100, total: 200 };
      },
    };
    const drives = await listLinuxDrives(probe);
    assert.deepEqual(drives, [
      { id: '/dev/luks-1f2e', device: '/dev/luks-1f2e', disk: '/dev/sdc', label: 'SECURE', mountPoint: '/media/op/SECURE', fsType: 'ext4', freeBytes: 100, totalBytes: 200, readOnly: false, transport: 'usb' },
    ]);
  });
});
