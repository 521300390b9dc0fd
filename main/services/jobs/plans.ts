/**
 * Turns a renderer's job request into a worker spec (checked paths, settings, credentials) and an
 * engine report into the outcome the renderer shows. The request was validated for shape by
 * main/ipc/validate.ts; here its paths are checked against the file system.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AirlockError } from '../../../src/errors';
import { parseConfig } from '../../../src/config';
import { formatReference } from '../../../src/reference';
import type { ExportReport } from '../../../src/jobs/export';
import type {
  ClusterResourceFile,
  ExportOutcome,
  ExportPlan,
  ExportPlanRequest,
  ExportRequest,
  ImportOutcome,
  ImportRequest,
  JobOutcome,
  PlanImage,
  Settings,
  VerifyOutcome,
  VerifyRequest,
} from '../../ipc/contract';
import { withHistory } from '../history-view';
import type { EngineReport, ImportReport, PlainCredential, VerifyJobReport } from './engine';
import type { JobPlan } from './runner';
import { signatureSettings } from './signature-settings';

const GiB = 1024 ** 3;

export interface PlanContext {
  readonly settings: Settings;
  readonly operator: string;
  /** The saved credential for a registry host, if any (main only; goes to the worker, never the renderer). */
  readonly credentialFor: (registry: string) => Promise<PlainCredential | undefined>;
}

async function requireDir(path: string, code: string, what: string): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isDirectory()) {
    throw new AirlockError(code, `${what} ${path} is not a folder that exists`, { context: { file: path }, hint: 'choose the folder again; the drive may have been unplugged' });
  }
}

async function requireFile(path: string, code: string, what: string): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) throw new AirlockError(code, `${what} ${path} is not a file that exists`, { context: { file: path } });
}

/** What every engine job takes from the station's settings and its operator. */
function stationOptions(ctx: PlanContext): { dataDir: string; parallelImages: number; parallelLayers: number; retry: { times: number; delayMs: number }; operator: string } {
  const { settings } = ctx;
  return {
    dataDir: settings.dataDir,
    parallelImages: settings.parallelImages,
    parallelLayers: settings.parallelLayers,
    retry: { times: settings.retryTimes, delayMs: settings.retryDelayMs },
    operator: ctx.operator,
  };
}

async function saveConfig(dir: string, name: string, yaml: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, basename(name));
  await writeFile(file, yaml, { mode: 0o600 });
  return file;
}

function planImages(report: ExportReport, previous: ReadonlySet<string> | undefined): PlanImage[] {
  return report.images.map((i) => ({
    source: i.source,
    destination: i.destination,
    status: i.status,
    ...(i.digest === undefined ? {} : { digest: i.digest }),
    ...(i.error === undefined ? {} : { error: i.error }),
    newSinceLastTransfer: i.status === 'ok' && (previous === undefined || i.digest === undefined || !previous.has(i.digest)),
  }));
}

function lastTransfer(dataDir: string): { setId: string; createdAt: string; digests: Set<string> } | undefined {
  return withHistory(dataDir, (store) => {
    const last = store.listSets().find((s) => s.status !== 'failed');
    if (!last) return undefined;
    const set = store.getSet(last.setId);
    return { setId: last.setId, createdAt: last.createdAt, digests: new Set((set?.images ?? []).flatMap((i) => (i.digest ? [i.digest] : []))) };
  });
}

/** The config, checked before any worker starts (the form already showed the problems), its saved copy and what both export jobs share. */
async function exportStart(request: Pick<ExportPlanRequest, 'configYaml' | 'configName' | 'srcTlsVerify' | 'carrySignatures'>, ctx: PlanContext, configDir: string, check?: () => Promise<void>) {
  const config = parseConfig(request.configYaml, request.configName);
  await check?.();
  const signatures = await signatureSettings(request.carrySignatures, ctx.settings.registriesDir);
  const configFile = await saveConfig(configDir, request.configName, request.configYaml);
  return {
    config,
    seedImages: config.mirror.additionalImages.map((i) => formatReference(i.reference)),
    seedWarnings: signatures.warnings,
    options: { ...signatures.settings, configFile, ...stationOptions(ctx), cacheDir: ctx.settings.cacheDir, srcTlsVerify: request.srcTlsVerify },
  };
}

export async function planExportDryRun(request: ExportPlanRequest, ctx: PlanContext): Promise<JobPlan> {
  const scratch = join(ctx.settings.dataDir, 'scratch', `plan-${randomUUID()}`);
  const start = await exportStart(request, ctx, scratch);
  const archiveSizeBytes = start.config.archiveSizeGiB * GiB;
  return {
    kind: 'export-plan',
    seedImages: start.seedImages,
    seedWarnings: start.seedWarnings,
    spec: { kind: 'export', options: { ...start.options, workspace: join(scratch, 'workspace'), dryRun: true } },
    async finish(report: EngineReport): Promise<JobOutcome> {
      const r = report as ExportReport;
      const last = lastTransfer(ctx.settings.dataDir);
      const plan: ExportPlan = {
        images: planImages(r, last?.digests),
        blobs: r.totals.blobs,
        totalBytes: r.totals.bytes,
        shippedBytes: r.totals.shippedBytes,
        archiveSizeBytes,
        estimatedParts: Math.max(1, Math.ceil(r.totals.shippedBytes / archiveSizeBytes)),
        warnings: r.warnings,
        failed: r.failed,
        ...(last ? { lastTransfer: { setId: last.setId, createdAt: last.createdAt } } : {}),
      };
      return { kind: 'export-plan', plan };
    },
    cleanup: () => rm(scratch, { recursive: true, force: true }),
  };
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}

