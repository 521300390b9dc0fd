import { AirlockError } from '../errors';
import { parseChallenge, type Challenge } from './challenge';
import type { Credential, CredentialStore } from './credentials';

/** What the authenticator needs from the transport to ask a token server (which may be another host). */
export type TokenFetcher = (
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
) => Promise<{ status: number; text: string }>;

interface CachedToken {
  readonly header: string;
  readonly expiresAt: number;
}

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

export function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`;
}

function basicHeader(c: Credential): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/**
 * Authentication against one registry: learns the scheme from the first 401, then sends Basic
 * credentials or a Bearer token fetched for exactly the scopes a request needs, cached per scope
 * set until shortly before it expires.
 */
export class Authenticator {
  private challenge: Challenge | undefined;
  private credential: Promise<Credential | undefined> | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly registry: string,
    private readonly store: CredentialStore,
    private readonly fetchToken: TokenFetcher,
    private readonly now: () => number = Date.now,
  ) {}

  private credentialFor(): Promise<Credential | undefined> {
    this.credential ??= this.store.lookup(this.registry);
    return this.credential;
  }

  /** Who we tried to be, for error messages: never the secret. */
  async identity(): Promise<string> {
    const c = await this.credentialFor();
    return c ? `user "${c.username}" from ${c.source}` : `anonymous access (no credentials for ${this.registry} in ${this.store.describe()})`;
  }

  /** The Authorization header for a request needing these scopes, once the registry asked for auth. */
  async authorization(scopes: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
    const challenge = this.challenge;
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') {
      const c = await this.credentialFor();
      return c ? basicHeader(c) : undefined;
    }
    const key = [...scopes].sort().join(' ');
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.header;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.requestToken(challenge, scopes, signal).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    const token = await pending;
    this.tokens.set(key, token);
    return token.header;
  }

  /**
   * Records the challenge of a 401. Returns true when a retry with (new) authorization can help,
   * false when we already sent what we have and the registry still refused.
   */
  async onUnauthorized(wwwAuthenticate: string | string[] | undefined, sentAuthorization: boolean): Promise<boolean> {
    const challenge = parseChallenge(wwwAuthenticate);
    if (!challenge) return false;
    const known = this.challenge;
    this.challenge = challenge;
    if (!sentAuthorization) return true;
    // A Bearer token may have expired early or been issued for too few scopes: drop the cache once.
    if (challenge.scheme === 'bearer' && known?.scheme === 'bearer' && this.tokens.size > 0) {
      this.tokens.clear();
      return true;
    }
    return false;
  }

  private async requestToken(challenge: Challenge, scopes: readonly string[], signal?: AbortSignal): Promise<CachedToken> {
    const realm = challenge.params.realm;
    if (!realm) {
      throw new AirlockError('REGISTRY_AUTH', `${this.registry} asked for a Bearer token but named no realm`, {
        context: { registry: this.registry },
        hint: 'the registry is misconfigured; its WWW-Authenticate header has no realm',
      });
    }
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new AirlockError('REGISTRY_AUTH', `${this.registry} named an invalid token realm "${realm}"`, { context: { registry: this.registry } });
    }
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    const wanted = scopes.length > 0 ? scopes : challenge.params.scope ? [challenge.params.scope] : [];
    for (const scope of wanted) url.searchParams.append('scope', scope);
    const credential = await this.credentialFor();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (credential) {
      url.searchParams.set('account', credential.username);
      headers.authorization = basicHeader(credential);
    }
    const res = await this.fetchToken(url, headers, signal);
    if (res.status === 401 || res.status === 403) {
      throw new AirlockError(
        'REGISTRY_AUTH',
        `the token server of ${this.registry} (${url.origin}${url.pathname}) refused ${await this.identity()}`,
        {
          context: { registry: this.registry, status: res.status },
          hint: credential ? 'the username or password is wrong or expired: log in again' : `log in to ${this.registry} (podman login) or pass --authfile`,
        },
      );
    }
    if (res.status < 200 || res.status >= 300) {
      throw new AirlockError('REGISTRY_AUTH', `the token server of ${this.registry} answered HTTP ${res.status}`, {
        context: { registry: this.registry, status: res.status, retryable: res.status >= 500 || res.status === 429 },
        hint: 'the token service is failing; try again later',
      });
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(res.text) as typeof body;
    } catch {
      throw new AirlockError('REGISTRY_AUTH', `the token server of ${this.registry} did not answer with JSON`, { context: { registry: this.registry } });
    }
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) throw new AirlockError('REGISTRY_AUTH', `the token server of ${this.registry} answered without a token`, { context: { registry: this.registry } });
    // The spec's default lifetime is 60 s; renew 10 s early so a request never carries a dying token.
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    return { header: `Bearer ${token}`, expiresAt: this.now() + Math.max(lifetime - 10, 1) * 1000 };
  }
}
