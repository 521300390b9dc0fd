/**
 * Removable drives on this platform, a poller that reports when they change, and eject.
 *
 * Linux is implemented (linux.ts, eject.ts). On macOS the same data comes from
 * `diskutil list -plist external physical` and `diskutil info -plist <disk>` (removable, mount point,
 * volume name, free space), and eject is `diskutil eject <disk>`. On Windows it comes from
 * PowerShell's `Get-Volume | Where-Object DriveType -eq 'Removable'` (drive letter, label, file
 * system, size, remaining), and eject is the Shell.Application "Eject" verb on the drive letter.
 * Until those are written, the lister there returns no drives and the operator chooses a folder,
 * which always works.
 */
import { AirlockError } from '../../../src/errors';
import type { Drive } from '../../ipc/contract';
import { ejectLinux, type CommandRunner, type EjectResult } from './eject';
import { listLinuxDrives, type LinuxProbe } from './linux';

export interface DriveService {
  list(): Promise<readonly Drive[]>;
  eject(drive: Drive): Promise<EjectResult>;
}

export function platformDriveService(platform: NodeJS.Platform = process.platform, deps: { probe?: LinuxProbe; run?: CommandRunner } = {}): DriveService {
  if (platform === 'linux') {
    return {
      list: () => listLinuxDrives(deps.probe),
      eject: (drive) => ejectLinux(drive, deps.run),
    };
  }
  return {
    list: async () => [],
    eject: async (drive) => {
      throw new AirlockError('DRIVE_EJECT_UNSUPPORTED', `Airlock cannot eject drives on ${platform} yet`, {
        context: { file: drive.mountPoint },
        hint: platform === 'darwin' ? 'eject it in Finder' : 'use "Safely Remove Hardware" in the taskbar',
      });
    },
  };
}

/** Drives compare equal when only their free space moved by less than a MiB. */
function fingerprintDrives(drives: readonly Drive[]): string {
  return JSON.stringify(drives.map((d) => ({ ...d, freeBytes: Math.floor(d.freeBytes / (1024 * 1024)) })));
}

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const NODE_TIMERS: Timers = {
  setInterval: (fn, ms) => {
    const handle = setInterval(fn, ms);
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/** Polls the drive list and calls onChange when drives come, go or fill up. */
export class DriveWatcher {
  private handle: unknown;
  private last = '';
  private polling = false;
  private latest: readonly Drive[] = [];

  constructor(
    private readonly list: () => Promise<readonly Drive[]>,
    private readonly onChange: (drives: readonly Drive[]) => void,
    private readonly intervalMs = 3000,
    private readonly timers: Timers = NODE_TIMERS,
  ) {}

  current(): readonly Drive[] {
    return this.latest;
  }

  /** One poll now; resolves once it is done. Errors leave the last known list in place. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const drives = await this.list();
      const print = fingerprintDrives(drives);
      this.latest = drives;
      if (print !== this.last) {
        this.last = print;
        this.onChange(drives);
      }
    } catch {
      // Shown when the operator asks (drives:list); the poller just tries again next time.
    } finally {
      this.polling = false;
    }
  }

  start(): void {
    if (this.handle !== undefined) return;
    void this.poll();
    this.handle = this.timers.setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void {
    if (this.handle !== undefined) this.timers.clearInterval(this.handle);
    this.handle = undefined;
  }
}
