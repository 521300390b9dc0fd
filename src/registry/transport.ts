import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import { AirlockError } from '../errors';
import { AIRLOCK_VERSION } from '../version';
import { Authenticator } from './auth';
import { NO_CREDENTIALS, type CredentialStore } from './credentials';
import { httpError, isRetryableError, isRetryableStatus, isTlsError, parseErrorBody, tlsError, unreachable } from './errors';

export interface RetryPolicy {
  /** Extra attempts after the first (oc-mirror's --retry-times, default 2). */
  readonly times: number;
  /** Delay before the first retry; doubled each time (oc-mirror's --retry-delay, default 1s). */
  readonly delayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { times: 2, delayMs: 1000 };

export interface TransportOptions {
  /** host[:port] of the registry. */
  readonly registry: string;
  /** false: accept any certificate, and fall back to plain HTTP, as skopeo's --tls-verify=false. */
  readonly tlsVerify?: boolean;
  /** Extra PEM CA files to trust for this registry. */
  readonly caFiles?: readonly string[];
  readonly credentials?: CredentialStore;
  readonly retry?: RetryPolicy;
  /** Concurrent connections per origin. */
  readonly connections?: number;
  /** Inject a dispatcher (tests); by default one honouring HTTPS_PROXY/NO_PROXY is created. */
  readonly dispatcher?: Dispatcher;
  /** The flag an operator would change for TLS problems, named in hints. */
  readonly tlsFlag?: string;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface SendOptions {
  readonly method: Method;
  /** A path under the registry origin (`/v2/...`) or an absolute URL (upload locations). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A buffer, or a factory so a streamed body can be produced again for a retry. */
  readonly body?: Buffer | (() => Readable);
  readonly scopes: readonly string[];
  readonly signal?: AbortSignal;
  /** Statuses handed back to the caller; anything else becomes an error. */
  readonly accept: readonly number[];
  /** Names the thing in errors: "manifest quay.io/foo:1", "blob sha256:…". */
  readonly what: string;
  readonly image?: string;
  /** Follow 3xx (blob downloads may redirect to object storage). */
  readonly followRedirects?: boolean;
  /** Streamed bodies cannot be replayed by the transport; the caller retries whole operations. */
  readonly retry?: boolean;
}

export interface Response {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Dispatcher.ResponseData['body'];
  readonly url: URL;
}




export function header(headers: Response['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function retryAfterMs(headers: Response['headers']): number | undefined {
  const value = header(headers, 'retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/**
 * HTTP to one registry: scheme detection, authentication, retries with backoff, redirects with
 * credentials kept to the registry's own origin. Bodies are never buffered here.
 */
export class RegistryTransport {
  readonly registry: string;
  readonly retry: RetryPolicy;
  readonly auth: Authenticator;
  readonly tlsVerify: boolean;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly tlsFlag: string;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private origin: Promise<string> | undefined;

  constructor(options: TransportOptions) {
    this.registry = options.registry;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.tlsVerify = options.tlsVerify ?? true;
    this.tlsFlag = options.tlsFlag ?? '--tls-verify';
    this.sleep = options.sleep ?? defaultSleep;
    if (options.dispatcher) {
      this.dispatcher = options.dispatcher;
      this.ownsDispatcher = false;
    } else {
      const ca = options.caFiles?.map((f) => readFileSync(f, 'utf8'));
      const tls = {
        rejectUnauthorized: this.tlsVerify,
        // Node replaces its bundled roots when `ca` is given; keep them so public registries still verify.
        ...(ca && ca.length > 0 ? { ca: [...rootCertificates, ...ca] } : {}),
      };
      this.dispatcher = new EnvHttpProxyAgent({
        connect: tls,
        requestTls: tls,
        connections: options.connections ?? 16,
        keepAliveTimeout: 30_000,
        headersTimeout: 120_000,
        bodyTimeout: 120_000,
      });
      this.ownsDispatcher = true;
    }
    this.auth = new Authenticator(this.registry, options.credentials ?? NO_CREDENTIALS, (url, headers, signal) =>
      this.fetchToken(url, headers, signal),
    );
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** https://host, or http://host for a plain-HTTP registry when TLS verification is off. */
  baseUrl(signal?: AbortSignal): Promise<string> {
    this.origin ??= this.detectOrigin(signal).catch((err: unknown) => {
      this.origin = undefined;
      throw err;
    });
    return this.origin;
  }

  private async detectOrigin(signal?: AbortSignal): Promise<string> {
    const https = `https://${this.registry}`;
    if (this.tlsVerify) return https;
    try {
      const res = await request(`${https}/v2/`, { method: 'GET', dispatcher: this.dispatcher, signal, headers: this.baseHeaders() });
      await res.body.dump();
      return https;
    } catch (err) {
      if (signal?.aborted) throw err;
      // skopeo's --tls-verify=false also means "this registry may speak plain HTTP".
      const res = await request(`http://${this.registry}/v2/`, { method: 'GET', dispatcher: this.dispatcher, signal, headers: this.baseHeaders() }).catch(
        (httpErr: unknown) => {
          throw unreachable(this.registry, isTlsError(err) ? httpErr : err);
        },
      );
      await res.body.dump();
      return `http://${this.registry}`;
    }
  }

  private baseHeaders(): Record<string, string> {
    return { 'user-agent': `airlock/${AIRLOCK_VERSION}` };
  }

  private async fetchToken(url: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<{ status: number; text: string }> {
    return this.withRetry(signal, async () => {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, { method: 'GET', dispatcher: this.dispatcher, headers: { ...this.baseHeaders(), ...headers }, signal });
      } catch (err) {
        throw this.networkError(err, signal);
      }
      const text = await res.body.text();
      if (isRetryableStatus(res.statusCode)) {
        throw httpError({ status: res.statusCode, method: 'GET', what: `token from ${url.origin}`, registry: this.registry });
      }
      return { status: res.statusCode, text };
    });
  }

  private networkError(err: unknown, signal?: AbortSignal): unknown {
    if (signal?.aborted || err instanceof AirlockError) return err;
    if (isTlsError(err)) return tlsError(this.registry, err, this.tlsFlag);
    return unreachable(this.registry, err);
  }

  /** Runs fn, retrying retryable failures with exponential backoff (honouring Retry-After). */
  async withRetry<T>(signal: AbortSignal | undefined, fn: (attempt: number) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(attempt);
      } catch (err) {
        if (signal?.aborted || attempt >= this.retry.times || !isRetryableError(err)) throw err;
        const hinted = err instanceof AirlockError ? err.context.retryAfterMs : undefined;
        const backoff = this.retry.delayMs * 2 ** attempt;
        await this.sleep(typeof hinted === 'number' ? Math.min(Math.max(hinted, backoff), 60_000) : backoff, signal);
      }
    }
  }

  /** One request with auth, redirects and (unless streamed) retries. */
  async send(options: SendOptions): Promise<Response> {
    const once = (): Promise<Response> => this.sendOnce(options);
    return options.retry === false || typeof options.body === 'function' ? once() : this.withRetry(options.signal, once);
  }

  private async sendOnce(options: SendOptions): Promise<Response> {
    const base = await this.baseUrl(options.signal);
    let url = new URL(options.path, base);
    const registryOrigin = new URL(base).origin;
    let authRetried = false;
    for (let hops = 0; ; ) {
      const headers: Record<string, string> = { ...this.baseHeaders(), ...options.headers };
      // Credentials go only to the registry's own origin, never to a redirect target.
      const sameOrigin = url.origin === registryOrigin;
      const authorization = sameOrigin ? await this.auth.authorization(options.scopes, options.signal) : undefined;
      if (authorization) headers.authorization = authorization;
      let res: Dispatcher.ResponseData;
      try {
        const body = typeof options.body === 'function' ? options.body() : options.body;
        res = await request(url, {
          method: options.method,
          headers,
          body: body ?? null,
          dispatcher: this.dispatcher,
          signal: options.signal,
        });
      } catch (err) {
        throw this.networkError(err, options.signal);
      }
      const status = res.statusCode;
      if (status === 401 && sameOrigin && !authRetried) {
        await res.body.dump();
        authRetried = true;
        if (await this.auth.onUnauthorized(res.headers['www-authenticate'], authorization !== undefined)) continue;
        throw await this.unauthorized(options, status);
      }
      if ((status === 401 || status === 403) && !options.accept.includes(status)) {
        await res.body.dump();
        throw await this.unauthorized(options, status);
      }
      if (options.followRedirects && status >= 300 && status < 400 && status !== 304) {
        const location = header(res.headers, 'location');
        await res.body.dump();
        if (!location || ++hops > 5) {
          throw httpError({ status, method: options.method, what: options.what, registry: this.registry, ...(options.image ? { image: options.image } : {}) });
        }
        url = new URL(location, url);
        continue;
      }
      if (!options.accept.includes(status)) {
        const text = options.method === 'HEAD' ? '' : await res.body.text().catch(() => '');
        const detail = parseErrorBody(text);
        const after = retryAfterMs(res.headers);
        throw httpError({
          status,
          method: options.method,
          what: options.what,
          registry: this.registry,
          ...(options.image ? { image: options.image } : {}),
          ...(detail ? { detail } : {}),
          ...(after === undefined ? {} : { retryAfterMs: after }),
        });
      }
      return { status, headers: res.headers, body: res.body, url };
    }
  }

  private async unauthorized(options: SendOptions, status: number): Promise<AirlockError> {
    const who = await this.auth.identity();
    const denied = status === 403;
    return new AirlockError(
      'REGISTRY_AUTH',
      `${this.registry} ${denied ? 'denied' : 'refused'} ${options.method} ${options.what} for ${who}`,
      {
        context: { registry: this.registry, status, ...(options.image ? { image: options.image } : {}) },
        hint: denied
          ? 'the credentials are valid but lack permission for this repository (push needs write access)'
          : 'log in again (podman login / docker login) or pass --authfile with valid credentials',
      },
    );
  }
}
