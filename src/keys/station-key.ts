import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { chmod, link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AirlockError } from '../errors';
import { syncDir } from '../util/sync-dir';

/** The station's signing key: the transfer sets it exports are signed with it. */
export interface StationKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Where the private key lives, for messages; never the key itself. */
  readonly path: string;
  readonly fingerprint: string;
}

export function keysDir(dataDir: string): string {
  return join(dataDir, 'keys');
}

export function stationKeyPath(dataDir: string): string {
  return join(keysDir(dataDir), 'station.key');
}

/** ed25519 SubjectPublicKeyInfo DER is a fixed 12-byte header followed by the 32-byte key. */
const ED25519_SPKI_HEADER_LENGTH = 12;

/**
 * `SHA256:` + unpadded base64 of the SHA-256 of the raw 32-byte ed25519 public key, in the style of
 * `ssh-keygen -l`. The raw key rather than its SPKI DER so the fingerprint does not depend on how
 * the key happens to be encoded. To compute it by hand from a public key PEM:
 *   openssl pkey -pubin -in station.pem -outform DER | tail -c 32 | openssl dgst -sha256 -binary | base64 | tr -d =
 * A private key is accepted too and fingerprinted by its public half.
 */
export function fingerprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    throw new AirlockError('KEY_INVALID', `cannot fingerprint a ${publicKey.asymmetricKeyType ?? publicKey.type} key: Airlock keys are ed25519`, {
      hint: 'use an ed25519 key, e.g. the one `airlock keys export` prints',
    });
  }
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const raw = der.subarray(ED25519_SPKI_HEADER_LENGTH);
  return `SHA256:${createHash('sha256').update(raw).digest('base64').replace(/=+$/, '')}`;
}

/** The raw 64-byte ed25519 signature of `data`. */
export function sign(key: StationKey, data: Buffer): Buffer {
  // ed25519 hashes internally; node:crypto wants `null` for the digest algorithm.
  return cryptoSign(null, data, key.privateKey);
}

/** The SPKI PEM of the station's public key: what `airlock keys export` prints for the other side to trust. */
export function publicKeyPem(key: StationKey): string {
  return key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

function keyError(code: string, message: string, file: string, hint: string, cause?: unknown): AirlockError {
  return new AirlockError(code, message, { context: { file }, hint, ...(cause === undefined ? {} : { cause }) });
}

function stationKey(privateKey: KeyObject, path: string): StationKey {
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, path, fingerprint: fingerprint(publicKey) };
}

/** Reads an existing key file, refusing it the way ssh does when others may read it. */
async function readKey(file: string): Promise<StationKey | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw keyError('KEY_UNREADABLE', `cannot read the station key ${file}: ${(err as Error).message}`, file, 'check the permissions of the data directory', err);
  }
  try {
    // fstat on the open handle, so the mode checked is the mode of the file actually read.
    const st = await handle.stat();
    if (!st.isFile()) {
      throw keyError('KEY_INVALID', `the station key ${file} is not a regular file`, file, `remove ${file}; Airlock creates a new key on next use`);
    }
    // POSIX modes mean nothing on Windows, where the ACL of the profile directory protects the key.
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
      throw keyError(
        'KEY_PERMISSIONS_TOO_OPEN',
        `the station key ${file} has mode ${mode}: other users may read or change it, so it is not used`,
        file,
        `run: chmod 600 ${file}   (and check nobody else copied it)`,
      );
    }
    const pem = await handle.readFile('utf8');
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({ key: pem, format: 'pem' });
    } catch (err) {
      throw keyError('KEY_INVALID', `the station key ${file} is not a readable PEM private key: ${(err as Error).message}`, file, restoreHint(file), err);
    }
    if (privateKey.asymmetricKeyType !== 'ed25519') {
      throw keyError('KEY_INVALID', `the station key ${file} is a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not ed25519`, file, restoreHint(file));
    }
    return stationKey(privateKey, file);
  } finally {
    await handle.close();
  }
}

function restoreHint(file: string): string {
  return `restore ${file} from a backup, or move it aside to have Airlock create a new key (the enclave must then trust the new public key)`;
}

/**
 * Publishes `temp` as `file` only if `file` does not exist yet. link() fails with EEXIST instead of
 * replacing, which rename() would do silently: when two processes create a key at once, the first
 * link wins and the other process reads the winner's key.
 */
async function publishOnce(temp: string, file: string): Promise<boolean> {
  try {
    await link(temp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Filesystems without hard links: rename is still atomic for readers; the window for two
    // creators to both pass the check is the one remaining race.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') {
      const existing = await open(file, 'r').then(
        (h) => h.close().then(() => true),
        () => false,
      );
      if (existing) return false;
      await rename(temp, file);
      return true;
    }
    throw err;
  }
}


/**
 * The station key at `<dataDir>/keys/station.key` (PKCS#8 PEM, mode 0600, directory 0700), created
 * on first use. An existing key is never replaced.
 */
export async function loadOrCreateStationKey(dataDir: string): Promise<StationKey> {
  const file = stationKeyPath(dataDir);
  const existing = await readKey(file);
  if (existing) return existing;

  const dir = keysDir(dataDir);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask; the key directory must not be listable by others.
    await chmod(dir, 0o700);
  } catch (err) {
    throw keyError('KEY_UNWRITABLE', `cannot create the key directory ${dir}: ${(err as Error).message}`, dir, 'check that the data directory is writable by this user', err);
  }

  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const temp = join(dir, `.station.key.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(pem, 'utf8');
      await handle.chmod(0o600);
      // The key must be on disk before its name is: a crash must not leave an empty station.key.
      await handle.sync();
    } finally {
      await handle.close();
    }
    const won = await publishOnce(temp, file);
    if (won) {
      await syncDir(dir);
      return stationKey(privateKey, file);
    }
  } catch (err) {
    throw keyError('KEY_UNWRITABLE', `cannot write the station key ${file}: ${(err as Error).message}`, file, 'check that the data directory is writable by this user and the disk is not full', err);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  // Another process created the key between our read and our link: use theirs.
  const theirs = await readKey(file);
  if (!theirs) throw keyError('KEY_UNREADABLE', `the station key ${file} vanished while it was being created`, file, 'try again');
  return theirs;
}
