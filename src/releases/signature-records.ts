import type { Architecture } from '../config/types';
import { AirlockError } from '../errors';

/**
 * Release signature records: the form verified release signatures travel in inside a transfer set
 * (transfer.json `releaseSignatures`), and their strict reader. Kept apart from signatures.ts so
 * that reading a transfer set does not load the OpenPGP library.
 */

/** Signatures are tried as signature-1, signature-2, ... until the store has no more, at most this many. */
export const MAX_SIGNATURES_PER_RELEASE = 16;
/** A signature is under a kilobyte; a store answering more is not a signature store. */
export const MAX_SIGNATURE_BYTES = 64 * 1024;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How verified signatures travel in a transfer set (e.g. a `releaseSignatures` list in
 * transfer.json, which the station signature covers) and are read back, strictly, on import.
 */
export interface ReleaseSignatureRecord {
  readonly version: string;
  readonly arch: Architecture;
  readonly digest: string;
  readonly signatures: ReadonlyArray<{ readonly index: number; readonly data: string }>;
}

const ARCHS: readonly string[] = ['amd64', 'arm64', 'ppc64le', 's390x', 'multi'];
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Validates records read from media; throws RELEASE_SIGNATURE_RECORD_INVALID naming the first problem. */
export function parseSignatureRecords(value: unknown, where: string): ReleaseSignatureRecord[] {
  const bad = (path: string, why: string): AirlockError =>
    new AirlockError('RELEASE_SIGNATURE_RECORD_INVALID', `${where}: ${path} ${why}`, { context: { file: where }, hint: 'the transfer set was altered or written by an incompatible Airlock' });
  if (!Array.isArray(value)) throw bad('releaseSignatures', 'is not a list');
  return value.map((raw, i): ReleaseSignatureRecord => {
    const path = `releaseSignatures[${i}]`;
    if (!isObject(raw)) throw bad(path, 'is not an object');
    for (const key of Object.keys(raw)) if (!['version', 'arch', 'digest', 'signatures'].includes(key)) throw bad(path, `has an unknown field "${key}"`);
    if (typeof raw.version !== 'string' || raw.version === '' || raw.version.length > 128) throw bad(`${path}.version`, 'is not a version');
    if (typeof raw.arch !== 'string' || !ARCHS.includes(raw.arch)) throw bad(`${path}.arch`, 'is not an architecture');
    if (typeof raw.digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(raw.digest)) throw bad(`${path}.digest`, 'is not a sha256 digest');
    if (!Array.isArray(raw.signatures) || raw.signatures.length === 0) throw bad(`${path}.signatures`, 'is not a non-empty list');
    const signatures = raw.signatures.map((s, j) => {
      const p = `${path}.signatures[${j}]`;
      if (!isObject(s) || Object.keys(s).some((k) => k !== 'index' && k !== 'data')) throw bad(p, 'is not {index, data}');
      if (typeof s.index !== 'number' || !Number.isSafeInteger(s.index) || s.index < 1 || s.index > MAX_SIGNATURES_PER_RELEASE) throw bad(`${p}.index`, 'is not a signature number');
      if (typeof s.data !== 'string' || s.data === '' || s.data.length > (MAX_SIGNATURE_BYTES * 4) / 3 + 4 || !BASE64.test(s.data)) throw bad(`${p}.data`, 'is not base64 signature data');
      return { index: s.index, data: s.data };
    });
    if (new Set(signatures.map((s) => s.index)).size !== signatures.length) throw bad(`${path}.signatures`, 'repeats a signature number');
    return { version: raw.version, arch: raw.arch as Architecture, digest: raw.digest, signatures };
  });
}
