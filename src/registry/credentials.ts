import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AirlockError } from '../errors';

/** A username/password for one registry, and where it came from (named in errors; never the secret). */
export interface Credential {
  readonly username: string;
  readonly password: string;
  readonly source: string;
}

/** Finds the credential for a registry (and optionally a repository inside it). */
export interface CredentialStore {
  lookup(registry: string, repository?: string): Promise<Credential | undefined>;
  /** What was searched, for the error an operator sees when nothing matched. */
  describe(): string;
}

/**
 * The auth files containers tools read, in their order: REGISTRY_AUTH_FILE, then
 * ${XDG_RUNTIME_DIR}/containers/auth.json, then Docker's config.json.
 */
export function defaultAuthFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const files: string[] = [];
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) files.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  files.push(join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'), 'config.json'));
  return files;
}

interface AuthEntry {
  readonly username: string;
  readonly password: string;
}

/** `https://index.docker.io/v1/` and `http://host/` keys (Docker's style) mean the bare host. */
function normaliseKey(key: string): string {
  let k = key.trim().replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (k.endsWith('/v1') || k.endsWith('/v2')) k = k.slice(0, -3);
  if (k === 'index.docker.io' || k === 'registry-1.docker.io') k = 'docker.io';
  return k.toLowerCase();
}

function decodeEntry(file: string, key: string, value: unknown): AuthEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.auth === 'string' && v.auth !== '') {
    const decoded = Buffer.from(v.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new AirlockError('AUTHFILE_INVALID', `auth file ${file}: the "auth" value for ${key} is not base64 of user:password`, {
        context: { file, registry: key },
        hint: 'log in again with `podman login` or `docker login`, or fix the entry',
      });
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof v.username === 'string' && typeof v.password === 'string') return { username: v.username, password: v.password };
  return undefined;
}

/** Reads auth.json / config.json files; the first file that has an entry for the registry wins. */
export class AuthFileStore implements CredentialStore {
  private loaded: Promise<Array<{ file: string; entries: Map<string, AuthEntry> }>> | undefined;

  constructor(
    private readonly files: readonly string[],
    /** An explicit --authfile must exist; the defaults may be absent. */
    private readonly required = false,
  ) {}

  describe(): string {
    return this.files.length === 0 ? 'no auth file' : `auth file${this.files.length > 1 ? 's' : ''} ${this.files.join(', ')}`;
  }

  private async load(): Promise<Array<{ file: string; entries: Map<string, AuthEntry> }>> {
    const out: Array<{ file: string; entries: Map<string, AuthEntry> }> = [];
    for (const file of this.files) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !this.required) continue;
        throw new AirlockError('AUTHFILE_UNREADABLE', `cannot read auth file ${file}: ${(err as Error).message}`, {
          context: { file },
          hint: 'check the --authfile path and its permissions',
          cause: err,
        });
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new AirlockError('AUTHFILE_INVALID', `auth file ${file} is not valid JSON: ${(err as Error).message}`, {
          context: { file },
          hint: 'an auth file looks like {"auths": {"registry.example.com": {"auth": "<base64 user:password>"}}}',
        });
      }
      const auths = (json as { auths?: unknown }).auths;
      const entries = new Map<string, AuthEntry>();
      if (typeof auths === 'object' && auths !== null) {
        for (const [key, value] of Object.entries(auths)) {
          const entry = decodeEntry(file, key, value);
          if (entry) entries.set(normaliseKey(key), entry);
        }
      }
      out.push({ file, entries });
    }
    return out;
  }

  async lookup(registry: string, repository?: string): Promise<Credential | undefined> {
    this.loaded ??= this.load();
    const files = await this.loaded;
    // containers-auth.json allows entries per namespace: most specific first.
    const keys: string[] = [];
    if (repository) {
      const parts = repository.split('/');
      for (let n = parts.length; n > 0; n--) keys.push(`${registry}/${parts.slice(0, n).join('/')}`);
    }
    keys.push(registry);
    for (const { file, entries } of files) {
      for (const key of keys) {
        const entry = entries.get(key.toLowerCase());
        if (entry) return { ...entry, source: `auth file ${file} (entry "${key}")` };
      }
    }
    return undefined;
  }
}

/** Credentials given directly (e.g. from the app's credential vault or --creds). */
export class StaticCredentialStore implements CredentialStore {
  constructor(private readonly byRegistry: ReadonlyMap<string, { username: string; password: string }>, private readonly label = 'credentials given to Airlock') {}

  describe(): string {
    return this.label;
  }

  async lookup(registry: string): Promise<Credential | undefined> {
    const c = this.byRegistry.get(registry);
    return c ? { ...c, source: this.label } : undefined;
  }
}

export const NO_CREDENTIALS: CredentialStore = {
  lookup: async () => undefined,
  describe: () => 'no credentials',
};
