import { createPublicKey, randomBytes, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { chmod, mkdir, open, readdir, rename, stat, unlink, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AirlockError } from '../errors';
import { fingerprint, keysDir } from './station-key';

/** A public key this station accepts signatures from. */
export interface TrustedKey {
  readonly fingerprint: string;
  /** What the operator called it when trusting it ("connected station, building 4"); may be empty. */
  readonly label: string;
  /** ISO-8601 UTC. */
  readonly addedAt: string;
  readonly path: string;
}

export type UntrustedReason =
  /** The signature is not 64 bytes, so no ed25519 key could have made it. */
  | 'malformed-signature'
  /** This station trusts no key yet. */
  | 'no-trusted-keys'
  /** No trusted key made the signature (or the key it names is not trusted). */
  | 'unknown-signer'
  /** The trusted key the set names did not make this signature: the data or signature was changed. */
  | 'bad-signature';

export type VerifyResult =
  | { readonly trusted: true; readonly fingerprint: string; readonly label: string }
  | { readonly trusted: false; readonly reason: UntrustedReason; readonly message: string };

const ED25519_SIGNATURE_LENGTH = 64;
const MAX_LABEL_LENGTH = 200;

export function trustedDir(dataDir: string): string {
  return join(keysDir(dataDir), 'trusted');
}

/**
 * `SHA256:<base64>` names the file as hex: base64 is case-sensitive and the data directory may be on
 * a case-insensitive file system (macOS, Windows), where two fingerprints would share one name.
 */
function fileNameFor(fp: string): string {
  return `sha256-${Buffer.from(fp.slice('SHA256:'.length), 'base64').toString('hex')}.pem`;
}

function normaliseFingerprint(fp: string): string {
  const trimmed = fp.trim();
  return /^sha256:/i.test(trimmed) ? `SHA256:${trimmed.slice('SHA256:'.length)}` : `SHA256:${trimmed}`;
}

function invalidKey(message: string, hint: string, context: { file?: string } = {}, cause?: unknown): AirlockError {
  return new AirlockError('KEY_INVALID', message, { context, hint, ...(cause === undefined ? {} : { cause }) });
}

const EXPORT_HINT = 'on the exporting station run `airlock keys export` and trust exactly what it prints';

/** Checks that `pemText` holds exactly one ed25519 SPKI public key and returns it. */
export function parsePublicKeyPem(pemText: string, file?: string): KeyObject {
  const context = file === undefined ? {} : { file };
  const where = file === undefined ? 'the key' : file;
  const blocks = [...pemText.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)];
  if (blocks.length === 0) throw invalidKey(`${where} is not a PEM public key (no -----BEGIN PUBLIC KEY----- block)`, EXPORT_HINT, context);
  if (blocks.length > 1) throw invalidKey(`${where} holds ${blocks.length} PEM blocks; trust one key at a time`, EXPORT_HINT, context);
  const [block, type] = blocks[0] as RegExpMatchArray;
  // createPublicKey would happily derive a public key from a private key or a certificate; a private
  // key pasted here means it has already left its station, which the operator needs to hear.
  if (type?.includes('PRIVATE KEY')) {
    throw invalidKey(`${where} is a private key, not a public key`, 'never copy a station\'s private key; treat this one as exposed, and trust the output of `airlock keys export` instead', context);
  }
  if (type !== 'PUBLIC KEY') throw invalidKey(`${where} is a PEM ${type ?? ''} block, not a PUBLIC KEY`, EXPORT_HINT, context);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: block, format: 'pem' });
  } catch (err) {
    throw invalidKey(`${where} is not a valid public key: ${(err as Error).message}`, EXPORT_HINT, context, err);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw invalidKey(`${where} is ${key.asymmetricKeyType === undefined ? 'not an ed25519 key' : `an ${key.asymmetricKeyType} key`}; Airlock signs with ed25519 only`, EXPORT_HINT, context);
  }
  return key;
}

