/**
 * Registry credentials the operator typed into the app. They live only in main (and in the job
 * worker that needs them); the renderer gets CredentialView, never a password. Kept for the session
 * in memory, or across restarts in credentials.json encrypted by a SecretCipher (Electron safeStorage
 * in the app). Without a cipher that really encrypts, nothing is written to disk.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AirlockError } from '../../src/errors';
import type { Credential, CredentialStore } from '../../src/registry/credentials';
import type { CredentialInput, CredentialView } from '../ipc/contract';

export const CREDENTIALS_FILE = 'credentials.json';

/** Encrypts at rest. Electron's safeStorage fits: encryptString / decryptString / isEncryptionAvailable. */
export interface SecretCipher {
  /** False when the platform offers no real encryption (e.g. safeStorage's basic_text backend on Linux). */
  isAvailable(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
}

interface StoredEntry {
  readonly username: string;
  /** base64 of cipher.encrypt(password). */
  readonly secret: string;
}

interface StoredFile {
  readonly version: 1;
  readonly entries: Readonly<Record<string, StoredEntry>>;
}

export function normaliseRegistry(registry: string): string {
  return registry.trim().toLowerCase();
}

export class CredentialVault implements CredentialStore {
  private readonly session = new Map<string, { username: string; password: string }>();

  constructor(
    /** Where credentials.json lives (the current data directory). */
    private readonly dataDir: () => string,
    private readonly cipher: SecretCipher | undefined,
  ) {}

  canPersist(): boolean {
    return this.cipher?.isAvailable() === true;
  }

  private file(): string {
    return join(this.dataDir(), CREDENTIALS_FILE);
  }

  private async readStored(): Promise<StoredFile> {
    const file = this.file();
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, entries: {} };
      throw new AirlockError('CREDENTIALS_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`, { context: { file }, cause: err });
    }
    try {
      const parsed = JSON.parse(text) as StoredFile;
      if (parsed.version !== 1 || typeof parsed.entries !== 'object' || parsed.entries === null) throw new Error('unknown format');
      return parsed;
    } catch (err) {
      throw new AirlockError('CREDENTIALS_INVALID', `${file} is not a credentials file Airlock wrote`, {
        context: { file },
        hint: `remove ${file} and enter the registry credentials again`,
        cause: err,
      });
    }
  }

  private async writeStored(stored: StoredFile): Promise<void> {
    const file = this.file();
    const dir = dirname(file);
    const temp = join(dir, `.credentials.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(stored, null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw new AirlockError('CREDENTIALS_UNWRITABLE', `cannot write ${file}: ${(err as Error).message}`, { context: { file }, cause: err });
    }
  }

  async list(): Promise<readonly CredentialView[]> {
    const stored = await this.readStored();
    const views = new Map<string, CredentialView>();
    for (const [registry, entry] of Object.entries(stored.entries)) views.set(registry, { registry, username: entry.username, persisted: true });
    for (const [registry, entry] of this.session) views.set(registry, { registry, username: entry.username, persisted: views.get(registry)?.persisted ?? false });
    return [...views.values()].sort((a, b) => a.registry.localeCompare(b.registry));
  }

  async save(input: CredentialInput): Promise<CredentialView> {
    const registry = normaliseRegistry(input.registry);
    if (input.persist) {
      if (!this.cipher || !this.canPersist()) {
        throw new AirlockError('CREDENTIALS_NO_ENCRYPTION', 'this system offers no encrypted storage, so the credentials cannot be kept across restarts', {
          context: { registry },
          hint: 'keep them for this session only, or unlock the desktop keyring (GNOME Keyring, KWallet) and restart Airlock',
        });
      }
      const stored = await this.readStored();
      const secret = this.cipher.encrypt(input.password).toString('base64');
      await this.writeStored({ version: 1, entries: { ...stored.entries, [registry]: { username: input.username, secret } } });
    } else {
      // A session-only save replaces what was kept on disk: the operator chose not to keep it.
      await this.removeStored(registry);
    }
    this.session.set(registry, { username: input.username, password: input.password });
    return { registry, username: input.username, persisted: input.persist };
  }

  private async removeStored(registry: string): Promise<boolean> {
    const stored = await this.readStored();
    if (!(registry in stored.entries)) return false;
    const entries = Object.fromEntries(Object.entries(stored.entries).filter(([key]) => key !== registry));
    await this.writeStored({ version: 1, entries });
    return true;
  }

  async forget(registry: string): Promise<boolean> {
    const key = normaliseRegistry(registry);
    const inSession = this.session.delete(key);
    const onDisk = await this.removeStored(key);
    return inSession || onDisk;
  }

  /** The engine's CredentialStore: session first, then the encrypted file. */
  async lookup(registry: string): Promise<Credential | undefined> {
    const key = normaliseRegistry(registry);
    const session = this.session.get(key);
    if (session) return { ...session, source: 'credentials entered in Airlock' };
    const entry = (await this.readStored()).entries[key];
    if (!entry || !this.cipher) return undefined;
    let password: string;
    try {
      password = this.cipher.decrypt(Buffer.from(entry.secret, 'base64'));
    } catch (err) {
      throw new AirlockError('CREDENTIALS_UNREADABLE', `the saved credentials for ${key} cannot be decrypted on this system`, {
        context: { registry: key },
        hint: 'enter them again (they were saved by another user account or keyring)',
        cause: err,
      });
    }
    return { username: entry.username, password, source: 'credentials saved in Airlock' };
  }

  describe(): string {
    return 'credentials saved in Airlock';
  }
}
