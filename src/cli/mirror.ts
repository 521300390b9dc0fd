import { Command, Option } from 'commander';
import { isAbsolute, resolve } from 'node:path';
import { AirlockError } from '../errors';
import { dirname } from 'node:path';
import { runExport, type ExportReport } from '../jobs/export';
import { throttleProgress, type JobEvent } from '../jobs/events';
import { runImport, type ImportedImage } from '../jobs/import';
import { runMirrorToMirror } from '../jobs/mirror-to-mirror';
import { loadRegistriesConf } from '../registry/registries-conf';
import { loadRegistriesD } from '../registry/registries-d';
import type { SignatureSettings } from '../signatures';
import { defaultCacheDir, defaultDataDir } from '../paths';
import { createReporter, formatBytes, type OutputMode } from './progress';
import { parseBool, parseDate, parseDuration, parseLocation, parseNonNegativeInt, parsePositiveInt, parseSize } from './parse';

interface MirrorFlags {
  config?: string;
  from?: string;
  workspace?: string;
  cacheDir?: string;
  dataDir?: string;
  dryRun?: boolean;
  since?: Date;
  full?: boolean;
  strictArchive?: boolean;
  archiveSize?: number;
  parallelImages: number;
  parallelLayers: number;
  retryTimes: number;
  imageTimeout: number;
  retryDelay: number;
  authfile?: string;
  srcTlsVerify: boolean;
  destTlsVerify: boolean;
  caFile?: string[];
  logLevel: string;
  json?: boolean;
  v2?: boolean;
  maxNestedPaths?: number;
  insecureAcceptUntrusted?: boolean;
  removeSignatures: boolean;
  'registries.d'?: string;
}

function outputMode(flags: MirrorFlags): OutputMode {
  if (flags.json) return 'json';
  return process.stderr.isTTY ? 'tty' : 'plain';
}

