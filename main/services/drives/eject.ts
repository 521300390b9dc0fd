/**
 * "Eject safely" on Linux: flush the file system, unmount the volume and power the disk off through
 * udisks (no root needed; polkit allows it for the seat's user). Commands go through a runner so
 * tests can script their answers.
 */
import { execFile } from 'node:child_process';
import { AirlockError } from '../../../src/errors';
import type { Drive } from '../../ipc/contract';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command; rejects with an ENOENT error when the program is not installed. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<CommandResult>;

export const nodeCommandRunner: CommandRunner = (command, args) =>
  new Promise((resolve, reject) => {
    execFile(command, [...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(error);
        return;
      }
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });

export interface EjectResult {
  readonly ejected: string;
  readonly poweredOff: boolean;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 300) ?? '';
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

export async function ejectLinux(drive: Drive, run: CommandRunner = nodeCommandRunner): Promise<EjectResult> {
  // 1. Flush: everything Airlock wrote was fsynced already, but other programs may have written too.
  try {
    const synced = await run('sync', ['-f', drive.mountPoint]);
    if (synced.code !== 0) await run('sync', []);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }

  // 2. Unmount.
  let unmount: CommandResult;
  try {
    unmount = await run('udisksctl', ['unmount', '--block-device', drive.device, '--no-user-interaction']);
  } catch (err) {
    if (!isMissing(err)) throw err;
    throw new AirlockError('DRIVE_EJECT_UNAVAILABLE', `udisksctl is not installed, so Airlock cannot unmount ${drive.mountPoint}`, {
      context: { file: drive.mountPoint },
      hint: `everything is written and flushed; unmount the drive with the file manager or \`umount ${drive.mountPoint}\` before unplugging it`,
      cause: err,
    });
  }
  if (unmount.code !== 0) {
    const why = firstLine(unmount.stderr || unmount.stdout);
    const busy = /busy/i.test(why);
    throw new AirlockError(busy ? 'DRIVE_BUSY' : 'DRIVE_EJECT_FAILED', `cannot unmount ${drive.mountPoint}: ${why || `udisksctl exited with ${unmount.code}`}`, {
      context: { file: drive.mountPoint },
      hint: busy ? 'close any window or terminal that has a file on the drive open, then try again' : 'unmount it with the file manager, then unplug it',
    });
  }

  // 3. Power off the whole disk, so its light goes out. Not every device supports it; unmounted is enough.
  let poweredOff = false;
  try {
    poweredOff = (await run('udisksctl', ['power-off', '--block-device', drive.disk, '--no-user-interaction'])).code === 0;
  } catch {
    poweredOff = false;
  }
  return { ejected: drive.device, poweredOff };
}
