import { AirlockError, type ErrorContext } from '../errors';

/** The first entry of an OCI distribution error body, when the registry sent one. */
export interface RegistryErrorDetail {
  readonly code: string;
  readonly message: string;
}

export function parseErrorBody(text: string): RegistryErrorDetail | undefined {
  try {
    const body = JSON.parse(text) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    const first = body.errors?.[0];
    if (first && typeof first.code === 'string') {
      return { code: first.code, message: typeof first.message === 'string' ? first.message : '' };
    }
  } catch {
    // Not JSON: proxies and load balancers answer in HTML; the status says enough.
  }
  return undefined;
}

export interface HttpFailure {
  readonly status: number;
  readonly method: string;
  readonly what: string;
  readonly registry: string;
  readonly image?: string;
  readonly detail?: RegistryErrorDetail;
  readonly retryAfterMs?: number;
}

/** A registry answered with a status we did not expect. Retryable ones carry `retryable: true`. */
export function httpError(f: HttpFailure): AirlockError {
  const context: ErrorContext = {
    registry: f.registry,
    status: f.status,
    ...(f.image === undefined ? {} : { image: f.image }),
    ...(f.detail === undefined ? {} : { registryCode: f.detail.code }),
    retryable: isRetryableStatus(f.status),
    ...(f.retryAfterMs === undefined ? {} : { retryAfterMs: f.retryAfterMs }),
  };
  const detail = f.detail ? ` (${f.detail.code}${f.detail.message ? `: ${f.detail.message}` : ''})` : '';
  if (f.status === 404) {
    return new AirlockError('REGISTRY_NOT_FOUND', `${f.what} not found on ${f.registry}${detail}`, {
      context,
      hint: 'check the image name, tag or digest, and that the repository exists on that registry',
    });
  }
  if (f.status === 429) {
    return new AirlockError('REGISTRY_RATE_LIMITED', `${f.registry} is rate limiting ${f.method} ${f.what}${detail}`, {
      context,
      hint: 'wait and retry, lower --parallel-images/--parallel-layers, or authenticate to get a higher limit',
    });
  }
  return new AirlockError('REGISTRY_HTTP', `${f.method} ${f.what} on ${f.registry} failed with HTTP ${f.status}${detail}`, {
    context,
    hint: f.status >= 500 ? 'the registry had a server error; it was retried; try again later' : 'the registry refused the request',
  });
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_REQ_RETRY',
]);

/** Network failures worth another attempt: resets, refused connections, time-outs. */
export function isRetryableError(err: unknown): boolean {
  if (err instanceof AirlockError) return err.context.retryable === true;
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && RETRYABLE_CODES.has(code)) return true;
    if (e.message === 'terminated' || e.message === 'other side closed') return true;
    e = e.cause;
  }
  return false;
}

export function unreachable(registry: string, cause: unknown, hint?: string): AirlockError {
  const why = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
  return new AirlockError('REGISTRY_UNREACHABLE', `cannot reach registry ${registry}: ${why}`, {
    context: { registry, retryable: isRetryableError(cause) },
    hint: hint ?? 'check the host and port, the network path and any HTTPS_PROXY/NO_PROXY settings',
    cause,
  });
}

export function tlsError(registry: string, cause: unknown, sideFlag: string): AirlockError {
  const why = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
  return new AirlockError('REGISTRY_TLS', `TLS connection to ${registry} failed: ${why}`, {
    context: { registry },
    hint: `trust the registry's CA (--cert-dir/--ca-file), or pass ${sideFlag}=false for a registry you know to be self-signed or plain HTTP`,
    cause,
  });
}

const TLS_ERROR_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** The most specific error code in a chain of causes (undici wraps the socket's error). */
export function networkErrorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && code !== 'UND_ERR_SOCKET' && code !== 'UND_ERR_CONNECT') return code;
    e = e.cause;
  }
  return undefined;
}

/** Certificate and handshake failures: the operator fixes these with a CA or a TLS flag, not a retry. */
export function isTlsError(err: unknown): boolean {
  const code = networkErrorCode(err);
  return code !== undefined && (TLS_ERROR_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.includes('CERT'));
}
