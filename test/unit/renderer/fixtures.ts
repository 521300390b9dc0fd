/** Plain data the renderer tests share: a plan, drives, a transfer set, job snapshots. */
import type { Drive, ExportOutcome, ExportPlan, ImportOutcome, JobSnapshot, TransferSetInfo, VerifyOutcome } from '../../../main/ipc/contract';

const GiB = 1024 ** 3;

export const PLAN: ExportPlan = {
  images: [
    { source: 'quay.io/org/app:1', destination: 'org/app:1', status: 'ok', digest: `sha256:${'a'.repeat(64)}`, newSinceLastTransfer: true },
    { source: 'quay.io/org/tool:2', destination: 'org/tool:2', status: 'ok', digest: `sha256:${'b'.repeat(64)}`, newSinceLastTransfer: false },
    { source: 'quay.io/org/gone:3', destination: 'org/gone:3', status: 'failed', error: 'manifest unknown', newSinceLastTransfer: false },
  ],
  blobs: 9,
  totalBytes: 3 * GiB,
  shippedBytes: 3 * GiB,
  archiveSizeBytes: 500 * GiB,
  estimatedParts: 1,
  warnings: ['1 image(s) blocked by mirror.blockedImages'],
  failed: 1,
  lastTransfer: { setId: 'set-before', createdAt: '2025-03-01T12:00:00.000Z' },
};

export function drive(change: Partial<Drive> = {}): Drive {
  return { id: '/dev/sdb1', device: '/dev/sdb1', disk: '/dev/sdb', label: 'AIRLOCK', mountPoint: '/media/op/AIRLOCK', fsType: 'ext4', freeBytes: 20 * GiB, totalBytes: 32 * GiB, readOnly: false, transport: 'usb', ...change };
}

export const OUTCOME: ExportOutcome = {
  setId: '7c9b4561-c325-4256-b5eb-40086bc20214',
  workspace: '/media/op/AIRLOCK',
  images: PLAN.images,
  blobs: 9,
  shippedBlobs: 9,
  totalBytes: 3 * GiB,
  shippedBytes: 3 * GiB,
  parts: 1,
  failed: 1,
  baseSets: [],
  warnings: [],
  readBackVerified: true,
  manifestSha256: 'c'.repeat(64),
  signatureFingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  errorLog: '/media/op/AIRLOCK/working-dir/logs/mirroring_errors.txt',
};

export function transferSet(change: Partial<TransferSetInfo> = {}): TransferSetInfo {
  return {
    dir: '/media/op/AIRLOCK',
    setId: OUTCOME.setId,
    createdAt: '2025-03-01T12:00:00.000Z',
    stationFingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    toolVersion: 'airlock 0.1.0',
    images: 2,
    failedImages: 0,
    parts: 1,
    totalBytes: 3 * GiB,
    baseSets: [],
    complete: true,
    signature: { trusted: true, fingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', label: 'connected station' },
    ...change,
  };
}

export const VERIFIED: VerifyOutcome = {
  ok: true,
  setId: OUTCOME.setId,
  signature: { trusted: true, fingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', label: 'connected station' },
  problems: [],
  bytesVerified: 3 * GiB,
  images: 2,
};

export const DAMAGED: VerifyOutcome = {
  ...VERIFIED,
  ok: false,
  problems: [{ code: 'HASH_MISMATCH', message: 'part mirror_000001.tar is corrupt', file: 'mirror_000001.tar' }],
};

export const IMPORTED: ImportOutcome = {
  setId: OUTCOME.setId,
  registry: 'registry.enclave.example:5000/mirror',
  images: [
    { source: 'quay.io/org/app:1', destination: 'registry.enclave.example:5000/mirror/org/app:1', digest: `sha256:${'a'.repeat(64)}`, status: 'pushed' },
    { source: 'quay.io/org/tool:2', destination: 'registry.enclave.example:5000/mirror/org/tool:2', digest: `sha256:${'b'.repeat(64)}`, status: 'skipped' },
  ],
  bytesPushed: GiB,
  clusterResources: [{ index: 0, name: 'idms-airlock.yaml', path: '/data/imports/x/working-dir/cluster-resources/idms-airlock.yaml' }],
  clusterResourcesDir: '/data/imports/x/working-dir/cluster-resources',
  verify: VERIFIED,
};

export function running(jobId: string, change: Partial<Extract<JobSnapshot, { status: 'running' | 'cancelling' }>> = {}): JobSnapshot {
  return { jobId, kind: 'export', startedAt: '2025-03-01T12:00:00.000Z', status: 'running', images: [], warnings: [], errors: [], ...change };
}
