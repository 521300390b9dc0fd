import { setMaxListeners } from 'node:events';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { verifyTransferSet, type VerifyProblem, type VerifyProblemCode, type TransferManifest } from '../media';
import { verifySignature } from '../keys';
import { openHistory } from '../store';
import { historyFile } from '../paths';
import type { EventSink } from './events';

export interface VerifyJobOptions {
  /** The transfer set directory (`file://<dir>`). */
  readonly dir: string;
  readonly dataDir: string;
  /** Stream every blob through its digest (default); false checks sizes and part hashes only. */
  readonly deep?: boolean;
  /** Go on with an unsigned set or one signed by an unknown key. Recorded in the history. */
  readonly insecureAcceptUntrusted?: boolean;
  readonly operator?: string;
  /** Record the verification in the history (the import job records its own event instead). */
  readonly record?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: EventSink;
}

export interface SignatureStatus {
  readonly trusted: boolean;
  readonly fingerprint?: string;
  readonly label?: string;
  readonly reason?: string;
}

export type JobProblem = Omit<VerifyProblem, 'code'> & { readonly code: VerifyProblemCode | 'SIGNATURE_UNTRUSTED' };

export interface VerifyJobReport {
  readonly ok: boolean;
  readonly setId?: string;
  readonly signature: SignatureStatus;
  /** The operator accepted an untrusted or unsigned set. */
  readonly insecureAccepted: boolean;
  readonly problems: readonly JobProblem[];
  readonly bytesVerified: number;
  readonly images: number;
  /** The validated transfer.json, present when the set is intact. */
  readonly manifest?: TransferManifest;
}

export function currentOperator(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * Proves a transfer set intact and authentic: every file against SHA256SUMS and transfer.json,
 * every blob's digest (deep), and transfer.json's signature against the keys this station trusts.
 * Problems are reported, not thrown: the caller (CLI, app, import) decides what to do.
 */
export async function runVerify(options: VerifyJobOptions): Promise<VerifyJobReport> {
  const dir = resolve(options.dir);
  const emit = options.onEvent ?? (() => undefined);
  if (options.signal) setMaxListeners(0, options.signal);
  const startedAt = new Date();
  let total = 0;
  const report = await verifyTransferSet(dir, {
    deep: options.deep ?? true,
    // Each byte is read once: from the drive itself, not through (and out of) the page cache.
    direct: true,
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (p) => {
      if (p.type === 'start') {
        total = p.totalBytes;
        emit({ type: 'phase', phase: 'verify', total });
      } else if (p.type === 'bytes') {
        emit({ type: 'progress', phase: 'verify', done: p.bytesVerified, total: p.totalBytes });
      }
    },
  });
  const problems: JobProblem[] = [...report.problems];
  let signature: SignatureStatus = { trusted: false, reason: 'the set has no readable signature' };
  let tampered = false;
  if (report.manifestBytes && report.signature) {
    const result = await verifySignature(options.dataDir, report.manifestBytes, report.signature, report.manifest ? { fingerprint: report.manifest.stationKeyFingerprint } : {});
    tampered = !result.trusted && result.reason === 'bad-signature';
    signature = result.trusted
      ? { trusted: true, fingerprint: result.fingerprint, ...(result.label ? { label: result.label } : {}) }
      : { trusted: false, ...(report.manifest ? { fingerprint: report.manifest.stationKeyFingerprint } : {}), reason: result.message };
  }
  // A trusted key whose signature does not match means transfer.json changed after signing: that is
  // tampering, which no flag waives. Unsigned sets and unknown keys may be accepted on purpose.
  const insecureAccepted = !signature.trusted && !tampered && (options.insecureAcceptUntrusted ?? false);
  if (!signature.trusted && !insecureAccepted) {
    // A bad signature over an intact set is tampering or a stranger's set: never importable without consent.
    problems.push({
      code: 'SIGNATURE_UNTRUSTED',
      message: `transfer.json is not signed by a trusted station: ${signature.reason ?? 'unknown reason'}`,
      file: 'transfer.json.sig',
    });
  }
  // Only the codes about a missing or malformed signature may be waived by the operator.
  const waivable = new Set<JobProblem['code']>(['SIGNATURE_MISSING', 'SIGNATURE_INVALID']);
  const blocking = problems.filter((p) => !(insecureAccepted && waivable.has(p.code)));
  const out: VerifyJobReport = {
    ok: blocking.length === 0,
    ...(report.manifest ? { setId: report.manifest.setId } : {}),
    signature,
    insecureAccepted,
    problems: blocking,
    bytesVerified: report.bytesVerified,
    images: report.manifest?.images.filter((i) => i.status === 'ok').length ?? 0,
    ...(report.manifest && blocking.length === 0 ? { manifest: report.manifest } : {}),
  };
  if (options.record ?? true) {
    const history = openHistory(historyFile(options.dataDir));
    try {
      history.recordEvent({
        kind: 'verify',
        setId: report.manifest?.setId ?? 'unknown',
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        operator: options.operator ?? currentOperator(),
        host: hostname(),
        result: out.ok ? 'ok' : 'failed',
        details: { dir, deep: options.deep ?? true, signature, problems: blocking.slice(0, 100), bytesVerified: report.bytesVerified },
        insecureAccepted,
      });
    } finally {
      history.close();
    }
  }
  return out;
}
