import { InvalidArgumentError } from 'commander';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const SIZE = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?$/i;

/** `1s`, `500ms`, `2m`, `1h` (a bare number is seconds, as oc-mirror's flags take Go durations). */
export function parseDuration(value: string): number {
  const m = DURATION.exec(value.trim());
  if (!m?.[1]) throw new InvalidArgumentError(`"${value}" is not a duration (e.g. 500ms, 1s, 2m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h']);
}

/** `700M`, `4G`, `4GiB`, `1048576`: binary units, as archiveSize's GiB. */
export function parseSize(value: string): number {
  const m = SIZE.exec(value.trim());
  if (!m?.[1]) throw new InvalidArgumentError(`"${value}" is not a size (e.g. 700M, 4G)`);
  const unit = (m[2] ?? 'B').toUpperCase().charAt(0);
  const factor = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[unit as 'B' | 'K' | 'M' | 'G' | 'T'];
  const bytes = Math.floor(Number(m[1]) * factor);
  if (bytes < 1024 * 1024) throw new InvalidArgumentError(`"${value}" is smaller than the 1 MiB an archive part needs at least`);
  return bytes;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  return n;
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`"${value}" is not a whole number`);
  return n;
}

/** `yyyy-mm-dd`, as oc-mirror's --since. */
export function parseDate(value: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a date in yyyy-mm-dd form`);
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) throw new InvalidArgumentError(`"${value}" is not a valid date`);
  return d;
}

/** `true`/`false` for the --*-tls-verify flags, which take a value as in oc-mirror and skopeo. */
export function parseBool(value: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new InvalidArgumentError(`"${value}" is not true or false`);
}

export type Location = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'docker'; readonly reference: string };

/** `file://<dir>` or `docker://<registry>[/<prefix>]`, the destinations oc-mirror takes. */
export function parseLocation(value: string): Location {
  if (value.startsWith('file://')) {
    const path = value.slice('file://'.length);
    if (path === '') throw new InvalidArgumentError('file:// needs a directory, e.g. file:///mnt/usb/airlock');
    return { kind: 'file', path };
  }
  if (value.startsWith('docker://')) {
    const reference = value.slice('docker://'.length).replace(/\/+$/, '');
    if (reference === '') throw new InvalidArgumentError('docker:// needs a registry, e.g. docker://registry.enclave.example:5000/mirror');
    return { kind: 'docker', reference };
  }
  throw new InvalidArgumentError(`"${value}" must start with file:// (a directory) or docker:// (a registry)`);
}