export async function planExport(request: ExportRequest, ctx: PlanContext): Promise<JobPlan> {
  const start = await exportStart(request, ctx, join(ctx.settings.dataDir, 'configs', stamp(new Date())), () => requireDir(request.workspace, 'EXPORT_TARGET_INVALID', 'the export target'));
  return {
    kind: 'export',
    seedImages: start.seedImages,
    seedWarnings: start.seedWarnings,
    spec: {
      kind: 'export',
      options: {
        ...start.options,
        workspace: request.workspace,
        ...(request.archiveSizeBytes === undefined ? {} : { archiveSizeBytes: request.archiveSizeBytes }),
        ...(request.full === undefined ? {} : { full: request.full }),
      },
    },
    async finish(report: EngineReport): Promise<JobOutcome> {
      const r = report as ExportReport;
      const setId = r.setId ?? '';
      const recorded = withHistory(ctx.settings.dataDir, (store) => store.getSet(setId));
      const outcome: ExportOutcome = {
        setId,
        workspace: r.workspace,
        images: planImages(r, undefined),
        blobs: r.totals.blobs,
        shippedBlobs: r.totals.shippedBlobs,
        totalBytes: r.totals.bytes,
        shippedBytes: r.totals.shippedBytes,
        parts: r.totals.parts,
        failed: r.failed,
        baseSets: r.baseSets,
        warnings: r.warnings,
        // The writer re-reads every part from the media and compares its SHA-256 before sealing the
        // set; a mismatch fails the job (MEDIA_READBACK_FAILED), so a finished export passed it.
        readBackVerified: true,
        ...(recorded?.manifestSha256 ? { manifestSha256: recorded.manifestSha256 } : {}),
        ...(recorded?.keyFingerprint ? { signatureFingerprint: recorded.keyFingerprint } : {}),
        ...(r.errorLog ? { errorLog: r.errorLog } : {}),
        ...(r.signatures === undefined ? {} : { signatures: r.signatures }),
      };
      return { kind: 'export', export: outcome };
    },
  };
}

export function verifyOutcome(r: VerifyJobReport): VerifyOutcome {
  return {
    ok: r.ok,
    ...(r.setId === undefined ? {} : { setId: r.setId }),
    signature: { ...r.signature },
    problems: r.problems.map((p) => ({
      code: p.code,
      message: p.message,
      ...(p.file === undefined ? {} : { file: p.file }),
      ...(p.part === undefined ? {} : { part: p.part }),
      ...(p.blob === undefined ? {} : { blob: p.blob }),
    })),
    bytesVerified: r.bytesVerified,
    images: r.images,
  };
}

export async function planVerify(request: VerifyRequest, ctx: PlanContext): Promise<JobPlan> {
  await requireDir(request.dir, 'MEDIA_SET_NOT_FOUND', 'the transfer set folder');
  return {
    kind: 'verify',
    spec: {
      kind: 'verify',
      options: {
        dir: request.dir,
        dataDir: ctx.settings.dataDir,
        deep: request.deep,
        operator: ctx.operator,
        ...(request.insecureAcceptUntrusted === undefined ? {} : { insecureAcceptUntrusted: request.insecureAcceptUntrusted }),
      },
    },
    finish: async (report) => ({ kind: 'verify', verify: verifyOutcome(report as VerifyJobReport) }),
  };
}

/** The registry host of an import target `host[:port][/prefix]`. */
export function targetRegistry(target: string): string {
  return target.split('/')[0] ?? target;
}

export function clusterResourceFiles(paths: readonly string[]): ClusterResourceFile[] {
  return paths.map((path, index) => ({ index, name: basename(path), path }));
}

export async function planImport(request: ImportRequest, ctx: PlanContext): Promise<JobPlan> {
  await requireDir(request.from, 'MEDIA_SET_NOT_FOUND', 'the transfer set folder');
  if (request.caFile !== undefined) await requireFile(request.caFile, 'TLS_CA_UNREADABLE', 'the CA certificate');
  const credential = await ctx.credentialFor(targetRegistry(request.target));
  const signatures = await signatureSettings(request.carrySignatures, ctx.settings.registriesDir);
  return {
    kind: 'import',
    seedWarnings: signatures.warnings,
    spec: {
      kind: 'import',
      options: {
        ...signatures.settings,
        from: request.from,
        target: request.target,
        ...stationOptions(ctx),
        // Cluster resources go to the station's data directory, so the media can stay write-protected.
        workspace: join(ctx.settings.dataDir, 'imports', stamp(new Date())),
        destTlsVerify: request.tlsVerify,
        ...(request.caFile === undefined ? {} : { caFiles: [request.caFile] }),
        insecureAcceptUntrusted: request.insecureAcceptUntrusted,
      },
      credentials: credential ? [credential] : [],
    },
    async finish(report: EngineReport): Promise<JobOutcome> {
      const r = report as ImportReport;
      const files = clusterResourceFiles(r.clusterResources);
      const outcome: ImportOutcome = {
        setId: r.setId,
        registry: r.registry,
        images: r.images.map((i) => ({ ...i })),
        bytesPushed: r.bytesPushed,
        clusterResources: files,
        ...(files[0] ? { clusterResourcesDir: dirname(files[0].path) } : {}),
        verify: verifyOutcome(r.verify),
      };
      return { kind: 'import', import: outcome };
    },
  };
}