function cleanLabel(label: string): string {
  // The label goes into a header line of the PEM file: one line, no control characters.
  return label.replace(/[\p{Cc}\p{Cf}\s]+/gu, ' ').trim().slice(0, MAX_LABEL_LENGTH);
}

/**
 * The file is the PEM block preceded by RFC 7468 explanatory text ("label: ..." and "added: ..."
 * lines), so that one file holds key and metadata, openssl still reads it, and an operator can drop a
 * bare .pem into the directory by hand.
 */
function renderTrustFile(key: KeyObject, label: string, addedAt: string): string {
  const pem = key.export({ type: 'spki', format: 'pem' }).toString();
  return `Airlock trusted key\nlabel: ${label}\nadded: ${addedAt}\n${pem}`;
}

interface LoadedKey extends TrustedKey {
  readonly key: KeyObject;
}

async function loadTrustFile(path: string): Promise<LoadedKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AirlockError('KEY_TRUST_UNREADABLE', `cannot read the trusted key ${path}: ${(err as Error).message}`, {
      context: { file: path },
      hint: 'check the permissions of the data directory',
      cause: err,
    });
  }
  let key: KeyObject;
  try {
    key = parsePublicKeyPem(text, path);
  } catch (err) {
    // A damaged trust store must stop verification loudly, not shrink silently.
    throw new AirlockError('KEY_TRUST_INVALID', `the trusted key file ${path} is invalid: ${(err as Error).message}`, {
      context: { file: path },
      hint: `remove ${path} and trust the key again`,
      cause: err,
    });
  }
  const header = text.slice(0, text.indexOf('-----BEGIN'));
  const field = (name: string): string | undefined => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(header)?.[1]?.trim();
  const added = field('added');
  const addedAt = added !== undefined && !Number.isNaN(Date.parse(added)) ? new Date(added).toISOString() : (await stat(path)).mtime.toISOString();
  return { fingerprint: fingerprint(key), label: field('label') ?? '', addedAt, path, key };
}

async function loadAll(dataDir: string): Promise<LoadedKey[]> {
  const dir = trustedDir(dataDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new AirlockError('KEY_TRUST_UNREADABLE', `cannot list the trusted keys in ${dir}: ${(err as Error).message}`, {
      context: { file: dir },
      hint: 'check the permissions of the data directory',
      cause: err,
    });
  }
  // Dot files are our own temporaries from an interrupted write.
  const files = names.filter((n) => n.endsWith('.pem') && !n.startsWith('.')).sort();
  const keys = await Promise.all(files.map((n) => loadTrustFile(join(dir, n))));
  return keys.sort((a, b) => a.addedAt.localeCompare(b.addedAt) || a.fingerprint.localeCompare(b.fingerprint));
}

function publicView(k: LoadedKey): TrustedKey {
  return { fingerprint: k.fingerprint, label: k.label, addedAt: k.addedAt, path: k.path };
}

