/** All user-facing text of the shell in one place. */
import type { IpcError } from './api';

export type Section = 'export' | 'import' | 'verify' | 'history' | 'settings';

export const SECTIONS: readonly Section[] = ['export', 'import', 'verify', 'history', 'settings'];

export function sectionTitle(section: Section): string {
  switch (section) {
    case 'export':
      return 'Export';
    case 'import':
      return 'Import';
    case 'verify':
      return 'Verify';
    case 'history':
      return 'History';
    case 'settings':
      return 'Settings';
    default:
      return assertNever(section);
  }
}

export function sectionSummary(section: Section): string {
  switch (section) {
    case 'export':
      return 'Mirror images from registries onto removable media.';
    case 'import':
      return 'Push a transfer set from media into the disconnected registry.';
    case 'verify':
      return 'Check a transfer set on media against its checksums.';
    case 'history':
      return 'Past exports, imports and verifications.';
    case 'settings':
      return 'Registries, credentials and defaults.';
    default:
      return assertNever(section);
  }
}

export function errorText(error: IpcError): string {
  switch (error.code) {
    case 'IPC_UNAVAILABLE':
      return 'Airlock is not connected to its main process.';
    case 'IPC_UNTRUSTED_SENDER':
      return 'This page is not allowed to talk to Airlock.';
    default:
      return error.message;
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