function printExportSummary(report: ExportReport): void {
  const t = report.totals;
  const lines: string[] = [];
  if (report.dryRun) {
    lines.push(`dry run: ${t.images} image(s), ${t.blobs} blobs, ${formatBytes(t.bytes)} in all; this set would carry ${t.shippedBlobs} blobs, ${formatBytes(t.shippedBytes)}`);
    lines.push(`mapping: ${report.mappingFile}`);
    lines.push(`missing from the cache: ${report.missingImages} image(s), listed in ${report.missingFile}`);
  } else {
    lines.push(`transfer set ${report.setId} written to ${report.workspace} and verified`);
    lines.push(`  ${t.images} image(s), ${t.shippedBlobs} of ${t.blobs} blobs (${formatBytes(t.shippedBytes)} of ${formatBytes(t.bytes)}) in ${t.parts} part(s)`);
    if (report.baseSets.length > 0) lines.push(`  incremental: builds on set(s) ${report.baseSets.join(', ')}, which the enclave must have imported`);
    if (report.signatures !== undefined) lines.push(`  ${report.signatures} of them cosign signature(s) carried beside their images`);
    lines.push(`  check it anywhere with: (cd ${report.workspace} && sha256sum -c SHA256SUMS)`);
  }
  if (report.releases) {
    lines.push(`releases (${report.releases.releases.length}):`);
    for (const line of report.releases.summary) lines.push(`  ${line}`);
    if (report.releases.graphImage) lines.push(`  graph-data image ${report.releases.graphImage}`);
  }
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  const failed = report.images.filter((i) => i.status === 'failed');
  if (failed.length > 0) {
    lines.push(`${failed.length} image(s) failed${report.errorLog ? `, details in ${report.errorLog}` : ''}:`);
    for (const f of failed) lines.push(`  ${f.source}: ${f.error ?? ''}`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}

/** Runs a job with the reporter, Ctrl-C cancellation and the JSON/plain report. */
async function withReporter<T>(flags: MirrorFlags, job: (signal: AbortSignal, onEvent: (e: JobEvent) => void) => Promise<T>): Promise<{ report: T; mode: OutputMode }> {
  const mode = outputMode(flags);
  const reporter = createReporter(mode, flags.logLevel === 'debug');
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new AirlockError('CANCELLED', 'cancelled by the operator', { hint: 'run the same command again to resume: nothing complete is lost' }));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const report = await job(controller.signal, throttleProgress(reporter.onEvent));
    reporter.stop();
    if (mode === 'json') process.stdout.write(`${JSON.stringify({ type: 'report', report })}\n`);
    return { report, mode };
  } finally {
    reporter.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function printImages(images: readonly ImportedImage[], what: string, extra: readonly string[]): void {
  const lines: string[] = [];
  const pushed = images.filter((i) => i.status === 'pushed');
  lines.push(`${pushed.length} of ${images.length} image(s) ${what}`);
  for (const i of images) lines.push(`  ${i.status === 'pushed' ? 'ok    ' : i.status === 'skipped' ? 'would ' : 'FAILED'} ${i.destination}${i.digest ? `@${i.digest}` : ''}${i.error ? `: ${i.error}` : ''}`);
  lines.push(...extra);
  process.stderr.write(`${lines.join('\n')}\n`);
}

/** --remove-signatures, with registries.d read only when signatures are kept (as oc-mirror reads it). */
async function signatureSettings(flags: MirrorFlags): Promise<SignatureSettings> {
  if (flags.removeSignatures) return { removeSignatures: true };
  const dir = flags['registries.d'];
  const registriesD = await loadRegistriesD(dir === undefined ? {} : { dir });
  for (const w of registriesD.warnings) process.stderr.write(`warning: ${w}\n`);
  return { removeSignatures: false, registriesD };
}

/** disk-to-mirror (--from) or mirror-to-mirror (--workspace). */
async function toRegistry(target: string, flags: MirrorFlags): Promise<void> {
  const common = {
    ...(await signatureSettings(flags)),
    target,
    dataDir: flags.dataDir ?? defaultDataDir(),
    destTlsVerify: flags.destTlsVerify,
    parallelImages: flags.parallelImages,
    parallelLayers: flags.parallelLayers,
    retry: { times: flags.retryTimes, delayMs: flags.retryDelay },
    maxNestedPaths: flags.maxNestedPaths ?? 0,
    ...(flags.authfile ? { authFile: flags.authfile } : {}),
    ...(flags.caFile ? { caFiles: flags.caFile } : {}),
  };
  if (flags.from !== undefined) {
    const from = parseLocation(flags.from);
    if (from.kind !== 'file') throw new AirlockError('USAGE', '--from takes file://<dir>, the transfer set', { hint: 'airlock mirror -c isc.yaml --from file:///mnt/usb docker://registry.enclave:5000' });
    const workspace = flags.workspace ? parseLocation(flags.workspace) : undefined;
    const { report, mode } = await withReporter(flags, (signal, onEvent) =>
      runImport({
        ...common,
        from: from.path,
        ...(workspace?.kind === 'file' ? { workspace: workspace.path } : {}),
        ...(flags.config ? { configFile: flags.config } : {}),
        ...(flags.insecureAcceptUntrusted ? { insecureAcceptUntrusted: true } : {}),
        signal,
        onEvent,
      }),
    );
    if (mode !== 'json') {
      printImages(report.images, `imported from set ${report.setId} into ${report.registry}`, [
        `  ${formatBytes(report.bytesPushed)} pushed (${report.blobsPushed} blobs), ${report.blobsSkipped} blobs already there`,
        ...(report.verify.insecureAccepted ? ['  warning: the set was NOT signed by a trusted station; you accepted it with --insecure-accept-untrusted'] : []),
        ...(report.clusterResources.length > 0 ? ['cluster resources:', ...report.clusterResources.map((f) => `  ${f}`), `apply them with: oc apply -f ${dirname(report.clusterResources[0] ?? '')}`] : []),
      ]);
    }
    if (report.images.some((i) => i.status === 'failed')) process.exitCode = 1;
    return;
  }
  if (flags.workspace === undefined) {
    throw new AirlockError('USAGE', 'to mirror to a registry give either --from file://<transfer set> (disk to mirror) or --workspace file://<dir> (mirror to mirror)', {
      hint: 'airlock mirror -c isc.yaml --workspace file://./work docker://registry.example:5000/mirror',
    });
  }
  const workspace = parseLocation(flags.workspace);
  if (workspace.kind !== 'file') throw new AirlockError('USAGE', '--workspace takes file://<dir>', {});
  const config = flags.config;
  if (config === undefined) throw new AirlockError('USAGE', 'mirror to mirror needs the image set: -c <isc.yaml>', {});
  const { report, mode } = await withReporter(flags, async (signal, onEvent) =>
    runMirrorToMirror({
      ...common,
      configFile: config,
      workspace: workspace.path,
      cacheDir: flags.cacheDir ?? defaultCacheDir(),
      srcTlsVerify: flags.srcTlsVerify,
      imageTimeoutMs: flags.imageTimeout,
      registriesConf: await loadRegistriesConf(),
      dryRun: flags.dryRun ?? false,
      signal,
      onEvent,
    }),
  );
  if (mode !== 'json') {
    printImages(report.images, flags.dryRun ? 'would be mirrored' : `mirrored into ${report.registry}`, [
      ...(flags.dryRun ? [] : [`  ${formatBytes(report.bytesCopied)} copied`]),
      ...(report.releases ? [`releases (${report.releases.releases.length}):`, ...report.releases.summary.map((l) => `  ${l}`)] : []),
      ...(report.warnings ?? []).map((w) => `warning: ${w}`),
      ...(report.clusterResources.length > 0 ? ['cluster resources:', ...report.clusterResources.map((f) => `  ${f}`)] : []),
    ]);
  }
  if (report.images.some((i) => i.status === 'failed')) process.exitCode = 1;
}

export function mirrorCommand(): Command {
  return new Command('mirror')
    .description('mirror an image set: to disk (file://), from disk to a registry (--from), or registry to registry')
    .usage('-c <isc.yaml> file://<dir> | -c <isc.yaml> --from file://<dir> docker://<registry> | -c <isc.yaml> --workspace file://<dir> docker://<registry>')
    .argument('<destination>', 'file://<dir> for a transfer set, docker://<registry>[/<prefix>] for a registry')
    .option('-c, --config <file>', 'the ImageSetConfiguration (mirror.openshift.io/v2alpha1); on import, selects what to import')
    .option('--from <file://dir>', 'a transfer set to import (disk to mirror)')
    .option('--workspace <file://dir>', 'working directory for mirror to mirror')
    .option('--cache-dir <dir>', 'blob cache', defaultCacheDir())
    .option('--data-dir <dir>', 'history, station key and trusted keys', defaultDataDir())
    .option('--dry-run', 'resolve and list what would be mirrored (working-dir/dry-run/mapping.txt, missing.txt); write no set')
    .option('--since <yyyy-mm-dd>', 'count only sets created since this date as already in the enclave', parseDate)
    .option('--full', 'carry every blob, whatever earlier sets carried')
    .option('--strict-archive', 'fail before writing anything if a blob is larger than the archive size')
    .option('--archive-size <size>', 'override archiveSize, e.g. 4G or 700M (FAT32 media hold files up to 4 GiB - 1 byte)', parseSize)
    .option('--parallel-images <n>', 'images mirrored at once', parsePositiveInt, 4)
    .option('--parallel-layers <n>', 'layers of one image mirrored at once', parsePositiveInt, 5)
    .option('--image-timeout <duration>', 'longest one image may take before it is counted as failed', parseDuration, 600_000)
    .option('--retry-times <n>', 'retries on 429/5xx/connection reset', parseNonNegativeInt, 2)
    .option('--retry-delay <duration>', 'delay before the first retry, doubled each time', parseDuration, 1000)
    .option('--authfile <file>', 'registry credentials (default ${XDG_RUNTIME_DIR}/containers/auth.json, then ~/.docker/config.json)')
    .addOption(new Option('--src-tls-verify <bool>', 'verify source registries\' TLS certificates; false also allows plain HTTP').argParser(parseBool).default(true))
    .addOption(new Option('--dest-tls-verify <bool>', 'verify the destination registry\'s TLS certificate; false also allows plain HTTP').argParser(parseBool).default(true))
    .option('--ca-file <file...>', 'extra CA certificates (PEM) to trust')
    .addOption(new Option('--log-level <level>', 'info or debug').choices(['info', 'debug', 'warn', 'error']).default('info'))
    .option('--json', 'print events and the report as JSON lines on stdout')
    .option('--max-nested-paths <n>', 'flatten destination paths to at most N components (0: no limit)', parseNonNegativeInt, 0)
    .option('--insecure-accept-untrusted', 'import a set that is unsigned or signed by a key this station does not trust (recorded in the history)')
    .addOption(new Option('--remove-signatures <bool>', 'leave cosign signatures behind; false carries and pushes each image\'s sha256-<digest>.sig/.att/.sbom tags with it').argParser(parseBool).default(true))
    .option('--registries.d <dir>', 'containers-registries.d directory for use-sigstore-attachments (default ~/.config/containers/registries.d, else /etc/containers/registries.d)')
    .addOption(new Option('--v2', 'accepted for oc-mirror compatibility').hideHelp())
    .action(async (destination: string, flags: MirrorFlags) => {
      const to = parseLocation(destination);
      if (to.kind === 'docker') {
        await toRegistry(to.reference, flags);
        return;
      }
      if (flags.from !== undefined) {
        throw new AirlockError('USAGE', '--from imports a transfer set into a registry: the destination must be docker://<registry>', {
          hint: 'airlock mirror -c isc.yaml --from file://<dir> docker://<registry>[/<prefix>]',
        });
      }
      const config = flags.config;
      if (config === undefined) throw new AirlockError('USAGE', 'an export needs the image set: -c <isc.yaml>', { hint: 'airlock mirror -c isc.yaml file:///mnt/usb/airlock' });
      const { report, mode } = await withReporter(flags, async (signal, onEvent) =>
        runExport({
          configFile: config,
          workspace: isAbsolute(to.path) ? to.path : resolve(to.path),
          cacheDir: flags.cacheDir ?? defaultCacheDir(),
          dataDir: flags.dataDir ?? defaultDataDir(),
          dryRun: flags.dryRun ?? false,
          ...(flags.since ? { since: flags.since } : {}),
          full: flags.full ?? false,
          strictArchive: flags.strictArchive ?? false,
          ...(flags.archiveSize ? { archiveSizeBytes: flags.archiveSize } : {}),
          parallelImages: flags.parallelImages,
          parallelLayers: flags.parallelLayers,
          imageTimeoutMs: flags.imageTimeout,
          retry: { times: flags.retryTimes, delayMs: flags.retryDelay },
          ...(flags.authfile ? { authFile: flags.authfile } : {}),
          srcTlsVerify: flags.srcTlsVerify,
          ...(flags.caFile ? { caFiles: flags.caFile } : {}),
          registriesConf: await loadRegistriesConf(),
          ...(await signatureSettings(flags)),
          signal,
          onEvent,
        }),
      );
      if (mode !== 'json') printExportSummary(report);
      if (report.failed > 0) process.exitCode = 1;
    });
}
