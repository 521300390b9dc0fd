import { RegistryClient } from './client';
import type { CredentialStore } from './credentials';
import type { RetryPolicy } from './transport';

export interface ClientPoolOptions {
  /** false turns verification off for every registry of this pool (--src-tls-verify / --dest-tls-verify). */
  readonly tlsVerify?: boolean;
  readonly caFiles?: readonly string[];
  readonly credentials?: CredentialStore;
  readonly retry?: RetryPolicy;
  /** The flag named in TLS hints. */
  readonly tlsFlag?: string;
}

/** One client per registry (and TLS mode), so connections, tokens and scheme detection are shared. */
export class ClientPool {
  private readonly clients = new Map<string, RegistryClient>();

  constructor(private readonly options: ClientPoolOptions = {}) {}

  /** `insecure` (from registries.conf) turns verification off for that registry only. */
  get(registry: string, insecure = false): RegistryClient {
    const tlsVerify = (this.options.tlsVerify ?? true) && !insecure;
    const key = `${registry}|${tlsVerify}`;
    let client = this.clients.get(key);
    if (!client) {
      client = new RegistryClient({
        registry,
        tlsVerify,
        ...(this.options.caFiles ? { caFiles: this.options.caFiles } : {}),
        ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
        ...(this.options.retry ? { retry: this.options.retry } : {}),
        ...(this.options.tlsFlag ? { tlsFlag: this.options.tlsFlag } : {}),
      });
      this.clients.set(key, client);
    }
    return client;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    this.clients.clear();
  }
}
