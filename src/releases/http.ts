import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { AirlockError } from '../errors';
import { isRetryableError, isRetryableStatus, isTlsError } from '../registry/errors';
import { DEFAULT_RETRY, defaultSleep, type RetryPolicy } from '../registry/transport';
import { AIRLOCK_VERSION } from '../version';

/**
 * Plain HTTPS GETs to the release services (update graph, signature store, graph-data tarball):
 * the same TLS knobs as the registry client (extra CA files on top of the public roots, verification
 * off only when asked), HTTPS_PROXY/NO_PROXY honoured, retries with backoff for network failures
 * and 408/429/5xx, redirects followed, bodies size-limited. No credentials are ever sent.
 */
export interface HttpOptions {
  /** false accepts any certificate (an enclave service with a self-signed one). */
  readonly tlsVerify?: boolean;
  /** Extra PEM CA files to trust, as --ca-file. */
  readonly caFiles?: readonly string[];
  readonly retry?: RetryPolicy;
  /** Inject a dispatcher (tests); by default one honouring HTTPS_PROXY/NO_PROXY is created. */
  readonly dispatcher?: Dispatcher;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface GetOptions {
  readonly accept?: string;
  readonly signal?: AbortSignal;
  /** Refuse bodies larger than this. */
  readonly maxBytes: number;
  /** Names the thing in errors: `update graph of channel stable-4.19 (amd64)`. */
  readonly what: string;
  /** Statuses that are answers, not failures (e.g. 404 for "no such signature"); 200 always is. */
  readonly answers?: readonly number[];
}

export interface GetResult {
  readonly status: number;
  readonly body: Buffer;
  readonly url: URL;
}

const MAX_REDIRECTS = 5;



/** The host (and scheme) of a URL, for messages: never its query or credentials. */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export class HttpSource {
  readonly retry: RetryPolicy;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: HttpOptions = {}) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.sleep = options.sleep ?? defaultSleep;
    if (options.dispatcher) {
      this.dispatcher = options.dispatcher;
      this.ownsDispatcher = false;
    } else {
      const ca = options.caFiles?.map((f) => readFileSync(f, 'utf8'));
      const tls = { rejectUnauthorized: options.tlsVerify ?? true, ...(ca && ca.length > 0 ? { ca: [...rootCertificates, ...ca] } : {}) };
      this.dispatcher = new EnvHttpProxyAgent({ connect: tls, requestTls: tls, connections: 8, headersTimeout: 120_000, bodyTimeout: 120_000 });
      this.ownsDispatcher = true;
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** GET with retries; the body of any status in `answers` (and 200) is returned, others throw. */
  async get(target: URL, options: GetOptions): Promise<GetResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.getOnce(target, options);
      } catch (err) {
        if (options.signal?.aborted || attempt >= this.retry.times || !isRetryableError(err)) throw err;
        await this.sleep(this.retry.delayMs * 2 ** attempt, options.signal);
      }
    }
  }

  private async getOnce(target: URL, options: GetOptions): Promise<GetResult> {
    let url = target;
    for (let hops = 0; ; hops++) {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          method: 'GET',
          dispatcher: this.dispatcher,
          headers: { 'user-agent': `airlock/${AIRLOCK_VERSION}`, ...(options.accept ? { accept: options.accept } : {}) },
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (err) {
        if (options.signal?.aborted || err instanceof AirlockError) throw err;
        const tls = isTlsError(err);
        throw new AirlockError(tls ? 'RELEASE_SERVICE_TLS' : 'RELEASE_SERVICE_UNREACHABLE', `cannot fetch the ${options.what} from ${describeUrl(url)}: ${(err as Error).message}`, {
          context: { url: describeUrl(url), retryable: !tls && isRetryableError(err) },
          hint: tls
            ? 'the service certificate is not trusted: pass --ca-file with its CA (or turn TLS verification off for it)'
            : 'check the network, proxy settings (HTTPS_PROXY/NO_PROXY) and the service URL',
          cause: err,
        });
      }
      const status = res.statusCode;
      if (status >= 300 && status < 400 && status !== 304) {
        const location = res.headers.location;
        await res.body.dump();
        const next = Array.isArray(location) ? location[0] : location;
        if (!next || hops >= MAX_REDIRECTS) {
          throw new AirlockError('RELEASE_SERVICE_HTTP', `the ${options.what} at ${describeUrl(url)} redirected ${next ? 'too often' : 'without a Location'}`, { context: { url: describeUrl(url), status } });
        }
        url = new URL(next, url);
        continue;
      }
      if (status !== 200 && !(options.answers ?? []).includes(status)) {
        const text = (await res.body.text().catch(() => '')).slice(0, 300).replace(/\s+/g, ' ').trim();
        throw new AirlockError('RELEASE_SERVICE_HTTP', `the ${options.what} at ${describeUrl(url)} answered HTTP ${status}${text ? `: ${text}` : ''}`, {
          context: { url: describeUrl(url), status, retryable: isRetryableStatus(status) },
          hint: status >= 500 || status === 429 ? 'the service had a problem; it was retried; try again later' : 'the service refused the request',
        });
      }
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > options.maxBytes) {
          res.body.destroy();
          throw new AirlockError('RELEASE_SERVICE_TOO_LARGE', `the ${options.what} at ${describeUrl(url)} is larger than ${options.maxBytes} bytes`, {
            context: { url: describeUrl(url) },
            hint: 'the URL does not point at the service Airlock expects',
          });
        }
        chunks.push(chunk);
      }
      return { status, body: Buffer.concat(chunks), url };
    }
  }
}
