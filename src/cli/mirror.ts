import { Command, Option } from 'commander';
import { isAbsolute, resolve } from 'node:path';
import { AirlockError } from '../errors';
import { runExport, type ExportReport } from '../jobs/export';
import { throttleProgress } from '../jobs/events';
import { loadRegistriesConf } from '../registry/registries-conf';
import { defaultCacheDir, defaultDataDir } from '../paths';
import { createReporter, formatBytes, type OutputMode } from './progress';
import { parseBool, parseDate, parseDuration, parseLocation, parseNonNegativeInt, parsePositiveInt, parseSize } from './parse';

interface MirrorFlags {
  config: string;
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
  retryDelay: number;
  authfile?: string;
  srcTlsVerify: boolean;
  destTlsVerify: boolean;
  caFile?: string[];
  logLevel: string;
  json?: boolean;
  v2?: boolean;
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
    lines.push(`  check it anywhere with: (cd ${report.workspace} && sha256sum -c SHA256SUMS)`);
  }
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  const failed = report.images.filter((i) => i.status === 'failed');
  if (failed.length > 0) {
    lines.push(`${failed.length} image(s) failed${report.errorLog ? `, details in ${report.errorLog}` : ''}:`);
    for (const f of failed) lines.push(`  ${f.source}: ${f.error ?? ''}`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}

export function mirrorCommand(): Command {
  return new Command('mirror')
    .description('mirror an image set: to disk (file://), from disk to a registry (--from), or registry to registry')
    .usage('-c <isc.yaml> file://<dir> | -c <isc.yaml> --from file://<dir> docker://<registry> | -c <isc.yaml> --workspace file://<dir> docker://<registry>')
    .argument('<destination>', 'file://<dir> for a transfer set, docker://<registry>[/<prefix>] for a registry')
    .requiredOption('-c, --config <file>', 'the ImageSetConfiguration (mirror.openshift.io/v2alpha1)')
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
    .option('--retry-times <n>', 'retries on 429/5xx/connection reset', parseNonNegativeInt, 2)
    .option('--retry-delay <duration>', 'delay before the first retry, doubled each time', parseDuration, 1000)
    .option('--authfile <file>', 'registry credentials (default ${XDG_RUNTIME_DIR}/containers/auth.json, then ~/.docker/config.json)')
    .addOption(new Option('--src-tls-verify <bool>', 'verify source registries\' TLS certificates; false also allows plain HTTP').argParser(parseBool).default(true))
    .addOption(new Option('--dest-tls-verify <bool>', 'verify the destination registry\'s TLS certificate; false also allows plain HTTP').argParser(parseBool).default(true))
    .option('--ca-file <file...>', 'extra CA certificates (PEM) to trust')
    .addOption(new Option('--log-level <level>', 'info or debug').choices(['info', 'debug', 'warn', 'error']).default('info'))
    .option('--json', 'print events and the report as JSON lines on stdout')
    .addOption(new Option('--v2', 'accepted for oc-mirror compatibility').hideHelp())
    .action(async (destination: string, flags: MirrorFlags) => {
      const to = parseLocation(destination);
      if (flags.from !== undefined || to.kind === 'docker') {
        throw new AirlockError('NOT_IMPLEMENTED', 'importing into a registry (--from file://… docker://…) and mirror-to-mirror are not available in this version yet', {
          hint: 'export with `airlock mirror -c isc.yaml file://<dir>` on the connected side',
        });
      }
      const mode = outputMode(flags);
      const reporter = createReporter(mode, flags.logLevel === 'debug');
      const controller = new AbortController();
      const onSignal = (): void => controller.abort(new AirlockError('CANCELLED', 'cancelled by the operator', { hint: 'run the same command again to resume: nothing complete is lost' }));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const report = await runExport({
          configFile: flags.config,
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
          retry: { times: flags.retryTimes, delayMs: flags.retryDelay },
          ...(flags.authfile ? { authFile: flags.authfile } : {}),
          srcTlsVerify: flags.srcTlsVerify,
          ...(flags.caFile ? { caFiles: flags.caFile } : {}),
          registriesConf: await loadRegistriesConf(),
          signal: controller.signal,
          onEvent: throttleProgress(reporter.onEvent),
        });
        reporter.stop();
        if (mode === 'json') process.stdout.write(`${JSON.stringify({ type: 'report', report })}\n`);
        else printExportSummary(report);
        if (report.failed > 0) process.exitCode = 1;
      } finally {
        reporter.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