async function writeAtomically(path: string, dir: string, text: string): Promise<void> {
  const temp = join(dir, `.trust.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new AirlockError('KEY_TRUST_UNWRITABLE', `cannot write the trusted key ${path}: ${(err as Error).message}`, {
      context: { file: path },
      hint: 'check that the data directory is writable by this user',
      cause: err,
    });
  }
}

/** All trusted keys, oldest first. */
export async function listTrusted(dataDir: string): Promise<readonly TrustedKey[]> {
  return (await loadAll(dataDir)).map(publicView);
}

/**
 * Adds an ed25519 public key (SPKI PEM, as `airlock keys export` prints it) to the trust store.
 * Trusting a key that is already trusted keeps its date and only updates the label, if one is given.
 */
export async function trustKey(dataDir: string, pemText: string, label?: string): Promise<TrustedKey> {
  const key = parsePublicKeyPem(pemText);
  const fp = fingerprint(key);
  const existing = (await loadAll(dataDir)).find((k) => k.fingerprint === fp);
  const newLabel = label === undefined ? undefined : cleanLabel(label);
  if (existing && (newLabel === undefined || newLabel === existing.label)) return publicView(existing);

  const dir = trustedDir(dataDir);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(keysDir(dataDir), 0o700);
  } catch (err) {
    throw new AirlockError('KEY_TRUST_UNWRITABLE', `cannot create the trust store ${dir}: ${(err as Error).message}`, {
      context: { file: dir },
      hint: 'check that the data directory is writable by this user',
      cause: err,
    });
  }
  const path = existing?.path ?? join(dir, fileNameFor(fp));
  const addedAt = existing?.addedAt ?? new Date().toISOString();
  const finalLabel = newLabel ?? '';
  await writeAtomically(path, dir, renderTrustFile(key, finalLabel, addedAt));
  return { fingerprint: fp, label: finalLabel, addedAt, path };
}

/** Stops trusting the key with this fingerprint (`SHA256:` optional); returns what was removed. */
export async function untrustKey(dataDir: string, keyFingerprint: string): Promise<TrustedKey> {
  const fp = normaliseFingerprint(keyFingerprint);
  const found = (await loadAll(dataDir)).filter((k) => k.fingerprint === fp);
  if (found.length === 0) {
    throw new AirlockError('KEY_NOT_TRUSTED', `no trusted key has the fingerprint ${fp}`, {
      context: { file: trustedDir(dataDir), fingerprint: fp },
      hint: 'list the trusted keys with `airlock keys list`',
    });
  }
  // A key dropped in by hand under another name may sit beside ours: remove every copy.
  for (const k of found) {
    try {
      await unlink(k.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new AirlockError('KEY_TRUST_UNWRITABLE', `cannot remove the trusted key ${k.path}: ${(err as Error).message}`, {
        context: { file: k.path },
        hint: 'check that the data directory is writable by this user',
        cause: err,
      });
    }
  }
  return publicView(found[0] as LoadedKey);
}

/**
 * Checks an ed25519 signature against the trust store. When the signed data names its signer
 * (`options.fingerprint`, e.g. from the transfer-set manifest), only that key is tried, so the answer
 * can tell "signed by a stranger" from "changed after signing".
 */
export async function verifySignature(
  dataDir: string,
  data: Buffer,
  signature: Buffer,
  options: { readonly fingerprint?: string } = {},
): Promise<VerifyResult> {
  if (signature.length !== ED25519_SIGNATURE_LENGTH) {
    return { trusted: false, reason: 'malformed-signature', message: `the signature is ${signature.length} bytes; an ed25519 signature is ${ED25519_SIGNATURE_LENGTH}` };
  }
  const keys = await loadAll(dataDir);
  if (keys.length === 0) {
    return { trusted: false, reason: 'no-trusted-keys', message: 'this station trusts no signing key yet; trust the exporting station\'s key with `airlock keys trust`' };
  }
  if (options.fingerprint !== undefined) {
    const fp = normaliseFingerprint(options.fingerprint);
    const key = keys.find((k) => k.fingerprint === fp);
    if (!key) return { trusted: false, reason: 'unknown-signer', message: `signed by key ${fp}, which this station does not trust` };
    if (!cryptoVerify(null, data, key.key, signature)) {
      return { trusted: false, reason: 'bad-signature', message: `the signature does not match trusted key ${fp}${key.label ? ` (${key.label})` : ''}: the signed data or the signature was changed` };
    }
    return { trusted: true, fingerprint: fp, label: key.label };
  }
  for (const key of keys) {
    if (cryptoVerify(null, data, key.key, signature)) return { trusted: true, fingerprint: key.fingerprint, label: key.label };
  }
  return { trusted: false, reason: 'unknown-signer', message: `the signature matches none of the ${keys.length} trusted key${keys.length === 1 ? '' : 's'}` };
}
